//! RubySec (`ruby-advisory-db`) advisories: one YAML file per advisory, `gems/<gem>/<id>.yml`
//! for gems and `rubies/<engine>/<id>.yml` for Ruby interpreters.
//!
//! The feed lists the versions that are *not* affected: `patched_versions` and
//! `unaffected_versions`, each a list of RubyGems requirements (`"~> 4.2.5, >= 4.2.5.1"`: the
//! comma-separated parts of one string must all hold, the list items are alternatives). The
//! affected versions are everything else, computed with the interval algebra of
//! [`intervals`] and emitted as one OSV `ECOSYSTEM` range ordered by `Scheme::RubyGems`.
//!
//! Surprises:
//! - `~> 4.2.5` is `>= 4.2.5` and `release < 4.3`, where `release` drops every pre-release
//!   segment: `4.3.0.rc1` is outside it, `4.2.9.rc1` inside. The versions whose release is below
//!   `4.3` are not "below some version" (RubyGems versions are dense: `4.3.A`, `4.3.A.A`, … go
//!   down forever), so the bound is spelled `4.3.A`, the lowest pre-release a real project
//!   would publish (`A` is the lowest letter). Only absurd versions like `4.3.A.b` fall on the
//!   wrong side. Affected ranges therefore contain events like `introduced: 4.3.A`.
//! - `> 1.2` and the complement of `<= 1.2` start just above a version, which OSV cannot say
//!   for a dense scheme: the range starts at `1.2` itself, so `1.2` is reported although the
//!   feed says it is not affected (see [`intervals`]). In the real feed this happens in 13
//!   advisories (`unaffected_versions: ["<= 1.6.9"]` and the like).
//! - `cvss_v2`, `cvss_v3` and `cvss_v4` are base *scores*, not vectors. A score cannot become a
//!   `Severity::Cvss` (which needs the vector); it becomes a `Severity::Rating` with source
//!   `rubysec`, the score's rating (CVSS v2 has no `critical`: its top band is `high`), and the
//!   label `CVSS v3 7.5`. A vector string, should the feed ever give one, is read as a vector.
//! - The identifier is `CVE-…` when there is a CVE, else `GHSA-…`, else `OSVDB-…`, else the file
//!   stem; the feed writes CVE and GHSA numbers without their prefix. The others become aliases,
//!   and `related` identifiers become related ids. The file name is not the identifier: seven
//!   files are named after a GHSA but carry a CVE.
//! - Interpreter advisories (`engine: ruby`, `jruby`, `mruby`, `mrubyc`, `rbx`, `truffleruby`)
//!   are kept, in the ecosystem `ruby-engine` with the engine as package name: they are not
//!   gems, so a gem named `jruby` must not match them. Their ranges are computed in RubyGems
//!   order like everything else in this feed (`2.6.0-preview1` < `2.6.0`, `2.7.A` bounds), so
//!   whoever evaluates them must use `Scheme::RubyGems`, not the generic fallback
//!   `Scheme::for_ecosystem` gives an unknown ecosystem.
//! - `platform` (a gem affected only on JRuby, say), `framework`, `library` and `notes` are not
//!   kept: the model has no place for them and matching does not need them.
//! - An unreadable `date` loses the date, not the advisory; an unreadable requirement loses the
//!   advisory (it is skipped and reported), since guessing versions would be worse.

mod intervals;

use qm_model::{
    Advisory, AffectedPackage, Ecosystem, PackageKey, Rating, Reference, Severity, Timestamp,
};
use qm_version::Scheme;
use serde_yaml_ng::Value as Yaml;

use crate::ingest::Sink;
pub(crate) use intervals::{
    Cut, MAX_REQUIREMENT_LENGTH, RequirementError, VersionSet, parse_version,
};

/// The `source` of every advisory from this feed.
const SOURCE: &str = "rubysec";

/// The ecosystem of interpreter advisories (`rubies/<engine>/…`).
const ENGINE_ECOSYSTEM: &str = "ruby-engine";

/// Reads one RubySec advisory file into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    match read_advisory(file, bytes) {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(SOURCE, file, reason),
    }
}

