//! Test-only helpers that find and read the real-world test data kept beside the repository in
//! `../shared/data` (advisories, upstream version vectors, package-database fixtures).
//!
//! It also builds small vulnerability databases from subsets of the advisories
//! ([`copy_data_subset`], [`build_database`], kept for a test process in [`process_dir`]) for
//! the tests that run the `qm` binary.
//!
//! The data is never copied into the repository: tests read it where it is. Set
//! `QM_SHARED_DATA` to point elsewhere. A missing data directory is a loud test failure, never a
//! silent skip, because a test that skips proves nothing.
//!
//! ```no_run
//! let cases = qm_testdata::version_cases("dpkg-Dpkg_Version.tsv");
//! assert!(!cases.is_empty());
//! ```

#![warn(missing_docs)]
#![expect(clippy::panic, reason = "test helpers fail loudly on missing data")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The shared data directory: `$QM_SHARED_DATA`, else `../shared/data` next to the checkout.
///
/// # Panics
/// When the directory does not exist; tests must not pass without their data.
pub fn data_dir() -> PathBuf {
    let dir = match std::env::var_os("QM_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if !dir.is_dir() {
        panic!(
            "the shared test data is missing at `{}`; set QM_SHARED_DATA to its location",
            dir.display()
        );
    }
    dir
}

/// A path inside the shared data directory.
pub fn data_path(relative: &str) -> PathBuf {
    data_dir().join(relative)
}

/// Reads a file from the shared data directory as text.
pub fn read_text(relative: &str) -> String {
    let path = data_path(relative);
    fs_err::read_to_string(&path).unwrap_or_else(|error| panic!("{error}"))
}

/// Reads a file from the shared data directory as bytes (binary fixtures: rpm databases).
pub fn read_bytes(relative: &str) -> Vec<u8> {
    let path = data_path(relative);
    fs_err::read(&path).unwrap_or_else(|error| panic!("{error}"))
}

/// Copies the files directly inside `relative` (a folder of the shared data; subfolders are not
/// entered) that `keep` accepts, given the file name and its bytes, into `destination`, which is
/// created. Returns the names copied, sorted. Tests build small vulnerability databases from such
/// subsets: a whole feed takes seconds to compile in a debug build, a few records take
/// milliseconds.
///
/// # Panics
/// On any I/O error, and when nothing was selected: a subset that selects nothing proves nothing.
pub fn copy_data_subset(
    relative: &str,
    destination: &Path,
    keep: impl Fn(&str, &[u8]) -> bool,
) -> Vec<String> {
    let source = data_path(relative);
    fs_err::create_dir_all(destination).unwrap_or_else(|error| panic!("{error}"));
    let mut copied = Vec::new();
    for entry in fs_err::read_dir(&source).unwrap_or_else(|error| panic!("{error}")) {
        let entry = entry.unwrap_or_else(|error| panic!("{error}"));
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let bytes = fs_err::read(&path).unwrap_or_else(|error| panic!("{error}"));
        if keep(&name, &bytes) {
            fs_err::write(destination.join(&name), &bytes)
                .unwrap_or_else(|error| panic!("{error}"));
            copied.push(name);
        }
    }
    if copied.is_empty() {
        panic!("no file of `{}` was selected", source.display());
    }
    copied.sort();
    copied
}

/// A directory a test process keeps for its whole run, such as the cache of a database built
/// once and shared by its tests through a `static` (statics are never dropped, so a
/// `TempDir` there would never be removed either): `<parent>/<prefix><pid>-<nanoseconds>`,
/// created. Directories with the same prefix that earlier runs left and nobody touched for an
/// hour are removed first, so repeated runs do not pile up. Pass cargo's per-package
/// temporary directory (`env!("CARGO_TARGET_TMPDIR")`) as `parent`.
///
/// # Panics
/// When the directory cannot be created.
pub fn process_dir(parent: &Path, prefix: &str) -> PathBuf {
    const STALE: std::time::Duration = std::time::Duration::from_secs(60 * 60);
    if let Ok(entries) = fs_err::read_dir(parent) {
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > STALE));
            if stale && entry.file_name().to_string_lossy().starts_with(prefix) {
                let _ = fs_err::remove_dir_all(entry.path());
            }
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    let dir = parent.join(format!("{prefix}{}-{nanos}", std::process::id()));
    fs_err::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    dir
}

