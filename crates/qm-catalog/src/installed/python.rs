//! Installed Python distributions: `<name>-<version>.dist-info/METADATA` (wheels, modern pip),
//! `<name>.egg-info/PKG-INFO` (setuptools installs, `pip install -e`), `EGG-INFO/PKG-INFO`
//! (unzipped eggs), and a bare `<name>.egg-info` *file* holding the same text (distutils
//! installs; Debian's `python3-*` packages ship many).
//!
//! The format is the core metadata spec's email-header block: `Field: value` lines, where a
//! line starting with whitespace continues the previous field, ending at the first blank line
//! (the long description may follow as the message body). Only `Name` and `Version` are read.
//!
//! Surprises:
//! - **Junk inside the headers.** Old `PKG-INFO` files written by buggy setuptools put a
//!   multi-line `Summary` without indentation (syft's `PKG-INFO-INVALID` fixture: an HTML
//!   licence comment). Such lines are neither fields nor continuations; they are skipped, and
//!   the first `Name` and `Version` still count.
//! - **No version.** A `PKG-INFO` without `Version` (seen in syft's fixtures, and from broken
//!   builds) keeps the package with an empty version and a purl without one, as syft does and
//!   as the dpkg cataloger does, so the inventory still names it.
//! - **The interpreter itself.** Debian's `python2.7` ships `Python-2.7.egg-info` describing
//!   CPython, which is not a PyPI package: `Name: Python` is skipped, as syft does.
//! - **Empty files** (an empty `*.egg-info`, seen in real images) name no package and are not
//!   an error. A file with text but no `Name` field is an error: it is not metadata.
//! - The purl's name is PEP 503-normalised (`zope.interface` → `pkg:pypi/zope-interface`),
//!   like the lockfile catalogers', so the same distribution gets one purl; `Package::name`
//!   keeps the spelling of the `Name` field.
//! - Invalid UTF-8 (very old latin-1 `PKG-INFO`s) is replaced, not rejected.

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package};

use super::{check_size, file_name, malformed, shorten};
use crate::CatalogError;
use crate::lockfiles::normalise_python_name;

/// The `found_by` name of this cataloger.
const FOUND_BY: &str = "python-installed";

/// The largest metadata file read. Real ones hold a long description after the headers and
/// stay under a few hundred KiB; this only stops a hostile file.
const MAX_METADATA_BYTES: usize = 16 * 1024 * 1024;

/// Whether `path` is installed Python metadata: `*.dist-info/METADATA`,
/// `*.egg-info/PKG-INFO`, `EGG-INFO/PKG-INFO` or a `*.egg-info` file. Directory suffixes are
/// matched without regard to case (`*.DIST-INFO`), as syft does.
pub fn claims_python_installed(path: &str) -> bool {
    let (directory, name) = path.rsplit_once('/').unwrap_or(("", path));
    let directory = file_name(directory);
    match name {
        "METADATA" => has_suffix_ignoring_case(directory, ".dist-info"),
        "PKG-INFO" => {
            directory.eq_ignore_ascii_case("EGG-INFO")
                || has_suffix_ignoring_case(directory, ".egg-info")
        }
        _ => name.ends_with(".egg-info") && name.len() > ".egg-info".len(),
    }
}

/// Whether `text` is longer than `suffix` and ends with it, ignoring ASCII case.
fn has_suffix_ignoring_case(text: &str, suffix: &str) -> bool {
    text.len() > suffix.len()
        && text
            .get(text.len().saturating_sub(suffix.len())..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
}

/// Reads one installed distribution's `METADATA` / `PKG-INFO` into at most one package.
///
/// `path` is the file's path inside the target, used in errors and as the package's location.
///
/// # Errors
/// When the file is over the size limit, has text but no `Name` field, or a `Name` or
/// `Version` that cannot be one (whitespace inside, characters PEP 508 forbids in names).
pub fn parse_python_installed(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    check_size(path, bytes, MAX_METADATA_BYTES)?;
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let headers = read_headers(text);
    let Some((name_line, name)) = headers.name else {
        if headers.fields == 0 && headers.first_junk_line.is_none() {
            return Ok(Vec::new());
        }
        let line = headers.first_junk_line.unwrap_or(1);
        return Err(malformed(
            path,
            line,
            "no `Name` field in the metadata headers",
        ));
    };
    if !is_valid_name(name) {
        return Err(malformed(
            path,
            name_line,
            format!("`{}` is not a distribution name", shorten(name)),
        ));
    }
    let version = match headers.version {
        Some((line, version)) if version.contains(char::is_whitespace) => {
            return Err(malformed(
                path,
                line,
                format!("`{}` is not a version", shorten(version)),
            ));
        }
        Some((_, version)) => version,
        None => "",
    };
    if name == "Python" {
        return Ok(Vec::new());
    }
    let purl = python_purl(name, version)
        .ok_or_else(|| malformed(path, name_line, format!("no purl for `{}`", shorten(name))))?;
    Ok(vec![Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::PyPI,
        purl,
        source: None,
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: false,
        arch: None,
        layer: None,
    }])
}