fn read_advisory(file: &str, bytes: &[u8]) -> Result<Advisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| format!("not UTF-8: {error}"))?;
    let document: Yaml =
        serde_yaml_ng::from_str(text).map_err(|error| format!("not valid YAML: {error}"))?;
    let Some(fields) = document.as_mapping() else {
        return Err("not a YAML mapping".into());
    };
    let field = |key: &str| fields.get(key).filter(|value| !value.is_null());
    let text_field = |key: &str| field(key).and_then(scalar_text);

    let (ecosystem, name) = match (text_field("gem"), text_field("engine")) {
        (Some(gem), _) => (Ecosystem::RubyGems, gem),
        (None, Some(engine)) => (Ecosystem::Other(ENGINE_ECOSYSTEM.into()), engine),
        (None, None) => return Err("neither `gem` nor `engine` names what is affected".into()),
    };
    if name.trim().is_empty() {
        return Err("the `gem` or `engine` name is empty".into());
    }

    let cve = text_field("cve").map(|number| prefixed("CVE-", &number));
    let ghsa = text_field("ghsa").map(|number| prefixed("GHSA-", &number));
    let osvdb = text_field("osvdb").map(|number| prefixed("OSVDB-", &number));
    let mut identifiers = [cve, ghsa, osvdb].into_iter().flatten();
    let id = identifiers
        .next()
        .unwrap_or_else(|| file_stem(file).to_owned());
    let aliases: Vec<String> = identifiers.collect();

    let affected_versions = not_affected(field("patched_versions"), "patched_versions")?
        .union(&not_affected(
            field("unaffected_versions"),
            "unaffected_versions",
        )?)
        .complement();

    let mut related = Vec::new();
    let mut references = Vec::new();
    if let Some(url) = text_field("url") {
        references.push(Reference {
            kind: "ADVISORY".into(),
            url,
        });
    }
    if let Some(links) = field("related").and_then(Yaml::as_mapping) {
        for (key, values) in links {
            let prefix = match key.as_str() {
                Some("cve") => "CVE-",
                Some("ghsa") => "GHSA-",
                Some("osvdb") => "OSVDB-",
                Some("url") => "",
                _ => continue,
            };
            for value in list_items(values).filter_map(scalar_text) {
                if prefix.is_empty() {
                    references.push(Reference {
                        kind: "WEB".into(),
                        url: value,
                    });
                } else {
                    let related_id = prefixed(prefix, &value);
                    if related_id != id && !aliases.contains(&related_id) {
                        related.push(related_id);
                    }
                }
            }
        }
    }

    let severities = [("cvss_v4", "v4"), ("cvss_v3", "v3"), ("cvss_v2", "v2")]
        .into_iter()
        .filter_map(|(key, version)| field(key).and_then(|value| severity(value, version)))
        .collect();

    Ok(Advisory {
        id,
        source: SOURCE.into(),
        aliases,
        related,
        summary: text_field("title"),
        details: text_field("description"),
        severities,
        published: text_field("date").and_then(|date| date.parse::<Timestamp>().ok()),
        modified: None,
        informational: None,
        withdrawn: None,
        references,
        affected: vec![AffectedPackage {
            package: PackageKey::new(ecosystem, None, &name),
            purl: None,
            ranges: affected_versions.to_osv().ranges,
            status: None,
            severity: None,
        }],
    })
}

/// The versions a `patched_versions` or `unaffected_versions` list covers (none when absent).
fn not_affected(list: Option<&Yaml>, key: &str) -> Result<VersionSet, String> {
    let mut set = VersionSet::empty();
    let Some(list) = list else {
        return Ok(set);
    };
    if !matches!(list, Yaml::Sequence(_) | Yaml::String(_)) {
        return Err(format!("`{key}` is not a list of requirements"));
    }
    for item in list_items(list) {
        let Some(requirement) = scalar_text(item) else {
            return Err(format!("`{key}` holds something that is not a requirement"));
        };
        let requirement_set = gem_requirement(&requirement)
            .map_err(|error| format!("`{key}`: {}", error.with_cause()))?;
        set = set.union(&requirement_set);
    }
    Ok(set)
}

/// The versions satisfying a RubyGems requirement string: comma-separated comparators
/// (`=`, `!=`, `>`, `<`, `>=`, `<=`, `~>`, or none for `=`), all of which must hold.
pub(crate) fn gem_requirement(text: &str) -> Result<VersionSet, RequirementError> {
    if text.len() > MAX_REQUIREMENT_LENGTH {
        return Err(RequirementError::TooLong { length: text.len() });
    }
    let mut set = VersionSet::all();
    for part in text.split(',') {
        set = set.intersection(&gem_comparator(part.trim())?);
    }
    Ok(set)
}

