//! The match loop: every package of an inventory, looked up once per key, judged once per
//! (key, version), folded into findings; what cannot be judged becomes a note.
//!
//! Cost: one lookup per distinct key, one advisory decode per distinct advisory, and one fold
//! per distinct (key, installed version), so the binary packages of one source package (say
//! `libssl3` and `openssl`) are judged once. Before the first inventory, a [`Matcher`] lists the
//! database's keys once to learn which ecosystems and releases it covers (about 11 000 keys
//! for the full mirror), so that "no data for Debian 13" is a note, not a silent zero.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use qm_model::{DistroStatus, Ecosystem, Inventory, PackageKey, TargetKind};
use qm_version::CompiledAffected;
use qm_vulndb::{AdvisoryRef, DbAffected, VulnDb};

use crate::MatchError;
use crate::fold::{AdvisoryFacts, Member, Outcome, Verdict, fold};
use crate::report::{Finding, FindingPackage, MatchNote, MatchReport, NoteKind};
use crate::target::{Lookup, Unmatchable, end_of_life, is_distribution, lookup_for};

/// How matching behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MatchOptions {
    /// Whether development-only dependencies (`Package::dev`) are matched. Default: `true`.
    pub include_dev: bool,
    /// Whether informational advisories (RustSec `unmaintained`, `unsound`, `notice`) produce
    /// findings. Default: `false`: they are not vulnerabilities.
    pub include_informational: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            include_dev: true,
            include_informational: false,
        }
    }
}

/// Which ecosystems and releases a database holds data for.
#[derive(Debug, Default)]
struct Coverage {
    releases: HashMap<Ecosystem, HashSet<Option<String>>>,
}

impl Coverage {
    fn read(db: &VulnDb) -> Result<Coverage, MatchError> {
        let mut coverage = Coverage::default();
        for key in db.keys() {
            let key = key.map_err(|source| MatchError::Keys { source })?;
            coverage
                .releases
                .entry(key.ecosystem)
                .or_default()
                .insert(key.release);
        }
        Ok(coverage)
    }

    fn has(&self, ecosystem: &Ecosystem, release: Option<&str>) -> bool {
        self.releases
            .get(ecosystem)
            .is_some_and(|releases| releases.contains(&release.map(str::to_owned)))
    }

    /// The release key the data uses for an inventory's release: Ubuntu's OSV data writes
    /// `22.04:LTS` where `os-release` says `22.04`. `Pro:22.04:LTS` (Ubuntu Pro's ESM
    /// packages) is never chosen: its fixes ship only to subscribers.
    fn resolve(&self, ecosystem: &Ecosystem, release: Option<String>) -> Option<String> {
        let release = release?;
        if *ecosystem == Ecosystem::Ubuntu && !self.has(ecosystem, Some(&release)) {
            let lts = format!("{release}:LTS");
            if self.has(ecosystem, Some(&lts)) {
                return Some(lts);
            }
        }
        Some(release)
    }
}

/// Matches inventories against one database; keeps what it learnt about the database (which
/// ecosystems and releases it covers) for the next inventory.
///
/// ```no_run
/// # fn demo(db: &qm_vulndb::VulnDb, inventories: &[qm_model::Inventory]) -> Result<(), qm_match::MatchError> {
/// let matcher = qm_match::Matcher::new(db);
/// for inventory in inventories {
///     let report = matcher.match_inventory(inventory, &qm_match::MatchOptions::default())?;
///     let _ = report.findings.len();
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Matcher<'db> {
    db: &'db VulnDb,
    coverage: OnceLock<Coverage>,
}

/// Matches one inventory; see [`Matcher`] to match several against the same database.
pub fn match_inventory(
    inventory: &Inventory,
    db: &VulnDb,
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    Matcher::new(db).match_inventory(inventory, options)
}

