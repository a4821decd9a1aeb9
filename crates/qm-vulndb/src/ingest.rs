//! Collecting advisories from feed parsers, with counts and problems per source.

use std::collections::BTreeMap;
use std::fmt;

use qm_model::Advisory;

/// How many problems are kept with their file and reason; the rest are only counted.
const KEPT_PROBLEMS: usize = 20;

/// A record or file that could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (and, inside archives, the member) it came from.
    pub file: String,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)
    }
}

/// Records ingested and skipped for one source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCount {
    /// Advisories ingested.
    pub records: u64,
    /// Records or files skipped as malformed.
    pub skipped: u64,
}

/// What an ingest run read, per source, and the first problems it met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Counts per source (`osv`, `rustsec`, `debian-tracker`, …).
    pub sources: BTreeMap<String, SourceCount>,
    /// The first problems met, with file and reason.
    pub problems: Vec<Problem>,
    /// All problems met, including those not kept.
    pub problem_count: u64,
    /// Files that are not in any feed format (READMEs, licences), not read further.
    pub unrecognised_files: u64,
}

/// Where feed parsers put what they read: advisories, and the records they had to skip.
///
/// A malformed record is skipped and reported; it never aborts the ingest.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) advisories: Vec<Advisory>,
    pub(crate) report: IngestReport,
}

impl Sink {
    /// Records a file or directory that could not be read at all.
    pub(crate) fn unreadable(&mut self, file: &str, error: &std::io::Error) {
        self.skip("unknown", file, format!("cannot be read: {error}"));
    }

    /// Adds one advisory, counted under its `source`.
    pub(crate) fn push(&mut self, advisory: Advisory) {
        self.report
            .sources
            .entry(advisory.source.clone())
            .or_default()
            .records += 1;
        self.advisories.push(advisory);
    }

    /// Records that a record of `source` in `file` was skipped because of `reason`.
    pub(crate) fn skip(&mut self, source: &str, file: &str, reason: impl Into<String>) {
        self.report
            .sources
            .entry(source.to_owned())
            .or_default()
            .skipped += 1;
        self.report.problem_count += 1;
        if self.report.problems.len() < KEPT_PROBLEMS {
            self.report.problems.push(Problem {
                file: file.to_owned(),
                reason: reason.into(),
            });
        }
    }
}

/// A file larger than this is not read: no real feed file comes close (the Debian tracker
/// export is about 70 MB), and reading it would spend memory on something hostile.
pub(crate) const MAX_FEED_FILE: u64 = 512 * 1024 * 1024;

/// A ZIP archive with more members than this is refused (osv.dev's largest export holds
/// about 200 000 records).
pub(crate) const MAX_ZIP_MEMBERS: usize = 2_000_000;

/// Advisories read from a mirror, with the report of what was read.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Every advisory read, in the order read.
    pub advisories: Vec<Advisory>,
    /// Counts and problems.
    pub report: IngestReport,
}

/// Why an ingest could not even start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The mirror path cannot be read.
    #[error("cannot read the advisory mirror at `{path}`")]
    Unreadable {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Reads every feed file under `path` (a directory, walked recursively in name order, or one
/// file; ZIP archives are read member by member), recognising formats by content.
pub fn ingest_path(path: &std::path::Path) -> Result<Ingested, IngestError> {
    let metadata = fs_err::metadata(path).map_err(|source| IngestError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let mut sink = Sink::default();
    if metadata.is_dir() {
        let mut stack = vec![path.to_owned()];
        while let Some(dir) = stack.pop() {
            let mut entries = match fs_err::read_dir(&dir) {
                Ok(entries) => entries.filter_map(Result::ok).collect::<Vec<_>>(),
                Err(error) => {
                    sink.unreadable(&dir.display().to_string(), &error);
                    continue;
                }
            };
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.file_name()));
            for entry in entries {
                let name = entry.file_name();
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                let entry_path = entry.path();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => stack.push(entry_path),
                    Ok(kind) if kind.is_file() => read_file(&entry_path, &mut sink),
                    // Symbolic links and special files are not followed: a mirror is plain files.
                    _ => {}
                }
            }
        }
    } else {
        read_file(path, &mut sink);
    }
    Ok(Ingested {
        advisories: sink.advisories,
        report: sink.report,
    })
}

