//! Package ecosystems, named as the OSV schema names them.

use std::fmt;
use std::str::FromStr;

/// A package ecosystem: where a package comes from, and so which rules order its versions.
///
/// The variants cover the ecosystems Quartermaster scans. Anything else OSV names is kept as
/// [`Ecosystem::Other`] with its original spelling, so data is never lost.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Ecosystem {
    /// Debian (`dpkg` versions).
    Debian,
    /// Ubuntu (`dpkg` versions).
    Ubuntu,
    /// Alpine Linux (`apk` versions).
    Alpine,
    /// Wolfi (`apk` versions).
    Wolfi,
    /// Chainguard (`apk` versions).
    Chainguard,
    /// Red Hat Enterprise Linux (`rpm` versions).
    RedHat,
    /// Any RPM-based distribution without an ecosystem of its own (`rpm` versions).
    Rpm,
    /// AlmaLinux (`rpm` versions).
    AlmaLinux,
    /// Rocky Linux (`rpm` versions).
    RockyLinux,
    /// openSUSE (`rpm` versions).
    OpenSuse,
    /// SUSE Linux Enterprise (`rpm` versions).
    Suse,
    /// Azure Linux, formerly CBL-Mariner (`rpm` versions).
    AzureLinux,
    /// Photon OS (`rpm` versions).
    PhotonOs,
    /// Python packages from PyPI (PEP 440 versions).
    PyPI,
    /// JavaScript packages from the npm registry (SemVer, npm flavour).
    Npm,
    /// Rust crates from crates.io (SemVer, Cargo flavour).
    CratesIo,
    /// Go modules (SemVer with a `v` prefix and pseudo-versions).
    Go,
    /// Java packages from Maven repositories (`ComparableVersion`).
    Maven,
    /// Ruby gems (`Gem::Version`).
    RubyGems,
    /// .NET packages (NuGet versions).
    NuGet,
    /// PHP packages from Packagist (Composer versions).
    Packagist,
    /// Erlang and Elixir packages (SemVer, Hex flavour).
    Hex,
    /// Dart and Flutter packages (SemVer, pub flavour).
    Pub,
    /// An ecosystem we do not model specially, in its original spelling.
    Other(Box<str>),
}

/// The known ecosystems with their OSV spelling, in one table so parsing and display agree.
const NAMES: &[(&str, Ecosystem)] = &[
    ("Debian", Ecosystem::Debian),
    ("Ubuntu", Ecosystem::Ubuntu),
    ("Alpine", Ecosystem::Alpine),
    ("Wolfi", Ecosystem::Wolfi),
    ("Chainguard", Ecosystem::Chainguard),
    ("Red Hat", Ecosystem::RedHat),
    ("RPM", Ecosystem::Rpm),
    ("AlmaLinux", Ecosystem::AlmaLinux),
    ("Rocky Linux", Ecosystem::RockyLinux),
    ("openSUSE", Ecosystem::OpenSuse),
    ("SUSE", Ecosystem::Suse),
    ("Azure Linux", Ecosystem::AzureLinux),
    ("Photon OS", Ecosystem::PhotonOs),
    ("PyPI", Ecosystem::PyPI),
    ("npm", Ecosystem::Npm),
    ("crates.io", Ecosystem::CratesIo),
    ("Go", Ecosystem::Go),
    ("Maven", Ecosystem::Maven),
    ("RubyGems", Ecosystem::RubyGems),
    ("NuGet", Ecosystem::NuGet),
    ("Packagist", Ecosystem::Packagist),
    ("Hex", Ecosystem::Hex),
    ("Pub", Ecosystem::Pub),
];

/// Other spellings users and feeds write for the same ecosystems.
const ALIASES: &[(&str, Ecosystem)] = &[
    ("redhat", Ecosystem::RedHat),
    ("rhel", Ecosystem::RedHat),
    ("rocky", Ecosystem::RockyLinux),
    ("alma", Ecosystem::AlmaLinux),
    ("mariner", Ecosystem::AzureLinux),
    ("cbl-mariner", Ecosystem::AzureLinux),
    ("photon", Ecosystem::PhotonOs),
    ("opensuse", Ecosystem::OpenSuse),
    ("pypi", Ecosystem::PyPI),
    ("python", Ecosystem::PyPI),
    ("cargo", Ecosystem::CratesIo),
    ("crates", Ecosystem::CratesIo),
    ("rust", Ecosystem::CratesIo),
    ("golang", Ecosystem::Go),
    ("gem", Ecosystem::RubyGems),
    ("composer", Ecosystem::Packagist),
    ("php", Ecosystem::Packagist),
    ("apk", Ecosystem::Alpine),
    ("dpkg", Ecosystem::Debian),
    ("deb", Ecosystem::Debian),
];

