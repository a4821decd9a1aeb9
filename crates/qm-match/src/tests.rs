//! Matching against small hand-built databases: each rule of the crate documentation, one
//! table or one case at a time.

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, CvssVersion, Distro, DistroStatus, Ecosystem, Event,
    Inventory, Package, PackageKey, Range, RangeKind, Rating, Reference, Severity, SourcePackage,
    TargetInfo, TargetKind, Timestamp,
};
use qm_vulndb::{DbMetadata, VulnDb, write_db};

use crate::{FixState, MatchKind, MatchOptions, MatchReport, NoteKind, match_inventory};

fn advisory(id: &str, source: &str, aliases: &[&str]) -> Advisory {
    Advisory {
        id: id.into(),
        source: source.into(),
        aliases: aliases.iter().map(|alias| (*alias).into()).collect(),
        related: Vec::new(),
        summary: None,
        details: None,
        severities: Vec::new(),
        published: None,
        modified: None,
        informational: None,
        withdrawn: None,
        references: Vec::new(),
        affected: Vec::new(),
    }
}

/// An entry of `key` (`Debian:12/openssl`) affected from `introduced` up to `fixed`.
fn entry(
    key: &str,
    introduced: &str,
    fixed: Option<&str>,
    status: Option<DistroStatus>,
) -> AffectedPackage {
    let (ecosystem, name) = key.split_once('/').unwrap();
    AffectedPackage {
        package: PackageKey::from_osv(ecosystem, name).unwrap(),
        purl: None,
        ranges: AffectedRanges::introduced_fixed(introduced, fixed),
        status,
        severity: None,
    }
}

fn not_affected(key: &str) -> AffectedPackage {
    let mut entry = entry(key, "0", None, Some(DistroStatus::NotAffected));
    entry.ranges = AffectedRanges::default();
    entry
}

fn with(mut advisory: Advisory, affected: AffectedPackage) -> Advisory {
    advisory.affected.push(affected);
    advisory
}

fn cvss(score: f64, version: CvssVersion) -> Severity {
    Severity::Cvss {
        version,
        vector: format!("vector-{score}"),
        score,
        rating: Rating::from_cvss_score(score),
    }
}

fn db(advisories: &[Advisory]) -> VulnDb {
    let metadata = DbMetadata {
        built: "2025-01-01T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_db(advisories, &metadata, &mut bytes).unwrap();
    VulnDb::from_bytes(bytes).unwrap()
}

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem,
        purl: format!("pkg:generic/{name}@{version}"),
        source: None,
        locations: vec!["somewhere".into()],
        found_by: "test".into(),
        dev: false,
        arch: None,
        layer: Some("sha256:layer".into()),
    }
}

fn deb(name: &str, version: &str, source: &str) -> Package {
    let mut package = package(Ecosystem::Debian, name, version);
    package.source = Some(SourcePackage {
        name: source.into(),
        version: Some(version.into()),
    });
    package
}

fn inventory(distro: Option<(&str, &str)>, packages: Vec<Package>) -> Inventory {
    Inventory {
        target: TargetInfo {
            name: "test".into(),
            kind: TargetKind::DockerArchive,
            digest: None,
            manifest_digest: None,
            tags: Vec::new(),
            platform: None,
            layers: Vec::new(),
        },
        distro: distro.map(|(id, version)| Distro {
            id: id.into(),
            version_id: Some(version.into()),
            codename: None,
            pretty_name: None,
            id_like: Vec::new(),
        }),
        packages,
        warnings: Vec::new(),
    }
}

fn run(advisories: &[Advisory], inventory: &Inventory) -> MatchReport {
    match_inventory(inventory, &db(advisories), &MatchOptions::default()).unwrap()
}

/// `(id, package name, fixed version)` of every finding.
fn summary(report: &MatchReport) -> Vec<(String, String, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                f.package.name.clone(),
                f.fixed_version.clone(),
            )
        })
        .collect()
}

fn note_kinds(report: &MatchReport) -> Vec<NoteKind> {
    report.notes.iter().map(|note| note.kind).collect()
}

