//! The compiled database (`VulnDb::from_bytes`, its readers and `verify`), schema 2: a header
//! checksum over every section but the records, and one checksum per 64 KiB block of records,
//! checked when the block is first read. The first byte picks a mode (its value modulo 6), the
//! rest is:
//! - 0: the file, as is;
//! - 1: the file, its header's body length, block checksums and header checksum rewritten to
//!   fit (when it is at least a header long): what a crafted file can do, since the checksums
//!   only catch accidents;
//! - 2: XOR edits (`qm_fuzz::vulndb::xor_edits`: u16 position, byte) to the small database
//!   written from `qm_fuzz::vulndb::fixture_advisories` (one block of records), nothing
//!   recomputed;
//! - 3: the same, then the block checksums and the header checksum recomputed;
//! - 4: XOR edits with wider positions (u24, byte) to a larger database (the fixture
//!   advisories several times over, with long texts between them: records in several blocks,
//!   some across a block boundary), nothing recomputed;
//! - 5: the same, checksums recomputed.
//!
//! Asserted:
//! - opening never panics and fails only as a damaged or foreign file would (bad magic, schema,
//!   checksum, truncation, corruption), never with a block checksum error;
//! - `verify()` of an opened file fails only with `DbError::BlockChecksumMismatch`, and never
//!   after checksums were recomputed (modes 1, 3, 5);
//! - every reader (`entries` and each `EntryRef::affected`, `lookup`, `advisory`, `find`,
//!   `keys`) answers or fails with `DbError::Corrupt` (or `BlockChecksumMismatch` when a block
//!   fails its checksum), never panics; `entries` and `lookup` agree; a file that verifies passes
//!   `qm_fuzz::vulndb::check_readers`, and when all its advisories read, `check_written` of them;
//! - modes 2 and 4 (nothing recomputed): an edited body is refused, by opening or, for damaged
//!   records, by `verify()`; with the tables intact, each advisory whose record touches a damaged
//!   block fails with `BlockChecksumMismatch` naming the first such block, the others read back
//!   as written, before `verify()` is called; a file with any header field edited does not
//!   open (the checksum covers the header's fields after it, the ones before are checked).
//! - modes 2 to 5: a file that did not change opens, verifies and reads back exactly the
//!   advisories it was written from.

#![no_main]

use std::ops::Range;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::vulndb::{
    as_stored, check_readers, check_written, fixture_advisories, fixture_db, metadata_for, same,
    write, xor_edits,
};
use qm_model::{Advisory, Ecosystem, PackageKey};
use qm_vulndb::{DbError, VulnDb};

/// The header's length (schema 2).
const HEADER_LEN: usize = 136;
/// Where the header stores the body length (u64).
const BODY_LEN_AT: usize = 16;
/// Where the header stores the xxh3-64 of the body up to the records (u64).
const CHECKSUM_AT: usize = 24;
/// Where the header lists the body's section lengths (u64 each).
const SECTIONS_AT: usize = 56;
/// How many sections: the advisory table, the block checksums and the records are the last
/// three.
const SECTION_COUNT: usize = 10;
const ADVISORIES: usize = 7;
const BLOCK_SUMS: usize = 8;
const RECORDS: usize = 9;
/// The records are checksummed in blocks of this size.
const RECORD_BLOCK: usize = 64 * 1024;
/// The header's fields, as byte ranges: none edited may go unnoticed.
const HEADER_FIELDS: [Range<usize>; 10] = [
    0..8,
    8..12,
    12..16,
    16..24,
    24..32,
    32..40,
    40..44,
    44..48,
    48..52,
    52..56,
];

