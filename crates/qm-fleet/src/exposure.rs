//! Exposures: for each target, vulnerability and package name, when the target was first seen
//! affected and when it was first seen no longer affected, with when a fix became available.
//!
//! Exposures are kept in step with the findings, never recomputed from history: an add syncs
//! the target's open exposures with its new latest revision, a re-match syncs every target's
//! open exposures to each vulnerability whose findings changed. Syncing compares what is
//! affected now with what is open: new keys open an exposure, missing keys close theirs (the
//! time is the add's or re-match's), kept keys take the latest version, severity and fix.
//!
//! The key is (target, vulnerability, ecosystem, package name), not the version: upgrading
//! to another vulnerable version continues the exposure rather than hiding how long it has
//! lasted. Two versions of one package in a target (npm trees) share an exposure and list both
//! versions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use qm_match::Finding;
use qm_model::{Ecosystem, Rating, Timestamp};

use crate::error::FleetError;
use crate::model::Exposure;
use crate::sql::{Conn, Param};

/// One affected package occurrence as the findings say now.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    pub(crate) target_id: i64,
    pub(crate) vuln_id: String,
    pub(crate) ecosystem: String,
    pub(crate) package: String,
    pub(crate) version: String,
    pub(crate) severity: Rating,
    pub(crate) fixed_version: Option<String>,
    pub(crate) fix_available_at: Option<i64>,
}

/// Which open exposures a sync compares against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Every open exposure of one target.
    Target(i64),
    /// Every open exposure of one vulnerability, fleet-wide.
    Vulnerability(&'a str),
}

type Key = (i64, String, String, String);

/// What one key's exposure should say.
#[derive(Debug, Clone, PartialEq)]
struct State {
    versions: String,
    severity: Rating,
    fixed_version: Option<String>,
    fix_available_at: Option<i64>,
}

