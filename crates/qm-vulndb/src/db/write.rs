//! Compiling advisories into the database file.
//!
//! The whole body is built in memory (its checksums go in the header and the block checksum
//! section, before the records), then written with two `write_all` calls. Output is a pure
//! function of the input: keys and ids are sorted, advisories keep the order given.

use std::collections::BTreeMap;
use std::io::Write;

use qm_model::Advisory;

use super::codec::{
    ADVISORY_ENTRY, BLOCK_ENTRY, Encoder, HEADER_LEN, ID_ENTRY, KEY_ENTRY, MAGIC, POSTING_ENTRY,
    RECORD_BLOCK, SCHEMA_VERSION, SECTION_COUNT, SLOT_ENTRY, header, key_hash, slot_count,
};
use super::{DbError, DbMetadata};

/// Converts a count or offset to the u32 the tables store, or says which limit it broke.
fn to_u32(value: usize, what: &'static str) -> Result<u32, DbError> {
    u32::try_from(value).map_err(|_| DbError::TooLarge {
        what,
        limit: u64::from(u32::MAX),
    })
}

fn to_u64(value: usize, what: &'static str) -> Result<u64, DbError> {
    u64::try_from(value).map_err(|_| DbError::TooLarge {
        what,
        limit: u64::MAX,
    })
}

