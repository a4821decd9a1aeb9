//! `qm fleet affected`: which latest revisions hold the packages a query names, with their
//! vulnerabilities and fixes.
//!
//! The answer to an advisory on a base image's package lists most of the fleet, so where a
//! package is is read without a lookup per listed target: the revisions holding it come from
//! one covering index, a row per layer and locations, and which of them are latest (with their
//! targets' names) from the [`roster`], once per answer. On 10 000 images such an answer
//! (9 000 targets) went from 20–26 ms to 7–8 ms this way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::FleetError;
use crate::model::{AffectedPackage, AffectedTarget, AffectedVulnerability, PackageInfo};
use crate::query::{AffectedQuery, purl_qualifiers};
use crate::roster;
use crate::sql::{Conn, Dialect, Param};

/// The part of a stored [`Finding`] that `affected` shows: stored beside each finding as its
/// summary, and read from the full detail of rows stored before summaries were.
#[derive(Serialize, Deserialize)]
pub(crate) struct AffectedDetail {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) aliases: Vec<String>,
    pub(crate) package: PackageInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fixed_version: Option<String>,
    pub(crate) fix: qm_match::FixState,
    pub(crate) severity: qm_match::FindingSeverity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<String>,
}

impl AffectedDetail {
    fn split(self) -> (PackageInfo, AffectedVulnerability) {
        let vulnerability = AffectedVulnerability {
            id: self.id,
            aliases: self.aliases,
            severity: self.severity,
            fixed_version: self.fixed_version,
            fix: self.fix,
            title: self.title,
        };
        (self.package, vulnerability)
    }
}

const AFFECTED_SELECT: &str = "SELECT pf.context_id, pf.package_id, \
     COALESCE(pf.summary, pf.detail), p.purl \
     FROM package_findings pf JOIN packages p ON p.id = pf.package_id WHERE ";

