//! `qm version compare` and `qm version sort`: the orderings of `qm-version`, for scripts and
//! for explaining findings.

use std::cmp::Ordering;
use std::io::{self, BufRead, BufWriter, Write};

use anyhow::{Context, Result};
use qm_model::Ecosystem;
use qm_version::{Scheme, Version};

use crate::cli::{CompareArgs, SortArgs, VersionCommand};
use crate::{ExitStatus, UsageError};

pub(crate) fn run(command: VersionCommand) -> Result<ExitStatus> {
    match command {
        VersionCommand::Compare(args) => compare(args),
        VersionCommand::Sort(args) => sort(args),
    }
}

/// Resolves an ecosystem name, or a scheme name, to the scheme that orders its versions.
///
/// Names we do not know are a usage error rather than a silent fallback to the generic rules:
/// a typo must not change how versions compare.
fn scheme_for(name: &str) -> Result<Scheme> {
    if let Ok(ecosystem) = name.parse::<Ecosystem>() {
        if !matches!(ecosystem, Ecosystem::Other(_)) {
            return Ok(Scheme::for_ecosystem(&ecosystem));
        }
        let scheme = Scheme::for_ecosystem(&ecosystem);
        if scheme != Scheme::Generic {
            return Ok(scheme);
        }
    }
    if let Ok(scheme) = name.parse::<Scheme>() {
        return Ok(scheme);
    }
    let known: Vec<&str> = Ecosystem::known().map(Ecosystem::as_str).collect();
    Err(UsageError(format!(
        "unknown ecosystem `{name}`\n  known ecosystems: {}\nhint: use `generic` for an ecosystem \
         without rules of its own",
        known.join(", ")
    ))
    .into())
}

fn symbol(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

fn compare(args: CompareArgs) -> Result<ExitStatus> {
    let scheme = scheme_for(&args.ecosystem)?;
    match (args.a.as_str(), args.b) {
        ("-", None) => compare_stream(scheme),
        (_, None) => Err(UsageError(
            "`qm version compare` needs two versions, or `-` to read pairs from standard input"
                .into(),
        )
        .into()),
        (a, Some(b)) => {
            let ordering = scheme.compare(a, &b)?;
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", symbol(ordering))?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Reads `a<TAB>b` lines and prints `-1`, `0` or `1` per line.
fn compare_stream(scheme: Scheme) -> Result<ExitStatus> {
    let stdin = io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut status = ExitStatus::Success;
    for (index, line) in stdin.split(b'\n').enumerate() {
        let line = line.context("cannot read standard input")?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let answer = match std::str::from_utf8(line) {
            Err(_) => Err(format!("line {} is not UTF-8", index + 1)),
            Ok(line) => match line.split_once('\t') {
                None => Err(format!(
                    "line {} has no TAB between two versions",
                    index + 1
                )),
                Some((a, b)) => scheme
                    .compare(a, b)
                    .map_err(|error| format!("line {}: {error}", index + 1)),
            },
        };
        match answer {
            Ok(ordering) => writeln!(out, "{}", ordering as i8)?,
            Err(message) => {
                status = ExitStatus::Failure;
                writeln!(out, "error: {message}")?;
            }
        }
    }
    out.flush()?;
    Ok(status)
}

fn sort(args: SortArgs) -> Result<ExitStatus> {
    let scheme = scheme_for(&args.ecosystem)?;
    let mut versions: Vec<Version> = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in io::stdin().lock().lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match scheme.parse(line) {
            Ok(version) => versions.push(version),
            Err(error) => errors.push(format!("line {}: {error}", index + 1)),
        }
    }
    if !errors.is_empty() {
        let mut stderr = io::stderr().lock();
        for error in &errors {
            writeln!(stderr, "error: {error}")?;
        }
        return Ok(ExitStatus::Failure);
    }
    // A stable sort keeps equal versions in input order.
    versions.sort();
    if args.unique {
        versions.dedup();
    }
    if args.reverse {
        versions.reverse();
    }
    let mut out = BufWriter::new(io::stdout().lock());
    for version in &versions {
        writeln!(out, "{version}")?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
