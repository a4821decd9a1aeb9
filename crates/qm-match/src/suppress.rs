//! Suppressing findings: VEX documents (OpenVEX, CycloneDX VEX) and the ignore file, and the
//! report of every rule that suppressed nothing, with the reason.
//!
//! A suppression hides a vulnerability, so a rule that silently fails is as bad as one that
//! silently over-reaches. The rules here:
//!
//! 1. **What suppresses.** OpenVEX `not_affected` and `fixed` (the author says the product as
//!    shipped is not vulnerable: a backported fix is the usual reason a scanner disagrees);
//!    CycloneDX `not_affected`, `false_positive`, `resolved` and `resolved_with_pedigree`.
//!    OpenVEX `affected` / `under_investigation` and CycloneDX `exploitable` / `in_triage`
//!    suppress nothing: the finding stays and the statement is listed in
//!    [`SuppressOutcome::acknowledged`]. A CycloneDX vulnerability without `analysis.state`
//!    says nothing and is listed as [`UnmatchReason::NotApplicable`].
//! 2. **Which findings.** A statement applies to a finding when its vulnerability (its name,
//!    `@id` and aliases; CycloneDX `id` and `references[].id`) shares an id with the
//!    finding's id or aliases, compared case-insensitively (ids given as addresses, such as
//!    `https://nvd.nist.gov/vuln/detail/CVE-2023-38545` or `…?id=CVE-…`, are read for the id
//!    they end in), and a product covers the finding's package purl. Purls are normalised by
//!    the purl specification (see `suppress/purl.rs`); a product without a version covers
//!    every version; every qualifier a product names must be on the package with the same
//!    value, and the package may have more (OpenVEX's own matching rule).
//! 3. **Images and subcomponents.** A product that names the scanned target (a `pkg:oci` or
//!    `pkg:docker` purl whose digest is the image's config or manifest digest, or whose name
//!    and `tag` qualifier match one of its tags; the target's name, digest or a tag
//!    verbatim; an id given to [`Suppressions::add_target_id`]) covers every finding when it
//!    has no subcomponents, and the findings of its subcomponents when it has some. A
//!    product with subcomponents that names neither the target nor a package of it covers
//!    nothing: a statement about someone else's image must not hide findings in this one.
//! 4. **Conflicts.** When several VEX statements apply to one finding, the latest wins
//!    (statement `last_updated`, else `timestamp`, else the document's; CycloneDX
//!    `analysis.lastUpdated`, `firstIssued`, then the vulnerability's and the BOM's dates);
//!    a tie goes to the one loaded last. A statement that lost everywhere it applied is
//!    reported as [`UnmatchReason::Superseded`]. A suppressing VEX verdict is shown as the
//!    reason even when an ignore entry also applies; an `affected` verdict does not stop an
//!    ignore entry (the ignore file is the user's own decision).
//! 5. **The ignore file** ([`DEFAULT_IGNORE_FILE`], TOML, see `suppress/ignore.rs`) lists
//!    `[[ignore]]` entries with an `id`, an optional `package` (a purl, matched like a VEX
//!    product, or a name, matched against the package and its source package), a `reason`
//!    and an `expires` date. An entry is in force through the whole `expires` day (UTC); an
//!    expired entry suppresses nothing and is listed in [`SuppressOutcome::expired`].
//! 6. **Never silent.** Every statement or entry that suppressed or acknowledged nothing is
//!    in [`SuppressOutcome::unmatched`] with the nearest reason found: no finding has the
//!    vulnerability; the product is no package at all; a package differs only in qualifiers
//!    (`distro=debian-12.13` against `distro=debian-12`) or only in version; the
//!    vulnerability was found in other packages only; the product is not a package URL.
//!
//! ```no_run
//! # fn demo(inventory: &qm_model::Inventory, report: qm_match::MatchReport) -> Result<(), qm_match::SuppressError> {
//! use std::path::Path;
//! let suppressions = qm_match::Suppressions::load(
//!     &[Path::new("vex.openvex.json")],
//!     Some(Path::new(qm_match::DEFAULT_IGNORE_FILE)),
//! )?;
//! let outcome = suppressions.apply(report.findings, inventory, qm_model::Timestamp::now());
//! for rule in &outcome.unmatched {
//!     let _ = rule.to_string(); // "`vex.json` statements[0]: no finding has `CVE-…` …"
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The trap: the inventory is needed, not only the findings. "No package is
//! `pkg:deb/debian/curl`" and "the vulnerability is found in other packages" can only be
//! told apart by looking at every package, including those without findings.