impl<'db> Matcher<'db> {
    /// A matcher over `db`.
    pub fn new(db: &'db VulnDb) -> Matcher<'db> {
        Matcher {
            db,
            coverage: OnceLock::new(),
        }
    }

    fn coverage(&self) -> Result<&Coverage, MatchError> {
        if let Some(coverage) = self.coverage.get() {
            return Ok(coverage);
        }
        let coverage = Coverage::read(self.db)?;
        Ok(self.coverage.get_or_init(|| coverage))
    }

    /// Matches every package of `inventory`; see the crate documentation for the rules.
    pub fn match_inventory(
        &self,
        inventory: &Inventory,
        options: &MatchOptions,
    ) -> Result<MatchReport, MatchError> {
        let coverage = self.coverage()?;
        let mut run = Run {
            db: self.db,
            options,
            lookups: HashMap::new(),
            advisories: HashMap::new(),
            verdicts: HashMap::new(),
            incomplete: BTreeSet::new(),
        };
        let mut notes = Notes::default();
        let mut findings = Vec::new();
        let mut checked = 0;
        let sbom = inventory.target.kind == TargetKind::Sbom;
        for (index, package) in inventory.packages.iter().enumerate() {
            if package.dev && !options.include_dev {
                continue;
            }
            let lookup = match lookup_for(package, inventory.distro.as_ref()) {
                Ok(lookup) => lookup,
                Err(Unmatchable::NoRelease { ecosystem }) => {
                    notes
                        .no_release
                        .entry(ecosystem)
                        .or_default()
                        .push(label(package));
                    continue;
                }
                Err(Unmatchable::OtherDistro {
                    distro,
                    id_like,
                    ecosystem,
                }) => {
                    let entry = notes
                        .other_distro
                        .entry((distro, ecosystem))
                        .or_insert_with(|| (id_like, Vec::new()));
                    entry.1.push(label(package));
                    continue;
                }
            };
            let release = if is_distribution(&lookup.ecosystem) {
                coverage.resolve(&lookup.ecosystem, lookup.release.clone())
            } else {
                None
            };
            if !coverage.has(&lookup.ecosystem, release.as_deref()) {
                if is_distribution(&lookup.ecosystem) {
                    notes
                        .no_distro_data
                        .entry((lookup.ecosystem.clone(), release))
                        .or_default()
                        .push(label(package));
                } else {
                    *notes
                        .no_ecosystem_data
                        .entry(lookup.ecosystem.clone())
                        .or_default() += 1;
                }
                continue;
            }
            if is_distribution(&lookup.ecosystem) {
                if let Some(release) = &release {
                    notes
                        .distro_releases
                        .insert((lookup.ecosystem.clone(), release.clone()));
                }
                if sbom && package.source.is_none() {
                    notes
                        .no_source
                        .entry(lookup.ecosystem.clone())
                        .or_default()
                        .push(label(package));
                }
            }
            checked += 1;
            let key = PackageKey::new(lookup.ecosystem.clone(), release.as_deref(), &lookup.name);
            let verdicts = run.judge(&key, &lookup)?;
            let Some(verdicts) = verdicts.as_ref() else {
                notes.unparsable.push(format!(
                    "{} {} ({})",
                    package.name, lookup.version, package.ecosystem
                ));
                continue;
            };
            for verdict in verdicts {
                findings.push(finding(index, package, &key, &lookup, verdict));
            }
        }
        findings.sort_by(|a, b| {
            (
                &a.package.ecosystem,
                &a.package.name,
                &a.package.version,
                &a.id,
                a.package.index,
            )
                .cmp(&(
                    &b.package.ecosystem,
                    &b.package.name,
                    &b.package.version,
                    &b.id,
                    b.package.index,
                ))
        });
        let built = self.db.metadata().built;
        Ok(MatchReport {
            findings,
            notes: notes.finish(&run.incomplete, built),
            checked,
        })
    }
}

/// `name version`, as notes name packages.
fn label(package: &qm_model::Package) -> String {
    format!("{} {}", package.name, package.version)
}

fn finding(
    index: usize,
    package: &qm_model::Package,
    key: &PackageKey,
    lookup: &Lookup,
    verdict: &Verdict,
) -> Finding {
    Finding {
        id: verdict.id.clone(),
        aliases: verdict.aliases.clone(),
        package: FindingPackage {
            index,
            name: package.name.clone(),
            version: package.version.clone(),
            ecosystem: package.ecosystem.clone(),
            purl: package.purl.clone(),
            source: package.source.clone(),
            locations: package.locations.clone(),
            layer: package.layer.clone(),
        },
        matched_key: key.clone(),
        matched_by: lookup.matched_by,
        installed_version: lookup.version.clone(),
        fixed_version: verdict.fixed_version.clone(),
        fix: verdict.fix.clone(),
        severity: verdict.severity.clone(),
        title: verdict.title.clone(),
        sources: verdict.sources.clone(),
        published: verdict.published,
        modified: verdict.modified,
        fix_published: verdict.fix_published,
        urls: verdict.urls.clone(),
        informational: verdict.informational.clone(),
    }
}

/// The caches of one inventory's match.
struct Run<'a> {
    db: &'a VulnDb,
    options: &'a MatchOptions,
    lookups: HashMap<PackageKey, Rc<Vec<DbAffected>>>,
    advisories: HashMap<AdvisoryRef, Rc<AdvisoryFacts>>,
    /// Verdicts per (key, installed version); `None` when the version does not parse.
    verdicts: HashMap<(PackageKey, String), Rc<Option<Vec<Verdict>>>>,
    /// Ids of advisories with range events that did not parse.
    incomplete: BTreeSet<String>,
}

