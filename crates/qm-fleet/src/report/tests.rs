use qm_model::{Ecosystem, Rating, Timestamp};

use super::*;
use crate::model::{Labels, RevisionSummary};

/// 2024-01-01T00:00:00Z.
const T0: i64 = 1_704_067_200;

fn day(n: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + n * 86_400).unwrap()
}

fn counts(critical: u64, high: u64, medium: u64) -> SeverityCounts {
    SeverityCounts {
        critical,
        high,
        medium,
        ..SeverityCounts::default()
    }
}

fn target(name: &str, counts: SeverityCounts) -> TargetSummary {
    TargetSummary {
        name: name.to_owned(),
        labels: Labels::from([("team".to_owned(), "payments".to_owned())]),
        revisions: 2,
        latest: RevisionSummary {
            revision: 2,
            digest: "sha256:00".to_owned(),
            added_at: day(90),
            source: format!("docker-archive:{name}.tar"),
            kind: "docker-archive".to_owned(),
            packages: 120,
            counts,
        },
    }
}

fn exposure(
    target: &str,
    vulnerability: &str,
    severity: Rating,
    first: i64,
    fix_available: Option<i64>,
    fixed: Option<i64>,
) -> Exposure {
    Exposure {
        target: target.to_owned(),
        vulnerability: vulnerability.to_owned(),
        aliases: Vec::new(),
        severity,
        ecosystem: Ecosystem::Debian,
        package: "openssl".to_owned(),
        installed_version: "3.0.11-1".to_owned(),
        fixed_version: fix_available.map(|_| "3.0.13-1".to_owned()),
        fix_available_at: fix_available.map(day),
        first_affected_at: day(first),
        fixed_at: fixed.map(day),
    }
}

fn targets() -> Vec<TargetSummary> {
    vec![
        target("c", counts(0, 0, 3)),
        target("a", counts(1, 2, 0)),
        target("d", counts(0, 0, 0)),
        target("b", counts(0, 1, 0)),
    ]
}

/// Four closed exposures (times to patch 10d, 4d, 0 after clamping, 1d) and three open.
fn exposures() -> Vec<Exposure> {
    vec![
        // Fix known after the target was affected: the clock starts at the fix.
        exposure("a", "CVE-1", Rating::Critical, 0, Some(2), Some(12)),
        // Fix known before: the clock starts when the target was seen affected.
        exposure("b", "CVE-2", Rating::High, 5, Some(1), Some(9)),
        // Fix learned of after the target was already fixed: clamped to zero.
        exposure("a", "CVE-3", Rating::High, 10, Some(30), Some(20)),
        // No fix, the package removed.
        exposure("c", "CVE-4", Rating::Medium, 3, None, Some(4)),
        // Open with a fix for 60 days: overdue.
        exposure("a", "CVE-5", Rating::Critical, 20, Some(40), None),
        // Open without a fix since day 1: the oldest.
        exposure("c", "CVE-6", Rating::Medium, 1, None, None),
        // Open with a fix, but affected only 10 days ago.
        exposure("b", "CVE-7", Rating::Low, 90, Some(50), None),
    ]
}

fn report() -> FleetReport {
    FleetReport::new(
        "sqlite:///var/lib/qm/fleet.db",
        Some("qm-db 2024-04-10".to_owned()),
        day(100),
        targets(),
        exposures(),
    )
}