mod apply;
mod cyclonedx;
mod error;
mod ignore;
mod openvex;
pub(crate) mod purl;

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use qm_model::{Inventory, Timestamp};
use serde::{Deserialize, Serialize};

use crate::Finding;

pub use self::error::SuppressError;
use self::purl::Purl;

/// The ignore file's conventional name, looked for in the project directory.
pub const DEFAULT_IGNORE_FILE: &str = ".qmignore.toml";

/// The largest VEX document or ignore file read, in bytes. Canonical's per-CVE OpenVEX
/// documents, among the largest in use, are under 1 MB each.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// The VEX statements and ignore entries to apply to findings.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    rules: Vec<Rule>,
    target_ids: Vec<String>,
}

impl Suppressions {
    /// No rules.
    pub fn new() -> Suppressions {
        Suppressions::default()
    }

    /// Reads VEX documents (OpenVEX or CycloneDX JSON, told apart by content) and an
    /// optional ignore file.
    pub fn load<P: AsRef<Path>>(
        vex_files: &[P],
        ignore_file: Option<&Path>,
    ) -> Result<Suppressions, SuppressError> {
        let mut suppressions = Suppressions::new();
        for path in vex_files {
            suppressions.add_vex_file(path.as_ref())?;
        }
        if let Some(path) = ignore_file {
            suppressions.add_ignore_file(path)?;
        }
        Ok(suppressions)
    }

    /// Reads one VEX document from a file.
    pub fn add_vex_file(&mut self, path: &Path) -> Result<(), SuppressError> {
        let bytes = read_document(path)?;
        self.add_vex(&path.display().to_string(), &bytes)
    }

    /// Reads one VEX document; `name` is what reports call it (its path).
    pub fn add_vex(&mut self, name: &str, bytes: &[u8]) -> Result<(), SuppressError> {
        let rules = match detect_format(name, bytes)? {
            VexFormat::OpenVex => openvex::parse(name, bytes)?,
            VexFormat::CycloneDx => cyclonedx::parse(name, bytes)?,
        };
        self.rules.extend(rules);
        Ok(())
    }

    /// Reads the ignore file at `path`.
    pub fn add_ignore_file(&mut self, path: &Path) -> Result<(), SuppressError> {
        let bytes = read_document(path)?;
        let name = path.display().to_string();
        let text =
            String::from_utf8(bytes).map_err(|_| SuppressError::NotUtf8 { path: name.clone() })?;
        self.add_ignore(&name, &text)
    }

    /// Reads ignore entries from TOML text; `name` is what reports call it.
    pub fn add_ignore(&mut self, name: &str, text: &str) -> Result<(), SuppressError> {
        self.rules.extend(ignore::parse(name, text)?);
        Ok(())
    }

    /// Says that `id` names the scanned target, for VEX products the target does not
    /// identify by itself: the main module of a source tree
    /// (`pkg:golang/github.com/acme/app`), or the name an image is published under.
    pub fn add_target_id(&mut self, id: impl Into<String>) {
        self.target_ids.push(id.into());
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// How many rules were read (VEX statements and ignore entries).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Applies the rules to `findings` of `inventory`. `now` decides which ignore entries
    /// have expired.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        inventory: &Inventory,
        now: Timestamp,
    ) -> SuppressOutcome {
        apply::apply(&self.rules, &self.target_ids, findings, inventory, now)
    }
}

