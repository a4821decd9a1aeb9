//! Test-only helpers that find and read the real-world test data kept beside the repository in
//! `../shared/data` (advisories, upstream version vectors, package-database fixtures).
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
use std::path::PathBuf;

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
