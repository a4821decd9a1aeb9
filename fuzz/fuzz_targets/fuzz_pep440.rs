//! PEP 440 versions: the laws of `qm_fuzz::check_scheme`, and the normalised spelling
//! (`Pep440Version::normalized`) parses to an equal version and normalises to itself.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{Pep440Version, Scheme};

fuzz_target!(|data: &[u8]| {
    let checked = qm_fuzz::check_scheme(Scheme::Pep440, Pep440Version::parse, data);
    for (text, version) in checked.valid() {
        let normalized = version.normalized();
        let _ = version.is_prerelease();
        match Pep440Version::parse(&normalized) {
            Ok(again) => {
                assert_eq!(
                    again.cmp(version),
                    Ordering::Equal,
                    "{text:?} and its normalised spelling {normalized:?} differ"
                );
                assert_eq!(
                    again.normalized(),
                    normalized,
                    "normalising {text:?} twice gives another spelling"
                );
                assert_eq!(again.is_prerelease(), version.is_prerelease(), "{text:?}");
            }
            Err(error) => {
                panic!(
                    "{text:?} parsed but its normalised spelling {normalized:?} does not: {error}"
                )
            }
        }
    }
});