/// The sections' start offsets, by the header's section lengths, when they fit the file.
fn section_starts(bytes: &[u8]) -> Option<[usize; SECTION_COUNT]> {
    let mut start = HEADER_LEN;
    let mut starts = [0; SECTION_COUNT];
    for (index, section) in starts.iter_mut().enumerate() {
        let at = SECTIONS_AT + 8 * index;
        let length = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        *section = start;
        start = start.checked_add(usize::try_from(length).ok()?)?;
    }
    (start <= bytes.len()).then_some(starts)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Rewrites the block checksums (where the layout fits) and the header checksum to fit the
/// bytes, and with `length` the body length first: what a forger (or a bug) can do. Without a
/// layout that fits, the header checksum covers the whole body.
fn reseal(bytes: &mut [u8], length: bool) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    if length {
        let body = (bytes.len() - HEADER_LEN) as u64;
        bytes[BODY_LEN_AT..BODY_LEN_AT + 8].copy_from_slice(&body.to_le_bytes());
    }
    let covered = match section_starts(bytes) {
        Some(starts) => {
            let (sums, records) = (starts[BLOCK_SUMS], starts[RECORDS]);
            let blocks: Vec<u64> = bytes[records..]
                .chunks(RECORD_BLOCK)
                .map(xxhash_rust::xxh3::xxh3_64)
                .collect();
            for (index, sum) in blocks.into_iter().enumerate() {
                let at = sums + 8 * index;
                if at + 8 <= records {
                    bytes[at..at + 8].copy_from_slice(&sum.to_le_bytes());
                }
            }
            records
        }
        None => bytes.len(),
    };
    // The header's fields after the checksum, then the tables.
    let mut hashed = bytes[CHECKSUM_AT + 8..HEADER_LEN].to_vec();
    hashed.extend_from_slice(&bytes[HEADER_LEN..covered]);
    let checksum = xxhash_rust::xxh3::xxh3_64(&hashed);
    bytes[CHECKSUM_AT..CHECKSUM_AT + 8].copy_from_slice(&checksum.to_le_bytes());
}

/// XOR edits for files longer than a u16 reaches: each four bytes of `edits` are a position
/// (u24, little endian, modulo the length) and the byte to XOR there.
fn wide_xor_edits(bytes: &mut [u8], edits: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    for edit in edits.chunks_exact(4) {
        let position =
            usize::from(edit[0]) | usize::from(edit[1]) << 8 | usize::from(edit[2]) << 16;
        let length = bytes.len();
        if let Some(byte) = bytes.get_mut(position % length) {
            *byte ^= edit[3];
        }
    }
}

/// A database written for a fixture: its advisories (as the file gives them back) and bytes.
struct Fixture {
    stored: Vec<Advisory>,
    bytes: Vec<u8>,
}

impl Fixture {
    fn new(advisories: &[Advisory], bytes: Vec<u8>) -> Fixture {
        let stored = advisories
            .iter()
            .map(|advisory| as_stored(advisory).unwrap_or_else(|reason| panic!("{reason}")))
            .collect();
        Fixture { stored, bytes }
    }
}

fn small() -> &'static Fixture {
    static SMALL: LazyLock<Fixture> =
        LazyLock::new(|| Fixture::new(&fixture_advisories(), fixture_db().to_vec()));
    &SMALL
}

/// The fixture advisories six times over (ids and package names suffixed by round), each round
/// followed by an advisory with 24 KiB of details: about 160 KiB of records, three blocks.
fn large() -> &'static Fixture {
    static LARGE: LazyLock<Fixture> = LazyLock::new(|| {
        let mut advisories = Vec::new();
        for round in 0..6 {
            for mut advisory in fixture_advisories() {
                advisory.id = format!("{}-{round}", advisory.id);
                for entry in &mut advisory.affected {
                    entry.package = PackageKey::new(
                        entry.package.ecosystem.clone(),
                        entry.package.release.as_deref(),
                        &format!("{}-{round}", entry.package.name),
                    );
                }
                advisories.push(advisory);
            }
            let mut filler = fixture_advisories().swap_remove(4);
            filler.id = format!("FILLER-{round}");
            filler.details = Some("Ünïcode filler text. ".repeat(24 * 1024 / 22));
            advisories.push(filler);
        }
        let bytes = write(&advisories, &metadata_for(&advisories));
        let records = section_starts(&bytes).map_or(0, |starts| bytes.len() - starts[RECORDS]);
        assert!(
            records > 2 * RECORD_BLOCK,
            "the large fixture has {records} bytes of records, not several blocks"
        );
        Fixture::new(&advisories, bytes)
    });
    &LARGE
}

/// The errors a file that is not a well-formed database may give when opened.
fn is_open_error(error: &DbError) -> bool {
    matches!(
        error,
        DbError::BadMagic { .. }
            | DbError::UnsupportedSchema { .. }
            | DbError::ChecksumMismatch { .. }
            | DbError::Truncated { .. }
            | DbError::Corrupt { .. }
    )
}

/// The errors a reader of an opened file may give: a bad value, or, unless every block
/// verified, a block that fails its checksum.
fn check_error(what: &str, error: &DbError, verified: bool) {
    let allowed = match error {
        DbError::Corrupt { .. } => true,
        DbError::BlockChecksumMismatch { .. } => !verified,
        _ => false,
    };
    assert!(
        allowed,
        "{what} fails with {error:?} (verified: {verified})"
    );
}