/// What applying [`Suppressions`] to findings gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SuppressOutcome {
    /// The findings still reported, in their original order.
    pub kept: Vec<Finding>,
    /// The findings suppressed, each with the rule that did it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// Kept findings a VEX statement speaks about without suppressing them (`affected`,
    /// `under_investigation`, `exploitable`, `in_triage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledged: Vec<Acknowledged>,
    /// The rules that suppressed and acknowledged nothing, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<UnmatchedRule>,
    /// Ignore entries past their expiry date, which suppressed nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired: Vec<ExpiredRule>,
}

/// A finding and the rule that suppressed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The rule.
    pub by: SuppressedBy,
}

/// The rule that suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SuppressedBy {
    /// A VEX statement.
    Vex(VexVerdict),
    /// An ignore file entry.
    Ignore {
        /// The ignore file.
        file: String,
        /// The line of the entry's `id`.
        line: usize,
        /// Why, as the entry says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The expiry date as written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<String>,
    },
}

/// What one VEX statement says about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexVerdict {
    /// The document.
    pub file: String,
    /// Where in it: `statements[3]` (OpenVEX) or `vulnerabilities[0]` (CycloneDX).
    pub location: String,
    /// The statement's own id (OpenVEX `@id`, CycloneDX `bom-ref`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    /// The vulnerability as the statement names it.
    pub vulnerability: String,
    /// The status.
    pub status: VexStatus,
    /// The justification code (`vulnerable_code_not_in_execute_path`, `code_not_reachable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The explanation: OpenVEX `impact_statement` (else `status_notes`), CycloneDX
    /// `analysis.detail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What to do: OpenVEX `action_statement`, CycloneDX `analysis.response` joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// When the statement was made or last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
}

/// A VEX status, in OpenVEX and CycloneDX words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VexStatus {
    /// OpenVEX and CycloneDX `not_affected`: suppresses.
    NotAffected,
    /// OpenVEX `fixed`: these versions contain a fix; suppresses.
    Fixed,
    /// OpenVEX `affected`: does not suppress.
    Affected,
    /// OpenVEX `under_investigation`: does not suppress.
    UnderInvestigation,
    /// CycloneDX `false_positive`: suppresses.
    FalsePositive,
    /// CycloneDX `resolved`: suppresses.
    Resolved,
    /// CycloneDX `resolved_with_pedigree`: suppresses.
    ResolvedWithPedigree,
    /// CycloneDX `exploitable`: does not suppress.
    Exploitable,
    /// CycloneDX `in_triage`: does not suppress.
    InTriage,
}

impl VexStatus {
    /// The status as the documents spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
            VexStatus::FalsePositive => "false_positive",
            VexStatus::Resolved => "resolved",
            VexStatus::ResolvedWithPedigree => "resolved_with_pedigree",
            VexStatus::Exploitable => "exploitable",
            VexStatus::InTriage => "in_triage",
        }
    }

    /// Whether a statement with this status hides the finding.
    pub fn suppresses(self) -> bool {
        matches!(
            self,
            VexStatus::NotAffected
                | VexStatus::Fixed
                | VexStatus::FalsePositive
                | VexStatus::Resolved
                | VexStatus::ResolvedWithPedigree
        )
    }
}

impl fmt::Display for VexStatus {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.as_str())
    }
}

/// A kept finding a VEX statement speaks about without suppressing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    /// The finding's position in [`SuppressOutcome::kept`].
    pub kept_index: usize,
    /// The finding's id.
    pub id: String,
    /// The finding's package purl.
    pub purl: String,
    /// The statement.
    pub verdict: VexVerdict,
}

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleSource {
    /// A VEX statement.
    Vex {
        /// The document.
        file: String,
        /// Where in it: `statements[3]`, `vulnerabilities[0]`.
        location: String,
        /// The statement's own id, when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statement_id: Option<String>,
    },
    /// An ignore file entry.
    Ignore {
        /// The ignore file.
        file: String,
        /// The line of the entry's `id`.
        line: usize,
    },
}

impl fmt::Display for RuleSource {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSource::Vex { file, location, .. } => write!(out, "`{file}` {location}"),
            RuleSource::Ignore { file, line } => write!(out, "`{file}` line {line}"),
        }
    }
}

