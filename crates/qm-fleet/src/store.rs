//! The [`Store`] trait, its two engines, and [`open`] by location.

use std::ops::ControlFlow;
use std::path::PathBuf;

use qm_model::{Inventory, Rating, Timestamp};

use crate::affected;
use crate::core::{self, FleetMatcher};
use crate::error::FleetError;
use crate::exposure;
use crate::model::{
    AddOutcome, AffectedPackage, Exposure, NewRevision, RematchReport, TargetDetail, TargetSummary,
};
use crate::plan::{PatchPlan, PlanRequest};
use crate::postgres::PostgresStore;
use crate::query::AffectedQuery;
use crate::sqlite::SqliteStore;

/// A fleet store: inventories by target and revision, and the findings derived from them.
///
/// Every method is one transaction: it happens whole or not at all, whatever happens to the
/// process. Findings are derived with a [`FleetMatcher`]: `add` judges only the packages the
/// store has not judged before, `rematch` judges them all again.
pub trait Store: Send {
    /// Where the store is, as users write it (passwords hidden).
    fn location(&self) -> &str;

    /// Adds a target's inventory as a new revision, unless the target's latest revision has
    /// the same digest (then only its labels may change).
    fn add(
        &mut self,
        revision: &NewRevision<'_>,
        matcher: &FleetMatcher<'_>,
    ) -> Result<AddOutcome, FleetError>;

    /// Every target with its latest revision, by name.
    fn list(&mut self) -> Result<Vec<TargetSummary>, FleetError>;

    /// One target: its history and its latest revision's findings; `None` when unknown.
    fn show(&mut self, name: &str) -> Result<Option<TargetDetail>, FleetError>;

    /// A stored inventory: the latest revision's, or revision `revision`'s.
    fn inventory(
        &mut self,
        name: &str,
        revision: Option<u64>,
    ) -> Result<Option<Inventory>, FleetError>;

    /// The packages of latest revisions that `query` names, with their vulnerabilities and
    /// the revisions holding them; by package.
    fn affected(&mut self, query: &AffectedQuery) -> Result<Vec<AffectedPackage>, FleetError>;

