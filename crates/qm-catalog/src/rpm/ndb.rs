//! rpm's own "ndb" package database (`/usr/lib/sysimage/rpm/Packages.db`), the default on SUSE
//! Linux Enterprise 15 and openSUSE. Laid out by rpm's `lib/backend/ndb/rpmpkg.c`.
//!
//! All integers are little-endian. The file starts with slot pages of 4096 bytes; the first 32
//! bytes of page 0 are the database header (`RpmP` magic, version 0, generation, number of slot
//! pages, next package index), the rest of the slot pages are 16-byte slots (`Slot` magic,
//! package index, block offset, block count). Blocks are 16 bytes. A used slot points at a blob:
//! a 16-byte head (`BlbS` magic, package index, timestamp, blob length), the header blob, zero
//! padding to a block boundary, and a 12-byte tail (Adler-32, blob length again, `BlbE` magic).
//!
//! The format's surprises:
//! - A slot is free when its block offset is 0 (not when its package index is 0, which is what
//!   go-rpmdb tests); a used slot must have a package index and a block count.
//! - The Adler-32 in the tail covers the blob head, the header blob *and* the padding.
//! - Blobs never start inside the slot pages, and the block count must be exactly what the blob
//!   length needs; rpm rejects anything else, and so does this reader.
//!
//! Every slot and blob is checked (magics, index, lengths, bounds, checksum); one bad slot or blob
//! fails the whole file, because a silently shorter package list is worse than an error.

use super::{RpmDbError, header::MAX_HEADER_BYTES};

/// `RpmP`, little-endian, at byte 0.
pub(super) const MAGIC: &[u8; 4] = b"RpmP";
/// The only database version rpm writes.
const VERSION: u32 = 0;
/// Header field offsets.
const VERSION_OFFSET: usize = 4;
const SLOT_PAGES_OFFSET: usize = 12;
/// The header occupies the first two slots of page 0.
const HEADER_SIZE: usize = 32;
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const SLOT_SIZE: usize = 16;
const PAGE_SIZE: usize = 4096;
const BLOCK_SIZE: usize = 16;
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;
/// More slot pages than this is not a real database (go-rpmdb uses the same bound): 2048 pages
/// hold over half a million slots.
const MAX_SLOT_PAGES: u32 = 2048;
/// Adler-32 (RFC 1950): the modulus, and how many bytes may be summed before reducing.
const ADLER_MODULUS: u32 = 65521;
const ADLER_CHUNK: usize = 5552;

