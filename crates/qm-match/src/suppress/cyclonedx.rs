//! CycloneDX VEX (<https://cyclonedx.org/capabilities/vex/>, JSON, spec 1.4 to 1.7) into
//! rules: one per entry of `vulnerabilities`.
//!
//! Ids are the vulnerability's `id` and every `references[].id`. Products are its
//! `affects[].ref`, each resolved to a purl: the `bom-ref` of a component of the same
//! document (nested components included, and `metadata.component`), a BOM-link
//! (`urn:cdx:<serial>/<version>#<bom-ref>`) whose `bom-ref` is in this document or is itself
//! a purl (the usual case: tools make a component's purl its `bom-ref`), or a purl written
//! directly. A reference that resolves to nothing becomes an unmatched rule with the
//! reason, not an error: a VEX document about a BOM we do not have is legal.
//!
//! States: `not_affected`, `false_positive`, `resolved` and `resolved_with_pedigree`
//! suppress; `exploitable` and `in_triage` do not. A vulnerability without
//! `analysis.state` is an SBOM's plain vulnerability list, not a VEX claim, and is reported
//! as such.
//!
//! Not read: `affects[].versions` (version ranges with their own status); the product is
//! matched as a whole, so a statement with version ranges covers every version of it. That
//! is the gap to close when a real document needs it.

use std::collections::HashMap;

use serde::Deserialize;

use super::purl::percent_decode;
use super::{
    Component, Product, ProductRef, Rule, RuleKind, RuleSource, SuppressError, VexStatus,
    VexVerdict, looks_like_purl, timestamp_field, vulnerability_id,
};

#[derive(Deserialize)]
struct RawBom {
    #[serde(default)]
    metadata: Option<RawMetadata>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    vulnerabilities: Vec<RawVulnerability>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    component: Option<RawComponent>,
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(rename = "bom-ref", default)]
    bom_ref: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    components: Vec<RawComponent>,
}

#[derive(Deserialize)]
struct RawVulnerability {
    #[serde(rename = "bom-ref", default)]
    bom_ref: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    references: Vec<RawReference>,
    #[serde(default)]
    analysis: Option<RawAnalysis>,
    #[serde(default)]
    affects: Vec<RawAffects>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    updated: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawAnalysis {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    response: Vec<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(rename = "firstIssued", default)]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated", default)]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct RawAffects {
    #[serde(rename = "ref", default)]
    reference: Option<String>,
}

