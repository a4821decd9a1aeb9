//! SBOMs read as input (`qm_catalog::read_sbom`): the input is one CycloneDX or SPDX JSON
//! document (or anything else), named `sbom:fuzz.json`. Asserted:
//! - no panic, and reading the same bytes again gives the same inventory or the same error;
//! - an error names the SBOM; a `TooLarge` error states the real size; the line of a JSON or
//!   structure error is inside the document;
//! - an inventory is of kind `sbom` and named as given; every warning is on the SBOM; every
//!   package has a name, is found by `sbom-cyclonedx` or `sbom-spdx` (one of them for the whole
//!   document), has a purl that reads with the `packageurl` crate and prints back as written
//!   (the reader re-serialises purls in canonical form) with a name; no two packages share
//!   ecosystem, name, version, purl and layer (the reader merges those).

#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use packageurl::PackageUrl;
use qm_catalog::{SbomError, read_sbom};
use qm_model::TargetKind;

/// The name the input is read under.
const NAME: &str = "sbom:fuzz.json";

fuzz_target!(|data: &[u8]| {
    let result = read_sbom(NAME, data);
    assert_eq!(
        result,
        read_sbom(NAME, data),
        "reading the same bytes twice gives different answers"
    );
    let inventory = match result {
        Ok(inventory) => inventory,
        Err(error) => {
            check_error(data, &error);
            return;
        }
    };
    assert_eq!(inventory.target.name, NAME);
    assert_eq!(inventory.target.kind, TargetKind::Sbom);
    for warning in &inventory.warnings {
        assert_eq!(warning.path, NAME, "a warning on another file: {warning:?}");
        assert!(!warning.message.trim().is_empty(), "{warning:?}");
    }
    let found_by: BTreeSet<&str> = inventory
        .packages
        .iter()
        .map(|package| package.found_by.as_str())
        .collect();
    assert!(
        found_by.len() <= 1
            && found_by
                .iter()
                .all(|found_by| ["sbom-cyclonedx", "sbom-spdx"].contains(found_by)),
        "packages found by {found_by:?}"
    );
    let mut keys = BTreeSet::new();
    for package in &inventory.packages {
        assert!(
            !package.name.trim().is_empty(),
            "a package without a name: {package:?}"
        );
        // A problem already reported (`qm_fuzz::catalog::known_purl_problem`) is skipped.
        if !qm_fuzz::catalog::known_purl_problem(&package.purl) {
            match package.purl.parse::<PackageUrl<'_>>() {
                Ok(purl) => {
                    assert_eq!(
                        purl.to_string(),
                        package.purl,
                        "purl {:?} is not in canonical form",
                        package.purl
                    );
                    assert!(!purl.name().is_empty(), "purl without a name: {package:?}");
                }
                Err(error) => panic!("purl {:?} does not read: {error}", package.purl),
            }
        }
        let key = (
            &package.ecosystem,
            &package.name,
            &package.version,
            &package.purl,
            &package.layer,
        );
        assert!(
            keys.insert(key),
            "a package listed twice, not merged: {package:?}"
        );
    }
});

fn check_error(data: &[u8], error: &SbomError) {
    let lines = data.iter().filter(|&&byte| byte == b'\n').count() + 1;
    match error {
        SbomError::TooLarge { name, size, limit } => {
            assert_eq!(name, NAME);
            assert_eq!(Ok(*size), u64::try_from(data.len()));
            assert!(size > limit, "{error}");
        }
        SbomError::NotJson { name, line, .. } | SbomError::Malformed { name, line, .. } => {
            assert_eq!(name, NAME);
            assert!(
                (1..=lines).contains(line),
                "line {line} of a {lines}-line document: {error}"
            );
        }
        SbomError::UnknownFormat { name, .. }
        | SbomError::UnsupportedVersion { name, .. }
        | SbomError::TooManyComponents { name, .. } => assert_eq!(name, NAME),
        other => panic!("an error of a kind this target does not know: {other:?}"),
    }
    assert!(!error.to_string().trim().is_empty());
}
