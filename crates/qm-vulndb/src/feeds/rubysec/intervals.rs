//! Sets of versions as unions of intervals, and their conversion to OSV range events.
//!
//! RubySec, FriendsOfPHP and the Node.js security working group state affected versions as
//! requirement expressions (`~> 4.2.5, >= 4.2.5.1`, `['>=2.0.0', '<2.0.5']`, `<=1.5.1 || 2.x`).
//! Their parsers turn each comparator into a [`VersionSet`], combine them with
//! [`VersionSet::union`], [`VersionSet::intersection`] and [`VersionSet::complement`], and emit
//! the result with [`VersionSet::to_osv`] as one `ECOSYSTEM` range. Versions are only ever
//! ordered by `qm-version` (`Version`'s `Ord`); nothing here compares version text.
//!
//! A set is a sorted list of disjoint intervals between [`Cut`]s: positions just below or just
//! above a version. `>= v` starts at "below v", `> v` at "above v", `< v` ends at "below v" and
//! `<= v` at "above v", so complements never need to know a neighbouring version.
//!
//! Surprises:
//! - OSV cannot start an interval just above a version (`> 1.2.3`). Where the scheme has an
//!   immediate successor it is used: in npm the next version after a release `1.2.3` is
//!   `1.2.4-0`, after a pre-release `1.2.3-beta` it is `1.2.3-beta.0`, so `> 1.2.3` is exactly
//!   `introduced: 1.2.4-0`. RubyGems and Composer versions are dense (between `1.0` and any
//!   later version lies `1.0.0.0.1` or a pre-release), so there the interval is widened to
//!   start at the version itself: `> 1.2.3` becomes `introduced: 1.2.3`, reporting that one
//!   version as affected although the feed says it is not. A scanner should err towards
//!   reporting; [`OsvRanges::widened`] lists every such version so tests can check that these
//!   are the only differences.
//! - `introduced: "0"` means "below every version" in OSV, not version `0`. A set starting at
//!   version `0` itself is spelled `0.0` when the scheme says that is the same version, and
//!   widened to everything otherwise.
//! - An interval that holds no real version (npm's `<0.0.0-0`) is kept, not detected: it emits
//!   events that match nothing, which is harmless.

use std::cmp::Ordering;

use qm_model::{AffectedRanges, Event, Range, RangeKind};
use qm_version::{NpmVersion, Version};

/// A position between versions, where an interval starts or ends.
#[derive(Debug, Clone)]
pub(crate) enum Cut {
    /// Below every version.
    Bottom,
    /// Just below the version: `>= v` starts here and `< v` ends here.
    Below(Version),
    /// Just above the version: `> v` starts here and `<= v` ends here.
    Above(Version),
    /// Above every version.
    Top,
}

/// The version immediately after `version`, where the scheme has one (npm only: see the module
/// documentation). `None` means there is none we can name.
pub(crate) fn successor(version: &Version) -> Option<Version> {
    match version {
        Version::Npm(npm) => npm_successor(npm),
        _ => None,
    }
}

/// `1.2.3` → `1.2.4-0` (the lowest version of the next patch: nothing orders between), and
/// `1.2.3-beta` → `1.2.3-beta.0` (one more identifier, the lowest there is).
fn npm_successor(version: &NpmVersion) -> Option<Version> {
    let text = if version.is_prerelease() {
        let trimmed = version.as_str().trim();
        let body = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let body = body.split_once('+').map_or(body, |(body, _build)| body);
        format!("{body}.0")
    } else {
        let patch = version.patch().checked_add(1)?;
        format!("{}.{}.{patch}-0", version.major(), version.minor())
    };
    let next = NpmVersion::parse(&text).ok()?;
    // A guard, not a decision: the text above is only trusted when qm-version agrees.
    (next > *version).then_some(Version::Npm(next))
}

