//! Node.js security working group advisories (`nodejs/security-wg`): one JSON file per npm
//! package advisory, `vuln/npm/<id>.json`, identified as `NSWG-ECO-<id>`.
//!
//! `vulnerable_versions` is a node-semver range (`<=1.5.1`, `>=1.0.0 <1.2.3 || 2.x`, `^1.2`,
//! `~1.2.3`, `1.2.3 - 2.3`); it is desugared the way node-semver's `Range` does (`classes/
//! range.js`: hyphen ranges, x-ranges, tildes, carets) into comparators, and those into one OSV
//! `ECOSYSTEM` range through the interval algebra shared with the RubySec parser. `>1.2.3` is
//! exact: npm's next version after `1.2.3` is `1.2.4-0`.
//!
//! Surprises:
//! - node-semver lets a pre-release satisfy a range only if one comparator of the same set has
//!   a pre-release on the same `major.minor.patch` (`1.2.4-beta` does not satisfy `<=2.0.0`).
//!   That is an opt-in rule for installing, not a statement about which builds hold the bug,
//!   so it is not applied: comparators are taken literally, as OSV and GitHub spell npm ranges,
//!   and `1.2.4-beta` is affected by `<=2.0.0`. For release versions the ranges agree exactly
//!   with `semver.satisfies`; for pre-releases they are a superset.
//! - Only `vulnerable_versions` builds the ranges: it is the feed's statement of what is
//!   affected, while `patched_versions` often leaves gaps (`<=2.1.1` against `>=3.0.0`) or is
//!   `<0.0.0` for "no fix". Seven records contradict themselves (a release both vulnerable and
//!   patched); they are kept as `vulnerable_versions` says. The tests list all of these.
//! - Ranges are read strictly, as node-semver 7.7 and later does: a comparator it would refuse
//!   makes the advisory skipped and reported. One `v` may precede a version (`<=v1.2.3`);
//!   loose-mode extras (`=` runs, leading zeros) are refused, and so is a number after an `x`
//!   in a plain x-range (`1.x.2`), which node-semver accepts only after `^` or `~`.
//! - `vuln/core/*.json` are advisories against the Node.js runtime, not npm packages, and have
//!   no `module_name`; format detection does not route them here and they are not ingested.
//!   Scans see Node.js as an operating-system package (`nodejs` in Debian, Alpine, …), which
//!   the distribution feeds cover, or as a binary that no cataloger names as a package.
//! - `cvss_vector` gives a `Severity::Cvss` once it parses; without a usable vector,
//!   `cvss_score` alone gives a `Severity::Rating` labelled `CVSS 6.5`.

use qm_model::{Advisory, AffectedPackage, Ecosystem, PackageKey, Reference, Timestamp};
use qm_version::{NpmVersion, Scheme, Version};
use serde::Deserialize;
use serde_json::Value as Json;

use super::rubysec::{
    Cut, MAX_REQUIREMENT_LENGTH, RequirementError, VersionSet, parse_version, score_severity,
};
use crate::ingest::Sink;

/// The `source` of every advisory from this feed.
const SOURCE: &str = "nodejs-security-wg";

/// The fields we read of one `vuln/npm/<id>.json` file.
#[derive(Debug, Deserialize)]
struct RawAdvisory {
    id: Json,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default)]
    title: Option<String>,
    module_name: String,
    #[serde(default)]
    cves: Option<Vec<String>>,
    vulnerable_versions: Option<String>,
    #[serde(default)]
    overview: Option<String>,
    #[serde(default)]
    recommendation: Option<String>,
    #[serde(default)]
    references: Option<Vec<String>>,
    #[serde(default)]
    cvss_vector: Option<String>,
    #[serde(default)]
    cvss_score: Option<f64>,
}

/// Reads one Node.js security working group npm advisory into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    match read_advisory(bytes) {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(SOURCE, file, reason),
    }
}

