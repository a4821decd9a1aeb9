//! The roster: every target's latest revision (its id, number, digest and context) with the
//! target's name, packed [`CHUNK_TARGETS`] targets to a row.
//!
//! An `affected` answer about a base image's package holds most of the fleet, and learning
//! which revisions are latest, and whose, one row per target cost SQLite about half a
//! microsecond a row (its per-column work, not I/O): 4 ms of a 10 000-image fleet's answer.
//! Packed, the same is a few dozen rows. The roster is derived data: `add` and `remove`
//! rewrite the one chunk they touch in the same transaction, and [`rebuild`] derives it all
//! from `targets` and `revisions` (the migration that introduced it does).
//!
//! A chunk holds entries in target-id order, each:
//! `target id, revision id, context id, revision number` (i64, little-endian), then the name
//! and the digest, each as a u32 little-endian length and that many bytes of UTF-8.

use crate::error::FleetError;
use crate::sql::{Conn, Param};

/// Targets per chunk (by id): a chunk of typical names and digests is about 8 KiB, which an
/// add rewrites (256 to a chunk cost adds 6 %); reading all of a 10 000-target roster is still
/// under 200 rows.
const CHUNK_TARGETS: i64 = 64;

/// A target's latest revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    pub(crate) target_id: i64,
    pub(crate) revision: i64,
    pub(crate) context: i64,
    pub(crate) number: i64,
    pub(crate) name: &'a str,
    pub(crate) digest: &'a str,
}

/// Appends `entry` to a chunk.
fn encode_into(out: &mut Vec<u8>, entry: &Entry<'_>) {
    for value in [entry.target_id, entry.revision, entry.context, entry.number] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    for text in [entry.name, entry.digest] {
        // Names are at most 256 bytes and digests short; a longer text cannot be stored.
        let length = u32::try_from(text.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
}

/// Why a chunk does not decode.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum DecodeError {
    #[error("it ends inside an entry, at byte {0}")]
    Truncated(usize),
    #[error("the text at byte {0} is not UTF-8")]
    NotUtf8(usize),
}

/// The entries of a chunk, borrowing their texts from it.
pub(crate) fn decode(mut bytes: &[u8]) -> Result<Vec<Entry<'_>>, DecodeError> {
    let total = bytes.len();
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        let at = total - bytes.len();
        let mut integers = [0_i64; 4];
        for integer in &mut integers {
            let (head, rest) = bytes
                .split_first_chunk::<8>()
                .ok_or(DecodeError::Truncated(at))?;
            *integer = i64::from_le_bytes(*head);
            bytes = rest;
        }
        let mut texts = [""; 2];
        for text in &mut texts {
            let (head, rest) = bytes
                .split_first_chunk::<4>()
                .ok_or(DecodeError::Truncated(at))?;
            let length = usize::try_from(u32::from_le_bytes(*head))
                .map_err(|_| DecodeError::Truncated(at))?;
            let (body, rest) = rest
                .split_at_checked(length)
                .ok_or(DecodeError::Truncated(at))?;
            *text = std::str::from_utf8(body).map_err(|_| DecodeError::NotUtf8(at))?;
            bytes = rest;
        }
        let [target_id, revision, context, number] = integers;
        let [name, digest] = texts;
        entries.push(Entry {
            target_id,
            revision,
            context,
            number,
            name,
            digest,
        });
    }
    Ok(entries)
}

pub(crate) fn encode(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 128);
    for entry in entries {
        encode_into(&mut out, entry);
    }
    out
}

fn damaged(chunk: i64, error: &DecodeError) -> FleetError {
    FleetError::Unexpected {
        detail: format!("roster chunk {chunk} is damaged: {error}"),
    }
}

