//! Generic versions. (Placeholder: being written.)

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed Generic version.
#[derive(Debug, Clone)]
pub struct GenericVersion {
    text: Box<str>,
}

impl GenericVersion {
    /// Parses a Generic version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        Err(VersionError::new(
            Scheme::Generic,
            text,
            "not supported yet",
        ))
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GenericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GenericVersion {}

impl fmt::Display for GenericVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
