//! What matching produces: [`Finding`]s, and [`MatchNote`]s about what could not be judged.
//!
//! These are plain data, serialisable, so reports and the fleet store can keep them without
//! the inventory or the database they came from.

use qm_model::{DistroStatus, Ecosystem, PackageKey, Rating, SourcePackage, Timestamp};
use serde::{Deserialize, Serialize};

/// Everything one match found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchReport {
    /// One finding per (package, vulnerability), sorted by package ecosystem, name, version,
    /// then id.
    pub findings: Vec<Finding>,
    /// What could not be judged, each said once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<MatchNote>,
    /// How many packages were looked up (packages skipped for a note are not counted).
    pub checked: usize,
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The vulnerability's primary id: its CVE id when one of the folded advisories names one
    /// (the lowest, when several do), else a GHSA id, else the lowest advisory id.
    pub id: String,
    /// Every other id of the fold (GHSA, PYSEC, RUSTSEC, GO-, DSA-, DLA-, …), sorted, without
    /// duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The package, as the inventory names it.
    pub package: FindingPackage,
    /// The key the advisories were looked up by (`Debian:12/openssl`, `crates.io/hyper`).
    pub matched_key: PackageKey,
    /// How the package was matched.
    pub matched_by: MatchKind,
    /// The version compared: for a distribution package the source package's version.
    pub installed_version: String,
    /// The nearest version above the installed one that every folded advisory calls fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The fix, or the reason there is none.
    pub fix: FixState,
    /// The best severity available.
    pub severity: FindingSeverity,
    /// A one-line title: an advisory summary, else the first line of its details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The feeds that reported it (`osv/GHSA`, `rustsec`, `debian-tracker`, …), sorted.
    pub sources: Vec<String>,
    /// The earliest publication date among the advisories about this vulnerability itself
    /// (an announcement covering several vulnerabilities does not date any one of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// The latest modification date among the folded advisories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<Timestamp>,
    /// When the fixed version was announced, if an announcement (DSA, DLA, USN, …) names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_published: Option<Timestamp>,
    /// A few reference addresses, advisory pages first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// For informational advisories (RustSec `unmaintained`, `unsound`, `notice`), the kind;
    /// only present when [`crate::MatchOptions::include_informational`] asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

/// The package a finding is about: a copy of what reports need, and its place in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPackage {
    /// Its index in `Inventory::packages`.
    pub index: usize,
    /// The name as its ecosystem spells it (for a distribution package, the binary package).
    pub name: String,
    /// The version as written (the binary package's).
    pub version: String,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package URL.
    pub purl: String,
    /// The source package, for distribution packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// The files that declare it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// The image layer that introduced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// How a package was matched to advisories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MatchKind {
    /// A distribution package, by the source package it was built from (named differently).
    DistroSourcePackage,
    /// A distribution package that is its own source package.
    DistroPackage,
    /// A language package, by its ecosystem and normalised name.
    EcosystemName,
}

impl MatchKind {
    /// The kebab-case name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::DistroSourcePackage => "distro-source-package",
            MatchKind::DistroPackage => "distro-package",
            MatchKind::EcosystemName => "ecosystem-name",
        }
    }
}

/// The fix for a finding, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FixState {
    /// Upgrading to `version` fixes it.
    Fixed {
        /// The version to upgrade to.
        version: String,
    },
    /// No fixed version is known. For distribution packages `status` says why (`unfixed`,
    /// `no-dsa`, `postponed`, `ignored`, `end-of-life`, `unimportant`, `undetermined`); for
    /// language packages there is no status: the advisories name no fixed version (a range
    /// ending in `last_affected` names the last affected release, which GitHub also uses for
    /// "no fix released yet", so no later version is offered as a fix).
    NotFixed {
        /// The distribution's verdict, when it gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<DistroStatus>,
    },
    /// The advisories name fixed versions, but none could be read under the package's
    /// version scheme, so none can be recommended.
    Unknown,
}

/// The severity of a finding: the best one any folded advisory gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingSeverity {
    /// The qualitative rating.
    pub rating: Rating,
    /// The CVSS base score, when the rating comes from a vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The CVSS vector it was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// Who rated it: the feed of the advisory holding the vector (`osv/GHSA`, `rustsec`), or
    /// the rater a feed names for a plain rating (`debian`, `ghsa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl FindingSeverity {
    /// No rating at all.
    pub(crate) fn unknown() -> FindingSeverity {
        FindingSeverity {
            rating: Rating::Unknown,
            score: None,
            vector: None,
            source: None,
        }
    }
}

/// Something matching could not judge, said once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchNote {
    /// What kind of gap it is.
    pub kind: NoteKind,
    /// The gap in plain words.
    pub message: String,
    /// How many packages it concerns (0 when it concerns none in particular).
    pub count: usize,
    /// The packages concerned, as `name version`, when naming them helps; at most
    /// [`MatchNote::LISTED`], `count` has them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
}

impl MatchNote {
    /// How many packages a note names at most.
    pub const LISTED: usize = 20;
}

/// The kinds of [`MatchNote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NoteKind {
    /// The database holds nothing for the distribution release, so its packages were not
    /// checked.
    NoDistroData,
    /// The distribution release is past the end of its security support.
    EndOfLife,
    /// Distribution packages whose release is unknown (no `os-release`, no `distro` qualifier).
    UnknownRelease,
    /// Packages of a distribution whose data the database cannot have (a derivative).
    UnsupportedDistro,
    /// Packages of an ecosystem the database holds nothing for.
    NoEcosystemData,
    /// Package versions that do not parse under their ecosystem's version scheme.
    UnparsableVersion,
    /// Distribution packages in an SBOM without a source package, matched by binary name.
    NoSourcePackage,
    /// Advisories with range events that do not parse, whose verdicts may be incomplete.
    IncompleteAdvisory,
}
