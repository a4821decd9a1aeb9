//! The fleet's exposure report (`qm fleet report`): statistics computed from the targets and
//! their exposures, and renderers for HTML, Markdown and JSON.
//!
//! Everything here is pure: the store reads the [`TargetSummary`]s and streams the
//! [`Exposure`]s, the caller picks the report's time, and a [`ReportBuilder`] counts the
//! exposures as they pass ([`JsonReportWriter`] also writes each one) without holding them. The
//! same inputs, in any order, give the same report, byte for byte, in every format.
//!
//! # Definitions
//!
//! - **Share of targets with critical or high findings**: targets whose *latest* revision has at
//!   least one critical or high finding, over all targets. Computed from the targets' finding
//!   counts, not from exposures. Percentages are rounded to one decimal.
//! - **Patch clock**: an exposure's patch clock starts at the later of `first_affected_at` and
//!   `fix_available_at` (when a fix is known): the moment the target was known affected *and*
//!   could be fixed. Without a fix it starts at `first_affected_at`.
//! - **Time to patch** of a closed exposure: `fixed_at` minus the start of its patch clock,
//!   clamped at zero (a fix first learned of after the target had already moved on counts as
//!   patched at once). The mean is rounded to the nearest second; the median of an even count is
//!   the mean of the two middle values, rounded down.
//! - **Open exposure**: one without `fixed_at`; its **age** is the report time minus
//!   `first_affected_at`. It is **overdue** when a fix is known and its patch clock has run for
//!   longer than [`ReportOptions::overdue_after_days`].
//! - **Timeline**: open exposures by severity after every change (an exposure opening or
//!   closing) and at the report time; past [`ReportOptions::timeline_points`] changes, the
//!   state at evenly spaced instants instead, so a short exposure between two instants may not
//!   show in the chart (it still counts in every other figure).
//!
//! Durations are whole seconds; ages and waits are measured to the report's `generated_at`,
//! never to the clock, and clamped at zero.

mod html;
mod json;
mod markdown;
mod svg;
#[cfg(test)]
mod tests;

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, HashMap};

use qm_model::{Rating, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::{Exposure, SeverityCounts, TargetSummary};

pub use self::html::render_html;
pub use self::json::JsonReportWriter;
pub use self::markdown::render_markdown;

/// Seconds in a day.
const DAY: u64 = 86_400;

/// Time-to-patch histogram bins: (upper bound in seconds, exclusive; label).
const PATCH_BINS: [(u64, &str); 7] = [
    (DAY, "< 1 day"),
    (7 * DAY, "1–7 days"),
    (30 * DAY, "7–30 days"),
    (90 * DAY, "30–90 days"),
    (180 * DAY, "90–180 days"),
    (365 * DAY, "180–365 days"),
    (u64::MAX, "≥ 1 year"),
];

/// Severities from the most to the least severe, the order every report lists them in.
pub(crate) const SEVERITIES: [Rating; 6] = [
    Rating::Critical,
    Rating::High,
    Rating::Medium,
    Rating::Low,
    Rating::None,
    Rating::Unknown,
];

/// Choices that shape a [`FleetReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportOptions {
    /// An open exposure with a known fix is overdue once its patch clock has run longer than
    /// this many days (default 30).
    pub overdue_after_days: u64,
    /// At most this many overdue exposures are listed, the longest wait first (default 20);
    /// all are counted.
    pub overdue_limit: usize,
    /// The timeline has at most this many points (default 200, at least 2).
    pub timeline_points: usize,
    /// At most this many open and this many closed exposures are listed (default 5 000);
    /// all are counted.
    pub listed_exposures: usize,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            overdue_after_days: 30,
            overdue_limit: 20,
            timeline_points: 200,
            listed_exposures: 5_000,
        }
    }
}

