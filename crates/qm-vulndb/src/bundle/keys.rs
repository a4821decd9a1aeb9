//! Ed25519 keys for signing bundles, and their text encodings.
//!
//! A secret key file is two lines: the tag and the 32-byte seed in lowercase hex.
//!
//! ```text
//! qm-signing-key-v1
//! 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
//! ```
//!
//! A public key is one line: the tag, the 32-byte key in lowercase hex, and an optional comment
//! (the rest of the line). A trust file lists several, one a line; blank lines and lines starting
//! with `#` are ignored, so a host can trust an old and a new key while keys rotate.
//!
//! ```text
//! # build host, 2025 key
//! qm-public-key-v1 d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a builder-2025
//! ```
//!
//! A key's fingerprint is the first 16 hex digits of the SHA-256 of its 32 public bytes; errors
//! and manifests name keys by it.
//!
//! Surprises: the secret key file is written with mode 0600 and never over an existing file;
//! keys that are small-order points ("weak" keys, for which forged signatures are easy) are
//! rejected when parsed. `ed25519-dalek` stays out of the public API.

use std::fmt;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};

use super::BundleError;

/// The first line of a secret key file.
const SECRET_TAG: &str = "qm-signing-key-v1";
/// The first word of a public key line.
const PUBLIC_TAG: &str = "qm-public-key-v1";
/// Hex digits of a fingerprint.
const FINGERPRINT_HEX_DIGITS: usize = 16;
/// The longest key file we read (a trust file with many keys and comments fits easily).
const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;

/// An Ed25519 secret key that signs bundles.
///
/// Its `Debug` shows the fingerprint only; the secret is zeroed when the key is dropped.
pub struct SigningKey(ed25519_dalek::SigningKey);

/// An Ed25519 public key that bundles are verified with, and an optional comment.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: ed25519_dalek::VerifyingKey,
    comment: String,
}

impl SigningKey {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<SigningKey, BundleError> {
        let mut seed = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
        getrandom::fill(&mut seed).map_err(|error| BundleError::Randomness {
            reason: error.to_string(),
        })?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(SigningKey(key))
    }

    /// Reads the secret key file format (see the module docs).
    pub fn parse(text: &str) -> Result<SigningKey, BundleError> {
        parse_secret(text).map_err(|reason| BundleError::BadKey { reason })
    }

    /// Reads a secret key file.
    pub fn read_file(path: &Path) -> Result<SigningKey, BundleError> {
        let text = read_key_file(path)?;
        parse_secret(&text).map_err(|reason| BundleError::BadKeyFile {
            path: path.to_owned(),
            line: 1,
            reason,
        })
    }

    /// The secret key file's text. Keep it secret; prefer [`SigningKey::write_secret_key`].
    pub fn to_text(&self) -> String {
        format!("{SECRET_TAG}\n{}\n", hex::encode(self.0.to_bytes()))
    }

    /// Writes the secret key file to `path` with mode 0600 (on Unix), refusing to overwrite an
    /// existing file.
    pub fn write_secret_key(&self, path: &Path) -> Result<(), BundleError> {
        let mut options = fs_err::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use fs_err::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                BundleError::KeyExists {
                    path: path.to_owned(),
                }
            } else {
                BundleError::io("create", path, source)
            }
        })?;
        file.write_all(self.to_text().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| BundleError::io("write", path, source))
    }

    /// The public half, without a comment.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.0.verifying_key(),
            comment: String::new(),
        }
    }

    /// The public key's fingerprint.
    pub fn fingerprint(&self) -> String {
        self.public_key().fingerprint()
    }

    /// The detached signature of `message`, as 64 bytes.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; ed25519_dalek::SIGNATURE_LENGTH] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Reads one `qm-public-key-v1 <hex> [comment]` line.
    pub fn parse(line: &str) -> Result<PublicKey, BundleError> {
        parse_public(line).map_err(|reason| BundleError::BadKey { reason })
    }

    /// Reads every key in a trust file's text (see the module docs); an error names its line.
    /// The list may be empty.
    pub fn parse_list(text: &str) -> Result<Vec<PublicKey>, BundleError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key = parse_public(line).map_err(|reason| BundleError::BadKeyLine {
                line: index.saturating_add(1),
                reason,
            })?;
            keys.push(key);
        }
        Ok(keys)
    }

    /// Reads a trust file (or a single public key file): every key in it.
    pub fn read_trust_file(path: &Path) -> Result<Vec<PublicKey>, BundleError> {
        let text = read_key_file(path)?;
        PublicKey::parse_list(&text).map_err(|error| match error {
            BundleError::BadKeyLine { line, reason } => BundleError::BadKeyFile {
                path: path.to_owned(),
                line,
                reason,
            },
            other => other,
        })
    }

    /// This key with `comment` (line breaks and control characters become spaces).
    pub fn with_comment(mut self, comment: &str) -> PublicKey {
        self.comment = comment
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_owned();
        self
    }

    /// The comment, possibly empty.
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// The one-line text form, with a trailing newline.
    pub fn to_text(&self) -> String {
        let hex = hex::encode(self.key.to_bytes());
        if self.comment.is_empty() {
            format!("{PUBLIC_TAG} {hex}\n")
        } else {
            format!("{PUBLIC_TAG} {hex} {}\n", self.comment)
        }
    }

    /// The first 16 hex digits of the SHA-256 of the key's 32 bytes.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.key.to_bytes());
        let mut text = hex::encode(digest);
        text.truncate(FINGERPRINT_HEX_DIGITS);
        text
    }

    /// Whether `signature` is this key's signature of `message` (strict verification: no
    /// malleable or small-order signatures).
    pub(crate) fn verifies(
        &self,
        message: &[u8],
        signature: &[u8; ed25519_dalek::SIGNATURE_LENGTH],
    ) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("fingerprint", &self.fingerprint())
            .field("comment", &self.comment)
            .finish()
    }
}

