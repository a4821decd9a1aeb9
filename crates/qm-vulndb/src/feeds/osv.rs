//! OSV records (schema 1.6, read leniently up to 1.7), one per file, as JSON or as YAML (PyPA
//! writes YAML): osv.dev exports, GitHub's advisory database, the Go vulnerability database,
//! RustSec's OSV branch, Ubuntu, Chainguard and Debian changelog records.
//!
//! Each record becomes one [`Advisory`] whose `source` is `osv/` and the id's prefix up to its
//! first `-` (`osv/GHSA`, `osv/PYSEC`, `osv/RUSTSEC`, …), so counts show which database a mirror
//! held.
//!
//! Surprises:
//! - Severities: `CVSS_V2`/`CVSS_V3`/`CVSS_V4` scores are vectors and get a computed base
//!   score; a vector that does not parse is kept as a `Rating` of `Unknown` with the vector as
//!   its label, never dropped. Other types (`Ubuntu`) carry a word (`medium`, `negligible`) and
//!   become `Rating`s named after the type in lower case. GitHub puts its own rating in
//!   `database_specific.severity` (`MODERATE`): that becomes a `Rating` from `ghsa` (from the
//!   id's prefix, in lower case, for other databases doing the same).
//! - Per-package severity: Debian records carry the changelog urgency in
//!   `affected[].ecosystem_specific.urgency` (`low`, `medium`, `high`, `critical`, `emergency`,
//!   sometimes with a comment: `high (security)`); it becomes the package's severity, rated by
//!   its first word, named after the ecosystem (`debian`). Otherwise the highest-rated entry of
//!   `affected[].severity` (OSV 1.5) is the package's severity.
//! - RustSec's export marks unmaintained/unsound/notice advisories in
//!   `affected[].database_specific.informational`, not at the top level; both places are read.
//! - OSV 1.7 `upstream` ids (Ubuntu, Chainguard: the CVE a record derives from) are added to
//!   `related`: the model has no field of its own for them, and they are not aliases (a CGA
//!   record is about one distribution's package, not the CVE as a whole).
//! - An `affected` entry without a package (or with an empty name or ecosystem) is dropped from
//!   its record; the record is skipped as a problem only when it had entries and none names a
//!   package. A record with no `affected` at all (withdrawn records often have none) is kept.
//! - A `published` or `modified` date that does not parse is dropped and the record kept; a
//!   `withdrawn` date that does not parse skips the record, since a withdrawn advisory must not
//!   produce findings and we cannot tell.
//! - A record that does not deserialize (a range event with two keys, a version written as a
//!   YAML number) is skipped as a whole with serde's message, which names the line.

use serde::Deserialize;
use serde_json::Value as Json;

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, Range, Rating, Reference, Severity, Timestamp,
};

use crate::ingest::Sink;
use crate::severity::from_cvss_vector;

/// Reads one OSV record (JSON or YAML) into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    let raw = match deserialize::<RawRecord>(bytes) {
        Ok(raw) => raw,
        Err(reason) => {
            let source = deserialize::<RawId>(bytes)
                .ok()
                .and_then(|raw| raw.id)
                .and_then(|id| id.as_str().map(source_for))
                .unwrap_or_else(|| "osv".to_owned());
            sink.skip(&source, file, format!("not a valid OSV record: {reason}"));
            return;
        }
    };
    let source = source_for(&raw.id);
    match convert(raw, &source) {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(&source, file, reason),
    }
}

/// `osv/` and the id's prefix up to its first `-`: `GHSA-xxxx-…` gives `osv/GHSA`.
fn source_for(id: &str) -> String {
    match id.trim().split('-').next() {
        Some(prefix) if !prefix.is_empty() => format!("osv/{prefix}"),
        _ => "osv".to_owned(),
    }
}

/// JSON when the text starts with `{`, YAML otherwise (YAML would read JSON too, but serde_json
/// reports errors better).
fn deserialize<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| format!("not UTF-8: {error}"))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|error| error.to_string())
    } else {
        serde_yaml_ng::from_str(text).map_err(|error| error.to_string())
    }
}

#[derive(Deserialize)]
struct RawId {
    id: Option<Json>,
}

