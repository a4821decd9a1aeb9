//! The compiled database on the real advisories in `../shared/data/advisories`: how long a
//! write and an open take, and how many lookups a second it answers.
//!
//! Run with `cargo bench -p qm-vulndb --bench db`. Setup prints the advisory and key counts and
//! the file size; lookup throughput is in elements per second, one element being one lookup
//! (half of keys present, half absent, in a shuffled order). `entries_*` measure the zero-copy
//! [`VulnDb::entries`], `lookup_*` the decoding [`VulnDb::lookup`].

#![expect(clippy::unwrap_used, reason = "broken bench setup must fail loudly")]
#![expect(clippy::print_stderr, reason = "setup reports the input's size")]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qm_model::{Advisory, PackageKey, Timestamp};
use qm_vulndb::{DbMetadata, SourceInfo, VulnDb, write_db};

/// How many keys one lookup iteration goes through.
const LOOKUPS: usize = 4096;

struct Setup {
    advisories: Vec<Advisory>,
    metadata: DbMetadata,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn setup() -> Setup {
    let started = Instant::now();
    let ingested = qm_vulndb::ingest_path(&qm_testdata::data_path("advisories")).unwrap();
    let ingest_time = started.elapsed();
    let metadata = DbMetadata {
        built: Timestamp::now(),
        sources: ingested
            .report
            .sources
            .iter()
            .map(|(name, count)| SourceInfo {
                name: name.clone(),
                location: "advisories".into(),
                records: count.records,
                newest: None,
            })
            .collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qm.db");
    let mut file = std::io::BufWriter::new(fs_err::File::create(&path).unwrap());
    write_db(&ingested.advisories, &metadata, &mut file).unwrap();
    drop(file);
    let db = VulnDb::open(&path).unwrap();
    let affected: usize = ingested.advisories.iter().map(|a| a.affected.len()).sum();
    eprintln!(
        "db setup: ingested {} advisories ({affected} affected entries) in {ingest_time:.1?}; \
         {} package keys; file {} bytes ({:.1} MiB)",
        ingested.advisories.len(),
        db.package_count(),
        db.size(),
        db.size() as f64 / (1024.0 * 1024.0),
    );
    Setup {
        advisories: ingested.advisories,
        metadata,
        _dir: dir,
        path,
    }
}

/// `count` keys, alternating present and absent (a present name with a suffix, or a present
/// key under a release that is not there), spread over the whole key table.
fn lookup_keys(db: &VulnDb, count: usize) -> Vec<PackageKey> {
    let present: Vec<PackageKey> = db.keys().collect::<Result<_, _>>().unwrap();
    assert!(
        !present.is_empty(),
        "no package keys: are the feed parsers in?"
    );
    let step = present.len() / count.max(1) + 1;
    let mut keys = Vec::with_capacity(count);
    // A fixed multiplicative walk, so neighbouring lookups do not share cache lines.
    let mut position = 0usize;
    while keys.len() < count {
        position = (position + 7919 * step) % present.len();
        let key = &present[position];
        keys.push(key.clone());
        let absent = if keys.len() % 4 == 1 {
            PackageKey::new(key.ecosystem.clone(), Some("0.absent"), key.name.as_str())
        } else {
            PackageKey::new(
                key.ecosystem.clone(),
                key.release.as_deref(),
                &format!("{}-absent", key.name),
            )
        };
        keys.push(absent);
    }
    keys.truncate(count);
    keys
}

fn database(c: &mut Criterion) {
    let setup = setup();
    let db = VulnDb::open(&setup.path).unwrap();

    let mut group = c.benchmark_group("db");
    group.bench_function("open", |b| {
        b.iter(|| VulnDb::open(black_box(&setup.path)).unwrap());
    });

    let keys = lookup_keys(&db, LOOKUPS);
    let present: Vec<PackageKey> = keys.iter().step_by(2).cloned().collect();
    let absent: Vec<PackageKey> = keys.iter().skip(1).step_by(2).cloned().collect();
    let entries: usize = present
        .iter()
        .map(|key| db.lookup(key).unwrap().len())
        .sum();
    eprintln!(
        "db setup: the {} present keys looked up return {entries} entries ({:.1} a lookup)",
        present.len(),
        entries as f64 / present.len() as f64
    );
    // `entries`: the zero-copy lookup, each entry's advisory read but nothing decoded.
    for (name, keys) in [
        ("entries_mixed", &keys),
        ("entries_present", &present),
        ("entries_absent", &absent),
    ] {
        group.throughput(Throughput::Elements(keys.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut found = 0;
                for key in keys {
                    for entry in db.entries(black_box(key)).unwrap() {
                        found += entry.advisory().index();
                    }
                }
                found
            });
        });
    }
    // `lookup`: the same, every entry decoded into owned values.
    for (name, keys) in [
        ("lookup_mixed", &keys),
        ("lookup_present", &present),
        ("lookup_absent", &absent),
    ] {
        group.throughput(Throughput::Elements(keys.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut found = 0;
                for key in keys {
                    found += db.lookup(black_box(key)).unwrap().len();
                }
                found
            });
        });
    }

    group.throughput(Throughput::Elements(setup.advisories.len() as u64));
    group.bench_function("read_all_advisories", |b| {
        b.iter(|| {
            db.advisories()
                .map(|advisory| advisory.unwrap().affected.len())
                .sum::<usize>()
        });
    });
    group.bench_function("write", |b| {
        let size = usize::try_from(db.size()).unwrap();
        b.iter(|| {
            let mut out = Vec::with_capacity(size);
            write_db(black_box(&setup.advisories), &setup.metadata, &mut out).unwrap();
            out
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = database
}
criterion_main!(benches);
