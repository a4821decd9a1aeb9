//! One rpm header blob: the per-package record every rpm database container stores.
//!
//! Layout (all integers big-endian, whatever the host or container byte order):
//! `il: u32`, `dl: u32`, then `il` index entries of 16 bytes (`tag`, `type`, `offset`, `count`),
//! then `dl` bytes of data store that the entries point into. Inside a database the blob has no
//! leading header magic (`8e ad e8 01`), unlike a header inside an `.rpm` file.
//!
//! The format's surprises:
//! - The first entry is usually a *region* tag (`HEADERIMMUTABLE`, 63) whose data is a trailer
//!   entry, not a value; it is skipped like every tag not read here.
//! - Entries after the region ("dribbles") override entries of the same tag inside it, so when
//!   a tag appears twice the last entry wins, as rpm does when it loads a header.
//! - `I18NSTRING` values are a list of translations; the first is the untranslated text.
//! - `EPOCH` is an `INT32`; its absence (not zero) means "no epoch".
//! - Strings are NUL-terminated and not guaranteed to be UTF-8 (old headers hold Latin-1
//!   vendor or licence text): invalid UTF-8 is replaced, never rejected.
//!
//! Every offset, count and length is checked against the blob; a header that breaks any check is
//! an error, never a partial read.

use std::borrow::Cow;

/// rpm refuses headers with more index entries than this (`hdrchkTags` in rpm's `header.c`).
const MAX_INDEX_ENTRIES: u32 = 0xffff;

/// The largest data store read. rpm allows 256 MiB; real headers, file lists included, stay
/// under a few MiB.
pub(super) const MAX_HEADER_BYTES: usize = 64 * 1024 * 1024;

/// Bytes before the first index entry: `il` and `dl`.
const PREAMBLE_SIZE: usize = 8;
/// Bytes per index entry.
const ENTRY_SIZE: usize = 16;
/// The same two sizes, for byte counts in error messages.
const PREAMBLE_SIZE_U64: u64 = 8;
const ENTRY_SIZE_U64: u64 = 16;

/// Tag numbers (rpm `rpmtag.h`).
const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

/// The tags read, in the order of [`Wanted`]'s slots.
const WANTED_TAGS: [u32; 9] = [
    TAG_NAME,
    TAG_VERSION,
    TAG_RELEASE,
    TAG_EPOCH,
    TAG_SIZE,
    TAG_VENDOR,
    TAG_LICENSE,
    TAG_ARCH,
    TAG_SOURCERPM,
];

/// Data types (rpm `rpmtag.h`, `rpmTagType`).
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Why one header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum HeaderError {
    /// Shorter than the `il`/`dl` preamble.
    #[error("the header is {size} bytes, shorter than its 8-byte preamble")]
    TooShort { size: usize },
    /// `il` over rpm's own limit.
    #[error("the header claims {count} index entries, over the limit of {MAX_INDEX_ENTRIES}")]
    TooManyEntries { count: u32 },
    /// `dl` over [`MAX_HEADER_BYTES`].
    #[error("the header claims a {size}-byte data store, over the limit of {MAX_HEADER_BYTES}")]
    DataTooLarge { size: u32 },
    /// Index and data store do not fit in the blob.
    #[error("the header needs {needed} bytes for its index and data store but is {size} bytes")]
    Truncated { needed: u64, size: usize },
    /// An entry's offset lies outside the data store.
    #[error("tag {tag} points at byte {offset}, outside the {data_size}-byte data store")]
    OutOfBounds {
        tag: u32,
        offset: u32,
        data_size: usize,
    },
    /// A string runs to the end of the data store without its NUL.
    #[error("the string of tag {tag} at byte {offset} has no terminating NUL")]
    Unterminated { tag: u32, offset: u32 },
    /// A tag has a type this reader does not accept for it.
    #[error("tag {tag} has type {found}, expected {expected}")]
    WrongType {
        tag: u32,
        found: u32,
        expected: &'static str,
    },
    /// A tag has no value (`count` 0).
    #[error("tag {tag} has an empty value")]
    Empty { tag: u32 },
    /// A tag every package has is missing.
    #[error("the header has no {what} tag ({tag})")]
    Missing { what: &'static str, tag: u32 },
}

/// The fields of one header that the catalog needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    /// `NAME`.
    pub(super) name: String,
    /// `VERSION`.
    pub(super) version: String,
    /// `RELEASE`.
    pub(super) release: String,
    /// `EPOCH`, when the package sets one.
    pub(super) epoch: Option<u32>,
    /// `ARCH` (`x86_64`, `noarch`); `gpg-pubkey` pseudo-packages have none.
    pub(super) arch: Option<String>,
    /// `SOURCERPM` (`openssl-1.1.1k-7.el8.src.rpm`); source packages have none.
    pub(super) source_rpm: Option<String>,
    /// `SIZE`: installed size in bytes (the 32-bit tag; `LONGSIZE` is not read).
    pub(super) size: Option<u32>,
    /// `VENDOR`.
    pub(super) vendor: Option<String>,
    /// `LICENSE`, as the spec file writes it.
    pub(super) license: Option<String>,
}

