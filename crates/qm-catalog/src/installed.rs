//! Installed language packages, as an image or root filesystem holds them: Python
//! `*.dist-info/METADATA` and `*.egg-info`, npm `node_modules/**/package.json`, RubyGems
//! `specifications/*.gemspec`, and Java archives (`*.jar`, `*.war`, `*.ear`, …).
//!
//! Unlike lockfiles, these files describe what is really on disk, one package per file (a
//! Java archive can hold many: shaded dependencies and nested jars). Each cataloger comes with
//! a `claims_*` path predicate that matches the normalised paths (no leading `/`) it wants,
//! so the registry can dispatch without knowing the layouts.
//!
//! Shared decisions:
//! - Names keep their spelling in `Package::name`; purls apply each type's rules (lower case
//!   and PEP 503 separators for PyPI, as the lockfile catalogers do, so one package gets one
//!   purl whichever file names it).
//! - A file that is clearly not of its format is [`CatalogError::Malformed`]; a file of the
//!   format that names no package (an empty `*.egg-info`, a private `package.json`) yields
//!   nothing and no error.
//! - Java archives are big: [`reduce_java_archive`] keeps only their metadata files, for the
//!   source layer's `Claims::reduce` hook, and [`parse_java_archive`] reads either form.
//!
//! npm needs no parser here: [`crate::parse_package_json`] already reads an installed
//! manifest (name and version, private ones skipped); [`claims_npm_installed`] says which
//! `package.json` files are installed packages rather than projects or test fixtures.

mod java;
mod npm;
mod python;
mod ruby;

pub use java::{claims_java_archive, parse_java_archive, reduce_java_archive};
pub use npm::claims_npm_installed;
pub use python::{claims_python_installed, parse_python_installed};
pub use ruby::{claims_gemspec, parse_gemspec};

use crate::CatalogError;

/// Refuses a file over `limit` bytes with [`CatalogError::TooLarge`].
fn check_size(path: &str, bytes: &[u8], limit: usize) -> Result<(), CatalogError> {
    if bytes.len() > limit {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        });
    }
    Ok(())
}

/// A [`CatalogError::Malformed`] for `path`.
fn malformed(path: &str, line: usize, reason: impl std::fmt::Display) -> CatalogError {
    CatalogError::Malformed {
        path: path.to_owned(),
        line,
        reason: reason.to_string(),
    }
}

/// The last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The longest excerpt of a bad value quoted in an error.
const MAX_QUOTED_CHARS: usize = 60;

/// Cuts a quoted excerpt to [`MAX_QUOTED_CHARS`] characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}
