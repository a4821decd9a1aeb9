//! Which advisories a package is judged by: the key to look up and the version to compare.
//!
//! - **Distribution packages** (Debian, Ubuntu, Alpine, Wolfi, Chainguard, the RPM family) are
//!   judged only by their own distribution's data for the release the inventory runs
//!   (`Inventory::distro`, else the purl's `distro` qualifier), by *source package*: the key is
//!   `(ecosystem, normalised release, source name)`, the version the source version. Upstream
//!   ranges never apply to them: distributions backport fixes without changing the upstream
//!   version. Wolfi and Chainguard roll, so their keys have no release.
//! - **Language packages** are judged by `(ecosystem, normalised name)` with no release.
//!
//! Surprises:
//! - The catalog files a derivative's packages (Kali, Raspbian, Linux Mint) under the family's
//!   ecosystem (Debian, Ubuntu). Their versions are the derivative's, not Debian's, so they are
//!   not judged against Debian's data: they get a note instead.
//! - RPM packages compare their *binary* version: a source RPM's file name carries no epoch,
//!   and advisories give fixed versions with one.
//! - An SBOM's dpkg package without a source version may carry a binary-only rebuild suffix
//!   (`1.2-3+b1`); the source version is the version without it.
//! - Go's standard library comes as `stdlib` with a `go1.21.3` version; the `go` is dropped.
//! - End of life is judged against the database's build time (not the clock), so a report
//!   is reproducible; the table below holds the dates the distributions publish.

use qm_model::{Distro, Ecosystem, Package, Timestamp, normalize_release};
use qm_version::Scheme;

use crate::report::MatchKind;

/// The version family of a distribution ecosystem, or `None` for language ecosystems.
pub(crate) fn is_distribution(ecosystem: &Ecosystem) -> bool {
    matches!(
        ecosystem,
        Ecosystem::Debian
            | Ecosystem::Ubuntu
            | Ecosystem::Alpine
            | Ecosystem::Wolfi
            | Ecosystem::Chainguard
            | Ecosystem::RedHat
            | Ecosystem::Rpm
            | Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::OpenSuse
            | Ecosystem::Suse
            | Ecosystem::AzureLinux
            | Ecosystem::PhotonOs
    )
}

/// Rolling distributions: their data has no release.
fn is_rolling(ecosystem: &Ecosystem) -> bool {
    matches!(ecosystem, Ecosystem::Wolfi | Ecosystem::Chainguard)
}

/// The ecosystem whose data covers an `os-release` `ID`, as the catalog assigns them; `None`
/// for distributions we know no data for (derivatives, Fedora, Amazon Linux, …).
fn ecosystem_of_distro(id: &str) -> Option<Ecosystem> {
    Some(match id {
        "debian" => Ecosystem::Debian,
        "ubuntu" => Ecosystem::Ubuntu,
        "alpine" => Ecosystem::Alpine,
        "wolfi" => Ecosystem::Wolfi,
        "chainguard" => Ecosystem::Chainguard,
        "rhel" | "centos" => Ecosystem::RedHat,
        "rocky" => Ecosystem::RockyLinux,
        "almalinux" => Ecosystem::AlmaLinux,
        "sles" | "sled" | "sle-micro" => Ecosystem::Suse,
        "azurelinux" | "mariner" => Ecosystem::AzureLinux,
        "photon" => Ecosystem::PhotonOs,
        _ if id.starts_with("opensuse") => Ecosystem::OpenSuse,
        _ => return None,
    })
}

/// What to look up for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lookup {
    /// The ecosystem of the data.
    pub(crate) ecosystem: Ecosystem,
    /// The normalised release, for non-rolling distributions.
    pub(crate) release: Option<String>,
    /// The name to key on (source package for distributions).
    pub(crate) name: String,
    /// The version to compare.
    pub(crate) version: String,
    pub(crate) scheme: Scheme,
    pub(crate) matched_by: MatchKind,
}

/// Why a package cannot be looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unmatchable {
    /// A distribution package with no known release.
    NoRelease { ecosystem: Ecosystem },
    /// A distribution package on a distribution whose data is not the package's ecosystem's.
    OtherDistro {
        distro: String,
        id_like: Vec<String>,
        ecosystem: Ecosystem,
    },
}

