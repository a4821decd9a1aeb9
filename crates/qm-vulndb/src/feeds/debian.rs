//! Debian's own verdicts on its packages, from the two formats of the Debian security tracker.
//!
//! - The JSON export (`https://security-tracker.debian.org/tracker/data/json`): source package
//!   → issue id (`CVE-…`, `TEMP-…`) → release code name → status. One advisory per issue id
//!   (source `debian-tracker`), merging every source package and release that names it, with
//!   one affected entry per (source package, release).
//! - The DSA, DLA and DTSA list files of the tracker repository (`data/DSA/list`, …): one
//!   advisory per announcement (source `debian-dsa`, `debian-dla` or `debian-dtsa`, from the
//!   id), its CVEs as aliases, its date as `published`, one affected entry per
//!   `[release] - source-package version` line.
//!
//! Facts are keyed by (Debian, release, *source* package): matching must map binary packages
//! to their source first. Ranges are `ECOSYSTEM` ranges of dpkg versions, and each affected
//! entry carries Debian's verdict as its status:
//!
//! - `resolved` with `fixed_version` V, or a list line `- pkg V`: `Fixed`, range `0` → fixed V.
//! - `resolved` with `fixed_version` `0`, or `<not-affected>`: `NotAffected`, *no ranges at all*.
//! - `open`, or `<unfixed>`: `Unfixed`, range from `0` with no fix; likewise, with the same
//!   range, `open` with urgency `end-of-life` (or `<end-of-life>`, `<removed>`): `EndOfLife`;
//!   urgency `unimportant`: `Unimportant`; `nodsa` set (or `<no-dsa>`): `NoDsa`, or `Postponed`
//!   / `Ignored` when `nodsa_reason` says so (`<postponed>`, `<ignored>`).
//! - `undetermined`: `Undetermined`, range from `0` with no fix.
//!
//! A not-affected entry has *no* ranges, so range evaluation finds no version affected; the
//! status says why.
//!
//! Surprises:
//! - Releases are code names. [`PackageKey::new`] turns those it knows into numbers (`bookworm`
//!   → `12`) and keeps the others as written (`sid`, `experimental`, `woody`).
//! - Urgencies are per release, so the severity sits on each affected entry, never on the
//!   advisory. A trailing `*` (`low**`) marks an urgency set automatically: it is stripped for the
//!   rating and kept in the label. `not yet assigned` and `end-of-life` rate nothing, so give no
//!   severity; `unimportant` is [`Rating::None`].
//! - An issue's `releases` may be an empty JSON array instead of an object (the export writes
//!   empty maps that way); the issue is kept, with no affected entry from that package.
//! - The export is about 70 MB: it is read as a stream, one source package at a time. A file
//!   that is not valid JSON is lost as a whole; a malformed issue or release is skipped alone.
//! - List headers date entries `[01 Aug 2002]` (DSA, DLA) or `[August 26th, 2005]` (DTSA).
//!   Parenthesised notes after a version hold bug numbers (kept as references) and, in DTSA
//!   entries, the urgency (kept as the severity). `NOTE:` lines are comments.
//! - A list entry with any line we cannot read is skipped as a whole, with its line number: a
//!   half-read announcement could claim fewer releases than it fixed.

use std::collections::BTreeMap;
use std::fmt;

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, DistroStatus, Ecosystem, PackageKey, Rating,
    Reference, Severity, Timestamp,
};
use qm_version::Scheme;
use serde::Deserialize;
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde_json::Value as Json;

use crate::ingest::Sink;

/// The source name of advisories read from the tracker's JSON export.
const TRACKER_SOURCE: &str = "debian-tracker";

/// The tracker's page for an issue or announcement id.
const TRACKER_URL: &str = "https://security-tracker.debian.org/tracker/";

/// Debian's bug tracker, for `debianbug` numbers and `bug #N` notes.
const BUG_URL: &str = "https://bugs.debian.org/";

