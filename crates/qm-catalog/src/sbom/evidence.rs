//! What SBOM writers record about a package beyond its purl, in their own property names: the
//! source package, where it was found, the layer, whether it is a development dependency.
//!
//! The names read, by writer (checked against syft 1.18 and trivy output, and trivy's fixtures):
//!
//! | what | ours | syft | trivy | others |
//! | --- | --- | --- | --- | --- |
//! | source name | `qm:source-package` | `syft:metadata:source` (deb), `syft:metadata:originPackage` (apk), `syft:metadata:sourceRpm` (rpm, a file name) | `aquasecurity:trivy:SrcName` | purl `upstream=` |
//! | source version | `qm:source-version` | `syft:metadata:sourceVersion` (deb, only when it differs) | `aquasecurity:trivy:SrcEpoch`, `SrcVersion`, `SrcRelease` | |
//! | location | `qm:location` (repeatable) | `syft:location:N:path` | `aquasecurity:trivy:FilePath` | CycloneDX `evidence.occurrences[].location`; cdxgen `SrcFile` |
//! | layer | `qm:layer` | `syft:location:N:layerID` | `aquasecurity:trivy:LayerDiffID` | |
//! | development only | `qm:dev` = `true` | | | CycloneDX `scope: excluded`; cdxgen `cdx:npm:package:development` |
//! | ecosystem | `qm:ecosystem` (taken as stated) | | | the purl type |
//! | architecture | `qm:arch` | | | the purl `arch` qualifier (first) |
//!
//! The purl `upstream` qualifier is spelt `upstream=glibc` or `upstream=libselinux@3.4-1` (deb,
//! syft writes `@` percent-encoded), `upstream=alpine-baselayout` (apk) and
//! `upstream=audit-3.0.6-1.cm2.src.rpm` (rpm, the source RPM's file name). syft leaves it out
//! when the source package is the binary package itself.
//!
//! Trivy's SPDX output carries the same facts in `sourceInfo` (`built package from: openssl
//! 1:1.0.2k-16.el7`) and in `attributionTexts` (`LayerDiffID: sha256:…`); the SPDX reader turns
//! the latter into `aquasecurity:trivy:*` properties so one set of rules reads both formats.

use qm_model::SourcePackage;

use crate::sbom::distro::OsFamily;

/// A component's properties, in document order; names may repeat.
#[derive(Debug, Clone, Default)]
pub(crate) struct Properties(pub(crate) Vec<(String, String)>);

impl Properties {
    /// The first non-empty value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Every non-empty value of `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Every non-empty value whose name matches `pattern` (`prefix` `N` `suffix`, syft's
    /// numbered lists such as `syft:location:0:path`), in document order.
    fn numbered<'a>(
        &'a self,
        prefix: &'a str,
        suffix: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, value)| {
                !value.is_empty()
                    && key
                        .strip_prefix(prefix)
                        .and_then(|rest| rest.strip_suffix(suffix))
                        .is_some_and(|index| {
                            !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())
                        })
            })
            .map(|(_, value)| value.as_str())
    }

    /// Whether `name` is set to `true`.
    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    }
}

/// Property names whose values are locations.
const LOCATION_PROPERTIES: &[&str] = &["qm:location", "aquasecurity:trivy:FilePath", "SrcFile"];

/// The locations the properties name, in the order written.
pub(crate) fn locations(properties: &Properties) -> Vec<String> {
    let mut found = Vec::new();
    for name in LOCATION_PROPERTIES {
        found.extend(properties.all(name).map(str::to_owned));
    }
    found.extend(
        properties
            .numbered("syft:location:", ":path")
            .map(str::to_owned),
    );
    found
}

/// The layer the properties name.
pub(crate) fn layer(properties: &Properties) -> Option<String> {
    properties
        .get("qm:layer")
        .or_else(|| properties.numbered("syft:location:", ":layerID").next())
        .or_else(|| properties.get("aquasecurity:trivy:LayerDiffID"))
        .map(|layer| layer.trim().to_owned())
}

/// Whether the properties mark a development-only dependency.
pub(crate) fn is_dev(properties: &Properties) -> bool {
    properties.is_true("qm:dev") || properties.is_true("cdx:npm:package:development")
}

/// A path inside the target as the catalogers write it: no leading `/` or `./`.
pub(crate) fn normalise_location(location: &str) -> Option<String> {
    let mut rest = location.trim();
    loop {
        if let Some(stripped) = rest.strip_prefix('/') {
            rest = stripped;
        } else if let Some(stripped) = rest.strip_prefix("./") {
            rest = stripped;
        } else {
            break;
        }
    }
    (!rest.is_empty()).then(|| rest.to_owned())
}