const OPENSSL: &str = "Debian:12/openssl";

#[test]
fn distribution_packages_match_by_source_package_and_release() {
    let advisories = [
        with(
            advisory("CVE-2024-0001", "debian-tracker", &[]),
            entry(
                OPENSSL,
                "0",
                Some("3.0.11-1~deb12u2"),
                Some(DistroStatus::Fixed),
            ),
        ),
        // The same CVE for another release and for the upstream package: neither applies.
        with(
            advisory("CVE-2024-0002", "debian-tracker", &[]),
            entry(
                "Debian:11/openssl",
                "0",
                Some("9.9"),
                Some(DistroStatus::Fixed),
            ),
        ),
        with(
            advisory("GHSA-aaaa-bbbb-cccc", "osv/GHSA", &["CVE-2024-0003"]),
            entry("crates.io/openssl", "0", Some("9.9.9"), None),
        ),
    ];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "12")),
            vec![deb("libssl3", "3.0.11-1~deb12u1", "openssl")],
        ),
    );
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-0001".into(),
            "libssl3".into(),
            Some("3.0.11-1~deb12u2".into())
        )]
    );
    let finding = &report.findings[0];
    assert_eq!(finding.matched_by, MatchKind::DistroSourcePackage);
    assert_eq!(finding.matched_key.to_string(), OPENSSL);
    assert_eq!(finding.installed_version, "3.0.11-1~deb12u1");
    assert_eq!(finding.package.layer.as_deref(), Some("sha256:layer"));
    assert!(report.notes.is_empty(), "{:?}", report.notes);

    // At the fix, and above it, nothing.
    for version in ["3.0.11-1~deb12u2", "3.0.11-1~deb12u3", "3.0.12-1"] {
        let report = run(
            &advisories,
            &inventory(
                Some(("debian", "12")),
                vec![deb("libssl3", version, "openssl")],
            ),
        );
        assert!(report.findings.is_empty(), "{version}");
    }
}

#[test]
fn the_source_version_is_compared_not_the_binary_version() {
    let advisories = [with(
        advisory("CVE-2024-0001", "debian-tracker", &[]),
        entry(
            "Debian:12/glibc",
            "0",
            Some("2.36-9+deb12u4"),
            Some(DistroStatus::Fixed),
        ),
    )];
    // A binary-only rebuild: the binary is newer than the fix, its source is not.
    let mut libc = deb("libc6", "2.36-9+deb12u3+b1", "glibc");
    libc.source = Some(SourcePackage {
        name: "glibc".into(),
        version: Some("2.36-9+deb12u3".into()),
    });
    let report = run(
        &advisories,
        &inventory(Some(("debian", "12.5")), vec![libc]),
    );
    assert_eq!(summary(&report).len(), 1);
    assert_eq!(report.findings[0].installed_version, "2.36-9+deb12u3");
}

#[test]
fn not_affected_verdicts_produce_nothing_even_against_other_feeds() {
    let advisories = [
        with(
            advisory("CVE-2024-0001", "debian-tracker", &[]),
            not_affected(OPENSSL),
        ),
        // A changelog record naming the CVE among others must not overrule the verdict.
        with(
            advisory(
                "DEBIAN-12-openssl-3.0.11-1_deb12u2",
                "osv/DEBIAN",
                &["CVE-2024-0001", "CVE-2024-0002"],
            ),
            entry(OPENSSL, "0", Some("3.0.11-1~deb12u2"), None),
        ),
    ];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "12")),
            vec![deb("openssl", "3.0.11-1~deb12u1", "openssl")],
        ),
    );
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-0002".into(),
            "openssl".into(),
            Some("3.0.11-1~deb12u2".into())
        )]
    );
    assert_eq!(
        report.findings[0].aliases,
        ["DEBIAN-12-openssl-3.0.11-1_deb12u2"]
    );
}

