//! [`MatchError`]: why an inventory could not be matched at all.
//!
//! Only a database that cannot be read is an error. Everything about the inventory that cannot
//! be judged (an unknown release, a version that does not parse) is a [`crate::MatchNote`] in
//! the report instead, because the rest of the inventory can still be judged.

use qm_vulndb::DbError;

/// Why matching stopped.
///
/// A corrupt record is an error, not a skipped advisory: a scan that silently drops the
/// advisories it cannot read would report fewer vulnerabilities than there are, and the cure
/// (replacing the database) is the same whichever record is damaged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// A lookup by package key failed.
    #[error("cannot read the advisories for `{key}` from the vulnerability database")]
    Lookup {
        /// The key looked up (`Debian:12/openssl`).
        key: String,
        /// The database's error.
        #[source]
        source: DbError,
    },
    /// An advisory record could not be decoded.
    #[error("cannot read advisory number {index} of the vulnerability database")]
    Advisory {
        /// The advisory's position in the database.
        index: usize,
        /// The database's error.
        #[source]
        source: DbError,
    },
    /// A search by advisory id failed.
    #[error("cannot look up the advisory id `{id}` in the vulnerability database")]
    Find {
        /// The id.
        id: String,
        /// The database's error.
        #[source]
        source: DbError,
    },
    /// The list of package keys could not be read.
    #[error("cannot list the package keys of the vulnerability database")]
    Keys {
        /// The database's error.
        #[source]
        source: DbError,
    },
}

impl MatchError {
    /// A concrete next step for the user, when there is one (the database's own hint).
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            MatchError::Lookup { source, .. }
            | MatchError::Advisory { source, .. }
            | MatchError::Find { source, .. }
            | MatchError::Keys { source } => source.hint(),
        }
    }
}
