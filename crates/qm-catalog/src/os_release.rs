//! Which distribution a target runs: `etc/os-release` (or `usr/lib/os-release`), and the older
//! release files used when it is missing.
//!
//! `os-release` (systemd's os-release(5)) is a list of `KEY=value` lines in a subset of shell
//! syntax. Read here: `ID`, `VERSION_ID`, `VERSION_CODENAME`, `PRETTY_NAME`, `ID_LIKE`.
//! Surprises and decisions:
//! - Values may be double-quoted (where `\"`, `\\`, `` \` `` and `\$` are escapes and any other
//!   backslash is kept), single-quoted (literal), or bare (a backslash escapes the next
//!   character, whitespace ends the value, so a trailing `# comment` is dropped). An
//!   unterminated quote keeps what was read. Lines that are not assignments are ignored, and a
//!   later assignment of the same key wins, as in a shell.
//! - The spec defaults a missing `ID` to `linux`; we return `None` instead, because `linux`
//!   identifies nothing and the caller should try the release files.
//! - `ID` is lower-cased (the spec requires lower case; some derivatives ignore it).
//! - `VERSION_CODENAME` is missing on older releases: `UBUNTU_CODENAME` is used next, then a
//!   single lower-case word in parentheses at the end of `VERSION` (Debian 8's `8 (jessie)`;
//!   RHEL's `9.3 (Plow)` is a release name, not a codename, and is not taken).
//! - Debian testing and unstable have no `VERSION_ID`.
//! - Files over `MAX_RELEASE_FILE_BYTES` (64 KiB) are not release files and give `None`.
//!
//! [`distro_from_release_files`] reads the fallbacks, most specific first, because derivatives
//! keep their parent's file (Ubuntu ships `/etc/debian_version` with `bookworm/sid`):
//! 1. `/etc/alpine-release` (`3.18.4`) → `alpine`, the version as written (what its
//!    `os-release` `VERSION_ID` says too);
//! 2. `/etc/redhat-release` (`Red Hat Enterprise Linux release 8.4 (Ootpa)`) → the id its
//!    `os-release` would give (`rhel`, `centos`, `rocky`, `almalinux`, `fedora`, `ol`) and the
//!    version after `release`; for CentOS only the major version, as CentOS' own `VERSION_ID`;
//!    other vendors are not recognised and fall through;
//! 3. `/etc/debian_version` (`12.5`, or `bookworm/sid` on testing) → `debian` with the major
//!    version (`12`, as Debian's `VERSION_ID`), its codename from a table of releases, and the
//!    file's text in `pretty_name`; `bookworm/sid` gives the codename and no version.
//!
//! The caller prefers `os-release` whenever it yields a distribution.

use qm_model::Distro;

/// The largest release file read; real ones are under 1 kB.
const MAX_RELEASE_FILE_BYTES: usize = 64 * 1024;

/// Debian's major versions and codenames, for `/etc/debian_version`.
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("6", "squeeze"),
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
];

/// `/etc/redhat-release` prefixes: the product name, its `os-release` `ID`, and whether its
/// `VERSION_ID` keeps only the major version.
const REDHAT_PRODUCTS: &[(&str, &str, bool)] = &[
    ("Red Hat Enterprise Linux", "rhel", false),
    ("CentOS", "centos", true),
    ("Rocky Linux", "rocky", false),
    ("AlmaLinux", "almalinux", false),
    ("Fedora", "fedora", false),
    ("Oracle Linux", "ol", false),
];

