//! Distribution feeds (Debian tracker export, DSA/DLA/DTSA lists, Alpine/Wolfi/Chainguard
//! secdb) ingested from the real files in the shared data, through the public `ingest_path`.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use qm_model::{Advisory, AffectedPackage, DistroStatus, Event, Rating, Severity};
use qm_version::Scheme;
use qm_vulndb::{Ingested, SourceCount, ingest_path};

const TRACKER: &str = "advisories/debian-12-changelogs/tracker.json";
const VUNNEL_DEBIAN: &str =
    "advisories/vunnel-samples/tests/unit/providers/debian/test-fixtures/input";
const DSA_LIST: &str = "advisories/debian-security-tracker/data/DSA/list";
const DLA_LIST: &str = "advisories/debian-security-tracker/data/DLA/list";
const DTSA_LIST: &str = "advisories/debian-security-tracker/data/DTSA/list";
const ALPINE: &str = "advisories/alpine-secdb-github";
const VUNNEL_ALPINE: &str = "advisories/vunnel-samples/tests/unit/providers/alpine";
const WOLFI: &str = "advisories/vunnel-samples/tests/unit/providers/wolfi/test-fixtures/input";
const CHAINGUARD: &str =
    "advisories/vunnel-samples/tests/unit/providers/chainguard/test-fixtures/input/secdb";

fn ingest(relative: &str) -> Ingested {
    ingest_path(&qm_testdata::data_path(relative)).unwrap()
}

fn counts(ingested: &Ingested) -> BTreeMap<&str, (u64, u64)> {
    ingested
        .report
        .sources
        .iter()
        .map(|(source, SourceCount { records, skipped })| (source.as_str(), (*records, *skipped)))
        .collect()
}

fn advisory<'a>(ingested: &'a Ingested, source: &str, id: &str) -> &'a Advisory {
    let mut found = ingested
        .advisories
        .iter()
        .filter(|advisory| advisory.source == source && advisory.id == id);
    let advisory = found.next().unwrap_or_else(|| panic!("no {source} {id}"));
    assert!(found.next().is_none(), "{source} {id} twice");
    advisory
}

/// The affected entry for `key` (`Debian:12/glibc`).
fn affected<'a>(advisory: &'a Advisory, key: &str) -> &'a AffectedPackage {
    advisory
        .affected
        .iter()
        .find(|affected| affected.package.to_string() == key)
        .unwrap_or_else(|| panic!("{} has no {key}", advisory.id))
}

/// The `fixed` version of an entry's only range, if it has one.
fn fixed(affected: &AffectedPackage) -> Option<&str> {
    affected
        .ranges
        .ranges
        .iter()
        .flat_map(|range| &range.events)
        .find_map(|event| match event {
            Event::Fixed(version) => Some(version.as_str()),
            _ => None,
        })
}

fn rating(affected: &AffectedPackage) -> Option<(Rating, &str)> {
    match &affected.severity {
        Some(Severity::Rating { rating, label, .. }) => Some((*rating, label.as_str())),
        Some(other) => panic!("unexpected severity {other:?}"),
        None => None,
    }
}

/// Every range event version parses under the scheme of its package's ecosystem; a
/// not-affected entry has no ranges, a fixed one exactly one `fixed` event, the others none.
fn check_ranges(ingested: &Ingested) {
    for advisory in &ingested.advisories {
        for affected in &advisory.affected {
            let scheme = Scheme::for_ecosystem(&affected.package.ecosystem);
            let events: Vec<&Event> = affected
                .ranges
                .ranges
                .iter()
                .flat_map(|range| &range.events)
                .collect();
            for event in &events {
                let version = match event {
                    Event::Introduced(version) if version == "0" => continue,
                    Event::Introduced(version)
                    | Event::Fixed(version)
                    | Event::LastAffected(version)
                    | Event::Limit(version) => version,
                };
                assert!(
                    scheme.parse(version).is_ok(),
                    "{} {}: `{version}` is not a {scheme} version",
                    advisory.id,
                    affected.package
                );
            }
            let fixes = events
                .iter()
                .filter(|event| matches!(event, Event::Fixed(_)))
                .count();
            match affected.status {
                Some(DistroStatus::NotAffected) => assert!(events.is_empty(), "{}", advisory.id),
                Some(DistroStatus::Fixed) => assert_eq!(fixes, 1, "{}", advisory.id),
                Some(_) => assert_eq!(fixes, 0, "{}", advisory.id),
                None => panic!("{} {} has no status", advisory.id, affected.package),
            }
        }
    }
}

