//! From one SBOM entry (a CycloneDX component or an SPDX package) to a
//! [`Package`](qm_model::Package).
//!
//! The purl decides: its type gives the ecosystem, its namespace and name the package name as
//! the ecosystem spells it, its version the version. What the purl cannot say comes from the
//! entry: the case of a Go module path (the purl library lower-cases `golang` namespaces, Go
//! module paths are case-sensitive), the original spelling of a PyPI name (purls hold the
//! PEP 503 form), and the version when the purl has none.
//!
//! Names by type: `maven` `group:artifact`; `npm` `@scope/name`; `golang` and `composer` and any
//! type we do not model `namespace/name`; for `deb`, `apk`, `rpm`, `alpm`, `hex` and `qpkg` the
//! namespace is a vendor or organisation, not part of the name.
//!
//! Epochs: a Debian version keeps its epoch in the version (`1:2.5.1-4`), as dpkg writes it and
//! syft's purls carry it; trivy moves it into an `epoch` qualifier, which is put back. rpm
//! versions are `epoch:version-release` as the rpm cataloger writes them, from the purl's
//! `epoch` qualifier (purl spec, `rpm` type).
//!
//! Images (`pkg:oci`, `pkg:docker`) are not packages: an SBOM of a cluster lists the images it
//! runs, and those are scanned as images. trivy writes `pkg:none/…` for packages of an OS it did
//! not recognise; there is no ecosystem to match them in.

use std::str::FromStr;

use packageurl::PackageUrl;
use qm_model::Ecosystem;

use crate::lockfiles::normalise_python_name;
use crate::sbom::distro::OsFamily;

/// What an entry's purl makes of it.
#[derive(Debug)]
pub(crate) enum Identified {
    /// A package.
    Package(Candidate),
    /// A container image.
    Image,
    /// trivy's `pkg:none`: a package of an unrecognised OS.
    NoEcosystem,
    /// A purl that does not parse.
    BadPurl,
}

/// A package before its OS ecosystem is decided.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// The purl, re-serialised in canonical form.
    pub(crate) purl: String,
    /// The name as the ecosystem spells it.
    pub(crate) name: String,
    /// The version, epoch included where the ecosystem writes one.
    pub(crate) version: String,
    /// The ecosystem; for OS packages a placeholder until the distribution is known, unless
    /// `ecosystem_stated`.
    pub(crate) ecosystem: Ecosystem,
    /// Whether the document stated the ecosystem (our `qm:ecosystem`), which then stands.
    pub(crate) ecosystem_stated: bool,
    /// Set for OS packages.
    pub(crate) family: Option<OsFamily>,
    /// The purl namespace (for OS packages: the distribution).
    pub(crate) namespace: Option<String>,
    /// The `arch` qualifier.
    pub(crate) arch: Option<String>,
    /// The `distro` qualifier.
    pub(crate) distro: Option<String>,
    /// The `upstream` qualifier.
    pub(crate) upstream: Option<String>,
}

/// The entry fields a purl is read with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EntryNames<'a> {
    /// The entry's name.
    pub(crate) name: Option<&'a str>,
    /// CycloneDX `group` (Maven group id, npm scope).
    pub(crate) group: Option<&'a str>,
    /// The entry's version.
    pub(crate) version: Option<&'a str>,
}

/// Purl types that name a container image.
const IMAGE_TYPES: &[&str] = &["oci", "docker"];

/// Purl types whose namespace is a vendor or organisation, not part of the package name.
const VENDOR_NAMESPACE_TYPES: &[&str] = &["deb", "apk", "rpm", "alpm", "hex", "qpkg"];

