//! `Cargo.lock`, versions 1 to 4: every `[[package]]` table with a `source` (a registry or a
//! git repository) is a dependency.
//!
//! Surprises:
//! - The workspace's own crates and `path` dependencies are listed too, but without `source`:
//!   they are the project being scanned, not something fetched, so they are left out (as
//!   cargo-audit does when it matches advisories, which only name registry crates).
//! - Version 1 keeps checksums in a `[metadata]` table instead of on each package; only the
//!   `[[package]]` array matters here, so all versions read the same.
//! - The same crate may appear at several versions (`windows-sys 0.48.0` and `0.52.0`); each
//!   is its own package.

use qm_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Format, Found, decode, from_toml};
use crate::CatalogError;

const FORMAT: Format = Format {
    ecosystem: || Ecosystem::CratesIo,
    purl_type: "cargo",
    found_by: "cargo-lock",
};

#[derive(Deserialize)]
struct RawLockfile {
    #[serde(default)]
    package: Vec<RawPackage>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    source: Option<String>,
}

/// Lists the registry and git crates a `Cargo.lock` pins.
pub fn parse_cargo_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lockfile: RawLockfile = from_toml(path, text)?;
    Ok(lockfile
        .package
        .iter()
        .filter(|package| package.source.is_some())
        .filter_map(|package| FORMAT.package(path, &Found::new(&package.name, &package.version)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_without_source_are_the_project() {
        let lock = r#"
version = 3
[[package]]
name = "app"
version = "0.1.0"
[[package]]
name = "serde"
version = "1.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "regex"
version = "1.5.0"
source = "git+https://github.com/rust-lang/regex.git#1a069b9"
[[package]]
name = "broken"
"#;
        let packages = parse_cargo_lock("Cargo.lock", lock.as_bytes()).unwrap();
        let purls: Vec<_> = packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(purls, ["pkg:cargo/serde@1.0.1", "pkg:cargo/regex@1.5.0"]);
        assert!(packages.iter().all(|p| p.found_by == "cargo-lock"));
    }

    #[test]
    fn broken_toml_names_its_line() {
        let error = parse_cargo_lock("Cargo.lock", b"[[package]]\nname = \n").unwrap_err();
        assert!(
            matches!(error, CatalogError::Malformed { line: 2, .. }),
            "{error}"
        );
    }
}