/// A rule that suppressed nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedRule {
    /// Where the rule is.
    pub source: RuleSource,
    /// The vulnerability as the rule names it.
    pub vulnerability: String,
    /// The product the reason is about (the one that came nearest to matching), when the
    /// rule names products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Why it matched nothing.
    pub reason: UnmatchReason,
}

/// Why a rule matched nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UnmatchReason {
    /// No finding has the vulnerability as its id or an alias.
    UnknownVulnerability,
    /// No package of the inventory is the product, in any version or with any qualifiers;
    /// for a product with subcomponents, the product is neither the target nor a package.
    UnknownProduct {
        /// What the target is called, when the product was compared with it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        target_names: Vec<String>,
    },
    /// A package with the vulnerability is the product in name and version, but its
    /// qualifiers differ from those the statement names.
    QualifierMismatch {
        /// The product's purl, canonical.
        statement_purl: String,
        /// The package's purl, as the inventory spells it.
        package_purl: String,
        /// The qualifiers that differ.
        differing: Vec<QualifierDifference>,
    },
    /// Packages with the vulnerability are the product in name, but in other versions.
    VersionMismatch {
        /// The product's purl, canonical.
        statement_purl: String,
        /// The versions the inventory has, with the vulnerability.
        package_versions: Vec<String>,
    },
    /// The product is in the inventory and the vulnerability is found, but in other
    /// packages only.
    NotInProduct {
        /// Purls of (some of) the packages it was found in.
        found_in: Vec<String>,
    },
    /// The product cannot be matched: not a package URL, a purl that does not parse, a
    /// CycloneDX reference to no component, or no product at all.
    UnsupportedProduct {
        /// What is wrong.
        why: String,
    },
    /// The statement makes no claim (a CycloneDX vulnerability without `analysis.state`).
    NotApplicable {
        /// What is missing.
        why: String,
    },
    /// The statement applied, but a later one about the same vulnerability and package
    /// decided every time.
    Superseded {
        /// The statement that won.
        by: RuleSource,
    },
}

/// One qualifier a statement names that the package lacks or spells differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualifierDifference {
    /// The key (`distro`).
    pub key: String,
    /// The statement's value (`debian-12.13`).
    pub statement: String,
    /// The package's value (`debian-12`), if it has the qualifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

impl fmt::Display for UnmatchedRule {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vulnerability = &self.vulnerability;
        write!(out, "{}: ", self.source)?;
        let product = self.product.as_deref().unwrap_or("the product");
        match &self.reason {
            UnmatchReason::UnknownVulnerability => write!(
                out,
                "no finding has `{vulnerability}` as its id or an alias"
            ),
            UnmatchReason::UnknownProduct { target_names } if target_names.is_empty() => write!(
                out,
                "no package is `{product}` (in any version, with any qualifiers)"
            ),
            UnmatchReason::UnknownProduct { target_names } => write!(
                out,
                "`{product}` is neither this target ({}) nor one of its packages",
                backticked(target_names)
            ),
            UnmatchReason::QualifierMismatch {
                statement_purl,
                package_purl,
                differing,
            } => {
                let differences: Vec<String> = differing
                    .iter()
                    .map(|difference| match &difference.package {
                        Some(package) => format!(
                            "`{}={}` against `{}={package}`",
                            difference.key, difference.statement, difference.key
                        ),
                        None => format!(
                            "`{}={}` against no `{}`",
                            difference.key, difference.statement, difference.key
                        ),
                    })
                    .collect();
                write!(
                    out,
                    "`{statement_purl}` differs from the package `{package_purl}` with \
                     `{vulnerability}` only in qualifiers: {}",
                    if differences.is_empty() {
                        "the subpath".to_owned()
                    } else {
                        differences.join(", ")
                    }
                )
            }
            UnmatchReason::VersionMismatch {
                statement_purl,
                package_versions,
            } => write!(
                out,
                "`{statement_purl}` names another version than the packages with \
                 `{vulnerability}` ({})",
                backticked(package_versions)
            ),
            UnmatchReason::NotInProduct { found_in } => write!(
                out,
                "`{vulnerability}` is found, but not in `{product}` (found in {})",
                backticked(found_in)
            ),
            UnmatchReason::UnsupportedProduct { why } => {
                write!(out, "cannot match the product: {why}")
            }
            UnmatchReason::NotApplicable { why } => write!(out, "no claim to apply: {why}"),
            UnmatchReason::Superseded { by } => write!(
                out,
                "a later statement ({by}) decides `{vulnerability}` for the same packages"
            ),
        }
    }
}