/// One index entry, as read.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

/// Parses one header blob as stored in an rpm database.
pub(super) fn parse(blob: &[u8]) -> Result<Header, HeaderError> {
    let too_short = HeaderError::TooShort { size: blob.len() };
    let entry_count = be_u32(blob, 0).ok_or_else(|| too_short.clone())?;
    let data_size = be_u32(blob, 4).ok_or(too_short)?;
    if entry_count > MAX_INDEX_ENTRIES {
        return Err(HeaderError::TooManyEntries { count: entry_count });
    }
    let data_len = usize::try_from(data_size)
        .ok()
        .filter(|len| *len <= MAX_HEADER_BYTES)
        .ok_or(HeaderError::DataTooLarge { size: data_size })?;
    // Both factors are bounded above, so this cannot overflow even on 32-bit targets.
    let index_len = usize::try_from(entry_count)
        .ok()
        .and_then(|count| count.checked_mul(ENTRY_SIZE))
        .ok_or(HeaderError::TooManyEntries { count: entry_count })?;
    let needed = PREAMBLE_SIZE
        .checked_add(index_len)
        .and_then(|len| len.checked_add(data_len));
    let truncated = || HeaderError::Truncated {
        // At most 0xffff * 16 + u32::MAX + 8: no overflow in u64.
        needed: u64::from(entry_count) * ENTRY_SIZE_U64 + u64::from(data_size) + PREAMBLE_SIZE_U64,
        size: blob.len(),
    };
    let index_end = PREAMBLE_SIZE + index_len;
    let (index, data) = match needed {
        Some(end) => (
            blob.get(PREAMBLE_SIZE..index_end).ok_or_else(truncated)?,
            blob.get(index_end..end).ok_or_else(truncated)?,
        ),
        None => return Err(truncated()),
    };

    let mut wanted: [Option<Entry>; WANTED_TAGS.len()] = [None; WANTED_TAGS.len()];
    for raw in index.chunks_exact(ENTRY_SIZE) {
        let (Some(tag), Some(kind), Some(offset), Some(count)) = (
            be_u32(raw, 0),
            be_u32(raw, 4),
            be_u32(raw, 8),
            be_u32(raw, 12),
        ) else {
            continue; // `chunks_exact` yields 16-byte chunks: unreachable, and harmless.
        };
        if let Some(slot) = WANTED_TAGS.iter().position(|wanted_tag| *wanted_tag == tag) {
            // Last entry wins: dribbles after the region override it.
            if let Some(place) = wanted.get_mut(slot) {
                *place = Some(Entry {
                    tag,
                    kind,
                    offset,
                    count,
                });
            }
        }
    }
    let entry = |tag: u32| {
        WANTED_TAGS
            .iter()
            .position(|wanted_tag| *wanted_tag == tag)
            .and_then(|slot| wanted.get(slot).copied().flatten())
    };
    let string = |tag: u32| entry(tag).map(|e| read_string(data, e)).transpose();
    let int32 = |tag: u32| entry(tag).map(|e| read_int32(data, e)).transpose();
    let required =
        |tag: u32, what: &'static str| string(tag)?.ok_or(HeaderError::Missing { what, tag });

    Ok(Header {
        name: required(TAG_NAME, "NAME")?,
        version: required(TAG_VERSION, "VERSION")?,
        release: required(TAG_RELEASE, "RELEASE")?,
        epoch: int32(TAG_EPOCH)?,
        arch: string(TAG_ARCH)?,
        source_rpm: string(TAG_SOURCERPM)?,
        size: int32(TAG_SIZE)?,
        vendor: string(TAG_VENDOR)?,
        license: string(TAG_LICENSE)?,
    })
}

