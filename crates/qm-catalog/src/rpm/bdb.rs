//! The Berkeley DB hash database rpm used up to rpm 4.16 (`/var/lib/rpm/Packages`): RHEL and
//! CentOS up to 8, Amazon Linux 2, older SUSE and Fedora.
//!
//! The file is an array of fixed-size pages. Page 0 is the hash metadata page (magic `0x061561`
//! at byte 12, page size at byte 20, last page number at byte 32). Every other page starts with a
//! 26-byte header (`pgno` at 8, `next_pgno` at 16, `entries` at 20, `hf_offset` at 22, `type` at
//! 25) followed by an array of 2-byte item offsets. Hash pages (types 2 and 13) hold key/value
//! item pairs: the key is rpm's 4-byte package number, the value the header blob, either inline
//! (`H_KEYDATA`) or, nearly always, as an `H_OFFPAGE` item naming the first page of a chain of
//! overflow pages (type 7) and the total length.
//!
//! The format's surprises:
//! - Every integer is in the byte order of the host that wrote the file; the magic number tells
//!   which (it reads `0x061561` in one order only). The header blobs themselves are always
//!   big-endian.
//! - Each overflow page carries the length of its own data in `hf_offset`; chains are followed
//!   page by page and must add up to the length the `H_OFFPAGE` item announces.
//! - Key 0 is rpm's bookkeeping record (the next package number), not a package: skipped.
//! - The pages are walked in file order rather than through the hash buckets, as go-rpmdb and
//!   syft do: every live pair sits on some hash page, and free pages are not typed as hash pages.
//!
//! Checked, never trusted: the page size (a power of two from 512 to 65536), that the file holds
//! every page up to the last page number, every item offset, every overflow page number (in
//! range, of overflow type, and visited at most once in the whole file, which stops loops), and
//! the announced lengths. Encrypted or checksummed databases (which rpm never writes) are
//! rejected. Any violation fails the whole file.

use super::{RpmDbError, header::MAX_HEADER_BYTES};

/// The hash access method's magic number, at byte 12 of the metadata page.
const HASH_MAGIC: u32 = 0x0006_1561;
/// Where the magic number sits.
const MAGIC_OFFSET: usize = 12;
/// Metadata page offsets (Berkeley DB `dbinc/db_page.h`, `DBMETA`).
const PAGE_SIZE_OFFSET: usize = 20;
const ENCRYPT_ALGORITHM_OFFSET: usize = 24;
const META_TYPE_OFFSET: usize = 25;
const META_FLAGS_OFFSET: usize = 26;
const LAST_PAGE_OFFSET: usize = 32;
/// `DBMETA_CHKSUM`: pages carry checksums, which moves the item array.
const META_FLAG_CHECKSUM: u8 = 0x01;
/// Page types (`P_*`).
const PAGE_HASH_UNSORTED: u8 = 2;
const PAGE_OVERFLOW: u8 = 7;
const PAGE_HASH_META: u8 = 8;
const PAGE_HASH: u8 = 13;
/// Page header offsets (`PAGE`).
const NEXT_PAGE_OFFSET: usize = 16;
const ENTRIES_OFFSET: usize = 20;
const HF_OFFSET_OFFSET: usize = 22;
const TYPE_OFFSET: usize = 25;
/// Size of the page header; the item offset array follows it.
const PAGE_HEADER_SIZE: usize = 26;
/// Hash item types (`H_*`).
const ITEM_KEYDATA: u8 = 1;
const ITEM_OFFPAGE: u8 = 3;
/// `HOFFPAGE`: type, 3 unused bytes, `pgno: u32`, `tlen: u32`.
const OFFPAGE_PAGE_OFFSET: usize = 4;
const OFFPAGE_LENGTH_OFFSET: usize = 8;
/// The smallest and largest page sizes Berkeley DB allows.
const MIN_PAGE_SIZE: u32 = 512;
const MAX_PAGE_SIZE: u32 = 65536;
/// rpm's package number key is a 4-byte integer.
const KEY_SIZE: usize = 4;
/// A header blob's `il`/`dl` preamble, read to size an inline value.
const BLOB_PREAMBLE_SIZE: usize = 8;
/// Bytes per header index entry, to size an inline value.
const BLOB_ENTRY_SIZE: u64 = 16;

