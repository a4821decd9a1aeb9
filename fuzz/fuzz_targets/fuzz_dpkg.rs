//! Debian versions: the laws of `qm_fuzz::check_scheme`, and the parts a version exposes
//! (`epoch`, `upstream`, `revision`) put back together give an equal version.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{DpkgVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    let checked = qm_fuzz::check_scheme(Scheme::Dpkg, DpkgVersion::parse, data);
    for (text, version) in checked.valid() {
        let mut rebuilt = format!("{}:{}", version.epoch(), version.upstream());
        if !version.revision().is_empty() {
            rebuilt.push('-');
            rebuilt.push_str(version.revision());
        }
        match DpkgVersion::parse(&rebuilt) {
            Ok(again) => assert_eq!(
                again.cmp(version),
                Ordering::Equal,
                "{text:?} and its parts put back together ({rebuilt:?}) differ"
            ),
            Err(error) => panic!("{text:?} parsed but its parts {rebuilt:?} do not: {error}"),
        }
    }
});
