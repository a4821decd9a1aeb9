//! The dpkg status database: `var/lib/dpkg/status`, and each file of the distroless
//! `var/lib/dpkg/status.d/` directory (same format, usually one package per file).
//!
//! The format is Debian's RFC-822-like "control file" syntax (deb822): stanzas separated by
//! blank lines, each a list of `Field: value` lines, where a line starting with a space or tab
//! continues the previous field. Field names are case-insensitive.
//!
//! What this cataloger does, and the format's surprises:
//! - **Only installed packages.** dpkg keeps stanzas for removed packages whose configuration
//!   files remain (`Status: deinstall ok config-files`) and for packages it merely knows about
//!   (`purge ok not-installed`). `Status` is `want flag state`; a package is kept when its
//!   *state* (third word) says its files are on disk: `installed`, `triggers-pending`,
//!   `triggers-awaited`, `half-configured` or `unpacked`. `not-installed`, `config-files` and
//!   `half-installed` are dropped. Distroless `status.d` files usually have no `Status` at all:
//!   they describe installed packages, so a missing `Status` means installed. opkg's status
//!   file (`install user installed`) reads the same way.
//! - **Source package.** `Source: glibc (2.36-9)` names the source package and its version,
//!   which differs from the binary's after a binary-only rebuild (`+b1`). `Source: glibc`
//!   without a version means the source version is the binary version. No `Source` at all
//!   means the package is its own source.
//! - **Epochs stay in the version** as written (`1:2.5.1-4`); the purl spec keeps them there for
//!   `deb` too. Versions are never compared here.
//! - **Missing `Version`.** A stanza without `Version` (only seen in hand-written status.d
//!   files and test fixtures; real `status` files omit it only for not-installed packages,
//!   which the `Status` filter drops) is kept with an empty version and a purl without one,
//!   as syft does, so the inventory still names it.
//! - **Ecosystem and purl namespace are always Debian here** (`pkg:deb/debian/…`): the status
//!   file does not say which distribution wrote it. The inventory assembly, which knows the
//!   distribution from `os-release`, corrects the ecosystem (Ubuntu) and the purl namespace
//!   (`pkg:deb/ubuntu/…`) and adds the `distro` qualifier.
//! - **Malformed stanzas are skipped**, since stanzas are independent: a line that is neither a
//!   field nor a continuation, a continuation before any field, a repeated field, a `Status`
//!   that is not three words, or a `Package`/`Version`/`Architecture` value with whitespace in
//!   it. A stanza with an empty or missing `Package` is not a package and is skipped too. When
//!   the file yields no package and at least one stanza was malformed, the whole file is an
//!   error (it is probably not a status file at all); otherwise the skipped stanzas are lost
//!   silently, because catalogers have no warning channel yet.
//! - Comment lines (`#` in column 0) are ignored, as deb822 allows; whitespace-only lines
//!   separate stanzas; CRLF line ends are accepted; invalid UTF-8 is replaced, not rejected.
//!
//! The caller hands over only status files: in `status.d/` the `*.md5sums` files beside each
//! package file are not status stanzas and would be reported as malformed.

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package, SourcePackage};

use crate::CatalogError;

/// The largest status file read. Real ones are a few MB (about 2 kB per installed package).
const MAX_STATUS_BYTES: usize = 128 * 1024 * 1024;

/// The `found_by` name of this cataloger.
const FOUND_BY: &str = "dpkg";

/// The package states whose files are on disk (dpkg(1), "package states").
const INSTALLED_STATES: &[&str] = &[
    "installed",
    "triggers-pending",
    "triggers-awaited",
    "half-configured",
    "unpacked",
];

/// Parses a dpkg status file (or one `status.d/` file) into its installed packages.
///
/// `path` is the file's path inside the target, used in errors and as the packages' location.
pub fn parse_dpkg_status(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    if bytes.len() > MAX_STATUS_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(MAX_STATUS_BYTES).unwrap_or(u64::MAX),
        });
    }
    let text = String::from_utf8_lossy(bytes);
    let mut packages = Vec::new();
    let mut first_problem: Option<StanzaProblem> = None;
    for stanza in stanzas(&text) {
        match stanza.and_then(|stanza| stanza_to_package(path, &stanza)) {
            Ok(Some(package)) => packages.push(package),
            Ok(None) => {}
            Err(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    match first_problem {
        Some(problem) if packages.is_empty() => Err(CatalogError::Malformed {
            path: path.to_owned(),
            line: problem.line,
            reason: problem.reason,
        }),
        _ => Ok(packages),
    }
}

/// Why one stanza was skipped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StanzaProblem {
    /// 1-based line of the problem.
    line: usize,
    reason: String,
}

/// One stanza: its fields in order, with the line each started on.
#[derive(Debug, Default)]
struct Stanza {
    /// The line of the stanza's first field.
    line: usize,
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    name: String,
    value: String,
}

impl Stanza {
    /// The value of a field, by case-insensitive name.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
            .map(|field| field.value.as_str())
    }
}