/// Calls `visit` with every package header blob, in slot order.
pub(super) fn for_each_blob(
    bytes: &[u8],
    visit: &mut dyn FnMut(&[u8]) -> Result<(), RpmDbError>,
) -> Result<(), RpmDbError> {
    let truncated_header = || RpmDbError::Truncated {
        what: "the ndb header",
        offset: 0,
        size: bytes.len(),
    };
    if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(RpmDbError::UnknownFormat);
    }
    let version = le_u32(bytes, VERSION_OFFSET).ok_or_else(truncated_header)?;
    if version != VERSION {
        return Err(RpmDbError::invalid(
            "the ndb version",
            format!("is {version}; only version {VERSION} exists"),
        ));
    }
    let slot_pages = le_u32(bytes, SLOT_PAGES_OFFSET).ok_or_else(truncated_header)?;
    if slot_pages == 0 || slot_pages > MAX_SLOT_PAGES {
        return Err(RpmDbError::invalid(
            "the ndb slot page count",
            format!("is {slot_pages}, not between 1 and {MAX_SLOT_PAGES}"),
        ));
    }
    // Bounded by MAX_SLOT_PAGES just above.
    let slots_end = usize::try_from(slot_pages)
        .ok()
        .and_then(|pages| pages.checked_mul(PAGE_SIZE))
        .ok_or_else(truncated_header)?;
    let slot_area = bytes
        .get(HEADER_SIZE..slots_end)
        .ok_or(RpmDbError::Truncated {
            what: "the ndb slot pages",
            offset: u64::try_from(slots_end).unwrap_or(u64::MAX),
            size: bytes.len(),
        })?;
    let first_blob_block = slots_end / BLOCK_SIZE;

    for (number, slot) in slot_area.chunks_exact(SLOT_SIZE).enumerate() {
        let slot_number = number + HEADER_SIZE / SLOT_SIZE;
        let place = || format!("ndb slot {slot_number}");
        if slot.get(..4) != Some(SLOT_MAGIC.as_slice()) {
            return Err(RpmDbError::invalid(place(), "has no `Slot` magic"));
        }
        let (Some(package_index), Some(block_offset), Some(block_count)) =
            (le_u32(slot, 4), le_u32(slot, 8), le_u32(slot, 12))
        else {
            return Err(RpmDbError::invalid(place(), "is shorter than 16 bytes"));
        };
        if block_offset == 0 {
            continue;
        }
        if package_index == 0 || block_count == 0 {
            return Err(RpmDbError::invalid(
                place(),
                format!("is used but has package index {package_index}, {block_count} blocks"),
            ));
        }
        let start = usize::try_from(block_offset)
            .ok()
            .filter(|block| *block >= first_blob_block)
            .and_then(|block| block.checked_mul(BLOCK_SIZE))
            .ok_or_else(|| {
                RpmDbError::invalid(
                    place(),
                    format!("points at block {block_offset}, inside the slot pages"),
                )
            })?;
        let length = usize::try_from(block_count)
            .ok()
            .and_then(|count| count.checked_mul(BLOCK_SIZE))
            .filter(|length| {
                *length <= MAX_HEADER_BYTES + BLOB_HEAD_SIZE + BLOB_TAIL_SIZE + BLOCK_SIZE
            })
            .ok_or(RpmDbError::Limit {
                what: "bytes in one package header",
                limit: u64::try_from(MAX_HEADER_BYTES).unwrap_or(u64::MAX),
            })?;
        let block = start
            .checked_add(length)
            .and_then(|end| bytes.get(start..end))
            .ok_or(RpmDbError::Truncated {
                what: "an ndb blob",
                offset: u64::try_from(start).unwrap_or(u64::MAX),
                size: bytes.len(),
            })?;
        visit(blob(block, package_index, &place)?)?;
    }
    Ok(())
}

/// The header blob inside the blocks of one slot, after checking head, tail and checksum.
fn blob<'a>(
    block: &'a [u8],
    package_index: u32,
    place: &dyn Fn() -> String,
) -> Result<&'a [u8], RpmDbError> {
    let bad = |problem: String| RpmDbError::invalid(format!("the blob of {}", place()), problem);
    if block.get(..4) != Some(BLOB_HEAD_MAGIC.as_slice()) {
        return Err(bad("has no `BlbS` magic".to_owned()));
    }
    let head_index = le_u32(block, 4).unwrap_or_default();
    if head_index != package_index {
        return Err(bad(format!(
            "belongs to package {head_index}, not {package_index}"
        )));
    }
    let blob_length = le_u32(block, 12).unwrap_or_default();
    let blob_end = usize::try_from(blob_length)
        .ok()
        .and_then(|length| length.checked_add(BLOB_HEAD_SIZE))
        .filter(|end| {
            end.checked_add(BLOB_TAIL_SIZE + BLOCK_SIZE - 1)
                .is_some_and(|needed| needed / BLOCK_SIZE * BLOCK_SIZE == block.len())
        })
        .ok_or_else(|| {
            bad(format!(
                "is {blob_length} bytes, which does not fill its {} bytes of blocks",
                block.len()
            ))
        })?;
    let tail_start = block
        .len()
        .checked_sub(BLOB_TAIL_SIZE)
        .ok_or_else(|| bad("is shorter than its tail".to_owned()))?;
    let (covered, tail) = block.split_at(tail_start);
    if tail.get(8..12) != Some(BLOB_TAIL_MAGIC.as_slice()) {
        return Err(bad("has no `BlbE` magic".to_owned()));
    }
    if le_u32(tail, 4) != Some(blob_length) {
        return Err(bad(
            "has a tail length that differs from its head".to_owned()
        ));
    }
    let stored = le_u32(tail, 0).unwrap_or_default();
    let computed = adler32(covered);
    if stored != computed {
        return Err(bad(format!(
            "has Adler-32 {computed:#010x}, but its tail records {stored:#010x}"
        )));
    }
    block
        .get(BLOB_HEAD_SIZE..blob_end)
        .ok_or_else(|| bad("runs past its blocks".to_owned()))
}

