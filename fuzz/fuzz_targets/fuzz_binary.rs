//! Executables (`qm_catalog::parse_binary`, `qm_catalog::reduce_binary`): the input is one
//! file at `usr/local/bin/app`, an ELF, PE or Mach-O executable (with Go build information or a
//! `cargo auditable` section) or the reduced form the source layer keeps. Asserted:
//! - the laws of `qm_fuzz::catalog::check_cataloger` (no panic, same answer twice, errors name
//!   the file, every package named and versioned, found by `go-binary` (Go, `golang` purl) or
//!   `cargo-auditable` (crates.io, `cargo` purl), located in the file, purls that read, and
//!   print as purls that read the same: this cataloger writes its purls itself, keeping the
//!   module path's case and encoding more than `packageurl` does);
//! - what reduction drops names no packages: when `reduce_binary` keeps nothing, the file
//!   (unless it is itself a reduced form) reads as no packages;
//! - what it keeps reads as the file does: the same packages, or an error for both; and a
//!   reduced form is not reduced again.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_catalog::reduce_binary;
use qm_fuzz::catalog::{Format, binary, check_cataloger, same_outcome, summary};

static FORMAT: LazyLock<Format> = LazyLock::new(binary);

/// How a reduced form starts (`REDUCED_MAGIC` in crates/qm-catalog/src/binary.rs).
const REDUCED_MAGIC: &[u8] = b"\0qm-bin\x01";

fuzz_target!(|data: &[u8]| {
    let format = &*FORMAT;
    let raw = check_cataloger(format, data);
    match reduce_binary(format.path, data.to_vec()) {
        Some(reduced) => {
            let from_reduced = check_cataloger(format, &reduced);
            assert!(
                same_outcome(&raw, &from_reduced),
                "binary: the file gives {}, its reduced form {}",
                summary(&raw),
                summary(&from_reduced)
            );
            assert_eq!(
                reduce_binary(format.path, reduced),
                None,
                "binary: a reduced form is reduced again"
            );
        }
        None if data.starts_with(REDUCED_MAGIC) => {}
        None => assert!(
            matches!(&raw, Ok(packages) if packages.is_empty()),
            "binary: reduction keeps nothing, yet the file gives {}",
            summary(&raw)
        ),
    }
});