/// Sets (or with `None`, drops) target `target_id`'s entry.
pub(crate) fn set(
    conn: &mut dyn Conn,
    target_id: i64,
    entry: Option<&Entry<'_>>,
) -> Result<(), FleetError> {
    let chunk = target_id.div_euclid(CHUNK_TARGETS);
    let stored = conn.query_opt(
        "SELECT entries FROM roster WHERE chunk = ?",
        &[Param::Int(chunk)],
    )?;
    let bytes = match &stored {
        Some(row) => row.blob(0)?,
        None => &[],
    };
    let mut entries = decode(bytes).map_err(|error| damaged(chunk, &error))?;
    entries.retain(|kept| kept.target_id != target_id);
    if let Some(entry) = entry {
        let at = entries.partition_point(|kept| kept.target_id < target_id);
        entries.insert(at, entry.clone());
    }
    if entries.is_empty() {
        conn.execute("DELETE FROM roster WHERE chunk = ?", &[Param::Int(chunk)])?;
    } else {
        conn.execute(
            "INSERT INTO roster (chunk, entries) VALUES (?, ?) \
             ON CONFLICT (chunk) DO UPDATE SET entries = excluded.entries",
            &[Param::Int(chunk), Param::Blob(&encode(&entries))],
        )?;
    }
    Ok(())
}

/// Derives the whole roster from `targets` and `revisions`.
pub(crate) fn rebuild(conn: &mut dyn Conn) -> Result<(), FleetError> {
    conn.execute("DELETE FROM roster", &[])?;
    let rows = conn.query(
        "SELECT t.id, r.id, r.context_id, r.number, t.name, r.digest \
         FROM targets t JOIN revisions r ON r.id = t.latest_revision",
        &[],
    )?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        entries.push(Entry {
            target_id: row.int(0)?,
            revision: row.int(1)?,
            context: row.int(2)?,
            number: row.int(3)?,
            name: row.text(4)?,
            digest: row.text(5)?,
        });
    }
    entries.sort_by_key(|entry| entry.target_id);
    for chunk in entries.chunk_by(|a, b| {
        a.target_id.div_euclid(CHUNK_TARGETS) == b.target_id.div_euclid(CHUNK_TARGETS)
    }) {
        let Some(first) = chunk.first() else {
            continue;
        };
        conn.execute(
            "INSERT INTO roster (chunk, entries) VALUES (?, ?)",
            &[
                Param::Int(first.target_id.div_euclid(CHUNK_TARGETS)),
                Param::Blob(&encode(chunk)),
            ],
        )?;
    }
    Ok(())
}

/// Hands every entry of the roster to `each`.
pub(crate) fn for_each(
    conn: &mut dyn Conn,
    each: &mut dyn FnMut(&Entry<'_>) -> Result<(), FleetError>,
) -> Result<(), FleetError> {
    conn.query_each("SELECT chunk, entries FROM roster", &[], &mut |row| {
        let chunk = row.int(0)?;
        for entry in decode(row.blob(1)?).map_err(|error| damaged(chunk, &error))? {
            each(&entry)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(target_id: i64, name: &str) -> Entry<'_> {
        Entry {
            target_id,
            revision: target_id * 10,
            context: -1,
            number: i64::MAX,
            name,
            digest: "sha256:ab",
        }
    }

    #[test]
    fn chunks_round_trip() {
        let entries = vec![entry(1, "web"), entry(2, ""), entry(3, "ünïcode/app:1")];
        assert_eq!(decode(&encode(&entries)).unwrap(), entries);
        assert_eq!(decode(&[]).unwrap(), []);
    }

    #[test]
    fn damaged_chunks_are_refused() {
        let bytes = encode(&[entry(1, "web"), entry(2, "db")]);
        for cut in 1..bytes.len() {
            let Err(error) = decode(&bytes[..cut]) else {
                // A cut between two entries leaves a whole first entry.
                assert_eq!(decode(&bytes[..cut]).unwrap().len(), 1);
                continue;
            };
            assert!(matches!(error, DecodeError::Truncated(_)), "{error}");
        }
        let mut bad = encode(&[entry(1, "web")]);
        let name_at = 4 * 8 + 4;
        bad[name_at] = 0xff;
        assert_eq!(decode(&bad), Err(DecodeError::NotUtf8(0)));
        // A length past the end.
        let mut long = encode(&[entry(1, "web")]);
        long[4 * 8..4 * 8 + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&long), Err(DecodeError::Truncated(0)));
    }
}
