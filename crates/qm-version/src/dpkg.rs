//! Dpkg versions. (Placeholder: being written.)

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed Dpkg version.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    text: Box<str>,
}

impl DpkgVersion {
    /// Parses a Dpkg version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        Err(VersionError::new(Scheme::Dpkg, text, "not supported yet"))
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
