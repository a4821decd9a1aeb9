//! The report as GitHub-flavoured Markdown, short enough for a pull request or issue comment.

use std::fmt::Write as _;

use super::{FleetReport, date, human_duration};

/// Open exposures listed; the rest are counted.
const TABLE_ROWS: usize = 50;

/// Text made inert in Markdown and in a table cell: punctuation that starts markup
/// backslash-escaped, `<`, `>` and `&` as entities, line breaks as spaces.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '!' | '$' => {
                escaped.push('\\');
                escaped.push(character);
            }
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\n' | '\r' | '\t' => escaped.push(' '),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

fn duration(seconds: Option<u64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), human_duration)
}

/// Renders the headline figures and the top open exposures (most severe, then oldest, first;
/// at most 50 rows, then how many more) as Markdown.
pub fn render_markdown(report: &FleetReport) -> String {
    let s = &report.statistics;
    let mut out = String::new();
    let _ = writeln!(out, "## Fleet exposure report\n");
    let _ = write!(
        out,
        "Generated {} from `{}`",
        report.generated_at,
        escape(&report.store)
    );
    if let Some(database) = &report.database {
        let _ = write!(out, ", findings from {}", escape(database));
    }
    out.push_str(".\n\n");

    out.push_str("| Figure | Value |\n|---|---:|\n");
    let _ = writeln!(
        out,
        "| Targets with critical or high findings | {:.1}% ({} of {}) |",
        s.targets_critical_or_high_percent, s.targets_critical_or_high, s.targets
    );
    let _ = writeln!(
        out,
        "| Targets with critical findings | {:.1}% ({} of {}) |",
        s.targets_critical_percent, s.targets_critical, s.targets
    );
    let _ = writeln!(
        out,
        "| Open exposures | {} ({} with a fix available, {} without) |",
        s.open, s.open_with_fix, s.open_without_fix
    );
    let _ = writeln!(
        out,
        "| Mean / median time to patch | {} / {} ({} closed) |",
        duration(s.time_to_patch.mean_seconds),
        duration(s.time_to_patch.median_seconds),
        s.time_to_patch.count
    );
    match &s.oldest_open {
        Some(oldest) => {
            let _ = writeln!(
                out,
                "| Oldest open exposure | {} in {} ({}), {} since {} |",
                escape(&oldest.vulnerability),
                escape(&oldest.target),
                escape(&oldest.package),
                human_duration(oldest.age_seconds),
                date(oldest.since)
            );
        }
        None => out.push_str("| Oldest open exposure | none open |\n"),
    }
    let _ = writeln!(
        out,
        "| Fix available, unpatched for more than {} days | {} |",
        report.options.overdue_after_days, s.overdue
    );

    let open = &report.open_exposures;
    let total = report.statistics.open;
    if total == 0 {
        out.push_str("\nNo open exposures.\n");
        return out;
    }
    let _ = writeln!(out, "\n### Open exposures\n");
    out.push_str(
        "| Severity | Target | Vulnerability | Package | Installed | Fix | Fix available since | Affected since | Age |\n\
         |---|---|---|---|---|---|---|---|---:|\n",
    );
    for row in open.iter().take(TABLE_ROWS) {
        let e = &row.exposure;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            e.severity,
            escape(&e.target),
            escape(&e.vulnerability),
            escape(&e.package),
            escape(&e.installed_version),
            e.fixed_version
                .as_deref()
                .map_or_else(|| "none".to_owned(), escape),
            e.fix_available_at.map_or_else(|| "–".to_owned(), date),
            date(e.first_affected_at),
            duration(row.age_seconds),
        );
    }
    let shown = open.len().min(TABLE_ROWS) as u64;
    if total > shown {
        let _ = writeln!(out, "\nAnd {} more open exposures.", total - shown);
    }
    out
}
