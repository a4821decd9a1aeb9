//! Scan reports for `qm scan`: the matcher's findings about one target, for people and tools.
//!
//! A [`ScanReport`] borrows everything a report shows: the target's inventory, the findings left
//! after VEX statements and ignore rules took some out, those [`SuppressedFinding`]s with the
//! reason each was taken out, the matcher's notes about what it could not judge, and a
//! [`DbSummary`] of the vulnerability database. [`render_scan`] writes it in one of five
//! [`ScanFormat`]s:
//!
//! - **table** (`table`): for a terminal; findings grouped by package, a summary by severity,
//!   the notes; colour only when [`ScanRenderOptions::color`] says so;
//! - **JSON** (`json`): our own documented layout (`"schema": "qm-scan/1"`), every field of
//!   every finding, described key by key in `docs/scan-json.md`;
//! - **SARIF 2.1.0** (`sarif`): one run, a rule per vulnerability, a result per finding, in the
//!   shape GitHub code scanning reads (`security-severity`, partial fingerprints);
//! - **CycloneDX 1.6** (`cyclonedx`): the SBOM `qm sbom --format cyclonedx` writes, the same
//!   components and `bom-ref`s, plus `vulnerabilities` with ratings, the affected component, the
//!   fix and an analysis state (a VDR for findings, VEX statements for suppressed ones);
//! - **Markdown** (`markdown`, `md`): for a pull-request comment.
//!
//! Like the SBOM renderers, these are pure: the clock, the terminal width and whether to colour
//! all come from the caller, so the same report always renders to the same bytes.
//!
//! Surprises:
//!
//! - **A stale database is said in every format**: the table's first line, the JSON `db` object,
//!   a SARIF tool notification and run property, a CycloneDX metadata property, a Markdown
//!   warning callout. A report from old data must not look like a clean bill of health.
//! - **Zero findings is not "safe" while there are notes**: every format carries the notes, and
//!   the table and Markdown say so in words when there are no findings.
//! - **Order is ours, not the caller's**: findings are sorted by ecosystem, package name,
//!   version, place in the inventory, then by severity (most severe first) and id, in every
//!   format but Markdown, which puts the most severe first so a cut-off comment keeps what
//!   matters.
//! - **Severity words**: a rating of "none" (CVSS 0.0, Debian's "negligible") is `none` in JSON
//!   and CycloneDX and "negligible" where people read it.

mod facts;
mod json;
mod markdown;
mod sarif;
mod table;
#[cfg(test)]
mod tests;
mod vex;

use std::fmt;
use std::io::Write;
use std::str::FromStr;
use std::time::Duration;

use qm_match::{Finding, MatchNote, MatchReport};
use qm_model::{Inventory, Timestamp};
use serde::Serialize;

use crate::{RenderContext, ReportError};

pub use json::SCAN_SCHEMA;

/// The formats `qm scan` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanFormat {
    /// A table for a terminal.
    Table,
    /// Our own JSON (`qm-scan/1`), documented in `docs/scan-json.md`.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// CycloneDX 1.6 JSON: the SBOM's components plus `vulnerabilities`.
    CycloneDx,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
}

impl ScanFormat {
    /// Every format, in the order help texts list them.
    pub const ALL: [ScanFormat; 5] = [
        ScanFormat::Table,
        ScanFormat::Json,
        ScanFormat::Sarif,
        ScanFormat::CycloneDx,
        ScanFormat::Markdown,
    ];

    /// The canonical name: `table`, `json`, `sarif`, `cyclonedx`, `markdown`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanFormat::Table => "table",
            ScanFormat::Json => "json",
            ScanFormat::Sarif => "sarif",
            ScanFormat::CycloneDx => "cyclonedx",
            ScanFormat::Markdown => "markdown",
        }
    }
}

impl fmt::Display for ScanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScanFormat {
    type Err = UnknownScanFormat;

    /// Reads a format name, case-insensitively: `table`, `json`, `sarif`, `cyclonedx` (or
    /// `cyclonedx-json`), `markdown` (or `md`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(ScanFormat::Table),
            "json" => Ok(ScanFormat::Json),
            "sarif" => Ok(ScanFormat::Sarif),
            "cyclonedx" | "cyclonedx-json" => Ok(ScanFormat::CycloneDx),
            "markdown" | "md" => Ok(ScanFormat::Markdown),
            _ => Err(UnknownScanFormat(text.to_owned())),
        }
    }
}

/// A format name that is none of the scan formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown scan report format `{0}`; expected `table`, `json`, `sarif`, `cyclonedx` or \
     `markdown` (or `md`)"
)]
pub struct UnknownScanFormat(pub String);

