//! Downloads feed files over HTTP(S) into a local cache for `qm db update`.
//!
//! [`Fetcher::fetch`] stores each URL's body at a stable path in the cache directory
//! (`<first 16 hex digits of sha256(url)>-<last two path segments>`, e.g.
//! `3f…a1-PyPI-all.zip`) with a sidecar `<name>.fetch.json` holding the URL, `ETag`,
//! `Last-Modified`, the time it was fetched or revalidated, the size and the sha256. When both
//! are present and agree, the next fetch sends `If-None-Match` / `If-Modified-Since` and a `304`
//! returns the cached file without downloading it again.
//!
//! A download streams into a uniquely named temporary file in the same directory, is fsynced,
//! and only then renamed over the cached copy, so a cut connection, a stall, a body shorter than
//! its `Content-Length` or one over [`FetchOptions::max_bytes`] leaves the previous copy as it
//! was. Connection errors, timeouts, `5xx` and `429` are retried with exponential backoff and
//! jitter (`Retry-After` is honoured up to [`FetchOptions::max_retry_delay`]); other statuses
//! are final. In offline mode no client is even built: the cached copy is returned or
//! [`FetchError::Offline`] tells the user what to do instead.
//!
//! Surprises:
//! - A body *longer* than its `Content-Length` cannot be seen: HTTP/1.1 framing ends the message
//!   at the declared length, so exactly the declared bytes are stored.
//! - [`FetchOptions::read_timeout`] bounds the wait for the response headers and for every chunk
//!   of the body, so the total timeout is checked between chunks and may be overshot by at most
//!   one read timeout.
//! - The sidecar is removed before the new body is renamed into place and rewritten after it, so
//!   a crash in between loses the cache entry (the next update downloads again) but never pairs a
//!   body with another body's validators.
//! - Leftover `.…part` files of a killed process are not swept; they are ignored.
//! - The library never prints: progress goes to the caller's callback.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{
    ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Size of one read from the response body, and so the granularity of progress callbacks.
const CHUNK_SIZE: usize = 64 * 1024;
/// Longest readable suffix kept in a cache file name (the end of the URL path, so the
/// extension survives).
const MAX_SUFFIX_LEN: usize = 60;
/// Hex digits of the URL's sha256 that start a cache file name; the sidecar stores the full URL
/// so a collision is detected rather than served.
const URL_HASH_HEX_DIGITS: usize = 16;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How [`Fetcher`] downloads: timeouts, retries, limits and whether the network may be used.
///
/// Construct with `FetchOptions { offline: true, ..FetchOptions::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Longest wait to establish a TCP (and TLS) connection. Default 30 s.
    pub connect_timeout: Duration,
    /// Idle timeout: the longest wait for the response headers or for the next chunk of the body
    /// before the attempt counts as stalled. Default 60 s.
    pub read_timeout: Duration,
    /// Longest time one [`Fetcher::fetch`] may take, retries and waits included. Default 30 min.
    pub total_timeout: Duration,
    /// Retries after the first attempt (so `retries + 1` attempts at most). Default 4.
    pub retries: u32,
    /// Delay before the first retry; it doubles on each further retry, capped by
    /// [`max_retry_delay`](Self::max_retry_delay), and a random half of it is jitter.
    /// Default 1 s.
    pub backoff_base: Duration,
    /// Cap on one wait between attempts, including a server's `Retry-After`. Default 60 s.
    pub max_retry_delay: Duration,
    /// Largest body accepted for one download, in bytes. Default 2 GiB.
    pub max_bytes: u64,
    /// `User-Agent` header sent with every request. Default `quartermaster/<version>`.
    pub user_agent: String,
    /// Never open a connection: serve the cached copy or fail with [`FetchError::Offline`].
    /// Default `false`.
    pub offline: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(30 * 60),
            retries: 4,
            backoff_base: Duration::from_secs(1),
            max_retry_delay: Duration::from_secs(60),
            max_bytes: 2 * 1024 * 1024 * 1024,
            user_agent: concat!("quartermaster/", env!("CARGO_PKG_VERSION")).to_owned(),
            offline: false,
        }
    }
}

/// One progress report of a download, for the caller to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// The URL being downloaded.
    pub url: &'a str,
    /// Bytes of the body received so far in this attempt (a retry starts again at 0).
    pub downloaded: u64,
    /// Body size announced by `Content-Length`, when the server sent one.
    pub total: Option<u64>,
    /// Which attempt this is, from 1.
    pub attempt: u32,
}

