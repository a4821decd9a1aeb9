//! Evaluation of OSV `affected` entries (OSV schema 1.6): is an installed version affected, and
//! which version fixes it?
//!
//! An OSV `affected` entry lists `ranges` and an explicit `versions` list. The installed
//! version is affected when any `ECOSYSTEM` or `SEMVER` range says so, or when the list names
//! it. Within one range the events are sorted by version (the schema allows any order) and
//! walked from the lowest: `introduced` opens an affected interval at and above its version,
//! `fixed` closes it at its version, `last_affected` closes it just above its version, and
//! `limit` caps the whole range (the version must lie below some limit).
//!
//! Surprises:
//! - `introduced: "0"` means "since the very first version"; it is not a version and is never
//!   parsed. Every range must have an `introduced` event (the schema requires it); a range
//!   without one is an error, not a silently empty range.
//! - `SEMVER` ranges are SemVer 2.0.0. For ecosystems whose own scheme is a SemVer flavour
//!   (npm, crates.io, Go, Hex, pub) that flavour reads them, so Go's `v` prefix and Cargo's
//!   strictness still hold; for others the plain SemVer scheme does.
//! - `GIT` ranges name commits, not versions: they are parsed and counted in
//!   [`Evaluation::git_ranges_skipped`], never used to decide.
//! - The fix offered is the `fixed` event that closes the interval holding the installed
//!   version. When that interval ends in `last_affected` or stays open, the lowest `fixed`
//!   version above the installed one that is itself unaffected is offered instead (a fix on a
//!   later release branch), and `None` when there is none.
//! - Real advisories hold a few event versions their ecosystem cannot parse (PyPA's
//!   `fixed: "2019-09-12"`). [`CompiledAffected::new`] refuses them;
//!   [`CompiledAffected::new_lenient`] drops those events, reports each, and every
//!   [`Evaluation`] that such a range made affected says so in
//!   [`Evaluation::ignored_events`], so the caller can warn instead of guessing silently.
//! - Entries of the `versions` list match by the scheme's equality (`1.0` equals `1.0.0` in
//!   PEP 440); entries that do not parse match only by exact text.

use std::cmp::Ordering;

use qm_model::{AffectedRanges, Event, RangeKind};

use crate::{Scheme, Version, VersionError};

/// Why an `affected` entry could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RangeError {
    /// An event's version does not parse under the range's scheme.
    #[error("range {range}: `{key}` event has an invalid version")]
    InvalidEvent {
        /// Index of the range in `ranges`.
        range: usize,
        /// The event's key (`fixed`, …).
        key: &'static str,
        /// The parse failure.
        #[source]
        source: VersionError,
    },
    /// A version range without an `introduced` event.
    #[error("range {range}: no `introduced` event, so nothing in it can be affected")]
    NoIntroduced {
        /// Index of the range in `ranges`.
        range: usize,
    },
    /// The installed version does not parse under a scheme the ranges need.
    #[error("the installed version is invalid")]
    InvalidInstalled(#[source] VersionError),
}

/// The answer for one installed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Whether the installed version is affected.
    pub affected: bool,
    /// The version to upgrade to (see the module documentation); `None` when not affected or
    /// when no fix is known.
    pub fixed: Option<String>,
    /// `GIT` ranges and ranges of unknown types, which were not used.
    pub git_ranges_skipped: usize,
    /// Events dropped by [`CompiledAffected::new_lenient`] in ranges that found the version
    /// affected: had they parsed, the answer might differ.
    pub ignored_events: usize,
}

/// A bound of a compiled event: `introduced: "0"` is below every version.
#[derive(Debug, Clone)]
enum Bound {
    Zero,
    At(Version),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    // The order breaks ties between events at the same version: an interval opened and
    // closed at one version is closed.
    Introduced,
    LastAffected,
    Fixed,
    Limit,
}

#[derive(Debug, Clone)]
struct CompiledEvent {
    kind: EventKind,
    bound: Bound,
    text: Box<str>,
}

#[derive(Debug, Clone)]
struct CompiledRange {
    scheme: Scheme,
    /// Sorted by version, then by kind.
    events: Vec<CompiledEvent>,
    has_limit: bool,
    /// Events dropped because their version did not parse.
    ignored: usize,
}

/// An `affected` entry with every version parsed and every range sorted, ready to evaluate
/// many installed versions quickly.
#[derive(Debug, Clone)]
pub struct CompiledAffected {
    scheme: Scheme,
    ranges: Vec<CompiledRange>,
    versions: Vec<(Option<Version>, Box<str>)>,
    git_ranges_skipped: usize,
}

/// The scheme that reads a range of `kind` for an ecosystem whose scheme is `scheme`.
fn range_scheme(kind: &RangeKind, scheme: Scheme) -> Option<Scheme> {
    match kind {
        RangeKind::Ecosystem => Some(scheme),
        RangeKind::SemVer => Some(match scheme {
            Scheme::Npm | Scheme::Cargo | Scheme::Go | Scheme::Hex | Scheme::Pub => scheme,
            _ => Scheme::SemVer,
        }),
        RangeKind::Git | RangeKind::Unknown(_) => None,
    }
}

