//! Matching a 400-package inventory against a database compiled from every real feed in
//! `../shared/data/advisories` (the same input as `qm-vulndb`'s bench: 52 944 advisories,
//! 10 872 keys).
//!
//! The inventory: the 389 Debian 12 binary packages of `debian-12-changelogs/manifest.tsv`,
//! each under the name of a binary and judged by its source package, plus a dozen crates,
//! Python, Go, npm, RubyGems and Packagist packages at vulnerable versions. Two variants: `behind`
//! puts the Debian packages at their bookworm point-release versions, which lag behind the
//! security uploads (9 732 findings, most of them kernel and browser CVEs); `patched` at their
//! bookworm-security versions (72 findings, all from the language packages).
//!
//! Run with `cargo bench -p qm-match --bench matching`; throughput is in packages per second.
//! `match_inventory` includes listing the database's keys to learn its coverage, which a
//! [`qm_match::Matcher`] does once for all the inventories it matches (`matcher_reused`).
//!
//! Measured (release build, 2 cores shared with other builds, so noisy): `behind` 240 to
//! 340 ms per inventory (1 200 to 1 650 packages/s, about 30 µs per finding); `patched`
//! about 80 ms (5 000 packages/s). Listing the keys is lost in the noise. Nearly all the time is the
//! database decoding the entries a lookup returns and the advisories of affected entries
//! (owned strings: a kernel changelog record names 1 000 CVEs), and compiling each entry's
//! ranges; freeing those is most of the rest.

#![expect(clippy::unwrap_used, reason = "broken bench setup must fail loudly")]
#![expect(clippy::print_stderr, reason = "setup reports the input's size")]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qm_match::{MatchOptions, Matcher, match_inventory};
use qm_model::{
    Distro, Ecosystem, Inventory, Package, SourcePackage, TargetInfo, TargetKind, Timestamp,
};
use qm_vulndb::{DbMetadata, VulnDb, ingest_path, link_advisories, write_db};

fn package(ecosystem: Ecosystem, name: &str, version: &str, source: Option<&str>) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem,
        purl: format!("pkg:generic/{name}@{version}"),
        source: source.map(|source| SourcePackage {
            name: source.into(),
            version: Some(version.into()),
        }),
        locations: vec!["bench".into()],
        found_by: "bench".into(),
        dev: false,
        arch: None,
        layer: None,
    }
}

/// The inventory; `column` picks the Debian versions: `bookworm_version` (the point release,
/// behind on security fixes) or `bookworm_security_version` (patched).
fn inventory(debian_versions: &str) -> Inventory {
    let manifest = qm_testdata::read_text("advisories/debian-12-changelogs/manifest.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (source, binary, version) = (column("source"), column("binary"), column(debian_versions));
    let mut packages = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[version].is_empty() {
            continue;
        }
        packages.push(package(
            Ecosystem::Debian,
            fields[binary],
            fields[version],
            Some(fields[source]),
        ));
    }
    for (ecosystem, name, version) in [
        (Ecosystem::CratesIo, "hyper", "0.14.9"),
        (Ecosystem::CratesIo, "tokio", "1.9.0"),
        (Ecosystem::CratesIo, "smallvec", "1.6.0"),
        (Ecosystem::CratesIo, "serde", "1.0.100"),
        (Ecosystem::PyPI, "Jinja2", "2.10"),
        (Ecosystem::PyPI, "Django", "3.2.0"),
        (Ecosystem::PyPI, "requests", "2.19.0"),
        (Ecosystem::Go, "golang.org/x/net", "v0.17.0"),
        (Ecosystem::Go, "golang.org/x/crypto", "v0.1.0"),
        (Ecosystem::Npm, "lodash", "4.17.4"),
        (Ecosystem::RubyGems, "rails", "5.2.0"),
        (Ecosystem::Packagist, "symfony/http-kernel", "4.4.0"),
    ] {
        packages.push(package(ecosystem, name, version, None));
    }
    Inventory {
        target: TargetInfo {
            name: "bench".into(),
            kind: TargetKind::RootFs,
            digest: None,
            manifest_digest: None,
            tags: Vec::new(),
            platform: None,
            layers: Vec::new(),
        },
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: None,
            id_like: Vec::new(),
        }),
        packages,
        warnings: Vec::new(),
    }
}

fn database() -> (tempfile::TempDir, VulnDb) {
    let started = Instant::now();
    let mut advisories = ingest_path(&qm_testdata::data_path("advisories"))
        .unwrap()
        .advisories;
    link_advisories(&mut advisories);
    let metadata = DbMetadata {
        built: Timestamp::now(),
        sources: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qm.db");
    let mut file = std::io::BufWriter::new(fs_err::File::create(&path).unwrap());
    write_db(&advisories, &metadata, &mut file).unwrap();
    drop(file);
    let db = VulnDb::open(&path).unwrap();
    eprintln!(
        "matching setup: {} advisories, {} package keys, built in {:.1?}",
        db.advisory_count(),
        db.package_count(),
        started.elapsed()
    );
    (dir, db)
}

fn matching(c: &mut Criterion) {
    let (_dir, db) = database();
    let behind = inventory("bookworm_version");
    let patched = inventory("bookworm_security_version");
    let options = MatchOptions::default();
    for (name, inventory) in [("behind", &behind), ("patched", &patched)] {
        let report = match_inventory(inventory, &db, &options).unwrap();
        let debian = report
            .findings
            .iter()
            .filter(|finding| finding.package.ecosystem == Ecosystem::Debian)
            .count();
        eprintln!(
            "matching setup: {name}: {} packages, {} findings ({debian} in Debian packages), {} notes",
            inventory.packages.len(),
            report.findings.len(),
            report.notes.len()
        );
    }
    let mut group = c.benchmark_group("matching");
    group.throughput(Throughput::Elements(behind.packages.len() as u64));
    group.bench_function("behind/match_inventory", |b| {
        b.iter(|| match_inventory(black_box(&behind), &db, &options).unwrap());
    });
    let matcher = Matcher::new(&db);
    group.bench_function("behind/matcher_reused", |b| {
        b.iter(|| {
            matcher
                .match_inventory(black_box(&behind), &options)
                .unwrap()
        });
    });
    group.throughput(Throughput::Elements(patched.packages.len() as u64));
    group.bench_function("patched/match_inventory", |b| {
        b.iter(|| match_inventory(black_box(&patched), &db, &options).unwrap());
    });
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