#[test]
fn open_issues_are_reported_with_their_status() {
    let statuses = [
        DistroStatus::Unfixed,
        DistroStatus::NoDsa,
        DistroStatus::Postponed,
        DistroStatus::Ignored,
        DistroStatus::EndOfLife,
        DistroStatus::Unimportant,
        DistroStatus::Undetermined,
    ];
    for status in statuses {
        let advisories = [
            with(
                advisory("CVE-2024-0001", "debian-tracker", &[]),
                entry(OPENSSL, "0", None, Some(status)),
            ),
            // An older announcement with a fix does not close an issue the tracker keeps open.
            with(
                advisory("DSA-5000-1", "debian-dsa", &["CVE-2024-0001"]),
                entry(OPENSSL, "0", Some("3.0.0-1"), Some(DistroStatus::Fixed)),
            ),
        ];
        let report = run(
            &advisories,
            &inventory(
                Some(("debian", "12")),
                vec![deb("openssl", "3.0.11-1~deb12u1", "openssl")],
            ),
        );
        assert_eq!(report.findings.len(), 1, "{status}");
        let finding = &report.findings[0];
        assert_eq!(
            finding.fix,
            FixState::NotFixed {
                status: Some(status)
            }
        );
        assert_eq!(finding.fixed_version, None);
        assert_eq!(finding.aliases, ["DSA-5000-1"]);
    }
}

#[test]
fn the_fold_needs_the_highest_distribution_fix() {
    let advisories = [
        with(
            advisory("CVE-2024-0001", "debian-tracker", &[]),
            entry(
                OPENSSL,
                "0",
                Some("3.0.11-1~deb12u3"),
                Some(DistroStatus::Fixed),
            ),
        ),
        with(
            {
                let mut dsa = advisory("DSA-5000-1", "debian-dsa", &["CVE-2024-0001"]);
                dsa.published = Some("2024-02-01".parse().unwrap());
                dsa.summary = Some("openssl - security update".into());
                dsa
            },
            entry(
                OPENSSL,
                "0",
                Some("3.0.11-1~deb12u2"),
                Some(DistroStatus::Fixed),
            ),
        ),
    ];
    let inventory = |version: &str| {
        inventory(
            Some(("debian", "bookworm")),
            vec![deb("openssl", version, "openssl")],
        )
    };
    let report = run(&advisories, &inventory("3.0.11-1~deb12u1"));
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-0001".into(),
            "openssl".into(),
            Some("3.0.11-1~deb12u3".into())
        )]
    );
    let finding = &report.findings[0];
    assert_eq!(finding.sources, ["debian-dsa", "debian-tracker"]);
    // The DSA announced a fix, but not the one offered.
    assert_eq!(finding.fix_published, None);
    // Between the two fixes, the tracker's still applies.
    let report = run(&advisories, &inventory("3.0.11-1~deb12u2"));
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-0001".into(),
            "openssl".into(),
            Some("3.0.11-1~deb12u3".into())
        )]
    );
    assert!(
        run(&advisories, &inventory("3.0.11-1~deb12u3"))
            .findings
            .is_empty()
    );
}

#[test]
fn an_announcement_joins_each_cve_it_names_without_merging_them() {
    let mut dsa = advisory(
        "DSA-5001-1",
        "debian-dsa",
        &["CVE-2024-0002", "CVE-2024-0001"],
    );
    dsa.published = Some("2024-03-01".parse().unwrap());
    let advisories = [
        with(
            dsa,
            entry(
                OPENSSL,
                "0",
                Some("3.0.11-1~deb12u2"),
                Some(DistroStatus::Fixed),
            ),
        ),
        with(
            advisory("CVE-2024-0001", "debian-tracker", &[]),
            entry(
                OPENSSL,
                "0",
                Some("3.0.11-1~deb12u2"),
                Some(DistroStatus::Fixed),
            ),
        ),
    ];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "12")),
            vec![deb("openssl", "3.0.11-1~deb12u1", "openssl")],
        ),
    );
    assert_eq!(
        summary(&report),
        [
            (
                "CVE-2024-0001".into(),
                "openssl".into(),
                Some("3.0.11-1~deb12u2".into())
            ),
            (
                "CVE-2024-0002".into(),
                "openssl".into(),
                Some("3.0.11-1~deb12u2".into())
            ),
        ]
    );
    for finding in &report.findings {
        assert_eq!(finding.aliases, ["DSA-5001-1"]);
        assert_eq!(finding.fix_published, Some("2024-03-01".parse().unwrap()));
        // An announcement's date is not the vulnerability's.
        assert_eq!(finding.published, None);
    }
    assert_eq!(report.findings[0].sources, ["debian-dsa", "debian-tracker"]);
    assert_eq!(report.findings[1].sources, ["debian-dsa"]);
}

