//! SBOMs read as input: a CycloneDX JSON (1.2 to 1.7) or SPDX JSON (2.2, 2.3) document becomes
//! an [`Inventory`], so `qm sbom sbom:FILE` and `qm scan sbom:FILE` treat it like a scanned
//! target.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sbom = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
//!     {"type": "library", "name": "serde", "version": "1.0.1", "purl": "pkg:cargo/serde@1.0.1"}
//! ]}"#;
//! let inventory = qm_catalog::read_sbom("sbom:app.cdx.json", sbom)?;
//! assert_eq!(inventory.packages[0].ecosystem, qm_model::Ecosystem::CratesIo);
//! assert_eq!(inventory.packages[0].found_by, "sbom-cyclonedx");
//! # Ok(())
//! # }
//! ```
//!
//! The format is told by content, not by file name: `"bomFormat": "CycloneDX"` or an
//! `spdxVersion` key. What becomes what:
//! - **Packages** are the entries with a purl ([`package`] has the per-type rules). Entries
//!   with only a CPE, or nothing, cannot be matched against any feed here and are counted in one
//!   warning instead; so are entries whose purl does not parse, images (`pkg:oci`) and trivy's
//!   `pkg:none`. The subject of the document (CycloneDX `metadata.component`, the SPDX packages
//!   the document `DESCRIBES`) is what was scanned, not something in it, and is never a
//!   package. CycloneDX components nest (`components[].components`); nesting deeper than
//!   [`MAX_NESTING_DEPTH`] is ignored with a warning.
//! - **Source packages, locations, layers** come from the writer's properties ([`evidence`]
//!   lists the names read for syft, trivy, cdxgen and our own `qm:` properties).
//! - **The distribution** comes from an operating-system entry, else from the purls' `distro`
//!   qualifiers ([`distro`]); OS packages then take their ecosystem from their purl namespace or
//!   that distribution. When OS packages exist and no release can be found, one warning says so:
//!   their distribution advisories cannot be matched without it.
//! - **The target** is of kind [`TargetKind::Sbom`] with the name given; when the document's
//!   subject is a container image its digest is kept: the image ID where the writer records it
//!   (trivy's `aquasecurity:trivy:ImageID`, our `qm:image:id`), else the digest it names (a
//!   `pkg:oci/…@sha256:…` purl version, syft's `sha256:` component version, a SHA-256 hash).
//!   syft records the *manifest* digest there, trivy both; a scan of the same image by qm keys
//!   on the config digest, so an SBOM from syft and a qm scan of one image do not share a digest.
//! - `found_by` is `sbom-cyclonedx` or `sbom-spdx`; packages listed twice (same ecosystem, name,
//!   version, purl and layer) are merged, keeping every location.
//! - **Our own SBOMs** (`qm sbom -f cyclonedx|spdx`) read back to the packages, distribution
//!   and image identity they were written from: `qm:ecosystem` is taken as stated (it settles
//!   Debian against Ubuntu, and keeps packages whose purl could not be formed), our SPDX
//!   `sourceInfo` sentences and target comment are read back, and the warnings the scan
//!   recorded (`qm:warning`, the SPDX document comment) come back as warnings.
//!
//! The trap: purls are re-serialised in canonical form (sorted qualifiers, the purl library's
//! encoding), so `Package::purl` may differ in spelling from the document's text; compare parsed
//! purls, not strings. Versions keep epochs the way the catalogers write them (Debian
//! `1:2.5.1-4`, rpm `1:2.0.0-1.cm2`) even where a writer moved the epoch to a purl qualifier.
//!
//! Not read: CycloneDX XML and protobuf, SPDX tag-value and RDF, SPDX 3 (JSON-LD), in-toto
//! attestations wrapping an SBOM (extract the predicate first). Each is refused with an error
//! that says what it looks like.

mod cyclonedx;
mod distro;
mod evidence;
mod json;
mod package;
mod spdx;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use qm_model::{
    Ecosystem, Inventory, InventoryWarning, Layer, Package, SourcePackage, TargetInfo, TargetKind,
};