fn read_advisory(bytes: &[u8]) -> Result<Advisory, String> {
    let raw: RawAdvisory = serde_json::from_slice(bytes)
        .map_err(|error| format!("not a security-wg npm advisory: {error}"))?;
    let number = match &raw.id {
        Json::Number(number) => number.to_string(),
        Json::String(text) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => return Err("`id` is not a number".into()),
    };
    let module = raw.module_name.trim();
    if module.is_empty() {
        return Err("`module_name` is empty".into());
    }
    let vulnerable = raw
        .vulnerable_versions
        .as_deref()
        .ok_or("no `vulnerable_versions`")?;
    let affected = npm_range(vulnerable)
        .map_err(|error| format!("`vulnerable_versions`: {}", error.with_cause()))?;

    let details = match (non_empty(raw.overview), non_empty(raw.recommendation)) {
        (Some(overview), Some(recommendation)) => Some(format!(
            "{overview}\n\n## Recommendation\n\n{recommendation}"
        )),
        (overview, recommendation) => overview.or(recommendation),
    };
    let vector_severity = raw
        .cvss_vector
        .as_deref()
        .and_then(|vector| crate::severity::from_cvss_vector(vector.trim()));
    let severities = vector_severity
        .or_else(|| {
            let version = raw.cvss_vector.as_deref().map_or("", cvss_version);
            raw.cvss_score
                .and_then(|score| score_severity(SOURCE, version, score))
        })
        .into_iter()
        .collect();
    let timestamp = |text: Option<&String>| text.and_then(|text| text.parse::<Timestamp>().ok());

    Ok(Advisory {
        id: format!("NSWG-ECO-{number}"),
        source: SOURCE.into(),
        aliases: raw
            .cves
            .unwrap_or_default()
            .into_iter()
            .map(|cve| cve.trim().to_owned())
            .filter(|cve| !cve.is_empty())
            .collect(),
        related: Vec::new(),
        summary: non_empty(raw.title),
        details,
        severities,
        published: timestamp(raw.publish_date.as_ref())
            .or_else(|| timestamp(raw.created_at.as_ref())),
        modified: timestamp(raw.updated_at.as_ref()),
        informational: None,
        withdrawn: None,
        references: raw
            .references
            .unwrap_or_default()
            .into_iter()
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .map(|url| Reference {
                kind: "WEB".into(),
                url,
            })
            .collect(),
        affected: vec![AffectedPackage {
            package: PackageKey::new(Ecosystem::Npm, None, module),
            purl: None,
            ranges: affected.to_osv().ranges,
            status: None,
            severity: None,
        }],
    })
}

/// The CVSS version a vector names (`CVSS:3.0/…` is `v3`; v2 vectors have no prefix).
fn cvss_version(vector: &str) -> &'static str {
    let vector = vector.trim();
    if vector.starts_with("CVSS:3") {
        "v3"
    } else if vector.starts_with("CVSS:4") {
        "v4"
    } else if vector.starts_with("AV:") || vector.starts_with("(AV:") {
        "v2"
    } else {
        ""
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

// ---------------------------------------------------------------------------------------------
// node-semver ranges
// ---------------------------------------------------------------------------------------------

/// The versions a node-semver range covers, comparators taken literally (see the module docs).
pub(crate) fn npm_range(text: &str) -> Result<VersionSet, RequirementError> {
    if text.len() > MAX_REQUIREMENT_LENGTH {
        return Err(RequirementError::TooLong { length: text.len() });
    }
    let mut set = VersionSet::empty();
    for alternative in text.split("||") {
        set = set.union(&comparator_set(alternative)?);
    }
    Ok(set)
}

/// One `||` alternative: a hyphen range, or comparators separated by spaces that must all hold;
/// empty is every version.
fn comparator_set(text: &str) -> Result<VersionSet, RequirementError> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if let [from, "-", to] = tokens.as_slice() {
        return hyphen(from, to, text);
    }
    let mut set = VersionSet::all();
    let mut tokens = tokens.into_iter();
    while let Some(token) = tokens.next() {
        // node-semver glues an operator to the version after it (`< 1.2.3`, `~> 1.2`, `^ 1`).
        let joined;
        let comparator = if matches!(token, "<" | ">" | "<=" | ">=" | "=" | "~" | "~>" | "^") {
            let next = tokens
                .next()
                .ok_or_else(|| RequirementError::MissingVersion {
                    requirement: token.to_owned(),
                })?;
            joined = format!("{token}{next}");
            joined.as_str()
        } else {
            token
        };
        set = set.intersection(&comparator_versions(comparator)?);
    }
    Ok(set)
}

