//! SemVer 2.0.0 and the flavours built on it: plain SemVer (OSV `SEMVER` ranges), Hex and pub.
//! Go module versions (`go.rs`) share the grammar here; npm (`npm.rs`) and Cargo (`cargo.rs`)
//! have their own parsers because their tools do.
//!
//! Surprises:
//! - A pre-release is older than its release (`1.0.0-rc.1` < `1.0.0`); pre-release identifiers
//!   compare one by one, numbers numerically and below any alphanumeric identifier
//!   (`1.0.0-alpha.2` < `1.0.0-alpha.10` < `1.0.0-alpha.beta`), and a longer list wins when one
//!   is a prefix of the other (`1.0.0-alpha` < `1.0.0-alpha.1`).
//! - Build metadata (`+…`) does not order SemVer, OSV `SEMVER`, Hex or Go versions:
//!   `1.0.0+a` equals `1.0.0+b`. Dart's pub is the exception: a build is newer than no build and
//!   builds order like pre-releases (`1.0.0` < `1.0.0+1` < `1.0.0+2`).
//! - Leading zeros in numeric parts are invalid (`01.2.3`, `1.2.3-01`), as are empty
//!   identifiers, characters outside `[0-9A-Za-z-]` and numbers beyond `u64`.
//! - [`SemVerVersion`], used for OSV `SEMVER` ranges, also accepts a leading `v` and missing
//!   minor or patch numbers (`1.2` is `1.2.0`), because advisory data writes them (osv.dev
//!   normalises the same way). [`HexVersion`] and [`PubVersion`] are strict.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// One dot-separated pre-release or build identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    Numeric(u64),
    Alphanumeric(Box<str>),
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => {
                a.as_bytes().cmp(b.as_bytes())
            }
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What a flavour's grammar tolerates beyond strict SemVer 2.0.0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grammar {
    pub(crate) scheme: Scheme,
    /// A leading `v` is accepted (`v1.2.3`).
    pub(crate) v_prefix: bool,
    /// `1` and `1.2` are accepted as `1.0.0` and `1.2.0`.
    pub(crate) shorthand: bool,
    /// Shorthand forms may carry a pre-release or build (Go refuses `v1.2-pre`).
    pub(crate) shorthand_suffix: bool,
}

/// The parsed parts of a SemVer version.
#[derive(Debug, Clone)]
pub(crate) struct SemVerParts {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    pub(crate) pre: Box<[Identifier]>,
    pub(crate) build: Box<[Identifier]>,
}

impl SemVerParts {
    /// SemVer precedence: build metadata ignored.
    pub(crate) fn precedence(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }

    /// Parses `text` under `grammar`.
    pub(crate) fn parse(text: &str, grammar: Grammar) -> Result<SemVerParts, VersionError> {
        let error = |reason: &'static str| VersionError::new(grammar.scheme, text, reason);
        let mut rest = text;
        if grammar.v_prefix {
            rest = rest.strip_prefix('v').unwrap_or(rest);
        }
        let (rest, build) = match rest.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (rest, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let mut numbers = [0u64; 3];
        let mut count = 0;
        for part in core.split('.') {
            let slot = numbers
                .get_mut(count)
                .ok_or_else(|| error("more than three version numbers"))?;
            *slot = parse_number(part).map_err(error)?;
            count += 1;
        }
        if count < 3 {
            if !grammar.shorthand {
                return Err(error("major, minor and patch numbers are required"));
            }
            if !grammar.shorthand_suffix && (pre.is_some() || build.is_some()) {
                return Err(error(
                    "a shortened version cannot carry a pre-release or build",
                ));
            }
        }
        let pre = match pre {
            Some(pre) => parse_identifiers(pre, true).map_err(error)?,
            None => Box::default(),
        };
        let build = match build {
            Some(build) => parse_identifiers(build, false).map_err(error)?,
            None => Box::default(),
        };
        let [major, minor, patch] = numbers;
        Ok(SemVerParts {
            major,
            minor,
            patch,
            pre,
            build,
        })
    }
}

/// Parses a major, minor or patch number: digits only, no leading zero, fits `u64`.
fn parse_number(part: &str) -> Result<u64, &'static str> {
    if part.is_empty() {
        return Err("empty version number");
    }
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err("version numbers must be digits");
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err("version numbers must not have leading zeros");
    }
    part.parse().map_err(|_| "version number is too large")
}

/// Parses dot-separated identifiers; `strict_numbers` refuses leading zeros (pre-releases do,
/// build metadata does not).
fn parse_identifiers(text: &str, strict_numbers: bool) -> Result<Box<[Identifier]>, &'static str> {
    text.split('.')
        .map(|identifier| {
            if identifier.is_empty() {
                return Err("empty pre-release or build identifier");
            }
            if !identifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err("identifiers may hold only ASCII letters, digits and hyphens");
            }
            if identifier.bytes().all(|b| b.is_ascii_digit()) {
                if strict_numbers && identifier.len() > 1 && identifier.starts_with('0') {
                    return Err("numeric pre-release identifiers must not have leading zeros");
                }
                return match identifier.parse() {
                    Ok(number) => Ok(Identifier::Numeric(number)),
                    // A long numeric build identifier is still a valid identifier.
                    Err(_) if !strict_numbers => Ok(Identifier::Alphanumeric(identifier.into())),
                    Err(_) => Err("numeric identifier is too large"),
                };
            }
            Ok(Identifier::Alphanumeric(identifier.into()))
        })
        .collect()
}

