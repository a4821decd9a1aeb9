//! RubyGems versions: the laws of `qm_fuzz::check_scheme`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_version::{RubyGemsVersion, Scheme};

fuzz_target!(|data: &[u8]| {
    qm_fuzz::check_scheme(Scheme::RubyGems, RubyGemsVersion::parse, data);
});
