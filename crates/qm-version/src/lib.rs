//! Version schemes of every package ecosystem Quartermaster scans, and evaluation of OSV
//! `affected` ranges.
//!
//! A scanner that orders versions wrongly reports vulnerabilities that are fixed and misses ones
//! that are not, so this crate is the one place where version strings are parsed and compared.
//! Nothing else in Quartermaster compares version strings. The crate is pure: no I/O, no
//! logging, no global state.
//!
//! The main types:
//! - [`Scheme`]: the ordering rules of a family of versions (dpkg, rpm, apk, PEP 440, SemVer in
//!   its npm, Cargo, Go, Hex and pub flavours, Maven, RubyGems, NuGet, Composer, and a generic
//!   fallback). [`Scheme::for_ecosystem`] picks the scheme of an OSV ecosystem.
//! - [`Version`]: a parsed version of any scheme, and one type per scheme ([`DpkgVersion`], …)
//!   for code that knows its scheme statically.
//! - [`CompiledAffected`]: an OSV `affected` entry's `ranges` and `versions`
//!   (`qm_model::AffectedRanges`) parsed once and ready to evaluate; [`Evaluation`] says whether
//!   an installed version is affected and which version fixes it ([`evaluate`] does both at once).
//!
//! ```
//! use std::cmp::Ordering;
//! use qm_version::Scheme;
//!
//! // `~` sorts before the empty string in Debian versions: a release candidate is older.
//! assert_eq!(Scheme::Dpkg.compare("2.2~rc-4", "2.2-1").unwrap(), Ordering::Less);
//! // An invalid version is an error, never a guess.
//! assert!(Scheme::Pep440.parse("french toast").is_err());
//! ```
//!
//! The trap a newcomer hits: equality is the scheme's equality, not string equality. `1.0000-1`
//! and `1.0-1` are the same Debian version, `1.0` and `1.0.0` the same Maven version; the
//! original text is kept for display but never used to decide order. And versions of different
//! schemes are not comparable in any meaningful way: [`Version`] orders them by scheme only so
//! that it stays a total order.
//!
//! Each scheme's module documentation lists the surprises of that scheme.

#![warn(missing_docs)]

mod apk;
mod cargo;
mod composer;
mod dpkg;
mod error;
mod generic;
mod go;
mod maven;
mod npm;
mod nuget;
mod osv;
mod pep440;
mod rpm;
mod rubygems;
mod scheme;
mod semver;

pub use apk::ApkVersion;
pub use cargo::CargoVersion;
pub use composer::ComposerVersion;
pub use dpkg::DpkgVersion;
pub use error::VersionError;
pub use generic::GenericVersion;
pub use go::GoVersion;
pub use maven::MavenVersion;
pub use npm::{NpmRange, NpmRangeOptions, NpmVersion};
pub use nuget::NuGetVersion;
pub use osv::{CompiledAffected, Evaluation, RangeError, evaluate};
pub use pep440::Pep440Version;
pub use rpm::RpmVersion;
pub use rubygems::RubyGemsVersion;
pub use scheme::{Scheme, UnknownScheme, Version};
pub use semver::{HexVersion, PubVersion, SemVerVersion};
