//! The store's behaviour, written once against [`Conn`] and run by both engines.
//!
//! Layout (see `schema.rs` for the tables):
//! - a **package** row is one distinct (ecosystem, name, version, purl, source package) across
//!   the whole fleet; a revision lists its packages by id, with where each was found;
//! - a **context** is what else the matcher reads from an inventory: its distribution and the
//!   kind of target. The same package in the same context is judged the same, so findings are
//!   stored once per (context, package) and shared by every revision that holds that pair;
//! - `matched` lists the pairs whose findings are stored. An add matches only the pairs the
//!   store has not seen; a re-match recomputes every pair and writes the difference.
//!
//! That sharing is what makes a fleet cheap: ten thousand images built from a few bases hold
//! a few thousand distinct pairs, not millions of packages, and that is what a re-match
//! judges. Each revision keeps its severity counts, refreshed when its pairs' findings change,
//! so listing the fleet reads one row per target.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read as _;

use qm_match::{Finding, MatchOptions, Matcher};
use qm_model::{
    Distro, Ecosystem, Inventory, Package, Rating, SourcePackage, TargetInfo, Timestamp,
};
use qm_vulndb::VulnDb;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::affected::AffectedDetail;
use crate::error::FleetError;
use crate::model::{
    AddOutcome, Labels, NewRevision, PackageInfo, RematchReport, RevisionSummary, SeverityCounts,
    TargetDetail, TargetSummary, VulnerabilityChange,
};
use crate::query::purl_key;
use crate::roster;
use crate::sql::{Conn, Param, Row};

/// Longest target name accepted.
const MAX_NAME_BYTES: usize = 256;
/// Largest decompressed inventory read back from the store.
const MAX_INVENTORY_BYTES: u64 = 1024 * 1024 * 1024;
/// Package identities looked up per statement.
const LOOKUP_BATCH: usize = 200;
/// Revision packages inserted per statement (six parameters each; SQLite allows 32 766).
const INSERT_BATCH: usize = 200;
/// zstd level for stored inventories: inventories are repetitive JSON, level 3 shrinks them
/// about tenfold at a small cost per add.
const ZSTD_LEVEL: i32 = 3;

/// The vulnerability database the store's findings are derived from, with a matcher kept
/// across inventories.
#[derive(Debug)]
pub struct FleetMatcher<'db> {
    matcher: Matcher<'db>,
    database: String,
}

impl<'db> FleetMatcher<'db> {
    /// A matcher over `db`.
    pub fn new(db: &'db VulnDb) -> FleetMatcher<'db> {
        FleetMatcher {
            matcher: Matcher::new(db),
            database: format!(
                "built {}, {} advisories, {} package keys, {} bytes",
                db.metadata().built,
                db.advisory_count(),
                db.package_count(),
                db.size()
            ),
        }
    }

    /// How the store records the database: its build time and size.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// Matches packages in one context; every finding's `package.index` is its index in
    /// `packages`.
    fn match_packages(
        &self,
        context: &Context,
        packages: Vec<Package>,
    ) -> Result<Vec<Finding>, FleetError> {
        let inventory = Inventory {
            target: TargetInfo {
                name: "fleet".to_owned(),
                kind: context.kind,
                digest: None,
                manifest_digest: None,
                tags: Vec::new(),
                platform: None,
                layers: Vec::new(),
            },
            distro: context.distro.clone(),
            packages,
            warnings: Vec::new(),
        };
        let report = self
            .matcher
            .match_inventory(&inventory, &MatchOptions::default())
            .map_err(|source| FleetError::Match { source })?;
        Ok(report.findings)
    }
}

/// What the matcher reads from an inventory besides its packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct Context {
    distro: Option<Distro>,
    kind: qm_model::TargetKind,
}

