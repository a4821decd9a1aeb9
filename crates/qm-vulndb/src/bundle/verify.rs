//! Reading and checking a bundle: structure, limits, signature, digest, in that order.
//!
//! The archive is read as a stream, once, with the `tar` crate in raw mode (so PAX and GNU
//! extension headers show up as members of their own and are refused instead of silently
//! rewriting names and sizes). The signature is checked before `qm.db` is read, so an untrusted
//! bundle costs at most the manifest's megabyte of memory.
//!
//! Surprise: the `tar` crate reports truncation and corruption alike as `io::Error`s of kind
//! `Other`, and treats end of file at a header boundary as a normal end. A [`Tracked`] reader
//! watches the stream underneath so the two can be told apart and a missing end-of-archive
//! marker is noticed.

use std::cell::Cell;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::error::member_name;
use super::keys::decode_hex_array;
use super::{
    BundleError, BundleLimits, BundleManifest, DB_MEMBER, MANIFEST_MEMBER, MAX_SIGNATURE_BYTES,
    MAX_TRAILER_BYTES, PublicKey, SIGNATURE_MEMBER,
};

/// A tar block.
const BLOCK: u64 = 512;
/// The most memory reserved up front for a member, whatever its header claims.
const MAX_PREALLOCATION: u64 = 64 * 1024 * 1024;
/// The members in their required order.
const ORDER: [&str; 3] = [MANIFEST_MEMBER, SIGNATURE_MEMBER, DB_MEMBER];

/// A bundle whose structure, signature and database digest all checked out.
///
/// Only [`verify_bundle`] makes one, so holding one means the checks passed.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    manifest: BundleManifest,
    manifest_bytes: Vec<u8>,
    db: Vec<u8>,
    signer: PublicKey,
}

impl VerifiedBundle {
    /// The signed manifest.
    pub fn manifest(&self) -> &BundleManifest {
        &self.manifest
    }

    /// The database's bytes.
    pub fn db_bytes(&self) -> &[u8] {
        &self.db
    }

    /// The trusted key whose signature verified (with the trust file's comment).
    pub fn signer(&self) -> &PublicKey {
        &self.signer
    }

    /// The manifest exactly as signed.
    pub(crate) fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }
}

/// Reads a bundle from `bundle` and checks it against `trusted` keys (any one may have signed it,
/// so keys can rotate) and `limits`; returns the manifest and database only if every check in
/// the module docs passes.
pub fn verify_bundle(
    bundle: impl Read,
    trusted: &[PublicKey],
    limits: &BundleLimits,
) -> Result<VerifiedBundle, BundleError> {
    if trusted.is_empty() {
        return Err(BundleError::NoTrustedKeys);
    }
    let state = StreamState::default();
    let mut archive = tar::Archive::new(Tracked {
        inner: bundle,
        state: &state,
    });
    let verified = read_members(&mut archive, &state, trusted, limits)?;
    let mut rest = Vec::new();
    archive
        .into_inner()
        .take(MAX_TRAILER_BYTES.saturating_add(1))
        .read_to_end(&mut rest)
        .map_err(|error| state.classify(error, "after the end-of-archive marker"))?;
    check_trailer(&rest)?;
    Ok(verified)
}

/// What the stream underneath the archive did, for telling truncation from corruption.
#[derive(Default)]
struct StreamState {
    /// Bytes read so far.
    offset: Cell<u64>,
    /// The stream reported end of file.
    eof: Cell<bool>,
    /// The stream itself failed (the error is the stream's, not the archive's).
    failed: Cell<bool>,
}

impl StreamState {
    /// An error from the `tar` crate or the stream, as the specific bundle error.
    fn classify(&self, error: io::Error, context: &str) -> BundleError {
        if self.failed.get() {
            BundleError::ReadBundle { source: error }
        } else if self.eof.get() {
            self.truncated(context)
        } else {
            BundleError::Malformed {
                reason: format!("{error} ({context})"),
            }
        }
    }

    fn truncated(&self, context: &str) -> BundleError {
        let offset = self.offset.get();
        let context = if offset == 0 {
            "the file is empty".to_owned()
        } else {
            format!("it ends after {offset} bytes, {context}")
        };
        BundleError::Truncated { context }
    }
}

/// A reader that records into a [`StreamState`] what its inner reader does.
struct Tracked<'s, R> {
    inner: R,
    state: &'s StreamState,
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(0) if !buf.is_empty() => {
                self.state.eof.set(true);
                Ok(0)
            }
            Ok(read) => {
                let read_u64 = u64::try_from(read).unwrap_or(u64::MAX);
                self.state
                    .offset
                    .set(self.state.offset.get().saturating_add(read_u64));
                Ok(read)
            }
            Err(error) => {
                if error.kind() != io::ErrorKind::Interrupted {
                    self.state.failed.set(true);
                }
                Err(error)
            }
        }
    }
}

