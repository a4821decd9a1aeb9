//! The byte-level encoding of the database file: the header, varints, strings and the record
//! encoding of advisories, both ways.
//!
//! Every read goes through [`Cursor`], which checks bounds and returns a [`Fault`] with the
//! absolute file offset instead of panicking: the checksum catches accidents, not crafted
//! files, so a file whose checksum passes may still hold any bytes.
//!
//! The surprise: sequence counts read from the file are never trusted for allocation. Every
//! element takes at least one byte, so a count larger than the bytes left is refused before a
//! `Vec` is sized by it.

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, CvssVersion, DistroStatus, Ecosystem, Event,
    PackageKey, PackageName, Range, RangeKind, Rating, Reference, Severity, Timestamp,
};

/// The first eight bytes of every database file.
pub(super) const MAGIC: [u8; 8] = *b"QMVULNDB";

/// The schema this code writes and reads. Bump it on any change to the layout or encoding.
pub(super) const SCHEMA_VERSION: u32 = 2;

/// The number of body sections, whose lengths the header lists in body order.
pub(super) const SECTION_COUNT: usize = 10;

/// The size of the blocks the records section is checksummed by (the last may be shorter).
pub(super) const RECORD_BLOCK: usize = 64 * 1024;

/// The header's length: the fixed fields (56 bytes) and the section lengths.
pub(super) const HEADER_LEN: usize = 56 + 8 * SECTION_COUNT;

/// Header field offsets (see the layout table in `db/mod.rs`).
pub(super) mod header {
    /// Schema version, u32.
    pub(crate) const SCHEMA: usize = 8;
    /// Header length, u32.
    pub(crate) const HEADER_LEN: usize = 12;
    /// Body length, u64.
    pub(crate) const BODY_LEN: usize = 16;
    /// xxh3-64 of the body up to the records section, u64.
    pub(crate) const CHECKSUM: usize = 24;
    /// Build time in Unix seconds, i64.
    pub(crate) const BUILT: usize = 32;
    /// Advisory count, u32.
    pub(crate) const ADVISORIES: usize = 40;
    /// Key count, u32.
    pub(crate) const KEYS: usize = 44;
    /// Id table entry count, u32.
    pub(crate) const IDS: usize = 48;
    /// Posting count, u32.
    pub(crate) const POSTINGS: usize = 52;
    /// The section lengths, u64 each.
    pub(crate) const SECTIONS: usize = 56;
}

/// Fixed entry sizes of the table sections: the hash index's slots hold a fingerprint u32 and
/// a key index plus one u32 (0: empty).
pub(super) const SLOT_ENTRY: usize = 8;
/// Key blob offset u32, first posting u32, posting count u32.
pub(super) const KEY_ENTRY: usize = 12;
/// Advisory index u32 and record offset u64.
pub(super) const POSTING_ENTRY: usize = 12;
/// Id blob offset u32 and advisory index u32.
pub(super) const ID_ENTRY: usize = 8;
/// Record offset u64.
pub(super) const ADVISORY_ENTRY: usize = 8;
/// xxh3-64 of one block of the records section, u64.
pub(super) const BLOCK_ENTRY: usize = 8;

/// A bounds or validity failure at an absolute file offset; the caller adds the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fault {
    pub(super) offset: u64,
    pub(super) what: &'static str,
}

/// Appends the encoding of values to a byte buffer.
#[derive(Debug, Default)]
pub(super) struct Encoder {
    pub(super) bytes: Vec<u8>,
}