fn merge(current: Vec<Current>) -> BTreeMap<Key, State> {
    let mut versions: HashMap<Key, BTreeSet<String>> = HashMap::new();
    let mut states: BTreeMap<Key, State> = BTreeMap::new();
    for item in current {
        let key = (item.target_id, item.vuln_id, item.ecosystem, item.package);
        versions
            .entry(key.clone())
            .or_default()
            .insert(item.version);
        match states.get_mut(&key) {
            None => {
                states.insert(
                    key,
                    State {
                        versions: String::new(),
                        severity: item.severity,
                        fixed_version: item.fixed_version,
                        fix_available_at: item.fix_available_at,
                    },
                );
            }
            Some(state) => {
                state.severity = state.severity.max(item.severity);
                if state.fixed_version.is_none() {
                    state.fixed_version = item.fixed_version;
                }
                state.fix_available_at = match (state.fix_available_at, item.fix_available_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    for (key, state) in &mut states {
        if let Some(set) = versions.remove(key) {
            state.versions = set.into_iter().collect::<Vec<_>>().join(", ");
        }
    }
    states
}

/// Brings the open exposures in `scope` in line with `current` (which must cover the whole
/// scope), at time `now`.
pub(crate) fn sync(
    conn: &mut dyn Conn,
    scope: Scope<'_>,
    current: Vec<Current>,
    now: i64,
) -> Result<(), FleetError> {
    let mut wanted = merge(current);
    let rows = match scope {
        Scope::Target(target) => conn.query(
            "SELECT id, target_id, vuln_id, ecosystem, package, installed_version, severity, \
             fixed_version, fix_available_at FROM exposures \
             WHERE target_id = ? AND fixed_at IS NULL",
            &[Param::Int(target)],
        )?,
        Scope::Vulnerability(id) => conn.query(
            "SELECT id, target_id, vuln_id, ecosystem, package, installed_version, severity, \
             fixed_version, fix_available_at FROM exposures \
             WHERE vuln_id = ? AND fixed_at IS NULL",
            &[Param::Text(id)],
        )?,
    };
    for row in rows {
        let id = row.int(0)?;
        let key = (
            row.int(1)?,
            row.text(2)?.to_owned(),
            row.text(3)?.to_owned(),
            row.text(4)?.to_owned(),
        );
        match wanted.remove(&key) {
            None => {
                conn.execute(
                    "UPDATE exposures SET fixed_at = ? WHERE id = ?",
                    &[Param::Int(now), Param::Int(id)],
                )?;
            }
            Some(state) => {
                // A fix seen once stays seen: keep the earliest time.
                let known_fix = row.opt_int(8)?;
                let fix_available_at = match (known_fix, state.fix_available_at) {
                    _ if state.fixed_version.is_none() => None,
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b).or(Some(now)),
                };
                let stored = State {
                    versions: row.text(5)?.to_owned(),
                    severity: Rating::from_label(row.text(6)?),
                    fixed_version: row.opt_text(7)?.map(str::to_owned),
                    fix_available_at: known_fix,
                };
                let next = State {
                    fix_available_at,
                    ..state
                };
                if stored != next {
                    conn.execute(
                        "UPDATE exposures SET installed_version = ?, severity = ?, \
                         fixed_version = ?, fix_available_at = ? WHERE id = ?",
                        &[
                            Param::Text(&next.versions),
                            Param::Text(next.severity.as_str()),
                            Param::OptText(next.fixed_version.as_deref()),
                            Param::OptInt(next.fix_available_at),
                            Param::Int(id),
                        ],
                    )?;
                }
            }
        }
    }
    for ((target, vuln, ecosystem, package), state) in wanted {
        let fix_available_at = state
            .fixed_version
            .as_ref()
            .map(|_| state.fix_available_at.unwrap_or(now));
        conn.execute(
            "INSERT INTO exposures (target_id, vuln_id, ecosystem, package, installed_version, \
             severity, fixed_version, fix_available_at, first_affected_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                Param::Int(target),
                Param::Text(&vuln),
                Param::Text(&ecosystem),
                Param::Text(&package),
                Param::Text(&state.versions),
                Param::Text(state.severity.as_str()),
                Param::OptText(state.fixed_version.as_deref()),
                Param::OptInt(fix_available_at),
                Param::Int(now),
            ],
        )?;
    }
    Ok(())
}

/// What a revision is affected by now, from its pairs' stored findings.
pub(crate) fn current_of_revision(
    conn: &mut dyn Conn,
    target_id: i64,
    revision_id: i64,
    context_id: i64,
) -> Result<Vec<Current>, FleetError> {
    // Walk the revision's packages and probe their findings (see `core::add` on `CROSS JOIN`).
    conn.query(
        "SELECT pf.vuln_id, p.ecosystem, p.name, p.version, pf.severity, pf.fixed_version, \
         pf.fix_available_at FROM revision_packages rp CROSS JOIN package_findings pf \
         JOIN packages p ON p.id = rp.package_id \
         WHERE rp.revision_id = ? AND pf.context_id = ? AND pf.package_id = rp.package_id",
        &[Param::Int(revision_id), Param::Int(context_id)],
    )?
    .iter()
    .map(|row| {
        Ok(Current {
            target_id,
            vuln_id: row.text(0)?.to_owned(),
            ecosystem: row.text(1)?.to_owned(),
            package: row.text(2)?.to_owned(),
            version: row.text(3)?.to_owned(),
            severity: Rating::from_label(row.text(4)?),
            fixed_version: row.opt_text(5)?.map(str::to_owned),
            fix_available_at: row.opt_int(6)?,
        })
    })
    .collect()
}

fn timestamp(seconds: i64) -> Result<Timestamp, FleetError> {
    Timestamp::from_unix_seconds(seconds).ok_or_else(|| FleetError::Unexpected {
        detail: format!("`{seconds}` is not a time"),
    })
}

/// Every exposure (of one target when `target` names one), sorted by target, vulnerability
/// and package, oldest first within a key.
pub(crate) fn list(conn: &mut dyn Conn, target: Option<&str>) -> Result<Vec<Exposure>, FleetError> {
    const COLUMNS: &str = "SELECT t.name, e.vuln_id, e.ecosystem, e.package, \
        e.installed_version, e.severity, e.fixed_version, e.fix_available_at, \
        e.first_affected_at, e.fixed_at FROM exposures e JOIN targets t ON t.id = e.target_id";
    let rows = match target {
        Some(name) => conn.query(&format!("{COLUMNS} WHERE t.name = ?"), &[Param::Text(name)])?,
        None => conn.query(COLUMNS, &[])?,
    };
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let mut exposures = Vec::with_capacity(rows.len());
    for row in rows {
        let vulnerability = row.text(1)?.to_owned();
        if !aliases.contains_key(&vulnerability) {
            let found = aliases_of(conn, &vulnerability)?;
            aliases.insert(vulnerability.clone(), found);
        }
        let ecosystem: Ecosystem = row.text(2)?.parse().map_err(|_| FleetError::Unexpected {
            detail: format!("`{}` is not an ecosystem", row.text(2).unwrap_or_default()),
        })?;
        exposures.push(Exposure {
            target: row.text(0)?.to_owned(),
            aliases: aliases.get(&vulnerability).cloned().unwrap_or_default(),
            vulnerability,
            severity: Rating::from_label(row.text(5)?),
            ecosystem,
            package: row.text(3)?.to_owned(),
            installed_version: row.text(4)?.to_owned(),
            fixed_version: row.opt_text(6)?.map(str::to_owned),
            fix_available_at: row.opt_int(7)?.map(timestamp).transpose()?,
            first_affected_at: timestamp(row.int(8)?)?,
            fixed_at: row.opt_int(9)?.map(timestamp).transpose()?,
        });
    }
    exposures.sort_by(|a, b| {
        (
            &a.target,
            &a.vulnerability,
            a.ecosystem.as_str(),
            &a.package,
        )
            .cmp(&(
                &b.target,
                &b.vulnerability,
                b.ecosystem.as_str(),
                &b.package,
            ))
            .then(a.first_affected_at.cmp(&b.first_affected_at))
    });
    Ok(exposures)
}

/// A vulnerability's other ids: from a stored finding when one remains (as the advisory
/// spells them), else from the alias index.
fn aliases_of(conn: &mut dyn Conn, id: &str) -> Result<Vec<String>, FleetError> {
    if let Some(row) = conn.query_opt(
        "SELECT detail FROM package_findings WHERE vuln_id = ? LIMIT 1",
        &[Param::Text(id)],
    )? && let Ok(finding) = serde_json::from_str::<Finding>(row.text(0)?)
    {
        return Ok(finding.aliases);
    }
    let upper = id.to_uppercase();
    let mut found: Vec<String> = conn
        .query(
            "SELECT alias FROM vuln_ids WHERE vuln_id = ?",
            &[Param::Text(id)],
        )?
        .iter()
        .map(|row| row.text(0).map(str::to_owned))
        .collect::<Result<_, _>>()?;
    found.retain(|alias| *alias != upper);
    found.sort();
    Ok(found)
}