#[test]
fn tracker_export_gives_one_advisory_per_cve_agreeing_with_cves_tsv() {
    let ingested = ingest(TRACKER);
    // cves.tsv has one row per (source package, CVE), the same facts as tracker.json; its
    // README counts 17,074 distinct CVEs and 26,586 pairs, all resolved in bookworm.
    let rows: Vec<Vec<String>> = qm_testdata::read_text("advisories/debian-12-changelogs/cves.tsv")
        .lines()
        .skip(1)
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect();
    let distinct: BTreeSet<&str> = rows.iter().map(|row| row[1].as_str()).collect();
    assert_eq!((rows.len(), distinct.len()), (26_586, 17_074));
    assert_eq!(
        counts(&ingested),
        BTreeMap::from([("debian-tracker", (17_074, 0))])
    );
    let pairs: HashMap<(&str, String), &AffectedPackage> = ingested
        .advisories
        .iter()
        .flat_map(|advisory| {
            advisory.affected.iter().map(move |affected| {
                (
                    (advisory.id.as_str(), affected.package.to_string()),
                    affected,
                )
            })
        })
        .collect();
    assert_eq!(pairs.len(), rows.len());
    for row in &rows {
        let affected = pairs[&(row[1].as_str(), format!("Debian:12/{}", row[0]))];
        assert_eq!(affected.status, Some(DistroStatus::Fixed), "{row:?}");
        assert_eq!(fixed(affected), Some(row[2].as_str()), "{row:?}");
    }

    let glibc = affected(
        advisory(&ingested, "debian-tracker", "CVE-2024-33599"),
        "Debian:12/glibc",
    );
    assert_eq!(fixed(glibc), Some("2.36-9+deb12u7"));
    // A backport: the bookworm rebuild fixes it, not the trixie upload naming it.
    let linux = affected(
        advisory(&ingested, "debian-tracker", "CVE-2024-14027"),
        "Debian:12/linux-6.12",
    );
    assert_eq!(fixed(linux), Some("6.12.85-1~bpo12+1"));
    let sevenzip = affected(
        advisory(&ingested, "debian-tracker", "CVE-2023-31102"),
        "Debian:12/7zip",
    );
    assert_eq!(rating(sevenzip), Some((Rating::High, "high")));
    check_ranges(&ingested);
}

#[test]
fn tracker_sample_keeps_every_verdict() {
    let ingested = ingest(&format!("{VUNNEL_DEBIAN}/debian.json"));
    // 6 source packages, 7 issue ids, 25 (package, release) verdicts; `chromium-browser`
    // CVE-2022-0358 has `"releases": []`, kept as an advisory with nothing affected.
    assert_eq!(
        counts(&ingested),
        BTreeMap::from([("debian-tracker", (7, 0))])
    );
    let total: usize = ingested.advisories.iter().map(|a| a.affected.len()).sum();
    assert_eq!(total, 25);
    assert!(
        advisory(&ingested, "debian-tracker", "CVE-2022-0358")
            .affected
            .is_empty()
    );

    let prototype = advisory(&ingested, "debian-tracker", "CVE-2007-2383");
    assert!(
        prototype
            .summary
            .as_deref()
            .unwrap()
            .starts_with("The Prototype (prototypejs)")
    );
    let sid = affected(prototype, "Debian:sid/prototypejs");
    assert_eq!(sid.status, Some(DistroStatus::NotAffected));
    assert!(sid.ranges.ranges.is_empty());
    assert_eq!(rating(sid), Some((Rating::None, "unimportant")));

    let chromium = advisory(&ingested, "debian-tracker", "CVE-2022-0456");
    let buster = affected(chromium, "Debian:10/chromium");
    assert_eq!(buster.status, Some(DistroStatus::EndOfLife));
    assert_eq!(fixed(buster), None);
    assert_eq!(rating(buster), None);
    let bookworm = affected(chromium, "Debian:12/chromium");
    assert_eq!(bookworm.status, Some(DistroStatus::Fixed));
    assert_eq!(fixed(bookworm), Some("98.0.4758.80-1"));
    assert_eq!(rating(bookworm), None, "`not yet assigned` rates nothing");

    let stars = affected(
        advisory(&ingested, "debian-tracker", "CVE-2013-1444"),
        "Debian:9/txt2man",
    );
    assert_eq!(rating(stars), Some((Rating::Low, "low**")));
    let txt2man = advisory(&ingested, "debian-tracker", "CVE-2013-1444");
    assert!(
        txt2man
            .references
            .iter()
            .any(|r| r.url == "https://bugs.debian.org/724614")
    );
    check_ranges(&ingested);
}