/// A cached file ready to read, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fetched {
    /// The cached body.
    pub path: PathBuf,
    /// The server answered `304 Not Modified` and the cached copy was kept.
    pub not_modified: bool,
    /// Offline mode served the cached copy without asking the server whether it is current.
    pub offline: bool,
    /// Body size in bytes.
    pub size: u64,
    /// Lowercase hex sha256 of the body.
    pub sha256: String,
    /// The server's `ETag` for this body, if it sent one.
    pub etag: Option<String>,
    /// The server's `Last-Modified` for this body, if it sent one.
    pub last_modified: Option<String>,
    /// When the body was last downloaded or confirmed current by the server.
    pub fetched_at: SystemTime,
    /// HTTP requests made by this call (0 when offline).
    pub attempts: u32,
}

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not `http://` or `https://`.
    #[error(
        "cannot download `{url}`: only `http://` and `https://` URLs are supported (use `dir:PATH` or `file:PATH` for a local mirror)"
    )]
    UnsupportedScheme {
        /// The URL as given.
        url: String,
    },
    /// The URL does not parse.
    #[error("`{url}` is not a valid URL")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// The parser's complaint.
        #[source]
        source: BoxError,
    },
    /// Offline mode and no cached copy.
    #[error(
        "`{url}` has no cached copy and offline mode forbids the network: drop `--offline`, update from a `dir:PATH` or `file:PATH` mirror, or import a signed bundle"
    )]
    Offline {
        /// The URL that was asked for.
        url: String,
    },
    /// The HTTP client could not be set up (TLS roots, runtime thread).
    #[error("cannot set up the HTTP client")]
    Client {
        /// What went wrong.
        #[source]
        source: BoxError,
    },
    /// The server answered a status that is not a success, or kept answering a retryable one.
    #[error("`{url}` answered HTTP {status} after {}", Attempts(*.attempts))]
    Status {
        /// The URL requested.
        url: String,
        /// The last status code.
        status: u16,
        /// Requests made.
        attempts: u32,
    },
    /// The server answered `304 Not Modified` to a request that was not conditional.
    #[error("`{url}` answered 304 Not Modified but there is no cached copy to reuse")]
    UnexpectedNotModified {
        /// The URL requested.
        url: String,
        /// Requests made.
        attempts: u32,
    },
    /// Connecting, sending or receiving failed (also a cut connection without `Content-Length`).
    #[error("downloading `{url}` failed after {}", Attempts(*.attempts))]
    Transport {
        /// The URL requested.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The transport error of the last attempt.
        #[source]
        source: BoxError,
    },
    /// Nothing arrived for [`FetchOptions::read_timeout`].
    #[error("`{url}` sent nothing for {idle:?} and was given up after {}", Attempts(*.attempts))]
    Stalled {
        /// The URL requested.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The idle timeout that expired.
        idle: Duration,
    },
    /// The body ended before its `Content-Length`.
    #[error(
        "`{url}` sent {received} of the {expected} bytes its Content-Length announced, after {}",
        Attempts(*.attempts)
    )]
    LengthMismatch {
        /// The URL requested.
        url: String,
        /// Requests made.
        attempts: u32,
        /// Bytes received in the last attempt.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// The body is larger than [`FetchOptions::max_bytes`]; not retried.
    #[error("`{url}` is larger than the download limit of {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in force.
        limit: u64,
        /// The size announced by `Content-Length`, when it gave the excess away up front.
        declared: Option<u64>,
    },
    /// [`FetchOptions::total_timeout`] ran out.
    #[error("downloading `{url}` took longer than {limit:?} ({})", Attempts(*.attempts))]
    TotalTimeout {
        /// The URL requested.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The total timeout in force.
        limit: Duration,
    },
    /// Reading or writing the cache directory failed.
    #[error("cannot update the download cache at `{}`", .path.display())]
    Cache {
        /// The file or directory involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Renders an attempt count with the right plural.
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 attempt"),
            n => write!(f, "{n} attempts"),
        }
    }
}

