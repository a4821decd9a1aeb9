//! `update()` end to end: real advisories served as osv.dev serves them (a ZIP export over
//! HTTP) by a loopback server, then a 304, a server failure and a cut connection; and ZIP
//! ingestion agreeing with directory ingestion.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qm_vulndb::{FetchOptions, Source, UpdateError, UpdateOptions, VulnDb, ingest_path, update};

/// The RustSec OSV export zipped like osv.dev's `all.zip`, from the first `count` records.
fn rustsec_zip(count: usize) -> Vec<u8> {
    let directory = qm_testdata::data_path("advisories/rustsec/osv/crates");
    let mut names: Vec<PathBuf> = fs_err::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for path in names.iter().take(count) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, options).unwrap();
        zip.write_all(&fs_err::read(path).unwrap()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// What the loopback server does with the next request.
#[derive(Clone)]
enum Reply {
    /// 200 with the body and an ETag; 304 when the request carries that ETag.
    Serve(Vec<u8>),
    /// 500, always.
    Fail,
    /// Headers promising the whole body, half of it, then the connection closes.
    Cut(Vec<u8>),
}

/// A one-thread HTTP/1.1 server on loopback whose behaviour the test switches.
fn server(reply: Arc<Mutex<Reply>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let reply = reply.lock().unwrap().clone();
            let _ = match reply {
                Reply::Serve(body) => {
                    if head.contains("if-none-match: \"v1\"") {
                        stream.write_all(b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n")
                    } else {
                        let header = format!(
                            "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        stream.write_all(header.as_bytes()).and_then(|()| stream.write_all(&body))
                    }
                }
                Reply::Fail => stream.write_all(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
                Reply::Cut(body) => {
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    stream
                        .write_all(header.as_bytes())
                        .and_then(|()| stream.write_all(&body[..body.len() / 2]))
                }
            };
        }
    });
    format!("http://{address}/crates.io/all.zip")
}

fn options(url: &str, cache: &Path) -> UpdateOptions {
    UpdateOptions {
        sources: vec![Source::Url(url.to_owned())],
        db_path: cache.join("db/qm.db"),
        download_dir: cache.join("downloads"),
        fetch: FetchOptions {
            retries: 1,
            backoff_base: Duration::from_millis(10),
            read_timeout: Duration::from_secs(5),
            ..FetchOptions::default()
        },
    }
}

#[test]
fn update_over_http_is_conditional_and_never_loses_the_database() {
    let cache = tempfile::tempdir().unwrap();
    let body = rustsec_zip(200);
    let reply = Arc::new(Mutex::new(Reply::Serve(body.clone())));
    let url = server(Arc::clone(&reply));
    let options = options(&url, cache.path());

    let first = update(&options, &mut |_| {}).unwrap();
    assert_eq!(first.link.advisories, 200);
    assert!(first.cached_sources.is_empty());
    let installed = fs_err::read(&options.db_path).unwrap();
    let db = VulnDb::open(&options.db_path).unwrap();
    assert_eq!(db.advisory_count(), 200);
    assert_eq!(db.metadata().sources[0].location, url);

    // Unchanged upstream: the server answers 304 and the cached download is compiled again.
    let second = update(&options, &mut |_| {}).unwrap();
    assert_eq!(second.cached_sources, vec![url.clone()]);
    assert_eq!(second.link.advisories, 200);

    // A server that fails, and one that cuts the download: errors, database untouched.
    let before = fs_err::read(&options.db_path).unwrap();
    *reply.lock().unwrap() = Reply::Fail;
    let mut fresh = options.clone();
    fresh.download_dir = cache.path().join("other-downloads");
    assert!(matches!(
        update(&fresh, &mut |_| {}),
        Err(UpdateError::Fetch { .. })
    ));
    *reply.lock().unwrap() = Reply::Cut(body);
    assert!(matches!(
        update(&fresh, &mut |_| {}),
        Err(UpdateError::Fetch { .. })
    ));
    assert_eq!(fs_err::read(&options.db_path).unwrap(), before);
    assert_eq!(installed.len(), before.len());
}

#[test]
fn an_archive_reads_like_the_directory_it_was_made_from() {
    let work = tempfile::tempdir().unwrap();
    let zip_path = work.path().join("all.zip");
    let all = fs_err::read_dir(qm_testdata::data_path("advisories/rustsec/osv/crates"))
        .unwrap()
        .count();
    fs_err::write(&zip_path, rustsec_zip(usize::MAX)).unwrap();
    let from_zip = ingest_path(&zip_path).unwrap();
    let from_dir = ingest_path(&qm_testdata::data_path("advisories/rustsec/osv/crates")).unwrap();
    assert_eq!(from_zip.advisories.len(), all);
    assert_eq!(from_zip.report.sources, from_dir.report.sources);
    let mut zip_ids: Vec<&str> = from_zip.advisories.iter().map(|a| a.id.as_str()).collect();
    let mut dir_ids: Vec<&str> = from_dir.advisories.iter().map(|a| a.id.as_str()).collect();
    zip_ids.sort_unstable();
    dir_ids.sort_unstable();
    assert_eq!(zip_ids, dir_ids);
}

#[test]
fn an_update_that_reads_nothing_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let empty = work.path().join("empty");
    fs_err::create_dir_all(&empty).unwrap();
    let options = UpdateOptions {
        sources: vec![Source::Dir(empty)],
        db_path: work.path().join("db/qm.db"),
        download_dir: work.path().join("downloads"),
        fetch: FetchOptions::default(),
    };
    assert!(matches!(
        update(&options, &mut |_| {}),
        Err(UpdateError::Empty { sources: 1 })
    ));
    assert!(!options.db_path.exists());
}

#[test]
fn an_archive_inside_an_archive_is_refused_not_recursed() {
    let inner = rustsec_zip(3);
    let mut outer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    outer
        .start_file("inner.zip", zip::write::SimpleFileOptions::default())
        .unwrap();
    outer.write_all(&inner).unwrap();
    let outer = outer.finish().unwrap().into_inner();
    let ingested = qm_vulndb::ingest_bytes("outer.zip", &outer);
    assert!(ingested.advisories.is_empty());
    assert_eq!(ingested.report.problem_count, 1);
    assert!(
        ingested.report.problems[0]
            .reason
            .contains("archive inside an archive")
    );
}
