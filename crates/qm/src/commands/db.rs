//! `qm db …`: build, inspect, and carry the vulnerability database.

use std::io::{self, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use qm_model::Timestamp;
use qm_vulndb::{
    BundleInfo, BundleLimits, FetchOptions, PublicKey, SigningKey, Source, UpdateEvent,
    UpdateOptions, VulnDb,
};

use crate::cli::{
    DbCommand, ExportArgs, GlobalArgs, ImportArgs, KeygenArgs, OutputFormat, StatusArgs, UpdateArgs,
};
use crate::commands::output::Output;
use crate::config::{ConfigFile, cache_dir, parse_duration};
use crate::{ExitStatus, UsageError};

/// How old a database may get before scans and `qm db status` warn, unless configured.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 86_400);

/// Everything the `db` commands need to know about where things live.
pub(crate) struct DbContext {
    pub(crate) db_path: PathBuf,
    pub(crate) download_dir: PathBuf,
    pub(crate) config: ConfigFile,
    pub(crate) max_age: Duration,
    pub(crate) quiet: bool,
}

impl DbContext {
    pub(crate) fn new(global: &GlobalArgs) -> Result<DbContext> {
        let config = ConfigFile::load(global.config.as_deref())?;
        let cache = cache_dir(global.cache_dir.as_deref())?;
        let max_age = match std::env::var("QM_DB_MAX_AGE")
            .ok()
            .or_else(|| config.db.max_age.clone())
        {
            Some(text) => parse_duration(&text).context("in the database's maximum age")?,
            None => DEFAULT_MAX_AGE,
        };
        Ok(DbContext {
            db_path: cache.join("db").join("qm.db"),
            download_dir: cache.join("downloads"),
            config,
            max_age,
            quiet: global.quiet,
        })
    }

    /// Opens the installed database, saying how to get one when there is none.
    pub(crate) fn open(&self) -> Result<VulnDb> {
        if !self.db_path.exists() {
            return Err(UsageError(format!(
                "no vulnerability database at `{}`\nhint: run `qm db update` (online, or with \
                 `QM_DB_SOURCES=dir:PATH` for a local mirror); on an air-gapped host, `qm db import \
                 BUNDLE --trust KEY.pub` a signed bundle exported on a connected one",
                self.db_path.display()
            ))
            .into());
        }
        Ok(VulnDb::open(&self.db_path)?)
    }

    /// The database's age, and a warning line when it is older than allowed.
    pub(crate) fn staleness(&self, db: &VulnDb) -> (Duration, Option<String>) {
        let built = db.metadata().built.unix_seconds();
        let age = Duration::from_secs(
            u64::try_from(Timestamp::now().unix_seconds().saturating_sub(built)).unwrap_or(0),
        );
        let warning = (age >= self.max_age).then(|| {
            format!(
                "the vulnerability database is {} old (built {}), older than the allowed {}: \
                 fixes published since are unknown to it; run `qm db update` or import a newer bundle",
                human_duration(age),
                db.metadata().built,
                human_duration(self.max_age)
            )
        });
        (age, warning)
    }
}

pub(crate) fn run(global: &GlobalArgs, command: DbCommand) -> Result<ExitStatus> {
    let context = DbContext::new(global)?;
    match command {
        DbCommand::Update(args) => update(&context, global, args),
        DbCommand::Status(args) => status(&context, args),
        DbCommand::Keygen(args) => keygen(args),
        DbCommand::Export(args) => export(&context, args),
        DbCommand::Import(args) => import(&context, global, args),
    }
}

fn human_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn configured_sources(context: &DbContext, args: &UpdateArgs) -> Result<Vec<Source>> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    if !args.source.is_empty() {
        return args
            .source
            .iter()
            .map(|text| Source::parse(text, &cwd).map_err(|e| UsageError(e.to_string()).into()))
            .collect();
    }
    if let Ok(list) = std::env::var("QM_DB_SOURCES") {
        return Source::parse_list(&list, &cwd)
            .map_err(|e| UsageError(format!("in `QM_DB_SOURCES`: {e}")).into());
    }
    if let Some(list) = &context.config.db.sources {
        return list
            .iter()
            .map(|text| {
                Source::parse(text, &context.config.base).map_err(|e| {
                    UsageError(format!("in the configuration's `db.sources`: {e}")).into()
                })
            })
            .collect();
    }
    qm_vulndb::DEFAULT_SOURCES
        .iter()
        .map(|text| Source::parse(text, &cwd).map_err(|e| anyhow!(e)))
        .collect()
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes}/{total_bytes} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn update(context: &DbContext, global: &GlobalArgs, args: UpdateArgs) -> Result<ExitStatus> {
    let sources = configured_sources(context, &args)?;
    let offline = global.offline || args.offline;
    let options = UpdateOptions {
        sources,
        db_path: context.db_path.clone(),
        download_dir: context.download_dir.clone(),
        fetch: FetchOptions {
            offline,
            ..FetchOptions::default()
        },
    };
    let bar = progress_bar(context.quiet);
    let outcome = qm_vulndb::update(&options, &mut |event| match event {
        UpdateEvent::Reading(source) => {
            bar.set_length(0);
            bar.set_position(0);
            bar.set_message(format!("reading {source}"));
        }
        UpdateEvent::Download(progress) => {
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            bar.set_position(progress.downloaded);
        }
        UpdateEvent::Read { .. } => {}
        UpdateEvent::Compiling { advisories } => {
            bar.set_message(format!("compiling {advisories} advisories"));
        }
    });
    bar.finish_and_clear();
    let outcome = outcome.context("the database was not updated; the previous one is kept")?;
    let mut stderr = io::stderr().lock();
    if !context.quiet {
        writeln!(
            stderr,
            "updated `{}`: {} advisories ({} vulnerabilities, {} duplicates dropped), {} package keys, {:.1} MiB",
            outcome.path.display(),
            outcome.link.advisories,
            outcome.link.vulnerabilities,
            outcome.link.duplicates_removed,
            VulnDb::open(&outcome.path)
                .map(|db| db.package_count())
                .unwrap_or(0),
            outcome.size as f64 / (1024.0 * 1024.0)
        )?;
        for (source, count) in &outcome.report.sources {
            let skipped = if count.skipped > 0 {
                format!(", {} skipped", count.skipped)
            } else {
                String::new()
            };
            writeln!(stderr, "  {source}: {} records{skipped}", count.records)?;
        }
        for source in &outcome.cached_sources {
            writeln!(
                stderr,
                "  {source}: not modified since the last update, cached copy used"
            )?;
        }
    }
    if outcome.report.problem_count > 0 {
        writeln!(
            stderr,
            "warning: {} malformed records or files were skipped; the first ones:",
            outcome.report.problem_count
        )?;
        for problem in outcome.report.problems.iter().take(5) {
            writeln!(stderr, "  {problem}")?;
        }
    }
    drop(stderr);
    if !args.no_rematch {
        crate::commands::fleet_rematch::after_db_change(global, &context.config, &outcome.path)?;
    }
    Ok(ExitStatus::Success)
}