fn read_key_file(path: &Path) -> Result<String, BundleError> {
    let metadata =
        fs_err::metadata(path).map_err(|source| BundleError::io("read", path, source))?;
    if metadata.len() > MAX_KEY_FILE_BYTES {
        return Err(BundleError::BadKeyFile {
            path: path.to_owned(),
            line: 1,
            reason: format!(
                "the file is {} bytes, more than a key file's limit of {MAX_KEY_FILE_BYTES}",
                metadata.len()
            ),
        });
    }
    fs_err::read_to_string(path).map_err(|source| BundleError::io("read", path, source))
}

fn parse_secret(text: &str) -> Result<SigningKey, String> {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    match lines.next() {
        Some(SECRET_TAG) => {}
        Some(line) if line.starts_with(PUBLIC_TAG) => {
            return Err(format!(
                "this is a public key; signing needs the secret key file starting `{SECRET_TAG}`"
            ));
        }
        _ => {
            return Err(format!(
                "a secret key file starts with the line `{SECRET_TAG}`"
            ));
        }
    }
    let seed = lines
        .next()
        .ok_or_else(|| "the key line after the tag is missing".to_owned())?;
    let seed = decode_hex_array::<{ ed25519_dalek::SECRET_KEY_LENGTH }>(seed)?;
    if lines.next().is_some() {
        return Err("unexpected text after the key line".to_owned());
    }
    Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
}

fn parse_public(line: &str) -> Result<PublicKey, String> {
    let mut words = line.trim().splitn(3, char::is_whitespace);
    match words.next() {
        Some(PUBLIC_TAG) => {}
        Some(SECRET_TAG) => {
            return Err(
                "this is a secret key; trust the public key (`qm db keygen` writes it beside the secret one)"
                    .to_owned(),
            );
        }
        _ => return Err(format!("a public key line starts with `{PUBLIC_TAG}`")),
    }
    let bytes = words
        .next()
        .ok_or_else(|| format!("the hex key after `{PUBLIC_TAG}` is missing"))?;
    let bytes = decode_hex_array::<{ ed25519_dalek::PUBLIC_KEY_LENGTH }>(bytes)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| "the bytes are not an Ed25519 public key".to_owned())?;
    if key.is_weak() {
        return Err("the key is a small-order (weak) Ed25519 point".to_owned());
    }
    let comment = words.next().unwrap_or("").trim().to_owned();
    Ok(PublicKey { key, comment })
}

/// Exactly `N` bytes from `2 * N` hex digits (either case).
pub(crate) fn decode_hex_array<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes).map_err(|error| match error {
        hex::FromHexError::InvalidStringLength | hex::FromHexError::OddLength => format!(
            "expected {} hex digits, found {}",
            N.saturating_mul(2),
            text.chars().count()
        ),
        hex::FromHexError::InvalidHexCharacter { c, index } => {
            format!(
                "`{}` at position {index} is not a hex digit",
                c.escape_debug()
            )
        }
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_text_round_trips() {
        let key = SigningKey::generate().unwrap();
        let again = SigningKey::parse(&key.to_text()).unwrap();
        assert_eq!(key.fingerprint(), again.fingerprint());
        assert_eq!(key.fingerprint().len(), 16);
    }

    #[test]
    fn seed_gives_the_rfc_8032_public_key() {
        // RFC 8032 section 7.1, TEST 1.
        let text =
            "qm-signing-key-v1\n9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n";
        let key = SigningKey::parse(text).unwrap();
        assert_eq!(key.to_text(), text);
        assert_eq!(
            key.public_key().to_text(),
            "qm-public-key-v1 d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n"
        );
    }

    #[test]
    fn public_key_text_round_trips_with_comment() {
        let key = SigningKey::generate()
            .unwrap()
            .public_key()
            .with_comment("build\nhost");
        assert_eq!(key.comment(), "build host");
        let again = PublicKey::parse(&key.to_text()).unwrap();
        assert_eq!(again, key);
    }

    #[test]
    fn bad_key_texts_are_rejected() {
        let public = format!("{PUBLIC_TAG} {}", "11".repeat(32));
        let cases: &[(&str, &str)] = &[
            ("", "starts with the line"),
            ("qm-signing-key-v1\n", "missing"),
            ("qm-signing-key-v1\nzz", "expected 64 hex digits"),
            ("qm-signing-key-v1\n0011", "expected 64 hex digits"),
            (&public, "this is a public key"),
        ];
        for (text, expected) in cases {
            let error = SigningKey::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        // The identity point (y = 1): small order, so any signature "verifies" loosely.
        let weak = format!("{PUBLIC_TAG} 01{}", "00".repeat(31));
        let cases: &[(&str, &str)] = &[
            ("ssh-ed25519 AAAA", "starts with `qm-public-key-v1`"),
            ("qm-public-key-v1", "missing"),
            ("qm-public-key-v1 12", "expected 64 hex digits"),
            ("qm-signing-key-v1 00", "this is a secret key"),
            (&weak, "weak"),
        ];
        for (text, expected) in cases {
            let error = PublicKey::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn trust_file_skips_comments_and_names_bad_lines() {
        let first = SigningKey::generate().unwrap().public_key();
        let second = SigningKey::generate().unwrap().public_key();
        let text = format!("# keys\n\n{}{}", first.to_text(), second.to_text());
        assert_eq!(PublicKey::parse_list(&text).unwrap(), vec![first, second]);
        let error = PublicKey::parse_list("# x\n\nnonsense\n").unwrap_err();
        assert!(
            matches!(error, BundleError::BadKeyLine { line: 3, .. }),
            "{error}"
        );
    }
}