fn compare_bounds(a: &Bound, b: &Bound) -> Ordering {
    match (a, b) {
        (Bound::Zero, Bound::Zero) => Ordering::Equal,
        (Bound::Zero, Bound::At(_)) => Ordering::Less,
        (Bound::At(_), Bound::Zero) => Ordering::Greater,
        (Bound::At(a), Bound::At(b)) => a.cmp(b),
    }
}

/// Evaluates `installed` against `affected` in one step; see [`CompiledAffected::evaluate`].
/// To evaluate many versions against the same ranges, compile them once with
/// [`CompiledAffected::new`].
pub fn evaluate(
    affected: &AffectedRanges,
    scheme: Scheme,
    installed: &str,
) -> Result<Evaluation, RangeError> {
    CompiledAffected::new(affected, scheme)?.evaluate(installed)
}

impl CompiledAffected {
    /// Parses every event version of `affected` under `scheme` (the ecosystem's scheme) and
    /// sorts the events. The first invalid event version or range is an error.
    pub fn new(affected: &AffectedRanges, scheme: Scheme) -> Result<CompiledAffected, RangeError> {
        let mut problems = Vec::new();
        let compiled = Self::build(affected, scheme, &mut problems, true);
        match problems.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(compiled),
        }
    }

    /// Like [`CompiledAffected::new`], but an event whose version does not parse is dropped
    /// and a range without `introduced` is skipped; each problem is returned for reporting.
    pub fn new_lenient(
        affected: &AffectedRanges,
        scheme: Scheme,
    ) -> (CompiledAffected, Vec<RangeError>) {
        let mut problems = Vec::new();
        let compiled = Self::build(affected, scheme, &mut problems, false);
        (compiled, problems)
    }

    fn build(
        affected: &AffectedRanges,
        scheme: Scheme,
        problems: &mut Vec<RangeError>,
        strict: bool,
    ) -> CompiledAffected {
        let mut ranges = Vec::with_capacity(affected.ranges.len());
        let mut git_ranges_skipped = 0;
        for (index, range) in affected.ranges.iter().enumerate() {
            let Some(range_scheme) = range_scheme(&range.kind, scheme) else {
                git_ranges_skipped += 1;
                continue;
            };
            let mut events = Vec::with_capacity(range.events.len());
            let mut ignored = 0;
            for event in &range.events {
                let kind = match event {
                    Event::Introduced(_) => EventKind::Introduced,
                    Event::Fixed(_) => EventKind::Fixed,
                    Event::LastAffected(_) => EventKind::LastAffected,
                    Event::Limit(_) => EventKind::Limit,
                };
                let text = event.version();
                let bound = if kind == EventKind::Introduced && text == "0" {
                    Bound::Zero
                } else {
                    match range_scheme.parse(text) {
                        Ok(version) => Bound::At(version),
                        Err(source) => {
                            problems.push(RangeError::InvalidEvent {
                                range: index,
                                key: event.key(),
                                source,
                            });
                            if strict {
                                return CompiledAffected::empty(scheme);
                            }
                            ignored += 1;
                            continue;
                        }
                    }
                };
                events.push(CompiledEvent {
                    kind,
                    bound,
                    text: text.into(),
                });
            }
            if !events.iter().any(|e| e.kind == EventKind::Introduced) {
                problems.push(RangeError::NoIntroduced { range: index });
                if strict {
                    return CompiledAffected::empty(scheme);
                }
                continue;
            }
            events.sort_by(|a, b| compare_bounds(&a.bound, &b.bound).then(a.kind.cmp(&b.kind)));
            let has_limit = events.iter().any(|e| e.kind == EventKind::Limit);
            ranges.push(CompiledRange {
                scheme: range_scheme,
                events,
                has_limit,
                ignored,
            });
        }
        let versions = affected
            .versions
            .iter()
            .map(|text| (scheme.parse(text).ok(), text.as_str().into()))
            .collect();
        CompiledAffected {
            scheme,
            ranges,
            versions,
            git_ranges_skipped,
        }
    }
}

/// Where an installed version falls in one range.
enum Position<'a> {
    Unaffected,
    /// Affected; the `fixed` event closing the interval, if it closes with one.
    Affected(Option<&'a str>),
}

