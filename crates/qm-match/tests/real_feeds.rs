//! Matching against databases built from the real feeds in `../shared/data/advisories`, the
//! way `qm db update` builds them (ingest, link, compile), each from only the feeds a test
//! needs so it stays fast. The facts asserted were read from the feed files themselves.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use qm_match::{FixState, MatchKind, MatchOptions, MatchReport, NoteKind, match_inventory};
use qm_model::{
    Distro, DistroStatus, Ecosystem, Inventory, Package, Rating, SourcePackage, TargetInfo,
    TargetKind,
};
use qm_version::Scheme;
use qm_vulndb::{DbMetadata, VulnDb, ingest_path, link_advisories, write_db};

const DEBIAN_12: &str = "advisories/debian-12-changelogs";
const VUNNEL_DEBIAN: &str =
    "advisories/vunnel-samples/tests/unit/providers/debian/test-fixtures/input";

/// A database compiled from the feed files or folders at `paths` (inside the shared data).
struct Db {
    _dir: tempfile::TempDir,
    db: VulnDb,
}

fn build_db(paths: &[PathBuf]) -> Db {
    let mut advisories = Vec::new();
    for path in paths {
        let ingested = ingest_path(path).unwrap();
        assert!(
            !ingested.advisories.is_empty(),
            "nothing read from `{}`",
            path.display()
        );
        advisories.extend(ingested.advisories);
    }
    link_advisories(&mut advisories);
    let metadata = DbMetadata {
        // The data's snapshot date: end-of-life notes are judged against it.
        built: "2025-11-24T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qm.db");
    let mut file = std::io::BufWriter::new(fs_err::File::create(&path).unwrap());
    write_db(&advisories, &metadata, &mut file).unwrap();
    drop(file);
    Db {
        db: VulnDb::open(&path).unwrap(),
        _dir: dir,
    }
}

fn data(relative: &str) -> PathBuf {
    qm_testdata::data_path(relative)
}

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem,
        purl: format!("pkg:generic/{name}@{version}"),
        source: None,
        locations: vec!["test".into()],
        found_by: "test".into(),
        dev: false,
        arch: None,
        layer: None,
    }
}

fn os_package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    source: &str,
    source_version: Option<&str>,
) -> Package {
    let mut package = package(ecosystem, name, version);
    package.source = Some(SourcePackage {
        name: source.into(),
        version: source_version.map(Into::into),
    });
    package
}

fn inventory(distro: Option<(&str, &str)>, packages: Vec<Package>) -> Inventory {
    Inventory {
        target: TargetInfo {
            name: "test".into(),
            kind: TargetKind::RootFs,
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

fn run(db: &Db, inventory: &Inventory) -> MatchReport {
    match_inventory(inventory, &db.db, &MatchOptions::default()).unwrap()
}

/// The ids found for the package named `name`.
fn ids(report: &MatchReport, name: &str) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|finding| finding.package.name == name)
        .map(|finding| finding.id.clone())
        .collect()
}

fn finding<'a>(report: &'a MatchReport, name: &str, id: &str) -> &'a qm_match::Finding {
    report
        .findings
        .iter()
        .find(|finding| finding.package.name == name && finding.id == id)
        .unwrap_or_else(|| panic!("no {id} for {name}: {:?}", ids(report, name)))
}

/// Rows of a TSV file with a header line, as maps from column name to value.
fn tsv(relative: &str) -> Vec<BTreeMap<String, String>> {
    let text = qm_testdata::read_text(relative);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(column, value)| ((*column).to_owned(), value.to_owned()))
                .collect()
        })
        .collect()
}

/// The Debian 12 changelog data and the real tracker sample, built once for the tests that
/// need them.
fn debian_db() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    DB.get_or_init(|| {
        build_db(&[
            data(&format!("{DEBIAN_12}/tracker.json")),
            data(&format!("{DEBIAN_12}/osv")),
            data(VUNNEL_DEBIAN),
        ])
    })
}

