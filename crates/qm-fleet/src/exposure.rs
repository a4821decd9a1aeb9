//! Exposures, derived: for each target, vulnerability and package name, when the target was
//! first seen affected and when it was first seen no longer affected, with when a fix became
//! available.
//!
//! Nothing is stored per (target, vulnerability): that would cost a row per target for every
//! finding a re-match adds, millions for a base-image CVE in a large fleet. Exposures are
//! derived from what the store keeps anyway:
//! - each target's revisions, each holding from its add until the next add (**windows**);
//! - each (context, package) pair's findings, each holding from the add or re-match that
//!   found it until the re-match that dropped it (`package_findings`, `finding_history`).
//!
//! A target was affected by a vulnerability through a package name wherever a window of one
//! of its revisions holding that package overlaps a span of the vulnerability's finding on
//! it. Overlapping or touching pieces are one exposure: upgrading to another vulnerable
//! version continues it; a revision or re-match in between without the finding ends it.
//! Times are the store's ticks (milliseconds, strictly ordered across write transactions),
//! printed in seconds.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::ControlFlow;

use qm_match::Finding;
use qm_model::{Ecosystem, Rating, Timestamp};

use crate::error::FleetError;
use crate::model::Exposure;
use crate::sql::{Conn, Param};

/// One span of one finding on one (context, package) pair.
#[derive(Debug, Clone)]
struct Span {
    vuln_id: String,
    severity: Rating,
    fixed_version: Option<String>,
    fix_available_at: Option<i64>,
    from: i64,
    /// `None` while the finding holds.
    until: Option<i64>,
}

/// A package as exposures name it.
#[derive(Debug, Clone)]
struct PackageName {
    ecosystem: String,
    name: String,
    version: String,
}

/// One piece of an exposure: a window of a revision overlapping a span.
#[derive(Debug, Clone)]
struct Piece {
    from: i64,
    until: Option<i64>,
    version: String,
    severity: Rating,
    fixed_version: Option<String>,
    fix_available_at: Option<i64>,
}

fn later(a: i64, b: i64) -> i64 {
    a.max(b)
}

