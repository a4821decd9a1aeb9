//! Scan JSON: our own layout, `{"schema": "qm-scan/1", …}`, documented key by key in
//! `docs/scan-json.md` (a test fails when a key appears that the document does not name).
//!
//! Every part is a view struct of this module, not the matcher's own serialisation, so a field
//! renamed in `qm-match` cannot silently change a published layout. The target and the distro
//! are the exception: they are written exactly as in `qm-inventory/1`, so one reader serves
//! both. Optional values and empty lists are left out, as in `qm-inventory/1`; the top-level
//! lists `findings` is always there.

use qm_match::{Finding, FixState, MatchNote};
use qm_model::{Distro, InventoryWarning, TargetInfo};
use serde::Serialize;

use super::facts::{self, Summary};
use super::{ScanReport, SuppressedFinding};
use crate::TOOL_NAME;

/// The `schema` value of the scan JSON this crate writes.
pub const SCAN_SCHEMA: &str = "qm-scan/1";

#[derive(Serialize)]
pub(crate) struct Document<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    created: String,
    target: &'a TargetInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    distro: Option<&'a Distro>,
    db: Db<'a>,
    summary: JsonSummary,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<JsonSuppressed<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'a [InventoryWarning],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Db<'a> {
    built: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_seconds: Option<u64>,
    stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_warning: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<DbSource<'a>>,
}

#[derive(Serialize)]
struct DbSource<'a> {
    name: &'a str,
    records: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    newest: Option<String>,
}

#[derive(Serialize)]
struct JsonSummary {
    packages: usize,
    checked: usize,
    findings: usize,
    vulnerabilities: usize,
    affected_packages: usize,
    fixable: usize,
    suppressed: usize,
    notes: usize,
    by_severity: BySeverity,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    none: usize,
    unknown: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    aliases: &'a [String],
    package: Package<'a>,
    matched_key: String,
    matched_by: &'static str,
    installed_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_version: Option<&'a str>,
    fix: Fix<'a>,
    severity: Severity<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    sources: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix_published: Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    urls: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    informational: Option<&'a str>,
}

#[derive(Serialize)]
struct Package<'a> {
    index: usize,
    name: &'a str,
    version: &'a str,
    ecosystem: &'a str,
    purl: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourcePackage<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    locations: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<Layer<'a>>,
}

#[derive(Serialize)]
struct SourcePackage<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct Layer<'a> {
    digest: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<&'a str>,
}

#[derive(Serialize)]
struct Fix<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
}

#[derive(Serialize)]
struct Severity<'a> {
    rating: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    finding: JsonFinding<'a>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    by: By<'a>,
}

#[derive(Serialize)]
struct By<'a> {
    kind: &'static str,
    source: &'a str,
}

#[derive(Serialize)]
struct Note<'a> {
    kind: String,
    message: &'a str,
    count: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    packages: &'a [String],
}

/// Builds the document for `report`.
pub(crate) fn document<'a>(report: &ScanReport<'a>) -> Document<'a> {
    let summary = Summary::of(report);
    let inventory = report.inventory;
    let db = report.db;
    Document {
        schema: SCAN_SCHEMA,
        tool: Tool {
            name: TOOL_NAME,
            version: &report.context.tool_version,
        },
        created: report.context.timestamp.to_string(),
        target: &inventory.target,
        distro: inventory.distro.as_ref(),
        db: Db {
            built: db.built.to_string(),
            age_seconds: db.age.map(|age| age.as_secs()),
            stale: db.stale_warning.is_some(),
            stale_warning: db.stale_warning.as_deref(),
            sources: db
                .sources
                .iter()
                .map(|source| DbSource {
                    name: &source.name,
                    records: source.records,
                    newest: source.newest.map(|newest| newest.to_string()),
                })
                .collect(),
        },
        summary: JsonSummary {
            packages: inventory.packages.len(),
            checked: report.checked,
            findings: summary.findings,
            vulnerabilities: summary.vulnerabilities,
            affected_packages: summary.affected_packages,
            fixable: summary.fixable,
            suppressed: summary.suppressed,
            notes: report.notes.len(),
            by_severity: BySeverity {
                critical: summary.count(qm_model::Rating::Critical),
                high: summary.count(qm_model::Rating::High),
                medium: summary.count(qm_model::Rating::Medium),
                low: summary.count(qm_model::Rating::Low),
                none: summary.count(qm_model::Rating::None),
                unknown: summary.count(qm_model::Rating::Unknown),
            },
        },
        findings: facts::ordered(report.findings)
            .into_iter()
            .map(|finding| json_finding(report, finding))
            .collect(),
        suppressed: facts::ordered_suppressed(report.suppressed)
            .into_iter()
            .map(|suppressed| json_suppressed(report, suppressed))
            .collect(),
        notes: report.notes.iter().map(note).collect(),
        warnings: &inventory.warnings,
    }
}

