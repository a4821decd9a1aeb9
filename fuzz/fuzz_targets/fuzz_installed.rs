//! Installed language metadata: the first byte picks the parser (its value modulo the number
//! of parsers, in the order of `qm_fuzz::catalog::installed`: Python `METADATA`/`PKG-INFO`
//! (`qm_catalog::parse_python_installed`), installed gemspecs (`qm_catalog::parse_gemspec`));
//! the rest is the file. Asserted: the laws of `qm_fuzz::catalog::check_cataloger` (no panic,
//! same answer twice, errors name the file and a line inside it, every package named, with the
//! format's `found_by` and ecosystem, located in the file, with a purl of the format's type
//! that reads and prints back and has a version exactly when the package does; gems always
//! have a version), and each file names at most one package.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::catalog::{Format, check_cataloger, installed};

static FORMATS: LazyLock<Vec<Format>> = LazyLock::new(installed);

fuzz_target!(|data: &[u8]| {
    let Some((&first, file)) = data.split_first() else {
        return;
    };
    let Some(format) = FORMATS.get(usize::from(first) % FORMATS.len()) else {
        return;
    };
    if let Ok(packages) = check_cataloger(format, file) {
        assert!(
            packages.len() <= 1,
            "{}: one metadata file names {} packages",
            format.label,
            packages.len()
        );
    }
});