/// The fields of an OSV record we read; every list may also be `null`.
#[derive(Deserialize)]
struct RawRecord {
    id: String,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    related: Option<Vec<String>>,
    upstream: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    severity: Option<Vec<RawSeverity>>,
    affected: Option<Vec<RawAffected>>,
    references: Option<Vec<RawReference>>,
    database_specific: Option<RawSpecific>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawAffected {
    package: Option<RawPackage>,
    ranges: Option<Vec<Range>>,
    versions: Option<Vec<String>>,
    severity: Option<Vec<RawSeverity>>,
    ecosystem_specific: Option<RawSpecific>,
    database_specific: Option<RawSpecific>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: Option<String>,
    name: Option<String>,
    purl: Option<String>,
}

/// The few keys of `database_specific` / `ecosystem_specific` objects we read; their values are
/// free-form, so they are taken as any JSON value and used only when they are strings.
#[derive(Deserialize, Default)]
struct RawSpecific {
    severity: Option<Json>,
    informational: Option<Json>,
    urgency: Option<Json>,
}

fn text_of(value: Option<&Json>) -> Option<&str> {
    value
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

fn timestamp(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|text| text.parse().ok())
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|text| !text.trim().is_empty())
}

fn convert(raw: RawRecord, source: &str) -> Result<Advisory, String> {
    let id = raw.id.trim().to_owned();
    if id.is_empty() {
        return Err("the record's `id` is empty".into());
    }
    let withdrawn = match raw.withdrawn.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Timestamp>().map_err(|error| {
            format!("{id}: `withdrawn` cannot be read, so the record is not used: {error}")
        })?),
    };

    let mut severities = Vec::new();
    for raw_severity in raw.severity.iter().flatten() {
        let severity = record_severity(raw_severity);
        if !severities.contains(&severity) {
            severities.push(severity);
        }
    }
    let record_specific = raw.database_specific.unwrap_or_default();
    if let Some(label) = text_of(record_specific.severity.as_ref()) {
        let prefix = source.strip_prefix("osv/").unwrap_or(source);
        severities.push(Severity::Rating {
            source: prefix.to_ascii_lowercase(),
            rating: Rating::from_label(label),
            label: label.to_owned(),
        });
    }
    // CVSS vectors first, as the model asks; the sort is stable.
    severities.sort_by_key(|severity| !matches!(severity, Severity::Cvss { .. }));

    let mut informational = text_of(record_specific.informational.as_ref()).map(str::to_owned);
    let raw_affected = raw.affected.unwrap_or_default();
    let had_affected = !raw_affected.is_empty();
    let mut affected = Vec::with_capacity(raw_affected.len());
    for entry in raw_affected {
        let entry_specific = entry.database_specific.unwrap_or_default();
        if informational.is_none() {
            informational = text_of(entry_specific.informational.as_ref()).map(str::to_owned);
        }
        let Some(package) = entry.package else {
            continue;
        };
        let (Some(ecosystem), Some(name)) = (non_empty(package.ecosystem), non_empty(package.name))
        else {
            continue;
        };
        // `":12"` names no ecosystem: such an entry cannot be matched and is left out.
        let Some(key) = qm_model::PackageKey::from_osv(&ecosystem, &name) else {
            continue;
        };
        let urgency = entry
            .ecosystem_specific
            .as_ref()
            .and_then(|specific| text_of(specific.urgency.as_ref()))
            .or_else(|| text_of(entry_specific.urgency.as_ref()))
            .map(|label| Severity::Rating {
                source: key.ecosystem.as_str().to_ascii_lowercase(),
                rating: urgency_rating(label),
                label: label.to_owned(),
            });
        let severity = urgency.or_else(|| {
            entry
                .severity
                .iter()
                .flatten()
                .map(record_severity)
                .max_by_key(Severity::rating)
        });
        affected.push(AffectedPackage {
            package: key,
            purl: non_empty(package.purl),
            ranges: AffectedRanges {
                ranges: entry.ranges.unwrap_or_default(),
                versions: entry.versions.unwrap_or_default(),
            },
            status: None,
            severity,
        });
    }
    if had_affected && affected.is_empty() {
        return Err(format!(
            "{id}: no `affected` entry names a package, so the record matches nothing"
        ));
    }

    let mut related = raw.related.unwrap_or_default();
    for upstream in raw.upstream.unwrap_or_default() {
        if !related.contains(&upstream) {
            related.push(upstream);
        }
    }
    let references = raw
        .references
        .unwrap_or_default()
        .into_iter()
        .filter_map(|reference| {
            let url = non_empty(reference.url)?;
            let kind = non_empty(reference.kind).unwrap_or_else(|| "WEB".to_owned());
            Some(Reference { kind, url })
        })
        .collect();

    Ok(Advisory {
        id,
        source: source.to_owned(),
        aliases: raw.aliases.unwrap_or_default(),
        related,
        summary: non_empty(raw.summary),
        details: non_empty(raw.details),
        severities,
        published: timestamp(raw.published.as_deref()),
        modified: timestamp(raw.modified.as_deref()),
        informational,
        withdrawn,
        references,
        affected,
    })
}

