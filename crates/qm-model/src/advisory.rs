//! Advisories: what every vulnerability feed is normalised into.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{AffectedRanges, PackageKey};

/// One advisory from one feed, normalised.
///
/// The same vulnerability often arrives from several feeds (a CVE as GHSA, PYSEC and RUSTSEC
/// records); each stays its own `Advisory`, linked to the others by [`Advisory::aliases`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The feed's identifier (`RUSTSEC-2021-0001`, `GHSA-…`, `CVE-…`, `DSA-5000-1`).
    pub id: String,
    /// Which feed it came from (`osv`, `rustsec`, `debian-tracker`, `alpine-secdb`, …).
    pub source: String,
    /// Other identifiers of the same vulnerability.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Identifiers of related but different vulnerabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// A one-line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The full description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severities the feed gives, CVSS vectors first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<Severity>,
    /// When it was first published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<Timestamp>,
    /// For informational advisories (RustSec `unmaintained`, `unsound`, `notice`), the kind;
    /// `None` for vulnerabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// When it was withdrawn; a withdrawn advisory must not produce findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Timestamp>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// The packages it affects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<AffectedPackage>,
}

/// A link from an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The OSV reference type (`ADVISORY`, `FIX`, `WEB`, …).
    pub kind: String,
    /// The address.
    pub url: String,
}

/// One package an advisory affects, with the versions affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// Ecosystem, release (for distributions) and normalised name (for distributions, the
    /// source package).
    pub package: PackageKey,
    /// The package URL the feed gives, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The affected versions, as OSV ranges and lists.
    pub ranges: AffectedRanges,
    /// For distribution feeds: the distribution's own verdict for this release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DistroStatus>,
    /// A severity specific to this package (a Debian urgency), overriding the advisory's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// A distribution's verdict on a vulnerability in one of its releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DistroStatus {
    /// Fixed in the version the ranges name.
    Fixed,
    /// The release's package was never affected.
    NotAffected,
    /// Affected and no fix is available yet.
    Unfixed,
    /// Affected; the distribution will not issue a security advisory (minor issue), a fix may
    /// come through a point release.
    NoDsa,
    /// Affected; the fix is postponed to a later update.
    Postponed,
    /// Affected; the distribution decided not to fix it.
    Ignored,
    /// Affected; the package is no longer supported in this release.
    EndOfLife,
    /// Affected; the distribution rates it unimportant (typically not exploitable as shipped).
    Unimportant,
    /// Not yet triaged by the distribution.
    Undetermined,
}

impl DistroStatus {
    /// Whether versions below the fix, or all versions when there is none, are affected.
    pub fn is_affected(self) -> bool {
        !matches!(self, DistroStatus::NotAffected)
    }

    /// The name the Debian tracker and our reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            DistroStatus::Fixed => "fixed",
            DistroStatus::NotAffected => "not-affected",
            DistroStatus::Unfixed => "unfixed",
            DistroStatus::NoDsa => "no-dsa",
            DistroStatus::Postponed => "postponed",
            DistroStatus::Ignored => "ignored",
            DistroStatus::EndOfLife => "end-of-life",
            DistroStatus::Unimportant => "unimportant",
            DistroStatus::Undetermined => "undetermined",
        }
    }
}