/// A partial version: `1`, `1.2`, `1.x`, `*`, `1.2.3-beta+build` (`None` parts are `x`).
#[derive(Debug)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    /// The full version when all three numbers are given.
    full: Option<Version>,
    /// A number follows an `x` (`1.x.2`, `*.1`): node-semver (7.7 on) refuses that in a plain
    /// x-range, but reads it after `^` and `~` and in hyphen ranges as if the number were `x`.
    number_after_x: bool,
}

impl Partial {
    fn read(text: &str, comparator: &str) -> Result<Partial, RequirementError> {
        let unsupported = |reason| RequirementError::Unsupported {
            requirement: comparator.to_owned(),
            reason,
        };
        let body = text.strip_prefix('v').unwrap_or(text);
        if body.is_empty() {
            return Err(RequirementError::MissingVersion {
                requirement: comparator.to_owned(),
            });
        }
        // The pre-release and build start at the first `-` or `+`; only a full version has them.
        let core_end = body.find(['-', '+']).unwrap_or(body.len());
        let (core, qualifier) = body.split_at(core_end);
        let mut parts = [None; 3];
        let mut count = 0;
        let mut seen_x = false;
        let mut number_after_x = false;
        for (index, part) in core.split('.').enumerate() {
            let slot = parts
                .get_mut(index)
                .ok_or_else(|| unsupported("a version has at most three numbers"))?;
            *slot = match part {
                "x" | "X" | "*" => {
                    seen_x = true;
                    None
                }
                digits if is_numeric_identifier(digits) => {
                    number_after_x |= seen_x;
                    Some(
                        digits
                            .parse::<u64>()
                            .map_err(|_| unsupported("a version number is too large"))?,
                    )
                }
                _ => return Err(unsupported("a version part is neither a number nor `x`")),
            };
            count = index + 1;
        }
        // node-semver's `isX`: a part after an `x` counts as `x` too (`1.x.3` is `1.x`).
        let [major, minor, patch] = parts;
        let minor = major.and(minor);
        let patch = minor.and(patch);
        if !qualifier.is_empty() && count < 3 {
            return Err(unsupported("a pre-release needs all three version numbers"));
        }
        let full = match patch {
            // Parsed without the `v`, so that events spell the version as npm prints it.
            Some(_) => Some(parse_version(Scheme::Npm, body, comparator)?),
            None => {
                if !qualifier.is_empty() {
                    // node-semver checks the syntax of a pre-release on `1.2.x-beta`, then
                    // ignores it.
                    NpmVersion::parse(&format!("0.0.0{qualifier}")).map_err(|source| {
                        RequirementError::InvalidVersion {
                            requirement: comparator.to_owned(),
                            source,
                        }
                    })?;
                }
                None
            }
        };
        Ok(Partial {
            major,
            minor,
            patch,
            full,
            number_after_x,
        })
    }
}

/// node-semver's `NUMERICIDENTIFIER`: `0` or digits without a leading zero.
fn is_numeric_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

/// Builds `major.minor.patch` plus `suffix` (`""` or `"-0"`) as an npm version.
fn npm(
    major: u64,
    minor: u64,
    patch: u64,
    suffix: &str,
    comparator: &str,
) -> Result<Version, RequirementError> {
    parse_version(
        Scheme::Npm,
        &format!("{major}.{minor}.{patch}{suffix}"),
        comparator,
    )
}

/// `n + 1`, or an error naming the comparator when it overflows.
fn next(number: u64, comparator: &str) -> Result<u64, RequirementError> {
    number
        .checked_add(1)
        .ok_or_else(|| RequirementError::Unsupported {
            requirement: comparator.to_owned(),
            reason: "a version number is too large",
        })
}

/// `>= low` and `< high-0` (the desugared form of x-ranges, tildes and carets).
fn from_below(low: Version, high: Version) -> VersionSet {
    VersionSet::between(Cut::Below(low), Cut::Below(high))
}