/// Splits the text into stanzas; a stanza with a syntax error becomes an `Err`.
fn stanzas(text: &str) -> Vec<Result<Stanza, StanzaProblem>> {
    let mut result = Vec::new();
    let mut current = Stanza::default();
    let mut problem: Option<StanzaProblem> = None;
    let mut finish = |current: &mut Stanza, problem: &mut Option<StanzaProblem>| {
        let stanza = std::mem::take(current);
        match problem.take() {
            Some(problem) => result.push(Err(problem)),
            None if stanza.fields.is_empty() => {}
            None => result.push(Ok(stanza)),
        }
    };
    for (index, raw_line) in text.split('\n').enumerate() {
        let number = index.saturating_add(1);
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim_matches([' ', '\t']).is_empty() {
            finish(&mut current, &mut problem);
            continue;
        }
        if problem.is_some() || line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.fields.last_mut() {
                Some(field) => {
                    field.value.push('\n');
                    field.value.push_str(line.trim());
                }
                None => {
                    problem = Some(StanzaProblem {
                        line: number,
                        reason: "a continuation line comes before any field".to_owned(),
                    });
                }
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            problem = Some(StanzaProblem {
                line: number,
                reason: format!("`{}` is neither a field nor a continuation", shorten(line)),
            });
            continue;
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            problem = Some(StanzaProblem {
                line: number,
                reason: format!("`{}` is not a field name", shorten(name)),
            });
            continue;
        }
        if current.get(name).is_some() {
            problem = Some(StanzaProblem {
                line: number,
                reason: format!("field `{name}` appears twice in one stanza"),
            });
            continue;
        }
        if current.fields.is_empty() {
            current.line = number;
        }
        current.fields.push(Field {
            name: name.to_owned(),
            value: value.trim().to_owned(),
        });
    }
    finish(&mut current, &mut problem);
    result
}

/// The longest excerpt of a bad line quoted in an error.
const MAX_QUOTED_CHARS: usize = 60;

/// Cuts a quoted excerpt to [`MAX_QUOTED_CHARS`] characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// A single-word field value: `None` when absent or empty, an error when it holds whitespace.
fn word<'a>(stanza: &'a Stanza, name: &str) -> Result<Option<&'a str>, StanzaProblem> {
    match stanza.get(name) {
        None | Some("") => Ok(None),
        Some(value) if value.contains(char::is_whitespace) => Err(StanzaProblem {
            line: stanza.line,
            reason: format!("`{name}` is `{}`, which is not one word", shorten(value)),
        }),
        Some(value) => Ok(Some(value)),
    }
}

/// Turns a stanza into a package, `None` when it is not an installed package.
fn stanza_to_package(path: &str, stanza: &Stanza) -> Result<Option<Package>, StanzaProblem> {
    let Some(name) = word(stanza, "Package")? else {
        return Ok(None);
    };
    if let Some(status) = stanza.get("Status") {
        let words: Vec<&str> = status.split_whitespace().collect();
        let [_want, _flag, state] = words.as_slice() else {
            return Err(StanzaProblem {
                line: stanza.line,
                reason: format!("`Status` of `{name}` is `{status}`, not `want flag state`"),
            });
        };
        if !INSTALLED_STATES.contains(state) {
            return Ok(None);
        }
    }
    let version = word(stanza, "Version")?.unwrap_or_default();
    let arch = word(stanza, "Architecture")?;
    let source = source_package(stanza.get("Source").unwrap_or_default(), name, version);
    let purl = purl(name, version, arch).map_err(|reason| StanzaProblem {
        line: stanza.line,
        reason,
    })?;
    Ok(Some(Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::Debian,
        purl,
        source: Some(source),
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: false,
        arch: arch.map(str::to_owned),
        layer: None,
    }))
}

/// Reads `Source: name (version)`, `Source: name` or an empty/absent `Source`.
fn source_package(field: &str, binary_name: &str, binary_version: &str) -> SourcePackage {
    let (name, version) = match field.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split_once(')').map_or(rest, |(version, _)| version);
            (name.trim(), Some(version.trim()))
        }
        None => (field.trim(), None),
    };
    let name = if name.is_empty() { binary_name } else { name };
    let version = version
        .filter(|version| !version.is_empty())
        .unwrap_or(binary_version);
    SourcePackage {
        name: name.to_owned(),
        version: (!version.is_empty()).then(|| version.to_owned()),
    }
}