/// Reads one tracker export or one DSA/DLA/DTSA list file into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if first == Some(&b'{') {
        parse_tracker(file, bytes, sink);
        return;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_list(file, text, sink),
        Err(error) => sink.skip(
            "debian-dsa",
            file,
            format!("not a DSA/DLA/DTSA list: not UTF-8 ({error})"),
        ),
    }
}

/// A fresh advisory of `source` with the tracker's page for `id` as its reference.
fn new_advisory(id: &str, source: &str) -> Advisory {
    Advisory {
        id: id.to_owned(),
        source: source.to_owned(),
        aliases: Vec::new(),
        related: Vec::new(),
        summary: None,
        details: None,
        severities: Vec::new(),
        published: None,
        modified: None,
        informational: None,
        withdrawn: None,
        references: vec![Reference {
            kind: "ADVISORY".to_owned(),
            url: format!("{TRACKER_URL}{id}"),
        }],
        affected: Vec::new(),
    }
}

/// Adds a link to Debian bug `number`, once.
fn add_bug_reference(advisory: &mut Advisory, number: u64) {
    let url = format!("{BUG_URL}{number}");
    if !advisory
        .references
        .iter()
        .any(|reference| reference.url == url)
    {
        advisory.references.push(Reference {
            kind: "REPORT".to_owned(),
            url,
        });
    }
}

/// A Debian urgency as a severity: `low**` rates low, `high (security)` rates high;
/// `not yet assigned` and `end-of-life` rate nothing.
fn urgency_severity(label: &str) -> Option<Severity> {
    let label = label.trim();
    let word = label
        .split('(')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_end_matches('*')
        .trim();
    match word.to_ascii_lowercase().as_str() {
        "" | "not yet assigned" | "end-of-life" => None,
        word => Some(Severity::Rating {
            source: "debian".to_owned(),
            rating: Rating::from_label(word),
            label: label.to_owned(),
        }),
    }
}

/// The ranges that go with a status: none when not affected, `0` up to the fix when fixed,
/// and every version otherwise.
fn ranges_for(status: DistroStatus, fixed: Option<&str>) -> AffectedRanges {
    match status {
        DistroStatus::NotAffected => AffectedRanges::default(),
        DistroStatus::Fixed => AffectedRanges::introduced_fixed("0", fixed),
        _ => AffectedRanges::introduced_fixed("0", None),
    }
}

/// Checks that `version` is a dpkg version.
fn check_version(version: &str) -> Result<(), String> {
    Scheme::Dpkg
        .parse(version)
        .map(|_| ())
        .map_err(|error| error.to_string())
}

// ---------------------------------------------------------------------------------------------
// The JSON export
// ---------------------------------------------------------------------------------------------

/// Advisories being merged from a tracker export, by issue id, and the problems met.
#[derive(Default)]
struct Tracker {
    advisories: BTreeMap<String, Advisory>,
    problems: Vec<String>,
}

fn parse_tracker(file: &str, bytes: &[u8], sink: &mut Sink) {
    let mut tracker = Tracker::default();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let read = TrackerSeed(&mut tracker)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    if let Err(error) = read {
        sink.skip(
            TRACKER_SOURCE,
            file,
            format!("not a readable tracker export: {error}"),
        );
        return;
    }
    for reason in tracker.problems {
        sink.skip(TRACKER_SOURCE, file, reason);
    }
    for advisory in tracker.advisories.into_values() {
        sink.push(advisory);
    }
}

/// Reads the top-level map one source package at a time, so the whole export is never held
/// as a JSON tree.
struct TrackerSeed<'a>(&'a mut Tracker);

impl<'de> DeserializeSeed<'de> for TrackerSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TrackerSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map from source package to its issues")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<String>()? {
            let issues = map.next_value::<Json>()?;
            self.0.read_package(&package, issues);
        }
        Ok(())
    }
}

/// One issue of one source package, as the export writes it.
#[derive(Deserialize)]
struct RawIssue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    debianbug: Option<Json>,
    #[serde(default)]
    releases: Option<Json>,
}