/// One comparator, desugared as node-semver's `replaceCaret`, `replaceTilde` and
/// `replaceXRange` do (without `includePrerelease`).
fn comparator_versions(comparator: &str) -> Result<VersionSet, RequirementError> {
    const OPERATORS: [&str; 8] = ["~>", "~", "^", ">=", "<=", ">", "<", "="];
    let (operator, rest) = OPERATORS
        .iter()
        .find_map(|operator| {
            comparator
                .strip_prefix(operator)
                .map(|rest| (*operator, rest))
        })
        .unwrap_or(("", comparator));
    let partial = Partial::read(rest, comparator)?;
    let Partial {
        major,
        minor,
        patch,
        full,
        number_after_x,
    } = partial;
    let c = comparator;
    match operator {
        "~" | "~>" => Ok(match (major, minor, full) {
            (None, _, _) => VersionSet::all(),
            (Some(m), None, _) => {
                from_below(npm(m, 0, 0, "", c)?, npm(next(m, c)?, 0, 0, "-0", c)?)
            }
            (Some(m), Some(n), None) => {
                from_below(npm(m, n, 0, "", c)?, npm(m, next(n, c)?, 0, "-0", c)?)
            }
            (Some(m), Some(n), Some(version)) => {
                from_below(version, npm(m, next(n, c)?, 0, "-0", c)?)
            }
        }),
        "^" => Ok(match (major, minor, full) {
            (None, _, _) => VersionSet::all(),
            (Some(m), None, _) => {
                from_below(npm(m, 0, 0, "", c)?, npm(next(m, c)?, 0, 0, "-0", c)?)
            }
            (Some(0), Some(n), None) => {
                from_below(npm(0, n, 0, "", c)?, npm(0, next(n, c)?, 0, "-0", c)?)
            }
            (Some(m), Some(n), None) => {
                from_below(npm(m, n, 0, "", c)?, npm(next(m, c)?, 0, 0, "-0", c)?)
            }
            (Some(0), Some(0), Some(version)) => {
                let patch = patch.unwrap_or_default();
                from_below(version, npm(0, 0, next(patch, c)?, "-0", c)?)
            }
            (Some(0), Some(n), Some(version)) => {
                from_below(version, npm(0, next(n, c)?, 0, "-0", c)?)
            }
            (Some(m), Some(_), Some(version)) => {
                from_below(version, npm(next(m, c)?, 0, 0, "-0", c)?)
            }
        }),
        _ if number_after_x => Err(RequirementError::Unsupported {
            requirement: c.to_owned(),
            reason: "a number follows an `x`",
        }),
        _ => x_range(operator, major, minor, full, c),
    }
}

/// node-semver's `replaceXRange`, and plain comparators when nothing is `x`.
fn x_range(
    operator: &str,
    major: Option<u64>,
    minor: Option<u64>,
    full: Option<Version>,
    c: &str,
) -> Result<VersionSet, RequirementError> {
    if let Some(version) = full {
        return Ok(match operator {
            ">=" => VersionSet::at_least(version),
            ">" => VersionSet::greater_than(version),
            "<=" => VersionSet::at_most(version),
            "<" => VersionSet::less_than(version),
            _ => VersionSet::exactly(version),
        });
    }
    let Some(m) = major else {
        // `>*` and `<*` match nothing, everything else with `*` everything.
        return Ok(if matches!(operator, ">" | "<") {
            VersionSet::empty()
        } else {
            VersionSet::all()
        });
    };
    Ok(match (operator, minor) {
        ("" | "=", None) => from_below(npm(m, 0, 0, "", c)?, npm(next(m, c)?, 0, 0, "-0", c)?),
        ("" | "=", Some(n)) => from_below(npm(m, n, 0, "", c)?, npm(m, next(n, c)?, 0, "-0", c)?),
        (">=", minor) => VersionSet::at_least(npm(m, minor.unwrap_or(0), 0, "", c)?),
        (">", None) => VersionSet::at_least(npm(next(m, c)?, 0, 0, "", c)?),
        (">", Some(n)) => VersionSet::at_least(npm(m, next(n, c)?, 0, "", c)?),
        ("<", minor) => VersionSet::less_than(npm(m, minor.unwrap_or(0), 0, "-0", c)?),
        ("<=", None) => VersionSet::less_than(npm(next(m, c)?, 0, 0, "-0", c)?),
        ("<=", Some(n)) => VersionSet::less_than(npm(m, next(n, c)?, 0, "-0", c)?),
        _ => {
            return Err(RequirementError::Unsupported {
                requirement: c.to_owned(),
                reason: "unknown operator",
            });
        }
    })
}