    /// Re-derives every finding from `matcher`'s database; reports what changed.
    fn rematch(&mut self, matcher: &FleetMatcher<'_>) -> Result<RematchReport, FleetError>;

    /// The patch plan of the latest revisions (all, or `request.target`'s): the fewest
    /// upgrades clearing the findings at or over `request.severity`, and what has no fix.
    fn plan(&mut self, request: &PlanRequest) -> Result<PatchPlan, FleetError>;

    /// Every exposure, open and closed, to vulnerabilities rated `severity` or worse (of one
    /// target when `target` names one). `Rating::Unknown` takes them all.
    fn exposures(
        &mut self,
        target: Option<&str>,
        severity: Rating,
    ) -> Result<Vec<Exposure>, FleetError>;

    /// The exposures [`Store::exposures`] lists, in its order, handed to `visit` one at a
    /// time: memory holds one target's exposures, not the fleet's. `visit` returns
    /// [`ControlFlow::Break`] to stop early.
    fn each_exposure(
        &mut self,
        target: Option<&str>,
        severity: Rating,
        visit: &mut dyn FnMut(Exposure) -> ControlFlow<()>,
    ) -> Result<(), FleetError>;

    /// The description of the database the stored findings come from, if any was recorded.
    fn database(&mut self) -> Result<Option<String>, FleetError>;

    /// Removes a target with its history and exposures; `false` when there is none by that
    /// name. Packages and findings other targets share stay.
    fn remove(&mut self, name: &str) -> Result<bool, FleetError>;
}

macro_rules! store_impl {
    ($engine:ty) => {
        impl Store for $engine {
            fn location(&self) -> &str {
                <$engine>::location(self)
            }

            fn add(
                &mut self,
                revision: &NewRevision<'_>,
                matcher: &FleetMatcher<'_>,
            ) -> Result<AddOutcome, FleetError> {
                let prepared = core::prepare_add(revision)?;
                let now = Timestamp::now();
                self.run(true, |conn| core::add(conn, &prepared, matcher, now))
            }

            fn list(&mut self) -> Result<Vec<TargetSummary>, FleetError> {
                self.run(false, core::list)
            }

            fn show(&mut self, name: &str) -> Result<Option<TargetDetail>, FleetError> {
                self.run(false, |conn| core::show(conn, name))
            }

            fn inventory(
                &mut self,
                name: &str,
                revision: Option<u64>,
            ) -> Result<Option<Inventory>, FleetError> {
                self.run(false, |conn| core::inventory(conn, name, revision))
            }

            fn affected(
                &mut self,
                query: &AffectedQuery,
            ) -> Result<Vec<AffectedPackage>, FleetError> {
                self.run(false, |conn| affected::affected(conn, query))
            }

            fn rematch(&mut self, matcher: &FleetMatcher<'_>) -> Result<RematchReport, FleetError> {
                let now = Timestamp::now();
                self.run(true, |conn| core::rematch(conn, matcher, now))
            }

            fn plan(&mut self, request: &PlanRequest) -> Result<PatchPlan, FleetError> {
                self.run(false, |conn| crate::plan::plan(conn, request))
            }

            fn exposures(
                &mut self,
                target: Option<&str>,
                severity: Rating,
            ) -> Result<Vec<Exposure>, FleetError> {
                self.run(false, |conn| exposure::list(conn, target, severity))
            }

            fn each_exposure(
                &mut self,
                target: Option<&str>,
                severity: Rating,
                visit: &mut dyn FnMut(Exposure) -> ControlFlow<()>,
            ) -> Result<(), FleetError> {
                self.run(false, |conn| exposure::each(conn, target, severity, visit))
            }

            fn database(&mut self) -> Result<Option<String>, FleetError> {
                self.run(false, core::recorded_database)
            }

            fn remove(&mut self, name: &str) -> Result<bool, FleetError> {
                self.run(true, |conn| core::remove(conn, name))
            }
        }
    };
}

store_impl!(SqliteStore);
store_impl!(PostgresStore);

/// Where a store is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreLocation {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl StoreLocation {
    /// Reads `sqlite://PATH` (`sqlite:///abs/path`, `sqlite://relative/path`, or `sqlite:PATH`)
    /// or `postgres://…`/`postgresql://…`.
    pub fn parse(text: &str) -> Result<StoreLocation, FleetError> {
        let invalid = |reason: &str| FleetError::InvalidLocation {
            location: crate::postgres::redact(text),
            reason: reason.to_owned(),
        };
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(invalid("the path is empty"));
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(StoreLocation::Postgres(text.to_owned()));
        }
        Err(invalid(
            "it starts with neither `sqlite://` nor `postgres://`",
        ))
    }
}

/// Opens (creating or migrating as needed) the store at `location`.
pub fn open(location: &StoreLocation) -> Result<Box<dyn Store>, FleetError> {
    Ok(match location {
        StoreLocation::Sqlite(path) => Box::new(SqliteStore::open(path)?),
        StoreLocation::Postgres(url) => Box::new(PostgresStore::open(url)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(
            StoreLocation::parse("sqlite:///var/lib/qm/fleet.db").unwrap(),
            StoreLocation::Sqlite("/var/lib/qm/fleet.db".into())
        );
        assert_eq!(
            StoreLocation::parse("sqlite://fleet.db").unwrap(),
            StoreLocation::Sqlite("fleet.db".into())
        );
        assert_eq!(
            StoreLocation::parse("sqlite:fleet.db").unwrap(),
            StoreLocation::Sqlite("fleet.db".into())
        );
        assert_eq!(
            StoreLocation::parse("postgresql://qm@localhost/fleet").unwrap(),
            StoreLocation::Postgres("postgresql://qm@localhost/fleet".into())
        );
        for bad in ["", "fleet.db", "sqlite://", "mysql://x", "postgres:/x"] {
            assert!(StoreLocation::parse(bad).is_err(), "{bad}");
        }
        let error = StoreLocation::parse("mysql://qm:secret@db/x").unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