/// The distribution a package runs on: from the inventory, else from the purl.
struct Running {
    id: Option<String>,
    id_like: Vec<String>,
    release: Option<String>,
}

/// The `distro` qualifier of a purl (`…?arch=amd64&distro=debian-12`), split into id and
/// release: `debian-12` gives (`debian`, `12`), `bookworm` gives (none, `bookworm`).
fn purl_distro(purl: &str) -> Option<(Option<&str>, &str)> {
    let (_, query) = purl.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("distro="))?;
    if value.is_empty() {
        return None;
    }
    Some(match value.split_once('-') {
        Some((id, release)) if !release.is_empty() => (Some(id), release),
        _ => (None, value),
    })
}

fn running(package: &Package, distro: Option<&Distro>) -> Running {
    if let Some(distro) = distro {
        return Running {
            id: Some(distro.id.to_ascii_lowercase()),
            id_like: distro.id_like.clone(),
            release: distro
                .version_id
                .clone()
                .or_else(|| distro.codename.clone())
                .filter(|release| !release.trim().is_empty()),
        };
    }
    match purl_distro(&package.purl) {
        Some((id, release)) => Running {
            id: id.map(str::to_ascii_lowercase),
            id_like: Vec::new(),
            release: Some(release.to_owned()),
        },
        None => Running {
            id: None,
            id_like: Vec::new(),
            release: None,
        },
    }
}

/// A dpkg version without a binary-only rebuild suffix: `1.2-3+b1` → `1.2-3`.
fn without_binnmu(version: &str) -> &str {
    match version.rsplit_once("+b") {
        Some((base, rebuild))
            if !rebuild.is_empty() && rebuild.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => version,
    }
}

/// What to look up for `package`, on the distribution `distro` (if the inventory knows it).
pub(crate) fn lookup_for(
    package: &Package,
    distro: Option<&Distro>,
) -> Result<Lookup, Unmatchable> {
    let ecosystem = package.ecosystem.clone();
    let scheme = Scheme::for_ecosystem(&ecosystem);
    if !is_distribution(&ecosystem) {
        let mut version = package.version.trim();
        if ecosystem == Ecosystem::Go && package.name == "stdlib" {
            version = version.strip_prefix("go").unwrap_or(version);
        }
        return Ok(Lookup {
            ecosystem,
            release: None,
            name: package.name.clone(),
            version: version.to_owned(),
            scheme,
            matched_by: MatchKind::EcosystemName,
        });
    }
    let running = running(package, distro);
    if let Some(id) = &running.id
        && ecosystem_of_distro(id).as_ref() != Some(&ecosystem)
    {
        return Err(Unmatchable::OtherDistro {
            distro: id.clone(),
            id_like: running.id_like,
            ecosystem,
        });
    }
    let release = if is_rolling(&ecosystem) {
        None
    } else {
        match &running.release {
            Some(release) => Some(normalize_release(&ecosystem, release)),
            None => return Err(Unmatchable::NoRelease { ecosystem }),
        }
    };
    let source = package
        .source
        .as_ref()
        .filter(|source| !source.name.trim().is_empty());
    let name = source.map_or(package.name.as_str(), |source| source.name.as_str());
    let version = match (scheme, source.and_then(|source| source.version.as_deref())) {
        (Scheme::Rpm, _) => package.version.as_str(),
        (_, Some(version)) => version,
        (Scheme::Dpkg, None) => without_binnmu(&package.version),
        (_, None) => package.version.as_str(),
    };
    let matched_by = if name == package.name {
        MatchKind::DistroPackage
    } else {
        MatchKind::DistroSourcePackage
    };
    Ok(Lookup {
        ecosystem,
        release,
        name: name.to_owned(),
        version: version.trim().to_owned(),
        scheme,
        matched_by,
    })
}