/// One release's verdict on one issue.
#[derive(Deserialize)]
struct RawRelease {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    /// The reason text when no DSA will be issued (`Minor issue`); its presence is what counts.
    #[serde(default)]
    nodsa: Option<Json>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

impl Tracker {
    fn read_package(&mut self, package: &str, issues: Json) {
        let package = package.trim();
        let Json::Object(issues) = issues else {
            self.problems.push(format!(
                "source package `{package}`: issues are not a JSON object"
            ));
            return;
        };
        if package.is_empty() {
            self.problems.push(format!(
                "{} issues under an empty source package name",
                issues.len()
            ));
            return;
        }
        for (id, issue) in issues {
            let id = id.trim();
            if id.is_empty() {
                self.problems.push(format!(
                    "source package `{package}`: an issue without an id"
                ));
                continue;
            }
            match serde_json::from_value::<RawIssue>(issue) {
                Ok(issue) => self.read_issue(package, id, issue),
                Err(error) => self
                    .problems
                    .push(format!("`{id}` in `{package}`: {error}")),
            }
        }
    }

    fn read_issue(&mut self, package: &str, id: &str, issue: RawIssue) {
        let advisory = self
            .advisories
            .entry(id.to_owned())
            .or_insert_with(|| new_advisory(id, TRACKER_SOURCE));
        if advisory.summary.is_none() {
            advisory.summary = issue
                .description
                .as_deref()
                .map(str::trim)
                .filter(|description| !description.is_empty())
                .map(str::to_owned);
        }
        if let Some(number) = issue.debianbug.as_ref().and_then(bug_number) {
            add_bug_reference(advisory, number);
        }
        let releases = match issue.releases {
            Some(Json::Object(releases)) => releases,
            // The export writes an empty map as `[]`.
            None | Some(Json::Null) => return,
            Some(Json::Array(list)) if list.is_empty() => return,
            Some(_) => {
                self.problems.push(format!(
                    "`{id}` in `{package}`: `releases` is not a JSON object"
                ));
                return;
            }
        };
        for (codename, release) in releases {
            let codename = codename.trim();
            let read = if codename.is_empty() {
                Err("a release without a code name".to_owned())
            } else {
                serde_json::from_value::<RawRelease>(release)
                    .map_err(|error| error.to_string())
                    .and_then(|release| tracker_affected(package, codename, &release))
            };
            match read {
                Ok(affected) => advisory.affected.push(affected),
                Err(reason) => self.problems.push(format!(
                    "`{id}` in `{package}`, release `{codename}`: {reason}"
                )),
            }
        }
    }
}

/// A `debianbug` number, written as a number or a string.
fn bug_number(value: &Json) -> Option<u64> {
    match value {
        Json::Number(number) => number.as_u64(),
        Json::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// One release's verdict as an affected entry.
fn tracker_affected(
    package: &str,
    codename: &str,
    release: &RawRelease,
) -> Result<AffectedPackage, String> {
    let urgency = release.urgency.as_deref().unwrap_or_default().trim();
    let fixed = release
        .fixed_version
        .as_deref()
        .map(str::trim)
        .filter(|fixed| !fixed.is_empty());
    let status = match release.status.as_deref().unwrap_or_default().trim() {
        "resolved" => match fixed {
            Some("0") => DistroStatus::NotAffected,
            Some(version) => {
                check_version(version)?;
                DistroStatus::Fixed
            }
            None => return Err("resolved without a `fixed_version`".to_owned()),
        },
        "open" => open_status(urgency, release),
        "undetermined" => DistroStatus::Undetermined,
        "" => return Err("no `status`".to_owned()),
        other => return Err(format!("unknown status `{other}`")),
    };
    Ok(AffectedPackage {
        package: PackageKey::new(Ecosystem::Debian, Some(codename), package),
        purl: None,
        ranges: ranges_for(status, fixed),
        status: Some(status),
        severity: urgency_severity(urgency),
    })
}

/// Why an open issue is still open: end of life and unimportant come from the urgency, the
/// no-DSA decisions from `nodsa` and `nodsa_reason`.
fn open_status(urgency: &str, release: &RawRelease) -> DistroStatus {
    let reason = release.nodsa_reason.as_deref().unwrap_or_default().trim();
    let nodsa = release
        .nodsa
        .as_ref()
        .is_some_and(|nodsa| !matches!(nodsa, Json::Null | Json::Bool(false)));
    match urgency.trim_end_matches('*') {
        "end-of-life" => DistroStatus::EndOfLife,
        "unimportant" => DistroStatus::Unimportant,
        _ => match reason {
            "postponed" => DistroStatus::Postponed,
            "ignored" => DistroStatus::Ignored,
            _ if nodsa || !reason.is_empty() => DistroStatus::NoDsa,
            _ => DistroStatus::Unfixed,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// DSA, DLA and DTSA lists
// ---------------------------------------------------------------------------------------------

/// The source name for an announcement id, from its prefix.
fn list_source(id: &str) -> Option<&'static str> {
    let (prefix, number) = id.split_once('-')?;
    let source = match prefix {
        "DSA" => "debian-dsa",
        "DLA" => "debian-dla",
        "DTSA" => "debian-dtsa",
        _ => return None,
    };
    // `DSA-141` (old) or `DSA-5380-1`.
    let well_formed = number
        .split('-')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        && number.split('-').count() <= 2;
    well_formed.then_some(source)
}

/// One entry of a list file while it is read.
struct ListEntry {
    source: &'static str,
    line: usize,
    /// The advisory, or why the entry is skipped.
    advisory: Result<Advisory, String>,
}

fn parse_list(file: &str, text: &str, sink: &mut Sink) {
    // The source to report unreadable entries under: that of the file's first readable header.
    let file_source = text
        .lines()
        .filter_map(|line| read_header(line).ok())
        .map(|(source, _)| source)
        .next()
        .unwrap_or("debian-dsa");
    let mut current: Option<ListEntry> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        // Headers start in the first column; every other line is indented.
        if line.starts_with('[') {
            finish_entry(current.take(), file, sink);
            current = Some(match read_header(line) {
                Ok((source, advisory)) => ListEntry {
                    source,
                    line: number,
                    advisory: Ok(advisory),
                },
                Err(reason) => ListEntry {
                    source: file_source,
                    line: number,
                    advisory: Err(format!("line {number}: {reason}")),
                },
            });
            continue;
        }
        match current.as_mut() {
            Some(entry) => {
                if let Ok(advisory) = &mut entry.advisory
                    && let Err(reason) = read_body_line(advisory, line.trim())
                {
                    entry.advisory = Err(format!("line {number}: {reason}"));
                }
            }
            None => sink.skip(
                file_source,
                file,
                format!("line {number}: text before the first entry"),
            ),
        }
    }
    finish_entry(current.take(), file, sink);
}

fn finish_entry(entry: Option<ListEntry>, file: &str, sink: &mut Sink) {
    let Some(entry) = entry else {
        return;
    };
    match entry.advisory {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(
            entry.source,
            file,
            format!("entry at line {}: {reason}", entry.line),
        ),
    }
}

/// Reads `[01 Aug 2002] DSA-141 mpack - buffer overflow` into a fresh advisory.
fn read_header(line: &str) -> Result<(&'static str, Advisory), String> {
    let (date, rest) = line
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .ok_or("a header must start with `[date]`")?;
    let rest = rest.trim();
    let (id, summary) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let source = list_source(id)
        .ok_or_else(|| format!("`{id}` is not a DSA, DLA or DTSA id (`DSA-1234-1`)"))?;
    let published = list_date(date).ok_or_else(|| format!("`{date}` is not a date"))?;
    let mut advisory = new_advisory(id, source);
    advisory.published = Some(published);
    let summary = summary.trim();
    if !summary.is_empty() {
        advisory.summary = Some(summary.to_owned());
    }
    Ok((source, advisory))
}

/// Reads `01 Aug 2002` (DSA, DLA) or `August 26th, 2005` (DTSA).
fn list_date(text: &str) -> Option<Timestamp> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year) = match words.as_slice() {
        [day, month, year] if day.starts_with(|c: char| c.is_ascii_digit()) => {
            (*day, *month, *year)
        }
        [month, day, year] => (*day, *month, *year),
        _ => return None,
    };
    let month = month.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|name| month.len() >= 3 && name.starts_with(month.as_str()))?
        .checked_add(1)?;
    let day = day.trim_end_matches(',');
    let day = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| day.strip_suffix(suffix))
        .unwrap_or(day);
    let day: u8 = day.parse().ok()?;
    let year: u16 = year.parse().ok()?;
    // `Timestamp` checks the calendar (no 31 Feb).
    format!("{year:04}-{month:02}-{day:02}").parse().ok()
}

