//! What the `qm-catalog` targets (`fuzz_dpkg_status`, `fuzz_apk_installed`, `fuzz_rpmdb`,
//! `fuzz_lockfiles`, `fuzz_installed`, `fuzz_java_archive`, `fuzz_binary`) share: the formats'
//! fixed facts and the laws every cataloger obeys, whatever bytes it is given.
//!
//! [`check_cataloger`] runs one parse function on one file and asserts:
//! - it never panics, and parsing the same bytes again gives the same packages or the same
//!   error (catalogers are pure functions of path and bytes);
//! - an error names the path it was given; a `TooLarge` error states the real size; a
//!   `Malformed` line is within the file (0 when the format has no lines, at most one past the
//!   last newline);
//! - every package has a name (and a version, where the format requires one), one of the
//!   cataloger's `found_by` values with the ecosystem that goes with it, the file's path as its
//!   only location (or places inside it, for nested Java archives), no layer (the caller sets
//!   it), no blank architecture or source name;
//! - its purl reads back with the `packageurl` crate, prints back as written (the inventory
//!   assembly re-reads and rebuilds OS purls), has the type that goes with its `found_by` and a
//!   non-empty name, and carries a version exactly when the package has one; purls of a
//!   cataloger that writes them itself (Go binaries) need only read back to an equal purl,
//!   and purls with a problem already reported are skipped (see [`known_purl_problem`]).
//!
//! [`check_stanzas_independent`] adds the law of the stanza formats (dpkg status, apk
//! installed), whose docs say records are independent: a file followed by a blank line and the
//! same file again reads as the file's packages twice, or fails as the file alone does.

use std::fmt::Debug;

use packageurl::PackageUrl;
use qm_catalog::{CatalogError, ParseFn};
use qm_model::{Ecosystem, Package};

/// One kind of package a cataloger reports: its `found_by`, ecosystem and purl type go
/// together.
#[derive(Debug, Clone)]
pub struct Kind {
    /// `Package::found_by`.
    pub found_by: &'static str,
    /// `Package::ecosystem` (for OS packages, the placeholder the inventory assembly corrects
    /// from `os-release`).
    pub ecosystem: Ecosystem,
    /// The purl type.
    pub purl_type: &'static str,
}

/// What a cataloger's packages always carry.
#[derive(Debug, Clone)]
pub struct Format {
    /// A short name for failure messages.
    pub label: &'static str,
    /// The path the file is handed over under, as the registry would claim it.
    pub path: &'static str,
    /// The parse function.
    pub parse: ParseFn,
    /// The kinds of package it reports; most catalogers have one.
    pub kinds: Vec<Kind>,
    /// Whether every package must have a version (lockfiles skip entries without one; OS
    /// databases and Python metadata keep them with an empty version).
    pub version_required: bool,
    /// Whether packages may be located inside the file (`outer.war:WEB-INF/lib/inner.jar`,
    /// for nested Java archives) rather than at the file itself.
    pub nested_locations: bool,
    /// Whether purls are in `packageurl`'s canonical form (they print back as written); the
    /// Go binary cataloger writes its own (it keeps the module path's case and encodes more),
    /// which need only read back to an equal purl.
    pub canonical_purls: bool,
}

impl Format {
    /// A cataloger with one kind of package, located at the file.
    pub fn single(
        label: &'static str,
        path: &'static str,
        parse: ParseFn,
        (found_by, ecosystem, purl_type): (&'static str, Ecosystem, &'static str),
        version_required: bool,
    ) -> Self {
        Format {
            label,
            path,
            parse,
            kinds: vec![Kind {
                found_by,
                ecosystem,
                purl_type,
            }],
            version_required,
            nested_locations: false,
            canonical_purls: true,
        }
    }
}

/// The dpkg status database.
pub fn dpkg_status() -> Format {
    Format::single(
        "dpkg status",
        "var/lib/dpkg/status",
        qm_catalog::parse_dpkg_status,
        ("dpkg", Ecosystem::Debian, "deb"),
        false,
    )
}

/// The apk installed database.
pub fn apk_installed() -> Format {
    Format::single(
        "apk installed",
        "lib/apk/db/installed",
        qm_catalog::parse_apk_installed,
        ("apk", Ecosystem::Alpine, "apk"),
        false,
    )
}

/// The rpm database, in any of its containers.
pub fn rpmdb() -> Format {
    Format::single(
        "rpmdb",
        "var/lib/rpm/rpmdb.sqlite",
        qm_catalog::parse_rpmdb,
        ("rpmdb", Ecosystem::RedHat, "rpm"),
        true,
    )
}

