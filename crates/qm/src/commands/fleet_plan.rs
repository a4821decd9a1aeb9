//! `qm fleet plan [NAME]`: the fewest package upgrades that clear the fleet's findings at or
//! over a severity, by base-image layer and ecosystem, with the command that applies each,
//! and what no upgrade fixes yet. A table for people, JSON for programs (the
//! `qm_fleet::PatchPlan` model), Markdown for a pull-request comment.
//!
//! A child of `fleet` (declared there), so it shares the store helpers and the table layout.

use std::fmt::Write as _;

use anyhow::Result;
use clap::{Args, ValueEnum};
use qm_fleet::{PatchPlan, PlanGroup, PlanOrigin, PlanRequest, SeverityCounts, Upgrade};
use qm_match::FixState;

use super::{StoreArgs, fleet, open_store, short_digest, table, write_json, write_text};
use crate::cli::GlobalArgs;
use crate::commands::scan::SeverityLevel;
use crate::{ExitStatus, UsageError};

/// Targets named in a table cell before the rest are counted.
const TARGETS_SHOWN: usize = 3;

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Plan one target [default: every target of the fleet].
    name: Option<String>,
    /// Clear the findings at or over this severity.
    #[arg(long, value_enum, default_value = "high", value_name = "SEVERITY")]
    severity: SeverityLevel,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: PlanFormat,
    #[command(flatten)]
    store: StoreArgs,
}

/// How `qm fleet plan` prints the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    /// For people.
    Table,
    /// For programs.
    Json,
    /// For a pull-request comment.
    Markdown,
}

pub(crate) fn run(global: &GlobalArgs, args: PlanArgs) -> Result<ExitStatus> {
    let mut store = open_store(global, &args.store)?;
    let plan = store
        .plan(&PlanRequest {
            target: args.name.clone(),
            severity: args.severity.rating(),
        })
        .map_err(fleet)?;
    if let Some(name) = &args.name
        && plan.targets.is_empty()
    {
        return Err(UsageError(format!(
            "no target `{name}` in the fleet store `{}`; `qm fleet ls` lists them",
            store.location()
        ))
        .into());
    }
    match args.format {
        PlanFormat::Json => write_json(&plan)?,
        PlanFormat::Table => write_text(&table_text(&plan))?,
        PlanFormat::Markdown => write_text(&markdown(&plan))?,
    }
    Ok(ExitStatus::Success)
}

