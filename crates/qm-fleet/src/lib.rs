//! The fleet store: the inventories of many targets, kept by name and revision in SQLite (one
//! file, the default) or PostgreSQL (shared by many processes), with the findings derived
//! from them against a vulnerability database, so that "which targets does this CVE reach?"
//! needs no rescan.
//!
//! **Inventories are stored, findings are derived.** An add stores the inventory (zstd JSON)
//! and its packages; findings come from `qm-match` against the current [`VulnDb`] and are
//! stored beside them only so queries are fast. When the database changes, [`Store::rematch`]
//! judges every stored package again and reports, per vulnerability, the targets newly
//! affected and newly fixed.
//!
//! - A **target** is a name the user chooses (`payments-api`) with labels; each add of a new
//!   digest makes a new **revision**, and history is kept. Adding the digest of the latest
//!   revision again changes nothing. The digest is the image's own, or for a directory or SBOM
//!   `sha256:` of the canonical inventory JSON ([`inventory_digest`]).
//! - Every operation is one transaction: parallel adds lose nothing, a killed add leaves no
//!   partial revision. Schemas are versioned ([`SCHEMA_VERSION`]); a store from a newer `qm`,
//!   or a damaged SQLite file, is refused with a clear error ([`FleetError::hint`]).
//!
//! ```no_run
//! # fn demo(inventory: &qm_model::Inventory) -> Result<(), Box<dyn std::error::Error>> {
//! use qm_fleet::{AffectedQuery, FleetMatcher, NewRevision, StoreLocation};
//!
//! let db = qm_vulndb::VulnDb::open(std::path::Path::new("qm.db"))?;
//! let matcher = FleetMatcher::new(&db);
//! let mut store = qm_fleet::open(&StoreLocation::parse("sqlite://fleet.db")?)?;
//! let outcome = store.add(
//!     &NewRevision { name: "payments-api", labels: None, inventory },
//!     &matcher,
//! )?;
//! assert!(outcome.revision >= 1);
//! for found in store.affected(&AffectedQuery::parse("CVE-2024-3094")?)? {
//!     for target in &found.targets {
//!         let _ = (&target.target, &found.package.name, &found.vulnerabilities[0].fixed_version);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Costs: an add is one transaction of a few statements per hundred packages; a re-match
//! judges each distinct (package, distribution, target kind) once, so it scales with how
//! varied the fleet is, not with its size; `affected` grows with its answer (a kernel CVE
//! in every image lists every image). The `fleet` bench measures all three on a synthetic
//! fleet of real Debian 12 packages.
//!
//! The trap: findings are stored once per distinct (package, distribution, target kind) and
//! shared by every revision holding that package, so an add only judges packages the store
//! has not seen. If the database changed since, those shared findings are stale until
//! [`Store::rematch`] runs; [`AddOutcome::stale_findings`] says so.
//!
//! This crate must not read targets (that is `qm-catalog`), compare versions (`qm-version`) or
//! decide what is vulnerable (`qm-match`); it stores and queries.
//!
//! [`VulnDb`]: qm_vulndb::VulnDb

#![warn(missing_docs)]

mod affected;
mod core;
mod error;
mod exposure;
mod model;
mod plan;
mod postgres;
mod query;
mod report;
mod roster;
mod schema;
mod sql;
mod sqlite;
mod store;
#[cfg(feature = "test-support")]
pub mod testing;

/// Entry points for the fuzz targets in `fuzz/`; not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    /// Decodes a roster chunk (stored bytes, so possibly damaged) and checks that what it
    /// read encodes back to the same bytes; the number of entries, or why the chunk is
    /// refused.
    ///
    /// # Panics
    /// When a decoded chunk does not encode back to its bytes.
    pub fn roster_chunk(bytes: &[u8]) -> Result<usize, String> {
        let entries = crate::roster::decode(bytes).map_err(|error| error.to_string())?;
        assert_eq!(
            crate::roster::encode(&entries),
            bytes,
            "a roster chunk does not encode back to itself"
        );
        Ok(entries.len())
    }
}

pub use crate::core::{FleetMatcher, inventory_digest};
pub use crate::error::{BoxError, FleetError};
pub use crate::model::{
    AddOutcome, AffectedPackage, AffectedTarget, AffectedVulnerability, Exposure, Labels,
    NewRevision, PackageInfo, RematchReport, RevisionSummary, SeverityCounts, TargetDetail,
    TargetSummary, VulnerabilityChange,
};
pub use crate::plan::{
    EcosystemUpgrades, PatchPlan, PlanGroup, PlanOrigin, PlanRequest, PlanSummary, UnfixedFinding,
    Upgrade,
};
pub use crate::postgres::PostgresStore;
pub use crate::query::{AffectedQuery, PurlQuery, purl_key};
pub use crate::report::{
    FleetReport, FleetStatistics, JsonReportWriter, OpenExposure, PatchBin, PatchTimes,
    ReportBuilder, ReportOptions, ReportedExposure, SeverityStatistics, TargetStatistics,
    TimelinePoint, render_html, render_markdown,
};
pub use crate::schema::SCHEMA_VERSION;
pub use crate::sqlite::SqliteStore;
pub use crate::store::{Store, StoreLocation, open};