use self::distro::{DistroClaim, DistroEvidence, package_ecosystem, parse_distro_qualifier};
use self::evidence::{Properties, SourceHints};
use self::package::{EntryNames, Identified, identify};

/// The largest SBOM read: far above the SBOMs of real images, it stops a hostile or runaway
/// file before it is parsed.
pub const MAX_SBOM_BYTES: usize = 512 * 1024 * 1024;

/// The most components (CycloneDX, nested ones included) or packages (SPDX) read; a whole
/// distribution's archive holds under 100,000 binary packages.
pub const MAX_SBOM_COMPONENTS: usize = 2_000_000;

/// How deep CycloneDX components may nest before the deeper ones are ignored.
pub const MAX_NESTING_DEPTH: usize = 32;

/// The SBOM formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SbomInputFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX 2 JSON.
    Spdx,
}

impl SbomInputFormat {
    /// The format's name as its specification spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomInputFormat::CycloneDx => "CycloneDX",
            SbomInputFormat::Spdx => "SPDX",
        }
    }

    /// The `found_by` value of packages read from this format.
    fn found_by(self) -> &'static str {
        match self {
            SbomInputFormat::CycloneDx => "sbom-cyclonedx",
            SbomInputFormat::Spdx => "sbom-spdx",
        }
    }
}

