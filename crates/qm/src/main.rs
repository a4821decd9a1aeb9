//! The `qm` binary: argument parsing, wiring and exit codes only. Everything that knows about
//! versions, images or advisories lives in the library crates.
//!
//! Exit codes (documented in the README, relied on by CI users):
//! - 0: success;
//! - 1: a policy failure (`qm scan --fail-on`);
//! - 2: a usage error (bad arguments, unknown ecosystem);
//! - 3: a runtime error (invalid input data, I/O failure).

mod cli;
mod commands;
mod config;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// How a command ended, mapped to the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Everything worked.
    Success,
    /// The command worked and a policy (`--fail-on`) failed.
    Policy,
    /// The user asked for something that cannot be done as asked.
    Usage,
    /// The input or the environment failed us.
    Failure,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Policy => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Failure => 3,
        })
    }
}

/// An error that is the user's to fix: exit code 2 rather than 3.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Db(command) => commands::db::run(&cli.global, command),
        Command::Fleet(command) => commands::fleet::run(&cli.global, command),
        Command::Sbom(args) => commands::sbom::run(&cli.global, args),
        Command::Scan(args) => commands::scan::run(&cli.global, args),
        Command::Version(command) => commands::version::run(command),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitStatus::Success.into();
            }
            report(&error);
            if error.downcast_ref::<UsageError>().is_some() {
                ExitStatus::Usage.into()
            } else {
                ExitStatus::Failure.into()
            }
        }
    }
}

/// A reader that went away (`qm … | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints the error and its causes once, on stderr, then the first concrete next step any of
/// them offers.
fn report(error: &anyhow::Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
    let hint = error.chain().find_map(|cause| {
        cause
            .downcast_ref::<qm_vulndb::DbError>()
            .and_then(qm_vulndb::DbError::hint)
            .or_else(|| {
                cause
                    .downcast_ref::<qm_vulndb::BundleError>()
                    .and_then(qm_vulndb::BundleError::hint)
            })
    });
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "hint: {hint}");
    }
}