#[test]
fn vunnel_debian_input_reads_both_formats() {
    let ingested = ingest(VUNNEL_DEBIAN);
    // `DSA` holds 10 entries (four without any release line); `legacy/…json` is grype's own
    // output format, not a Debian feed, and is left unrecognised.
    assert_eq!(
        counts(&ingested),
        BTreeMap::from([("debian-dsa", (10, 0)), ("debian-tracker", (7, 0))])
    );
    assert_eq!(ingested.report.unrecognised_files, 1);
    let dsa = advisory(&ingested, "debian-dsa", "DSA-5970-1");
    assert_eq!(dsa.aliases, ["CVE-2025-53603"]);
    let from_dsa = fixed(affected(dsa, "Debian:12/sope"));
    let from_tracker = fixed(affected(
        advisory(&ingested, "debian-tracker", "CVE-2025-53603"),
        "Debian:12/sope",
    ));
    assert_eq!(
        (from_dsa, from_tracker),
        (Some("5.8.0-1+deb12u1"), Some("5.8.0-1+deb12u1"))
    );
    let old = advisory(&ingested, "debian-dsa", "DSA-140");
    assert_eq!(old.aliases, ["CVE-2002-0660", "CVE-2002-0728"]);
    assert_eq!(
        fixed(affected(old, "Debian:3.0/libpng3")),
        Some("1.2.1-1.1.woody.2")
    );
    assert!(
        advisory(&ingested, "debian-dsa", "DSA-3281-1")
            .affected
            .is_empty()
    );
    check_ranges(&ingested);
}

/// Entries and release lines counted straight off the text: headers start with `[`, release
/// lines are indented and start with `[`.
fn list_shape(relative: &str) -> (u64, usize) {
    let text = qm_testdata::read_text(relative);
    let headers = text.lines().filter(|line| line.starts_with('[')).count();
    let releases = text
        .lines()
        .filter(|line| line.starts_with(char::is_whitespace) && line.trim_start().starts_with('['))
        .count();
    (u64::try_from(headers).unwrap(), releases)
}