#[test]
fn aliases_fold_transitively_and_keep_every_id() {
    let key = "PyPI/Jinja2";
    let mut ghsa = advisory("GHSA-h5c8-rqwp-cp95", "osv/GHSA", &["CVE-2024-22195"]);
    ghsa.summary = Some("Jinja vulnerable to HTML attribute injection".into());
    ghsa.severities = vec![
        cvss(5.4, CvssVersion::V3_1),
        Severity::Rating {
            source: "ghsa".into(),
            rating: Rating::Medium,
            label: "MODERATE".into(),
        },
    ];
    ghsa.references = vec![
        Reference {
            kind: "WEB".into(),
            url: "https://example.invalid/web".into(),
        },
        Reference {
            kind: "ADVISORY".into(),
            url: "https://github.com/advisories/GHSA-h5c8-rqwp-cp95".into(),
        },
    ];
    ghsa.published = Some("2024-01-11".parse().unwrap());
    let mut pysec = advisory(
        "PYSEC-2024-1",
        "osv/PYSEC",
        &["CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"],
    );
    pysec.details = Some("\nJinja is an extensible templating engine.\nMore.".into());
    pysec.severities = vec![cvss(6.1, CvssVersion::V2)];
    pysec.published = Some("2024-01-10".parse().unwrap());
    // Only linked through the PYSEC id: still the same vulnerability.
    let other = advisory("OSV-2024-7", "osv/OSV", &["PYSEC-2024-1"]);
    let advisories = [
        with(ghsa, entry(key, "0", Some("3.1.3"), None)),
        with(pysec, entry(key, "0", Some("3.1.3"), None)),
        with(other, entry(key, "0", Some("3.1.3"), None)),
    ];
    let report = run(
        &advisories,
        &inventory(None, vec![package(Ecosystem::PyPI, "jinja2", "3.1.2")]),
    );
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-22195".into(),
            "jinja2".into(),
            Some("3.1.3".into())
        )]
    );
    let finding = &report.findings[0];
    assert_eq!(
        finding.aliases,
        ["GHSA-h5c8-rqwp-cp95", "OSV-2024-7", "PYSEC-2024-1"]
    );
    assert_eq!(finding.matched_by, MatchKind::EcosystemName);
    // v3 outranks a higher v2 score.
    assert_eq!(finding.severity.score, Some(5.4));
    assert_eq!(finding.severity.rating, Rating::Medium);
    assert_eq!(finding.severity.source.as_deref(), Some("osv/GHSA"));
    assert_eq!(
        finding.title.as_deref(),
        Some("Jinja vulnerable to HTML attribute injection")
    );
    assert_eq!(finding.sources, ["osv/GHSA", "osv/OSV", "osv/PYSEC"]);
    assert_eq!(finding.published, Some("2024-01-10".parse().unwrap()));
    assert_eq!(
        finding.urls,
        [
            "https://github.com/advisories/GHSA-h5c8-rqwp-cp95",
            "https://example.invalid/web"
        ]
    );
    assert_eq!(
        finding.fix,
        FixState::Fixed {
            version: "3.1.3".into()
        }
    );
}

