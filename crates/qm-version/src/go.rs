//! Go module versions: SemVer with a `v` prefix, as `golang.org/x/mod/semver` reads them.
//!
//! Surprises:
//! - `go.mod` writes `v1.2.3`; OSV advisories for Go write `1.2.3`. Both are accepted and equal.
//! - `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`, but only without a pre-release
//!   or build suffix.
//! - `+incompatible` (a module at major version 2 or more without a `/vN` path) is build
//!   metadata and does not order: `v2.0.0+incompatible` equals `v2.0.0`.
//! - Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.20191109021931-…`) are
//!   pre-releases, so they order correctly by their timestamp and below the release they
//!   precede, with no special casing.

use std::cmp::Ordering;
use std::fmt;

use crate::semver::{Grammar, SemVerParts, semver_flavour};
use crate::{Scheme, VersionError};

semver_flavour!(
    /// A Go module version (`v1.2.3`, `1.2.3`, `v2.0.0+incompatible`, pseudo-versions).
    GoVersion,
    Grammar {
        scheme: Scheme::Go,
        v_prefix: true,
        shorthand: true,
        shorthand_suffix: false,
    },
    SemVerParts::precedence
);

impl GoVersion {
    /// Whether this is a pseudo-version: a pre-release whose last two identifiers are a
    /// 14-digit timestamp and a 12-character commit hash.
    pub fn is_pseudo(&self) -> bool {
        let pre = self
            .text
            .split_once('+')
            .map_or(&*self.text, |(rest, _)| rest)
            .split_once('-')
            .map(|(_, pre)| pre);
        let Some(pre) = pre else {
            return false;
        };
        let mut parts = pre.rsplitn(3, ['-', '.']);
        let hash = parts.next().unwrap_or_default();
        let time = parts.next().unwrap_or_default();
        hash.len() == 12
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && time.len() == 14
            && time.bytes().all(|b| b.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GoVersion {
        GoVersion::parse(text).unwrap()
    }

    #[test]
    fn ordering_surprises() {
        let cases = [
            ("v1.2.3", "1.2.3", Ordering::Equal),
            ("v1", "v1.0.0", Ordering::Equal),
            ("v1.2", "v1.2.0", Ordering::Equal),
            ("v2.0.0+incompatible", "v2.0.0", Ordering::Equal),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.1",
                Ordering::Less,
            ),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                Ordering::Less,
            ),
            (
                "v1.2.4-0.20191109021931-daa7c04131f5",
                "v1.2.3",
                Ordering::Greater,
            ),
            (
                "v1.2.4-0.20191109021931-daa7c04131f5",
                "v1.2.4",
                Ordering::Less,
            ),
            ("v1.10.0", "v1.9.9", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(v(a).cmp(&v(b)), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn pseudo_versions_are_recognised() {
        assert!(v("v0.0.0-20191109021931-daa7c04131f5").is_pseudo());
        assert!(v("v1.2.4-0.20191109021931-daa7c04131f5").is_pseudo());
        assert!(v("v1.2.4-pre.0.20191109021931-daa7c04131f5+incompatible").is_pseudo());
        assert!(!v("v1.2.4-rc.1").is_pseudo());
        assert!(!v("v1.2.4").is_pseudo());
    }

    #[test]
    fn invalid_versions_are_refused() {
        for text in [
            "", "v", "v1.2-pre", "v1.2.3.4", "vv1.2.3", "1.2.3-", "v01.2.3", "latest",
        ] {
            assert!(GoVersion::parse(text).is_err(), "{text:?}");
        }
    }
}
