//! The PostgreSQL store: one database shared by many processes and machines.
//!
//! Writers serialise on one transaction-scoped advisory lock ([`WRITE_LOCK`]), so that two
//! adds of the same target cannot both number their revision 2 and two processes opening an
//! empty database cannot both create the tables; the lock goes with the transaction, so a
//! killed process never holds it. Readers take a read-only, repeatable-read snapshot and never
//! wait. An add is a few milliseconds of work inside the lock, so serialising writers costs
//! little next to the round trips.
//!
//! The client is the synchronous `postgres` crate, without TLS: the store is meant for a
//! server on the same host or a trusted network; put a TLS-terminating proxy in front
//! otherwise.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr as _;
use std::time::Duration;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator as _;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};

use crate::error::FleetError;
use crate::schema::{self, Found};
use crate::sql::{Columns, Conn, Dialect, Param, RowRef, ValueRef, number_placeholders};
use crate::sqlite::action;

/// The advisory lock every writer holds for its transaction (`qmfleet1` in ASCII).
const WRITE_LOCK: i64 = 0x716d_666c_6565_7431;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A fleet store in a PostgreSQL database.
pub struct PostgresStore {
    client: Client,
    statements: HashMap<String, Statement>,
    location: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Param::Int(value) => value.to_sql(ty, out),
            Param::Text(value) => value.to_sql(ty, out),
            Param::OptText(value) => value.to_sql(ty, out),
            Param::OptInt(value) => value.to_sql(ty, out),
            Param::Blob(value) => value.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Param::Int(value) => value.to_sql_checked(ty, out),
            Param::Text(value) => value.to_sql_checked(ty, out),
            Param::OptText(value) => value.to_sql_checked(ty, out),
            Param::OptInt(value) => value.to_sql_checked(ty, out),
            Param::Blob(value) => value.to_sql_checked(ty, out),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
        None => url.to_owned(),
    }
}

struct PostgresConn<'a, 'b> {
    transaction: &'a mut Transaction<'b>,
    statements: &'a mut HashMap<String, Statement>,
    location: &'a str,
}

impl PostgresConn<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, FleetError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .transaction
            .prepare(&number_placeholders(sql))
            .map_err(|e| failure(self.location, sql, e))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn failure(location: &str, sql: &str, error: postgres::Error) -> FleetError {
    FleetError::Statement {
        store: location.to_owned(),
        action: action(sql),
        source: Box::new(error),
    }
}

fn references<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| param as &(dyn ToSql + Sync))
        .collect()
}

/// A row as the client received it, converted a column at a time.
struct PostgresRow<'r> {
    row: &'r postgres::Row,
    sql: &'r str,
    location: &'r str,
}

impl Columns for PostgresRow<'_> {
    fn count(&self) -> usize {
        self.row.len()
    }

    fn column(&self, index: usize) -> Result<ValueRef<'_>, FleetError> {
        let row = self.row;
        let fail = |e| failure(self.location, self.sql, e);
        let Some(column) = row.columns().get(index) else {
            return Err(FleetError::Unexpected {
                detail: format!("a result row has no column {index}"),
            });
        };
        let value = match *column.type_() {
            Type::INT8 => row
                .try_get::<_, Option<i64>>(index)
                .map_err(fail)?
                .map(ValueRef::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)
                .map_err(fail)?
                .map(|value| ValueRef::Int(i64::from(value))),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(index)
                .map_err(fail)?
                .map(|value| ValueRef::Int(i64::from(value))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(index)
                .map_err(fail)?
                .map(|value| ValueRef::Int(i64::from(value))),
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => row
                .try_get::<_, Option<&str>>(index)
                .map_err(fail)?
                .map(ValueRef::Text),
            Type::BYTEA => row
                .try_get::<_, Option<&[u8]>>(index)
                .map_err(fail)?
                .map(ValueRef::Blob),
            ref other => {
                return Err(FleetError::Unexpected {
                    detail: format!(
                        "column `{}` has type `{other}`, which the store never uses",
                        column.name()
                    ),
                });
            }
        };
        Ok(value.unwrap_or(ValueRef::Null))
    }
}

impl Conn for PostgresConn<'_, '_> {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, FleetError> {
        let statement = self.statement(sql)?;
        self.transaction
            .execute(&statement, &references(params))
            .map_err(|e| failure(self.location, sql, e))
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(RowRef<'_>) -> Result<(), FleetError>,
    ) -> Result<(), FleetError> {
        let statement = self.statement(sql)?;
        let location = self.location;
        let fail = |e| failure(location, sql, e);
        // Rows as they arrive, not all of them first: an answer is held a row at a time.
        let mut rows = self
            .transaction
            .query_raw(&statement, references(params))
            .map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            each(RowRef(&PostgresRow {
                row: &row,
                sql,
                location,
            }))?;
        }
        Ok(())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`, or the
    /// `key=value` form libpq accepts) and brings the schema up to date.
    pub fn open(url: &str) -> Result<PostgresStore, FleetError> {
        let location = redact(url);
        let mut config =
            postgres::Config::from_str(url).map_err(|error| FleetError::InvalidLocation {
                location: location.clone(),
                reason: error.to_string(),
            })?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("qm");
        let client = config.connect(NoTls).map_err(|source| FleetError::Open {
            store: location.clone(),
            source: Box::new(source),
        })?;
        let mut store = PostgresStore {
            client,
            statements: HashMap::new(),
            location,
        };
        let location = store.location.clone();
        let found = store.run(false, |conn| {
            let tables = tables(conn)?;
            schema::check(conn, &location, &tables)
        })?;
        if found == Found::Behind {
            store.run(true, |conn| {
                let tables = tables(conn)?;
                schema::migrate(conn, &location, &tables)
            })?;
        }
        Ok(store)
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
        let location = self.location.clone();
        let begin = |error| FleetError::Statement {
            store: location.clone(),
            action: "begin a transaction".to_owned(),
            source: Box::new(error),
        };
        let mut transaction = if write {
            self.client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()
                .map_err(begin)?
        } else {
            self.client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(begin)?
        };
        if write {
            transaction
                .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map_err(|error| FleetError::Statement {
                    store: location.clone(),
                    action: "take the write lock".to_owned(),
                    source: Box::new(error),
                })?;
        }
        let value = work(&mut PostgresConn {
            transaction: &mut transaction,
            statements: &mut self.statements,
            location: &location,
        })?;
        transaction
            .commit()
            .map_err(|error| FleetError::Statement {
                store: location.clone(),
                action: "commit".to_owned(),
                source: Box::new(error),
            })?;
        Ok(value)
    }
}

fn tables(conn: &mut dyn Conn) -> Result<Vec<String>, FleetError> {
    conn.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
        &[],
    )?
    .iter()
    .map(|row| row.text(0).map(str::to_owned))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        let cases = [
            (
                "postgres://qm:secret@db:5432/fleet",
                "postgres://qm:***@db:5432/fleet",
            ),
            ("postgres://qm@db/fleet", "postgres://qm@db/fleet"),
            ("postgres://db/fleet", "postgres://db/fleet"),
            ("host=db user=qm", "host=db user=qm"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown);
        }
    }
}
