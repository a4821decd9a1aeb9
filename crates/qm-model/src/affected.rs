//! The version data of an OSV `affected` entry: `ranges` and `versions`, as plain values.
//!
//! Evaluating them (is this installed version affected, what fixes it) is `qm-version`'s job;
//! these types only carry and validate the shape (OSV schema 1.6).

use serde::{Deserialize, Serialize};

/// One OSV `affected[]` entry's version data: its `ranges` and its `versions` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedRanges {
    /// The `ranges` array.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// The `versions` array: versions affected, named one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

impl AffectedRanges {
    /// Every version from `introduced` (`"0"` for all) up to, excluding, `fixed` (if any):
    /// the shape distribution feeds reduce to.
    pub fn introduced_fixed(introduced: &str, fixed: Option<&str>) -> AffectedRanges {
        let mut events = vec![Event::Introduced(introduced.to_owned())];
        events.extend(fixed.map(|fixed| Event::Fixed(fixed.to_owned())));
        AffectedRanges {
            ranges: vec![Range {
                kind: RangeKind::Ecosystem,
                repo: None,
                events,
            }],
            versions: Vec::new(),
        }
    }
}

/// One OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// The range's `type`.
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// The repository of a `GIT` range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in any order.
    pub events: Vec<Event>,
}

/// The `type` of an OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum RangeKind {
    /// Versions of the package's ecosystem.
    Ecosystem,
    /// SemVer 2.0.0 versions.
    SemVer,
    /// Git commit hashes.
    Git,
    /// A type this schema version does not define, kept as written.
    Unknown(String),
}

impl From<String> for RangeKind {
    fn from(kind: String) -> Self {
        match kind.as_str() {
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "SEMVER" => RangeKind::SemVer,
            "GIT" => RangeKind::Git,
            _ => RangeKind::Unknown(kind),
        }
    }
}

impl From<RangeKind> for String {
    fn from(kind: RangeKind) -> String {
        match kind {
            RangeKind::Ecosystem => "ECOSYSTEM".into(),
            RangeKind::SemVer => "SEMVER".into(),
            RangeKind::Git => "GIT".into(),
            RangeKind::Unknown(kind) => kind,
        }
    }
}

/// One event of an OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEvent", into = "RawEvent")]
pub enum Event {
    /// The version the vulnerability was introduced in (`"0"`: since the first version).
    Introduced(String),
    /// The first version that is no longer affected.
    Fixed(String),
    /// The last version that is affected.
    LastAffected(String),
    /// An upper bound on the whole range.
    Limit(String),
}

/// The JSON shape of an event: an object with exactly one of four keys.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

impl TryFrom<RawEvent> for Event {
    type Error = String;

    fn try_from(raw: RawEvent) -> Result<Self, Self::Error> {
        match (raw.introduced, raw.fixed, raw.last_affected, raw.limit) {
            (Some(v), None, None, None) => Ok(Event::Introduced(v)),
            (None, Some(v), None, None) => Ok(Event::Fixed(v)),
            (None, None, Some(v), None) => Ok(Event::LastAffected(v)),
            (None, None, None, Some(v)) => Ok(Event::Limit(v)),
            _ => Err(
                "an event must have exactly one of `introduced`, `fixed`, `last_affected`, `limit`"
                    .into(),
            ),
        }
    }
}

impl From<Event> for RawEvent {
    fn from(event: Event) -> RawEvent {
        let mut raw = RawEvent {
            introduced: None,
            fixed: None,
            last_affected: None,
            limit: None,
        };
        match event {
            Event::Introduced(v) => raw.introduced = Some(v),
            Event::Fixed(v) => raw.fixed = Some(v),
            Event::LastAffected(v) => raw.last_affected = Some(v),
            Event::Limit(v) => raw.limit = Some(v),
        }
        raw
    }
}

impl Event {
    /// The event's version text.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// The event's JSON key.
    pub fn key(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_json_round_trips() {
        let json = r#"{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]},{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"},{"limit":"def"}]}],"versions":["1.0"]}"#;
        let ranges: AffectedRanges = serde_json::from_str(json).unwrap();
        assert_eq!(ranges.ranges[1].kind, RangeKind::Git);
        assert_eq!(serde_json::to_string(&ranges).unwrap(), json);
    }

    #[test]
    fn events_need_exactly_one_key() {
        for bad in [r#"{"introduced":"0","fixed":"1"}"#, "{}", r#"{"fixd":"1"}"#] {
            assert!(serde_json::from_str::<Event>(bad).is_err(), "{bad}");
        }
    }
}
