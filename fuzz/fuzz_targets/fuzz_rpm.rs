//! RPM versions: the laws of `qm_fuzz::check_scheme`; `RpmVersion::vercmp` on raw strings
//! (valid or not) is reflexive and antisymmetric; and the parts a version exposes (`epoch`,
//! `version`, `release`) put back together give an equal version.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{RpmVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    let checked = qm_fuzz::check_scheme(Scheme::Rpm, RpmVersion::parse, data);
    for a in &checked.texts {
        assert_eq!(
            RpmVersion::vercmp(a, a),
            Ordering::Equal,
            "vercmp({a:?}, itself)"
        );
        for b in &checked.texts {
            assert_eq!(
                RpmVersion::vercmp(a, b),
                RpmVersion::vercmp(b, a).reverse(),
                "vercmp({a:?}, {b:?}) is not the opposite of vercmp({b:?}, {a:?})"
            );
        }
    }
    for (text, version) in checked.valid() {
        let mut rebuilt = format!("{}:{}", version.epoch(), version.version());
        if let Some(release) = version.release() {
            rebuilt.push('-');
            rebuilt.push_str(release);
        }
        match RpmVersion::parse(&rebuilt) {
            Ok(again) => assert_eq!(
                again.cmp(version),
                Ordering::Equal,
                "{text:?} and its parts put back together ({rebuilt:?}) differ"
            ),
            Err(error) => panic!("{text:?} parsed but its parts {rebuilt:?} do not: {error}"),
        }
    }
});