fn backticked(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An ignore entry past its expiry date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredRule {
    /// The ignore file.
    pub file: String,
    /// The line of the entry's `id`.
    pub line: usize,
    /// The vulnerability id.
    pub id: String,
    /// The package, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The reason, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The expiry as written.
    pub expires: String,
    /// How many findings it would have suppressed.
    pub findings: usize,
}

impl fmt::Display for ExpiredRule {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            out,
            "`{}` line {}: the entry for `{}` expired on {}",
            self.file, self.line, self.id, self.expires
        )?;
        if self.findings > 0 {
            write!(
                out,
                " and no longer suppresses {} finding{}",
                self.findings,
                if self.findings == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// One statement or entry, as read.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// Where it comes from.
    pub(crate) source: RuleSource,
    /// The vulnerability as written.
    pub(crate) vulnerability: String,
    /// Every id it goes by, upper-case.
    pub(crate) ids: Vec<String>,
    /// The products it is about.
    pub(crate) products: Vec<Product>,
    /// What it does.
    pub(crate) kind: RuleKind,
}

/// What a rule does.
#[derive(Debug, Clone)]
pub(crate) enum RuleKind {
    /// A VEX statement with a status.
    Vex(VexVerdict),
    /// A VEX statement without a claim; it is reported, never applied.
    Inert {
        /// What is missing.
        why: String,
    },
    /// An ignore entry.
    Ignore {
        /// The package as written.
        package: Option<String>,
        /// Why, as written.
        reason: Option<String>,
        /// The expiry as written, and the instant it takes effect.
        expires: Option<(String, Timestamp)>,
    },
}

/// What a rule applies to.
#[derive(Debug, Clone)]
pub(crate) enum Product {
    /// Every package (an ignore entry without `package`).
    Everything,
    /// Packages by name, or by source package name (an ignore entry's plain `package`).
    Name(String),
    /// A product by id or purl, maybe with subcomponents.
    Reference(ProductRef),
}

/// A VEX product, or an ignore entry's purl.
#[derive(Debug, Clone)]
pub(crate) struct ProductRef {
    /// The product itself.
    pub(crate) component: Component,
    /// Its subcomponents; none means the product as a whole.
    pub(crate) subcomponents: Vec<Component>,
}

/// A product or subcomponent: its id as written and its purl, if it has one.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// The id as written (`@id`, a CycloneDX `ref`), or the purl when there is no id.
    pub(crate) id: String,
    /// Its purl, when it has a valid one.
    pub(crate) purl: Option<Purl>,
    /// Why its purl could not be read, when it has one that does not parse.
    pub(crate) purl_error: Option<String>,
}

impl Component {
    /// A component with id `id` and purl text `purl` (which may be the id itself).
    pub(crate) fn new(id: &str, purl: Option<&str>) -> Component {
        let purl_text = purl.or_else(|| looks_like_purl(id).then_some(id));
        let (purl, purl_error) = match purl_text.map(Purl::parse) {
            Some(Ok(purl)) => (Some(purl), None),
            Some(Err(error)) => (None, Some(error.to_string())),
            None => (None, None),
        };
        Component {
            id: id.to_owned(),
            purl,
            purl_error,
        }
    }
}

/// Whether `text` starts with the `pkg:` scheme.
pub(crate) fn looks_like_purl(text: &str) -> bool {
    text.trim()
        .get(..4)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("pkg:"))
}