#[test]
fn patch_times_mean_and_median() {
    /// Times, then the expected mean, median and maximum.
    type Case = (&'static [u64], Option<u64>, Option<u64>, Option<u64>);
    let cases: [Case; 7] = [
        (&[], None, None, None),
        (&[5], Some(5), Some(5), Some(5)),
        (&[10, 1, 2], Some(4), Some(2), Some(10)),
        (&[3, 1, 10, 2], Some(4), Some(2), Some(10)),
        (&[1, 2], Some(2), Some(1), Some(2)),
        (&[7, 7, 7, 7, 100], Some(26), Some(7), Some(100)),
        (
            &[u64::MAX, u64::MAX],
            Some(u64::MAX),
            Some(u64::MAX),
            Some(u64::MAX),
        ),
    ];
    for (times, mean, median, max) in cases {
        let got = patch_times(times.to_vec());
        assert_eq!(got.count, times.len() as u64, "{times:?}");
        assert_eq!(
            (got.mean_seconds, got.median_seconds, got.max_seconds),
            (mean, median, max),
            "{times:?}"
        );
    }
}

#[test]
fn percentages_round_to_tenths() {
    let cases = [
        ((0, 0), 0.0),
        ((1, 3), 33.3),
        ((2, 3), 66.7),
        ((1, 8), 12.5),
        ((5, 5), 100.0),
        ((1, 2000), 0.1),
        ((1, 2001), 0.0),
    ];
    for ((part, whole), expected) in cases {
        assert_eq!(percent(part, whole), expected, "{part}/{whole}");
    }
}

#[test]
fn durations_read_for_people() {
    let cases = [
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (3_660, "1h 1m"),
        (7_200, "2h"),
        (90_000, "1d 1h"),
        (324_000, "3d 18h"),
        (29 * 86_400, "29d"),
        (400 * 86_400 + 5, "400d"),
    ];
    for (seconds, expected) in cases {
        assert_eq!(human_duration(seconds), expected);
    }
}

#[test]
fn fleet_statistics_of_a_hand_made_fleet() {
    let report = report();
    let s = &report.statistics;

    assert_eq!(
        (s.targets, s.targets_critical_or_high, s.targets_critical),
        (4, 2, 1)
    );
    assert_eq!(s.targets_critical_or_high_percent, 50.0);
    assert_eq!(s.targets_critical_percent, 25.0);
    assert_eq!(
        s.targets_by_worst_severity,
        SeverityCounts {
            critical: 1,
            high: 1,
            medium: 1,
            ..SeverityCounts::default()
        }
    );
    assert_eq!(s.targets_clean, 1);
    assert_eq!(s.findings, counts(1, 3, 3));

    assert_eq!(
        (
            s.exposures,
            s.open,
            s.open_with_fix,
            s.open_without_fix,
            s.closed
        ),
        (7, 3, 2, 1, 4)
    );
    // Times to patch: 0, 1d, 4d, 10d.
    assert_eq!(s.time_to_patch.count, 4);
    assert_eq!(s.time_to_patch.mean_seconds, Some(324_000), "3.75 days");
    assert_eq!(s.time_to_patch.median_seconds, Some(216_000), "2.5 days");
    assert_eq!(s.time_to_patch.max_seconds, Some(864_000));

    let severities: Vec<Rating> = s.by_severity.iter().map(|row| row.severity).collect();
    assert_eq!(severities, SEVERITIES);
    let critical = &s.by_severity[0];
    assert_eq!(
        (critical.open, critical.open_with_fix, critical.closed),
        (1, 1, 1)
    );
    assert_eq!(critical.time_to_patch.median_seconds, Some(864_000));
    let high = &s.by_severity[1];
    assert_eq!((high.open, high.closed), (0, 2));
    assert_eq!(
        high.time_to_patch.mean_seconds,
        Some(172_800),
        "(4d + 0) / 2"
    );
    let low = &s.by_severity[3];
    assert_eq!(
        (
            low.open,
            low.open_with_fix,
            low.closed,
            low.time_to_patch.count
        ),
        (1, 1, 0, 0)
    );
    assert_eq!(s.by_severity[5].time_to_patch, PatchTimes::default());

    let oldest = s.oldest_open.as_ref().unwrap();
    assert_eq!(
        (oldest.target.as_str(), oldest.vulnerability.as_str()),
        ("c", "CVE-6")
    );
    assert_eq!(oldest.since, day(1));
    assert_eq!(oldest.age_seconds, 99 * 86_400);
    assert_eq!(oldest.unpatched_seconds, None);

    assert_eq!(s.overdue, 1);
    let overdue: Vec<(&str, Option<u64>)> = s
        .overdue_longest
        .iter()
        .map(|o| (o.vulnerability.as_str(), o.unpatched_seconds))
        .collect();
    assert_eq!(overdue, [("CVE-5", Some(60 * 86_400))]);
}

#[test]
fn overdue_threshold_and_limit_follow_the_options() {
    let options = ReportOptions {
        overdue_after_days: 5,
        overdue_limit: 1,
        ..ReportOptions::default()
    };
    let report = FleetReport::with_options("s", None, day(100), targets(), exposures(), options);
    // CVE-5 waits 60 days, CVE-7 10 days: both overdue, only the longer listed.
    assert_eq!(report.statistics.overdue, 2);
    assert_eq!(report.statistics.overdue_longest.len(), 1);
    assert_eq!(report.statistics.overdue_longest[0].vulnerability, "CVE-5");
}

#[test]
fn exposures_carry_their_derived_durations() {
    let mut builder = ReportBuilder::new("s", None, day(100), targets(), ReportOptions::default());
    let derived: Vec<ReportedExposure> = exposures()
        .into_iter()
        .map(|exposure| builder.add(exposure))
        .collect();
    let report = builder.finish();
    let find = |id: &str| {
        derived
            .iter()
            .find(|e| e.exposure.vulnerability == id)
            .unwrap()
    };

    let clamped = find("CVE-3");
    assert!(!clamped.is_open());
    assert_eq!(clamped.patch_clock_from, day(30));
    assert_eq!(clamped.time_to_patch_seconds, Some(0));
    assert_eq!(
        (clamped.age_seconds, clamped.unpatched_seconds),
        (None, None)
    );

    assert_eq!(find("CVE-2").patch_clock_from, day(5));
    assert_eq!(find("CVE-2").time_to_patch_seconds, Some(4 * 86_400));
    assert_eq!(find("CVE-4").time_to_patch_seconds, Some(86_400));

    let recent = find("CVE-7");
    assert!(recent.is_open() && recent.has_fix());
    assert_eq!(recent.age_seconds, Some(10 * 86_400));
    assert_eq!(recent.unpatched_seconds, Some(10 * 86_400));
    assert_eq!(find("CVE-6").unpatched_seconds, None);

    // Listed: open ones most severe first, then the oldest; closed ones the latest fixed first.
    let listed = |list: &[ReportedExposure]| -> Vec<String> {
        list.iter()
            .map(|e| e.exposure.vulnerability.clone())
            .collect()
    };
    assert_eq!(listed(&report.open_exposures), ["CVE-5", "CVE-6", "CVE-7"]);
    assert_eq!(
        listed(&report.closed_exposures),
        ["CVE-3", "CVE-1", "CVE-2", "CVE-4"]
    );
    assert_eq!(report.open_exposures[0], *find("CVE-5"));

    // Times to patch 0 (high), 1d (medium), 4d (high), 10d (critical).
    let bins: Vec<(&str, SeverityCounts)> = report
        .time_to_patch_histogram
        .iter()
        .map(|bin| (bin.label.as_str(), bin.closed))
        .collect();
    assert_eq!(bins.len(), 7);
    assert_eq!(bins[0], ("< 1 day", counts(0, 1, 0)));
    assert_eq!(bins[1], ("1–7 days", counts(0, 1, 1)));
    assert_eq!(bins[2], ("7–30 days", counts(1, 0, 0)));
    assert!(
        bins[3..]
            .iter()
            .all(|(_, c)| *c == SeverityCounts::default())
    );
    assert_eq!(
        report.time_to_patch_histogram[1].below_seconds,
        Some(7 * 86_400)
    );
    assert_eq!(report.time_to_patch_histogram[6].below_seconds, None);

    let targets: Vec<&str> = report
        .target_statistics
        .iter()
        .map(|t| t.target.as_str())
        .collect();
    assert_eq!(targets, ["a", "b", "c", "d"]);
    let a = &report.target_statistics[0];
    assert_eq!(
        (a.worst_severity, a.open, a.open_with_fix, a.closed),
        (Some(Rating::Critical), 1, 1, 2)
    );
    assert_eq!(
        a.median_time_to_patch_seconds,
        Some(5 * 86_400),
        "(0 + 10d) / 2"
    );
    assert_eq!(a.oldest_open_since, Some(day(20)));
    let d = &report.target_statistics[3];
    assert_eq!(
        (d.worst_severity, d.open, d.closed, d.oldest_open_since),
        (None, 0, 0, None)
    );
}

#[test]
fn timeline_counts_open_exposures_after_each_change() {
    let report = report();
    let instants: Vec<Timestamp> = report.timeline.iter().map(|p| p.at).collect();
    let expected: Vec<Timestamp> = [0, 1, 3, 4, 5, 9, 10, 12, 20, 90, 100]
        .into_iter()
        .map(day)
        .collect();
    assert_eq!(instants, expected);
    assert!(!report.timeline_sampled);

    let at = |n: i64| {
        report
            .timeline
            .iter()
            .find(|p| p.at == day(n))
            .unwrap()
            .open
    };
    // Day 3: CVE-1, CVE-6 and CVE-4 (opened that day).
    assert_eq!(at(3), counts(1, 0, 2));
    // Day 4: CVE-4 closed that day.
    assert_eq!(at(4), counts(1, 0, 1));
    // Day 20: CVE-3 closes and CVE-5 opens.
    assert_eq!(at(20), counts(1, 0, 1));
    // The report time: what is open now.
    assert_eq!(
        at(100),
        SeverityCounts {
            critical: 1,
            medium: 1,
            low: 1,
            ..SeverityCounts::default()
        }
    );
    assert_eq!(at(100).total(), report.statistics.open);
}

#[test]
fn timeline_is_bounded() {
    let many: Vec<Exposure> = (0..1_000)
        .map(|i| {
            let fixed = (i % 3 != 0).then_some(i + 5);
            exposure(&format!("t{i}"), "CVE-9", Rating::High, i, Some(i), fixed)
        })
        .collect();
    let report = FleetReport::new("s", None, day(1_200), Vec::new(), many);
    let timeline = &report.timeline;
    assert!(
        timeline.len() <= 200 && timeline.len() > 100,
        "{}",
        timeline.len()
    );
    assert_eq!(timeline.first().unwrap().at, day(0));
    assert_eq!(timeline.last().unwrap().at, day(1_200));
    assert!(timeline.windows(2).all(|w| w[0].at < w[1].at));
    assert_eq!(timeline.last().unwrap().open.high, report.statistics.open);
    assert_eq!(report.statistics.open, 334);
    assert!(report.timeline_sampled);
    assert!(render_html(&report).contains("evenly spaced instants"));

    let options = ReportOptions {
        timeline_points: 4,
        ..ReportOptions::default()
    };
    let report = FleetReport::with_options("s", None, day(100), targets(), exposures(), options);
    let instants: Vec<Timestamp> = report.timeline.iter().map(|p| p.at).collect();
    // Evenly spaced over days 0..=100, each with the state just after it.
    assert_eq!(
        instants,
        [
            day(0),
            Timestamp::from_unix_seconds(T0 + 100 * 86_400 / 3).unwrap(),
            Timestamp::from_unix_seconds(T0 + 200 * 86_400 / 3).unwrap(),
            day(100)
        ]
    );
    assert_eq!(report.timeline[0].open, counts(1, 0, 0));
    assert_eq!(report.timeline[1].open, counts(1, 0, 1));
}

#[test]
fn inputs_in_any_order_give_the_same_report() {
    let mut reversed_targets = targets();
    reversed_targets.reverse();
    let mut reversed = exposures();
    reversed.reverse();
    let other = FleetReport::new(
        "sqlite:///var/lib/qm/fleet.db",
        Some("qm-db 2024-04-10".to_owned()),
        day(100),
        reversed_targets,
        reversed,
    );
    let report = report();
    assert_eq!(other, report);
    assert_eq!(render_html(&other), render_html(&report));
    assert_eq!(render_markdown(&other), render_markdown(&report));
}

#[test]
fn an_empty_fleet_reports_nothing_open() {
    let report = FleetReport::new("s", None, day(0), Vec::new(), Vec::new());
    let s = &report.statistics;
    assert_eq!(
        (
            s.targets,
            s.targets_critical_or_high_percent,
            s.open,
            s.closed
        ),
        (0, 0.0, 0, 0)
    );
    assert_eq!(s.time_to_patch, PatchTimes::default());
    assert!(s.oldest_open.is_none() && report.timeline.is_empty());

    let html = render_html(&report);
    check_balanced(&html).unwrap();
    assert!(html.contains("No exposures recorded"));
    assert!(render_markdown(&report).contains("No open exposures."));
}

/// Every element closed in order (void elements and `/>` aside); no `<` outside a tag.
fn check_balanced(html: &str) -> Result<(), String> {
    const VOID: [&str; 2] = ["meta", "br"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').ok_or("a tag never ends")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .ok_or_else(|| format!("</{name}> closes nothing"))?;
            if open != name {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() || tag.contains('<') {
            return Err(format!("not a tag: <{tag}>"));
        }
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("never closed: {stack:?}"))
    }
}

#[test]
fn the_checker_catches_broken_html() {
    assert!(check_balanced("<p><b>x</p></b>").is_err());
    assert!(check_balanced("<table><tr><td>x</td></tr>").is_err());
    assert!(check_balanced("<p>a < b</p>").is_err());
    assert!(check_balanced("<svg><rect /></svg><br><meta charset=\"utf-8\">").is_ok());
}

/// Every `href` is a fragment in the page and nothing is loaded from anywhere.
fn assert_self_contained(html: &str) {
    for needle in [
        "<script", "<link", "<img", "<iframe", "src=\"", "@import", "url(",
    ] {
        assert!(!html.contains(needle), "{needle} in the HTML");
    }
    for (i, _) in html.match_indices("href=") {
        assert!(html[i..].starts_with("href=\"#"), "{}", &html[i..i + 40]);
    }
}

#[test]
fn html_is_self_contained_with_figures_and_charts() {
    let html = render_html(&report());
    check_balanced(&html).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(
        html.matches("<table").count(),
        5,
        "severity, overdue, targets, open, closed"
    );

    for figure in [
        "50.0%",
        "25.0%",
        "(2 of 4)",
        "<span class=\"value\">3</span><span class=\"label\">open exposures (2 with a fix available, 1 without)",
        "3d 18h", // mean time to patch
        "2d 12h", // median
        "99d",    // oldest open exposure's age (30 days and over: days only)
        "<code>CVE-6</code> in <code>c</code>",
        "more than 30 days",
        "qm-db 2024-04-10",
        "2024-04-10T00:00:00Z", // generated at
        "Open exposures (3)",
        "Closed exposures (4)",
        "id=\"definitions\"",
    ] {
        assert!(html.contains(figure), "{figure} missing");
    }
    // One filled area per severity ever open (critical, high, medium, low).
    let timeline = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert_eq!(timeline.matches("<path").count(), 4);
}

#[test]
fn html_escapes_hostile_names() {
    let hostile = "<script>alert(\"x\")</script>";
    let mut target = target(hostile, counts(1, 0, 0));
    target.labels.insert(
        "owner".to_owned(),
        "\"><img src=x onerror=alert(1)>".to_owned(),
    );
    target.latest.kind = "</td></tr></table><script>".to_owned();
    let mut exposure = exposure(hostile, "<b>CVE</b>", Rating::Critical, 0, Some(0), None);
    exposure.package = "a&b'<svg onload=alert(1)>".to_owned();
    exposure.aliases = vec!["<i>GHSA</i>".to_owned()];
    exposure.fixed_version = Some("1.0<br>".to_owned());
    let report = FleetReport::new(
        "<store>",
        Some("</code><script>".to_owned()),
        day(60),
        vec![target],
        vec![exposure],
    );

    let html = render_html(&report);
    check_balanced(&html).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(html.contains("a&amp;b&#39;&lt;svg onload=alert(1)&gt;"));
    for raw in ["<b>", "<i>", "<svg onload", "1.0<br>", "<store>"] {
        assert!(!html.contains(raw), "{raw} unescaped");
    }

    let markdown = render_markdown(&report);
    assert!(!markdown.contains("<script>") && !markdown.contains("<b>"));
    assert!(markdown.contains("&lt;script&gt;"));
}

#[test]
fn markdown_has_the_figures_and_a_bounded_table() {
    let markdown = render_markdown(&report());
    assert!(markdown.contains("| Targets with critical or high findings | 50.0% (2 of 4) |"));
    assert!(markdown.contains("| Mean / median time to patch | 3d 18h / 2d 12h (4 closed) |"));
    assert!(
        markdown.contains("| Oldest open exposure | CVE-6 in c (openssl), 99d since 2024-01-02 |")
    );
    assert!(markdown.contains("| Severity | Target | Vulnerability |"));
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| {
            l.starts_with("| critical") || l.starts_with("| medium") || l.starts_with("| low")
        })
        .collect();
    // Most severe first, then the oldest.
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].starts_with("| critical | a | CVE-5 |"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("| medium | c | CVE-6 |"), "{}", rows[1]);
    assert!(rows[2].starts_with("| low | b | CVE-7 |"), "{}", rows[2]);
    assert!(!markdown.contains("more open exposures"));

    let many: Vec<Exposure> = (0..60)
        .map(|i| exposure("x|y", &format!("CVE-{i:03}"), Rating::High, i, None, None))
        .collect();
    let markdown = render_markdown(&FleetReport::new("s", None, day(100), Vec::new(), many));
    assert_eq!(
        markdown
            .lines()
            .filter(|l| l.starts_with("| high |"))
            .count(),
        50
    );
    assert!(markdown.contains("And 10 more open exposures."));
    assert!(
        markdown.contains("| high | x\\|y | CVE-000 |"),
        "pipes escaped, oldest first"
    );
}

