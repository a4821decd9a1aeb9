//! SPDX 2.2 and 2.3 JSON documents.
//!
//! Read: `SPDXID`, `documentDescribes`, `packages`, `files` and `relationships`. Of each
//! package: `SPDXID`, `name`, `versionInfo`, `externalRefs` (the `purl` in category
//! `PACKAGE-MANAGER`, or `PACKAGE_MANAGER` as SPDX 2.2 writers spell it; CPEs in `SECURITY`),
//! `checksums`, `sourceInfo`, `attributionTexts`, `primaryPackagePurpose` and `hasFiles`.
//!
//! SPDX has no properties, so writers put their facts elsewhere:
//! - syft writes `sourceInfo: "acquired package info from DPKG DB: /var/lib/dpkg/status"` and an
//!   `OTHER` relationship with comment `evident-by: …` from the package to that file; it writes
//!   no operating-system package, so the distribution comes from the purls' `distro` qualifiers.
//! - trivy writes `sourceInfo: "built package from: openssl 1:1.0.2k-16.el7"` (the source
//!   package), `attributionTexts` such as `LayerDiffID: sha256:…` and `ImageID: sha256:…` (read
//!   as the `aquasecurity:trivy:*` property of the same name), an operating-system package
//!   (purpose `OPERATING-SYSTEM`, or in SPDX 2.2 output just an `SPDXRef-OperatingSystem-…`
//!   identifier), one `APPLICATION` package per lockfile whose `sourceInfo` is the lockfile's path
//!   and which `CONTAINS` its packages, and `CONTAINS` relationships from a package to the
//!   files it was read from.
//!
//! The packages the document `DESCRIBES` (through `documentDescribes`, a `DESCRIBES`
//! relationship from the document, or `DESCRIBED_BY` to it) are its subject.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::sbom::distro::DistroClaim;
use crate::sbom::evidence::{
    Properties, normalise_location, parse_acquired_from, parse_built_from,
};
use crate::sbom::json::{List, Text};
use crate::sbom::{
    Document, Entry, SbomError, SbomInputFormat, Subject, TargetIdentity, image_identity,
    malformed, recorded_warning,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SpdxDocument {
    #[serde(rename = "SPDXID")]
    spdx_id: Text,
    comment: Text,
    #[serde(rename = "documentDescribes")]
    document_describes: List<Text>,
    packages: List<SpdxPackage>,
    files: List<SpdxFile>,
    relationships: List<Relationship>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: Text,
    name: Text,
    #[serde(rename = "versionInfo")]
    version_info: Text,
    #[serde(rename = "externalRefs")]
    external_refs: List<ExternalRef>,
    checksums: List<Checksum>,
    #[serde(rename = "sourceInfo")]
    source_info: Text,
    #[serde(rename = "attributionTexts")]
    attribution_texts: List<Text>,
    #[serde(rename = "primaryPackagePurpose")]
    purpose: Text,
    #[serde(rename = "hasFiles")]
    has_files: List<Text>,
    description: Text,
    comment: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExternalRef {
    #[serde(rename = "referenceCategory")]
    category: Text,
    #[serde(rename = "referenceType")]
    kind: Text,
    #[serde(rename = "referenceLocator")]
    locator: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Checksum {
    algorithm: Text,
    #[serde(rename = "checksumValue")]
    value: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SpdxFile {
    #[serde(rename = "SPDXID")]
    spdx_id: Text,
    #[serde(rename = "fileName")]
    file_name: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: Text,
    #[serde(rename = "relatedSpdxElement")]
    related: Text,
    #[serde(rename = "relationshipType")]
    kind: Text,
    comment: Text,
}

/// Purposes of packages that are not packages in our sense.
const NOT_PACKAGE_PURPOSES: &[&str] = &["OPERATING-SYSTEM", "CONTAINER", "SOURCE", "FILE"];

/// `SPDXID` prefixes syft and trivy give to entries that are not packages.
const NOT_PACKAGE_IDS: &[&str] = &[
    "SPDXRef-DocumentRoot-",
    "SPDXRef-ContainerImage-",
    "SPDXRef-Filesystem-",
    "SPDXRef-OperatingSystem-",
    "SPDXRef-Application-",
];

/// The identifier the document itself has when it does not say.
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// Reads an SPDX document whose version was already checked.
pub(crate) fn read(name: &str, bytes: &[u8], max_components: usize) -> Result<Document, SbomError> {
    let document: SpdxDocument = serde_json::from_slice(bytes)
        .map_err(|error| malformed(name, SbomInputFormat::Spdx, &error))?;
    let count = document.packages.len();
    if count > max_components {
        return Err(SbomError::TooManyComponents {
            name: name.to_owned(),
            count,
            limit: max_components,
        });
    }
    let document_id = document.spdx_id.get().unwrap_or(DOCUMENT_ID);
    let described = described(&document, document_id);
    let packages: Vec<&SpdxPackage> = document.packages.iter().collect();
    let files: HashMap<&str, &str> = document
        .files
        .iter()
        .filter_map(|file| Some((file.spdx_id.get()?, file.file_name.get()?)))
        .collect();
    let (found_in, lockfile_of) = relationship_locations(&document, &packages, &files);

    let mut entries = Vec::new();
    let mut distros = Vec::new();
    let mut target = TargetIdentity::default();
    for package in &packages {
        let id = package.spdx_id.get().unwrap_or_default();
        let mut properties = attribution_properties(package);
        if let Some(source_info) = package.source_info.get() {
            properties.0.extend(our_source_info(source_info));
        }
        if described.contains(id) {
            if let Some(comment) = package.comment.get() {
                properties.0.extend(our_target_comment(comment));
            }
            let identity = subject_identity(package, &properties);
            if target.image_id.is_none() && target.digests.is_empty() {
                target = identity;
            }
            continue;
        }
        let purpose = purpose(package);
        if purpose.as_deref() == Some("OPERATING-SYSTEM")
            || id.starts_with("SPDXRef-OperatingSystem-")
        {
            let version = package.version_info.get();
            if let Some(mut claim) = package
                .name
                .get()
                .and_then(|name| DistroClaim::new(name, version))
            {
                claim.pretty_name = package.description.get().map(str::to_owned);
                distros.push(claim);
            }
            continue;
        }
        let purl = package_purl(package);
        let countable = !purpose
            .as_deref()
            .is_some_and(|purpose| NOT_PACKAGE_PURPOSES.contains(&purpose))
            && !NOT_PACKAGE_IDS.iter().any(|prefix| id.starts_with(prefix))
            && !is_lockfile_group(package);
        let mut locations = package
            .source_info
            .get()
            .map(parse_acquired_from)
            .unwrap_or_default();
        locations.extend(
            package
                .has_files
                .iter()
                .filter_map(|file| files.get(file.get()?))
                .map(|path| (*path).to_owned()),
        );
        if let Some(paths) = found_in.get(id) {
            locations.extend(paths.iter().map(|path| (*path).to_owned()));
        }
        if locations.is_empty()
            && let Some(paths) = lockfile_of.get(id)
        {
            locations.extend(paths.iter().cloned());
        }
        entries.push(Entry {
            purl,
            name: package.name.get().map(str::to_owned),
            group: None,
            version: package.version_info.get().map(str::to_owned),
            has_cpe: package.external_refs.iter().any(|reference| {
                reference
                    .kind
                    .get()
                    .is_some_and(|kind| kind.to_ascii_lowercase().starts_with("cpe"))
            }),
            countable,
            properties,
            locations,
            built_from: package.source_info.get().and_then(parse_built_from),
            dev: false,
        });
    }
    let malformed = document
        .packages
        .malformed()
        .saturating_add(document.files.malformed())
        .saturating_add(document.relationships.malformed());
    Ok(Document {
        format: SbomInputFormat::Spdx,
        entries,
        distros,
        target,
        malformed,
        too_deep: 0,
        warnings: Vec::new(),
        recorded: recorded_warnings(name, document.comment.get()),
    })
}

/// The identifiers of the packages the document describes.
fn described<'a>(document: &'a SpdxDocument, document_id: &str) -> HashSet<&'a str> {
    let mut described: HashSet<&str> = document
        .document_describes
        .iter()
        .filter_map(Text::get)
        .collect();
    for relationship in document.relationships.iter() {
        let (Some(element), Some(related), Some(kind)) = (
            relationship.element.get(),
            relationship.related.get(),
            relationship.kind.get(),
        ) else {
            continue;
        };
        if kind.eq_ignore_ascii_case("DESCRIBES") && element == document_id {
            described.insert(related);
        } else if kind.eq_ignore_ascii_case("DESCRIBED_BY") && related == document_id {
            described.insert(element);
        }
    }
    described
}

/// Locations from relationships: files each package was found in (`CONTAINS` a file,
/// `CONTAINED_BY` reversed, syft's `OTHER` `evident-by`), and the lockfile path of trivy's
/// per-lockfile application that contains it.
#[expect(
    clippy::type_complexity,
    reason = "two plain maps, named at the call site"
)]
fn relationship_locations<'a>(
    document: &'a SpdxDocument,
    packages: &[&'a SpdxPackage],
    files: &HashMap<&'a str, &'a str>,
) -> (
    HashMap<&'a str, Vec<&'a str>>,
    HashMap<&'a str, Vec<String>>,
) {
    let lockfile_groups: HashMap<&str, String> = packages
        .iter()
        .filter(|package| is_lockfile_group(package))
        .filter_map(|package| {
            let path = normalise_location(package.source_info.get()?)?;
            Some((package.spdx_id.get()?, path))
        })
        .collect();
    let mut found_in: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut lockfile_of: HashMap<&str, Vec<String>> = HashMap::new();
    for relationship in document.relationships.iter() {
        let (Some(element), Some(related), Some(kind)) = (
            relationship.element.get(),
            relationship.related.get(),
            relationship.kind.get(),
        ) else {
            continue;
        };
        let kind = kind.to_ascii_uppercase();
        let evident_by = kind == "OTHER"
            && relationship
                .comment
                .get()
                .is_some_and(|comment| comment.starts_with("evident-by"));
        if kind == "CONTAINS" || evident_by {
            if let Some(path) = files.get(related) {
                found_in.entry(element).or_default().push(path);
            } else if kind == "CONTAINS"
                && let Some(path) = lockfile_groups.get(element)
            {
                lockfile_of.entry(related).or_default().push(path.clone());
            }
        } else if kind == "CONTAINED_BY"
            && let Some(path) = files.get(element)
        {
            found_in.entry(related).or_default().push(path);
        }
    }
    (found_in, lockfile_of)
}