impl Run<'_> {
    fn lookup(&mut self, key: &PackageKey) -> Result<Rc<Vec<DbAffected>>, MatchError> {
        if let Some(found) = self.lookups.get(key) {
            return Ok(Rc::clone(found));
        }
        let found = Rc::new(self.db.lookup(key).map_err(|source| MatchError::Lookup {
            key: key.to_string(),
            source,
        })?);
        self.lookups.insert(key.clone(), Rc::clone(&found));
        Ok(found)
    }

    fn advisory(&mut self, reference: AdvisoryRef) -> Result<Rc<AdvisoryFacts>, MatchError> {
        if let Some(facts) = self.advisories.get(&reference) {
            return Ok(Rc::clone(facts));
        }
        let advisory = self
            .db
            .advisory(reference)
            .map_err(|source| MatchError::Advisory {
                index: reference.index(),
                source,
            })?;
        let facts = Rc::new(AdvisoryFacts::new(advisory));
        self.advisories.insert(reference, Rc::clone(&facts));
        Ok(facts)
    }

    /// The verdicts for the installed version under `key`; `None` when the version does not
    /// parse and there was something to judge it by.
    fn judge(
        &mut self,
        key: &PackageKey,
        lookup: &Lookup,
    ) -> Result<Rc<Option<Vec<Verdict>>>, MatchError> {
        let cache_key = (key.clone(), lookup.version.clone());
        if let Some(verdicts) = self.verdicts.get(&cache_key) {
            return Ok(Rc::clone(verdicts));
        }
        let entries = self.lookup(key)?;
        let verdicts = match lookup.scheme.parse(&lookup.version) {
            Ok(installed) => Some(self.judge_version(&entries, &installed, lookup.scheme)?),
            Err(_) => {
                // Unjudgeable only if something could have judged it.
                let mut relevant = false;
                for entry in entries.iter() {
                    let advisory = self.advisory(entry.advisory)?;
                    if self.usable(&advisory) {
                        relevant = true;
                        break;
                    }
                }
                if relevant { None } else { Some(Vec::new()) }
            }
        };
        let verdicts = Rc::new(verdicts);
        self.verdicts.insert(cache_key, Rc::clone(&verdicts));
        Ok(verdicts)
    }
}