/// Reads the vulnerabilities of a CycloneDX document.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<Rule>, SuppressError> {
    let bom: RawBom =
        serde_json::from_slice(bytes).map_err(|error| SuppressError::json(file, &error))?;

    // Every component by `bom-ref`, nested ones too, without recursion.
    let mut purls_by_ref: HashMap<&str, Option<&str>> = HashMap::new();
    let mut pending: Vec<&RawComponent> = bom.components.iter().collect();
    if let Some(component) = bom
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.component.as_ref())
    {
        pending.push(component);
    }
    while let Some(component) = pending.pop() {
        if let Some(bom_ref) = &component.bom_ref {
            purls_by_ref.insert(bom_ref.as_str(), component.purl.as_deref());
        }
        pending.extend(component.components.iter());
    }

    let bom_time = timestamp_field(
        file,
        "metadata.timestamp",
        bom.metadata
            .as_ref()
            .and_then(|metadata| metadata.timestamp.as_deref()),
    )?;

    let mut rules = Vec::with_capacity(bom.vulnerabilities.len());
    for (index, vulnerability) in bom.vulnerabilities.iter().enumerate() {
        let location = format!("vulnerabilities[{index}]");
        let Some(shown) = vulnerability.id.clone().filter(|id| !id.trim().is_empty()) else {
            return Err(SuppressError::InvalidVex {
                path: file.to_owned(),
                location,
                reason: "no `id`".to_owned(),
            });
        };
        let mut ids: Vec<String> = std::iter::once(shown.as_str())
            .chain(
                vulnerability
                    .references
                    .iter()
                    .filter_map(|reference| reference.id.as_deref()),
            )
            .filter_map(vulnerability_id)
            .collect();
        ids.sort();
        ids.dedup();

        let products = vulnerability
            .affects
            .iter()
            .map(|affects| {
                let reference = affects.reference.as_deref().unwrap_or_default();
                Product::Reference(ProductRef {
                    component: resolve(reference, &purls_by_ref),
                    subcomponents: Vec::new(),
                })
            })
            .collect();

        let source = RuleSource::Vex {
            file: file.to_owned(),
            location: location.clone(),
            statement_id: vulnerability.bom_ref.clone(),
        };
        let analysis = vulnerability.analysis.as_ref();
        let state = analysis.and_then(|analysis| analysis.state.as_deref());
        let kind = match state {
            None => RuleKind::Inert {
                why: "no `analysis.state` (a vulnerability list, not a VEX claim)".to_owned(),
            },
            Some(state) => {
                let status = match state {
                    "not_affected" => VexStatus::NotAffected,
                    "false_positive" => VexStatus::FalsePositive,
                    "resolved" => VexStatus::Resolved,
                    "resolved_with_pedigree" => VexStatus::ResolvedWithPedigree,
                    "exploitable" => VexStatus::Exploitable,
                    "in_triage" => VexStatus::InTriage,
                    other => {
                        return Err(SuppressError::InvalidVex {
                            path: file.to_owned(),
                            location: format!("{location}.analysis.state"),
                            reason: format!(
                                "`{other}` is not a CycloneDX analysis state (`not_affected`, \
                                 `false_positive`, `resolved`, `resolved_with_pedigree`, \
                                 `exploitable`, `in_triage`)"
                            ),
                        });
                    }
                };
                let dates = [
                    (
                        "analysis.lastUpdated",
                        analysis.and_then(|a| a.last_updated.as_deref()),
                    ),
                    (
                        "analysis.firstIssued",
                        analysis.and_then(|a| a.first_issued.as_deref()),
                    ),
                    ("updated", vulnerability.updated.as_deref()),
                    ("published", vulnerability.published.as_deref()),
                ];
                let mut timestamp = None;
                for (field, text) in dates {
                    if let Some(time) = timestamp_field(file, &format!("{location}.{field}"), text)?
                    {
                        timestamp = Some(time);
                        break;
                    }
                }
                let response = analysis
                    .map(|analysis| analysis.response.join(", "))
                    .filter(|response| !response.is_empty());
                RuleKind::Vex(VexVerdict {
                    file: file.to_owned(),
                    location,
                    statement_id: vulnerability.bom_ref.clone(),
                    vulnerability: shown.clone(),
                    status,
                    justification: analysis
                        .and_then(|analysis| analysis.justification.clone())
                        .filter(|text| !text.is_empty()),
                    detail: analysis
                        .and_then(|analysis| analysis.detail.clone())
                        .filter(|text| !text.is_empty()),
                    action: response,
                    timestamp: timestamp.or(bom_time),
                })
            }
        };
        rules.push(Rule {
            source,
            vulnerability: shown,
            ids,
            products,
            kind,
        });
    }
    Ok(rules)
}

/// The component an `affects[].ref` points at.
fn resolve(reference: &str, purls_by_ref: &HashMap<&str, Option<&str>>) -> Component {
    let reference = reference.trim();
    if let Some(found) = purls_by_ref.get(reference) {
        return component_with(reference, *found);
    }
    if let Some(link) = reference.strip_prefix("urn:cdx:") {
        let Some((_, fragment)) = link.split_once('#') else {
            return unusable(reference, "a BOM-link to a whole BOM, not to a component");
        };
        let Some(bom_ref) = percent_decode(fragment) else {
            return unusable(reference, "its `bom-ref` is not valid percent-encoded text");
        };
        if let Some(found) = purls_by_ref.get(bom_ref.as_str()) {
            return component_with(reference, *found);
        }
        if looks_like_purl(&bom_ref) {
            return Component::new(reference, Some(&bom_ref));
        }
        return unusable(
            reference,
            &format!(
                "`{bom_ref}` is a component of another BOM, not of this document, and not a \
                 purl"
            ),
        );
    }
    if looks_like_purl(reference) {
        return Component::new(reference, None);
    }
    if reference.is_empty() {
        return unusable(reference, "an `affects` entry without `ref`");
    }
    unusable(reference, "no component of the document has this `bom-ref`")
}

/// A component found in the document, by its `purl` (or its `bom-ref`, when that is one).
fn component_with(reference: &str, purl: Option<&str>) -> Component {
    match purl {
        Some(purl) => Component::new(reference, Some(purl)),
        None if looks_like_purl(reference) => Component::new(reference, None),
        None => unusable(reference, "the component has no purl"),
    }
}

fn unusable(reference: &str, why: &str) -> Component {
    Component {
        id: reference.to_owned(),
        purl: None,
        purl_error: Some(format!("`{reference}`: {why}")),
    }
}
