//! GitHub-flavoured Markdown for a pull-request comment.
//!
//! A stale database opens the comment as a `> [!WARNING]` alert; then a heading naming the
//! target, a summary line with the counts, a table of findings (most severe first: package,
//! installed → fixed, the id linked to its advisory, severity), and collapsed `<details>`
//! sections for the matcher's notes, the suppressed findings and unreadable files.
//!
//! Everything that comes from outside (names, versions, titles, reasons) is escaped so it
//! cannot open a link, a tag or a new table cell; only `http(s)` addresses become links.

use std::fmt::Write as _;

use qm_match::Finding;
use qm_model::Rating;

use super::facts::{self, RATINGS, Summary};
use super::{ScanRenderOptions, ScanReport};
use crate::TOOL_NAME;

/// Titles in the suppressed list are cut to this many characters.
const REASON_LIMIT: usize = 120;

/// Renders the comment.
pub(crate) fn render(report: &ScanReport<'_>, options: &ScanRenderOptions) -> String {
    let mut out = String::new();
    let summary = Summary::of(report);

    if let Some(warning) = &report.db.stale_warning {
        let _ = writeln!(out, "> [!WARNING]\n> {}\n", escape(warning));
    }

    let target = &report.inventory.target;
    let name = target.tags.first().unwrap_or(&target.name);
    let _ = writeln!(out, "### Vulnerabilities in {}\n", code(name));
    let _ = writeln!(out, "{}\n", summary_line(report, &summary));

    if !report.findings.is_empty() {
        out.push_str("| Package | Installed → Fixed | Vulnerability | Severity |\n");
        out.push_str("| --- | --- | --- | --- |\n");
        let ordered = facts::by_severity(report.findings);
        let shown = options.markdown_rows.unwrap_or(usize::MAX);
        for finding in ordered.iter().take(shown) {
            let _ = writeln!(
                out,
                "| {} | {} → {} | {} | {} |",
                package(finding),
                code(&finding.package.version),
                fix(finding),
                vulnerability(finding),
                severity(finding),
            );
        }
        if ordered.len() > shown {
            let _ = writeln!(
                out,
                "\n_… and {} more, less severe; see the full report._",
                ordered.len().saturating_sub(shown)
            );
        }
        out.push('\n');
    }

    if !report.notes.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Not checked ({})</summary>\n",
            report.notes.len()
        );
        for note in report.notes {
            let _ = write!(out, "- {}", escape(&note.message));
            if !note.packages.is_empty() {
                let listed: Vec<String> = note.packages.iter().map(|p| code(p)).collect();
                let _ = write!(out, ": {}", listed.join(", "));
                if note.count > note.packages.len() {
                    let _ = write!(
                        out,
                        " and {} more",
                        note.count.saturating_sub(note.packages.len())
                    );
                }
            }
            out.push('\n');
        }
        out.push_str("\n</details>\n\n");
    }

    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Suppressed ({})</summary>\n",
            report.suppressed.len()
        );
        out.push_str("| Package | Vulnerability | Status | Reason | By |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for suppressed in facts::ordered_suppressed(report.suppressed) {
            let finding = &suppressed.finding;
            let mut status = suppressed.status.to_string();
            if let Some(justification) = suppressed.justification {
                let _ = write!(status, " ({justification})");
            }
            let reason = suppressed
                .reason
                .as_deref()
                .map(|reason| escape(&facts::truncate(reason, REASON_LIMIT)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} {} |",
                package(finding),
                code(&finding.package.version),
                vulnerability(finding),
                escape(&status),
                reason,
                suppressed.by.kind(),
                code(suppressed.by.source()),
            );
        }
        out.push_str("\n</details>\n\n");
    }

    let warnings = &report.inventory.warnings;
    if !warnings.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Unreadable files ({})</summary>\n",
            warnings.len()
        );
        for warning in warnings {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&warning.path),
                escape(&warning.message)
            );
        }
        out.push_str("\n</details>\n\n");
    }

    let db = report.db;
    let mut footer = format!(
        "{TOOL_NAME} {} · database built {}",
        escape(&report.context.tool_version),
        db.built
    );
    if let Some(age) = db.age {
        let _ = write!(footer, " ({} ago)", facts::age_words(age));
    }
    let _ = write!(footer, " · scanned {}", report.context.timestamp);
    let _ = writeln!(out, "<sub>{footer}</sub>");
    out
}