/// One comparator of a RubyGems requirement (`Gem::Requirement::PATTERN`).
fn gem_comparator(part: &str) -> Result<VersionSet, RequirementError> {
    const OPERATORS: [&str; 7] = ["~>", ">=", "<=", "!=", ">", "<", "="];
    let (operator, rest) = OPERATORS
        .iter()
        .find_map(|operator| part.strip_prefix(operator).map(|rest| (*operator, rest)))
        .unwrap_or(("=", part));
    let version = parse_version(Scheme::RubyGems, rest, part)?;
    Ok(match operator {
        ">=" => VersionSet::at_least(version),
        "<=" => VersionSet::at_most(version),
        ">" => VersionSet::greater_than(version),
        "<" => VersionSet::less_than(version),
        "!=" => VersionSet::exactly(version).complement(),
        "~>" => {
            let bound =
                pessimistic_bound(rest.trim()).ok_or_else(|| RequirementError::Unsupported {
                    requirement: part.to_owned(),
                    reason: "its version has no number to bump",
                })?;
            let bound = parse_version(Scheme::RubyGems, &bound, part)?;
            VersionSet::between(Cut::Below(version), Cut::Below(bound))
        }
        _ => VersionSet::exactly(version),
    })
}

/// The spelled upper bound of `~> version`: `Gem::Version#bump` followed by `.A`, the lowest
/// pre-release of the bumped version a real project would publish (see the module docs).
///
/// `bump` drops everything from the first letter segment on, then the last segment unless it
/// is the only one, and adds one to the new last segment: `4.2.5` → `4.3`, `5.3.1.b.2` → `5.4`,
/// `1` → `2`. The text must already be a valid RubyGems version.
fn pessimistic_bound(version: &str) -> Option<String> {
    let mut numbers = release_segments(version);
    if numbers.len() > 1 {
        numbers.pop();
    }
    let last = numbers.pop()?;
    numbers.push(increment_decimal(&last));
    Some(format!("{}.A", numbers.join(".")))
}

/// The numeric segments of a RubyGems version before its first letter segment, without leading
/// zeros (`Gem::Version#segments`, after `-` became `.pre.`, truncated at the first string).
pub(crate) fn release_segments(version: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut rest = version.trim();
    while let Some(first) = rest.chars().next() {
        if first.is_ascii_digit() {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (digits, after) = rest.split_at(end);
            let trimmed = digits.trim_start_matches('0');
            numbers.push(if trimmed.is_empty() { "0" } else { trimmed }.to_owned());
            rest = after;
        } else if first.is_ascii_alphabetic() {
            break;
        } else {
            // Separators (`.`, and `-` which RubyGems reads as `.pre.`, a letter segment next).
            if first == '-' {
                break;
            }
            rest = rest.get(first.len_utf8()..).unwrap_or_default();
        }
    }
    numbers
}

/// Adds one to a string of decimal digits of any length (Ruby integers are unbounded).
fn increment_decimal(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    format!("1{}", String::from_utf8_lossy(&bytes))
}

/// A `cvss_vN` field: a vector string, or (as the feed's schema says) a base score.
fn severity(value: &Yaml, cvss_version: &str) -> Option<Severity> {
    if let Some(severity) = value
        .as_str()
        .and_then(|vector| crate::severity::from_cvss_vector(vector.trim()))
    {
        return Some(severity);
    }
    let score = match value {
        Yaml::Number(number) => number.as_f64(),
        Yaml::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    score_severity(SOURCE, cvss_version, score)
}

/// A severity from a bare CVSS base score (no vector): a rating with the score as its label
/// (`CVSS v3 7.5`; `cvss_version` may be empty when unknown). `None` for a score outside 0–10.
pub(crate) fn score_severity(source: &str, cvss_version: &str, score: f64) -> Option<Severity> {
    if !(0.0..=10.0).contains(&score) {
        return None;
    }
    let mut rating = Rating::from_cvss_score(score);
    // CVSS v2 (NVD's bands) has no critical: 7.0–10.0 is high.
    if cvss_version == "v2" && rating == Rating::Critical {
        rating = Rating::High;
    }
    let label = if cvss_version.is_empty() {
        format!("CVSS {score:.1}")
    } else {
        format!("CVSS {cvss_version} {score:.1}")
    };
    Some(Severity::Rating {
        source: source.into(),
        rating,
        label,
    })
}

/// `2016-0751` → `CVE-2016-0751`; an identifier already prefixed is kept as written.
fn prefixed(prefix: &str, number: &str) -> String {
    let number = number.trim();
    match number.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => number.to_owned(),
        _ => format!("{prefix}{number}"),
    }
}

/// The file name without its directory and extension: `…/gems/rack/CVE-2020-1.yml` →
/// `CVE-2020-1`. Archive members are labelled `archive!member`.
pub(crate) fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\', '!']).next().unwrap_or(file);
    name.rsplit_once('.')
        .map_or(name, |(stem, _extension)| stem)
}

