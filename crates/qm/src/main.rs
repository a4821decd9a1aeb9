//! The `qm` binary: argument parsing and wiring only.
fn main() {}
