//! The rpm database (`qm_catalog::parse_rpmdb`): the input is the bytes of one database file
//! (SQLite `rpmdb.sqlite`, Berkeley DB `Packages` or ndb `Packages.db`; the parser tells them
//! apart by magic bytes, not by the name). Asserted: the laws of
//! `qm_fuzz::catalog::check_cataloger` (no panic, same answer twice, errors name the file,
//! every package named and versioned, found by `rpmdb`, Red Hat, located in the file, with an
//! `rpm` purl that reads and prints back), and no `gpg-pubkey` pseudo-package is reported.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::catalog::{Format, check_cataloger, rpmdb};

static FORMAT: LazyLock<Format> = LazyLock::new(rpmdb);

fuzz_target!(|data: &[u8]| {
    if let Ok(packages) = check_cataloger(&FORMAT, data) {
        for package in &packages {
            assert_ne!(
                package.name, "gpg-pubkey",
                "rpmdb: a signing key reported as a package: {package:?}"
            );
        }
    }
});
