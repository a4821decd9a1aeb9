//! The report as one self-contained HTML file: inline CSS, inline SVG, no scripts, nothing
//! fetched.

use std::fmt::Write as _;

use qm_model::{Rating, Timestamp};

use super::svg::{self, Bar, CLEAN};
use super::{
    FleetReport, PatchTimes, ReportedExposure, SEVERITIES, count_of, date, human_duration,
};

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1c1c1c;
  margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2rem; }
.meta { color: #555; margin: 0.2rem 0; }
.figures { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.figure { border: 1px solid #ccc; border-radius: 4px; padding: 0.6rem 0.8rem; min-width: 12rem; flex: 1; }
.figure .value { font-size: 1.5rem; font-weight: 600; display: block; }
.figure .label { color: #444; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d6d6d6; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 0.85em;
  overflow-wrap: anywhere; }
.sev { font-weight: 600; white-space: nowrap; }
.sev-critical { color: #8e0000; } .sev-high { color: #b5340b; } .sev-medium { color: #8a6100; }
.sev-low { color: #2c5f91; } .sev-none, .sev-unknown { color: #555; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
svg.chart { max-width: 100%; height: auto; font-size: 11px; }
svg .tick { fill: #444; } svg .value { fill: #1c1c1c; font-weight: 600; } svg .empty { fill: #777; }
.legend { list-style: none; padding: 0; margin: 0.2rem 0; display: flex; flex-wrap: wrap; gap: 1rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: -0.1rem; }
.note { color: #555; font-size: 0.9rem; }
dt { font-weight: 600; margin-top: 0.5rem; }
dd { margin-left: 1.2rem; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, .figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
";

/// Text made safe inside HTML elements and quoted attributes: `& < > " '` as entities, control
/// characters (but tab and line breaks) dropped.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '\t' | '\n' | '\r' => escaped.push(character),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Renders the report as one self-contained HTML document.
///
/// Nothing in it refers outside the file: styles are inline, charts inline SVG, and there is
/// no script. Every name from the store (targets, labels, packages, ids) is escaped. It prints
/// well (tables keep their headers across pages, charts keep their colours).
pub fn render_html(report: &FleetReport) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let generated = report.generated_at.to_string();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Fleet exposure report, {generated}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    header(&mut out, report);
    headline(&mut out, report);
    charts(&mut out, report);
    by_severity(&mut out, report);
    overdue(&mut out, report);
    targets(&mut out, report);
    open_exposures(&mut out, report);
    closed_exposures(&mut out, report);
    definitions(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

fn header(out: &mut String, report: &FleetReport) {
    let _ = write!(
        out,
        "<header>\n<h1>Fleet exposure report</h1>\n<p class=\"meta\">Generated <time datetime=\"{at}\">{at}</time> \
         from the fleet store <code>{store}</code>",
        at = report.generated_at,
        store = escape(&report.store),
    );
    if let Some(database) = &report.database {
        let _ = write!(
            out,
            ", findings from the vulnerability database <code>{}</code>",
            escape(database)
        );
    }
    out.push_str(
        ".</p>\n<p class=\"meta\">Ages and waits are measured to the time above. \
                  See <a href=\"#definitions\">how the figures are computed</a>.</p>\n</header>\n",
    );
}

fn figure(out: &mut String, value: &str, label: &str) {
    let _ = writeln!(
        out,
        "<div class=\"figure\"><span class=\"value\">{value}</span><span class=\"label\">{label}</span></div>"
    );
}

fn duration_or_dash(seconds: Option<u64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), human_duration)
}

fn headline(out: &mut String, report: &FleetReport) {
    let s = &report.statistics;
    out.push_str("<section id=\"summary\">\n<h2>Headline figures</h2>\n<div class=\"figures\">\n");
    figure(
        out,
        &format!("{:.1}%", s.targets_critical_or_high_percent),
        &format!(
            "of targets have critical or high findings ({} of {})",
            s.targets_critical_or_high, s.targets
        ),
    );
    figure(
        out,
        &format!("{:.1}%", s.targets_critical_percent),
        &format!(
            "of targets have critical findings ({} of {})",
            s.targets_critical, s.targets
        ),
    );
    figure(
        out,
        &s.open.to_string(),
        &format!(
            "open exposures ({} with a fix available, {} without)",
            s.open_with_fix, s.open_without_fix
        ),
    );
    figure(
        out,
        &duration_or_dash(s.time_to_patch.mean_seconds),
        &format!(
            "mean time to patch ({} closed exposures)",
            s.time_to_patch.count
        ),
    );
    figure(
        out,
        &duration_or_dash(s.time_to_patch.median_seconds),
        "median time to patch",
    );
    match &s.oldest_open {
        Some(oldest) => figure(
            out,
            &human_duration(oldest.age_seconds),
            &format!(
                "oldest open exposure: <code>{}</code> in <code>{}</code> ({}), since {}",
                escape(&oldest.vulnerability),
                escape(&oldest.target),
                escape(&oldest.package),
                date(oldest.since),
            ),
        ),
        None => figure(out, "–", "oldest open exposure: none open"),
    }
    figure(
        out,
        &s.overdue.to_string(),
        &format!(
            "open exposures with a fix available for more than {} days",
            report.options.overdue_after_days
        ),
    );
    out.push_str("</div>\n</section>\n");
}

fn legend(out: &mut String, entries: &[(&str, &str)]) {
    out.push_str("<ul class=\"legend\">");
    for (label, fill) in entries {
        let _ = write!(
            out,
            "<li><span class=\"swatch\" style=\"background:{fill}\"></span>{}</li>",
            escape(label)
        );
    }
    out.push_str("</ul>\n");
}

fn severity_legend() -> Vec<(&'static str, &'static str)> {
    SEVERITIES
        .into_iter()
        .map(|r| (r.as_str(), svg::color(r)))
        .collect()
}

fn charts(out: &mut String, report: &FleetReport) {
    let s = &report.statistics;
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");

    out.push_str("<figure>\n<figcaption>Open exposures over time, by severity</figcaption>\n");
    out.push_str(&svg::timeline_chart(&report.timeline));
    out.push('\n');
    legend(out, &severity_legend());
    out.push_str("</figure>\n");

    let mut bars: Vec<Bar> = SEVERITIES
        .into_iter()
        .map(|rating| Bar {
            label: rating.as_str().to_owned(),
            segments: vec![(
                count_of(&s.targets_by_worst_severity, rating),
                svg::color(rating),
            )],
        })
        .collect();
    bars.push(Bar {
        label: "no findings".to_owned(),
        segments: vec![(s.targets_clean, CLEAN)],
    });
    out.push_str("<figure>\n<figcaption>Targets by the worst severity of their latest revision's findings</figcaption>\n");
    out.push_str(&svg::bar_chart("Targets by worst severity", &bars));
    out.push_str("\n</figure>\n");

    let bars: Vec<Bar> = report
        .time_to_patch_histogram
        .iter()
        .map(|bin| Bar {
            label: bin.label.clone(),
            segments: SEVERITIES
                .into_iter()
                .map(|r| (count_of(&bin.closed, r), svg::color(r)))
                .collect(),
        })
        .collect();
    out.push_str(
        "<figure>\n<figcaption>Time to patch of closed exposures, by severity</figcaption>\n",
    );
    out.push_str(&svg::bar_chart("Histogram of time to patch", &bars));
    out.push('\n');
    legend(out, &severity_legend());
    out.push_str("</figure>\n</section>\n");
}

fn severity_cell(rating: Rating) -> String {
    format!("<td class=\"sev sev-{0}\">{0}</td>", rating.as_str())
}

fn patch_cells(times: &PatchTimes) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        duration_or_dash(times.mean_seconds),
        duration_or_dash(times.median_seconds),
        duration_or_dash(times.max_seconds),
    )
}

fn by_severity(out: &mut String, report: &FleetReport) {
    let s = &report.statistics;
    out.push_str(
        "<section id=\"by-severity\">\n<h2>By severity</h2>\n<table>\n<thead><tr><th>Severity</th>\
         <th class=\"num\">Findings (latest revisions)</th><th class=\"num\">Open exposures</th>\
         <th class=\"num\">Open, fix available</th><th class=\"num\">Closed exposures</th>\
         <th class=\"num\">Mean time to patch</th><th class=\"num\">Median time to patch</th>\
         <th class=\"num\">Longest time to patch</th></tr></thead>\n<tbody>\n",
    );
    for row in &s.by_severity {
        let _ = writeln!(
            out,
            "<tr>{}<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
            severity_cell(row.severity),
            count_of(&s.findings, row.severity),
            row.open,
            row.open_with_fix,
            row.closed,
            patch_cells(&row.time_to_patch),
        );
    }
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr><th>All</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr></tfoot>\n</table>\n</section>",
        s.findings.total(),
        s.open,
        s.open_with_fix,
        s.closed,
        patch_cells(&s.time_to_patch),
    );
}

fn overdue(out: &mut String, report: &FleetReport) {
    let s = &report.statistics;
    let _ = writeln!(
        out,
        "<section id=\"overdue\">\n<h2>Fix available, unpatched for more than {} days</h2>\n\
         <p>{} open exposures have had a fix available for more than {} days{}.</p>",
        report.options.overdue_after_days,
        s.overdue,
        report.options.overdue_after_days,
        if s.overdue_longest.len() < usize::try_from(s.overdue).unwrap_or(usize::MAX) {
            format!(
                "; the {} longest-waiting are listed",
                s.overdue_longest.len()
            )
        } else {
            String::new()
        },
    );
    if !s.overdue_longest.is_empty() {
        out.push_str(
            "<table>\n<thead><tr><th>Target</th><th>Vulnerability</th><th>Severity</th><th>Package</th>\
             <th>Installed</th><th>Fix</th><th>Affected since</th><th class=\"num\">Unpatched for</th></tr></thead>\n<tbody>\n",
        );
        for row in &s.overdue_longest {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td>{}<td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(&row.target),
                escape(&row.vulnerability),
                severity_cell(row.severity),
                escape(&row.package),
                escape(&row.installed_version),
                escape(row.fixed_version.as_deref().unwrap_or("")),
                date(row.since),
                duration_or_dash(row.unpatched_seconds),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn targets(out: &mut String, report: &FleetReport) {
    out.push_str(
        "<section id=\"targets\">\n<h2>Targets</h2>\n<table>\n<thead><tr><th>Target</th><th>Labels</th>\
         <th class=\"num\">Revisions</th><th>Latest added</th><th>Kind</th><th class=\"num\">Packages</th>\
         <th class=\"num\">Critical</th><th class=\"num\">High</th><th class=\"num\">Medium</th>\
         <th class=\"num\">Low</th><th class=\"num\">Other</th><th class=\"num\">Open exposures</th>\
         <th class=\"num\">Open, fix available</th><th class=\"num\">Closed</th>\
         <th class=\"num\">Median time to patch</th><th>Oldest open since</th></tr></thead>\n<tbody>\n",
    );
    for (target, stats) in report.targets.iter().zip(&report.target_statistics) {
        let labels: Vec<String> = target
            .labels
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect();
        let c = &target.latest.counts;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&target.name),
            labels.join(", "),
            target.revisions,
            date(target.latest.added_at),
            escape(&target.latest.kind),
            target.latest.packages,
            c.critical,
            c.high,
            c.medium,
            c.low,
            c.negligible + c.unknown,
            stats.open,
            stats.open_with_fix,
            stats.closed,
            duration_or_dash(stats.median_time_to_patch_seconds),
            stats.oldest_open_since.map(date).unwrap_or_default(),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn optional_date(timestamp: Option<Timestamp>) -> String {
    timestamp.map_or_else(|| "–".to_owned(), date)
}

fn truncated_note(out: &mut String, shown: usize, total: u64) {
    let shown = shown as u64;
    if total > shown {
        let _ = writeln!(
            out,
            "<p class=\"note\">And {} more, not shown; the JSON report lists them all.</p>",
            total - shown
        );
    }
}

fn open_exposures(out: &mut String, report: &FleetReport) {
    let open = &report.open_exposures;
    let _ = writeln!(
        out,
        "<section id=\"open\">\n<h2>Open exposures ({})</h2>\n<p class=\"note\">Most severe first, then the oldest.</p>",
        report.statistics.open
    );
    if !open.is_empty() {
        out.push_str(
            "<table>\n<thead><tr><th>Target</th><th>Vulnerability</th><th>Severity</th><th>Package</th>\
             <th>Installed</th><th>Fix</th><th>Fix available since</th><th>Affected since</th>\
             <th class=\"num\">Age</th></tr></thead>\n<tbody>\n",
        );
        for row in open {
            exposure_row(out, row, |out, row| {
                let _ = write!(
                    out,
                    "<td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                    optional_date(row.exposure.fix_available_at),
                    date(row.exposure.first_affected_at),
                    duration_or_dash(row.age_seconds),
                );
            });
        }
        out.push_str("</tbody>\n</table>\n");
        truncated_note(out, open.len(), report.statistics.open);
    }
    out.push_str("</section>\n");
}

fn closed_exposures(out: &mut String, report: &FleetReport) {
    let closed = &report.closed_exposures;
    let _ = writeln!(
        out,
        "<section id=\"closed\">\n<h2>Closed exposures ({})</h2>\n<p class=\"note\">The most recently fixed first.</p>",
        report.statistics.closed
    );
    if !closed.is_empty() {
        out.push_str(
            "<table>\n<thead><tr><th>Target</th><th>Vulnerability</th><th>Severity</th><th>Package</th>\
             <th>Last affected version</th><th>Fix</th><th>Fix available since</th><th>Affected since</th>\
             <th>Fixed</th><th class=\"num\">Time to patch</th></tr></thead>\n<tbody>\n",
        );
        for row in closed {
            exposure_row(out, row, |out, row| {
                let _ = write!(
                    out,
                    "<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                    optional_date(row.exposure.fix_available_at),
                    date(row.exposure.first_affected_at),
                    optional_date(row.exposure.fixed_at),
                    duration_or_dash(row.time_to_patch_seconds),
                );
            });
        }
        out.push_str("</tbody>\n</table>\n");
        truncated_note(out, closed.len(), report.statistics.closed);
    }
    out.push_str("</section>\n");
}

/// A row's common cells, then `rest`.
fn exposure_row(
    out: &mut String,
    row: &ReportedExposure,
    rest: impl FnOnce(&mut String, &ReportedExposure),
) {
    let e = &row.exposure;
    let aliases = if e.aliases.is_empty() {
        String::new()
    } else {
        format!(
            "<br><span class=\"note\">{}</span>",
            escape(&e.aliases.join(", "))
        )
    };
    let _ = write!(
        out,
        "<tr><td>{}</td><td><code>{}</code>{}</td>{}<td>{} <span class=\"note\">({})</span></td><td><code>{}</code></td><td><code>{}</code></td>",
        escape(&e.target),
        escape(&e.vulnerability),
        aliases,
        severity_cell(e.severity),
        escape(&e.package),
        escape(e.ecosystem.as_str()),
        escape(&e.installed_version),
        escape(e.fixed_version.as_deref().unwrap_or("none")),
    );
    rest(out, row);
    out.push_str("</tr>\n");
}

fn definitions(out: &mut String, report: &FleetReport) {
    let _ = write!(
        out,
        "<section id=\"definitions\">\n<h2>How the figures are computed</h2>\n<dl>\n\
<dt>Exposure</dt><dd>One target affected by one vulnerability through one package, from the first \
revision or re-match that found it affected to the first that found it no longer affected (a fixed \
version, or the package removed). Upgrading to another affected version continues the exposure.</dd>\n\
<dt>Share of targets with critical or high findings</dt><dd>Targets whose latest revision has at least \
one critical or high finding, divided by all targets, rounded to one decimal. The critical share counts \
critical findings only. Earlier revisions do not count.</dd>\n\
<dt>Fix available since</dt><dd>The advisory's publication time when the advisory already named a fix \
then, otherwise the first time the store saw a fix.</dd>\n\
<dt>Patch clock</dt><dd>Starts at the later of <em>affected since</em> and <em>fix available since</em>: \
the moment the target was known affected and could be fixed. Without a known fix it starts at \
<em>affected since</em>.</dd>\n\
<dt>Time to patch</dt><dd>For a closed exposure: the time it was seen fixed minus the start of its patch \
clock, or zero if the fix became known only after that. The mean is rounded to the nearest second; the \
median of an even number of exposures is the mean of the middle two. Exposures closed by removing a \
package count as patched.</dd>\n\
<dt>Age</dt><dd>For an open exposure: the report time minus <em>affected since</em>.</dd>\n\
<dt>Unpatched for</dt><dd>For an open exposure with a fix available: the report time minus the start of \
its patch clock. Above {days} days it counts as overdue.</dd>\n\
<dt>Open exposures over time</dt><dd>Open exposures by severity after each change{sampled}. Times are in \
UTC; the store records a change when a revision is added or findings are re-matched, so each date is \
when the store saw the change, not necessarily when it happened.</dd>\n</dl>\n</section>\n",
        days = report.options.overdue_after_days,
        sampled = if report.timeline_sampled {
            format!(
                "; with more than {} changes, the state at evenly spaced instants instead",
                report.options.timeline_points
            )
        } else {
            String::new()
        },
    );
}
