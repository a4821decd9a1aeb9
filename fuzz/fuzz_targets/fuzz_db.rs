//! The compiled database (`VulnDb::from_bytes` and its readers). The first byte picks a mode
//! (its value modulo 4), the rest is:
//! - 0: the file, as is;
//! - 1: the file, its header's body length and checksum rewritten to fit (when it is at least a
//!   header long): what a crafted file can do, since the checksum only catches accidents;
//! - 2: XOR edits (`qm_fuzz::vulndb::xor_edits`: u16 position, byte) to a valid file written
//!   from `qm_fuzz::vulndb::fixture_advisories`, with nothing recomputed;
//! - 3: the same edits, then the body checksum recomputed.
//!
//! Asserted:
//! - opening never panics and fails only as a damaged or foreign file would (bad magic, schema,
//!   checksum, truncation, corruption);
//! - an opened file passes `qm_fuzz::vulndb::check_readers`: every reader (metadata, keys,
//!   lookups of every key, every advisory, `find` of every id and alias) answers or fails with
//!   `DbError::Corrupt`; counts match; a lookup's entries carry the key looked up and name
//!   advisories that exist;
//! - when every advisory reads, writing them again gives a file that reads back as written
//!   (`qm_fuzz::vulndb::check_written`): whatever opens can be re-exported;
//! - mode 2: a file whose body changed does not open (the checksum catches it); modes 2 and 3:
//!   a file that did not change opens and reads back exactly the fixture advisories.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_fuzz::vulndb::{
    as_stored, check_readers, check_written, fixture_advisories, fixture_db, same, xor_edits,
};
use qm_vulndb::{DbError, VulnDb};

/// The header's length; the checksum covers everything after it.
const HEADER_LEN: usize = 128;
/// Where the header stores the body length (u64).
const BODY_LEN_AT: usize = 16;
/// Where the header stores the body's xxh3-64 (u64).
const CHECKSUM_AT: usize = 24;

/// Rewrites the header's checksum (and, with `length`, its body length) to fit the body.
fn reseal(bytes: &mut [u8], length: bool) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let (header, body) = bytes.split_at_mut(HEADER_LEN);
    if length {
        header[BODY_LEN_AT..BODY_LEN_AT + 8].copy_from_slice(&(body.len() as u64).to_le_bytes());
    }
    let checksum = xxhash_rust::xxh3::xxh3_64(body);
    header[CHECKSUM_AT..CHECKSUM_AT + 8].copy_from_slice(&checksum.to_le_bytes());
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

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mode = mode % 4;
    let fixture = fixture_db();
    let bytes = match mode {
        0 => rest.to_vec(),
        1 => {
            let mut bytes = rest.to_vec();
            reseal(&mut bytes, true);
            bytes
        }
        _ => {
            let mut bytes = fixture.to_vec();
            xor_edits(&mut bytes, rest);
            if mode == 3 {
                reseal(&mut bytes, false);
            }
            bytes
        }
    };
    let unchanged = mode >= 2 && bytes == fixture;
    let body_changed = mode == 2 && bytes.get(HEADER_LEN..) != fixture.get(HEADER_LEN..);

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
        !body_changed,
        "a body changed without a new checksum still opens"
    );

    let read = check_readers(&db);
    if unchanged {
        let read = read
            .as_ref()
            .unwrap_or_else(|| panic!("the unchanged fixture database fails to read"));
        let expected = fixture_advisories();
        assert_eq!(read.len(), expected.len());
        for (read, expected) in read.iter().zip(&expected) {
            let expected = as_stored(expected).unwrap_or_else(|reason| panic!("{reason}"));
            assert!(
                same(read, &expected),
                "fixture advisory {} reads back differently",
                expected.id
            );
        }
    }
    if let Some(advisories) = read {
        check_written(&advisories, db.metadata());
    }
});
