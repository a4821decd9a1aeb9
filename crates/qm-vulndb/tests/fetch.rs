//! The HTTP download layer against a scripted HTTP/1.1 server on loopback: conditional
//! requests, retries, timeouts, broken bodies, size limits and offline mode.
//!
//! The server answers each connection with the next scripted reply and closes it, so one
//! connection is one request; it records every request head for the assertions.
#![expect(clippy::unwrap_used, reason = "tests fail loudly on broken setup")]

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use qm_vulndb::{FetchError, FetchOptions, Fetched, Fetcher, Progress};
use sha2::{Digest, Sha256};

/// What the server does with one connection.
enum Reply {
    /// A complete response; `Content-Length` is added unless a header already frames the body.
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// These bytes exactly, then close.
    Raw(Vec<u8>),
    /// These bytes, then silence for the given time (or until the server stops), then close.
    Stall(Vec<u8>, Duration),
}

fn ok(body: &[u8], headers: &[(&'static str, &str)]) -> Reply {
    Reply::Full {
        status: 200,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect(),
        body: body.to_vec(),
    }
}

fn status(code: u16, headers: &[(&'static str, &str)]) -> Reply {
    Reply::Full {
        status: code,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect(),
        body: Vec::new(),
    }
}

struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let accept = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                // Bounded: a test that forgets to stop the server still ends it within 30 s.
                let deadline = Instant::now() + Duration::from_secs(30);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let reply = script.lock().unwrap().pop_front();
                            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
                            std::thread::spawn(move || serve(stream, reply, &requests, &stop));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Self {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(
    mut stream: TcpStream,
    reply: Option<Reply>,
    requests: &Mutex<Vec<String>>,
    stop: &AtomicBool,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    requests
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&head).to_lowercase());
    let reply = reply.unwrap_or_else(|| status(599, &[]));
    let _ = match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} Scripted\r\nConnection: close\r\n");
            let framed = headers.iter().any(|(name, _)| {
                name.eq_ignore_ascii_case("content-length")
                    || name.eq_ignore_ascii_case("transfer-encoding")
            });
            if !framed && status != 304 {
                out.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            for (name, value) in headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&body);
            stream.write_all(&bytes)
        }
        Reply::Raw(bytes) => stream.write_all(&bytes),
        Reply::Stall(bytes, pause) => {
            let written = stream.write_all(&bytes).and_then(|()| stream.flush());
            let until = Instant::now() + pause;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            written
        }
    };
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Options that keep every test fast: millisecond backoff, small caps.
fn fast() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(10),
        retries: 3,
        backoff_base: Duration::from_millis(1),
        max_retry_delay: Duration::from_millis(20),
        max_bytes: 1024 * 1024,
        ..FetchOptions::default()
    }
}

fn fetch(options: FetchOptions, url: &str, cache: &Path) -> Result<Fetched, FetchError> {
    Fetcher::new(options)
        .unwrap()
        .fetch(url, cache, &mut |_| {})
}