impl fmt::Display for DistroStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A qualitative severity rating, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    /// No rating could be derived.
    Unknown,
    /// CVSS 0.0, or a feed's "none" / "negligible".
    None,
    /// Low.
    Low,
    /// Medium (GitHub: moderate).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Rating {
    /// The CVSS v3/v4 qualitative rating of a base score.
    pub fn from_cvss_score(score: f64) -> Rating {
        match score {
            s if s <= 0.0 => Rating::None,
            s if s < 4.0 => Rating::Low,
            s if s < 7.0 => Rating::Medium,
            s if s < 9.0 => Rating::High,
            _ => Rating::Critical,
        }
    }

    /// Reads a feed's word for a rating: `low`, `moderate`/`medium`, `high`, `critical`,
    /// `important` (Red Hat), `negligible`/`none`/`unimportant`; anything else is `Unknown`.
    pub fn from_label(label: &str) -> Rating {
        match label.trim().to_ascii_lowercase().as_str() {
            "critical" => Rating::Critical,
            "high" | "important" => Rating::High,
            "medium" | "moderate" => Rating::Medium,
            "low" => Rating::Low,
            "none" | "negligible" | "unimportant" => Rating::None,
            _ => Rating::Unknown,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Unknown => "unknown",
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CVSS versions we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS 2.0.
    V2,
    /// CVSS 3.0.
    V3_0,
    /// CVSS 3.1.
    V3_1,
    /// CVSS 4.0.
    V4_0,
}

/// A severity as a feed states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Severity {
    /// A CVSS vector with the base score computed from it.
    Cvss {
        /// The CVSS version of the vector.
        version: CvssVersion,
        /// The vector as given (`CVSS:3.1/AV:N/…`).
        vector: String,
        /// The base score computed from the vector.
        score: f64,
        /// The rating of that score.
        rating: Rating,
    },
    /// A feed's own rating word (a Debian urgency, a GitHub severity).
    Rating {
        /// Who rated it (`debian`, `ghsa`, …).
        source: String,
        /// The rating.
        rating: Rating,
        /// The word as the feed wrote it.
        label: String,
    },
}

impl Severity {
    /// The qualitative rating.
    pub fn rating(&self) -> Rating {
        match self {
            Severity::Cvss { rating, .. } | Severity::Rating { rating, .. } => *rating,
        }
    }
}

/// An instant, with second precision, as advisories date themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(jiff::Timestamp);

/// A date or time that is not RFC 3339 (nor a bare `YYYY-MM-DD` date).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 timestamp or a YYYY-MM-DD date")]
pub struct InvalidTimestamp(pub String);

impl Timestamp {
    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.as_second()
    }

    /// The instant `seconds` after the Unix epoch; `None` when out of range.
    pub fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        jiff::Timestamp::from_second(seconds).ok().map(Timestamp)
    }

    /// Now, from the system clock, to the second.
    pub fn now() -> Timestamp {
        let now = jiff::Timestamp::now();
        Timestamp::from_unix_seconds(now.as_second()).unwrap_or(Timestamp(now))
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// Reads RFC 3339 (`2024-01-02T03:04:05Z`, offsets, fractions) or a bare date (midnight UTC).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
            // Second precision, so a value survives every store that keeps whole seconds.
            return Ok(
                Timestamp::from_unix_seconds(timestamp.as_second()).unwrap_or(Timestamp(timestamp))
            );
        }
        text.parse::<jiff::civil::Date>()
            .ok()
            .and_then(|date| date.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
            .map(|zoned| Timestamp(zoned.timestamp()))
            .ok_or_else(|| InvalidTimestamp(text.to_owned()))
    }
}

impl TryFrom<String> for Timestamp {
    type Error = InvalidTimestamp;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> String {
        timestamp.to_string()
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, whole seconds: `2024-01-02T03:04:05Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_rfc3339_and_dates() {
        let cases = [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05Z"),
            ("2024-01-02", "2024-01-02T00:00:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), expected);
        }
        assert!("yesterday".parse::<Timestamp>().is_err());
    }

    #[test]
    fn ratings_order_and_read_labels() {
        assert!(Rating::Critical > Rating::High && Rating::Low > Rating::None);
        assert_eq!(Rating::from_label("MODERATE"), Rating::Medium);
        assert_eq!(Rating::from_label("important"), Rating::High);
        assert_eq!(Rating::from_label("not yet assigned"), Rating::Unknown);
        assert_eq!(Rating::from_cvss_score(9.8), Rating::Critical);
        assert_eq!(Rating::from_cvss_score(7.0), Rating::High);
        assert_eq!(Rating::from_cvss_score(0.0), Rating::None);
    }
}