/// A package's purpose, upper-cased with `-` (SPDX 2.3 spells `OPERATING-SYSTEM`).
fn purpose(package: &SpdxPackage) -> Option<String> {
    package
        .purpose
        .get()
        .map(|purpose| purpose.to_ascii_uppercase().replace('_', "-"))
}

/// Whether a package is trivy's per-lockfile application: no purl, no version, the lockfile's
/// path in `sourceInfo`.
fn is_lockfile_group(package: &SpdxPackage) -> bool {
    purpose(package).as_deref() == Some("APPLICATION")
        && package_purl(package).is_none()
        && package.version_info.get().is_none()
        && package.source_info.get().is_some()
}

/// The package's purl.
fn package_purl(package: &SpdxPackage) -> Option<String> {
    package
        .external_refs
        .iter()
        .find(|reference| {
            let category = reference
                .category
                .get()
                .map(|category| category.to_ascii_uppercase().replace('_', "-"));
            category.as_deref() == Some("PACKAGE-MANAGER")
                && reference
                    .kind
                    .get()
                    .is_some_and(|kind| kind.eq_ignore_ascii_case("purl"))
        })
        .and_then(|reference| reference.locator.get())
        .map(str::to_owned)
}

/// trivy's `attributionTexts` (`Key: value`) as `aquasecurity:trivy:Key` properties; other
/// attribution texts are free prose and are not read.
fn attribution_properties(package: &SpdxPackage) -> Properties {
    Properties(
        package
            .attribution_texts
            .iter()
            .filter_map(Text::get)
            .filter_map(|text| {
                let (key, value) = text.split_once(": ")?;
                (!key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()))
                    .then(|| (format!("aquasecurity:trivy:{key}"), value.trim().to_owned()))
            })
            .collect(),
    )
}

