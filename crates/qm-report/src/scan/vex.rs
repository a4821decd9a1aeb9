//! CycloneDX 1.6 with `vulnerabilities`: the SBOM plus what is wrong with it.
//!
//! The document is the SBOM `render_sbom` writes for the same inventory (so the components and
//! their `bom-ref`s are the same, and a VEX consumer can join the two), with:
//!
//! - a new `serialNumber`, derived from the SBOM's and the vulnerabilities (it is another
//!   document);
//! - `metadata.properties` telling the database (`qm:db:built`, `qm:db:source` per feed, and
//!   `qm:db:stale-warning` when it is too old) and the matcher's notes (`qm:note`);
//! - one `vulnerabilities` entry per finding, then one per suppressed finding: `id`, `source`
//!   (NVD for `CVE-`, GitHub for `GHSA-`, …), the other ids as `references`, `ratings` (score,
//!   severity, CVSS method, vector), the title as `description`, `recommendation` ("Upgrade
//!   openssl to 3.0.13-1~deb12u1."), the reference addresses as `advisories`, `published` and
//!   `updated`, `analysis`, and `affects[]` naming the component's `bom-ref` with the installed
//!   version `affected` and the fixed one `unaffected`.
//!
//! `analysis.state` is `in_triage` for every finding: a version match says "affected by
//! version", not that anyone judged it exploitable. Suppressed findings say what the VEX
//! statement or ignore rule said: `not_affected` (with the CycloneDX `justification`),
//! `resolved`, `false_positive`, or `exploitable` with the response `will_not_fix` for an
//! ignore rule that accepts the risk. The statement's text and source are in `detail`.
//!
//! The SBOM part is taken from the SBOM renderer through JSON values, whose keys come out in
//! alphabetical order inside `metadata` and `components` (top-level keys and the
//! vulnerabilities keep the schema's order).

