//! Lockfile catalogers for Rust, Python, Go, Ruby, PHP and .NET: each reads one lockfile (or
//! installed-metadata file) and lists the third-party packages it pins.
//!
//! Shared rules, so the submodules agree:
//! - A file over [`MAX_LOCKFILE_BYTES`] is refused with [`CatalogError::TooLarge`]; a file that
//!   is not UTF-8, or whose structure (TOML, JSON) does not parse, is
//!   [`CatalogError::Malformed`] with the line where the parser stopped.
//! - Inside a readable file, an entry without a usable name or version is skipped and the rest
//!   kept: every format here lists entries independently, so one bad entry says nothing about
//!   the others.
//! - Code that lives in the scanned tree itself (Cargo workspace members and path crates, uv
//!   and Poetry directory/editable projects, Bundler `PATH` gems, NuGet `Project` references,
//!   Go `replace` directives pointing at a directory) is the project, not a dependency, and is
//!   left out: it has no registry identity a vulnerability feed could name.
//! - Names are kept as the lockfile spells them; the purl applies the ecosystem's
//!   normalisation (PEP 503 for PyPI, lower case for Composer).
//! - Every package carries the file's path in `locations` and the format in `found_by`.

mod cargo;
mod dotnet;
mod golang;
mod php;
mod python;
mod ruby;

pub use cargo::parse_cargo_lock;
pub use dotnet::{parse_deps_json, parse_packages_lock_json};
pub use golang::{parse_go_mod, parse_go_sum};
pub use php::{parse_composer_lock, parse_installed_json};
pub use python::{parse_pipfile_lock, parse_poetry_lock, parse_requirements, parse_uv_lock};
pub use ruby::parse_gemfile_lock;

use qm_model::{Ecosystem, Package};

use crate::CatalogError;

/// The largest lockfile read: real lockfiles of big monorepos stay under a few MiB, so this
/// only stops a hostile or corrupt file from being parsed into memory.
pub(crate) const MAX_LOCKFILE_BYTES: usize = 64 * 1024 * 1024;

/// Checks the size limit and decodes the bytes as UTF-8, dropping a leading byte-order mark
/// (Windows tools write one into `packages.lock.json` and `*.deps.json`).
pub(crate) fn decode<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, CatalogError> {
    if bytes.len() > MAX_LOCKFILE_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(MAX_LOCKFILE_BYTES).unwrap_or(u64::MAX),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
        malformed(path, line_of_offset(valid, valid.len()), "not UTF-8")
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A [`CatalogError::Malformed`] for `path`.
pub(crate) fn malformed(path: &str, line: usize, reason: impl std::fmt::Display) -> CatalogError {
    CatalogError::Malformed {
        path: path.to_owned(),
        line,
        reason: reason.to_string(),
    }
}

/// The 1-based line holding byte `offset` of `bytes`.
fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|&&byte| byte == b'\n').count() + 1
}

/// Parses TOML into `T`, reporting the line where parsing stopped.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
) -> Result<T, CatalogError> {
    toml::from_str(text).map_err(|error| {
        let line = error
            .span()
            .map_or(0, |span| line_of_offset(text.as_bytes(), span.start));
        malformed(path, line, error.message())
    })
}

/// Parses JSON into `T`, reporting the line where parsing stopped.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|error| malformed(path, error.line(), error))
}

/// What a submodule knows about one package before it becomes a [`Package`].
pub(crate) struct Found<'a> {
    /// Name as written.
    pub(crate) name: &'a str,
    /// Version as written.
    pub(crate) version: &'a str,
    /// Development-only dependency.
    pub(crate) dev: bool,
    /// Platform or architecture, where the format records one.
    pub(crate) arch: Option<&'a str>,
}

impl<'a> Found<'a> {
    /// A runtime dependency without a recorded platform.
    pub(crate) fn new(name: &'a str, version: &'a str) -> Self {
        Found {
            name,
            version,
            dev: false,
            arch: None,
        }
    }

    /// Marks it development-only or not.
    pub(crate) fn dev(self, dev: bool) -> Self {
        Found { dev, ..self }
    }
}

/// One ecosystem's purl type and cataloger name.
#[derive(Clone, Copy)]
pub(crate) struct Format {
    /// The ecosystem every package of this format belongs to.
    pub(crate) ecosystem: fn() -> Ecosystem,
    /// The purl type (`cargo`, `pypi`, …).
    pub(crate) purl_type: &'static str,
    /// The `found_by` value.
    pub(crate) found_by: &'static str,
}

