//! `qm fleet …`: keep the inventories of many targets, and ask which are affected.
//!
//! The store is `--store`, else `QM_STORE`, else `sqlite://<cache dir>/fleet.db`. `add` reads a
//! target as `qm sbom` does and stores its inventory; findings are derived from the installed
//! vulnerability database and refreshed by `rematch` after `qm db update`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write as _};

use anyhow::{Context as _, Result, anyhow};
use clap::{Args, Subcommand};
use qm_fleet::{
    AffectedPackage, AffectedQuery, FleetError, FleetMatcher, Labels, NewRevision, RevisionSummary,
    SeverityCounts, Store, StoreLocation,
};
use qm_match::{Finding, FixState};
use qm_version::Scheme;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::commands::db::DbContext;
use crate::commands::inventory::{InventoryRequest, build_inventory, print_warnings};
use crate::commands::output::Output;
use crate::{ExitStatus, UsageError};

#[path = "fleet_plan.rs"]
mod plan;

#[derive(Debug, Subcommand)]
pub(crate) enum FleetCommand {
    /// Store a target's inventory under a name, as a new revision when its digest is new.
    ///
    /// TARGET is anything `qm sbom` reads. The digest is the image's own, or for a directory
    /// or SBOM the SHA-256 of its inventory: adding the same digest again changes nothing
    /// (except labels given with `--label`).
    #[command(
        after_help = "Examples:\n  qm fleet add docker-archive:api.tar --name payments-api \
        --label team=payments --label env=prod\n  \
        QM_STORE=postgres://qm@db/fleet qm fleet add oci-dir:./layout:v2 --name web"
    )]
    Add(AddArgs),
    /// List the targets: latest revision, packages, findings by severity.
    Ls(ListArgs),
    /// Show one target: labels, every revision, and the latest revision's findings.
    Show(ShowArgs),
    /// Which targets are affected by a vulnerability or a package, and what fixes it.
    ///
    /// ID is a vulnerability id or alias (`CVE-2024-3094`, `GHSA-…`; any case), a package URL
    /// (`pkg:deb/debian/openssl@3.0.11-1~deb12u2`; qualifiers compared only when given), or
    /// `name[@version]` (a source package name reaches its binary packages). Only the latest
    /// revision of each target counts.
    #[command(after_help = "Examples:\n  qm fleet affected CVE-2023-46136\n  \
        qm fleet affected pkg:pypi/werkzeug@2.3.7 -f json\n  qm fleet affected openssl")]
    Affected(AffectedArgs),
    /// Re-derive every stored finding from the installed database; report what changed.
    ///
    /// Run after `qm db update` or `qm db import`: prints, per vulnerability, the targets
    /// newly affected and newly fixed.
    Rematch(RematchArgs),
    /// Remove a target with its history and exposures.
    Rm(RemoveArgs),
    /// Exposure over time and fleet statistics: when each target was first seen affected,
    /// when a fix became available, when it was seen fixed; time to patch.
    ///
    /// HTML (default) is one self-contained page with charts, for auditors; JSON holds every
    /// exposure; Markdown suits an issue or a pull request.
    #[command(after_help = "Examples:\n  qm fleet report -o fleet.html\n  \
        qm fleet report -f json -o fleet.json\n  qm fleet report payments-api -f markdown")]
    Report(crate::commands::fleet_report::ReportArgs),
    /// The fewest upgrades that clear the findings at or over a severity, and what has no fix.
    ///
    /// Over the latest revision of every target, or of NAME: per package, the nearest version
    /// that fixes all its findings at or over `--severity`, once for all the targets it
    /// clears; base-image layers (shared by several targets, or an image's first) apart,
    /// where rebuilding on a patched base is the fix; with the command that applies each
    /// (`apt-get`, `apk`, `dnf`, `pip`, `npm`, `cargo`, `go`, …). Debian commands pin binary
    /// packages to the fixed source version: a binary-only rebuild may carry a `+bN` suffix.
    #[command(
        after_help = "Examples:\n  qm fleet plan\n  qm fleet plan payments-api \
        --severity critical\n  qm fleet plan -f markdown > plan.md"
    )]
    Plan(plan::PlanArgs),
}