/// Orders two cuts. `Above(v)` equals `Below(w)` when `w` is the successor of `v`.
pub(crate) fn compare_cuts(a: &Cut, b: &Cut) -> Ordering {
    match (a, b) {
        (Cut::Bottom, Cut::Bottom) | (Cut::Top, Cut::Top) => Ordering::Equal,
        (Cut::Bottom, _) | (_, Cut::Top) => Ordering::Less,
        (_, Cut::Bottom) | (Cut::Top, _) => Ordering::Greater,
        (Cut::Below(v), Cut::Below(w)) | (Cut::Above(v), Cut::Above(w)) => v.cmp(w),
        (Cut::Above(v), Cut::Below(w)) => above_versus_below(v, w),
        (Cut::Below(w), Cut::Above(v)) => above_versus_below(v, w).reverse(),
    }
}

/// Orders "just above `v`" against "just below `w`".
fn above_versus_below(v: &Version, w: &Version) -> Ordering {
    if v >= w {
        return Ordering::Greater;
    }
    match successor(v) {
        Some(next) if next == *w => Ordering::Equal,
        _ => Ordering::Less,
    }
}

/// Whether `version` lies above `cut`.
#[cfg(test)]
fn above(cut: &Cut, version: &Version) -> bool {
    match cut {
        Cut::Bottom => true,
        Cut::Below(bound) => version >= bound,
        Cut::Above(bound) => version > bound,
        Cut::Top => false,
    }
}

/// Whether `version` lies below `cut`.
#[cfg(test)]
fn below(cut: &Cut, version: &Version) -> bool {
    match cut {
        Cut::Bottom => false,
        Cut::Below(bound) => version < bound,
        Cut::Above(bound) => version <= bound,
        Cut::Top => true,
    }
}

/// A set of versions of one scheme: sorted, disjoint, non-touching intervals `(start, end)`,
/// each holding the versions above `start` and below `end`.
#[derive(Debug, Clone, Default)]
pub(crate) struct VersionSet {
    intervals: Vec<(Cut, Cut)>,
}

impl VersionSet {
    /// No version.
    pub(crate) fn empty() -> VersionSet {
        VersionSet::default()
    }

    /// Every version.
    pub(crate) fn all() -> VersionSet {
        VersionSet::between(Cut::Bottom, Cut::Top)
    }

    /// The versions above `start` and below `end` (empty when `end` is not above `start`).
    pub(crate) fn between(start: Cut, end: Cut) -> VersionSet {
        if compare_cuts(&start, &end) == Ordering::Less {
            VersionSet {
                intervals: vec![(start, end)],
            }
        } else {
            VersionSet::empty()
        }
    }

    /// `= v`.
    pub(crate) fn exactly(version: Version) -> VersionSet {
        VersionSet::between(Cut::Below(version.clone()), Cut::Above(version))
    }

    /// `>= v`.
    pub(crate) fn at_least(version: Version) -> VersionSet {
        VersionSet::between(Cut::Below(version), Cut::Top)
    }

    /// `> v`.
    pub(crate) fn greater_than(version: Version) -> VersionSet {
        VersionSet::between(Cut::Above(version), Cut::Top)
    }

    /// `< v`.
    pub(crate) fn less_than(version: Version) -> VersionSet {
        VersionSet::between(Cut::Bottom, Cut::Below(version))
    }

    /// `<= v`.
    pub(crate) fn at_most(version: Version) -> VersionSet {
        VersionSet::between(Cut::Bottom, Cut::Above(version))
    }

    /// Whether the set holds no version at all (as far as cuts tell; see the module docs).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// The intervals, sorted.
    #[cfg(test)]
    pub(crate) fn intervals(&self) -> &[(Cut, Cut)] {
        &self.intervals
    }

    /// Whether `version` is in the set (tests check the parsers and the conversion with it).
    #[cfg(test)]
    pub(crate) fn contains(&self, version: &Version) -> bool {
        self.intervals
            .iter()
            .any(|(start, end)| above(start, version) && below(end, version))
    }

    /// Versions in either set.
    pub(crate) fn union(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = self.intervals.clone();
        intervals.extend(other.intervals.iter().cloned());
        VersionSet::normalized(intervals)
    }

