//! SARIF 2.1.0, from serde structs of our own.
//!
//! We write the dozen SARIF objects we fill rather than depend on `serde-sarif`: its types are
//! generated from the schema at build time (`schemafy`, `prettyplease`, `syn` in the build, and
//! `typed-builder`, `strum` at run time) for a log we fill a few fields of.
//!
//! The shape follows what GitHub code scanning reads:
//!
//! - one run; the tool driver is `quartermaster` with one **rule per vulnerability id** (sorted),
//!   whose `shortDescription` is the title, `helpUri` the first reference, and whose properties
//!   hold `security-severity` (the CVSS score as a string, or the middle of the rating's band
//!   when a feed gives only a word: critical 9.5, high 8.0, medium 5.5, low 2.0) and `tags`;
//! - one **result per finding**, its level from the severity (critical and high `error`,
//!   medium `warning`, the rest `note`), its location the first file that declares the package,
//!   as a path relative to the target's root (`var/lib/dpkg/status`), or the target's name when
//!   no file does; `partialFingerprints["qmFinding/v1"]` is a hash of the id, the package and
//!   that file, so a finding keeps its alert across runs;
//! - suppressed findings are results too, with an `external` suppression whose justification
//!   says which VEX document or ignore rule took them out (GitHub hides suppressed results);
//! - a stale database and the matcher's notes are **tool execution notifications** of the one
//!   invocation (the stale warning is also the run property `qm:db-stale-warning`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use qm_match::Finding;
use qm_model::Rating;
use serde::Serialize;

use super::facts;
use super::{ScanReport, SuppressedFinding};
use crate::TOOL_NAME;

/// Where SARIF readers find the schema.
const SCHEMA_URL: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our partial fingerprint.
const FINGERPRINT_KEY: &str = "qmFinding/v1";

#[derive(Serialize)]
pub(crate) struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: MultiformatMessage,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    descriptor: DescriptorReference,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    package: String,
    installed_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_version: Option<String>,
    ecosystem: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    purl: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer_created_by: Option<String>,
}

/// The SARIF level of a rating: critical and high are errors, medium a warning, the rest notes.
fn level(rating: Rating) -> &'static str {
    match rating {
        Rating::Critical | Rating::High => "error",
        Rating::Medium => "warning",
        Rating::Low | Rating::None | Rating::Unknown => "note",
    }
}

/// Builds the log for `report`.
pub(crate) fn document<'a>(report: &ScanReport<'a>) -> Log<'a> {
    let findings = facts::ordered(report.findings);
    let suppressed = facts::ordered_suppressed(report.suppressed);

    // One rule per id, over findings and suppressed findings alike, at the highest severity any
    // of them has (two packages may carry the same vulnerability rated by different feeds).
    let mut by_id: BTreeMap<&str, &Finding> = BTreeMap::new();
    for finding in findings
        .iter()
        .copied()
        .chain(suppressed.iter().map(|s| &s.finding))
    {
        let slot = by_id.entry(finding.id.as_str()).or_insert(finding);
        if finding.severity.rating > slot.severity.rating
            || (finding.severity.rating == slot.severity.rating
                && finding.severity.score > slot.severity.score)
        {
            *slot = finding;
        }
    }
    let rule_index: BTreeMap<&str, usize> = by_id
        .keys()
        .enumerate()
        .map(|(index, id)| (*id, index))
        .collect();
    let rules = by_id.values().map(|finding| rule(finding)).collect();

    let mut results: Vec<SarifResult> = findings
        .iter()
        .map(|finding| result(report, finding, &rule_index, None))
        .collect();
    results.extend(
        suppressed
            .iter()
            .map(|s| result(report, &s.finding, &rule_index, Some(s))),
    );

    let mut notifications = Vec::new();
    let mut properties = BTreeMap::new();
    properties.insert("qm:target", report.inventory.target.name.clone());
    properties.insert("qm:db-built", report.db.built.to_string());
    if let Some(warning) = &report.db.stale_warning {
        notifications.push(Notification {
            level: "warning",
            message: Message {
                text: warning.clone(),
            },
            descriptor: DescriptorReference {
                id: "stale-database".to_owned(),
            },
        });
        properties.insert("qm:db-stale-warning", warning.clone());
    }
    for note in report.notes {
        notifications.push(Notification {
            level: "warning",
            message: Message {
                text: note.message.clone(),
            },
            descriptor: DescriptorReference {
                id: serde_json::to_value(note.kind)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "match-note".to_owned()),
            },
        });
    }

    Log {
        schema: SCHEMA_URL,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: &report.context.tool_version,
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            properties,
        }],
    }
}

