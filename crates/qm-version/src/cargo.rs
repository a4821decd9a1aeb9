//! Cargo versions: SemVer 2.0.0 as the `semver` crate (Cargo's own parser) reads and orders it.
//!
//! Surprises:
//! - Parsing is strict: no leading `v`, no `=`, all three numbers required, no leading zeros.
//! - Unlike SemVer precedence, build metadata breaks ties so that the order stays consistent
//!   with equality: `1.0.0` < `1.0.0+build`, and `1.0.0+a` < `1.0.0+b`. (crates.io refuses to
//!   publish two versions that differ only in build metadata, so this never decides a match.)

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A Cargo (crates.io) version.
#[derive(Debug, Clone)]
pub struct CargoVersion {
    text: Box<str>,
    version: semver::Version,
}

impl CargoVersion {
    /// Parses a Cargo version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        // The `semver` crate's message is already lower case and says what is wrong.
        let version = semver::Version::parse(text)
            .map_err(|error| VersionError::new(Scheme::Cargo, text, error.to_string()))?;
        Ok(CargoVersion {
            text: text.into(),
            version,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a pre-release.
    pub fn is_prerelease(&self) -> bool {
        !self.version.pre.is_empty()
    }
}

impl Ord for CargoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version.cmp(&other.version)
    }
}

impl PartialOrd for CargoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CargoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for CargoVersion {}

impl fmt::Display for CargoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_surprises() {
        let v = |s| CargoVersion::parse(s).unwrap();
        assert!(v("1.0.0-alpha.2") < v("1.0.0-alpha.10"));
        assert!(v("1.0.0-rc.1") < v("1.0.0"));
        assert!(v("1.0.0") < v("1.0.0+build"));
        assert!(v("0.9.99") < v("0.10.0"));
    }

    #[test]
    fn parsing_is_strict() {
        for text in ["v1.0.0", "1.0", "01.0.0", "1.0.0-", "=1.0.0", ""] {
            assert!(CargoVersion::parse(text).is_err(), "{text:?}");
        }
    }
}