/// Downloads URLs into a cache directory; see the module documentation.
#[derive(Debug)]
pub struct Fetcher {
    options: FetchOptions,
    /// `None` in offline mode, so that no connection can be opened.
    client: Option<reqwest::blocking::Client>,
}

impl Fetcher {
    /// Builds a fetcher. In offline mode no HTTP client is created.
    ///
    /// # Errors
    ///
    /// [`FetchError::Client`] when the HTTP client cannot be built (for instance the TLS
    /// backend fails to initialise).
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let client = if options.offline {
            None
        } else {
            let client = reqwest::blocking::Client::builder()
                .user_agent(options.user_agent.clone())
                .connect_timeout(options.connect_timeout)
                .timeout(options.read_timeout)
                .build()
                .map_err(|error| FetchError::Client {
                    source: Box::new(error),
                })?;
            Some(client)
        };
        Ok(Self { options, client })
    }

    /// The options this fetcher was built with.
    #[must_use]
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Downloads `url` into `cache_dir` (created if missing) unless the cached copy is current,
    /// calling `progress` as the body arrives.
    ///
    /// # Errors
    ///
    /// Any [`FetchError`]; whatever the error, a previously cached copy is left untouched.
    pub fn fetch(
        &self,
        url: &str,
        cache_dir: &Path,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Fetched, FetchError> {
        let parsed = parse_url(url)?;
        let paths = CachePaths::new(cache_dir, &parsed);
        let cached = load_cached(&paths, parsed.as_str());

        let Some(client) = self.client.as_ref().filter(|_| !self.options.offline) else {
            return cached
                .map(|entry| entry.into_fetched(paths.body.clone(), false, true, 0))
                .ok_or_else(|| FetchError::Offline {
                    url: url.to_owned(),
                });
        };

        fs_err::create_dir_all(cache_dir).map_err(|source| FetchError::Cache {
            path: cache_dir.to_path_buf(),
            source,
        })?;

        let download = Download {
            options: &self.options,
            client,
            url,
            parsed: &parsed,
            paths: &paths,
            cached: cached.as_ref(),
            started: Instant::now(),
        };
        download.run(progress)
    }
}

/// Checks the URL and its scheme.
fn parse_url(url: &str) -> Result<reqwest::Url, FetchError> {
    // Checked on the text first: `dir:`/`file:` mirrors and bare paths all deserve the scheme
    // hint rather than a parser's complaint.
    let http = ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme))
    });
    if !http {
        return Err(FetchError::UnsupportedScheme {
            url: url.to_owned(),
        });
    }
    reqwest::Url::parse(url).map_err(|error| FetchError::InvalidUrl {
        url: url.to_owned(),
        source: Box::new(error),
    })
}

/// Where one URL lives in the cache directory.
#[derive(Debug)]
struct CachePaths {
    dir: PathBuf,
    /// File name of the body.
    name: String,
    body: PathBuf,
    meta: PathBuf,
}

impl CachePaths {
    fn new(dir: &Path, url: &reqwest::Url) -> Self {
        let name = cache_file_name(url);
        Self {
            dir: dir.to_path_buf(),
            body: dir.join(&name),
            meta: dir.join(format!("{name}.fetch.json")),
            name,
        }
    }

    /// A fresh temporary path beside the cached files (same file system, so rename is atomic).
    fn temporary(&self, what: &str) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let random = getrandom::u64().unwrap_or(0);
        self.dir.join(format!(
            ".{}.{what}.{}-{count}-{random:016x}.part",
            self.name,
            std::process::id()
        ))
    }
}

/// `<16 hex digits of sha256(url)>-<readable suffix>`: stable per URL, readable in `ls`.
fn cache_file_name(url: &reqwest::Url) -> String {
    let mut hash = hex::encode(Sha256::digest(url.as_str().as_bytes()));
    hash.truncate(URL_HASH_HEX_DIGITS);

    let segments: Vec<&str> = url
        .path_segments()
        .map(|segments| segments.filter(|segment| !segment.is_empty()).collect())
        .unwrap_or_default();
    let tail = segments
        .get(segments.len().saturating_sub(2)..)
        .unwrap_or(&[]);
    let readable = if tail.is_empty() {
        url.host_str().unwrap_or("download").to_owned()
    } else {
        tail.join("-")
    };
    let mut suffix: String = readable
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Every character is ASCII now, so byte offsets are character boundaries.
    if suffix.len() > MAX_SUFFIX_LEN {
        suffix = suffix.split_off(suffix.len() - MAX_SUFFIX_LEN);
    }
    format!("{hash}-{}", suffix.trim_start_matches('.'))
}