/// Everything a scan report shows, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct ScanReport<'a> {
    /// The target's inventory: its name, layers (with the build step that made each), distro
    /// and packages.
    pub inventory: &'a Inventory,
    /// The findings to report, after suppression and any filtering.
    pub findings: &'a [Finding],
    /// What the matcher could not judge.
    pub notes: &'a [MatchNote],
    /// How many packages the matcher looked up ([`MatchReport::checked`]).
    pub checked: usize,
    /// Findings taken out by VEX statements or ignore rules, with the reason.
    pub suppressed: &'a [SuppressedFinding],
    /// The vulnerability database the findings come from.
    pub db: &'a DbSummary,
    /// Who renders, and when.
    pub context: &'a RenderContext,
}

impl<'a> ScanReport<'a> {
    /// A report of everything `matches` found, nothing suppressed.
    pub fn new(
        inventory: &'a Inventory,
        matches: &'a MatchReport,
        db: &'a DbSummary,
        context: &'a RenderContext,
    ) -> ScanReport<'a> {
        ScanReport {
            inventory,
            findings: &matches.findings,
            notes: &matches.notes,
            checked: matches.checked,
            suppressed: &[],
            db,
            context,
        }
    }
}

/// A finding that a VEX statement or an ignore rule took out of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct SuppressedFinding {
    /// The finding as the matcher made it.
    pub finding: Finding,
    /// What the statement or rule says about it.
    pub status: SuppressionStatus,
    /// Why the package is not affected, when a VEX statement says so in its vocabulary.
    pub justification: Option<Justification>,
    /// Free text: a VEX impact statement, an ignore rule's `reason`.
    pub reason: Option<String>,
    /// What took it out.
    pub by: SuppressionSource,
}

/// What a VEX statement or an ignore rule says about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SuppressionStatus {
    /// The package is not affected (VEX `not_affected`).
    NotAffected,
    /// The vulnerability is fixed in this build (VEX `fixed`, CycloneDX `resolved`).
    Fixed,
    /// The finding is wrong (CycloneDX `false_positive`).
    FalsePositive,
    /// Affected, and the risk is accepted: an ignore rule without a VEX verdict.
    Accepted,
}

impl SuppressionStatus {
    /// The kebab-case name reports use: `not-affected`, `fixed`, `false-positive`, `accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionStatus::NotAffected => "not-affected",
            SuppressionStatus::Fixed => "fixed",
            SuppressionStatus::FalsePositive => "false-positive",
            SuppressionStatus::Accepted => "accepted",
        }
    }
}

impl fmt::Display for SuppressionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a package is not affected, in CycloneDX's vocabulary (`analysis.justification`).
///
/// [`FromStr`] also reads the OpenVEX and CSAF words, mapped to the nearest CycloneDX one:
///
/// | OpenVEX | CycloneDX |
/// | --- | --- |
/// | `component_not_present` | `code_not_present` |
/// | `vulnerable_code_not_present` | `code_not_present` |
/// | `vulnerable_code_not_in_execute_path` | `code_not_reachable` |
/// | `vulnerable_code_cannot_be_controlled_by_adversary` | `protected_by_mitigating_control` |
/// | `inline_mitigations_already_exist` | `protected_by_mitigating_control` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable code is not in the component.
    CodeNotPresent,
    /// The vulnerable code is present but never run.
    CodeNotReachable,
    /// Exploitation needs a configuration that is not used.
    RequiresConfiguration,
    /// Exploitation needs a dependency that is not present.
    RequiresDependency,
    /// Exploitation needs an environment that is not present.
    RequiresEnvironment,
    /// Compiler protections prevent exploitation.
    ProtectedByCompiler,
    /// Runtime protections prevent exploitation.
    ProtectedAtRuntime,
    /// Perimeter protections prevent exploitation.
    ProtectedAtPerimeter,
    /// Other mitigating controls prevent exploitation.
    ProtectedByMitigatingControl,
}

impl Justification {
    /// The CycloneDX name (`code_not_present`).
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::CodeNotPresent => "code_not_present",
            Justification::CodeNotReachable => "code_not_reachable",
            Justification::RequiresConfiguration => "requires_configuration",
            Justification::RequiresDependency => "requires_dependency",
            Justification::RequiresEnvironment => "requires_environment",
            Justification::ProtectedByCompiler => "protected_by_compiler",
            Justification::ProtectedAtRuntime => "protected_at_runtime",
            Justification::ProtectedAtPerimeter => "protected_at_perimeter",
            Justification::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Justification {
    type Err = UnknownJustification;

    /// Reads a CycloneDX, OpenVEX or CSAF justification, case-insensitively, `-` or `_`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_ascii_lowercase().replace('-', "_");
        let justification = match name.as_str() {
            "code_not_present" | "component_not_present" | "vulnerable_code_not_present" => {
                Justification::CodeNotPresent
            }
            "code_not_reachable" | "vulnerable_code_not_in_execute_path" => {
                Justification::CodeNotReachable
            }
            "requires_configuration" => Justification::RequiresConfiguration,
            "requires_dependency" => Justification::RequiresDependency,
            "requires_environment" => Justification::RequiresEnvironment,
            "protected_by_compiler" => Justification::ProtectedByCompiler,
            "protected_at_runtime" => Justification::ProtectedAtRuntime,
            "protected_at_perimeter" => Justification::ProtectedAtPerimeter,
            "protected_by_mitigating_control"
            | "vulnerable_code_cannot_be_controlled_by_adversary"
            | "inline_mitigations_already_exist" => Justification::ProtectedByMitigatingControl,
            _ => return Err(UnknownJustification(text.to_owned())),
        };
        Ok(justification)
    }
}

