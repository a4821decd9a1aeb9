//! [`SuppressError`]: why a VEX document or an ignore file could not be read.
//!
//! A document that cannot be read stops the scan rather than being skipped: a skipped VEX
//! file would report vulnerabilities its author has ruled out, and a skipped ignore file
//! would fail a CI run for the wrong reason. Both are worse than a clear error naming the
//! file and the place in it.

/// Why suppressions could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuppressError {
    /// The file could not be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`crate::MAX_DOCUMENT_BYTES`].
    #[error("`{path}` is larger than {limit} bytes, the most a VEX or ignore file may have")]
    TooLarge {
        /// The file.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: String,
    },
    /// A VEX document is not valid JSON, or its JSON does not have the shape of its format.
    #[error("`{path}` line {line}, column {column}: {message}")]
    Json {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON reader says.
        message: String,
    },
    /// A JSON document that is neither OpenVEX nor CycloneDX.
    #[error(
        "`{path}` is neither OpenVEX (an `@context` naming openvex) nor CycloneDX (`bomFormat` \
         `CycloneDX`)"
    )]
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// A VEX statement that breaks its format's rules (no vulnerability, an unknown
    /// status, a timestamp that is not RFC 3339).
    #[error("`{path}` {location}: {reason}")]
    InvalidVex {
        /// The file.
        path: String,
        /// Where: `statements[3].status`.
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// The ignore file is not valid TOML, or has a key or value the format does not allow.
    #[error("`{path}` line {line}, column {column}: {message}")]
    Toml {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the TOML reader says.
        message: String,
    },
    /// An ignore entry with a value that cannot be used (an empty id, a purl that does not
    /// parse, an expiry that is not a date).
    #[error("`{path}` line {line}: {reason}")]
    InvalidIgnore {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

impl SuppressError {
    /// A JSON reading error of `path`.
    pub(crate) fn json(path: &str, error: &serde_json::Error) -> SuppressError {
        // serde_json puts " at line L column C" at the end of its message; the position is
        // in the fields already.
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(position) => message.get(..position).unwrap_or(&message).to_owned(),
            None => message,
        };
        SuppressError::Json {
            path: path.to_owned(),
            line: error.line(),
            column: error.column(),
            message,
        }
    }

    /// A concrete next step for the user, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            SuppressError::UnknownFormat { .. } => Some(
                "qm reads OpenVEX (v0.2.0 and earlier) and CycloneDX VEX in JSON; convert CSAF \
                 or XML documents first",
            ),
            SuppressError::Toml { .. } | SuppressError::InvalidIgnore { .. } => Some(
                "each entry is `[[ignore]]` with `id`, and optionally `package`, `reason` and \
                 `expires = 2026-12-31`",
            ),
            _ => None,
        }
    }
}