impl Run<'_> {
    /// Whether an advisory may produce findings at all.
    fn usable(&self, advisory: &AdvisoryFacts) -> bool {
        !advisory.withdrawn
            && (advisory.informational.is_none() || self.options.include_informational)
    }

    /// Judges every entry for `installed` and folds them.
    ///
    /// For distribution keys, an entry that does not affect the installed version and cannot
    /// affect a later one (every range opens at `0`) takes no part in the fold, so its
    /// advisory is not decoded: a patched image's `linux` key holds thousands of such entries.
    /// Its ids still reach the aliases of a finding about the same vulnerability (a DSA whose
    /// older fix the tracker overrules) through the database's id index, see
    /// [`Run::link_idle`]. Language keys are small and fold every entry.
    fn judge_version(
        &mut self,
        entries: &[DbAffected],
        installed: &qm_version::Version,
        scheme: qm_version::Scheme,
    ) -> Result<Vec<Verdict>, MatchError> {
        let lazy = entries
            .first()
            .is_some_and(|entry| is_distribution(&entry.affected.package.ecosystem));
        let mut judged: Vec<(
            Rc<AdvisoryFacts>,
            &DbAffected,
            Option<CompiledAffected>,
            Outcome,
        )> = Vec::new();
        let mut idle_advisories: HashSet<AdvisoryRef> = HashSet::new();
        for entry in entries {
            let affected = &entry.affected;
            let (compiled, outcome, problems) = if affected.status
                == Some(DistroStatus::NotAffected)
            {
                (None, Outcome::NotAffected, false)
            } else {
                let (compiled, problems) = CompiledAffected::new_lenient(&affected.ranges, scheme);
                let (outcome, failed) = match compiled.evaluate_version(installed) {
                    Ok(evaluation) if evaluation.affected => (
                        Outcome::Affected {
                            fix: evaluation.fixed,
                        },
                        false,
                    ),
                    Ok(_) => (Outcome::Unaffected, false),
                    Err(_) => (Outcome::Unaffected, true),
                };
                (Some(compiled), outcome, failed || !problems.is_empty())
            };
            let idle =
                outcome == Outcome::Unaffected && !may_affect_later(affected, installed, scheme);
            if lazy && idle && !problems {
                idle_advisories.insert(entry.advisory);
                continue;
            }
            let advisory = self.advisory(entry.advisory)?;
            if problems {
                self.incomplete.insert(advisory.id.clone());
            }
            if lazy && idle || !self.usable(&advisory) {
                continue;
            }
            judged.push((advisory, entry, compiled, outcome));
        }
        let members: Vec<Member<'_>> = judged
            .iter_mut()
            .map(|(advisory, entry, compiled, outcome)| Member {
                facts: advisory,
                entry: &entry.affected,
                compiled: compiled.take(),
                outcome: outcome.clone(),
            })
            .collect();
        let mut verdicts = fold(&members, scheme);
        if !idle_advisories.is_empty() {
            for verdict in &mut verdicts {
                self.link_idle(verdict, &idle_advisories)?;
            }
        }
        Ok(verdicts)
    }

    /// Adds to a verdict's aliases the ids of advisories about the same vulnerability that
    /// were left out of the fold because they do not affect the installed version: found by
    /// id in the database's alias index, so only they are decoded.
    fn link_idle(
        &mut self,
        verdict: &mut Verdict,
        idle: &HashSet<AdvisoryRef>,
    ) -> Result<(), MatchError> {
        let mut known: HashSet<String> = std::iter::once(&verdict.id)
            .chain(&verdict.aliases)
            .map(|id| id.to_ascii_uppercase())
            .collect();
        let mut added = false;
        let ids: Vec<String> = std::iter::once(verdict.id.clone())
            .chain(verdict.aliases.iter().cloned())
            .collect();
        for id in ids {
            let found = self.db.find(&id).map_err(|source| MatchError::Find {
                id: id.clone(),
                source,
            })?;
            for reference in found {
                if !idle.contains(&reference) {
                    continue;
                }
                let advisory = self.advisory(reference)?;
                if !self.usable(&advisory) {
                    continue;
                }
                let linked: Vec<&String> = if advisory.is_announcement() {
                    vec![&advisory.id]
                } else {
                    advisory.ids.iter().collect()
                };
                for id in linked {
                    if known.insert(id.to_ascii_uppercase()) {
                        verdict.aliases.push(id.clone());
                        added = true;
                    }
                }
            }
        }
        if added {
            verdict.aliases.sort();
        }
        Ok(())
    }
}

/// Whether an entry that does not affect `installed` could affect a later version: a range
/// opening above it (a regression), or an explicit version list.
fn may_affect_later(
    affected: &qm_model::AffectedPackage,
    installed: &qm_version::Version,
    scheme: qm_version::Scheme,
) -> bool {
    !affected.ranges.versions.is_empty()
        || affected.ranges.ranges.iter().any(|range| {
            range.events.iter().any(|event| match event {
                qm_model::Event::Introduced(version) if version != "0" => {
                    // Unreadable under the ecosystem's scheme: assume it may.
                    scheme
                        .parse(version)
                        .map_or(true, |version| version > *installed)
                }
                _ => false,
            })
        })
}

/// Notes gathered while matching, said once each at the end.
#[derive(Default)]
struct Notes {
    no_release: BTreeMap<Ecosystem, Vec<String>>,
    other_distro: BTreeMap<(String, Ecosystem), (Vec<String>, Vec<String>)>,
    no_distro_data: BTreeMap<(Ecosystem, Option<String>), Vec<String>>,
    no_ecosystem_data: BTreeMap<Ecosystem, usize>,
    no_source: BTreeMap<Ecosystem, Vec<String>>,
    unparsable: Vec<String>,
    /// Distribution releases whose packages were judged.
    distro_releases: BTreeSet<(Ecosystem, String)>,
}