/// Reads one indented line of an entry into its advisory.
fn read_body_line(advisory: &mut Advisory, line: &str) -> Result<(), String> {
    if line.starts_with("NOTE:") {
        return Ok(());
    }
    if let Some(list) = line.strip_prefix('{') {
        let list = list
            .strip_suffix('}')
            .ok_or("a CVE list must end with `}`")?;
        for id in list.split_whitespace() {
            if !advisory.aliases.iter().any(|alias| alias == id) {
                advisory.aliases.push(id.to_owned());
            }
        }
        return Ok(());
    }
    if line.starts_with('[') {
        let affected = read_release_line(advisory, line)?;
        if !advisory.affected.contains(&affected) {
            advisory.affected.push(affected);
        }
        return Ok(());
    }
    Err(format!(
        "`{line}` is neither a CVE list, a `[release] - package version` line nor a note"
    ))
}

/// Reads `[bookworm] - sope 5.8.0-1+deb12u1 (bug #123; high)`.
fn read_release_line(advisory: &mut Advisory, line: &str) -> Result<AffectedPackage, String> {
    let malformed = || format!("`{line}` is not `[release] - package version`");
    let (release, rest) = line
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .ok_or_else(malformed)?;
    let release = release.trim();
    if release.is_empty() || release.contains(char::is_whitespace) {
        return Err(malformed());
    }
    let rest = rest
        .trim_start()
        .strip_prefix('-')
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .ok_or_else(malformed)?
        .trim_start();
    let (package, rest) = rest.split_once(char::is_whitespace).ok_or_else(malformed)?;
    if !is_source_package_name(package) {
        return Err(format!("`{package}` is not a Debian source package name"));
    }
    let rest = rest.trim_start();
    let (version, notes) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let notes = notes.trim();
    let notes = if notes.is_empty() {
        ""
    } else {
        notes
            .strip_prefix('(')
            .and_then(|notes| notes.strip_suffix(')'))
            .ok_or_else(|| format!("`{notes}` after the version is not a `(note)`"))?
    };
    let (status, fixed) = match version {
        "<not-affected>" => (DistroStatus::NotAffected, None),
        "<unfixed>" => (DistroStatus::Unfixed, None),
        "<end-of-life>" | "<removed>" => (DistroStatus::EndOfLife, None),
        "<no-dsa>" => (DistroStatus::NoDsa, None),
        "<postponed>" => (DistroStatus::Postponed, None),
        "<ignored>" => (DistroStatus::Ignored, None),
        tag if tag.starts_with('<') => return Err(format!("unknown state `{tag}`")),
        version => {
            check_version(version)?;
            (DistroStatus::Fixed, Some(version))
        }
    };
    let mut severity = None;
    for note in notes.split(';').map(str::trim) {
        if let Some(number) = note.strip_prefix("bug #") {
            if let Ok(number) = number.trim().parse() {
                add_bug_reference(advisory, number);
            }
        } else if let Some(rating) =
            urgency_severity(note).filter(|rating| rating.rating() != Rating::Unknown)
        {
            severity = Some(rating);
        }
    }
    Ok(AffectedPackage {
        package: PackageKey::new(Ecosystem::Debian, Some(release), package),
        purl: None,
        ranges: ranges_for(status, fixed),
        status: Some(status),
        severity,
    })
}