/// Every lockfile and language-manifest parser `qm-catalog` exports, in the order
/// `fuzz_lockfiles` numbers them (its first byte, modulo the length, picks one). Append new
/// formats at the end so that saved inputs keep their meaning; `seed_corpus.sh` lists them in
/// the same order.
pub fn lockfiles() -> Vec<Format> {
    let lockfile = |label, path, parse, kind| Format::single(label, path, parse, kind, true);
    vec![
        lockfile(
            "Cargo.lock",
            "app/Cargo.lock",
            qm_catalog::parse_cargo_lock,
            ("cargo-lock", Ecosystem::CratesIo, "cargo"),
        ),
        lockfile(
            "requirements.txt",
            "app/requirements.txt",
            qm_catalog::parse_requirements,
            ("python-requirements", Ecosystem::PyPI, "pypi"),
        ),
        lockfile(
            "poetry.lock",
            "app/poetry.lock",
            qm_catalog::parse_poetry_lock,
            ("poetry-lock", Ecosystem::PyPI, "pypi"),
        ),
        lockfile(
            "Pipfile.lock",
            "app/Pipfile.lock",
            qm_catalog::parse_pipfile_lock,
            ("pipfile-lock", Ecosystem::PyPI, "pypi"),
        ),
        lockfile(
            "uv.lock",
            "app/uv.lock",
            qm_catalog::parse_uv_lock,
            ("uv-lock", Ecosystem::PyPI, "pypi"),
        ),
        lockfile(
            "go.mod",
            "app/go.mod",
            qm_catalog::parse_go_mod,
            ("go-mod", Ecosystem::Go, "golang"),
        ),
        lockfile(
            "go.sum",
            "app/go.sum",
            qm_catalog::parse_go_sum,
            ("go-sum", Ecosystem::Go, "golang"),
        ),
        lockfile(
            "Gemfile.lock",
            "app/Gemfile.lock",
            qm_catalog::parse_gemfile_lock,
            ("gemfile-lock", Ecosystem::RubyGems, "gem"),
        ),
        lockfile(
            "composer.lock",
            "app/composer.lock",
            qm_catalog::parse_composer_lock,
            ("composer-lock", Ecosystem::Packagist, "composer"),
        ),
        lockfile(
            "installed.json",
            "app/vendor/composer/installed.json",
            qm_catalog::parse_installed_json,
            ("composer-installed", Ecosystem::Packagist, "composer"),
        ),
        lockfile(
            "packages.lock.json",
            "app/packages.lock.json",
            qm_catalog::parse_packages_lock_json,
            ("nuget-packages-lock", Ecosystem::NuGet, "nuget"),
        ),
        lockfile(
            "deps.json",
            "app/App.deps.json",
            qm_catalog::parse_deps_json,
            ("dotnet-deps", Ecosystem::NuGet, "nuget"),
        ),
        lockfile(
            "package-lock.json",
            "app/package-lock.json",
            qm_catalog::parse_package_lock,
            ("npm-package-lock", Ecosystem::Npm, "npm"),
        ),
        lockfile(
            "yarn.lock",
            "app/yarn.lock",
            qm_catalog::parse_yarn_lock,
            ("yarn-lock", Ecosystem::Npm, "npm"),
        ),
        lockfile(
            "pnpm-lock.yaml",
            "app/pnpm-lock.yaml",
            qm_catalog::parse_pnpm_lock,
            ("pnpm-lock", Ecosystem::Npm, "npm"),
        ),
        lockfile(
            "package.json",
            "app/node_modules/left-pad/package.json",
            qm_catalog::parse_package_json,
            ("npm-package-json", Ecosystem::Npm, "npm"),
        ),
    ]
}

/// The installed-metadata parsers no other target covers, in the order `fuzz_installed`
/// numbers them: Python `METADATA`/`PKG-INFO`, installed gemspecs. (Installed npm
/// `package.json` files are `fuzz_lockfiles`' last format.)
pub fn installed() -> Vec<Format> {
    vec![
        Format::single(
            "python METADATA",
            "usr/lib/python3/dist-packages/fuzz-1.0.dist-info/METADATA",
            qm_catalog::parse_python_installed,
            ("python-installed", Ecosystem::PyPI, "pypi"),
            false,
        ),
        Format::single(
            "gemspec",
            "usr/lib/ruby/gems/3.1.0/specifications/fuzz-1.0.gemspec",
            qm_catalog::parse_gemspec,
            ("ruby-gemspec", Ecosystem::RubyGems, "gem"),
            true,
        ),
    ]
}