/// What the header block said, with 1-based lines.
#[derive(Debug, Default)]
struct Headers<'a> {
    /// The first `Name` field.
    name: Option<(usize, &'a str)>,
    /// The first `Version` field.
    version: Option<(usize, &'a str)>,
    /// How many well-formed fields there were.
    fields: usize,
    /// The first line that was neither a field nor a continuation.
    first_junk_line: Option<usize>,
}

/// Reads the header block: up to the first blank line after the first non-blank one.
fn read_headers(text: &str) -> Headers<'_> {
    let mut headers = Headers::default();
    let mut started = false;
    for (index, raw_line) in text.split('\n').enumerate() {
        let number = index.saturating_add(1);
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            if started {
                break;
            }
            continue;
        }
        started = true;
        if line.starts_with([' ', '\t']) {
            // A continuation: only long fields (Description, License) have them.
            continue;
        }
        let field = line
            .split_once(':')
            .filter(|(key, _)| !key.is_empty() && !key.contains(char::is_whitespace));
        let Some((key, value)) = field else {
            headers.first_junk_line.get_or_insert(number);
            continue;
        };
        headers.fields = headers.fields.saturating_add(1);
        let value = value.trim();
        if key.eq_ignore_ascii_case("Name") {
            headers.name.get_or_insert((number, value));
        } else if key.eq_ignore_ascii_case("Version") {
            headers.version.get_or_insert((number, value));
        }
    }
    headers
}

/// PEP 508 names: ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter
/// or digit.
fn is_valid_name(name: &str) -> bool {
    let alphanumeric_ends = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    alphanumeric_ends
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `pkg:pypi/<normalised name>[@<version>]`.
fn python_purl(name: &str, version: &str) -> Option<String> {
    let mut purl = PackageUrl::new("pypi", normalise_python_name(name)).ok()?;
    if !version.is_empty() {
        purl.with_version(version).ok()?;
    }
    Some(purl.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_match_installed_metadata_only() {
        let cases = [
            (
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
                true,
            ),
            ("site-packages/v.DIST-INFO/METADATA", true),
            ("site-packages/y.egg-info/PKG-INFO", true),
            ("site-packages/w.EGG-INFO/PKG-INFO", true),
            ("site-packages/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO", true),
            ("usr/lib/python3/dist-packages/z.egg-info", true),
            ("six-1.16.0.dist-info/METADATA", true),
            ("site-packages/.dist-info/METADATA", false),
            ("site-packages/x.dist-info/RECORD", false),
            ("site-packages/x.dist-info/metadata", false),
            ("src/PKG-INFO", false),
            ("site-packages/x.egg-info/RECORD", false),
            (".egg-info", false),
            ("a/.egg-info", false),
            ("METADATA", false),
        ];
        for (path, expected) in cases {
            assert_eq!(claims_python_installed(path), expected, "{path}");
        }
    }

    #[test]
    fn headers_give_name_and_version() {
        type Expected = Option<(&'static str, &'static str, &'static str)>;
        let cases: &[(&str, Expected)] = &[
            (
                "Metadata-Version: 2.1\nName: Pygments\nVersion: 2.6.1\n\nName: body\n",
                Some(("Pygments", "2.6.1", "pkg:pypi/pygments@2.6.1")),
            ),
            (
                "name: Zope.Interface\r\nversion: 5.0\r\n",
                Some(("Zope.Interface", "5.0", "pkg:pypi/zope-interface@5.0")),
            ),
            (
                "Name: no-version\n",
                Some(("no-version", "", "pkg:pypi/no-version")),
            ),
            // The body after the blank line is not read, even when it looks like a header.
            ("Metadata-Version: 2.1\n\nName: x\nVersion: 1\n", None),
            (
                "Summary: <!-- a\n<!-- b -->\nName: later\nVersion: 1.0\n",
                Some(("later", "1.0", "pkg:pypi/later@1.0")),
            ),
            (
                "Description: a\n  Name: not-this\nName: this\nVersion: 2\n",
                Some(("this", "2", "pkg:pypi/this@2")),
            ),
            ("Name: Python\nVersion: 2.7.13\n", None),
            ("", None),
            ("\n\n  \n", None),
        ];
        for (text, expected) in cases {
            let result = parse_python_installed("x.dist-info/METADATA", text.as_bytes());
            match expected {
                Some((name, version, purl)) => {
                    let packages = result.unwrap();
                    assert_eq!(packages.len(), 1, "{text:?}");
                    let package = &packages[0];
                    assert_eq!(
                        (
                            package.name.as_str(),
                            package.version.as_str(),
                            package.purl.as_str()
                        ),
                        (*name, *version, *purl),
                        "{text:?}"
                    );
                }
                None => {
                    if let Ok(packages) = result {
                        assert!(packages.is_empty(), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn text_without_a_name_or_with_a_bad_one_is_malformed() {
        let cases = [
            ("Metadata-Version: 2.1\nVersion: 1.0\n", 1),
            ("just some words\n", 1),
            ("Name: has space\n", 1),
            ("Name: -leading\n", 1),
            ("Metadata-Version: 2.1\nName: ok\nVersion: 1.0 beta\n", 3),
        ];
        for (text, line) in cases {
            match parse_python_installed("x", text.as_bytes()) {
                Err(CatalogError::Malformed { line: got, .. }) => {
                    assert_eq!(got, line, "{text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
