//! The compiled vulnerability database: one versioned, checksummed file made for scan time.
//!
//! [`write_db`] compiles advisories into the file; [`VulnDb::open`] maps it into memory, checks
//! its magic, schema version and the xxh3-64 checksum of everything but the advisory records,
//! decodes the small metadata section and nothing else. The records, most of the file, are
//! checked in 64 KiB blocks, each against its own xxh3-64 the first time it is read (or all at
//! once by [`VulnDb::verify`]), so no damaged byte is ever decoded and opening does not read
//! the whole file. [`VulnDb::entries`] finds a key's entries through a hash index without
//! allocating or decoding; [`VulnDb::lookup`] decodes them too; [`VulnDb::advisory`] decodes
//! one full record. No JSON is parsed at scan time.
//!
//! # Layout (schema 2)
//!
//! Integers in the header and the tables are little-endian. The header:
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0      | 8    | magic, `QMVULNDB` |
//! | 8      | 4    | schema version, u32 (`2`) |
//! | 12     | 4    | header length, u32 (`136`) |
//! | 16     | 8    | body length, u64: the file is exactly header + body |
//! | 24     | 8    | xxh3-64 (seed 0) of the header's bytes after this field (offset 32 to 136) followed by the body up to the records section (every section but the last) |
//! | 32     | 8    | build time, Unix seconds, i64 |
//! | 40     | 4    | advisory count, u32 |
//! | 44     | 4    | package key count, u32 |
//! | 48     | 4    | id table entry count, u32 |
//! | 52     | 4    | posting count, u32 |
//! | 56     | 80   | the lengths of the ten body sections, u64 each, in body order |
//!
//! The body is the ten sections back to back. Offsets inside a table point into the section
//! named; "record offset" is relative to the start of the records section.
//!
//! | section  | content |
//! |----------|---------|
//! | metadata | source count, then per source: name, location, records (varint), newest |
//! | hash index | slots, 8 bytes each: fingerprint u32, key index + 1 u32 (0: empty) |
//! | keys     | per key, 12 bytes: key blob offset u32, first posting u32, posting count u32; sorted by the key's stored bytes |
//! | key blob | per key: varint length, then ecosystem (str), release (opt str), name (str) |
//! | postings | per affected entry, 12 bytes: advisory index u32, record offset u64; grouped by key, in advisory order |
//! | ids      | per id or alias, 8 bytes: id blob offset u32, advisory index u32; sorted by ASCII-lower-cased id, then advisory |
//! | id blob  | the lower-cased ids (str) |
//! | advisories | per advisory, 8 bytes: record offset u64; a record ends where the next starts |
//! | block checksums | per 64 KiB block of the records section (the last may be shorter), 8 bytes: xxh3-64 (seed 0) of the block |
//! | records  | the advisories, each as below |
//!
//! The hash index has the power of two of slots at or above twice the key count (none without
//! keys). A key's hash is xxh3-64 of its stored bytes (without the length prefix); its probe
//! starts at slot `hash & (slots - 1)` and goes linearly to the next slot until an empty one;
//! the fingerprint is `hash >> 32`, compared before the key bytes are.
//!
//! The record encoding: *varint* is LEB128 (at most 10 bytes); *str* is a varint byte length
//! and UTF-8; *opt x* is a byte 0 (absent) or 1 followed by x; a *list* is a varint count and
//! the elements; a *timestamp* is a zig-zag varint of Unix seconds; a *rating* is a byte
//! (0 unknown, 1 none, 2 low, 3 medium, 4 high, 5 critical).
//!
//! - advisory: id, source (str); aliases, related (list of str); summary, details (opt str);
//!   severities (list of severity); published, modified (opt timestamp); informational
//!   (opt str); withdrawn (opt timestamp); references (list of kind str, url str); affected
//!   (list of affected entry).
//! - severity: byte 0, CVSS version byte (0 v2, 1 v3.0, 2 v3.1, 3 v4.0), vector str, score
//!   f64 (8 bytes), rating; or byte 1, source str, rating, label str.
//! - affected entry: key index (varint, into the key table), purl (opt str), ranges (list of
//!   range), versions (list of str), status byte (0 none, 1 fixed, 2 not-affected, 3 unfixed,
//!   4 no-dsa, 5 postponed, 6 ignored, 7 end-of-life, 8 unimportant, 9 undetermined),
//!   severity (opt severity).
//! - range: kind byte (0 ECOSYSTEM, 1 SEMVER, 2 GIT, or 3 followed by the kind as str), repo
//!   (opt str), events (list of: byte 0 introduced, 1 fixed, 2 last_affected, 3 limit; version
//!   str).
//!
//! # Cost
//!
//! Measured on the shared advisory mirror (54 158 advisories, 67 587 affected entries,
//! 10 872 keys: a 29 MiB file), release build: see `benches/db.rs` and the figures there.
//! [`VulnDb::entries`] costs a hash, a probe and a comparison of the key's bytes, present or
//! absent; [`VulnDb::lookup`] adds about 1 µs per entry returned, most of it allocating the
//! owned strings of the entry (OSV entries from PyPI list some 50 versions each), and the
//! first read of a 64 KiB block hashes it (a few µs).
//!
//! # Surprises
//!
//! - A passing checksum proves the file was not damaged by accident, not that it is well
//!   formed: every read is still bounds-checked and a bad value is a [`DbError::Corrupt`]
//!   naming its byte offset, at the time it is read. Opening checks only the header, the
//!   checksum of the tables and the metadata section.
//! - Damage inside the advisory records is found when its block is first read: a lookup or
//!   an advisory read returns [`DbError::BlockChecksumMismatch`], not [`VulnDb::open`]. Call
//!   [`VulnDb::verify`] to check the whole file up front.
//! - A key with `release: None` finds only entries without a release: `Debian/openssl` and
//!   `Debian:12/openssl` are different keys.
//! - Timestamps are stored to the second; sub-second parts are dropped.
//! - [`VulnDb::find`] ignores ASCII case (`ghsa-…` finds `GHSA-…`); `related` ids are not
//!   aliases and are not found.
//! - Names and ecosystems are read back through `PackageKey`'s normalising constructors, so an
//!   un-normalised key (built by hand, not by `PackageKey::new`) comes back normalised.