/// Debian policy 5.6.1: lower-case letters, digits, `+`, `-`, `.`; at least two characters,
/// starting with a letter or digit.
fn is_source_package_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Sink {
        let mut sink = Sink::default();
        parse("test", text.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn urgencies_become_ratings() {
        let cases = [
            ("low", Some(Rating::Low)),
            ("medium**", Some(Rating::Medium)),
            ("high (security)", Some(Rating::High)),
            ("critical", Some(Rating::Critical)),
            ("unimportant", Some(Rating::None)),
            ("not yet assigned", None),
            ("end-of-life", None),
            ("", None),
            ("whatever", Some(Rating::Unknown)),
        ];
        for (label, expected) in cases {
            assert_eq!(
                urgency_severity(label).map(|severity| severity.rating()),
                expected,
                "{label}"
            );
        }
        let Some(Severity::Rating { label, .. }) = urgency_severity("low**") else {
            panic!("low** rates");
        };
        assert_eq!(label, "low**");
    }

    #[test]
    fn tracker_statuses_follow_the_table() {
        let cases = [
            (
                r#"{"status":"resolved","fixed_version":"1.2-3"}"#,
                DistroStatus::Fixed,
            ),
            (
                r#"{"status":"resolved","fixed_version":"0","urgency":"unimportant"}"#,
                DistroStatus::NotAffected,
            ),
            (
                r#"{"status":"open","urgency":"low"}"#,
                DistroStatus::Unfixed,
            ),
            (
                r#"{"status":"open","nodsa":"Minor issue"}"#,
                DistroStatus::NoDsa,
            ),
            (
                r#"{"status":"open","nodsa":"Minor issue","nodsa_reason":"postponed"}"#,
                DistroStatus::Postponed,
            ),
            (
                r#"{"status":"open","nodsa":"x","nodsa_reason":"ignored"}"#,
                DistroStatus::Ignored,
            ),
            (
                r#"{"status":"open","urgency":"end-of-life"}"#,
                DistroStatus::EndOfLife,
            ),
            (
                r#"{"status":"open","urgency":"unimportant"}"#,
                DistroStatus::Unimportant,
            ),
            (r#"{"status":"undetermined"}"#, DistroStatus::Undetermined),
        ];
        for (release, expected) in cases {
            let release: RawRelease = serde_json::from_str(release).unwrap();
            let affected = tracker_affected("pkg", "sid", &release).unwrap();
            assert_eq!(affected.status, Some(expected), "{affected:?}");
            let events = affected
                .ranges
                .ranges
                .iter()
                .map(|range| range.events.len())
                .sum::<usize>();
            let expected_events = match expected {
                DistroStatus::NotAffected => 0,
                DistroStatus::Fixed => 2,
                _ => 1,
            };
            assert_eq!(events, expected_events, "{expected}");
        }
        let refused = [
            r#"{"status":"resolved"}"#,
            r#"{"status":"resolved","fixed_version":"not a version!"}"#,
            r#"{"status":"wontfix"}"#,
            r#"{}"#,
        ];
        for release in refused {
            let raw: RawRelease = serde_json::from_str(release).unwrap();
            assert!(tracker_affected("pkg", "sid", &raw).is_err(), "{release}");
        }
    }

    #[test]
    fn tracker_merges_packages_of_one_issue_and_skips_bad_releases() {
        let sink = read(
            r#"{
              "a": {"CVE-1": {"description": " Text ", "debianbug": 42,
                     "releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1"},
                                  "sid": {"status": "bogus"}}}},
              "b": {"CVE-1": {"releases": {"trixie": {"status": "open"}}},
                    "TEMP-0000000-ABCDEF": {"releases": []}},
              "c": "not an object"
            }"#,
        );
        let ids: Vec<&str> = sink.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-1", "TEMP-0000000-ABCDEF"]);
        let cve = &sink.advisories[0];
        assert_eq!(cve.summary.as_deref(), Some("Text"));
        let keys: Vec<String> = cve.affected.iter().map(|a| a.package.to_string()).collect();
        assert_eq!(keys, ["Debian:12/a", "Debian:13/b"]);
        assert!(
            cve.references
                .iter()
                .any(|r| r.url == "https://bugs.debian.org/42")
        );
        assert_eq!(sink.report.sources[TRACKER_SOURCE].skipped, 2);
    }

    #[test]
    fn broken_json_loses_the_file_only() {
        let sink = read(r#"{"a": {"CVE-1": {"releases": {}}}"#);
        assert!(sink.advisories.is_empty());
        assert_eq!(sink.report.sources[TRACKER_SOURCE].skipped, 1);
    }

    #[test]
    fn list_dates_read_both_styles() {
        let cases = [
            ("01 Aug 2002", Some("2002-08-01T00:00:00Z")),
            ("August 26th, 2005", Some("2005-08-26T00:00:00Z")),
            ("October 3rd, 2007", Some("2007-10-03T00:00:00Z")),
            ("31 Feb 2002", None),
            ("Aug 2002", None),
            ("01 Foo 2002", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                list_date(text).map(|t| t.to_string()).as_deref(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn list_entries_read_releases_states_and_notes() {
        let sink = read(concat!(
            "[12 Jan 2023] DSA-5317-1 chromium - security update\n",
            "\t{CVE-2023-1 CVE-2023-2 }\n",
            "\t[bullseye] - chromium  109.0-1~deb11u1 (bug #1; high)\n",
            "\t[buster] - chromium <not-affected> (Vulnerable code not present)\n",
            "\tNOTE: anything\n",
            "[August 26th, 2005] DTSA-1-1 kismet - various\n",
            "\t[etch] - kismet <end-of-life>\n",
            "[13 Jan 2023] DLA-1-1 broken - update\n",
            "\t[bullseye] - broken not a version!\n",
            "[not a date] DSA-2-1 x - y\n",
        ));
        let ids: Vec<&str> = sink.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["DSA-5317-1", "DTSA-1-1"]);
        let dsa = &sink.advisories[0];
        assert_eq!(dsa.aliases, ["CVE-2023-1", "CVE-2023-2"]);
        assert_eq!(dsa.summary.as_deref(), Some("chromium - security update"));
        assert_eq!(dsa.affected.len(), 2);
        assert_eq!(dsa.affected[0].status, Some(DistroStatus::Fixed));
        assert_eq!(
            dsa.affected[0].severity.as_ref().map(Severity::rating),
            Some(Rating::High)
        );
        assert_eq!(dsa.affected[1].status, Some(DistroStatus::NotAffected));
        assert!(dsa.affected[1].ranges.ranges.is_empty());
        assert_eq!(sink.report.sources["debian-dla"].skipped, 1);
        assert_eq!(sink.report.sources["debian-dsa"].skipped, 1);
        assert_eq!(sink.report.sources["debian-dtsa"].records, 1);
        assert!(sink.report.problems[0].reason.contains("line 9"));
    }

    proptest::proptest! {
        #[test]
        fn lists_never_panic(
            text in "(\\[[^\\]\n]{0,20}\\] (DSA|DLA|DTSA)-[0-9-]{0,6}[^\n]{0,20}\n|\t[\\[{<N][^\n]{0,40}\n|[^\n]{0,20}\n){0,8}"
        ) {
            let _ = read(&text);
        }

        #[test]
        fn trackers_never_panic(
            text in "\\{\"p\": \\{\"CVE-1\": \\{\"releases\": \\{\"sid\": \\{(\"(status|fixed_version|urgency|nodsa|nodsa_reason)\": (\"[a-z0-9.:~+-]{0,8}\"|[0-9]|null|\\[\\]|true), ){0,5}\"x\": 1\\}\\}\\}\\}\\}"
        ) {
            let _ = read(&text);
        }

        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut sink = Sink::default();
            parse("test", &bytes, &mut sink);
        }
    }

    #[test]
    fn list_ids_are_checked() {
        let cases = [
            ("DSA-141", Some("debian-dsa")),
            ("DSA-5380-1", Some("debian-dsa")),
            ("DLA-3380-1", Some("debian-dla")),
            ("DTSA-1-1", Some("debian-dtsa")),
            ("DSA-", None),
            ("DSA-1-2-3", None),
            ("USN-1-1", None),
            ("DSA-12a-1", None),
        ];
        for (id, expected) in cases {
            assert_eq!(list_source(id), expected, "{id}");
        }
    }
}
