//! The reduced form of a Java archive: just its metadata files, for the source layer to keep
//! instead of the whole (often 100 MB) archive.
//!
//! Layout: the [`MAGIC`] line, then records. Each record is one kind byte followed by fields;
//! a field is a little-endian `u32` length and that many bytes.
//!
//! | kind | fields | meaning |
//! | --- | --- | --- |
//! | `A` | a `u32` count, then that many entry names | an archive starts; the names lead from the outer archive to it (none for the outer one) |
//! | `M` | contents | the archive's `META-INF/MANIFEST.MF`, already trimmed |
//! | `P` | entry name, contents | one `pom.properties` of the archive |
//! | `E` | message | something in the archive could not be read |
//!
//! `M`, `P` and `E` belong to the last `A` before them. The format is ours and private: it
//! lives only between a reduce and a parse in one process, so it has no compatibility to
//! keep, but it is decoded as hostile input all the same.

use super::ArchiveMetadata;

/// The first bytes of the reduced form. A zip never starts with a NUL byte.
pub(super) const MAGIC: &[u8] = b"\0qm-java-metadata/1\n";

/// Deeper chains than this cannot come from the walk; they mark a corrupt reduced form.
const MAX_CHAIN: usize = 64;

/// Encodes archives in the reduced form, magic included.
pub(super) fn encode(archives: &[ArchiveMetadata]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    for archive in archives {
        out.push(b'A');
        push_length(&mut out, archive.chain.len());
        for name in &archive.chain {
            push_field(&mut out, name.as_bytes());
        }
        if let Some(manifest) = &archive.manifest {
            out.push(b'M');
            push_field(&mut out, manifest);
        }
        for (name, contents) in &archive.pom_properties {
            out.push(b'P');
            push_field(&mut out, name.as_bytes());
            push_field(&mut out, contents);
        }
        for problem in &archive.problems {
            out.push(b'E');
            push_field(&mut out, problem.as_bytes());
        }
    }
    out
}

/// Writes a length as a little-endian `u32`, saturating (no field comes near 4 GiB: the walk
/// caps every entry far below).
fn push_length(out: &mut Vec<u8>, length: usize) {
    let length = u32::try_from(length).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_le_bytes());
}

/// Writes one field, cut to what its length can say.
fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    let limit = usize::try_from(u32::MAX).unwrap_or(usize::MAX);
    let bytes = bytes.get(..limit).unwrap_or(bytes);
    push_length(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Decodes what follows the magic; the error says at which byte and why it is not the form.
pub(super) fn decode(body: &[u8]) -> Result<Vec<ArchiveMetadata>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let mut archives: Vec<ArchiveMetadata> = Vec::new();
    while let Some(kind) = reader.byte() {
        let start = reader.at.saturating_sub(1);
        if kind == b'A' {
            let count = reader.length()?;
            if count > MAX_CHAIN {
                return Err(format!(
                    "archive record at byte {start} nests {count} levels"
                ));
            }
            let mut chain = Vec::new();
            for _ in 0..count {
                chain.push(reader.text()?);
            }
            archives.push(ArchiveMetadata {
                chain,
                ..ArchiveMetadata::default()
            });
            continue;
        }
        let Some(archive) = archives.last_mut() else {
            return Err(format!("record at byte {start} comes before any archive"));
        };
        match kind {
            b'M' => archive.manifest = Some(reader.field()?.to_vec()),
            b'P' => {
                let name = reader.text()?;
                let contents = reader.field()?.to_vec();
                archive.pom_properties.push((name, contents));
            }
            b'E' => archive.problems.push(reader.text()?),
            other => {
                return Err(format!(
                    "unknown record kind `{other:#04x}` at byte {start}"
                ));
            }
        }
    }
    if archives.is_empty() {
        return Err("no archive record".to_owned());
    }
    Ok(archives)
}

/// Reads fields off the body, never past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at = self.at.saturating_add(1);
        Some(byte)
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(length);
        let taken = end.and_then(|end| self.bytes.get(self.at..end));
        match (taken, end) {
            (Some(taken), Some(end)) => {
                self.at = end;
                Ok(taken)
            }
            _ => Err(format!(
                "a {length}-byte field at byte {} runs past the end",
                self.at
            )),
        }
    }

    fn length(&mut self) -> Result<usize, String> {
        let bytes: [u8; 4] = self
            .take(4)?
            .try_into()
            .map_err(|_| "a length is not 4 bytes".to_owned())?;
        usize::try_from(u32::from_le_bytes(bytes)).map_err(|error| error.to_string())
    }

    fn field(&mut self) -> Result<&'a [u8], String> {
        let length = self.length()?;
        self.take(length)
    }

    fn text(&mut self) -> Result<String, String> {
        let at = self.at;
        let field = self.field()?;
        String::from_utf8(field.to_vec()).map_err(|_| format!("the text at byte {at} is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<ArchiveMetadata> {
        vec![
            ArchiveMetadata {
                chain: Vec::new(),
                manifest: Some(b"Implementation-Version: 1\n".to_vec()),
                pom_properties: vec![(
                    "META-INF/maven/g/a/pom.properties".to_owned(),
                    b"groupId=g\n".to_vec(),
                )],
                problems: vec!["`x.jar` not read".to_owned()],
            },
            ArchiveMetadata {
                chain: vec!["WEB-INF/lib/x.jar".to_owned()],
                manifest: None,
                pom_properties: Vec::new(),
                problems: Vec::new(),
            },
        ]
    }

    #[test]
    fn round_trips() {
        let encoded = encode(&sample());
        let body = encoded.strip_prefix(MAGIC).unwrap();
        assert_eq!(decode(body).unwrap(), sample());
    }

    #[test]
    fn every_truncation_is_an_error_or_a_prefix() {
        let encoded = encode(&sample());
        let body = encoded.strip_prefix(MAGIC).unwrap();
        for end in 0..body.len() {
            // A cut at a record boundary is a shorter valid form; anywhere else an error.
            if let Ok(archives) = decode(&body[..end]) {
                assert!(archives.len() <= 2, "{end}");
            }
        }
    }

    #[test]
    fn corrupt_forms_are_errors() {
        for body in [
            &b""[..],
            b"M\0\0\0\0",
            b"A\0\0\0\0Z",
            b"A\xff\xff\xff\xff",
            b"A\x01\0\0\0\x02\0\0\0\xff\xfe",
        ] {
            assert!(decode(body).is_err(), "{body:?}");
        }
    }
}