mod codec;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use qm_model::{Advisory, AffectedPackage, PackageKey, Timestamp};
use serde::{Deserialize, Serialize};

use codec::{
    ADVISORY_ENTRY, BLOCK_ENTRY, Cursor, Fault, HEADER_LEN, ID_ENTRY, KEY_ENTRY, KeyQuery, MAGIC,
    POSTING_ENTRY, RECORD_BLOCK, SCHEMA_VERSION, SECTION_COUNT, SLOT_ENTRY, header, key_hash,
    slot_count, u32_at, u64_at,
};
pub use write::write_db;

/// What a database was built from and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbMetadata {
    /// When the database was compiled.
    pub built: Timestamp,
    /// The feeds it holds, in the order given to [`write_db`].
    pub sources: Vec<SourceInfo>,
}

/// One feed a database holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The source name advisories carry (`osv`, `rustsec`, `debian-tracker`, …).
    pub name: String,
    /// Where it was read from (a mirror path or an address).
    pub location: String,
    /// How many advisories it contributed.
    pub records: u64,
    /// The newest modification time among its advisories, if any has one.
    pub newest: Option<Timestamp>,
}

/// A handle on one advisory of one opened database, valid only with that database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdvisoryRef(u32);

impl AdvisoryRef {
    /// The advisory's position in the database, from 0 (the order given to [`write_db`]).
    pub fn index(self) -> usize {
        to_usize(self.0)
    }
}

/// One affected entry found by a lookup, with the advisory it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DbAffected {
    /// The advisory; [`VulnDb::advisory`] reads it in full.
    pub advisory: AdvisoryRef,
    /// The entry, its package being the key looked up.
    pub affected: AffectedPackage,
}

/// The entries of one package key found by [`VulnDb::entries`]: which advisory each belongs
/// to and where it is in the file, nothing decoded.
///
/// Iterating allocates nothing; [`EntryRef::affected`] decodes one entry when it is wanted.
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    db: &'a VulnDb,
    key: &'a PackageKey,
    key_index: u32,
    postings: std::ops::Range<u32>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = EntryRef<'a>;

    fn next(&mut self) -> Option<EntryRef<'a>> {
        let posting = self.postings.next()?;
        // `VulnDb::entries` checked every posting of the range, so this read succeeds.
        let (advisory, offset) = self.db.posting(posting).ok()?;
        Some(EntryRef {
            db: self.db,
            key: self.key,
            key_index: self.key_index,
            posting,
            advisory,
            offset,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.postings.size_hint()
    }
}

impl ExactSizeIterator for Entries<'_> {}

impl std::iter::FusedIterator for Entries<'_> {}

/// One affected entry found by [`VulnDb::entries`], not decoded yet.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    db: &'a VulnDb,
    key: &'a PackageKey,
    key_index: u32,
    posting: u32,
    advisory: u32,
    /// The entry's offset in the records section.
    offset: u64,
}

