//! Package names and the keys advisories are looked up by.

use std::fmt;

use crate::Ecosystem;

/// A package name, normalised the way its ecosystem compares names.
///
/// - PyPI: PEP 503 (`Foo_Bar.baz` is `foo-bar-baz`).
/// - crates.io: case-insensitive, `_` equals `-` (`Serde_JSON` is `serde-json`).
/// - NuGet, Packagist: case-insensitive (lower-cased).
/// - Debian, Ubuntu, Alpine and RPM distributions, npm, Go, Maven, RubyGems, Hex, pub: as written
///   (their registries are case-sensitive, or lower-case by policy).
///
/// Leading and trailing whitespace is always removed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct PackageName(Box<str>);

impl PackageName {
    /// Normalises `name` under the rules of `ecosystem`.
    pub fn new(ecosystem: &Ecosystem, name: &str) -> PackageName {
        let name = name.trim();
        let normalised = match ecosystem {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator_run = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator_run {
                            out.push('-');
                        }
                        in_separator_run = true;
                    } else {
                        out.extend(c.to_lowercase());
                        in_separator_run = false;
                    }
                }
                out
            }
            Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::NuGet | Ecosystem::Packagist => name.to_lowercase(),
            _ => name.to_owned(),
        };
        PackageName(normalised.into())
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises a distribution release the way advisories and inventories must agree on it:
/// Debian code names become numbers (`bookworm` is `12`), Alpine branches drop the `v`
/// (`v3.18` is `3.18`) and keep only major.minor (`3.18.4` is `3.18`), and Debian point
/// releases keep only the major number (`12.13` is `12`). Red Hat's own OSV names its
/// releases by CPE-like product (`enterprise_linux:7::server`): the main product keeps only its
/// major version, as RHEL, CentOS, AlmaLinux and Rocky inventories do (`9.3` is `9`); other Red
/// Hat products (EUS, SAP streams) keep their text, so they never match a plain release.
/// Other ecosystems keep the text.
pub fn normalize_release(ecosystem: &Ecosystem, release: &str) -> String {
    let release = release.trim();
    match ecosystem {
        Ecosystem::Debian => {
            const CODENAMES: &[(&str, &str)] = &[
                ("woody", "3.0"),
                ("sarge", "3.1"),
                ("etch", "4"),
                ("lenny", "5"),
                ("squeeze", "6"),
                ("wheezy", "7"),
                ("jessie", "8"),
                ("stretch", "9"),
                ("buster", "10"),
                ("bullseye", "11"),
                ("bookworm", "12"),
                ("trixie", "13"),
                ("forky", "14"),
                ("duke", "15"),
            ];
            let lower = release.to_ascii_lowercase();
            if let Some((_, number)) = CODENAMES.iter().find(|(name, _)| *name == lower) {
                return (*number).to_owned();
            }
            // Already a release number: `3.0` (woody) and `3.1` (sarge) are releases of their
            // own, not point releases of 3, so normalising is idempotent (found by fuzzing).
            if CODENAMES.iter().any(|(_, number)| *number == lower) {
                return lower;
            }
            match lower.split_once('.') {
                Some((major, _)) if major.bytes().all(|b| b.is_ascii_digit()) => major.to_owned(),
                _ => lower,
            }
        }
        Ecosystem::Alpine => {
            let release = release.strip_prefix('v').unwrap_or(release);
            let mut parts = release.splitn(3, '.');
            match (parts.next(), parts.next()) {
                (Some(major), Some(minor)) => format!("{major}.{minor}"),
                _ => release.to_owned(),
            }
        }
        Ecosystem::RedHat | Ecosystem::AlmaLinux | Ecosystem::RockyLinux => {
            let lower = release.to_ascii_lowercase();
            let version = if *ecosystem == Ecosystem::RedHat {
                lower
                    .strip_prefix("enterprise_linux:")
                    .map_or(lower.as_str(), |rest| {
                        rest.split(':').next().unwrap_or(rest)
                    })
            } else {
                lower.as_str()
            };
            let major = version.split('.').next().unwrap_or(version);
            if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
                major.to_owned()
            } else {
                release.to_owned()
            }
        }
        _ => release.to_owned(),
    }
}