/// The end of security support of releases, as the distributions publish them: Debian's LTS
/// ends (wiki.debian.org/LTS), Alpine's branch ends (alpinelinux.org/releases). Releases not
/// listed are not judged.
const END_OF_LIFE: &[(Ecosystem, &str, &str)] = &[
    (Ecosystem::Debian, "3.0", "2006-06-30"),
    (Ecosystem::Debian, "3.1", "2008-03-31"),
    (Ecosystem::Debian, "4", "2010-02-15"),
    (Ecosystem::Debian, "5", "2012-02-06"),
    (Ecosystem::Debian, "6", "2016-02-29"),
    (Ecosystem::Debian, "7", "2018-05-31"),
    (Ecosystem::Debian, "8", "2020-06-30"),
    (Ecosystem::Debian, "9", "2022-06-30"),
    (Ecosystem::Debian, "10", "2024-06-30"),
    (Ecosystem::Debian, "11", "2026-08-31"),
    (Ecosystem::Debian, "12", "2028-06-30"),
    (Ecosystem::Alpine, "3.0", "2016-05-01"),
    (Ecosystem::Alpine, "3.1", "2016-11-01"),
    (Ecosystem::Alpine, "3.2", "2017-05-01"),
    (Ecosystem::Alpine, "3.3", "2017-11-01"),
    (Ecosystem::Alpine, "3.4", "2018-05-01"),
    (Ecosystem::Alpine, "3.5", "2018-11-01"),
    (Ecosystem::Alpine, "3.6", "2019-05-01"),
    (Ecosystem::Alpine, "3.7", "2019-11-01"),
    (Ecosystem::Alpine, "3.8", "2020-05-01"),
    (Ecosystem::Alpine, "3.9", "2020-11-01"),
    (Ecosystem::Alpine, "3.10", "2021-05-01"),
    (Ecosystem::Alpine, "3.11", "2021-11-01"),
    (Ecosystem::Alpine, "3.12", "2022-05-01"),
    (Ecosystem::Alpine, "3.13", "2022-11-01"),
    (Ecosystem::Alpine, "3.14", "2023-05-01"),
    (Ecosystem::Alpine, "3.15", "2023-11-01"),
    (Ecosystem::Alpine, "3.16", "2024-05-23"),
    (Ecosystem::Alpine, "3.17", "2024-11-22"),
    (Ecosystem::Alpine, "3.18", "2025-05-09"),
    (Ecosystem::Alpine, "3.19", "2025-11-01"),
    (Ecosystem::Alpine, "3.20", "2026-04-01"),
    (Ecosystem::Alpine, "3.21", "2026-11-01"),
    (Ecosystem::Alpine, "3.22", "2027-05-01"),
];

/// The date security support of `release` ended, if it ended on or before `now`.
pub(crate) fn end_of_life(
    ecosystem: &Ecosystem,
    release: &str,
    now: Timestamp,
) -> Option<&'static str> {
    END_OF_LIFE
        .iter()
        .find(|(known, name, _)| known == ecosystem && *name == release)
        .and_then(|(_, _, date)| {
            let end: Timestamp = date.parse().ok()?;
            (end <= now).then_some(*date)
        })
}

#[cfg(test)]
mod tests {
    use qm_model::SourcePackage;

    use super::*;