/// The fleet's exposure report: what `qm fleet report` renders.
///
/// As JSON (`serde_json::to_string_pretty(&report)`) it is this struct field by field;
/// timestamps are RFC 3339 strings in UTC, durations whole seconds (`*_seconds`), shares
/// percentages rounded to one decimal (`*_percent`). Lists are in a fixed order (documented on
/// each field), so the same inputs give the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetReport {
    /// The report's time: every age and wait is measured to it.
    pub generated_at: Timestamp,
    /// The fleet store, as the user named it (without credentials).
    pub store: String,
    /// The vulnerability database the findings come from, if the store recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// What the report was computed with.
    pub options: ReportOptions,
    /// Fleet-wide figures.
    pub statistics: FleetStatistics,
    /// Every target with its latest revision, by name.
    pub targets: Vec<TargetSummary>,
    /// Exposure figures per target, by name; one per entry of `targets`.
    pub target_statistics: Vec<TargetStatistics>,
    /// Open exposures, most severe first, then the oldest: the first
    /// `options.listed_exposures` (`statistics.open` counts them all).
    pub open_exposures: Vec<ReportedExposure>,
    /// Closed exposures, the most recently fixed first: the first `options.listed_exposures`
    /// (`statistics.closed` counts them all).
    pub closed_exposures: Vec<ReportedExposure>,
    /// Closed exposures by time to patch, the quickest bin first.
    pub time_to_patch_histogram: Vec<PatchBin>,
    /// Open exposures by severity over time, oldest first: after every change and at
    /// `generated_at`, or, when `timeline_sampled`, at evenly spaced instants.
    pub timeline: Vec<TimelinePoint>,
    /// Whether there were more changes than `options.timeline_points`, so the timeline holds
    /// the state at evenly spaced instants rather than after every change.
    pub timeline_sampled: bool,
}

/// Fleet-wide figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetStatistics {
    /// Targets in the fleet.
    pub targets: u64,
    /// Targets whose latest revision has a critical or high finding.
    pub targets_critical_or_high: u64,
    /// `targets_critical_or_high` as a percentage of `targets` (0 for an empty fleet).
    pub targets_critical_or_high_percent: f64,
    /// Targets whose latest revision has a critical finding.
    pub targets_critical: u64,
    /// `targets_critical` as a percentage of `targets`.
    pub targets_critical_percent: f64,
    /// Targets by the worst severity among their latest revision's findings.
    pub targets_by_worst_severity: SeverityCounts,
    /// Targets whose latest revision has no findings.
    pub targets_clean: u64,
    /// Findings of every target's latest revision, by severity.
    pub findings: SeverityCounts,
    /// Exposures recorded, open and closed.
    pub exposures: u64,
    /// Open exposures.
    pub open: u64,
    /// Open exposures for which a fix is known.
    pub open_with_fix: u64,
    /// Open exposures for which no fix is known.
    pub open_without_fix: u64,
    /// Closed exposures.
    pub closed: u64,
    /// Time to patch over all closed exposures.
    pub time_to_patch: PatchTimes,
    /// Per severity, most severe first (always six entries).
    pub by_severity: Vec<SeverityStatistics>,
    /// The open exposure that was first seen affected longest ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_open: Option<OpenExposure>,
    /// Open exposures with a known fix whose patch clock has run longer than
    /// `options.overdue_after_days`.
    pub overdue: u64,
    /// The longest-waiting of those, longest first, at most `options.overdue_limit`.
    pub overdue_longest: Vec<OpenExposure>,
}

/// Mean and median of a set of times to patch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchTimes {
    /// Closed exposures measured.
    pub count: u64,
    /// Mean time to patch, rounded to the nearest second; `None` without closed exposures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_seconds: Option<u64>,
    /// Median time to patch (an even count: the mean of the middle two, rounded down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_seconds: Option<u64>,
    /// The longest time to patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<u64>,
}

/// Exposure figures for one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityStatistics {
    /// The severity.
    pub severity: Rating,
    /// Open exposures of this severity.
    pub open: u64,
    /// Of those, the ones with a known fix.
    pub open_with_fix: u64,
    /// Closed exposures of this severity.
    pub closed: u64,
    /// Their time to patch.
    pub time_to_patch: PatchTimes,
}

/// One open exposure, with how long it has been open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenExposure {
    /// The target.
    pub target: String,
    /// The vulnerability.
    pub vulnerability: String,
    /// Its severity.
    pub severity: Rating,
    /// The package.
    pub package: String,
    /// The version installed.
    pub installed_version: String,
    /// The nearest fixed version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// When the target was first seen affected.
    pub since: Timestamp,
    /// Report time minus `since`.
    pub age_seconds: u64,
    /// How long its patch clock has run, when a fix is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpatched_seconds: Option<u64>,
}