/// node-semver's `replaceHyphen`: `1.2.3 - 2.3.4` is `>=1.2.3 <=2.3.4`, a partial lower end is
/// padded with zeros and a partial upper end covers everything it names.
fn hyphen(from: &str, to: &str, text: &str) -> Result<VersionSet, RequirementError> {
    let low = Partial::read(from, text)?;
    let high = Partial::read(to, text)?;
    let start = match (low.major, low.minor, low.full) {
        (None, _, _) => Cut::Bottom,
        (Some(m), None, _) => Cut::Below(npm(m, 0, 0, "", text)?),
        (Some(m), Some(n), None) => Cut::Below(npm(m, n, 0, "", text)?),
        (Some(_), Some(_), Some(version)) => Cut::Below(version),
    };
    let end = match (high.major, high.minor, high.full) {
        (None, _, _) => Cut::Top,
        (Some(m), None, _) => Cut::Below(npm(next(m, text)?, 0, 0, "-0", text)?),
        (Some(m), Some(n), None) => Cut::Below(npm(m, next(n, text)?, 0, "-0", text)?),
        (Some(_), Some(_), Some(version)) => Cut::Above(version),
    };
    Ok(VersionSet::between(start, end))
}

#[cfg(test)]
mod tests {
    use qm_version::{NpmRange, NpmRangeOptions};

    use super::*;

    fn events(range: &str) -> Vec<String> {
        npm_range(range)
            .unwrap()
            .to_osv()
            .ranges
            .ranges
            .iter()
            .flat_map(|range| range.events.iter())
            .map(|e| format!("{}:{}", e.key(), e.version()))
            .collect()
    }

    #[test]
    fn ranges_desugar_like_node_semver() {
        let cases: &[(&str, &[&str])] = &[
            ("<=1.5.1", &["introduced:0", "last_affected:1.5.1"]),
            ("< 1.2.3", &["introduced:0", "fixed:1.2.3"]),
            ("*", &["introduced:0"]),
            ("", &["introduced:0"]),
            (">1.2.3", &["introduced:1.2.4-0"]),
            (
                ">=1.0.0 <1.2.3 || >=2.0.0 <2.0.4",
                &[
                    "introduced:1.0.0",
                    "fixed:1.2.3",
                    "introduced:2.0.0",
                    "fixed:2.0.4",
                ],
            ),
            (
                "1.2.x || 2.x",
                &[
                    "introduced:1.2.0",
                    "fixed:1.3.0-0",
                    "introduced:2.0.0",
                    "fixed:3.0.0-0",
                ],
            ),
            ("~1.2.3", &["introduced:1.2.3", "fixed:1.3.0-0"]),
            ("~> 1.2", &["introduced:1.2.0", "fixed:1.3.0-0"]),
            ("~1", &["introduced:1.0.0", "fixed:2.0.0-0"]),
            ("^1.2.3", &["introduced:1.2.3", "fixed:2.0.0-0"]),
            ("^0.2.3", &["introduced:0.2.3", "fixed:0.3.0-0"]),
            ("^0.0.3", &["introduced:0.0.3", "fixed:0.0.4-0"]),
            ("^0.0", &["introduced:0.0.0", "fixed:0.1.0-0"]),
            (
                "^1.2.3-beta.2",
                &["introduced:1.2.3-beta.2", "fixed:2.0.0-0"],
            ),
            (
                "1.2.3 - 2.3.4",
                &["introduced:1.2.3", "last_affected:2.3.4"],
            ),
            ("1.2 - 2.3", &["introduced:1.2.0", "fixed:2.4.0-0"]),
            ("1.2.3 - 2", &["introduced:1.2.3", "fixed:3.0.0-0"]),
            ("<= 1.2", &["introduced:0", "fixed:1.3.0-0"]),
            ("<1.2", &["introduced:0", "fixed:1.2.0-0"]),
            (">1.2", &["introduced:1.3.0"]),
            (">=1", &["introduced:1.0.0"]),
            (
                "=1.0.0-rc.1",
                &["introduced:1.0.0-rc.1", "last_affected:1.0.0-rc.1"],
            ),
            (
                "<=v2.0.0-alpha1",
                &["introduced:0", "last_affected:2.0.0-alpha1"],
            ),
            (">x", &[]),
            ("<1.0.0 || >=1.0.0", &["introduced:0"]),
            ("<1.2.3 || > 1.0.0 <1.4.0", &["introduced:0", "fixed:1.4.0"]),
            // After `^` and `~`, and in hyphen ranges, a number after an `x` is an `x`.
            ("^1.x.2", &["introduced:1.0.0", "fixed:2.0.0-0"]),
            ("1.x.2 - 2", &["introduced:1.0.0", "fixed:3.0.0-0"]),
        ];
        for (range, expected) in cases {
            assert_eq!(events(range), *expected, "{range}");
        }
    }