impl fmt::Display for SbomInputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an SBOM could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SbomError {
    /// The file is larger than [`MAX_SBOM_BYTES`].
    #[error("`{name}` is {size} bytes, over the {limit}-byte limit for an SBOM")]
    TooLarge {
        /// The SBOM as named by the caller.
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not JSON (or not UTF-8).
    #[error("`{name}` is not JSON: {reason} at line {line}, column {column}")]
    NotJson {
        /// The SBOM as named by the caller.
        name: String,
        /// 1-based line where reading stopped.
        line: usize,
        /// 1-based column where reading stopped.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// JSON, but not a document of a format we read.
    #[error("`{name}` is not a CycloneDX or SPDX JSON document: it is {found}")]
    UnknownFormat {
        /// The SBOM as named by the caller.
        name: String,
        /// What it looks like instead.
        found: String,
    },
    /// A known format in a specification version we do not read.
    #[error("`{name}` is {format} `{version}`, which qm does not read (it reads {supported})")]
    UnsupportedVersion {
        /// The SBOM as named by the caller.
        name: String,
        /// The format.
        format: SbomInputFormat,
        /// The version the document declares.
        version: String,
        /// The versions read.
        supported: &'static str,
    },
    /// The document's top-level structure does not follow its format.
    #[error("`{name}` is not a valid {format} document: {reason} at line {line}")]
    Malformed {
        /// The SBOM as named by the caller.
        name: String,
        /// The format.
        format: SbomInputFormat,
        /// 1-based line where reading stopped.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// More components than [`MAX_SBOM_COMPONENTS`].
    #[error("`{name}` lists {count} components, over the limit of {limit}")]
    TooManyComponents {
        /// The SBOM as named by the caller.
        name: String,
        /// How many it lists.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// Reads a CycloneDX or SPDX JSON SBOM into an inventory.
///
/// `name` names the target (`sbom:app.cdx.json`); it becomes the inventory's target name and
/// the path of its warnings.
///
/// # Errors
/// When the bytes are not a JSON document of a supported format and version, or exceed the
/// limits ([`MAX_SBOM_BYTES`], [`MAX_SBOM_COMPONENTS`]). Entries that cannot be used are
/// warnings on the inventory, not errors.
pub fn read_sbom(name: &str, bytes: &[u8]) -> Result<Inventory, SbomError> {
    read_with_limits(name, bytes, Limits::DEFAULT)
}

/// The limits a read is held to (smaller ones in tests).
#[derive(Debug, Clone, Copy)]
struct Limits {
    bytes: usize,
    components: usize,
}

impl Limits {
    const DEFAULT: Limits = Limits {
        bytes: MAX_SBOM_BYTES,
        components: MAX_SBOM_COMPONENTS,
    };
}

fn read_with_limits(name: &str, bytes: &[u8], limits: Limits) -> Result<Inventory, SbomError> {
    if bytes.len() > limits.bytes {
        return Err(SbomError::TooLarge {
            name: name.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(limits.bytes).unwrap_or(u64::MAX),
        });
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let document = match detect(name, bytes)? {
        Detected::CycloneDx { spec_version } => {
            cyclonedx::read(name, bytes, spec_version, limits.components)?
        }
        Detected::Spdx => spdx::read(name, bytes, limits.components)?,
    };
    Ok(assemble(name, document))
}

/// The CycloneDX versions read: JSON exists since 1.2, and later versions only add fields.
const CYCLONEDX_VERSIONS: &[&str] = &["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// The SPDX versions read: 2.2 defined the JSON format, 2.3 added fields.
const SPDX_VERSIONS: &[&str] = &["SPDX-2.2", "SPDX-2.3"];

/// What the first look at a document found.
enum Detected {
    /// CycloneDX, with its `specVersion` when it has one.
    CycloneDx { spec_version: Option<String> },
    /// SPDX 2.
    Spdx,
}

/// The few top-level keys that tell the formats apart.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: json::Text,
    #[serde(rename = "specVersion")]
    spec_version: json::Text,
    #[serde(rename = "spdxVersion")]
    spdx_version: json::Text,
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
    #[serde(rename = "payloadType")]
    payload_type: json::Text,
    #[serde(rename = "predicateType")]
    predicate_type: json::Text,
}

/// Tells the format by content.
fn detect(name: &str, bytes: &[u8]) -> Result<Detected, SbomError> {
    // serde reads a struct from an array too, so look at the first byte before the keys.
    let starts_as_object = bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'{');
    let probe: Probe = match serde_json::from_slice(bytes) {
        Ok(probe) if starts_as_object => probe,
        Err(error) if !error.is_data() => return Err(not_json(name, &error)),
        _ => {
            // Valid JSON, but not an object (or an object with duplicate keys).
            let value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|error| not_json(name, &error))?;
            return Err(SbomError::UnknownFormat {
                name: name.to_owned(),
                found: describe_value(&value),
            });
        }
    };
    if let Some(format) = probe.bom_format.get() {
        if !format.eq_ignore_ascii_case("CycloneDX") {
            return Err(SbomError::UnknownFormat {
                name: name.to_owned(),
                found: format!("a document with `bomFormat` `{format}`"),
            });
        }
        let spec_version = probe.spec_version.get().map(str::to_owned);
        if let Some(version) = &spec_version
            && !CYCLONEDX_VERSIONS.contains(&version.as_str())
        {
            return Err(SbomError::UnsupportedVersion {
                name: name.to_owned(),
                format: SbomInputFormat::CycloneDx,
                version: version.clone(),
                supported: "CycloneDX 1.2 to 1.7",
            });
        }
        return Ok(Detected::CycloneDx { spec_version });
    }
    if let Some(version) = probe.spdx_version.get() {
        if !SPDX_VERSIONS.contains(&version) {
            return Err(SbomError::UnsupportedVersion {
                name: name.to_owned(),
                format: SbomInputFormat::Spdx,
                version: version.to_owned(),
                supported: "SPDX-2.2 and SPDX-2.3",
            });
        }
        return Ok(Detected::Spdx);
    }
    if probe
        .context
        .as_ref()
        .is_some_and(|context| context.to_string().contains("spdx.org/rdf/3"))
    {
        return Err(SbomError::UnsupportedVersion {
            name: name.to_owned(),
            format: SbomInputFormat::Spdx,
            version: "3".to_owned(),
            supported: "SPDX-2.2 and SPDX-2.3",
        });
    }
    let found = if probe.payload_type.get().is_some() || probe.predicate_type.get().is_some() {
        "an in-toto attestation; extract the SBOM in its predicate first".to_owned()
    } else {
        "a JSON object without `bomFormat` or `spdxVersion`".to_owned()
    };
    Err(SbomError::UnknownFormat {
        name: name.to_owned(),
        found,
    })
}

/// A JSON value's kind, for an error message.
fn describe_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "`null`",
        serde_json::Value::Bool(_) => "a JSON boolean",
        serde_json::Value::Number(_) => "a JSON number",
        serde_json::Value::String(_) => "a JSON string",
        serde_json::Value::Array(_) => "a JSON array",
        serde_json::Value::Object(_) => "a JSON object of an unexpected shape",
    }
    .to_owned()
}

/// A [`SbomError::NotJson`] from a parser error.
fn not_json(name: &str, error: &serde_json::Error) -> SbomError {
    SbomError::NotJson {
        name: name.to_owned(),
        line: error.line(),
        column: error.column(),
        reason: json_reason(error),
    }
}

/// A parser error's message without serde_json's own ` at line L column C` suffix.
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(index) => message.get(..index).unwrap_or(&message).to_owned(),
        None => message,
    }
}

