//! What can go wrong with a fleet store.

use std::error::Error as StdError;

/// A boxed cause from a driver, kept out of the public types (`rusqlite`, `postgres`).
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Errors of the fleet store. Each names the store (its location, passwords hidden) or the
/// target concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// `--store`/`QM_STORE` is not a store location.
    #[error("`{location}` is not a fleet store location: {reason}")]
    InvalidLocation {
        /// What was given.
        location: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The store cannot be opened or reached.
    #[error("cannot open the fleet store `{store}`")]
    Open {
        /// The store.
        store: String,
        /// The driver's reason.
        #[source]
        source: BoxError,
    },
    /// The SQLite file is damaged or is not an SQLite database at all.
    #[error("the fleet store `{store}` is damaged or is not an SQLite database")]
    Corrupt {
        /// The store.
        store: String,
        /// The driver's reason.
        #[source]
        source: BoxError,
    },
    /// The database holds something else than a fleet store.
    #[error("`{store}` is not a Quartermaster fleet store: {reason}")]
    NotAStore {
        /// The store.
        store: String,
        /// What gave it away.
        reason: String,
    },
    /// The store was written by a newer Quartermaster.
    #[error(
        "the fleet store `{store}` has schema version {found}, newer than the {supported} this \
         version of qm understands"
    )]
    NewerSchema {
        /// The store.
        store: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// A statement failed.
    #[error("the fleet store `{store}` failed to {action}")]
    Statement {
        /// The store.
        store: String,
        /// What was being done (`add a revision`, `list targets`).
        action: String,
        /// The driver's reason.
        #[source]
        source: BoxError,
    },
    /// A target name that cannot be stored.
    #[error("`{name}` is not a target name: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// An `affected` query that cannot be read.
    #[error("`{query}` is not a vulnerability id, package URL or `name[@version]`: {reason}")]
    InvalidQuery {
        /// The query.
        query: String,
        /// Why.
        reason: String,
    },
    /// An inventory or finding could not be encoded or decoded.
    #[error("cannot {action} for target `{target}`")]
    Encoding {
        /// The target.
        target: String,
        /// What was being done (`encode the inventory`, `decode revision 3`).
        action: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// Matching against the vulnerability database failed.
    #[error("cannot match the fleet's packages against the vulnerability database")]
    Match {
        /// The matcher's error.
        #[source]
        source: qm_match::MatchError,
    },
    /// The store holds something this code never writes.
    #[error("the fleet store holds unexpected data: {detail}")]
    Unexpected {
        /// What.
        detail: String,
    },
}

impl FleetError {
    /// A concrete next step for the user, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            FleetError::NewerSchema { .. } => Some(
                "upgrade qm to a version that knows this schema; older versions never write to it",
            ),
            FleetError::Corrupt { .. } => Some(
                "restore the file from a backup, or move it aside: the next `qm fleet add` \
                 starts an empty store",
            ),
            FleetError::NotAStore { .. } => Some(
                "point `--store`/`QM_STORE` at a fleet store or at a path that does not exist yet",
            ),
            FleetError::InvalidLocation { .. } => {
                Some("write `sqlite://PATH` or `postgres://USER@HOST[:PORT]/DATABASE`")
            }
            _ => None,
        }
    }
}
