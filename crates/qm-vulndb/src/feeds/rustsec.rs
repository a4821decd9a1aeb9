//! RustSec advisories as the `advisory-db` repository keeps them: Markdown whose front matter
//! is a fenced ` ```toml ` block with an `[advisory]` and a `[versions]` table, followed by a
//! `# Title` heading and the description.
//!
//! RustSec states what is *not* affected: `patched` and `unaffected` lists of Cargo version
//! requirements (`>= 1.2.3`, `^0.9.5`, `~1.2`, `< 2`, `=1.0.0`; a comma is AND, the list is
//! OR). OSV states what *is* affected, so the affected versions are the complement of the union
//! of both lists, written as `introduced`/`fixed` events of one `ECOSYSTEM` range (and
//! `last_affected` where the unaffected side starts with an exclusive `>`: such intervals each
//! get their own range, so no range mixes `fixed` and `last_affected`). Bounds are ordered with
//! `qm-version`'s Cargo scheme.
//!
//! Surprises:
//! - Ranges are read by SemVer precedence, as RustSec's own tools and its OSV export do, not
//!   with Cargo's rule that a requirement only matches a pre-release of its own `major.minor.
//!   patch`: `>= 1.2.3` covers `1.3.0-alpha`.
//! - Upper bounds that Cargo derives (`^1.2.3` is `>= 1.2.3, < 2.0.0`, `~1.2` is `< 1.3.0`) are
//!   written with the lowest pre-release, `2.0.0-0`, so pre-releases of the next version are
//!   not covered; the successor of a version for an exclusive lower bound is built the same way
//!   (`> 1.2.3` starts at `1.2.4-0`; after a pre-release `1.2.3-rc.1` comes `1.2.3-rc.1.0`).
//! - Partial versions follow Cargo: `> 0` means `>= 1.0.0` and `<= 1.2` means `< 1.3.0-0`,
//!   where RustSec's OSV export reads `> 0` as `> 0.0.0` (it only matters for the withdrawn
//!   RUSTSEC-2020-0055).
//! - `patched = []` with no `unaffected` means every version is affected (`introduced: "0"`).
//! - The `[affected]` table (functions, `os`, `arch`) is not read yet: a match is by crate and
//!   version only, so advisories limited to one platform or function over-report.
//! - `categories` and `keywords` have no place in the model and are dropped.
//! - Advisories under `rust/<component>/` in the repository are about the Rust toolchain
//!   (`std`, `cargo`, `rustdoc`), not crates: they get the ecosystem `Rust toolchain` so that a
//!   crate named `cargo` is never matched against a compiler advisory. That one decision is
//!   taken from the file's path, as RustSec's own tools do.
//! - The repository's `EXAMPLE_ADVISORY.md` (id `RUSTSEC-0000-0000`) is a template: it is
//!   skipped with that reason.

use std::cmp::Ordering;

use serde::Deserialize;

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, Ecosystem, Event, PackageKey, Range, RangeKind,
    Reference, Timestamp,
};
use qm_version::CargoVersion;

use crate::ingest::Sink;
use crate::severity::from_cvss_vector;

/// The `source` of every RustSec advisory.
const SOURCE: &str = "rustsec";

/// The id of the repository's advisory template.
const TEMPLATE_ID: &str = "RUSTSEC-0000-0000";

/// The ecosystem given to advisories about the Rust toolchain itself.
const TOOLCHAIN_ECOSYSTEM: &str = "Rust toolchain";

/// Reads one RustSec Markdown advisory into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    match read(file, bytes) {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(SOURCE, file, reason),
    }
}