/// The cached body and its sidecar, byte for byte, to prove a failure left them alone.
fn snapshot(fetched: &Fetched) -> (Vec<u8>, Vec<u8>) {
    let mut sidecar = fetched.path.clone().into_os_string();
    sidecar.push(".fetch.json");
    (
        fs_err::read(&fetched.path).unwrap(),
        fs_err::read(sidecar).unwrap(),
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// No stray temporary files are left in the cache after any outcome.
fn assert_no_partial_files(cache: &Path) {
    for entry in fs_err::read_dir(cache).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        assert!(!name.ends_with(".part"), "left behind: {name}");
    }
}

#[test]
fn etag_then_not_modified_returns_cached_copy() {
    let server = Server::start(vec![
        ok(b"first body", &[("ETag", "\"v1\"")]),
        status(304, &[("ETag", "\"v1\"")]),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/PyPI/all.zip");
    let fetcher = Fetcher::new(fast()).unwrap();

    let mut seen = Vec::new();
    let mut record = |progress: Progress<'_>| seen.push((progress.downloaded, progress.total));
    let first = fetcher.fetch(&url, cache.path(), &mut record).unwrap();
    assert!(!first.not_modified);
    assert_eq!(first.attempts, 1);
    assert_eq!(first.size, 10);
    assert_eq!(first.sha256, sha256_hex(b"first body"));
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert!(first.path.starts_with(cache.path()));
    assert!(
        first.path.to_string_lossy().ends_with("-PyPI-all.zip"),
        "{}",
        first.path.display()
    );
    assert_eq!(fs_err::read(&first.path).unwrap(), b"first body");
    assert_eq!(seen.first(), Some(&(0, Some(10))));
    assert_eq!(seen.last(), Some(&(10, Some(10))));

    let second = fetcher.fetch(&url, cache.path(), &mut |_| {}).unwrap();
    assert!(second.not_modified);
    assert_eq!(second.path, first.path);
    assert_eq!(second.sha256, first.sha256);
    assert_eq!(fs_err::read(&second.path).unwrap(), b"first body");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(!requests[0].contains("if-none-match"), "{}", requests[0]);
    assert!(
        requests[1].contains("if-none-match: \"v1\"\r\n"),
        "{}",
        requests[1]
    );
    assert!(requests[1].contains("user-agent: quartermaster/"));
    assert_no_partial_files(cache.path());
}

#[test]
fn last_modified_is_sent_back_as_if_modified_since() {
    let stamp = "Wed, 21 Oct 2015 07:28:00 GMT";
    let server = Server::start(vec![
        ok(b"[]", &[("Last-Modified", stamp)]),
        status(304, &[]),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/tracker/data/json");

    let first = fetch(fast(), &url, cache.path()).unwrap();
    assert_eq!(first.last_modified.as_deref(), Some(stamp));
    assert_eq!(first.etag, None);
    let second = fetch(fast(), &url, cache.path()).unwrap();
    assert!(second.not_modified);
    assert_eq!(second.last_modified.as_deref(), Some(stamp));
    assert_eq!(fs_err::read(&second.path).unwrap(), b"[]");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].contains(&format!("if-modified-since: {}\r\n", stamp.to_lowercase())),
        "{}",
        requests[1]
    );
    assert!(!requests[1].contains("if-none-match"), "{}", requests[1]);
}

#[test]
fn changed_body_replaces_cached_copy_and_validators() {
    let server = Server::start(vec![
        ok(b"old", &[("ETag", "\"a\"")]),
        ok(b"newer", &[("ETag", "\"b\"")]),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/v3.20/main.json");

    let first = fetch(fast(), &url, cache.path()).unwrap();
    let second = fetch(fast(), &url, cache.path()).unwrap();
    assert!(!second.not_modified);
    assert_eq!(second.path, first.path);
    assert_eq!(second.etag.as_deref(), Some("\"b\""));
    assert_eq!(fs_err::read(&second.path).unwrap(), b"newer");
    let (_, sidecar) = snapshot(&second);
    let sidecar: serde_json::Value = serde_json::from_slice(&sidecar).unwrap();
    assert_eq!(sidecar["etag"], "\"b\"");
    assert_eq!(sidecar["size"], 5);
    assert_eq!(sidecar["sha256"], sha256_hex(b"newer"));
    assert_eq!(sidecar["url"], url);
    assert!(server.requests()[1].contains("if-none-match: \"a\""));
}

#[test]
fn server_errors_are_retried_until_success() {
    let server = Server::start(vec![status(500, &[]), status(503, &[]), ok(b"body", &[])]);
    let cache = tempfile::tempdir().unwrap();

    let fetched = fetch(fast(), &server.url("/feed.json"), cache.path()).unwrap();
    assert_eq!(fetched.attempts, 3);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(fs_err::read(&fetched.path).unwrap(), b"body");
}

#[test]
fn persistent_server_error_gives_up_and_keeps_previous_copy() {
    let mut script = vec![ok(b"good copy", &[("ETag", "\"g\"")])];
    script.extend((0..3).map(|_| status(500, &[])));
    let server = Server::start(script);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let options = FetchOptions {
        retries: 2,
        ..fast()
    };

    let seeded = fetch(options.clone(), &url, cache.path()).unwrap();
    let before = snapshot(&seeded);
    let error = fetch(options, &url, cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Status {
                status: 500,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("`{url}` answered HTTP 500 after 3 attempts")
    );
    assert_eq!(server.requests().len(), 4);
    assert_eq!(snapshot(&seeded), before);
    assert_no_partial_files(cache.path());
}

#[test]
fn client_errors_are_not_retried() {
    let server = Server::start(vec![status(404, &[]), ok(b"never", &[])]);
    let cache = tempfile::tempdir().unwrap();

    let error = fetch(fast(), &server.url("/missing.json"), cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Status {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn too_many_requests_waits_for_retry_after_up_to_the_cap() {
    // An hour-long Retry-After is capped by `max_retry_delay` (20 ms here).
    let server = Server::start(vec![
        status(429, &[("Retry-After", "3600")]),
        status(503, &[("Retry-After", "0")]),
        ok(b"body", &[]),
    ]);
    let cache = tempfile::tempdir().unwrap();

    let fetched = fetch(fast(), &server.url("/feed.json"), cache.path()).unwrap();
    assert_eq!(fetched.attempts, 3);
}

#[test]
fn stalled_body_times_out_and_keeps_previous_copy() {
    let server = Server::start(vec![
        ok(b"good copy", &[]),
        Reply::Stall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".to_vec(),
            Duration::from_secs(5),
        ),
        // Accepts the connection and never answers.
        Reply::Stall(Vec::new(), Duration::from_secs(5)),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let options = FetchOptions {
        read_timeout: Duration::from_millis(200),
        retries: 1,
        ..fast()
    };

    let seeded = fetch(options.clone(), &url, cache.path()).unwrap();
    let before = snapshot(&seeded);
    let error = fetch(options, &url, cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Stalled {
                attempts: 2,
                idle,
                ..
            } if idle == Duration::from_millis(200)
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(snapshot(&seeded), before);
    assert_no_partial_files(cache.path());
}

#[test]
fn total_timeout_ends_a_slow_download() {
    let server = Server::start(vec![Reply::Stall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".to_vec(),
        Duration::from_secs(5),
    )]);
    let cache = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        total_timeout: Duration::from_millis(300),
        ..fast()
    };

    let error = fetch(options, &server.url("/feed.json"), cache.path()).unwrap_err();
    assert!(
        matches!(error, FetchError::TotalTimeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn connection_cut_mid_body_keeps_previous_copy() {
    let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec();
    let server = Server::start(vec![
        ok(b"good copy", &[("ETag", "\"g\"")]),
        Reply::Raw(cut.clone()),
        Reply::Raw(cut),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let options = FetchOptions {
        retries: 1,
        ..fast()
    };

    let seeded = fetch(options.clone(), &url, cache.path()).unwrap();
    let before = snapshot(&seeded);
    let error = fetch(options, &url, cache.path()).unwrap_err();
    assert!(
        matches!(error, FetchError::Transport { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(server.requests().len(), 3);
    assert_eq!(snapshot(&seeded), before);
    assert_no_partial_files(cache.path());
}

#[test]
fn body_shorter_than_content_length_is_rejected() {
    let short = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".to_vec();
    let server = Server::start(vec![
        ok(b"good copy", &[]),
        Reply::Raw(short.clone()),
        Reply::Raw(short),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let options = FetchOptions {
        retries: 1,
        ..fast()
    };

    let seeded = fetch(options.clone(), &url, cache.path()).unwrap();
    let before = snapshot(&seeded);
    let error = fetch(options, &url, cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::LengthMismatch {
                attempts: 2,
                received: 10,
                expected: 100,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(snapshot(&seeded), before);
    assert_no_partial_files(cache.path());
}

#[test]
fn body_longer_than_content_length_is_cut_at_the_declared_length() {
    let server = Server::start(vec![Reply::Raw(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhelloEXTRA".to_vec(),
    )]);
    let cache = tempfile::tempdir().unwrap();

    let fetched = fetch(fast(), &server.url("/feed.json"), cache.path()).unwrap();
    assert_eq!(fetched.size, 5);
    assert_eq!(fs_err::read(&fetched.path).unwrap(), b"hello");
}

#[test]
fn declared_size_over_the_limit_is_refused_without_retry() {
    let server = Server::start(vec![ok(&[b'x'; 100], &[]), ok(&[b'x'; 100], &[])]);
    let cache = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        max_bytes: 10,
        ..fast()
    };

    let error = fetch(options, &server.url("/feed.json"), cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::TooLarge {
                limit: 10,
                declared: Some(100),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn streamed_size_over_the_limit_keeps_previous_copy() {
    // No Content-Length: the body runs until the connection closes.
    let mut unframed = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    unframed.extend_from_slice(&[b'x'; 100]);
    let server = Server::start(vec![ok(b"small", &[]), Reply::Raw(unframed)]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let options = FetchOptions {
        max_bytes: 10,
        ..fast()
    };

    let seeded = fetch(options.clone(), &url, cache.path()).unwrap();
    let before = snapshot(&seeded);
    let error = fetch(options, &url, cache.path()).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::TooLarge {
                limit: 10,
                declared: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(snapshot(&seeded), before);
    assert_no_partial_files(cache.path());
}

#[test]
fn not_modified_without_a_cached_copy_is_an_error() {
    let server = Server::start(vec![status(304, &[])]);
    let cache = tempfile::tempdir().unwrap();

    let error = fetch(fast(), &server.url("/feed.json"), cache.path()).unwrap_err();
    assert!(
        matches!(error, FetchError::UnexpectedNotModified { attempts: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn offline_serves_the_cached_copy_without_a_request() {
    let server = Server::start(vec![ok(b"cached", &[("ETag", "\"c\"")])]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let seeded = fetch(fast(), &url, cache.path()).unwrap();
    assert_eq!(server.requests().len(), 1);

    let offline = FetchOptions {
        offline: true,
        ..fast()
    };
    let fetched = fetch(offline, &url, cache.path()).unwrap();
    assert!(fetched.offline);
    assert!(!fetched.not_modified);
    assert_eq!(fetched.attempts, 0);
    assert_eq!(fetched.path, seeded.path);
    assert_eq!(fetched.sha256, seeded.sha256);
    assert_eq!(fetched.etag.as_deref(), Some("\"c\""));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn offline_without_a_cached_copy_says_what_to_do() {
    let server = Server::start(Vec::new());
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");
    let offline = FetchOptions {
        offline: true,
        ..fast()
    };

    let error = fetch(offline, &url, cache.path()).unwrap_err();
    assert!(
        matches!(&error, FetchError::Offline { url: u } if *u == url),
        "{error:?}"
    );
    let message = error.to_string();
    for needle in ["--offline", "dir:PATH", "file:PATH", "signed bundle"] {
        assert!(message.contains(needle), "{message}");
    }
    // Give a stray connection time to arrive before checking that none did.
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
}

#[test]
fn only_http_urls_are_downloaded() {
    let cache = tempfile::tempdir().unwrap();
    for url in [
        "file:///srv/mirror/all.zip",
        "dir:/srv/mirror",
        "ftp://example.org/x",
    ] {
        let error = fetch(fast(), url, cache.path()).unwrap_err();
        assert!(
            matches!(&error, FetchError::UnsupportedScheme { url: u } if u == url),
            "{error:?}"
        );
    }
}

#[test]
fn not_modified_with_new_validators_updates_the_sidecar() {
    let server = Server::start(vec![
        ok(b"same", &[("ETag", "\"a\"")]),
        status(304, &[("ETag", "\"b\"")]),
        status(304, &[]),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/feed.json");

    fetch(fast(), &url, cache.path()).unwrap();
    let second = fetch(fast(), &url, cache.path()).unwrap();
    assert_eq!(second.etag.as_deref(), Some("\"b\""));
    let third = fetch(fast(), &url, cache.path()).unwrap();
    assert!(third.not_modified);
    assert_eq!(fs_err::read(&third.path).unwrap(), b"same");
    assert!(server.requests()[2].contains("if-none-match: \"b\"\r\n"));
}