/// A `STRING`, or the first element of a `STRING_ARRAY` or `I18NSTRING`.
fn read_string(data: &[u8], entry: Entry) -> Result<String, HeaderError> {
    match entry.kind {
        TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING => {}
        found => {
            return Err(HeaderError::WrongType {
                tag: entry.tag,
                found,
                expected: "a string",
            });
        }
    }
    if entry.count == 0 {
        return Err(HeaderError::Empty { tag: entry.tag });
    }
    let rest = usize::try_from(entry.offset)
        .ok()
        .and_then(|offset| data.get(offset..))
        .filter(|rest| !rest.is_empty())
        .ok_or(HeaderError::OutOfBounds {
            tag: entry.tag,
            offset: entry.offset,
            data_size: data.len(),
        })?;
    let end = rest
        .iter()
        .position(|byte| *byte == 0)
        .ok_or(HeaderError::Unterminated {
            tag: entry.tag,
            offset: entry.offset,
        })?;
    let text = rest.get(..end).unwrap_or_default();
    Ok(match String::from_utf8_lossy(text) {
        Cow::Borrowed(text) => text.to_owned(),
        Cow::Owned(text) => text,
    })
}

/// The first value of an `INT32` entry.
fn read_int32(data: &[u8], entry: Entry) -> Result<u32, HeaderError> {
    if entry.kind != TYPE_INT32 {
        return Err(HeaderError::WrongType {
            tag: entry.tag,
            found: entry.kind,
            expected: "INT32",
        });
    }
    if entry.count == 0 {
        return Err(HeaderError::Empty { tag: entry.tag });
    }
    usize::try_from(entry.offset)
        .ok()
        .and_then(|offset| be_u32(data, offset))
        .ok_or(HeaderError::OutOfBounds {
            tag: entry.tag,
            offset: entry.offset,
            data_size: data.len(),
        })
}