fn read(file: &str, bytes: &[u8]) -> Result<Advisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| format!("not UTF-8: {error}"))?;
    let (front, body) = split_front_matter(text)?;
    // The front matter starts on the file's second line: TOML's line numbers are shifted.
    let raw: RawFront = toml::from_str(front)
        .map_err(|error| format!("invalid TOML front matter (line 1 is the fence): {error}"))?;
    let advisory = raw.advisory;
    let id = advisory.id.trim().to_owned();
    if id.is_empty() {
        return Err("`advisory.id` is empty".into());
    }
    if id == TEMPLATE_ID {
        return Err(format!(
            "{id} is the repository's advisory template, not an advisory"
        ));
    }
    let package = advisory.package.trim();
    if package.is_empty() {
        return Err(format!("{id}: `advisory.package` is empty"));
    }
    let versions = raw
        .versions
        .ok_or_else(|| format!("{id}: no `[versions]` table"))?;
    let ranges = affected_ranges(&versions.patched, &versions.unaffected)
        .map_err(|reason| format!("{id}: {reason}"))?;
    let withdrawn = match advisory.withdrawn.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Timestamp>().map_err(|error| {
            format!("{id}: `withdrawn` cannot be read, so the advisory is not used: {error}")
        })?),
    };

    let toolchain = is_toolchain_path(file);
    let (key, purl) = if toolchain {
        let ecosystem = Ecosystem::Other(TOOLCHAIN_ECOSYSTEM.into());
        (PackageKey::new(ecosystem, None, package), None)
    } else {
        (
            PackageKey::new(Ecosystem::CratesIo, None, package),
            Some(format!("pkg:cargo/{package}")),
        )
    };

    let (heading, description) = split_body(body);
    let summary = non_empty(advisory.title).or(heading);
    let details = non_empty(advisory.description).or(description);

    let mut references = Vec::new();
    if id.starts_with("RUSTSEC-") {
        references.push(Reference {
            kind: "ADVISORY".into(),
            url: format!("https://rustsec.org/advisories/{id}.html"),
        });
    }
    for url in advisory.url.into_iter().chain(advisory.references) {
        let url = url.trim();
        if !url.is_empty() && !references.iter().any(|r| r.url == url) {
            references.push(Reference {
                kind: "WEB".into(),
                url: url.to_owned(),
            });
        }
    }

    Ok(Advisory {
        severities: advisory
            .cvss
            .as_deref()
            .and_then(from_cvss_vector)
            .into_iter()
            .collect(),
        id,
        source: SOURCE.to_owned(),
        aliases: advisory.aliases,
        related: advisory.related,
        summary,
        details,
        published: advisory.date.as_deref().and_then(|date| date.parse().ok()),
        modified: None,
        informational: non_empty(advisory.informational),
        withdrawn,
        references,
        affected: vec![AffectedPackage {
            package: key,
            purl,
            ranges,
            status: None,
            severity: None,
        }],
    })
}

#[derive(Deserialize)]
struct RawFront {
    advisory: RawAdvisory,
    versions: Option<RawVersions>,
}

#[derive(Deserialize)]
struct RawAdvisory {
    id: String,
    package: String,
    date: Option<String>,
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    cvss: Option<String>,
    informational: Option<String>,
    withdrawn: Option<String>,
    // Older advisories kept the title and description in the front matter.
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct RawVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// Splits the text after the opening ` ```toml ` fence into the front matter and the body
/// after the closing fence.
fn split_front_matter(text: &str) -> Result<(&str, &str), String> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let rest = text
        .strip_prefix("```toml")
        .ok_or("does not start with a ```toml front matter")?;
    let rest = rest
        .split_once('\n')
        .map(|(_, rest)| rest)
        .ok_or("the ```toml front matter is not closed")?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "```" {
            let front = rest.get(..offset).unwrap_or_default();
            let body = rest.get(offset + line.len()..).unwrap_or_default();
            return Ok((front, body));
        }
        offset += line.len();
    }
    Err("the ```toml front matter is not closed".into())
}

/// The `# Title` heading (the first non-blank line, when it is one) and the rest of the body.
fn split_body(body: &str) -> (Option<String>, Option<String>) {
    let body = body.trim();
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    match first.trim().strip_prefix("# ") {
        Some(title) => (
            non_empty(Some(title.to_owned())),
            non_empty(Some(rest.to_owned())),
        ),
        None => (None, non_empty(Some(body.to_owned()))),
    }
}

/// Whether the file lies in `rust/<component>/` (toolchain advisories) rather than `crates/`.
fn is_toolchain_path(file: &str) -> bool {
    let parts: Vec<&str> = file.split(['/', '\\', '!']).collect();
    parts.len() >= 3 && parts.get(parts.len() - 3) == Some(&"rust")
}

