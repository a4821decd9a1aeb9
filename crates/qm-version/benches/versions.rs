//! Version comparison, parsing and OSV range evaluation throughput, on real versions.
//!
//! Run with `cargo bench -p qm-version`; throughput is reported in elements per second, where an
//! element is one comparison, one parse or one range evaluation.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qm_model::AffectedRanges;
use qm_model::Ecosystem;
use qm_version::{CompiledAffected, Scheme, Version};
use serde::Deserialize;

/// Real version strings per scheme: the upstream vectors, and for Debian the versions of every
/// bookworm security source package with its fixed versions.
fn real_strings(scheme: Scheme) -> Vec<String> {
    let files: &[&str] = match scheme {
        Scheme::Dpkg => &["dpkg-Dpkg_Version.tsv", "dpkg-apt-compareversion.tsv"],
        Scheme::Rpm => &["rpm-rpmvercmp.tsv"],
        Scheme::Apk => &["apk-version.tsv"],
        Scheme::Pep440 => &["pep440-packaging.tsv"],
        Scheme::Maven => &["maven-comparableversion.tsv"],
        Scheme::RubyGems => &["rubygems-version.tsv"],
        Scheme::Npm | Scheme::SemVer => &["semver-node-semver.tsv", "semver-spec-precedence.tsv"],
        _ => &["semver-spec-precedence.tsv"],
    };
    let mut strings: Vec<String> = files
        .iter()
        .flat_map(|file| qm_testdata::version_cases(file))
        .flat_map(|case| [case.a, case.b])
        .collect();
    if scheme == Scheme::Dpkg {
        let tsv = qm_testdata::read_text("advisories/debian-12-changelogs/cves.tsv");
        strings.extend(
            tsv.lines()
                .skip(1)
                .filter_map(|line| line.split('\t').nth(2).map(String::from)),
        );
    }
    strings.retain(|text| scheme.parse(text).is_ok());
    strings.sort();
    strings.dedup();
    strings
}

fn compare(c: &mut Criterion) {
    let mut group = c.benchmark_group("compare");
    for scheme in Scheme::ALL {
        let versions: Vec<Version> = real_strings(scheme)
            .iter()
            .filter_map(|text| scheme.parse(text).ok())
            .collect();
        if versions.len() < 2 {
            continue;
        }
        // Pair each version with a far-away one so comparisons do not all end at byte one.
        let pairs: Vec<(&Version, &Version)> = (0..4096)
            .map(|i| {
                (
                    &versions[i % versions.len()],
                    &versions[(i * 7 + 3) % versions.len()],
                )
            })
            .collect();
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(scheme.to_string(), |b| {
            b.iter(|| {
                let mut sum = 0i32;
                for (a, b) in &pairs {
                    sum += black_box(*a).cmp(black_box(*b)) as i32;
                }
                sum
            })
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for scheme in Scheme::ALL {
        let strings = real_strings(scheme);
        if strings.is_empty() {
            continue;
        }
        group.throughput(Throughput::Elements(strings.len() as u64));
        group.bench_function(scheme.to_string(), |b| {
            b.iter(|| {
                strings
                    .iter()
                    .filter(|text| scheme.parse(black_box(text)).is_ok())
                    .count()
            })
        });
    }
    group.finish();
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    affected: Vec<Affected>,
}

#[derive(Deserialize)]
struct Affected {
    package: Package,
    #[serde(flatten)]
    ranges: AffectedRanges,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
}

fn osv(c: &mut Criterion) {
    // Every RustSec OSV record, compiled once; each evaluated at each of its event versions.
    let directory = qm_testdata::data_path("advisories/rustsec/osv/crates");
    let mut cases = Vec::new();
    for entry in fs_err::read_dir(&directory).unwrap() {
        let text = fs_err::read_to_string(entry.unwrap().path()).unwrap();
        let record: Record = serde_json::from_str(&text).unwrap();
        for affected in record.affected {
            let ecosystem: Ecosystem = affected.package.ecosystem.parse().unwrap();
            let scheme = Scheme::for_ecosystem(&ecosystem);
            let Ok(compiled) = CompiledAffected::new(&affected.ranges, scheme) else {
                continue;
            };
            let probes: Vec<Version> = affected
                .ranges
                .ranges
                .iter()
                .flat_map(|range| range.events.iter())
                .filter_map(|event| scheme.parse(event.version()).ok())
                .collect();
            cases.push((compiled, probes));
        }
    }
    let evaluations: usize = cases.iter().map(|(_, probes)| probes.len()).sum();
    let mut group = c.benchmark_group("osv");
    group.throughput(Throughput::Elements(evaluations as u64));
    group.bench_function("evaluate_rustsec", |b| {
        b.iter(|| {
            let mut affected = 0usize;
            for (compiled, probes) in &cases {
                for probe in probes {
                    if let Ok(evaluation) = compiled.evaluate_version(black_box(probe)) {
                        affected += usize::from(evaluation.affected);
                    }
                }
            }
            affected
        })
    });
    group.finish();
}

criterion_group!(benches, compare, parse, osv);
criterion_main!(benches);
