//! `qm sbom TARGET`: what is in it, as CycloneDX, SPDX or our own JSON.

use std::io::{self, Write as _};

use anyhow::{Context, Result};
use qm_model::Timestamp;
use qm_report::{RenderContext, render_sbom};

use crate::ExitStatus;
use crate::cli::{GlobalArgs, SbomArgs};
use crate::commands::inventory::{InventoryRequest, build_inventory, print_warnings};
use crate::commands::output::Output;

pub(crate) fn run(global: &GlobalArgs, args: SbomArgs) -> Result<ExitStatus> {
    let inventory = build_inventory(&InventoryRequest {
        target: &args.target,
        platform: args.platform.as_deref(),
        progress: !global.quiet,
    })?;
    if !global.quiet {
        print_warnings(&inventory, global.verbose);
    }
    let context = RenderContext {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        timestamp: Timestamp::now(),
    };
    let mut output = Output::open(args.output.as_deref())?;
    render_sbom(&inventory, args.format, &context, &mut output).context("cannot write the SBOM")?;
    output.finish()?;
    if !global.quiet {
        let _ = writeln!(
            io::stderr(),
            "{} package{} in `{}`{}",
            inventory.packages.len(),
            if inventory.packages.len() == 1 {
                ""
            } else {
                "s"
            },
            args.target,
            inventory
                .distro
                .as_ref()
                .and_then(|distro| distro.pretty_name.clone())
                .map(|name| format!(" ({name})"))
                .unwrap_or_default()
        );
    }
    Ok(ExitStatus::Success)
}