    /// Versions in both sets.
    pub(crate) fn intersection(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = Vec::new();
        for (start_a, end_a) in &self.intervals {
            for (start_b, end_b) in &other.intervals {
                let start = if compare_cuts(start_a, start_b) == Ordering::Less {
                    start_b
                } else {
                    start_a
                };
                let end = if compare_cuts(end_a, end_b) == Ordering::Less {
                    end_a
                } else {
                    end_b
                };
                if compare_cuts(start, end) == Ordering::Less {
                    intervals.push((start.clone(), end.clone()));
                }
            }
        }
        VersionSet::normalized(intervals)
    }

    /// Versions not in the set.
    pub(crate) fn complement(&self) -> VersionSet {
        let mut intervals = Vec::with_capacity(self.intervals.len() + 1);
        let mut previous = Cut::Bottom;
        for (start, end) in &self.intervals {
            if compare_cuts(&previous, start) == Ordering::Less {
                intervals.push((previous, start.clone()));
            }
            previous = end.clone();
        }
        if compare_cuts(&previous, &Cut::Top) == Ordering::Less {
            intervals.push((previous, Cut::Top));
        }
        VersionSet { intervals }
    }

    /// Sorts by start and merges intervals that overlap or touch.
    fn normalized(mut intervals: Vec<(Cut, Cut)>) -> VersionSet {
        intervals.retain(|(start, end)| compare_cuts(start, end) == Ordering::Less);
        intervals.sort_by(|a, b| compare_cuts(&a.0, &b.0));
        let mut merged: Vec<(Cut, Cut)> = Vec::with_capacity(intervals.len());
        for (start, end) in intervals {
            match merged.last_mut() {
                Some(last) if compare_cuts(&start, &last.1) != Ordering::Greater => {
                    if compare_cuts(&end, &last.1) == Ordering::Greater {
                        last.1 = end;
                    }
                }
                _ => merged.push((start, end)),
            }
        }
        VersionSet { intervals: merged }
    }

    /// The set as one OSV `ECOSYSTEM` range (none when the set is empty).
    ///
    /// Intervals starting just above a version start at its successor where the scheme has one,
    /// else at the version itself (widened; see the module documentation).
    pub(crate) fn to_osv(&self) -> OsvRanges {
        let mut widened = Vec::new();
        let starts_at_versions = self
            .intervals
            .iter()
            .map(|(start, end)| {
                let start = match start {
                    Cut::Above(version) => match successor(version) {
                        Some(next) => Cut::Below(next),
                        None => {
                            widened.push(version.to_string());
                            Cut::Below(version.clone())
                        }
                    },
                    other => other.clone(),
                };
                (start, end.clone())
            })
            .collect();
        let set = VersionSet::normalized(starts_at_versions);
        let mut events = Vec::with_capacity(set.intervals.len() * 2);
        for (start, end) in &set.intervals {
            match start {
                Cut::Below(version) => {
                    let spelled = spell_introduced(version);
                    if spelled.is_none() {
                        widened.push(version.to_string());
                    }
                    events.push(Event::Introduced(spelled.unwrap_or_else(|| "0".to_owned())));
                }
                // `Above` was replaced above, and no interval starts at `Top`.
                Cut::Bottom | Cut::Above(_) | Cut::Top => {
                    events.push(Event::Introduced("0".into()))
                }
            }
            match end {
                Cut::Below(version) => events.push(Event::Fixed(version.to_string())),
                Cut::Above(version) => events.push(Event::LastAffected(version.to_string())),
                Cut::Bottom | Cut::Top => {}
            }
        }
        let ranges = if events.is_empty() {
            AffectedRanges::default()
        } else {
            AffectedRanges {
                ranges: vec![Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events,
                }],
                versions: Vec::new(),
            }
        };
        OsvRanges { ranges, widened }
    }
}

/// The text of an `introduced` event at `version`; `None` when the only spelling is `0`, which
/// OSV reads as "every version".
fn spell_introduced(version: &Version) -> Option<String> {
    let text = version.to_string();
    if text.trim() != "0" {
        return Some(text);
    }
    let alternative = "0.0";
    version
        .scheme()
        .parse(alternative)
        .ok()
        .filter(|parsed| parsed == version)
        .map(|_| alternative.to_owned())
}

