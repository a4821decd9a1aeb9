//! The apk installed database: `lib/apk/db/installed` (Alpine, and the apk-tools v2 format in
//! general).
//!
//! The file is a list of records separated by blank lines; each line is `X:value`, a single
//! letter key, a colon, and the value (see apk-tools' `apk-v2` package index format). The keys
//! read here: `P` name, `V` version, `A` architecture, `o` origin (the source package, which
//! Alpine's security database is keyed on). Everything else — `L` licence, `T` description, `U`
//! URL, `D`/`p` dependencies and provides, the file list (`F` folder, `R` file, `a`/`M` modes,
//! `Z` checksum) and the rest — is skipped.
//!
//! Surprises and decisions:
//! - **Any line that is not `X:value` makes the whole file an error.** apk writes this file
//!   itself, so a stray line means the file is damaged or is not an apk database; reporting that
//!   is more useful than guessing which records survived (syft does the same).
//! - A second `P` inside one record starts a new record, in case a writer dropped a blank line.
//! - A record without `P` (or with an empty one) is not a package and is skipped; a package
//!   without `V` is kept with an empty version and a purl without one.
//! - The source package is the origin, with the package's own version (apk subpackages share
//!   their origin's version); without `o` the package is its own origin.
//! - Ecosystem is always Alpine and the purl namespace `alpine` (`pkg:apk/alpine/…`): Wolfi and
//!   Chainguard use the same file, and the inventory assembly corrects both from `os-release`.
//! - Whitespace-only lines separate records like blank ones; CRLF line ends are accepted;
//!   invalid UTF-8 is replaced, not rejected.

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package, SourcePackage};

use crate::CatalogError;

/// The largest database read. Real ones are a few MB (the file lists dominate).
const MAX_INSTALLED_BYTES: usize = 256 * 1024 * 1024;

/// The `found_by` name of this cataloger.
const FOUND_BY: &str = "apk";

/// The fields of one record that this cataloger keeps.
#[derive(Debug, Default)]
struct Record<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    origin: Option<&'a str>,
}

impl Record<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.version.is_none()
            && self.arch.is_none()
            && self.origin.is_none()
    }
}

/// Parses `lib/apk/db/installed` into its packages.
///
/// `path` is the file's path inside the target, used in errors and as the packages' location.
pub fn parse_apk_installed(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    if bytes.len() > MAX_INSTALLED_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(MAX_INSTALLED_BYTES).unwrap_or(u64::MAX),
        });
    }
    let text = String::from_utf8_lossy(bytes);
    let mut packages = Vec::new();
    let mut record = Record::default();
    for (index, raw_line) in text.split('\n').enumerate() {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            finish(path, std::mem::take(&mut record), &mut packages)?;
            continue;
        }
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            return Err(CatalogError::Malformed {
                path: path.to_owned(),
                line: index.saturating_add(1),
                reason: "expected a `X:value` line or a blank line".to_owned(),
            });
        };
        let value = chars.as_str().trim();
        let value = (!value.is_empty()).then_some(value);
        match key {
            'P' => {
                if record.name.is_some() {
                    finish(path, std::mem::take(&mut record), &mut packages)?;
                }
                record.name = value;
            }
            'V' => record.version = value,
            'A' => record.arch = value,
            'o' => record.origin = value,
            _ => {}
        }
    }
    finish(path, record, &mut packages)?;
    Ok(packages)
}

/// Turns a finished record into a package, if it names one.
fn finish(path: &str, record: Record<'_>, packages: &mut Vec<Package>) -> Result<(), CatalogError> {
    if record.is_empty() {
        return Ok(());
    }
    let Some(name) = record.name else {
        return Ok(());
    };
    let version = record.version.unwrap_or_default();
    let purl = purl(name, version, record.arch).map_err(|reason| CatalogError::Malformed {
        path: path.to_owned(),
        line: 0,
        reason: format!("package `{name}`: {reason}"),
    })?;
    packages.push(Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::Alpine,
        purl,
        source: Some(SourcePackage {
            name: record.origin.unwrap_or(name).to_owned(),
            version: (!version.is_empty()).then(|| version.to_owned()),
        }),
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: false,
        arch: record.arch.map(str::to_owned),
        layer: None,
    });
    Ok(())
}

