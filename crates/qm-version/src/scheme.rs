//! [`Scheme`]: which rules order an ecosystem's versions, and [`Version`]: a parsed version of
//! any scheme.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use qm_model::Ecosystem;

use crate::{
    ApkVersion, CargoVersion, ComposerVersion, DpkgVersion, GenericVersion, GoVersion, HexVersion,
    MavenVersion, NpmVersion, NuGetVersion, Pep440Version, PubVersion, RpmVersion, RubyGemsVersion,
    SemVerVersion, VersionError,
};

/// A version scheme: the grammar and ordering rules of one family of version strings.
///
/// Several ecosystems share a scheme (Debian and Ubuntu use [`Scheme::Dpkg`]); pick the scheme of
/// an ecosystem with [`Scheme::for_ecosystem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// Debian `dpkg`: `[epoch:]upstream[-revision]`, `~` sorts before everything.
    Dpkg,
    /// RPM `rpmvercmp`: `[epoch:]version[-release]`, `~` before and `^` after the base.
    Rpm,
    /// Alpine `apk`: digits, one letter, `_alpha`…`_p` suffixes, `~hash`, `-rN`.
    Apk,
    /// Python PEP 440: epochs, pre-, post-, dev-releases, local versions.
    Pep440,
    /// SemVer 2.0.0 precedence, as the OSV `SEMVER` range type uses it.
    SemVer,
    /// SemVer as npm's `node-semver` parses and orders it.
    Npm,
    /// SemVer as Cargo's `semver` crate parses and orders it (build metadata breaks ties).
    Cargo,
    /// Go modules: SemVer with a `v` prefix, `+incompatible`, pseudo-versions.
    Go,
    /// Maven `ComparableVersion`: qualifiers, padding, mixed separators.
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// NuGet: up to four numeric parts with SemVer 2.0 pre-release labels.
    NuGet,
    /// Composer (Packagist): normalised versions with stability suffixes.
    Composer,
    /// Hex (Erlang, Elixir): strict SemVer 2.0.
    Hex,
    /// Dart pub: SemVer 2.0 where build metadata also orders.
    Pub,
    /// The fallback for ecosystems without rules of their own; see [`GenericVersion`].
    Generic,
}

/// Names for [`Scheme`] in display order, shared by `Display` and `FromStr`.
const SCHEME_NAMES: &[(Scheme, &str)] = &[
    (Scheme::Dpkg, "dpkg"),
    (Scheme::Rpm, "rpm"),
    (Scheme::Apk, "apk"),
    (Scheme::Pep440, "PEP 440"),
    (Scheme::SemVer, "SemVer"),
    (Scheme::Npm, "npm"),
    (Scheme::Cargo, "Cargo"),
    (Scheme::Go, "Go"),
    (Scheme::Maven, "Maven"),
    (Scheme::RubyGems, "RubyGems"),
    (Scheme::NuGet, "NuGet"),
    (Scheme::Composer, "Composer"),
    (Scheme::Hex, "Hex"),
    (Scheme::Pub, "pub"),
    (Scheme::Generic, "generic"),
];

impl Scheme {
    /// Every scheme, in a stable order.
    pub const ALL: [Scheme; 15] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::SemVer,
        Scheme::Npm,
        Scheme::Cargo,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
        Scheme::Hex,
        Scheme::Pub,
        Scheme::Generic,
    ];

    /// The scheme that orders versions of `ecosystem`.
    ///
    /// Ecosystems we have no rules for get [`Scheme::Generic`]; SemVer-based ones we know by name
    /// (Bitnami, SwiftURL, GitHub Actions) get [`Scheme::SemVer`].
    pub fn for_ecosystem(ecosystem: &Ecosystem) -> Scheme {
        match ecosystem {
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Dpkg,
            Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => Scheme::Apk,
            Ecosystem::RedHat
            | Ecosystem::Rpm
            | Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::OpenSuse
            | Ecosystem::Suse
            | Ecosystem::AzureLinux
            | Ecosystem::PhotonOs => Scheme::Rpm,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Npm => Scheme::Npm,
            Ecosystem::CratesIo => Scheme::Cargo,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Packagist => Scheme::Composer,
            Ecosystem::Hex => Scheme::Hex,
            Ecosystem::Pub => Scheme::Pub,
            Ecosystem::Other(name) => {
                let name = name.to_ascii_lowercase();
                match name.as_str() {
                    "bitnami" | "swifturl" | "github actions" | "kubernetes" => Scheme::SemVer,
                    // RubySec's interpreter advisories (ruby, jruby, …) use RubyGems versions.
                    "ruby-engine" => Scheme::RubyGems,
                    "minimos" | "docker hardened images" | "cleanstart" => Scheme::Apk,
                    "openeuler" | "mageia" | "tuxcare" | "echo" => Scheme::Rpm,
                    _ => Scheme::Generic,
                }
            }
            // `Ecosystem` is non-exhaustive: a variant added later falls back until it has rules.
            _ => Scheme::Generic,
        }
    }

    /// Parses `text` as a version of this scheme.
    pub fn parse(self, text: &str) -> Result<Version, VersionError> {
        Ok(match self {
            Scheme::Dpkg => Version::Dpkg(DpkgVersion::parse(text)?),
            Scheme::Rpm => Version::Rpm(RpmVersion::parse(text)?),
            Scheme::Apk => Version::Apk(ApkVersion::parse(text)?),
            Scheme::Pep440 => Version::Pep440(Pep440Version::parse(text)?),
            Scheme::SemVer => Version::SemVer(SemVerVersion::parse(text)?),
            Scheme::Npm => Version::Npm(NpmVersion::parse(text)?),
            Scheme::Cargo => Version::Cargo(CargoVersion::parse(text)?),
            Scheme::Go => Version::Go(GoVersion::parse(text)?),
            Scheme::Maven => Version::Maven(MavenVersion::parse(text)?),
            Scheme::RubyGems => Version::RubyGems(RubyGemsVersion::parse(text)?),
            Scheme::NuGet => Version::NuGet(NuGetVersion::parse(text)?),
            Scheme::Composer => Version::Composer(ComposerVersion::parse(text)?),
            Scheme::Hex => Version::Hex(HexVersion::parse(text)?),
            Scheme::Pub => Version::Pub(PubVersion::parse(text)?),
            Scheme::Generic => Version::Generic(GenericVersion::parse(text)?),
        })
    }

    /// Parses both strings and orders them.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = SCHEME_NAMES
            .iter()
            .find(|(scheme, _)| scheme == self)
            .map_or("unknown", |(_, name)| name);
        f.write_str(name)
    }
}

