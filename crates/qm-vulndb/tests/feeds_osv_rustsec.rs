#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected data")]
//! OSV feeds (RustSec's OSV branch, Go, PyPA, GitHub, Debian changelogs, Ubuntu, Chainguard) and
//! RustSec's Markdown advisories, ingested from the real mirrors in the shared data through
//! `qm_vulndb::ingest_path`, with counts read off the files, spot checks of facts read from
//! them, and RustSec's two forms checked against each other version by version.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use qm_model::{
    Advisory, AffectedRanges, CvssVersion, Ecosystem, Event, RangeKind, Rating, Severity,
};
use qm_version::{CompiledAffected, Scheme};
use qm_vulndb::Ingested;

const RUSTSEC_OSV: &str = "advisories/rustsec/osv";
const RUSTSEC_MARKDOWN: &str = "advisories/rustsec/advisory-db";
const GOLANG: &str = "advisories/golang";
const PYPA: &str = "advisories/pypa";
const GHSA: &str = "advisories/ghsa-sample";
const DEBIAN: &str = "advisories/debian-12-changelogs/osv";
const UBUNTU: &str = "advisories/vunnel-samples/tests/unit/providers/ubuntu";
const CHAINGUARD: &str =
    "advisories/vunnel-samples/tests/unit/providers/chainguard/test-fixtures/input/osv";

/// Ingests each mirror once for all tests of this file.
fn ingested(dir: &'static str) -> &'static Ingested {
    static CACHE: OnceLock<std::sync::Mutex<BTreeMap<&'static str, &'static Ingested>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    cache.entry(dir).or_insert_with(|| {
        let ingested = qm_vulndb::ingest_path(&qm_testdata::data_path(dir)).unwrap();
        Box::leak(Box::new(ingested))
    })
}

fn by_id(dir: &'static str, id: &str) -> &'static Advisory {
    ingested(dir)
        .advisories
        .iter()
        .find(|advisory| advisory.id == id)
        .unwrap_or_else(|| panic!("{id} not ingested from {dir}"))
}

/// Files under `dir` (recursively) whose name starts with `prefix` and ends with `suffix`,
/// skipping hidden entries as the ingest does.
fn count_files(dir: &str, prefix: &str, suffix: &str) -> u64 {
    fn walk(path: &Path, prefix: &str, suffix: &str, count: &mut u64) {
        for entry in fs_err::read_dir(path).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(&entry.path(), prefix, suffix, count);
            } else if kind.is_file() && name.starts_with(prefix) && name.ends_with(suffix) {
                *count += 1;
            }
        }
    }
    let mut count = 0;
    walk(&qm_testdata::data_path(dir), prefix, suffix, &mut count);
    count
}

fn records(dir: &'static str, source: &str) -> (u64, u64) {
    let count = ingested(dir)
        .report
        .sources
        .get(source)
        .copied()
        .unwrap_or_default();
    (count.records, count.skipped)
}