/// What a described package says about the image it is, if it is one.
fn subject_identity(package: &SpdxPackage, properties: &Properties) -> TargetIdentity {
    let id = package.spdx_id.get().unwrap_or_default();
    let purl = package_purl(package);
    image_identity(&Subject {
        declared_image: purpose(package).as_deref() == Some("CONTAINER")
            || id.starts_with("SPDXRef-ContainerImage-"),
        purl: purl.as_deref(),
        version: package.version_info.get(),
        sha256: package
            .checksums
            .iter()
            .filter(|checksum| {
                checksum.algorithm.get().is_some_and(|algorithm| {
                    algorithm.eq_ignore_ascii_case("SHA256")
                        || algorithm.eq_ignore_ascii_case("SHA-256")
                })
            })
            .filter_map(|checksum| checksum.value.get())
            .collect(),
        properties,
    })
}

/// Our own writer's package `sourceInfo` as the `qm:` properties it stands for:
/// `found by dpkg in /var/lib/dpkg/status, layer sha256:…; built from source package glibc
/// 2.36-9; development dependency`. Text of another shape gives nothing.
fn our_source_info(text: &str) -> Vec<(String, String)> {
    let mut parts = text.split("; ");
    let Some(found) = parts.next().and_then(|part| part.strip_prefix("found by ")) else {
        return Vec::new();
    };
    let mut properties = Vec::new();
    let mut pieces = found.split(", ");
    if let Some((_, location)) = pieces.next().and_then(|first| first.split_once(" in ")) {
        properties.push(("qm:location".to_owned(), location.to_owned()));
    }
    for piece in pieces {
        match piece.strip_prefix("layer ") {
            Some(layer) => properties.push(("qm:layer".to_owned(), layer.to_owned())),
            None => properties.push(("qm:location".to_owned(), piece.to_owned())),
        }
    }
    for part in parts {
        if let Some(source) = part.strip_prefix("built from source package ") {
            let mut words = source.split_whitespace();
            if let Some(source_name) = words.next() {
                properties.push(("qm:source-package".to_owned(), source_name.to_owned()));
            }
            if let Some(source_version) = words.next() {
                properties.push(("qm:source-version".to_owned(), source_version.to_owned()));
            }
        } else if part == "development dependency" {
            properties.push(("qm:dev".to_owned(), "true".to_owned()));
        }
    }
    properties
}