/// `6 high, 40 medium`; `none` when empty.
fn counts(counts: &SeverityCounts) -> String {
    let parts: Vec<String> = counts
        .nonzero()
        .into_iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The first line: what was planned, and the totals.
fn headline(plan: &PatchPlan) -> String {
    let summary = &plan.summary;
    let targets = u64::try_from(plan.targets.len()).unwrap_or(u64::MAX);
    let mut text = format!(
        "{}, findings at or over {}: ",
        plural(targets, "target", "targets"),
        plan.severity
    );
    if summary.upgrades == 0 {
        text.push_str("nothing to upgrade");
    } else {
        let _ = write!(
            text,
            "{} clear {} ({})",
            plural(summary.upgrades, "upgrade", "upgrades"),
            plural(summary.cleared.total(), "finding", "findings"),
            counts(&summary.cleared)
        );
    }
    let unfixed = summary.unfixed.total();
    if unfixed > 0 {
        let _ = write!(
            text,
            "; {} no fix yet ({})",
            plural(unfixed, "finding has", "findings have"),
            counts(&summary.unfixed)
        );
    }
    text
}

/// What a group is, in words.
fn origin_title(group: &PlanGroup) -> String {
    match &group.origin {
        PlanOrigin::BaseImage {
            layer, shared_by, ..
        } => format!(
            "base image (layer {}, shared by {})",
            short_digest(layer),
            plural(*shared_by, "target", "targets")
        ),
        _ => "the targets' own packages".to_owned(),
    }
}

/// `api, web, +3 more`.
fn targets_cell(targets: &[String]) -> String {
    let mut cell = targets
        .iter()
        .take(TARGETS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if targets.len() > TARGETS_SHOWN {
        let _ = write!(cell, ", +{} more", targets.len() - TARGETS_SHOWN);
    }
    cell
}

fn how(upgrade: &Upgrade) -> String {
    upgrade
        .command
        .clone()
        .or_else(|| upgrade.note.clone())
        .unwrap_or_else(|| "-".to_owned())
}

fn reason(fix: &FixState) -> String {
    match fix {
        FixState::NotFixed {
            status: Some(status),
        } => status.as_str().to_owned(),
        FixState::NotFixed { status: None } => "no fixed version".to_owned(),
        FixState::Fixed { version } => format!("fixed in {version}"),
        _ => "fixed versions unreadable".to_owned(),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}

fn table_text(plan: &PatchPlan) -> String {
    let mut text = headline(plan);
    text.push('\n');
    for group in &plan.groups {
        let _ = write!(text, "\n{}", origin_title(group));
        match &group.origin {
            PlanOrigin::BaseImage { created_by, .. } => {
                text.push_str(": rebuild on a patched base image, or upgrade:\n");
                if let Some(step) = created_by {
                    let _ = writeln!(text, "  layer created by: {step}");
                }
            }
            _ => text.push_str(":\n"),
        }
        for ecosystem in &group.ecosystems {
            let _ = writeln!(text, "  {}", ecosystem.ecosystem);
            let rows: Vec<Vec<String>> = ecosystem
                .upgrades
                .iter()
                .map(|upgrade| {
                    vec![
                        upgrade.package.clone(),
                        upgrade.from.clone(),
                        upgrade.to.clone(),
                        counts(&upgrade.cleared),
                        targets_cell(&upgrade.targets),
                        how(upgrade),
                    ]
                })
                .collect();
            text.push_str(&indent(&table(
                &["PACKAGE", "FROM", "TO", "CLEARS", "TARGETS", "HOW"],
                &rows,
            )));
        }
    }
    if !plan.unfixed.is_empty() {
        text.push_str("\nno fix yet:\n");
        let rows: Vec<Vec<String>> = plan
            .unfixed
            .iter()
            .map(|finding| {
                vec![
                    finding.ecosystem.to_string(),
                    finding.package.clone(),
                    finding.version.clone(),
                    finding.id.clone(),
                    finding.severity.to_string(),
                    reason(&finding.fix),
                    targets_cell(&finding.targets),
                ]
            })
            .collect();
        text.push_str(&indent(&table(
            &[
                "ECOSYSTEM",
                "PACKAGE",
                "VERSION",
                "VULNERABILITY",
                "SEVERITY",
                "WHY",
                "TARGETS",
            ],
            &rows,
        )));
    }
    text
}

/// A Markdown table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Inline code that survives backticks and pipes in `text` (GitHub tables read `\|` inside
/// code as a pipe).
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn markdown_table(text: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(text, "| {} |", headers.join(" | "));
    let _ = writeln!(text, "|{}", "---|".repeat(headers.len()));
    for row in rows {
        let _ = writeln!(text, "| {} |", row.join(" | "));
    }
}

fn markdown(plan: &PatchPlan) -> String {
    let mut text = String::from("## Patch plan\n\n");
    let _ = writeln!(text, "{}.", cell(&headline(plan)));
    for group in &plan.groups {
        match &group.origin {
            PlanOrigin::BaseImage {
                layer,
                created_by,
                shared_by,
                ..
            } => {
                let _ = writeln!(
                    text,
                    "\n### Base image: layer {} (shared by {})\n",
                    code(&short_digest(layer)),
                    plural(*shared_by, "target", "targets")
                );
                text.push_str("Rebuild on a patched base image, or apply these upgrades.");
                if let Some(step) = created_by {
                    let _ = write!(text, " Layer created by {}.", code(step));
                }
                text.push('\n');
            }
            _ => text.push_str("\n### The targets' own packages\n"),
        }
        for ecosystem in &group.ecosystems {
            let _ = writeln!(text, "\n**{}**\n", cell(ecosystem.ecosystem.as_str()));
            let rows: Vec<Vec<String>> = ecosystem
                .upgrades
                .iter()
                .map(|upgrade| {
                    vec![
                        cell(&upgrade.package),
                        code(&upgrade.from),
                        code(&upgrade.to),
                        cell(&counts(&upgrade.cleared)),
                        cell(&upgrade.targets.join(", ")),
                        match (&upgrade.command, &upgrade.note) {
                            (Some(command), _) => code(command),
                            (None, Some(note)) => cell(note),
                            (None, None) => String::new(),
                        },
                    ]
                })
                .collect();
            markdown_table(
                &mut text,
                &["Package", "From", "To", "Clears", "Targets", "How"],
                &rows,
            );
        }
    }
    if !plan.unfixed.is_empty() {
        text.push_str("\n### No fix yet\n\n");
        let rows: Vec<Vec<String>> = plan
            .unfixed
            .iter()
            .map(|finding| {
                vec![
                    cell(&format!("{} {}", finding.ecosystem, finding.package)),
                    code(&finding.version),
                    cell(&finding.id),
                    finding.severity.to_string(),
                    cell(&reason(&finding.fix)),
                    cell(&finding.targets.join(", ")),
                ]
            })
            .collect();
        markdown_table(
            &mut text,
            &[
                "Package",
                "Version",
                "Vulnerability",
                "Severity",
                "Why",
                "Targets",
            ],
            &rows,
        );
    }
    text
}