#[test]
fn the_fix_offered_clears_every_folded_advisory() {
    let key = "npm/left-pad";
    let cases = [
        // (first fix, second advisory's range, installed, expected fix)
        ("2.0.0", ("0", Some("2.1.0")), "1.0.0", Some("2.1.0")),
        // A regression from 3.0.0 on: the first fix is clean.
        ("1.5.0", ("3.0.0", None), "1.0.0", Some("1.5.0")),
        // The first fix lies in a range that is never fixed.
        ("2.1.0", ("2.0.0", None), "1.0.0", None),
    ];
    for (first_fix, (introduced, fixed), installed, expected) in cases {
        let advisories = [
            with(
                advisory("GHSA-1111-2222-3333", "osv/GHSA", &["CVE-2024-1"]),
                entry(key, "0", Some(first_fix), None),
            ),
            with(
                advisory("OSV-X", "osv/OSV", &["CVE-2024-1"]),
                entry(key, introduced, fixed, None),
            ),
        ];
        let report = run(
            &advisories,
            &inventory(None, vec![package(Ecosystem::Npm, "left-pad", installed)]),
        );
        assert_eq!(report.findings.len(), 1, "{first_fix} {introduced}");
        let finding = &report.findings[0];
        assert_eq!(
            finding.fixed_version.as_deref(),
            expected,
            "{first_fix} {introduced}"
        );
        match expected {
            Some(version) => assert_eq!(
                finding.fix,
                FixState::Fixed {
                    version: version.into()
                }
            ),
            None => assert_eq!(finding.fix, FixState::NotFixed { status: None }),
        }
    }
}

#[test]
fn explicit_version_lists_and_git_ranges() {
    let key = "PyPI/demo";
    let mut listed = entry(key, "0", None, None);
    listed.ranges = AffectedRanges {
        ranges: Vec::new(),
        versions: vec!["1.0".into(), "1.1".into()],
    };
    let mut git = entry(key, "0", None, None);
    git.ranges = AffectedRanges {
        ranges: vec![Range {
            kind: RangeKind::Git,
            repo: Some("https://example.invalid/repo".into()),
            events: vec![Event::Introduced("0".into()), Event::Fixed("abcdef".into())],
        }],
        versions: Vec::new(),
    };
    let advisories = [
        with(advisory("PYSEC-1", "osv/PYSEC", &[]), listed),
        with(advisory("PYSEC-2", "osv/PYSEC", &[]), git),
    ];
    // `1.0.0` is `1.0` in PEP 440.
    let report = run(
        &advisories,
        &inventory(None, vec![package(Ecosystem::PyPI, "Demo", "1.0.0")]),
    );
    assert_eq!(summary(&report), [("PYSEC-1".into(), "Demo".into(), None)]);
    let report = run(
        &advisories,
        &inventory(None, vec![package(Ecosystem::PyPI, "demo", "1.2")]),
    );
    assert!(report.findings.is_empty());
}

#[test]
fn withdrawn_and_informational_advisories() {
    let key = "crates.io/demo";
    let mut withdrawn = advisory("GHSA-wwww-wwww-wwww", "osv/GHSA", &[]);
    withdrawn.withdrawn = Some("2024-01-01".parse().unwrap());
    let mut unmaintained = advisory("RUSTSEC-2024-0001", "rustsec", &[]);
    unmaintained.informational = Some("unmaintained".into());
    let advisories = [
        with(withdrawn, entry(key, "0", Some("2.0.0"), None)),
        with(unmaintained, entry(key, "0", None, None)),
    ];
    let inventory = inventory(None, vec![package(Ecosystem::CratesIo, "demo", "1.0.0")]);
    assert!(run(&advisories, &inventory).findings.is_empty());
    let options = MatchOptions {
        include_informational: true,
        ..MatchOptions::default()
    };
    let report = match_inventory(&inventory, &db(&advisories), &options).unwrap();
    assert_eq!(
        summary(&report),
        [("RUSTSEC-2024-0001".into(), "demo".into(), None)]
    );
    assert_eq!(
        report.findings[0].informational.as_deref(),
        Some("unmaintained")
    );
}

#[test]
fn releases_without_data_are_noted_not_silently_clean() {
    let advisories = [with(
        advisory("CVE-2024-0001", "debian-tracker", &[]),
        entry(
            OPENSSL,
            "0",
            Some("3.0.11-1~deb12u2"),
            Some(DistroStatus::Fixed),
        ),
    )];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "13")),
            vec![
                deb("openssl", "3.0.11-1", "openssl"),
                deb("bash", "5.2", "bash"),
            ],
        ),
    );
    assert!(report.findings.is_empty());
    assert_eq!(note_kinds(&report), [NoteKind::NoDistroData]);
    assert_eq!(report.notes[0].count, 2);
    assert_eq!(
        report.notes[0].message,
        "no vulnerability data for Debian 13 in this database: 2 packages were not checked"
    );
    assert_eq!(report.checked, 0);
}

