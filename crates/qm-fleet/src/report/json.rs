//! The report as JSON, written while its exposures stream in.

use std::io::{self, Write};

use serde::Serialize;

use super::{FleetReport, ReportBuilder};
use crate::model::Exposure;

/// Writes a [`FleetReport`] as JSON with every exposure, holding one exposure at a time.
///
/// The object is the report's own fields (as `serde_json` writes a [`FleetReport`]), with
/// `exposures` added: every exposure as a [`ReportedExposure`](super::ReportedExposure), in
/// the order they were added. The fields known before the exposures (`generated_at`, `store`,
/// `database`, `options`) come first, then `exposures`, then the figures computed from them.
/// Indented as `serde_json::to_writer_pretty` indents.
#[derive(Debug)]
pub struct JsonReportWriter<W: Write> {
    out: W,
    builder: ReportBuilder,
    written: u64,
}

impl<W: Write> JsonReportWriter<W> {
    /// Writes the fields known up front and opens the `exposures` list.
    ///
    /// # Errors
    /// When writing fails.
    pub fn start(mut out: W, builder: ReportBuilder) -> io::Result<JsonReportWriter<W>> {
        out.write_all(b"{")?;
        field(&mut out, "generated_at", &builder.generated_at(), true)?;
        field(&mut out, "store", &builder.store(), false)?;
        if let Some(database) = builder.database() {
            field(&mut out, "database", &database, false)?;
        }
        field(&mut out, "options", builder.options(), false)?;
        out.write_all(b",\n  \"exposures\": [")?;
        Ok(JsonReportWriter {
            out,
            builder,
            written: 0,
        })
    }

    /// Counts one exposure and writes it.
    ///
    /// # Errors
    /// When writing fails.
    pub fn add(&mut self, exposure: Exposure) -> io::Result<()> {
        let reported = self.builder.add(exposure);
        self.out.write_all(if self.written == 0 {
            b"\n    "
        } else {
            b",\n    "
        })?;
        indented(&mut self.out, &reported, b"\n    ")?;
        self.written += 1;
        Ok(())
    }

    /// Closes the list, writes the figures and returns the writer with the report.
    ///
    /// # Errors
    /// When writing fails.
    pub fn finish(mut self) -> io::Result<(W, FleetReport)> {
        self.out
            .write_all(if self.written == 0 { b"]" } else { b"\n  ]" })?;
        let report = self.builder.finish();
        let out = &mut self.out;
        field(out, "statistics", &report.statistics, false)?;
        field(out, "targets", &report.targets, false)?;
        field(out, "target_statistics", &report.target_statistics, false)?;
        field(out, "open_exposures", &report.open_exposures, false)?;
        field(out, "closed_exposures", &report.closed_exposures, false)?;
        field(
            out,
            "time_to_patch_histogram",
            &report.time_to_patch_histogram,
            false,
        )?;
        field(out, "timeline", &report.timeline, false)?;
        field(out, "timeline_sampled", &report.timeline_sampled, false)?;
        out.write_all(b"\n}\n")?;
        Ok((self.out, report))
    }
}

/// `"name": value` at the object's first level.
fn field(out: &mut dyn Write, name: &str, value: &impl Serialize, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(b": ")?;
    indented(out, value, b"\n  ")
}

/// `value` pretty-printed, each line after the first starting with `newline` (a line break
/// and the indent). JSON strings escape their line breaks, so every raw one is the printer's.
fn indented(out: &mut dyn Write, value: &impl Serialize, newline: &[u8]) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let mut lines = text.split(|&byte| byte == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(newline)?;
        out.write_all(line)?;
    }
    Ok(())
}