/// Every bookworm-security source of the changelog data, installed at its bookworm point
/// release version under the name of the binary the changelog came from, must be found
/// vulnerable to exactly the CVEs `cves.tsv` fixes in a later version: no more, no fewer.
#[test]
fn debian_12_changelog_facts_are_found_exactly() {
    let db = debian_db();
    let manifest = tsv(&format!("{DEBIAN_12}/manifest.tsv"));
    let mut packages = Vec::new();
    let mut installed: BTreeMap<String, String> = BTreeMap::new();
    for row in &manifest {
        let version = &row["bookworm_version"];
        if version.is_empty() {
            continue;
        }
        installed.insert(row["source"].clone(), version.clone());
        packages.push(os_package(
            Ecosystem::Debian,
            &row["binary"],
            version,
            &row["source"],
            Some(version),
        ));
    }
    assert!(packages.len() > 380, "{}", packages.len());
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for row in tsv(&format!("{DEBIAN_12}/cves.tsv")) {
        let Some(version) = installed.get(&row["source"]) else {
            continue;
        };
        if Scheme::Dpkg
            .compare(version, &row["fixed_version"])
            .unwrap()
            == std::cmp::Ordering::Less
        {
            expected.insert((row["source"].clone(), row["cve"].clone()));
        }
    }
    let report = run(db, &inventory(Some(("debian", "12")), packages));
    let found: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|finding| {
            let source = finding.package.source.as_ref().unwrap().name.clone();
            (source, finding.id.clone())
        })
        .collect();
    let missed: Vec<_> = expected.difference(&found).take(10).collect();
    let extra: Vec<_> = found.difference(&expected).take(10).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:?}, extra {extra:?}"
    );
    // Point releases lag behind security uploads for many sources, so this is not vacuous.
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(
        report.findings.len(),
        expected.len(),
        "one finding per (package, CVE)"
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    for finding in &report.findings {
        // Both feeds say so, and the fix is the one `cves.tsv` gives.
        assert_eq!(
            finding.sources,
            ["debian-tracker", "osv/DEBIAN"],
            "{}",
            finding.id
        );
        assert!(
            matches!(finding.fix, FixState::Fixed { .. }),
            "{}",
            finding.id
        );
    }
}

/// `libssl3` is judged as its source package `openssl`, with the bookworm fixed versions.
#[test]
fn debian_12_binary_packages_are_judged_by_their_source() {
    let db = debian_db();
    let inventory = inventory(
        Some(("debian", "12")),
        vec![
            os_package(
                Ecosystem::Debian,
                "libssl3",
                "3.0.20-1~deb12u2",
                "openssl",
                Some("3.0.20-1~deb12u2"),
            ),
            os_package(
                Ecosystem::Debian,
                "libsope-dev",
                "5.8.0-1",
                "sope",
                Some("5.8.0-1"),
            ),
            os_package(
                Ecosystem::Debian,
                "libssl-dev",
                "3.0.22-1~deb12u2",
                "openssl",
                Some("3.0.22-1~deb12u2"),
            ),
        ],
    );
    let report = run(db, &inventory);
    // cves.tsv: fixed in 3.0.22-1~deb12u1, so affected; CVE-2026-42770 was fixed in the
    // installed version itself.
    let libssl = finding(&report, "libssl3", "CVE-2026-42767");
    assert_eq!(libssl.fixed_version.as_deref(), Some("3.0.22-1~deb12u1"));
    assert_eq!(libssl.matched_by, MatchKind::DistroSourcePackage);
    assert_eq!(libssl.matched_key.to_string(), "Debian:12/openssl");
    assert_eq!(libssl.installed_version, "3.0.20-1~deb12u2");
    assert!(
        libssl
            .aliases
            .contains(&"DEBIAN-12-openssl-3.0.22-1_deb12u1".to_owned()),
        "{:?}",
        libssl.aliases
    );
    assert_eq!(libssl.title.as_deref(), Some("openssl security update"));
    assert!(!ids(&report, "libssl3").contains("CVE-2026-42770"));
    let fixed_later = finding(&report, "libssl3", "CVE-2026-84782");
    assert_eq!(
        fixed_later.fixed_version.as_deref(),
        Some("3.0.22-1~deb12u2")
    );
    // The newest security version has nothing left.
    assert!(ids(&report, "libssl-dev").is_empty());

    // sope: the real tracker, the DSA list and the changelog data agree on one fix.
    let sope = finding(&report, "libsope-dev", "CVE-2025-53603");
    assert_eq!(sope.fixed_version.as_deref(), Some("5.8.0-1+deb12u1"));
    assert!(
        sope.aliases.contains(&"DSA-5970-1".to_owned()),
        "{:?}",
        sope.aliases
    );
    assert!(
        sope.sources.contains(&"debian-dsa".to_owned()),
        "{:?}",
        sope.sources
    );
    assert!(
        sope.sources.contains(&"debian-tracker".to_owned()),
        "{:?}",
        sope.sources
    );
    assert_eq!(sope.fix_published, Some("2025-07-31".parse().unwrap()));
    assert_eq!(
        sope.urls.first().map(String::as_str),
        Some("https://security-tracker.debian.org/tracker/CVE-2025-53603")
    );
}

