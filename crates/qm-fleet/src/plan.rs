//! The patch plan: the fewest package upgrades that clear the fleet's findings at or over a
//! severity, by where the packages come from, with the command that applies each, and what no
//! upgrade can fix yet.
//!
//! How it is computed, over the latest revision of every target (or of one):
//! - An **occurrence** is a package of a target as its findings judge it: for a distribution
//!   package matched by its source package, the source package at its source version (the
//!   binary packages built from it are upgraded together); otherwise the package itself.
//! - Its **upgrade** goes to the smallest version that fixes every finding at or over the
//!   threshold that has a fix: the highest of their nearest fixed versions, compared by the
//!   ecosystem's version rules. Findings without a fix are listed apart, with the reason.
//! - Upgrades are **deduplicated** across targets: one line per (origin, ecosystem, package,
//!   from, to), naming the targets it clears and counting the findings it clears, one per
//!   (target, vulnerability). Lines are sorted by findings cleared, critical first, then name.
//! - The **origin** is the image layer the package comes from when that layer is a base-image
//!   layer: shared by two or more targets' latest revisions, or the first layer of an image.
//!   Rebuilding on a patched base is the fix there. Everything else (later layers,
//!   directories, lockfiles, SBOMs) is the targets' own.
//!
//! Costs: one walk of the planned revisions' packages, one read of each distinct vulnerable
//! (context, package) pair's findings, one indexed count per vulnerable layer, and one
//! inventory read per target whose vulnerable layers no other target shares (to learn whether
//! the layer is its first).
//!
//! The trap: Debian findings name fixed *source* versions, and the apt command pins each binary
//! package to that version. A binary-only rebuild (binNMU, `+b1`) of the fixed source has its
//! own binary version, which apt then refuses; use the version `apt-cache policy` offers.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use qm_match::{Finding, FixState, MatchKind};
use qm_model::{Ecosystem, Rating};
use qm_version::Scheme;
use serde::{Deserialize, Serialize};

use crate::error::FleetError;
use crate::model::SeverityCounts;
use crate::sql::{Conn, Param};

/// Package ids read per statement.
const BATCH: usize = 200;

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// One target by name; `None` plans the whole fleet.
    pub target: Option<String>,
    /// The lowest severity to clear (`High`: high and critical findings).
    pub severity: Rating,
}

impl Default for PlanRequest {
    fn default() -> PlanRequest {
        PlanRequest {
            target: None,
            severity: Rating::High,
        }
    }
}

/// A patch plan (`qm fleet plan`). Field names are stable: this is the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchPlan {
    /// The lowest severity planned for.
    pub severity: Rating,
    /// The targets planned (their latest revisions), by name; empty when the fleet is empty
    /// or the named target is unknown.
    pub targets: Vec<String>,
    /// Totals.
    pub summary: PlanSummary,
    /// The upgrades: base-image layers first (most findings cleared first), then the
    /// targets' own packages.
    pub groups: Vec<PlanGroup>,
    /// Findings at or over the severity that no upgrade fixes yet, worst first.
    pub unfixed: Vec<UnfixedFinding>,
}

/// A plan's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Upgrade lines in the plan.
    pub upgrades: u64,
    /// Findings they clear, one per (target, vulnerability, package), by severity.
    pub cleared: SeverityCounts,
    /// Findings no upgrade fixes yet, one per (target, vulnerability, package), by severity.
    pub unfixed: SeverityCounts,
}

/// Upgrades of one origin, by ecosystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanGroup {
    /// Where the packages come from.
    pub origin: PlanOrigin,
    /// Findings the group's upgrades clear, by severity.
    pub cleared: SeverityCounts,
    /// The upgrades, by ecosystem (most findings cleared first).
    pub ecosystems: Vec<EcosystemUpgrades>,
}

