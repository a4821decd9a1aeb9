//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Quartermaster: what is in your software, what is vulnerable, and what fixes it. Fast and
/// offline.
#[derive(Debug, Parser)]
#[command(name = "qm", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Where the database and downloads live [default: $XDG_CACHE_HOME/qm].
    #[arg(long, global = true, env = "QM_CACHE_DIR", value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Configuration file [default: ./qm.toml, else $XDG_CONFIG_HOME/qm/config.toml].
    #[arg(long, global = true, env = "QM_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Never touch the network.
    #[arg(long, global = true, env = "QM_OFFLINE")]
    pub(crate) offline: bool,
    /// Print only the result: no progress, no summaries.
    #[arg(short, long, global = true, env = "QM_QUIET")]
    pub(crate) quiet: bool,
    /// Say more: every warning, not only the first few.
    #[arg(short, long, global = true, env = "QM_VERBOSE")]
    pub(crate) verbose: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List what a target holds (an SBOM): OS and language packages, where each was found.
    ///
    /// TARGET is `docker-archive:PATH`, `oci-dir:PATH[:TAG]` (or a bare `PATH:TAG`),
    /// `oci-archive:PATH[:TAG]`, `dir:PATH`, `sbom:PATH`, or a bare path whose contents say
    /// which. Images are streamed once and never extracted.
    #[command(
        after_help = "Examples:\n  qm sbom docker-archive:app.tar -f cyclonedx -o app.cdx.json\n  \
        qm sbom oci-dir:./layout:v1.2 -f spdx\n  qm sbom .  # a source tree's lockfiles"
    )]
    Sbom(SbomArgs),
    /// Find the known vulnerabilities in a target, with the versions that fix them.
    ///
    /// TARGET is anything `qm sbom` reads, or an SBOM file. OS packages are judged by their
    /// distribution's own data for the detected release, by source package; language packages
    /// by OSV data of their ecosystem. Exit codes: 0 clean (or below `--fail-on`), 1 findings at
    /// or above `--fail-on`, 2 usage error, 3 runtime error.
    #[command(after_help = "Examples:\n  qm scan Cargo.lock\n  \
        qm scan docker-archive:app.tar --fail-on high\n  \
        qm scan oci-dir:./layout:v1 -f sarif -o qm.sarif\n  \
        qm scan sbom:app.cdx.json --vex app.openvex.json --show-suppressed")]
    Scan(ScanArgs),
    /// Build, inspect and carry the vulnerability database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Keep the inventories of many targets; ask which are affected by a vulnerability.
    #[command(subcommand)]
    Fleet(crate::commands::fleet::FleetCommand),
    /// Compare and sort version strings by the rules of an ecosystem.
    #[command(subcommand)]
    Version(VersionCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Build the database from the configured sources and install it atomically.
    ///
    /// Sources come from `--source`, else `QM_DB_SOURCES`, else `db.sources` in `qm.toml`, else
    /// the public upstream feeds. A source is `dir:PATH` (a mirror holding any mix of feeds),
    /// `file:PATH`, an http(s) URL, `osv:ECOSYSTEM`, `debian-tracker` or `alpine:BRANCH/REPO`.
    /// If anything fails, the previous database stays in place.
    #[command(
        after_help = "Examples:\n  QM_DB_SOURCES=dir:../shared/data/advisories qm db update\n  \
        qm db update --source osv:PyPI --source debian-tracker"
    )]
    Update(UpdateArgs),
    /// Show the installed database: age, schema, sources and counts.
    Status(StatusArgs),
    /// Create an Ed25519 key pair for signing bundles (`FILE` and `FILE.pub`).
    Keygen(KeygenArgs),
    /// Write the installed database as a signed bundle, to carry across an air gap.
    Export(ExportArgs),
    /// Verify a signed bundle and install its database.
    ///
    /// The bundle must be signed by a trusted key (`--trust`, or `db.trusted_keys` in
    /// `qm.toml`), its digests must match, and it must not be older than the installed one
    /// unless `--force`. A rejected bundle leaves the installed database untouched.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// A source to read (repeatable); replaces the configured list.
    #[arg(long, value_name = "SOURCE")]
    pub(crate) source: Vec<String>,
    /// Never touch the network: read local sources and cached downloads only.
    #[arg(long)]
    pub(crate) offline: bool,
    /// Do not re-match the fleet store afterwards (by default a store that exists is
    /// re-matched and what changed is printed).
    #[arg(long)]
    pub(crate) no_rematch: bool,
}

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// For people.
    Table,
    /// For programs.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the secret key; the public key goes to the same path plus `.pub`.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// A comment stored with the public key (who owns it, which year).
    #[arg(long)]
    pub(crate) comment: Option<String>,
    /// Overwrite existing key files.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The secret key to sign with (from `qm db keygen`).
    #[arg(long, value_name = "KEY")]
    pub(crate) sign: PathBuf,
    /// Where to write the bundle (`-` for standard output, to pipe it to another host).
    #[arg(short, long, value_name = "BUNDLE")]
    pub(crate) output: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The bundle to import.
    pub(crate) bundle: PathBuf,
    /// A public key file to trust (repeatable; a file may list several keys).
    #[arg(long, value_name = "PUB")]
    pub(crate) trust: Vec<PathBuf>,
    /// Install even if the bundle is older than, or the same as, the installed one.
    #[arg(long)]
    pub(crate) force: bool,
    /// Do not re-match the fleet store afterwards (by default a store that exists is
    /// re-matched and what changed is printed).
    #[arg(long)]
    pub(crate) no_rematch: bool,
}

