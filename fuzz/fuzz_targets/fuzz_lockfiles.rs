//! Every lockfile and language-manifest parser of `qm-catalog`. The first byte picks the
//! parser (its value modulo the number of parsers, in the order of
//! `qm_fuzz::catalog::lockfiles`: Cargo.lock, requirements.txt, poetry.lock, Pipfile.lock,
//! uv.lock, go.mod, go.sum, Gemfile.lock, composer.lock, installed.json, packages.lock.json,
//! deps.json, package-lock.json, yarn.lock, pnpm-lock.yaml, package.json); the rest is the file.
//! Asserted: the laws of `qm_fuzz::catalog::check_cataloger` (no panic, same answer twice,
//! errors name the file and a line inside it, every package named and versioned, with the
//! format's `found_by` and ecosystem, located in the file, with a purl of the format's type that
//! reads and prints back).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::catalog::{Format, check_cataloger, lockfiles};

static FORMATS: LazyLock<Vec<Format>> = LazyLock::new(lockfiles);

fuzz_target!(|data: &[u8]| {
    let Some((&first, file)) = data.split_first() else {
        return;
    };
    let Some(format) = FORMATS.get(usize::from(first) % FORMATS.len()) else {
        return;
    };
    let _ = check_cataloger(format, file);
});
