//! The result of reading a target: the claimed files as the image runs, where each came from,
//! and the warnings for files that were lost on the way.

use std::collections::BTreeMap;
use std::fmt;

use crate::path::normalise_lookup;

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's uncompressed digest (`sha256:…`, the config's `rootfs.diff_ids` entry).
    pub digest: String,
    /// The compressed blob digest of an OCI layer; `None` in a docker-archive.
    pub blob_digest: Option<String>,
    /// Position in the image, 0 for the bottom layer.
    pub index: usize,
    /// The build step that wrote the layer (`history[].created_by`), when the config says.
    pub created_by: Option<String>,
}

/// What is known about an image target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Digest of the image config (`sha256:…`; the image ID).
    pub config_digest: String,
    /// Digest of the manifest, for an OCI layout.
    pub manifest_digest: Option<String>,
    /// Tags the archive or layout gives the image.
    pub repo_tags: Vec<String>,
    /// Operating system from the config.
    pub os: Option<String>,
    /// Architecture from the config.
    pub architecture: Option<String>,
    /// Variant from the config.
    pub variant: Option<String>,
    /// The layers, bottom first.
    pub layers: Vec<LayerInfo>,
}

/// A claimed regular file as the target presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewFile {
    /// Normalised path inside the target: no leading `/` or `./`.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The layer that wrote the final version; `None` for a directory target.
    pub layer: Option<LayerInfo>,
    /// When `path` is a symbolic link: the path of the file it resolves to.
    pub resolved_from: Option<String>,
}

/// What kind of file was lost, or what was odd about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A member name contains `..` or is empty; the member was skipped.
    UnsafePath,
    /// A member name is absolute; it was read relative to the image root.
    AbsolutePath,
    /// A member or link name is not UTF-8; it was skipped.
    NonUtf8Name,
    /// A claimed file is larger than `max_file_size`; it was not kept.
    FileTooLarge,
    /// Keeping a claimed file would pass `max_total_kept`; it was not kept.
    TotalLimit,
    /// A symbolic link leads outside the root; it was not followed.
    SymlinkEscape,
    /// A symbolic link chain loops or is longer than [`MAX_SYMLINK_HOPS`](crate::MAX_SYMLINK_HOPS).
    SymlinkLoop,
    /// A claimed symbolic link leads to a file that does not exist or was not claimed.
    SymlinkTarget,
    /// More symbolic links than [`MAX_SYMLINKS`](crate::MAX_SYMLINKS); later ones are ignored.
    TooManySymlinks,
    /// A hard link's target is outside the root or was not read.
    HardlinkTarget,
    /// A file or directory could not be read; it was skipped.
    Unreadable,
    /// A directory is nested deeper than [`MAX_DIRECTORY_DEPTH`](crate::MAX_DIRECTORY_DEPTH).
    TooDeep,
    /// More than [`MAX_WARNINGS`](crate::MAX_WARNINGS) warnings; the rest were dropped.
    WarningsDropped,
}

/// Something lost or odd on the way, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What happened.
    pub kind: WarningKind,
    /// The member or file (lossily decoded when not UTF-8).
    pub path: String,
    /// The layer's digest or member path, for an image.
    pub layer: Option<String>,
    /// Details: sizes, link targets, the I/O error.
    pub detail: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.path)?;
        if let Some(layer) = &self.layer {
            write!(f, " in layer `{layer}`")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// The claimed files of a target, one version per path: the one the running image sees.
#[derive(Debug, Clone, Default)]
pub struct FileView {
    pub(crate) files: BTreeMap<String, ViewFile>,
    pub(crate) history: BTreeMap<String, Vec<ViewFile>>,
    pub(crate) image: Option<ImageInfo>,
    pub(crate) warnings: Vec<Warning>,
}

impl FileView {
    /// The kept files in path order.
    pub fn files(&self) -> impl Iterator<Item = &ViewFile> {
        self.files.values()
    }

    /// The file at `path` (a leading `/` or `./` is ignored).
    pub fn get(&self, path: &str) -> Option<&ViewFile> {
        self.files.get(normalise_lookup(path))
    }

    /// The versions of the file at `path` that lower layers wrote before the one
    /// [`FileView::get`] returns, bottom first; empty unless its claim
    /// [keeps history](crate::Claims::keeps_history) and a later layer rewrote it. A whiteout of
    /// the file forgets its history.
    pub fn history(&self, path: &str) -> &[ViewFile] {
        self.history
            .get(normalise_lookup(path))
            .map_or(&[], Vec::as_slice)
    }

    /// Image metadata, for an image target.
    pub fn image(&self) -> Option<&ImageInfo> {
        self.image.as_ref()
    }

    /// What was lost or odd, in the order met.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}
