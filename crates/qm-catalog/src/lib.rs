//! Catalogers: one per package format (dpkg status, apk installed, rpm databases, lockfiles,
//! installed language metadata), each turning the bytes of the files it claims into packages.
//!
//! A cataloger never reads the filesystem or an image itself: the source layer (`qm-source`)
//! hands it the files whose paths it claims, so an image is read once and nothing is extracted.
//! A malformed file is an error for that file only; the caller records it and goes on.
//!
//! (Being written: catalogers land module by module.)

#![warn(missing_docs)]

mod apk;
mod binary;
mod catalog;
mod dpkg;
mod error;
mod installed;
mod javascript;
mod lockfiles;
mod os_release;
mod rpm;
mod sbom;

pub use apk::parse_apk_installed;
pub use binary::{claims_binary, golang_purl, parse_binary, reduce_binary};
pub use catalog::{
    CATALOGERS, CatalogOptions, Cataloger, CatalogerKind, ParseFn, ReduceFn, catalog_lockfile,
    catalog_target, cataloger_for_file,
};
pub use dpkg::parse_dpkg_status;
pub use error::CatalogError;
pub use installed::{
    claims_gemspec, claims_java_archive, claims_npm_installed, claims_python_installed,
    parse_gemspec, parse_java_archive, parse_python_installed, reduce_java_archive,
};
pub use javascript::{parse_package_json, parse_package_lock, parse_pnpm_lock, parse_yarn_lock};
pub use lockfiles::{
    parse_cargo_lock, parse_composer_lock, parse_deps_json, parse_gemfile_lock, parse_go_mod,
    parse_go_sum, parse_installed_json, parse_packages_lock_json, parse_pipfile_lock,
    parse_poetry_lock, parse_requirements, parse_uv_lock,
};
pub use os_release::{distro_from_release_files, parse_os_release};
pub use rpm::parse_rpmdb;
pub use sbom::{
    MAX_NESTING_DEPTH, MAX_SBOM_BYTES, MAX_SBOM_COMPONENTS, SbomError, SbomInputFormat, read_sbom,
};
