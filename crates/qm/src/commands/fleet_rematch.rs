//! Re-matching the fleet: `qm fleet rematch`, the re-match `qm db update` and `qm db import`
//! run when a store exists, and the webhook that carries what changed.
//!
//! The webhook receives an HTTP POST of the re-match report as JSON (the same document
//! `qm fleet rematch -f json` prints) when the re-match changed which targets a vulnerability
//! reaches; nothing is sent when nothing changed. A failed delivery is retried with backoff on
//! connection errors, timeouts, 429 and 5xx answers; any other answer is final. A webhook
//! that cannot be reached never undoes the re-match: the store is already up to date, the
//! failure is reported, and the exit code says so.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use qm_fleet::{FleetMatcher, RematchReport, StoreLocation};
use qm_vulndb::VulnDb;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::commands::db::DbContext;
use crate::config::{ConfigFile, cache_dir};
use crate::{ExitStatus, UsageError};

/// Attempts per webhook delivery.
const WEBHOOK_ATTEMPTS: u32 = 4;
/// The first retry's delay; each next one doubles it.
const WEBHOOK_BACKOFF: Duration = Duration::from_millis(500);
/// How long one attempt may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the store is: `--store`/`QM_STORE` (given as `explicit`), else `[fleet] store` in the
/// configuration, else `fleet.db` in the cache directory.
pub(crate) fn store_location(
    global: &GlobalArgs,
    config: &ConfigFile,
    explicit: Option<&str>,
) -> Result<StoreLocation> {
    match explicit.or(config.fleet.store.as_deref()) {
        Some(text) => StoreLocation::parse(text)
            .map_err(|error| anyhow::Error::new(UsageError(error.to_string()))),
        None => Ok(StoreLocation::Sqlite(
            cache_dir(global.cache_dir.as_deref())?.join("fleet.db"),
        )),
    }
}

/// The webhook: `--webhook`/`QM_FLEET_WEBHOOK` (given as `explicit`), else `[fleet] webhook`.
fn webhook_url(config: &ConfigFile, explicit: Option<&str>) -> Result<Option<String>> {
    let Some(url) = explicit
        .or(config.fleet.webhook.as_deref())
        .filter(|url| !url.trim().is_empty())
    else {
        return Ok(None);
    };
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(Some(url.to_owned())),
        _ => Err(UsageError(format!(
            "`{}` is not a webhook URL: write `https://HOST/PATH` (or `http://`)",
            shown(url)
        ))
        .into()),
    }
}

/// A webhook as messages show it: scheme and host only. Webhook paths and queries often are
/// the secret (`/hooks/T000/B000/XXXX`), and messages end up in CI logs.
fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}/…", parsed.scheme()),
            (Some(host), None) => format!("{}://{host}/…", parsed.scheme()),
            _ => "the webhook".to_owned(),
        },
        Err(_) => "the webhook".to_owned(),
    }
}

/// Posts `report` to `url`, retrying what may pass on a later attempt.
pub(crate) fn post_webhook(url: &str, report: &RematchReport) -> Result<()> {
    let body = serde_json::to_vec(report).context("cannot encode the re-match report")?;
    let client = reqwest::blocking::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .user_agent(concat!("qm/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot set up an HTTP client")?;
    let mut delay = WEBHOOK_BACKOFF;
    let mut attempt = 1;
    loop {
        let sent = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send();
        let (retry, last) = match sent {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                (
                    status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS,
                    format!("the server answered {status}"),
                )
            }
            // Without the URL: reqwest's messages name it, path and all.
            Err(error) => (true, error_chain(&error.without_url())),
        };
        if !retry || attempt >= WEBHOOK_ATTEMPTS {
            return Err(anyhow!(
                "the webhook `{}` was not delivered after {attempt} attempt(s): {last}",
                shown(url)
            ));
        }
        std::thread::sleep(delay);
        delay = delay.saturating_mul(2);
        attempt += 1;
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.contains(&message) {
            let _ = write!(text, ": {message}");
        }
        cause = inner.source();
    }
    text
}

/// Prints a re-match report in `format`.
pub(crate) fn print_report(
    report: &RematchReport,
    format: OutputFormat,
    quiet: bool,
) -> Result<()> {
    let mut stdout = io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, report).context("cannot write the JSON")?;
            writeln!(stdout)?;
        }
        OutputFormat::Table => {
            stdout.write_all(changes_table(report).as_bytes())?;
            if !quiet {
                writeln!(io::stderr(), "{}", summary(report))?;
            }
        }
    }
    Ok(())
}

