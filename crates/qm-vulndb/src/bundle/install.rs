//! Installing a verified bundle atomically, and reading what is installed.
//!
//! The database and its manifest are written to hidden temporary files in the target's
//! directory (a rename is atomic only within one file system), fsynced, renamed into place
//! (database first, then manifest), and the directory is fsynced so the renames survive a
//! crash. Until the database's rename, nothing installed has changed; a failure removes the
//! temporary files.
//!
//! Surprise: the installed manifest lives beside the database as `<file name>.manifest.json`
//! (`qm.db.manifest.json`); it is the signed manifest's exact bytes, but it is not re-verified
//! when read: it only tells the next import what is installed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use qm_model::Timestamp;

use super::{BundleError, BundleManifest, MAX_MANIFEST_BYTES, VerifiedBundle};

/// What [`install_bundle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallOutcome {
    /// Nothing was installed before.
    Fresh,
    /// A bundle created earlier was replaced.
    Upgraded {
        /// The replaced bundle's creation time.
        previous: Timestamp,
    },
    /// Forced: the same bundle (same creation time) was installed again.
    Reinstalled {
        /// The replaced bundle's creation time.
        previous: Timestamp,
    },
    /// Forced: a bundle created later was replaced by this older one.
    RolledBack {
        /// The replaced bundle's creation time.
        previous: Timestamp,
    },
}

/// Installs `verified`'s database at `target` (creating its directory if needed).
///
/// `installed_created` is the installed bundle's creation time (from [`installed_manifest`]);
/// an older or equal bundle is refused unless `force`. On any error the installed database and
/// manifest are untouched.
pub fn install_bundle(
    verified: &VerifiedBundle,
    target: &Path,
    installed_created: Option<Timestamp>,
    force: bool,
) -> Result<InstallOutcome, BundleError> {
    let created = verified.manifest().created;
    let outcome = match installed_created {
        None => InstallOutcome::Fresh,
        Some(previous) if created > previous => InstallOutcome::Upgraded { previous },
        Some(previous) if created == previous => {
            if !force {
                return Err(BundleError::AlreadyInstalled { created });
            }
            InstallOutcome::Reinstalled { previous }
        }
        Some(previous) => {
            if !force {
                return Err(BundleError::Rollback {
                    installed: previous,
                    bundle: created,
                });
            }
            InstallOutcome::RolledBack { previous }
        }
    };

    let file_name = target.file_name().ok_or_else(|| {
        BundleError::io(
            "install to",
            target,
            io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
        )
    })?;
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    fs_err::create_dir_all(&directory)
        .map_err(|source| BundleError::io("create", &directory, source))?;
    let manifest_path = manifest_path(target);

    let suffix = random_suffix()?;
    let name = file_name.to_string_lossy();
    let db_temp = TempFile::write(
        directory.join(format!(".{name}.{suffix}.tmp")),
        verified.db_bytes(),
    )?;
    let manifest_temp = TempFile::write(
        directory.join(format!(".{name}.manifest.{suffix}.tmp")),
        verified.manifest_bytes(),
    )?;
    db_temp.persist(target)?;
    manifest_temp.persist(&manifest_path)?;
    sync_directory(&directory)?;
    Ok(outcome)
}

/// The manifest of the bundle installed at `target`, or `None` when no database or no manifest
/// is there (a database built locally has none).
pub fn installed_manifest(target: &Path) -> Result<Option<BundleManifest>, BundleError> {
    match fs_err::metadata(target) {
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(BundleError::io("read", target, source)),
    }
    let path = manifest_path(target);
    let metadata = match fs_err::metadata(&path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(BundleError::io("read", &path, source)),
    };
    if metadata.len() > MAX_MANIFEST_BYTES {
        return Err(BundleError::InstalledManifest {
            path,
            reason: format!(
                "it is {} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                metadata.len()
            ),
        });
    }
    let bytes = fs_err::read(&path).map_err(|source| BundleError::io("read", &path, source))?;
    let manifest: BundleManifest =
        serde_json::from_slice(&bytes).map_err(|error| BundleError::InstalledManifest {
            path: path.clone(),
            reason: error.to_string(),
        })?;
    manifest
        .validate()
        .map_err(|reason| BundleError::InstalledManifest { path, reason })?;
    Ok(Some(manifest))
}

/// `<target>.manifest.json`, beside the database.
fn manifest_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_owned();
    name.push(".manifest.json");
    target.with_file_name(name)
}

/// Sixteen random hex digits, so concurrent imports never share a temporary file.
fn random_suffix() -> Result<String, BundleError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|error| BundleError::Randomness {
        reason: error.to_string(),
    })?;
    Ok(hex::encode(bytes))
}

/// A fully written, fsynced temporary file, removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    persisted: bool,
}

impl TempFile {
    fn write(path: PathBuf, bytes: &[u8]) -> Result<TempFile, BundleError> {
        let mut file = fs_err::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| BundleError::io("create", &path, source))?;
        // From here on, dropping `temp` removes the file.
        let temp = TempFile {
            path,
            persisted: false,
        };
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|source| BundleError::io("write", &temp.path, source))?;
        Ok(temp)
    }

    fn persist(mut self, target: &Path) -> Result<(), BundleError> {
        fs_err::rename(&self.path, target)
            .map_err(|source| BundleError::io("rename into", target, source))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the error that brought us here is the one worth reporting.
            let _ = fs_err::remove_file(&self.path);
        }
    }
}

/// Makes the renames in `directory` durable (Unix; elsewhere renames are as durable as the
/// file system makes them).
fn sync_directory(directory: &Path) -> Result<(), BundleError> {
    #[cfg(unix)]
    {
        fs_err::File::open(directory)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| BundleError::io("sync", directory, source))?;
    }
    #[cfg(not(unix))]
    let _ = directory;
    Ok(())
}