/// Whether `bytes` start like a Berkeley DB hash database, in either byte order.
pub(super) fn is_bdb_hash(bytes: &[u8]) -> bool {
    byte_order(bytes).is_some()
}

/// The byte order the file was written in, from its magic number.
fn byte_order(bytes: &[u8]) -> Option<ByteOrder> {
    let raw: [u8; 4] = bytes.get(MAGIC_OFFSET..MAGIC_OFFSET + 4)?.try_into().ok()?;
    if u32::from_le_bytes(raw) == HASH_MAGIC {
        Some(ByteOrder::Little)
    } else if u32::from_be_bytes(raw) == HASH_MAGIC {
        Some(ByteOrder::Big)
    } else {
        None
    }
}

/// The byte order of one database file.
#[derive(Debug, Clone, Copy)]
enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    fn u16_at(self, bytes: &[u8], offset: usize) -> Option<u16> {
        let raw: [u8; 2] = bytes.get(offset..offset.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            ByteOrder::Little => u16::from_le_bytes(raw),
            ByteOrder::Big => u16::from_be_bytes(raw),
        })
    }

    fn u32_at(self, bytes: &[u8], offset: usize) -> Option<u32> {
        let raw: [u8; 4] = bytes.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            ByteOrder::Little => u32::from_le_bytes(raw),
            ByteOrder::Big => u32::from_be_bytes(raw),
        })
    }
}

/// The database being walked.
struct Database<'a> {
    bytes: &'a [u8],
    order: ByteOrder,
    page_size: usize,
    page_count: u32,
    /// Overflow pages already read, across all chains.
    visited: Vec<bool>,
}

/// Calls `visit` with every package header blob in the database, in page order.
pub(super) fn for_each_blob(
    bytes: &[u8],
    visit: &mut dyn FnMut(&[u8]) -> Result<(), RpmDbError>,
) -> Result<(), RpmDbError> {
    let mut database = Database::open(bytes)?;
    for page_number in 1..database.page_count {
        let page = database.page(page_number)?;
        let page_type = page.get(TYPE_OFFSET).copied().unwrap_or_default();
        if page_type != PAGE_HASH && page_type != PAGE_HASH_UNSORTED {
            continue;
        }
        let entries = database.read_u16(page, ENTRIES_OFFSET, page_number)?;
        if !entries.is_multiple_of(2) {
            return Err(RpmDbError::invalid(
                format!("Berkeley DB hash page {page_number}"),
                format!("holds {entries} items, not key/value pairs"),
            ));
        }
        for pair in 0..usize::from(entries / 2) {
            let key_slot = PAGE_HEADER_SIZE + pair * 4;
            let key_offset = usize::from(database.read_u16(page, key_slot, page_number)?);
            let value_offset = usize::from(database.read_u16(page, key_slot + 2, page_number)?);
            match page.get(value_offset).copied() {
                Some(ITEM_OFFPAGE) => {
                    let blob = database.overflow_value(page, page_number, value_offset)?;
                    visit(&blob)?;
                }
                Some(ITEM_KEYDATA) => {
                    if is_bookkeeping_key(page, key_offset) {
                        continue;
                    }
                    visit(inline_value(page, page_number, value_offset)?)?;
                }
                other => {
                    return Err(RpmDbError::invalid(
                        format!("Berkeley DB hash page {page_number}, item at byte {value_offset}"),
                        match other {
                            Some(kind) => format!("has type {kind}, not a key or overflow item"),
                            None => "lies outside the page".to_owned(),
                        },
                    ));
                }
            }
        }
    }
    Ok(())
}