impl Context {
    fn key(&self) -> Result<String, FleetError> {
        let json = serde_json::to_vec(self).map_err(|error| FleetError::Unexpected {
            detail: format!("cannot encode a distribution: {error}"),
        })?;
        Ok(sha256_hex(&json))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The digest a revision is known by: the image's own (its config digest) when it has one,
/// else `sha256:` of the canonical inventory JSON without the name it was read under, so the
/// same directory read as `dir:.` or `dir:/src/app` is the same revision.
pub fn inventory_digest(inventory: &Inventory) -> Result<String, FleetError> {
    if let Some(digest) = inventory.target.digest.as_deref().filter(|d| !d.is_empty()) {
        return Ok(digest.to_owned());
    }
    let mut canonical = inventory.clone();
    canonical.target.name = String::new();
    let json = serde_json::to_vec(&canonical).map_err(|error| FleetError::Encoding {
        target: inventory.target.name.clone(),
        action: "encode the inventory".to_owned(),
        source: Box::new(error),
    })?;
    Ok(format!("sha256:{}", sha256_hex(&json)))
}

/// One package of a revision, ready to store.
struct StoredPackage {
    identity: String,
    ecosystem: String,
    name: String,
    version: String,
    purl: String,
    source_name: Option<String>,
    source_version: Option<String>,
    name_key: String,
    source_key: Option<String>,
    purl_key: Option<String>,
    purl_version: Option<String>,
    layer: Option<String>,
    locations: String,
    dev: bool,
}

impl StoredPackage {
    fn new(package: &Package) -> Result<StoredPackage, FleetError> {
        let source_name = package.source.as_ref().map(|source| source.name.clone());
        let source_version = package
            .source
            .as_ref()
            .and_then(|source| source.version.clone());
        let identity_json = serde_json::to_vec(&(
            package.ecosystem.as_str(),
            &package.name,
            &package.version,
            &package.purl,
            &source_name,
            &source_version,
        ))
        .map_err(|error| FleetError::Unexpected {
            detail: format!("cannot encode package `{}`: {error}", package.name),
        })?;
        let (purl_key, purl_version) = match purl_key(&package.purl) {
            Some((key, version)) => (Some(key), version),
            None => (None, None),
        };
        Ok(StoredPackage {
            identity: sha256_hex(&identity_json),
            ecosystem: package.ecosystem.as_str().to_owned(),
            name: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
            source_key: source_name.as_deref().map(str::to_lowercase),
            source_name,
            source_version,
            name_key: package.name.to_lowercase(),
            purl_key,
            purl_version,
            layer: package.layer.clone(),
            locations: serde_json::to_string(&package.locations).map_err(|error| {
                FleetError::Unexpected {
                    detail: format!("cannot encode locations of `{}`: {error}", package.name),
                }
            })?,
            dev: package.dev,
        })
    }
}

/// Everything an add computes before taking the store's write lock.
pub(crate) struct PreparedAdd {
    name: String,
    labels: Option<String>,
    digest: String,
    source: String,
    kind: String,
    context: Context,
    context_key: String,
    context_distro: Option<String>,
    /// The kind as serde writes it (`directory`), which is what the context table keeps.
    context_kind: String,
    compressed: Vec<u8>,
    packages: Vec<StoredPackage>,
    /// The inventory's packages, for matching the ones the store has not judged.
    originals: Vec<Package>,
}

pub(crate) fn prepare_add(revision: &NewRevision<'_>) -> Result<PreparedAdd, FleetError> {
    validate_name(revision.name)?;
    let inventory = revision.inventory;
    let encoding =
        |action: &str, source: Box<dyn std::error::Error + Send + Sync>| FleetError::Encoding {
            target: revision.name.to_owned(),
            action: action.to_owned(),
            source,
        };
    let json = serde_json::to_vec(inventory)
        .map_err(|error| encoding("encode the inventory", Box::new(error)))?;
    let compressed = zstd::encode_all(json.as_slice(), ZSTD_LEVEL)
        .map_err(|error| encoding("compress the inventory", Box::new(error)))?;
    let labels = revision
        .labels
        .map(serde_json::to_string)
        .transpose()
        .map_err(|error| encoding("encode the labels", Box::new(error)))?;
    let context = Context {
        distro: inventory.distro.clone(),
        kind: inventory.target.kind,
    };
    let context_distro = inventory
        .distro
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|error| encoding("encode the distribution", Box::new(error)))?;
    let context_kind = match serde_json::to_value(inventory.target.kind) {
        Ok(serde_json::Value::String(kind)) => kind,
        _ => inventory.target.kind.as_str().to_owned(),
    };
    Ok(PreparedAdd {
        name: revision.name.to_owned(),
        context_kind,
        labels,
        digest: inventory_digest(inventory)?,
        source: inventory.target.name.clone(),
        kind: inventory.target.kind.as_str().to_owned(),
        context_key: context.key()?,
        context,
        context_distro,
        compressed,
        packages: inventory
            .packages
            .iter()
            .map(StoredPackage::new)
            .collect::<Result<_, _>>()?,
        originals: inventory.packages.clone(),
    })
}

fn validate_name(name: &str) -> Result<(), FleetError> {
    let invalid = |reason: &str| FleetError::InvalidName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.trim().is_empty() {
        return Err(invalid("it is empty"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(invalid("it is longer than 256 bytes"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("it holds a control character"));
    }
    Ok(())
}

fn int(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Adds a revision, inside the caller's write transaction.
pub(crate) fn add(
    conn: &mut dyn Conn,
    prepared: &PreparedAdd,
    matcher: &FleetMatcher<'_>,
    now: Timestamp,
) -> Result<AddOutcome, FleetError> {
    let now_seconds = now.unix_seconds();
    let target = conn.query_opt(
        "SELECT id, labels, latest_revision FROM targets WHERE name = ?",
        &[Param::Text(&prepared.name)],
    )?;
    let (target_id, labels_changed, latest) = match target {
        None => {
            let labels = prepared.labels.as_deref().unwrap_or("{}");
            let row = conn.query_one(
                "INSERT INTO targets (name, labels, created_at) VALUES (?, ?, ?) RETURNING id",
                &[
                    Param::Text(&prepared.name),
                    Param::Text(labels),
                    Param::Int(now_seconds),
                ],
            )?;
            (row.int(0)?, labels != "{}", None)
        }
        Some(row) => {
            let id = row.int(0)?;
            let changed = match &prepared.labels {
                Some(labels) if labels != row.text(1)? => {
                    conn.execute(
                        "UPDATE targets SET labels = ? WHERE id = ?",
                        &[Param::Text(labels), Param::Int(id)],
                    )?;
                    true
                }
                _ => false,
            };
            (id, changed, row.opt_int(2)?)
        }
    };

    let stale = stale_database(conn, matcher)?;
    if let Some(latest) = latest {
        let row = conn.query_one(
            "SELECT number, digest, package_count, critical, high, medium, low, negligible, \
             unknown FROM revisions WHERE id = ?",
            &[Param::Int(latest)],
        )?;
        if row.text(1)? == prepared.digest {
            return Ok(AddOutcome {
                target: prepared.name.clone(),
                revision: row.count(0)?,
                digest: prepared.digest.clone(),
                created: false,
                labels_changed,
                packages: row.count(2)?,
                counts: counts_from(&row, 3)?,
                stale_findings: stale,
            });
        }
    }
    let number = match latest {
        Some(latest) => {
            conn.query_one(
                "SELECT number FROM revisions WHERE id = ?",
                &[Param::Int(latest)],
            )?
            .int(0)?
                + 1
        }
        None => 1,
    };

    let context_id = context_id(
        conn,
        &prepared.context_key,
        prepared.context_distro.as_deref(),
        &prepared.context_kind,
    )?;
    let tick = tick(conn, now)?;
    let revision_id = conn
        .query_one(
            "INSERT INTO revisions (target_id, number, digest, added_at, source, kind, \
             context_id, package_count, added_tick) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING id",
            &[
                Param::Int(target_id),
                Param::Int(number),
                Param::Text(&prepared.digest),
                Param::Int(now_seconds),
                Param::Text(&prepared.source),
                Param::Text(&prepared.kind),
                Param::Int(context_id),
                Param::Int(int(prepared.packages.len())),
                Param::Int(tick),
            ],
        )?
        .int(0)?;
    conn.execute(
        "INSERT INTO inventories (revision_id, data) VALUES (?, ?)",
        &[Param::Int(revision_id), Param::Blob(&prepared.compressed)],
    )?;

    // Packages: known ones by identity (a few hundred per statement), new ones inserted.
    let mut ids: HashMap<&str, i64> = HashMap::new();
    let mut fresh: HashSet<i64> = HashSet::new();
    let mut distinct: Vec<&StoredPackage> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for package in &prepared.packages {
        if seen.insert(&package.identity) {
            distinct.push(package);
        }
    }
    for chunk in distinct.chunks(LOOKUP_BATCH) {
        let sql = format!(
            "SELECT identity, id FROM packages WHERE identity IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let params: Vec<Param<'_>> = chunk
            .iter()
            .map(|package| Param::Text(&package.identity))
            .collect();
        for row in conn.query(&sql, &params)? {
            let identity = row.text(0)?;
            if let Some(package) = chunk.iter().find(|package| package.identity == identity) {
                ids.insert(&package.identity, row.int(1)?);
            }
        }
    }
    for package in &distinct {
        if !ids.contains_key(package.identity.as_str()) {
            let id = insert_package(conn, package)?;
            fresh.insert(id);
            ids.insert(&package.identity, id);
        }
    }
    let positions: Vec<(usize, &StoredPackage)> = prepared.packages.iter().enumerate().collect();
    for chunk in positions.chunks(INSERT_BATCH) {
        let sql = format!(
            "INSERT INTO revision_packages (revision_id, position, package_id, layer, \
             locations, dev) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut params: Vec<Param<'_>> = Vec::with_capacity(chunk.len() * 6);
        for (position, package) in chunk {
            let package_id = ids.get(package.identity.as_str()).copied().ok_or_else(|| {
                FleetError::Unexpected {
                    detail: format!("package `{}` has no id", package.name),
                }
            })?;
            params.extend([
                Param::Int(revision_id),
                Param::Int(int(*position)),
                Param::Int(package_id),
                Param::OptText(package.layer.as_deref()),
                Param::Text(&package.locations),
                Param::Int(i64::from(package.dev)),
            ]);
        }
        conn.execute(&sql, &params)?;
    }

    // Judge the pairs the store has not judged yet.
    let judged: HashSet<i64> = conn
        .query(
            // `CROSS JOIN` keeps SQLite walking the revision's few hundred packages and probing
            // `matched`, rather than walking every pair of the context; PostgreSQL plans it
            // as the inner join it is.
            "SELECT DISTINCT m.package_id FROM revision_packages rp CROSS JOIN matched m \
             WHERE rp.revision_id = ? AND m.context_id = ? AND m.package_id = rp.package_id",
            &[Param::Int(revision_id), Param::Int(context_id)],
        )?
        .iter()
        .map(|row| row.int(0))
        .collect::<Result<_, _>>()?;
    let mut to_judge: Vec<(i64, Package)> = Vec::new();
    let mut queued: HashSet<i64> = HashSet::new();
    for (package, original) in prepared.packages.iter().zip(&prepared.originals) {
        let Some(id) = ids.get(package.identity.as_str()).copied() else {
            continue;
        };
        if (fresh.contains(&id) || !judged.contains(&id)) && queued.insert(id) {
            to_judge.push((id, matchable(original)));
        }
    }
    if !to_judge.is_empty() {
        let (package_ids, packages): (Vec<i64>, Vec<Package>) = to_judge.into_iter().unzip();
        let findings = matcher.match_packages(&prepared.context, packages)?;
        for finding in findings {
            let Some(package_id) = package_ids.get(finding.package.index).copied() else {
                continue;
            };
            let stored = StoredFinding::new(finding)?;
            insert_finding(conn, context_id, package_id, &stored, now_seconds, tick)?;
        }
        for package_id in &package_ids {
            conn.execute(
                "INSERT INTO matched (context_id, package_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                &[Param::Int(context_id), Param::Int(*package_id)],
            )?;
        }
    }

    let counts = recount(conn, revision_id, context_id)?;
    conn.execute(
        "UPDATE targets SET latest_revision = ? WHERE id = ?",
        &[Param::Int(revision_id), Param::Int(target_id)],
    )?;
    roster::set(
        conn,
        target_id,
        Some(&roster::Entry {
            target_id,
            revision: revision_id,
            context: context_id,
            number,
            name: &prepared.name,
            digest: &prepared.digest,
        }),
    )?;
    if stale.is_none() {
        set_meta(conn, "database", matcher.database())?;
    }
    Ok(AddOutcome {
        target: prepared.name.clone(),
        revision: unsigned(number),
        digest: prepared.digest.clone(),
        created: true,
        labels_changed,
        packages: int_to_u64(prepared.packages.len()),
        counts,
        stale_findings: stale,
    })
}

fn int_to_u64(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// The database the store's findings came from, when it is not `matcher`'s.
fn stale_database(
    conn: &mut dyn Conn,
    matcher: &FleetMatcher<'_>,
) -> Result<Option<String>, FleetError> {
    Ok(get_meta(conn, "database")?.filter(|recorded| recorded != matcher.database()))
}

/// The database the store's findings were last derived from.
pub(crate) fn recorded_database(conn: &mut dyn Conn) -> Result<Option<String>, FleetError> {
    get_meta(conn, "database")
}

/// Removes a target with its revisions and inventories (so its exposures too).
pub(crate) fn remove(conn: &mut dyn Conn, name: &str) -> Result<bool, FleetError> {
    let Some(row) = conn.query_opt(
        "SELECT id FROM targets WHERE name = ?",
        &[Param::Text(name)],
    )?
    else {
        return Ok(false);
    };
    let target_id = row.int(0)?;
    roster::set(conn, target_id, None)?;
    let id = Param::Int(target_id);
    for statement in [
        "UPDATE targets SET latest_revision = NULL WHERE id = ?",
        "DELETE FROM revision_packages WHERE revision_id IN \
         (SELECT id FROM revisions WHERE target_id = ?)",
        "DELETE FROM inventories WHERE revision_id IN \
         (SELECT id FROM revisions WHERE target_id = ?)",
        "DELETE FROM revisions WHERE target_id = ?",
        "DELETE FROM targets WHERE id = ?",
    ] {
        conn.execute(statement, &[id])?;
    }
    Ok(true)
}

/// The observation tick of a write transaction: the time in milliseconds, but always after
/// the store's previous tick, so that adds and re-matches are ordered even when they happen
/// within one millisecond or the clock steps back. Exposures are derived in ticks.
fn tick(conn: &mut dyn Conn, now: Timestamp) -> Result<i64, FleetError> {
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|elapsed| i64::try_from(elapsed.as_millis()).ok())
        .unwrap_or(0)
        .max(now.unix_seconds().saturating_mul(1000));
    let last = get_meta(conn, "clock")?
        .and_then(|text| text.parse::<i64>().ok())
        .unwrap_or(0);
    let tick = wall.max(last.saturating_add(1));
    set_meta(conn, "clock", &tick.to_string())?;
    Ok(tick)
}

fn get_meta(conn: &mut dyn Conn, key: &str) -> Result<Option<String>, FleetError> {
    conn.query_opt("SELECT value FROM meta WHERE key = ?", &[Param::Text(key)])?
        .map(|row| row.text(0).map(str::to_owned))
        .transpose()
}

fn set_meta(conn: &mut dyn Conn, key: &str, value: &str) -> Result<(), FleetError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[Param::Text(key), Param::Text(value)],
    )?;
    Ok(())
}

fn context_id(
    conn: &mut dyn Conn,
    key: &str,
    distro: Option<&str>,
    kind: &str,
) -> Result<i64, FleetError> {
    if let Some(row) =
        conn.query_opt("SELECT id FROM contexts WHERE key = ?", &[Param::Text(key)])?
    {
        return row.int(0);
    }
    conn.query_one(
        "INSERT INTO contexts (key, distro, kind) VALUES (?, ?, ?) RETURNING id",
        &[Param::Text(key), Param::OptText(distro), Param::Text(kind)],
    )?
    .int(0)
}

/// Inserts a package the store does not know; returns its id.
fn insert_package(conn: &mut dyn Conn, package: &StoredPackage) -> Result<i64, FleetError> {
    conn.query_one(
        "INSERT INTO packages (identity, ecosystem, name, version, purl, source_name, \
         source_version, name_key, source_key, purl_key, purl_version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            Param::Text(&package.identity),
            Param::Text(&package.ecosystem),
            Param::Text(&package.name),
            Param::Text(&package.version),
            Param::Text(&package.purl),
            Param::OptText(package.source_name.as_deref()),
            Param::OptText(package.source_version.as_deref()),
            Param::Text(&package.name_key),
            Param::OptText(package.source_key.as_deref()),
            Param::OptText(package.purl_key.as_deref()),
            Param::OptText(package.purl_version.as_deref()),
        ],
    )?
    .int(0)
}

/// A package as the matcher needs it: identity fields only, so that what is stored once per
/// pair does not depend on which revision brought it.
fn matchable(package: &Package) -> Package {
    Package {
        name: package.name.clone(),
        version: package.version.clone(),
        ecosystem: package.ecosystem.clone(),
        purl: package.purl.clone(),
        source: package.source.clone(),
        locations: Vec::new(),
        found_by: String::new(),
        dev: false,
        arch: None,
        layer: None,
    }
}

/// A finding as stored for a (context, package) pair.
struct StoredFinding {
    id: String,
    aliases: Vec<String>,
    severity: Rating,
    fixed_version: Option<String>,
    /// When the advisory dates the fix (else when it was published), in Unix seconds.
    fix_date: Option<i64>,
    detail: String,
    /// An [`AffectedDetail`], as JSON.
    summary: String,
}

impl StoredFinding {
    fn new(mut finding: Finding) -> Result<StoredFinding, FleetError> {
        finding.package.index = 0;
        finding.package.locations = Vec::new();
        finding.package.layer = None;
        let detail = serde_json::to_string(&finding).map_err(|error| FleetError::Unexpected {
            detail: format!("cannot encode finding `{}`: {error}", finding.id),
        })?;
        let fix_date = finding
            .fix_published
            .or(finding.published)
            .map(Timestamp::unix_seconds);
        let summary = serde_json::to_string(&AffectedDetail {
            id: finding.id.clone(),
            aliases: finding.aliases.clone(),
            package: PackageInfo {
                ecosystem: finding.package.ecosystem.clone(),
                name: finding.package.name.clone(),
                version: finding.package.version.clone(),
                purl: finding.package.purl.clone(),
                source: finding.package.source.clone(),
            },
            fixed_version: finding.fixed_version.clone(),
            fix: finding.fix.clone(),
            severity: finding.severity.clone(),
            title: finding.title.clone(),
        })
        .map_err(|error| FleetError::Unexpected {
            detail: format!("cannot encode finding `{}`: {error}", finding.id),
        })?;
        Ok(StoredFinding {
            fix_date,
            summary,
            id: finding.id,
            aliases: finding.aliases,
            severity: finding.severity.rating,
            fixed_version: finding.fixed_version,
            detail,
        })
    }

    /// When its fix became available as far as the store can tell at `now`: the advisory's
    /// date, unless that is in the future, else `now`; `None` without a fix.
    fn fix_available_at(&self, now: i64) -> Option<i64> {
        self.fixed_version
            .as_ref()
            .map(|_| self.fix_date.map_or(now, |date| date.min(now)))
    }
}

fn insert_finding(
    conn: &mut dyn Conn,
    context_id: i64,
    package_id: i64,
    finding: &StoredFinding,
    now: i64,
    tick: i64,
) -> Result<(), FleetError> {
    conn.execute(
        "INSERT INTO package_findings (context_id, package_id, vuln_id, severity, \
         fixed_version, detail, first_seen, fix_available_at, first_tick, summary) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        &[
            Param::Int(context_id),
            Param::Int(package_id),
            Param::Text(&finding.id),
            Param::Text(finding.severity.as_str()),
            Param::OptText(finding.fixed_version.as_deref()),
            Param::Text(&finding.detail),
            Param::Int(now),
            Param::OptInt(finding.fix_available_at(now)),
            Param::Int(tick),
            Param::Text(&finding.summary),
        ],
    )?;
    for alias in std::iter::once(&finding.id).chain(&finding.aliases) {
        conn.execute(
            "INSERT INTO vuln_ids (alias, vuln_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            &[Param::Text(&alias.to_uppercase()), Param::Text(&finding.id)],
        )?;
    }
    Ok(())
}

/// Counts a revision's findings by severity and stores the counts on it.
fn recount(
    conn: &mut dyn Conn,
    revision_id: i64,
    context_id: i64,
) -> Result<SeverityCounts, FleetError> {
    // Walk the revision's packages and probe their findings (see `add` on `CROSS JOIN`).
    let rows = conn.query(
        "SELECT pf.severity, COUNT(*) FROM revision_packages rp CROSS JOIN package_findings pf \
         WHERE rp.revision_id = ? AND pf.context_id = ? AND pf.package_id = rp.package_id \
         GROUP BY pf.severity",
        &[Param::Int(revision_id), Param::Int(context_id)],
    )?;
    let mut counts = SeverityCounts::default();
    for row in rows {
        counts.add(Rating::from_label(row.text(0)?), row.count(1)?);
    }
    let value = |count: u64| Param::Int(i64::try_from(count).unwrap_or(i64::MAX));
    conn.execute(
        "UPDATE revisions SET critical = ?, high = ?, medium = ?, low = ?, negligible = ?, \
         unknown = ? WHERE id = ?",
        &[
            value(counts.critical),
            value(counts.high),
            value(counts.medium),
            value(counts.low),
            value(counts.negligible),
            value(counts.unknown),
            Param::Int(revision_id),
        ],
    )?;
    Ok(counts)
}

/// The position of a rating in the revisions' count columns.
fn slot(rating: Rating) -> usize {
    match rating {
        Rating::Critical => 0,
        Rating::High => 1,
        Rating::Medium => 2,
        Rating::Low => 3,
        Rating::None => 4,
        Rating::Unknown => 5,
    }
}

fn counts_from(row: &Row, first: usize) -> Result<SeverityCounts, FleetError> {
    Ok(SeverityCounts {
        critical: row.count(first)?,
        high: row.count(first + 1)?,
        medium: row.count(first + 2)?,
        low: row.count(first + 3)?,
        negligible: row.count(first + 4)?,
        unknown: row.count(first + 5)?,
    })
}

fn labels_from(text: &str, target: &str) -> Result<Labels, FleetError> {
    serde_json::from_str(text).map_err(|error| FleetError::Encoding {
        target: target.to_owned(),
        action: "decode the labels".to_owned(),
        source: Box::new(error),
    })
}

fn timestamp(seconds: i64) -> Result<Timestamp, FleetError> {
    Timestamp::from_unix_seconds(seconds).ok_or_else(|| FleetError::Unexpected {
        detail: format!("`{seconds}` is not a time"),
    })
}

const REVISION_COLUMNS: &str = "r.number, r.digest, r.added_at, r.source, r.kind, \
     r.package_count, r.critical, r.high, r.medium, r.low, r.negligible, r.unknown";

/// Reads [`REVISION_COLUMNS`] starting at column `first`.
fn revision_from(row: &Row, first: usize) -> Result<RevisionSummary, FleetError> {
    Ok(RevisionSummary {
        revision: row.count(first)?,
        digest: row.text(first + 1)?.to_owned(),
        added_at: timestamp(row.int(first + 2)?)?,
        source: row.text(first + 3)?.to_owned(),
        kind: row.text(first + 4)?.to_owned(),
        packages: row.count(first + 5)?,
        counts: counts_from(row, first + 6)?,
    })
}

/// Every target with its latest revision, by name.
pub(crate) fn list(conn: &mut dyn Conn) -> Result<Vec<TargetSummary>, FleetError> {
    let rows = conn.query(
        &format!(
            "SELECT t.name, t.labels, \
             (SELECT COUNT(*) FROM revisions h WHERE h.target_id = t.id), {REVISION_COLUMNS} \
             FROM targets t JOIN revisions r ON r.id = t.latest_revision"
        ),
        &[],
    )?;
    let mut targets = rows
        .iter()
        .map(|row| {
            let name = row.text(0)?;
            Ok(TargetSummary {
                name: name.to_owned(),
                labels: labels_from(row.text(1)?, name)?,
                revisions: row.count(2)?,
                latest: revision_from(row, 3)?,
            })
        })
        .collect::<Result<Vec<_>, FleetError>>()?;
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(targets)
}

/// One target: history and the latest revision's findings.
pub(crate) fn show(conn: &mut dyn Conn, name: &str) -> Result<Option<TargetDetail>, FleetError> {
    let Some(target) = conn.query_opt(
        "SELECT id, labels, latest_revision FROM targets WHERE name = ?",
        &[Param::Text(name)],
    )?
    else {
        return Ok(None);
    };
    let target_id = target.int(0)?;
    let labels = labels_from(target.text(1)?, name)?;
    let Some(latest) = target.opt_int(2)? else {
        return Ok(None);
    };
    let mut history = conn
        .query(
            &format!("SELECT {REVISION_COLUMNS} FROM revisions r WHERE r.target_id = ?"),
            &[Param::Int(target_id)],
        )?
        .iter()
        .map(|row| revision_from(row, 0))
        .collect::<Result<Vec<_>, _>>()?;
    history.sort_by_key(|revision| revision.revision);
    let rows = conn.query(
        "SELECT rp.position, rp.layer, rp.locations, pf.detail FROM revisions r \
         CROSS JOIN revision_packages rp CROSS JOIN package_findings pf \
         WHERE r.id = ? AND rp.revision_id = r.id AND pf.context_id = r.context_id \
         AND pf.package_id = rp.package_id",
        &[Param::Int(latest)],
    )?;
    let mut findings = rows
        .iter()
        .map(|row| finding_from(row, 0, name))
        .collect::<Result<Vec<_>, _>>()?;
    sort_findings(&mut findings);
    Ok(Some(TargetDetail {
        name: name.to_owned(),
        labels,
        history,
        findings,
    }))
}

/// Reads `position, layer, locations, detail` from column `first` into a finding.
fn finding_from(row: &Row, first: usize, target: &str) -> Result<Finding, FleetError> {
    let decode = |error: serde_json::Error| FleetError::Encoding {
        target: target.to_owned(),
        action: "decode a stored finding".to_owned(),
        source: Box::new(error),
    };
    let mut finding: Finding = serde_json::from_str(row.text(first + 3)?).map_err(decode)?;
    finding.package.index = usize::try_from(row.int(first)?).unwrap_or(usize::MAX);
    finding.package.layer = row.opt_text(first + 1)?.map(str::to_owned);
    finding.package.locations = serde_json::from_str(row.text(first + 2)?).map_err(decode)?;
    Ok(finding)
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.package.ecosystem.as_str(),
            &a.package.name,
            &a.package.version,
            a.package.index,
            &a.id,
        )
            .cmp(&(
                b.package.ecosystem.as_str(),
                &b.package.name,
                &b.package.version,
                b.package.index,
                &b.id,
            ))
    });
}