/// A [`SbomError::Malformed`] from a parser error.
fn malformed(name: &str, format: SbomInputFormat, error: &serde_json::Error) -> SbomError {
    SbomError::Malformed {
        name: name.to_owned(),
        format,
        line: error.line(),
        reason: json_reason(error),
    }
}

/// One entry of a document (a CycloneDX component, an SPDX package), in format-neutral terms.
#[derive(Debug, Default)]
struct Entry {
    /// The purl, as written.
    purl: Option<String>,
    /// The entry's name.
    name: Option<String>,
    /// CycloneDX `group`.
    group: Option<String>,
    /// The entry's version.
    version: Option<String>,
    /// Whether it has a CPE.
    has_cpe: bool,
    /// Whether a missing purl is worth a warning: not for grouping entries (trivy's per-lockfile
    /// applications, files, platforms).
    countable: bool,
    /// Its properties.
    properties: Properties,
    /// Locations found outside the properties (CycloneDX evidence, SPDX relationships).
    locations: Vec<String>,
    /// trivy's SPDX `sourceInfo`.
    built_from: Option<SourcePackage>,
    /// Marked development-only outside the properties (CycloneDX `scope: excluded`).
    dev: bool,
}

/// What a document says about the target it describes.
#[derive(Debug, Default)]
struct TargetIdentity {
    /// The image ID (config digest), when the writer records it.
    image_id: Option<String>,
    /// Other digests the subject names, best first.
    digests: Vec<String>,
    /// The manifest digest.
    manifest_digest: Option<String>,
    /// Tags.
    tags: Vec<String>,
    /// `os/architecture[/variant]`.
    platform: Option<String>,
    /// Layer digests, bottom first (only from our own `qm:image:layer` properties: other
    /// writers list them in an order that is not the layer order).
    layers: Vec<String>,
}

/// A document read into format-neutral parts.
#[derive(Debug)]
struct Document {
    format: SbomInputFormat,
    entries: Vec<Entry>,
    /// Operating-system entries.
    distros: Vec<DistroClaim>,
    target: TargetIdentity,
    /// Entries that did not have the expected shape.
    malformed: usize,
    /// Components ignored for nesting deeper than [`MAX_NESTING_DEPTH`].
    too_deep: usize,
    /// Format-specific warnings.
    warnings: Vec<String>,
    /// Warnings the SBOM's writer recorded about the target (our own `qm:warning`
    /// properties, our SPDX document comment).
    recorded: Vec<InventoryWarning>,
}

/// Counts of entries that did not become packages, for the summary warnings.
#[derive(Debug, Default)]
struct Skipped {
    no_purl: usize,
    cpe_only: usize,
    bad_purl: usize,
    first_bad_purl: Option<String>,
    images: usize,
    no_ecosystem: usize,
}