/// The items of a YAML list; a lone scalar counts as a one-item list.
fn list_items(value: &Yaml) -> impl Iterator<Item = &Yaml> {
    let items: &[Yaml] = match value {
        Yaml::Sequence(items) => items,
        Yaml::Null => &[],
        other => std::slice::from_ref(other),
    };
    items.iter()
}

/// A YAML scalar as text: strings as written, numbers and booleans printed (`osvdb: 1234`).
pub(crate) fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.trim().to_owned()),
        Yaml::Number(number) => Some(number.to_string()),
        Yaml::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

/// Whether `version` satisfies `~> bound` exactly as RubyGems decides (`>= bound` and
/// `release < bump`), without the `.A` spelling: used to test [`gem_requirement`].
#[cfg(test)]
fn pessimistic_holds(bound: &str, version: &str) -> bool {
    let parse = |text: &str| Scheme::RubyGems.parse(text).unwrap();
    let mut bumped = release_segments(bound);
    if bumped.len() > 1 {
        bumped.pop();
    }
    let last = bumped.pop().unwrap();
    bumped.push(increment_decimal(&last));
    let release = release_segments(version).join(".");
    let release = if release.is_empty() {
        "0".to_owned()
    } else {
        release
    };
    parse(version) >= parse(bound) && parse(&release) < parse(&bumped.join("."))
}

#[cfg(test)]
mod tests {
    use qm_version::Version;

    use super::*;

    fn gem(text: &str) -> Version {
        Scheme::RubyGems.parse(text).unwrap()
    }

    #[test]
    fn pessimistic_bounds_bump_like_rubygems() {
        let cases = [
            ("4.2.5", "4.3.A"),
            ("5.3.1.b.2", "5.4.A"),
            ("1", "2.A"),
            ("1.9", "2.A"),
            ("4.2.5.1", "4.2.6.A"),
            ("0.0.1", "0.1.A"),
            ("3.2.0-rc", "3.3.A"),
            ("1.09", "2.A"),
            ("2.99", "3.A"),
            ("1.8.6.230", "1.8.7.A"),
            ("9.999", "10.A"),
        ];
        for (version, expected) in cases {
            assert_eq!(
                pessimistic_bound(version).as_deref(),
                Some(expected),
                "{version}"
            );
        }
    }