fn json_finding<'a>(report: &ScanReport<'a>, finding: &'a Finding) -> JsonFinding<'a> {
    let package = &finding.package;
    let layer = package.layer.as_deref().map(|digest| {
        let known = facts::layer(report.inventory, digest);
        Layer {
            digest,
            index: known.map(|layer| layer.index),
            created_by: known.and_then(|layer| layer.created_by.as_deref()),
        }
    });
    JsonFinding {
        id: &finding.id,
        aliases: &finding.aliases,
        package: Package {
            index: package.index,
            name: &package.name,
            version: &package.version,
            ecosystem: package.ecosystem.as_str(),
            purl: &package.purl,
            source: package.source.as_ref().map(|source| SourcePackage {
                name: &source.name,
                version: source.version.as_deref(),
            }),
            locations: &package.locations,
            layer,
        },
        matched_key: finding.matched_key.to_string(),
        matched_by: finding.matched_by.as_str(),
        installed_version: &finding.installed_version,
        fixed_version: finding.fixed_version.as_deref(),
        fix: fix(&finding.fix),
        severity: Severity {
            rating: finding.severity.rating.as_str(),
            score: finding.severity.score,
            vector: finding.severity.vector.as_deref(),
            source: finding.severity.source.as_deref(),
        },
        title: finding.title.as_deref(),
        sources: &finding.sources,
        published: finding.published.map(|time| time.to_string()),
        modified: finding.modified.map(|time| time.to_string()),
        fix_published: finding.fix_published.map(|time| time.to_string()),
        urls: &finding.urls,
        informational: finding.informational.as_deref(),
    }
}

fn fix(fix: &FixState) -> Fix<'_> {
    match fix {
        FixState::Fixed { version } => Fix {
            state: "fixed",
            version: Some(version),
            status: None,
        },
        FixState::NotFixed { status } => Fix {
            state: "not-fixed",
            version: None,
            status: status.map(|status| status.as_str()),
        },
        _ => Fix {
            state: "unknown",
            version: None,
            status: None,
        },
    }
}

fn json_suppressed<'a>(
    report: &ScanReport<'a>,
    suppressed: &'a SuppressedFinding,
) -> JsonSuppressed<'a> {
    JsonSuppressed {
        finding: json_finding(report, &suppressed.finding),
        status: suppressed.status.as_str(),
        justification: suppressed.justification.map(|j| j.as_str()),
        reason: suppressed.reason.as_deref(),
        by: By {
            kind: suppressed.by.kind(),
            source: suppressed.by.source(),
        },
    }
}

fn note(note: &MatchNote) -> Note<'_> {
    Note {
        // The matcher's kebab-case name, through its own serialisation: `NoteKind` has no
        // `as_str`, and a kind added later must not be lost.
        kind: serde_json::to_value(note.kind)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| "other".to_owned()),
        message: &note.message,
        count: note.count,
        packages: &note.packages,
    }
}