/// What the package itself says about its source, before defaults.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SourceHints<'a> {
    /// The purl's `upstream` qualifier.
    pub(crate) upstream: Option<&'a str>,
    /// Trivy's SPDX `sourceInfo` (`built package from: name version`), already split.
    pub(crate) built_from: Option<&'a SourcePackage>,
}

/// The source package of a package: our own properties first, then trivy's, then syft's, then
/// the purl's `upstream` qualifier. OS packages without any of these are their own source, with
/// their own version, as the dpkg and apk catalogers say; other packages have none.
pub(crate) fn source_package(
    properties: &Properties,
    hints: SourceHints<'_>,
    family: Option<OsFamily>,
    name: &str,
    version: &str,
) -> Option<SourcePackage> {
    let binary_version = || (!version.is_empty()).then(|| version.to_owned());
    let given = |source_name: &str, source_version: Option<String>| SourcePackage {
        name: source_name.trim().to_owned(),
        version: source_version
            .filter(|version| !version.trim().is_empty())
            .or_else(binary_version),
    };
    if let Some(source_name) = properties.get("qm:source-package") {
        let version = properties.get("qm:source-version").map(str::to_owned);
        return Some(given(source_name, version));
    }
    let family = family?;
    if let Some(source_name) = properties.get("aquasecurity:trivy:SrcName") {
        return Some(given(source_name, trivy_source_version(properties)));
    }
    if let Some(built_from) = hints.built_from {
        return Some(given(&built_from.name, built_from.version.clone()));
    }
    let syft = match family {
        OsFamily::Deb => properties.get("syft:metadata:source").map(|source_name| {
            given(
                source_name,
                properties
                    .get("syft:metadata:sourceVersion")
                    .map(str::to_owned),
            )
        }),
        OsFamily::Apk => properties
            .get("syft:metadata:originPackage")
            .map(|origin| given(origin, None)),
        OsFamily::Rpm => properties
            .get("syft:metadata:sourceRpm")
            .and_then(split_source_rpm),
    };
    if let Some(source) = syft {
        return Some(source);
    }
    if let Some(upstream) = hints.upstream.map(str::trim).filter(|u| !u.is_empty()) {
        if family == OsFamily::Rpm
            && let Some(source) = split_source_rpm(upstream)
        {
            return Some(source);
        }
        return Some(match upstream.split_once('@') {
            Some((source_name, source_version)) if !source_name.trim().is_empty() => {
                given(source_name, Some(source_version.to_owned()))
            }
            _ => given(upstream, None),
        });
    }
    (!name.is_empty()).then(|| given(name, None))
}

/// Trivy's source version: `[SrcEpoch:]SrcVersion[-SrcRelease]`.
fn trivy_source_version(properties: &Properties) -> Option<String> {
    let version = properties.get("aquasecurity:trivy:SrcVersion")?.trim();
    let mut full = String::new();
    if let Some(epoch) = properties
        .get("aquasecurity:trivy:SrcEpoch")
        .map(str::trim)
        .filter(|epoch| !epoch.is_empty())
    {
        full.push_str(epoch);
        full.push(':');
    }
    full.push_str(version);
    if let Some(release) = properties
        .get("aquasecurity:trivy:SrcRelease")
        .map(str::trim)
        .filter(|release| !release.is_empty())
    {
        full.push('-');
        full.push_str(release);
    }
    Some(full)
}