/// A stored inventory: the latest revision's, or a given one's.
pub(crate) fn inventory(
    conn: &mut dyn Conn,
    name: &str,
    revision: Option<u64>,
) -> Result<Option<Inventory>, FleetError> {
    let row = match revision {
        None => conn.query_opt(
            "SELECT r.number, i.data FROM targets t JOIN revisions r \
             ON r.id = t.latest_revision JOIN inventories i ON i.revision_id = r.id \
             WHERE t.name = ?",
            &[Param::Text(name)],
        )?,
        Some(number) => conn.query_opt(
            "SELECT r.number, i.data FROM targets t JOIN revisions r \
             ON r.target_id = t.id JOIN inventories i ON i.revision_id = r.id \
             WHERE t.name = ? AND r.number = ?",
            &[
                Param::Text(name),
                Param::Int(i64::try_from(number).unwrap_or(i64::MAX)),
            ],
        )?,
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let number = row.int(0)?;
    let failure =
        |action: &str, source: Box<dyn std::error::Error + Send + Sync>| FleetError::Encoding {
            target: name.to_owned(),
            action: format!("{action} of revision {number}"),
            source,
        };
    let mut json = Vec::new();
    zstd::Decoder::new(row.blob(1)?)
        .map_err(|error| failure("decompress the inventory", Box::new(error)))?
        .take(MAX_INVENTORY_BYTES)
        .read_to_end(&mut json)
        .map_err(|error| failure("decompress the inventory", Box::new(error)))?;
    serde_json::from_slice(&json)
        .map(Some)
        .map_err(|error| failure("decode the inventory", Box::new(error)))
}

type PairKey = (i64, i64);
type FindingKey = (i64, i64, String);

/// Re-derives every stored pair's findings from `matcher`'s database and writes the
/// difference.
pub(crate) fn rematch(
    conn: &mut dyn Conn,
    matcher: &FleetMatcher<'_>,
    now: Timestamp,
) -> Result<RematchReport, FleetError> {
    let now_seconds = now.unix_seconds();
    let tick = tick(conn, now)?;
    let previous_database = get_meta(conn, "database")?;

    // Contexts, and the packages judged in each.
    let mut contexts: BTreeMap<i64, Context> = BTreeMap::new();
    for row in conn.query("SELECT id, distro, kind FROM contexts", &[])? {
        let distro = row
            .opt_text(1)?
            .map(serde_json::from_str::<Distro>)
            .transpose()
            .map_err(|error| FleetError::Unexpected {
                detail: format!("a stored distribution does not decode: {error}"),
            })?;
        let kind: qm_model::TargetKind = serde_json::from_value(serde_json::Value::String(
            row.text(2)?.to_owned(),
        ))
        .map_err(|error| FleetError::Unexpected {
            detail: format!("a stored target kind does not decode: {error}"),
        })?;
        contexts.insert(row.int(0)?, Context { distro, kind });
    }
    let mut pairs: BTreeMap<i64, Vec<(i64, Package)>> = BTreeMap::new();
    let mut pair_count = 0u64;
    for row in conn.query(
        "SELECT m.context_id, p.id, p.ecosystem, p.name, p.version, p.purl, p.source_name, \
         p.source_version FROM matched m JOIN packages p ON p.id = m.package_id",
        &[],
    )? {
        let source = row.opt_text(6)?.map(|name| SourcePackage {
            name: name.to_owned(),
            version: None,
        });
        let source = match (source, row.opt_text(7)?) {
            (Some(mut source), version) => {
                source.version = version.map(str::to_owned);
                Some(source)
            }
            (None, _) => None,
        };
        let ecosystem: Ecosystem = row.text(2)?.parse().map_err(|_| FleetError::Unexpected {
            detail: format!("`{}` is not an ecosystem", row.text(2).unwrap_or_default()),
        })?;
        let package = Package {
            name: row.text(3)?.to_owned(),
            version: row.text(4)?.to_owned(),
            ecosystem,
            purl: row.text(5)?.to_owned(),
            source,
            locations: Vec::new(),
            found_by: String::new(),
            dev: false,
            arch: None,
            layer: None,
        };
        pairs
            .entry(row.int(0)?)
            .or_default()
            .push((row.int(1)?, package));
        pair_count += 1;
    }

    // The new findings.
    let mut new: HashMap<FindingKey, StoredFinding> = HashMap::new();
    for (context_id, packages) in pairs {
        let Some(context) = contexts.get(&context_id) else {
            continue;
        };
        let (package_ids, packages): (Vec<i64>, Vec<Package>) = packages.into_iter().unzip();
        for finding in matcher.match_packages(context, packages)? {
            let Some(package_id) = package_ids.get(finding.package.index).copied() else {
                continue;
            };
            let stored = StoredFinding::new(finding)?;
            new.insert((context_id, package_id, stored.id.clone()), stored);
        }
    }

    // The old ones.
    let mut old: HashMap<FindingKey, (String, Rating)> = HashMap::new();
    for row in conn.query(
        "SELECT context_id, package_id, vuln_id, detail, severity FROM package_findings",
        &[],
    )? {
        old.insert(
            (row.int(0)?, row.int(1)?, row.text(2)?.to_owned()),
            (row.text(3)?.to_owned(), Rating::from_label(row.text(4)?)),
        );
    }

    // The difference.
    // (pair, severity before, severity after) for every finding that appeared, disappeared or
    // changed rating: what the revisions' counts must follow.
    let mut moves: Vec<(PairKey, Option<Rating>, Option<Rating>)> = Vec::new();
    let mut changed_ids: BTreeSet<String> = BTreeSet::new();
    let (mut added, mut removed, mut updated) = (0u64, 0u64, 0u64);
    let mut removed_details: HashMap<String, String> = HashMap::new();
    for (key, (detail, severity)) in &old {
        match new.get(key) {
            None => {
                // Kept in the history: exposures are derived from when findings held.
                conn.execute(
                    "INSERT INTO finding_history (context_id, package_id, vuln_id, severity, \
                     fixed_version, fix_available_at, detail, first_tick, removed_tick) \
                     SELECT context_id, package_id, vuln_id, severity, fixed_version, \
                     fix_available_at, detail, first_tick, ? FROM package_findings \
                     WHERE context_id = ? AND package_id = ? AND vuln_id = ?",
                    &[
                        Param::Int(tick),
                        Param::Int(key.0),
                        Param::Int(key.1),
                        Param::Text(&key.2),
                    ],
                )?;
                conn.execute(
                    "DELETE FROM package_findings WHERE context_id = ? AND package_id = ? \
                     AND vuln_id = ?",
                    &[Param::Int(key.0), Param::Int(key.1), Param::Text(&key.2)],
                )?;
                removed += 1;
                moves.push(((key.0, key.1), Some(*severity), None));
                changed_ids.insert(key.2.clone());
                removed_details
                    .entry(key.2.clone())
                    .or_insert_with(|| detail.clone());
            }
            Some(stored) if stored.detail != *detail => {
                // A fix seen before keeps its time; a fix that went away takes it along.
                conn.execute(
                    "UPDATE package_findings SET severity = ?, fixed_version = ?, detail = ?, \
                     summary = ?, \
                     fix_available_at = CASE WHEN CAST(? AS BIGINT) = 0 THEN NULL \
                     ELSE COALESCE(fix_available_at, ?) END \
                     WHERE context_id = ? AND package_id = ? AND vuln_id = ?",
                    &[
                        Param::Text(stored.severity.as_str()),
                        Param::OptText(stored.fixed_version.as_deref()),
                        Param::Text(&stored.detail),
                        Param::Text(&stored.summary),
                        Param::Int(i64::from(stored.fixed_version.is_some())),
                        Param::OptInt(stored.fix_available_at(now_seconds)),
                        Param::Int(key.0),
                        Param::Int(key.1),
                        Param::Text(&key.2),
                    ],
                )?;
                for alias in &stored.aliases {
                    conn.execute(
                        "INSERT INTO vuln_ids (alias, vuln_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        &[Param::Text(&alias.to_uppercase()), Param::Text(&stored.id)],
                    )?;
                }
                updated += 1;
                if stored.severity != *severity {
                    moves.push(((key.0, key.1), Some(*severity), Some(stored.severity)));
                }
            }
            Some(_) => {}
        }
    }
    for (key, stored) in &new {
        if !old.contains_key(key) {
            insert_finding(conn, key.0, key.1, stored, now_seconds, tick)?;
            added += 1;
            moves.push(((key.0, key.1), None, Some(stored.severity)));
            changed_ids.insert(key.2.clone());
        }
    }

    // Where each touched pair is: its revisions (with how many times each holds it), read
    // from the package index alone and placed with one pass over the revisions, rather than
    // joining revisions and targets for each of thousands of rows per pair.
    let mut revisions: HashMap<i64, (i64, i64, bool)> = HashMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    if !moves.is_empty() {
        for row in conn.query(
            "SELECT r.id, r.target_id, r.context_id, t.latest_revision, t.name \
             FROM revisions r JOIN targets t ON t.id = r.target_id",
            &[],
        )? {
            let id = row.int(0)?;
            let target = row.int(1)?;
            revisions.insert(id, (target, row.int(2)?, row.opt_int(3)? == Some(id)));
            names
                .entry(target)
                .or_insert_with(|| row.text(4).unwrap_or_default().to_owned());
        }
    }
    let mut occurrences: HashMap<PairKey, Vec<(i64, i64)>> = HashMap::new();
    let mut occurrences_of =
        |conn: &mut dyn Conn, pair: PairKey| -> Result<Vec<(i64, i64)>, FleetError> {
            if let Some(found) = occurrences.get(&pair) {
                return Ok(found.clone());
            }
            let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
            for row in conn.query(
                "SELECT revision_id FROM revision_packages WHERE package_id = ?",
                &[Param::Int(pair.1)],
            )? {
                let revision = row.int(0)?;
                if revisions
                    .get(&revision)
                    .is_some_and(|(_, context, _)| *context == pair.0)
                {
                    *counts.entry(revision).or_default() += 1;
                }
            }
            let found: Vec<(i64, i64)> = counts.into_iter().collect();
            occurrences.insert(pair, found.clone());
            Ok(found)
        };

    // Which targets each changed vulnerability reaches, before and after: by latest
    // revision, as target ids until the names are printed.
    let mut old_by_id: HashMap<&str, Vec<PairKey>> = HashMap::new();
    for key in old.keys().filter(|key| changed_ids.contains(&key.2)) {
        old_by_id
            .entry(key.2.as_str())
            .or_default()
            .push((key.0, key.1));
    }
    let mut new_by_id: HashMap<&str, Vec<PairKey>> = HashMap::new();
    let mut new_detail: HashMap<&str, &StoredFinding> = HashMap::new();
    for (key, stored) in new.iter().filter(|(key, _)| changed_ids.contains(&key.2)) {
        new_by_id
            .entry(key.2.as_str())
            .or_default()
            .push((key.0, key.1));
        new_detail.entry(key.2.as_str()).or_insert(stored);
    }
    let mut reach = |conn: &mut dyn Conn, pairs: Option<&Vec<PairKey>>| {
        let mut targets: HashSet<i64> = HashSet::new();
        for pair in pairs.into_iter().flatten() {
            for (revision, _) in occurrences_of(conn, *pair)? {
                if let Some((target, _, true)) = revisions.get(&revision) {
                    targets.insert(*target);
                }
            }
        }
        Ok::<_, FleetError>(targets)
    };
    let named = |ids: Vec<&i64>| -> Vec<String> {
        let mut list: Vec<String> = ids
            .into_iter()
            .filter_map(|id| names.get(id).cloned())
            .collect();
        list.sort();
        list
    };
    let mut changes = Vec::new();
    for id in &changed_ids {
        let before = reach(conn, old_by_id.get(id.as_str()))?;
        let after = reach(conn, new_by_id.get(id.as_str()))?;
        let newly_affected = named(after.difference(&before).collect());
        let newly_fixed = named(before.difference(&after).collect());
        if newly_affected.is_empty() && newly_fixed.is_empty() {
            continue;
        }
        let (aliases, severity) = match new_detail.get(id.as_str()) {
            Some(stored) => (stored.aliases.clone(), stored.severity),
            None => removed_details
                .get(id)
                .and_then(|detail| serde_json::from_str::<Finding>(detail).ok())
                .map(|finding| (finding.aliases, finding.severity.rating))
                .unwrap_or((Vec::new(), Rating::Unknown)),
        };
        changes.push(VulnerabilityChange {
            id: id.clone(),
            aliases,
            severity,
            newly_affected,
            newly_fixed,
        });
    }

    // Move each revision's counts by what its pairs gained and lost: a pair held `k` times by
    // a revision moves `k` findings. Cheaper than recounting every revision a change reaches,
    // which for a base-image package is the whole fleet.
    let mut deltas: BTreeMap<i64, [i64; 6]> = BTreeMap::new();
    for (pair, before, after) in &moves {
        for (revision, count) in occurrences_of(conn, *pair)? {
            let delta = deltas.entry(revision).or_default();
            if let Some(before) = before {
                delta[slot(*before)] -= count;
            }
            if let Some(after) = after {
                delta[slot(*after)] += count;
            }
        }
    }
    for (revision, delta) in deltas {
        if delta.iter().all(|value| *value == 0) {
            continue;
        }
        conn.execute(
            "UPDATE revisions SET critical = critical + ?, high = high + ?, \
             medium = medium + ?, low = low + ?, negligible = negligible + ?, \
             unknown = unknown + ? WHERE id = ?",
            &[
                Param::Int(delta[0]),
                Param::Int(delta[1]),
                Param::Int(delta[2]),
                Param::Int(delta[3]),
                Param::Int(delta[4]),
                Param::Int(delta[5]),
                Param::Int(revision),
            ],
        )?;
    }

    set_meta(conn, "database", matcher.database())?;
    set_meta(conn, "rematched_at", &now.to_string())?;

    Ok(RematchReport {
        database: matcher.database().to_owned(),
        previous_database,
        packages_matched: pair_count,
        findings_added: added,
        findings_removed: removed,
        findings_updated: updated,
        changes,
    })
}