/// Exercises `entries` (and each entry's `affected`) against `lookup` of `key`.
fn check_entries(db: &VulnDb, key: &PackageKey, verified: bool) {
    let count = db.advisory_count();
    let entries = match db.entries(key) {
        Ok(entries) => entries,
        Err(error) => {
            check_error("entries", &error, verified);
            return;
        }
    };
    let length = entries.len();
    let mut decoded = Vec::with_capacity(length);
    for entry in entries {
        let advisory = entry.advisory();
        assert!(
            advisory.index() < count,
            "entries({key}) names advisory {} of {count}",
            advisory.index()
        );
        match entry.affected() {
            Ok(affected) => {
                assert_eq!(
                    affected.package, *key,
                    "entries({key}) decodes an entry of another key"
                );
                decoded.push(Some((advisory, affected)));
            }
            Err(error) => {
                check_error("EntryRef::affected", &error, verified);
                decoded.push(None);
            }
        }
    }
    assert_eq!(
        decoded.len(),
        length,
        "entries({key}) is not as long as it says"
    );
    match db.lookup(key) {
        Ok(found) => {
            assert_eq!(
                found.len(),
                length,
                "lookup({key}) and entries({key}) differ in length"
            );
            for (found, decoded) in found.iter().zip(&decoded) {
                let Some((advisory, affected)) = decoded else {
                    panic!("lookup({key}) decodes an entry that entries({key}) does not");
                };
                assert_eq!(
                    found.advisory, *advisory,
                    "lookup({key}) and entries({key}) differ"
                );
                assert!(
                    same(&found.affected, affected),
                    "lookup({key}) and entries({key}) decode differently"
                );
            }
        }
        Err(error) => {
            check_error("lookup", &error, verified);
            assert!(
                decoded.iter().any(Option::is_none),
                "lookup({key}) fails ({error}) where every entry of entries({key}) decodes"
            );
        }
    }
}

/// Every reader on any opened file: no panic, only the errors allowed, `entries` and `lookup`
/// agreeing.
fn exercise(db: &VulnDb, verified: bool) {
    let _ = (db.metadata(), db.schema_version(), db.size());
    let keys: Vec<Result<PackageKey, DbError>> = db.keys().collect();
    assert_eq!(keys.len(), db.package_count(), "keys() count");
    for key in &keys {
        match key {
            Ok(key) => check_entries(db, key, verified),
            Err(error) => check_error("keys()", error, verified),
        }
    }
    let advisories: Vec<Result<Advisory, DbError>> = db.advisories().collect();
    assert_eq!(advisories.len(), db.advisory_count(), "advisories() count");
    for advisory in &advisories {
        match advisory {
            Ok(advisory) => {
                for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
                    match db.find(id) {
                        Ok(found) => assert!(
                            found
                                .iter()
                                .all(|found| found.index() < db.advisory_count()),
                            "find({id:?}) names advisories past the last"
                        ),
                        Err(error) => check_error("find", &error, verified),
                    }
                }
                for affected in &advisory.affected {
                    check_entries(db, &affected.package, verified);
                }
            }
            Err(error) => check_error("advisories()", error, verified),
        }
    }
    check_entries(
        db,
        &PackageKey::new(Ecosystem::Npm, None, "absent"),
        verified,
    );
}

/// The header fields in which `bytes` and `fixture` differ.
fn changed_header_fields(bytes: &[u8], fixture: &[u8]) -> usize {
    let sections = (0..SECTION_COUNT).map(|index| {
        let at = SECTIONS_AT + 8 * index;
        at..at + 8
    });
    HEADER_FIELDS
        .into_iter()
        .chain(sections)
        .filter(|field| bytes.get(field.clone()) != fixture.get(field.clone()))
        .count()
}