// ----- Cargo requirements to OSV ranges -----

/// A Cargo version, with its parts kept to build neighbours (`1.2.3` → `1.2.4-0`).
#[derive(Debug, Clone)]
struct Point {
    version: CargoVersion,
    major: u64,
    minor: u64,
    patch: u64,
    pre: Option<String>,
}

impl Point {
    fn new(major: u64, minor: u64, patch: u64, pre: Option<&str>) -> Result<Point, String> {
        let text = match pre {
            Some(pre) => format!("{major}.{minor}.{patch}-{pre}"),
            None => format!("{major}.{minor}.{patch}"),
        };
        let version = CargoVersion::parse(&text).map_err(|error| error.to_string())?;
        Ok(Point {
            version,
            major,
            minor,
            patch,
            pre: pre.map(str::to_owned),
        })
    }

    /// The lowest pre-release of a release: `1.2.0-0`.
    fn lowest(major: u64, minor: u64, patch: u64) -> Result<Point, String> {
        Point::new(major, minor, patch, Some("0"))
    }

    /// The lowest version above this one (build metadata aside): `1.2.3` → `1.2.4-0`,
    /// `1.2.3-rc.1` → `1.2.3-rc.1.0`.
    fn successor(&self) -> Result<Point, String> {
        match &self.pre {
            None => Point::lowest(self.major, self.minor, increment(self.patch)?),
            Some(pre) => Point::new(
                self.major,
                self.minor,
                self.patch,
                Some(&format!("{pre}.0")),
            ),
        }
    }

    fn text(&self) -> String {
        self.version.to_string()
    }
}

fn increment(number: u64) -> Result<u64, String> {
    number
        .checked_add(1)
        .ok_or_else(|| format!("version number {number} is too large"))
}

/// One end of an interval of versions.
#[derive(Debug, Clone)]
enum Bound {
    Unbounded,
    Inclusive(Point),
    Exclusive(Point),
}

/// Orders lower bounds: unbounded first; at one version, inclusive before exclusive.
fn compare_lower(a: &Bound, b: &Bound) -> Ordering {
    match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Ordering::Equal,
        (Bound::Unbounded, _) => Ordering::Less,
        (_, Bound::Unbounded) => Ordering::Greater,
        (Bound::Inclusive(x) | Bound::Exclusive(x), Bound::Inclusive(y) | Bound::Exclusive(y)) => {
            let exclusive = |bound: &Bound| matches!(bound, Bound::Exclusive(_));
            x.version
                .cmp(&y.version)
                .then(exclusive(a).cmp(&exclusive(b)))
        }
    }
}

/// Orders upper bounds: unbounded last; at one version, exclusive before inclusive.
fn compare_upper(a: &Bound, b: &Bound) -> Ordering {
    match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Ordering::Equal,
        (Bound::Unbounded, _) => Ordering::Greater,
        (_, Bound::Unbounded) => Ordering::Less,
        (Bound::Inclusive(x) | Bound::Exclusive(x), Bound::Inclusive(y) | Bound::Exclusive(y)) => {
            let inclusive = |bound: &Bound| matches!(bound, Bound::Inclusive(_));
            x.version
                .cmp(&y.version)
                .then(inclusive(a).cmp(&inclusive(b)))
        }
    }
}

/// A set of consecutive versions.
#[derive(Debug, Clone)]
struct Interval {
    lower: Bound,
    upper: Bound,
}

impl Interval {
    const ALL: Interval = Interval {
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
    };

    fn intersect(self, other: Interval) -> Interval {
        let lower = if compare_lower(&self.lower, &other.lower) == Ordering::Less {
            other.lower
        } else {
            self.lower
        };
        let upper = if compare_upper(&self.upper, &other.upper) == Ordering::Greater {
            other.upper
        } else {
            self.upper
        };
        Interval { lower, upper }
    }

    /// The interval's lowest version, inclusive (`None`: unbounded below).
    fn first(&self) -> Result<Option<Point>, String> {
        match &self.lower {
            Bound::Unbounded => Ok(None),
            Bound::Inclusive(point) => Ok(Some(point.clone())),
            Bound::Exclusive(point) => point.successor().map(Some),
        }
    }