/// The real tracker sample: a not-affected verdict (`fixed_version: "0"`) produces nothing, an
/// open end-of-life issue is reported with its status, and Debian 10 is past its support.
#[test]
fn debian_tracker_statuses_decide() {
    let db = build_db(&[data(VUNNEL_DEBIAN)]);
    let inventory = inventory(
        Some(("debian", "10")),
        vec![
            os_package(
                Ecosystem::Debian,
                "libjs-prototype",
                "1.6.0.1-1",
                "prototypejs",
                None,
            ),
            os_package(
                Ecosystem::Debian,
                "chromium",
                "90.0.4430.212-1~deb10u1",
                "chromium",
                None,
            ),
            os_package(Ecosystem::Debian, "txt2man", "1.6.0-1", "txt2man", None),
        ],
    );
    let report = run(&db, &inventory);
    // CVE-2007-2383 is `resolved` with `fixed_version: "0"` for buster.
    assert_eq!(
        ids(&report, "libjs-prototype"),
        BTreeSet::from(["CVE-2008-7220".to_owned()])
    );
    let prototype = finding(&report, "libjs-prototype", "CVE-2008-7220");
    assert_eq!(prototype.fixed_version.as_deref(), Some("1.6.0.2-1"));
    assert_eq!(prototype.severity.rating, Rating::High, "urgency `high**`");
    assert!(
        prototype
            .title
            .as_deref()
            .unwrap()
            .starts_with("Unspecified vulnerability in Prototype"),
        "{:?}",
        prototype.title
    );
    let chromium = finding(&report, "chromium", "CVE-2022-0456");
    assert_eq!(
        chromium.fix,
        FixState::NotFixed {
            status: Some(DistroStatus::EndOfLife)
        }
    );
    assert_eq!(chromium.fixed_version, None);
    assert_eq!(chromium.matched_by, MatchKind::DistroPackage);
    // Fixed in 1.5.5-4.1, installed above it.
    assert!(ids(&report, "txt2man").is_empty());
    let kinds: Vec<NoteKind> = report.notes.iter().map(|note| note.kind).collect();
    assert_eq!(kinds, [NoteKind::EndOfLife]);

    // The sample holds no Debian 13 (trixie) record for these packages' keys, but it does
    // hold trixie data (sope), so a trixie image is judged; Debian 14 has none at all.
    let forky = run(
        &db,
        &inventory_with(
            ("debian", "14"),
            os_package(Ecosystem::Debian, "libsope-dev", "5.0-1", "sope", None),
        ),
    );
    assert!(forky.findings.is_empty());
    assert_eq!(forky.notes[0].kind, NoteKind::NoDistroData);
    assert_eq!(
        forky.notes[0].message,
        "no vulnerability data for Debian 14 in this database: 1 package was not checked"
    );
    let trixie = run(
        &db,
        &inventory_with(
            ("debian", "13"),
            os_package(Ecosystem::Debian, "libsope-dev", "5.12.1-1", "sope", None),
        ),
    );
    assert_eq!(
        ids(&trixie, "libsope-dev"),
        BTreeSet::from(["CVE-2025-53603".to_owned()])
    );
}