#[test]
fn dsa_dla_and_dtsa_lists_give_one_advisory_per_announcement() {
    for (relative, source, expected) in [
        (DSA_LIST, "debian-dsa", (5_406, 6_988)),
        (DLA_LIST, "debian-dla", (3_534, 3_535)),
        (DTSA_LIST, "debian-dtsa", (208, 208)),
    ] {
        let (headers, releases) = list_shape(relative);
        assert_eq!((headers, releases), expected, "{relative}");
        let ingested = ingest(relative);
        assert_eq!(
            counts(&ingested),
            BTreeMap::from([(source, (headers, 0))]),
            "{relative}"
        );
        let total: usize = ingested.advisories.iter().map(|a| a.affected.len()).sum();
        assert_eq!(total, releases, "{relative}");
        check_ranges(&ingested);
    }

    let dsa = ingest(DSA_LIST);
    let xorg = advisory(&dsa, "debian-dsa", "DSA-5380-1");
    assert_eq!(xorg.aliases, ["CVE-2023-1393"]);
    assert_eq!(xorg.published.unwrap().to_string(), "2023-03-29T00:00:00Z");
    assert_eq!(
        xorg.summary.as_deref(),
        Some("xorg-server - security update")
    );
    assert_eq!(
        fixed(affected(xorg, "Debian:11/xorg-server")),
        Some("2:1.20.11-1+deb11u6")
    );
    let office = advisory(&dsa, "debian-dsa", "DSA-2275-1");
    // qm-model numbers code names from wheezy on; older ones stay names.
    let squeeze = affected(office, "Debian:6/openoffice.org");
    assert_eq!(fixed(squeeze), Some("1:3.2.1-11+squeeze3"));
    let lenny = affected(office, "Debian:5/openoffice.org");
    assert_eq!(lenny.status, Some(DistroStatus::NotAffected));
    assert!(lenny.ranges.ranges.is_empty());

    let dla = ingest(DLA_LIST);
    let virtualbox = advisory(&dla, "debian-dla", "DLA-372-1");
    let eol = affected(virtualbox, "Debian:6/virtualbox-ose");
    assert_eq!(eol.status, Some(DistroStatus::EndOfLife));
    assert_eq!(fixed(eol), None);

    let dtsa = ingest(DTSA_LIST);
    let kismet = advisory(&dtsa, "debian-dtsa", "DTSA-1-1");
    assert_eq!(kismet.aliases, ["CVE-2005-2626", "CVE-2005-2627"]);
    assert_eq!(
        kismet.published.unwrap().to_string(),
        "2005-08-26T00:00:00Z"
    );
    let etch = affected(kismet, "Debian:4/kismet");
    assert_eq!(fixed(etch), Some("2005.08.R1-0.1etch1"));
    assert_eq!(rating(etch), Some((Rating::High, "high")));
}

#[test]
fn alpine_secdb_gives_one_advisory_per_branch_repository_and_id() {
    let ingested = ingest(ALPINE);
    // 18 files (v3.3 to v3.11, main and community; v3.3 community has no packages): 12,125
    // distinct (file, id) pairs and 12,550 (id, package) entries. The 40 skips, counted off the
    // YAML separately: 24 version keys that are not apk versions (`4.8.0.-r1`, `2.7.16-33`,
    // `0.8.21.r2`, …), 14 `CVE-????-?????` placeholders and one `XPTI` beside real ids (xen),
    // and heimdal's `7.4.0-r0` key in v3.6 with an empty list. The README is not a feed.
    assert_eq!(
        counts(&ingested),
        BTreeMap::from([("alpine-secdb", (12_125, 40))])
    );
    assert_eq!(ingested.report.problem_count, 40);
    assert_eq!(ingested.report.unrecognised_files, 1);
    // Every skip explained: read file by file, so that every problem is kept with its reason.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let branches = fs_err::read_dir(qm_testdata::data_path(ALPINE)).unwrap();
    for branch in branches
        .map(Result::unwrap)
        .filter(|entry| entry.path().is_dir())
    {
        for repository in ["main.yaml", "community.yaml"] {
            let file = ingest_path(&branch.path().join(repository)).unwrap();
            assert_eq!(
                u64::try_from(file.report.problems.len()).unwrap(),
                file.report.problem_count
            );
            for problem in &file.report.problems {
                let reason = &problem.reason;
                let kind = if reason.contains("is not a valid apk version") {
                    "version"
                } else if reason.contains("`CVE-????-?????` is not a vulnerability id") {
                    "placeholder"
                } else if reason.contains("`XPTI` is not a vulnerability id") {
                    "word"
                } else if reason.contains("`heimdal` 7.4.0-r0: names no id") {
                    "empty"
                } else {
                    panic!("unexplained: {problem}");
                };
                *kinds.entry(kind).or_default() += 1;
            }
        }
    }
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("empty", 1),
            ("placeholder", 14),
            ("version", 24),
            ("word", 1)
        ])
    );
    let total: usize = ingested.advisories.iter().map(|a| a.affected.len()).sum();
    assert_eq!(total, 12_550);

    let in_branch = |branch: &str, id: &str| -> Vec<&Advisory> {
        ingested
            .advisories
            .iter()
            .filter(|a| {
                a.id == id
                    && a.affected
                        .iter()
                        .any(|p| p.package.release.as_deref() == Some(branch))
            })
            .collect()
    };
    let ansible = in_branch("3.11", "CVE-2019-14904");
    assert_eq!(ansible.len(), 1);
    let entry = affected(ansible[0], "Alpine:3.11/ansible");
    assert_eq!(
        (entry.status, fixed(entry)),
        (Some(DistroStatus::Fixed), Some("2.9.3-r0"))
    );
    // The only `"0"` key of the repository: db in v3.8 main was never affected.
    let db = in_branch("3.8", "CVE-2016-0682");
    let never = affected(db[0], "Alpine:3.8/db");
    assert_eq!(never.status, Some(DistroStatus::NotAffected));
    assert!(never.ranges.ranges.is_empty());
    // `CVE_2019-2426` (openjdk7) and `CVE-2019-2426` (openjdk8) are one id in v3.11 community.
    let openjdk = in_branch("3.11", "CVE-2019-2426");
    assert_eq!(openjdk.len(), 1);
    assert_eq!(
        fixed(affected(openjdk[0], "Alpine:3.11/openjdk7")),
        Some("7.211.2.6.17-r0")
    );
    assert_eq!(
        fixed(affected(openjdk[0], "Alpine:3.11/openjdk8")),
        Some("8.201.08-r0")
    );
    // Ids other than CVEs are kept as written.
    assert_eq!(in_branch("3.10", "TALOS-2019-0844").len(), 1);
    check_ranges(&ingested);
}

