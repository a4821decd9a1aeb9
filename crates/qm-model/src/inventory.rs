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
