//! npm ranges (`NpmRange`). The input is a range, then versions, separated by NUL bytes; each
//! is tried under all four `NpmRangeOptions`. Asserted:
//! - parsing never panics; a refused range's error names the npm scheme and the range;
//! - a parsed range displays as written, and that text parses again to a range that every
//!   version satisfies exactly when it satisfied the first;
//! - `satisfies` never panics, for versions parsed strictly and loosely;
//! - `include_prerelease` only widens a range: what satisfies it without the option satisfies
//!   it with the option;
//! - a strict npm version, read as a range, parses under every option and is satisfied by
//!   itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_version::{NpmRange, NpmRangeOptions, NpmVersion, Scheme};

const OPTIONS: [NpmRangeOptions; 4] = [
    NpmRangeOptions {
        loose: false,
        include_prerelease: false,
    },
    NpmRangeOptions {
        loose: false,
        include_prerelease: true,
    },
    NpmRangeOptions {
        loose: true,
        include_prerelease: false,
    },
    NpmRangeOptions {
        loose: true,
        include_prerelease: true,
    },
];

fn parse_range(text: &str, options: NpmRangeOptions) -> Option<NpmRange> {
    match NpmRange::parse(text, options) {
        Ok(range) => {
            assert_eq!(
                range.to_string(),
                text,
                "{options:?}: Display must print the range as written"
            );
            assert_eq!(range.as_str(), text, "{options:?}: as_str of {text:?}");
            Some(range)
        }
        Err(error) => {
            assert_eq!(
                error.scheme(),
                Scheme::Npm,
                "{options:?}: error for {text:?}"
            );
            assert_eq!(
                error.input(),
                text,
                "{options:?}: error for {text:?} names another input"
            );
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let texts = qm_fuzz::split(data);
    let Some((range_text, version_texts)) = texts.split_first() else {
        return;
    };
    let mut versions: Vec<(&str, NpmVersion)> = Vec::new();
    for text in version_texts {
        versions.extend(NpmVersion::parse(text).ok().map(|v| (text.as_str(), v)));
        versions.extend(
            NpmVersion::parse_loose(text)
                .ok()
                .map(|v| (text.as_str(), v)),
        );
    }

    let ranges = OPTIONS.map(|options| parse_range(range_text, options));
    for (options, range) in OPTIONS.iter().zip(&ranges) {
        let Some(range) = range else { continue };
        let again = match NpmRange::parse(&range.to_string(), *options) {
            Ok(again) => again,
            Err(error) => {
                panic!("{options:?}: {range_text:?} parsed but its display does not: {error}")
            }
        };
        for (text, version) in &versions {
            assert_eq!(
                range.satisfies(version),
                again.satisfies(version),
                "{options:?}: {range_text:?} and its display disagree on {text:?}"
            );
        }
    }
    // `OPTIONS` pairs each setting without `include_prerelease` with the same one with it.
    for pair in ranges.chunks(2) {
        if let [Some(narrow), Some(wide)] = pair {
            for (text, version) in &versions {
                assert!(
                    !narrow.satisfies(version) || wide.satisfies(version),
                    "{text:?} satisfies {range_text:?} without include_prerelease but not with it"
                );
            }
        }
    }
    if let Ok(version) = NpmVersion::parse(range_text) {
        for (options, range) in OPTIONS.iter().zip(&ranges) {
            match range {
                Some(range) => assert!(
                    range.satisfies(&version),
                    "{options:?}: the version {range_text:?} does not satisfy itself as a range"
                ),
                None => panic!("{options:?}: the version {range_text:?} is refused as a range"),
            }
        }
    }
});