#[test]
fn end_of_life_releases_are_noted_once() {
    let advisories = [with(
        advisory("CVE-2019-0001", "debian-tracker", &[]),
        entry(
            "Debian:10/bash",
            "0",
            Some("5.0-4+deb10u1"),
            Some(DistroStatus::Fixed),
        ),
    )];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "10")),
            vec![
                deb("bash", "5.0-4", "bash"),
                deb("bash-doc", "5.0-4", "bash"),
            ],
        ),
    );
    assert_eq!(report.findings.len(), 2);
    assert_eq!(note_kinds(&report), [NoteKind::EndOfLife]);
    assert!(
        report.notes[0].message.contains("2024-06-30"),
        "{}",
        report.notes[0].message
    );
}

#[test]
fn alpine_keys_on_the_branch_and_the_origin() {
    let advisories = [with(
        advisory("CVE-2019-14697", "alpine-secdb", &[]),
        entry(
            "Alpine:v3.11/musl",
            "0",
            Some("1.1.24-r0"),
            Some(DistroStatus::Fixed),
        ),
    )];
    let mut utils = package(Ecosystem::Alpine, "musl-utils", "1.1.23-r2");
    utils.source = Some(SourcePackage {
        name: "musl".into(),
        version: None,
    });
    let report = run(
        &advisories,
        &inventory(Some(("alpine", "3.11.6")), vec![utils]),
    );
    assert_eq!(
        summary(&report),
        [(
            "CVE-2019-14697".into(),
            "musl-utils".into(),
            Some("1.1.24-r0".into())
        )]
    );
    assert_eq!(
        report.findings[0].matched_key.to_string(),
        "Alpine:3.11/musl"
    );
}

#[test]
fn ubuntu_releases_find_their_lts_data() {
    let advisories = [with(
        advisory("UBUNTU-CVE-2022-1234", "osv/UBUNTU", &[]),
        entry(
            "Ubuntu:22.04:LTS/curl",
            "0",
            Some("7.81.0-1ubuntu1.4"),
            None,
        ),
    )];
    let mut curl = package(Ecosystem::Ubuntu, "libcurl4", "7.81.0-1ubuntu1.3");
    curl.source = Some(SourcePackage {
        name: "curl".into(),
        version: Some("7.81.0-1ubuntu1.3".into()),
    });
    let report = run(
        &advisories,
        &inventory(Some(("ubuntu", "22.04")), vec![curl]),
    );
    // The id names its CVE, which becomes the primary id.
    assert_eq!(
        summary(&report),
        [(
            "CVE-2022-1234".into(),
            "libcurl4".into(),
            Some("7.81.0-1ubuntu1.4".into())
        )]
    );
    assert_eq!(report.findings[0].aliases, ["UBUNTU-CVE-2022-1234"]);
}

#[test]
fn gaps_are_noted_once_each() {
    let advisories = [
        with(
            advisory("GHSA-pppp-pppp-pppp", "osv/GHSA", &[]),
            entry("PyPI/demo", "0", Some("2.0"), None),
        ),
        with(
            advisory("CVE-2024-1", "debian-tracker", &[]),
            entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed)),
        ),
    ];
    let mut sbom = inventory(
        Some(("debian", "12")),
        vec![
            package(Ecosystem::PyPI, "demo", "not a version"),
            package(Ecosystem::PyPI, "unrelated", "not a version either"),
            package(Ecosystem::Other("Hackage".into()), "aeson", "2.0"),
            package(Ecosystem::Other("Hackage".into()), "text", "2.0"),
            package(Ecosystem::Debian, "openssl", "3.0.11-1"),
        ],
    );
    sbom.target.kind = TargetKind::Sbom;
    let report = run(&advisories, &sbom);
    assert_eq!(
        summary(&report),
        [(
            "CVE-2024-1".into(),
            "openssl".into(),
            Some("3.0.12-1".into())
        )]
    );
    let mut kinds = note_kinds(&report);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            NoteKind::NoEcosystemData,
            NoteKind::UnparsableVersion,
            NoteKind::NoSourcePackage
        ]
    );
    let unparsable = report
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::UnparsableVersion)
        .unwrap();
    // Only the package that had advisories to be judged by is named.
    assert_eq!(unparsable.packages, ["demo not a version (PyPI)"]);
    let hackage = report
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::NoEcosystemData)
        .unwrap();
    assert_eq!(hackage.count, 2);
    assert!(hackage.message.contains("Hackage"), "{}", hackage.message);
}