fn inventory_with(distro: (&str, &str), package: Package) -> Inventory {
    inventory(Some(distro), vec![package])
}

/// Alpine's secdb: keyed by branch and origin package; `"0"` means never affected.
#[test]
fn alpine_secdb_facts() {
    let db = build_db(&[
        data("advisories/alpine-secdb-github/v3.11/main.yaml"),
        data("advisories/alpine-secdb-github/v3.8/main.yaml"),
    ]);
    let inventory = inventory(
        Some(("alpine", "3.11.6")),
        vec![
            os_package(Ecosystem::Alpine, "busybox", "1.30.1-r1", "busybox", None),
            os_package(
                Ecosystem::Alpine,
                "libcrypto1.1",
                "1.1.1d-r2",
                "openssl",
                None,
            ),
            os_package(Ecosystem::Alpine, "musl", "1.1.24-r0", "musl", None),
        ],
    );
    let report = run(&db, &inventory);
    // busybox lists CVE-2019-5747 under 1.30.1-r2 and 1.29.3-r10, CVE-2018-20679 under
    // 1.29.3-r10 only.
    assert_eq!(
        ids(&report, "busybox"),
        BTreeSet::from(["CVE-2019-5747".to_owned()])
    );
    assert_eq!(
        finding(&report, "busybox", "CVE-2019-5747")
            .fixed_version
            .as_deref(),
        Some("1.30.1-r2")
    );
    let libcrypto = finding(&report, "libcrypto1.1", "CVE-2019-1551");
    assert_eq!(libcrypto.fixed_version.as_deref(), Some("1.1.1d-r3"));
    assert_eq!(libcrypto.matched_key.to_string(), "Alpine:3.11/openssl");
    assert_eq!(ids(&report, "libcrypto1.1").len(), 1);
    assert!(ids(&report, "musl").is_empty());
    let kinds: Vec<NoteKind> = report.notes.iter().map(|note| note.kind).collect();
    assert_eq!(kinds, [NoteKind::EndOfLife]);

    // 3.8: `db` lists CVE-2016-0682 and others under "0": never affected.
    let old = run(
        &db,
        &inventory_with(
            ("alpine", "3.8.5"),
            os_package(Ecosystem::Alpine, "db", "5.3.28-r0", "db", None),
        ),
    );
    assert!(old.findings.is_empty(), "{:?}", old.findings);
    // No 3.18 data here: said, not silently clean.
    let newer = run(
        &db,
        &inventory_with(
            ("alpine", "3.18.4"),
            os_package(Ecosystem::Alpine, "busybox", "1.30.1-r1", "busybox", None),
        ),
    );
    assert!(newer.findings.is_empty());
    assert_eq!(newer.notes[0].kind, NoteKind::NoDistroData);
    assert!(
        newer.notes[0].message.contains("Alpine 3.18"),
        "{}",
        newer.notes[0].message
    );
}

