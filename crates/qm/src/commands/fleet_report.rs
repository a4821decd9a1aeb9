//! `qm fleet report`: exposure over time and fleet statistics, for auditors (one
//! self-contained HTML file with charts), for programs (JSON) and for issues (Markdown).

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use qm_fleet::{FleetReport, ReportOptions};
use qm_model::Timestamp;

use crate::cli::GlobalArgs;
use crate::commands::fleet::{StoreArgs, fleet_error, open_store};
use crate::commands::output::Output;
use crate::commands::scan::SeverityLevel;
use crate::{ExitStatus, UsageError};

/// How `qm fleet report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// One self-contained HTML page with inline SVG charts.
    Html,
    /// The report's data, every exposure included.
    Json,
    /// Headline figures and the open exposures, for an issue or a pull request.
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Only this target's exposures (the fleet statistics still cover every target).
    name: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "html")]
    format: ReportFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only exposures to vulnerabilities at or over this severity (the share of targets with
    /// critical or high findings always counts every target).
    #[arg(long, value_enum, default_value = "unknown", value_name = "SEVERITY")]
    severity: SeverityLevel,
    /// An open exposure with a known fix is overdue after this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    overdue_days: u64,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn report(global: &GlobalArgs, args: ReportArgs) -> Result<ExitStatus> {
    let mut store = open_store(global, &args.store)?;
    let mut targets = store.list().map_err(fleet_error)?;
    if let Some(name) = &args.name {
        if !targets.iter().any(|target| &target.name == name) {
            return Err(UsageError(format!("there is no target `{name}` in the fleet")).into());
        }
        targets.retain(|target| &target.name == name);
    }
    let exposures = store
        .exposures(args.name.as_deref(), args.severity.rating())
        .map_err(fleet_error)?;
    let database = store.database().map_err(fleet_error)?;
    let options = ReportOptions {
        overdue_after_days: args.overdue_days,
        ..ReportOptions::default()
    };
    let report = FleetReport::with_options(
        store.location(),
        database,
        Timestamp::now(),
        targets,
        exposures,
        options,
    );
    let mut output = Output::open(args.output.as_deref())?;
    match args.format {
        ReportFormat::Html => output.write_all(qm_fleet::render_html(&report).as_bytes())?,
        ReportFormat::Markdown => {
            output.write_all(qm_fleet::render_markdown(&report).as_bytes())?;
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut output, &report).context("cannot write the JSON")?;
            writeln!(output)?;
        }
    }
    output.finish()?;
    Ok(ExitStatus::Success)
}
