//! SPDX 2.3 JSON, from serde structs of our own.
//!
//! Every package is an SPDX package with `filesAnalyzed: false` (we list no files, and `true`
//! would oblige a verification code) and `NOASSERTION` for what we do not read (licences,
//! copyright, supplier, download location). The SPDX JSON schema is loose (it does not check
//! identifiers or references), so the tests check those rules themselves: identifiers are
//! `SPDXRef-` plus letters, digits, `.` and `-`, unique, and every relationship names one.
//!
//! Field order in the structs is the order in the output, close to the specification's.

use std::fmt::Write as _;

use qm_model::{Distro, Inventory, Package, TargetInfo, TargetKind};
use serde::Serialize;

use crate::identity::{
    UniqueIds, document_uuid, image_purl, spdx_id_part, spdx_package_id, valid_purl,
};
use crate::{RenderContext, ReportError, SbomFormat, TOOL_NAME};

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const TARGET_ID: &str = "SPDXRef-Target";
const OS_ID: &str = "SPDXRef-OperatingSystem";

/// Where document namespaces live when the creator has no web site of its own for them, as the
/// SPDX specification's own examples and tools do; the UUID makes each one unique.
const NAMESPACE_BASE: &str = "https://spdx.org/spdxdocs/";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    packages: Vec<SpdxPackage>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    supplier: &'static str,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    license_concluded: &'static str,
    license_declared: &'static str,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

impl SpdxPackage {
    /// A package with every field we never know set to `NOASSERTION`.
    fn new(name: String, spdx_id: String) -> SpdxPackage {
        SpdxPackage {
            name,
            spdx_id,
            version_info: None,
            supplier: NOASSERTION,
            download_location: NOASSERTION,
            files_analyzed: false,
            source_info: None,
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION,
            copyright_text: NOASSERTION,
            description: None,
            comment: None,
            external_refs: Vec::new(),
            primary_package_purpose: None,
        }
    }

    fn with_purl(mut self, purl: Option<&str>) -> SpdxPackage {
        if let Some(purl) = purl {
            self.external_refs.push(ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: purl.to_owned(),
            });
        }
        self
    }
}

/// Builds the SPDX document for `inventory`.
pub(crate) fn document(
    inventory: &Inventory,
    context: &RenderContext,
    format: SbomFormat,
) -> Result<Document, ReportError> {
    let uuid = document_uuid(inventory, context, format)?;
    let target = &inventory.target;
    let mut name_part = spdx_id_part(&target.name);
    if name_part.is_empty() {
        name_part.push_str("sbom");
    }

    let mut packages = Vec::with_capacity(inventory.packages.len().saturating_add(2));
    let mut relationships = Vec::with_capacity(inventory.packages.len().saturating_add(2));
    let mut relate = |from: &str, kind: &'static str, to: &str| {
        relationships.push(Relationship {
            spdx_element_id: from.to_owned(),
            relationship_type: kind,
            related_spdx_element: to.to_owned(),
        });
    };

    packages.push(target_package(target));
    relate(DOCUMENT_ID, "DESCRIBES", TARGET_ID);
    if let Some(distro) = &inventory.distro {
        packages.push(os_package(distro));
        relate(TARGET_ID, "CONTAINS", OS_ID);
    }

    let bases: Vec<String> = inventory.packages.iter().map(spdx_package_id).collect();
    let reserved = [DOCUMENT_ID, TARGET_ID, OS_ID].map(str::to_owned);
    let mut ids = UniqueIds::new(reserved, bases.iter().map(String::as_str), "-");
    for (package, base) in inventory.packages.iter().zip(&bases) {
        let spdx_id = ids.claim(base, package);
        relate(TARGET_ID, "CONTAINS", &spdx_id);
        packages.push(package_package(package, spdx_id));
    }

    Ok(Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: target.name.clone(),
        document_namespace: format!("{NAMESPACE_BASE}{name_part}-{uuid}"),
        creation_info: CreationInfo {
            created: context.timestamp.to_string(),
            creators: vec![format!("Tool: {TOOL_NAME}-{}", context.tool_version)],
        },
        comment: warnings_comment(inventory),
        packages,
        relationships,
    })
}