#[test]
fn osv_mirrors_ingest_one_advisory_per_record_file() {
    // (mirror, source, file prefix, file suffix, records counted when this test was written)
    let cases: &[(&'static str, &str, &str, &str, u64)] = &[
        (RUSTSEC_OSV, "osv/RUSTSEC", "RUSTSEC-", ".json", 1206),
        (GOLANG, "osv/GO", "GO-", ".json", 4291),
        (PYPA, "osv/PYSEC", "PYSEC-", ".yaml", 2661),
        (GHSA, "osv/GHSA", "GHSA-", ".json", 3),
        (DEBIAN, "osv/DEBIAN", "DEBIAN-", ".json", 2692),
        (UBUNTU, "osv/UBUNTU", "UBUNTU-CVE-", ".json", 8),
        (UBUNTU, "osv/USN", "USN-", ".json", 1),
        (CHAINGUARD, "osv/CGA", "CGA-", ".json", 3),
    ];
    for (dir, source, prefix, suffix, expected) in cases {
        let files = count_files(dir, prefix, suffix);
        assert_eq!(files, *expected, "{dir}: {prefix}*{suffix} files");
        assert_eq!(records(dir, source), (files, 0), "{dir}: {source}");
    }
    for dir in [RUSTSEC_OSV, GOLANG, PYPA, GHSA, DEBIAN, UBUNTU, CHAINGUARD] {
        let report = &ingested(dir).report;
        assert_eq!(report.problem_count, 0, "{dir}: {:?}", report.problems);
        // Every source of these mirrors is listed above: nothing landed elsewhere.
        let total: u64 = report.sources.values().map(|count| count.records).sum();
        assert_eq!(total, ingested(dir).advisories.len() as u64, "{dir}");
    }
    // What is not a record: licences and READMEs; in the Ubuntu fixtures, vunnel's snapshots
    // (`identifier`/`item`), OpenVEX documents and normalised CVE data (26 + 2 + 3 files, minus
    // the hidden ones); Chainguard's `all.json` index of ids.
    let unrecognised = |dir| ingested(dir).report.unrecognised_files;
    assert_eq!(unrecognised(RUSTSEC_OSV), 2);
    assert_eq!(unrecognised(GOLANG), 2);
    assert_eq!(unrecognised(CHAINGUARD), 1);
    assert_eq!(unrecognised(UBUNTU), 29);
}

#[test]
fn rustsec_markdown_ingests_every_advisory_but_the_template() {
    let crates = count_files(&format!("{RUSTSEC_MARKDOWN}/crates"), "RUSTSEC-", ".md");
    let toolchain = count_files(&format!("{RUSTSEC_MARKDOWN}/rust"), "CVE-", ".md");
    assert_eq!((crates, toolchain), (1205, 20));
    assert_eq!(
        records(RUSTSEC_MARKDOWN, "rustsec"),
        (crates + toolchain, 1)
    );
    let report = &ingested(RUSTSEC_MARKDOWN).report;
    let [problem] = report.problems.as_slice() else {
        panic!("{:?}", report.problems);
    };
    assert!(problem.file.ends_with("EXAMPLE_ADVISORY.md"), "{problem}");
    assert!(problem.reason.contains("template"), "{problem}");

    let advisories = &ingested(RUSTSEC_MARKDOWN).advisories;
    let toolchain_ecosystem = Ecosystem::Other("Rust toolchain".into());
    let on_toolchain = advisories
        .iter()
        .filter(|advisory| {
            advisory
                .affected
                .iter()
                .all(|package| package.package.ecosystem == toolchain_ecosystem)
        })
        .count();
    assert_eq!(on_toolchain as u64, toolchain);
    // RUSTSEC-2025-0000 exists only in the OSV export: the Markdown file was removed upstream
    // (its id was a placeholder), while the export keeps it.
    let markdown_ids: BTreeSet<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
    let osv_ids: BTreeSet<&str> = ingested(RUSTSEC_OSV)
        .advisories
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    let only_osv: Vec<&&str> = osv_ids.difference(&markdown_ids).collect();
    assert_eq!(only_osv, [&"RUSTSEC-2025-0000"]);
    let only_markdown = markdown_ids
        .difference(&osv_ids)
        .filter(|id| id.starts_with("RUSTSEC-"))
        .count();
    assert_eq!(only_markdown, 0);
}

#[test]
fn every_cvss_vector_in_the_feeds_scores() {
    // (mirror, CVSS severities at advisory level, counted with `grep` when this was written)
    let cases: &[(&'static str, usize)] = &[
        (RUSTSEC_OSV, 360 + 57),
        (PYPA, 202),
        (GHSA, 2),
        (CHAINGUARD, 3),
        // 8 entries, two of them repeated verbatim in the same record and kept once.
        (UBUNTU, 6),
        (RUSTSEC_MARKDOWN, 420),
    ];
    for (dir, expected) in cases {
        let mut scored = 0;
        for advisory in &ingested(dir).advisories {
            for severity in &advisory.severities {
                match severity {
                    Severity::Cvss { score, rating, .. } => {
                        scored += 1;
                        assert!((0.0..=10.0).contains(score), "{}", advisory.id);
                        assert_ne!(*rating, Rating::Unknown, "{}", advisory.id);
                    }
                    Severity::Rating { source, label, .. } => {
                        assert!(
                            !source.starts_with("cvss"),
                            "{}: unreadable vector `{label}`",
                            advisory.id
                        );
                    }
                }
            }
        }
        assert_eq!(scored, *expected, "{dir}");
    }
}

fn only_range(advisory: &Advisory) -> (&qm_model::PackageKey, &[Event]) {
    let [package] = advisory.affected.as_slice() else {
        panic!("{}: {:?}", advisory.id, advisory.affected);
    };
    let [range] = package.ranges.ranges.as_slice() else {
        panic!("{}: {:?}", advisory.id, package.ranges);
    };
    (&package.package, &range.events)
}

fn introduced(v: &str) -> Event {
    Event::Introduced(v.into())
}

fn fixed(v: &str) -> Event {
    Event::Fixed(v.into())
}

fn cvss_of(advisory: &Advisory) -> (CvssVersion, f64, Rating) {
    match advisory.severities.first() {
        Some(Severity::Cvss {
            version,
            score,
            rating,
            ..
        }) => (*version, *score, *rating),
        other => panic!("{}: {other:?}", advisory.id),
    }
}

#[test]
fn rustsec_markdown_facts() {
    // crates/hyper/RUSTSEC-2021-0078.md: patched = [">= 0.14.10"], CVSS 3.1 …/C:N/I:L/A:N.
    let hyper = by_id(RUSTSEC_MARKDOWN, "RUSTSEC-2021-0078");
    let (package, events) = only_range(hyper);
    assert_eq!(package.to_string(), "crates.io/hyper");
    assert_eq!(events, [introduced("0"), fixed("0.14.10")]);
    assert_eq!(hyper.aliases, ["CVE-2021-32715", "GHSA-f3pg-qwvg-p99c"]);
    assert_eq!(cvss_of(hyper), (CvssVersion::V3_1, 5.3, Rating::Medium));
    assert_eq!(
        hyper.summary.as_deref(),
        Some("Lenient `hyper` header parsing of `Content-Length` could allow request smuggling")
    );
    assert!(
        hyper
            .details
            .as_deref()
            .unwrap()
            .starts_with("`hyper`'s HTTP header parser")
    );
    assert_eq!(hyper.published.unwrap().to_string(), "2021-07-07T00:00:00Z");

    // crates/libpulse-binding/RUSTSEC-2020-0055.md: withdrawn, unaffected = ["> 0"].
    let withdrawn = by_id(RUSTSEC_MARKDOWN, "RUSTSEC-2020-0055");
    assert_eq!(
        withdrawn.withdrawn.unwrap().to_string(),
        "2020-10-22T00:00:00Z"
    );
    assert_eq!(only_range(withdrawn).1, [introduced("0"), fixed("1.0.0-0")]);

    // crates/win-crypto/RUSTSEC-2023-0109.md: malicious crate, patched = [] → all versions.
    let malicious = by_id(RUSTSEC_MARKDOWN, "RUSTSEC-2023-0109");
    assert_eq!(only_range(malicious).1, [introduced("0")]);

    // rust/std/CVE-2021-29922.md: a toolchain advisory, patched = [">= 1.53.0"].
    let std_net = by_id(RUSTSEC_MARKDOWN, "CVE-2021-29922");
    let (package, events) = only_range(std_net);
    assert_eq!(package.to_string(), "Rust toolchain/std");
    assert_eq!(events, [introduced("0"), fixed("1.53.0")]);

    let withdrawn_count = |dir| {
        ingested(dir)
            .advisories
            .iter()
            .filter(|a| a.id.starts_with("RUSTSEC-") && a.withdrawn.is_some())
            .count()
    };
    assert_eq!(withdrawn_count(RUSTSEC_MARKDOWN), 13);
    assert_eq!(withdrawn_count(RUSTSEC_OSV), 13);
}

#[test]
fn rustsec_osv_export_facts() {
    let export = by_id(RUSTSEC_OSV, "RUSTSEC-2021-0078");
    assert_eq!(export.source, "osv/RUSTSEC");
    let (package, events) = only_range(export);
    assert_eq!(package.to_string(), "crates.io/hyper");
    assert_eq!(events, [introduced("0.0.0-0"), fixed("0.14.10")]);
    assert_eq!(
        export
            .affected
            .first()
            .unwrap()
            .ranges
            .ranges
            .first()
            .unwrap()
            .kind,
        RangeKind::SemVer
    );
    // `affected[].database_specific.informational`: 267 unmaintained, 203 unsound, 6 notice.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for advisory in &ingested(RUSTSEC_OSV).advisories {
        if let Some(kind) = &advisory.informational {
            *kinds.entry(kind).or_default() += 1;
        }
    }
    assert_eq!(
        kinds,
        BTreeMap::from([("notice", 6), ("unmaintained", 267), ("unsound", 203)])
    );
}

#[test]
fn go_pypa_and_ghsa_facts() {
    // GO-2024-2916: three fixed branches of github.com/goharbor/harbor.
    let harbor = by_id(GOLANG, "GO-2024-2916");
    let (package, events) = only_range(harbor);
    assert_eq!(package.ecosystem, Ecosystem::Go);
    assert_eq!(package.name.as_str(), "github.com/goharbor/harbor");
    assert_eq!(
        events,
        [
            introduced("0"),
            fixed("2.8.6+incompatible"),
            introduced("2.9.0+incompatible"),
            fixed("2.9.4+incompatible"),
            introduced("2.10.0+incompatible"),
            fixed("2.10.2+incompatible"),
        ]
    );
    assert_eq!(harbor.aliases, ["CVE-2024-22261", "GHSA-vw63-824v-qf2j"]);
    let compiled = compile(&harbor.affected.first().unwrap().ranges, Scheme::Go);
    let evaluation = compiled.evaluate("v2.9.1+incompatible").unwrap();
    assert!(evaluation.affected);
    assert_eq!(evaluation.fixed.as_deref(), Some("2.9.4+incompatible"));
    let withdrawn = ingested(GOLANG)
        .advisories
        .iter()
        .filter(|advisory| advisory.withdrawn.is_some())
        .count();
    assert_eq!(withdrawn, 17);

    // PYSEC-2020-342 (YAML): apache-skywalking, a versions list, CVSS 9.8.
    let skywalking = by_id(PYPA, "PYSEC-2020-342");
    assert_eq!(skywalking.aliases, ["CVE-2020-13921"]);
    assert_eq!(
        cvss_of(skywalking),
        (CvssVersion::V3_1, 9.8, Rating::Critical)
    );
    let package = skywalking.affected.first().unwrap();
    assert_eq!(package.package.to_string(), "PyPI/apache-skywalking");
    assert_eq!(package.ranges.versions.len(), 10);
    assert_eq!(
        package.ranges.versions.last().map(String::as_str),
        Some("1.0.1")
    );
    assert!(skywalking.published.is_some() && skywalking.modified.is_some());

    // GHSA-23rx-79r7-6cpx: Maven, fixed 1.7.6, GitHub's own rating only.
    let sandbox = by_id(GHSA, "GHSA-23rx-79r7-6cpx");
    let (package, events) = only_range(sandbox);
    assert_eq!(
        package.to_string(),
        "Maven/de.tum.in.ase:artemis-java-test-sandbox"
    );
    assert_eq!(events, [introduced("0"), fixed("1.7.6")]);
    assert_eq!(
        sandbox.severities,
        [Severity::Rating {
            source: "ghsa".into(),
            rating: Rating::Medium,
            label: "MODERATE".into()
        }]
    );
}

#[test]
fn distribution_osv_facts() {
    // DEBIAN-12-mupdf-1.17.0_ds1-1.1: urgency medium on the package.
    let mupdf = by_id(DEBIAN, "DEBIAN-12-mupdf-1.17.0_ds1-1.1");
    let (package, events) = only_range(mupdf);
    assert_eq!(package.to_string(), "Debian:12/mupdf");
    assert_eq!(events, [introduced("0"), fixed("1.17.0+ds1-1.1")]);
    assert_eq!(mupdf.aliases, ["CVE-2020-26519"]);
    assert_eq!(
        mupdf.affected.first().unwrap().severity,
        Some(Severity::Rating {
            source: "debian".into(),
            rating: Rating::Medium,
            label: "medium".into()
        })
    );
    // Every Debian record carries an urgency: 1769 medium, 907 high (one `high (security)`),
    // 13 low, 3 critical.
    let mut urgencies: BTreeMap<Rating, usize> = BTreeMap::new();
    for advisory in &ingested(DEBIAN).advisories {
        for package in &advisory.affected {
            *urgencies
                .entry(package.severity.as_ref().unwrap().rating())
                .or_default() += 1;
        }
    }
    assert_eq!(
        urgencies,
        BTreeMap::from([
            (Rating::Low, 13),
            (Rating::Medium, 1769),
            (Rating::High, 907),
            (Rating::Critical, 3)
        ])
    );

    // USN-5614-1: wayland on four Ubuntu releases.
    let usn = by_id(UBUNTU, "USN-5614-1");
    let bionic = usn
        .affected
        .iter()
        .find(|package| package.package.release.as_deref() == Some("18.04:LTS"))
        .unwrap();
    assert_eq!(bionic.package.name.as_str(), "wayland");
    assert_eq!(
        bionic.ranges.ranges.first().unwrap().events,
        [introduced("0"), fixed("1.16.0-1ubuntu1.1~18.04.4")]
    );
    assert_eq!(usn.related, ["UBUNTU-CVE-2021-3782"]);

    // Chainguard records name their CVE only as `upstream`.
    for advisory in &ingested(CHAINGUARD).advisories {
        assert_eq!(advisory.source, "osv/CGA");
        assert!(
            advisory.related.iter().any(|id| id.starts_with("CVE-")),
            "{}",
            advisory.id
        );
        assert!(
            advisory.affected.iter().all(|package| matches!(
                package.package.ecosystem,
                Ecosystem::Chainguard | Ecosystem::Wolfi
            )),
            "{}",
            advisory.id
        );
    }
}

// ----- RustSec Markdown against RustSec's OSV export -----

/// Compiles model ranges for evaluation by `qm-version`.
fn compile(ranges: &AffectedRanges, scheme: Scheme) -> CompiledAffected {
    CompiledAffected::new(ranges, scheme).unwrap()
}

/// Versions to probe around `text`: itself, its neighbours in each number, and pre-releases.
fn neighbours(text: &str, probes: &mut BTreeSet<String>) {
    if text == "0" {
        return;
    }
    probes.insert(text.to_owned());
    let core = text.split(['-', '+']).next().unwrap_or_default();
    let numbers: Vec<u64> = core.split('.').filter_map(|n| n.parse().ok()).collect();
    let [major, minor, patch] = numbers.as_slice() else {
        return;
    };
    let (major, minor, patch) = (*major, *minor, *patch);
    let mut add = |major: u64, minor: u64, patch: u64| {
        probes.insert(format!("{major}.{minor}.{patch}"));
        probes.insert(format!("{major}.{minor}.{patch}-alpha.1"));
        probes.insert(format!("{major}.{minor}.{patch}-0"));
    };
    add(major, minor, patch);
    add(major, minor, patch + 1);
    add(major, minor + 1, 0);
    add(major + 1, 0, 0);
    if let Some(patch) = patch.checked_sub(1) {
        add(major, minor, patch);
    }
    if let Some(minor) = minor.checked_sub(1) {
        add(major, minor, 99);
    }
    if let Some(major) = major.checked_sub(1) {
        add(major, 99, 99);
    }
}

#[test]
fn rustsec_markdown_and_osv_export_agree_on_every_version() {
    let export: BTreeMap<&str, &Advisory> = ingested(RUSTSEC_OSV)
        .advisories
        .iter()
        .map(|advisory| (advisory.id.as_str(), advisory))
        .collect();
    let mut compared = 0;
    let mut probes_run = 0;
    let mut disagreements: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for markdown in &ingested(RUSTSEC_MARKDOWN).advisories {
        let Some(osv) = export.get(markdown.id.as_str()) else {
            continue;
        };
        compared += 1;
        let id = markdown.id.as_str();
        let (md_package, md_ranges) = match markdown.affected.as_slice() {
            [package] => (&package.package, &package.ranges),
            other => panic!("{id}: {other:?}"),
        };
        let (osv_package, osv_ranges) = match osv.affected.as_slice() {
            [package] => (&package.package, &package.ranges),
            other => panic!("{id}: {other:?}"),
        };
        assert_eq!(md_package, osv_package, "{id}");
        // Facts besides the ranges agree too.
        assert_eq!(markdown.aliases, osv.aliases, "{id}");
        assert_eq!(markdown.informational, osv.informational, "{id}");
        assert_eq!(
            markdown
                .withdrawn
                .map(|t| t.to_string().get(..10).unwrap().to_owned()),
            osv.withdrawn
                .map(|t| t.to_string().get(..10).unwrap().to_owned()),
            "{id}"
        );
        let vectors = |advisory: &Advisory| -> Vec<String> {
            advisory
                .severities
                .iter()
                .filter_map(|severity| match severity {
                    Severity::Cvss { vector, .. } => Some(vector.clone()),
                    Severity::Rating { .. } => None,
                })
                .collect()
        };
        assert_eq!(vectors(markdown), vectors(osv), "{id}");

        let mut probes = BTreeSet::new();
        for range in md_ranges.ranges.iter().chain(&osv_ranges.ranges) {
            for event in &range.events {
                neighbours(event.version(), &mut probes);
            }
        }
        for base in ["0.0.0", "0.0.1", "0.1.0", "1.0.0", "999.0.0"] {
            neighbours(base, &mut probes);
        }
        let md_compiled = compile(md_ranges, Scheme::Cargo);
        let osv_compiled = compile(osv_ranges, Scheme::Cargo);
        for probe in &probes {
            let (Ok(md), Ok(osv)) = (md_compiled.evaluate(probe), osv_compiled.evaluate(probe))
            else {
                panic!("{id}: `{probe}` does not evaluate");
            };
            probes_run += 1;
            if md.affected != osv.affected {
                disagreements.entry(id).or_default().push(format!(
                    "{probe}: markdown {} export {}",
                    md.affected, osv.affected
                ));
            }
        }
    }
    assert_eq!(compared, 1205);
    assert!(probes_run > 70_000, "{probes_run}");
    // The one known difference: `unaffected = ["> 0"]` of the withdrawn RUSTSEC-2020-0055.
    // Cargo reads `> 0` as `>= 1.0.0` (a partial version stands for all its versions); the
    // export's converter reads it as `> 0.0.0`, so 0.0.1 up to 1.0.0 are affected for us only.
    let known: BTreeSet<&str> = BTreeSet::from(["RUSTSEC-2020-0055"]);
    for (id, list) in &disagreements {
        if known.contains(id) {
            assert!(
                list.iter()
                    .all(|line| line.contains("markdown true export false")
                        && line.starts_with("0.")),
                "{id}: {list:#?}"
            );
        }
    }
    let unexplained: BTreeMap<_, _> = disagreements
        .iter()
        .filter(|(id, _)| !known.contains(*id))
        .collect();
    assert!(unexplained.is_empty(), "{unexplained:#?}");
    assert_eq!(
        disagreements.keys().copied().collect::<Vec<_>>(),
        ["RUSTSEC-2020-0055"]
    );
}
