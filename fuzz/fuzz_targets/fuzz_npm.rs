//! npm versions, strict (`NpmVersion::parse`, `semver.valid`) and loose
//! (`NpmVersion::parse_loose`). Both parsers obey the laws of `qm_fuzz::check_scheme` (the loose
//! one without the `Scheme::parse` comparison, as the scheme parses strictly), and:
//! - every strict version is a loose version, equal to it with the same numbers;
//! - every strict SemVer version (Hex's grammar) of at most 256 characters whose numbers are at
//!   most 2^53 - 1 is a strict npm version with the same numbers, and where both parse they
//!   order alike (both ignore build metadata).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_version::{HexVersion, NpmVersion, Scheme};

/// node-semver's `MAX_LENGTH`.
const MAX_LENGTH: usize = 256;

/// JavaScript's `Number.MAX_SAFE_INTEGER`, node-semver's bound on major, minor and patch.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

fn numbers(version: &NpmVersion) -> (u64, u64, u64, bool) {
    (
        version.major(),
        version.minor(),
        version.patch(),
        version.is_prerelease(),
    )
}

fuzz_target!(|data: &[u8]| {
    let strict = qm_fuzz::check_scheme(Scheme::Npm, NpmVersion::parse, data);
    let loose = qm_fuzz::check_parser("npm (loose)", Scheme::Npm, NpmVersion::parse_loose, data);
    let hex: Vec<Option<HexVersion>> = strict
        .texts
        .iter()
        .map(|text| HexVersion::parse(text).ok())
        .collect();

    for (index, text) in strict.texts.iter().enumerate() {
        if let Some(version) = &strict.parsed[index] {
            match &loose.parsed[index] {
                Some(loose) => {
                    assert_eq!(loose, version, "{text:?} reads differently when loose");
                    assert_eq!(numbers(loose), numbers(version), "{text:?} loose vs strict");
                }
                None => panic!("{text:?} is a strict npm version but not a loose one"),
            }
        }
        if let Some(hex) = &hex[index] {
            let safe = [hex.major(), hex.minor(), hex.patch()]
                .iter()
                .all(|number| *number <= MAX_SAFE_INTEGER);
            match &strict.parsed[index] {
                Some(version) => assert_eq!(
                    numbers(version),
                    (hex.major(), hex.minor(), hex.patch(), hex.is_prerelease()),
                    "npm and Hex read {text:?} differently"
                ),
                None if safe && text.len() <= MAX_LENGTH => {
                    panic!("{text:?} is strict SemVer but npm refuses it")
                }
                None => {}
            }
        }
    }

    let count = strict.texts.len();
    for i in 0..count {
        for j in 0..count {
            if let (Some(a), Some(b), Some(hex_a), Some(hex_b)) =
                (&strict.parsed[i], &strict.parsed[j], &hex[i], &hex[j])
            {
                assert_eq!(
                    a.cmp(b),
                    hex_a.cmp(hex_b),
                    "npm and SemVer order {:?}, {:?} apart",
                    strict.texts[i],
                    strict.texts[j]
                );
            }
        }
    }
});