/// For a fixture edited in its records only, with nothing recomputed: which advisory must
/// fail, and with the block checksum error of which block (its offset in the file), as
/// `(record start, Some(block offset))`; `None` for those that must read as written.
fn expected_block_errors(bytes: &[u8], fixture: &[u8]) -> Option<Vec<Option<u64>>> {
    let starts = section_starts(fixture)?;
    let (table, records) = (starts[ADVISORIES], starts[RECORDS]);
    let damaged: Vec<bool> = bytes
        .get(records..)?
        .chunks(RECORD_BLOCK)
        .zip(fixture.get(records..)?.chunks(RECORD_BLOCK))
        .map(|(edited, original)| edited != original)
        .collect();
    let count = (starts[BLOCK_SUMS] - table) / 8;
    let record_len = fixture.len() - records;
    let mut expected = Vec::with_capacity(count);
    for index in 0..count {
        let start = usize::try_from(u64_at(fixture, table + 8 * index)?).ok()?;
        let end = if index + 1 < count {
            usize::try_from(u64_at(fixture, table + 8 * (index + 1))?).ok()?
        } else {
            record_len
        };
        let first_damaged = (start < end)
            .then(|| {
                (start / RECORD_BLOCK..=(end - 1) / RECORD_BLOCK)
                    .find(|block| damaged.get(*block) == Some(&true))
            })
            .flatten();
        expected.push(first_damaged.map(|block| (records + block * RECORD_BLOCK) as u64));
    }
    Some(expected)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mode = mode % 6;
    let fixture = match mode {
        2 | 3 => Some(small()),
        4 | 5 => Some(large()),
        _ => None,
    };
    let sealed = matches!(mode, 1 | 3 | 5);
    let bytes = match fixture {
        None => {
            let mut bytes = rest.to_vec();
            if mode == 1 {
                reseal(&mut bytes, true);
            }
            bytes
        }
        Some(fixture) => {
            let mut bytes = fixture.bytes.clone();
            if mode <= 3 {
                xor_edits(&mut bytes, rest);
            } else {
                wide_xor_edits(&mut bytes, rest);
            }
            if sealed {
                reseal(&mut bytes, false);
            }
            bytes
        }
    };
    let unchanged = fixture.is_some_and(|fixture| bytes == fixture.bytes);
    // Nothing recomputed: what changed, and which advisories must fail to read.
    let unsealed = fixture.filter(|_| !sealed && !unchanged);
    let body_changed =
        unsealed.is_some_and(|fixture| bytes.get(HEADER_LEN..) != fixture.bytes.get(HEADER_LEN..));
    let header_fields_changed =
        unsealed.map_or(0, |fixture| changed_header_fields(&bytes, &fixture.bytes));
    let block_errors = unsealed
        .filter(|fixture| {
            // The tables and the header as written: only records changed.
            let records = section_starts(&fixture.bytes).map_or(0, |starts| starts[RECORDS]);
            header_fields_changed == 0
                && bytes.get(HEADER_LEN..records) == fixture.bytes.get(HEADER_LEN..records)
        })
        .and_then(|fixture| expected_block_errors(&bytes, &fixture.bytes));

    let db = match VulnDb::from_bytes(bytes) {
        Ok(db) => db,
        Err(error) => {
            assert!(is_open_error(&error), "unexpected open error: {error:?}");
            assert!(
                !unchanged,
                "the unchanged fixture database fails to open: {error}"
            );
            return;
        }
    };
    assert!(
        header_fields_changed == 0,
        "a file with {header_fields_changed} header field(s) edited, nothing recomputed, still opens"
    );

    // Records damaged without new checksums: each advisory fails exactly when its record
    // touches a damaged block, on first read, before `verify()` has looked at anything.
    if let (Some(expected), Some(fixture)) = (&block_errors, unsealed) {
        assert_eq!(expected.len(), db.advisory_count(), "advisory count");
        for (index, (read, damaged)) in db.advisories().zip(expected).enumerate() {
            match (read, damaged) {
                (Ok(read), None) => assert!(
                    same(&read, &fixture.stored[index]),
                    "advisory {index}, in undamaged blocks, reads back differently"
                ),
                (Err(DbError::BlockChecksumMismatch { offset, .. }), Some(block)) => {
                    assert_eq!(offset, *block, "advisory {index} blames the wrong block")
                }
                (read, damaged) => panic!(
                    "advisory {index}: damaged block {damaged:?}, read {:?}",
                    read.map(|advisory| advisory.id)
                ),
            }
        }
    }

    let verified = match db.verify() {
        Ok(()) => true,
        Err(error) => {
            assert!(
                matches!(error, DbError::BlockChecksumMismatch { .. }),
                "verify() fails with {error:?}"
            );
            assert!(
                !sealed,
                "verify() fails after the checksums were recomputed: {error}"
            );
            false
        }
    };
    assert!(
        !(body_changed && verified),
        "a body edited without new checksums opens and verifies"
    );
    assert!(
        unsealed.is_none() || body_changed || verified,
        "only the header changed, yet a block fails its checksum"
    );

    exercise(&db, verified);
    if !verified {
        return;
    }
    let read = check_readers(&db);
    if let Some(fixture) = fixture.filter(|_| unchanged) {
        let read = read
            .as_ref()
            .unwrap_or_else(|| panic!("the unchanged fixture database fails to read"));
        assert_eq!(read.len(), fixture.stored.len());
        for (read, expected) in read.iter().zip(&fixture.stored) {
            assert!(
                same(read, expected),
                "fixture advisory {} reads back differently",
                expected.id
            );
        }
    }
    if let Some(advisories) = read {
        check_written(&advisories, db.metadata());
    }
});
