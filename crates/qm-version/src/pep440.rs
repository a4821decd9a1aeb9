//! Python versions under PEP 440, parsed and ordered by `pep440_rs` (the implementation uv
//! grew), wrapped so that its types stay out of our public API.
//!
//! Surprises:
//! - Spelling is normalised: `1.0-RC1`, `1.0rc1` and `1.0.rc.1` are the same version, as are
//!   `1.0.post1`, `1.0-1` and `1.0_r1`; a leading `v` is allowed; trailing zeros do not count
//!   (`1.0` equals `1.0.0`).
//! - The epoch (`1!1.0`) outranks everything else.
//! - Order within a release: `.devN` < `aN` < `bN` < `rcN` < release < `.postN`; a dev-release
//!   of a pre- or post-release sorts just before it (`1.0a1.dev1` < `1.0a1`).
//! - Local versions (`+ubuntu1`) sort after the same public version, segment by segment.
//! - Legacy versions (`french toast`, `1.0-foo-bar`), which setuptools once accepted and
//!   `packaging` dropped, are errors: ordering them would be a guess.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionError};

/// A PEP 440 version.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    text: Box<str>,
    version: pep440_rs::Version,
}

impl Pep440Version {
    /// Parses a PEP 440 version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        // pep440_rs accepts a few characters Python's `str.isdigit` calls digits only when they
        // are ASCII; refuse anything non-ASCII up front so the error is plain.
        if !text.is_ascii() {
            return Err(VersionError::new(
                Scheme::Pep440,
                text,
                "versions may hold only ASCII characters",
            ));
        }
        let version = pep440_rs::Version::from_str(text)
            .map_err(|error| VersionError::new(Scheme::Pep440, text, error.to_string()))?;
        Ok(Pep440Version {
            text: text.into(),
            version,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The normalised spelling (`1.0-RC1` gives `1.0rc1`).
    pub fn normalized(&self) -> String {
        self.version.to_string()
    }

    /// Whether this is a pre-release or a dev-release.
    pub fn is_prerelease(&self) -> bool {
        self.version.any_prerelease()
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version.cmp(&other.version)
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Pep440Version {
        Pep440Version::parse(text).unwrap()
    }

    #[test]
    fn spellings_are_normalised() {
        let cases = [
            ("1.0-RC1", "1.0rc1"),
            ("1.0.rc.1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("v1.0", "1.0"),
            ("1.0", "1.0.0"),
            ("0!1.0", "1.0"),
        ];
        for (a, b) in cases {
            assert_eq!(v(a), v(b), "{a} vs {b}");
        }
        assert_eq!(v("1.0-RC1").normalized(), "1.0rc1");
    }

    #[test]
    fn ordering_surprises() {
        let order = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn legacy_versions_are_refused() {
        for text in ["french toast", "1.0-foo-bar", "", "1.0+", "٠١٢"] {
            let error = Pep440Version::parse(text).unwrap_err();
            assert_eq!(error.scheme(), Scheme::Pep440);
        }
    }
}
