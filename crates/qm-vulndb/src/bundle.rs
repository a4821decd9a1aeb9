//! Signed database bundles: how the compiled database crosses an air gap.
//!
//! A connected host exports the compiled database with [`export_bundle`]; the air-gapped host
//! checks it with [`verify_bundle`] against the public keys it trusts and, only if every check
//! passes, installs it with [`install_bundle`].
//!
//! # Format (`qm-bundle-v1`)
//!
//! A plain (uncompressed) ustar archive holding exactly three regular files, in this order:
//!
//! 1. `manifest.json`: at most 1 MiB, UTF-8 JSON:
//!    ```json
//!    { "format": "qm-bundle-v1",
//!      "created": "2025-06-01T12:00:00Z",
//!      "db": { "file": "qm.db", "sha256": "<64 hex>", "size": 123456,
//!              "schema": 1, "built": "2025-06-01T11:58:00Z" },
//!      "sources": [ { "name": "osv", "location": "https://…", "records": 4211,
//!                     "newest": "2025-05-31T22:10:00Z" } ],
//!      "signer": "<16 hex fingerprint>" }
//!    ```
//! 2. `manifest.sig`: the Ed25519 signature over the exact bytes of `manifest.json`, as 128
//!    lowercase hex digits and a newline.
//! 3. `qm.db`: the compiled database, at most 4 GiB (both limits are [`BundleLimits`]), whose SHA-256 and size
//!    the manifest states.
//!
//! then the two zero blocks that end a tar archive (trailing zero padding up to 64 KiB, as
//! `tar` writes to fill a record, is accepted). Keys and their text forms are described in
//! `bundle/keys.rs` ([`SigningKey`], [`PublicKey`]).
//!
//! # What `verify_bundle` refuses
//!
//! Anything else: other or repeated members, members out of order, links, directories, tar
//! extension headers (PAX, GNU long names), paths other than the three names (`./qm.db`,
//! `../qm.db`), a header size over the limit (checked before a byte of the member is read), a
//! truncated archive (including a missing end-of-archive marker), a missing, malformed or
//! untrusted signature, and a database whose size or digest differs from the signed manifest.
//! Nothing is extracted to disk while verifying: the members are read into memory.
//!
//! # Installing
//!
//! [`install_bundle`] refuses a bundle created before (or at the same second as) the installed
//! one unless forced, then writes the database and `<db>.manifest.json` (the signed manifest's
//! exact bytes, so the next import knows what is installed; read it with
//! [`installed_manifest`]) to temporary files beside the target, fsyncs them, renames the
//! database and then the manifest into place, and fsyncs the directory.
//!
//! Surprises: the rollback check compares the *bundle's* creation time, not the database's
//! build time; a crash between the two renames leaves the new database with the old manifest,
//! which at worst lets the same bundle be imported again (the reverse order could mark a bundle
//! installed that is not). The whole database is held in memory while verifying.

mod error;
mod install;
mod keys;
mod verify;

use std::io::Write;

use qm_model::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::SourceInfo;

pub use error::BundleError;
pub use install::{InstallOutcome, install_bundle, installed_manifest};
pub use keys::{PublicKey, SigningKey};
pub use verify::{VerifiedBundle, verify_bundle};

/// The `format` of every manifest this module writes and reads.
pub(crate) const FORMAT: &str = "qm-bundle-v1";
/// The manifest member's name.
pub(crate) const MANIFEST_MEMBER: &str = "manifest.json";
/// The signature member's name.
pub(crate) const SIGNATURE_MEMBER: &str = "manifest.sig";
/// The database member's name.
pub(crate) const DB_MEMBER: &str = "qm.db";

/// The largest `manifest.json` accepted by default: far above a manifest with hundreds of
/// sources (about 150 bytes each).
pub(crate) const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// The largest `qm.db` accepted by default: more than ten times today's full database.
pub(crate) const MAX_DB_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// The size of `manifest.sig`: 128 hex digits and a newline (a little slack for `\r\n`).
pub(crate) const MAX_SIGNATURE_BYTES: u64 = 130;
/// Zero padding accepted after the end-of-archive marker.
pub(crate) const MAX_TRAILER_BYTES: u64 = 64 * 1024;
/// File mode recorded for every member.
const MEMBER_MODE: u32 = 0o644;

/// What a bundle describes besides the database bytes; the caller knows it, the bundle signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    /// When the bundle is made (usually now); the rollback check compares this.
    pub created: Timestamp,
    /// When the database was compiled.
    pub db_built: Timestamp,
    /// The database's schema version.
    pub db_schema: u32,
    /// The feeds the database was compiled from.
    pub sources: Vec<SourceInfo>,
}

/// The signed description of a bundle (the `manifest.json` member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleManifest {
    /// Always `qm-bundle-v1` in a manifest that verified.
    pub format: String,
    /// When the bundle was made.
    pub created: Timestamp,
    /// The database member.
    pub db: DbEntry,
    /// The feeds the database was compiled from.
    pub sources: Vec<SourceInfo>,
    /// The fingerprint of the key that signed the bundle.
    pub signer: String,
}

