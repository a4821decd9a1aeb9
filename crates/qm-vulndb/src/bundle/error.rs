//! The one error type of the bundle module: what went wrong, on what, and (where there is a
//! concrete step) what to do next.
//!
//! Surprise: names read from a bundle are attacker-controlled, so they are stored already
//! escaped and shortened (see [`member_name`]) and can be printed to a terminal as they are.

use std::io;
use std::path::PathBuf;

use qm_model::Timestamp;

/// Why a key could not be made, a bundle could not be written, verified or installed.
///
/// Whenever verification or installation fails, the installed database has not been touched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Key text that is not a `qm-signing-key-v1` or `qm-public-key-v1` key.
    #[error("invalid key: {reason}")]
    BadKey {
        /// What is wrong with it.
        reason: String,
    },
    /// Trust-file text with an invalid key on one line.
    #[error("invalid key on line {line}: {reason}")]
    BadKeyLine {
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A key file (secret key or trust file) with an invalid key in it.
    #[error("invalid key in `{path}` line {line}: {reason}")]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// `write_secret_key` would overwrite an existing file.
    #[error("`{path}` already exists; refusing to overwrite a key")]
    KeyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// The operating system would not hand out randomness for a new key.
    #[error("no randomness available to generate a key: {reason}")]
    Randomness {
        /// The operating system's answer.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("failed to {action} `{path}`")]
    Io {
        /// What we were doing (`read`, `write`, `rename`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The bundle stream itself could not be read (not truncation: an I/O failure).
    #[error("failed to read the bundle")]
    ReadBundle {
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The bundle could not be written.
    #[error("failed to write the bundle")]
    WriteBundle {
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The bundle ends before its end-of-archive marker.
    #[error("the bundle is truncated ({context})")]
    Truncated {
        /// Where it ended.
        context: String,
    },
    /// The bundle is not a well-formed tar archive.
    #[error("the bundle is not a valid qm bundle: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// A member other than `manifest.json`, `manifest.sig` and `qm.db`.
    #[error(
        "the bundle holds an unexpected member `{name}`; a bundle holds only `manifest.json`, `manifest.sig` and `qm.db`"
    )]
    UnexpectedMember {
        /// The member's name, escaped.
        name: String,
    },
    /// A member that is not a regular file (a link, directory, device, tar extension header).
    #[error("bundle member `{name}` is a {kind}, not a regular file")]
    UnexpectedMemberType {
        /// The member's name, escaped.
        name: String,
        /// The tar entry type.
        kind: String,
    },
    /// The same member twice.
    #[error("the bundle holds `{name}` more than once")]
    DuplicateMember {
        /// The member's name.
        name: String,
    },
    /// A member out of the fixed order `manifest.json`, `manifest.sig`, `qm.db`.
    #[error(
        "bundle member `{name}` comes where `{expected}` was expected; members must be in the order `manifest.json`, `manifest.sig`, `qm.db`"
    )]
    MisplacedMember {
        /// The member found.
        name: String,
        /// The member that should have come.
        expected: String,
    },
    /// A bundle without `manifest.json` or `qm.db`.
    #[error("the bundle has no `{name}`")]
    MissingMember {
        /// The missing member.
        name: String,
    },
    /// A member larger than its limit (checked from the tar header, before reading).
    #[error("bundle member `{member}` is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The member.
        member: String,
        /// Its size as the header states it.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A bundle without a signature.
    #[error("the bundle is not signed (it has no `manifest.sig`)")]
    Unsigned,
    /// A `manifest.sig` that is not a hex Ed25519 signature.
    #[error("the bundle's signature is malformed: {reason}")]
    MalformedSignature {
        /// What is wrong.
        reason: String,
    },
    /// `verify` was given no trusted key.
    #[error("no trusted keys to verify the bundle with")]
    NoTrustedKeys,
    /// The manifest names a trusted signer but the signature does not verify: the manifest or the
    /// signature was altered after signing.
    #[error(
        "the bundle's signature does not verify under any trusted key ({}); the manifest or signature was altered after signing",
        trusted.join(", ")
    )]
    BadSignature {
        /// Fingerprints of the trusted keys.
        trusted: Vec<String>,
    },
    /// The signature does not verify, and the manifest names a signer that is not trusted.
    #[error(
        "the bundle was signed by key `{fingerprint}`, which is not trusted (trusted: {})",
        trusted.join(", ")
    )]
    UntrustedSigner {
        /// The signer the manifest names (unverified).
        fingerprint: String,
        /// Fingerprints of the trusted keys.
        trusted: Vec<String>,
    },
    /// A signed manifest that does not parse or does not describe a v1 bundle.
    #[error("the bundle's manifest is invalid: {reason}")]
    BadManifest {
        /// What is wrong.
        reason: String,
    },
    /// `qm.db`'s size differs from the manifest's.
    #[error("`qm.db` is {found} bytes but the signed manifest says {expected}")]
    SizeMismatch {
        /// The manifest's size.
        expected: u64,
        /// The member's size.
        found: u64,
    },
    /// `qm.db`'s SHA-256 differs from the manifest's.
    #[error(
        "`qm.db` has SHA-256 `{found}` but the signed manifest says `{expected}`; the database was altered after signing"
    )]
    DigestMismatch {
        /// The manifest's digest.
        expected: String,
        /// The digest of the member's bytes.
        found: String,
    },
    /// The bundle is older than the installed database.
    #[error(
        "the bundle was created at {bundle}, before the installed database ({installed}); refusing to roll back"
    )]
    Rollback {
        /// The installed bundle's creation time.
        installed: Timestamp,
        /// This bundle's creation time.
        bundle: Timestamp,
    },
    /// The bundle is the one already installed.
    #[error("this bundle (created {created}) is already installed")]
    AlreadyInstalled {
        /// Its creation time.
        created: Timestamp,
    },
    /// The manifest beside the installed database does not parse.
    #[error("the installed database's manifest `{path}` is invalid: {reason}")]
    InstalledManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The longest member name an error message repeats.
