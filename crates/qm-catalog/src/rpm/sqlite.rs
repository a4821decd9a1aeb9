//! The SQLite package database rpm writes since 4.16 (`/var/lib/rpm/rpmdb.sqlite` or
//! `/usr/lib/sysimage/rpm/rpmdb.sqlite`): Fedora 33+, RHEL 9, Azure Linux / CBL-Mariner 2,
//! Amazon Linux 2023. Table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`, one header blob a
//! row.
//!
//! The bytes are handed to SQLite in memory (`sqlite3_deserialize`), read-only: nothing touches
//! the disk. The format's surprises:
//! - rpm keeps the database in WAL mode (header bytes 18 and 19 are 2), which the in-memory VFS
//!   cannot open; the copy given to SQLite says "rollback journal" (1) instead. Rows still in
//!   a `rpmdb.sqlite-wal` file beside it are not seen, as with every scanner reading one file.
//! - The file comes from the image under scan, so SQLite runs defensively: `DEFENSIVE` on,
//!   `TRUSTED_SCHEMA` off, blob length limited to the largest header read, and a progress
//!   handler that interrupts any statement running longer than a real database ever needs.
//!   SQLite reports a corrupt file as an error (`SQLITE_CORRUPT`), never a crash.
//! - A row whose `blob` is not a BLOB fails the whole file.

use std::io::Read as _;

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::{RpmDbError, header::MAX_HEADER_BYTES};

/// The SQLite file header's first 16 bytes.
pub(super) const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The SQLite file header is 100 bytes.
const FILE_HEADER_SIZE: usize = 100;
/// Bytes 18 and 19: the file format write and read versions; 2 means WAL.
const FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;
const FORMAT_WAL: u8 = 2;
const FORMAT_ROLLBACK: u8 = 1;
/// Header fields (sqlite.org/fileformat.html, "The Database Header"): the page size (2 bytes,
/// 1 meaning 65536), the change counter, the size in pages, and the change counter the size is
/// valid for.
const PAGE_SIZE_FIELD: usize = 16;
const CHANGE_COUNTER_FIELD: usize = 24;
const PAGE_COUNT_FIELD: usize = 28;
const VALID_FOR_FIELD: usize = 92;
const PAGE_SIZE_65536: u16 = 1;
/// The progress handler runs every this many virtual-machine steps...
const PROGRESS_INTERVAL: i32 = 10_000;
/// ...and interrupts the statement after this many calls (10^9 steps; a 5,000-package database
/// is read in well under 10^7).
const MAX_PROGRESS_CALLS: u32 = 100_000;
/// The query: the blobs, in package-number order.
const QUERY: &str = "SELECT blob FROM Packages ORDER BY hnum";

/// Calls `visit` with every package header blob, in package-number order.
pub(super) fn for_each_blob(
    bytes: &[u8],
    visit: &mut dyn FnMut(&[u8]) -> Result<(), RpmDbError>,
) -> Result<(), RpmDbError> {
    let (head, rest) = bytes
        .split_at_checked(FILE_HEADER_SIZE)
        .ok_or(RpmDbError::Truncated {
            what: "the SQLite file header",
            offset: 0,
            size: bytes.len(),
        })?;
    check_size(head, bytes.len())?;
    let (before, versions) = head.split_at(FORMAT_VERSIONS.start);
    let (versions, after) = versions.split_at(FORMAT_VERSIONS.len());
    let versions: Vec<u8> = versions
        .iter()
        .map(|version| {
            if *version == FORMAT_WAL {
                FORMAT_ROLLBACK
            } else {
                *version
            }
        })
        .collect();
    let image = before.chain(versions.as_slice()).chain(after).chain(rest);

    let sqlite = |source| RpmDbError::Sqlite { source };
    let mut connection = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite)?;
    connection
        .set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(sqlite)?;
    connection
        .set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(sqlite)?;
    let max_blob = i32::try_from(MAX_HEADER_BYTES).unwrap_or(i32::MAX);
    connection
        .set_limit(Limit::SQLITE_LIMIT_LENGTH, max_blob)
        .map_err(sqlite)?;
    let mut calls = 0u32;
    connection
        .progress_handler(
            PROGRESS_INTERVAL,
            Some(move || {
                calls = calls.saturating_add(1);
                calls > MAX_PROGRESS_CALLS
            }),
        )
        .map_err(sqlite)?;
    connection
        .deserialize_read_exact(MAIN_DB, image, bytes.len(), true)
        .map_err(sqlite)?;

    let mut statement = connection.prepare(QUERY).map_err(sqlite)?;
    let mut rows = statement.query([]).map_err(sqlite)?;
    let mut row_number = 0usize;
    while let Some(row) = rows.next().map_err(sqlite)? {
        row_number += 1;
        match row.get_ref(0).map_err(sqlite)? {
            ValueRef::Blob(blob) => visit(blob)?,
            other => {
                return Err(RpmDbError::invalid(
                    format!("row {row_number} of the SQLite `Packages` table"),
                    format!("holds a {} instead of a header blob", other.data_type()),
                ));
            }
        }
    }
    Ok(())
}

