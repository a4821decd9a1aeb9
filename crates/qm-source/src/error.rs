//! The one error type of this crate: what failed, on which target, member or layer.
//!
//! Problems that lose a single file (an unsafe member name, a symlink escaping the root, a file
//! over the size limit) are not errors but [`crate::Warning`]s on the view; an error means the
//! target as a whole could not be read or cannot be trusted (a digest mismatch, a truncated or
//! over-large layer, unreadable metadata).

use std::path::PathBuf;

/// Why a target could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The target string could not be understood.
    #[error("cannot read target `{input}`: {reason}")]
    InvalidTarget {
        /// The string as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file or directory could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The outer archive (docker-archive or OCI tar) is compressed; members cannot be reached
    /// without decompressing the whole file first.
    #[error("`{}` is a compressed archive; decompress it first (for example `gunzip -k`)", path.display())]
    CompressedArchive {
        /// The archive.
        path: PathBuf,
    },
    /// The outer archive holds more members than [`MAX_ARCHIVE_MEMBERS`](crate::MAX_ARCHIVE_MEMBERS).
    #[error("`{}` has more than {limit} members", path.display())]
    TooManyMembers {
        /// The archive.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A member named by the image metadata is missing.
    #[error("`{member}` is missing from `{image}`")]
    MissingMember {
        /// The archive or layout.
        image: String,
        /// The member or blob path.
        member: String,
    },
    /// A metadata document (manifest, index, config) is not valid JSON of the expected shape.
    #[error("`{member}` in `{image}` is not a valid document")]
    Metadata {
        /// The archive or layout.
        image: String,
        /// The member.
        member: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A metadata document is larger than [`MAX_METADATA_SIZE`](crate::MAX_METADATA_SIZE).
    #[error("`{member}` in `{image}` is {size} bytes, over the {limit}-byte limit for metadata")]
    MetadataTooLarge {
        /// The archive or layout.
        image: String,
        /// The member.
        member: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The image metadata is inconsistent or unsupported.
    #[error("`{image}` is malformed: {reason}")]
    Malformed {
        /// The archive or layout.
        image: String,
        /// What is wrong.
        reason: String,
    },
    /// No image in the archive or layout matches the requested reference.
    #[error("no image `{reference}` in `{image}`; available: {available}")]
    ImageNotFound {
        /// The archive or layout.
        image: String,
        /// The tag or digest asked for.
        reference: String,
        /// The tags or digests that exist, comma-separated.
        available: String,
    },
    /// The archive or layout holds several images and none was chosen.
    #[error("`{image}` holds several images ({available}); name one as `PATH:TAG`")]
    AmbiguousImage {
        /// The archive or layout.
        image: String,
        /// The tags or digests that exist, comma-separated.
        available: String,
    },
    /// A multi-platform index has no manifest for the requested platform.
    #[error("`{image}` has no manifest for platform `{platform}`; available: {available}")]
    NoMatchingPlatform {
        /// The archive or layout.
        image: String,
        /// The platform asked for.
        platform: String,
        /// The platforms that exist, comma-separated.
        available: String,
    },
    /// A blob or layer does not hash to the digest its manifest or config promises.
    #[error("`{object}` in `{image}` has digest `{actual}`, but `{expected}` was expected")]
    DigestMismatch {
        /// The archive or layout.
        image: String,
        /// The member, blob or layer.
        object: String,
        /// The digest the metadata names.
        expected: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// A layer decompresses to more than [`ReadOptions::max_layer_uncompressed`](crate::ReadOptions).
    #[error("layer {index} (`{layer}`) of `{image}` expands past the {limit}-byte limit")]
    LayerTooLarge {
        /// The archive or layout.
        image: String,
        /// The layer's member or blob path.
        layer: String,
        /// Its position, 0 for the bottom layer.
        index: usize,
        /// The limit.
        limit: u64,
    },
    /// A layer stream ends early.
    #[error(
        "layer {index} (`{layer}`) of `{image}` ends at byte {offset}{}",
        expected_size(*size)
    )]
    LayerTruncated {
        /// The archive or layout.
        image: String,
        /// The layer's member or blob path.
        layer: String,
        /// Its position, 0 for the bottom layer.
        index: usize,
        /// Compressed bytes read.
        offset: u64,
        /// Compressed bytes expected (0 when unknown).
        size: u64,
    },
    /// A layer stream could not be decompressed or parsed as tar.
    #[error("layer {index} (`{layer}`) of `{image}` cannot be read")]
    LayerRead {
        /// The archive or layout.
        image: String,
        /// The layer's member or blob path.
        layer: String,
        /// Its position, 0 for the bottom layer.
        index: usize,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The end of a truncation message: what was expected, when the manifest says.
fn expected_size(size: u64) -> String {
    if size == 0 {
        " in the middle of a file: its tar stream is incomplete".to_owned()
    } else {
        format!(", expected {size}")
    }
}