fn summary_line(report: &ScanReport<'_>, summary: &Summary) -> String {
    let checked = facts::plural(report.checked, "checked package", "checked packages");
    if summary.findings == 0 {
        let mut line = format!("**No vulnerabilities** found in {checked}.");
        if !report.notes.is_empty() {
            line.push_str(" Some packages could not be checked: see below.");
        }
        if summary.suppressed > 0 {
            let _ = write!(line, " {} suppressed.", summary.suppressed);
        }
        return line;
    }
    let counts: Vec<String> = RATINGS
        .iter()
        .filter(|rating| **rating != Rating::None || summary.count(**rating) > 0)
        .map(|rating| format!("{} {}", summary.count(*rating), facts::rating_word(*rating)))
        .collect();
    let mut line = format!(
        "**{}** in {} of {checked}: {} · {} fixable",
        facts::plural(summary.findings, "vulnerability", "vulnerabilities"),
        summary.affected_packages,
        counts.join(" · "),
        summary.fixable
    );
    if summary.suppressed > 0 {
        let _ = write!(line, " · {} suppressed", summary.suppressed);
    }
    line
}

fn package(finding: &Finding) -> String {
    let mut text = code(&finding.package.name);
    if let Some(source) = &finding.package.source
        && source.name != finding.package.name
    {
        let _ = write!(text, " ({})", code(&source.name));
    }
    let _ = write!(
        text,
        " <sub>{}</sub>",
        escape(finding.package.ecosystem.as_str())
    );
    text
}

fn fix(finding: &Finding) -> String {
    match facts::fixed_version(finding) {
        Some(version) => code(version),
        None => format!("_{}_", escape(&facts::fix_words(&finding.fix))),
    }
}

fn vulnerability(finding: &Finding) -> String {
    let mut text = match facts::primary_url(finding).and_then(link_target) {
        Some(url) => format!("[{}]({url})", escape(&finding.id)),
        None => escape(&finding.id),
    };
    if !finding.aliases.is_empty() {
        let _ = write!(text, " <sub>+{}</sub>", finding.aliases.len());
    }
    text
}

fn severity(finding: &Finding) -> String {
    let word = facts::severity_words(finding);
    match finding.severity.rating {
        Rating::Critical | Rating::High => format!("**{word}**"),
        _ => word,
    }
}

/// An `http(s)` address made safe inside `(…)`: spaces, parentheses and angle brackets
/// percent-encoded. Anything else (a `javascript:` address) is not linked.
fn link_target(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut safe = String::with_capacity(url.len());
    for character in url.chars() {
        match character {
            ' ' => safe.push_str("%20"),
            '(' => safe.push_str("%28"),
            ')' => safe.push_str("%29"),
            '<' => safe.push_str("%3C"),
            '>' => safe.push_str("%3E"),
            '|' => safe.push_str("%7C"),
            c if c.is_control() => {}
            c => safe.push(c),
        }
    }
    Some(safe)
}

/// Text made inert: Markdown punctuation backslash-escaped, `|` too (table cells), `<` and `&`
/// as entities (HTML), line breaks as spaces.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
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

/// A code span; `|` is escaped (GFM splits table cells before reading code spans) and a text
/// with a backtick gets a fence of two.
fn code(text: &str) -> String {
    let inner: String = text
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace('|', "\\|");
    if inner.is_empty() {
        return String::new();
    }
    if inner.contains('`') {
        format!("`` {inner} ``")
    } else {
        format!("`{inner}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_cannot_open_markup() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(escape("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(code("1.0|2"), "`1.0\\|2`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(link_target("javascript:alert(1)"), None);
        assert_eq!(
            link_target("https://example.org/a (b)").as_deref(),
            Some("https://example.org/a%20%28b%29")
        );
    }
}