/// The sidecar JSON stored beside each cached body.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sidecar {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// RFC 3339.
    fetched_at: String,
    size: u64,
    sha256: String,
}

/// A cached body whose sidecar matches it.
#[derive(Debug, Clone)]
struct CacheEntry {
    sidecar: Sidecar,
    fetched_at: jiff::Timestamp,
}

impl CacheEntry {
    fn into_fetched(
        self,
        path: PathBuf,
        not_modified: bool,
        offline: bool,
        attempts: u32,
    ) -> Fetched {
        Fetched {
            path,
            not_modified,
            offline,
            size: self.sidecar.size,
            sha256: self.sidecar.sha256,
            etag: self.sidecar.etag,
            last_modified: self.sidecar.last_modified,
            fetched_at: SystemTime::try_from(self.fetched_at).unwrap_or(SystemTime::UNIX_EPOCH),
            attempts,
        }
    }
}

/// The cached entry for `url`, if its sidecar parses, names this URL and matches the body's
/// size. Anything else counts as no cache: the download starts over unconditionally.
fn load_cached(paths: &CachePaths, url: &str) -> Option<CacheEntry> {
    let bytes = fs_err::read(&paths.meta).ok()?;
    let sidecar: Sidecar = serde_json::from_slice(&bytes).ok()?;
    let fetched_at = sidecar.fetched_at.parse::<jiff::Timestamp>().ok()?;
    let size = fs_err::metadata(&paths.body).ok()?.len();
    (sidecar.url == url && sidecar.size == size).then_some(CacheEntry {
        sidecar,
        fetched_at,
    })
}

/// Writes the sidecar atomically (temporary file, fsync, rename).
fn write_sidecar(paths: &CachePaths, sidecar: &Sidecar) -> Result<(), FetchError> {
    let bytes = serde_json::to_vec_pretty(sidecar).map_err(|error| FetchError::Cache {
        path: paths.meta.clone(),
        source: std::io::Error::other(error),
    })?;
    let mut temporary = TemporaryFile::create(paths.temporary("meta"))?;
    temporary.write_all(&bytes)?;
    temporary.persist(&paths.meta)?;
    sync_dir(&paths.dir)
}

