//! Composer versions. (Placeholder: being written.)

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed Composer version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: Box<str>,
}

impl ComposerVersion {
    /// Parses a Composer version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        Err(VersionError::new(
            Scheme::Composer,
            text,
            "not supported yet",
        ))
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

impl fmt::Display for ComposerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
