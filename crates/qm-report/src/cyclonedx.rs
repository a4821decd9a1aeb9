//! CycloneDX 1.6 JSON, from serde structs of our own.
//!
//! We write the few parts of the schema we fill rather than depend on the `cyclonedx-bom` crate:
//! its newest release (0.8.1) models specification versions 1.3 to 1.5 only, and it brings an
//! XML writer, a licence-expression parser, `time`, `uuid` and `regex` to the build for a
//! document we fill a dozen fields of. The test suite validates our output against the
//! official 1.6 schema instead.
//!
//! Field order in the structs is the order in the output; keep it close to the schema's.
//! Property names are documented on [`crate::SbomFormat::CycloneDx`].

use qm_model::{Distro, Inventory, Package, TargetInfo, TargetKind};
use serde::Serialize;

use crate::identity::{UniqueIds, document_uuid, image_purl, valid_purl};
use crate::{RenderContext, ReportError, SbomFormat, TOOL_NAME};

/// The `$schema` our documents name, so editors and validators find the schema.
const SCHEMA_URL: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

/// The `bom-ref` of the target (`metadata.component`).
const TARGET_REF: &str = "qm:target";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

/// Collects properties, dropping absent values.
#[derive(Default)]
struct Properties(Vec<Property>);

impl Properties {
    fn add(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.push(Property {
            name,
            value: value.into(),
        });
    }

    fn add_some(&mut self, name: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.add(name, value);
        }
    }
}

/// Builds the CycloneDX document for `inventory`.
pub(crate) fn document(
    inventory: &Inventory,
    context: &RenderContext,
    format: SbomFormat,
) -> Result<Bom, ReportError> {
    let serial = document_uuid(inventory, context, format)?;
    let os_ref = inventory.distro.as_ref().map(os_ref);

    let bases: Vec<String> = inventory.packages.iter().map(bom_ref_base).collect();
    let reserved = std::iter::once(TARGET_REF.to_owned()).chain(os_ref.clone());
    let mut ids = UniqueIds::new(reserved, bases.iter().map(String::as_str), "#");

    let mut components = Vec::with_capacity(inventory.packages.len().saturating_add(1));
    if let (Some(distro), Some(os_ref)) = (&inventory.distro, os_ref) {
        components.push(os_component(distro, os_ref));
    }
    for (package, base) in inventory.packages.iter().zip(&bases) {
        let bom_ref = ids.claim(base, package);
        components.push(package_component(package, bom_ref));
    }

    let mut metadata_properties = Properties::default();
    for warning in &inventory.warnings {
        let value = match &warning.layer {
            Some(layer) => format!("{} (layer {layer}): {}", warning.path, warning.message),
            None => format!("{}: {}", warning.path, warning.message),
        };
        metadata_properties.add("qm:warning", value);
    }

    Ok(Bom {
        schema: SCHEMA_URL,
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{serial}"),
        version: 1,
        metadata: Metadata {
            timestamp: context.timestamp.to_string(),
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    bom_ref: None,
                    name: TOOL_NAME.to_owned(),
                    version: Some(context.tool_version.clone()),
                    description: None,
                    purl: None,
                    properties: Vec::new(),
                }],
            },
            component: target_component(&inventory.target),
            properties: metadata_properties.0,
        },
        components,
    })
}

/// What a package asks to be called: its purl as written (even one that does not parse: it is
/// still the most telling name), or for a package without one `qm:<ecosystem>/<name>@<version>`,
/// which cannot be mistaken for a purl.
fn bom_ref_base(package: &Package) -> String {
    if package.purl.is_empty() {
        format!(
            "qm:{}/{}@{}",
            package.ecosystem.as_str(),
            package.name,
            package.version
        )
    } else {
        package.purl.clone()
    }
}

fn os_ref(distro: &Distro) -> String {
    match &distro.version_id {
        Some(version) => format!("os:{}@{version}", distro.id),
        None => format!("os:{}", distro.id),
    }
}

/// The target. Container images are `container`; a source tree is an `application` (what Trivy
/// writes for a filesystem scan); a root filesystem or an SBOM read as input is a `file`.
fn target_component(target: &TargetInfo) -> Component {
    let kind = match target.kind {
        TargetKind::DockerArchive | TargetKind::OciDir | TargetKind::OciArchive => "container",
        TargetKind::Directory => "application",
        TargetKind::RootFs | TargetKind::Sbom => "file",
    };
    let mut properties = Properties::default();
    properties.add("qm:target:name", target.name.as_str());
    properties.add("qm:target:kind", target.kind.as_str());
    properties.add_some("qm:image:id", target.digest.as_deref());
    properties.add_some(
        "qm:image:manifest-digest",
        target.manifest_digest.as_deref(),
    );
    for tag in &target.tags {
        properties.add("qm:image:tag", tag.as_str());
    }
    properties.add_some("qm:image:platform", target.platform.as_deref());
    for layer in &target.layers {
        properties.add("qm:image:layer", layer.digest.as_str());
    }
    Component {
        kind,
        bom_ref: Some(TARGET_REF.to_owned()),
        // A tag says more to a reader than `docker-archive:/tmp/x.tar`; the latter is kept in
        // `qm:target:name`.
        name: target.tags.first().unwrap_or(&target.name).clone(),
        version: target.digest.clone(),
        description: None,
        purl: image_purl(target),
        properties: properties.0,
    }
}

fn os_component(distro: &Distro, bom_ref: String) -> Component {
    let mut properties = Properties::default();
    properties.add_some("qm:distro:codename", distro.codename.as_deref());
    for like in &distro.id_like {
        properties.add("qm:distro:id-like", like.as_str());
    }
    Component {
        kind: "operating-system",
        bom_ref: Some(bom_ref),
        name: distro.id.clone(),
        version: distro.version_id.clone(),
        description: distro.pretty_name.clone(),
        purl: None,
        properties: properties.0,
    }
}

/// A package is a `library`, OS packages included: CycloneDX has no type for "a package from a
/// package manager", and `library` is what Syft and Trivy write for dpkg, apk and rpm packages.
fn package_component(package: &Package, bom_ref: String) -> Component {
    let purl = valid_purl(&package.purl);
    let mut properties = Properties::default();
    properties.add("qm:ecosystem", package.ecosystem.as_str());
    properties.add("qm:found-by", package.found_by.as_str());
    for location in &package.locations {
        properties.add("qm:location", location.as_str());
    }
    properties.add_some("qm:layer", package.layer.as_deref());
    if let Some(source) = &package.source {
        properties.add("qm:source-package", source.name.as_str());
        properties.add_some("qm:source-version", source.version.as_deref());
    }
    properties.add_some("qm:arch", package.arch.as_deref());
    if package.dev {
        properties.add("qm:dev", "true");
    }
    if purl.is_none() && !package.purl.is_empty() {
        properties.add("qm:purl", package.purl.as_str());
    }
    Component {
        kind: "library",
        bom_ref: Some(bom_ref),
        name: package.name.clone(),
        version: Some(package.version.clone()).filter(|version| !version.is_empty()),
        description: None,
        purl: purl.map(str::to_owned),
        properties: properties.0,
    }
}