fn earlier(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn timestamp_of_tick(tick: i64) -> Result<Timestamp, FleetError> {
    timestamp(tick.div_euclid(1000))
}

fn timestamp(seconds: i64) -> Result<Timestamp, FleetError> {
    Timestamp::from_unix_seconds(seconds).ok_or_else(|| FleetError::Unexpected {
        detail: format!("`{seconds}` is not a time"),
    })
}

/// Every exposure to vulnerabilities rated `severity` or worse (of one target when `target`
/// names one), sorted by target, vulnerability, ecosystem, package and start.
pub(crate) fn list(
    conn: &mut dyn Conn,
    target: Option<&str>,
    severity: Rating,
) -> Result<Vec<Exposure>, FleetError> {
    let mut exposures = Vec::new();
    each(conn, target, severity, &mut |exposure| {
        exposures.push(exposure);
        ControlFlow::Continue(())
    })?;
    Ok(exposures)
}

/// The exposures [`list`] lists, in its order, handed to `visit` one at a time: no more than
/// one target's are held at once. `visit` stops the walk by breaking.
pub(crate) fn each(
    conn: &mut dyn Conn,
    target: Option<&str>,
    severity: Rating,
    visit: &mut dyn FnMut(Exposure) -> ControlFlow<()>,
) -> Result<(), FleetError> {
    let mut targets: Vec<(i64, String)> = match target {
        Some(name) => conn.query(
            "SELECT id, name FROM targets WHERE name = ?",
            &[Param::Text(name)],
        )?,
        None => conn.query("SELECT id, name FROM targets", &[])?,
    }
    .iter()
    .map(|row| Ok((row.int(0)?, row.text(1)?.to_owned())))
    .collect::<Result<_, FleetError>>()?;
    // By name as Rust orders strings (byte-wise), whatever the database's collation.
    targets.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));

    // Finding spans by pair, read when a revision first holds the pair: from the covering
    // index, never the findings' details.
    let mut spans: HashMap<(i64, i64), Vec<Span>> = HashMap::new();
    let mut names: HashMap<i64, PackageName> = HashMap::new();
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();

    for (target_id, target_name) in targets {
        let revisions: Vec<(i64, i64, i64)> = conn
            .query(
                "SELECT id, context_id, added_tick FROM revisions WHERE target_id = ? \
                 ORDER BY number",
                &[Param::Int(target_id)],
            )?
            .iter()
            .map(|row| Ok((row.int(0)?, row.int(1)?, row.int(2)?)))
            .collect::<Result<_, FleetError>>()?;
        let mut pieces: BTreeMap<(String, String, String), Vec<Piece>> = BTreeMap::new();
        for (index, (revision, context, opened)) in revisions.iter().enumerate() {
            let closed = revisions.get(index + 1).map(|next| next.2);
            let packages: BTreeSet<i64> = conn
                .query(
                    "SELECT package_id FROM revision_packages WHERE revision_id = ?",
                    &[Param::Int(*revision)],
                )?
                .iter()
                .map(|row| row.int(0))
                .collect::<Result<_, _>>()?;
            for package in packages {
                let found = match spans.entry((*context, package)) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => {
                        let mut found = spans_of(conn, *context, package)?;
                        found.retain(|span| span.severity >= severity);
                        entry.insert(found)
                    }
                };
                if found.is_empty() {
                    continue;
                }
                let name = match names.entry(package) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => {
                        let row = conn.query_one(
                            "SELECT ecosystem, name, version FROM packages WHERE id = ?",
                            &[Param::Int(package)],
                        )?;
                        entry.insert(PackageName {
                            ecosystem: row.text(0)?.to_owned(),
                            name: row.text(1)?.to_owned(),
                            version: row.text(2)?.to_owned(),
                        })
                    }
                };
                for span in found {
                    let from = later(*opened, span.from);
                    let until = match (closed, span.until) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    if until.is_some_and(|until| until <= from) {
                        continue;
                    }
                    pieces
                        .entry((
                            span.vuln_id.clone(),
                            name.ecosystem.clone(),
                            name.name.clone(),
                        ))
                        .or_default()
                        .push(Piece {
                            from,
                            until,
                            version: name.version.clone(),
                            severity: span.severity,
                            fixed_version: span.fixed_version.clone(),
                            fix_available_at: span.fix_available_at,
                        });
                }
            }
        }
        // The map's order is the walk's: vulnerability, ecosystem, package; then the start.
        for ((vuln_id, ecosystem, package), mut list) in pieces {
            list.sort_by_key(|piece| piece.from);
            // Pieces sorted by start; a piece starting before (or as) the group so far ends
            // joins it.
            let mut groups: Vec<(Option<i64>, Vec<Piece>)> = Vec::new();
            for piece in list {
                match groups.last_mut() {
                    Some((end, group)) if end.is_none_or(|end| end >= piece.from) => {
                        *end = match (*end, piece.until) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            _ => None,
                        };
                        group.push(piece);
                    }
                    _ => groups.push((piece.until, vec![piece])),
                }
            }
            if !aliases.contains_key(&vuln_id) {
                let found = aliases_of(conn, &vuln_id)?;
                aliases.insert(vuln_id.clone(), found);
            }
            for (_, group) in groups {
                let mut exposure =
                    exposure_of(&target_name, &vuln_id, &ecosystem, &package, &group)?;
                if let Some(known) = aliases.get(&vuln_id) {
                    exposure.aliases.clone_from(known);
                }
                if visit(exposure).is_break() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// When each finding on a pair held: current findings, then removed ones.
fn spans_of(conn: &mut dyn Conn, context: i64, package: i64) -> Result<Vec<Span>, FleetError> {
    conn.query(
        "SELECT vuln_id, severity, fixed_version, fix_available_at, first_tick, NULL \
         FROM package_findings WHERE context_id = ? AND package_id = ? \
         UNION ALL SELECT vuln_id, severity, fixed_version, fix_available_at, first_tick, \
         removed_tick FROM finding_history WHERE context_id = ? AND package_id = ?",
        &[
            Param::Int(context),
            Param::Int(package),
            Param::Int(context),
            Param::Int(package),
        ],
    )?
    .iter()
    .map(|row| {
        Ok(Span {
            vuln_id: row.text(0)?.to_owned(),
            severity: Rating::from_label(row.text(1)?),
            fixed_version: row.opt_text(2)?.map(str::to_owned),
            fix_available_at: row.opt_int(3)?,
            from: row.int(4)?,
            until: row.opt_int(5)?,
        })
    })
    .collect()
}

/// One exposure from its pieces (sorted by start, each overlapping or touching the ones
/// before): from the first start to the last end; the version, severity and fix the latest
/// pieces say.
fn exposure_of(
    target: &str,
    vuln_id: &str,
    ecosystem: &str,
    package: &str,
    group: &[Piece],
) -> Result<Exposure, FleetError> {
    let first = group.first().ok_or_else(|| FleetError::Unexpected {
        detail: "an exposure without pieces".to_owned(),
    })?;
    let open = group.iter().any(|piece| piece.until.is_none());
    let end = if open {
        None
    } else {
        group.iter().filter_map(|piece| piece.until).max()
    };
    // The latest pieces: those holding at the end (or still holding).
    let last: Vec<&Piece> = group
        .iter()
        .filter(|piece| piece.until == end || (open && piece.until.is_none()))
        .collect();
    let versions: BTreeSet<&str> = last.iter().map(|piece| piece.version.as_str()).collect();
    let severity = last
        .iter()
        .map(|piece| piece.severity)
        .max()
        .unwrap_or(first.severity);
    let fixed_version = last.iter().find_map(|piece| piece.fixed_version.clone());
    let fix_available_at = if fixed_version.is_some() {
        group
            .iter()
            .filter(|piece| piece.fixed_version.is_some())
            .fold(None, |found, piece| earlier(found, piece.fix_available_at))
    } else {
        None
    };
    let ecosystem: Ecosystem = ecosystem.parse().map_err(|_| FleetError::Unexpected {
        detail: format!("`{ecosystem}` is not an ecosystem"),
    })?;
    Ok(Exposure {
        target: target.to_owned(),
        vulnerability: vuln_id.to_owned(),
        aliases: Vec::new(),
        severity,
        ecosystem,
        package: package.to_owned(),
        installed_version: versions.into_iter().collect::<Vec<_>>().join(", "),
        fixed_version,
        fix_available_at: fix_available_at.map(timestamp).transpose()?,
        first_affected_at: timestamp_of_tick(first.from)?,
        fixed_at: end.map(timestamp_of_tick).transpose()?,
    })
}

/// A vulnerability's other ids: from a stored finding when one remains (as the advisory
/// spells them), else from the alias index.
fn aliases_of(conn: &mut dyn Conn, id: &str) -> Result<Vec<String>, FleetError> {
    for table in ["package_findings", "finding_history"] {
        if let Some(row) = conn.query_opt(
            &format!("SELECT detail FROM {table} WHERE vuln_id = ? LIMIT 1"),
            &[Param::Text(id)],
        )? && let Ok(finding) = serde_json::from_str::<Finding>(row.text(0)?)
        {
            return Ok(finding.aliases);
        }
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