/// Reads an entry's purl.
pub(crate) fn identify(purl_text: &str, entry: EntryNames<'_>) -> Identified {
    let Ok(purl) = PackageUrl::from_str(purl_text.trim()) else {
        return Identified::BadPurl;
    };
    let purl_type = purl.ty();
    if IMAGE_TYPES.contains(&purl_type) {
        return Identified::Image;
    }
    if purl_type == "none" {
        return Identified::NoEcosystem;
    }
    let family = OsFamily::of_purl_type(purl_type);
    let ecosystem = language_ecosystem(purl_type);
    let qualifier = |key: &str| {
        purl.qualifiers()
            .get(key)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let derived = derived_name(purl_type, purl.namespace(), purl.name());
    let name = entry_spelling(&derived, &ecosystem, entry)
        .or_else(|| {
            // The purl library lower-cases `golang` namespaces; the text still has the case.
            (purl_type == "golang")
                .then(|| spelled_path(purl_text))
                .flatten()
                .filter(|spelled| spelled.eq_ignore_ascii_case(&derived))
        })
        .unwrap_or(derived);
    let version = full_version(
        family,
        purl.version(),
        qualifier("epoch").as_deref(),
        entry.version,
    );
    Identified::Package(Candidate {
        purl: purl.to_string(),
        name,
        version,
        ecosystem,
        ecosystem_stated: false,
        family,
        namespace: purl.namespace().map(str::to_owned),
        arch: qualifier("arch"),
        distro: qualifier("distro"),
        upstream: qualifier("upstream"),
    })
}

/// A package our own writer described without a usable purl: its stated ecosystem, the entry's
/// name and version, and the purl text as it was (possibly empty).
pub(crate) fn stated_candidate(
    ecosystem: Ecosystem,
    purl: &str,
    entry: EntryNames<'_>,
) -> Candidate {
    let family = match ecosystem {
        Ecosystem::Debian | Ecosystem::Ubuntu => Some(OsFamily::Deb),
        Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => Some(OsFamily::Apk),
        Ecosystem::RedHat
        | Ecosystem::Rpm
        | Ecosystem::AlmaLinux
        | Ecosystem::RockyLinux
        | Ecosystem::OpenSuse
        | Ecosystem::Suse
        | Ecosystem::AzureLinux
        | Ecosystem::PhotonOs => Some(OsFamily::Rpm),
        _ => None,
    };
    Candidate {
        purl: purl.trim().to_owned(),
        name: entry.name.map(str::trim).unwrap_or_default().to_owned(),
        version: full_version(None, None, None, entry.version),
        ecosystem,
        ecosystem_stated: true,
        family,
        namespace: None,
        arch: None,
        distro: None,
        upstream: None,
    }
}

/// What an image purl (`pkg:oci/name@sha256:…?tag=…`) says.
#[derive(Debug, Default)]
pub(crate) struct ImagePurl {
    /// The version: the manifest digest, by the purl spec's `oci` type.
    pub(crate) digest: Option<String>,
    /// The `tag` qualifier.
    pub(crate) tag: Option<String>,
}

/// Reads a purl that names a container image; `None` for any other purl.
pub(crate) fn image_purl(purl_text: &str) -> Option<ImagePurl> {
    let purl = PackageUrl::from_str(purl_text.trim()).ok()?;
    if !IMAGE_TYPES.contains(&purl.ty()) {
        return None;
    }
    Some(ImagePurl {
        digest: purl.version().map(str::to_owned),
        tag: purl.qualifiers().get("tag").map(|tag| tag.to_string()),
    })
}

/// The namespace and name as the purl text spells them, percent-decoded: what lies between the
/// type and the version, qualifiers or subpath.
fn spelled_path(purl_text: &str) -> Option<String> {
    let rest = purl_text
        .trim()
        .strip_prefix("pkg:")?
        .trim_start_matches('/');
    let (_, rest) = rest.split_once('/')?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let rest = match rest.rsplit_once('@') {
        Some((path, version)) if !version.contains('/') => path,
        _ => rest,
    };
    percent_decode(rest.trim_matches('/'))
}

/// Decodes `%XX` escapes; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let high = char::from(input.next()?).to_digit(16)?;
            let low = char::from(input.next()?).to_digit(16)?;
            bytes.push(u8::try_from(high * 16 + low).ok()?);
        } else {
            bytes.push(byte);
        }
    }
    String::from_utf8(bytes).ok()
}

/// The ecosystem of a purl type; OS types get a placeholder the caller replaces.
fn language_ecosystem(purl_type: &str) -> Ecosystem {
    match purl_type {
        "pypi" => Ecosystem::PyPI,
        "npm" => Ecosystem::Npm,
        "cargo" => Ecosystem::CratesIo,
        "golang" => Ecosystem::Go,
        "maven" => Ecosystem::Maven,
        "gem" => Ecosystem::RubyGems,
        "nuget" => Ecosystem::NuGet,
        "composer" => Ecosystem::Packagist,
        "hex" => Ecosystem::Hex,
        "pub" => Ecosystem::Pub,
        "deb" => Ecosystem::Debian,
        "apk" => Ecosystem::Alpine,
        "rpm" => Ecosystem::Rpm,
        // Types OSV has an ecosystem for under another name, so their advisories can match.
        "swift" => Ecosystem::Other("SwiftURL".into()),
        "bitnami" => Ecosystem::Other("Bitnami".into()),
        "conan" => Ecosystem::Other("ConanCenter".into()),
        "cran" => Ecosystem::Other("CRAN".into()),
        "hackage" => Ecosystem::Other("Hackage".into()),
        "github" => Ecosystem::Other("GitHub Actions".into()),
        other => Ecosystem::Other(other.into()),
    }
}

