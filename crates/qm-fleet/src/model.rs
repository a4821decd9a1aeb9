//! What goes into the store and what comes out: plain, serialisable data.

use std::collections::BTreeMap;
use std::sync::Arc;

use qm_match::{Finding, FindingSeverity, FixState};
use qm_model::{Ecosystem, Inventory, Rating, SourcePackage, Timestamp};
use serde::{Deserialize, Serialize};

/// Labels of a target (`team=payments`, `env=prod`), sorted by key.
pub type Labels = BTreeMap<String, String>;

/// A revision to add: the target's name, the labels to set, and its inventory.
#[derive(Debug, Clone, Copy)]
pub struct NewRevision<'a> {
    /// The target's name in the fleet (`payments-api`), chosen by the user.
    pub name: &'a str,
    /// Labels to set on the target; `None` keeps the ones it has.
    pub labels: Option<&'a Labels>,
    /// What the target holds.
    pub inventory: &'a Inventory,
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: u64,
    /// High.
    pub high: u64,
    /// Medium.
    pub medium: u64,
    /// Low.
    pub low: u64,
    /// Rated none or negligible.
    pub negligible: u64,
    /// Not rated.
    pub unknown: u64,
}

impl SeverityCounts {
    /// All findings.
    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.negligible + self.unknown
    }

    /// The non-zero counts, most severe first, named as ratings print (`"high"`): for
    /// summaries such as `6 high, 40 medium`.
    pub fn nonzero(&self) -> Vec<(&'static str, u64)> {
        [
            ("critical", self.critical),
            ("high", self.high),
            ("medium", self.medium),
            ("low", self.low),
            ("negligible", self.negligible),
            ("unknown", self.unknown),
        ]
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .collect()
    }

    /// Counts `count` more findings of `rating`.
    pub fn add(&mut self, rating: Rating, count: u64) {
        let slot = match rating {
            Rating::Critical => &mut self.critical,
            Rating::High => &mut self.high,
            Rating::Medium => &mut self.medium,
            Rating::Low => &mut self.low,
            Rating::None => &mut self.negligible,
            Rating::Unknown => &mut self.unknown,
        };
        *slot += count;
    }
}

/// What `add` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddOutcome {
    /// The target.
    pub target: String,
    /// The target's latest revision after the add (1 for a new target).
    pub revision: u64,
    /// The digest of that revision.
    pub digest: String,
    /// Whether a new revision was stored (false: the latest already had this digest).
    pub created: bool,
    /// Whether the target's labels changed.
    pub labels_changed: bool,
    /// Packages in the inventory.
    pub packages: u64,
    /// Findings of the latest revision, by severity.
    pub counts: SeverityCounts,
    /// When the store's findings were derived from another vulnerability database than the
    /// one given: that database's description (`qm fleet rematch` brings them up to date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_findings: Option<String>,
}

/// One revision of a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionSummary {
    /// 1 for the first, then 2, 3, …
    pub revision: u64,
    /// The image digest, or `sha256:` of the canonical inventory for targets without one.
    pub digest: String,
    /// When it was added.
    pub added_at: Timestamp,
    /// The target as it was named when added (`docker-archive:app.tar`).
    pub source: String,
    /// The kind of target (`docker-archive`, `dir`, `sbom`, …).
    pub kind: String,
    /// Packages in the inventory.
    pub packages: u64,
    /// Findings, by severity.
    pub counts: SeverityCounts,
}

/// A target and its latest revision, as `qm fleet ls` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// The target's name.
    pub name: String,
    /// Its labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    /// How many revisions it has.
    pub revisions: u64,
    /// The latest revision.
    pub latest: RevisionSummary,
}

/// A target in full: its history and its latest revision's findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDetail {
    /// The target's name.
    pub name: String,
    /// Its labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    /// Every revision, oldest first.
    pub history: Vec<RevisionSummary>,
    /// The latest revision's findings, by package then id.
    pub findings: Vec<Finding>,
}