/// Wolfi rolls: no release in its keys.
#[test]
fn wolfi_secdb_facts() {
    let db = build_db(&[data(
        "advisories/vunnel-samples/tests/unit/providers/wolfi/test-fixtures/input",
    )]);
    let inventory = inventory(
        Some(("wolfi", "20230201")),
        vec![
            os_package(Ecosystem::Wolfi, "binutils", "2.39-r1", "binutils", None),
            os_package(Ecosystem::Wolfi, "coreutils", "9.1-r0", "coreutils", None),
        ],
    );
    let report = run(&db, &inventory);
    assert_eq!(
        ids(&report, "binutils"),
        BTreeSet::from(["CVE-2022-38128".to_owned(), "CVE-2022-38533".to_owned()])
    );
    assert!(
        ids(&report, "coreutils").is_empty(),
        "CVE-2016-2781 is listed under \"0\""
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

/// A Cargo.lock's crates against RustSec, read from both its Markdown and OSV forms.
#[test]
fn rustsec_facts() {
    let mut paths = vec![
        data("advisories/rustsec/advisory-db/crates/hyper"),
        data("advisories/rustsec/advisory-db/crates/tokio"),
    ];
    for id in [
        "RUSTSEC-2021-0078",
        "RUSTSEC-2021-0079",
        "RUSTSEC-2021-0124",
        "RUSTSEC-2023-0005",
    ] {
        paths.push(data(&format!("advisories/rustsec/osv/crates/{id}.json")));
    }
    let db = build_db(&paths);
    let lock = inventory(
        None,
        vec![
            package(Ecosystem::CratesIo, "hyper", "0.14.9"),
            package(Ecosystem::CratesIo, "tokio", "1.9.0"),
            package(Ecosystem::CratesIo, "tokio", "1.8.4"),
        ],
    );
    let report = run(&db, &lock);
    let hyper = ids(&report, "hyper");
    assert_eq!(
        hyper,
        BTreeSet::from(["CVE-2021-32714".to_owned(), "CVE-2021-32715".to_owned()])
    );
    let smuggling = finding(&report, "hyper", "CVE-2021-32715");
    assert_eq!(
        smuggling.aliases,
        ["GHSA-f3pg-qwvg-p99c", "RUSTSEC-2021-0078"]
    );
    assert_eq!(smuggling.fixed_version.as_deref(), Some("0.14.10"));
    assert_eq!(smuggling.severity.score, Some(5.3));
    assert_eq!(smuggling.severity.rating, Rating::Medium);
    assert_eq!(
        smuggling.title.as_deref(),
        Some("Lenient `hyper` header parsing of `Content-Length` could allow request smuggling")
    );
    assert_eq!(
        smuggling.urls.first().map(String::as_str),
        Some("https://rustsec.org/advisories/RUSTSEC-2021-0078.html")
    );
    // RUSTSEC-2022-0022 (unsound, fixed in 0.14.12) is informational.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.aliases.contains(&"RUSTSEC-2022-0022".to_owned()))
    );

    // tokio 1.9.0 sits between the 1.8.x fix (< 1.9.0) and 1.13.1: the nearest fix is 1.13.1.
    let tokio: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.package.name == "tokio" && f.package.version == "1.9.0")
        .collect();
    let race = tokio.iter().find(|f| f.id == "CVE-2021-45710").unwrap();
    assert_eq!(race.fixed_version.as_deref(), Some("1.13.1"));
    assert!(race.aliases.contains(&"RUSTSEC-2021-0124".to_owned()));
    // 1.8.4 is the 1.8 branch's fix.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.package.version == "1.8.4" && f.id == "CVE-2021-45710")
    );

    // At the fixes, nothing.
    let fixed = run(
        &db,
        &inventory(None, vec![package(Ecosystem::CratesIo, "hyper", "0.14.10")]),
    );
    assert!(
        !fixed
            .findings
            .iter()
            .any(|f| f.id == "CVE-2021-32715" || f.id == "CVE-2021-32714"),
        "{:?}",
        fixed.findings.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    // Informational advisories on request.
    let mut options = MatchOptions::default();
    options.include_informational = true;
    let all = match_inventory(
        &inventory(None, vec![package(Ecosystem::CratesIo, "hyper", "0.14.10")]),
        &db.db,
        &options,
    )
    .unwrap();
    let unsound = all
        .findings
        .iter()
        .find(|f| f.id == "GHSA-f67m-9j94-qv9j")
        .unwrap();
    assert_eq!(unsound.informational.as_deref(), Some("unsound"));
    assert_eq!(unsound.aliases, ["RUSTSEC-2022-0022"]);
}

/// PyPA's records, by normalised name (`Jinja2` is `jinja2`), with their `versions` lists.
#[test]
fn pypa_facts() {
    let db = build_db(&[data("advisories/pypa/vulns/jinja2")]);
    let report = run(
        &db,
        &inventory(None, vec![package(Ecosystem::PyPI, "Jinja2", "2.10")]),
    );
    let sandbox = finding(&report, "Jinja2", "CVE-2019-10906");
    assert_eq!(sandbox.aliases, ["GHSA-462w-v97r-4m45", "PYSEC-2019-217"]);
    assert_eq!(sandbox.fixed_version.as_deref(), Some("2.10.1"));
    assert_eq!(
        sandbox.title.as_deref(),
        Some("In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.")
    );
    assert!(ids(&report, "Jinja2").contains("CVE-2020-28493"));
    let fixed = run(
        &db,
        &inventory(None, vec![package(Ecosystem::PyPI, "jinja2", "2.10.1")]),
    );
    assert!(!ids(&fixed, "jinja2").contains("CVE-2019-10906"));
    assert!(ids(&fixed, "jinja2").contains("CVE-2020-28493"));
}