use qm_match::Finding;
use qm_model::Rating;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{ScanFormat, ScanReport, SuppressedFinding, SuppressionStatus, facts, serialize_error};
use crate::{ReportError, SbomFormat, cyclonedx};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    schema: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bom_format: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_version: Option<Value>,
    serial_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Value>,
    /// Whatever else the SBOM renderer writes, after the parts we know.
    #[serde(flatten)]
    rest: Map<String, Value>,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Vulnerability {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    ratings: Vec<VulnerabilityRating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    analysis: Analysis,
    affects: Vec<Affects>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct VulnerabilityRating {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
}

#[derive(Serialize)]
struct Advisory {
    url: String,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

/// Builds the document for `report`.
pub(crate) fn document(report: &ScanReport<'_>) -> Result<Bom, ReportError> {
    let format = ScanFormat::CycloneDx;
    let sbom = cyclonedx::document(report.inventory, report.context, SbomFormat::CycloneDx)?;
    let mut value = serde_json::to_value(&sbom).map_err(|error| serialize_error(format, &error))?;
    // Alphabetical keys whether or not some crate turns on serde_json's `preserve_order`, so
    // the output does not depend on which crates are built together.
    value.sort_all_objects();
    let Value::Object(mut sbom) = value else {
        return Err(serialize_error(format, &"the SBOM is not a JSON object"));
    };

    let refs = package_refs(&sbom, report.inventory.packages.len())?;
    let reference_of = |finding: &Finding| refs.get(finding.package.index).cloned();

    let mut vulnerabilities = Vec::new();
    for finding in facts::ordered(report.findings) {
        vulnerabilities.push(vulnerability(finding, reference_of(finding), None));
    }
    for suppressed in facts::ordered_suppressed(report.suppressed) {
        let finding = &suppressed.finding;
        vulnerabilities.push(vulnerability(
            finding,
            reference_of(finding),
            Some(suppressed),
        ));
    }

    let serial = {
        let listed = serde_json::to_vec(&vulnerabilities)
            .map_err(|error| serialize_error(format, &error))?;
        let sbom_serial = sbom
            .get("serialNumber")
            .and_then(Value::as_str)
            .unwrap_or_default();
        derived_uuid(&[sbom_serial.as_bytes(), &listed])
    };

    if let Some(Value::Object(metadata)) = sbom.get_mut("metadata") {
        add_metadata_properties(metadata, report);
    }

    Ok(Bom {
        schema: sbom.remove("$schema"),
        bom_format: sbom.remove("bomFormat"),
        spec_version: sbom.remove("specVersion"),
        serial_number: format!("urn:uuid:{serial}"),
        version: sbom.remove("version"),
        metadata: sbom.remove("metadata"),
        components: sbom.remove("components"),
        rest: {
            sbom.remove("serialNumber");
            sbom
        },
        vulnerabilities,
    })
}

/// The `bom-ref` of each package, by inventory index: the SBOM renderer writes the
/// distribution's `operating-system` component first, then one component per package in
/// inventory order.
fn package_refs(sbom: &Map<String, Value>, packages: usize) -> Result<Vec<String>, ReportError> {
    let components = sbom
        .get("components")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let refs: Vec<String> = components
        .iter()
        .filter(|component| {
            component.get("type").and_then(Value::as_str) != Some("operating-system")
        })
        .filter_map(|component| component.get("bom-ref").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    if refs.len() != packages {
        return Err(serialize_error(
            ScanFormat::CycloneDx,
            &format!(
                "the SBOM has {} package components for {packages} packages",
                refs.len()
            ),
        ));
    }
    Ok(refs)
}

fn add_metadata_properties(metadata: &mut Map<String, Value>, report: &ScanReport<'_>) {
    let mut added = Vec::new();
    let mut add = |name: &str, value: String| {
        added.push(serde_json::json!({ "name": name, "value": value }));
    };
    add("qm:db:built", report.db.built.to_string());
    if let Some(warning) = &report.db.stale_warning {
        add("qm:db:stale-warning", warning.clone());
    }
    for source in &report.db.sources {
        let mut value = format!("{} ({} advisories", source.name, source.records);
        if let Some(newest) = source.newest {
            value.push_str(&format!(", newest {newest}"));
        }
        value.push(')');
        add("qm:db:source", value);
    }
    for note in report.notes {
        add("qm:note", note.message.clone());
    }
    let properties = metadata
        .entry("properties")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(properties) = properties {
        properties.extend(added);
    }
}

fn vulnerability(
    finding: &Finding,
    component: Option<String>,
    suppressed: Option<&SuppressedFinding>,
) -> Vulnerability {
    let feed = finding.sources.first().cloned();
    let source = facts::id_publisher(&finding.id)
        .map(str::to_owned)
        .or_else(|| feed.clone())
        .map(|name| Source {
            name,
            url: facts::id_url(&finding.id),
        });
    let references = finding
        .aliases
        .iter()
        .map(|alias| Reference {
            id: alias.clone(),
            source: Source {
                name: facts::id_publisher(alias)
                    .map(str::to_owned)
                    .or_else(|| feed.clone())
                    .unwrap_or_else(|| "unknown".to_owned()),
                url: facts::id_url(alias),
            },
        })
        .collect();

    let severity = &finding.severity;
    let rating = VulnerabilityRating {
        source: severity
            .source
            .clone()
            .map(|name| Source { name, url: None }),
        score: severity.score,
        severity: cyclonedx_severity(severity.rating),
        method: severity.vector.as_deref().map(facts::cvss_method),
        vector: severity.vector.clone(),
    };

    let mut versions = Vec::new();
    if !finding.package.version.is_empty() {
        versions.push(AffectedVersion {
            version: finding.package.version.clone(),
            status: "affected",
        });
    }
    if let Some(fixed) = facts::fixed_version(finding).filter(|fixed| !fixed.is_empty()) {
        versions.push(AffectedVersion {
            version: fixed.to_owned(),
            status: "unaffected",
        });
    }

    let mut properties = vec![Property {
        name: "qm:matched-key",
        value: finding.matched_key.to_string(),
    }];
    for feed in &finding.sources {
        properties.push(Property {
            name: "qm:feed",
            value: feed.clone(),
        });
    }
    if let Some(kind) = &finding.informational {
        properties.push(Property {
            name: "qm:informational",
            value: kind.clone(),
        });
    }
    if let Some(suppressed) = suppressed {
        properties.push(Property {
            name: "qm:suppressed-by",
            value: suppressed.by.to_string(),
        });
    }

    Vulnerability {
        id: finding.id.clone(),
        source,
        references,
        ratings: vec![rating],
        description: finding.title.clone(),
        recommendation: facts::fixed_version(finding)
            .map(|fixed| format!("Upgrade {} to {fixed}.", finding.package.name)),
        advisories: finding
            .urls
            .iter()
            .map(|url| Advisory { url: url.clone() })
            .collect(),
        published: finding.published.map(|time| time.to_string()),
        updated: finding.modified.map(|time| time.to_string()),
        analysis: analysis(finding, suppressed),
        affects: component
            .map(|reference| Affects {
                reference,
                versions,
            })
            .into_iter()
            .collect(),
        properties,
    }
}

fn analysis(finding: &Finding, suppressed: Option<&SuppressedFinding>) -> Analysis {
    let Some(suppressed) = suppressed else {
        let detail = match facts::fixed_version(finding) {
            Some(_) => None,
            None => Some(capitalised(&facts::fix_sentence(finding))),
        };
        return Analysis {
            state: "in_triage",
            justification: None,
            response: Vec::new(),
            detail,
        };
    };
    let mut detail = suppressed.reason.clone().unwrap_or_default();
    if !detail.is_empty() {
        detail.push(' ');
    }
    detail.push_str(&format!("({})", suppressed.by));
    let (state, response) = match suppressed.status {
        SuppressionStatus::NotAffected => ("not_affected", Vec::new()),
        SuppressionStatus::Fixed => ("resolved", Vec::new()),
        SuppressionStatus::FalsePositive => ("false_positive", Vec::new()),
        _ => ("exploitable", vec!["will_not_fix"]),
    };
    Analysis {
        state,
        justification: suppressed
            .justification
            .filter(|_| state == "not_affected")
            .map(|justification| justification.as_str()),
        response,
        detail: Some(detail),
    }
}

/// CycloneDX's severity words; it calls a CVSS 0.0 `none` as we do.
fn cyclonedx_severity(rating: Rating) -> &'static str {
    rating.as_str()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An RFC 9562 version 8 UUID from a SHA-256 over `fields` (as the SBOM serial is made).
fn derived_uuid(fields: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"qm-report scan cyclonedx uuid v1");
    for field in fields {
        hasher.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_le_bytes());
        hasher.update(field);
    }
    let digest = hasher.finalize();
    let mut bytes = [0_u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    // Version 8 in the high nibble of byte 6, variant `10` in the top bits of byte 8.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    text
}