/// Where a group's packages come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PlanOrigin {
    /// A base-image layer: rebuilding on a patched base image fixes these (or the upgrades
    /// listed, applied in the image's own build).
    BaseImage {
        /// The layer's digest (uncompressed, `rootfs.diff_ids`).
        layer: String,
        /// The build step that wrote it, when the image's history says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created_by: Option<String>,
        /// How many targets' latest revisions hold the layer, in the whole fleet.
        shared_by: u64,
        /// Whether it is the first layer of a planned image.
        first_layer: bool,
    },
    /// The targets' own packages: later image layers, directories, lockfiles, SBOMs.
    Targets,
}

/// The upgrades of one ecosystem within a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcosystemUpgrades {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Its upgrades: most findings cleared first (critical first), then by name.
    pub upgrades: Vec<Upgrade>,
}

/// One package upgrade and what it clears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upgrade {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package the findings are about: for a distribution package matched by source,
    /// the source package.
    pub package: String,
    /// The packages to upgrade, as the installer names them (the binary packages of a
    /// source package), sorted.
    pub packages: Vec<String>,
    /// The installed version (the source version for a source package).
    pub from: String,
    /// The version to upgrade to: the highest nearest fixed version of the findings it
    /// clears.
    pub to: String,
    /// The command that applies it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// How to apply it otherwise, or what to know (a requirements pin, a Maven `<version>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The targets it clears findings in, sorted.
    pub targets: Vec<String>,
    /// For the targets' own packages: the image layers holding the package, sorted (empty
    /// for directories, lockfiles and SBOMs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// Findings it clears, one per (target, vulnerability), by severity.
    pub cleared: SeverityCounts,
    /// The vulnerabilities it clears, sorted.
    pub vulnerabilities: Vec<String>,
}

/// A finding at or over the severity that no upgrade fixes yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfixedFinding {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package (the source package for a distribution package matched by source).
    pub package: String,
    /// Its installed version.
    pub version: String,
    /// The vulnerability's primary id.
    pub id: String,
    /// Its other ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its severity.
    pub severity: Rating,
    /// Why there is no fix: no fixed version yet (with the distribution's verdict), or fixed
    /// versions that cannot be read.
    pub fix: FixState,
    /// A one-line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The targets holding it, sorted.
    pub targets: Vec<String>,
}

/// The ratings at or over `threshold`, as the store writes them.
fn labels_at_or_over(threshold: Rating) -> Vec<&'static str> {
    [
        Rating::Unknown,
        Rating::None,
        Rating::Low,
        Rating::Medium,
        Rating::High,
        Rating::Critical,
    ]
    .into_iter()
    .filter(|rating| *rating >= threshold)
    .map(Rating::as_str)
    .collect()
}

/// One package of a planned revision that has findings at or over the threshold.
struct Occurrence {
    target: String,
    context_id: i64,
    package_id: i64,
    layer: Option<String>,
}

/// What an occurrence is upgraded as: (ecosystem, package, installed version).
type UnitKey = (Ecosystem, String, String);

/// The key of an upgrade line: origin, unit, target version.
type LineKey = (Option<String>, UnitKey, String);

#[derive(Default)]
struct Line {
    packages: BTreeSet<String>,
    targets: BTreeSet<String>,
    layers: BTreeSet<String>,
    cleared: BTreeSet<(String, String, Rating)>,
}