/// A package before the distribution is known.
struct Pending {
    candidate: package::Candidate,
    entry: Entry,
}

/// Builds the inventory from a read document.
fn assemble(name: &str, document: Document) -> Inventory {
    let Document {
        format,
        entries,
        distros,
        target,
        malformed,
        too_deep,
        warnings: mut messages,
        recorded,
    } = document;
    let mut skipped = Skipped::default();
    let mut pending = Vec::new();
    let mut evidence = DistroEvidence {
        entries: distros,
        packages: Vec::new(),
    };
    for entry in entries {
        let names = EntryNames {
            name: entry.name.as_deref(),
            group: entry.group.as_deref(),
            version: entry.version.as_deref(),
        };
        let purl = entry.purl.as_deref().filter(|purl| !purl.trim().is_empty());
        let identified = purl.map(|purl| identify(purl, names));
        // Our own SBOMs name each package's ecosystem, which settles Debian against Ubuntu
        // and keeps packages whose purl could not be formed.
        let stated = entry
            .properties
            .get("qm:ecosystem")
            .and_then(|ecosystem| ecosystem.parse::<Ecosystem>().ok());
        let candidate = match (identified, stated) {
            (Some(Identified::Package(mut candidate)), stated) => {
                if let Some(stated) = stated {
                    candidate.ecosystem = stated;
                    candidate.ecosystem_stated = true;
                }
                candidate
            }
            (Some(Identified::Image), _) => {
                skipped.images = skipped.images.saturating_add(1);
                continue;
            }
            (_, Some(stated)) if entry.name.is_some() => {
                let purl = entry.properties.get("qm:purl").or(purl).unwrap_or_default();
                package::stated_candidate(stated, purl, names)
            }
            (None, _) => {
                if entry.countable {
                    skipped.no_purl = skipped.no_purl.saturating_add(1);
                    if entry.has_cpe {
                        skipped.cpe_only = skipped.cpe_only.saturating_add(1);
                    }
                }
                continue;
            }
            (Some(Identified::NoEcosystem), _) => {
                skipped.no_ecosystem = skipped.no_ecosystem.saturating_add(1);
                continue;
            }
            (Some(Identified::BadPurl), _) => {
                skipped.bad_purl = skipped.bad_purl.saturating_add(1);
                skipped
                    .first_bad_purl
                    .get_or_insert_with(|| purl.unwrap_or_default().to_owned());
                continue;
            }
        };
        if candidate.family.is_some() {
            let claim = candidate
                .distro
                .as_deref()
                .and_then(|qualifier| {
                    parse_distro_qualifier(qualifier, candidate.namespace.as_deref())
                })
                .or_else(|| {
                    candidate
                        .namespace
                        .as_deref()
                        .and_then(|namespace| DistroClaim::new(namespace, None))
                });
            evidence.packages.extend(claim);
        }
        pending.push(Pending { candidate, entry });
    }
    let distro = evidence.resolve(&mut messages);
    let os_packages = pending
        .iter()
        .filter(|pending| pending.candidate.family.is_some())
        .count();
    if os_packages > 0
        && distro
            .as_ref()
            .is_none_or(|distro| distro.version_id.is_none() && distro.codename.is_none())
    {
        messages.push(format!(
            "the SBOM does not say which distribution release its {os_packages} OS packages \
             come from, so they cannot be matched against distribution advisories"
        ));
    }
    let packages: Vec<Package> = pending
        .into_iter()
        .map(|pending| finish_package(pending, distro.as_ref(), format))
        .collect();
    messages.extend(skipped_warnings(&skipped, malformed, too_deep));
    let warnings = recorded
        .into_iter()
        .chain(messages.into_iter().map(|message| InventoryWarning {
            path: name.to_owned(),
            layer: None,
            message,
        }))
        .collect();
    Inventory {
        target: target_info(name, target),
        distro,
        packages: merge_duplicates(packages),
        warnings,
    }
}

