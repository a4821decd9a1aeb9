//! The little SQL both engines share: parameters, rows, and a connection inside a transaction.
//!
//! Every query of the store is written once, with `?` placeholders, in the dialect SQLite and
//! PostgreSQL agree on (`INSERT … ON CONFLICT … DO NOTHING`, `RETURNING`, `upper()`); the
//! PostgreSQL side numbers the placeholders (`$1`, `$2`, …) before preparing. What they do not
//! agree on (table definitions, locking, introspection) lives in each engine's module.
//!
//! Surprises:
//! - Integers are `BIGINT` on PostgreSQL and read as `i64` on both; booleans are stored as the
//!   integers 0 and 1 so that the same comparison works on both.
//! - Text ordering differs (PostgreSQL sorts by the database's collation): the store sorts
//!   results in Rust, never relying on `ORDER BY` over text for what it prints.

use crate::error::FleetError;

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    OptText(Option<&'a str>),
    OptInt(Option<i64>),
    Blob(&'a [u8]),
}

/// A value read from a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value read from a column, borrowed from the driver's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueRef<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn to_value(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Int(value) => Value::Int(value),
            ValueRef::Text(value) => Value::Text(value.to_owned()),
            ValueRef::Blob(value) => Value::Blob(value.to_vec()),
        }
    }
}

/// A driver's result row, read a column at a time: a column nobody asks for is never
/// converted (an `affected` answer reads tens of thousands of rows).
pub(crate) trait Columns {
    /// How many columns the row has.
    fn count(&self) -> usize;
    /// Column `index`, borrowed from the row.
    fn column(&self, index: usize) -> Result<ValueRef<'_>, FleetError>;
}

#[cfg(test)]
impl Columns for Vec<ValueRef<'_>> {
    fn count(&self) -> usize {
        self.len()
    }

    fn column(&self, index: usize) -> Result<ValueRef<'_>, FleetError> {
        self.get(index)
            .copied()
            .ok_or_else(|| FleetError::Unexpected {
                detail: format!("a result row has no column {index}"),
            })
    }
}

/// One result row, borrowed: what [`Conn::query_each`] hands over, without copying a column.
#[derive(Clone, Copy)]
pub(crate) struct RowRef<'a>(pub(crate) &'a dyn Columns);

impl<'a> RowRef<'a> {
    fn get(&self, index: usize) -> Result<ValueRef<'a>, FleetError> {
        self.0.column(index)
    }

    pub(crate) fn int(&self, index: usize) -> Result<i64, FleetError> {
        match self.get(index)? {
            ValueRef::Int(value) => Ok(value),
            other => Err(unexpected(index, "an integer", other)),
        }
    }

    pub(crate) fn text(&self, index: usize) -> Result<&'a str, FleetError> {
        match self.get(index)? {
            ValueRef::Text(value) => Ok(value),
            other => Err(unexpected(index, "text", other)),
        }
    }

    pub(crate) fn opt_int(&self, index: usize) -> Result<Option<i64>, FleetError> {
        match self.get(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Int(value) => Ok(Some(value)),
            other => Err(unexpected(index, "an integer", other)),
        }
    }

    pub(crate) fn opt_text(&self, index: usize) -> Result<Option<&'a str>, FleetError> {
        match self.get(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(value) => Ok(Some(value)),
            other => Err(unexpected(index, "text", other)),
        }
    }

    pub(crate) fn blob(&self, index: usize) -> Result<&'a [u8], FleetError> {
        match self.get(index)? {
            ValueRef::Blob(value) => Ok(value),
            other => Err(unexpected(index, "bytes", other)),
        }
    }

    /// A count or other non-negative integer.
    pub(crate) fn count(&self, index: usize) -> Result<u64, FleetError> {
        let value = self.int(index)?;
        u64::try_from(value).map_err(|_| FleetError::Unexpected {
            detail: format!("column {index} holds `{value}` where a count belongs"),
        })
    }

    /// The row, copied.
    pub(crate) fn to_row(self) -> Result<Row, FleetError> {
        (0..self.0.count())
            .map(|index| self.get(index).map(ValueRef::to_value))
            .collect::<Result<_, _>>()
            .map(Row)
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Columns for Row {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn column(&self, index: usize) -> Result<ValueRef<'_>, FleetError> {
        let value = self.0.get(index).ok_or_else(|| FleetError::Unexpected {
            detail: format!("a result row has no column {index}"),
        })?;
        Ok(match value {
            Value::Null => ValueRef::Null,
            Value::Int(value) => ValueRef::Int(*value),
            Value::Text(value) => ValueRef::Text(value),
            Value::Blob(value) => ValueRef::Blob(value),
        })
    }
}