/// Computes the plan inside a read transaction.
pub(crate) fn plan(conn: &mut dyn Conn, request: &PlanRequest) -> Result<PatchPlan, FleetError> {
    let labels = labels_at_or_over(request.severity);
    let marks = vec!["?"; labels.len()].join(", ");

    let mut targets: Vec<String> = match &request.target {
        Some(name) => conn
            .query(
                "SELECT name FROM targets WHERE name = ? AND latest_revision IS NOT NULL",
                &[Param::Text(name)],
            )?
            .iter()
            .map(|row| row.text(0).map(str::to_owned))
            .collect::<Result<_, _>>()?,
        None => conn
            .query(
                "SELECT name FROM targets WHERE latest_revision IS NOT NULL",
                &[],
            )?
            .iter()
            .map(|row| row.text(0).map(str::to_owned))
            .collect::<Result<_, _>>()?,
    };
    targets.sort();

    // The occurrences: each planned revision's packages with a finding at the threshold.
    let mut sql = format!(
        "SELECT t.name, r.context_id, rp.package_id, rp.layer FROM targets t \
         JOIN revisions r ON r.id = t.latest_revision CROSS JOIN revision_packages rp \
         WHERE rp.revision_id = r.id AND EXISTS (SELECT 1 FROM package_findings pf \
         WHERE pf.context_id = r.context_id AND pf.package_id = rp.package_id \
         AND pf.severity IN ({marks}))"
    );
    let mut params: Vec<Param<'_>> = labels.iter().map(|label| Param::Text(label)).collect();
    if let Some(name) = &request.target {
        sql.push_str(" AND t.name = ?");
        params.push(Param::Text(name));
    }
    let mut occurrences = Vec::new();
    for row in conn.query(&sql, &params)? {
        occurrences.push(Occurrence {
            target: row.text(0)?.to_owned(),
            context_id: row.int(1)?,
            package_id: row.int(2)?,
            layer: row.opt_text(3)?.map(str::to_owned),
        });
    }

    // Their findings, read once per distinct (context, package).
    let mut wanted: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for occurrence in &occurrences {
        wanted
            .entry(occurrence.context_id)
            .or_default()
            .insert(occurrence.package_id);
    }
    let mut findings: HashMap<(i64, i64), Vec<Finding>> = HashMap::new();
    for (context_id, package_ids) in &wanted {
        let package_ids: Vec<i64> = package_ids.iter().copied().collect();
        for chunk in package_ids.chunks(BATCH) {
            let sql = format!(
                "SELECT package_id, detail FROM package_findings WHERE context_id = ? \
                 AND severity IN ({marks}) AND package_id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut params = vec![Param::Int(*context_id)];
            params.extend(labels.iter().map(|label| Param::Text(label)));
            params.extend(chunk.iter().map(|id| Param::Int(*id)));
            for row in conn.query(&sql, &params)? {
                let finding: Finding =
                    serde_json::from_str(row.text(1)?).map_err(|error| FleetError::Unexpected {
                        detail: format!("a stored finding does not decode: {error}"),
                    })?;
                findings
                    .entry((*context_id, row.int(0)?))
                    .or_default()
                    .push(finding);
            }
        }
    }

    let bases = base_layers(conn, &occurrences)?;

    // Upgrade lines and unfixed findings.
    let mut lines: BTreeMap<LineKey, Line> = BTreeMap::new();
    let mut unfixed: BTreeMap<(UnitKey, String), (Finding, BTreeSet<String>)> = BTreeMap::new();
    // (unit, vulnerability, target, severity): what the unfixed totals count.
    let mut unfixed_pairs: BTreeSet<(UnitKey, String, String, Rating)> = BTreeSet::new();
    for occurrence in &occurrences {
        let Some(found) = findings.get(&(occurrence.context_id, occurrence.package_id)) else {
            continue;
        };
        // One package's findings may be judged under more than one unit; keep them apart.
        let mut units: BTreeMap<UnitKey, Vec<&Finding>> = BTreeMap::new();
        for finding in found {
            units.entry(unit_of(finding)).or_default().push(finding);
        }
        for (unit, unit_findings) in units {
            let scheme = Scheme::for_ecosystem(&unit.0);
            let mut to: Option<&str> = None;
            for finding in &unit_findings {
                if let Some(version) = fixed_version(finding) {
                    to = Some(match to {
                        Some(current) if compare(scheme, current, version) != Ordering::Less => {
                            current
                        }
                        _ => version,
                    });
                }
            }
            for finding in unit_findings.iter().filter(|f| fixed_version(f).is_none()) {
                let entry = unfixed
                    .entry((unit.clone(), finding.id.clone()))
                    .or_insert_with(|| ((*finding).clone(), BTreeSet::new()));
                entry.1.insert(occurrence.target.clone());
                unfixed_pairs.insert((
                    unit.clone(),
                    finding.id.clone(),
                    occurrence.target.clone(),
                    finding.severity.rating,
                ));
            }
            let Some(to) = to else {
                continue;
            };
            let origin = occurrence
                .layer
                .clone()
                .filter(|layer| bases.contains_key(layer));
            let line = lines
                .entry((origin.clone(), unit.clone(), to.to_owned()))
                .or_default();
            line.targets.insert(occurrence.target.clone());
            if origin.is_none()
                && let Some(layer) = &occurrence.layer
            {
                line.layers.insert(layer.clone());
            }
            for finding in &unit_findings {
                line.packages.insert(finding.package.name.clone());
                if fixed_version(finding).is_some() {
                    line.cleared.insert((
                        occurrence.target.clone(),
                        finding.id.clone(),
                        finding.severity.rating,
                    ));
                }
            }
        }
    }

    // Groups, by origin then ecosystem.
    let mut grouped: BTreeMap<Option<String>, BTreeMap<Ecosystem, Vec<Upgrade>>> = BTreeMap::new();
    let mut summary = PlanSummary::default();
    for ((origin, (ecosystem, package, from), to), line) in lines {
        let mut cleared = SeverityCounts::default();
        let mut vulnerabilities = BTreeSet::new();
        for (_, id, rating) in &line.cleared {
            cleared.add(*rating, 1);
            vulnerabilities.insert(id.clone());
        }
        let packages: Vec<String> = line.packages.into_iter().collect();
        let (command, note) = how_to_apply(&ecosystem, &package, &packages, &from, &to);
        summary.upgrades += 1;
        add_counts(&mut summary.cleared, &cleared);
        grouped
            .entry(origin)
            .or_default()
            .entry(ecosystem.clone())
            .or_default()
            .push(Upgrade {
                ecosystem,
                package,
                packages,
                from,
                to,
                command,
                note,
                targets: line.targets.into_iter().collect(),
                layers: line.layers.into_iter().collect(),
                cleared,
                vulnerabilities: vulnerabilities.into_iter().collect(),
            });
    }
    let mut groups = Vec::new();
    for (origin, ecosystems) in grouped {
        let mut group_cleared = SeverityCounts::default();
        let mut ecosystems: Vec<EcosystemUpgrades> = ecosystems
            .into_iter()
            .map(|(ecosystem, mut upgrades)| {
                upgrades.sort_by(|a, b| {
                    rank(&b.cleared)
                        .cmp(&rank(&a.cleared))
                        .then_with(|| a.package.cmp(&b.package))
                        .then_with(|| a.from.cmp(&b.from))
                        .then_with(|| a.to.cmp(&b.to))
                });
                EcosystemUpgrades {
                    ecosystem,
                    upgrades,
                }
            })
            .collect();
        for ecosystem in &ecosystems {
            for upgrade in &ecosystem.upgrades {
                add_counts(&mut group_cleared, &upgrade.cleared);
            }
        }
        ecosystems.sort_by(|a, b| {
            rank(&total(&b.upgrades))
                .cmp(&rank(&total(&a.upgrades)))
                .then_with(|| a.ecosystem.as_str().cmp(b.ecosystem.as_str()))
        });
        let origin = match origin {
            Some(layer) => {
                let base = bases.get(&layer).cloned().unwrap_or_default();
                PlanOrigin::BaseImage {
                    layer,
                    created_by: base.created_by,
                    shared_by: base.shared_by,
                    first_layer: base.first_layer,
                }
            }
            None => PlanOrigin::Targets,
        };
        groups.push(PlanGroup {
            origin,
            cleared: group_cleared,
            ecosystems,
        });
    }
    groups.sort_by(|a, b| {
        let own = |group: &PlanGroup| matches!(group.origin, PlanOrigin::Targets);
        own(a)
            .cmp(&own(b))
            .then_with(|| rank(&b.cleared).cmp(&rank(&a.cleared)))
            .then_with(|| layer_of(&a.origin).cmp(&layer_of(&b.origin)))
    });

    for (_, _, _, rating) in &unfixed_pairs {
        summary.unfixed.add(*rating, 1);
    }
    let mut unfixed: Vec<UnfixedFinding> = unfixed
        .into_iter()
        .map(|((unit, _), (finding, targets))| UnfixedFinding {
            ecosystem: unit.0,
            package: unit.1,
            version: unit.2,
            id: finding.id,
            aliases: finding.aliases,
            severity: finding.severity.rating,
            fix: finding.fix,
            title: finding.title,
            targets: targets.into_iter().collect(),
        })
        .collect();
    unfixed.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.ecosystem.as_str().cmp(b.ecosystem.as_str()))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.id.cmp(&b.id))
    });

    Ok(PatchPlan {
        severity: request.severity,
        targets,
        summary,
        groups,
        unfixed,
    })
}