/// Exposure figures for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetStatistics {
    /// The target.
    pub target: String,
    /// The worst severity among its latest revision's findings; `None` when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_severity: Option<Rating>,
    /// Its open exposures.
    pub open: u64,
    /// Of those, the ones with a known fix.
    pub open_with_fix: u64,
    /// Its closed exposures.
    pub closed: u64,
    /// The median time to patch of its closed exposures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_time_to_patch_seconds: Option<u64>,
    /// When its oldest open exposure was first seen affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_open_since: Option<Timestamp>,
}

/// An exposure as the store recorded it, with the durations derived from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedExposure {
    /// The exposure (its fields appear inline in JSON).
    #[serde(flatten)]
    pub exposure: Exposure,
    /// When its patch clock started: the later of `first_affected_at` and `fix_available_at`.
    pub patch_clock_from: Timestamp,
    /// Closed: `fixed_at` minus `patch_clock_from`, clamped at zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_patch_seconds: Option<u64>,
    /// Open: report time minus `first_affected_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// Open with a known fix: report time minus `patch_clock_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpatched_seconds: Option<u64>,
}

impl ReportedExposure {
    /// Whether the exposure is still open.
    pub fn is_open(&self) -> bool {
        self.exposure.fixed_at.is_none()
    }

    /// Whether a fix is known.
    pub fn has_fix(&self) -> bool {
        has_fix(&self.exposure)
    }
}

/// One bin of the time-to-patch histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchBin {
    /// The bin for people (`1–7 days`).
    pub label: String,
    /// Its upper bound in seconds, exclusive; `None` for the last, open-ended bin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_seconds: Option<u64>,
    /// Closed exposures whose time to patch falls in it, by severity.
    pub closed: SeverityCounts,
}

/// Open exposures by severity at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// The instant.
    pub at: Timestamp,
    /// Exposures open just after it (opened at or before, not closed at or before).
    pub open: SeverityCounts,
}

impl FleetReport {
    /// Computes the report with the default [`ReportOptions`].
    ///
    /// `store` names the store (without credentials), `database` the vulnerability database
    /// the findings come from; `generated_at` is the instant ages are measured to.
    pub fn new(
        store: impl Into<String>,
        database: Option<String>,
        generated_at: Timestamp,
        targets: Vec<TargetSummary>,
        exposures: Vec<Exposure>,
    ) -> FleetReport {
        FleetReport::with_options(
            store,
            database,
            generated_at,
            targets,
            exposures,
            ReportOptions::default(),
        )
    }

    /// Computes the report with the given options.
    pub fn with_options(
        store: impl Into<String>,
        database: Option<String>,
        generated_at: Timestamp,
        targets: Vec<TargetSummary>,
        exposures: Vec<Exposure>,
        options: ReportOptions,
    ) -> FleetReport {
        let mut builder = ReportBuilder::new(store, database, generated_at, targets, options);
        for exposure in exposures {
            builder.add(exposure);
        }
        builder.finish()
    }
}

/// Computes a [`FleetReport`] from exposures handed over one at a time, in any order.
///
/// Memory grows with the targets, the listed exposures, the instants at which exposures open
/// or close (store transactions, not exposures) and two numbers per closed exposure (for the
/// medians by severity and by target): never with the exposures themselves, which a large
/// fleet counts in tens of millions.
#[derive(Debug)]
pub struct ReportBuilder {
    store: String,
    database: Option<String>,
    generated_at: Timestamp,
    options: ReportOptions,
    /// By name, then revision.
    targets: Vec<TargetSummary>,
    /// A target's name to its tally.
    target_index: HashMap<String, usize>,
    target_tallies: Vec<Tally>,
    /// By [`severity_index`].
    severity_tallies: [Tally; 6],
    /// By bin of [`PATCH_BINS`], then [`severity_index`].
    histogram: [[u64; 6]; PATCH_BINS.len()],
    oldest_open: Option<ReportedExposure>,
    overdue: u64,
    overdue_longest: Top,
    open_listed: Top,
    closed_listed: Top,
    /// How many exposures of each severity open (positive) or close (negative) at an
    /// instant, in seconds.
    changes: BTreeMap<i64, [i64; 6]>,
}

/// Exposure counts of one target or one severity.
#[derive(Debug, Default)]
struct Tally {
    open: u64,
    open_with_fix: u64,
    closed: u64,
    /// Times to patch of the closed ones.
    times: Vec<u64>,
    /// When the oldest open one was first seen affected.
    oldest_open_since: Option<Timestamp>,
}