fn read_file(path: &std::path::Path, sink: &mut Sink) {
    use std::io::Read as _;
    let label = path.display().to_string();
    let bytes = fs_err::File::open(path).and_then(|file| {
        let mut bytes = Vec::new();
        file.take(MAX_FEED_FILE + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    match bytes {
        Ok(bytes) if bytes.len() as u64 > MAX_FEED_FILE => {
            sink.skip(
                "unknown",
                &label,
                format!("larger than {MAX_FEED_FILE} bytes, not read"),
            );
        }
        Ok(bytes) => ingest_into(&label, &bytes, sink),
        Err(error) => sink.unreadable(&label, &error),
    }
}

/// Reads one file's bytes (any feed format, or a ZIP of them), recognising the format by
/// content; `label` names the file in problems.
pub fn ingest_bytes(label: &str, bytes: &[u8]) -> Ingested {
    let mut sink = Sink::default();
    ingest_into(label, bytes, &mut sink);
    Ingested {
        advisories: sink.advisories,
        report: sink.report,
    }
}

/// Ingests one file's bytes, whatever its format, into `sink`.
pub(crate) fn ingest_into(label: &str, bytes: &[u8], sink: &mut Sink) {
    ingest_at_depth(label, bytes, sink, 0);
}

/// `depth` counts enclosing archives: an archive inside an archive is refused, so a ZIP that
/// contains itself (a ZIP quine) cannot recurse without end.
fn ingest_at_depth(label: &str, bytes: &[u8], sink: &mut Sink, depth: usize) {
    use crate::detect::{Format, detect};
    use crate::feeds;
    match detect(bytes) {
        None => sink.report.unrecognised_files += 1,
        Some(Format::Zip) if depth > 0 => {
            sink.skip("unknown", label, "an archive inside an archive is not read");
        }
        Some(Format::Zip) => read_zip(label, bytes, sink, depth),
        Some(Format::Osv) => feeds::osv::parse(label, bytes, sink),
        Some(Format::RustSec) => feeds::rustsec::parse(label, bytes, sink),
        Some(Format::DebianTracker | Format::DebianList) => {
            feeds::debian::parse(label, bytes, sink);
        }
        Some(Format::AlpineSecdb) => feeds::alpine::parse(label, bytes, sink),
        Some(Format::RubySec) => feeds::rubysec::parse(label, bytes, sink),
        Some(Format::FriendsOfPhp) => feeds::friendsofphp::parse(label, bytes, sink),
        Some(Format::NodeJs) => feeds::nodejs::parse(label, bytes, sink),
    }
}

fn read_zip(label: &str, bytes: &[u8], sink: &mut Sink, depth: usize) {
    use std::io::Read as _;
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(error) => {
            sink.skip(
                "unknown",
                label,
                format!("not a readable ZIP archive: {error}"),
            );
            return;
        }
    };
    if archive.len() > MAX_ZIP_MEMBERS {
        sink.skip(
            "unknown",
            label,
            format!("more than {MAX_ZIP_MEMBERS} members"),
        );
        return;
    }
    for index in 0..archive.len() {
        let mut member = match archive.by_index(index) {
            Ok(member) => member,
            Err(error) => {
                sink.skip("unknown", label, format!("member {index}: {error}"));
                continue;
            }
        };
        if !member.is_file() {
            continue;
        }
        let member_label = match member.name() {
            Ok(name) => format!("{label}!{name}"),
            Err(_) => format!("{label}!#{index}"),
        };
        let mut content = Vec::new();
        // Read at most the limit plus one byte: a member whose header lies about its size
        // (a ZIP bomb) is caught here, not by trusting the header.
        match (&mut member)
            .take(MAX_FEED_FILE + 1)
            .read_to_end(&mut content)
        {
            Ok(_) if content.len() as u64 > MAX_FEED_FILE => {
                sink.skip(
                    "unknown",
                    &member_label,
                    "member larger than the feed file limit",
                );
            }
            Ok(_) => ingest_at_depth(&member_label, &content, sink, depth + 1),
            Err(error) => sink.unreadable(&member_label, &error),
        }
    }
}
