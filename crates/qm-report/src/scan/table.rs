//! The table for a terminal.
//!
//! ```text
//! WARNING: the vulnerability database was built 12 days ago; run `qm db update`
//!
//! Target    docker-archive:app.tar (registry.example/app:1.4)
//! OS        Debian GNU/Linux 12 (bookworm)
//! Database  built 2024-04-19T06:00:00Z, 12 days ago (debian-tracker, osv)
//!
//! ┌───────────────────┬──────────────────┬──────────────────┬────────────────────┬────────────┬─────────┐
//! │ Package           ┆ Installed        ┆ Fixed            ┆ Vulnerability      ┆ Severity   ┆ Title   │
//! ╞═══════════════════╪══════════════════╪══════════════════╪════════════════════╪════════════╪═════════╡
//! │ libssl3 (openssl) ┆ 3.0.11-1~deb12u2 ┆ 3.0.13-1~deb12u1 ┆ CVE-2023-5678 (+1) ┆ medium 5.3 ┆ Excess… │
//! │                   ┆                  ┆ no fix (no-dsa)  ┆ CVE-2024-2511      ┆ low        ┆ Unboun… │
//! └───────────────────┴──────────────────┴──────────────────┴────────────────────┴────────────┴─────────┘
//! ```
//!
//! then a summary line, the suppressed findings, the matcher's notes and the files that could
//! not be read. Rows are grouped by package, most severe first within a package: the package
//! and its version are written on its first row only; `(+1)` counts the vulnerability's other
//! ids. Given a width, the columns other than the title never wrap while the title keeps at
//! least [`TITLE_MIN`] characters; a narrower width drops the title column (every other format
//! has the titles). The table is drawn by `comfy-table` with its terminal detection off
//! (`force_no_tty`): width and colour are exactly what the caller passed.

use std::fmt::Write as _;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table};
use qm_match::Finding;
use qm_model::Rating;

use super::facts::{self, RATINGS, Summary};
use super::{ScanRenderOptions, ScanReport};

/// Titles longer than this are cut with `…` (the table wraps what is left to its width).
const TITLE_LIMIT: usize = 72;

/// The title column is kept only when the width leaves it at least this many characters.
const TITLE_MIN: usize = 24;

/// The position of the title, the last column.
const TITLE_COLUMN: usize = 5;

/// How many suppressed findings and note packages are listed before "and N more".
const LIST_LIMIT: usize = 20;

/// ANSI styles for text outside the table; comfy-table colours cells itself.
const WARNING_STYLE: &str = "\x1b[1;33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders the whole text: header, table, summary, suppressed, notes, warnings.
pub(crate) fn render(report: &ScanReport<'_>, options: &ScanRenderOptions) -> String {
    let paint = |style: &str, text: &str| {
        if options.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();

    if let Some(warning) = &report.db.stale_warning {
        let _ = writeln!(
            out,
            "{}\n",
            paint(WARNING_STYLE, &format!("WARNING: {warning}"))
        );
    }
    header(&mut out, report);
    out.push('\n');

    let summary = Summary::of(report);
    if !report.findings.is_empty() {
        let _ = writeln!(out, "{}\n", findings_table(report, options));
    }
    let _ = writeln!(out, "{}", paint(BOLD, &summary_line(report, &summary)));

    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\nSuppressed ({}), not counted above:",
            report.suppressed.len()
        );
        let ordered = facts::ordered_suppressed(report.suppressed);
        for suppressed in ordered.iter().take(LIST_LIMIT) {
            let finding = &suppressed.finding;
            let mut line = format!(
                "  {} in {} {}: {}",
                finding.id, finding.package.name, finding.package.version, suppressed.status
            );
            if let Some(justification) = suppressed.justification {
                let _ = write!(line, " ({justification})");
            }
            if let Some(reason) = &suppressed.reason {
                let _ = write!(line, ", {}", facts::truncate(reason, TITLE_LIMIT));
            }
            let _ = writeln!(out, "{line} [{}]", suppressed.by);
        }
        more(&mut out, ordered.len());
    }

    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n{}", paint(WARNING_STYLE, "Not checked:"));
        for note in report.notes {
            let _ = writeln!(out, "  - {}", note.message);
            if !note.packages.is_empty() {
                let mut listed = note.packages.join(", ");
                if note.count > note.packages.len() {
                    let _ = write!(
                        listed,
                        " and {} more",
                        note.count.saturating_sub(note.packages.len())
                    );
                }
                let _ = writeln!(out, "    {listed}");
            }
        }
    }

    let warnings = &report.inventory.warnings;
    if !warnings.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                WARNING_STYLE,
                &format!(
                    "{} could not be read, so the inventory may be incomplete:",
                    facts::plural(warnings.len(), "file", "files")
                )
            )
        );
        for warning in warnings.iter().take(LIST_LIMIT) {
            let layer = warning
                .layer
                .as_deref()
                .map(|digest| match facts::layer(report.inventory, digest) {
                    Some(layer) => format!(" (layer {})", layer.index),
                    None => format!(" (layer {})", facts::short_digest(digest)),
                })
                .unwrap_or_default();
            let _ = writeln!(out, "  {}{layer}: {}", warning.path, warning.message);
        }
        more(&mut out, warnings.len());
    }
    out
}

fn more(out: &mut String, total: usize) {
    if total > LIST_LIMIT {
        let _ = writeln!(out, "  … and {} more", total.saturating_sub(LIST_LIMIT));
    }
}