/// Counts packages as "1 package" / "3 packages".
fn packages(count: usize) -> String {
    if count == 1 {
        "1 package".to_owned()
    } else {
        format!("{count} packages")
    }
}

/// "1 package was" / "3 packages were".
fn packages_were(count: usize) -> String {
    if count == 1 {
        "1 package was".to_owned()
    } else {
        format!("{count} packages were")
    }
}

fn listed(mut names: Vec<String>) -> Vec<String> {
    names.truncate(MatchNote::LISTED);
    names
}

impl Notes {
    fn finish(self, incomplete: &BTreeSet<String>, built: qm_model::Timestamp) -> Vec<MatchNote> {
        let mut notes = Vec::new();
        for ((ecosystem, release), names) in self.no_distro_data {
            let release = release.map(|r| format!(" {r}")).unwrap_or_default();
            notes.push(MatchNote {
                kind: NoteKind::NoDistroData,
                message: format!(
                    "no vulnerability data for {ecosystem}{release} in this database: {} not checked",
                    packages_were(names.len())
                ),
                count: names.len(),
                packages: Vec::new(),
            });
        }
        for (ecosystem, release) in &self.distro_releases {
            if let Some(date) = end_of_life(ecosystem, release, built) {
                notes.push(MatchNote {
                    kind: NoteKind::EndOfLife,
                    message: format!(
                        "{ecosystem} {release} reached the end of its security support on {date}: \
                         vulnerabilities found since may be missing from its data"
                    ),
                    count: 0,
                    packages: Vec::new(),
                });
            }
        }
        for (ecosystem, names) in self.no_release {
            notes.push(MatchNote {
                kind: NoteKind::UnknownRelease,
                message: format!(
                    "{} of {ecosystem} not checked: the inventory does not say which {ecosystem} release it runs",
                    packages_were(names.len())
                ),
                count: names.len(),
                packages: listed(names),
            });
        }
        for ((distro, ecosystem), (id_like, names)) in self.other_distro {
            let like = if id_like.is_empty() {
                String::new()
            } else {
                format!(" (like {})", id_like.join(", "))
            };
            notes.push(MatchNote {
                kind: NoteKind::UnsupportedDistro,
                message: format!(
                    "{} of `{distro}`{like} not checked: this database has no data for `{distro}`, \
                     and {ecosystem}'s data does not fit another distribution's versions",
                    packages_were(names.len())
                ),
                count: names.len(),
                packages: listed(names),
            });
        }
        for (ecosystem, count) in self.no_ecosystem_data {
            notes.push(MatchNote {
                kind: NoteKind::NoEcosystemData,
                message: format!(
                    "no vulnerability data for {ecosystem} in this database: {} not checked",
                    packages_were(count)
                ),
                count,
                packages: Vec::new(),
            });
        }
        for (ecosystem, names) in self.no_source {
            notes.push(MatchNote {
                kind: NoteKind::NoSourcePackage,
                message: format!(
                    "the SBOM names no source package for {} of {ecosystem}: they were matched by \
                     binary name, which misses advisories filed under a differently named source package",
                    packages(names.len())
                ),
                count: names.len(),
                packages: listed(names),
            });
        }
        if !self.unparsable.is_empty() {
            let count = self.unparsable.len();
            notes.push(MatchNote {
                kind: NoteKind::UnparsableVersion,
                message: format!(
                    "{} not checked: the version is not valid for the ecosystem",
                    packages_were(count)
                ),
                count,
                packages: listed(self.unparsable),
            });
        }
        if !incomplete.is_empty() {
            let ids: Vec<&str> = incomplete
                .iter()
                .map(String::as_str)
                .take(MatchNote::LISTED)
                .collect();
            notes.push(MatchNote {
                kind: NoteKind::IncompleteAdvisory,
                message: format!(
                    "{} {} version ranges that do not parse, so {} may be incomplete: {}",
                    if incomplete.len() == 1 {
                        "1 advisory".to_owned()
                    } else {
                        format!("{} advisories", incomplete.len())
                    },
                    if incomplete.len() == 1 {
                        "holds"
                    } else {
                        "hold"
                    },
                    if incomplete.len() == 1 {
                        "its verdict"
                    } else {
                        "their verdicts"
                    },
                    ids.join(", ")
                ),
                count: 0,
                packages: Vec::new(),
            });
        }
        notes
    }
}
