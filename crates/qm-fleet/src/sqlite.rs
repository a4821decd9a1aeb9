//! The SQLite store: one file, many processes.
//!
//! The file runs in WAL mode, so readers never wait for the writer and a process killed in the
//! middle of an add leaves the last committed state (the half-written transaction is rolled
//! back from the log on the next open). Writers take the lock up front (`BEGIN IMMEDIATE`)
//! and wait up to [`BUSY_TIMEOUT`] for each other, so parallel `qm fleet add` processes queue
//! rather than fail. `synchronous = NORMAL` keeps every commit across a process crash; a power
//! cut may lose the last commits, never the file.
//!
//! The file is marked with an SQLite `application_id`, so a database of another program is
//! refused rather than written into.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef as SqlValueRef};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::error::FleetError;
use crate::schema::{self, Found};
use crate::sql::{Columns, Conn, Dialect, Param, RowRef, ValueRef};

/// How long a writer waits for another before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// `qmfl`: marks a file as a Quartermaster fleet store.
const APPLICATION_ID: i64 = 0x716d_666c;

/// A fleet store in an SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    connection: Connection,
    path: PathBuf,
    location: String,
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Int(value) => SqlValueRef::Integer(*value),
            Param::Text(value) => SqlValueRef::Text(value.as_bytes()),
            Param::OptText(Some(value)) => SqlValueRef::Text(value.as_bytes()),
            Param::OptText(None) | Param::OptInt(None) => SqlValueRef::Null,
            Param::OptInt(Some(value)) => SqlValueRef::Integer(*value),
            Param::Blob(value) => SqlValueRef::Blob(value),
        }))
    }
}

/// Maps a driver error: a damaged file is [`FleetError::Corrupt`], anything else a failed
/// statement.
fn error(store: &str, action: &str, error: rusqlite::Error) -> FleetError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => FleetError::Corrupt {
            store: store.to_owned(),
            source: Box::new(error),
        },
        _ => FleetError::Statement {
            store: store.to_owned(),
            action: action.to_owned(),
            source: Box::new(error),
        },
    }
}

struct SqliteConn<'a> {
    connection: &'a Connection,
    location: &'a str,
}

impl Conn for SqliteConn<'_> {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, FleetError> {
        let fail = |e| error(self.location, &action(sql), e);
        let mut statement = self.connection.prepare_cached(sql).map_err(fail)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(fail)?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(RowRef<'_>) -> Result<(), FleetError>,
    ) -> Result<(), FleetError> {
        let fail = |e| error(self.location, &action(sql), e);
        let mut statement = self.connection.prepare_cached(sql).map_err(fail)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            each(RowRef(&SqliteRow {
                row,
                columns,
                sql,
                location: self.location,
            }))?;
        }
        Ok(())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

/// A row as SQLite holds it, converted a column at a time.
struct SqliteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    columns: usize,
    sql: &'r str,
    location: &'r str,
}

impl Columns for SqliteRow<'_, '_> {
    fn count(&self) -> usize {
        self.columns
    }

    fn column(&self, index: usize) -> Result<ValueRef<'_>, FleetError> {
        let value = self
            .row
            .get_ref(index)
            .map_err(|e| error(self.location, &action(self.sql), e))?;
        Ok(match value {
            SqlValueRef::Null => ValueRef::Null,
            SqlValueRef::Integer(value) => ValueRef::Int(value),
            SqlValueRef::Real(_) => {
                return Err(FleetError::Unexpected {
                    detail: format!(
                        "column {index} of `{}` holds a real number, which the store never writes",
                        action(self.sql)
                    ),
                });
            }
            SqlValueRef::Text(value) => ValueRef::Text(std::str::from_utf8(value).map_err(
                |_| FleetError::Unexpected {
                    detail: format!(
                        "column {index} of `{}` holds text that is not UTF-8",
                        action(self.sql)
                    ),
                },
            )?),
            SqlValueRef::Blob(value) => ValueRef::Blob(value),
        })
    }
}

