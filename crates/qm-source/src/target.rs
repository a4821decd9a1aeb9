//! What the user names: `docker-archive:PATH[:REF]`, `oci-dir:PATH[:REF]` (alias `oci:`),
//! `oci-archive:PATH[:REF]`, `dir:PATH`, or a bare path whose contents decide.
//!
//! Surprises: a path may itself contain `:`, so `PATH:REF` is split at the first `:` whose left
//! side exists on disk (the whole string first); `REF` is a tag, or a digest when it reads
//! `sha256:…` (`PATH@sha256:…` works too). Detection of a bare tar reads only its member headers.

use std::fmt;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::SourceError;
use crate::path::normalise_member;

/// A tag or digest choosing one image in an archive or layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// A tag (`3.19`, `alpine:3.19`).
    Tag(String),
    /// A digest (`sha256:…`): of the manifest in an OCI layout, of the config in a docker-archive.
    Digest(String),
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Tag(tag) => f.write_str(tag),
            ImageRef::Digest(digest) => f.write_str(digest),
        }
    }
}

impl ImageRef {
    fn parse(text: &str) -> Self {
        let text = text.strip_prefix('@').unwrap_or(text);
        if text.starts_with("sha256:") {
            ImageRef::Digest(text.to_owned())
        } else {
            ImageRef::Tag(text.to_owned())
        }
    }
}

/// A thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A `docker save` tarball.
    DockerArchive {
        /// The tar file.
        path: PathBuf,
        /// Which image, when it holds several.
        reference: Option<ImageRef>,
    },
    /// An OCI image layout directory.
    OciDir {
        /// The directory.
        path: PathBuf,
        /// Which image.
        reference: Option<ImageRef>,
    },
    /// An OCI image layout in a tar.
    OciArchive {
        /// The tar file.
        path: PathBuf,
        /// Which image.
        reference: Option<ImageRef>,
    },
    /// An unpacked root filesystem: absolute symlinks point into it.
    RootFs {
        /// The directory.
        path: PathBuf,
    },
    /// A source tree: absolute symlinks point out of it.
    SourceDir {
        /// The directory.
        path: PathBuf,
    },
}

const DOCKER_ARCHIVE: &str = "docker-archive:";
const OCI_DIR: &str = "oci-dir:";
const OCI: &str = "oci:";
const OCI_ARCHIVE: &str = "oci-archive:";
const DIR: &str = "dir:";
/// Member headers read while sniffing a bare tar.
const DETECT_MAX_MEMBERS: usize = 100_000;

impl Target {
    /// Parses a user string; a bare path is classified by reading its contents.
    ///
    /// # Errors
    /// When the path does not exist or cannot be classified.
    pub fn parse(input: &str) -> Result<Self, SourceError> {
        let invalid = |reason: &str| SourceError::InvalidTarget {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(rest) = input.strip_prefix(DOCKER_ARCHIVE) {
            let (path, reference) = split_reference(rest);
            return Ok(Target::DockerArchive { path, reference });
        }
        if let Some(rest) = input
            .strip_prefix(OCI_DIR)
            .or_else(|| input.strip_prefix(OCI))
        {
            let (path, reference) = split_reference(rest);
            return Ok(Target::OciDir { path, reference });
        }
        if let Some(rest) = input.strip_prefix(OCI_ARCHIVE) {
            let (path, reference) = split_reference(rest);
            return Ok(Target::OciArchive { path, reference });
        }
        if let Some(rest) = input.strip_prefix(DIR) {
            let path = PathBuf::from(rest);
            if !path.is_dir() {
                return Err(invalid("not a directory"));
            }
            return Ok(classify_dir(path));
        }
        if input.is_empty() {
            return Err(invalid("empty"));
        }
        let path = PathBuf::from(input);
        let metadata = fs_err::metadata(&path).map_err(|source| SourceError::Io {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            if path.join("oci-layout").is_file() && path.join("index.json").is_file() {
                return Ok(Target::OciDir {
                    path,
                    reference: None,
                });
            }
            return Ok(classify_dir(path));
        }
        match tar_kind(&path)? {
            TarKind::DockerArchive => Ok(Target::DockerArchive {
                path,
                reference: None,
            }),
            TarKind::Oci => Ok(Target::OciArchive {
                path,
                reference: None,
            }),
            TarKind::Other => Err(invalid(
                "not a directory, docker-archive (no `manifest.json`) or OCI archive (no `oci-layout` and `index.json`)",
            )),
        }
    }
}

fn classify_dir(path: PathBuf) -> Target {
    if path.join("etc/os-release").exists() || path.join("var/lib/dpkg").is_dir() {
        Target::RootFs { path }
    } else {
        Target::SourceDir { path }
    }
}

fn split_reference(rest: &str) -> (PathBuf, Option<ImageRef>) {
    if Path::new(rest).exists() {
        return (PathBuf::from(rest), None);
    }
    if let Some((path, digest)) = rest.rsplit_once('@')
        && Path::new(path).exists()
    {
        return (PathBuf::from(path), Some(ImageRef::parse(digest)));
    }
    for (position, _) in rest.match_indices(':') {
        let (path, reference) = rest.split_at(position);
        if Path::new(path).exists() {
            return (
                PathBuf::from(path),
                Some(ImageRef::parse(reference.get(1..).unwrap_or_default())),
            );
        }
    }
    match rest.split_once(':') {
        Some((path, reference)) => (PathBuf::from(path), Some(ImageRef::parse(reference))),
        None => (PathBuf::from(rest), None),
    }
}

enum TarKind {
    DockerArchive,
    Oci,
    Other,
}

fn tar_kind(path: &Path) -> Result<TarKind, SourceError> {
    let io_error = |source: io::Error| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = fs_err::File::open(path).map_err(io_error)?;
    let mut reader = BufReader::new(file.into_file());
    let head = reader.fill_buf().map_err(io_error)?;
    if head.starts_with(&[0x1f, 0x8b]) || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Err(SourceError::CompressedArchive {
            path: path.to_path_buf(),
        });
    }
    let mut archive = tar::Archive::new(reader);
    let (mut layout, mut index) = (false, false);
    let Ok(entries) = archive.entries_with_seek() else {
        return Ok(TarKind::Other);
    };
    for entry in entries.take(DETECT_MAX_MEMBERS) {
        let Ok(entry) = entry else {
            return Ok(TarKind::Other);
        };
        let Ok(name) = normalise_member(&entry.path_bytes()) else {
            continue;
        };
        match name.path.as_str() {
            "manifest.json" => return Ok(TarKind::DockerArchive),
            "oci-layout" => layout = true,
            "index.json" => index = true,
            _ => {}
        }
    }
    Ok(if layout && index {
        TarKind::Oci
    } else {
        TarKind::Other
    })
}