    #[test]
    fn invalid_ranges_are_errors() {
        for bad in [
            "1.2.3.4",
            ">=01.2.3",
            "1.2-beta",
            "latest",
            ">=",
            "1.2.3 - ",
            "1 - 2 - 3",
            "^",
            "1.x.2",
            "*.1",
            ">=x.x.1",
        ] {
            assert!(npm_range(bad).is_err(), "{bad:?}");
            // node-semver refuses them too, so skipping them loses nothing npm would read.
            assert!(
                NpmRange::parse(bad, NpmRangeOptions::default()).is_err(),
                "{bad:?}"
            );
        }
    }

    const BASSMASTER: &str = r#"{
      "id": 1, "created_at": "2015-10-17", "updated_at": "2016-04-28",
      "title": "Arbitrary JavaScript Execution", "module_name": "bassmaster",
      "publish_date": "2014-09-27", "cves": ["CVE-2014-7205"],
      "vulnerable_versions": "<=1.5.1", "patched_versions": ">=1.5.2",
      "overview": "Eval.", "recommendation": "Update.",
      "references": ["https://www.npmjs.org/package/bassmaster"],
      "cvss_vector": null, "cvss_score": 6.5
    }"#;

    #[test]
    fn advisories_become_osv_records() {
        let advisory = read_advisory(BASSMASTER.as_bytes()).unwrap();
        assert_eq!(advisory.id, "NSWG-ECO-1");
        assert_eq!(advisory.aliases, ["CVE-2014-7205"]);
        assert_eq!(
            advisory.published.unwrap().to_string(),
            "2014-09-27T00:00:00Z"
        );
        assert_eq!(
            advisory.modified.unwrap().to_string(),
            "2016-04-28T00:00:00Z"
        );
        assert_eq!(
            advisory.details.as_deref(),
            Some("Eval.\n\n## Recommendation\n\nUpdate.")
        );
        assert_eq!(advisory.severities[0].rating(), qm_model::Rating::Medium);
        assert_eq!(advisory.affected[0].package.to_string(), "npm/bassmaster");
        assert_eq!(advisory.references[0].kind, "WEB");
    }

    #[test]
    fn malformed_records_are_refused_with_a_reason() {
        let cases = [
            (
                BASSMASTER.replace("\"<=1.5.1\"", "\"<=1.5.one\""),
                "`vulnerable_versions`",
            ),
            (
                BASSMASTER.replace("\"<=1.5.1\"", "null"),
                "no `vulnerable_versions`",
            ),
            (
                BASSMASTER.replace("\"id\": 1", "\"id\": null"),
                "`id` is not a number",
            ),
            (
                BASSMASTER.replace("\"bassmaster\",", "\" \","),
                "`module_name` is empty",
            ),
            ("[]".to_owned(), "not a security-wg npm advisory"),
        ];
        for (text, expected) in cases {
            let reason = read_advisory(text.as_bytes()).unwrap_err();
            assert!(reason.contains(expected), "{text}: {reason}");
        }
    }
}
