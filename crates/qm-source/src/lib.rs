//! Targets read as one layered file view: docker-archive tarballs, OCI image layouts (directory
//! or tar), root filesystems and source directories.
//!
//! This crate knows nothing about package formats. A caller says which paths it wants through a
//! predicate; [`read_target`] walks the target once (image layers bottom to top, streamed, never
//! extracted to disk), keeps in memory only the claimed regular files, applies whiteouts
//! (`.wh.<name>` and the opaque `.wh..wh..opq`) so the view is the image as it runs, checks every
//! layer and blob digest, and records for each file the layer that wrote its final version and,
//! when the config has history, the build step.
//!
//! Main types: [`Target`] (what to read, parsed from `docker-archive:PATH`, `oci-dir:PATH[:TAG]`,
//! `oci-archive:PATH[:TAG]`, `dir:PATH` or a bare path), [`ReadOptions`] (limits, platform),
//! [`FileView`] of [`ViewFile`]s with [`LayerInfo`], [`ImageInfo`] and [`Warning`]s, and
//! [`SourceError`].
//!
//! ```no_run
//! use qm_source::{ReadOptions, Target, read_target};
//!
//! let target = Target::parse("oci-dir:/tmp/debian:12")?;
//! let wants = |path: &str| path == "var/lib/dpkg/status" || path.ends_with("os-release");
//! let view = read_target(&target, &ReadOptions::default(), &wants)?;
//! for file in view.files() {
//!     let layer = file.layer.as_ref().map(|layer| layer.digest.as_str());
//!     println!("{} ({} bytes) from {layer:?}", file.path, file.bytes.len());
//! }
//! for warning in view.warnings() {
//!     eprintln!("warning: {warning}");
//! }
//! # Ok::<(), qm_source::SourceError>(())
//! ```
//!
//! Hostile input never panics and memory stays bounded: a member named with `..`, a non-UTF-8
//! name, a hard link out of the root, a symbolic link that escapes the root or loops, or a file
//! over [`ReadOptions::max_file_size`] or past [`ReadOptions::max_total_kept`] loses that file
//! with a [`Warning`] naming it; a layer that expands past
//! [`ReadOptions::max_layer_uncompressed`], ends early or fails its digest is a [`SourceError`]
//! for the whole target. Memory held is the kept bytes plus the symlink table
//! ([`MAX_SYMLINKS`]), the warnings ([`MAX_WARNINGS`]) and one metadata document
//! ([`MAX_METADATA_SIZE`]).
//!
//! The trap: `wants` sees normalised paths (`etc/os-release`, never `/etc/os-release` or
//! `./etc/os-release`), and it is asked once per member as the layers stream past, so a claimed
//! symbolic link is resolved only to a file that `wants` also claimed (claim `usr/lib/os-release`
//! too if you want `etc/os-release`). The outer archive must be uncompressed (`docker save | gzip`
//! output is refused with a hint), because its members are read in metadata order, not tar order.

#![warn(missing_docs)]

mod claims;
mod dir;
mod docker;
mod error;
mod image;
mod layer;
mod oci;
mod options;
mod path;
mod store;
mod target;
mod tree;
mod view;

pub use crate::{
    claims::Claims,
    error::SourceError,
    options::{
        DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_LAYER_UNCOMPRESSED, DEFAULT_MAX_TOTAL_KEPT,
        MAX_ARCHIVE_MEMBERS, MAX_DIRECTORY_DEPTH, MAX_INDEX_DEPTH, MAX_METADATA_SIZE,
        MAX_SYMLINK_HOPS, MAX_SYMLINKS, MAX_WARNINGS, Platform, PlatformParseError, ReadOptions,
    },
    target::{ImageRef, Target},
    view::{FileView, ImageInfo, LayerInfo, ViewFile, Warning, WarningKind},
};

/// Reads `target`, keeping the regular files whose normalised path `wants` claims (reduced as
/// [`Claims::reduce`] says).
///
/// # Errors
/// When the target cannot be opened, its metadata is unreadable or inconsistent, an image
/// cannot be chosen, a digest does not match, or a layer is truncated, unreadable or over
/// [`ReadOptions::max_layer_uncompressed`]. Problems with single files are warnings on the view.
pub fn read_target(
    target: &Target,
    options: &ReadOptions,
    wants: &dyn Claims,
) -> Result<FileView, SourceError> {
    match target {
        Target::DockerArchive { path, reference } => {
            docker::read(path, reference.as_ref(), options, wants)
        }
        Target::OciDir { path, reference } => {
            oci::read(&store::Store::dir(path), reference.as_ref(), options, wants)
        }
        Target::OciArchive { path, reference } => oci::read(
            &store::Store::tar(path)?,
            reference.as_ref(),
            options,
            wants,
        ),
        Target::RootFs { path } => dir::read(path, true, options, wants),
        Target::SourceDir { path } => dir::read(path, false, options, wants),
    }
}
