//! The apk installed database (`qm_catalog::parse_apk_installed`): the input is one
//! `lib/apk/db/installed`. Asserted: the laws of `qm_fuzz::catalog::check_cataloger` (no
//! panic, same answer twice, errors name the file and a line inside it, every package named,
//! found by `apk`, Alpine, located in the file, with an `apk` purl that reads and prints back
//! and has a version exactly when the package does), and records are independent: the file, a
//! blank line and the file again read as its packages twice, or fail when the file alone fails.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::catalog::{Format, apk_installed, check_cataloger, check_stanzas_independent};

static FORMAT: LazyLock<Format> = LazyLock::new(apk_installed);

fuzz_target!(|data: &[u8]| {
    let alone = check_cataloger(&FORMAT, data);
    check_stanzas_independent(&FORMAT, data, &alone);
});
