//! Alpine versions: the laws of `qm_fuzz::check_scheme`; `ApkVersion::compare_like_apk` and
//! `ApkVersion::fuzzy_matches_like_apk` never panic on raw strings and agree with the parsed
//! ordering and `fuzzy_matches` when both strings are valid; a version fuzzy-matches itself.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{ApkVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    let checked = qm_fuzz::check_scheme(Scheme::Apk, ApkVersion::parse, data);
    // apk's raw comparison is no total order on invalid strings, so it is only run here.
    for a in &checked.texts {
        for b in &checked.texts {
            let _ = ApkVersion::compare_like_apk(a, b);
            let _ = ApkVersion::fuzzy_matches_like_apk(a, b);
        }
    }
    for (text, version) in checked.valid() {
        assert!(
            version.fuzzy_matches(version),
            "{text:?} does not fuzzy-match itself"
        );
        assert_eq!(
            ApkVersion::compare_like_apk(text, text),
            Ordering::Equal,
            "compare_like_apk({text:?}, itself)"
        );
    }
    for ((a_text, a), (b_text, b)) in checked.valid_pairs() {
        for ((x_text, x), (y_text, y)) in [((a_text, a), (b_text, b)), ((b_text, b), (a_text, a))] {
            assert_eq!(
                ApkVersion::compare_like_apk(x_text, y_text),
                x.cmp(y),
                "compare_like_apk({x_text:?}, {y_text:?}) disagrees with the parsed ordering"
            );
            assert_eq!(
                ApkVersion::fuzzy_matches_like_apk(x_text, y_text),
                x.fuzzy_matches(y),
                "fuzzy_matches_like_apk({x_text:?}, {y_text:?}) disagrees with fuzzy_matches"
            );
        }
    }
});
