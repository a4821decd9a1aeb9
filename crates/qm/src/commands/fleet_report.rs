//! `qm fleet report`: exposure over time and fleet statistics, for auditors (one
//! self-contained HTML file with charts), for programs (JSON) and for issues (Markdown).

use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use qm_fleet::{FleetReport, JsonReportWriter, ReportBuilder, ReportOptions, Store};
use qm_model::{Rating, Timestamp};

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
    let database = store.database().map_err(fleet_error)?;
    let options = ReportOptions {
        overdue_after_days: args.overdue_days,
        ..ReportOptions::default()
    };
    let builder = ReportBuilder::new(
        store.location(),
        database,
        Timestamp::now(),
        targets,
        options,
    );
    // Exposures stream from the store into the report: a large fleet has tens of millions.
    let target = args.name.as_deref();
    let severity = args.severity.rating();
    let mut output = Output::open(args.output.as_deref())?;
    let store = store.as_mut();
    match args.format {
        ReportFormat::Json => write_json(store, builder, target, severity, &mut output)?,
        ReportFormat::Html => {
            let report = compute(store, builder, target, severity)?;
            output.write_all(qm_fleet::render_html(&report).as_bytes())?;
        }
        ReportFormat::Markdown => {
            let report = compute(store, builder, target, severity)?;
            output.write_all(qm_fleet::render_markdown(&report).as_bytes())?;
        }
    }
    output.finish()?;
    Ok(ExitStatus::Success)
}

/// The report of the exposures of `target` (or all) at or over `severity`.
fn compute(
    store: &mut dyn Store,
    mut builder: ReportBuilder,
    target: Option<&str>,
    severity: Rating,
) -> Result<FleetReport> {
    store
        .each_exposure(target, severity, &mut |exposure| {
            builder.add(exposure);
            ControlFlow::Continue(())
        })
        .map_err(fleet_error)?;
    Ok(builder.finish())
}

/// The report as JSON, each exposure written as it comes from the store.
fn write_json(
    store: &mut dyn Store,
    builder: ReportBuilder,
    target: Option<&str>,
    severity: Rating,
    output: &mut Output,
) -> Result<()> {
    let mut json = JsonReportWriter::start(output, builder).context("cannot write the JSON")?;
    let mut failed = None;
    store
        .each_exposure(target, severity, &mut |exposure| match json.add(exposure) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failed = Some(error);
                ControlFlow::Break(())
            }
        })
        .map_err(fleet_error)?;
    if let Some(error) = failed {
        return Err(anyhow::Error::new(error).context("cannot write the JSON"));
    }
    json.finish().context("cannot write the JSON")?;
    Ok(())
}
