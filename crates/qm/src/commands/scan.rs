//! `qm scan TARGET`: inventory, match against the installed database, suppress what VEX
//! statements and the ignore file say, report, and gate on severity.

use std::io::{self, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use qm_match::{
    FixState, MatchOptions, MatchReport, SuppressedBy, Suppressions, VexStatus, match_inventory,
};
use qm_model::{Rating, Timestamp};
use qm_report::{
    DbSource, DbSummary, Justification, RenderContext, ScanRenderOptions, ScanReport,
    SuppressedFinding, SuppressionSource, SuppressionStatus, render_scan,
};

use crate::ExitStatus;
use crate::cli::{GlobalArgs, ScanArgs};
use crate::commands::db::DbContext;
use crate::commands::inventory::{InventoryRequest, build_inventory, print_warnings};
use crate::commands::output::Output;

pub(crate) fn run(global: &GlobalArgs, args: ScanArgs) -> Result<ExitStatus> {
    // Open the database first: without one there is nothing to scan against, and reading a
    // large image only to say so would waste the user's time.
    let context = DbContext::new(global)?;
    let db = context.open()?;
    let (age, stale_warning) = context.staleness(&db);
    if let Some(warning) = &stale_warning {
        let _ = writeln!(io::stderr(), "warning: {warning}");
    }

    let suppressions = load_suppressions(&args)?;

    let inventory = build_inventory(&InventoryRequest {
        target: &args.target,
        platform: args.platform.as_deref(),
        progress: !global.quiet,
    })?;
    if !global.quiet {
        print_warnings(&inventory, global.verbose);
    }

    let mut options = MatchOptions::default();
    options.include_dev = !args.skip_dev;
    let matched = match_inventory(&inventory, &db, &options)
        .with_context(|| format!("cannot match `{}` against the database", args.target))?;
    let MatchReport {
        findings,
        notes,
        checked,
        ..
    } = matched;

    let outcome = suppressions.apply(findings, &inventory, Timestamp::now());
    let mut stderr = io::stderr().lock();
    for rule in &outcome.unmatched {
        let _ = writeln!(stderr, "warning: {rule}");
    }
    for rule in &outcome.expired {
        let _ = writeln!(stderr, "warning: {rule}");
    }
    drop(stderr);

    let threshold = args.severity.map(|level| level.rating());
    let shown = |rating: Rating| threshold.is_none_or(|threshold| rating >= threshold);
    let findings: Vec<_> = outcome
        .kept
        .into_iter()
        .filter(|finding| shown(finding.severity.rating))
        .filter(|finding| !args.ignore_unfixed || matches!(finding.fix, FixState::Fixed { .. }))
        .collect();
    let suppressed: Vec<SuppressedFinding> = if args.show_suppressed {
        outcome
            .suppressed
            .into_iter()
            .map(suppressed_finding)
            .collect()
    } else {
        Vec::new()
    };

    let db_summary = DbSummary {
        built: db.metadata().built,
        age: Some(age),
        stale_warning,
        sources: db
            .metadata()
            .sources
            .iter()
            .map(|source| DbSource {
                name: source.name.clone(),
                records: source.records,
                newest: source.newest,
            })
            .collect(),
    };
    let render_context = RenderContext {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        timestamp: Timestamp::now(),
    };
    let report = ScanReport {
        inventory: &inventory,
        findings: &findings,
        notes: &notes,
        checked,
        suppressed: &suppressed,
        db: &db_summary,
        context: &render_context,
    };
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let render_options = ScanRenderOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        width: None,
        ..ScanRenderOptions::default()
    };
    let mut output = Output::open(args.output.as_deref())?;
    render_scan(&report, args.format, &render_options, &mut output)
        .context("cannot write the report")?;
    output.finish()?;

    if let Some(fail_on) = args.fail_on {
        let threshold = fail_on.rating();
        let failing = findings
            .iter()
            .filter(|finding| finding.severity.rating >= threshold)
            .count();
        if failing > 0 {
            if !global.quiet {
                let _ = writeln!(
                    io::stderr(),
                    "{failing} finding{} at or above `{}`: failing as `--fail-on` asks",
                    if failing == 1 { "" } else { "s" },
                    fail_on.rating()
                );
            }
            return Ok(ExitStatus::Policy);
        }
    }
    Ok(ExitStatus::Success)
}

/// The VEX documents and the ignore file: `--ignore-file`, else `.qmignore.toml` in the
/// working directory when there is one.
fn load_suppressions(args: &ScanArgs) -> Result<Suppressions> {
    let ignore_file: Option<PathBuf> = match &args.ignore_file {
        Some(path) => Some(path.clone()),
        None => {
            let default = Path::new(qm_match::DEFAULT_IGNORE_FILE);
            default.is_file().then(|| default.to_owned())
        }
    };
    let mut suppressions = Suppressions::load(&args.vex, ignore_file.as_deref())?;
    for id in &args.vex_product {
        suppressions.add_target_id(id.clone());
    }
    Ok(suppressions)
}

/// How the report shows a finding a rule took out.
fn suppressed_finding(suppressed: qm_match::Suppressed) -> SuppressedFinding {
    let qm_match::Suppressed { finding, by } = suppressed;
    match by {
        SuppressedBy::Vex(verdict) => SuppressedFinding {
            finding,
            status: match verdict.status {
                VexStatus::Fixed | VexStatus::Resolved | VexStatus::ResolvedWithPedigree => {
                    SuppressionStatus::Fixed
                }
                VexStatus::FalsePositive => SuppressionStatus::FalsePositive,
                _ => SuppressionStatus::NotAffected,
            },
            justification: verdict
                .justification
                .as_deref()
                .and_then(|text| text.parse::<Justification>().ok()),
            reason: verdict.detail.clone(),
            by: SuppressionSource::Vex {
                document: format!("{} {}", verdict.file, verdict.location),
            },
        },
        SuppressedBy::Ignore {
            file, line, reason, ..
        } => SuppressedFinding {
            finding,
            status: SuppressionStatus::Accepted,
            justification: None,
            reason,
            by: SuppressionSource::Ignore {
                rule: format!("{file} line {line}"),
            },
        },
        _ => SuppressedFinding {
            finding,
            status: SuppressionStatus::NotAffected,
            justification: None,
            reason: None,
            by: SuppressionSource::Ignore {
                rule: "unknown rule".to_owned(),
            },
        },
    }
}

/// A severity threshold users write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SeverityLevel {
    /// Anything, including unrated findings.
    Unknown,
    /// Rated none/negligible and above.
    Negligible,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

impl SeverityLevel {
    pub(crate) fn rating(self) -> Rating {
        match self {
            SeverityLevel::Unknown => Rating::Unknown,
            SeverityLevel::Negligible => Rating::None,
            SeverityLevel::Low => Rating::Low,
            SeverityLevel::Medium => Rating::Medium,
            SeverityLevel::High => Rating::High,
            SeverityLevel::Critical => Rating::Critical,
        }
    }
}