fn summary(report: &RematchReport) -> String {
    format!(
        "re-matched {} packages against the database {}: {} findings added, {} removed, {} updated",
        report.packages_matched,
        report.database,
        report.findings_added,
        report.findings_removed,
        report.findings_updated
    )
}

fn changes_table(report: &RematchReport) -> String {
    if report.changes.is_empty() {
        return "no target is newly affected or newly fixed\n".to_owned();
    }
    let rows: Vec<Vec<String>> = report
        .changes
        .iter()
        .map(|change| {
            vec![
                change.id.clone(),
                change.severity.to_string(),
                change.newly_affected.join(","),
                change.newly_fixed.join(","),
            ]
        })
        .collect();
    crate::commands::fleet::table(&["ID", "SEVERITY", "NEWLY AFFECTED", "NEWLY FIXED"], &rows)
}

/// `qm fleet rematch`.
pub(crate) fn rematch(
    global: &GlobalArgs,
    store: Option<&str>,
    webhook: Option<&str>,
    format: OutputFormat,
) -> Result<ExitStatus> {
    let context = DbContext::new(global)?;
    let db = context.open()?;
    let webhook = webhook_url(&context.config, webhook)?;
    let location = store_location(global, &context.config, store)?;
    let mut store = qm_fleet::open(&location).map_err(crate::commands::fleet::fleet_error)?;
    let matcher = FleetMatcher::new(&db);
    let report = store
        .rematch(&matcher)
        .map_err(crate::commands::fleet::fleet_error)?;
    print_report(&report, format, global.quiet)?;
    deliver(global, webhook.as_deref(), &report)?;
    Ok(ExitStatus::Success)
}

fn deliver(global: &GlobalArgs, webhook: Option<&str>, report: &RematchReport) -> Result<()> {
    let Some(url) = webhook else {
        return Ok(());
    };
    if report.changes.is_empty() {
        return Ok(());
    }
    if global.offline {
        writeln!(
            io::stderr(),
            "warning: offline: the webhook `{}` was not called",
            shown(url)
        )?;
        return Ok(());
    }
    post_webhook(url, report).context("the store is re-matched; only the notification failed")
}

/// After `qm db update` or `qm db import` installed a database at `db_path`: re-matches the
/// store when one exists (an SQLite file that is there, or a configured PostgreSQL store), so a
/// site learns what the new data changed. Prints the difference on stderr.
pub(crate) fn after_db_change(
    global: &GlobalArgs,
    config: &ConfigFile,
    db_path: &Path,
) -> Result<()> {
    let explicit = std::env::var("QM_STORE").ok().filter(|s| !s.is_empty());
    let location = store_location(global, config, explicit.as_deref())?;
    if let StoreLocation::Sqlite(path) = &location
        && !path.exists()
    {
        return Ok(());
    }
    let explicit_hook = std::env::var("QM_FLEET_WEBHOOK")
        .ok()
        .filter(|s| !s.is_empty());
    let webhook = webhook_url(config, explicit_hook.as_deref())?;
    let db = VulnDb::open(db_path)
        .with_context(|| format!("cannot open the new database `{}`", db_path.display()))?;
    let hint = "the database is installed; run `qm fleet rematch` to bring the fleet up to date";
    let mut store = qm_fleet::open(&location)
        .map_err(crate::commands::fleet::fleet_error)
        .context(hint)?;
    let report = store
        .rematch(&FleetMatcher::new(&db))
        .map_err(crate::commands::fleet::fleet_error)
        .context(hint)?;
    if !global.quiet {
        let mut stderr = io::stderr().lock();
        writeln!(stderr, "fleet `{}`: {}", store.location(), summary(&report))?;
        for change in &report.changes {
            let mut line = format!("  {} ({})", change.id, change.severity);
            if !change.newly_affected.is_empty() {
                let _ = write!(
                    line,
                    " newly affected: {}",
                    change.newly_affected.join(", ")
                );
            }
            if !change.newly_fixed.is_empty() {
                let _ = write!(line, " newly fixed: {}", change.newly_fixed.join(", "));
            }
            writeln!(stderr, "{line}")?;
        }
    }
    deliver(global, webhook.as_deref(), &report)
}