/// The packages of latest revisions that `query` names, with their vulnerabilities and where
/// they are.
///
/// Three steps, so that no row repeats a finding per target and no row of where a package is
/// looks anything up: the findings the query names (one per package and vulnerability); the
/// revisions holding each of those packages, read from one index; then which of those are
/// their targets' latest, read once for the whole answer (see [`latest_revisions`]).
pub(crate) fn affected(
    conn: &mut dyn Conn,
    query: &AffectedQuery,
) -> Result<Vec<AffectedPackage>, FleetError> {
    // The statements that find the findings, with their parameters' texts.
    let upper;
    let lower;
    let no_qualifiers = BTreeMap::new();
    let mut statements: Vec<(String, Vec<Param<'_>>)> = Vec::new();
    let qualifiers = match query {
        AffectedQuery::Word(word) => {
            upper = word.to_uppercase();
            lower = word.to_lowercase();
            let known = conn
                .query_opt(
                    "SELECT vuln_id FROM vuln_ids WHERE alias = ?",
                    &[Param::Text(&upper)],
                )?
                .is_some();
            if known {
                statements.push((
                    format!(
                        "{AFFECTED_SELECT} pf.vuln_id IN (SELECT vuln_id FROM vuln_ids WHERE alias = ?)"
                    ),
                    vec![Param::Text(&upper)],
                ));
            } else {
                statements.push((
                    format!("{AFFECTED_SELECT} p.name_key = ?"),
                    vec![Param::Text(&lower)],
                ));
                statements.push((
                    format!("{AFFECTED_SELECT} p.source_key = ? AND p.name_key <> ?"),
                    vec![Param::Text(&lower), Param::Text(&lower)],
                ));
            }
            &no_qualifiers
        }
        AffectedQuery::Package { name, version } => {
            lower = name.to_lowercase();
            statements.push((
                format!("{AFFECTED_SELECT} p.name_key = ? AND p.version = ?"),
                vec![Param::Text(&lower), Param::Text(version)],
            ));
            statements.push((
                format!(
                    "{AFFECTED_SELECT} p.source_key = ? AND p.source_version = ? \
                     AND NOT (p.name_key = ? AND p.version = ?)"
                ),
                vec![
                    Param::Text(&lower),
                    Param::Text(version),
                    Param::Text(&lower),
                    Param::Text(version),
                ],
            ));
            &no_qualifiers
        }
        AffectedQuery::Purl(purl) => {
            match &purl.version {
                Some(version) => statements.push((
                    format!("{AFFECTED_SELECT} p.purl_key = ? AND p.purl_version = ?"),
                    vec![Param::Text(&purl.key), Param::Text(version)],
                )),
                None => statements.push((
                    format!("{AFFECTED_SELECT} p.purl_key = ?"),
                    vec![Param::Text(&purl.key)],
                )),
            }
            &purl.qualifiers
        }
    };

    // The findings, by (context, package). Only what the answer shows is decoded: a kernel
    // package holds thousands of findings, and their references and sources are most of
    // each stored finding.
    let mut groups: BTreeMap<(i64, i64), (PackageInfo, Vec<AffectedVulnerability>)> =
        BTreeMap::new();
    let undecodable = |error: serde_json::Error| FleetError::Unexpected {
        detail: format!("a stored finding does not decode: {error}"),
    };
    for (sql, params) in &statements {
        conn.query_each(sql, params, &mut |row| {
            if !qualifiers.is_empty() {
                let stored = purl_qualifiers(row.text(3)?);
                if !qualifiers
                    .iter()
                    .all(|(key, value)| stored.get(key) == Some(value))
                {
                    return Ok(());
                }
            }
            let pair = (row.int(0)?, row.int(1)?);
            let text = row.text(2)?;
            // A group's first finding gives its package; the others are read as the
            // vulnerability alone (serde skips the package unbuilt).
            match groups.get_mut(&pair) {
                Some((_, vulnerabilities)) => {
                    vulnerabilities.push(serde_json::from_str(text).map_err(undecodable)?);
                }
                None => {
                    let detail: AffectedDetail = serde_json::from_str(text).map_err(undecodable)?;
                    let (package, vulnerability) = detail.split();
                    groups.insert(pair, (package, vec![vulnerability]));
                }
            }
            Ok(())
        })?;
    }

    // Where each package is: the revisions holding it, grouped by layer and locations, from
    // the covering index alone. An answer can hold most of the fleet while its layers and
    // locations are few (every dpkg package of every image says `/var/lib/dpkg/status`): one
    // row per place, its revisions as a list, and each place decoded once.
    let holdings_sql = match conn.dialect() {
        Dialect::Sqlite => {
            "SELECT layer, locations, group_concat(revision_id) FROM revision_packages \
             WHERE package_id = ? GROUP BY layer, locations"
        }
        Dialect::Postgres => {
            "SELECT layer, locations, string_agg(CAST(revision_id AS TEXT), ',') \
             FROM revision_packages WHERE package_id = ? GROUP BY layer, locations"
        }
    };
    let mut shared = SharedTexts::default();
    let mut held = Vec::with_capacity(groups.len());
    let mut revisions: FxHashSet<i64> = FxHashSet::default();
    for ((context_id, package_id), (package, vulnerabilities)) in groups {
        let mut places = Vec::new();
        conn.query_each(holdings_sql, &[Param::Int(package_id)], &mut |row| {
            let layer = row.opt_text(0)?.map(|layer| shared.layer(layer));
            let locations =
                shared
                    .locations(row.text(1)?)
                    .map_err(|error| FleetError::Unexpected {
                        detail: format!(
                            "the locations of package {package_id} do not decode: {error}"
                        ),
                    })?;
            let mut held_in = Vec::new();
            for id in row.text(2)?.split(',') {
                let revision = id.parse().map_err(|_| FleetError::Unexpected {
                    detail: format!("`{id}` where a revision id belongs"),
                })?;
                revisions.insert(revision);
                held_in.push(revision);
            }
            places.push(Place {
                layer,
                locations,
                revisions: held_in,
            });
            Ok(())
        })?;
        held.push((context_id, package, vulnerabilities, places));
    }

    // Which of those revisions are their targets' latest, ranked by target name.
    let latest = latest_revisions(conn, &revisions)?;

    let mut affected = Vec::with_capacity(held.len());
    for (context_id, package, mut vulnerabilities, mut places) in held {
        // The answer's order: by target name (the latest revision's rank), then layer and
        // locations (a package can sit in one revision twice). Sorting the places first
        // leaves pairs of integers to sort.
        places.sort_by(|a, b| (&a.layer, &a.locations).cmp(&(&b.layer, &b.locations)));
        let mut order: Vec<(u32, u32)> = Vec::new();
        for (index, place) in (0_u32..).zip(&places) {
            for revision in &place.revisions {
                if let Some(&rank) = latest.ranks.get(revision)
                    && latest.by_rank.get(rank as usize).map(|found| found.context)
                        == Some(context_id)
                {
                    order.push((rank, index));
                }
            }
        }
        if order.is_empty() {
            continue;
        }
        order.sort_unstable();
        let mut targets = Vec::with_capacity(order.len());
        for (rank, index) in order {
            let (Some(found), Some(place)) = (
                latest.by_rank.get(rank as usize),
                places.get(index as usize),
            ) else {
                continue;
            };
            targets.push(AffectedTarget {
                target: Arc::clone(&found.target),
                revision: found.number,
                digest: Arc::clone(&found.digest),
                layer: place.layer.clone(),
                locations: Arc::clone(&place.locations),
            });
        }
        vulnerabilities.sort_by(|a, b| a.id.cmp(&b.id));
        affected.push(AffectedPackage {
            package,
            vulnerabilities,
            targets,
        });
    }
    affected.sort_by(|a, b| {
        (
            a.package.ecosystem.as_str(),
            &a.package.name,
            &a.package.version,
            &a.package.purl,
        )
            .cmp(&(
                b.package.ecosystem.as_str(),
                &b.package.name,
                &b.package.version,
                &b.package.purl,
            ))
    });
    Ok(affected)
}

/// Where in its revisions a package sits: a layer and the files that declare it.
struct Place {
    layer: Option<Arc<str>>,
    locations: Arc<[String]>,
    /// The revisions holding the package there.
    revisions: Vec<i64>,
}

/// A target's latest revision, as an answer shows it.
struct Latest {
    target: Arc<str>,
    number: u64,
    digest: Arc<str>,
    context: i64,
}

/// The latest revisions an answer holds.
struct LatestRevisions {
    /// In the answer's order: by target name.
    by_rank: Vec<Latest>,
    /// Each revision's place in `by_rank`.
    ranks: FxHashMap<i64, u32>,
}

/// How many revisions are looked up by id in one statement.
const BATCH: usize = 64;

/// Reading the whole roster pays once an answer holds more than one target in this many.
const WHOLE_ROSTER_SHARE: usize = 16;

/// Which of `revisions` are their targets' latest, by revision id.
///
/// When the answer holds a good part of the fleet (a base image's package) the whole
/// [`roster`] is read: a few rows for thousands of targets. Otherwise the revisions are looked
/// up [`BATCH`] at a time.
fn latest_revisions(
    conn: &mut dyn Conn,
    revisions: &FxHashSet<i64>,
) -> Result<LatestRevisions, FleetError> {
    let found = if revisions.is_empty() {
        Vec::new()
    } else if revisions.len().saturating_mul(WHOLE_ROSTER_SHARE) >= targets_bound(conn)? {
        latest_from_roster(conn, revisions)?
    } else {
        latest_by_id(conn, revisions)?
    };
    Ok(rank(found))
}

/// Which of `revisions` are latest, read from the whole roster.
fn latest_from_roster(
    conn: &mut dyn Conn,
    revisions: &FxHashSet<i64>,
) -> Result<Vec<(i64, Latest)>, FleetError> {
    let mut found = Vec::with_capacity(revisions.len());
    roster::for_each(conn, &mut |entry| {
        if revisions.contains(&entry.revision) {
            found.push((
                entry.revision,
                Latest {
                    target: Arc::from(entry.name),
                    number: u64::try_from(entry.number).map_err(|_| FleetError::Unexpected {
                        detail: format!(
                            "the roster gives revision {} the number {}",
                            entry.revision, entry.number
                        ),
                    })?,
                    digest: Arc::from(entry.digest),
                    context: entry.context,
                },
            ));
        }
        Ok(())
    })?;
    Ok(found)
}

/// Which of `revisions` are latest, looked up [`BATCH`] at a time.
fn latest_by_id(
    conn: &mut dyn Conn,
    revisions: &FxHashSet<i64>,
) -> Result<Vec<(i64, Latest)>, FleetError> {
    let mut found = Vec::new();
    let mut ids: Vec<i64> = revisions.iter().copied().collect();
    ids.sort_unstable();
    let statement = format!(
        "SELECT t.latest_revision, r.context_id, t.name, r.number, r.digest \
         FROM targets t JOIN revisions r ON r.id = t.latest_revision \
         WHERE t.latest_revision IN ({})",
        vec!["?"; BATCH].join(", ")
    );
    for chunk in ids.chunks(BATCH) {
        // A short last batch repeats its last id: one statement serves every batch.
        let params: Vec<Param<'_>> = (0..BATCH)
            .filter_map(|index| chunk.get(index).or(chunk.last()).copied())
            .map(Param::Int)
            .collect();
        conn.query_each(&statement, &params, &mut |row| {
            found.push((
                row.int(0)?,
                Latest {
                    context: row.int(1)?,
                    target: Arc::from(row.text(2)?),
                    number: row.count(3)?,
                    digest: Arc::from(row.text(4)?),
                },
            ));
            Ok(())
        })?;
    }
    Ok(found)
}

/// Orders `found` by target name, the answer's order.
fn rank(mut found: Vec<(i64, Latest)>) -> LatestRevisions {
    found.sort_unstable_by(|(_, a), (_, b)| a.target.cmp(&b.target));
    let ranks = (0_u32..)
        .zip(&found)
        .map(|(rank, (revision, _))| (*revision, rank))
        .collect();
    LatestRevisions {
        by_rank: found.into_iter().map(|(_, latest)| latest).collect(),
        ranks,
    }
}

/// At least the number of targets, read without counting them.
fn targets_bound(conn: &mut dyn Conn) -> Result<usize, FleetError> {
    let row = conn.query_one("SELECT MAX(id) FROM targets", &[])?;
    Ok(row
        .opt_int(0)?
        .and_then(|max| usize::try_from(max).ok())
        .unwrap_or(0))
}

/// Layers and locations that repeat across the places of one answer (every dpkg package
/// sits in `/var/lib/dpkg/status` of a few base layers), each kept once and shared.
#[derive(Default)]
struct SharedTexts {
    layers: HashSet<Arc<str>>,
    /// Decoded location lists by their stored JSON.
    locations: HashMap<String, Arc<[String]>>,
}

impl SharedTexts {
    fn layer(&mut self, text: &str) -> Arc<str> {
        if let Some(layer) = self.layers.get(text) {
            return Arc::clone(layer);
        }
        let layer: Arc<str> = Arc::from(text);
        self.layers.insert(Arc::clone(&layer));
        layer
    }

    fn locations(&mut self, text: &str) -> Result<Arc<[String]>, serde_json::Error> {
        if let Some(locations) = self.locations.get(text) {
            return Ok(Arc::clone(locations));
        }
        let locations: Arc<[String]> = serde_json::from_str::<Vec<String>>(text)?.into();
        self.locations
            .insert(text.to_owned(), Arc::clone(&locations));
        Ok(locations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;

    /// A latest revision as read: revision, target, number, digest, context.
    type Seen = (i64, String, u64, String, i64);

    /// The revisions `pick` chooses, as both ways of reading them see them.
    fn both_ways(store: &mut SqliteStore, pick: impl Fn(i64) -> bool) -> (Vec<Seen>, Vec<Seen>) {
        let flat = |found: Vec<(i64, Latest)>| {
            let ranked = rank(found);
            let mut flat: Vec<_> = ranked
                .ranks
                .iter()
                .map(|(revision, rank)| {
                    let latest = &ranked.by_rank[*rank as usize];
                    (
                        *revision,
                        latest.target.to_string(),
                        latest.number,
                        latest.digest.to_string(),
                        latest.context,
                    )
                })
                .collect();
            flat.sort();
            flat
        };
        store
            .run(false, |conn| {
                let revisions: FxHashSet<i64> = (1..=2_000).filter(|id| pick(*id)).collect();
                Ok((
                    flat(latest_from_roster(conn, &revisions)?),
                    flat(latest_by_id(conn, &revisions)?),
                ))
            })
            .unwrap()
    }

    #[test]
    fn the_roster_and_the_lookups_agree() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("fleet.db")).unwrap();
        // 600 targets over ten chunks, in two contexts; every third has a second revision.
        store
            .run(true, |conn| {
                for (id, key) in [(1, "a"), (2, "b")] {
                    conn.execute(
                        "INSERT INTO contexts (id, key, kind) VALUES (?, ?, 'image')",
                        &[Param::Int(id), Param::Text(key)],
                    )?;
                }
                let mut revision = 0;
                for target in 1..=600_i64 {
                    let name = format!("t-{:03}", 600 - target);
                    conn.execute(
                        "INSERT INTO targets (id, name, labels, created_at) VALUES (?, ?, '{}', 0)",
                        &[Param::Int(target), Param::Text(&name)],
                    )?;
                    for number in 1..=(1 + i64::from(target % 3 == 0)) {
                        revision += 1;
                        conn.execute(
                            "INSERT INTO revisions (id, target_id, number, digest, added_at, \
                             source, kind, context_id, package_count) \
                             VALUES (?, ?, ?, ?, 0, 'x', 'image', ?, 0)",
                            &[
                                Param::Int(revision),
                                Param::Int(target),
                                Param::Int(number),
                                Param::Text(&format!("sha256:{revision:04}")),
                                Param::Int(1 + target % 2),
                            ],
                        )?;
                        conn.execute(
                            "UPDATE targets SET latest_revision = ? WHERE id = ?",
                            &[Param::Int(revision), Param::Int(target)],
                        )?;
                    }
                }
                roster::rebuild(conn)
            })
            .unwrap();
        // Every revision, old ones included; a few; none.
        for pick in [
            &(|_| true) as &dyn Fn(i64) -> bool,
            &|id| id % 7 == 0,
            &|id| id == 5,
            &|_| false,
        ] {
            let (roster, by_id) = both_ways(&mut store, pick);
            assert_eq!(roster, by_id);
        }
        let (all, _) = both_ways(&mut store, |_| true);
        assert_eq!(all.len(), 600);
        assert!(all.iter().any(|(_, _, number, _, _)| *number == 2));
        assert!(all.iter().any(|(_, _, _, _, context)| *context == 2));

        // Entries set one at a time agree with a rebuild.
        store
            .run(true, |conn| {
                conn.execute("UPDATE targets SET latest_revision = 1 WHERE id = 1", &[])?;
                roster::set(
                    conn,
                    1,
                    Some(&roster::Entry {
                        target_id: 1,
                        revision: 1,
                        context: 2,
                        number: 1,
                        name: "t-599",
                        digest: "sha256:0001",
                    }),
                )?;
                conn.execute(
                    "UPDATE targets SET latest_revision = NULL WHERE id = 300",
                    &[],
                )?;
                roster::set(conn, 300, None)?;
                Ok(())
            })
            .unwrap();
        let (before, _) = both_ways(&mut store, |_| true);
        store.run(true, roster::rebuild).unwrap();
        let (after, by_id) = both_ways(&mut store, |_| true);
        assert_eq!(before, after);
        assert_eq!(after, by_id);
        assert_eq!(after.len(), 599);
    }
}