#[test]
fn derivatives_and_unknown_releases_are_noted() {
    let advisories = [with(
        advisory("CVE-2024-1", "debian-tracker", &[]),
        entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed)),
    )];
    let mut kali = inventory(
        Some(("kali", "2024.1")),
        vec![deb("openssl", "3.0.11-1", "openssl")],
    );
    if let Some(distro) = &mut kali.distro {
        distro.id_like = vec!["debian".into()];
    }
    let report = run(&advisories, &kali);
    assert!(report.findings.is_empty());
    assert_eq!(note_kinds(&report), [NoteKind::UnsupportedDistro]);
    assert!(
        report.notes[0].message.contains("`kali` (like debian)"),
        "{}",
        report.notes[0].message
    );

    let report = run(
        &advisories,
        &inventory(None, vec![deb("openssl", "3.0.11-1", "openssl")]),
    );
    assert_eq!(note_kinds(&report), [NoteKind::UnknownRelease]);
    assert_eq!(report.notes[0].packages, ["openssl 3.0.11-1"]);
}

#[test]
fn development_dependencies_can_be_left_out() {
    let advisories = [with(
        advisory("GHSA-dddd-dddd-dddd", "osv/GHSA", &[]),
        entry("npm/jest", "0", Some("30.0.0"), None),
    )];
    let mut jest = package(Ecosystem::Npm, "jest", "29.0.0");
    jest.dev = true;
    let inventory = inventory(None, vec![jest]);
    assert_eq!(run(&advisories, &inventory).findings.len(), 1);
    let options = MatchOptions {
        include_dev: false,
        ..MatchOptions::default()
    };
    let report = match_inventory(&inventory, &db(&advisories), &options).unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(report.checked, 0);
}

#[test]
fn go_versions_match_with_or_without_the_v_prefix() {
    let advisories = [with(
        advisory(
            "GO-2022-0969",
            "osv/GO",
            &["CVE-2022-27664", "GHSA-69cg-p879-7622"],
        ),
        entry(
            "Go/golang.org/x/net",
            "0",
            Some("0.0.0-20220906165146-f3363e06e74c"),
            None,
        ),
    )];
    for version in [
        "v0.0.0-20220722155237-a158d28d115b",
        "0.0.0-20220722155237-a158d28d115b",
    ] {
        let report = run(
            &advisories,
            &inventory(
                None,
                vec![package(Ecosystem::Go, "golang.org/x/net", version)],
            ),
        );
        assert_eq!(summary(&report).len(), 1, "{version}");
        assert_eq!(report.findings[0].id, "CVE-2022-27664");
        assert_eq!(
            report.findings[0].aliases,
            ["GHSA-69cg-p879-7622", "GO-2022-0969"]
        );
    }
    let report = run(
        &advisories,
        &inventory(
            None,
            vec![package(Ecosystem::Go, "golang.org/x/net", "v0.1.0")],
        ),
    );
    assert!(report.findings.is_empty());
}

