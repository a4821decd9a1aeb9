//! The error a cataloger returns for one file.

/// Why one file could not be cataloged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file does not follow its format.
    #[error("`{path}` is malformed at line {line}: {reason}")]
    Malformed {
        /// The file, as a path inside the target.
        path: String,
        /// 1-based line (0 when the format has no lines).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file is larger than the cataloger reads.
    #[error("`{path}` is {size} bytes, over the {limit}-byte limit for this format")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}