/// A justification that is none of the CycloneDX, OpenVEX or CSAF words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown VEX justification `{0}`; expected a CycloneDX or OpenVEX justification")]
pub struct UnknownJustification(pub String);

/// What took a finding out of the report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SuppressionSource {
    /// A statement in a VEX document.
    Vex {
        /// The document, as the user named it (a path).
        document: String,
    },
    /// An ignore rule of the configuration.
    Ignore {
        /// The rule, in words the user recognises (`qm.toml: ignore CVE-2024-1234`).
        rule: String,
    },
}

impl SuppressionSource {
    /// `vex` or `ignore`.
    pub fn kind(&self) -> &'static str {
        match self {
            SuppressionSource::Vex { .. } => "vex",
            SuppressionSource::Ignore { .. } => "ignore",
        }
    }

    /// The document or the rule.
    pub fn source(&self) -> &str {
        match self {
            SuppressionSource::Vex { document } => document,
            SuppressionSource::Ignore { rule } => rule,
        }
    }
}

impl fmt::Display for SuppressionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuppressionSource::Vex { document } => write!(f, "VEX {document}"),
            SuppressionSource::Ignore { rule } => write!(f, "ignore rule {rule}"),
        }
    }
}

/// The vulnerability database a scan used, as reports describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSummary {
    /// When the database was compiled.
    pub built: Timestamp,
    /// How old it was when the scan ran, measured by the caller against the real clock (the
    /// report's own timestamp may be pinned for reproducible output).
    pub age: Option<Duration>,
    /// Set when the database is too old to trust: the caller's sentence, shown as it is in
    /// every format ("the vulnerability database is 12 days old; run `qm db update`").
    pub stale_warning: Option<String>,
    /// The feeds it holds.
    pub sources: Vec<DbSource>,
}

/// One feed of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSource {
    /// The feed's name (`osv`, `debian-tracker`).
    pub name: String,
    /// How many advisories it contributed.
    pub records: u64,
    /// Its newest advisory's modification time.
    pub newest: Option<Timestamp>,
}

/// How to render: what the terminal can show, how long a comment may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRenderOptions {
    /// Colour severities and warnings with ANSI escapes (table only). The caller decides from
    /// the terminal and `NO_COLOR`; when false, no escape code is ever written.
    pub color: bool,
    /// Wrap the table to this many columns; `None` lets it be as wide as its content.
    pub width: Option<u16>,
    /// Markdown only: list at most this many findings (a GitHub comment holds at most 65 536
    /// characters), saying how many were left out; `None` lists all.
    pub markdown_rows: Option<usize>,
}

impl ScanRenderOptions {
    /// How many findings a Markdown comment lists unless told otherwise.
    pub const MARKDOWN_ROWS: usize = 150;
}

impl Default for ScanRenderOptions {
    /// No colour, no width limit, [`ScanRenderOptions::MARKDOWN_ROWS`] Markdown rows.
    fn default() -> ScanRenderOptions {
        ScanRenderOptions {
            color: false,
            width: None,
            markdown_rows: Some(ScanRenderOptions::MARKDOWN_ROWS),
        }
    }
}

/// Renders `report` in `format` and writes it to `out`, ending with a newline.
///
/// The whole document is built in memory first, so a failure never leaves half of it behind.
///
/// # Errors
/// [`ReportError::WriteScan`] when `out` fails; [`ReportError::SerializeScan`] would be a bug in
/// this crate. Nothing in the report itself can make rendering fail.
pub fn render_scan(
    report: &ScanReport<'_>,
    format: ScanFormat,
    options: &ScanRenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let bytes = match format {
        ScanFormat::Table => table::render(report, options).into_bytes(),
        ScanFormat::Json => json_bytes(&json::document(report), format)?,
        ScanFormat::Sarif => json_bytes(&sarif::document(report), format)?,
        ScanFormat::CycloneDx => json_bytes(&vex::document(report)?, format)?,
        ScanFormat::Markdown => markdown::render(report, options).into_bytes(),
    };
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|source| ReportError::WriteScan { format, source })
}

/// Pretty-printed JSON ending with a newline.
fn json_bytes(value: &impl Serialize, format: ScanFormat) -> Result<Vec<u8>, ReportError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|error| serialize_error(format, &error))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn serialize_error(format: ScanFormat, error: &impl fmt::Display) -> ReportError {
    ReportError::SerializeScan {
        format,
        reason: error.to_string(),
    }
}