impl Tally {
    fn count(&mut self, reported: &ReportedExposure) {
        if reported.is_open() {
            self.open += 1;
            if reported.has_fix() {
                self.open_with_fix += 1;
            }
            let since = reported.exposure.first_affected_at;
            if self.oldest_open_since.is_none_or(|oldest| since < oldest) {
                self.oldest_open_since = Some(since);
            }
        } else {
            self.closed += 1;
            self.times.extend(reported.time_to_patch_seconds);
        }
    }
}

/// The first `limit` exposures in `order`, kept while exposures are offered in any order:
/// an exposure is copied only if it may be listed.
#[derive(Debug)]
struct Top {
    limit: usize,
    order: fn(&ReportedExposure, &ReportedExposure) -> Ordering,
    items: Vec<ReportedExposure>,
    /// Once `limit` are kept, the last of them: nothing ordered after it can be listed.
    bar: Option<ReportedExposure>,
}

impl Top {
    fn new(limit: usize, order: fn(&ReportedExposure, &ReportedExposure) -> Ordering) -> Top {
        Top {
            limit,
            order,
            items: Vec::new(),
            bar: None,
        }
    }

    fn offer(&mut self, candidate: &ReportedExposure) {
        if self.limit == 0
            || self
                .bar
                .as_ref()
                .is_some_and(|bar| (self.order)(candidate, bar) != Ordering::Less)
        {
            return;
        }
        self.items.push(candidate.clone());
        if self.items.len() >= self.limit.saturating_mul(2) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.items.sort_by(self.order);
        self.items.truncate(self.limit);
        if self.items.len() == self.limit {
            self.bar = self.items.last().cloned();
        }
    }

    fn into_sorted(mut self) -> Vec<ReportedExposure> {
        self.trim();
        self.items
    }
}

/// Most severe first, then the oldest.
fn open_order(a: &ReportedExposure, b: &ReportedExposure) -> Ordering {
    Reverse(a.exposure.severity)
        .cmp(&Reverse(b.exposure.severity))
        .then(
            a.exposure
                .first_affected_at
                .cmp(&b.exposure.first_affected_at),
        )
        .then(exposure_key(&a.exposure).cmp(&exposure_key(&b.exposure)))
}

/// The most recently fixed first.
fn closed_order(a: &ReportedExposure, b: &ReportedExposure) -> Ordering {
    Reverse(a.exposure.fixed_at)
        .cmp(&Reverse(b.exposure.fixed_at))
        .then(exposure_key(&a.exposure).cmp(&exposure_key(&b.exposure)))
}

/// The longest wait since a fix was known first, then the most severe.
fn overdue_order(a: &ReportedExposure, b: &ReportedExposure) -> Ordering {
    Reverse(a.unpatched_seconds)
        .cmp(&Reverse(b.unpatched_seconds))
        .then(Reverse(a.exposure.severity).cmp(&Reverse(b.exposure.severity)))
        .then(exposure_key(&a.exposure).cmp(&exposure_key(&b.exposure)))
}

/// First seen affected longest ago.
fn oldest_order(a: &ReportedExposure, b: &ReportedExposure) -> Ordering {
    a.exposure
        .first_affected_at
        .cmp(&b.exposure.first_affected_at)
        .then(exposure_key(&a.exposure).cmp(&exposure_key(&b.exposure)))
}

