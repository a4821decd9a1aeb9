//! Generic versions: the laws of `qm_fuzz::check_scheme`, and the two rules the module
//! documents as its trap: separators do not matter (every byte that is not an ASCII letter,
//! digit or `~` may become `.`) and words compare case-insensitively.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{GenericVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    let checked = qm_fuzz::check_scheme(Scheme::Generic, GenericVersion::parse, data);
    for (text, version) in checked.valid() {
        let dotted: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '~' {
                    c
                } else {
                    '.'
                }
            })
            .collect();
        let variants = [
            ("separators replaced", dotted),
            ("lower case", text.to_ascii_lowercase()),
            ("upper case", text.to_ascii_uppercase()),
        ];
        for (what, variant) in variants {
            match GenericVersion::parse(&variant) {
                Ok(again) => assert_eq!(
                    again.cmp(version),
                    Ordering::Equal,
                    "{text:?} differs from itself with {what} ({variant:?})"
                ),
                Err(error) => panic!("{text:?} parsed but with {what} ({variant:?}) not: {error}"),
            }
        }
    }
});
