//! Limits and choices for reading a target: per-file and total memory caps, the decompression
//! cap per layer, and the platform picked from a multi-platform index.
//!
//! Every limit has a named default here; a file over a per-file or total limit becomes a warning,
//! a layer over its decompression limit is an error (a bomb cannot be partly trusted).

use std::fmt;
use std::str::FromStr;

/// Default [`ReadOptions::max_file_size`]: 256 MiB (an old Berkeley DB rpmdb reaches ~100 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;
/// Default [`ReadOptions::max_total_kept`]: 1 GiB of claimed file contents held at once.
pub const DEFAULT_MAX_TOTAL_KEPT: u64 = 1024 * 1024 * 1024;
/// Default [`ReadOptions::max_layer_uncompressed`]: 32 GiB of tar stream per layer.
pub const DEFAULT_MAX_LAYER_UNCOMPRESSED: u64 = 32 * 1024 * 1024 * 1024;
/// Largest manifest, index or config document read, in bytes.
pub const MAX_METADATA_SIZE: u64 = 16 * 1024 * 1024;
/// Most members indexed in an outer archive (docker-archive or OCI tar).
pub const MAX_ARCHIVE_MEMBERS: usize = 1_000_000;
/// Most symbolic links remembered across all layers (each costs its path and target).
pub const MAX_SYMLINKS: usize = 500_000;
/// Most symbolic links followed while resolving one path; more is reported as a loop.
pub const MAX_SYMLINK_HOPS: usize = 40;
/// Most warnings kept; later ones are counted in one closing warning.
pub const MAX_WARNINGS: usize = 10_000;
/// Deepest directory level walked in a root filesystem or source tree.
pub const MAX_DIRECTORY_DEPTH: usize = 256;
/// Deepest nesting of image indexes followed in an OCI layout.
pub const MAX_INDEX_DEPTH: usize = 4;

/// How to read a target. Build with struct update syntax from [`ReadOptions::default`].
///
/// Memory held by a read is bounded by `max_total_kept` plus the symlink table
/// ([`MAX_SYMLINKS`]), the warnings ([`MAX_WARNINGS`]) and one metadata document
/// ([`MAX_METADATA_SIZE`]); layer streams are never buffered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Largest single claimed file kept; a larger one becomes a warning.
    pub max_file_size: u64,
    /// Largest sum of claimed file contents kept; a file that would pass it becomes a warning.
    pub max_total_kept: u64,
    /// Largest decompressed size of one layer; more is [`SourceError::LayerTooLarge`](crate::SourceError::LayerTooLarge).
    pub max_layer_uncompressed: u64,
    /// Platform chosen from a multi-platform index.
    pub platform: Platform,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_total_kept: DEFAULT_MAX_TOTAL_KEPT,
            max_layer_uncompressed: DEFAULT_MAX_LAYER_UNCOMPRESSED,
            platform: Platform::default(),
        }
    }
}

/// An image platform: `os/architecture[/variant]`, default `linux/amd64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// Architecture in OCI spelling, e.g. `amd64`, `arm64`.
    pub architecture: String,
    /// Variant, e.g. `v8`; `None` accepts any.
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Self {
            os: "linux".to_owned(),
            architecture: "amd64".to_owned(),
            variant: None,
        }
    }
}

impl Platform {
    /// Whether an index entry's platform satisfies this request. `arm64` variant `v8` is the
    /// default variant, so a request without variant or with `v8` accepts a bare `arm64`.
    pub(crate) fn accepts(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        if self.os != os || self.architecture != architecture {
            return false;
        }
        match (self.variant.as_deref(), variant) {
            (None, _) => true,
            (Some(wanted), Some(got)) => wanted == got,
            (Some(wanted), None) => architecture == "arm64" && wanted == "v8",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// Why a platform string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("platform `{0}` is not `os/architecture[/variant]`")]
pub struct PlatformParseError(String);

impl FromStr for Platform {
    type Err = PlatformParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split('/').collect();
        let valid = |part: &&str| !part.is_empty() && !part.contains(char::is_whitespace);
        match parts.as_slice() {
            [os, architecture] if valid(os) && valid(architecture) => Ok(Self {
                os: (*os).to_owned(),
                architecture: (*architecture).to_owned(),
                variant: None,
            }),
            [os, architecture, variant] if valid(os) && valid(architecture) && valid(variant) => {
                Ok(Self {
                    os: (*os).to_owned(),
                    architecture: (*architecture).to_owned(),
                    variant: Some((*variant).to_owned()),
                })
            }
            _ => Err(PlatformParseError(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_strings_parse_or_fail() {
        let cases: &[(&str, Option<&str>)] = &[
            ("linux/amd64", Some("linux/amd64")),
            ("linux/arm64/v8", Some("linux/arm64/v8")),
            ("linux", None),
            ("linux//v7", None),
            ("a/b/c/d", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let parsed = input.parse::<Platform>().ok().map(|p| p.to_string());
            assert_eq!(parsed.as_deref(), *expected, "{input}");
        }
    }

    #[test]
    fn arm64_v8_is_the_default_variant() {
        let wanted: Platform = "linux/arm64/v8".parse().unwrap();
        assert!(wanted.accepts("linux", "arm64", None));
        assert!(!wanted.accepts("linux", "arm64", Some("v9")));
        let armv7: Platform = "linux/arm/v7".parse().unwrap();
        assert!(!armv7.accepts("linux", "arm", Some("v6")));
        assert!(Platform::default().accepts("linux", "amd64", None));
    }
}