impl EntryRef<'_> {
    /// The advisory the entry belongs to; [`VulnDb::advisory`] reads it in full.
    pub fn advisory(&self) -> AdvisoryRef {
        AdvisoryRef(self.advisory)
    }

    /// Decodes the entry, its package being the key looked up.
    pub fn affected(&self) -> Result<AffectedPackage, DbError> {
        let db = self.db;
        // The entry ends, at the latest, where its advisory's record does.
        let (_, end) = db.advisory_span(self.advisory)?;
        let mut cursor = db.record_cursor(
            self.offset,
            end,
            Section::Postings,
            self.posting,
            POSTING_ENTRY,
        )?;
        cursor
            .affected(&mut |key_index, at| {
                if key_index == u64::from(self.key_index) {
                    // The index matched the query's encoded bytes exactly, so the stored key
                    // is the query: clone it rather than decode and re-normalise it.
                    Ok(self.key.clone())
                } else {
                    Err(Fault {
                        offset: at,
                        what: "key index (not the key whose posting points here)",
                    })
                }
            })
            .map_err(|fault| db.fault(fault))
    }
}

/// Why a database cannot be written, opened or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The file cannot be read.
    #[error("cannot read the vulnerability database `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output cannot be written.
    #[error("cannot write the vulnerability database")]
    Write {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start with the magic bytes.
    #[error(
        "`{path}` is not a Quartermaster vulnerability database: it does not start with `QMVULNDB`"
    )]
    BadMagic {
        /// The file.
        path: PathBuf,
    },
    /// The file was written for another schema version.
    #[error(
        "the vulnerability database `{path}` has schema version {found}, but this qm reads only version {supported}"
    )]
    UnsupportedSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: u32,
        /// The one this build reads.
        supported: u32,
    },
    /// The body's checksum is not the one in the header.
    #[error(
        "the vulnerability database `{path}` is damaged: its content hashes to {actual:016x}, but its header says {expected:016x}"
    )]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// The checksum the header records.
        expected: u64,
        /// The checksum of the body as read.
        actual: u64,
    },
    /// A block of advisory records does not hash to its recorded checksum. Blocks are checked
    /// when first read, so this comes from a lookup or an advisory read, not from opening.
    #[error(
        "the vulnerability database `{path}` is damaged: its records at byte {offset} hash to {actual:016x}, but its block checksum says {expected:016x}"
    )]
    BlockChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// Where the damaged block starts.
        offset: u64,
        /// The checksum the file records.
        expected: u64,
        /// The checksum of the block as read.
        actual: u64,
    },
    /// The file ends before its header says it does.
    #[error(
        "the vulnerability database `{path}` is truncated: it ends at byte {offset}, its header needs {expected}"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Where the file ends.
        offset: u64,
        /// Where it should end (at least).
        expected: u64,
    },
    /// A value in the file is out of bounds or invalid.
    #[error("the vulnerability database `{path}` is corrupt at byte {offset}: bad {what}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the bad value starts.
        offset: u64,
        /// What was being read.
        what: &'static str,
    },
    /// The advisories do not fit the format's u32 counts and offsets.
    #[error(
        "cannot write the vulnerability database: {what} exceeds the format's limit of {limit}"
    )]
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
}

impl DbError {
    /// A concrete next step for the user, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        const REPLACE: &str =
            "run `qm db update` to replace it; on an air-gapped host, import a signed bundle again";
        match self {
            DbError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Some(
                "run `qm db update`; on an air-gapped host, import a signed bundle from a connected one",
            ),
            DbError::UnsupportedSchema {
                found, supported, ..
            } if found > supported => {
                Some("upgrade qm, or build a database this qm reads with `qm db update`")
            }
            DbError::UnsupportedSchema { .. }
            | DbError::BadMagic { .. }
            | DbError::ChecksumMismatch { .. }
            | DbError::BlockChecksumMismatch { .. }
            | DbError::Truncated { .. }
            | DbError::Corrupt { .. } => Some(REPLACE),
            _ => None,
        }
    }
}

/// The name errors give a database read with [`VulnDb::from_bytes`].
const IN_MEMORY: &str = "<in-memory database>";

/// The body sections, by position in the header and the body.
#[derive(Debug, Clone, Copy)]
enum Section {
    Metadata = 0,
    HashIndex = 1,
    Keys = 2,
    KeyBlob = 3,
    Postings = 4,
    Ids = 5,
    IdBlob = 6,
    Advisories = 7,
    RecordChecksums = 8,
    Records = 9,
}

/// The file's bytes: mapped, or owned (small files, bundles, tests).
enum Storage {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Mapped(map) => map,
            Storage::Owned(bytes) => bytes,
        }
    }
}

/// An opened database: lookups by package key, advisories by id or alias.
///
/// It is `Send` and `Sync`; share one behind an `Arc`.
pub struct VulnDb {
    storage: Storage,
    path: PathBuf,
    metadata: DbMetadata,
    /// Each section's start and end in the file.
    sections: [(usize, usize); SECTION_COUNT],
    advisory_count: u32,
    key_count: u32,
    id_count: u32,
    posting_count: u32,
    /// One bit per block of the records section, set once the block's checksum has passed.
    verified: Box<[AtomicU64]>,
}