fn read_members<R: Read>(
    archive: &mut tar::Archive<R>,
    state: &StreamState,
    trusted: &[PublicKey],
    limits: &BundleLimits,
) -> Result<VerifiedBundle, BundleError> {
    let mut entries = archive
        .entries()
        .map_err(|error| state.classify(error, "at the start"))?
        .raw(true);

    let mut manifest_entry = next_member(&mut entries, state, 0)?;
    let manifest_bytes = read_member(
        &mut manifest_entry,
        state,
        MANIFEST_MEMBER,
        limits.max_manifest,
    )?;
    drop(manifest_entry);

    let mut signature_entry = next_member(&mut entries, state, 1)?;
    let signature_text = read_member(
        &mut signature_entry,
        state,
        SIGNATURE_MEMBER,
        MAX_SIGNATURE_BYTES,
    )?;
    drop(signature_entry);

    let signer = check_signature(&manifest_bytes, &signature_text, trusted)?;
    let manifest: BundleManifest =
        serde_json::from_slice(&manifest_bytes).map_err(|error| BundleError::BadManifest {
            reason: error.to_string(),
        })?;
    manifest
        .validate()
        .map_err(|reason| BundleError::BadManifest { reason })?;

    let mut db_entry = next_member(&mut entries, state, 2)?;
    let found = db_entry.size();
    if found > limits.max_db {
        return Err(BundleError::TooLarge {
            member: DB_MEMBER.to_owned(),
            size: found,
            limit: limits.max_db,
        });
    }
    if found != manifest.db.size {
        return Err(BundleError::SizeMismatch {
            expected: manifest.db.size,
            found,
        });
    }
    let db = read_member(&mut db_entry, state, DB_MEMBER, limits.max_db)?;
    drop(db_entry);
    let digest = hex::encode(Sha256::digest(&db));
    if !digest.eq_ignore_ascii_case(&manifest.db.sha256) {
        return Err(BundleError::DigestMismatch {
            expected: manifest.db.sha256.clone(),
            found: digest,
        });
    }

    match entries.next() {
        None if state.eof.get() => Err(state.truncated("where the end-of-archive marker belongs")),
        None => Ok(VerifiedBundle {
            manifest,
            manifest_bytes,
            db,
            signer,
        }),
        Some(Err(error)) => Err(state.classify(error, "after `qm.db`")),
        Some(Ok(entry)) => {
            let name = entry.path_bytes();
            check_type(&entry, &name)?;
            match ORDER
                .iter()
                .find(|member| member.as_bytes() == name.as_ref())
            {
                Some(member) => Err(BundleError::DuplicateMember {
                    name: (*member).to_owned(),
                }),
                None => Err(BundleError::UnexpectedMember {
                    name: member_name(&name),
                }),
            }
        }
    }
}

/// The next entry, which must be the regular file `ORDER[position]`.
fn next_member<'a, R: Read>(
    entries: &mut tar::Entries<'a, R>,
    state: &StreamState,
    position: usize,
) -> Result<tar::Entry<'a, R>, BundleError> {
    let expected = ORDER.get(position).copied().unwrap_or(DB_MEMBER);
    let entry = match entries.next() {
        // End of file where a header belongs: cut short. A zero block: the archive ended.
        None if state.eof.get() => {
            return Err(state.truncated(&format!("where `{expected}` belongs")));
        }
        None if expected == SIGNATURE_MEMBER => return Err(BundleError::Unsigned),
        None => {
            return Err(BundleError::MissingMember {
                name: expected.to_owned(),
            });
        }
        Some(Err(error)) => {
            return Err(state.classify(error, &format!("in the header of `{expected}`")));
        }
        Some(Ok(entry)) => entry,
    };
    let name = entry.path_bytes().into_owned();
    check_type(&entry, &name)?;
    if name == expected.as_bytes() {
        return Ok(entry);
    }
    let Some(found) = ORDER
        .iter()
        .position(|member| member.as_bytes() == name.as_slice())
    else {
        return Err(BundleError::UnexpectedMember {
            name: member_name(&name),
        });
    };
    let found_name = ORDER.get(found).copied().unwrap_or(DB_MEMBER).to_owned();
    if found < position {
        Err(BundleError::DuplicateMember { name: found_name })
    } else if expected == SIGNATURE_MEMBER {
        Err(BundleError::Unsigned)
    } else {
        Err(BundleError::MisplacedMember {
            name: found_name,
            expected: expected.to_owned(),
        })
    }
}