    /// Whether no version (build metadata aside) lies in the interval.
    fn is_empty(&self) -> Result<bool, String> {
        let Some(first) = self.first()? else {
            return Ok(false);
        };
        Ok(match &self.upper {
            Bound::Unbounded => false,
            Bound::Exclusive(end) => first.version >= end.version,
            Bound::Inclusive(end) => first.version > end.version,
        })
    }
}

/// A Cargo comparator operator; a bare version is a caret requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exact,
    Greater,
    GreaterEq,
    Less,
    LessEq,
    Tilde,
    Caret,
}

/// A version as a comparator writes it: minor and patch may be missing (or wildcards).
#[derive(Debug)]
struct Partial<'a> {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Option<&'a str>,
}

fn parse_number(text: &str) -> Result<Option<u64>, String> {
    if matches!(text, "*" | "x" | "X") {
        return Ok(None);
    }
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return Err(format!("`{text}` is not a version number"));
    }
    text.parse::<u64>()
        .map(Some)
        .map_err(|_| format!("version number `{text}` is too large"))
}

fn parse_partial(text: &str) -> Result<Partial<'_>, String> {
    if text.contains('+') {
        return Err(format!(
            "`{text}`: build metadata is not allowed in a requirement"
        ));
    }
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (text, None),
    };
    let mut numbers = Vec::with_capacity(3);
    for part in core.split('.') {
        if numbers.len() == 3 {
            return Err(format!("`{text}` has more than three version numbers"));
        }
        let number = parse_number(part)?;
        // After a wildcard, nothing more precise may follow (`1.*.3`).
        if number.is_some() && numbers.iter().any(Option::is_none) {
            return Err(format!("`{text}` has a number after a wildcard"));
        }
        numbers.push(number);
    }
    let mut numbers = numbers.into_iter().chain(std::iter::repeat(None));
    let (major, minor, patch) = (
        numbers.next().flatten(),
        numbers.next().flatten(),
        numbers.next().flatten(),
    );
    if pre.is_some() && patch.is_none() {
        return Err(format!(
            "`{text}`: a pre-release needs major, minor and patch numbers"
        ));
    }
    Ok(Partial {
        major,
        minor,
        patch,
        pre,
    })
}