/// A copied row reads as a borrowed one does.
impl Row {
    fn cells(&self) -> RowRef<'_> {
        RowRef(self)
    }

    pub(crate) fn int(&self, index: usize) -> Result<i64, FleetError> {
        self.cells().int(index)
    }

    pub(crate) fn opt_int(&self, index: usize) -> Result<Option<i64>, FleetError> {
        self.cells().opt_int(index)
    }

    pub(crate) fn text(&self, index: usize) -> Result<&str, FleetError> {
        self.cells().text(index)
    }

    pub(crate) fn opt_text(&self, index: usize) -> Result<Option<&str>, FleetError> {
        self.cells().opt_text(index)
    }

    pub(crate) fn blob(&self, index: usize) -> Result<&[u8], FleetError> {
        self.cells().blob(index)
    }

    /// A count or other non-negative integer.
    pub(crate) fn count(&self, index: usize) -> Result<u64, FleetError> {
        self.cells().count(index)
    }
}

fn unexpected(index: usize, wanted: &str, found: ValueRef<'_>) -> FleetError {
    let found = match found {
        ValueRef::Null => "null",
        ValueRef::Int(_) => "an integer",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "bytes",
    };
    FleetError::Unexpected {
        detail: format!("column {index} holds {found} where {wanted} belongs"),
    }
}

/// Which engine a connection talks to, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection inside an open transaction.
pub(crate) trait Conn {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, FleetError>;
    /// Runs a query and hands each row to `each` as the driver holds it, copying nothing;
    /// stops at the first error `each` returns.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(RowRef<'_>) -> Result<(), FleetError>,
    ) -> Result<(), FleetError>;
    /// The engine.
    fn dialect(&self) -> Dialect;

    /// Runs a query; returns every row.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, FleetError> {
        let mut rows = Vec::new();
        self.query_each(sql, params, &mut |row| {
            rows.push(row.to_row()?);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, FleetError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Exactly one row.
    fn query_one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row, FleetError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| FleetError::Unexpected {
                detail: format!("no row for `{}`", first_words(sql)),
            })
    }
}

/// The start of a statement, for messages.
fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(6).collect::<Vec<_>>().join(" ")
}

/// Rewrites `?` placeholders as PostgreSQL's `$1`, `$2`, …; the store's statements hold no
/// `?` inside string literals.
pub(crate) fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 1;
    for character in sql.chars() {
        if character == '?' {
            out.push('$');
            out.push_str(&next.to_string());
            next += 1;
        } else {
            out.push(character);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            number_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
        assert_eq!(number_placeholders("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn rows_refuse_the_wrong_type() {
        let row = Row(vec![Value::Int(3), Value::Text("x".into()), Value::Null]);
        assert_eq!(row.int(0).unwrap(), 3);
        assert_eq!(row.text(1).unwrap(), "x");
        assert_eq!(row.opt_text(2).unwrap(), None);
        assert!(row.text(0).is_err());
        assert!(row.int(5).is_err());
        assert!(Row(vec![Value::Int(-1)]).count(0).is_err());
    }

    #[test]
    fn borrowed_rows_read_and_copy_alike() {
        let values = vec![
            ValueRef::Int(3),
            ValueRef::Text("x"),
            ValueRef::Null,
            ValueRef::Blob(b"b"),
        ];
        let row = RowRef(&values);
        assert_eq!(row.int(0).unwrap(), 3);
        assert_eq!(row.count(0).unwrap(), 3);
        assert_eq!(row.text(1).unwrap(), "x");
        assert_eq!(row.opt_text(1).unwrap(), Some("x"));
        assert_eq!(row.opt_text(2).unwrap(), None);
        assert!(row.text(0).is_err());
        assert!(row.int(1).is_err());
        assert!(row.int(9).is_err());
        assert_eq!(row.blob(3).unwrap(), b"b");
        assert!(row.blob(1).is_err());
        assert!(RowRef(&vec![ValueRef::Int(-1)]).count(0).is_err());
        assert_eq!(
            row.to_row().unwrap(),
            Row(vec![
                Value::Int(3),
                Value::Text("x".into()),
                Value::Null,
                Value::Blob(b"b".to_vec())
            ])
        );
    }
}
