//! Plain data types shared by every Quartermaster crate.
//!
//! This crate holds values, not behaviour: no I/O, no version comparison (that lives in
//! `qm-version`), no parsing of package databases or feeds. Types here are validated when they
//! are built, so a value that exists is a value that makes sense.
//!
//! The main types: [`Ecosystem`] (named the way the
//! [OSV schema](https://ossf.github.io/osv-schema/#affectedpackage-field) names them),
//! [`PackageKey`] (ecosystem, release, normalised name: what advisories are looked up by),
//! [`Advisory`] (what every vulnerability feed is normalised into) and [`AffectedRanges`]
//! (OSV version ranges as plain data; `qm-version` evaluates them).
//!
//! ```
//! use qm_model::Ecosystem;
//!
//! let ecosystem: Ecosystem = "crates.io".parse().unwrap();
//! assert_eq!(ecosystem, Ecosystem::CratesIo);
//! // Names are case-insensitive, and a release suffix is not part of the ecosystem itself.
//! assert_eq!("debian:12".parse::<Ecosystem>().unwrap(), Ecosystem::Debian);
//! ```
//!
//! The trap: OSV ecosystem strings may carry a suffix after the first `:` (`Debian:12`,
//! `Alpine:v3.18`, `Maven:https://maven.google.com`). [`Ecosystem::from_str`] drops it; use
//! [`Ecosystem::split_osv`] when the suffix matters.

#![warn(missing_docs)]

mod advisory;
mod affected;
mod ecosystem;
mod inventory;
mod package;

pub use advisory::{
    Advisory, AffectedPackage, CvssVersion, DistroStatus, InvalidTimestamp, Rating, Reference,
    Severity, Timestamp,
};
pub use affected::{AffectedRanges, Event, Range, RangeKind};
pub use ecosystem::{Ecosystem, UnknownEcosystem};
pub use inventory::{
    Distro, Inventory, InventoryWarning, Layer, Package, SourcePackage, TargetInfo, TargetKind,
};
pub use package::{PackageKey, PackageName, normalize_release};