/// Turns a pending package into a [`Package`] now the distribution is known.
fn finish_package(
    pending: Pending,
    distro: Option<&qm_model::Distro>,
    format: SbomInputFormat,
) -> Package {
    let Pending { candidate, entry } = pending;
    let ecosystem = match candidate.family {
        Some(family) if !candidate.ecosystem_stated => {
            package_ecosystem(family, candidate.namespace.as_deref(), distro)
        }
        _ => candidate.ecosystem,
    };
    let hints = SourceHints {
        upstream: candidate.upstream.as_deref(),
        built_from: entry.built_from.as_ref(),
    };
    let source = evidence::source_package(
        &entry.properties,
        hints,
        candidate.family,
        &candidate.name,
        &candidate.version,
    );
    let mut locations: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for location in evidence::locations(&entry.properties)
        .iter()
        .chain(&entry.locations)
        .filter_map(|location| evidence::normalise_location(location))
    {
        if seen.insert(location.clone()) {
            locations.push(location);
        }
    }
    Package {
        name: candidate.name,
        version: candidate.version,
        ecosystem,
        purl: candidate.purl,
        source,
        locations,
        found_by: format.found_by().to_owned(),
        dev: entry.dev || evidence::is_dev(&entry.properties),
        arch: candidate
            .arch
            .or_else(|| entry.properties.get("qm:arch").map(str::to_owned)),
        layer: evidence::layer(&entry.properties).filter(|layer| !layer.is_empty()),
    }
}

/// The summary warnings for entries that did not become packages.
fn skipped_warnings(skipped: &Skipped, malformed: usize, too_deep: usize) -> Vec<String> {
    let mut warnings = Vec::new();
    if skipped.no_purl > 0 {
        warnings.push(format!(
            "{} components have no package URL ({} of them only a CPE) and are not scanned",
            skipped.no_purl, skipped.cpe_only
        ));
    }
    if skipped.bad_purl > 0 {
        warnings.push(format!(
            "{} components have a package URL that cannot be read (the first: `{}`) and are \
             not scanned",
            skipped.bad_purl,
            shorten(skipped.first_bad_purl.as_deref().unwrap_or_default())
        ));
    }
    if skipped.images > 0 {
        warnings.push(format!(
            "{} components are container images (`pkg:oci`, `pkg:docker`), which are not \
             scanned from the SBOM; scan the images themselves",
            skipped.images
        ));
    }
    if skipped.no_ecosystem > 0 {
        warnings.push(format!(
            "{} components have a `pkg:none` package URL (the SBOM's writer did not recognise \
             their operating system) and are not scanned",
            skipped.no_ecosystem
        ));
    }
    if malformed > 0 {
        warnings.push(format!(
            "{malformed} entries do not have the shape their format requires and were skipped"
        ));
    }
    if too_deep > 0 {
        warnings.push(format!(
            "{too_deep} components nested more than {MAX_NESTING_DEPTH} levels deep were ignored"
        ));
    }
    warnings
}

/// A warning our own writer recorded, `path (layer L): message`; text of another shape is kept
/// whole as the message, with the SBOM as its path.
fn recorded_warning(sbom_name: &str, text: &str) -> InventoryWarning {
    let parsed = text.split_once(": ").map(|(head, message)| {
        match head
            .strip_suffix(')')
            .and_then(|head| head.rsplit_once(" (layer "))
        {
            Some((path, layer)) => (path, Some(layer.to_owned()), message),
            None => (head, None, message),
        }
    });
    match parsed {
        Some((path, layer, message)) if !path.is_empty() => InventoryWarning {
            path: path.to_owned(),
            layer,
            message: message.to_owned(),
        },
        _ => InventoryWarning {
            path: sbom_name.to_owned(),
            layer: None,
            message: text.to_owned(),
        },
    }
}

/// The longest excerpt of a bad value quoted in a warning.
const MAX_QUOTED_CHARS: usize = 80;