/// `pkg:apk/alpine/<name>@<version>?arch=<arch>`; the assembly fixes the namespace later.
fn purl(name: &str, version: &str, arch: Option<&str>) -> Result<String, String> {
    // The purl crate leaves a `/` in a version unencoded, and reads it back as a namespace
    // separator: no valid apk version holds one, so refuse it rather than mint a wrong purl.
    if version.contains('/') {
        return Err(format!("version `{version}` contains `/`"));
    }
    let mut purl = PackageUrl::new("apk", name).map_err(|error| error.to_string())?;
    purl.with_namespace("alpine")
        .map_err(|error| error.to_string())?;
    if !version.is_empty() {
        purl.with_version(version)
            .map_err(|error| error.to_string())?;
    }
    if let Some(arch) = arch {
        purl.add_qualifier("arch", arch)
            .map_err(|error| error.to_string())?;
    }
    Ok(purl.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Package>, CatalogError> {
        parse_apk_installed("lib/apk/db/installed", text.as_bytes())
    }

    /// (name, version, origin, arch, purl)
    type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a str);

    #[test]
    fn records_become_packages() {
        let cases: &[(&str, &[Row<'_>])] = &[
            (
                "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n",
                &[(
                    "musl",
                    "1.2.4-r2",
                    "musl",
                    Some("x86_64"),
                    "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
                )],
            ),
            (
                "C:Q1abc=\r\nP:libssl3\r\nV:3.1.4-r0\r\nA:aarch64\r\no:openssl\r\nF:usr\r\n\r\n",
                &[(
                    "libssl3",
                    "3.1.4-r0",
                    "openssl",
                    Some("aarch64"),
                    "pkg:apk/alpine/libssl3@3.1.4-r0?arch=aarch64",
                )],
            ),
            // No origin: the package is its own; no arch: no qualifier.
            (
                "P:a\nV:1-r0\n",
                &[("a", "1-r0", "a", None, "pkg:apk/alpine/a@1-r0")],
            ),
            // A repeated P without a blank line starts a new record.
            (
                "P:a\nV:1-r0\nP:b\nV:2-r0\n",
                &[
                    ("a", "1-r0", "a", None, "pkg:apk/alpine/a@1-r0"),
                    ("b", "2-r0", "b", None, "pkg:apk/alpine/b@2-r0"),
                ],
            ),
            // Records without a name, empty files, runs of blank lines.
            ("V:1\nA:x86_64\n\n\n", &[]),
            ("", &[]),
            ("P:\nV:1\n", &[]),
        ];
        for (text, expected) in cases {
            let packages = parse(text).unwrap();
            let got: Vec<_> = packages
                .iter()
                .map(|p| {
                    (
                        p.name.as_str(),
                        p.version.as_str(),
                        p.source.as_ref().unwrap().name.as_str(),
                        p.arch.as_deref(),
                        p.purl.as_str(),
                    )
                })
                .collect();
            assert_eq!(got, *expected, "{text:?}");
            for package in &packages {
                assert_eq!(package.ecosystem, Ecosystem::Alpine);
                assert_eq!(package.found_by, "apk");
                assert_eq!(package.locations, ["lib/apk/db/installed"]);
            }
        }
    }

    #[test]
    fn stray_lines_make_the_file_an_error() {
        let cases: &[(&str, usize)] = &[
            ("this is a corrupt db\n\nP:a\nV:1\n", 1),
            ("P:a\nV:1\nPV:2\n", 3),
            ("P:a\n \nx\n", 3),
            ("bogus", 1),
        ];
        for (text, line) in cases {
            match parse(text) {
                Err(CatalogError::Malformed { line: got, .. }) => {
                    assert_eq!(got, *line, "{text:?}")
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn oversized_files_are_refused() {
        let big = vec![b'\n'; MAX_INSTALLED_BYTES + 1];
        assert!(matches!(
            parse_apk_installed("installed", &big),
            Err(CatalogError::TooLarge { .. })
        ));
    }
}