/// Java archives, raw or reduced, found at `usr/share/java/app-1.0.jar` (the file name is one
/// of the sources of identity).
pub fn java_archive() -> Format {
    let kind = |found_by| Kind {
        found_by,
        ecosystem: Ecosystem::Maven,
        purl_type: "maven",
    };
    Format {
        label: "java archive",
        path: "usr/share/java/app-1.0.jar",
        parse: qm_catalog::parse_java_archive,
        kinds: vec![
            kind("java-archive"),
            kind("java-archive-manifest"),
            kind("java-archive-file-name"),
        ],
        version_required: true,
        nested_locations: true,
        canonical_purls: true,
    }
}

/// Executables (Go build information, `cargo auditable` sections), raw or reduced.
pub fn binary() -> Format {
    Format {
        label: "binary",
        path: "usr/local/bin/app",
        parse: qm_catalog::parse_binary,
        kinds: vec![
            Kind {
                found_by: "go-binary",
                ecosystem: Ecosystem::Go,
                purl_type: "golang",
            },
            Kind {
                found_by: "cargo-auditable",
                ecosystem: Ecosystem::CratesIo,
                purl_type: "cargo",
            },
        ],
        version_required: true,
        nested_locations: false,
        canonical_purls: false,
    }
}

/// Parses `bytes` with `format`, checks the laws in the module doc, and returns the result.
pub fn check_cataloger(format: &Format, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let label = format.label;
    let result = (format.parse)(format.path, bytes);
    let again = (format.parse)(format.path, bytes);
    assert_eq!(
        outcome(&result),
        outcome(&again),
        "{label}: parsing the same bytes twice gives different answers"
    );
    match &result {
        Ok(packages) => {
            for package in packages {
                check_package(format, package);
            }
        }
        Err(error) => check_error(format, bytes, error),
    }
    result
}

/// A comparable form of a parse result (`CatalogError` has no `PartialEq`).
fn outcome(result: &Result<Vec<Package>, CatalogError>) -> Result<&[Package], String> {
    match result {
        Ok(packages) => Ok(packages),
        Err(error) => Err(format!("{error:?}")),
    }
}

fn check_error(format: &Format, bytes: &[u8], error: &CatalogError) {
    let label = format.label;
    match error {
        CatalogError::Malformed { path, line, reason } => {
            assert_eq!(path, format.path, "{label}: the error names another file");
            let lines = bytes.iter().filter(|&&byte| byte == b'\n').count() + 1;
            assert!(
                *line <= lines,
                "{label}: malformed at line {line}, but the file has {lines} lines ({reason})"
            );
            assert!(!reason.trim().is_empty(), "{label}: no reason in {error:?}");
        }
        CatalogError::TooLarge { path, size, limit } => {
            assert_eq!(path, format.path, "{label}: the error names another file");
            assert_eq!(
                Ok(*size),
                u64::try_from(bytes.len()),
                "{label}: TooLarge states another size"
            );
            assert!(
                size > limit,
                "{label}: {size} bytes refused under a {limit}-byte limit"
            );
        }
        other => panic!("{label}: an error of a kind this target does not know: {other:?}"),
    }
}

fn check_package(format: &Format, package: &Package) {
    let label = format.label;
    assert!(
        !package.name.trim().is_empty(),
        "{label}: a package without a name: {package:?}"
    );
    if format.version_required {
        assert!(
            !package.version.trim().is_empty(),
            "{label}: a package without a version: {package:?}"
        );
    }
    let Some(kind) = format
        .kinds
        .iter()
        .find(|kind| kind.found_by == package.found_by)
    else {
        panic!("{label}: found by an unknown cataloger: {package:?}");
    };
    assert_eq!(package.ecosystem, kind.ecosystem, "{label}: {package:?}");
    if format.nested_locations {
        let inside = format!("{}:", format.path);
        assert!(
            !package.locations.is_empty()
                && package
                    .locations
                    .iter()
                    .all(|location| location == format.path || location.starts_with(&inside)),
            "{label}: a package located outside the file: {package:?}"
        );
    } else {
        assert_eq!(
            package.locations,
            [format.path],
            "{label}: a package's location is not the file: {package:?}"
        );
    }
    assert_eq!(
        package.layer, None,
        "{label}: a cataloger set the layer: {package:?}"
    );
    if let Some(arch) = &package.arch {
        assert!(
            !arch.trim().is_empty() || KNOWN_BLANK_ARCH.contains(&package.found_by.as_str()),
            "{label}: blank arch: {package:?}"
        );
    }
    if let Some(source) = &package.source {
        assert!(
            !source.name.trim().is_empty(),
            "{label}: blank source name: {package:?}"
        );
    }
    check_purl(label, kind.purl_type, format.canonical_purls, package);
}