/// A truncated file still opens, and SQLite reads whatever pages are left; the header says how
/// long the file must be (when its size field is current), so a shorter file is an error here.
fn check_size(head: &[u8], size: usize) -> Result<(), RpmDbError> {
    let be_u32 = |at: usize| {
        head.get(at..at + 4)
            .and_then(|raw| raw.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let page_size = head
        .get(PAGE_SIZE_FIELD..PAGE_SIZE_FIELD + 2)
        .and_then(|raw| raw.try_into().ok())
        .map(u16::from_be_bytes)
        .map(|size| {
            if size == PAGE_SIZE_65536 {
                65536
            } else {
                u64::from(size)
            }
        });
    let (Some(page_size), Some(counter), Some(pages), Some(valid_for)) = (
        page_size,
        be_u32(CHANGE_COUNTER_FIELD),
        be_u32(PAGE_COUNT_FIELD),
        be_u32(VALID_FOR_FIELD),
    ) else {
        return Ok(());
    };
    let needed = page_size * u64::from(pages);
    if counter == valid_for && pages != 0 && u64::try_from(size).unwrap_or(u64::MAX) < needed {
        return Err(RpmDbError::Truncated {
            what: "the last SQLite page the header announces",
            offset: needed,
            size,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::header::tests::package;

    /// A database built by SQLite itself, its header then marked WAL like rpm's (a checkpointed
    /// WAL database differs from a rollback-journal one only there).
    fn database(rows: &[(i64, rusqlite::types::Value)]) -> Vec<u8> {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
            )
            .unwrap();
        for (hnum, blob) in rows {
            connection
                .execute(
                    "INSERT INTO Packages (hnum, blob) VALUES (?1, ?2)",
                    rusqlite::params![hnum, blob],
                )
                .unwrap();
        }
        let mut bytes = connection.serialize(MAIN_DB).unwrap().to_vec();
        bytes[FORMAT_VERSIONS].fill(FORMAT_WAL);
        bytes
    }

    fn blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
        let mut blobs = Vec::new();
        for_each_blob(bytes, &mut |blob| {
            blobs.push(blob.to_vec());
            Ok(())
        })?;
        Ok(blobs)
    }

    #[test]
    fn reads_blobs_in_package_number_order_from_a_wal_database() {
        let first = package("bash", None);
        let second = package("openssl", Some(1));
        let bytes = database(&[(7, second.clone().into()), (3, first.clone().into())]);
        assert_eq!(bytes.get(18..20), Some([FORMAT_WAL, FORMAT_WAL].as_slice()));
        assert_eq!(blobs(&bytes).unwrap(), vec![first, second]);
    }

    #[test]
    fn a_text_row_is_an_error() {
        let bytes = database(&[(1, rusqlite::types::Value::Text("bash".into()))]);
        assert!(matches!(blobs(&bytes), Err(RpmDbError::Invalid { .. })));
    }

    #[test]
    fn broken_files_are_errors() {
        let good = database(&[(1, package("bash", None).into())]);
        let cases: &[(&str, &[u8])] = &[
            ("short header", &good[..50]),
            ("first page only", &good[..4096]),
            ("one byte short", &good[..good.len() - 1]),
            ("garbage", &[0x55; 8192]),
        ];
        for (what, bytes) in cases {
            assert!(blobs(bytes).is_err(), "{what}");
        }
    }
}
