//! Members of an image container by name: a directory (OCI layout) or an uncompressed tar
//! (docker-archive, OCI archive), indexed once so members are read in the order the metadata
//! needs, not the order the tar holds them (`docker save` writes `manifest.json` last).
//!
//! Surprises: Docker 25+ `docker save` writes the legacy `<id>/layer.tar` names as symbolic
//! links to `blobs/sha256/…` inside the tar, so member links are followed (within the archive,
//! at most [`MAX_MEMBER_LINK_HOPS`]); a member name with `..` is dropped from the index, so it
//! can never be reached; a blob in an OCI directory that is a symbolic link must stay inside the
//! layout.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::SourceError;
use crate::options::{MAX_ARCHIVE_MEMBERS, MAX_METADATA_SIZE};
use crate::path::{normalise_member, normalise_text, parent};

/// Most member links followed to reach one member.
pub(crate) const MAX_MEMBER_LINK_HOPS: usize = 8;

const COMPRESSED_MAGICS: &[&[u8]] = &[
    &[0x1f, 0x8b],
    &[0x28, 0xb5, 0x2f, 0xfd],
    b"BZh",
    &[0xfd, b'7', b'z', b'X', b'Z'],
];

#[derive(Debug, Clone)]
pub(crate) enum TarMember {
    Data { offset: u64, size: u64 },
    Link(String),
}

/// Where the members come from.
pub(crate) enum Store {
    Dir {
        root: PathBuf,
    },
    Tar {
        path: PathBuf,
        members: HashMap<String, TarMember>,
    },
}

impl Store {
    pub(crate) fn dir(root: &Path) -> Self {
        Store::Dir {
            root: root.to_path_buf(),
        }
    }

    /// Indexes an uncompressed tar.
    pub(crate) fn tar(path: &Path) -> Result<Self, SourceError> {
        let io_error = |source: io::Error| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = fs_err::File::open(path).map_err(io_error)?;
        let mut file = BufReader::new(file.into_file());
        let head = file.fill_buf().map_err(io_error)?;
        if COMPRESSED_MAGICS
            .iter()
            .any(|magic| head.starts_with(magic))
        {
            return Err(SourceError::CompressedArchive {
                path: path.to_path_buf(),
            });
        }
        file.seek(SeekFrom::Start(0)).map_err(io_error)?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        for entry in archive.entries_with_seek().map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            if members.len() >= MAX_ARCHIVE_MEMBERS {
                return Err(SourceError::TooManyMembers {
                    path: path.to_path_buf(),
                    limit: MAX_ARCHIVE_MEMBERS,
                });
            }
            let Ok(name) = normalise_member(&entry.path_bytes()) else {
                continue;
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => TarMember::Data {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                },
                tar::EntryType::Symlink => {
                    let Some(target) = entry.link_name_bytes() else {
                        continue;
                    };
                    let Ok(target) = std::str::from_utf8(&target) else {
                        continue;
                    };
                    let Some(resolved) = join_within(parent(&name.path), target) else {
                        continue;
                    };
                    TarMember::Link(resolved)
                }
                tar::EntryType::Link => {
                    let Some(Ok(target)) =
                        entry.link_name_bytes().map(|raw| normalise_member(&raw))
                    else {
                        continue;
                    };
                    TarMember::Link(target.path)
                }
                _ => continue,
            };
            members.insert(name.path, member);
        }
        Ok(Store::Tar {
            path: path.to_path_buf(),
            members,
        })
    }

    /// The container's name for messages.
    pub(crate) fn name(&self) -> String {
        match self {
            Store::Dir { root } => root.display().to_string(),
            Store::Tar { path, .. } => path.display().to_string(),
        }
    }

    fn locate(&self, member: &str) -> Option<(u64, u64)> {
        let Store::Tar { members, .. } = self else {
            return None;
        };
        let mut name = normalise_text(member).ok()?.path;
        for _ in 0..=MAX_MEMBER_LINK_HOPS {
            match members.get(&name)? {
                TarMember::Data { offset, size } => return Some((*offset, *size)),
                TarMember::Link(target) => name = target.clone(),
            }
        }
        None
    }

    /// Opens a member; returns the reader and its size.
    pub(crate) fn open(&self, member: &str) -> Result<(Box<dyn Read>, u64), SourceError> {
        let missing = || SourceError::MissingMember {
            image: self.name(),
            member: member.to_owned(),
        };
        match self {
            Store::Dir { root } => {
                let name = normalise_text(member).map_err(|_| missing())?;
                let path = root.join(&name.path);
                let metadata = match fs_err::symlink_metadata(&path) {
                    Ok(metadata) => metadata,
                    Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(missing()),
                    Err(source) => return Err(SourceError::Io { path, source }),
                };
                if metadata.file_type().is_symlink() {
                    let io_error = |source| SourceError::Io {
                        path: path.clone(),
                        source,
                    };
                    let real = fs_err::canonicalize(&path).map_err(io_error)?;
                    let real_root = fs_err::canonicalize(root).map_err(io_error)?;
                    if !real.starts_with(&real_root) {
                        return Err(SourceError::Malformed {
                            image: self.name(),
                            reason: format!("`{member}` is a symbolic link out of the layout"),
                        });
                    }
                }
                let file = fs_err::File::open(&path).map_err(|source| SourceError::Io {
                    path: path.clone(),
                    source,
                })?;
                let size = file
                    .metadata()
                    .map_err(|source| SourceError::Io {
                        path: path.clone(),
                        source,
                    })?
                    .len();
                Ok((Box::new(file.into_file()), size))
            }
            Store::Tar { path, .. } => {
                let (offset, size) = self.locate(member).ok_or_else(missing)?;
                let io_error = |source| SourceError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = fs_err::File::open(path).map_err(io_error)?.into_file();
                file.seek(SeekFrom::Start(offset)).map_err(io_error)?;
                Ok((Box::new(file.take(size)), size))
            }
        }
    }

    /// Reads a metadata member whole, refusing one over [`MAX_METADATA_SIZE`].
    pub(crate) fn read_small(&self, member: &str) -> Result<Vec<u8>, SourceError> {
        let (reader, size) = self.open(member)?;
        if size > MAX_METADATA_SIZE {
            return Err(SourceError::MetadataTooLarge {
                image: self.name(),
                member: member.to_owned(),
                size,
                limit: MAX_METADATA_SIZE,
            });
        }
        let mut bytes = Vec::new();
        reader
            .take(MAX_METADATA_SIZE)
            .read_to_end(&mut bytes)
            .map_err(|source| SourceError::Io {
                path: PathBuf::from(format!("{}:{member}", self.name())),
                source,
            })?;
        Ok(bytes)
    }
}

/// Joins a relative link target to its directory, refusing to climb above the root.
fn join_within(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|part| !part.is_empty()).collect()
    };
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join_within;

    #[test]
    fn member_links_join_within_the_archive() {
        let cases = [
            ("abc", "../blobs/sha256/00", Some("blobs/sha256/00")),
            ("", "x/y", Some("x/y")),
            ("abc", "../../etc/passwd", None),
            ("abc", "/blobs/x", Some("blobs/x")),
        ];
        for (dir, target, expected) in cases {
            assert_eq!(
                join_within(dir, target).as_deref(),
                expected,
                "{dir} {target}"
            );
        }
    }
}
