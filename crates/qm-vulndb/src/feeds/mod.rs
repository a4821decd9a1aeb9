//! One module per feed format. Each exposes `parse(file, bytes, sink)`: it reads one file (or
//! archive member), pushes every advisory it holds into the sink and reports every record it
//! has to skip. None of them panics on any input.

pub(crate) mod alpine;
pub(crate) mod debian;
pub(crate) mod friendsofphp;
pub(crate) mod nodejs;
pub(crate) mod osv;
pub(crate) mod rubysec;
pub(crate) mod rustsec;