/// The id a vulnerability reference stands for, upper-case: the reference itself, or for
/// an address the `id=` query value or the last path segment without `.html`/`.json`
/// (`https://www.cve.org/CVERecord?id=CVE-2023-38545`,
/// `https://curl.se/docs/CVE-2023-38545.html`).
pub(crate) fn vulnerability_id(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let Some((_, address)) = text.split_once("://") else {
        return Some(text.to_ascii_uppercase());
    };
    let (path, query) = match address.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (address, None),
    };
    let from_query = query.and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("id="))
            .filter(|id| !id.is_empty())
    });
    let id = match from_query {
        Some(id) => id,
        None => {
            let path = path.split('#').next().unwrap_or(path);
            // The host alone (`https://example.com/`) names no vulnerability.
            let (_, path) = path.split_once('/')?;
            let last = path.split('/').rfind(|segment| !segment.is_empty())?;
            [".html", ".htm", ".json"]
                .iter()
                .find_map(|extension| last.strip_suffix(extension))
                .unwrap_or(last)
        }
    };
    Some(id.to_ascii_uppercase())
}

/// The two VEX formats.
enum VexFormat {
    OpenVex,
    CycloneDx,
}

/// Tells OpenVEX (an `@context` naming openvex) from CycloneDX (`bomFormat: CycloneDX`).
fn detect_format(name: &str, bytes: &[u8]) -> Result<VexFormat, SuppressError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "@context", default)]
        context: Option<serde_json::Value>,
        #[serde(rename = "bomFormat", default)]
        bom_format: Option<serde_json::Value>,
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|error| SuppressError::json(name, &error))?;
    let context_text = match &probe.context {
        Some(serde_json::Value::String(context)) => context.clone(),
        Some(serde_json::Value::Array(contexts)) => contexts
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    if context_text.to_ascii_lowercase().contains("openvex") {
        return Ok(VexFormat::OpenVex);
    }
    if probe
        .bom_format
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .is_some_and(|format| format.eq_ignore_ascii_case("CycloneDX"))
    {
        return Ok(VexFormat::CycloneDx);
    }
    Err(SuppressError::UnknownFormat {
        path: name.to_owned(),
    })
}

/// Reads a document, refusing one over [`MAX_DOCUMENT_BYTES`].
fn read_document(path: &Path) -> Result<Vec<u8>, SuppressError> {
    let shown = path.display().to_string();
    let read_error = |source| SuppressError::Read {
        path: shown.clone(),
        source,
    };
    let file = fs_err::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_DOCUMENT_BYTES {
        return Err(SuppressError::TooLarge {
            path: shown,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(bytes)
}

/// Reads an optional RFC 3339 timestamp of a document field, naming the field when it is
/// not one.
pub(crate) fn timestamp_field(
    file: &str,
    location: &str,
    text: Option<&str>,
) -> Result<Option<Timestamp>, SuppressError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => {
            text.parse::<Timestamp>()
                .map(Some)
                .map_err(|error| SuppressError::InvalidVex {
                    path: file.to_owned(),
                    location: location.to_owned(),
                    reason: error.to_string(),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::vulnerability_id;

    #[test]
    fn vulnerability_ids_from_references() {
        let cases = [
            ("CVE-2023-38545", Some("CVE-2023-38545")),
            ("cve-2023-38545", Some("CVE-2023-38545")),
            ("GHSA-jfh8-c2jp-5v3q", Some("GHSA-JFH8-C2JP-5V3Q")),
            (
                "https://nvd.nist.gov/vuln/detail/CVE-2023-38545",
                Some("CVE-2023-38545"),
            ),
            (
                "https://www.cve.org/CVERecord?id=CVE-2023-38545",
                Some("CVE-2023-38545"),
            ),
            (
                "https://curl.se/docs/CVE-2023-38545.html",
                Some("CVE-2023-38545"),
            ),
            (
                "https://ubuntu.com/security/notices/USN-6429-1",
                Some("USN-6429-1"),
            ),
            (
                "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q/",
                Some("GHSA-JFH8-C2JP-5V3Q"),
            ),
            ("https://example.com", None),
            ("  ", None),
        ];
        for (text, expected) in cases {
            assert_eq!(vulnerability_id(text).as_deref(), expected, "{text}");
        }
    }
}
