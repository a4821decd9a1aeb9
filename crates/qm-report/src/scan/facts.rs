//! What every scan format derives the same way: the order of findings, the counts, the words
//! for a fix, a severity's score, a layer's build step, an advisory id's publisher.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use qm_match::{Finding, FixState};
use qm_model::{Inventory, Layer, Rating};
use sha2::{Digest, Sha256};

use super::{ScanReport, SuppressedFinding};

/// The ratings in the order reports list them, most severe first.
pub(crate) const RATINGS: [Rating; 6] = [
    Rating::Critical,
    Rating::High,
    Rating::Medium,
    Rating::Low,
    Rating::None,
    Rating::Unknown,
];

/// The word people read for a rating: `negligible` for [`Rating::None`], else its name.
pub(crate) fn rating_word(rating: Rating) -> &'static str {
    match rating {
        Rating::None => "negligible",
        other => other.as_str(),
    }
}

/// The findings in report order: ecosystem, package name, version, place in the inventory,
/// most severe first, id.
pub(crate) fn ordered(findings: &[Finding]) -> Vec<&Finding> {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by(|a, b| finding_key(a).cmp(&finding_key(b)));
    ordered
}

type FindingKey<'a> = (&'a str, &'a str, &'a str, usize, Reverse<Rating>, &'a str);

fn finding_key(finding: &Finding) -> FindingKey<'_> {
    (
        finding.package.ecosystem.as_str(),
        &finding.package.name,
        &finding.package.version,
        finding.package.index,
        Reverse(finding.severity.rating),
        &finding.id,
    )
}

/// Suppressed findings in the order of their findings, then by what suppressed them.
pub(crate) fn ordered_suppressed(suppressed: &[SuppressedFinding]) -> Vec<&SuppressedFinding> {
    let mut ordered: Vec<&SuppressedFinding> = suppressed.iter().collect();
    ordered.sort_by(|a, b| {
        finding_key(&a.finding)
            .cmp(&finding_key(&b.finding))
            .then_with(|| a.by.cmp(&b.by))
    });
    ordered
}

/// The findings most severe first (by rating, then score), then in report order (Markdown).
pub(crate) fn by_severity(findings: &[Finding]) -> Vec<&Finding> {
    let mut ordered = ordered(findings);
    ordered.sort_by(|a, b| {
        let score = |finding: &Finding| finding.severity.score.unwrap_or(f64::NEG_INFINITY);
        b.severity
            .rating
            .cmp(&a.severity.rating)
            .then_with(|| score(b).total_cmp(&score(a)))
    });
    ordered
}

/// Counts over the findings of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Findings per rating, in [`RATINGS`] order.
    pub(crate) by_rating: [usize; 6],
    /// All findings (a vulnerability in two packages counts twice).
    pub(crate) findings: usize,
    /// Distinct vulnerability ids.
    pub(crate) vulnerabilities: usize,
    /// Distinct packages with at least one finding.
    pub(crate) affected_packages: usize,
    /// Findings with a fixed version to upgrade to.
    pub(crate) fixable: usize,
    /// Suppressed findings.
    pub(crate) suppressed: usize,
}

impl Summary {
    pub(crate) fn of(report: &ScanReport<'_>) -> Summary {
        let mut by_rating = [0_usize; 6];
        for finding in report.findings {
            let slot = RATINGS
                .iter()
                .position(|rating| *rating == finding.severity.rating)
                .and_then(|index| by_rating.get_mut(index));
            if let Some(count) = slot {
                *count = count.saturating_add(1);
            }
        }
        let ids: BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        let packages: BTreeSet<usize> = report.findings.iter().map(|f| f.package.index).collect();
        Summary {
            by_rating,
            findings: report.findings.len(),
            vulnerabilities: ids.len(),
            affected_packages: packages.len(),
            fixable: report.findings.iter().filter(|f| is_fixable(f)).count(),
            suppressed: report.suppressed.len(),
        }
    }

    /// The count for one rating.
    pub(crate) fn count(&self, rating: Rating) -> usize {
        RATINGS
            .iter()
            .zip(self.by_rating)
            .find(|(candidate, _)| **candidate == rating)
            .map_or(0, |(_, count)| count)
    }
}

pub(crate) fn is_fixable(finding: &Finding) -> bool {
    matches!(finding.fix, FixState::Fixed { .. })
}

/// The version to upgrade to, when there is one.
pub(crate) fn fixed_version(finding: &Finding) -> Option<&str> {
    match &finding.fix {
        FixState::Fixed { version } => Some(version),
        _ => None,
    }
}

/// The fix in a few words: the version, or why there is none (`no fix (no-dsa)`, `no fix`,
/// `fix unknown`).
pub(crate) fn fix_words(fix: &FixState) -> String {
    match fix {
        FixState::Fixed { version } => version.clone(),
        FixState::NotFixed {
            status: Some(status),
        } => format!("no fix ({status})"),
        FixState::NotFixed { status: None } => "no fix".to_owned(),
        _ => "fix unknown".to_owned(),
    }
}

