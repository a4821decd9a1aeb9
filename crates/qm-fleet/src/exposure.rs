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
use std::rc::Rc;

use qm_model::{Ecosystem, Rating, Timestamp};

use crate::error::FleetError;
use crate::model::Exposure;
use crate::sql::{Conn, Param, RowRef};

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
    /// The vulnerability's other ids as this finding's advisory gives them (a Debian
    /// advisory id depends on the source package, so one CVE has several).
    aliases: Rc<[String]>,
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
    aliases: Rc<[String]>,
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

    // Finding spans by pair, read when a revision first holds the pair, with the aliases
    // from each finding's summary (a tenth of its detail).
    let mut spans: HashMap<(i64, i64), Vec<Span>> = HashMap::new();
    let mut names: HashMap<i64, PackageName> = HashMap::new();

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
            // Pairs not read yet: many (a first revision, one target's report) are read in
            // two statements for the whole revision, not two per package: on PostgreSQL
            // each statement is a round trip.
            let missing = packages
                .iter()
                .filter(|&&package| !spans.contains_key(&(*context, package)))
                .count();
            if missing >= 2 && missing * 8 >= packages.len() {
                let mut read = spans_of_revision(conn, *context, *revision, severity)?;
                for &package in &packages {
                    if let Entry::Vacant(entry) = spans.entry((*context, package)) {
                        entry.insert(read.remove(&package).unwrap_or_default());
                    }
                }
                names_of_revision(conn, *revision, &mut names)?;
            }
            for package in packages {
                let found = match spans.entry((*context, package)) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(entry) => {
                        entry.insert(spans_of(conn, *context, package, severity)?)
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
                            aliases: Rc::clone(&span.aliases),
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
            for (_, group) in groups {
                let exposure = exposure_of(&target_name, &vuln_id, &ecosystem, &package, &group)?;
                if visit(exposure).is_break() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// The order spans of one pair are kept in, whichever statement read them.
fn sort_spans(spans: &mut [Span]) {
    spans.sort_by(|a, b| {
        (&a.vuln_id, a.from, a.until, &a.fixed_version).cmp(&(
            &b.vuln_id,
            b.from,
            b.until,
            &b.fixed_version,
        ))
    });
}

/// A stored finding's other ids: the one field of its summary (or full detail) wanted here.
#[derive(serde::Deserialize)]
struct Aliases {
    #[serde(default)]
    aliases: Vec<String>,
}

/// A span from `first`: id, severity, fixed version, fix time, from, until, then the
/// finding's summary or detail (JSON); `None` below `severity`, without decoding the JSON.
fn span_of(row: RowRef<'_>, first: usize, severity: Rating) -> Result<Option<Span>, FleetError> {
    let rating = Rating::from_label(row.text(first + 1)?);
    if rating < severity {
        return Ok(None);
    }
    let id = row.text(first)?;
    let aliases = serde_json::from_str::<Aliases>(row.text(first + 6)?)
        .map_err(|error| FleetError::Unexpected {
            detail: format!("the stored finding `{id}` does not decode: {error}"),
        })?
        .aliases;
    Ok(Some(Span {
        vuln_id: id.to_owned(),
        severity: rating,
        fixed_version: row.opt_text(first + 2)?.map(str::to_owned),
        fix_available_at: row.opt_int(first + 3)?,
        from: row.int(first + 4)?,
        until: row.opt_int(first + 5)?,
        aliases: aliases.into(),
    }))
}

/// When each finding rated `severity` or worse on each of a revision's packages held (in
/// `context`), by package.
fn spans_of_revision(
    conn: &mut dyn Conn,
    context: i64,
    revision: i64,
    severity: Rating,
) -> Result<HashMap<i64, Vec<Span>>, FleetError> {
    let mut by_package: HashMap<i64, Vec<Span>> = HashMap::new();
    conn.query_each(
        // The revision's packages first, then each one's pairs: `CROSS JOIN` keeps SQLite to
        // that order (left alone, it scanned the context's whole history).
        "SELECT f.package_id, f.vuln_id, f.severity, f.fixed_version, f.fix_available_at, \
         f.first_tick, NULL, COALESCE(f.summary, f.detail) \
         FROM revision_packages rp CROSS JOIN package_findings f \
         WHERE rp.revision_id = ? AND f.context_id = ? AND f.package_id = rp.package_id \
         UNION ALL SELECT h.package_id, h.vuln_id, h.severity, h.fixed_version, \
         h.fix_available_at, h.first_tick, h.removed_tick, h.detail FROM revision_packages rp \
         CROSS JOIN finding_history h \
         WHERE rp.revision_id = ? AND h.context_id = ? AND h.package_id = rp.package_id",
        &[
            Param::Int(revision),
            Param::Int(context),
            Param::Int(revision),
            Param::Int(context),
        ],
        &mut |row| {
            if let Some(span) = span_of(row, 1, severity)? {
                by_package.entry(row.int(0)?).or_default().push(span);
            }
            Ok(())
        },
    )?;
    for spans in by_package.values_mut() {
        sort_spans(spans);
    }
    Ok(by_package)
}

/// Adds the names of a revision's packages that `names` lacks.
fn names_of_revision(
    conn: &mut dyn Conn,
    revision: i64,
    names: &mut HashMap<i64, PackageName>,
) -> Result<(), FleetError> {
    conn.query_each(
        "SELECT p.id, p.ecosystem, p.name, p.version FROM revision_packages rp \
         JOIN packages p ON p.id = rp.package_id WHERE rp.revision_id = ?",
        &[Param::Int(revision)],
        &mut |row| {
            if let Entry::Vacant(entry) = names.entry(row.int(0)?) {
                entry.insert(PackageName {
                    ecosystem: row.text(1)?.to_owned(),
                    name: row.text(2)?.to_owned(),
                    version: row.text(3)?.to_owned(),
                });
            }
            Ok(())
        },
    )
}

/// When each finding rated `severity` or worse on a pair held: current findings and removed
/// ones.
fn spans_of(
    conn: &mut dyn Conn,
    context: i64,
    package: i64,
    severity: Rating,
) -> Result<Vec<Span>, FleetError> {
    let mut spans = Vec::new();
    conn.query_each(
        "SELECT vuln_id, severity, fixed_version, fix_available_at, first_tick, NULL, \
         COALESCE(summary, detail) FROM package_findings WHERE context_id = ? AND package_id = ? \
         UNION ALL SELECT vuln_id, severity, fixed_version, fix_available_at, first_tick, \
         removed_tick, detail FROM finding_history WHERE context_id = ? AND package_id = ?",
        &[
            Param::Int(context),
            Param::Int(package),
            Param::Int(context),
            Param::Int(package),
        ],
        &mut |row| {
            spans.extend(span_of(row, 0, severity)?);
            Ok(())
        },
    )?;
    sort_spans(&mut spans);
    Ok(spans)
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
    let aliases = last
        .iter()
        .find(|piece| !piece.aliases.is_empty())
        .map(|piece| piece.aliases.to_vec())
        .unwrap_or_default();
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
        aliases,
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