/// The error for a scheme name we do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown version scheme `{0}`")]
pub struct UnknownScheme(Box<str>);

impl FromStr for Scheme {
    type Err = UnknownScheme;

    /// Parses a scheme name (`dpkg`, `pep440`, `semver`, …) case-insensitively; spaces, dashes
    /// and underscores are ignored (`PEP 440` = `pep-440` = `pep440`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let squash = |s: &str| {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '_'))
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let wanted = squash(text);
        SCHEME_NAMES
            .iter()
            .find(|(_, name)| squash(name) == wanted)
            .map(|(scheme, _)| *scheme)
            .ok_or_else(|| UnknownScheme(text.into()))
    }
}

/// A parsed version of any scheme.
///
/// Two versions of the same scheme compare by that scheme's rules. Versions of different schemes
/// are never meaningfully comparable; so that `Version` is still a total order, they compare by
/// scheme first (in the order of [`Scheme::ALL`]). Equality follows the ordering: `1.0` and
/// `1.0.0` are equal Cargo versions only if Cargo says so, and `Display` prints the text as given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Version {
    /// A Debian version.
    Dpkg(DpkgVersion),
    /// An RPM version.
    Rpm(RpmVersion),
    /// An Alpine version.
    Apk(ApkVersion),
    /// A PEP 440 version.
    Pep440(Pep440Version),
    /// A SemVer 2.0.0 version.
    SemVer(SemVerVersion),
    /// An npm version.
    Npm(NpmVersion),
    /// A Cargo version.
    Cargo(CargoVersion),
    /// A Go module version.
    Go(GoVersion),
    /// A Maven version.
    Maven(MavenVersion),
    /// A RubyGems version.
    RubyGems(RubyGemsVersion),
    /// A NuGet version.
    NuGet(NuGetVersion),
    /// A Composer version.
    Composer(ComposerVersion),
    /// A Hex version.
    Hex(HexVersion),
    /// A pub version.
    Pub(PubVersion),
    /// A version under the generic fallback rules.
    Generic(GenericVersion),
}

impl Version {
    /// The scheme this version was parsed with.
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Dpkg(_) => Scheme::Dpkg,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Apk(_) => Scheme::Apk,
            Version::Pep440(_) => Scheme::Pep440,
            Version::SemVer(_) => Scheme::SemVer,
            Version::Npm(_) => Scheme::Npm,
            Version::Cargo(_) => Scheme::Cargo,
            Version::Go(_) => Scheme::Go,
            Version::Maven(_) => Scheme::Maven,
            Version::RubyGems(_) => Scheme::RubyGems,
            Version::NuGet(_) => Scheme::NuGet,
            Version::Composer(_) => Scheme::Composer,
            Version::Hex(_) => Scheme::Hex,
            Version::Pub(_) => Scheme::Pub,
            Version::Generic(_) => Scheme::Generic,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Dpkg(v) => v.fmt(f),
            Version::Rpm(v) => v.fmt(f),
            Version::Apk(v) => v.fmt(f),
            Version::Pep440(v) => v.fmt(f),
            Version::SemVer(v) => v.fmt(f),
            Version::Npm(v) => v.fmt(f),
            Version::Cargo(v) => v.fmt(f),
            Version::Go(v) => v.fmt(f),
            Version::Maven(v) => v.fmt(f),
            Version::RubyGems(v) => v.fmt(f),
            Version::NuGet(v) => v.fmt(f),
            Version::Composer(v) => v.fmt(f),
            Version::Hex(v) => v.fmt(f),
            Version::Pub(v) => v.fmt(f),
            Version::Generic(v) => v.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_round_trip() {
        for scheme in Scheme::ALL {
            assert_eq!(scheme.to_string().parse::<Scheme>().unwrap(), scheme);
        }
        assert_eq!("pep-440".parse::<Scheme>().unwrap(), Scheme::Pep440);
        assert!("bogus".parse::<Scheme>().is_err());
    }

    #[test]
    fn ecosystems_map_to_their_scheme() {
        let cases = [
            ("Debian:12", Scheme::Dpkg),
            ("Alpine:v3.18", Scheme::Apk),
            ("Red Hat", Scheme::Rpm),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::Npm),
            ("crates.io", Scheme::Cargo),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("Packagist", Scheme::Composer),
            ("Bitnami", Scheme::SemVer),
            ("Hackage", Scheme::Generic),
        ];
        for (name, scheme) in cases {
            let ecosystem: Ecosystem = name.parse().unwrap();
            assert_eq!(Scheme::for_ecosystem(&ecosystem), scheme, "{name}");
        }
    }
}
