//! OpenVEX documents (<https://github.com/openvex/spec>, v0.2.0, and the v0.0.x shape where
//! vulnerabilities and products were plain strings) into rules.
//!
//! Each statement becomes one rule. Its ids are the vulnerability's `name`, `@id` and
//! `aliases` (addresses read for the id they end in). Each product is its `@id` and
//! `identifiers.purl` (the purl wins for matching, the `@id` still names the target), with
//! its `subcomponents`; v0.0.x statement-level `subcomponents` apply to every product.
//!
//! Surprises: a statement without `timestamp` takes the document's, as the specification
//! says; `last_updated` outranks `timestamp` when both are given. `status_notes` stands in
//! for a missing `impact_statement`, so a `fixed` statement still shows why.

use serde::Deserialize;

use super::{
    Component, Product, ProductRef, Rule, RuleKind, RuleSource, SuppressError, VexStatus,
    VexVerdict, timestamp_field, vulnerability_id,
};

#[derive(Deserialize)]
struct RawDocument {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    vulnerability: Option<RawVulnerability>,
    #[serde(default)]
    products: Vec<RawProduct>,
    /// v0.0.x: subcomponents of every product.
    #[serde(default)]
    subcomponents: Vec<RawProduct>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVulnerability {
    Name(String),
    Object {
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawProduct {
    Id(String),
    Object {
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        identifiers: Option<RawIdentifiers>,
        #[serde(default)]
        subcomponents: Vec<RawProduct>,
    },
}

#[derive(Deserialize)]
struct RawIdentifiers {
    #[serde(default)]
    purl: Option<String>,
}

/// Reads the statements of an OpenVEX document.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<Rule>, SuppressError> {
    let document: RawDocument =
        serde_json::from_slice(bytes).map_err(|error| SuppressError::json(file, &error))?;
    let document_time =
        match timestamp_field(file, "last_updated", document.last_updated.as_deref())? {
            Some(time) => Some(time),
            None => timestamp_field(file, "timestamp", document.timestamp.as_deref())?,
        };
    let mut rules = Vec::with_capacity(document.statements.len());
    for (index, statement) in document.statements.into_iter().enumerate() {
        let location = format!("statements[{index}]");
        let invalid = |field: &str, reason: String| SuppressError::InvalidVex {
            path: file.to_owned(),
            location: format!("{location}{field}"),
            reason,
        };

        let (vulnerability, ids) = match &statement.vulnerability {
            None => return Err(invalid("", "no `vulnerability`".to_owned())),
            Some(RawVulnerability::Name(name)) => (name.clone(), vec![vulnerability_id(name)]),
            Some(RawVulnerability::Object { id, name, aliases }) => {
                let shown = name
                    .clone()
                    .or_else(|| id.as_deref().and_then(vulnerability_id))
                    .or_else(|| id.clone())
                    .unwrap_or_default();
                let mut ids = vec![
                    name.as_deref().and_then(vulnerability_id),
                    id.as_deref().and_then(vulnerability_id),
                ];
                ids.extend(aliases.iter().map(|alias| vulnerability_id(alias)));
                (shown, ids)
            }
        };
        let mut ids: Vec<String> = ids.into_iter().flatten().collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Err(invalid(
                ".vulnerability",
                "the vulnerability has no `name`, `@id` or alias".to_owned(),
            ));
        }

        let status_text = statement.status.as_deref().unwrap_or_default();
        let status = match status_text {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            "" => return Err(invalid("", "no `status`".to_owned())),
            other => {
                return Err(invalid(
                    ".status",
                    format!(
                        "`{other}` is not an OpenVEX status (`not_affected`, `affected`, \
                         `fixed`, `under_investigation`)"
                    ),
                ));
            }
        };

        let statement_time = match timestamp_field(
            file,
            &format!("{location}.last_updated"),
            statement.last_updated.as_deref(),
        )? {
            Some(time) => Some(time),
            None => timestamp_field(
                file,
                &format!("{location}.timestamp"),
                statement.timestamp.as_deref(),
            )?,
        };

        let shared_subcomponents: Vec<Component> =
            statement.subcomponents.iter().map(component).collect();
        let products = statement
            .products
            .iter()
            .map(|product| {
                let (main, nested) = match product {
                    RawProduct::Id(id) => (Component::new(id, None), Vec::new()),
                    RawProduct::Object { subcomponents, .. } => (
                        component(product),
                        subcomponents.iter().map(component).collect(),
                    ),
                };
                let mut subcomponents: Vec<Component> = nested;
                subcomponents.extend(shared_subcomponents.iter().cloned());
                Product::Reference(ProductRef {
                    component: main,
                    subcomponents,
                })
            })
            .collect();

        let source = RuleSource::Vex {
            file: file.to_owned(),
            location: location.clone(),
            statement_id: statement.id.clone(),
        };
        rules.push(super::Rule {
            source,
            vulnerability: vulnerability.clone(),
            ids,
            products,
            kind: RuleKind::Vex(VexVerdict {
                file: file.to_owned(),
                location,
                statement_id: statement.id,
                vulnerability,
                status,
                justification: statement.justification.filter(|text| !text.is_empty()),
                detail: statement
                    .impact_statement
                    .filter(|text| !text.is_empty())
                    .or(statement.status_notes.filter(|text| !text.is_empty())),
                action: statement.action_statement.filter(|text| !text.is_empty()),
                timestamp: statement_time.or(document_time),
            }),
        });
    }
    Ok(rules)
}

/// A product or subcomponent: its `@id`, with `identifiers.purl` when given.
fn component(product: &RawProduct) -> Component {
    match product {
        RawProduct::Id(id) => Component::new(id, None),
        RawProduct::Object {
            id, identifiers, ..
        } => {
            let purl = identifiers
                .as_ref()
                .and_then(|identifiers| identifiers.purl.as_deref());
            let id = id.as_deref().or(purl).unwrap_or_default();
            Component::new(id, purl)
        }
    }
}