impl fmt::Debug for VulnDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VulnDb")
            .field("path", &self.path)
            .field("bytes", &self.storage.bytes().len())
            .field("advisories", &self.advisory_count)
            .field("keys", &self.key_count)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

/// Maps `file` read-only.
#[expect(
    unsafe_code,
    reason = "memory-mapping is unsafe in Rust's model: another process could change the file"
)]
fn map_file(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and the file is never modified in place: `qm` writes a new
    // database to a temporary file in the same directory and renames it over the old one, so
    // an open map keeps the old inode's bytes until it is dropped. A process that truncates
    // the file in place anyway breaks that contract; nothing in Quartermaster does.
    unsafe { memmap2::Mmap::map(file) }
}

fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

fn to_u64(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

impl VulnDb {
    /// Opens the database file at `path` by mapping it read-only, and checks its magic, schema
    /// version, checksum and section layout.
    pub fn open(path: &Path) -> Result<VulnDb, DbError> {
        let read_error = |source| DbError::Read {
            path: path.to_owned(),
            source,
        };
        let file = fs_err::File::open(path).map_err(read_error)?;
        let length = file.metadata().map_err(read_error)?.len();
        // Too short to hold a header: read it, so the checks below name what is wrong (and
        // an empty file, which some systems refuse to map, needs no map).
        let storage = if length < to_u64(HEADER_LEN) {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file.file(), &mut bytes).map_err(read_error)?;
            Storage::Owned(bytes)
        } else {
            Storage::Mapped(map_file(file.file()).map_err(read_error)?)
        };
        VulnDb::from_storage(storage, path.to_owned())
    }

    /// Reads a database from bytes already in memory (from a bundle, or in tests), with the
    /// same checks as [`VulnDb::open`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<VulnDb, DbError> {
        VulnDb::from_storage(Storage::Owned(bytes), PathBuf::from(IN_MEMORY))
    }

    fn from_storage(storage: Storage, path: PathBuf) -> Result<VulnDb, DbError> {
        let bytes = storage.bytes();
        let length = to_u64(bytes.len());
        let truncated = |expected: usize| DbError::Truncated {
            path: path.clone(),
            offset: length,
            expected: to_u64(expected),
        };
        let corrupt = |offset: usize, what| DbError::Corrupt {
            path: path.clone(),
            offset: to_u64(offset),
            what,
        };
        match bytes.get(..MAGIC.len()) {
            Some(magic) if magic == MAGIC => {}
            None if MAGIC.starts_with(bytes) => return Err(truncated(HEADER_LEN)),
            _ => return Err(DbError::BadMagic { path }),
        }
        // The schema version first: another schema may have another header.
        let schema = u32_at(bytes, header::SCHEMA).ok_or_else(|| truncated(HEADER_LEN))?;
        if schema != SCHEMA_VERSION {
            return Err(DbError::UnsupportedSchema {
                path,
                found: schema,
                supported: SCHEMA_VERSION,
            });
        }
        if bytes.len() < HEADER_LEN {
            return Err(truncated(HEADER_LEN));
        }
        let field32 = |at| u32_at(bytes, at).ok_or_else(|| truncated(HEADER_LEN));
        let field64 = |at| u64_at(bytes, at).ok_or_else(|| truncated(HEADER_LEN));
        if to_usize(field32(header::HEADER_LEN)?) != HEADER_LEN {
            return Err(corrupt(header::HEADER_LEN, "header length"));
        }
        let body_len = usize::try_from(field64(header::BODY_LEN)?)
            .ok()
            .and_then(|body| body.checked_add(HEADER_LEN))
            .ok_or_else(|| corrupt(header::BODY_LEN, "body length"))?;
        match bytes.len().cmp(&body_len) {
            std::cmp::Ordering::Less => return Err(truncated(body_len)),
            std::cmp::Ordering::Greater => {
                return Err(corrupt(body_len, "trailing bytes after the body"));
            }
            std::cmp::Ordering::Equal => {}
        }
        let mut sections = [(0, 0); SECTION_COUNT];
        let mut start = HEADER_LEN;
        for (index, section) in sections.iter_mut().enumerate() {
            let at = header::SECTIONS + 8 * index;
            let end = usize::try_from(field64(at)?)
                .ok()
                .and_then(|length| start.checked_add(length))
                .filter(|end| *end <= bytes.len())
                .ok_or_else(|| corrupt(at, "section length"))?;
            *section = (start, end);
            start = end;
        }
        if start != bytes.len() {
            return Err(corrupt(
                header::SECTIONS,
                "section lengths (they do not fill the body)",
            ));
        }
        // Everything before the records: the records are checked a block at a time, when
        // first read, against the block checksums this covers.
        let (records_start, records_end) = sections[Section::Records as usize];
        let expected = field64(header::CHECKSUM)?;
        let actual = covered_checksum(
            bytes
                .get(header::CHECKSUM + 8..HEADER_LEN)
                .unwrap_or_default(),
            bytes.get(HEADER_LEN..records_start).unwrap_or_default(),
        );
        if actual != expected {
            return Err(DbError::ChecksumMismatch {
                path,
                expected,
                actual,
            });
        }
        let blocks = (records_end - records_start).div_ceil(RECORD_BLOCK);
        let (sums_start, sums_end) = sections[Section::RecordChecksums as usize];
        if blocks.checked_mul(BLOCK_ENTRY) != Some(sums_end - sums_start) {
            return Err(corrupt(
                header::SECTIONS + 8 * Section::RecordChecksums as usize,
                "block checksum length (it does not fit the records)",
            ));
        }
        let verified = (0..blocks.div_ceil(64))
            .map(|_| AtomicU64::new(0))
            .collect();
        let counts = [
            (header::ADVISORIES, Section::Advisories, ADVISORY_ENTRY),
            (header::KEYS, Section::Keys, KEY_ENTRY),
            (header::IDS, Section::Ids, ID_ENTRY),
            (header::POSTINGS, Section::Postings, POSTING_ENTRY),
        ];
        let mut count_values = [0u32; 4];
        for ((at, section, entry), value) in counts.into_iter().zip(&mut count_values) {
            *value = field32(at)?;
            let (start, end) = sections[section as usize];
            if to_usize(*value).checked_mul(entry) != Some(end - start) {
                return Err(corrupt(
                    at,
                    "table entry count (it does not match the table length)",
                ));
            }
        }
        let [advisory_count, key_count, id_count, posting_count] = count_values;
        let (slots_start, slots_end) = sections[Section::HashIndex as usize];
        if Some(slots_end - slots_start)
            != slot_count(to_usize(key_count)).and_then(|slots| slots.checked_mul(SLOT_ENTRY))
        {
            return Err(corrupt(
                header::SECTIONS + 8 * Section::HashIndex as usize,
                "hash index length (it does not fit the key count)",
            ));
        }
        let built = Timestamp::from_unix_seconds(field64(header::BUILT)?.cast_signed())
            .ok_or_else(|| corrupt(header::BUILT, "build time"))?;

        let (meta_start, meta_end) = sections[Section::Metadata as usize];
        let mut cursor = Cursor::new(
            bytes.get(meta_start..meta_end).unwrap_or_default(),
            to_u64(meta_start),
        );
        let sources = read_sources(&mut cursor).map_err(|fault| DbError::Corrupt {
            path: path.clone(),
            offset: fault.offset,
            what: fault.what,
        })?;
        let metadata = DbMetadata { built, sources };
        Ok(VulnDb {
            storage,
            path,
            metadata,
            sections,
            advisory_count,
            key_count,
            id_count,
            posting_count,
            verified,
        })
    }

    /// What the database was built from and when.
    pub fn metadata(&self) -> &DbMetadata {
        &self.metadata
    }

    /// The file's schema version (always the one this build reads: others are refused).
    pub fn schema_version(&self) -> u32 {
        SCHEMA_VERSION
    }

    /// The number of advisories.
    pub fn advisory_count(&self) -> usize {
        to_usize(self.advisory_count)
    }

    /// The number of distinct package keys advisories affect.
    pub fn package_count(&self) -> usize {
        to_usize(self.key_count)
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        to_u64(self.storage.bytes().len())
    }

    /// Checks every block of advisory records against its checksum now, rather than when
    /// each is first read. Opening checks everything else.
    pub fn verify(&self) -> Result<(), DbError> {
        let (records, _) = self.section(Section::Records);
        self.check_blocks(0, records.len())
    }

    /// Every affected entry whose package is exactly `key`, in advisory order, decoded. A key
    /// without a release finds only entries without one.
    ///
    /// Decoding allocates every string of every entry; [`VulnDb::entries`] finds the same
    /// entries without decoding them.
    pub fn lookup(&self, key: &PackageKey) -> Result<Vec<DbAffected>, DbError> {
        let entries = self.entries(key)?;
        let mut found = Vec::with_capacity(entries.len());
        for entry in entries {
            found.push(DbAffected {
                advisory: entry.advisory(),
                affected: entry.affected()?,
            });
        }
        Ok(found)
    }

    /// The affected entries whose package is exactly `key`, in advisory order, as references
    /// into the file: finding them allocates nothing and decodes nothing. A key without a
    /// release finds only entries without one.
    pub fn entries<'a>(&'a self, key: &'a PackageKey) -> Result<Entries<'a>, DbError> {
        let query = KeyQuery::new(key);
        let Some(key_index) = self.find_key(query.bytes())? else {
            return Ok(Entries {
                db: self,
                key,
                key_index: 0,
                postings: 0..0,
            });
        };
        let first = self.table_u32(Section::Keys, key_index, KEY_ENTRY, 4)?;
        let count = self.table_u32(Section::Keys, key_index, KEY_ENTRY, 8)?;
        let end = first
            .checked_add(count)
            .filter(|end| *end <= self.posting_count)
            .ok_or_else(|| {
                self.corrupt_entry(Section::Keys, key_index, KEY_ENTRY, "posting range")
            })?;
        // Check every posting now, so that iterating cannot fail.
        for posting in first..end {
            self.posting(posting)?;
        }
        Ok(Entries {
            db: self,
            key,
            key_index,
            postings: first..end,
        })
    }

    /// The full advisory, with all its affected entries.
    pub fn advisory(&self, advisory: AdvisoryRef) -> Result<Advisory, DbError> {
        if advisory.0 >= self.advisory_count {
            // A reference from another database: report it as what it is, a bad index.
            return Err(self.fault(Fault {
                offset: to_u64(self.sections[Section::Advisories as usize].1),
                what: "advisory reference (past the last advisory)",
            }));
        }
        let (start, end) = self.advisory_span(advisory.0)?;
        let mut cursor =
            self.record_cursor(start, end, Section::Advisories, advisory.0, ADVISORY_ENTRY)?;
        let (mut record, count) = cursor.advisory_head().map_err(|fault| self.fault(fault))?;
        for _ in 0..count {
            let affected = cursor
                .affected(&mut |key_index, at| {
                    let index = u32::try_from(key_index)
                        .ok()
                        .filter(|index| *index < self.key_count)
                        .ok_or(Fault {
                            offset: at,
                            what: "key index (past the last key)",
                        })?;
                    self.key_fault(index)
                })
                .map_err(|fault| self.fault(fault))?;
            record.affected.push(affected);
        }
        Ok(record)
    }

    /// The advisories whose id or an alias is `id_or_alias`, ignoring ASCII case, in
    /// advisory order.
    pub fn find(&self, id_or_alias: &str) -> Result<Vec<AdvisoryRef>, DbError> {
        let query = id_or_alias.to_ascii_lowercase();
        let query = query.as_bytes();
        // The first entry not less than the query.
        let (mut low, mut high) = (0, self.id_count);
        while low < high {
            let middle = low + (high - low) / 2;
            if self.id(middle)?.0 < query {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let mut found = Vec::new();
        for index in low..self.id_count {
            let (id, advisory) = self.id(index)?;
            if id != query {
                break;
            }
            if advisory >= self.advisory_count {
                return Err(self.corrupt_entry(Section::Ids, index, ID_ENTRY, "advisory index"));
            }
            found.push(AdvisoryRef(advisory));
        }
        Ok(found)
    }

    /// Every package key, in the file's order.
    pub fn keys(&self) -> impl Iterator<Item = Result<PackageKey, DbError>> + '_ {
        (0..self.key_count).map(|index| self.key(index))
    }

    /// Every advisory, in the order given to [`write_db`] (for re-export).
    pub fn advisories(&self) -> impl Iterator<Item = Result<Advisory, DbError>> + '_ {
        (0..self.advisory_count).map(|index| self.advisory(AdvisoryRef(index)))
    }

    fn fault(&self, fault: Fault) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            offset: fault.offset,
            what: fault.what,
        }
    }

    fn section(&self, section: Section) -> (&[u8], u64) {
        let (start, end) = self.sections[section as usize];
        (
            self.storage.bytes().get(start..end).unwrap_or_default(),
            to_u64(start),
        )
    }

    /// The error for a bad value in entry `index` of a table.
    fn corrupt_entry(
        &self,
        section: Section,
        index: u32,
        size: usize,
        what: &'static str,
    ) -> DbError {
        let (_, base) = self.section(section);
        let offset = to_u64(to_usize(index).saturating_mul(size)).saturating_add(base);
        self.fault(Fault { offset, what })
    }

    fn table_u32(
        &self,
        section: Section,
        index: u32,
        size: usize,
        field: usize,
    ) -> Result<u32, DbError> {
        let (table, _) = self.section(section);
        to_usize(index)
            .checked_mul(size)
            .and_then(|at| at.checked_add(field))
            .and_then(|at| u32_at(table, at))
            .ok_or_else(|| self.corrupt_entry(section, index, size, "table index"))
    }

    fn table_u64(
        &self,
        section: Section,
        index: u32,
        size: usize,
        field: usize,
    ) -> Result<u64, DbError> {
        let (table, _) = self.section(section);
        to_usize(index)
            .checked_mul(size)
            .and_then(|at| at.checked_add(field))
            .and_then(|at| u64_at(table, at))
            .ok_or_else(|| self.corrupt_entry(section, index, size, "table index"))
    }

    /// A key table entry: blob offset, first posting, posting count.
    fn key_entry(&self, index: u32) -> Result<(u32, u32, u32), DbError> {
        Ok((
            self.table_u32(Section::Keys, index, KEY_ENTRY, 0)?,
            self.table_u32(Section::Keys, index, KEY_ENTRY, 4)?,
            self.table_u32(Section::Keys, index, KEY_ENTRY, 8)?,
        ))
    }

    /// A length-prefixed string of a blob section, at `offset` as a table entry gives it.
    fn blob(
        &self,
        section: Section,
        offset: u32,
        what: &'static str,
    ) -> Result<(&[u8], u64), Fault> {
        let (blob, base) = self.section(section);
        let at = to_usize(offset);
        let rest = blob.get(at..).ok_or(Fault { offset: base, what })?;
        let mut cursor = Cursor::new(rest, base.saturating_add(to_u64(at)));
        let start = cursor.offset();
        let bytes = cursor.bytes(what)?;
        Ok((bytes, start))
    }

    /// Key `index`'s stored bytes.
    fn key_bytes(&self, index: u32) -> Result<(&[u8], u64), DbError> {
        let offset = self.table_u32(Section::Keys, index, KEY_ENTRY, 0)?;
        self.blob(Section::KeyBlob, offset, "package key")
            .map_err(|fault| self.fault(fault))
    }

    fn key_fault(&self, index: u32) -> Result<PackageKey, Fault> {
        let (offset, _, _) = self.key_entry(index).map_err(|_| Fault {
            offset: self.section(Section::Keys).1,
            what: "key table entry",
        })?;
        let (bytes, start) = self.blob(Section::KeyBlob, offset, "package key")?;
        let mut cursor = Cursor::new(bytes, start);
        let key = cursor.key()?;
        if !cursor.is_empty() {
            return Err(Fault {
                offset: cursor.offset(),
                what: "package key (bytes after its end)",
            });
        }
        Ok(key)
    }

    fn key(&self, index: u32) -> Result<PackageKey, DbError> {
        self.key_fault(index).map_err(|fault| self.fault(fault))
    }

    /// Finds a key's index by its stored bytes in the hash index.
    fn find_key(&self, query: &[u8]) -> Result<Option<u32>, DbError> {
        let (slots, _) = self.section(Section::HashIndex);
        let slot_count = slots.len() / SLOT_ENTRY;
        if slot_count == 0 {
            return Ok(None);
        }
        // Open checked that the slot count is a power of two.
        let mask = slot_count - 1;
        let hash = key_hash(query);
        let fingerprint = (hash >> 32) as u32;
        // Truncating the hash to usize keeps its low bits, which are the ones used.
        let mut slot = (hash as usize) & mask;
        // Bounded, so that a corrupt table with no empty slot cannot loop forever.
        for _ in 0..slot_count {
            let index = u32::try_from(slot).unwrap_or(u32::MAX);
            // `slot` is below the slot count, so both reads are in bounds.
            let at = slot * SLOT_ENTRY;
            let (Some(stored), Some(entry)) = (u32_at(slots, at), u32_at(slots, at + 4)) else {
                return Err(self.corrupt_entry(
                    Section::HashIndex,
                    index,
                    SLOT_ENTRY,
                    "table index",
                ));
            };
            let Some(key_index) = entry.checked_sub(1) else {
                return Ok(None);
            };
            if stored == fingerprint {
                if key_index >= self.key_count {
                    return Err(self.corrupt_entry(
                        Section::HashIndex,
                        index,
                        SLOT_ENTRY,
                        "hash index slot (key index past the last key)",
                    ));
                }
                if self.key_bytes(key_index)?.0 == query {
                    return Ok(Some(key_index));
                }
            }
            slot = (slot + 1) & mask;
        }
        Ok(None)
    }

    /// Posting `index`: advisory index and record offset, the advisory index checked.
    fn posting(&self, index: u32) -> Result<(u32, u64), DbError> {
        let advisory = self.table_u32(Section::Postings, index, POSTING_ENTRY, 0)?;
        if advisory >= self.advisory_count {
            return Err(self.corrupt_entry(
                Section::Postings,
                index,
                POSTING_ENTRY,
                "advisory index",
            ));
        }
        Ok((
            advisory,
            self.table_u64(Section::Postings, index, POSTING_ENTRY, 4)?,
        ))
    }

    /// Advisory `index`'s record: where it starts and ends in the records section.
    fn advisory_span(&self, index: u32) -> Result<(u64, usize), DbError> {
        let (records, _) = self.section(Section::Records);
        let start = self.table_u64(Section::Advisories, index, ADVISORY_ENTRY, 0)?;
        let end = match index
            .checked_add(1)
            .filter(|next| *next < self.advisory_count)
        {
            Some(next) => self.table_u64(Section::Advisories, next, ADVISORY_ENTRY, 0)?,
            None => to_u64(records.len()),
        };
        match usize::try_from(end) {
            Ok(end) if start <= to_u64(end) && end <= records.len() => Ok((start, end)),
            _ => {
                Err(self.corrupt_entry(Section::Advisories, index, ADVISORY_ENTRY, "record offset"))
            }
        }
    }

    /// A cursor over `start..end` of the records section, once the blocks it spans have passed
    /// their checksums; a bad range is blamed on the table entry that gave `start`.
    fn record_cursor(
        &self,
        start: u64,
        end: usize,
        section: Section,
        index: u32,
        size: usize,
    ) -> Result<Cursor<'_>, DbError> {
        let (records, base) = self.section(Section::Records);
        let start = usize::try_from(start)
            .ok()
            .filter(|start| *start <= end)
            .ok_or_else(|| self.corrupt_entry(section, index, size, "record offset"))?;
        let bytes = records
            .get(start..end)
            .ok_or_else(|| self.corrupt_entry(section, index, size, "record offset"))?;
        self.check_blocks(start, end)?;
        Ok(Cursor::new(bytes, base.saturating_add(to_u64(start))))
    }

    /// Checks the blocks of the records section that `start..end` spans, each once per open.
    fn check_blocks(&self, start: usize, end: usize) -> Result<(), DbError> {
        if start >= end {
            return Ok(());
        }
        for block in start / RECORD_BLOCK..=(end - 1) / RECORD_BLOCK {
            let bit = 1u64 << (block % 64);
            let Some(flags) = self.verified.get(block / 64) else {
                // Open sized the bit set by the records section, which `end` is within.
                continue;
            };
            // Relaxed: a set bit only says that these immutable bytes hashed right once.
            if flags.load(Ordering::Relaxed) & bit != 0 {
                continue;
            }
            self.check_block(block)?;
            flags.fetch_or(bit, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Hashes block `block` of the records section and compares it with its checksum.
    fn check_block(&self, block: usize) -> Result<(), DbError> {
        let (records, base) = self.section(Section::Records);
        let start = block.saturating_mul(RECORD_BLOCK);
        let end = start.saturating_add(RECORD_BLOCK).min(records.len());
        let bytes = records.get(start..end).unwrap_or_default();
        let index = u32::try_from(block).unwrap_or(u32::MAX);
        let expected = self.table_u64(Section::RecordChecksums, index, BLOCK_ENTRY, 0)?;
        let actual = xxhash_rust::xxh3::xxh3_64(bytes);
        if actual == expected {
            Ok(())
        } else {
            Err(DbError::BlockChecksumMismatch {
                path: self.path.clone(),
                offset: base.saturating_add(to_u64(start)),
                expected,
                actual,
            })
        }
    }

    /// Id table entry `index`: the lower-cased id and its advisory index.
    fn id(&self, index: u32) -> Result<(&[u8], u32), DbError> {
        let offset = self.table_u32(Section::Ids, index, ID_ENTRY, 0)?;
        let advisory = self.table_u32(Section::Ids, index, ID_ENTRY, 4)?;
        let (id, _) = self
            .blob(Section::IdBlob, offset, "advisory id")
            .map_err(|fault| self.fault(fault))?;
        Ok((id, advisory))
    }
}

/// The metadata section: sources, to its last byte.
fn read_sources(cursor: &mut Cursor<'_>) -> Result<Vec<SourceInfo>, Fault> {
    let count = cursor.count("source count")?;
    let mut sources = Vec::with_capacity(count);
    for _ in 0..count {
        sources.push(SourceInfo {
            name: cursor.str("source name")?.to_owned(),
            location: cursor.str("source location")?.to_owned(),
            records: cursor.varint("source record count")?,
            newest: cursor.timestamp("source newest time")?,
        });
    }
    if !cursor.is_empty() {
        return Err(Fault {
            offset: cursor.offset(),
            what: "metadata section (bytes after its end)",
        });
    }
    Ok(sources)
}

/// The header's checksum: xxh3-64 (seed 0) of the header's fields after the checksum, then
/// the tables (the body up to the records). Covering the header too means no field (a build
/// time, section lengths that make up for each other) changes unnoticed.
pub(crate) fn covered_checksum(header_tail: &[u8], tables: &[u8]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(header_tail);
    hasher.update(tables);
    hasher.digest()
}