impl<'a> Database<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, RpmDbError> {
        let order = byte_order(bytes).ok_or(RpmDbError::UnknownFormat)?;
        let meta = |offset: usize| {
            bytes.get(offset).copied().ok_or(RpmDbError::Truncated {
                what: "the Berkeley DB metadata page",
                offset: 0,
                size: bytes.len(),
            })
        };
        if meta(ENCRYPT_ALGORITHM_OFFSET)? != 0 {
            return Err(RpmDbError::invalid(
                "the Berkeley DB database",
                "is encrypted; rpm never writes encrypted databases",
            ));
        }
        let meta_type = meta(META_TYPE_OFFSET)?;
        if meta_type != PAGE_HASH_META {
            return Err(RpmDbError::invalid(
                "the Berkeley DB metadata page",
                format!("has type {meta_type}, not a hash metadata page ({PAGE_HASH_META})"),
            ));
        }
        if meta(META_FLAGS_OFFSET)? & META_FLAG_CHECKSUM != 0 {
            return Err(RpmDbError::invalid(
                "the Berkeley DB database",
                "has page checksums, which rpm never enables and this reader does not support",
            ));
        }
        let truncated_meta = || RpmDbError::Truncated {
            what: "the Berkeley DB metadata page",
            offset: 0,
            size: bytes.len(),
        };
        let page_size = order
            .u32_at(bytes, PAGE_SIZE_OFFSET)
            .ok_or_else(truncated_meta)?;
        if !page_size.is_power_of_two() || !(MIN_PAGE_SIZE..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(RpmDbError::invalid(
                "the Berkeley DB page size",
                format!(
                    "is {page_size}, not a power of two from {MIN_PAGE_SIZE} to {MAX_PAGE_SIZE}"
                ),
            ));
        }
        let last_page = order
            .u32_at(bytes, LAST_PAGE_OFFSET)
            .ok_or_else(truncated_meta)?;
        let page_count = last_page.checked_add(1).ok_or_else(|| {
            RpmDbError::invalid("the Berkeley DB last page number", "is 4294967295")
        })?;
        let needed = u64::from(page_count) * u64::from(page_size);
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size < needed {
            return Err(RpmDbError::Truncated {
                what: "the Berkeley DB pages the metadata page announces",
                offset: needed,
                size: bytes.len(),
            });
        }
        // Both are bounded by the file length, checked just above.
        let page_size = usize::try_from(page_size).map_err(|_| truncated_meta())?;
        let visited = vec![false; usize::try_from(page_count).map_err(|_| truncated_meta())?];
        Ok(Self {
            bytes,
            order,
            page_size,
            page_count,
            visited,
        })
    }

    /// The bytes of page `number`.
    fn page(&self, number: u32) -> Result<&'a [u8], RpmDbError> {
        let start = usize::try_from(number)
            .ok()
            .and_then(|number| number.checked_mul(self.page_size));
        start
            .and_then(|start| self.bytes.get(start..start.checked_add(self.page_size)?))
            .ok_or(RpmDbError::Truncated {
                what: "a Berkeley DB page",
                offset: u64::from(number)
                    .saturating_mul(u64::try_from(self.page_size).unwrap_or(u64::MAX)),
                size: self.bytes.len(),
            })
    }

    fn read_u16(&self, page: &[u8], offset: usize, page_number: u32) -> Result<u16, RpmDbError> {
        self.order.u16_at(page, offset).ok_or_else(|| {
            RpmDbError::invalid(
                format!("Berkeley DB page {page_number}"),
                format!("has its item table running past the page end at byte {offset}"),
            )
        })
    }

    /// Reads the value an `H_OFFPAGE` item at `item_offset` points to.
    fn overflow_value(
        &mut self,
        page: &[u8],
        page_number: u32,
        item_offset: usize,
    ) -> Result<Vec<u8>, RpmDbError> {
        let where_ = || format!("Berkeley DB hash page {page_number}, item at byte {item_offset}");
        let field = |offset: usize| {
            item_offset
                .checked_add(offset)
                .and_then(|at| self.order.u32_at(page, at))
                .ok_or_else(|| RpmDbError::invalid(where_(), "runs past the page end"))
        };
        let first_page = field(OFFPAGE_PAGE_OFFSET)?;
        let total = field(OFFPAGE_LENGTH_OFFSET)?;
        let total = usize::try_from(total)
            .ok()
            .filter(|total| *total <= MAX_HEADER_BYTES)
            .ok_or(RpmDbError::Limit {
                what: "bytes in one package header",
                limit: u64::try_from(MAX_HEADER_BYTES).unwrap_or(u64::MAX),
            })?;
        let mut value = Vec::with_capacity(total.min(self.bytes.len()));
        let mut current = first_page;
        while current != 0 {
            let seen = usize::try_from(current)
                .ok()
                .and_then(|index| self.visited.get_mut(index))
                .ok_or_else(|| {
                    RpmDbError::invalid(
                        where_(),
                        format!(
                            "chains to page {current}, past the last page {}",
                            self.page_count - 1
                        ),
                    )
                })?;
            if *seen {
                return Err(RpmDbError::PageLoop { page: current });
            }
            *seen = true;
            let overflow = self.page(current)?;
            let page_type = overflow.get(TYPE_OFFSET).copied().unwrap_or_default();
            if page_type != PAGE_OVERFLOW {
                return Err(RpmDbError::invalid(
                    format!("Berkeley DB page {current}"),
                    format!("has type {page_type} but an overflow chain leads to it"),
                ));
            }
            let length = usize::from(self.read_u16(overflow, HF_OFFSET_OFFSET, current)?);
            let data = overflow
                .get(PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + length)
                .ok_or_else(|| {
                    RpmDbError::invalid(
                        format!("Berkeley DB overflow page {current}"),
                        format!("claims {length} bytes of data, more than the page holds"),
                    )
                })?;
            value.extend_from_slice(data);
            if value.len() > total {
                return Err(RpmDbError::invalid(
                    where_(),
                    format!("announces {total} bytes but its overflow chain holds more"),
                ));
            }
            current = self
                .order
                .u32_at(overflow, NEXT_PAGE_OFFSET)
                .unwrap_or_default();
        }
        if value.len() != total {
            return Err(RpmDbError::invalid(
                where_(),
                format!(
                    "announces {total} bytes but its overflow chain holds {}",
                    value.len()
                ),
            ));
        }
        Ok(value)
    }
}