/// A [`VersionSet`] as OSV ranges, with the versions the conversion had to add.
#[derive(Debug, Clone)]
pub(crate) struct OsvRanges {
    /// One `ECOSYSTEM` range, or none for an empty set.
    pub(crate) ranges: AffectedRanges,
    /// Versions outside the set that the ranges nevertheless cover, because OSV cannot start
    /// an interval just above them.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "tests check that widening is the only inexactness"
        )
    )]
    pub(crate) widened: Vec<String>,
}

/// A requirement expression that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum RequirementError {
    /// A comparator without a version (`>=`).
    #[error("`{requirement}` names no version")]
    MissingVersion {
        /// The comparator.
        requirement: String,
    },
    /// A version the scheme refuses.
    #[error("`{requirement}` holds an invalid version")]
    InvalidVersion {
        /// The comparator.
        requirement: String,
        /// The scheme's reason.
        #[source]
        source: qm_version::VersionError,
    },
    /// Syntax the feed's requirement language does not have, or that we do not read.
    #[error("`{requirement}` is not a requirement we can read: {reason}")]
    Unsupported {
        /// The comparator or expression.
        requirement: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An expression longer than [`MAX_REQUIREMENT_LENGTH`].
    #[error("a requirement of {length} bytes is longer than the limit of {MAX_REQUIREMENT_LENGTH}")]
    TooLong {
        /// Its length in bytes.
        length: usize,
    },
}

/// Requirement expressions longer than this are refused: the longest real one is under 200
/// bytes, and intersecting thousands of comparators would only spend time on hostile input.
pub(crate) const MAX_REQUIREMENT_LENGTH: usize = 4096;

impl RequirementError {
    /// The message with its cause, for a skip reason.
    pub(crate) fn with_cause(&self) -> String {
        match std::error::Error::source(self) {
            Some(cause) => format!("{self}: {cause}"),
            None => self.to_string(),
        }
    }
}