/// Flushes a directory entry change (rename, removal) to disk.
fn sync_dir(dir: &Path) -> Result<(), FetchError> {
    #[cfg(unix)]
    {
        fs_err::File::open(dir)
            .and_then(|handle| handle.sync_all())
            .map_err(|source| FetchError::Cache {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A temporary file removed on drop unless persisted.
struct TemporaryFile {
    path: PathBuf,
    file: Option<fs_err::File>,
}

impl TemporaryFile {
    fn create(path: PathBuf) -> Result<Self, FetchError> {
        let file = fs_err::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| FetchError::Cache {
                path: path.clone(),
                source,
            })?;
        Ok(Self {
            path,
            file: Some(file),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), FetchError> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        file.write_all(bytes).map_err(|source| FetchError::Cache {
            path: self.path.clone(),
            source,
        })
    }

    /// Fsyncs, closes and renames over `target`.
    fn persist(mut self, target: &Path) -> Result<(), FetchError> {
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(|source| FetchError::Cache {
                path: self.path.clone(),
                source,
            })?;
        }
        fs_err::rename(&self.path, target).map_err(|source| FetchError::Cache {
            path: target.to_path_buf(),
            source,
        })?;
        // Renamed: nothing left to clean up.
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.path.as_os_str().is_empty() {
            // Best effort: a leftover `.part` file is ignored by every reader.
            let _ = fs_err::remove_file(&self.path);
        }
    }
}

/// How one failed attempt may continue.
enum Failure {
    /// Give up now.
    Final(FetchError),
    /// Try again after the backoff, or after the server's `Retry-After` when it sent one.
    Retry {
        error: FetchError,
        retry_after: Option<Duration>,
    },
}

/// One call to [`Fetcher::fetch`] with the network on.
struct Download<'a> {
    options: &'a FetchOptions,
    client: &'a reqwest::blocking::Client,
    url: &'a str,
    parsed: &'a reqwest::Url,
    paths: &'a CachePaths,
    cached: Option<&'a CacheEntry>,
    started: Instant,
}

impl Download<'_> {
    fn run(&self, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Fetched, FetchError> {
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let (error, retry_after) = match self.attempt(attempt, progress) {
                Ok(fetched) => return Ok(fetched),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retry { error, retry_after }) => (error, retry_after),
            };
            if attempt > self.options.retries {
                return Err(error);
            }
            let delay = retry_after
                .unwrap_or_else(|| backoff(self.options.backoff_base, attempt, jitter_fraction()))
                .min(self.options.max_retry_delay);
            let deadline_passed = self
                .started
                .elapsed()
                .checked_add(delay)
                .is_none_or(|resume| resume >= self.options.total_timeout);
            if deadline_passed {
                return Err(error);
            }
            std::thread::sleep(delay);
        }
    }

    fn total_timeout(&self, attempts: u32) -> FetchError {
        FetchError::TotalTimeout {
            url: self.url.to_owned(),
            attempts,
            limit: self.options.total_timeout,
        }
    }

    fn attempt(
        &self,
        attempt: u32,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Fetched, Failure> {
        let remaining = self
            .options
            .total_timeout
            .saturating_sub(self.started.elapsed());
        if remaining.is_zero() {
            return Err(Failure::Final(
                self.total_timeout(attempt.saturating_sub(1)),
            ));
        }
        let mut request = self
            .client
            .get(self.parsed.clone())
            .timeout(self.options.read_timeout.min(remaining));
        if let Some(entry) = self.cached {
            if let Some(etag) = &entry.sidecar.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &entry.sidecar.last_modified {
                request = request.header(IF_MODIFIED_SINCE, last_modified);
            }
        }

        let mut response = match request.send() {
            Ok(response) => response,
            Err(error) => return Err(self.send_failure(attempt, error)),
        };
        let status = response.status();

        if status == StatusCode::NOT_MODIFIED {
            return self.not_modified(attempt, response.headers());
        }
        if status != StatusCode::OK && status != StatusCode::NON_AUTHORITATIVE_INFORMATION {
            let error = FetchError::Status {
                url: self.url.to_owned(),
                status: status.as_u16(),
                attempts: attempt,
            };
            return Err(if is_retryable_status(status) {
                Failure::Retry {
                    error,
                    retry_after: retry_after(response.headers(), jiff::Timestamp::now()),
                }
            } else {
                Failure::Final(error)
            });
        }

        let total = response.content_length();
        if let Some(declared) = total.filter(|&declared| declared > self.options.max_bytes) {
            return Err(Failure::Final(FetchError::TooLarge {
                url: self.url.to_owned(),
                limit: self.options.max_bytes,
                declared: Some(declared),
            }));
        }
        let etag = header_text(response.headers(), &ETAG);
        let last_modified = header_text(response.headers(), &LAST_MODIFIED);

        let mut temporary =
            TemporaryFile::create(self.paths.temporary("body")).map_err(Failure::Final)?;
        let mut hasher = Sha256::new();
        let mut received: u64 = 0;
        let mut buffer = vec![0_u8; CHUNK_SIZE];
        let report = |downloaded| Progress {
            url: self.url,
            downloaded,
            total,
            attempt,
        };
        progress(report(0));
        loop {
            let read = match response.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) => return Err(self.read_failure(attempt, error, received, total)),
            };
            let chunk = buffer.get(..read).unwrap_or(&[]);
            received = received.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
            if received > self.options.max_bytes {
                return Err(Failure::Final(FetchError::TooLarge {
                    url: self.url.to_owned(),
                    limit: self.options.max_bytes,
                    declared: total,
                }));
            }
            hasher.update(chunk);
            temporary.write_all(chunk).map_err(Failure::Final)?;
            progress(report(received));
            if self.started.elapsed() >= self.options.total_timeout {
                return Err(Failure::Final(self.total_timeout(attempt)));
            }
        }
        if let Some(expected) = total.filter(|&expected| expected != received) {
            return Err(Failure::Retry {
                error: FetchError::LengthMismatch {
                    url: self.url.to_owned(),
                    attempts: attempt,
                    received,
                    expected,
                },
                retry_after: None,
            });
        }

        let fetched_at = jiff::Timestamp::now();
        let sidecar = Sidecar {
            url: self.parsed.as_str().to_owned(),
            etag,
            last_modified,
            fetched_at: fetched_at.to_string(),
            size: received,
            sha256: hex::encode(hasher.finalize()),
        };
        self.commit(temporary, &sidecar).map_err(Failure::Final)?;
        Ok(CacheEntry {
            sidecar,
            fetched_at,
        }
        .into_fetched(self.paths.body.clone(), false, false, attempt))
    }

    /// Replaces the cached body and its sidecar; see the module doc for the order.
    fn commit(&self, body: TemporaryFile, sidecar: &Sidecar) -> Result<(), FetchError> {
        match fs_err::remove_file(&self.paths.meta) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(FetchError::Cache {
                    path: self.paths.meta.clone(),
                    source,
                });
            }
        }
        body.persist(&self.paths.body)?;
        sync_dir(&self.paths.dir)?;
        write_sidecar(self.paths, sidecar)
    }

    /// A `304`: refresh the sidecar's time (and validators, when the server sent new ones, as
    /// RFC 9110 §15.4.5 allows) and hand back the cached copy.
    fn not_modified(&self, attempt: u32, headers: &HeaderMap) -> Result<Fetched, Failure> {
        let Some(entry) = self.cached else {
            return Err(Failure::Final(FetchError::UnexpectedNotModified {
                url: self.url.to_owned(),
                attempts: attempt,
            }));
        };
        let fetched_at = jiff::Timestamp::now();
        let sidecar = Sidecar {
            etag: header_text(headers, &ETAG).or_else(|| entry.sidecar.etag.clone()),
            last_modified: header_text(headers, &LAST_MODIFIED)
                .or_else(|| entry.sidecar.last_modified.clone()),
            fetched_at: fetched_at.to_string(),
            ..entry.sidecar.clone()
        };
        write_sidecar(self.paths, &sidecar).map_err(Failure::Final)?;
        Ok(CacheEntry {
            sidecar,
            fetched_at,
        }
        .into_fetched(self.paths.body.clone(), true, false, attempt))
    }

    fn send_failure(&self, attempt: u32, error: reqwest::Error) -> Failure {
        if self.started.elapsed() >= self.options.total_timeout {
            return Failure::Final(self.total_timeout(attempt));
        }
        let error = if error.is_timeout() && !error.is_connect() {
            FetchError::Stalled {
                url: self.url.to_owned(),
                attempts: attempt,
                idle: self.options.read_timeout,
            }
        } else {
            FetchError::Transport {
                url: self.url.to_owned(),
                attempts: attempt,
                source: Box::new(error),
            }
        };
        Failure::Retry {
            error,
            retry_after: None,
        }
    }

    fn read_failure(
        &self,
        attempt: u32,
        error: std::io::Error,
        received: u64,
        total: Option<u64>,
    ) -> Failure {
        if self.started.elapsed() >= self.options.total_timeout {
            return Failure::Final(self.total_timeout(attempt));
        }
        let timed_out = error.kind() == std::io::ErrorKind::TimedOut
            || error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout);
        let error = if timed_out {
            FetchError::Stalled {
                url: self.url.to_owned(),
                attempts: attempt,
                idle: self.options.read_timeout,
            }
        } else if let Some(expected) = total.filter(|&expected| received < expected) {
            FetchError::LengthMismatch {
                url: self.url.to_owned(),
                attempts: attempt,
                received,
                expected,
            }
        } else {
            FetchError::Transport {
                url: self.url.to_owned(),
                attempts: attempt,
                source: Box::new(error),
            }
        };
        Failure::Retry {
            error,
            retry_after: None,
        }
    }
}

