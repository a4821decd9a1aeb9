//! Java archives (`qm_catalog::parse_java_archive`, `qm_catalog::reduce_java_archive`): the
//! input is one file at `usr/share/java/app-1.0.jar`, a zip (jar, war, nested archives) or the
//! reduced form the source layer keeps. Asserted:
//! - the laws of `qm_fuzz::catalog::check_cataloger` (no panic, same answer twice, errors name
//!   the file, every package named and versioned, found by `java-archive`,
//!   `java-archive-manifest` or `java-archive-file-name`, Maven, located in the archive or
//!   inside it, with a `maven` purl that reads and prints back);
//! - reduction always keeps something, and reducing a reduced form gives it back unchanged;
//! - the reduced form reads as the archive does: the same packages, or an error for both.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_catalog::reduce_java_archive;
use qm_fuzz::catalog::{Format, check_cataloger, java_archive, same_outcome, summary};

static FORMAT: LazyLock<Format> = LazyLock::new(java_archive);

fuzz_target!(|data: &[u8]| {
    let format = &*FORMAT;
    let raw = check_cataloger(format, data);
    let Some(reduced) = reduce_java_archive(format.path, data.to_vec()) else {
        panic!("java archive: reduction kept nothing");
    };
    assert_eq!(
        reduce_java_archive(format.path, reduced.clone()).as_ref(),
        Some(&reduced),
        "java archive: reducing the reduced form changes it"
    );
    let from_reduced = check_cataloger(format, &reduced);
    assert!(
        same_outcome(&raw, &from_reduced),
        "java archive: the archive gives {}, its reduced form {}",
        summary(&raw),
        summary(&from_reduced)
    );
});
