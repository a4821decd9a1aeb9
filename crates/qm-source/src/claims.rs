//! What a reader of a target keeps: the paths it claims, and optionally a reduction of a claimed
//! file's bytes to the little it needs.
//!
//! Most catalogers want a file whole (a dpkg status database, a lockfile). Some want a few
//! hundred bytes out of a large file: the build information a Go binary embeds, the dependency
//! list cargo-auditable stores, the `pom.properties` inside a 100 MB war. For those a claim can
//! *reduce*: the file is read (one at a time, up to [`ReadOptions::max_file_size`](crate::ReadOptions::max_file_size)),
//! handed to [`Claims::reduce`], and only what that returns is kept and counted against
//! [`ReadOptions::max_total_kept`](crate::ReadOptions::max_total_kept). So an image full of
//! binaries costs the memory of its largest binary once, not the sum of them.

/// Which files a read keeps, and what of them.
///
/// Any `Fn(&str) -> bool` is a `Claims` that keeps claimed files whole.
pub trait Claims {
    /// Whether the regular file (or link) at the normalised `path` is wanted.
    fn wants(&self, path: &str) -> bool;

    /// Whether the claimed file at `path` is reduced by [`Claims::reduce`] before it is kept.
    fn reduces(&self, path: &str) -> bool {
        let _ = path;
        false
    }

    /// Whether the versions of the claimed file at `path` that lower layers wrote are kept too
    /// ([`FileView::history`](crate::FileView::history)), so a caller can tell which layer
    /// introduced each entry of a database that every layer rewrites (a dpkg status file).
    /// Kept versions count against the memory limits like any kept file.
    fn keeps_history(&self, path: &str) -> bool {
        let _ = path;
        false
    }

    /// Reduces a claimed file's contents to what is worth keeping; `None` drops the file
    /// silently (it was not what the claim hoped for, such as a binary without build info).
    /// Called only when [`Claims::reduces`] says so. Must not panic on any input.
    fn reduce(&self, path: &str, bytes: Vec<u8>) -> Option<Vec<u8>> {
        let _ = path;
        Some(bytes)
    }
}

impl<F: Fn(&str) -> bool> Claims for F {
    fn wants(&self, path: &str) -> bool {
        self(path)
    }
}