/// Our own writer's target `comment` as `qm:image:*` properties: `manifest digest sha256:…;
/// tags a, b; platform linux/amd64; layers (bottom first) sha256:…, sha256:…`.
fn our_target_comment(text: &str) -> Vec<(String, String)> {
    let mut properties = Vec::new();
    let mut add_each = |name: &str, list: &str| {
        properties.extend(
            list.split(", ")
                .filter(|value| !value.is_empty())
                .map(|value| (name.to_owned(), value.to_owned())),
        );
    };
    for part in text.split("; ") {
        if let Some(digest) = part.strip_prefix("manifest digest ") {
            add_each("qm:image:manifest-digest", digest);
        } else if let Some(tags) = part.strip_prefix("tags ") {
            add_each("qm:image:tag", tags);
        } else if let Some(platform) = part.strip_prefix("platform ") {
            add_each("qm:image:platform", platform);
        } else if let Some(layers) = part.strip_prefix("layers (bottom first) ") {
            add_each("qm:image:layer", layers);
        }
    }
    properties
}

/// The warnings our own writer lists in the document `comment`, one a line after
/// `Files that could not be read:`.
fn recorded_warnings(name: &str, comment: Option<&str>) -> Vec<qm_model::InventoryWarning> {
    let Some(list) =
        comment.and_then(|comment| comment.strip_prefix("Files that could not be read:"))
    else {
        return Vec::new();
    };
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| recorded_warning(name, line))
        .collect()
}