/// Reads an `os-release` file; `None` when it names no distribution.
pub fn parse_os_release(bytes: &[u8]) -> Option<Distro> {
    if bytes.len() > MAX_RELEASE_FILE_BYTES {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let mut id = None;
    let mut version_id = None;
    let mut codename = None;
    let mut ubuntu_codename = None;
    let mut version = None;
    let mut pretty_name = None;
    let mut id_like = None;
    for line in text.lines() {
        let Some((key, value)) = assignment(line) else {
            continue;
        };
        let slot = match key {
            "ID" => &mut id,
            "VERSION_ID" => &mut version_id,
            "VERSION_CODENAME" => &mut codename,
            "UBUNTU_CODENAME" => &mut ubuntu_codename,
            "VERSION" => &mut version,
            "PRETTY_NAME" => &mut pretty_name,
            "ID_LIKE" => &mut id_like,
            _ => continue,
        };
        *slot = Some(value).filter(|value| !value.is_empty());
    }
    let id = id?.trim().to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    let codename = codename
        .or(ubuntu_codename)
        .or_else(|| version.as_deref().and_then(codename_in_version));
    Some(Distro {
        id,
        version_id,
        codename,
        pretty_name,
        id_like: id_like
            .map(|like| {
                like.split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Splits `KEY=value` and unquotes the value; `None` for anything else.
fn assignment(line: &str) -> Option<(&str, String)> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    let valid_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid_key.then(|| (key, unquote(value)))
}

/// Evaluates the value of a shell assignment without expansions.
fn unquote(raw: &str) -> String {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Double,
        Single,
    }
    let mut value = String::new();
    let mut quote = Quote::None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (&quote, c) {
            (Quote::None, '"') => quote = Quote::Double,
            (Quote::None, '\'') => quote = Quote::Single,
            (Quote::None, '\\') => value.extend(chars.next()),
            (Quote::None, c) if c.is_whitespace() => break,
            (Quote::Double, '"') | (Quote::Single, '\'') => quote = Quote::None,
            (Quote::Double, '\\') => match chars.next() {
                Some(escaped @ ('"' | '\\' | '`' | '$')) => value.push(escaped),
                Some(other) => {
                    value.push('\\');
                    value.push(other);
                }
                None => value.push('\\'),
            },
            (_, c) => value.push(c),
        }
    }
    value
}

/// `jessie` from `8 (jessie)`: one lower-case ASCII word in parentheses at the end.
fn codename_in_version(version: &str) -> Option<String> {
    let inner = version.trim().strip_suffix(')')?.rsplit_once('(')?.1;
    let is_codename = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase());
    is_codename.then(|| inner.to_owned())
}

/// Guesses the distribution from the older release files, in the order the module doc gives.
pub fn distro_from_release_files(
    debian_version: Option<&[u8]>,
    alpine_release: Option<&[u8]>,
    redhat_release: Option<&[u8]>,
) -> Option<Distro> {
    alpine_release
        .and_then(alpine_from_release)
        .or_else(|| redhat_release.and_then(redhat_from_release))
        .or_else(|| debian_version.and_then(debian_from_version))
}

/// The first non-empty line of a small release file, trimmed.
fn first_line(bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_RELEASE_FILE_BYTES {
        return None;
    }
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(str::to_owned)
}

fn bare_distro(id: &str) -> Distro {
    Distro {
        id: id.to_owned(),
        version_id: None,
        codename: None,
        pretty_name: None,
        id_like: Vec::new(),
    }
}

/// `/etc/alpine-release`: one version, `3.18.4` (edge: `3.19_alpha20230901`).
fn alpine_from_release(bytes: &[u8]) -> Option<Distro> {
    let version = first_line(bytes)?;
    let plausible =
        version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains(char::is_whitespace);
    plausible.then(|| Distro {
        version_id: Some(version),
        ..bare_distro("alpine")
    })
}

/// `/etc/redhat-release`: `<product> release <version> (<name>)`.
fn redhat_from_release(bytes: &[u8]) -> Option<Distro> {
    let line = first_line(bytes)?;
    let (product, rest) = line.split_once(" release ")?;
    let (_, id, major_only) = REDHAT_PRODUCTS
        .iter()
        .find(|(prefix, _, _)| product.starts_with(prefix))?;
    let version = rest.split_whitespace().next()?;
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let version = if *major_only {
        version.split('.').next().unwrap_or(version)
    } else {
        version
    };
    Some(Distro {
        version_id: Some(version.to_owned()),
        pretty_name: Some(line.clone()),
        ..bare_distro(id)
    })
}

/// `/etc/debian_version`: `12.5`, `9.13`, `6.0.10`, or `bookworm/sid` on testing/unstable.
fn debian_from_version(bytes: &[u8]) -> Option<Distro> {
    let text = first_line(bytes)?;
    if text.contains(char::is_whitespace) {
        return None;
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let major = text.split('.').next().unwrap_or(&text);
        let codename = DEBIAN_CODENAMES
            .iter()
            .find(|(number, _)| *number == major)
            .map(|(_, codename)| (*codename).to_owned());
        return Some(Distro {
            version_id: Some(major.to_owned()),
            codename,
            pretty_name: Some(format!("Debian {text}")),
            ..bare_distro("debian")
        });
    }
    let codename = text.split('/').next().unwrap_or(&text);
    let plausible = !codename.is_empty() && codename.chars().all(|c| c.is_ascii_lowercase());
    plausible.then(|| Distro {
        codename: Some(codename.to_owned()),
        pretty_name: Some(format!("Debian {text}")),
        ..bare_distro("debian")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_unquote_like_a_shell() {
        let cases: &[(&str, &str)] = &[
            ("ID=debian", "debian"),
            ("ID=\"debian\"", "debian"),
            ("ID='debian'", "debian"),
            (
                "NAME=\"Say \\\"hi\\\" \\\\ \\$HOME \\`x\\`\"",
                "Say \"hi\" \\ $HOME `x`",
            ),
            ("NAME=\"keep \\n backslash\"", "keep \\n backslash"),
            ("NAME='single \\ \"literal\"'", "single \\ \"literal\""),
            ("NAME=bare\\ escaped", "bare escaped"),
            ("NAME=bare # comment", "bare"),
            ("NAME=\"unterminated", "unterminated"),
            ("NAME=", ""),
            ("NAME=\"a\"'b'c", "abc"),
        ];
        for (line, expected) in cases {
            let (_, value) = assignment(line).unwrap();
            assert_eq!(value, *expected, "{line}");
        }
    }

    #[test]
    fn non_assignments_are_ignored() {
        for line in ["# ID=x", "", "just words", "BAD KEY=x", "=x", "KEY-DASH=x"] {
            assert_eq!(assignment(line), None, "{line}");
        }
    }

    #[test]
    fn codename_fallbacks() {
        let cases: &[(&str, Option<&str>)] = &[
            ("ID=debian\nVERSION=\"8 (jessie)\"\n", Some("jessie")),
            ("ID=rhel\nVERSION=\"9.3 (Plow)\"\n", None),
            (
                "ID=ubuntu\nVERSION=\"16.04.7 LTS (Xenial Xerus)\"\nUBUNTU_CODENAME=xenial\n",
                Some("xenial"),
            ),
            ("ID=x\nVERSION_CODENAME=a\nUBUNTU_CODENAME=b\n", Some("a")),
            ("ID=x\nVERSION_CODENAME=\n", None),
        ];
        for (text, expected) in cases {
            let distro = parse_os_release(text.as_bytes()).unwrap();
            assert_eq!(distro.codename.as_deref(), *expected, "{text}");
        }
    }

    #[test]
    fn missing_or_empty_id_gives_none() {
        for text in ["NAME=Linux\n", "ID=\n", "", "\u{0}\u{1}garbage"] {
            assert_eq!(parse_os_release(text.as_bytes()), None, "{text:?}");
        }
        let huge = vec![b'a'; MAX_RELEASE_FILE_BYTES + 1];
        assert_eq!(parse_os_release(&huge), None);
    }

    #[test]
    fn later_assignments_win_and_id_is_lowercased() {
        let distro = parse_os_release(b"ID=Foo\nID=Bar\nID_LIKE=\"RHEL fedora\"\n").unwrap();
        assert_eq!(distro.id, "bar");
        assert_eq!(distro.id_like, ["rhel", "fedora"]);
    }

    /// (file text, id, version_id, codename)
    type ReleaseCase = (
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );

    #[test]
    fn redhat_release_lines() {
        let cases: &[ReleaseCase] = &[
            (
                "Red Hat Enterprise Linux release 8.4 (Ootpa)\n",
                "rhel",
                Some("8.4"),
                None,
            ),
            (
                "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n",
                "rhel",
                Some("7.9"),
                None,
            ),
            (
                "CentOS Linux release 7.9.2009 (Core)\n",
                "centos",
                Some("7"),
                None,
            ),
            ("CentOS release 6.10 (Final)\n", "centos", Some("6"), None),
            ("CentOS Stream release 9\n", "centos", Some("9"), None),
            (
                "Rocky Linux release 9.3 (Blue Onyx)\n",
                "rocky",
                Some("9.3"),
                None,
            ),
            (
                "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n",
                "almalinux",
                Some("9.3"),
                None,
            ),
            (
                "Fedora release 39 (Thirty Nine)\n",
                "fedora",
                Some("39"),
                None,
            ),
            ("Oracle Linux Server release 8.9\n", "ol", Some("8.9"), None),
        ];
        for (text, id, version_id, codename) in cases {
            let distro = distro_from_release_files(None, None, Some(text.as_bytes())).unwrap();
            assert_eq!(distro.id, *id, "{text}");
            assert_eq!(distro.version_id.as_deref(), *version_id, "{text}");
            assert_eq!(distro.codename.as_deref(), *codename, "{text}");
            assert_eq!(distro.pretty_name.as_deref(), Some(text.trim()));
        }
        for text in [
            "Scientific Linux release 7.9 (Nitrogen)",
            "Red Hat Enterprise Linux",
            "Red Hat Enterprise Linux release beta",
            "",
        ] {
            assert_eq!(
                distro_from_release_files(None, None, Some(text.as_bytes())),
                None,
                "{text}"
            );
        }
    }

    #[test]
    fn debian_and_alpine_release_files() {
        let debian: &[ReleaseCase] = &[
            ("12.5\n", "debian", Some("12"), Some("bookworm")),
            ("9.13\n", "debian", Some("9"), Some("stretch")),
            ("6.0.10\n", "debian", Some("6"), Some("squeeze")),
            ("42.1\n", "debian", Some("42"), None),
            ("bookworm/sid\n", "debian", None, Some("bookworm")),
            ("trixie/sid\n", "debian", None, Some("trixie")),
        ];
        for (text, id, version_id, codename) in debian {
            let distro = distro_from_release_files(Some(text.as_bytes()), None, None).unwrap();
            assert_eq!(
                (
                    distro.id.as_str(),
                    distro.version_id.as_deref(),
                    distro.codename.as_deref()
                ),
                (*id, *version_id, *codename),
                "{text}"
            );
        }
        let alpine: &[ReleaseCase] = &[
            ("3.18.4\n", "alpine", Some("3.18.4"), None),
            (
                "3.19_alpha20230901\n",
                "alpine",
                Some("3.19_alpha20230901"),
                None,
            ),
        ];
        for (text, id, version_id, codename) in alpine {
            let distro = distro_from_release_files(None, Some(text.as_bytes()), None).unwrap();
            assert_eq!(
                (
                    distro.id.as_str(),
                    distro.version_id.as_deref(),
                    distro.codename.as_deref()
                ),
                (*id, *version_id, *codename),
                "{text}"
            );
        }
        for text in ["", "not a version", "Bookworm/Sid"] {
            assert_eq!(
                distro_from_release_files(Some(text.as_bytes()), None, None),
                None
            );
            assert_eq!(
                distro_from_release_files(None, Some(text.as_bytes()), None),
                None
            );
        }
    }

    #[test]
    fn release_file_precedence() {
        let debian = Some(b"bookworm/sid\n".as_slice());
        let alpine = Some(b"3.18.4\n".as_slice());
        let redhat = Some(b"Rocky Linux release 9.3 (Blue Onyx)\n".as_slice());
        let unknown_redhat = Some(b"Something release 1\n".as_slice());
        let id = |d: Option<&[u8]>, a: Option<&[u8]>, r: Option<&[u8]>| {
            distro_from_release_files(d, a, r).map(|distro| distro.id)
        };
        assert_eq!(id(debian, alpine, redhat).as_deref(), Some("alpine"));
        assert_eq!(id(debian, None, redhat).as_deref(), Some("rocky"));
        assert_eq!(id(debian, None, unknown_redhat).as_deref(), Some("debian"));
        assert_eq!(id(None, None, None), None);
    }
}
