//! Vulnerability data for Quartermaster: feeds are ingested into one advisory model, compiled
//! into a single checksummed file that scans open by mmap, updated from mirrors or upstream,
//! and carried across air gaps as signed bundles.
//!
//! This crate must not match inventories against advisories (that is `qm-match`) nor compare
//! version strings itself (that is `qm-version`).
//!
//! (Being written: feeds, the compiled format, updates and bundles land module by module.)

#![warn(missing_docs)]

mod bundle;
mod db;
mod detect;
mod feeds;
mod fetch;
mod ingest;
mod link;
mod severity;
mod source;
mod update;

pub use bundle::{
    BundleError, BundleInfo, BundleLimits, BundleManifest, DbEntry, InstallOutcome, PublicKey,
    SigningKey, VerifiedBundle, export_bundle, install_bundle, installed_manifest, verify_bundle,
};
pub use db::{
    AdvisoryRef, DbAffected, DbError, DbMetadata, Entries, EntryRef, SourceInfo, VulnDb, write_db,
};
pub use fetch::{FetchError, FetchOptions, Fetched, Fetcher, Progress};
pub use ingest::{
    IngestError, IngestReport, Ingested, Problem, SourceCount, ingest_bytes, ingest_path,
};
pub use link::{LinkReport, alias_groups, link_advisories};
pub use source::{DEFAULT_SOURCES, InvalidSource, Source};
pub use update::{UpdateError, UpdateEvent, UpdateOptions, UpdateOutcome, update};