/// Whether the key item at `key_offset` is rpm's record 0 (the next package number).
fn is_bookkeeping_key(page: &[u8], key_offset: usize) -> bool {
    key_offset
        .checked_add(1)
        .and_then(|start| page.get(start..start.checked_add(KEY_SIZE)?))
        .is_some_and(|key| key.iter().all(|byte| *byte == 0))
}

/// An inline header blob: its length comes from its own big-endian `il`/`dl` preamble.
fn inline_value(page: &[u8], page_number: u32, item_offset: usize) -> Result<&[u8], RpmDbError> {
    let invalid = || {
        RpmDbError::invalid(
            format!("Berkeley DB hash page {page_number}, item at byte {item_offset}"),
            "holds an inline header that runs past the page end",
        )
    };
    let start = item_offset.checked_add(1).ok_or_else(invalid)?;
    let preamble = page
        .get(start..start.checked_add(BLOB_PREAMBLE_SIZE).ok_or_else(invalid)?)
        .ok_or_else(invalid)?;
    let (entries, data) = preamble.split_at(4);
    let entries = u32::from_be_bytes(entries.try_into().map_err(|_| invalid())?);
    let data = u32::from_be_bytes(data.try_into().map_err(|_| invalid())?);
    let length = u64::from(entries) * BLOB_ENTRY_SIZE + u64::from(data) + 8;
    let end = usize::try_from(length)
        .ok()
        .and_then(|length| start.checked_add(length))
        .ok_or_else(invalid)?;
    page.get(start..end).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::header::tests::package;

    const PAGE: usize = 512;

    /// A little- or big-endian database: a hash page with the given items, then overflow pages.
    struct Builder {
        big_endian: bool,
        pages: Vec<Vec<u8>>,
    }

    impl Builder {
        fn new(big_endian: bool) -> Self {
            let mut builder = Self {
                big_endian,
                pages: vec![vec![0; PAGE]],
            };
            builder.put32(0, MAGIC_OFFSET, HASH_MAGIC);
            builder.put32(0, PAGE_SIZE_OFFSET, u32::try_from(PAGE).unwrap());
            builder.pages[0][META_TYPE_OFFSET] = PAGE_HASH_META;
            builder
        }

        fn put16(&mut self, page: usize, at: usize, value: u16) {
            let raw = if self.big_endian {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            self.pages[page][at..at + 2].copy_from_slice(&raw);
        }

        fn put32(&mut self, page: usize, at: usize, value: u32) {
            let raw = if self.big_endian {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            self.pages[page][at..at + 4].copy_from_slice(&raw);
        }

        /// Adds a page of `kind`, returning its number.
        fn add_page(&mut self, kind: u8) -> usize {
            self.pages.push(vec![0; PAGE]);
            let number = self.pages.len() - 1;
            self.put32(number, 8, u32::try_from(number).unwrap());
            self.pages[number][TYPE_OFFSET] = kind;
            number
        }

        /// Stores `blob` in an overflow chain of `chunk`-byte pages; returns the first page.
        fn overflow(&mut self, blob: &[u8], chunk: usize) -> usize {
            let mut previous: Option<usize> = None;
            let mut first = 0;
            for part in blob.chunks(chunk) {
                let number = self.add_page(PAGE_OVERFLOW);
                self.put16(number, HF_OFFSET_OFFSET, u16::try_from(part.len()).unwrap());
                self.pages[number][PAGE_HEADER_SIZE..PAGE_HEADER_SIZE + part.len()]
                    .copy_from_slice(part);
                match previous {
                    Some(previous) => {
                        self.put32(previous, NEXT_PAGE_OFFSET, u32::try_from(number).unwrap())
                    }
                    None => first = number,
                }
                previous = Some(number);
            }
            first
        }

        /// A hash page holding `(key, item)` pairs, items written from the page end down.
        fn hash_page(&mut self, pairs: &[(u32, Vec<u8>)]) -> usize {
            let number = self.add_page(PAGE_HASH);
            let mut end = PAGE;
            let mut slot = PAGE_HEADER_SIZE;
            for (key, value) in pairs {
                let mut key_item = vec![ITEM_KEYDATA];
                key_item.extend_from_slice(&if self.big_endian {
                    key.to_be_bytes()
                } else {
                    key.to_le_bytes()
                });
                for item in [&key_item, value] {
                    end -= item.len();
                    self.pages[number][end..end + item.len()].copy_from_slice(item);
                    self.put16(number, slot, u16::try_from(end).unwrap());
                    slot += 2;
                }
            }
            self.put16(
                number,
                ENTRIES_OFFSET,
                u16::try_from(pairs.len() * 2).unwrap(),
            );
            number
        }

        fn offpage_item(&self, first: usize, length: usize) -> Vec<u8> {
            let mut item = vec![ITEM_OFFPAGE, 0, 0, 0];
            for value in [
                u32::try_from(first).unwrap(),
                u32::try_from(length).unwrap(),
            ] {
                item.extend_from_slice(&if self.big_endian {
                    value.to_be_bytes()
                } else {
                    value.to_le_bytes()
                });
            }
            item
        }

        fn finish(mut self) -> Vec<u8> {
            let last = u32::try_from(self.pages.len() - 1).unwrap();
            self.put32(0, LAST_PAGE_OFFSET, last);
            self.pages.concat()
        }
    }

    /// Two packages: one across three overflow pages, one inline, plus the key-0 record.
    fn two_packages(big_endian: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
        let long = package("openssl-libs", Some(1));
        let short = package("zlib", None);
        let mut builder = Builder::new(big_endian);
        let first = builder.overflow(&long, long.len() / 3 + 1);
        let offpage = builder.offpage_item(first, long.len());
        let mut inline = vec![ITEM_KEYDATA];
        inline.extend_from_slice(&short);
        let mut next_number = vec![ITEM_KEYDATA];
        next_number.extend_from_slice(&3u32.to_le_bytes());
        builder.hash_page(&[(0, next_number), (1, offpage), (2, inline)]);
        (builder.finish(), vec![long, short])
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
    fn reads_overflow_chains_and_inline_values_in_both_byte_orders() {
        for big_endian in [false, true] {
            let (bytes, expected) = two_packages(big_endian);
            assert!(is_bdb_hash(&bytes));
            assert_eq!(blobs(&bytes).unwrap(), expected, "big endian: {big_endian}");
        }
    }

    #[test]
    fn overflow_loop_is_an_error() {
        let blob = package("openssl", None);
        let mut builder = Builder::new(false);
        let first = builder.overflow(&blob, blob.len() / 2 + 1);
        // Point the second page back at the first.
        builder.put32(first + 1, NEXT_PAGE_OFFSET, u32::try_from(first).unwrap());
        let item = builder.offpage_item(first, blob.len() * 10);
        builder.hash_page(&[(1, item)]);
        let bytes = builder.finish();
        assert!(matches!(blobs(&bytes), Err(RpmDbError::PageLoop { .. })));
    }

    #[test]
    fn corrupt_structures_are_errors() {
        let (good, _) = two_packages(false);
        let page = |number: usize, at: usize| number * PAGE + at;
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        let mut edit = |what: &'static str, at: usize, bytes: &[u8]| {
            let mut copy = good.clone();
            copy[at..at + bytes.len()].copy_from_slice(bytes);
            cases.push((what, copy));
        };
        edit("odd page size", PAGE_SIZE_OFFSET, &1000u32.to_le_bytes());
        edit(
            "huge page size",
            PAGE_SIZE_OFFSET,
            &(1u32 << 20).to_le_bytes(),
        );
        edit("too many pages", LAST_PAGE_OFFSET, &u32::MAX.to_le_bytes());
        edit("pages past the end", LAST_PAGE_OFFSET, &9u32.to_le_bytes());
        edit("encrypted", ENCRYPT_ALGORITHM_OFFSET, &[1]);
        edit("checksummed", META_FLAGS_OFFSET, &[META_FLAG_CHECKSUM]);
        edit("not hash metadata", META_TYPE_OFFSET, &[9]);
        edit("overflow length", page(1, HF_OFFSET_OFFSET), &[0xff, 0xff]);
        edit(
            "chain past the end",
            page(3, NEXT_PAGE_OFFSET),
            &77u32.to_le_bytes(),
        );
        edit(
            "chain into the hash page",
            page(3, NEXT_PAGE_OFFSET),
            &4u32.to_le_bytes(),
        );
        edit("odd item count", page(4, ENTRIES_OFFSET), &[5, 0]);
        edit(
            "item offset past the page",
            page(4, PAGE_HEADER_SIZE + 6),
            &[0xff, 0xff],
        );
        cases.push(("truncated", good[..good.len() - 1].to_vec()));
        for (what, bytes) in cases {
            assert!(blobs(&bytes).is_err(), "{what}");
        }
    }
}