fn rule(finding: &Finding) -> Rule {
    let title = finding
        .title
        .clone()
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| finding.id.clone());
    let severity = facts::severity_words(finding);
    let help_uri = facts::primary_url(finding).map(str::to_owned);

    let mut text = format!("Vulnerability {}", finding.id);
    let mut markdown = format!("**Vulnerability {}**", finding.id);
    if !finding.aliases.is_empty() {
        let aliases = finding.aliases.join(", ");
        let _ = write!(text, " (also {aliases})");
        let _ = write!(markdown, " (also {aliases})");
    }
    let _ = write!(text, "\nSeverity: {severity}\n{title}");
    let _ = write!(markdown, "\n\nSeverity: {severity}\n\n{title}");
    for url in &finding.urls {
        let _ = write!(text, "\n{url}");
        let _ = write!(markdown, "\n- <{url}>");
    }

    let mut tags = vec![
        "security".to_owned(),
        "vulnerability".to_owned(),
        facts::rating_word(finding.severity.rating).to_owned(),
    ];
    if let Some(kind) = &finding.informational {
        tags.push(kind.clone());
    }
    Rule {
        id: finding.id.clone(),
        short_description: Message { text: title },
        full_description: None,
        help_uri,
        help: MultiformatMessage { text, markdown },
        default_configuration: Configuration {
            level: level(finding.severity.rating),
        },
        properties: RuleProperties {
            security_severity: facts::severity_score(finding).map(facts::score_text),
            tags,
        },
    }
}

fn result(
    report: &ScanReport<'_>,
    finding: &Finding,
    rule_index: &BTreeMap<&str, usize>,
    suppressed: Option<&SuppressedFinding>,
) -> SarifResult {
    let package = &finding.package;
    let location = package.locations.first();
    let uri = match location {
        Some(path) => relative_uri(path),
        None => target_uri(report),
    };

    let mut text = format!(
        "Package {} is affected by {} ({}). Installed: {}",
        facts::package_label(finding),
        finding.id,
        facts::severity_words(finding),
        package.version
    );
    if finding.installed_version != package.version {
        let _ = write!(text, " (compared as {})", finding.installed_version);
    }
    match facts::fixed_version(finding) {
        Some(fixed) => {
            let _ = write!(text, "; fixed: {fixed}.");
        }
        None => {
            let _ = write!(text, "; {}.", facts::fix_sentence(finding));
        }
    }

    let fingerprint = facts::digest_hex(
        &[
            finding.id.as_bytes(),
            package.ecosystem.as_str().as_bytes(),
            package.name.as_bytes(),
            package.version.as_bytes(),
            package.purl.as_bytes(),
            location.map_or(&b""[..], |path| path.as_bytes()),
        ],
        16,
    );

    let layer = package
        .layer
        .as_deref()
        .and_then(|digest| facts::layer(report.inventory, digest));
    let suppressions = suppressed
        .map(|s| {
            let mut justification = s.status.to_string();
            if let Some(why) = s.justification {
                let _ = write!(justification, " ({why})");
            }
            if let Some(reason) = &s.reason {
                let _ = write!(justification, ": {reason}");
            }
            let _ = write!(justification, " [{}]", s.by);
            vec![Suppression {
                kind: "external",
                status: "accepted",
                justification,
            }]
        })
        .unwrap_or_default();

    SarifResult {
        rule_id: finding.id.clone(),
        rule_index: rule_index.get(finding.id.as_str()).copied().unwrap_or(0),
        level: level(finding.severity.rating),
        message: Message { text },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions,
        properties: ResultProperties {
            package: package.name.clone(),
            installed_version: finding.installed_version.clone(),
            fixed_version: facts::fixed_version(finding).map(str::to_owned),
            ecosystem: package.ecosystem.as_str().to_owned(),
            purl: package.purl.clone(),
            aliases: finding.aliases.clone(),
            layer: package.layer.clone(),
            layer_created_by: layer.and_then(|layer| layer.created_by.clone()),
        },
    }
}

/// A path inside the target as a relative URI reference: no leading `/`, and every character
/// outside RFC 3986's unreserved set and `/` percent-encoded (a `:` in a first segment would
/// otherwise read as a scheme).
fn relative_uri(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    let mut uri = String::with_capacity(trimmed.len());
    for byte in trimmed.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    if uri.is_empty() { ".".to_owned() } else { uri }
}

/// The target, for a finding whose package no file declares (an SBOM input): its name without
/// the `kind:` prefix users type.
fn target_uri(report: &ScanReport<'_>) -> String {
    let target = &report.inventory.target;
    let prefix = format!("{}:", target.kind.as_str());
    relative_uri(target.name.strip_prefix(&prefix).unwrap_or(&target.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        let cases = [
            ("/var/lib/dpkg/status", "var/lib/dpkg/status"),
            ("app/package-lock.json", "app/package-lock.json"),
            ("/a b/c:d.txt", "a%20b/c%3Ad.txt"),
            ("/ünï", "%C3%BCn%C3%AF"),
            ("C:foo", "C%3Afoo"),
            ("/", "."),
            ("", "."),
        ];
        for (path, expected) in cases {
            assert_eq!(relative_uri(path), expected, "{path}");
        }
    }

    #[test]
    fn levels_follow_github_bands() {
        assert_eq!(level(Rating::Critical), "error");
        assert_eq!(level(Rating::High), "error");
        assert_eq!(level(Rating::Medium), "warning");
        assert_eq!(level(Rating::Low), "note");
        assert_eq!(level(Rating::Unknown), "note");
    }
}