impl ReportBuilder {
    /// Starts a report of `targets` (every target with its latest revision).
    ///
    /// `store` names the store (without credentials), `database` the vulnerability database
    /// the findings come from; `generated_at` is the instant ages are measured to.
    pub fn new(
        store: impl Into<String>,
        database: Option<String>,
        generated_at: Timestamp,
        mut targets: Vec<TargetSummary>,
        options: ReportOptions,
    ) -> ReportBuilder {
        targets.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.latest.revision.cmp(&b.latest.revision))
        });
        let mut target_index = HashMap::with_capacity(targets.len());
        for (index, target) in targets.iter().enumerate() {
            target_index.entry(target.name.clone()).or_insert(index);
        }
        let target_tallies = targets.iter().map(|_| Tally::default()).collect();
        ReportBuilder {
            store: store.into(),
            database,
            generated_at,
            options,
            targets,
            target_index,
            target_tallies,
            severity_tallies: Default::default(),
            histogram: [[0; 6]; PATCH_BINS.len()],
            oldest_open: None,
            overdue: 0,
            overdue_longest: Top::new(options.overdue_limit, overdue_order),
            open_listed: Top::new(options.listed_exposures, open_order),
            closed_listed: Top::new(options.listed_exposures, closed_order),
            changes: BTreeMap::new(),
        }
    }

    /// The report's time.
    pub fn generated_at(&self) -> Timestamp {
        self.generated_at
    }

    /// The store the report is of.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The vulnerability database the findings come from.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// What the report is computed with.
    pub fn options(&self) -> &ReportOptions {
        &self.options
    }

    /// Counts one exposure; returns it with its derived durations.
    pub fn add(&mut self, exposure: Exposure) -> ReportedExposure {
        let reported = derive(exposure, self.generated_at.unix_seconds());
        let exposure = &reported.exposure;
        let severity = severity_index(exposure.severity);
        if let Some(tally) = self.severity_tallies.get_mut(severity) {
            tally.count(&reported);
        }
        if let Some(tally) = self
            .target_index
            .get(exposure.target.as_str())
            .and_then(|&index| self.target_tallies.get_mut(index))
        {
            tally.count(&reported);
        }

        let opened = exposure.first_affected_at.unix_seconds();
        if let Some(slot) = self.changes.entry(opened).or_default().get_mut(severity) {
            *slot += 1;
        }
        if let Some(fixed) = exposure.fixed_at {
            let closed = fixed.unix_seconds().max(opened);
            if let Some(slot) = self.changes.entry(closed).or_default().get_mut(severity) {
                *slot -= 1;
            }
        }

        if reported.is_open() {
            if self
                .oldest_open
                .as_ref()
                .is_none_or(|oldest| oldest_order(&reported, oldest) == Ordering::Less)
            {
                self.oldest_open = Some(reported.clone());
            }
            let threshold = self.options.overdue_after_days.saturating_mul(DAY);
            if reported
                .unpatched_seconds
                .is_some_and(|wait| wait > threshold)
            {
                self.overdue += 1;
                self.overdue_longest.offer(&reported);
            }
            self.open_listed.offer(&reported);
        } else {
            if let Some(seconds) = reported.time_to_patch_seconds {
                let bin = PATCH_BINS
                    .iter()
                    .position(|&(upper, _)| seconds < upper)
                    .unwrap_or(PATCH_BINS.len() - 1);
                if let Some(slot) = self
                    .histogram
                    .get_mut(bin)
                    .and_then(|bin| bin.get_mut(severity))
                {
                    *slot += 1;
                }
            }
            self.closed_listed.offer(&reported);
        }
        reported
    }

    /// The report of every exposure added.
    pub fn finish(self) -> FleetReport {
        let ReportBuilder {
            store,
            database,
            generated_at,
            options,
            targets,
            target_index: _,
            target_tallies,
            severity_tallies,
            histogram,
            oldest_open,
            overdue,
            overdue_longest,
            open_listed,
            closed_listed,
            changes,
        } = self;

        let mut findings = SeverityCounts::default();
        let mut by_worst = SeverityCounts::default();
        let mut clean = 0;
        for target in &targets {
            let counts = &target.latest.counts;
            for rating in SEVERITIES {
                findings.add(rating, count_of(counts, rating));
            }
            match worst(counts) {
                Some(rating) => by_worst.add(rating, 1),
                None => clean += 1,
            }
        }
        let total = targets.len() as u64;
        let critical_or_high = by_worst.critical + by_worst.high;
        let open: u64 = severity_tallies.iter().map(|tally| tally.open).sum();
        let open_with_fix: u64 = severity_tallies.iter().map(|t| t.open_with_fix).sum();
        let closed: u64 = severity_tallies.iter().map(|tally| tally.closed).sum();
        let all_times: Vec<u64> = severity_tallies
            .iter()
            .flat_map(|tally| tally.times.iter().copied())
            .collect();
        let by_severity = SEVERITIES
            .into_iter()
            .zip(severity_tallies)
            .map(|(severity, tally)| SeverityStatistics {
                severity,
                open: tally.open,
                open_with_fix: tally.open_with_fix,
                closed: tally.closed,
                time_to_patch: patch_times(tally.times),
            })
            .collect();
        let statistics = FleetStatistics {
            targets: total,
            targets_critical_or_high: critical_or_high,
            targets_critical_or_high_percent: percent(critical_or_high, total),
            targets_critical: by_worst.critical,
            targets_critical_percent: percent(by_worst.critical, total),
            targets_by_worst_severity: by_worst,
            targets_clean: clean,
            findings,
            exposures: open + closed,
            open,
            open_with_fix,
            open_without_fix: open - open_with_fix,
            closed,
            time_to_patch: patch_times(all_times),
            by_severity,
            oldest_open: oldest_open.as_ref().map(open_exposure),
            overdue,
            overdue_longest: overdue_longest
                .into_sorted()
                .iter()
                .map(open_exposure)
                .collect(),
        };

        let target_statistics = targets
            .iter()
            .zip(target_tallies)
            .map(|(target, tally)| TargetStatistics {
                target: target.name.clone(),
                worst_severity: worst(&target.latest.counts),
                open: tally.open,
                open_with_fix: tally.open_with_fix,
                closed: tally.closed,
                median_time_to_patch_seconds: patch_times(tally.times).median_seconds,
                oldest_open_since: tally.oldest_open_since,
            })
            .collect();

        let time_to_patch_histogram = PATCH_BINS
            .iter()
            .zip(histogram)
            .map(|(&(upper, label), counts)| {
                let mut closed = SeverityCounts::default();
                for (rating, count) in SEVERITIES.into_iter().zip(counts) {
                    closed.add(rating, count);
                }
                PatchBin {
                    label: label.to_owned(),
                    below_seconds: (upper != u64::MAX).then_some(upper),
                    closed,
                }
            })
            .collect();

        let (timeline, timeline_sampled) = timeline(
            &changes,
            generated_at.unix_seconds(),
            options.timeline_points,
        );
        FleetReport {
            generated_at,
            store,
            database,
            options,
            statistics,
            targets,
            target_statistics,
            open_exposures: open_listed.into_sorted(),
            closed_exposures: closed_listed.into_sorted(),
            time_to_patch_histogram,
            timeline,
            timeline_sampled,
        }
    }
}

