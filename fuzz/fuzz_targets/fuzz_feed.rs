//! Feed ingestion: the input is one file's bytes for `qm_vulndb::ingest_bytes`, which
//! recognises the format by content (OSV JSON and YAML, RustSec, Debian tracker and DSA/DLA
//! lists, Alpine secdb, RubySec, FriendsOfPHP, Node.js, ZIP archives of these). Asserted:
//! - it never panics, and reading the same bytes again gives the same advisories and report;
//! - every advisory has a non-blank id and source;
//! - the report adds up: `problem_count >= problems.len()`, every problem is counted as a skip
//!   of one source (the `skipped` counts sum to `problem_count`) and names the input's label;
//!   each source's `records` is the number of advisories with that source (so they sum to the
//!   number of advisories);
//! - every affected key is normalised as the database reads keys back (an ecosystem name that
//!   parses to the same ecosystem, the name as `PackageName::new` normalises it), and a release
//!   is neither blank nor padded, and `PackageKey::new` of a key's own parts gives the key back
//!   (normalisation is idempotent);
//! - the advisories written with `write_db` read back as written (`qm_fuzz::vulndb::check_written`:
//!   every advisory, every key's lookup, every id's and alias's `find`, the metadata).

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::vulndb::{check_written, metadata_for, same, stored_key};

/// The file name the input is ingested under; every problem must name it.
const LABEL: &str = "fuzz-input.bin";

fuzz_target!(|data: &[u8]| {
    let ingested = qm_vulndb::ingest_bytes(LABEL, data);
    let again = qm_vulndb::ingest_bytes(LABEL, data);
    assert!(
        same(&ingested.advisories, &again.advisories),
        "ingesting the same bytes twice gives other advisories"
    );
    assert_eq!(
        ingested.report, again.report,
        "ingesting twice, reports differ"
    );
    let (advisories, report) = (ingested.advisories, ingested.report);

    for advisory in &advisories {
        assert!(
            !advisory.id.trim().is_empty(),
            "an advisory without an id: {advisory:?}"
        );
        assert!(
            !advisory.source.trim().is_empty(),
            "{}: no source",
            advisory.id
        );
    }

    assert!(
        report.problem_count >= report.problems.len() as u64,
        "problem_count {} < {} problems kept",
        report.problem_count,
        report.problems.len()
    );
    let skipped: u64 = report.sources.values().map(|count| count.skipped).sum();
    assert_eq!(
        skipped, report.problem_count,
        "skipped counts do not sum to problem_count: {report:?}"
    );
    for problem in &report.problems {
        assert!(
            problem.file.starts_with(LABEL),
            "problem names another file: {problem:?}"
        );
    }
    let mut per_source: BTreeMap<&str, u64> = BTreeMap::new();
    for advisory in &advisories {
        *per_source.entry(&advisory.source).or_default() += 1;
    }
    for (source, count) in &report.sources {
        assert_eq!(
            count.records,
            per_source.get(source.as_str()).copied().unwrap_or(0),
            "source {source:?}: records counted vs advisories carrying it"
        );
    }
    let records: u64 = report.sources.values().map(|count| count.records).sum();
    assert_eq!(
        records,
        advisories.len() as u64,
        "per-source records do not sum to the advisories: {report:?}"
    );

    for advisory in &advisories {
        for affected in &advisory.affected {
            let key = &affected.package;
            assert_eq!(
                stored_key(key).as_ref(),
                Some(key),
                "{}: key {key:?} is not normalised: the database reads it back as another",
                advisory.id
            );
            if let Some(release) = &key.release {
                assert!(
                    !release.is_empty() && release.trim() == release,
                    "{}: key {key:?} has a blank or untrimmed release",
                    advisory.id
                );
            }
            // Normalisation is idempotent: the key rebuilt from its own parts is the key.
            let rebuilt = qm_model::PackageKey::new(
                key.ecosystem.clone(),
                key.release.as_deref(),
                key.name.as_str(),
            );
            assert_eq!(
                &rebuilt, key,
                "{}: normalising {key:?} again changes it",
                advisory.id
            );
        }
    }

    check_written(&advisories, &metadata_for(&advisories));
});