/// Cuts a quoted excerpt to [`MAX_QUOTED_CHARS`] characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// The target: an SBOM, with the image identity its subject names.
fn target_info(name: &str, target: TargetIdentity) -> TargetInfo {
    let TargetIdentity {
        image_id,
        digests,
        manifest_digest,
        tags,
        platform,
        layers,
    } = target;
    let mut unique_tags: Vec<String> = Vec::new();
    for tag in tags {
        if !unique_tags.contains(&tag) {
            unique_tags.push(tag);
        }
    }
    TargetInfo {
        name: name.to_owned(),
        kind: TargetKind::Sbom,
        digest: image_id.or_else(|| digests.into_iter().next()),
        manifest_digest,
        tags: unique_tags,
        platform,
        layers: layers
            .into_iter()
            .enumerate()
            .map(|(index, digest)| Layer {
                digest,
                index,
                created_by: None,
            })
            .collect(),
    }
}

/// The document's subject (CycloneDX `metadata.component`, an SPDX described package), in
/// format-neutral terms.
struct Subject<'a> {
    /// The format itself says it is an image (CycloneDX type `container`, SPDX purpose
    /// `CONTAINER`).
    declared_image: bool,
    purl: Option<&'a str>,
    version: Option<&'a str>,
    /// SHA-256 hashes, as written (hex, with or without `sha256:`).
    sha256: Vec<&'a str>,
    properties: &'a Properties,
}

/// What the subject says about the image it is, when it is one.
fn image_identity(subject: &Subject<'_>) -> TargetIdentity {
    let properties = subject.properties;
    let image_purl = subject.purl.and_then(package::image_purl);
    let image_id = properties
        .get("qm:image:id")
        .or_else(|| properties.get("aquasecurity:trivy:ImageID"))
        .and_then(image_digest);
    let is_image = subject.declared_image || image_purl.is_some() || image_id.is_some();
    if !is_image {
        return TargetIdentity::default();
    }
    let purl_digest = image_purl
        .as_ref()
        .and_then(|purl| purl.digest.as_deref())
        .and_then(image_digest);
    let mut digests: Vec<String> = Vec::new();
    digests.extend(purl_digest.clone());
    digests.extend(subject.version.and_then(image_digest));
    digests.extend(subject.sha256.iter().filter_map(|hash| image_digest(hash)));
    let repo_digest = properties
        .all("aquasecurity:trivy:RepoDigest")
        .find_map(|reference| {
            reference
                .rsplit_once('@')
                .and_then(|(_, digest)| image_digest(digest))
        });
    let manifest_digest = properties
        .get("qm:image:manifest-digest")
        .and_then(image_digest)
        .or(repo_digest)
        .or(purl_digest);
    let mut tags: Vec<String> = properties
        .all("qm:image:tag")
        .chain(properties.all("aquasecurity:trivy:RepoTag"))
        .map(|tag| tag.trim().to_owned())
        .collect();
    tags.extend(image_purl.and_then(|purl| purl.tag));
    TargetIdentity {
        image_id,
        digests,
        manifest_digest,
        tags,
        platform: properties
            .get("qm:image:platform")
            .map(|platform| platform.trim().to_owned()),
        layers: properties
            .all("qm:image:layer")
            .filter_map(image_digest)
            .collect(),
    }
}