/// A sentence about the fix: `upgrade openssl to 3.0.13-1~deb12u1`, or why that cannot be said.
pub(crate) fn fix_sentence(finding: &Finding) -> String {
    match &finding.fix {
        FixState::Fixed { version } => format!("upgrade {} to {version}", finding.package.name),
        FixState::NotFixed {
            status: Some(status),
        } => format!("no fixed version is available (distribution status: {status})"),
        FixState::NotFixed { status: None } => "no fixed version is available".to_owned(),
        _ => "the advisories name fixed versions that could not be read".to_owned(),
    }
}

/// `libssl3 (openssl)` when a distribution package was judged by a source package of another
/// name, else the name.
pub(crate) fn package_label(finding: &Finding) -> String {
    match &finding.package.source {
        Some(source) if source.name != finding.package.name => {
            format!("{} ({})", finding.package.name, source.name)
        }
        _ => finding.package.name.clone(),
    }
}

/// The score SARIF's `security-severity` and sorting use: the CVSS base score, else a score in
/// the middle of the rating's CVSS band, so GitHub files a rating-only finding (a Debian
/// "high") under the same level. `None` for an unknown rating.
pub(crate) fn severity_score(finding: &Finding) -> Option<f64> {
    if let Some(score) = finding.severity.score {
        return Some(score);
    }
    match finding.severity.rating {
        Rating::Critical => Some(9.5),
        Rating::High => Some(8.0),
        Rating::Medium => Some(5.5),
        Rating::Low => Some(2.0),
        Rating::None => Some(0.0),
        Rating::Unknown => None,
    }
}

/// A score with one decimal, as CVSS writes them (`7.5`, `10.0`).
pub(crate) fn score_text(score: f64) -> String {
    format!("{score:.1}")
}

/// The rating, with its score when there is one: `high 7.5`.
pub(crate) fn severity_words(finding: &Finding) -> String {
    let word = rating_word(finding.severity.rating);
    match finding.severity.score {
        Some(score) => format!("{word} {}", score_text(score)),
        None => word.to_owned(),
    }
}

/// The CycloneDX rating method of a CVSS vector.
pub(crate) fn cvss_method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4.0/") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3.0/") {
        "CVSSv3"
    } else if vector.contains("AV:") && vector.contains("Au:") {
        "CVSSv2"
    } else {
        "other"
    }
}

/// The layer of the inventory's target with `digest`.
pub(crate) fn layer<'a>(inventory: &'a Inventory, digest: &str) -> Option<&'a Layer> {
    inventory
        .target
        .layers
        .iter()
        .find(|layer| layer.digest == digest)
}

/// `sha256:0123456789ab`: a digest's algorithm and first twelve hex digits.
pub(crate) fn short_digest(digest: &str) -> String {
    let (algorithm, hex) = digest.split_once(':').unwrap_or(("", digest));
    let short: String = hex.chars().take(12).collect();
    if algorithm.is_empty() {
        short
    } else {
        format!("{algorithm}:{short}")
    }
}

/// The canonical page of an id at its publisher, for the publishers whose address scheme is
/// stable (NVD, GitHub advisories).
pub(crate) fn id_url(id: &str) -> Option<String> {
    if id.starts_with("CVE-") {
        Some(format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else if id.starts_with("GHSA-") {
        Some(format!("https://github.com/advisories/{id}"))
    } else {
        None
    }
}

/// Who publishes an advisory id, from its prefix (`CVE-` is NVD, `GHSA-` GitHub); `None` for
/// prefixes we do not know.
pub(crate) fn id_publisher(id: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 14] = [
        ("CVE-", "NVD"),
        ("GHSA-", "GitHub"),
        ("PYSEC-", "PyPA"),
        ("RUSTSEC-", "RustSec"),
        ("GO-", "Go"),
        ("DSA-", "Debian"),
        ("DLA-", "Debian"),
        ("DTSA-", "Debian"),
        ("USN-", "Ubuntu"),
        ("UBUNTU-", "Ubuntu"),
        ("ALSA-", "AlmaLinux"),
        ("RHSA-", "Red Hat"),
        ("MAL-", "OSSF"),
        ("OSV-", "OSV"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, publisher)| *publisher)
}

/// The address that best explains `finding`: the first that names its id, else the first.
pub(crate) fn primary_url(finding: &Finding) -> Option<&str> {
    finding
        .urls
        .iter()
        .find(|url| url.contains(&finding.id))
        .or_else(|| finding.urls.first())
        .map(String::as_str)
}

/// An age in the largest whole unit: `3 days`, `1 hour`, `less than a minute`.
pub(crate) fn age_words(age: Duration) -> String {
    let seconds = age.as_secs();
    let (count, unit) = if seconds >= 86_400 {
        (seconds / 86_400, "day")
    } else if seconds >= 3_600 {
        (seconds / 3_600, "hour")
    } else if seconds >= 60 {
        (seconds / 60, "minute")
    } else {
        return "less than a minute".to_owned();
    };
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

/// `text` cut to `limit` characters, ending in `…` when cut; a first line only.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= limit {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(limit.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Hex of the first `bytes` bytes of a SHA-256 over `fields`, each length-prefixed so
/// (`ab`, `c`) and (`a`, `bc`) differ.
pub(crate) fn digest_hex(fields: &[&[u8]], bytes: usize) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_le_bytes());
        hasher.update(field);
    }
    let digest = hasher.finalize();
    let mut text = String::with_capacity(bytes.saturating_mul(2));
    for byte in digest.iter().take(bytes) {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// `1 vulnerability`, `2 vulnerabilities`.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