/// The package name a purl spells, by its type's rules (see the module doc).
fn derived_name(purl_type: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace.filter(|namespace| !namespace.is_empty()) {
        Some(namespace) if purl_type == "maven" => format!("{namespace}:{name}"),
        Some(_) if VENDOR_NAMESPACE_TYPES.contains(&purl_type) => name.to_owned(),
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.to_owned(),
    }
}

/// The entry's own spelling of the name, when it names the same package: the same text up to
/// ASCII case, or for PyPI the same PEP 503 name.
fn entry_spelling(derived: &str, ecosystem: &Ecosystem, entry: EntryNames<'_>) -> Option<String> {
    let name = entry.name.map(str::trim).filter(|name| !name.is_empty())?;
    let mut candidates = vec![name.to_owned()];
    if let Some(group) = entry.group.map(str::trim).filter(|group| !group.is_empty()) {
        candidates.push(format!("{group}:{name}"));
        candidates.push(format!("{group}/{name}"));
    }
    candidates.into_iter().find(|candidate| {
        candidate.eq_ignore_ascii_case(derived)
            || (*ecosystem == Ecosystem::PyPI
                && normalise_python_name(candidate) == normalise_python_name(derived))
    })
}

/// Version fields that say there is no version.
const PLACEHOLDER_VERSIONS: &[&str] = &["UNKNOWN", "NOASSERTION", "NONE"];