/// What an advisory is about and an inventory is matched by: an ecosystem, for distributions
/// the release, and the normalised package name (for distributions, the source package).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct PackageKey {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The distribution release (`12`, `3.18`), normalised by [`normalize_release`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The normalised name.
    pub name: PackageName,
}

impl PackageKey {
    /// Builds a key, normalising the name and the release.
    pub fn new(ecosystem: Ecosystem, release: Option<&str>, name: &str) -> PackageKey {
        let name = PackageName::new(&ecosystem, name);
        let release = release
            .filter(|r| !r.trim().is_empty())
            .map(|r| normalize_release(&ecosystem, r));
        PackageKey {
            ecosystem,
            release,
            name,
        }
    }

    /// Builds a key from an OSV `package` object's `ecosystem` (with its `:release` suffix)
    /// and `name`; `None` when the ecosystem string names no ecosystem or the name is blank.
    pub fn from_osv(ecosystem: &str, name: &str) -> Option<PackageKey> {
        let (ecosystem, suffix) = Ecosystem::split_osv(ecosystem)?;
        if name.trim().is_empty() {
            return None;
        }
        // Only distributions put a release after the colon; Maven and Packagist put a
        // repository URL there, which does not change the package's identity for matching.
        let release = match ecosystem {
            Ecosystem::Maven | Ecosystem::Packagist => None,
            _ => suffix,
        };
        Some(PackageKey::new(ecosystem, release, name))
    }
}

impl fmt::Display for PackageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.release {
            Some(release) => write!(f, "{}:{}/{}", self.ecosystem, release, self.name),
            None => write!(f, "{}/{}", self.ecosystem, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        let cases = [
            (Ecosystem::PyPI, "Foo_Bar..baz", "foo-bar-baz"),
            (Ecosystem::PyPI, " Django ", "django"),
            (Ecosystem::CratesIo, "Serde_JSON", "serde-json"),
            (Ecosystem::NuGet, "Newtonsoft.Json", "newtonsoft.json"),
            (
                Ecosystem::Packagist,
                "Symfony/HTTP-Kernel",
                "symfony/http-kernel",
            ),
            (Ecosystem::Npm, "@Scope/Pkg", "@Scope/Pkg"),
            (
                Ecosystem::Go,
                "github.com/BurntSushi/toml",
                "github.com/BurntSushi/toml",
            ),
            (Ecosystem::Debian, "openssl", "openssl"),
        ];
        for (ecosystem, name, expected) in cases {
            assert_eq!(
                PackageName::new(&ecosystem, name).as_str(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn releases_normalise_per_ecosystem() {
        let cases = [
            (Ecosystem::Debian, "bookworm", "12"),
            (Ecosystem::Debian, "12.13", "12"),
            (Ecosystem::Debian, "sid", "sid"),
            (Ecosystem::Debian, "woody", "3.0"),
            (Ecosystem::Debian, "3.0", "3.0"),
            (Ecosystem::Debian, "3.1", "3.1"),
            (Ecosystem::Alpine, "v3.18", "3.18"),
            (Ecosystem::Alpine, "3.18.4", "3.18"),
            (Ecosystem::Ubuntu, "22.04:LTS", "22.04:LTS"),
        ];
        for (ecosystem, release, expected) in cases {
            assert_eq!(
                normalize_release(&ecosystem, release),
                expected,
                "{release}"
            );
        }
    }

    #[test]
    fn osv_keys_keep_distribution_releases_only() {
        let key = PackageKey::from_osv("Debian:12", "openssl").unwrap();
        assert_eq!(key.to_string(), "Debian:12/openssl");
        let key = PackageKey::from_osv("Maven:https://maven.google.com", "a:b").unwrap();
        assert_eq!(key.release, None);
        let key = PackageKey::from_osv("PyPI", "Jinja2").unwrap();
        assert_eq!(key.to_string(), "PyPI/jinja2");
        assert_eq!(PackageKey::from_osv(":12", "a"), None);
        assert_eq!(PackageKey::from_osv("PyPI", " "), None);
    }
}
