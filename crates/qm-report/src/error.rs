//! Errors of the renderers: writing failed, or a format name was not understood.

use crate::{SbomFormat, ScanFormat};

/// Why a report could not be rendered.
///
/// Rendering itself cannot fail on any inventory; what can fail is writing the bytes out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The output refused the bytes (a closed pipe, a full disk).
    #[error("could not write the `{format}` SBOM")]
    Write {
        /// The format being written.
        format: SbomFormat,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The document could not be turned into JSON. Our types always serialise, so this is a bug
    /// in this crate; the reason is kept as text so no third-party error type leaks out.
    #[error("could not serialise the `{format}` SBOM: {reason}")]
    Serialize {
        /// The format being rendered.
        format: SbomFormat,
        /// What the serialiser said.
        reason: String,
    },
    /// The output refused the bytes of a scan report.
    #[error("could not write the `{format}` scan report")]
    WriteScan {
        /// The format being written.
        format: ScanFormat,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A scan report could not be turned into JSON: a bug in this crate, as for
    /// [`ReportError::Serialize`].
    #[error("could not serialise the `{format}` scan report: {reason}")]
    SerializeScan {
        /// The format being rendered.
        format: ScanFormat,
        /// What went wrong.
        reason: String,
    },
}

/// A format name that is none of the SBOM formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown SBOM format `{0}`; expected `json` (or `native`), `cyclonedx` (or `cyclonedx-json`), \
     or `spdx` (or `spdx-json`)"
)]
pub struct UnknownSbomFormat(pub String);
