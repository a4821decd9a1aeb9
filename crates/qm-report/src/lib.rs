//! Pure renderers: turn Quartermaster's data into the documents users and other tools read.
//!
//! This crate computes text and nothing else. It never opens a file, reads the clock or the
//! environment, or talks to a network: everything that varies between runs (the tool version, the
//! creation time) comes in through [`RenderContext`], and output goes to a `&mut dyn Write` the
//! caller owns. Given the same inventory and context, every renderer writes the same bytes.
//!
//! For now it renders SBOMs for `qm sbom`, from a [`qm_model::Inventory`], in three
//! [`SbomFormat`]s:
//!
//! - **native JSON** (`json`): the inventory itself in a versioned envelope
//!   (`"schema": "qm-inventory/1"`), documented field by field in `docs/inventory-json.md`;
//!   the only format that keeps everything we know;
//! - **CycloneDX 1.6 JSON** (`cyclonedx-json`): one `library` component per package, an
//!   `operating-system` component for the distribution, the target as `metadata.component`;
//! - **SPDX 2.3 JSON** (`spdx-json`): one package per package, plus the target and the
//!   distribution, tied together by `DESCRIBES` and `CONTAINS` relationships.
//!
//! ```
//! use qm_model::{Inventory, TargetInfo, TargetKind};
//! use qm_report::{RenderContext, SbomFormat, render_sbom};
//!
//! let inventory = Inventory {
//!     target: TargetInfo {
//!         name: "dir:.".to_owned(),
//!         kind: TargetKind::Directory,
//!         digest: None,
//!         manifest_digest: None,
//!         tags: Vec::new(),
//!         platform: None,
//!         layers: Vec::new(),
//!     },
//!     distro: None,
//!     packages: Vec::new(),
//!     warnings: Vec::new(),
//! };
//! let context = RenderContext::new("0.1.0", "2024-05-01T12:00:00Z".parse()?);
//! let mut out = Vec::new();
//! render_sbom(&inventory, "cyclonedx".parse()?, &context, &mut out)?;
//! assert!(String::from_utf8(out)?.contains(r#""specVersion": "1.6""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Surprises:
//!
//! - **Identifiers are derived, not random.** The CycloneDX `serialNumber` and the SPDX
//!   `documentNamespace` hold a UUID hashed (SHA-256, as an RFC 9562 version 8 UUID) from the
//!   inventory, the tool version and the timestamp, so reproducible builds get reproducible
//!   SBOMs and a changed inventory gets a new identity.
//! - **Only valid purls are published.** A package whose `purl` does not parse (or is empty) gets
//!   no `purl` in CycloneDX and no purl reference in SPDX, rather than a broken one; the native
//!   format keeps it as it is.
//! - **Facts the standards have no field for** (where a package was found, its layer, its source
//!   package, which cataloger found it) become CycloneDX properties named with our own `qm:`
//!   prefix, and SPDX `sourceInfo` text. The property names are listed on
//!   [`SbomFormat::CycloneDx`]; SPDX identifiers are explained on [`SbomFormat::Spdx`].
//! - **Two packages may share a purl** (the same library in two lockfiles or two layers). Their
//!   CycloneDX `bom-ref`s and SPDX identifiers then get a short hash of where each was found
//!   (and a counter if even that agrees), so references are unique, and the same for the same
//!   inventory; a package's reference does change when a twin appears beside it.

#![warn(missing_docs)]

mod cyclonedx;
mod error;
mod identity;
mod native;
mod sbom;
mod scan;
mod spdx;

pub use error::{ReportError, UnknownSbomFormat};
pub use native::NATIVE_SCHEMA;
pub use sbom::{RenderContext, SbomFormat, TOOL_NAME, render_sbom};
pub use scan::{
    DbSource, DbSummary, Justification, SCAN_SCHEMA, ScanFormat, ScanRenderOptions, ScanReport,
    SuppressedFinding, SuppressionSource, SuppressionStatus, UnknownJustification,
    UnknownScanFormat, render_scan,
};