/// The manifest's description of the database member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbEntry {
    /// Always `qm.db`.
    pub file: String,
    /// SHA-256 of the database, lowercase hex.
    pub sha256: String,
    /// The database's size in bytes.
    pub size: u64,
    /// The database's schema version.
    pub schema: u32,
    /// When the database was compiled.
    pub built: Timestamp,
}

/// Upper bounds on a bundle's members, checked from the tar headers before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleLimits {
    /// The largest `manifest.json`.
    pub max_manifest: u64,
    /// The largest `qm.db`.
    pub max_db: u64,
}

impl Default for BundleLimits {
    fn default() -> Self {
        BundleLimits {
            max_manifest: MAX_MANIFEST_BYTES,
            max_db: MAX_DB_BYTES,
        }
    }
}

impl BundleManifest {
    /// Checks what the types cannot: the format, the member name, the digest's shape.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "format `{}` is not `{FORMAT}`; this qm reads only `{FORMAT}` bundles",
                error::member_name(self.format.as_bytes())
            ));
        }
        if self.db.file != DB_MEMBER {
            return Err(format!(
                "`db.file` is `{}`, not `{DB_MEMBER}`",
                error::member_name(self.db.file.as_bytes())
            ));
        }
        if self.db.sha256.len() != 64 || !self.db.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("`db.sha256` is not 64 hex digits".to_owned());
        }
        Ok(())
    }
}

/// Writes a signed bundle of `db_bytes` described by `info` to `out`, and returns the manifest
/// it signed. The output is deterministic: the same inputs give the same bytes.
pub fn export_bundle(
    db_bytes: &[u8],
    info: &BundleInfo,
    key: &SigningKey,
    out: impl Write,
) -> Result<BundleManifest, BundleError> {
    let size = u64::try_from(db_bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_DB_BYTES {
        return Err(BundleError::TooLarge {
            member: DB_MEMBER.to_owned(),
            size,
            limit: MAX_DB_BYTES,
        });
    }
    let manifest = BundleManifest {
        format: FORMAT.to_owned(),
        created: info.created,
        db: DbEntry {
            file: DB_MEMBER.to_owned(),
            sha256: hex::encode(Sha256::digest(db_bytes)),
            size,
            schema: info.db_schema,
            built: info.db_built,
        },
        sources: info.sources.clone(),
        signer: key.fingerprint(),
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|error| BundleError::BadManifest {
            reason: error.to_string(),
        })?;
    manifest_bytes.push(b'\n');
    let manifest_size = u64::try_from(manifest_bytes.len()).unwrap_or(u64::MAX);
    if manifest_size > MAX_MANIFEST_BYTES {
        return Err(BundleError::TooLarge {
            member: MANIFEST_MEMBER.to_owned(),
            size: manifest_size,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let mut signature = hex::encode(key.sign(&manifest_bytes));
    signature.push('\n');

    let mtime = u64::try_from(info.created.unix_seconds()).unwrap_or(0);
    let mut builder = tar::Builder::new(out);
    let members: [(&str, &[u8]); 3] = [
        (MANIFEST_MEMBER, &manifest_bytes),
        (SIGNATURE_MEMBER, signature.as_bytes()),
        (DB_MEMBER, db_bytes),
    ];
    for (name, data) in members {
        let mut header = tar::Header::new_ustar();
        header
            .set_path(name)
            .map_err(|source| BundleError::WriteBundle { source })?;
        header.set_size(u64::try_from(data.len()).unwrap_or(u64::MAX));
        header.set_mode(MEMBER_MODE);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder
            .append(&header, data)
            .map_err(|source| BundleError::WriteBundle { source })?;
    }
    let mut out = builder
        .into_inner()
        .map_err(|source| BundleError::WriteBundle { source })?;
    out.flush()
        .map_err(|source| BundleError::WriteBundle { source })?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_validation_names_the_field() {
        let key = SigningKey::parse(
            "qm-signing-key-v1\n9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n",
        )
        .unwrap();
        let created: Timestamp = "2025-06-01T12:00:00Z".parse().unwrap();
        let info = BundleInfo {
            created,
            db_built: created,
            db_schema: 1,
            sources: Vec::new(),
        };
        let manifest = export_bundle(b"db", &info, &key, std::io::sink()).unwrap();
        assert_eq!(manifest.validate(), Ok(()));
        type Edit = fn(&mut BundleManifest);
        let cases: [(Edit, &str); 4] = [
            (
                |m| m.format = "qm-bundle-v2".to_owned(),
                "format `qm-bundle-v2`",
            ),
            (
                |m| m.db.file = "../qm.db".to_owned(),
                "`db.file` is `../qm.db`",
            ),
            (|m| m.db.sha256.truncate(10), "`db.sha256`"),
            (|m| m.db.sha256.replace_range(0..1, "g"), "`db.sha256`"),
        ];
        for (edit, expected) in cases {
            let mut broken = manifest.clone();
            edit(&mut broken);
            let error = broken.validate().unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }
}