/// Go modules, with and without the `v` prefix; a record naming two CVEs gives two findings.
#[test]
fn go_vulndb_facts() {
    let osv = data("advisories/golang/data/osv");
    let mut paths = Vec::new();
    for entry in fs_err::read_dir(&osv).unwrap() {
        let path = entry.unwrap().path();
        let text = fs_err::read_to_string(&path).unwrap();
        if text.contains("\"golang.org/x/net\"") {
            paths.push(path);
        }
    }
    assert!(paths.len() >= 30, "{}", paths.len());
    let db = build_db(&paths);
    let expected: BTreeSet<String> = [
        "CVE-2023-45288",
        "CVE-2024-45338",
        "CVE-2025-22870",
        "CVE-2025-22872",
        "CVE-2025-47911",
        "CVE-2025-58190",
        "CVE-2026-33814",
        "CVE-2026-42506",
        "CVE-2026-39821",
        "CVE-2026-42502",
        "CVE-2026-25680",
        "CVE-2026-25681",
        "CVE-2026-27136",
        "CVE-2026-46600",
    ]
    .map(String::from)
    .into();
    for version in ["v0.17.0", "0.17.0"] {
        let report = run(
            &db,
            &inventory(
                None,
                vec![package(Ecosystem::Go, "golang.org/x/net", version)],
            ),
        );
        assert_eq!(ids(&report, "golang.org/x/net"), expected, "{version}");
    }
    let old = run(
        &db,
        &inventory(
            None,
            vec![package(
                Ecosystem::Go,
                "golang.org/x/net",
                "v0.0.0-20190101000000-000000000000",
            )],
        ),
    );
    let found = ids(&old, "golang.org/x/net");
    // GO-2022-0197 fixes CVE-2018-17847 and CVE-2018-17848 at once.
    for cve in ["CVE-2018-17847", "CVE-2018-17848"] {
        assert!(found.contains(cve), "{found:?}");
        assert!(
            finding(&old, "golang.org/x/net", cve)
                .aliases
                .contains(&"GO-2022-0197".to_owned())
        );
    }
    assert_eq!(
        finding(&old, "golang.org/x/net", "CVE-2018-17846")
            .fixed_version
            .as_deref(),
        Some("0.0.0-20190125091013-d26f9f9a57f3")
    );
}

/// The Node.js security working group's npm advisories.
#[test]
fn nodejs_npm_facts() {
    let db = build_db(&[data("advisories/nodejs-security-wg/vuln/npm/1.json")]);
    let report = run(
        &db,
        &inventory(None, vec![package(Ecosystem::Npm, "bassmaster", "1.5.1")]),
    );
    let eval = finding(&report, "bassmaster", "CVE-2014-7205");
    // `vulnerable_versions: <=1.5.1` ends in `last_affected`, which names no fix.
    assert_eq!(eval.fixed_version, None);
    assert_eq!(eval.fix, FixState::NotFixed { status: None });
    assert_eq!(eval.aliases, ["NSWG-ECO-1"]);
    assert_eq!(eval.severity.score, Some(6.5));
    let fixed = run(
        &db,
        &inventory(None, vec![package(Ecosystem::Npm, "bassmaster", "1.5.2")]),
    );
    assert!(fixed.findings.is_empty());
    // No PyPI data in this database.
    let other = run(
        &db,
        &inventory(None, vec![package(Ecosystem::PyPI, "jinja2", "2.10")]),
    );
    assert_eq!(other.notes[0].kind, NoteKind::NoEcosystemData);
    assert_eq!(other.notes[0].count, 1);
}