/// Refuses anything but a regular file: links, directories, devices, extension headers.
fn check_type<R: Read>(entry: &tar::Entry<'_, R>, name: &[u8]) -> Result<(), BundleError> {
    let kind = entry.header().entry_type();
    if kind.is_file() {
        return Ok(());
    }
    let kind = match kind {
        tar::EntryType::Symlink => "symbolic link".to_owned(),
        tar::EntryType::Link => "hard link".to_owned(),
        tar::EntryType::Directory => "directory".to_owned(),
        tar::EntryType::XHeader | tar::EntryType::XGlobalHeader => {
            "PAX extension header".to_owned()
        }
        tar::EntryType::GNULongName | tar::EntryType::GNULongLink => {
            "GNU long-name header".to_owned()
        }
        other => format!("tar entry of type `{}`", member_name(&[other.as_byte()])),
    };
    Err(BundleError::UnexpectedMemberType {
        name: member_name(name),
        kind,
    })
}

/// A member's bytes, after checking its header size against `limit`.
fn read_member<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    state: &StreamState,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, BundleError> {
    let size = entry.size();
    if size > limit {
        return Err(BundleError::TooLarge {
            member: name.to_owned(),
            size,
            limit,
        });
    }
    let mut data = Vec::new();
    let reserve = usize::try_from(size.min(MAX_PREALLOCATION)).unwrap_or(0);
    // A failed reservation only loses the optimisation; `read_to_end` grows the buffer.
    let _ = data.try_reserve_exact(reserve);
    entry
        .take(size)
        .read_to_end(&mut data)
        .map_err(|error| state.classify(error, &format!("inside `{name}`")))?;
    let read = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if read != size {
        return Err(BundleError::Truncated {
            context: format!("`{name}` ends after {read} of its {size} bytes"),
        });
    }
    Ok(data)
}

/// The trusted key that signed `manifest`, or why none did.
fn check_signature(
    manifest: &[u8],
    signature_text: &[u8],
    trusted: &[PublicKey],
) -> Result<PublicKey, BundleError> {
    let text =
        std::str::from_utf8(signature_text).map_err(|_| BundleError::MalformedSignature {
            reason: "`manifest.sig` is not text".to_owned(),
        })?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return Err(BundleError::Unsigned);
    }
    let signature = decode_hex_array::<64>(text)
        .map_err(|reason| BundleError::MalformedSignature { reason })?;
    if let Some(key) = trusted
        .iter()
        .find(|key| key.verifies(manifest, &signature))
    {
        return Ok(key.clone());
    }
    let fingerprints: Vec<String> = trusted.iter().map(PublicKey::fingerprint).collect();
    // The manifest is not authentic, but the signer it names tells a wrong key from tampering.
    let claimed = serde_json::from_slice::<serde_json::Value>(manifest)
        .ok()
        .and_then(|value| {
            value
                .get("signer")
                .and_then(|signer| signer.as_str())
                .map(|signer| member_name(signer.as_bytes()))
        });
    match claimed {
        Some(fingerprint) if !fingerprints.contains(&fingerprint) => {
            Err(BundleError::UntrustedSigner {
                fingerprint,
                trusted: fingerprints,
            })
        }
        _ => Err(BundleError::BadSignature {
            trusted: fingerprints,
        }),
    }
}

/// What follows the first zero block: the second, then only zero padding.
fn check_trailer(rest: &[u8]) -> Result<(), BundleError> {
    let length = u64::try_from(rest.len()).unwrap_or(u64::MAX);
    if length > MAX_TRAILER_BYTES {
        return Err(BundleError::Malformed {
            reason: format!("more than {MAX_TRAILER_BYTES} bytes follow the end of the archive"),
        });
    }
    if rest.iter().any(|byte| *byte != 0) {
        return Err(BundleError::Malformed {
            reason: "data follows the end-of-archive marker".to_owned(),
        });
    }
    if length < BLOCK {
        return Err(BundleError::Truncated {
            context: "the end-of-archive marker is incomplete".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_needs_the_second_zero_block_and_nothing_else() {
        let cases: [(Vec<u8>, &str); 5] = [
            (vec![0; 512], "ok"),
            (vec![0; 512 * 19], "ok"),
            (vec![0; 100], "truncated"),
            ([vec![0; 512], b"x".to_vec()].concat(), "not a valid"),
            (vec![0; 70 * 1024], "follow the end"),
        ];
        for (rest, expected) in cases {
            let outcome = match check_trailer(&rest) {
                Ok(()) => "ok".to_owned(),
                Err(error) => error.to_string(),
            };
            assert!(
                outcome.contains(expected),
                "{} bytes: {outcome}",
                rest.len()
            );
        }
    }
}
