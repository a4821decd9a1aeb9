//! Every range of every real OSV record in the shared advisory mirrors must evaluate: RustSec's
//! OSV export, the Go vulnerability database and the PyPA advisory database.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]
#![expect(
    clippy::print_stderr,
    reason = "the test reports the counts it evaluated"
)]

use std::path::Path;

use qm_model::AffectedRanges;
use qm_model::Ecosystem;
use qm_version::{CompiledAffected, Scheme};
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    affected: Vec<Affected>,
}

#[derive(Deserialize)]
struct Affected {
    package: Option<Package>,
    #[serde(flatten)]
    ranges: AffectedRanges,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
}

#[derive(Debug, Default)]
struct Tally {
    records: usize,
    affected: usize,
    ranges: usize,
    evaluations: usize,
    affected_answers: usize,
    failures: Vec<String>,
    invalid: Vec<String>,
}

fn evaluate_tree(relative: &str, tally: &mut Tally) {
    let root = qm_testdata::data_path(relative);
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(extension, "json" | "yaml") || !entry.file_type().is_file() {
            continue;
        }
        let text = fs_err::read_to_string(path).unwrap();
        let record: Record =
            match extension {
                "json" => serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                _ => serde_yaml_ng::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            };
        evaluate_record(path, &record, tally);
    }
}

fn evaluate_record(path: &Path, record: &Record, tally: &mut Tally) {
    tally.records += 1;
    for affected in &record.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        let ecosystem: Ecosystem = package.ecosystem.parse().unwrap();
        let scheme = Scheme::for_ecosystem(&ecosystem);
        tally.affected += 1;
        tally.ranges += affected.ranges.ranges.len();
        let (compiled, problems) = CompiledAffected::new_lenient(&affected.ranges, scheme);
        for problem in problems {
            let cause = std::error::Error::source(&problem).map(ToString::to_string);
            tally.invalid.push(format!(
                "{} ({}): {problem}: {}",
                record.id,
                path.display(),
                cause.unwrap_or_default()
            ));
        }
        // Probe at every event version and every listed version: the interesting boundaries.
        let probes = affected
            .ranges
            .ranges
            .iter()
            .filter(|range| range.kind != qm_model::RangeKind::Git)
            .flat_map(|range| range.events.iter().map(|event| event.version()))
            .chain(affected.ranges.versions.iter().map(String::as_str))
            .filter(|version| *version != "0");
        for probe in probes {
            // Listed versions need not parse (the list is matched by text too); event versions
            // were parsed by `compile` already.
            if scheme.parse(probe).is_err() {
                continue;
            }
            match compiled.evaluate(probe) {
                Ok(evaluation) => {
                    tally.evaluations += 1;
                    tally.affected_answers += usize::from(evaluation.affected);
                }
                Err(error) => tally
                    .failures
                    .push(format!("{} at `{probe}`: {error}", record.id)),
            }
        }
    }
}

/// `known_defects`: ids of records whose data holds event versions their ecosystem cannot
/// parse; lenient compilation must report exactly these.
fn check(relative: &str, minimum_records: usize, known_defects: &[&str]) {
    let mut tally = Tally::default();
    evaluate_tree(relative, &mut tally);
    eprintln!(
        "{relative}: {} records, {} affected entries, {} ranges, {} evaluations ({} affected)",
        tally.records, tally.affected, tally.ranges, tally.evaluations, tally.affected_answers
    );
    assert!(
        tally.records >= minimum_records,
        "{relative}: only {} records",
        tally.records
    );
    assert!(tally.evaluations > 0);
    let reported: Vec<&str> = tally
        .invalid
        .iter()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(
        reported,
        known_defects,
        "{relative}: records with invalid event versions:\n{}",
        tally.invalid.join("\n")
    );
    assert!(
        tally.failures.is_empty(),
        "{relative}: {} failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

#[test]
fn rustsec_osv_export_evaluates() {
    check("advisories/rustsec/osv", 1000, &[]);
}

#[test]
fn go_vulndb_evaluates() {
    check("advisories/golang", 4000, &[]);
}

#[test]
fn pypa_advisories_evaluate() {
    // Two PyPA records carry non-PEP 440 `fixed` versions (`0.2.0-n653`, `2019-09-12`).
    check(
        "advisories/pypa",
        2500,
        &["PYSEC-2021-371", "PYSEC-2019-125"],
    );
}