/// A big-endian `u32` at `offset`, if the bytes are there.
fn be_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let raw: [u8; 4] = bytes.get(offset..end)?.try_into().ok()?;
    Some(u32::from_be_bytes(raw))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Builds a header blob from `(tag, type, count, data)` entries, laying the data out in
    /// order (4-byte aligned, as rpm aligns `INT32`).
    pub(in crate::rpm) fn build(entries: &[(u32, u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, kind, count, value) in entries {
            while !data.len().is_multiple_of(4) {
                data.push(0);
            }
            let offset = u32::try_from(data.len()).unwrap();
            for field in [*tag, *kind, offset, *count] {
                index.extend_from_slice(&field.to_be_bytes());
            }
            data.extend_from_slice(value);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&u32::try_from(entries.len()).unwrap().to_be_bytes());
        blob.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        blob.extend_from_slice(&index);
        blob.extend_from_slice(&data);
        blob
    }

    /// A minimal package header: name, version, release, arch and source rpm.
    pub(in crate::rpm) fn package(name: &str, epoch: Option<u32>) -> Vec<u8> {
        let name = format!("{name}\0");
        let epoch_bytes = epoch.map(u32::to_be_bytes);
        let mut entries: Vec<(u32, u32, u32, &[u8])> = vec![
            (TAG_NAME, TYPE_STRING, 1, name.as_bytes()),
            (TAG_VERSION, TYPE_STRING, 1, b"1.1.1k\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"7.el8\0"),
            (TAG_ARCH, TYPE_STRING, 1, b"x86_64\0"),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                1,
                b"openssl-1.1.1k-7.el8.src.rpm\0",
            ),
        ];
        if let Some(epoch) = &epoch_bytes {
            entries.push((TAG_EPOCH, TYPE_INT32, 1, epoch));
        }
        build(&entries)
    }

    #[test]
    fn reads_every_wanted_tag() {
        let blob = build(&[
            (63, 7, 16, &[0; 16]), // a region tag, skipped
            (TAG_NAME, TYPE_STRING, 1, b"openssl-libs\0"),
            (TAG_VERSION, TYPE_STRING, 1, b"1.1.1k\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"7.el8\0"),
            (TAG_EPOCH, TYPE_INT32, 1, &1u32.to_be_bytes()),
            (TAG_SIZE, TYPE_INT32, 1, &3_800_000u32.to_be_bytes()),
            (TAG_VENDOR, TYPE_STRING, 1, b"Red Hat, Inc.\0"),
            (TAG_LICENSE, TYPE_STRING, 1, b"OpenSSL and ASL 2.0\0"),
            (TAG_ARCH, TYPE_STRING, 1, b"x86_64\0"),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                1,
                b"openssl-1.1.1k-7.el8.src.rpm\0",
            ),
        ]);
        assert_eq!(
            parse(&blob).unwrap(),
            Header {
                name: "openssl-libs".into(),
                version: "1.1.1k".into(),
                release: "7.el8".into(),
                epoch: Some(1),
                arch: Some("x86_64".into()),
                source_rpm: Some("openssl-1.1.1k-7.el8.src.rpm".into()),
                size: Some(3_800_000),
                vendor: Some("Red Hat, Inc.".into()),
                license: Some("OpenSSL and ASL 2.0".into()),
            }
        );
    }

    #[test]
    fn i18n_string_reads_the_first_translation_and_last_entry_wins() {
        let blob = build(&[
            (TAG_NAME, TYPE_STRING, 1, b"old\0"),
            (TAG_VERSION, TYPE_STRING, 1, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"1\0"),
            (TAG_VENDOR, TYPE_I18NSTRING, 2, b"C\0de\0"),
            (TAG_NAME, TYPE_STRING, 1, b"new\0"),
        ]);
        let header = parse(&blob).unwrap();
        assert_eq!(header.name, "new");
        assert_eq!(header.vendor.as_deref(), Some("C"));
        assert_eq!(header.epoch, None);
        assert_eq!(header.arch, None);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let blob = build(&[
            (TAG_NAME, TYPE_STRING, 1, b"a\0"),
            (TAG_VERSION, TYPE_STRING, 1, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"1\0"),
            (TAG_VENDOR, TYPE_STRING, 1, b"Caf\xe9\0"),
        ]);
        assert_eq!(parse(&blob).unwrap().vendor.as_deref(), Some("Caf\u{fffd}"));
    }

    #[test]
    fn malformed_headers_are_errors() {
        let good = package("openssl", Some(1));
        let mut huge_il = good.clone();
        huge_il[..4].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        let mut huge_dl = good.clone();
        huge_dl[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut bad_offset = good.clone();
        bad_offset[16..20].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        let mut bad_type = good.clone();
        bad_type[12..16].copy_from_slice(&TYPE_INT32.to_be_bytes());
        let unterminated = build(&[
            (TAG_VERSION, TYPE_STRING, 1, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"1\0"),
            (TAG_NAME, TYPE_STRING, 1, b"abc"),
        ]);
        let no_name = build(&[
            (TAG_VERSION, TYPE_STRING, 1, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, 1, b"1\0"),
        ]);
        let cases: &[(&str, &[u8], HeaderError)] = &[
            ("empty", &[], HeaderError::TooShort { size: 0 }),
            ("short", &[0, 0, 0], HeaderError::TooShort { size: 3 }),
            (
                "too many entries",
                &huge_il,
                HeaderError::TooManyEntries { count: 0x0001_0000 },
            ),
            (
                "huge data store",
                &huge_dl,
                HeaderError::DataTooLarge { size: u32::MAX },
            ),
            (
                "truncated",
                &good[..good.len() - 1],
                HeaderError::Truncated {
                    needed: u64::try_from(good.len()).unwrap(),
                    size: good.len() - 1,
                },
            ),
            (
                "offset out of bounds",
                &bad_offset,
                HeaderError::OutOfBounds {
                    tag: TAG_NAME,
                    offset: 0x7fff_ffff,
                    data_size: good.len() - 8 - 6 * 16,
                },
            ),
            (
                "wrong type",
                &bad_type,
                HeaderError::WrongType {
                    tag: TAG_NAME,
                    found: TYPE_INT32,
                    expected: "a string",
                },
            ),
            (
                "unterminated",
                &unterminated,
                HeaderError::Unterminated {
                    tag: TAG_NAME,
                    offset: 8, // after two 4-byte-aligned strings
                },
            ),
            (
                "no name",
                &no_name,
                HeaderError::Missing {
                    what: "NAME",
                    tag: TAG_NAME,
                },
            ),
        ];
        for (what, blob, expected) in cases {
            assert_eq!(parse(blob).as_ref(), Err(expected), "{what}");
        }
    }
}