/// Declares a SemVer-based version type: text plus parts, an ordering, and the usual traits.
macro_rules! semver_flavour {
    ($(#[$doc:meta])* $name:ident, $grammar:expr, $ordering:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            text: Box<str>,
            parts: SemVerParts,
        }

        impl $name {
            /// Parses a version of this flavour.
            pub fn parse(text: &str) -> Result<Self, VersionError> {
                Ok($name {
                    text: text.into(),
                    parts: SemVerParts::parse(text, $grammar)?,
                })
            }

            /// The version as it was written.
            pub fn as_str(&self) -> &str {
                &self.text
            }

            /// The major version number.
            pub fn major(&self) -> u64 {
                self.parts.major
            }

            /// The minor version number.
            pub fn minor(&self) -> u64 {
                self.parts.minor
            }

            /// The patch version number.
            pub fn patch(&self) -> u64 {
                self.parts.patch
            }

            /// Whether this is a pre-release.
            pub fn is_prerelease(&self) -> bool {
                !self.parts.pre.is_empty()
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                $ordering(&self.parts, &other.parts)
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }

        impl Eq for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }
    };
}

pub(crate) use semver_flavour;

/// pub's ordering: SemVer precedence, then no build < build, then builds like pre-releases.
fn pub_ordering(a: &SemVerParts, b: &SemVerParts) -> Ordering {
    a.precedence(b)
        .then_with(|| match (a.build.is_empty(), b.build.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a.build.cmp(&b.build),
        })
}

semver_flavour!(
    /// A SemVer 2.0.0 version as OSV `SEMVER` ranges use it: a leading `v` and missing minor or
    /// patch numbers are tolerated; build metadata does not order.
    SemVerVersion,
    Grammar {
        scheme: Scheme::SemVer,
        v_prefix: true,
        shorthand: true,
        shorthand_suffix: true,
    },
    SemVerParts::precedence
);

semver_flavour!(
    /// A Hex (Erlang, Elixir) version: strict SemVer 2.0.0, as Elixir's `Version` parses it;
    /// build metadata does not order.
    HexVersion,
    Grammar {
        scheme: Scheme::Hex,
        v_prefix: false,
        shorthand: false,
        shorthand_suffix: false,
    },
    SemVerParts::precedence
);

semver_flavour!(
    /// A Dart pub version: strict SemVer 2.0.0 where build metadata also orders
    /// (`1.0.0` < `1.0.0+1`), as `pub_semver` does.
    PubVersion,
    Grammar {
        scheme: Scheme::Pub,
        v_prefix: false,
        shorthand: false,
        shorthand_suffix: false,
    },
    pub_ordering
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_accepts_osv_spellings() {
        let cases = [
            ("v1.2.3", "1.2.3"),
            ("1.2", "1.2.0"),
            ("0", "0.0.0"),
            ("1", "1.0.0"),
        ];
        for (a, b) in cases {
            assert_eq!(
                SemVerVersion::parse(a).unwrap(),
                SemVerVersion::parse(b).unwrap(),
                "{a}"
            );
        }
    }

    #[test]
    fn strict_flavours_refuse_shorthand_and_prefix() {
        for text in [
            "1.2",
            "v1.2.3",
            "01.2.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3.4",
        ] {
            assert!(HexVersion::parse(text).is_err(), "{text}");
            assert!(PubVersion::parse(text).is_err(), "{text}");
        }
        assert!(HexVersion::parse("18446744073709551616.0.0").is_err());
        assert!(SemVerVersion::parse("1.2.3-a_b").is_err());
    }

    #[test]
    fn build_metadata_orders_only_pub() {
        let hex = |s| HexVersion::parse(s).unwrap();
        let pub_ = |s| PubVersion::parse(s).unwrap();
        assert_eq!(hex("1.0.0+a"), hex("1.0.0+b"));
        assert!(pub_("1.0.0") < pub_("1.0.0+1"));
        assert!(pub_("1.0.0+1") < pub_("1.0.0+2"));
        assert!(pub_("1.0.0+2") < pub_("1.0.0+a"));
        assert!(pub_("1.0.0-rc+9") < pub_("1.0.0"));
    }

    #[test]
    fn prerelease_precedence() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.2",
            "1.0.0-alpha.10",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
        ];
        for pair in order.windows(2) {
            let (a, b) = (
                HexVersion::parse(pair[0]).unwrap(),
                HexVersion::parse(pair[1]).unwrap(),
            );
            assert!(a < b, "{a} < {b}");
        }
    }
}