/// `5xx` and `429 Too Many Requests` are worth another try; every other status is final.
fn is_retryable_status(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

/// A header's value as text, when it is visible ASCII.
fn header_text(headers: &HeaderMap, name: &reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// `Retry-After` as a delay: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in the
/// past means "now"; anything unparsable is ignored (the caller falls back to its backoff).
fn retry_after(headers: &HeaderMap, now: jiff::Timestamp) -> Option<Duration> {
    let value = header_text(headers, &RETRY_AFTER)?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let date = PARSER.parse_timestamp(&value).ok()?;
    Some(Duration::try_from(date.duration_since(now)).unwrap_or(Duration::ZERO))
}

/// Exponential backoff before retry number `retry` (from 1): `base * 2^(retry - 1)`, of which
/// the upper half is scaled by `jitter` (in `[0, 1]`) so that clients do not retry in lockstep.
fn backoff(base: Duration, retry: u32, jitter: f64) -> Duration {
    let exponent = retry.saturating_sub(1).min(31);
    let full = base.saturating_mul(1_u32 << exponent);
    let half = full / 2;
    // `mul_f64` panics on NaN or overflow; a fraction in [0, 1] of `half` can do neither.
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        1.0
    };
    half.saturating_add(half.mul_f64(jitter))
}

/// A random number in `[0, 1]`, or 1 when the system has no randomness to give.
fn jitter_fraction() -> f64 {
    getrandom::u32().map_or(1.0, |random| f64::from(random) / f64::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names_are_stable_and_readable() {
        let cases = [
            (
                "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
                "-PyPI-all.zip",
            ),
            (
                "https://security-tracker.debian.org/tracker/data/json",
                "-data-json",
            ),
            (
                "https://secdb.alpinelinux.org/v3.20/main.json",
                "-v3.20-main.json",
            ),
            ("http://example.org/", "-example.org"),
            ("http://example.org/a%20b/c?x=1", "-a_20b-c"),
            ("http://example.org/.hidden", "-hidden"),
        ];
        for (url, suffix) in cases {
            let parsed = reqwest::Url::parse(url).unwrap();
            let name = cache_file_name(&parsed);
            assert!(name.ends_with(suffix), "{url} -> {name}");
            assert_eq!(
                name.len(),
                URL_HASH_HEX_DIGITS + suffix.len(),
                "{url} -> {name}"
            );
            assert_eq!(name, cache_file_name(&parsed), "{url} must map to one name");
        }
        let long = reqwest::Url::parse(&format!("http://x/{}/feed.json", "a".repeat(200))).unwrap();
        let name = cache_file_name(&long);
        assert!(name.ends_with("aaa-feed.json"), "{name}");
        assert_eq!(name.len(), URL_HASH_HEX_DIGITS + 1 + MAX_SUFFIX_LEN);
    }

    #[test]
    fn only_http_and_https_are_accepted() {
        let cases = [
            ("https://example.org/x.json", true),
            ("http://example.org/x.json", true),
            ("file:///tmp/x.json", false),
            ("dir:/srv/mirror", false),
            ("ftp://example.org/x", false),
            ("/srv/mirror/x.json", false),
            ("HTTPS://Example.org/x.json", true),
        ];
        for (url, ok) in cases {
            let result = parse_url(url);
            assert_eq!(result.is_ok(), ok, "{url}: {result:?}");
            if !ok {
                assert!(
                    matches!(result, Err(FetchError::UnsupportedScheme { .. })),
                    "{url}: {result:?}"
                );
            }
        }
        for url in ["http://", "https://exa mple.org/"] {
            let result = parse_url(url);
            assert!(
                matches!(result, Err(FetchError::InvalidUrl { .. })),
                "{url}: {result:?}"
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let cases = [
            ("120", Some(Duration::from_secs(120))),
            ("0", Some(Duration::ZERO)),
            (
                "Thu, 01 Jan 2026 00:00:30 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Wed, 31 Dec 2025 23:00:00 GMT", Some(Duration::ZERO)),
            ("soon", None),
            ("-5", None),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            assert_eq!(retry_after(&headers, now), expected, "{value}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        let cases = [
            (1, 0.0, 50),
            (1, 1.0, 100),
            (2, 0.0, 100),
            (2, 1.0, 200),
            (3, 0.5, 300),
            (4, 1.0, 800),
        ];
        for (retry, jitter, millis) in cases {
            assert_eq!(
                backoff(base, retry, jitter),
                Duration::from_millis(millis),
                "retry {retry}, jitter {jitter}"
            );
        }
        assert!(backoff(base, u32::MAX, 1.0) >= Duration::from_secs(1_000_000));
    }

    #[test]
    fn retryable_statuses() {
        let cases = [
            (500, true),
            (502, true),
            (503, true),
            (429, true),
            (404, false),
            (403, false),
            (408, false),
            (400, false),
        ];
        for (code, retryable) in cases {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(is_retryable_status(status), retryable, "{code}");
        }
    }
}