/// One comparator (`>= 1.2.3`, `^0.9`, `~1`, `1.*`) as an interval of versions.
fn comparator_interval(text: &str) -> Result<Interval, String> {
    let text = text.trim();
    let operators = [
        (">=", Op::GreaterEq),
        ("<=", Op::LessEq),
        (">", Op::Greater),
        ("<", Op::Less),
        ("=", Op::Exact),
        ("^", Op::Caret),
        ("~", Op::Tilde),
    ];
    let (op, rest) = operators
        .iter()
        .find_map(|(symbol, op)| text.strip_prefix(symbol).map(|rest| (*op, rest)))
        .unwrap_or((Op::Caret, text));
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(format!("`{text}` has no version"));
    }
    let partial = parse_partial(rest)?;
    let wildcard = rest.split('.').any(|part| matches!(part, "*" | "x" | "X"));
    // `1.*` and a bare `1.2` with `=` select every version with those numbers.
    let op = if wildcard && op == Op::Caret {
        Op::Exact
    } else {
        op
    };
    let Some(major) = partial.major else {
        return match op {
            Op::Exact => Ok(Interval::ALL),
            _ => Err(format!("`{text}`: a wildcard cannot follow `{op:?}`")),
        };
    };
    let lowest = || {
        Point::new(
            major,
            partial.minor.unwrap_or(0),
            partial.patch.unwrap_or(0),
            partial.pre,
        )
    };
    // The first version past every version the partial names: `1.2` → `1.3.0-0`, `1` → `2.0.0-0`.
    let past_partial = || match partial.minor {
        Some(minor) if partial.patch.is_none() => Point::lowest(major, increment(minor)?, 0),
        None => Point::lowest(increment(major)?, 0, 0),
        Some(_) => Err(format!("`{text}` names a full version, not a partial one")),
    };
    let full = partial.minor.is_some() && partial.patch.is_some();
    let unbounded = || Bound::Unbounded;
    Ok(match op {
        Op::Exact if full => Interval {
            lower: Bound::Inclusive(lowest()?),
            upper: Bound::Inclusive(lowest()?),
        },
        Op::Exact => Interval {
            lower: Bound::Inclusive(lowest()?),
            upper: Bound::Exclusive(past_partial()?),
        },
        Op::Greater if full => Interval {
            lower: Bound::Exclusive(lowest()?),
            upper: unbounded(),
        },
        Op::Greater => Interval {
            lower: Bound::Inclusive(past_partial()?),
            upper: unbounded(),
        },
        Op::GreaterEq => Interval {
            lower: Bound::Inclusive(lowest()?),
            upper: unbounded(),
        },
        Op::Less => Interval {
            lower: unbounded(),
            upper: Bound::Exclusive(lowest()?),
        },
        Op::LessEq if full => Interval {
            lower: unbounded(),
            upper: Bound::Inclusive(lowest()?),
        },
        Op::LessEq => Interval {
            lower: unbounded(),
            upper: Bound::Exclusive(past_partial()?),
        },
        Op::Tilde => {
            let end = match partial.minor {
                Some(minor) => Point::lowest(major, increment(minor)?, 0)?,
                None => Point::lowest(increment(major)?, 0, 0)?,
            };
            Interval {
                lower: Bound::Inclusive(lowest()?),
                upper: Bound::Exclusive(end),
            }
        }
        Op::Caret => {
            let end = match (major, partial.minor, partial.patch) {
                (0, Some(0), Some(patch)) => Point::lowest(0, 0, increment(patch)?)?,
                (0, Some(minor), _) => Point::lowest(0, increment(minor)?, 0)?,
                (0, None, _) => Point::lowest(1, 0, 0)?,
                (major, _, _) => Point::lowest(increment(major)?, 0, 0)?,
            };
            Interval {
                lower: Bound::Inclusive(lowest()?),
                upper: Bound::Exclusive(end),
            }
        }
    })
}

/// One requirement (comparators joined by commas: all must hold) as an interval.
fn requirement_interval(requirement: &str) -> Result<Interval, String> {
    if requirement.trim().is_empty() {
        return Err("a version requirement is empty".into());
    }
    requirement
        .split(',')
        .map(comparator_interval)
        .try_fold(Interval::ALL, |interval, comparator| {
            Ok(interval.intersect(comparator?))
        })
        .map_err(|reason: String| format!("requirement `{requirement}`: {reason}"))
}

/// The versions neither patched nor unaffected, as OSV ranges.
fn affected_ranges(patched: &[String], unaffected: &[String]) -> Result<AffectedRanges, String> {
    let mut safe = Vec::with_capacity(patched.len() + unaffected.len());
    for requirement in patched.iter().chain(unaffected) {
        let interval = requirement_interval(requirement)?;
        if !interval.is_empty()? {
            safe.push(interval);
        }
    }
    safe.sort_by(|a, b| compare_lower(&a.lower, &b.lower));

    // Walk the safe intervals from the lowest; the gaps between them are affected. `cursor` is
    // where the next affected interval would start, `None` once a safe interval is unbounded
    // above.
    let mut affected = Vec::new();
    let mut cursor = Some(Bound::Unbounded);
    for interval in safe {
        let Some(start) = cursor.take() else {
            break;
        };
        let gap_end = match &interval.lower {
            Bound::Unbounded => None,
            Bound::Inclusive(point) => Some(Bound::Exclusive(point.clone())),
            Bound::Exclusive(point) => Some(Bound::Inclusive(point.clone())),
        };
        if let Some(end) = gap_end {
            let gap = Interval {
                lower: start.clone(),
                upper: end,
            };
            if !gap.is_empty()? {
                affected.push(gap);
            }
        }
        let after = match interval.upper {
            Bound::Unbounded => None,
            Bound::Inclusive(point) => Some(Bound::Exclusive(point)),
            Bound::Exclusive(point) => Some(Bound::Inclusive(point)),
        };
        cursor = match after {
            None => None,
            Some(after) if compare_lower(&after, &start) == Ordering::Greater => Some(after),
            Some(_) => Some(start),
        };
    }
    if let Some(start) = cursor {
        affected.push(Interval {
            lower: start,
            upper: Bound::Unbounded,
        });
    }
    to_osv(&affected)
}