#[test]
fn json_round_trips() {
    let report = report();
    let json = serde_json::to_string_pretty(&report).unwrap();
    let back: FleetReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);

    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["statistics"]["targets_critical_or_high_percent"],
        50.0
    );
    assert_eq!(
        value["statistics"]["time_to_patch"]["median_seconds"],
        216_000
    );
    assert_eq!(value["generated_at"], "2024-04-10T00:00:00Z");
    // Listed exposures are flat: the store's fields beside the derived ones.
    let first = &value["closed_exposures"][1];
    assert_eq!(first["target"], "a");
    assert_eq!(first["vulnerability"], "CVE-1");
    assert_eq!(first["first_affected_at"], "2024-01-01T00:00:00Z");
    assert_eq!(first["time_to_patch_seconds"], 864_000);

    // Odd shares survive too.
    let three = vec![
        target("a", counts(1, 0, 0)),
        target("b", counts(0, 0, 0)),
        target("c", counts(0, 0, 0)),
    ];
    let report = FleetReport::new("s", None, day(0), three, Vec::new());
    assert_eq!(report.statistics.targets_critical_percent, 33.3);
    let back: FleetReport = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn streamed_json_is_the_report_with_every_exposure() {
    let builder = ReportBuilder::new(
        "sqlite:///var/lib/qm/fleet.db",
        Some("qm-db 2024-04-10".to_owned()),
        day(100),
        targets(),
        ReportOptions::default(),
    );
    let mut writer = JsonReportWriter::start(Vec::new(), builder).unwrap();
    for exposure in exposures() {
        writer.add(exposure).unwrap();
    }
    let (bytes, streamed) = writer.finish().unwrap();
    assert_eq!(streamed, report());

    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let every = value
        .as_object_mut()
        .unwrap()
        .remove("exposures")
        .expect("every exposure is listed");
    // Besides `exposures`, exactly the report's own fields and values.
    assert_eq!(value, serde_json::to_value(&streamed).unwrap());
    let every: Vec<ReportedExposure> = serde_json::from_value(every).unwrap();
    let ids: Vec<&str> = every
        .iter()
        .map(|e| e.exposure.vulnerability.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "CVE-1", "CVE-2", "CVE-3", "CVE-4", "CVE-5", "CVE-6", "CVE-7"
        ],
        "in the order added"
    );
    assert_eq!(every[0].time_to_patch_seconds, Some(10 * 86_400));
    // Indented as `to_writer_pretty` indents, so people can read it too.
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("{\n  \"generated_at\": \"2024-04-10T00:00:00Z\",\n"));
    assert!(text.contains("\n  \"exposures\": [\n    {\n      \"target\": \"a\",\n"));
    assert!(text.ends_with("\n  \"timeline_sampled\": false\n}\n"));

    // No exposures: an empty list, still valid JSON.
    let builder = ReportBuilder::new("s", None, day(0), Vec::new(), ReportOptions::default());
    let (bytes, _) = JsonReportWriter::start(Vec::new(), builder)
        .unwrap()
        .finish()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value["exposures"], serde_json::json!([]));
    assert!(value.get("database").is_none());
}