/// An OCI digest (`sha256:` and 64 hex digits), lower-cased; a bare 64-digit hex string is
/// taken as SHA-256.
fn image_digest(text: &str) -> Option<String> {
    let text = text.trim();
    let hex = match text.split_once(':') {
        Some((algorithm, hex)) if algorithm.eq_ignore_ascii_case("sha256") => hex,
        Some(_) => return None,
        None => text,
    };
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// Merges packages that are the same (ecosystem, name, version, purl, layer) into one with
/// every location, and sorts the result.
fn merge_duplicates(packages: Vec<Package>) -> Vec<Package> {
    type Key = (qm_model::Ecosystem, String, String, String, Option<String>);
    let mut merged: BTreeMap<Key, Package> = BTreeMap::new();
    for package in packages {
        let key = (
            package.ecosystem.clone(),
            package.name.clone(),
            package.version.clone(),
            package.purl.clone(),
            package.layer.clone(),
        );
        match merged.get_mut(&key) {
            Some(existing) => {
                for location in package.locations {
                    if !existing.locations.contains(&location) {
                        existing.locations.push(location);
                    }
                }
                existing.dev &= package.dev;
                if existing.source.is_none() {
                    existing.source = package.source;
                }
            }
            None => {
                merged.insert(key, package);
            }
        }
    }
    merged.into_values().collect()
}

/// Entry types whose missing purl is not worth a warning: they are not packages.
const NOT_PACKAGE_TYPES: &[&str] = &[
    "operating-system",
    "container",
    "platform",
    "file",
    "data",
    "machine-learning-model",
    "cryptographic-asset",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_recognised() {
        let hex = "F1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427";
        let expected = format!("sha256:{}", hex.to_ascii_lowercase());
        assert_eq!(
            image_digest(&format!("sha256:{hex}")),
            Some(expected.clone())
        );
        assert_eq!(image_digest(hex), Some(expected));
        assert_eq!(image_digest("sha512:abc"), None);
        assert_eq!(image_digest("sha256:abc"), None);
        assert_eq!(image_digest(""), None);
    }

    #[test]
    fn format_is_told_by_content() {
        let cases: &[(&str, &str)] = &[
            ("", "not JSON"),
            ("{", "not JSON"),
            ("[]", "a JSON array"),
            ("42", "a JSON number"),
            ("{}", "without `bomFormat`"),
            (r#"{"bomFormat": "AnotherFormat"}"#, "`AnotherFormat`"),
            (
                r#"{"bomFormat": "CycloneDX", "specVersion": "1.1"}"#,
                "`1.1`",
            ),
            (r#"{"spdxVersion": "SPDX-2.1"}"#, "`SPDX-2.1`"),
            (
                r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#,
                "SPDX `3`",
            ),
            (
                r#"{"payloadType": "application/vnd.in-toto+json"}"#,
                "in-toto",
            ),
        ];
        for (json, expected) in cases {
            let error = read_sbom("sbom:x", json.as_bytes()).unwrap_err();
            assert!(error.to_string().contains(expected), "{json}: {error}");
        }
        let inventory = read_sbom("sbom:x", br#"{"bomFormat": "CycloneDX"}"#).unwrap();
        assert!(inventory.packages.is_empty());
        assert_eq!(inventory.target.kind, TargetKind::Sbom);
        assert_eq!(
            inventory.warnings.len(),
            1,
            "no specVersion: {:?}",
            inventory.warnings
        );
        let bom = "\u{feff}{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\"}";
        assert!(
            read_sbom("sbom:x", bom.as_bytes())
                .unwrap()
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn limits_are_errors() {
        let small = Limits {
            bytes: 100,
            components: 2,
        };
        let big = format!(
            r#"{{"bomFormat": "CycloneDX", "x": "{}"}}"#,
            "a".repeat(100)
        );
        assert!(matches!(
            read_with_limits("sbom:x", big.as_bytes(), small),
            Err(SbomError::TooLarge { size, limit: 100, .. }) if size > 100
        ));
        let nested = r#"{"bomFormat": "CycloneDX", "components": [
            {"name": "a", "components": [{"name": "b"}, {"name": "c"}]}]}"#;
        let limits = Limits {
            bytes: 1000,
            components: 2,
        };
        assert!(matches!(
            read_with_limits("sbom:x", nested.as_bytes(), limits),
            Err(SbomError::TooManyComponents {
                count: 3,
                limit: 2,
                ..
            })
        ));
        let spdx = r#"{"spdxVersion": "SPDX-2.3", "packages": [{}, {}, {}]}"#;
        assert!(matches!(
            read_with_limits("sbom:x", spdx.as_bytes(), limits),
            Err(SbomError::TooManyComponents {
                count: 3,
                limit: 2,
                ..
            })
        ));
    }
}