/// The source package a source RPM's file name names (`openssl-3.0.7-24.el9.src.rpm`): split
/// at the last two dashes, as the rpm cataloger does.
fn split_source_rpm(file_name: &str) -> Option<SourcePackage> {
    let stem = file_name
        .trim()
        .strip_suffix(".src.rpm")
        .or_else(|| file_name.trim().strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some(SourcePackage {
        name: name.to_owned(),
        version: Some(format!("{version}-{release}")),
    })
}

/// Trivy's SPDX `sourceInfo`: `built package from: <name> <version>`.
pub(crate) fn parse_built_from(source_info: &str) -> Option<SourcePackage> {
    let rest = source_info.trim().strip_prefix("built package from:")?;
    let mut words = rest.split_whitespace();
    let name = words.next()?;
    Some(SourcePackage {
        name: name.to_owned(),
        version: words.next().map(str::to_owned),
    })
}

/// syft's SPDX `sourceInfo`: `acquired package info from <what>: <path>[, <path>…]`.
pub(crate) fn parse_acquired_from(source_info: &str) -> Vec<String> {
    let Some(rest) = source_info
        .trim()
        .strip_prefix("acquired package info from ")
    else {
        return Vec::new();
    };
    let Some((_, paths)) = rest.split_once(": ") else {
        return Vec::new();
    };
    paths.split(", ").filter_map(normalise_location).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties(pairs: &[(&str, &str)]) -> Properties {
        Properties(
            pairs
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect(),
        )
    }

    fn source(
        pairs: &[(&str, &str)],
        upstream: Option<&str>,
        family: Option<OsFamily>,
    ) -> Option<(String, Option<String>)> {
        let hints = SourceHints {
            upstream,
            built_from: None,
        };
        source_package(&properties(pairs), hints, family, "libfoo1", "1.2-3")
            .map(|source| (source.name, source.version))
    }

    #[test]
    fn source_packages_from_each_writer() {
        let deb = Some(OsFamily::Deb);
        let rpm = Some(OsFamily::Rpm);
        let some = |name: &str, version: &str| Some((name.to_owned(), Some(version.to_owned())));
        let cases = [
            (source(&[], None, deb), some("libfoo1", "1.2-3")),
            (source(&[], Some("foo"), deb), some("foo", "1.2-3")),
            (source(&[], Some("foo@1.2-2"), deb), some("foo", "1.2-2")),
            (
                source(&[], Some("foo-1.2-3.el9.src.rpm"), rpm),
                some("foo", "1.2-3.el9"),
            ),
            (source(&[], Some("foo"), rpm), some("foo", "1.2-3")),
            (
                source(
                    &[
                        ("aquasecurity:trivy:SrcName", "shadow"),
                        ("aquasecurity:trivy:SrcEpoch", "1"),
                        ("aquasecurity:trivy:SrcVersion", "4.5"),
                        ("aquasecurity:trivy:SrcRelease", "1.1"),
                    ],
                    Some("ignored"),
                    deb,
                ),
                some("shadow", "1:4.5-1.1"),
            ),
            (
                source(
                    &[
                        ("syft:metadata:source", "pam"),
                        ("syft:metadata:sourceVersion", "1.5-1"),
                    ],
                    None,
                    deb,
                ),
                some("pam", "1.5-1"),
            ),
            (
                source(
                    &[(
                        "syft:metadata:sourceRpm",
                        "util-linux-2.32.1-42.el8_8.src.rpm",
                    )],
                    None,
                    rpm,
                ),
                some("util-linux", "2.32.1-42.el8_8"),
            ),
            (
                source(
                    &[
                        ("qm:source-package", "glibc"),
                        ("aquasecurity:trivy:SrcName", "x"),
                    ],
                    None,
                    deb,
                ),
                some("glibc", "1.2-3"),
            ),
            (source(&[], Some("foo"), None), None),
            (
                source(
                    &[("qm:source-package", "mono"), ("qm:source-version", "2")],
                    None,
                    None,
                ),
                some("mono", "2"),
            ),
        ];
        for (index, (got, expected)) in cases.into_iter().enumerate() {
            assert_eq!(got, expected, "case {index}");
        }
    }

    #[test]
    fn locations_and_layers_in_every_spelling() {
        let props = properties(&[
            ("syft:location:0:path", "/var/lib/dpkg/status"),
            ("syft:location:0:layerID", "sha256:aa"),
            ("syft:location:1:path", "/var/lib/dpkg/status.d/x"),
            ("syft:location:x:path", "/ignored"),
            ("aquasecurity:trivy:FilePath", "app/package.json"),
            ("aquasecurity:trivy:LayerDiffID", "sha256:bb"),
        ]);
        assert_eq!(
            locations(&props),
            [
                "app/package.json",
                "/var/lib/dpkg/status",
                "/var/lib/dpkg/status.d/x"
            ]
        );
        assert_eq!(layer(&props).as_deref(), Some("sha256:aa"));
        assert_eq!(normalise_location("/./a/b").as_deref(), Some("a/b"));
        assert_eq!(normalise_location(" / "), None);
    }

    #[test]
    fn spdx_source_info_sentences() {
        let built = parse_built_from("built package from: openssl 1:1.0.2k-16.el7").unwrap();
        assert_eq!(built.name, "openssl");
        assert_eq!(built.version.as_deref(), Some("1:1.0.2k-16.el7"));
        assert!(parse_built_from("acquired package info from DPKG DB: /x").is_none());
        assert_eq!(
            parse_acquired_from("acquired package info from DPKG DB: /var/lib/dpkg/status"),
            ["var/lib/dpkg/status"]
        );
        assert_eq!(
            parse_acquired_from("acquired package info from x: /a, /b"),
            ["a", "b"]
        );
        assert!(parse_acquired_from("built package from: a 1").is_empty());
    }
}