/// Adler-32 as RFC 1950 defines it.
fn adler32(bytes: &[u8]) -> u32 {
    let (mut low, mut high) = (1u32, 0u32);
    for chunk in bytes.chunks(ADLER_CHUNK) {
        for byte in chunk {
            low += u32::from(*byte);
            high += low;
        }
        low %= ADLER_MODULUS;
        high %= ADLER_MODULUS;
    }
    (high << 16) | low
}

/// A little-endian `u32` at `offset`, if the bytes are there.
fn le_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::header::tests::package;

    /// A database with one slot page and the given blobs, in order.
    fn database(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = vec![0; PAGE_SIZE];
        bytes[..4].copy_from_slice(MAGIC);
        bytes[SLOT_PAGES_OFFSET..16].copy_from_slice(&1u32.to_le_bytes());
        for slot in (HEADER_SIZE..PAGE_SIZE).step_by(SLOT_SIZE) {
            bytes[slot..slot + 4].copy_from_slice(SLOT_MAGIC);
        }
        for (number, blob) in blobs.iter().enumerate() {
            let index = u32::try_from(number + 1).unwrap();
            let start = bytes.len();
            let blocks = (BLOB_HEAD_SIZE + blob.len() + BLOB_TAIL_SIZE).div_ceil(BLOCK_SIZE);
            let mut block = Vec::new();
            block.extend_from_slice(BLOB_HEAD_MAGIC);
            block.extend_from_slice(&index.to_le_bytes());
            block.extend_from_slice(&0u32.to_le_bytes());
            block.extend_from_slice(&u32::try_from(blob.len()).unwrap().to_le_bytes());
            block.extend_from_slice(blob);
            block.resize(blocks * BLOCK_SIZE - BLOB_TAIL_SIZE, 0);
            let checksum = adler32(&block);
            block.extend_from_slice(&checksum.to_le_bytes());
            block.extend_from_slice(&u32::try_from(blob.len()).unwrap().to_le_bytes());
            block.extend_from_slice(BLOB_TAIL_MAGIC);
            bytes.extend_from_slice(&block);
            let slot = HEADER_SIZE + number * SLOT_SIZE;
            let fields = [
                index,
                u32::try_from(start / BLOCK_SIZE).unwrap(),
                u32::try_from(blocks).unwrap(),
            ];
            for (field, value) in fields.iter().enumerate() {
                let at = slot + 4 + field * 4;
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
        }
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
    fn adler32_matches_rfc_1950() {
        // zlib's adler32 of "Wikipedia", the usual worked example.
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(&[0xff; 100_000]), 0x149a_302c);
    }

    #[test]
    fn reads_every_used_slot() {
        let expected = vec![package("bash", None), package("openssl", Some(1))];
        assert_eq!(blobs(&database(&expected)).unwrap(), expected);
    }

    #[test]
    fn corrupt_structures_are_errors() {
        let good = database(&[package("bash", None)]);
        let blob = PAGE_SIZE;
        let tail = good.len() - BLOB_TAIL_SIZE;
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        let mut edit = |what: &'static str, at: usize, bytes: &[u8]| {
            let mut copy = good.clone();
            copy[at..at + bytes.len()].copy_from_slice(bytes);
            cases.push((what, copy));
        };
        edit("version", VERSION_OFFSET, &[1]);
        edit("no slot pages", SLOT_PAGES_OFFSET, &[0]);
        edit("too many slot pages", SLOT_PAGES_OFFSET, &[0, 9]);
        edit("slot magic", HEADER_SIZE, b"Slop");
        edit("slot without package", HEADER_SIZE + 4, &[0]);
        edit("slot into slot pages", HEADER_SIZE + 8, &[1, 0]);
        edit("slot past the end", HEADER_SIZE + 12, &[0xff, 0xff]);
        edit("blob magic", blob, b"BlbX");
        edit("blob of another package", blob + 4, &[2]);
        edit("blob length", blob + 12, &[!good[blob + 12]]);
        edit("blob content", blob + 20, &[0x55]);
        edit("tail checksum", tail, &[!good[tail]]);
        edit("tail magic", tail + 8, b"BlbX");
        cases.push(("truncated", good[..good.len() - 1].to_vec()));
        cases.push(("truncated slot page", good[..100].to_vec()));
        for (what, bytes) in cases {
            assert!(blobs(&bytes).is_err(), "{what}");
        }
    }
}
