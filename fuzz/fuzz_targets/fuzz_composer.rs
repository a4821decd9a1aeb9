//! Composer versions: the laws of `qm_fuzz::check_scheme`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_version::{ComposerVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    qm_fuzz::check_scheme(Scheme::Composer, ComposerVersion::parse, data);
});