/// Builds a vulnerability database in the cache directory `cache` by running
/// `<qm> db update` with `QM_DB_SOURCES=<sources>` (for example `dir:/tmp/subset`) and nothing
/// else from the environment, the way a user on an offline machine would.
///
/// Pass the binary from the test (`env!("CARGO_BIN_EXE_qm")`): this crate cannot know where
/// cargo put it.
///
/// # Panics
/// When the update cannot run or fails; the message carries its stderr.
pub fn build_database(qm: &Path, cache: &Path, sources: &str) {
    let output = std::process::Command::new(qm)
        .env_clear()
        .env("HOME", cache)
        .env("QM_CACHE_DIR", cache)
        .env("QM_DB_SOURCES", sources)
        .args(["db", "update", "--offline", "-q"])
        .current_dir(cache)
        .output()
        .unwrap_or_else(|error| panic!("cannot run `{}`: {error}", qm.display()));
    if !output.status.success() {
        panic!(
            "`qm db update` from `{sources}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// One row of a version-vector TSV file.
#[derive(Debug, Clone)]
pub struct VersionCase {
    /// The file the row comes from (its name inside `vectors/versions`).
    pub file: String,
    /// 1-based line number in that file.
    pub line: usize,
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// Third column: for comparison files the expected sign, -1, 0 or 1.
    pub expected: String,
    /// Any further columns (flags, options), possibly empty.
    pub extra: Vec<String>,
}

impl VersionCase {
    /// The expected ordering of a comparison row.
    ///
    /// # Panics
    /// When the third column is not -1, 0 or 1.
    pub fn expected_ordering(&self) -> std::cmp::Ordering {
        match self.expected.trim() {
            "-1" => std::cmp::Ordering::Less,
            "0" => std::cmp::Ordering::Equal,
            "1" => std::cmp::Ordering::Greater,
            other => panic!("{}:{}: bad expected value `{other}`", self.file, self.line),
        }
    }
}

/// Reads `vectors/versions/<file>`: TAB-separated rows after `#` comments and one header row
/// (`a b expected …`). Fields keep their spaces exactly; the escape `\t` is decoded.
pub fn version_cases(file: &str) -> Vec<VersionCase> {
    let text = read_text(&format!("vectors/versions/{file}"));
    let mut cases = Vec::new();
    let mut header_seen = false;
    for (index, raw) in text.lines().enumerate() {
        if raw.starts_with('#') || raw.is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let mut fields = raw.split('\t').map(|field| field.replace("\\t", "\t"));
        let mut next = || fields.next().unwrap_or_default();
        let (a, b, expected) = (next(), next(), next());
        cases.push(VersionCase {
            file: file.to_owned(),
            line: index + 1,
            a,
            b,
            expected,
            extra: fields.collect(),
        });
    }
    assert!(!cases.is_empty(), "{file} holds no cases");
    cases
}

/// Collects mismatches and fails once with all of them listed, so one run shows every problem.
#[derive(Debug, Default)]
pub struct Mismatches {
    checked: usize,
    report: String,
    count: usize,
}

impl Mismatches {
    /// Starts an empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that one case was checked, and whether it failed.
    pub fn check(&mut self, case: &VersionCase, ok: bool, got: impl std::fmt::Display) {
        self.checked += 1;
        if !ok {
            self.count += 1;
            let _ = writeln!(
                self.report,
                "{}:{}: a=`{}` b=`{}` expected {} got {}",
                case.file, case.line, case.a, case.b, case.expected, got
            );
        }
    }

    /// Records a free-form failure.
    pub fn fail(&mut self, message: impl std::fmt::Display) {
        self.checked += 1;
        self.count += 1;
        let _ = writeln!(self.report, "{message}");
    }

    /// Records a success that was not a [`VersionCase`].
    pub fn pass(&mut self) {
        self.checked += 1;
    }

    /// How many cases were checked.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Panics with every mismatch when there was any.
    pub fn assert_none(self, what: &str) {
        if self.count > 0 {
            panic!(
                "{what}: {} of {} cases mismatch:\n{}",
                self.count, self.checked, self.report
            );
        }
    }
}

/// Renders an ordering as the sign the vector files use.
pub fn sign(ordering: std::cmp::Ordering) -> i8 {
    ordering as i8
}