fn to_osv(affected: &[Interval]) -> Result<AffectedRanges, String> {
    let mut intervals = Vec::with_capacity(affected.len());
    for interval in affected {
        let mut events = vec![Event::Introduced(match interval.first()? {
            None => "0".to_owned(),
            Some(point) => point.text(),
        })];
        match &interval.upper {
            Bound::Unbounded => {}
            Bound::Exclusive(point) => events.push(Event::Fixed(point.text())),
            Bound::Inclusive(point) => events.push(Event::LastAffected(point.text())),
        }
        intervals.push(events);
    }
    let range = |events: Vec<Event>| Range {
        kind: RangeKind::Ecosystem,
        repo: None,
        events,
    };
    let mixes_last_affected = intervals
        .iter()
        .flatten()
        .any(|event| matches!(event, Event::LastAffected(_)));
    let ranges = if mixes_last_affected {
        intervals.into_iter().map(range).collect()
    } else if intervals.is_empty() {
        Vec::new()
    } else {
        vec![range(intervals.into_iter().flatten().collect())]
    };
    Ok(AffectedRanges {
        ranges,
        versions: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(patched: &[&str], unaffected: &[&str]) -> Vec<Vec<String>> {
        let own = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let ranges = affected_ranges(&own(patched), &own(unaffected))
            .unwrap_or_else(|reason| panic!("{patched:?} {unaffected:?}: {reason}"));
        ranges
            .ranges
            .iter()
            .map(|range| {
                range
                    .events
                    .iter()
                    .map(|event| format!("{} {}", event.key(), event.version()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn requirements_become_affected_ranges() {
        type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a [&'a str]]);
        let cases: &[Case<'_>] = &[
            (&[], &[], &[&["introduced 0"]]),
            (&[">= 0.14.10"], &[], &[&["introduced 0", "fixed 0.14.10"]]),
            (
                &[">= 1.2.3, < 1.3.0", ">= 1.3.4"],
                &["<= 0.1.2"],
                &[&[
                    "introduced 0.1.3-0",
                    "fixed 1.2.3",
                    "introduced 1.3.0",
                    "fixed 1.3.4",
                ]],
            ),
            (
                &["^0.9.5", ">= 0.10.2"],
                &[],
                &[&[
                    "introduced 0",
                    "fixed 0.9.5",
                    "introduced 0.10.0-0",
                    "fixed 0.10.2",
                ]],
            ),
            (
                &["^0.0.3"],
                &[],
                &[&["introduced 0", "fixed 0.0.3", "introduced 0.0.4-0"]],
            ),
            (
                &["~1.2", ">= 2"],
                &[],
                &[&[
                    "introduced 0",
                    "fixed 1.2.0",
                    "introduced 1.3.0-0",
                    "fixed 2.0.0",
                ]],
            ),
            (
                &["=1.0.0"],
                &[],
                &[&["introduced 0", "fixed 1.0.0", "introduced 1.0.1-0"]],
            ),
            (
                &["> 1.2.3"],
                &["< 1.0.0"],
                &[&["introduced 1.0.0", "last_affected 1.2.3"]],
            ),
            (&[], &["> 0"], &[&["introduced 0", "fixed 1.0.0-0"]]),
            (
                &["1.2.3"],
                &[],
                &[&["introduced 0", "fixed 1.2.3", "introduced 2.0.0-0"]],
            ),
            (
                &[">= 1.0.0-rc.2"],
                &[],
                &[&["introduced 0", "fixed 1.0.0-rc.2"]],
            ),
            // Overlapping and touching requirements merge.
            (&[">= 1.0.0, < 2.0.0", ">= 1.5.0", "< 1.0.0"], &[], &[]),
            (&["<= 1.0.0", "> 1.0.0"], &[], &[]),
            (&["*"], &[], &[]),
            (
                &[">= 2.0.0"],
                &["1.*"],
                &[&[
                    "introduced 0",
                    "fixed 1.0.0",
                    "introduced 2.0.0-0",
                    "fixed 2.0.0",
                ]],
            ),
        ];
        for (patched, unaffected, expected) in cases {
            let got = events(patched, unaffected);
            let expected: Vec<Vec<String>> = expected
                .iter()
                .map(|range| range.iter().map(|e| (*e).to_owned()).collect())
                .collect();
            assert_eq!(
                got, expected,
                "patched {patched:?} unaffected {unaffected:?}"
            );
        }
    }

    #[test]
    fn invalid_requirements_are_errors() {
        for requirement in [
            "",
            ">=",
            ">= 1.2.3.4",
            ">= 01.2.3",
            ">= 1.2-rc.1",
            ">= 1.2.3+build",
            "> *",
            "^18446744073709551615",
            "1.*.3",
            ">= a.b.c",
        ] {
            assert!(
                affected_ranges(&[requirement.to_owned()], &[]).is_err(),
                "{requirement:?}"
            );
        }
    }

    #[test]
    fn markdown_advisory_converts() {
        let text = "```toml\n[advisory]\nid = \"RUSTSEC-2021-0078\"\npackage = \"hyper\"\n\
                    date = \"2021-07-07\"\nurl = \"https://example.invalid/a\"\n\
                    aliases = [\"CVE-2021-32715\"]\n\
                    cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N\"\n\n\
                    [versions]\npatched = [\">= 0.14.10\"]\n```\n\n# Lenient parsing\n\nBody text.\n";
        let advisory = read("crates/hyper/RUSTSEC-2021-0078.md", text.as_bytes()).unwrap();
        assert_eq!(advisory.source, "rustsec");
        assert_eq!(advisory.summary.as_deref(), Some("Lenient parsing"));
        assert_eq!(advisory.details.as_deref(), Some("Body text."));
        assert_eq!(advisory.aliases, ["CVE-2021-32715"]);
        assert_eq!(
            advisory.severities.first().map(|s| s.rating()),
            Some(qm_model::Rating::Medium)
        );
        let package = advisory.affected.first().unwrap();
        assert_eq!(package.package.to_string(), "crates.io/hyper");
        assert_eq!(package.purl.as_deref(), Some("pkg:cargo/hyper"));
        assert_eq!(advisory.references.len(), 2);

        let toolchain = read("advisory-db/rust/std/CVE-2021-29922.md", text.as_bytes()).unwrap();
        assert_eq!(
            toolchain.affected.first().unwrap().package.ecosystem,
            Ecosystem::Other(TOOLCHAIN_ECOSYSTEM.into())
        );
    }

    #[test]
    fn broken_advisories_are_errors() {
        let cases = [
            ("# no front matter", "```toml"),
            ("```toml\n[advisory]\nid = \"X\"\n", "not closed"),
            ("```toml\n[advisory]\nid = 1\n```\n", "TOML"),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-0000-0000\"\npackage = \"x\"\n[versions]\npatched = []\n```\n",
                "template",
            ),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-1\"\npackage = \"x\"\n```\n",
                "[versions]",
            ),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-1\"\npackage = \"x\"\n[versions]\npatched = [\">= x\"]\n```\n",
                "requirement",
            ),
        ];
        for (text, reason) in cases {
            let error = read("f.md", text.as_bytes()).unwrap_err();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }

    proptest::proptest! {
        #[test]
        fn requirements_never_panic(requirement in "[<>=^~ ]{0,3}[0-9*x]{0,3}(\\.[0-9*]{0,3}){0,3}(-[a-z0-9.]{0,5})?(, ?[<>=]{0,2}[0-9.]{0,6})?") {
            let _ = affected_ranges(&[requirement], &[]);
        }

        #[test]
        fn files_never_panic(text in "(```toml\n)?\\PC{0,200}") {
            let mut sink = Sink::default();
            parse("fuzz.md", text.as_bytes(), &mut sink);
        }
    }
}