/// Compiles `advisories` and `metadata` into a database file written to `out`.
///
/// Lookups find each affected entry under its exact [`qm_model::PackageKey`]; [`find`] finds
/// each advisory by its id or any alias. Timestamps are stored to the second.
///
/// [`find`]: super::VulnDb::find
pub fn write_db(
    advisories: &[Advisory],
    metadata: &DbMetadata,
    out: &mut impl Write,
) -> Result<(), DbError> {
    let advisory_count = to_u32(advisories.len(), "the number of advisories")?;

    // Keys, sorted by their encoded bytes: the order lookups binary-search in.
    let mut key_indexes: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    for affected in advisories.iter().flat_map(|advisory| &advisory.affected) {
        let mut encoder = Encoder::default();
        encoder.key(&affected.package);
        key_indexes.entry(encoder.bytes).or_insert(0);
    }
    let mut key_blob = Encoder::default();
    let mut key_offsets = Vec::with_capacity(key_indexes.len());
    for (index, (bytes, slot)) in key_indexes.iter_mut().enumerate() {
        *slot = to_u32(index, "the number of package keys")?;
        key_offsets.push(to_u32(key_blob.bytes.len(), "the key section")?);
        key_blob.varint(to_u64(bytes.len(), "a package key")?);
        key_blob.bytes.extend_from_slice(bytes);
    }

    // The hash index: open addressing with linear probing.
    let slots = slot_count(key_indexes.len()).ok_or(DbError::TooLarge {
        what: "the number of package keys",
        limit: u64::from(u32::MAX),
    })?;
    let mask = slots.wrapping_sub(1);
    let mut hash_index = vec![0u8; slots * SLOT_ENTRY];
    for (bytes, index) in &key_indexes {
        let hash = key_hash(bytes);
        // Truncating the hash to usize keeps its low bits, which are the ones used.
        let mut slot = (hash as usize) & mask;
        // The table is at most half full, so an empty slot is always found.
        while hash_index
            .get(slot * SLOT_ENTRY + 4..(slot + 1) * SLOT_ENTRY)
            .is_some_and(|taken| taken != [0; 4])
        {
            slot = (slot + 1) & mask;
        }
        let fingerprint = (hash >> 32) as u32;
        let mut entry = [0u8; SLOT_ENTRY];
        entry[..4].copy_from_slice(&fingerprint.to_le_bytes());
        entry[4..].copy_from_slice(&(index + 1).to_le_bytes());
        if let Some(slot) = hash_index.get_mut(slot * SLOT_ENTRY..(slot + 1) * SLOT_ENTRY) {
            slot.copy_from_slice(&entry);
        }
    }

    // Records, noting where each advisory and each affected entry starts.
    let mut records = Encoder::default();
    let mut advisory_table = Vec::with_capacity(advisories.len() * ADVISORY_ENTRY);
    let mut postings_by_key: Vec<Vec<(u32, u64)>> = vec![Vec::new(); key_indexes.len()];
    let mut query = Encoder::default();
    for (index, advisory) in advisories.iter().enumerate() {
        let index = to_u32(index, "the number of advisories")?;
        let start = to_u64(records.bytes.len(), "the record section")?;
        advisory_table.extend_from_slice(&start.to_le_bytes());
        records.advisory_head(advisory);
        for affected in &advisory.affected {
            query.bytes.clear();
            query.key(&affected.package);
            let key_index = key_indexes.get(&query.bytes).copied().unwrap_or_default();
            let offset = to_u64(records.bytes.len(), "the record section")?;
            if let Some(postings) = usize::try_from(key_index)
                .ok()
                .and_then(|key_index| postings_by_key.get_mut(key_index))
            {
                postings.push((index, offset));
            }
            records.affected(key_index, affected);
        }
    }

    let mut key_table = Vec::with_capacity(key_offsets.len() * KEY_ENTRY);
    let mut posting_table = Vec::new();
    let mut posting_count: usize = 0;
    for (blob_offset, postings) in key_offsets.iter().zip(&postings_by_key) {
        key_table.extend_from_slice(&blob_offset.to_le_bytes());
        key_table
            .extend_from_slice(&to_u32(posting_count, "the number of postings")?.to_le_bytes());
        key_table
            .extend_from_slice(&to_u32(postings.len(), "the number of postings")?.to_le_bytes());
        for (advisory, offset) in postings {
            posting_table.extend_from_slice(&advisory.to_le_bytes());
            posting_table.extend_from_slice(&offset.to_le_bytes());
        }
        posting_count += postings.len();
    }
    debug_assert_eq!(posting_table.len(), posting_count * POSTING_ENTRY);

    // Ids and aliases, lower-cased (ASCII) so `find` ignores case, one entry per advisory.
    let mut ids: Vec<(String, u32)> = Vec::new();
    for (index, advisory) in advisories.iter().enumerate() {
        let index = to_u32(index, "the number of advisories")?;
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            ids.push((id.to_ascii_lowercase(), index));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut id_blob = Encoder::default();
    let mut id_table = Vec::with_capacity(ids.len() * ID_ENTRY);
    for (id, advisory) in &ids {
        id_table.extend_from_slice(&to_u32(id_blob.bytes.len(), "the id section")?.to_le_bytes());
        id_table.extend_from_slice(&advisory.to_le_bytes());
        id_blob.str(id);
    }

    let mut meta = Encoder::default();
    meta.varint(to_u64(metadata.sources.len(), "the number of sources")?);
    for source in &metadata.sources {
        meta.str(&source.name);
        meta.str(&source.location);
        meta.varint(source.records);
        meta.timestamp(source.newest);
    }

    let mut block_checksums =
        Vec::with_capacity(records.bytes.len().div_ceil(RECORD_BLOCK) * BLOCK_ENTRY);
    for block in records.bytes.chunks(RECORD_BLOCK) {
        block_checksums.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(block).to_le_bytes());
    }

    let sections: [&[u8]; SECTION_COUNT] = [
        &meta.bytes,
        &hash_index,
        &key_table,
        &key_blob.bytes,
        &posting_table,
        &id_table,
        &id_blob.bytes,
        &advisory_table,
        &block_checksums,
        &records.bytes,
    ];
    let body_len: usize = sections.iter().map(|section| section.len()).sum();
    let mut body = Vec::with_capacity(body_len);
    for section in sections {
        body.extend_from_slice(section);
    }
    // The header's checksum covers the header's own fields after it and everything but the
    // records, which their block checksums (covered in turn) do.
    let tables = body.len().saturating_sub(records.bytes.len());

    let mut head = [0u8; HEADER_LEN];
    let mut put = |at: usize, bytes: &[u8]| {
        if let Some(slot) = head.get_mut(at..at + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
    };
    put(0, &MAGIC);
    put(header::SCHEMA, &SCHEMA_VERSION.to_le_bytes());
    put(
        header::HEADER_LEN,
        &to_u32(HEADER_LEN, "the header")?.to_le_bytes(),
    );
    put(
        header::BODY_LEN,
        &to_u64(body.len(), "the body")?.to_le_bytes(),
    );
    put(header::BUILT, &metadata.built.unix_seconds().to_le_bytes());
    put(header::ADVISORIES, &advisory_count.to_le_bytes());
    put(
        header::KEYS,
        &to_u32(key_offsets.len(), "the number of package keys")?.to_le_bytes(),
    );
    put(
        header::IDS,
        &to_u32(ids.len(), "the number of ids")?.to_le_bytes(),
    );
    put(
        header::POSTINGS,
        &to_u32(posting_count, "the number of postings")?.to_le_bytes(),
    );
    for (index, section) in sections.iter().enumerate() {
        put(
            header::SECTIONS + 8 * index,
            &to_u64(section.len(), "a section")?.to_le_bytes(),
        );
    }
    let checksum = super::covered_checksum(
        head.get(header::CHECKSUM + 8..).unwrap_or_default(),
        body.get(..tables).unwrap_or_default(),
    );
    if let Some(slot) = head.get_mut(header::CHECKSUM..header::CHECKSUM + 8) {
        slot.copy_from_slice(&checksum.to_le_bytes());
    }

    out.write_all(&head)
        .and_then(|()| out.write_all(&body))
        .and_then(|()| out.flush())
        .map_err(|source| DbError::Write { source })
}