/// The order exposures are kept in.
fn exposure_key(exposure: &Exposure) -> (&str, &str, &str, Timestamp, &str) {
    (
        &exposure.target,
        &exposure.vulnerability,
        &exposure.package,
        exposure.first_affected_at,
        exposure.ecosystem.as_str(),
    )
}

fn has_fix(exposure: &Exposure) -> bool {
    exposure.fix_available_at.is_some() || exposure.fixed_version.is_some()
}

/// `to - from` in seconds, clamped at zero.
fn elapsed(from: i64, to: i64) -> u64 {
    u64::try_from(i128::from(to) - i128::from(from)).unwrap_or(0)
}

fn derive(exposure: Exposure, now: i64) -> ReportedExposure {
    let patch_clock_from = match exposure.fix_available_at {
        Some(fix) => fix.max(exposure.first_affected_at),
        None => exposure.first_affected_at,
    };
    let start = patch_clock_from.unix_seconds();
    let (time_to_patch_seconds, age_seconds, unpatched_seconds) = match exposure.fixed_at {
        Some(fixed) => (Some(elapsed(start, fixed.unix_seconds())), None, None),
        None => (
            None,
            Some(elapsed(exposure.first_affected_at.unix_seconds(), now)),
            has_fix(&exposure).then(|| elapsed(start, now)),
        ),
    };
    ReportedExposure {
        exposure,
        patch_clock_from,
        time_to_patch_seconds,
        age_seconds,
        unpatched_seconds,
    }
}

/// Mean (rounded to nearest), median (even count: mean of the middle two, rounded down) and
/// maximum of `times`.
pub(crate) fn patch_times(mut times: Vec<u64>) -> PatchTimes {
    times.sort_unstable();
    let count = times.len();
    let Some(&max) = times.last() else {
        return PatchTimes::default();
    };
    let sum: u128 = times.iter().map(|&t| u128::from(t)).sum();
    let n = count as u128;
    let mean = u64::try_from((sum + n / 2) / n).unwrap_or(u64::MAX);
    let middle = count / 2;
    let median = if count % 2 == 1 {
        times.get(middle).copied()
    } else {
        match (times.get(middle - 1), times.get(middle)) {
            (Some(&low), Some(&high)) => {
                u64::try_from((u128::from(low) + u128::from(high)) / 2).ok()
            }
            _ => None,
        }
    };
    PatchTimes {
        count: count as u64,
        mean_seconds: Some(mean),
        median_seconds: median,
        max_seconds: Some(max),
    }
}

/// `part` as a percentage of `whole`, rounded to one decimal; 0 when `whole` is 0.
pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Whole tenths of a percent, rounded half up, so the value prints (and parses back) exactly.
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    u32::try_from(tenths).map_or(100.0, |tenths| f64::from(tenths) / 10.0)
}