const ECOSYSTEM_HELP: &str = "Ecosystem whose rules apply, by its OSV name, case-insensitive: \
Debian, Ubuntu, Alpine, Wolfi, Red Hat (or RPM, AlmaLinux, Rocky Linux, openSUSE, SUSE, Azure \
Linux, Photon OS), PyPI, npm, crates.io, Go, Maven, RubyGems, NuGet, Packagist, Hex, Pub; or a \
scheme name: dpkg, rpm, apk, pep440, semver, generic";

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Compare two versions and print `<`, `=` or `>`.
    ///
    /// With `-` in place of the versions, read pairs from standard input, one per line,
    /// separated by a TAB, and print `-1`, `0` or `1` per line (`error: …` on that line when a
    /// version is invalid; the exit code is then 3).
    #[command(
        after_help = "Examples:\n  qm version compare debian 1:1.0-1 2.0-1\n  \
        printf '1.0\\t1.0.post1\\n' | qm version compare pypi -"
    )]
    Compare(CompareArgs),
    /// Sort versions read from standard input, one per line, oldest first.
    ///
    /// Every line must be a valid version: an invalid one is reported with its line number
    /// and nothing is printed, because placing it anywhere would be a guess.
    Sort(SortArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    #[arg(help = ECOSYSTEM_HELP)]
    pub(crate) ecosystem: String,
    /// The first version, or `-` to read TAB-separated pairs from standard input.
    #[arg(allow_hyphen_values = true)]
    pub(crate) a: String,
    /// The second version (omitted with `-`).
    #[arg(allow_hyphen_values = true)]
    pub(crate) b: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SortArgs {
    #[arg(help = ECOSYSTEM_HELP)]
    pub(crate) ecosystem: String,
    /// Newest first.
    #[arg(short, long)]
    pub(crate) reverse: bool,
    /// Print only the first of versions that are equal under the ecosystem's rules.
    #[arg(short, long)]
    pub(crate) unique: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    /// What to inventory.
    pub(crate) target: String,
    /// Output format: `cyclonedx` (CycloneDX 1.6 JSON), `spdx` (SPDX 2.3 JSON) or `json`
    /// (Quartermaster's own, documented in docs/inventory-json.md).
    #[arg(short, long, default_value = "json", value_name = "FORMAT")]
    pub(crate) format: qm_report::SbomFormat,
    /// Write to FILE instead of standard output (written whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Platform to pick from a multi-platform image index [default: linux/amd64].
    #[arg(long, env = "QM_PLATFORM", value_name = "OS/ARCH[/VARIANT]")]
    pub(crate) platform: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// What to scan: an image, a directory, a lockfile's directory, or an SBOM.
    pub(crate) target: String,
    /// Report format: `table`, `json` (documented in docs/scan-json.md), `sarif`, `cyclonedx`
    /// (CycloneDX 1.6 with vulnerabilities) or `markdown`.
    #[arg(short, long, default_value = "table", value_name = "FORMAT")]
    pub(crate) format: qm_report::ScanFormat,
    /// Write to FILE instead of standard output (written whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Show only findings rated at least this severe.
    #[arg(long, value_enum, env = "QM_SEVERITY", value_name = "SEVERITY")]
    pub(crate) severity: Option<crate::commands::scan::SeverityLevel>,
    /// Leave out findings that no version fixes yet.
    #[arg(long, env = "QM_IGNORE_UNFIXED")]
    pub(crate) ignore_unfixed: bool,
    /// Exit with code 1 when a reported finding is rated at least this severe.
    #[arg(long, value_enum, env = "QM_FAIL_ON", value_name = "SEVERITY")]
    pub(crate) fail_on: Option<crate::commands::scan::SeverityLevel>,
    /// An OpenVEX or CycloneDX VEX document (repeatable): `not_affected` and `fixed`
    /// statements suppress findings; statements that match nothing are reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
    /// A product id VEX statements may use for this target (repeatable), such as the main
    /// module of a source tree (`pkg:golang/example.com/app`).
    #[arg(long, value_name = "ID")]
    pub(crate) vex_product: Vec<String>,
    /// The ignore file [default: .qmignore.toml in the working directory, when present].
    #[arg(long, env = "QM_IGNORE_FILE", value_name = "FILE")]
    pub(crate) ignore_file: Option<PathBuf>,
    /// Also list suppressed findings, with the statement or rule that suppressed each.
    #[arg(long)]
    pub(crate) show_suppressed: bool,
    /// Do not match development-only dependencies of lockfiles.
    #[arg(long)]
    pub(crate) skip_dev: bool,
    /// Platform to pick from a multi-platform image index [default: linux/amd64].
    #[arg(long, env = "QM_PLATFORM", value_name = "OS/ARCH[/VARIANT]")]
    pub(crate) platform: Option<String>,
}
