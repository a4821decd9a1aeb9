//! Turning what the user named into an inventory: an image, a directory, or an SBOM file.
//!
//! Shared by `qm sbom` and `qm scan`. A target may be written with a prefix (`docker-archive:`,
//! `oci-dir:`, `oci-archive:`, `dir:`, `sbom:`) or bare, in which case its contents decide: a
//! directory is an OCI layout, a root filesystem or a source tree; a tar is a docker-archive or
//! an OCI archive; a JSON document is an SBOM.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use qm_catalog::{CatalogOptions, catalog_lockfile, catalog_target, cataloger_for_file, read_sbom};
use qm_model::Inventory;
use qm_source::{Platform, Target};

use crate::UsageError;

/// Largest SBOM document or lone lockfile read as input.
const MAX_SBOM_BYTES: u64 = 512 * 1024 * 1024;

/// How to read a target.
pub(crate) struct InventoryRequest<'a> {
    /// The target as the user wrote it.
    pub(crate) target: &'a str,
    /// `os/arch[/variant]` for multi-platform OCI indexes.
    pub(crate) platform: Option<&'a str>,
    /// Whether to show a spinner on stderr.
    pub(crate) progress: bool,
}

/// Reads the target into an inventory.
pub(crate) fn build_inventory(request: &InventoryRequest<'_>) -> Result<Inventory> {
    let input = request.target;
    let spinner = spinner(request.progress, input);
    let result = if let Some(path) = input.strip_prefix("sbom:") {
        read_sbom_file(input, Path::new(path))
    } else if let Some(file_name) = lockfile_name(input) {
        read_lockfile(input, file_name)
    } else if looks_like_sbom(input) {
        read_sbom_file(input, Path::new(input))
    } else {
        let target = Target::parse(input).map_err(|error| {
            UsageError(format!(
                "cannot use `{input}` as a target: {}",
                error_chain(&error)
            ))
        })?;
        let mut options = CatalogOptions::default();
        if let Some(platform) = request.platform {
            options.read.platform = platform.parse::<Platform>().map_err(|error| {
                UsageError(format!(
                    "`{platform}` is not a platform (`os/arch[/variant]`): {error}"
                ))
            })?;
        }
        catalog_target(&target, input, &options)
            .with_context(|| format!("cannot read the target `{input}`"))
    };
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    result
}

/// The file name of a bare path to a regular file that a lockfile cataloger reads.
fn lockfile_name(input: &str) -> Option<&str> {
    let path = Path::new(input);
    let name = path.file_name()?.to_str()?;
    (path.is_file() && cataloger_for_file(name).is_some()).then_some(name)
}

fn read_lockfile(input: &str, file_name: &str) -> Result<Inventory> {
    let path = Path::new(input);
    let size = fs_err::metadata(path)?.len();
    if size > MAX_SBOM_BYTES {
        anyhow::bail!(
            "`{}` is {size} bytes, over the {MAX_SBOM_BYTES}-byte limit for one file",
            path.display()
        );
    }
    let bytes = fs_err::read(path)?;
    catalog_lockfile(input, file_name, &bytes)
        .with_context(|| format!("cannot read the lockfile `{}`", path.display()))
}

/// A bare path to a regular file whose first non-blank byte opens a JSON object.
fn looks_like_sbom(input: &str) -> bool {
    let path = Path::new(input);
    if !path.is_file() {
        return false;
    }
    let Ok(file) = fs_err::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(512);
    if file.take(512).read_to_end(&mut head).is_err() {
        return false;
    }
    head.iter()
        .find(|byte| {
            !byte.is_ascii_whitespace() && **byte != 0xEF && **byte != 0xBB && **byte != 0xBF
        })
        .is_some_and(|byte| *byte == b'{')
}

fn read_sbom_file(name: &str, path: &Path) -> Result<Inventory> {
    let size = fs_err::metadata(path)?.len();
    if size > MAX_SBOM_BYTES {
        anyhow::bail!(
            "the SBOM `{}` is {size} bytes, over the {MAX_SBOM_BYTES}-byte limit",
            path.display()
        );
    }
    let bytes = fs_err::read(path)?;
    read_sbom(name, &bytes).with_context(|| format!("cannot read the SBOM `{}`", path.display()))
}

fn spinner(enabled: bool, target: &str) -> Option<ProgressBar> {
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let spinner = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        spinner.set_style(style);
    }
    spinner.set_message(format!("reading {target}"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    Some(spinner)
}

/// Prints the inventory's warnings on stderr: every one with `verbose`, else the first few and
/// a count.
pub(crate) fn print_warnings(inventory: &Inventory, verbose: bool) {
    const SHOWN: usize = 5;
    let mut stderr = std::io::stderr().lock();
    let total = inventory.warnings.len();
    let shown = if verbose { total } else { total.min(SHOWN) };
    for warning in inventory.warnings.iter().take(shown) {
        let layer = warning
            .layer
            .as_ref()
            .map(|layer| format!(" (layer `{layer}`)"))
            .unwrap_or_default();
        let _ = writeln!(
            stderr,
            "warning: `{}`{layer}: {}",
            warning.path, warning.message
        );
    }
    if total > shown {
        let _ = writeln!(
            stderr,
            "warning: {} more warnings; `-v` shows them all",
            total - shown
        );
    }
}

/// An error and its causes on one line, `: `-separated.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