fn header(out: &mut String, report: &ScanReport<'_>) {
    let target = &report.inventory.target;
    let mut line = target.name.clone();
    if !target.tags.is_empty() {
        let _ = write!(line, " ({})", target.tags.join(", "));
    }
    let _ = writeln!(out, "Target    {line}");
    if let Some(distro) = &report.inventory.distro {
        let name = distro.pretty_name.clone().unwrap_or_else(|| {
            let mut name = distro.id.clone();
            if let Some(version) = &distro.version_id {
                let _ = write!(name, " {version}");
            }
            name
        });
        let _ = writeln!(out, "OS        {name}");
    }
    let db = report.db;
    let mut line = format!("built {}", db.built);
    if let Some(age) = db.age {
        let _ = write!(line, ", {} ago", facts::age_words(age));
    }
    if !db.sources.is_empty() {
        let names: Vec<&str> = db.sources.iter().map(|s| s.name.as_str()).collect();
        let _ = write!(line, " ({})", names.join(", "));
    }
    let _ = writeln!(out, "Database  {line}");
}

fn summary_line(report: &ScanReport<'_>, summary: &Summary) -> String {
    if summary.findings == 0 {
        let checked = facts::plural(report.checked, "checked package", "checked packages");
        return if report.notes.is_empty() {
            format!("No vulnerabilities found in {checked}.")
        } else {
            format!(
                "No vulnerabilities found in {checked}, but some packages could not be checked \
                 (below)."
            )
        };
    }
    let counts: Vec<String> = RATINGS
        .iter()
        .filter(|rating| **rating != Rating::None || summary.count(**rating) > 0)
        .map(|rating| format!("{} {}", summary.count(*rating), facts::rating_word(*rating)))
        .collect();
    // A vulnerability found in several packages (libssl3 and openssl) is one vulnerability
    // and several findings: say both when they differ.
    let found = if summary.vulnerabilities == summary.findings {
        facts::plural(summary.findings, "vulnerability", "vulnerabilities")
    } else {
        format!(
            "{} ({})",
            facts::plural(summary.findings, "finding", "findings"),
            facts::plural(summary.vulnerabilities, "vulnerability", "vulnerabilities")
        )
    };
    format!(
        "{found} in {} of {}: {}. {} can be fixed by upgrading.",
        summary.affected_packages,
        facts::plural(report.checked, "checked package", "checked packages"),
        counts.join(", "),
        summary.fixable
    )
}

fn findings_table(report: &ScanReport<'_>, options: &ScanRenderOptions) -> String {
    let mut table = Table::new();
    table.force_no_tty().load_style(UTF8_FULL_CONDENSED);
    if options.color {
        table.enforce_styling();
    }
    table.set_header(
        [
            "Package",
            "Installed",
            "Fixed",
            "Vulnerability",
            "Severity",
            "Title",
        ]
        .map(|title| header_cell(title, options.color)),
    );

    let mut previous: Option<usize> = None;
    for finding in facts::ordered(report.findings) {
        let first_of_package = previous != Some(finding.package.index);
        previous = Some(finding.package.index);
        let (package, installed) = if first_of_package {
            let mut installed = finding.package.version.clone();
            if finding.installed_version != finding.package.version {
                let _ = write!(installed, "\n(source {})", finding.installed_version);
            }
            (facts::package_label(finding), installed)
        } else {
            (String::new(), String::new())
        };
        let mut id = finding.id.clone();
        if !finding.aliases.is_empty() {
            let _ = write!(id, " (+{})", finding.aliases.len());
        }
        table.add_row(vec![
            Cell::new(package),
            Cell::new(installed),
            fix_cell(finding, options.color),
            Cell::new(id),
            severity_cell(finding, options.color),
            Cell::new(title(finding)),
        ]);
    }
    fit(&mut table, options.width);
    table.trim_fmt()
}

/// Fits the table to `width`: the title column takes what the others leave, as long as that is
/// at least [`TITLE_MIN`] characters; below that the title column is dropped (it is in every
/// other format), and the remaining columns wrap only when they must.
fn fit(table: &mut Table, width: Option<u16>) {
    let Some(width) = width else {
        table.set_content_arrangement(ContentArrangement::Disabled);
        return;
    };
    table
        .set_width(width)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let widths = table.column_max_content_widths();
    // Each column adds a space either side and one border; the table adds a left border.
    let others = widths
        .iter()
        .take(TITLE_COLUMN)
        .map(|content| usize::from(*content).saturating_add(3))
        .sum::<usize>()
        .saturating_add(1);
    if usize::from(width) >= others.saturating_add(TITLE_MIN).saturating_add(3) {
        for index in 0..TITLE_COLUMN {
            if let Some(column) = table.column_mut(index) {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
    } else if let Some(title) = table.column_mut(TITLE_COLUMN) {
        title.set_constraint(ColumnConstraint::Hidden);
    }
}

fn header_cell(title: &str, color: bool) -> Cell {
    let cell = Cell::new(title);
    if color {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

fn fix_cell(finding: &Finding, color: bool) -> Cell {
    let cell = Cell::new(facts::fix_words(&finding.fix));
    if color && facts::is_fixable(finding) {
        cell.fg(Color::Green)
    } else {
        cell
    }
}

fn severity_cell(finding: &Finding, color: bool) -> Cell {
    let cell = Cell::new(facts::severity_words(finding));
    if !color {
        return cell;
    }
    match finding.severity.rating {
        Rating::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Rating::High => cell.fg(Color::Red),
        Rating::Medium => cell.fg(Color::Yellow),
        Rating::Low => cell.fg(Color::Blue),
        Rating::None | Rating::Unknown => cell.fg(Color::DarkGrey),
    }
}

fn title(finding: &Finding) -> String {
    let title = finding.title.as_deref().unwrap_or("");
    let title = match &finding.informational {
        Some(kind) => format!("[{kind}] {title}"),
        None => title.to_owned(),
    };
    facts::truncate(&title, TITLE_LIMIT)
}