    #[test]
    fn requirements_read_like_gem_requirement() {
        // (requirement, versions inside, versions outside)
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "~> 4.2.5, >= 4.2.5.1",
                &["4.2.5.1", "4.2.6", "4.2.99.rc1", "4.2.99"],
                &["4.2.5", "4.2.5.1.rc1", "4.3", "4.3.0.rc1", "4.3.A", "5"],
            ),
            (
                "~> 3.2.22.1",
                &["3.2.22.1", "3.2.22.9"],
                &["3.2.22", "3.2.23", "3.2.23.a"],
            ),
            ("~> 1", &["1", "1.99", "1.5.a"], &["0.9", "2", "2.a"]),
            (
                ">= 5.0.0.beta1.1",
                &["5.0.0.beta1.1", "5.0.0", "6"],
                &["5.0.0.beta1"],
            ),
            (
                "> 2.6.0-preview1",
                &["2.6.0-preview2", "2.6.0"],
                &["2.6.0-preview1"],
            ),
            ("!= 1.0", &["0.9", "1.0.1"], &["1.0", "1.0.0"]),
            ("= 2.0.0-alpha", &["2.0.0-alpha"], &["2.0.0", "2.0.0-beta"]),
            ("1.2", &["1.2", "1.2.0"], &["1.2.1"]),
            ("<= 1.4.0", &["1.4", "0.1"], &["1.4.0.1", "1.5"]),
        ];
        for (requirement, inside, outside) in cases {
            let set = gem_requirement(requirement).unwrap();
            for version in *inside {
                assert!(set.contains(&gem(version)), "{version} in {requirement}");
            }
            for version in *outside {
                assert!(
                    !set.contains(&gem(version)),
                    "{version} not in {requirement}"
                );
            }
        }
    }

    #[test]
    fn pessimistic_spelling_differs_only_on_absurd_versions() {
        let set = gem_requirement("~> 4.2.5").unwrap();
        for version in ["4.3.A.A", "4.3.0.A.b"] {
            assert!(set.contains(&gem(version)) && !pessimistic_holds("4.2.5", version));
        }
        for version in ["4.3.A", "4.3.RC1", "4.3.0.a", "4.2.9.Z", "4.3.0"] {
            assert_eq!(
                set.contains(&gem(version)),
                pessimistic_holds("4.2.5", version),
                "{version}"
            );
        }
    }

    #[test]
    fn bad_requirements_are_errors() {
        for bad in ["", ">=", "~> x", ">= 1.0 beta", "=> 1.0", "~>"] {
            assert!(gem_requirement(bad).is_err(), "{bad:?}");
        }
    }

    fn parse_one(text: &str) -> Result<Advisory, String> {
        read_advisory("gems/demo/CVE-2020-0001.yml", text.as_bytes())
    }

    #[test]
    fn advisories_become_osv_records() {
        let advisory = parse_one(
            "gem: demo\ncve: 2020-0001\nghsa: aaaa-bbbb-cccc\nosvdb: 1234\n\
             url: https://example.invalid/a\ntitle: T\ndate: 2020-02-03\ndescription: D\n\
             cvss_v2: 7.5\ncvss_v3: 9.8\n\
             related:\n  cve:\n    - 2020-0002\n  url:\n    - https://example.invalid/b\n\
             unaffected_versions:\n  - \"< 1.0\"\n\
             patched_versions:\n  - \"~> 1.5.2\"\n  - \">= 2.0.1\"\n",
        )
        .unwrap();
        assert_eq!(advisory.id, "CVE-2020-0001");
        assert_eq!(advisory.aliases, ["GHSA-aaaa-bbbb-cccc", "OSVDB-1234"]);
        assert_eq!(advisory.related, ["CVE-2020-0002"]);
        assert_eq!(advisory.references.len(), 2);
        assert_eq!(
            advisory.published.unwrap().to_string(),
            "2020-02-03T00:00:00Z"
        );
        let ratings: Vec<Rating> = advisory.severities.iter().map(Severity::rating).collect();
        assert_eq!(ratings, [Rating::Critical, Rating::High]);
        let package = &advisory.affected[0];
        assert_eq!(package.package.to_string(), "RubyGems/demo");
        let events: Vec<String> = package.ranges.ranges[0]
            .events
            .iter()
            .map(|e| format!("{}:{}", e.key(), e.version()))
            .collect();
        assert_eq!(
            events,
            [
                "introduced:1.0",
                "fixed:1.5.2",
                "introduced:1.6.A",
                "fixed:2.0.1"
            ]
        );
    }

    #[test]
    fn identifiers_fall_back_in_order() {
        let cases = [
            (
                "gem: a\nghsa: xxxx-yyyy-zzzz\nosvdb: 5\nurl: u\n",
                "GHSA-xxxx-yyyy-zzzz",
                vec!["OSVDB-5"],
            ),
            ("gem: a\nosvdb: 5\nurl: u\n", "OSVDB-5", vec![]),
            ("gem: a\nurl: u\n", "CVE-2020-0001", vec![]),
            (
                "engine: jruby\ncve: CVE-2011-4838\nurl: u\n",
                "CVE-2011-4838",
                vec![],
            ),
        ];
        for (text, id, aliases) in cases {
            let advisory = parse_one(text).unwrap();
            assert_eq!(advisory.id, id, "{text}");
            assert_eq!(advisory.aliases, aliases, "{text}");
            // No requirement at all: every version is affected.
            assert_eq!(
                advisory.affected[0].ranges.ranges[0].events,
                [qm_model::Event::Introduced("0".into())]
            );
        }
        let engine = parse_one("engine: jruby\nurl: u\n").unwrap();
        assert_eq!(engine.affected[0].package.to_string(), "ruby-engine/jruby");
    }

    #[test]
    fn malformed_records_are_refused_with_a_reason() {
        let cases = [
            ("- a list\n", "not a YAML mapping"),
            ("url: u\n", "neither `gem` nor `engine`"),
            (
                "gem: a\npatched_versions:\n  - \">= one\"\n",
                "invalid version",
            ),
            ("gem: a\npatched_versions: {a: 1}\n", "not a list"),
            ("gem: a\n\tbad: [\n", "not valid YAML"),
        ];
        for (text, expected) in cases {
            let reason = parse_one(text).unwrap_err();
            assert!(reason.contains(expected), "{text:?}: {reason}");
        }
        assert!(
            read_advisory("x.yml", &[0xff, 0xfe])
                .unwrap_err()
                .contains("UTF-8")
        );
    }

    #[test]
    fn file_stems_drop_folders_and_extensions() {
        let cases = [
            ("a/gems/rack/CVE-2020-1.yml", "CVE-2020-1"),
            ("feed.zip!gems/x/OSVDB-1.yml", "OSVDB-1"),
            ("plain", "plain"),
        ];
        for (file, stem) in cases {
            assert_eq!(file_stem(file), stem);
        }
    }
}