fn layer_of(origin: &PlanOrigin) -> Option<&str> {
    match origin {
        PlanOrigin::BaseImage { layer, .. } => Some(layer),
        PlanOrigin::Targets => None,
    }
}

/// What a finding's package is upgraded as.
fn unit_of(finding: &Finding) -> UnitKey {
    let package = &finding.package;
    let name = match (&package.source, finding.matched_by) {
        (Some(source), MatchKind::DistroSourcePackage) => source.name.clone(),
        _ => package.name.clone(),
    };
    (
        package.ecosystem.clone(),
        name,
        finding.installed_version.clone(),
    )
}

/// The nearest version that fixes `finding`, if one is known.
fn fixed_version(finding: &Finding) -> Option<&str> {
    match &finding.fix {
        FixState::Fixed { version } => Some(version.as_str()),
        _ => None,
    }
}

/// Orders two versions by `scheme`; text order when either cannot be read.
fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    scheme.compare(a, b).unwrap_or_else(|_| a.cmp(b))
}

/// Severity counts as a key that sorts worst first when compared descending.
fn rank(counts: &SeverityCounts) -> [u64; 6] {
    [
        counts.critical,
        counts.high,
        counts.medium,
        counts.low,
        counts.negligible,
        counts.unknown,
    ]
}