impl Ecosystem {
    /// The ecosystem's name as OSV spells it (`crates.io`, `Red Hat`, `PyPI`).
    pub fn as_str(&self) -> &str {
        match self {
            Ecosystem::Other(name) => name,
            known => NAMES
                .iter()
                .find(|(_, ecosystem)| ecosystem == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// Splits an OSV ecosystem string into the ecosystem and its suffix, if any:
    /// `Debian:12` gives (`Debian`, `Some("12")`), `Alpine:v3.18` gives (`Alpine`, `Some("v3.18")`).
    /// `None` when there is no name before the `:` (`":12"`, `""`), which names no ecosystem.
    ///
    /// `Red Hat:rhel_aus:8.4::appstream` keeps everything after the first `:` as the suffix.
    pub fn split_osv(text: &str) -> Option<(Ecosystem, Option<&str>)> {
        let (name, suffix) = match text.split_once(':') {
            Some((name, suffix)) => (name, Some(suffix)),
            None => (text, None),
        };
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        Some((Self::from_name(name), suffix))
    }

    /// Looks a bare name up, case-insensitively; unknown names become [`Ecosystem::Other`].
    fn from_name(name: &str) -> Ecosystem {
        NAMES
            .iter()
            .chain(ALIASES)
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map_or_else(|| Ecosystem::Other(name.into()), |(_, e)| e.clone())
    }

    /// Every ecosystem with a dedicated variant, in a stable order (for help texts and tests).
    pub fn known() -> impl Iterator<Item = &'static Ecosystem> {
        NAMES.iter().map(|(_, ecosystem)| ecosystem)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an empty ecosystem name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an ecosystem name must not be empty")]
pub struct UnknownEcosystem;

impl TryFrom<String> for Ecosystem {
    type Error = UnknownEcosystem;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Ecosystem> for String {
    fn from(ecosystem: Ecosystem) -> String {
        ecosystem.as_str().to_owned()
    }
}

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    /// Parses an OSV ecosystem name, case-insensitively, dropping any `:suffix`.
    /// Names we do not model become [`Ecosystem::Other`]; only an empty name is an error.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::split_osv(text)
            .map(|(ecosystem, _)| ecosystem)
            .ok_or(UnknownEcosystem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_names_round_trip() {
        for ecosystem in Ecosystem::known() {
            let parsed: Ecosystem = ecosystem.as_str().parse().unwrap();
            assert_eq!(&parsed, ecosystem);
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!("PYPI".parse::<Ecosystem>().unwrap(), Ecosystem::PyPI);
        assert_eq!("red hat".parse::<Ecosystem>().unwrap(), Ecosystem::RedHat);
        assert_eq!(
            "CRATES.IO".parse::<Ecosystem>().unwrap(),
            Ecosystem::CratesIo
        );
    }

    #[test]
    fn suffix_is_split_off() {
        assert_eq!(
            Ecosystem::split_osv("Alpine:v3.18"),
            Some((Ecosystem::Alpine, Some("v3.18")))
        );
        assert_eq!(
            Ecosystem::split_osv("Red Hat:rhel_aus:8.4::appstream"),
            Some((Ecosystem::RedHat, Some("rhel_aus:8.4::appstream")))
        );
        // Nothing before the colon names no ecosystem (found by fuzzing the feed parsers).
        assert_eq!(Ecosystem::split_osv(":12"), None);
        assert_eq!(Ecosystem::split_osv("  :Debian"), None);
        assert!(":".parse::<Ecosystem>().is_err());
    }

    #[test]
    fn unknown_names_are_kept() {
        let ecosystem: Ecosystem = "Hackage".parse().unwrap();
        assert_eq!(ecosystem, Ecosystem::Other("Hackage".into()));
        assert_eq!(ecosystem.to_string(), "Hackage");
        assert!("  ".parse::<Ecosystem>().is_err());
    }
}