/// Where the store is.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// The fleet store: `sqlite://PATH` or `postgres://USER@HOST[:PORT]/DATABASE`
    /// [default: sqlite://<cache dir>/fleet.db].
    #[arg(long, env = "QM_STORE", value_name = "URL")]
    pub(crate) store: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// What to add: an image, a directory, a lockfile, or an SBOM.
    target: String,
    /// The target's name in the fleet.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// A label `KEY=VALUE` (repeatable); replaces the target's labels when given.
    #[arg(long, value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Platform to pick from a multi-platform image index [default: linux/amd64].
    #[arg(long, env = "QM_PLATFORM", value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: OutputFormat,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only targets with this label `KEY=VALUE` (repeatable: all must match).
    #[arg(long, value_name = "KEY=VALUE")]
    label: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: OutputFormat,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The target's name.
    name: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: OutputFormat,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct AffectedArgs {
    /// A vulnerability id or alias, a package URL, or `name[@version]`.
    id: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: OutputFormat,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RematchArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// POST the JSON report here when a target is newly affected or newly fixed (retried on
    /// failure; skipped with `--offline`).
    #[arg(long, env = "QM_FLEET_WEBHOOK", value_name = "URL")]
    webhook: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// The target's name.
    name: String,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn run(global: &GlobalArgs, command: FleetCommand) -> Result<ExitStatus> {
    match command {
        FleetCommand::Add(args) => add(global, args),
        FleetCommand::Ls(args) => list(global, args),
        FleetCommand::Show(args) => show(global, args),
        FleetCommand::Affected(args) => affected(global, args),
        FleetCommand::Rematch(args) => crate::commands::fleet_rematch::rematch(
            global,
            args.store.store.as_deref(),
            args.webhook.as_deref(),
            args.format,
        ),
        FleetCommand::Rm(args) => remove(global, args),
        FleetCommand::Report(args) => crate::commands::fleet_report::report(global, args),
        FleetCommand::Plan(args) => plan::run(global, args),
    }
}

/// Opens the store `--store`/`QM_STORE` names, or the default one.
pub(crate) fn open_store(global: &GlobalArgs, args: &StoreArgs) -> Result<Box<dyn Store>> {
    let location = match &args.store {
        Some(text) => StoreLocation::parse(text).map_err(|error| usage(&error))?,
        None => crate::commands::fleet_rematch::store_location(
            global,
            &crate::config::ConfigFile::load(global.config.as_deref())?,
            None,
        )?,
    };
    qm_fleet::open(&location).map_err(fleet)
}

/// A store error as the user reads it (for the other fleet modules).
pub(crate) fn fleet_error(error: FleetError) -> anyhow::Error {
    fleet(error)
}

/// A store error as the user reads it: the causes, then the next step.
fn fleet(error: FleetError) -> anyhow::Error {
    let Some(hint) = error.hint() else {
        return anyhow::Error::new(error);
    };
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    let mut previous = String::new();
    while let Some(inner) = cause {
        // Drivers wrap one failure in several layers that say the same thing.
        let message = inner.to_string();
        if previous.is_empty() || !message.contains(&previous) {
            let _ = write!(text, "\n  caused by: {message}");
        }
        previous = message;
        cause = inner.source();
    }
    let _ = write!(text, "\nhint: {hint}");
    anyhow!(text)
}

fn usage(error: &FleetError) -> anyhow::Error {
    match error.hint() {
        Some(hint) => UsageError(format!("{error}\nhint: {hint}")).into(),
        None => UsageError(error.to_string()).into(),
    }
}

fn parse_labels(texts: &[String]) -> Result<Labels> {
    let mut labels = BTreeMap::new();
    for text in texts {
        let Some((key, value)) = text
            .split_once('=')
            .filter(|(key, _)| !key.trim().is_empty())
        else {
            return Err(UsageError(format!("`{text}` is not a label: write `KEY=VALUE`")).into());
        };
        labels.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(labels)
}

fn write_json(value: &impl serde::Serialize) -> Result<()> {
    let mut output = Output::open(None)?;
    serde_json::to_writer_pretty(&mut output, value).context("cannot write the JSON")?;
    writeln!(output)?;
    output.finish()
}

fn write_text(text: &str) -> Result<()> {
    let mut output = Output::open(None)?;
    output.write_all(text.as_bytes())?;
    output.finish()
}

fn add(global: &GlobalArgs, args: AddArgs) -> Result<ExitStatus> {
    let labels = if args.label.is_empty() {
        None
    } else {
        Some(parse_labels(&args.label)?)
    };
    let context = DbContext::new(global)?;
    let db = context.open()?;
    if let (_, Some(warning)) = context.staleness(&db) {
        let _ = writeln!(io::stderr(), "warning: {warning}");
    }
    let mut store = open_store(global, &args.store)?;
    let inventory = build_inventory(&InventoryRequest {
        target: &args.target,
        platform: args.platform.as_deref(),
        progress: !global.quiet,
    })?;
    if !global.quiet {
        print_warnings(&inventory, global.verbose);
    }
    let matcher = FleetMatcher::new(&db);
    let outcome = store
        .add(
            &NewRevision {
                name: &args.name,
                labels: labels.as_ref(),
                inventory: &inventory,
            },
            &matcher,
        )
        .map_err(fleet)
        .with_context(|| format!("cannot add `{}` to the fleet", args.target))?;
    if let Some(previous) = &outcome.stale_findings
        && !global.quiet
    {
        let _ = writeln!(
            io::stderr(),
            "warning: the store's findings were derived from another vulnerability database \
             ({previous}); run `qm fleet rematch` to bring them up to date"
        );
    }
    match args.format {
        OutputFormat::Json => write_json(&outcome)?,
        OutputFormat::Table => {
            let what = if outcome.created {
                format!("added `{}` revision {}", outcome.target, outcome.revision)
            } else {
                format!(
                    "`{}` revision {} already has this digest: nothing added",
                    outcome.target, outcome.revision
                )
            };
            let labels = if outcome.labels_changed {
                "; labels updated"
            } else {
                ""
            };
            write_text(&format!(
                "{what}{labels}\ndigest {}\n{} packages, {}\n",
                outcome.digest,
                outcome.packages,
                counts_text(&outcome.counts)
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn counts_text(counts: &SeverityCounts) -> String {
    if counts.total() == 0 {
        return "no findings".to_owned();
    }
    let parts: Vec<String> = counts
        .nonzero()
        .into_iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    format!(
        "{} finding{}: {}",
        counts.total(),
        if counts.total() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

fn list(global: &GlobalArgs, args: ListArgs) -> Result<ExitStatus> {
    let wanted = parse_labels(&args.label)?;
    let mut store = open_store(global, &args.store)?;
    let targets: Vec<_> = store
        .list()
        .map_err(fleet)?
        .into_iter()
        .filter(|target| {
            wanted
                .iter()
                .all(|(key, value)| target.labels.get(key) == Some(value))
        })
        .collect();
    match args.format {
        OutputFormat::Json => write_json(&serde_json::json!({ "targets": targets }))?,
        OutputFormat::Table => {
            if targets.is_empty() {
                if !global.quiet {
                    let _ = writeln!(
                        io::stderr(),
                        "the fleet store `{}` holds no targets{}; add one with `qm fleet add TARGET --name NAME`",
                        store.location(),
                        if wanted.is_empty() {
                            ""
                        } else {
                            " with these labels"
                        }
                    );
                }
                return Ok(ExitStatus::Success);
            }
            let rows = targets
                .iter()
                .map(|target| {
                    let mut row = vec![target.name.clone()];
                    row.extend(revision_cells(&target.latest));
                    row.push(labels_text(&target.labels));
                    row
                })
                .collect::<Vec<_>>();
            write_text(&table(
                &[
                    "NAME", "REV", "DIGEST", "ADDED", "PACKAGES", "CRITICAL", "HIGH", "MEDIUM",
                    "LOW", "OTHER", "LABELS",
                ],
                &rows,
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn revision_cells(revision: &RevisionSummary) -> Vec<String> {
    let counts = &revision.counts;
    vec![
        revision.revision.to_string(),
        short_digest(&revision.digest),
        revision.added_at.to_string(),
        revision.packages.to_string(),
        counts.critical.to_string(),
        counts.high.to_string(),
        counts.medium.to_string(),
        counts.low.to_string(),
        (counts.negligible + counts.unknown).to_string(),
    ]
}

fn labels_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, hex)) => {
            format!("{algorithm}:{}", hex.chars().take(12).collect::<String>())
        }
        None => digest.chars().take(19).collect(),
    }
}

fn show(global: &GlobalArgs, args: ShowArgs) -> Result<ExitStatus> {
    let mut store = open_store(global, &args.store)?;
    let Some(detail) = store.show(&args.name).map_err(fleet)? else {
        return Err(UsageError(format!(
            "no target `{}` in the fleet store `{}`; `qm fleet ls` lists them",
            args.name,
            store.location()
        ))
        .into());
    };
    match args.format {
        OutputFormat::Json => write_json(&detail)?,
        OutputFormat::Table => {
            let mut text = format!("target {}\n", detail.name);
            if !detail.labels.is_empty() {
                let _ = writeln!(text, "labels {}", labels_text(&detail.labels));
            }
            text.push('\n');
            let history: Vec<Vec<String>> = detail
                .history
                .iter()
                .map(|revision| {
                    let mut row = revision_cells(revision);
                    row.push(revision.source.clone());
                    row
                })
                .collect();
            text.push_str(&table(
                &[
                    "REV", "DIGEST", "ADDED", "PACKAGES", "CRITICAL", "HIGH", "MEDIUM", "LOW",
                    "OTHER", "SOURCE",
                ],
                &history,
            ));
            text.push('\n');
            if detail.findings.is_empty() {
                text.push_str("no findings in the latest revision\n");
            } else {
                let rows: Vec<Vec<String>> = detail.findings.iter().map(finding_cells).collect();
                text.push_str(&table(
                    &["PACKAGE", "VERSION", "ID", "SEVERITY", "FIXED IN", "WHERE"],
                    &rows,
                ));
            }
            write_text(&text)?;
        }
    }
    Ok(ExitStatus::Success)
}

fn finding_cells(finding: &Finding) -> Vec<String> {
    let mut row = Vec::new();
    let fixed = match &finding.fix {
        FixState::Fixed { version } => version.clone(),
        FixState::NotFixed {
            status: Some(status),
        } => format!("({})", status.as_str()),
        FixState::NotFixed { status: None } => "(no fix)".to_owned(),
        _ => "(unknown)".to_owned(),
    };
    row.extend([
        finding.package.name.clone(),
        finding.package.version.clone(),
        finding.id.clone(),
        finding.severity.rating.to_string(),
        fixed,
        place(
            finding.package.locations.first(),
            finding.package.layer.as_deref(),
        ),
    ]);
    row
}

fn affected(global: &GlobalArgs, args: AffectedArgs) -> Result<ExitStatus> {
    let query = AffectedQuery::parse(&args.id).map_err(|error| usage(&error))?;
    let mut store = open_store(global, &args.store)?;
    let found = store.affected(&query).map_err(fleet)?;
    match args.format {
        OutputFormat::Json => {
            write_json(&serde_json::json!({ "query": args.id, "affected": found }))?;
        }
        OutputFormat::Table => {
            if found.is_empty() {
                if !global.quiet {
                    let _ = writeln!(
                        io::stderr(),
                        "no target in the fleet is affected by `{}`",
                        args.id
                    );
                }
                return Ok(ExitStatus::Success);
            }
            let mut rows = Vec::new();
            let mut targets = std::collections::BTreeSet::new();
            for package in &found {
                let (ids, severity, fixed) = summarise(package);
                for target in &package.targets {
                    targets.insert(&*target.target);
                    rows.push(vec![
                        target.target.to_string(),
                        target.revision.to_string(),
                        package.package.name.clone(),
                        package.package.version.clone(),
                        ids.clone(),
                        severity.clone(),
                        fixed.clone(),
                        place(target.locations.first(), target.layer.as_deref()),
                    ]);
                }
            }
            rows.sort();
            write_text(&table(
                &[
                    "TARGET",
                    "REV",
                    "PACKAGE",
                    "VERSION",
                    "VULNERABILITY",
                    "SEVERITY",
                    "FIXED IN",
                    "WHERE",
                ],
                &rows,
            ))?;
            if !global.quiet {
                let _ = writeln!(
                    io::stderr(),
                    "{} target{} affected",
                    targets.len(),
                    if targets.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// An affected package's vulnerabilities in three cells: the id (or how many), the worst
/// severity, and the version that fixes them all (the highest fixed version, by the
/// package's version rules), noting those without a fix.
fn summarise(package: &AffectedPackage) -> (String, String, String) {
    let vulnerabilities = &package.vulnerabilities;
    let ids = match vulnerabilities.as_slice() {
        [only] => only.id.clone(),
        many => format!("{} vulnerabilities", many.len()),
    };
    let severity = vulnerabilities
        .iter()
        .map(|vulnerability| vulnerability.severity.rating)
        .max()
        .map(|rating| rating.to_string())
        .unwrap_or_default();
    let scheme = Scheme::for_ecosystem(&package.package.ecosystem);
    let highest = vulnerabilities
        .iter()
        .filter_map(|vulnerability| vulnerability.fixed_version.as_deref())
        .max_by(|a, b| scheme.compare(a, b).unwrap_or_else(|_| a.cmp(b)));
    let unfixed = vulnerabilities
        .iter()
        .filter(|vulnerability| vulnerability.fixed_version.is_none())
        .count();
    let fixed = match (highest, unfixed, vulnerabilities.as_slice()) {
        (Some(version), 0, _) => version.to_owned(),
        (Some(version), unfixed, _) => format!("{version} ({unfixed} unfixed)"),
        (None, _, [only]) => match &only.fix {
            FixState::NotFixed {
                status: Some(status),
            } => format!("({})", status.as_str()),
            _ => "(no fix)".to_owned(),
        },
        (None, _, _) => "(no fix)".to_owned(),
    };
    (ids, severity, fixed)
}

fn place(location: Option<&String>, layer: Option<&str>) -> String {
    let mut place = location.cloned().unwrap_or_default();
    if let Some(layer) = layer {
        let _ = write!(place, " ({})", short_digest(layer));
    }
    place.trim().to_owned()
}

fn remove(global: &GlobalArgs, args: RemoveArgs) -> Result<ExitStatus> {
    let mut store = open_store(global, &args.store)?;
    if !store.remove(&args.name).map_err(fleet)? {
        return Err(UsageError(format!("there is no target `{}` in the fleet", args.name)).into());
    }
    if !global.quiet {
        let _ = writeln!(io::stderr(), "removed `{}` and its history", args.name);
    }
    Ok(ExitStatus::Success)
}

/// Columns padded to their widest cell, two spaces apart; the last column is not padded.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|header| header.chars().count())
        .collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (index, (cell, width)) in cells.zip(&widths).enumerate() {
            if index > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            if index + 1 < widths.len() {
                let pad = width.saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let text = table(
            &["A", "LONGER", "C"],
            &[
                vec!["x".into(), "y".into(), "z".into()],
                vec!["wide cell".into(), "".into(), "last".into()],
            ],
        );
        assert_eq!(
            text,
            "A          LONGER  C\nx          y       z\nwide cell          last\n"
        );
    }

    #[test]
    fn labels_need_a_key() {
        assert_eq!(
            parse_labels(&["team=a".into(), "env=".into()]).unwrap(),
            BTreeMap::from([("env".into(), String::new()), ("team".into(), "a".into())])
        );
        assert!(parse_labels(&["=a".into()]).is_err());
        assert!(parse_labels(&["team".into()]).is_err());
    }

    #[test]
    fn digests_are_shortened() {
        assert_eq!(
            short_digest("sha256:0123456789abcdef0123"),
            "sha256:0123456789ab"
        );
        assert_eq!(short_digest("plain"), "plain");
    }
}