    fn package(ecosystem: Ecosystem, name: &str, version: &str, purl: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            ecosystem,
            purl: purl.into(),
            source: None,
            locations: Vec::new(),
            found_by: "test".into(),
            dev: false,
            arch: None,
            layer: None,
        }
    }

    fn distro(id: &str, version: Option<&str>, codename: Option<&str>) -> Distro {
        Distro {
            id: id.into(),
            version_id: version.map(Into::into),
            codename: codename.map(Into::into),
            pretty_name: None,
            id_like: Vec::new(),
        }
    }

    #[test]
    fn distribution_packages_key_on_source_and_release() {
        let mut libssl = package(
            Ecosystem::Debian,
            "libssl3",
            "3.0.11-1~deb12u2",
            "pkg:deb/debian/libssl3",
        );
        libssl.source = Some(SourcePackage {
            name: "openssl".into(),
            version: Some("3.0.11-1~deb12u2".into()),
        });
        let lookup = lookup_for(&libssl, Some(&distro("debian", None, Some("bookworm")))).unwrap();
        assert_eq!(lookup.release.as_deref(), Some("12"));
        assert_eq!(lookup.name, "openssl");
        assert_eq!(lookup.matched_by, MatchKind::DistroSourcePackage);
        assert_eq!(lookup.scheme, Scheme::Dpkg);

        let musl = package(Ecosystem::Alpine, "musl", "1.2.4-r2", "pkg:apk/alpine/musl");
        let lookup = lookup_for(&musl, Some(&distro("alpine", Some("3.18.4"), None))).unwrap();
        assert_eq!(lookup.release.as_deref(), Some("3.18"));
        assert_eq!(lookup.matched_by, MatchKind::DistroPackage);

        let wolfi = package(Ecosystem::Wolfi, "curl", "8.4.0-r0", "pkg:apk/wolfi/curl");
        let lookup = lookup_for(&wolfi, Some(&distro("wolfi", Some("20230201"), None))).unwrap();
        assert_eq!(lookup.release, None);
    }

    #[test]
    fn the_purl_names_the_release_without_an_inventory_distro() {
        let bash = package(
            Ecosystem::Debian,
            "bash",
            "5.2.15-2+b2",
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
        );
        let lookup = lookup_for(&bash, None).unwrap();
        assert_eq!(lookup.release.as_deref(), Some("12"));
        // No source version recorded: the binary-only rebuild suffix is not the source's.
        assert_eq!(lookup.version, "5.2.15-2");
        let bare = package(
            Ecosystem::Debian,
            "bash",
            "5.2.15-2",
            "pkg:deb/debian/bash@5.2.15-2",
        );
        assert_eq!(
            lookup_for(&bare, None),
            Err(Unmatchable::NoRelease {
                ecosystem: Ecosystem::Debian
            })
        );
    }

    #[test]
    fn derivatives_are_not_judged_by_the_family_data() {
        let mut kali = distro("kali", Some("2024.1"), Some("kali-rolling"));
        kali.id_like = vec!["debian".into()];
        let bash = package(Ecosystem::Debian, "bash", "5.2.15-2", "pkg:deb/debian/bash");
        assert!(matches!(
            lookup_for(&bash, Some(&kali)),
            Err(Unmatchable::OtherDistro { .. })
        ));
    }

    #[test]
    fn rpm_compares_the_binary_version_with_its_epoch() {
        let mut openssl = package(
            Ecosystem::RockyLinux,
            "openssl-libs",
            "1:3.0.7-24.el9",
            "pkg:rpm/rocky/openssl-libs",
        );
        openssl.source = Some(SourcePackage {
            name: "openssl".into(),
            version: Some("3.0.7-24.el9".into()),
        });
        let lookup = lookup_for(&openssl, Some(&distro("rocky", Some("9.3"), None))).unwrap();
        assert_eq!(lookup.version, "1:3.0.7-24.el9");
        assert_eq!(lookup.name, "openssl");
    }

    #[test]
    fn go_stdlib_drops_the_go_prefix() {
        let stdlib = package(
            Ecosystem::Go,
            "stdlib",
            "go1.21.3",
            "pkg:golang/stdlib@go1.21.3",
        );
        assert_eq!(lookup_for(&stdlib, None).unwrap().version, "1.21.3");
    }

    #[test]
    fn end_of_life_is_judged_at_the_given_time() {
        let now: Timestamp = "2025-01-01".parse().unwrap();
        assert_eq!(
            end_of_life(&Ecosystem::Debian, "10", now),
            Some("2024-06-30")
        );
        assert_eq!(end_of_life(&Ecosystem::Debian, "12", now), None);
        assert_eq!(end_of_life(&Ecosystem::Alpine, "3.18", now), None);
        assert_eq!(
            end_of_life(&Ecosystem::Alpine, "3.11", now),
            Some("2021-11-01")
        );
        assert_eq!(end_of_life(&Ecosystem::Ubuntu, "14.04", now), None);
    }

    #[test]
    fn purl_distro_qualifiers_split() {
        assert_eq!(
            purl_distro("pkg:deb/debian/a@1?distro=debian-12"),
            Some((Some("debian"), "12"))
        );
        assert_eq!(
            purl_distro("pkg:deb/debian/a@1?arch=all&distro=bookworm"),
            Some((None, "bookworm"))
        );
        assert_eq!(purl_distro("pkg:deb/debian/a@1?arch=all"), None);
        assert_eq!(
            purl_distro("pkg:apk/alpine/a@1?distro=alpine-3.18.4#x"),
            Some((Some("alpine"), "3.18.4"))
        );
    }
}