/// The purl of `package` reads with the `packageurl` crate, has type `purl_type` and a name,
/// and a version exactly when the package has one; it prints back as written when
/// `canonical`, else prints back as a purl that reads the same.
pub fn check_purl(label: &str, purl_type: &str, canonical: bool, package: &Package) {
    let purl = match package.purl.parse::<PackageUrl<'_>>() {
        Ok(purl) => purl,
        Err(error) => panic!("{label}: purl {:?} does not read: {error}", package.purl),
    };
    let printed = purl.to_string();
    if canonical {
        assert_eq!(
            printed, package.purl,
            "{label}: purl {:?} prints back otherwise",
            package.purl
        );
    } else {
        match printed.parse::<PackageUrl<'_>>() {
            Ok(again) => assert_eq!(
                again, purl,
                "{label}: purl {:?} prints as {printed:?}, which reads otherwise",
                package.purl
            ),
            Err(error) => panic!(
                "{label}: purl {:?} prints as {printed:?}, which does not read: {error}",
                package.purl
            ),
        }
    }
    assert_eq!(purl.ty(), purl_type, "{label}: {package:?}");
    assert!(
        !purl.name().is_empty(),
        "{label}: purl without a name: {package:?}"
    );
    assert_eq!(
        purl.version().is_some_and(|version| !version.is_empty()),
        !package.version.is_empty(),
        "{label}: the purl has a version exactly when the package has one: {package:?}"
    );
}

/// Catalogers already found (and reported) to give a blank `arch`, which the checks let pass
/// so that the targets can look for other problems: `gemfile-lock` reads `rack (3.0.8-)` as
/// version `3.0.8` on platform `""` (`fuzz_lockfiles`).
/// (Fixed: none known now.)
pub const KNOWN_BLANK_ARCH: &[&str] = &[];

/// Whether `purl` has a problem of the `packageurl` crate that SBOM *input* may carry (the
/// catalogers refuse to mint such purls since the fix), which `fuzz_sbom` skips:
/// - its version holds a `/`: `packageurl` 0.7.1 writes such a version with the `/` unencoded
///   but reads an `@` followed by a `/` as part of the namespace, so the purl does not read
///   back (`pkg:deb/debian/a@1.0/x` reads as namespace `debian/a@1.0`, name `x`;
///   `pkg:pypi/certifi@/x` does not read at all); found by `fuzz_dpkg_status`,
///   `fuzz_apk_installed` and `fuzz_lockfiles`;
/// - an empty namespace segment (`pkg:golang//a@v1.0.0`, from `require /a v1.0.0` in a
///   `go.mod`): it reads back without it; found by `fuzz_lockfiles`.
pub fn known_purl_problem(purl: &str) -> bool {
    let before_qualifiers = purl.split(['?', '#']).next().unwrap_or(purl);
    let (path, version) = match before_qualifiers.rsplit_once('@') {
        Some((path, version)) => (path, Some(version)),
        None => (before_qualifiers, None),
    };
    let empty_segment = path
        .strip_prefix("pkg:")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, rest)| rest.starts_with('/') || rest.contains("//"));
    empty_segment || version.is_some_and(|version| version.contains('/'))
}

/// Whether two parse results agree: the same packages, or both an error (two readings of one
/// file, raw and reduced, may word their errors differently).
pub fn same_outcome(
    first: &Result<Vec<Package>, CatalogError>,
    second: &Result<Vec<Package>, CatalogError>,
) -> bool {
    match (first, second) {
        (Ok(first), Ok(second)) => first == second,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// A short description of a parse result for failure messages.
pub fn summary<T: Debug>(result: &Result<Vec<T>, CatalogError>) -> String {
    match result {
        Ok(packages) => format!("{} packages", packages.len()),
        Err(error) => format!("the error {error}"),
    }
}

/// For the stanza formats: `bytes`, a blank line and `bytes` again read as the packages of
/// `bytes` twice (in that order), or fail when `bytes` alone fails. `alone` is what `bytes`
/// alone gave.
pub fn check_stanzas_independent(
    format: &Format,
    bytes: &[u8],
    alone: &Result<Vec<Package>, CatalogError>,
) {
    let label = format.label;
    let mut twice = bytes.to_vec();
    twice.extend_from_slice(b"\n\n");
    twice.extend_from_slice(bytes);
    let doubled = (format.parse)(format.path, &twice);
    match (alone, &doubled) {
        (Ok(packages), Ok(both)) => {
            let expected: Vec<&Package> = packages.iter().chain(packages).collect();
            let both: Vec<&Package> = both.iter().collect();
            assert_eq!(
                both, expected,
                "{label}: the file twice does not read as its packages twice"
            );
        }
        (Err(_), Err(_)) => {}
        (alone, doubled) => panic!(
            "{label}: the file alone gives {}, the file twice {}",
            summary(alone),
            summary(doubled)
        ),
    }
}
