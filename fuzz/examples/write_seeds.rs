//! Writes seed inputs for `fuzz_db` and `fuzz_bundle`, which need files only `qm-vulndb`
//! makes: compiled databases and signed bundles. `seed_corpus.sh` runs it; run by hand:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example write_seeds -- OUT FEED...
//! ```
//!
//! Each FEED file (the `fuzz_feed` seeds) is ingested; its advisories, those of all FEEDs
//! together, none at all and `qm_fuzz::vulndb::fixture_advisories` are each compiled into a
//! database. Under OUT it writes `fuzz_db/<n>` (each database in mode 0, as is, and mode 1,
//! resealed; modes 2 and 3 with no edits) and `fuzz_bundle/<n>` (bundles of the smallest
//! databases signed with the test key, in mode 0; mode 1 with no edits). The targets' docs describe the
//! modes. Seeds are numbered; `seed_corpus.sh` renames them by content.

use std::error::Error;
use std::path::{Path, PathBuf};

use qm_fuzz::vulndb::{bundle_info, fixture_advisories, metadata_for, signing_key, write};
use qm_model::Advisory;

/// How many databases are bundled: the smallest, as the bundle format does not depend on the
/// database's content.
const MAX_BUNDLES: usize = 8;
/// A database larger than this is no seed at all: libFuzzer works best on small inputs.
const MAX_SEED_DB: usize = 16 * 1024;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: write_seeds OUT FEED...")?);
    let mut sets: Vec<Vec<Advisory>> = vec![Vec::new(), fixture_advisories()];
    let mut all = Vec::new();
    for feed in args {
        let feed = PathBuf::from(feed);
        let bytes = std::fs::read(&feed).map_err(|error| format!("{}: {error}", feed.display()))?;
        let ingested = qm_vulndb::ingest_bytes(&feed.display().to_string(), &bytes);
        if !ingested.advisories.is_empty() {
            all.extend(ingested.advisories.iter().cloned());
            sets.push(ingested.advisories);
        }
    }
    sets.push(all);

    let mut db_seeds: Vec<Vec<u8>> = vec![vec![2], vec![3]];
    let mut bundle_seeds: Vec<Vec<u8>> = vec![vec![1, 0], vec![1, 2]];
    let mut dbs = Vec::new();
    for advisories in &sets {
        let metadata = metadata_for(advisories);
        let db = write(advisories, &metadata);
        if db.len() > MAX_SEED_DB {
            continue;
        }
        for mode in [0, 1] {
            db_seeds.push([&[mode][..], &db].concat());
        }
        dbs.push((db, metadata));
    }
    dbs.sort_by_key(|(db, _)| db.len());
    for (db, metadata) in dbs.iter().take(MAX_BUNDLES) {
        let mut bundle = vec![0];
        qm_vulndb::export_bundle(db, &bundle_info(metadata), signing_key(), &mut bundle)?;
        bundle_seeds.push(bundle);
    }
    write_all(&out.join("fuzz_db"), &db_seeds)?;
    write_all(&out.join("fuzz_bundle"), &bundle_seeds)?;
    Ok(())
}

fn write_all(directory: &Path, seeds: &[Vec<u8>]) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(directory)?;
    for (index, seed) in seeds.iter().enumerate() {
        std::fs::write(directory.join(index.to_string()), seed)?;
    }
    Ok(())
}
