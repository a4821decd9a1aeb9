//! Inventories: what a target holds — its operating system and its packages.

use serde::{Deserialize, Serialize};

use crate::Ecosystem;

/// One package found in a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The name as its ecosystem spells it (not normalised).
    pub name: String,
    /// The installed or locked version, as written.
    pub version: String,
    /// The ecosystem; for OS packages the distribution family (`Debian`, `Alpine`, `Red Hat`).
    pub ecosystem: Ecosystem,
    /// The package URL, without distribution qualifiers (the inventory adds those once the
    /// distribution is known).
    pub purl: String,
    /// For OS packages: the source package it was built from (dpkg `Source:`, apk `origin`,
    /// rpm source RPM), which distribution feeds key on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Where it was found: the files that declare it (a status database, a lockfile, a
    /// `METADATA`), as paths inside the target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// Which cataloger found it (`dpkg`, `cargo-lock`, …).
    pub found_by: String,
    /// For lockfiles: whether it is a development-only dependency.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Architecture, where the format records one (`amd64`, `x86_64`, `noarch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The layer that introduced it, for images (`sha256:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// The source package an OS package was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name.
    pub name: String,
    /// Source package version, when it differs from the binary's or is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The operating system of a target, from `/etc/os-release` and its relatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID` (`debian`, `alpine`, `rhel`, `ubuntu`, …).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.18.4`, `9.3`), or the version read from a release file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split (`["rhel", "fedora"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
}

/// Everything found in one target: what it is, its operating system, its packages, and what
/// could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// What was inventoried.
    pub target: TargetInfo,
    /// The operating system, when the target has one that could be identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// The packages, sorted by ecosystem, name, version and first location.
    pub packages: Vec<Package>,
    /// Files that were lost or could not be understood, each naming the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<InventoryWarning>,
}

/// What kind of target an inventory describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A `docker save` / `skopeo copy docker-archive:` tarball.
    DockerArchive,
    /// An OCI image layout directory.
    OciDir,
    /// An OCI image layout in a tar archive.
    OciArchive,
    /// A root filesystem directory.
    #[serde(rename = "rootfs")]
    RootFs,
    /// A source tree.
    #[serde(rename = "dir")]
    Directory,
    /// An SBOM read as input.
    Sbom,
}

impl TargetKind {
    /// The prefix users write for this kind (`docker-archive`, `oci-dir`, `dir`, `sbom`).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::DockerArchive => "docker-archive",
            TargetKind::OciDir => "oci-dir",
            TargetKind::OciArchive => "oci-archive",
            TargetKind::RootFs => "rootfs",
            TargetKind::Directory => "dir",
            TargetKind::Sbom => "sbom",
        }
    }

    /// Whether the target is a container image.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            TargetKind::DockerArchive | TargetKind::OciDir | TargetKind::OciArchive
        )
    }
}

/// The target an inventory describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// The target as the user named it (`docker-archive:app.tar`, `dir:.`).
    pub name: String,
    /// What kind of target it is.
    pub kind: TargetKind,
    /// The image's identity: the config digest (image ID) for images; for an SBOM input, the
    /// digest it names if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The manifest digest, for an OCI layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Tags the archive or layout names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `os/architecture[/variant]` from the image config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The image's layers, bottom first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Layer>,
}

/// One image layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// The uncompressed digest (`rootfs.diff_ids` entry).
    pub digest: String,
    /// Position from the bottom, from 0.
    pub index: usize,
    /// The build step that wrote it (`history[].created_by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// A file that was lost or could not be understood while building an inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryWarning {
    /// The file, as a path inside the target.
    pub path: String,
    /// The layer it sits in, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// What went wrong.
    pub message: String,
}