/// `pkg:deb/debian/<name>@<version>?arch=<arch>`; the assembly fixes the namespace later.
fn purl(name: &str, version: &str, arch: Option<&str>) -> Result<String, String> {
    // The purl crate leaves a `/` in a version unencoded, and reads it back as a namespace
    // separator: no valid deb version holds one, so refuse it rather than mint a wrong purl.
    if version.contains('/') {
        return Err(format!("version `{version}` contains `/`"));
    }
    let mut purl = PackageUrl::new("deb", name).map_err(|error| error.to_string())?;
    purl.with_namespace("debian")
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
        parse_dpkg_status("var/lib/dpkg/status", text.as_bytes())
    }

    fn names(text: &str) -> Vec<String> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|package| package.name)
            .collect()
    }

    #[test]
    fn status_states_decide_what_is_installed() {
        let cases: &[(&str, bool)] = &[
            ("install ok installed", true),
            ("hold ok installed", true),
            ("deinstall ok installed", true),
            ("install user installed", true),
            ("install ok triggers-pending", true),
            ("install ok triggers-awaited", true),
            ("install ok half-configured", true),
            ("install ok unpacked", true),
            ("deinstall ok config-files", false),
            ("purge ok not-installed", false),
            ("install reinstreq half-installed", false),
        ];
        for (status, kept) in cases {
            let text = format!("Package: a\nStatus: {status}\nVersion: 1\n");
            assert_eq!(names(&text).len(), usize::from(*kept), "{status}");
        }
    }

    #[test]
    fn source_field_forms() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Source: glibc (2.36-9)\n", "glibc", Some("2.36-9")),
            ("Source: glibc\n", "glibc", Some("1:2.0-1+b1")),
            ("", "libc6", Some("1:2.0-1+b1")),
            ("Source:\n", "libc6", Some("1:2.0-1+b1")),
            ("Source: glibc ()\n", "glibc", Some("1:2.0-1+b1")),
        ];
        for (field, name, version) in cases {
            let text = format!("Package: libc6\nVersion: 1:2.0-1+b1\n{field}");
            let package = parse(&text).unwrap().remove(0);
            let source = package.source.unwrap();
            assert_eq!(source.name, *name, "{field}");
            assert_eq!(source.version.as_deref(), *version, "{field}");
        }
    }

    #[test]
    fn purls_keep_epoch_and_arch() {
        let cases: &[(&str, &str)] = &[
            (
                "Package: libattr1\nVersion: 1:2.5.1-4\nArchitecture: arm64\n",
                "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64",
            ),
            (
                "Package: libselinux1\nVersion: 3.4-1+b6\nArchitecture: amd64\n",
                "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=amd64",
            ),
            ("Package: foo\n", "pkg:deb/debian/foo"),
        ];
        for (text, expected) in cases {
            let package = parse(text).unwrap().remove(0);
            assert_eq!(package.purl, *expected);
            assert_eq!(package.ecosystem, Ecosystem::Debian);
            assert_eq!(package.found_by, "dpkg");
            assert_eq!(package.locations, ["var/lib/dpkg/status"]);
        }
    }

    #[test]
    fn syntax_variants() {
        let cases: &[(&str, &[&str])] = &[
            // CRLF, comment, whitespace-only separator, lower-case field names.
            (
                "# comment\r\nPackage: a\r\nVersion: 1\r\n \t\r\npackage: b\r\nversion: 2\r\n",
                &["a", "b"],
            ),
            // Continuation lines belong to the field above.
            (
                "Package: a\nDescription: x\n y\n .\n z\nVersion: 1\n\nPackage: b\n",
                &["a", "b"],
            ),
            // A malformed stanza is skipped, the rest kept.
            ("Package: a\nnot a field\n\nPackage: b\n", &["b"]),
            ("Package: a\nPackage: a\n\nPackage: b\n", &["b"]),
            ("Package: a\nStatus: installed\n\nPackage: b\n", &["b"]),
            ("Package: a b\n\nPackage: b\n", &["b"]),
            // Empty package names and empty files give nothing.
            ("Package:", &[]),
            ("", &[]),
            ("\n\n\n", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(names(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn a_file_of_nothing_but_malformed_stanzas_is_an_error() {
        let cases: &[(&str, usize)] = &[
            ("bogus status", 1),
            (" leading continuation\n", 1),
            ("Package: a\nStatus: x y\n", 1),
            ("\n\nPackage: a\n: value\n", 4),
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
        let big = vec![b'\n'; MAX_STATUS_BYTES + 1];
        assert!(matches!(
            parse_dpkg_status("status", &big),
            Err(CatalogError::TooLarge { .. })
        ));
    }
}