/// The files that could not be read, one per line; SPDX has no better place for them.
fn warnings_comment(inventory: &Inventory) -> Option<String> {
    if inventory.warnings.is_empty() {
        return None;
    }
    let mut comment = String::from("Files that could not be read:");
    for warning in &inventory.warnings {
        let _ = write!(comment, "\n{}", warning.path);
        if let Some(layer) = &warning.layer {
            let _ = write!(comment, " (layer {layer})");
        }
        let _ = write!(comment, ": {}", warning.message);
    }
    Some(comment)
}

/// The target: a container image is a `CONTAINER` versioned by its image ID; a source tree an
/// `APPLICATION`; a root filesystem or an SBOM a `FILE` (the same choices as for CycloneDX).
fn target_package(target: &TargetInfo) -> SpdxPackage {
    let purpose = match target.kind {
        TargetKind::DockerArchive | TargetKind::OciDir | TargetKind::OciArchive => "CONTAINER",
        TargetKind::Directory => "APPLICATION",
        TargetKind::RootFs | TargetKind::Sbom => "FILE",
    };
    let name = target.tags.first().unwrap_or(&target.name).clone();
    let mut package = SpdxPackage::new(name, TARGET_ID.to_owned());
    package.version_info = target.digest.clone();
    package.primary_package_purpose = Some(purpose);
    package.source_info = Some(format!("{} target {}", target.kind.as_str(), target.name));
    let mut facts = Vec::new();
    if let Some(digest) = &target.manifest_digest {
        facts.push(format!("manifest digest {digest}"));
    }
    if !target.tags.is_empty() {
        facts.push(format!("tags {}", target.tags.join(", ")));
    }
    if let Some(platform) = &target.platform {
        facts.push(format!("platform {platform}"));
    }
    if !target.layers.is_empty() {
        let layers: Vec<&str> = target.layers.iter().map(|l| l.digest.as_str()).collect();
        facts.push(format!("layers (bottom first) {}", layers.join(", ")));
    }
    if !facts.is_empty() {
        package.comment = Some(facts.join("; "));
    }
    let purl = image_purl(target);
    package.with_purl(purl.as_deref())
}

fn os_package(distro: &Distro) -> SpdxPackage {
    let mut package = SpdxPackage::new(distro.id.clone(), OS_ID.to_owned());
    package.version_info = distro.version_id.clone();
    package.description = distro.pretty_name.clone();
    package.primary_package_purpose = Some("OPERATING_SYSTEM");
    package
}

fn package_package(package: &Package, spdx_id: String) -> SpdxPackage {
    let mut spdx = SpdxPackage::new(package.name.clone(), spdx_id);
    spdx.version_info = Some(package.version.clone()).filter(|version| !version.is_empty());
    spdx.source_info = Some(source_info(package));
    spdx.with_purl(valid_purl(&package.purl))
}

/// `found by dpkg in /var/lib/dpkg/status, layer sha256:…; built from source package glibc
/// 2.36-9`: where the package was found, in words.
fn source_info(package: &Package) -> String {
    let mut text = format!("found by {}", package.found_by);
    if !package.locations.is_empty() {
        let _ = write!(text, " in {}", package.locations.join(", "));
    }
    if let Some(layer) = &package.layer {
        let _ = write!(text, ", layer {layer}");
    }
    if let Some(source) = &package.source {
        let _ = write!(text, "; built from source package {}", source.name);
        if let Some(version) = &source.version {
            let _ = write!(text, " {version}");
        }
    }
    if package.dev {
        text.push_str("; development dependency");
    }
    text
}
