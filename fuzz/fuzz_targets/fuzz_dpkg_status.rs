//! The dpkg status database (`qm_catalog::parse_dpkg_status`): the input is one status file,
//! handed over as `var/lib/dpkg/status`. Asserted: the laws of
//! `qm_fuzz::catalog::check_cataloger` (no panic, same answer twice, errors name the file and
//! a line inside it, every package named, found by `dpkg`, Debian, located in the file, with a
//! `deb` purl that reads and prints back and has a version exactly when the package does), and
//! stanzas are independent: the file, a blank line and the file again read as its packages
//! twice, or fail when the file alone fails.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::catalog::{Format, check_cataloger, check_stanzas_independent, dpkg_status};

static FORMAT: LazyLock<Format> = LazyLock::new(dpkg_status);

fuzz_target!(|data: &[u8]| {
    let alone = check_cataloger(&FORMAT, data);
    check_stanzas_independent(&FORMAT, data, &alone);
});