impl Format {
    /// Builds the package, or `None` when name or version are empty or the purl cannot be
    /// formed from them (the entry is then skipped, see the module doc).
    pub(crate) fn package(&self, path: &str, found: &Found<'_>) -> Option<Package> {
        let name = found.name.trim();
        let version = found.version.trim();
        if name.is_empty() || version.is_empty() {
            return None;
        }
        let purl = build_purl(self.purl_type, name, version)?;
        Some(Package {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem: (self.ecosystem)(),
            purl,
            source: None,
            locations: vec![path.to_owned()],
            found_by: self.found_by.to_owned(),
            dev: found.dev,
            arch: found.arch.map(str::to_owned),
            layer: None,
        })
    }
}

/// The purl for a package; for `golang` and `composer` the name's last `/` splits namespace
/// from name, as the purl spec's type definitions say.
fn build_purl(purl_type: &str, name: &str, version: &str) -> Option<String> {
    // A `/` in a version is left unencoded by the purl crate and read back as a namespace
    // separator; no ecosystem here allows one.
    if version.contains('/') {
        return None;
    }
    let (namespace, short_name) = match purl_type {
        "golang" | "composer" => match name.rsplit_once('/') {
            Some(("", _)) => return None,
            Some((namespace, short_name)) => (Some(namespace), short_name),
            None if purl_type == "composer" => return None,
            None => (None, name),
        },
        _ => (None, name),
    };
    let normalised;
    let short_name = if purl_type == "pypi" {
        normalised = normalise_python_name(short_name);
        normalised.as_str()
    } else {
        short_name
    };
    let mut purl = packageurl::PackageUrl::new(purl_type, short_name).ok()?;
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace).ok()?;
    }
    purl.with_version(version).ok()?;
    Some(purl.to_string())
}

/// PEP 503 normalisation: lower case, each run of `-`, `_` and `.` becomes one `-`.
pub(crate) fn normalise_python_name(name: &str) -> String {
    let mut normalised = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !in_separator_run {
                normalised.push('-');
            }
            in_separator_run = true;
        } else {
            normalised.extend(character.to_lowercase());
            in_separator_run = false;
        }
    }
    normalised
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_normalise_per_pep_503() {
        let cases = [
            ("Flask", "flask"),
            ("dots-._allowed", "dots-allowed"),
            ("FrIeNdLy-_-bArD", "friendly-bard"),
            ("zope.interface", "zope-interface"),
        ];
        for (name, expected) in cases {
            assert_eq!(normalise_python_name(name), expected, "{name}");
        }
    }

    #[test]
    fn purls_follow_the_type_rules() {
        let cases = [
            ("cargo", "serde", "1.0.1", Some("pkg:cargo/serde@1.0.1")),
            (
                "pypi",
                "Django_Rest",
                "4.2",
                Some("pkg:pypi/django-rest@4.2"),
            ),
            (
                "golang",
                "github.com/x/y",
                "v1.2.3",
                Some("pkg:golang/github.com/x/y@v1.2.3"),
            ),
            (
                "golang",
                "rsc.io",
                "v1.0.0",
                Some("pkg:golang/rsc.io@v1.0.0"),
            ),
            (
                "composer",
                "Vendor/Name",
                "1.0",
                Some("pkg:composer/vendor/name@1.0"),
            ),
            ("composer", "no-vendor", "1.0", None),
            (
                "nuget",
                "Newtonsoft.Json",
                "13.0.1",
                Some("pkg:nuget/Newtonsoft.Json@13.0.1"),
            ),
            ("gem", "rails", "7.0", Some("pkg:gem/rails@7.0")),
        ];
        for (purl_type, name, version, expected) in cases {
            assert_eq!(
                build_purl(purl_type, name, version).as_deref(),
                expected,
                "{purl_type} {name}"
            );
        }
    }

    #[test]
    fn oversized_and_non_utf8_files_are_refused() {
        assert!(matches!(
            decode("x", &[b'a', b'\n', 0xff]),
            Err(CatalogError::Malformed { line: 2, .. })
        ));
        assert_eq!(decode("x", "\u{feff}{}".as_bytes()).ok(), Some("{}"));
    }
}
