//! The SBOM entry point: pick a format, render an inventory, write it out.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use qm_model::{Inventory, Timestamp};
use serde::Serialize;

use crate::{ReportError, UnknownSbomFormat, cyclonedx, native, spdx};

/// The tool name every document records as its creator (`quartermaster`).
pub const TOOL_NAME: &str = "quartermaster";

/// The SBOM formats `qm sbom` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// Our own JSON: the inventory in a `{"schema": "qm-inventory/1", "tool": …}` envelope,
    /// every field documented in `docs/inventory-json.md`. Nothing is lost.
    Native,
    /// CycloneDX 1.6 JSON.
    ///
    /// The target is `metadata.component` (`container` for images, `application` for a source
    /// directory, `file` for a root filesystem or an SBOM); the distribution is an
    /// `operating-system` component; each package is a `library` component whose `bom-ref` is
    /// its purl (plus `#` and a short hash of where it was found when two packages share one).
    /// Facts CycloneDX has no field for are properties with our `qm:` prefix (names repeat when
    /// there are several values, as CycloneDX allows):
    ///
    /// | property | on | value |
    /// | --- | --- | --- |
    /// | `qm:ecosystem` | package | OSV ecosystem (`Debian`, `npm`, `crates.io`) |
    /// | `qm:found-by` | package | the cataloger (`dpkg`, `cargo-lock`) |
    /// | `qm:location` | package | a file that declares it, as a path in the target |
    /// | `qm:layer` | package | the layer that introduced it (`sha256:…`) |
    /// | `qm:source-package` | package | the source package it was built from |
    /// | `qm:source-version` | package | that source package's version |
    /// | `qm:arch` | package | its architecture (`amd64`, `noarch`) |
    /// | `qm:dev` | package | `true` for development-only dependencies (absent otherwise) |
    /// | `qm:purl` | package | a purl that does not parse, kept as text instead of `purl` |
    /// | `qm:target:name` | target | the target as the user named it (`docker-archive:app.tar`) |
    /// | `qm:target:kind` | target | `docker-archive`, `oci-dir`, `oci-archive`, `rootfs`, `dir`, `sbom` |
    /// | `qm:image:id` | target | the config digest (image ID) |
    /// | `qm:image:manifest-digest` | target | the manifest digest |
    /// | `qm:image:tag` | target | a tag the image carries |
    /// | `qm:image:platform` | target | `os/architecture[/variant]` |
    /// | `qm:image:layer` | target | a layer's uncompressed digest, bottom layer first |
    /// | `qm:distro:codename` | OS | `VERSION_CODENAME` |
    /// | `qm:distro:id-like` | OS | an `ID_LIKE` entry |
    /// | `qm:warning` | metadata | a file that could not be read, and why |
    ///
    /// They play the part of Syft's `syft:…` and Trivy's `aquasecurity:trivy:…` properties
    /// (`syft:location:0:path`, `aquasecurity:trivy:SrcName`, `…:LayerDiffID`).
    CycloneDx,
    /// SPDX 2.3 JSON.
    ///
    /// One SPDX package for the target (`SPDXRef-Target`), one for the distribution
    /// (`SPDXRef-OperatingSystem`) and one per package (`SPDXRef-Package-<ecosystem>-<name>-
    /// <version>`, every other character turned into `-`, plus a short hash when two packages
    /// would share an identifier). The document `DESCRIBES` the target, which `CONTAINS` the
    /// rest. Licences, supplier and download location are `NOASSERTION`: we do not read them.
    /// Where a package was found, its layer and its source package are written in `sourceInfo`.
    Spdx,
}

impl SbomFormat {
    /// Every format, in the order help texts list them.
    pub const ALL: [SbomFormat; 3] = [SbomFormat::Native, SbomFormat::CycloneDx, SbomFormat::Spdx];

    /// The canonical name: `json`, `cyclonedx-json`, `spdx-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            SbomFormat::Native => "json",
            SbomFormat::CycloneDx => "cyclonedx-json",
            SbomFormat::Spdx => "spdx-json",
        }
    }
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SbomFormat {
    type Err = UnknownSbomFormat;

    /// Reads a format name, case-insensitively: `json` or `native`, `cyclonedx` or
    /// `cyclonedx-json`, `spdx` or `spdx-json`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_ascii_lowercase();
        match name.as_str() {
            "json" | "native" => Ok(SbomFormat::Native),
            "cyclonedx" | "cyclonedx-json" => Ok(SbomFormat::CycloneDx),
            "spdx" | "spdx-json" => Ok(SbomFormat::Spdx),
            _ => Err(UnknownSbomFormat(text.to_owned())),
        }
    }
}

/// What varies between runs and so must come from the caller: who renders, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderContext {
    /// Quartermaster's version (`0.1.0`), recorded as the creating tool's version.
    pub tool_version: String,
    /// When the document is created. Pass a fixed value (`SOURCE_DATE_EPOCH`) for
    /// reproducible output; it also feeds the derived document identifiers.
    pub timestamp: Timestamp,
}

impl RenderContext {
    /// A context for `tool_version`, creating documents at `timestamp`.
    pub fn new(tool_version: impl Into<String>, timestamp: Timestamp) -> RenderContext {
        RenderContext {
            tool_version: tool_version.into(),
            timestamp,
        }
    }
}

/// Renders `inventory` as an SBOM in `format` and writes it, pretty-printed JSON ending with a
/// newline, to `out`.
///
/// # Errors
/// [`ReportError::Write`] when `out` fails; nothing about the inventory can make rendering fail.
pub fn render_sbom(
    inventory: &Inventory,
    format: SbomFormat,
    context: &RenderContext,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        SbomFormat::Native => write_json(&native::document(inventory, context), format, out),
        SbomFormat::CycloneDx => {
            let bom = cyclonedx::document(inventory, context, format)?;
            write_json(&bom, format, out)
        }
        SbomFormat::Spdx => {
            let document = spdx::document(inventory, context, format)?;
            write_json(&document, format, out)
        }
    }
}

/// Serialises to a buffer first, so a serialisation problem never leaves half a document behind.
fn write_json(
    value: &impl Serialize,
    format: SbomFormat,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|error| ReportError::Serialize {
        format,
        reason: error.to_string(),
    })?;
    bytes.push(b'\n');
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|source| ReportError::Write { format, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_accept_aliases() {
        let cases = [
            ("json", SbomFormat::Native),
            ("native", SbomFormat::Native),
            ("NATIVE", SbomFormat::Native),
            ("cyclonedx", SbomFormat::CycloneDx),
            ("CycloneDX-JSON", SbomFormat::CycloneDx),
            ("spdx", SbomFormat::Spdx),
            (" spdx-json ", SbomFormat::Spdx),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<SbomFormat>(), Ok(expected), "{text}");
        }
        for format in SbomFormat::ALL {
            assert_eq!(format.to_string().parse::<SbomFormat>(), Ok(format));
        }
        for bad in ["", "cyclonedx-xml", "spdx-tag-value", "syft-json"] {
            let error = bad.parse::<SbomFormat>().unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
    }
}