fn status(context: &DbContext, args: StatusArgs) -> Result<ExitStatus> {
    let db = context.open()?;
    // Opening checks the tables; scans check each block of records as they read it. Status
    // checks them all, so a damaged file is found before a scan trips over it.
    db.verify()?;
    let (age, warning) = context.staleness(&db);
    let metadata = db.metadata();
    let mut stdout = io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            let json = serde_json::json!({
                "path": context.db_path,
                "schema": db.schema_version(),
                "built": metadata.built.to_string(),
                "age_seconds": age.as_secs(),
                "max_age_seconds": context.max_age.as_secs(),
                "stale": warning.is_some(),
                "size": db.size(),
                "advisories": db.advisory_count(),
                "packages": db.package_count(),
                "sources": metadata.sources,
            });
            serde_json::to_writer_pretty(&mut stdout, &json)?;
            writeln!(stdout)?;
        }
        OutputFormat::Table => {
            writeln!(stdout, "database:   {}", context.db_path.display())?;
            writeln!(stdout, "schema:     {}", db.schema_version())?;
            writeln!(
                stdout,
                "built:      {} ({} ago)",
                metadata.built,
                human_duration(age)
            )?;
            writeln!(
                stdout,
                "size:       {:.1} MiB",
                db.size() as f64 / (1024.0 * 1024.0)
            )?;
            writeln!(stdout, "advisories: {}", db.advisory_count())?;
            writeln!(stdout, "packages:   {}", db.package_count())?;
            writeln!(stdout, "sources:")?;
            for source in &metadata.sources {
                let newest = source
                    .newest
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "-".into());
                writeln!(
                    stdout,
                    "  {:<24} {:>7} records  newest {newest}  from {}",
                    source.name, source.records, source.location
                )?;
            }
        }
    }
    if let Some(warning) = warning {
        writeln!(io::stderr().lock(), "warning: {warning}")?;
    }
    Ok(ExitStatus::Success)
}