impl Encoder {
    pub(super) fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    /// LEB128: seven bits a byte, low bits first, high bit set on all bytes but the last.
    pub(super) fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value & 0x7f) as u8 | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    fn count(&mut self, count: usize) {
        self.varint(u64::try_from(count).unwrap_or(u64::MAX));
    }

    pub(super) fn str(&mut self, text: &str) {
        self.count(text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    fn opt_str(&mut self, text: Option<&str>) {
        match text {
            None => self.u8(0),
            Some(text) => {
                self.u8(1);
                self.str(text);
            }
        }
    }

    fn strs(&mut self, texts: &[String]) {
        self.count(texts.len());
        for text in texts {
            self.str(text);
        }
    }

    /// Zig-zag, so dates before 1970 stay short too.
    pub(super) fn timestamp(&mut self, timestamp: Option<Timestamp>) {
        match timestamp {
            None => self.u8(0),
            Some(timestamp) => {
                self.u8(1);
                let seconds = timestamp.unix_seconds();
                self.varint(((seconds << 1) ^ (seconds >> 63)).cast_unsigned());
            }
        }
    }

    /// The key of a lookup: ecosystem, release, name. Its bytes are what the key table is
    /// sorted by, so any injective encoding works; this one is also the stored form.
    pub(super) fn key(&mut self, key: &PackageKey) {
        self.str(key.ecosystem.as_str());
        self.opt_str(key.release.as_deref());
        self.str(key.name.as_str());
    }

    fn severity(&mut self, severity: &Severity) {
        match severity {
            Severity::Cvss {
                version,
                vector,
                score,
                rating,
            } => {
                self.u8(0);
                self.u8(match version {
                    CvssVersion::V2 => 0,
                    CvssVersion::V3_0 => 1,
                    CvssVersion::V3_1 => 2,
                    CvssVersion::V4_0 => 3,
                });
                self.str(vector);
                self.bytes.extend_from_slice(&score.to_le_bytes());
                self.u8(rating_tag(*rating));
            }
            Severity::Rating {
                source,
                rating,
                label,
            } => {
                self.u8(1);
                self.str(source);
                self.u8(rating_tag(*rating));
                self.str(label);
            }
        }
    }

    /// An advisory record up to, not including, its affected entries (the caller writes those
    /// with [`Encoder::affected`], noting where each starts).
    pub(super) fn advisory_head(&mut self, advisory: &Advisory) {
        self.str(&advisory.id);
        self.str(&advisory.source);
        self.strs(&advisory.aliases);
        self.strs(&advisory.related);
        self.opt_str(advisory.summary.as_deref());
        self.opt_str(advisory.details.as_deref());
        self.count(advisory.severities.len());
        for severity in &advisory.severities {
            self.severity(severity);
        }
        self.timestamp(advisory.published);
        self.timestamp(advisory.modified);
        self.opt_str(advisory.informational.as_deref());
        self.timestamp(advisory.withdrawn);
        self.count(advisory.references.len());
        for reference in &advisory.references {
            self.str(&reference.kind);
            self.str(&reference.url);
        }
        self.count(advisory.affected.len());
    }

    /// One affected entry, its package given as an index into the key table.
    pub(super) fn affected(&mut self, key_index: u32, affected: &AffectedPackage) {
        self.varint(u64::from(key_index));
        self.opt_str(affected.purl.as_deref());
        self.count(affected.ranges.ranges.len());
        for range in &affected.ranges.ranges {
            match &range.kind {
                RangeKind::Ecosystem => self.u8(0),
                RangeKind::SemVer => self.u8(1),
                RangeKind::Git => self.u8(2),
                RangeKind::Unknown(kind) => {
                    self.u8(3);
                    self.str(kind);
                }
            }
            self.opt_str(range.repo.as_deref());
            self.count(range.events.len());
            for event in &range.events {
                let tag = match event {
                    Event::Introduced(_) => 0,
                    Event::Fixed(_) => 1,
                    Event::LastAffected(_) => 2,
                    Event::Limit(_) => 3,
                };
                self.u8(tag);
                self.str(event.version());
            }
        }
        self.strs(&affected.ranges.versions);
        self.u8(affected.status.map_or(0, status_tag));
        match &affected.severity {
            None => self.u8(0),
            Some(severity) => {
                self.u8(1);
                self.severity(severity);
            }
        }
    }
}

fn rating_tag(rating: Rating) -> u8 {
    match rating {
        Rating::Unknown => 0,
        Rating::None => 1,
        Rating::Low => 2,
        Rating::Medium => 3,
        Rating::High => 4,
        Rating::Critical => 5,
    }
}

const RATINGS: [Rating; 6] = [
    Rating::Unknown,
    Rating::None,
    Rating::Low,
    Rating::Medium,
    Rating::High,
    Rating::Critical,
];

/// Distribution statuses by tag minus one (tag 0 is "no status").
const STATUSES: [DistroStatus; 9] = [
    DistroStatus::Fixed,
    DistroStatus::NotAffected,
    DistroStatus::Unfixed,
    DistroStatus::NoDsa,
    DistroStatus::Postponed,
    DistroStatus::Ignored,
    DistroStatus::EndOfLife,
    DistroStatus::Unimportant,
    DistroStatus::Undetermined,
];

fn status_tag(status: DistroStatus) -> u8 {
    match status {
        DistroStatus::Fixed => 1,
        DistroStatus::NotAffected => 2,
        DistroStatus::Unfixed => 3,
        DistroStatus::NoDsa => 4,
        DistroStatus::Postponed => 5,
        DistroStatus::Ignored => 6,
        DistroStatus::EndOfLife => 7,
        DistroStatus::Unimportant => 8,
        DistroStatus::Undetermined => 9,
    }
}

/// Reads values from a slice of the file, checking every bound.
#[derive(Debug, Clone)]
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
    /// The file offset of `bytes[0]`, for error messages.
    base: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over `bytes`, which start at file offset `base`.
    pub(super) fn new(bytes: &'a [u8], base: u64) -> Cursor<'a> {
        Cursor {
            bytes,
            position: 0,
            base,
        }
    }

    /// The file offset of the next byte.
    pub(super) fn offset(&self) -> u64 {
        self.base
            .saturating_add(u64::try_from(self.position).unwrap_or(u64::MAX))
    }

    fn fault(&self, what: &'static str) -> Fault {
        Fault {
            offset: self.offset(),
            what,
        }
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.position)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn take(&mut self, length: usize, what: &'static str) -> Result<&'a [u8], Fault> {
        let end = self
            .position
            .checked_add(length)
            .ok_or_else(|| self.fault(what))?;
        let bytes = self
            .bytes
            .get(self.position..end)
            .ok_or_else(|| self.fault(what))?;
        self.position = end;
        Ok(bytes)
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, Fault> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or_else(|| self.fault(what))?;
        self.position += 1;
        Ok(byte)
    }

    pub(super) fn varint(&mut self, what: &'static str) -> Result<u64, Fault> {
        let start = self.fault(what);
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8(what)?;
            let bits = u64::from(byte & 0x7f);
            // The tenth byte may only carry the top bit of a u64.
            if shift == 63 && bits > 1 {
                return Err(start);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(start)
    }

    /// A count of elements that each take at least one byte: never more than the bytes left.
    pub(super) fn count(&mut self, what: &'static str) -> Result<usize, Fault> {
        let start = self.fault(what);
        let count = self.varint(what)?;
        match usize::try_from(count) {
            Ok(count) if count <= self.remaining() => Ok(count),
            _ => Err(start),
        }
    }

    pub(super) fn bool_tag(&mut self, what: &'static str) -> Result<bool, Fault> {
        let start = self.fault(what);
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(start),
        }
    }

    pub(super) fn str(&mut self, what: &'static str) -> Result<&'a str, Fault> {
        let start = self.fault(what);
        let length = self.count(what)?;
        let bytes = self.take(length, what)?;
        std::str::from_utf8(bytes).map_err(|_| start)
    }

    /// A length-prefixed byte string (the stored form of a key).
    pub(super) fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], Fault> {
        let length = self.count(what)?;
        self.take(length, what)
    }

    fn string(&mut self, what: &'static str) -> Result<String, Fault> {
        self.str(what).map(str::to_owned)
    }

    pub(super) fn opt_str(&mut self, what: &'static str) -> Result<Option<&'a str>, Fault> {
        if self.bool_tag(what)? {
            self.str(what).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_string(&mut self, what: &'static str) -> Result<Option<String>, Fault> {
        Ok(self.opt_str(what)?.map(str::to_owned))
    }

    fn strings(&mut self, what: &'static str) -> Result<Vec<String>, Fault> {
        let count = self.count(what)?;
        let mut strings = Vec::with_capacity(count);
        for _ in 0..count {
            strings.push(self.string(what)?);
        }
        Ok(strings)
    }

    pub(super) fn timestamp(&mut self, what: &'static str) -> Result<Option<Timestamp>, Fault> {
        if !self.bool_tag(what)? {
            return Ok(None);
        }
        let start = self.fault(what);
        let zigzag = self.varint(what)?;
        let magnitude = i64::try_from(zigzag >> 1).map_err(|_| start)?;
        let seconds = if zigzag & 1 == 1 {
            !magnitude
        } else {
            magnitude
        };
        Timestamp::from_unix_seconds(seconds).map(Some).ok_or(start)
    }

    fn f64(&mut self, what: &'static str) -> Result<f64, Fault> {
        let bytes = self.take(8, what)?;
        let array: [u8; 8] = bytes.try_into().map_err(|_| self.fault(what))?;
        Ok(f64::from_le_bytes(array))
    }

    fn rating(&mut self) -> Result<Rating, Fault> {
        let start = self.fault("unknown severity rating");
        let tag = self.u8("severity rating")?;
        RATINGS.get(usize::from(tag)).copied().ok_or(start)
    }

    /// A key in its stored form: ecosystem, release, name.
    pub(super) fn key(&mut self) -> Result<PackageKey, Fault> {
        let start = self.fault("ecosystem name that is not one the writer stores");
        let text = self.str("key ecosystem")?;
        let ecosystem: Ecosystem = text.parse().map_err(|_| start)?;
        // The writer stores `Ecosystem::as_str()`; anything else (a suffix, another spelling)
        // would read back as a different key.
        if ecosystem.as_str() != text {
            return Err(start);
        }
        let release = self.opt_str("key release")?.map(str::to_owned);
        let name = PackageName::new(&ecosystem, self.str("key name")?);
        Ok(PackageKey {
            ecosystem,
            release,
            name,
        })
    }

    fn severity(&mut self) -> Result<Severity, Fault> {
        let start = self.fault("unknown severity kind");
        match self.u8("severity kind")? {
            0 => {
                let start = self.fault("unknown CVSS version");
                let version = match self.u8("CVSS version")? {
                    0 => CvssVersion::V2,
                    1 => CvssVersion::V3_0,
                    2 => CvssVersion::V3_1,
                    3 => CvssVersion::V4_0,
                    _ => return Err(start),
                };
                Ok(Severity::Cvss {
                    version,
                    vector: self.string("CVSS vector")?,
                    score: self.f64("CVSS score")?,
                    rating: self.rating()?,
                })
            }
            1 => Ok(Severity::Rating {
                source: self.string("severity source")?,
                rating: self.rating()?,
                label: self.string("severity label")?,
            }),
            _ => Err(start),
        }
    }

    /// An advisory record's fields before its affected entries, and the number of those.
    pub(super) fn advisory_head(&mut self) -> Result<(Advisory, usize), Fault> {
        let id = self.string("advisory id")?;
        let source = self.string("advisory source")?;
        let aliases = self.strings("aliases")?;
        let related = self.strings("related ids")?;
        let summary = self.opt_string("summary")?;
        let details = self.opt_string("details")?;
        let count = self.count("severity count")?;
        let mut severities = Vec::with_capacity(count);
        for _ in 0..count {
            severities.push(self.severity()?);
        }
        let published = self.timestamp("published time")?;
        let modified = self.timestamp("modified time")?;
        let informational = self.opt_string("informational kind")?;
        let withdrawn = self.timestamp("withdrawn time")?;
        let count = self.count("reference count")?;
        let mut references = Vec::with_capacity(count);
        for _ in 0..count {
            references.push(Reference {
                kind: self.string("reference kind")?,
                url: self.string("reference url")?,
            });
        }
        let affected_count = self.count("affected count")?;
        let advisory = Advisory {
            id,
            source,
            aliases,
            related,
            summary,
            details,
            severities,
            published,
            modified,
            informational,
            withdrawn,
            references,
            affected: Vec::with_capacity(affected_count),
        };
        Ok((advisory, affected_count))
    }

    /// One affected entry; `resolve` turns its key index into the key.
    pub(super) fn affected(
        &mut self,
        resolve: &mut impl FnMut(u64, u64) -> Result<PackageKey, Fault>,
    ) -> Result<AffectedPackage, Fault> {
        let key_offset = self.offset();
        let key_index = self.varint("key index")?;
        let package = resolve(key_index, key_offset)?;
        let purl = self.opt_string("purl")?;
        let count = self.count("range count")?;
        let mut ranges = Vec::with_capacity(count);
        for _ in 0..count {
            let start = self.fault("unknown range kind");
            let kind = match self.u8("range kind")? {
                0 => RangeKind::Ecosystem,
                1 => RangeKind::SemVer,
                2 => RangeKind::Git,
                3 => RangeKind::Unknown(self.string("range kind")?),
                _ => return Err(start),
            };
            let repo = self.opt_string("range repository")?;
            let count = self.count("event count")?;
            let mut events = Vec::with_capacity(count);
            for _ in 0..count {
                let start = self.fault("unknown event kind");
                let tag = self.u8("event kind")?;
                let version = self.string("event version")?;
                events.push(match tag {
                    0 => Event::Introduced(version),
                    1 => Event::Fixed(version),
                    2 => Event::LastAffected(version),
                    3 => Event::Limit(version),
                    _ => return Err(start),
                });
            }
            ranges.push(Range { kind, repo, events });
        }
        let versions = self.strings("affected versions")?;
        let start = self.fault("unknown distribution status");
        let status = match self.u8("distribution status")? {
            0 => None,
            tag => Some(*STATUSES.get(usize::from(tag) - 1).ok_or(start)?),
        };
        let severity = if self.bool_tag("package severity")? {
            Some(self.severity()?)
        } else {
            None
        };
        Ok(AffectedPackage {
            package,
            purl,
            ranges: AffectedRanges { ranges, versions },
            status,
            severity,
        })
    }
}

/// The longest stored key a lookup encodes on the stack; longer ones go to the heap.
const INLINE_KEY: usize = 160;

/// A lookup key in its stored form ([`Encoder::key`]), built without allocating when it is
/// short, as nearly every key is.
pub(super) enum KeyQuery {
    /// The bytes and how many of them are used.
    Inline([u8; INLINE_KEY], usize),
    /// A key too long for the inline buffer.
    Heap(Vec<u8>),
}

impl KeyQuery {
    /// Encodes `key` exactly as [`Encoder::key`] does.
    pub(super) fn new(key: &PackageKey) -> KeyQuery {
        let mut buffer = [0u8; INLINE_KEY];
        let mut length: usize = 0;
        let mut fits = true;
        let mut push = |bytes: &[u8]| match length
            .checked_add(bytes.len())
            .and_then(|end| buffer.get_mut(length..end))
        {
            Some(slot) => {
                slot.copy_from_slice(bytes);
                length += bytes.len();
            }
            None => fits = false,
        };
        let str = |push: &mut dyn FnMut(&[u8]), text: &str| {
            let (prefix, used) = varint_bytes(u64::try_from(text.len()).unwrap_or(u64::MAX));
            push(prefix.get(..used).unwrap_or_default());
            push(text.as_bytes());
        };
        str(&mut push, key.ecosystem.as_str());
        match key.release.as_deref() {
            None => push(&[0]),
            Some(release) => {
                push(&[1]);
                str(&mut push, release);
            }
        }
        str(&mut push, key.name.as_str());
        if fits {
            KeyQuery::Inline(buffer, length)
        } else {
            let mut encoder = Encoder::default();
            encoder.key(key);
            KeyQuery::Heap(encoder.bytes)
        }
    }

    /// The encoded bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        match self {
            KeyQuery::Inline(buffer, length) => buffer.get(..*length).unwrap_or_default(),
            KeyQuery::Heap(bytes) => bytes,
        }
    }
}

/// `value` as [`Encoder::varint`] writes it, in a buffer, and the number of bytes used.
fn varint_bytes(mut value: u64) -> ([u8; 10], usize) {
    let mut bytes = [0u8; 10];
    let mut used = 0;
    for byte in &mut bytes {
        used += 1;
        if value < 0x80 {
            *byte = value as u8;
            break;
        }
        *byte = (value & 0x7f) as u8 | 0x80;
        value >>= 7;
    }
    (bytes, used)
}

/// The hash of a key's stored bytes: its low bits pick the first slot of the hash index, its
/// high 32 bits are the fingerprint a slot keeps.
pub(super) fn key_hash(stored: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(stored)
}

/// The number of hash index slots for `keys` keys: a power of two, at most half full, so a
/// linear probe for an absent key ends after about 2.5 slots.
/// `None` when that does not fit a `usize`.
pub(super) fn slot_count(keys: usize) -> Option<usize> {
    if keys == 0 {
        Some(0)
    } else {
        keys.checked_mul(2)?.checked_next_power_of_two()
    }
}

/// Reads a little-endian u32 at `at` in `bytes`.
pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    Some(u32::from_le_bytes(bytes.get(at..end)?.try_into().ok()?))
}

/// Reads a little-endian u64 at `at` in `bytes`.
pub(super) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let end = at.checked_add(8)?;
    Some(u64::from_le_bytes(bytes.get(at..end)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_reject_overlong() {
        let values = [
            0,
            1,
            127,
            128,
            300,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ];
        for value in values {
            let mut encoder = Encoder::default();
            encoder.varint(value);
            let mut cursor = Cursor::new(&encoder.bytes, 0);
            assert_eq!(cursor.varint("test"), Ok(value), "{value}");
            assert!(cursor.is_empty());
        }
        let bad: [&[u8]; 3] = [
            &[0x80; 11],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            &[0x80],
        ];
        for bytes in bad {
            assert!(Cursor::new(bytes, 0).varint("test").is_err(), "{bytes:?}");
        }
    }

    #[test]
    fn query_keys_encode_as_stored_keys_do() {
        let long = "n".repeat(400);
        let keys = [
            PackageKey::new(Ecosystem::Debian, Some("12"), "openssl"),
            PackageKey::new(Ecosystem::PyPI, None, "Django"),
            PackageKey::new(Ecosystem::Npm, None, &"x".repeat(150)),
            PackageKey::new(Ecosystem::Npm, None, &long),
        ];
        for key in keys {
            let mut encoder = Encoder::default();
            encoder.key(&key);
            let query = KeyQuery::new(&key);
            assert_eq!(query.bytes(), encoder.bytes.as_slice(), "{key}");
            let inline = matches!(query, KeyQuery::Inline(..));
            assert_eq!(inline, encoder.bytes.len() <= INLINE_KEY, "{key}");
        }
        for value in [0, 1, 127, 128, 16_383, 16_384, u64::MAX] {
            let mut encoder = Encoder::default();
            encoder.varint(value);
            let (bytes, used) = varint_bytes(value);
            assert_eq!(&bytes[..used], encoder.bytes.as_slice(), "{value}");
        }
    }

    #[test]
    fn timestamps_round_trip_both_sides_of_the_epoch() {
        for seconds in [0, 1, -1, 1_700_000_000, -2_000_000_000] {
            let timestamp = Timestamp::from_unix_seconds(seconds);
            let mut encoder = Encoder::default();
            encoder.timestamp(timestamp);
            let mut cursor = Cursor::new(&encoder.bytes, 0);
            assert_eq!(cursor.timestamp("test"), Ok(timestamp), "{seconds}");
        }
    }

    #[test]
    fn counts_larger_than_the_rest_are_refused() {
        let mut encoder = Encoder::default();
        encoder.varint(1 << 40);
        encoder.u8(0);
        let fault = Cursor::new(&encoder.bytes, 100)
            .count("things")
            .unwrap_err();
        assert_eq!(fault.offset, 100);
        assert_eq!(fault.what, "things");
    }
}