/// One `severity[]` entry: CVSS vectors scored, anything else read as a rating word.
fn record_severity(raw: &RawSeverity) -> Severity {
    let score = raw.score.trim();
    match raw.kind.as_str() {
        "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => {
            from_cvss_vector(score).unwrap_or_else(|| Severity::Rating {
                source: raw.kind.to_ascii_lowercase(),
                rating: Rating::Unknown,
                label: score.to_owned(),
            })
        }
        kind => Severity::Rating {
            source: kind.to_ascii_lowercase(),
            rating: Rating::from_label(score),
            label: score.to_owned(),
        },
    }
}

/// A Debian changelog urgency (`low`, `medium`, `high`, `critical`, `emergency`), possibly with
/// a comment after it (`high (security)`): the first word decides.
fn urgency_rating(label: &str) -> Rating {
    let word = label
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default();
    if word.eq_ignore_ascii_case("emergency") {
        Rating::Critical
    } else {
        Rating::from_label(word)
    }
}

#[cfg(test)]
mod tests {
    use qm_model::{CvssVersion, Ecosystem, Event, RangeKind};

    use super::*;

    fn parse_one(text: &str) -> Sink {
        let mut sink = Sink::default();
        parse("test", text.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn sources_come_from_id_prefixes() {
        let cases = [
            ("RUSTSEC-2021-0001", "osv/RUSTSEC"),
            ("GHSA-23rx-79r7-6cpx", "osv/GHSA"),
            ("GO-2024-2916", "osv/GO"),
            ("DEBIAN-12-mupdf-1.17.0_ds1-1.1", "osv/DEBIAN"),
            ("UBUNTU-CVE-2021-3782", "osv/UBUNTU"),
            ("CVE-2024-1", "osv/CVE"),
            ("NOPREFIX", "osv/NOPREFIX"),
        ];
        for (id, expected) in cases {
            assert_eq!(source_for(id), expected, "{id}");
        }
    }

    #[test]
    fn json_record_converts() {
        let sink = parse_one(
            r#"{
              "id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-23T14:34:38Z",
              "published": "2024-01-19", "aliases": ["CVE-2024-1"], "related": null,
              "upstream": ["CVE-2024-2"], "summary": "s", "details": "",
              "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                           {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                           {"type": "Ubuntu", "score": "negligible"}],
              "affected": [
                {"package": {"ecosystem": "PyPI", "name": "Jinja2", "purl": "pkg:pypi/jinja2"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
                 "versions": ["1.0"]},
                {"ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "abc"}]}]}
              ],
              "references": [{"type": "FIX", "url": "https://x"}, {"type": "WEB"}],
              "database_specific": {"severity": "MODERATE", "cwe_ids": []}
            }"#,
        );
        assert!(
            sink.report.problems.is_empty(),
            "{:?}",
            sink.report.problems
        );
        let [advisory] = sink.advisories.as_slice() else {
            panic!("{:?}", sink.advisories);
        };
        assert_eq!(advisory.source, "osv/GHSA");
        assert_eq!(advisory.related, ["CVE-2024-2"]);
        assert_eq!(advisory.details, None);
        assert_eq!(
            advisory.published.map(|t| t.to_string()).as_deref(),
            Some("2024-01-19T00:00:00Z")
        );
        assert!(matches!(
            advisory.severities.as_slice(),
            [
                Severity::Cvss { version: CvssVersion::V3_1, score, rating: Rating::Critical, .. },
                Severity::Rating { source: s1, rating: Rating::None, .. },
                Severity::Rating { source: s2, rating: Rating::Medium, label },
            ] if (*score - 9.8).abs() < 1e-9 && s1 == "ubuntu" && s2 == "ghsa" && label == "MODERATE"
        ));
        let [package] = advisory.affected.as_slice() else {
            panic!("{:?}", advisory.affected);
        };
        assert_eq!(package.package.to_string(), "PyPI/jinja2");
        assert_eq!(package.purl.as_deref(), Some("pkg:pypi/jinja2"));
        assert_eq!(package.ranges.versions, ["1.0"]);
        assert_eq!(
            package.ranges.ranges.first().map(|r| r.events.clone()),
            Some(vec![
                Event::Introduced("0".into()),
                Event::Fixed("2.0".into())
            ])
        );
        assert_eq!(advisory.references.len(), 1);
    }

    #[test]
    fn yaml_record_converts() {
        let sink = parse_one(
            "id: PYSEC-2020-342\nmodified: 2023-11-07T20:24:23.946863Z\n\
             affected:\n- package:\n    ecosystem: PyPI\n    name: apache-skywalking\n  \
             ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n  \
             versions:\n  - 0.1.0\n",
        );
        assert!(
            sink.report.problems.is_empty(),
            "{:?}",
            sink.report.problems
        );
        let advisory = sink.advisories.first().unwrap();
        assert_eq!(advisory.source, "osv/PYSEC");
        assert_eq!(
            advisory.affected.first().unwrap().ranges.versions,
            ["0.1.0"]
        );
        assert_eq!(
            advisory
                .affected
                .first()
                .unwrap()
                .ranges
                .ranges
                .first()
                .unwrap()
                .kind,
            RangeKind::Ecosystem
        );
    }

    #[test]
    fn urgencies_and_informational_are_read() {
        let sink = parse_one(
            r#"{"id": "DEBIAN-12-x-1", "affected": [
                 {"package": {"ecosystem": "Debian:12", "name": "x"},
                  "ecosystem_specific": {"urgency": "high (security)"},
                  "database_specific": {"informational": "unmaintained"}}]}"#,
        );
        let advisory = sink.advisories.first().unwrap();
        let package = advisory.affected.first().unwrap();
        assert_eq!(package.package.ecosystem, Ecosystem::Debian);
        assert_eq!(package.package.release.as_deref(), Some("12"));
        assert_eq!(
            package.severity,
            Some(Severity::Rating {
                source: "debian".into(),
                rating: Rating::High,
                label: "high (security)".into()
            })
        );
        assert_eq!(advisory.informational.as_deref(), Some("unmaintained"));
        let ratings = [
            ("emergency", Rating::Critical),
            ("medium", Rating::Medium),
            ("low", Rating::Low),
            ("bogus", Rating::Unknown),
        ];
        for (label, rating) in ratings {
            assert_eq!(urgency_rating(label), rating, "{label}");
        }
    }

    #[test]
    fn broken_records_are_skipped_with_a_reason() {
        let cases = [
            // Two keys in one event.
            (
                r#"{"id": "GO-1", "affected": [{"package": {"ecosystem": "Go", "name": "m"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}"#,
                "osv/GO",
                "line",
            ),
            // No package anywhere.
            (
                r#"{"id": "GO-2", "affected": [{"ranges": []}]}"#,
                "osv/GO",
                "names a package",
            ),
            (
                r#"{"id": "GO-3", "withdrawn": "soon", "affected": []}"#,
                "osv/GO",
                "withdrawn",
            ),
            ("id: [1, 2]\nmodified: x\n", "osv", "line"),
            (r#"{"id": " ", "modified": "x"}"#, "osv", "empty"),
        ];
        for (text, source, reason) in cases {
            let sink = parse_one(text);
            assert!(sink.advisories.is_empty(), "{text}");
            assert_eq!(
                sink.report.sources.get(source).map(|count| count.skipped),
                Some(1),
                "{text}: {:?}",
                sink.report
            );
            let problem = sink.report.problems.first().unwrap();
            assert!(problem.reason.contains(reason), "{text}: {problem}");
        }
    }

    #[test]
    fn unparsable_cvss_is_kept_as_unknown() {
        let raw = RawSeverity {
            kind: "CVSS_V3".into(),
            score: "CVSS:3.1/AV:N".into(),
        };
        assert_eq!(record_severity(&raw).rating(), Rating::Unknown);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let mut sink = Sink::default();
            parse("fuzz", text.as_bytes(), &mut sink);
        }
    }
}
