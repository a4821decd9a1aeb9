//! The command line, declared with clap's derive API.

use clap::{Args, Parser, Subcommand};

/// Quartermaster: what is in your software, what is vulnerable, and what fixes it. Fast and
/// offline.
#[derive(Debug, Parser)]
#[command(name = "qm", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compare and sort version strings by the rules of an ecosystem.
    #[command(subcommand)]
    Version(VersionCommand),
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