const MAX_NAME_IN_MESSAGE: usize = 100;

/// A member name from a bundle, made safe to print: control characters escaped, shortened.
pub(crate) fn member_name(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut escaped: String = text.escape_debug().take(MAX_NAME_IN_MESSAGE).collect();
    if text.escape_debug().nth(MAX_NAME_IN_MESSAGE).is_some() {
        escaped.push('…');
    }
    escaped
}

impl BundleError {
    /// The concrete next step, when there is one; the CLI prints it as a `hint:` line after the
    /// error chain.
    pub fn hint(&self) -> Option<&'static str> {
        let hint = match self {
            BundleError::KeyExists { .. } => {
                "choose another path, or move the old key away first if you mean to replace it"
            }
            BundleError::Truncated { .. } => {
                "copy the bundle again and compare its size with the exporting host's"
            }
            BundleError::Malformed { .. } => {
                "make sure the file is a bundle written by `qm db export`, copied in binary mode"
            }
            BundleError::Unsigned => "export it again with `qm db export --sign KEY`",
            BundleError::NoTrustedKeys => "pass the exporting host's public key with `--trust PUB`",
            BundleError::BadSignature { .. } | BundleError::DigestMismatch { .. } => {
                "do not use this bundle; export a fresh one on the connected host"
            }
            BundleError::UntrustedSigner { .. } => {
                "if that key is yours, add its public key to the trust file; otherwise do not use this bundle"
            }
            BundleError::Rollback { .. } => "pass `--force` to install the older database anyway",
            BundleError::AlreadyInstalled { .. } => "pass `--force` to install it again",
            BundleError::InstalledManifest { .. } => "import with `--force` to replace it",
            _ => return None,
        };
        Some(hint)
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        BundleError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