/// The worst severity with a finding.
pub(crate) fn worst(counts: &SeverityCounts) -> Option<Rating> {
    SEVERITIES
        .into_iter()
        .find(|&rating| count_of(counts, rating) > 0)
}

/// Where a severity sits in [`SEVERITIES`].
pub(crate) fn severity_index(rating: Rating) -> usize {
    match rating {
        Rating::Critical => 0,
        Rating::High => 1,
        Rating::Medium => 2,
        Rating::Low => 3,
        Rating::None => 4,
        Rating::Unknown => 5,
    }
}

/// The count of one severity.
pub(crate) fn count_of(counts: &SeverityCounts, rating: Rating) -> u64 {
    match rating {
        Rating::Critical => counts.critical,
        Rating::High => counts.high,
        Rating::Medium => counts.medium,
        Rating::Low => counts.low,
        Rating::None => counts.negligible,
        Rating::Unknown => counts.unknown,
    }
}

fn open_exposure(reported: &ReportedExposure) -> OpenExposure {
    let exposure = &reported.exposure;
    OpenExposure {
        target: exposure.target.clone(),
        vulnerability: exposure.vulnerability.clone(),
        severity: exposure.severity,
        package: exposure.package.clone(),
        installed_version: exposure.installed_version.clone(),
        fixed_version: exposure.fixed_version.clone(),
        since: exposure.first_affected_at,
        age_seconds: reported.age_seconds.unwrap_or(0),
        unpatched_seconds: reported.unpatched_seconds,
    }
}

/// Open exposures by severity after each change, or at evenly spaced instants when there
/// are more than `limit` changes (then also `true`). `changes` holds, per instant, how many
/// exposures of each severity open (positive) or close (negative) then.
fn timeline(
    changes: &BTreeMap<i64, [i64; 6]>,
    now: i64,
    limit: usize,
) -> (Vec<TimelinePoint>, bool) {
    let (Some((&first, _)), Some((&last, _))) =
        (changes.first_key_value(), changes.last_key_value())
    else {
        return (Vec::new(), false);
    };
    let last = last.max(now);

    let mut instants: Vec<i64> = changes.keys().copied().collect();
    instants.push(last);
    instants.dedup();
    let limit = limit.max(2);
    let sampled = instants.len() > limit;
    if sampled {
        let span = i128::from(last) - i128::from(first);
        let steps = (limit - 1) as i128;
        instants = (0..limit)
            .filter_map(|i| i64::try_from(i128::from(first) + span * i as i128 / steps).ok())
            .collect();
        instants.dedup();
    }

    let mut points = Vec::with_capacity(instants.len());
    let mut open: [i64; 6] = [0; 6];
    let mut next = changes.iter().peekable();
    for instant in instants {
        while let Some(&(&at, change)) = next.peek() {
            if at > instant {
                break;
            }
            for (slot, delta) in open.iter_mut().zip(change) {
                *slot += delta;
            }
            next.next();
        }
        let Some(at) = Timestamp::from_unix_seconds(instant) else {
            continue;
        };
        let mut counts = SeverityCounts::default();
        for (rating, &count) in SEVERITIES.into_iter().zip(open.iter()) {
            counts.add(rating, u64::try_from(count).unwrap_or(0));
        }
        points.push(TimelinePoint { at, open: counts });
    }
    (points, sampled)
}

/// A duration for people: `45s`, `12m`, `5h 3m`, `3d 4h`, `400d`.
pub(crate) fn human_duration(seconds: u64) -> String {
    let days = seconds / DAY;
    let hours = seconds % DAY / 3600;
    let minutes = seconds % 3600 / 60;
    if days >= 30 {
        format!("{days}d")
    } else if days > 0 {
        if hours > 0 {
            format!("{days}d {hours}h")
        } else {
            format!("{days}d")
        }
    } else if hours > 0 {
        if minutes > 0 {
            format!("{hours}h {minutes}m")
        } else {
            format!("{hours}h")
        }
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{seconds}s")
    }
}

/// The date part of a timestamp (`2024-05-01`).
pub(crate) fn date(timestamp: Timestamp) -> String {
    let text = timestamp.to_string();
    match text.find('T') {
        Some(end) => text.get(..end).unwrap_or(&text).to_owned(),
        None => text,
    }
}
