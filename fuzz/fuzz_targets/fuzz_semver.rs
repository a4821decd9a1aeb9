//! The SemVer flavours: plain SemVer (OSV `SEMVER` ranges), Hex, pub, Go and Cargo. Each obeys
//! the laws of `qm_fuzz::check_scheme`, and the flavours agree where their grammars overlap:
//! - Hex and pub share one strict grammar: one accepts exactly what the other does;
//! - every strict (Hex) version is a valid Go and SemVer version, and every Go version a valid
//!   SemVer version, with the same major, minor, patch and pre-release status;
//! - SemVer, Hex and Go order by SemVer precedence alike, and pub and Cargo, which also order by
//!   build metadata, only break its ties: where precedence is not `Equal` they agree with it.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use qm_version::{CargoVersion, GoVersion, HexVersion, PubVersion, Scheme, SemVerVersion};

/// What every flavour exposes, read the same way.
#[derive(Debug, PartialEq, Eq)]
struct Numbers {
    major: u64,
    minor: u64,
    patch: u64,
    prerelease: bool,
}

macro_rules! numbers {
    ($version:expr) => {
        Numbers {
            major: $version.major(),
            minor: $version.minor(),
            patch: $version.patch(),
            prerelease: $version.is_prerelease(),
        }
    };
}

/// The ordering of the strings `i` and `j` under one flavour, when both parse.
fn ordering<T: Ord>(parsed: &[Option<T>], i: usize, j: usize) -> Option<Ordering> {
    match (parsed.get(i)?, parsed.get(j)?) {
        (Some(a), Some(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let semver = qm_fuzz::check_scheme(Scheme::SemVer, SemVerVersion::parse, data);
    let hex = qm_fuzz::check_scheme(Scheme::Hex, HexVersion::parse, data);
    let pub_ = qm_fuzz::check_scheme(Scheme::Pub, PubVersion::parse, data);
    let go = qm_fuzz::check_scheme(Scheme::Go, GoVersion::parse, data);
    let cargo = qm_fuzz::check_scheme(Scheme::Cargo, CargoVersion::parse, data);

    for (index, text) in semver.texts.iter().enumerate() {
        let semver = semver.parsed[index].as_ref().map(|v| numbers!(v));
        let hex = hex.parsed[index].as_ref().map(|v| numbers!(v));
        let pub_ = pub_.parsed[index].as_ref().map(|v| numbers!(v));
        let go = go.parsed[index].as_ref().map(|v| numbers!(v));
        let cargo_prerelease = cargo.parsed[index]
            .as_ref()
            .map(CargoVersion::is_prerelease);
        assert_eq!(
            hex.is_some(),
            pub_.is_some(),
            "Hex and pub disagree on {text:?}"
        );
        if hex.is_some() {
            assert_eq!(hex, pub_, "Hex and pub read {text:?} differently");
            assert_eq!(hex, go, "a Hex version is a Go version: {text:?}");
            assert_eq!(hex, semver, "a Hex version is a SemVer version: {text:?}");
            if let (Some(hex), Some(cargo)) = (&hex, cargo_prerelease) {
                assert_eq!(hex.prerelease, cargo, "Hex and Cargo disagree on {text:?}");
            }
        }
        if go.is_some() {
            assert_eq!(go, semver, "a Go version is a SemVer version: {text:?}");
        }
    }

    let count = semver.texts.len();
    for i in 0..count {
        for j in 0..count {
            let precedence = [
                ("SemVer", ordering(&semver.parsed, i, j)),
                ("Hex", ordering(&hex.parsed, i, j)),
                ("Go", ordering(&go.parsed, i, j)),
            ];
            let refining = [
                ("pub", ordering(&pub_.parsed, i, j)),
                ("Cargo", ordering(&cargo.parsed, i, j)),
            ];
            let (a, b) = (&semver.texts[i], &semver.texts[j]);
            for (name, order) in precedence {
                let Some(order) = order else { continue };
                for (other_name, other) in precedence {
                    if let Some(other) = other {
                        assert_eq!(
                            order, other,
                            "{name} and {other_name} order {a:?}, {b:?} apart"
                        );
                    }
                }
                if order == Ordering::Equal {
                    continue;
                }
                for (other_name, other) in refining {
                    if let Some(other) = other {
                        assert_eq!(
                            order, other,
                            "{other_name} reverses {name}'s precedence of {a:?}, {b:?}"
                        );
                    }
                }
            }
        }
    }
});