fn add_counts(into: &mut SeverityCounts, counts: &SeverityCounts) {
    into.critical += counts.critical;
    into.high += counts.high;
    into.medium += counts.medium;
    into.low += counts.low;
    into.negligible += counts.negligible;
    into.unknown += counts.unknown;
}

fn total(upgrades: &[Upgrade]) -> SeverityCounts {
    let mut counts = SeverityCounts::default();
    for upgrade in upgrades {
        add_counts(&mut counts, &upgrade.cleared);
    }
    counts
}

/// A base-image layer, as the plan reports it.
#[derive(Debug, Clone, Default)]
struct BaseLayer {
    created_by: Option<String>,
    shared_by: u64,
    first_layer: bool,
}

/// The occurrences' layers that are base-image layers: held by two or more targets' latest
/// revisions in the fleet, or the first layer of their image.
fn base_layers(
    conn: &mut dyn Conn,
    occurrences: &[Occurrence],
) -> Result<HashMap<String, BaseLayer>, FleetError> {
    // A layer's digest names its content, so every revision holding the layer holds the
    // same packages in it: counting the targets holding one of its packages in it counts the
    // targets holding it.
    let mut layers: BTreeMap<&str, (i64, BTreeSet<&str>)> = BTreeMap::new();
    for occurrence in occurrences {
        if let Some(layer) = occurrence.layer.as_deref() {
            layers
                .entry(layer)
                .or_insert((occurrence.package_id, BTreeSet::new()))
                .1
                .insert(&occurrence.target);
        }
    }
    let mut bases = HashMap::new();
    // Targets whose inventory must say whether a layer is their first, with the layers.
    let mut to_read: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (layer, (package_id, targets)) in &layers {
        let shared_by = conn
            .query_one(
                "SELECT COUNT(DISTINCT r.target_id) FROM revision_packages rp \
                 JOIN revisions r ON r.id = rp.revision_id \
                 JOIN targets t ON t.latest_revision = r.id \
                 WHERE rp.package_id = ? AND rp.layer = ?",
                &[Param::Int(*package_id), Param::Text(layer)],
            )?
            .count(0)?;
        if shared_by >= 2 {
            bases.insert(
                (*layer).to_owned(),
                BaseLayer {
                    created_by: None,
                    shared_by,
                    first_layer: false,
                },
            );
        }
        // One target's inventory is enough to learn a layer's place and build step.
        for target in targets
            .iter()
            .take(if shared_by >= 2 { 1 } else { targets.len() })
        {
            to_read.entry(*target).or_default().push(*layer);
        }
    }
    for (target, wanted) in to_read {
        let Some(inventory) = crate::core::inventory(conn, target, None)? else {
            continue;
        };
        for layer in wanted {
            let Some(found) = inventory
                .target
                .layers
                .iter()
                .find(|candidate| candidate.digest == layer)
            else {
                continue;
            };
            let first = found.index == 0;
            match bases.get_mut(layer) {
                Some(base) => {
                    base.first_layer |= first;
                    if base.created_by.is_none() {
                        base.created_by.clone_from(&found.created_by);
                    }
                }
                None if first => {
                    let shared_by = layers
                        .get(layer)
                        .map_or(1, |(_, targets)| u64::try_from(targets.len()).unwrap_or(1));
                    bases.insert(
                        layer.to_owned(),
                        BaseLayer {
                            created_by: found.created_by.clone(),
                            shared_by,
                            first_layer: true,
                        },
                    );
                }
                None => {}
            }
        }
    }
    Ok(bases)
}