#[test]
fn vunnel_secdb_samples_tell_alpine_wolfi_and_chainguard_apart() {
    let alpine = ingest(VUNNEL_ALPINE);
    // v3.15: community names 3 CVEs in 2 packages, main 13 CVEs in 5 packages.
    assert_eq!(counts(&alpine), BTreeMap::from([("alpine-secdb", (16, 0))]));
    let xz = advisory(&alpine, "alpine-secdb", "CVE-2022-1271");
    assert_eq!(fixed(affected(xz, "Alpine:3.15/xz")), Some("5.2.5-r1"));
    check_ranges(&alpine);

    // Wolfi: `urlprefix: https://packages.wolfi.dev`, no `distroversion`; 27 packages name 59
    // distinct ids, each in one package.
    let wolfi = ingest(WOLFI);
    assert_eq!(counts(&wolfi), BTreeMap::from([("wolfi-secdb", (59, 0))]));
    let coreutils = affected(
        advisory(&wolfi, "wolfi-secdb", "CVE-2016-2781"),
        "Wolfi/coreutils",
    );
    assert_eq!(coreutils.status, Some(DistroStatus::NotAffected));
    let curl = affected(
        advisory(&wolfi, "wolfi-secdb", "CVE-2022-42916"),
        "Wolfi/curl",
    );
    assert_eq!(fixed(curl), Some("7.86.0-r0"));
    assert!(
        wolfi
            .advisories
            .iter()
            .any(|a| a.id == "GHSA-jq35-85cj-fj4p")
    );
    check_ranges(&wolfi);

    // Chainguard: `urlprefix: https://libraries.cgr.dev`; 189 ids over 197 (id, package) entries.
    let chainguard = ingest(CHAINGUARD);
    assert_eq!(
        counts(&chainguard),
        BTreeMap::from([("chainguard-secdb", (189, 0))])
    );
    let total: usize = chainguard.advisories.iter().map(|a| a.affected.len()).sum();
    assert_eq!(total, 197);
    let bind = affected(
        advisory(&chainguard, "chainguard-secdb", "CVE-2022-3094"),
        "Chainguard/bind",
    );
    assert_eq!(fixed(bind), Some("9.18.11-r0"));
    check_ranges(&chainguard);
}