#[test]
fn word_ratings_are_the_fallback_severity() {
    let mut low = entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed));
    low.severity = Some(Severity::Rating {
        source: "debian".into(),
        rating: Rating::Low,
        label: "low**".into(),
    });
    let mut high = entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed));
    high.severity = Some(Severity::Rating {
        source: "debian".into(),
        rating: Rating::High,
        label: "high".into(),
    });
    let advisories = [
        with(advisory("CVE-2024-1", "debian-tracker", &[]), low),
        with(advisory("DSA-1-1", "debian-dsa", &["CVE-2024-1"]), high),
    ];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "12")),
            vec![deb("openssl", "3.0.11-1", "openssl")],
        ),
    );
    let severity = &report.findings[0].severity;
    assert_eq!(
        (severity.rating, severity.score, severity.source.as_deref()),
        (Rating::High, None, Some("debian"))
    );
}

#[test]
fn findings_are_sorted_and_serialise() {
    let advisories = [
        with(
            advisory("GHSA-bbbb-bbbb-bbbb", "osv/GHSA", &["CVE-2024-2"]),
            entry("npm/b", "0", Some("2.0.0"), None),
        ),
        with(
            advisory("GHSA-aaaa-aaaa-aaaa", "osv/GHSA", &["CVE-2024-1"]),
            entry("npm/b", "0", Some("2.0.0"), None),
        ),
        with(
            advisory("GHSA-cccc-cccc-cccc", "osv/GHSA", &["CVE-2024-3"]),
            entry("npm/a", "0", Some("2.0.0"), None),
        ),
    ];
    let report = run(
        &advisories,
        &inventory(
            None,
            vec![
                package(Ecosystem::Npm, "b", "1.0.0"),
                package(Ecosystem::Npm, "a", "1.0.0"),
            ],
        ),
    );
    let order: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.package.name.as_str(), f.id.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("a", "CVE-2024-3"),
            ("b", "CVE-2024-1"),
            ("b", "CVE-2024-2")
        ]
    );
    assert_eq!(report.findings[0].package.index, 1);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.contains(r#""fix":{"state":"fixed","version":"2.0.0"}"#),
        "{json}"
    );
    assert!(json.contains(r#""matched_by":"ecosystem-name""#), "{json}");
    let back: MatchReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn published_dates_survive_the_database() {
    let mut ghsa = advisory("GHSA-tttt-tttt-tttt", "osv/GHSA", &[]);
    ghsa.published = Some(Timestamp::from_unix_seconds(1_700_000_000).unwrap());
    ghsa.modified = Some(Timestamp::from_unix_seconds(1_700_000_500).unwrap());
    let advisories = [with(ghsa, entry("npm/t", "0", Some("2.0.0"), None))];
    let report = run(
        &advisories,
        &inventory(None, vec![package(Ecosystem::Npm, "t", "1.0.0")]),
    );
    let finding = &report.findings[0];
    assert_eq!(
        finding.published.map(Timestamp::unix_seconds),
        Some(1_700_000_000)
    );
    assert_eq!(
        finding.modified.map(Timestamp::unix_seconds),
        Some(1_700_000_500)
    );
}

#[test]
fn titles_prefer_the_vulnerabilitys_own_advisory() {
    let mut announcement = advisory(
        "DSA-5002-1",
        "debian-dsa",
        &["CVE-2024-0001", "CVE-2024-0002"],
    );
    announcement.summary = Some("openssl - security update".into());
    announcement.details = Some("Several vulnerabilities were found; the first one.".into());
    let mut tracker = advisory("CVE-2024-0001", "debian-tracker", &[]);
    tracker.summary = Some("A crafted certificate crashes the parser.".into());
    let advisories = [
        with(
            announcement,
            entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed)),
        ),
        with(
            tracker,
            entry(OPENSSL, "0", Some("3.0.12-1"), Some(DistroStatus::Fixed)),
        ),
    ];
    let report = run(
        &advisories,
        &inventory(
            Some(("debian", "12")),
            vec![deb("openssl", "3.0.11-1", "openssl")],
        ),
    );
    let titles: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.title.as_deref()))
        .collect();
    assert_eq!(
        titles,
        [
            (
                "CVE-2024-0001",
                Some("A crafted certificate crashes the parser.")
            ),
            // Only the announcement speaks of it: its summary, not its details.
            ("CVE-2024-0002", Some("openssl - security update")),
        ]
    );
}