impl CompiledRange {
    fn position(&self, installed: &Version) -> Position<'_> {
        let at_or_above = |bound: &Bound| match bound {
            Bound::Zero => true,
            Bound::At(version) => installed >= version,
        };
        if self.has_limit
            && !self.events.iter().any(|e| {
                e.kind == EventKind::Limit
                    && matches!(&e.bound, Bound::At(limit) if installed < limit)
            })
        {
            return Position::Unaffected;
        }
        let mut affected = false;
        let mut closing = None;
        for (index, event) in self.events.iter().enumerate() {
            match event.kind {
                EventKind::Introduced if at_or_above(&event.bound) => {
                    affected = true;
                    closing = Some(index);
                }
                EventKind::Fixed if at_or_above(&event.bound) => affected = false,
                EventKind::LastAffected if matches!(&event.bound, Bound::At(last) if installed > last) =>
                {
                    affected = false;
                }
                _ => {}
            }
        }
        if !affected {
            return Position::Unaffected;
        }
        // The interval opened by the last `introduced` at or below the installed version ends
        // at the first `fixed` or `last_affected` after it.
        let fix = closing.and_then(|open| {
            self.events
                .iter()
                .skip(open + 1)
                .find(|e| matches!(e.kind, EventKind::Fixed | EventKind::LastAffected))
                .filter(|e| e.kind == EventKind::Fixed)
                .map(|e| &*e.text)
        });
        Position::Affected(fix)
    }
}

impl CompiledAffected {
    fn empty(scheme: Scheme) -> CompiledAffected {
        CompiledAffected {
            scheme,
            ranges: Vec::new(),
            versions: Vec::new(),
            git_ranges_skipped: 0,
        }
    }

    /// Evaluates an installed version given as text, parsed under each scheme the ranges need.
    pub fn evaluate(&self, installed: &str) -> Result<Evaluation, RangeError> {
        let parsed = self
            .scheme
            .parse(installed)
            .map_err(RangeError::InvalidInstalled)?;
        self.evaluate_version(&parsed)
    }

    /// Evaluates an installed version already parsed under the ecosystem's scheme.
    ///
    /// Ranges read by another scheme (a `SEMVER` range of a non-SemVer ecosystem) parse the
    /// version's text again under theirs; that can fail, hence the `Result`.
    pub fn evaluate_version(&self, installed: &Version) -> Result<Evaluation, RangeError> {
        let mut reparsed: Option<Version> = None;
        let mut affected = false;
        let mut fix: Option<(&Version, &str)> = None;
        let mut fix_unknown = false;
        let mut ignored_events = 0;
        for range in &self.ranges {
            let version = if range.scheme == installed.scheme() {
                installed
            } else {
                if reparsed.as_ref().is_none_or(|v| v.scheme() != range.scheme) {
                    reparsed = Some(
                        range
                            .scheme
                            .parse(&installed.to_string())
                            .map_err(RangeError::InvalidInstalled)?,
                    );
                }
                match &reparsed {
                    Some(version) => version,
                    None => continue,
                }
            };
            if let Position::Affected(closing) = range.position(version) {
                affected = true;
                ignored_events += range.ignored;
                match closing.and_then(|text| {
                    range
                        .events
                        .iter()
                        .find(|e| &*e.text == text)
                        .and_then(|e| match &e.bound {
                            Bound::At(v) => Some((v, text)),
                            Bound::Zero => None,
                        })
                }) {
                    Some(candidate) => {
                        if fix.is_none_or(|(best, _)| candidate.0 < best) {
                            fix = Some(candidate);
                        }
                    }
                    None => fix_unknown = true,
                }
            }
        }
        if !affected {
            affected = self.versions.iter().any(|(parsed, text)| match parsed {
                Some(version) => version == installed,
                None => **text == *installed.to_string(),
            });
            fix_unknown = affected;
        }
        if !affected {
            return Ok(Evaluation {
                affected: false,
                fixed: None,
                git_ranges_skipped: self.git_ranges_skipped,
                ignored_events: 0,
            });
        }
        let mut fixed = fix.map(|(_, text)| text.to_owned());
        if fixed.is_none() && fix_unknown {
            fixed = self.lowest_unaffected_fix_above(installed)?;
        }
        Ok(Evaluation {
            affected,
            fixed,
            git_ranges_skipped: self.git_ranges_skipped,
            ignored_events,
        })
    }

    /// The lowest `fixed` version above `installed` that no range or list marks affected.
    fn lowest_unaffected_fix_above(
        &self,
        installed: &Version,
    ) -> Result<Option<String>, RangeError> {
        let mut candidates: Vec<&CompiledEvent> = self
            .ranges
            .iter()
            .filter(|range| range.scheme == installed.scheme())
            .flat_map(|range| range.events.iter())
            .filter(|e| {
                e.kind == EventKind::Fixed && matches!(&e.bound, Bound::At(v) if v > installed)
            })
            .collect();
        candidates.sort_by(|a, b| compare_bounds(&a.bound, &b.bound));
        for candidate in candidates {
            if let Bound::At(version) = &candidate.bound {
                let still_affected = self.ranges.iter().any(|range| {
                    range.scheme == version.scheme()
                        && matches!(range.position(version), Position::Affected(_))
                }) || self
                    .versions
                    .iter()
                    .any(|(parsed, _)| parsed.as_ref() == Some(version));
                if !still_affected {
                    return Ok(Some(candidate.text.to_string()));
                }
            }
        }
        Ok(None)
    }
}