/// The command that applies an upgrade, and a note, by ecosystem.
fn how_to_apply(
    ecosystem: &Ecosystem,
    package: &str,
    packages: &[String],
    from: &str,
    to: &str,
) -> (Option<String>, Option<String>) {
    let each = |separator: &str| -> String {
        packages
            .iter()
            .map(|name| shell_word(&format!("{name}{separator}{to}")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match ecosystem {
        Ecosystem::Debian | Ecosystem::Ubuntu => (
            Some(format!("apt-get install --only-upgrade {}", each("="))),
            (packages.len() > 1 || packages.first().is_some_and(|name| name != package)).then(
                || {
                    format!(
                        "{to} is the fixed version of source package {package}; a binary-only \
                         rebuild may carry a `+bN` suffix"
                    )
                },
            ),
        ),
        Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => {
            (Some(format!("apk add --upgrade {}", each(">="))), None)
        }
        Ecosystem::RedHat | Ecosystem::Rpm | Ecosystem::AlmaLinux | Ecosystem::RockyLinux => {
            (Some(format!("dnf upgrade {}", each("-"))), None)
        }
        Ecosystem::AzureLinux | Ecosystem::PhotonOs => {
            (Some(format!("tdnf install {}", each("-"))), None)
        }
        Ecosystem::Suse | Ecosystem::OpenSuse => {
            (Some(format!("zypper install {}", each(">="))), None)
        }
        Ecosystem::PyPI => (
            Some(format!(
                "pip install {}",
                shell_word(&format!("{package}=={to}"))
            )),
            Some(format!("requirements pin: {package}=={to}")),
        ),
        Ecosystem::Npm => (
            Some(format!(
                "npm install {}",
                shell_word(&format!("{package}@{to}"))
            )),
            None,
        ),
        Ecosystem::CratesIo => (
            Some(format!(
                "cargo update -p {} --precise {}",
                shell_word(&format!("{package}@{from}")),
                shell_word(to)
            )),
            None,
        ),
        Ecosystem::Go if package == "stdlib" || package == "toolchain" => {
            (None, Some(format!("build with Go {to} or later")))
        }
        Ecosystem::Go => {
            let version = if to.starts_with('v') {
                to.to_owned()
            } else {
                format!("v{to}")
            };
            (
                Some(format!(
                    "go get {}",
                    shell_word(&format!("{package}@{version}"))
                )),
                None,
            )
        }
        Ecosystem::RubyGems => (
            Some(format!(
                "bundle update --conservative {}",
                shell_word(package)
            )),
            Some(format!("needs {package} {to} or later")),
        ),
        Ecosystem::Packagist => (
            Some(format!(
                "composer require {}",
                shell_word(&format!("{package}:{to}"))
            )),
            None,
        ),
        Ecosystem::NuGet => (
            Some(format!(
                "dotnet add package {} --version {}",
                shell_word(package),
                shell_word(to)
            )),
            None,
        ),
        Ecosystem::Maven => (
            None,
            Some(format!(
                "set <version>{to}</version> for {package} (in dependencyManagement when it \
                 comes in transitively)"
            )),
        ),
        _ => (None, None),
    }
}

/// `text` as one shell word: as is when it holds only safe characters, else single-quoted.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-~".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_by_ecosystem() {
        let apply = |ecosystem: Ecosystem, package: &str, packages: &[&str], to: &str| {
            let packages: Vec<String> = packages.iter().map(|p| (*p).to_owned()).collect();
            how_to_apply(&ecosystem, package, &packages, "1.0.0", to).0
        };
        assert_eq!(
            apply(
                Ecosystem::Debian,
                "openssl",
                &["libssl3", "openssl"],
                "3.0.13-1~deb12u1"
            )
            .as_deref(),
            Some(
                "apt-get install --only-upgrade libssl3=3.0.13-1~deb12u1 openssl=3.0.13-1~deb12u1"
            )
        );
        assert_eq!(
            apply(Ecosystem::Alpine, "openssl", &["libcrypto3"], "3.1.4-r1").as_deref(),
            Some("apk add --upgrade 'libcrypto3>=3.1.4-r1'")
        );
        assert_eq!(
            apply(Ecosystem::PyPI, "Werkzeug", &["Werkzeug"], "3.0.6").as_deref(),
            Some("pip install Werkzeug==3.0.6")
        );
        assert_eq!(
            apply(Ecosystem::Npm, "@babel/core", &["@babel/core"], "7.26.0").as_deref(),
            Some("npm install @babel/core@7.26.0")
        );
        assert_eq!(
            apply(Ecosystem::CratesIo, "hyper", &["hyper"], "1.0.1").as_deref(),
            Some("cargo update -p hyper@1.0.0 --precise 1.0.1")
        );
        assert_eq!(
            apply(
                Ecosystem::Go,
                "golang.org/x/net",
                &["golang.org/x/net"],
                "0.23.0"
            )
            .as_deref(),
            Some("go get golang.org/x/net@v0.23.0")
        );
        assert_eq!(apply(Ecosystem::Go, "stdlib", &["stdlib"], "1.22.2"), None);
        assert_eq!(
            apply(Ecosystem::Other("Bitnami".into()), "x", &["x"], "1"),
            None
        );
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(
            shell_word("libssl3=3.0.13-1~deb12u1"),
            "libssl3=3.0.13-1~deb12u1"
        );
        assert_eq!(shell_word("a>=1"), "'a>=1'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn thresholds_take_worse_ratings() {
        assert_eq!(labels_at_or_over(Rating::High), ["high", "critical"]);
        assert_eq!(labels_at_or_over(Rating::Unknown).len(), 6);
        assert_eq!(labels_at_or_over(Rating::None)[0], "none");
    }
}
