//! The store's tables, and versioned migrations between them.
//!
//! `schema_version` holds one row: the version of the newest migration applied. Opening a store
//! applies the missing migrations in one write transaction (so two processes opening a new
//! store at once cannot both create it), and refuses a store whose version is newer than
//! [`SCHEMA_VERSION`]: an older `qm` must not write to tables it does not know.
//!
//! Adding a migration: append to [`MIGRATIONS`] with both dialects' statements, bump nothing
//! else (the version is the list's length), and add a test that opens a store of the previous
//! version.

use crate::error::FleetError;
use crate::roster;
use crate::sql::{Conn, Dialect, Param};

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 3;

/// Tables the store owns; finding any of them without `schema_version` means damage.
pub(crate) const TABLES: &[&str] = &[
    "schema_version",
    "meta",
    "targets",
    "contexts",
    "revisions",
    "inventories",
    "packages",
    "revision_packages",
    "matched",
    "package_findings",
    "vuln_ids",
    "finding_history",
    "roster",
];

struct Migration {
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
    /// What SQL cannot derive, run after the statements.
    then: Option<Derive>,
}

/// A migration step written in Rust.
type Derive = fn(&mut dyn Conn) -> Result<(), FleetError>;

/// Every migration, oldest first; migration `n` (from 1) brings a store to version `n`.
const MIGRATIONS: &[Migration] = &[
    Migration {
        sqlite: &[
            "CREATE TABLE schema_version (version INTEGER NOT NULL)",
            "INSERT INTO schema_version (version) VALUES (0)",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            labels TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            latest_revision INTEGER
        )",
            "CREATE INDEX targets_latest ON targets (latest_revision)",
            "CREATE TABLE contexts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            distro TEXT,
            kind TEXT NOT NULL
        )",
            "CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            target_id INTEGER NOT NULL REFERENCES targets (id),
            number INTEGER NOT NULL,
            digest TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            context_id INTEGER NOT NULL REFERENCES contexts (id),
            package_count INTEGER NOT NULL,
            critical INTEGER NOT NULL DEFAULT 0,
            high INTEGER NOT NULL DEFAULT 0,
            medium INTEGER NOT NULL DEFAULT 0,
            low INTEGER NOT NULL DEFAULT 0,
            negligible INTEGER NOT NULL DEFAULT 0,
            unknown INTEGER NOT NULL DEFAULT 0,
            UNIQUE (target_id, number)
        )",
            "CREATE TABLE inventories (
            revision_id INTEGER PRIMARY KEY REFERENCES revisions (id),
            data BLOB NOT NULL
        )",
            "CREATE TABLE packages (
            id INTEGER PRIMARY KEY,
            identity TEXT NOT NULL UNIQUE,
            ecosystem TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            purl TEXT NOT NULL,
            source_name TEXT,
            source_version TEXT,
            name_key TEXT NOT NULL,
            source_key TEXT,
            purl_key TEXT,
            purl_version TEXT
        )",
            "CREATE INDEX packages_name ON packages (name_key)",
            "CREATE INDEX packages_source ON packages (source_key)",
            "CREATE INDEX packages_purl ON packages (purl_key)",
            "CREATE TABLE revision_packages (
            revision_id INTEGER NOT NULL REFERENCES revisions (id),
            position INTEGER NOT NULL,
            package_id INTEGER NOT NULL REFERENCES packages (id),
            layer TEXT,
            locations TEXT NOT NULL,
            dev INTEGER NOT NULL,
            PRIMARY KEY (revision_id, position)
        )",
            // Covering: `affected` and re-match read where a package is without visiting the table.
            "CREATE INDEX revision_packages_package
            ON revision_packages (package_id, revision_id, layer, locations)",
            "CREATE TABLE matched (
            context_id INTEGER NOT NULL REFERENCES contexts (id),
            package_id INTEGER NOT NULL REFERENCES packages (id),
            PRIMARY KEY (context_id, package_id)
        )",
            "CREATE TABLE package_findings (
            context_id INTEGER NOT NULL REFERENCES contexts (id),
            package_id INTEGER NOT NULL REFERENCES packages (id),
            vuln_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            fixed_version TEXT,
            detail TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            PRIMARY KEY (context_id, package_id, vuln_id)
        )",
            "CREATE INDEX package_findings_vuln ON package_findings (vuln_id)",
            "CREATE INDEX package_findings_severity
            ON package_findings (context_id, package_id, severity)",
            "CREATE TABLE vuln_ids (
            alias TEXT NOT NULL,
            vuln_id TEXT NOT NULL,
            PRIMARY KEY (alias, vuln_id)
        )",
        ],
        postgres: &[
            "CREATE TABLE schema_version (version BIGINT NOT NULL)",
            "INSERT INTO schema_version (version) VALUES (0)",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE targets (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            labels TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            latest_revision BIGINT
        )",
            "CREATE INDEX targets_latest ON targets (latest_revision)",
            "CREATE TABLE contexts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            distro TEXT,
            kind TEXT NOT NULL
        )",
            "CREATE TABLE revisions (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            target_id BIGINT NOT NULL REFERENCES targets (id),
            number BIGINT NOT NULL,
            digest TEXT NOT NULL,
            added_at BIGINT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            context_id BIGINT NOT NULL REFERENCES contexts (id),
            package_count BIGINT NOT NULL,
            critical BIGINT NOT NULL DEFAULT 0,
            high BIGINT NOT NULL DEFAULT 0,
            medium BIGINT NOT NULL DEFAULT 0,
            low BIGINT NOT NULL DEFAULT 0,
            negligible BIGINT NOT NULL DEFAULT 0,
            unknown BIGINT NOT NULL DEFAULT 0,
            UNIQUE (target_id, number)
        )",
            "CREATE TABLE inventories (
            revision_id BIGINT PRIMARY KEY REFERENCES revisions (id),
            data BYTEA NOT NULL
        )",
            "CREATE TABLE packages (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            identity TEXT NOT NULL UNIQUE,
            ecosystem TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            purl TEXT NOT NULL,
            source_name TEXT,
            source_version TEXT,
            name_key TEXT NOT NULL,
            source_key TEXT,
            purl_key TEXT,
            purl_version TEXT
        )",
            "CREATE INDEX packages_name ON packages (name_key)",
            "CREATE INDEX packages_source ON packages (source_key)",
            "CREATE INDEX packages_purl ON packages (purl_key)",
            "CREATE TABLE revision_packages (
            revision_id BIGINT NOT NULL REFERENCES revisions (id),
            position BIGINT NOT NULL,
            package_id BIGINT NOT NULL REFERENCES packages (id),
            layer TEXT,
            locations TEXT NOT NULL,
            dev BIGINT NOT NULL,
            PRIMARY KEY (revision_id, position)
        )",
            "CREATE INDEX revision_packages_package ON revision_packages (package_id, revision_id)",
            "CREATE TABLE matched (
            context_id BIGINT NOT NULL REFERENCES contexts (id),
            package_id BIGINT NOT NULL REFERENCES packages (id),
            PRIMARY KEY (context_id, package_id)
        )",
            "CREATE TABLE package_findings (
            context_id BIGINT NOT NULL REFERENCES contexts (id),
            package_id BIGINT NOT NULL REFERENCES packages (id),
            vuln_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            fixed_version TEXT,
            detail TEXT NOT NULL,
            first_seen BIGINT NOT NULL,
            PRIMARY KEY (context_id, package_id, vuln_id)
        )",
            "CREATE INDEX package_findings_vuln ON package_findings (vuln_id)",
            "CREATE INDEX package_findings_severity
            ON package_findings (context_id, package_id, severity)",
            "CREATE TABLE vuln_ids (
            alias TEXT NOT NULL,
            vuln_id TEXT NOT NULL,
            PRIMARY KEY (alias, vuln_id)
        )",
        ],
        then: None,
    },
    Migration {
        sqlite: &[
            // Observation ticks: milliseconds, strictly increasing across the store's write
            // transactions (see `core::tick`), so that the order of adds and re-matches is known
            // even within one second. Older rows get their second, in milliseconds.
            "ALTER TABLE revisions ADD COLUMN added_tick INTEGER",
            "UPDATE revisions SET added_tick = added_at * 1000",
            "ALTER TABLE package_findings ADD COLUMN first_tick INTEGER",
            "UPDATE package_findings SET first_tick = first_seen * 1000",
            // When a finding's fix became available (Unix seconds): the advisory's date for the
            // fix when it gives one, else when the store first saw the fix.
            "ALTER TABLE package_findings ADD COLUMN fix_available_at INTEGER",
            "UPDATE package_findings SET fix_available_at = first_seen WHERE fixed_version IS NOT NULL",
            // Findings a re-match removed, with when they held: exposures are derived from these,
            // the current findings and the revisions' history.
            "CREATE TABLE finding_history (
            context_id INTEGER NOT NULL REFERENCES contexts (id),
            package_id INTEGER NOT NULL REFERENCES packages (id),
            vuln_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            fixed_version TEXT,
            fix_available_at INTEGER,
            detail TEXT NOT NULL,
            first_tick INTEGER NOT NULL,
            removed_tick INTEGER NOT NULL
        )",
            "CREATE INDEX finding_history_pair ON finding_history (context_id, package_id)",
            // What `affected` shows of a finding, a tenth of its detail: decoding thousands
            // of full details made kernel queries slow. Older rows have none (the detail
            // stands in).
            "ALTER TABLE package_findings ADD COLUMN summary TEXT",
            // `affected` by package name or purl finds packages first, then their findings:
            // without this, every such query scanned all findings.
            "CREATE INDEX package_findings_package ON package_findings (package_id)",
            // Covering: exposures read when each finding held without the findings' details.
            "CREATE INDEX package_findings_spans ON package_findings \
             (context_id, package_id, vuln_id, severity, fixed_version, fix_available_at, first_tick)",
        ],
        postgres: &[
            // Observation ticks: milliseconds, strictly increasing across the store's write
            // transactions (see `core::tick`), so that the order of adds and re-matches is known
            // even within one second. Older rows get their second, in milliseconds.
            "ALTER TABLE revisions ADD COLUMN added_tick BIGINT",
            "UPDATE revisions SET added_tick = added_at * 1000",
            "ALTER TABLE package_findings ADD COLUMN first_tick BIGINT",
            "UPDATE package_findings SET first_tick = first_seen * 1000",
            // When a finding's fix became available (Unix seconds): the advisory's date for the
            // fix when it gives one, else when the store first saw the fix.
            "ALTER TABLE package_findings ADD COLUMN fix_available_at BIGINT",
            "UPDATE package_findings SET fix_available_at = first_seen WHERE fixed_version IS NOT NULL",
            // Findings a re-match removed, with when they held: exposures are derived from these,
            // the current findings and the revisions' history.
            "CREATE TABLE finding_history (
            context_id BIGINT NOT NULL REFERENCES contexts (id),
            package_id BIGINT NOT NULL REFERENCES packages (id),
            vuln_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            fixed_version TEXT,
            fix_available_at BIGINT,
            detail TEXT NOT NULL,
            first_tick BIGINT NOT NULL,
            removed_tick BIGINT NOT NULL
        )",
            "CREATE INDEX finding_history_pair ON finding_history (context_id, package_id)",
            // What `affected` shows of a finding, a tenth of its detail: decoding thousands
            // of full details made kernel queries slow. Older rows have none (the detail
            // stands in).
            "ALTER TABLE package_findings ADD COLUMN summary TEXT",
            // `affected` by package name or purl finds packages first, then their findings:
            // without this, every such query scanned all findings.
            "CREATE INDEX package_findings_package ON package_findings (package_id)",
            // Covering: exposures read when each finding held without the findings' details.
            "CREATE INDEX package_findings_spans ON package_findings \
             (context_id, package_id, vuln_id, severity, fixed_version, fix_available_at, first_tick)",
        ],
        then: None,
    },
    Migration {
        sqlite: &[
            // Every target's latest revision with its name, packed: see `roster`.
            "CREATE TABLE roster (chunk INTEGER PRIMARY KEY, entries BLOB NOT NULL)",
            // Where a package is, grouped by place: `affected` reads one row per layer and
            // locations with the revisions there, instead of a row per revision. (Rebuilding
            // it reads every row once: about ten seconds for a 10 000-image fleet.)
            "DROP INDEX revision_packages_package",
            "CREATE INDEX revision_packages_package \
             ON revision_packages (package_id, layer, locations, revision_id)",
        ],
        // PostgreSQL keeps its narrower index: a b-tree entry must fit in a third of a page,
        // and locations can be long. It groups by place with a hash instead.
        postgres: &["CREATE TABLE roster (chunk BIGINT PRIMARY KEY, entries BYTEA NOT NULL)"],
        then: Some(roster::rebuild),
    },
];