/// One package (at one version, on one distribution) that `affected` found vulnerable: its
/// vulnerabilities, and every latest revision holding it, with where.
///
/// Grouped this way because a package query can reach thousands of targets and a package
/// hundreds of vulnerabilities (a kernel): listing each pair would repeat one of them
/// thousands of times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// The package.
    pub package: PackageInfo,
    /// Its vulnerabilities that the query names (all of them for a package query), by id.
    pub vulnerabilities: Vec<AffectedVulnerability>,
    /// Where it is: each latest revision holding it, by target name.
    pub targets: Vec<AffectedTarget>,
}

/// A package as the fleet knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInfo {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as its ecosystem spells it.
    pub name: String,
    /// The version.
    pub version: String,
    /// The package URL.
    pub purl: String,
    /// The source package, for distribution packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
}

/// One vulnerability of an affected package, with its fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedVulnerability {
    /// The vulnerability's primary id.
    pub id: String,
    /// Its other ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The best severity available.
    pub severity: FindingSeverity,
    /// The nearest version that fixes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The fix, or why there is none.
    pub fix: FixState,
    /// A one-line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl From<Finding> for AffectedVulnerability {
    fn from(finding: Finding) -> AffectedVulnerability {
        AffectedVulnerability {
            id: finding.id,
            aliases: finding.aliases,
            severity: finding.severity,
            fixed_version: finding.fixed_version,
            fix: finding.fix,
            title: finding.title,
        }
    }
}

/// A latest revision holding an affected package, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedTarget {
    /// The target (shared between the packages of an answer).
    pub target: Arc<str>,
    /// Its latest revision.
    pub revision: u64,
    /// That revision's digest.
    pub digest: Arc<str>,
    /// The layer that introduced the package, for images. Shared between the targets of an
    /// answer that have it (a base layer is in thousands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Arc<str>>,
    /// The files that declare it; shared the same way.
    #[serde(default, skip_serializing_if = "no_locations")]
    pub locations: Arc<[String]>,
}

fn no_locations(locations: &Arc<[String]>) -> bool {
    locations.is_empty()
}

/// What one vulnerability's re-match changed across the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityChange {
    /// The vulnerability.
    pub id: String,
    /// Its other ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its severity, as the new data rates it (the old data's when it is gone).
    pub severity: Rating,
    /// Targets whose latest revision was not affected and now is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub newly_affected: Vec<String>,
    /// Targets whose latest revision was affected and no longer is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub newly_fixed: Vec<String>,
}

/// What `rematch` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RematchReport {
    /// The database the findings now come from.
    pub database: String,
    /// The database they came from before, if the store recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_database: Option<String>,
    /// Distinct (package, distribution) pairs matched.
    pub packages_matched: u64,
    /// Package findings that appeared.
    pub findings_added: u64,
    /// Package findings that disappeared.
    pub findings_removed: u64,
    /// Package findings whose details (severity, fix, title) changed.
    pub findings_updated: u64,
    /// Per vulnerability, the targets newly affected and newly fixed; sorted by id.
    pub changes: Vec<VulnerabilityChange>,
}

/// How long one target was (or still is) exposed to one vulnerability through one package:
/// from the first revision or re-match that found it affected to the first that found it
/// not, with when a fix became available.
///
/// One exposure per (target, vulnerability, package name): upgrading the package to another
/// still-vulnerable version continues the exposure; removing the package or reaching a fixed
/// version ends it. A later return (a downgrade, a revert) opens a new exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// The target.
    pub target: String,
    /// The vulnerability's primary id.
    pub vulnerability: String,
    /// Its other ids, as the advisory on this package last gave them (a distribution's
    /// advisory id can depend on the source package).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its severity, as the store last judged it.
    pub severity: Rating,
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// The package's name.
    pub package: String,
    /// The version last seen affected.
    pub installed_version: String,
    /// The nearest fixed version, as last judged; `None` while no fix exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// When a fix became available: the advisory's publication time when the advisory
    /// already named a fix then, else the first time the store saw one. `None` while no fix
    /// exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available_at: Option<Timestamp>,
    /// When the target was first seen affected.
    pub first_affected_at: Timestamp,
    /// When it was first seen no longer affected; `None` while the exposure is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_at: Option<Timestamp>,
}