#[test]
fn listed_exposures_are_the_first_in_order_whatever_the_input_order() {
    // 500 open exposures over 50 targets, added in a scrambled order; 7 listed.
    let mut all: Vec<Exposure> = (0..500_i64)
        .map(|i| {
            let severity = [Rating::Low, Rating::High, Rating::Critical][(i % 3) as usize];
            let fixed = (i % 4 == 0).then_some(60 + i % 30);
            exposure(
                &format!("t{}", i % 50),
                &format!("CVE-{i}"),
                severity,
                i % 40,
                None,
                fixed,
            )
        })
        .collect();
    let options = ReportOptions {
        listed_exposures: 7,
        overdue_limit: 3,
        ..ReportOptions::default()
    };
    let expected = {
        let mut open: Vec<ReportedExposure> = all
            .iter()
            .filter(|e| e.fixed_at.is_none())
            .map(|e| derive(e.clone(), day(100).unix_seconds()))
            .collect();
        open.sort_by(open_order);
        open.truncate(7);
        open
    };
    for seed in [1_u64, 7, 99] {
        // A simple permutation: rotate and interleave.
        all.rotate_left((seed * 37 % 500) as usize);
        all.reverse();
        let report =
            FleetReport::with_options("s", None, day(100), Vec::new(), all.clone(), options);
        assert_eq!(report.open_exposures, expected, "seed {seed}");
        assert_eq!(report.closed_exposures.len(), 7);
        assert!(
            report
                .closed_exposures
                .windows(2)
                .all(|w| w[0].exposure.fixed_at >= w[1].exposure.fixed_at)
        );
        assert_eq!(report.statistics.open, 375);
        assert_eq!(report.statistics.closed, 125);
    }
}