fn keygen(args: KeygenArgs) -> Result<ExitStatus> {
    let public_path = PathBuf::from(format!("{}.pub", args.output.display()));
    if !args.force && (args.output.exists() || public_path.exists()) {
        return Err(UsageError(format!(
            "`{}` or `{}` already exists; pass `--force` to overwrite",
            args.output.display(),
            public_path.display()
        ))
        .into());
    }
    let key = SigningKey::generate()?;
    key.write_secret_key(&args.output)?;
    let public = key
        .public_key()
        .with_comment(&args.comment.unwrap_or_default());
    fs_err::write(&public_path, format!("{}\n", public.to_text()))?;
    writeln!(
        io::stderr().lock(),
        "wrote the signing key to `{}` (keep it secret) and the public key to `{}` (fingerprint {}); \
         give the public key to the hosts that import bundles",
        args.output.display(),
        public_path.display(),
        public.fingerprint()
    )?;
    Ok(ExitStatus::Success)
}

fn export(context: &DbContext, args: ExportArgs) -> Result<ExitStatus> {
    let db = context.open()?;
    let key = SigningKey::read_file(&args.sign)?;
    let db_bytes = fs_err::read(&context.db_path)?;
    let metadata = db.metadata();
    let info = BundleInfo {
        created: Timestamp::now(),
        db_built: metadata.built,
        db_schema: db.schema_version(),
        sources: metadata.sources.clone(),
    };
    // Written whole or not at all, or into a device or FIFO as it stands (see `Output`).
    let mut output = Output::open(Some(&args.output))?;
    let manifest = qm_vulndb::export_bundle(&db_bytes, &info, &key, &mut output)?;
    output.finish()?;
    writeln!(
        io::stderr().lock(),
        "wrote `{}`: database built {}, {} advisories, signed by {}",
        args.output.display(),
        manifest.db.built,
        db.advisory_count(),
        manifest.signer
    )?;
    Ok(ExitStatus::Success)
}

fn trusted_keys(context: &DbContext, args: &ImportArgs) -> Result<Vec<PublicKey>> {
    let mut keys = Vec::new();
    let configured = context
        .config
        .db
        .trusted_keys
        .iter()
        .map(|path| context.config.base.join(path));
    for path in args.trust.iter().cloned().chain(configured) {
        keys.extend(PublicKey::read_trust_file(&path)?);
    }
    if keys.is_empty() {
        return Err(UsageError(
            "no trusted public key: pass `--trust KEY.pub` or list keys in `db.trusted_keys` of `qm.toml`"
                .into(),
        )
        .into());
    }
    Ok(keys)
}

fn import(context: &DbContext, global: &GlobalArgs, args: ImportArgs) -> Result<ExitStatus> {
    let trusted = trusted_keys(context, &args)?;
    let file = fs_err::File::open(&args.bundle)?;
    let verified =
        qm_vulndb::verify_bundle(io::BufReader::new(file), &trusted, &BundleLimits::default())
            .with_context(|| {
                format!(
                    "`{}` was rejected; the installed database is unchanged",
                    args.bundle.display()
                )
            })?;
    // The database inside must open before it replaces anything.
    let db = VulnDb::from_bytes(verified.db_bytes().to_vec())
        .context("the bundle's database does not open; the installed database is unchanged")?;
    // A database built here has no bundle manifest: its build time stands in for the rollback
    // check, so an old bundle cannot replace a newer local build either.
    // With --force the installed manifest is not consulted, so a damaged one cannot block
    // the repair.
    let installed = if args.force {
        None
    } else {
        match qm_vulndb::installed_manifest(&context.db_path)? {
            Some(manifest) => Some(manifest.created),
            None => VulnDb::open(&context.db_path)
                .ok()
                .map(|db| db.metadata().built),
        }
    };
    let outcome =
        match qm_vulndb::install_bundle(&verified, &context.db_path, installed, args.force) {
            Ok(outcome) => outcome,
            // Importing the installed bundle again is a no-op, not a failure: scripts stay idempotent.
            Err(qm_vulndb::BundleError::AlreadyInstalled { created }) => {
                writeln!(
                    io::stderr().lock(),
                    "`{}` (created {created}) is already installed; nothing to do",
                    args.bundle.display()
                )?;
                return Ok(ExitStatus::Success);
            }
            Err(error) => return Err(error.into()),
        };
    writeln!(
        io::stderr().lock(),
        "installed `{}` ({outcome:?}): database built {}, {} advisories, signed by {}",
        args.bundle.display(),
        db.metadata().built,
        db.advisory_count(),
        verified.signer().fingerprint()
    )?;
    if let Some(warning) = context.staleness(&db).1 {
        writeln!(io::stderr().lock(), "warning: {warning}")?;
    }
    drop(db);
    if !args.no_rematch {
        crate::commands::fleet_rematch::after_db_change(global, &context.config, &context.db_path)?;
    }
    Ok(ExitStatus::Success)
}
