//! `qm db update`: read every configured source, link duplicates, compile, and replace the
//! installed database atomically.
//!
//! The previous database stays in place and usable until the new one is complete: the new file
//! is written beside it under a temporary name, synced to disk, and renamed over it in one
//! step. Any failure before the rename (a source that cannot be read or downloaded, a full
//! disk, an interrupted process) leaves the old file untouched. An update that reads no
//! advisory at all is refused rather than installing an empty database.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use qm_model::Timestamp;

use crate::{
    DbError, DbMetadata, FetchError, FetchOptions, Fetcher, IngestError, IngestReport, LinkReport,
    Progress, Source, SourceInfo, ingest_path, link_advisories, write_db,
};

/// What `update` needs to know.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// The sources to read, in order.
    pub sources: Vec<Source>,
    /// Where the compiled database is installed.
    pub db_path: PathBuf,
    /// Where downloads are cached between updates (conditional requests use it).
    pub download_dir: PathBuf,
    /// Download settings, including `offline`.
    pub fetch: FetchOptions,
}

/// Progress of an update, for the binary to render.
#[derive(Debug, Clone)]
pub enum UpdateEvent<'a> {
    /// Starting to read a source.
    Reading(&'a Source),
    /// Bytes of a download.
    Download(Progress<'a>),
    /// A source has been read.
    Read {
        /// The source.
        source: &'a Source,
        /// Advisories it gave.
        advisories: usize,
    },
    /// Compiling the database.
    Compiling {
        /// Advisories going in.
        advisories: usize,
    },
}

/// What an update did.
#[derive(Debug, Clone)]
pub struct UpdateOutcome {
    /// The installed database.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its metadata.
    pub metadata: DbMetadata,
    /// What ingestion read and skipped.
    pub report: IngestReport,
    /// Duplicates and distinct vulnerabilities.
    pub link: LinkReport,
    /// Sources served from the download cache because the server said "not modified" or
    /// because the update was offline.
    pub cached_sources: Vec<String>,
}

/// Why an update failed; in every case the installed database is unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// No sources configured.
    #[error("no advisory sources are configured")]
    NoSources,
    /// A source could not be downloaded.
    #[error("cannot download `{source_name}`")]
    Fetch {
        /// The source.
        source_name: String,
        /// Why.
        #[source]
        source: FetchError,
    },
    /// A local source could not be read.
    #[error("cannot read `{source_name}`")]
    Ingest {
        /// The source.
        source_name: String,
        /// Why.
        #[source]
        source: IngestError,
    },
    /// Nothing was read.
    #[error("no advisories were read from {sources} source(s); the previous database is kept")]
    Empty {
        /// How many sources were read.
        sources: usize,
    },
    /// Writing the database failed.
    #[error("cannot write the database at `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Encoding the database failed.
    #[error("cannot compile the database")]
    Compile(#[source] DbError),
}

/// Reads every source and installs a freshly compiled database at `options.db_path`.
pub fn update(
    options: &UpdateOptions,
    on_event: &mut dyn FnMut(UpdateEvent<'_>),
) -> Result<UpdateOutcome, UpdateError> {
    if options.sources.is_empty() {
        return Err(UpdateError::NoSources);
    }
    let fetcher = Fetcher::new(options.fetch.clone()).map_err(|error| UpdateError::Fetch {
        source_name: "the HTTP client".to_owned(),
        source: error,
    })?;
    let mut advisories = Vec::new();
    let mut report = IngestReport::default();
    let mut cached_sources = Vec::new();
    // Per feed source: (configured location, record count, newest modification).
    let mut sources: BTreeMap<String, (String, u64, Option<Timestamp>)> = BTreeMap::new();
    for source in &options.sources {
        on_event(UpdateEvent::Reading(source));
        let name = source.to_string();
        let path = match source {
            Source::Dir(path) | Source::File(path) => path.clone(),
            Source::Url(url) => {
                let fetched = fetcher
                    .fetch(url, &options.download_dir, &mut |progress| {
                        on_event(UpdateEvent::Download(progress));
                    })
                    .map_err(|error| UpdateError::Fetch {
                        source_name: name.clone(),
                        source: error,
                    })?;
                if fetched.not_modified {
                    cached_sources.push(name.clone());
                }
                fetched.path
            }
        };
        let ingested = ingest_path(&path).map_err(|error| UpdateError::Ingest {
            source_name: name.clone(),
            source: error,
        })?;
        on_event(UpdateEvent::Read {
            source,
            advisories: ingested.advisories.len(),
        });
        for advisory in &ingested.advisories {
            let entry = sources
                .entry(advisory.source.clone())
                .or_insert_with(|| (name.clone(), 0, None));
            entry.1 += 1;
            // Some feeds leave `modified` as a placeholder (`0001-01-01`): take the later of both.
            entry.2 = entry.2.max(advisory.modified).max(advisory.published);
        }
        merge_reports(&mut report, ingested.report);
        advisories.extend(ingested.advisories);
    }
    if advisories.is_empty() {
        return Err(UpdateError::Empty {
            sources: options.sources.len(),
        });
    }
    let link = link_advisories(&mut advisories);
    on_event(UpdateEvent::Compiling {
        advisories: advisories.len(),
    });
    let metadata = DbMetadata {
        built: Timestamp::now(),
        sources: sources
            .into_iter()
            .map(|(name, (location, records, newest))| SourceInfo {
                name,
                location,
                records,
                newest,
            })
            .collect(),
    };
    let size = install(&options.db_path, |file| {
        write_db(&advisories, &metadata, file)
    })?;
    Ok(UpdateOutcome {
        path: options.db_path.clone(),
        size,
        metadata,
        report,
        link,
        cached_sources,
    })
}

fn merge_reports(into: &mut IngestReport, from: IngestReport) {
    for (source, count) in from.sources {
        let entry = into.sources.entry(source).or_default();
        entry.records += count.records;
        entry.skipped += count.skipped;
    }
    into.problem_count += from.problem_count;
    into.unrecognised_files += from.unrecognised_files;
    let room = 20usize.saturating_sub(into.problems.len());
    into.problems.extend(from.problems.into_iter().take(room));
}

/// Writes a file through `write` under a temporary name beside `path`, syncs it, renames it
/// over `path` and syncs the directory; returns the size written.
fn install(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<(), DbError>,
) -> Result<u64, UpdateError> {
    let io_error = |source| UpdateError::Write {
        path: path.to_owned(),
        source,
    };
    let directory = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(directory).map_err(io_error)?;
    let temporary = tempfile::Builder::new()
        .prefix(".qm.db.")
        .tempfile_in(directory)
        .map_err(io_error)?;
    {
        let mut writer = std::io::BufWriter::new(temporary.as_file());
        write(&mut writer).map_err(UpdateError::Compile)?;
        writer.flush().map_err(io_error)?;
    }
    temporary.as_file().sync_all().map_err(io_error)?;
    let size = temporary.as_file().metadata().map_err(io_error)?.len();
    temporary
        .persist(path)
        .map_err(|error| io_error(error.error))?;
    // The rename is durable only once the directory entry is on disk too.
    if let Ok(directory) = fs_err::File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(size)
}