/// Parses `text` as a version of `scheme`, naming `requirement` on failure.
pub(crate) fn parse_version(
    scheme: qm_version::Scheme,
    text: &str,
    requirement: &str,
) -> Result<Version, RequirementError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RequirementError::MissingVersion {
            requirement: requirement.to_owned(),
        });
    }
    scheme
        .parse(text)
        .map_err(|source| RequirementError::InvalidVersion {
            requirement: requirement.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use qm_model::Event;
    use qm_version::Scheme;

    use super::*;

    fn version(scheme: Scheme, text: &str) -> Version {
        scheme.parse(text).unwrap()
    }

    fn events(set: &VersionSet) -> Vec<(&'static str, String)> {
        let osv = set.to_osv();
        osv.ranges
            .ranges
            .iter()
            .flat_map(|range| range.events.iter())
            .map(|event| (event.key(), event.version().to_owned()))
            .collect()
    }

    /// Evaluates OSV ranges with qm-version, the way a scan will.
    fn osv_affected(ranges: &AffectedRanges, scheme: Scheme, installed: &str) -> bool {
        qm_version::evaluate(ranges, scheme, installed)
            .unwrap()
            .affected
    }

    #[test]
    fn npm_successors_are_immediate() {
        let cases = [
            ("1.2.3", "1.2.4-0"),
            ("v1.2.3+build.7", "1.2.4-0"),
            ("1.2.3-beta", "1.2.3-beta.0"),
            ("1.2.3-beta.4+x", "1.2.3-beta.4.0"),
            ("0.0.0-0", "0.0.0-0.0"),
        ];
        for (text, expected) in cases {
            let next = successor(&version(Scheme::Npm, text)).unwrap();
            assert_eq!(next.to_string(), expected, "{text}");
        }
        assert!(successor(&version(Scheme::RubyGems, "1.2.3")).is_none());
        assert!(successor(&version(Scheme::Composer, "1.2.3")).is_none());
    }

    #[test]
    fn sets_emit_osv_events() {
        let npm = |text| version(Scheme::Npm, text);
        let gem = |text| version(Scheme::RubyGems, text);
        let cases: Vec<(VersionSet, Vec<(&str, &str)>)> = vec![
            (VersionSet::all(), vec![("introduced", "0")]),
            (VersionSet::empty(), vec![]),
            (
                VersionSet::at_most(npm("1.5.1")),
                vec![("introduced", "0"), ("last_affected", "1.5.1")],
            ),
            (
                VersionSet::greater_than(npm("1.2.3")),
                vec![("introduced", "1.2.4-0")],
            ),
            (
                VersionSet::greater_than(gem("1.2.3")),
                vec![("introduced", "1.2.3")],
            ),
            (
                VersionSet::exactly(npm("2.0.0")),
                vec![("introduced", "2.0.0"), ("last_affected", "2.0.0")],
            ),
            // `< 1.0 || > 1.0` in npm: the hole is exact.
            (
                VersionSet::less_than(npm("1.0.0")).union(&VersionSet::greater_than(npm("1.0.0"))),
                vec![
                    ("introduced", "0"),
                    ("fixed", "1.0.0"),
                    ("introduced", "1.0.1-0"),
                ],
            ),
            // The same in RubyGems is widened into one interval: `1.0` is reported.
            (
                VersionSet::less_than(gem("1.0")).union(&VersionSet::greater_than(gem("1.0"))),
                vec![("introduced", "0")],
            ),
            // `<= 1.2.3 || >= 1.2.4-0` touches in npm: one interval.
            (
                VersionSet::at_most(npm("1.2.3")).union(&VersionSet::at_least(npm("1.2.4-0"))),
                vec![("introduced", "0")],
            ),
            // `>= 0` is not "every version" in RubyGems (`0.a` is lower): spelled `0.0`.
            (VersionSet::at_least(gem("0")), vec![("introduced", "0.0")]),
            (
                VersionSet::at_least(gem("1")).complement(),
                vec![("introduced", "0"), ("fixed", "1")],
            ),
        ];
        for (set, expected) in cases {
            let expected: Vec<(&str, String)> = expected
                .into_iter()
                .map(|(key, text)| (key, text.to_owned()))
                .collect();
            assert_eq!(events(&set), expected, "{set:?}");
        }
    }

    #[test]
    fn widened_versions_are_listed() {
        let gem = |text| version(Scheme::RubyGems, text);
        let set =
            VersionSet::greater_than(gem("1.0")).intersection(&VersionSet::less_than(gem("2")));
        let osv = set.to_osv();
        assert_eq!(osv.widened, vec!["1.0".to_owned()]);
        let npm = VersionSet::greater_than(version(Scheme::Npm, "1.0.0"));
        assert!(npm.to_osv().widened.is_empty());
        let Some(Event::Introduced(first)) =
            osv.ranges.ranges.first().and_then(|r| r.events.first())
        else {
            panic!("no introduced event");
        };
        assert_eq!(first, "1.0");
    }

    /// A comparator over a small pool of versions, so that random sets share bounds.
    #[derive(Debug, Clone)]
    enum Comparator {
        Exactly(usize),
        AtLeast(usize),
        GreaterThan(usize),
        LessThan(usize),
        AtMost(usize),
    }

    const NPM_POOL: &[&str] = &[
        "0.0.0-0",
        "0.0.0",
        "0.1.0",
        "1.0.0-alpha",
        "1.0.0-alpha.0",
        "1.0.0-beta",
        "1.0.0",
        "1.0.1-0",
        "1.0.1",
        "1.2.3",
        "1.2.4-0",
        "2.0.0-rc.1",
        "2.0.0",
    ];
    const GEM_POOL: &[&str] = &[
        "0",
        "0.a",
        "0.1",
        "1.0.a",
        "1.0",
        "1.0.0.1",
        "1.0.1.rc1",
        "1.0.1",
        "1.1.A",
        "1.1",
        "2.0.0.beta1",
        "2",
    ];

    fn comparator() -> impl Strategy<Value = Comparator> {
        let index = 0..NPM_POOL.len().min(GEM_POOL.len());
        prop_oneof![
            index.clone().prop_map(Comparator::Exactly),
            index.clone().prop_map(Comparator::AtLeast),
            index.clone().prop_map(Comparator::GreaterThan),
            index.clone().prop_map(Comparator::LessThan),
            index.prop_map(Comparator::AtMost),
        ]
    }

    /// A union of intersections of comparators, possibly complemented.
    fn expression() -> impl Strategy<Value = (Vec<Vec<Comparator>>, bool)> {
        (
            proptest::collection::vec(proptest::collection::vec(comparator(), 1..4), 0..4),
            any::<bool>(),
        )
    }

    fn comparator_holds(comparator: &Comparator, pool: &[Version], v: &Version) -> bool {
        match *comparator {
            Comparator::Exactly(i) => *v == pool[i],
            Comparator::AtLeast(i) => *v >= pool[i],
            Comparator::GreaterThan(i) => *v > pool[i],
            Comparator::LessThan(i) => *v < pool[i],
            Comparator::AtMost(i) => *v <= pool[i],
        }
    }

    fn comparator_set(comparator: &Comparator, pool: &[Version]) -> VersionSet {
        match *comparator {
            Comparator::Exactly(i) => VersionSet::exactly(pool[i].clone()),
            Comparator::AtLeast(i) => VersionSet::at_least(pool[i].clone()),
            Comparator::GreaterThan(i) => VersionSet::greater_than(pool[i].clone()),
            Comparator::LessThan(i) => VersionSet::less_than(pool[i].clone()),
            Comparator::AtMost(i) => VersionSet::at_most(pool[i].clone()),
        }
    }

    /// Checks the algebra and the OSV conversion against direct evaluation of the expression,
    /// on every pool version: `contains` must agree exactly, the OSV ranges too except on the
    /// versions the conversion reports as widened.
    fn check(scheme: Scheme, texts: &[&str], expression: &(Vec<Vec<Comparator>>, bool)) {
        let pool: Vec<Version> = texts.iter().map(|text| version(scheme, text)).collect();
        let (alternatives, negated) = expression;
        let mut set = VersionSet::empty();
        for all_of in alternatives {
            let mut conjunction = VersionSet::all();
            for comparator in all_of {
                conjunction = conjunction.intersection(&comparator_set(comparator, &pool));
            }
            set = set.union(&conjunction);
        }
        if *negated {
            set = set.complement();
        }
        let osv = set.to_osv();
        let widened: Vec<Version> = osv.widened.iter().map(|t| version(scheme, t)).collect();
        for v in &pool {
            let direct = alternatives
                .iter()
                .any(|all_of| all_of.iter().all(|c| comparator_holds(c, &pool, v)))
                != *negated;
            assert_eq!(set.contains(v), direct, "contains({v}) in {set:?}");
            let emitted = osv_affected(&osv.ranges, scheme, &v.to_string());
            if widened.contains(v) {
                assert!(
                    emitted && !direct,
                    "{v} reported widened but {emitted}/{direct}"
                );
            } else {
                assert_eq!(emitted, direct, "OSV({v}) for {:?}", osv.ranges);
            }
        }
    }

    proptest! {
        #[test]
        fn npm_sets_agree_with_their_expressions(expression in expression()) {
            check(Scheme::Npm, NPM_POOL, &expression);
        }

        #[test]
        fn rubygems_sets_agree_with_their_expressions(expression in expression()) {
            check(Scheme::RubyGems, GEM_POOL, &expression);
        }

        #[test]
        fn complement_is_an_involution_and_partitions(expression in expression()) {
            let pool: Vec<Version> = NPM_POOL.iter().map(|t| version(Scheme::Npm, t)).collect();
            let mut set = VersionSet::empty();
            for all_of in &expression.0 {
                let mut conjunction = VersionSet::all();
                for comparator in all_of {
                    conjunction = conjunction.intersection(&comparator_set(comparator, &pool));
                }
                set = set.union(&conjunction);
            }
            let complement = set.complement();
            prop_assert!(set.intersection(&complement).is_empty());
            let both = set.union(&complement);
            prop_assert_eq!(both.intervals().len(), 1);
            for v in &pool {
                prop_assert_eq!(complement.complement().contains(v), set.contains(v));
                prop_assert!(both.contains(v));
            }
        }
    }
}