/// The version: the purl's, else the entry's; for deb and rpm with the `epoch` qualifier put
/// in front, and for any type the entry's version when it is the purl's with an epoch.
fn full_version(
    family: Option<OsFamily>,
    purl_version: Option<&str>,
    epoch: Option<&str>,
    entry_version: Option<&str>,
) -> String {
    let purl_version = purl_version.map(str::trim).filter(|v| !v.is_empty());
    // syft writes `UNKNOWN` for a package without a version, SPDX tools `NOASSERTION`.
    let entry_version = entry_version.map(str::trim).filter(|v| {
        !v.is_empty()
            && !PLACEHOLDER_VERSIONS
                .iter()
                .any(|p| v.eq_ignore_ascii_case(p))
    });
    let Some(base) = purl_version.or(entry_version) else {
        return String::new();
    };
    let has_epoch = |version: &str| {
        version.split_once(':').is_some_and(|(epoch, _)| {
            !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit())
        })
    };
    if matches!(family, Some(OsFamily::Deb | OsFamily::Rpm))
        && let Some(epoch) =
            epoch.filter(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
        && !has_epoch(base)
    {
        return format!("{epoch}:{base}");
    }
    if let (Some(purl_version), Some(entry_version)) = (purl_version, entry_version)
        && has_epoch(entry_version)
        && entry_version
            .split_once(':')
            .is_some_and(|(_, rest)| rest == purl_version)
    {
        return entry_version.to_owned();
    }
    base.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(purl: &str, entry: EntryNames<'_>) -> Candidate {
        match identify(purl, entry) {
            Identified::Package(candidate) => candidate,
            other => panic!("{purl}: {other:?}"),
        }
    }

    #[test]
    fn names_follow_each_ecosystem() {
        let none = EntryNames::default();
        let cases: &[(&str, EntryNames<'_>, &str, Ecosystem)] = &[
            (
                "pkg:maven/org.apache.jena/apache-jena@3.12.0",
                none,
                "org.apache.jena:apache-jena",
                Ecosystem::Maven,
            ),
            (
                "pkg:npm/%40babel/core@7.0.0",
                none,
                "@babel/core",
                Ecosystem::Npm,
            ),
            (
                "pkg:golang/github.com/Azure/go-autorest@v14.2.0",
                EntryNames {
                    name: Some("github.com/Azure/go-autorest"),
                    ..none
                },
                "github.com/Azure/go-autorest",
                Ecosystem::Go,
            ),
            (
                "pkg:golang/github.com/Azure/go-autorest@v14.2.0",
                none,
                "github.com/Azure/go-autorest",
                Ecosystem::Go,
            ),
            (
                "pkg:golang/github.com/Azure/go-autorest%2Fautorest@v0.11.29?type=module",
                EntryNames {
                    name: Some("autorest"),
                    ..none
                },
                "github.com/Azure/go-autorest/autorest",
                Ecosystem::Go,
            ),
            (
                "pkg:pypi/zope-interface@5.0",
                EntryNames {
                    name: Some("zope.interface"),
                    ..none
                },
                "zope.interface",
                Ecosystem::PyPI,
            ),
            (
                "pkg:pypi/flask@2.0",
                EntryNames {
                    name: Some("something-else"),
                    ..none
                },
                "flask",
                Ecosystem::PyPI,
            ),
            (
                "pkg:composer/guzzlehttp/guzzle@7.4.4",
                none,
                "guzzlehttp/guzzle",
                Ecosystem::Packagist,
            ),
            ("pkg:gem/rails@7.0", none, "rails", Ecosystem::RubyGems),
            (
                "pkg:nuget/Newtonsoft.Json@13.0.1",
                none,
                "Newtonsoft.Json",
                Ecosystem::NuGet,
            ),
            ("pkg:cargo/serde@1.0.1", none, "serde", Ecosystem::CratesIo),
            (
                "pkg:hex/acme/phoenix@1.7.0",
                none,
                "phoenix",
                Ecosystem::Hex,
            ),
            ("pkg:pub/http@1.0.0", none, "http", Ecosystem::Pub),
            (
                "pkg:deb/debian/libc6@2.36-9",
                none,
                "libc6",
                Ecosystem::Debian,
            ),
            (
                "pkg:swift/github.com/apple/swift-nio@2.0.0",
                none,
                "github.com/apple/swift-nio",
                Ecosystem::Other("SwiftURL".into()),
            ),
            (
                "pkg:conda/openssl@1.1.1q",
                none,
                "openssl",
                Ecosystem::Other("conda".into()),
            ),
        ];
        for (purl, entry, name, ecosystem) in cases {
            let candidate = package(purl, *entry);
            assert_eq!(candidate.name, *name, "{purl}");
            assert_eq!(candidate.ecosystem, *ecosystem, "{purl}");
        }
    }

    #[test]
    fn versions_keep_epochs_where_the_ecosystem_does() {
        let entry = |version: &'static str| EntryNames {
            version: Some(version),
            ..EntryNames::default()
        };
        let cases = [
            // syft: epoch in the purl version.
            (
                "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64",
                entry("1:2.5.1-4"),
                "1:2.5.1-4",
            ),
            // trivy: epoch as a qualifier.
            (
                "pkg:deb/debian/bsdutils@2.33.1-0.1?arch=amd64&epoch=1",
                entry("1:2.33.1-0.1"),
                "1:2.33.1-0.1",
            ),
            (
                "pkg:rpm/mariner/ca-certificates-base@2.0.0-1.cm2?epoch=1",
                entry("1:2.0.0-1.cm2"),
                "1:2.0.0-1.cm2",
            ),
            (
                "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?epoch=1",
                entry("1.0.2k-16.el7"),
                "1:1.0.2k-16.el7",
            ),
            ("pkg:golang/github.com/x/y@1.1.0", entry("1.1.0"), "1.1.0"),
            ("pkg:npm/left-pad", entry("1.3.0"), "1.3.0"),
            ("pkg:npm/left-pad", EntryNames::default(), ""),
            ("pkg:deb/debian/no-version", entry("UNKNOWN"), ""),
        ];
        for (purl, entry, version) in cases {
            assert_eq!(package(purl, entry).version, version, "{purl}");
        }
    }

    #[test]
    fn qualifiers_and_non_packages() {
        let candidate = package(
            "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&distro=debian-12&upstream=libselinux%403.4-1",
            EntryNames::default(),
        );
        assert_eq!(candidate.upstream.as_deref(), Some("libselinux@3.4-1"));
        assert_eq!(candidate.distro.as_deref(), Some("debian-12"));
        assert_eq!(candidate.arch.as_deref(), Some("arm64"));
        assert_eq!(candidate.family, Some(OsFamily::Deb));
        assert_eq!(
            candidate.purl,
            "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&distro=debian-12&upstream=libselinux%403.4-1"
        );
        let none = EntryNames::default();
        assert!(matches!(
            identify("pkg:oci/alpine@sha256%3Aabc", none),
            Identified::Image
        ));
        assert!(matches!(
            identify("pkg:none/bash@5.0", none),
            Identified::NoEcosystem
        ));
        for bad in [
            "",
            "bash",
            "pkg:",
            "pkg:npm",
            "pkg:composer/no-vendor@1",
            "cpe:2.3:a:x:y:1",
        ] {
            assert!(matches!(identify(bad, none), Identified::BadPurl), "{bad}");
        }
    }
}