/// `run `INSERT INTO revisions``: what a failed statement was doing, for the message.
pub(crate) fn action(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(3).collect();
    format!("run `{}`", words.join(" "))
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file (and its directory) when missing, and
    /// bringing its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, FleetError> {
        let location = format!("sqlite://{}", path.display());
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent).map_err(|source| FleetError::Open {
                store: location.clone(),
                source: Box::new(source),
            })?;
        }
        if path.is_dir() {
            return Err(FleetError::NotAStore {
                store: location,
                reason: "it is a directory".to_owned(),
            });
        }
        let connection = Connection::open(path).map_err(|source| FleetError::Open {
            store: location.clone(),
            source: Box::new(source),
        })?;
        // The store runs a few dozen distinct statements (batch sizes vary); rusqlite keeps 16.
        connection.set_prepared_statement_cache_capacity(256);
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| error(&location, "set the busy timeout", e))?;
        // The first read of the header: a file that is not SQLite fails here.
        let application_id: i64 = connection
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|e| error(&location, "read the file header", e))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| error(&location, "switch to WAL mode", e))?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| error(&location, "set `synchronous`", e))?;
        // A checkpoint copies every page the log holds and syncs the file. Adds touch a few
        // hundred index pages each, mostly the same ones: checkpointing every 8192 pages
        // (32 MiB) instead of SQLite's 1000 writes each page once per many adds.
        connection
            .pragma_update(None, "wal_autocheckpoint", 8192)
            .map_err(|e| error(&location, "set `wal_autocheckpoint`", e))?;
        // 64 MiB of page cache instead of 2: a fleet's indexes are read all over on every add,
        // and re-reading them from the OS was most of an add's time.
        connection
            .pragma_update(None, "cache_size", -65_536)
            .map_err(|e| error(&location, "set `cache_size`", e))?;
        // Statement journals (kept while a multi-row insert runs, to undo just that statement)
        // in memory rather than in a temporary file: they were an eighth of an add's time.
        connection
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| error(&location, "set `temp_store`", e))?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| error(&location, "enable foreign keys", e))?;
        let mut store = SqliteStore {
            connection,
            path: path.to_owned(),
            location,
        };
        let found = store.run(false, |conn| {
            let tables = tables(conn)?;
            if !tables.is_empty() && application_id != APPLICATION_ID {
                return Err(FleetError::NotAStore {
                    store: path.display().to_string(),
                    reason: format!(
                        "it is an SQLite database of another program (application id {application_id:#x})"
                    ),
                });
            }
            schema::check(conn, &format!("sqlite://{}", path.display()), &tables)
        })?;
        if found == Found::Behind {
            let location = store.location.clone();
            store.run(true, |conn| {
                let tables = tables(conn)?;
                schema::migrate(conn, &location, &tables)?;
                conn.execute(&format!("PRAGMA application_id = {APPLICATION_ID}"), &[])?;
                Ok(())
            })?;
        }
        Ok(store)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub(crate) fn run<T>(
        &mut self,
        write: bool,
        work: impl FnOnce(&mut dyn Conn) -> Result<T, FleetError>,
    ) -> Result<T, FleetError> {
        let behavior = if write {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let location = self.location.clone();
        let transaction = self
            .connection
            .transaction_with_behavior(behavior)
            .map_err(|e| error(&location, "begin a transaction", e))?;
        let value = work(&mut SqliteConn {
            connection: &transaction,
            location: &location,
        })?;
        transaction
            .commit()
            .map_err(|e| error(&location, "commit", e))?;
        Ok(value)
    }
}

fn tables(conn: &mut dyn Conn) -> Result<Vec<String>, FleetError> {
    conn.query("SELECT name FROM sqlite_master WHERE type = 'table'", &[])?
        .iter()
        .map(|row| row.text(0).map(str::to_owned))
        .collect()
}