/// What opening found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// The schema is current.
    Current,
    /// The store needs migrations (or is new).
    Behind,
}

/// Reads the schema version; `tables` are the tables the database holds.
pub(crate) fn check(
    conn: &mut dyn Conn,
    store: &str,
    tables: &[String],
) -> Result<Found, FleetError> {
    if !tables.iter().any(|table| table == "schema_version") {
        if let Some(table) = tables.iter().find(|table| TABLES.contains(&table.as_str())) {
            return Err(FleetError::NotAStore {
                store: store.to_owned(),
                reason: format!("it has a `{table}` table but no schema version"),
            });
        }
        return Ok(Found::Behind);
    }
    let version = version(conn, store)?;
    if version > SCHEMA_VERSION {
        return Err(FleetError::NewerSchema {
            store: store.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(if version == SCHEMA_VERSION {
        Found::Current
    } else {
        Found::Behind
    })
}

fn version(conn: &mut dyn Conn, store: &str) -> Result<i64, FleetError> {
    let rows = conn.query("SELECT version FROM schema_version", &[])?;
    match rows.as_slice() {
        [row] => row.int(0),
        _ => Err(FleetError::NotAStore {
            store: store.to_owned(),
            reason: format!(
                "its schema_version table holds {} rows, not one",
                rows.len()
            ),
        }),
    }
}

/// Applies the missing migrations, inside the caller's write transaction; `tables` as read in
/// that transaction.
pub(crate) fn migrate(
    conn: &mut dyn Conn,
    store: &str,
    tables: &[String],
) -> Result<(), FleetError> {
    if check(conn, store, tables)? == Found::Current {
        return Ok(());
    }
    let from = if tables.iter().any(|table| table == "schema_version") {
        version(conn, store)?
    } else {
        0
    };
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let to = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        if to <= from {
            continue;
        }
        let statements = match conn.dialect() {
            Dialect::Sqlite => migration.sqlite,
            Dialect::Postgres => migration.postgres,
        };
        for statement in statements {
            conn.execute(statement, &[])?;
        }
        if let Some(then) = migration.then {
            then(conn)?;
        }
        conn.execute("UPDATE schema_version SET version = ?", &[Param::Int(to)])?;
    }
    Ok(())
}
