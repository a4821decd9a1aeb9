//! What a new database does to the fleet, end to end: `qm db update` and `qm db import` of a
//! signed bundle re-match an existing store and print what changed; `qm fleet rematch
//! --webhook` delivers the change as JSON, retrying a failing receiver; `qm fleet rm`.
//!
//! Real PyPA advisories (Werkzeug, then Flask's arriving) and trivy's `requirements.txt`
//! fixture (Flask 2.0.0, Werkzeug 0.11), on SQLite.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use assert_cmd::Command;
use serde_json::Value;

fn advisories(name: &str) -> String {
    format!(
        "dir:{}",
        qm_testdata::data_path(&format!("advisories/pypa/vulns/{name}")).display()
    )
}

fn requirements() -> String {
    qm_testdata::data_path("fixtures/trivy/integration/testdata/fixtures/repo/pip/requirements.txt")
        .display()
        .to_string()
}

fn qm(cache: &Path) -> Command {
    let mut command = Command::cargo_bin("qm").unwrap();
    command
        .env_clear()
        .env("HOME", cache)
        .env("QM_CACHE_DIR", cache)
        .current_dir(cache);
    command
}

fn output(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn update(cache: &Path, sources: &[&str], extra: &[&str]) -> String {
    let (code, _, stderr) = output(
        qm(cache)
            .env("QM_DB_SOURCES", sources.join(" "))
            .args(["db", "update"])
            .args(extra),
    );
    assert_eq!(code, 0, "{stderr}");
    stderr
}

fn add_web(cache: &Path) {
    let (code, _, stderr) =
        output(qm(cache).args(["fleet", "add", &requirements(), "--name", "web"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_database_update_rematches_the_store() {
    let cache = tempfile::tempdir().unwrap();
    // No store yet: nothing to re-match, and no store is created.
    let stderr = update(cache.path(), &[&advisories("werkzeug")], &[]);
    assert!(!stderr.contains("fleet"), "{stderr}");
    assert!(!cache.path().join("fleet.db").exists());
    add_web(cache.path());

    let stderr = update(
        cache.path(),
        &[&advisories("werkzeug"), &advisories("flask")],
        &[],
    );
    assert!(stderr.contains("fleet `sqlite://"), "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("CVE-2023-30861"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("newly affected: web"), "{line}");
    // The store is current: a re-match finds nothing more.
    let (code, stdout, _) = output(qm(cache.path()).args(["fleet", "rematch", "-f", "json"]));
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["changes"], Value::Array(Vec::new()));

    // `--no-rematch` leaves it alone: the withdrawal shows at the next re-match.
    let stderr = update(cache.path(), &[&advisories("werkzeug")], &["--no-rematch"]);
    assert!(!stderr.contains("fleet `"), "{stderr}");
    let (_, stdout, _) = output(qm(cache.path()).args(["fleet", "rematch", "-f", "json"]));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let change = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["id"] == "CVE-2023-30861")
        .unwrap();
    assert_eq!(change["newly_fixed"], serde_json::json!(["web"]));
}

#[test]
fn importing_a_bundle_tells_an_offline_site_what_changed() {
    // The offline site has a database and a fleet.
    let offline = tempfile::tempdir().unwrap();
    update(offline.path(), &[&advisories("werkzeug")], &[]);
    add_web(offline.path());
    // Later, the connected side builds a new database and signs a bundle (bundle times have
    // second precision; an import refuses one no newer than what is installed).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let online = tempfile::tempdir().unwrap();
    update(
        online.path(),
        &[&advisories("werkzeug"), &advisories("flask")],
        &[],
    );
    for args in [
        vec!["db", "keygen", "-o", "signing.key"],
        vec!["db", "export", "--sign", "signing.key", "-o", "bundle.qm"],
    ] {
        let (code, _, stderr) = output(qm(online.path()).args(&args));
        assert_eq!(code, 0, "{stderr}");
    }
    let bundle = online.path().join("bundle.qm");
    let key = online.path().join("signing.key.pub");
    let (code, _, stderr) = output(qm(offline.path()).args([
        "--offline",
        "db",
        "import",
        bundle.to_str().unwrap(),
        "--trust",
        key.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("installed"), "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("CVE-2023-30861"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("newly affected: web"), "{line}");
}

/// A receiver that answers each request with the next of `statuses` and sends each body.
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/qm", listener.local_addr().unwrap());
    let (sender, bodies) = mpsc::channel();
    std::thread::spawn(move || {
        for status in statuses {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            sender.send(String::from_utf8(body).unwrap()).unwrap();
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, bodies)
}

#[test]
fn the_webhook_carries_the_difference_and_is_retried() {
    let cache = tempfile::tempdir().unwrap();
    update(cache.path(), &[&advisories("werkzeug")], &[]);
    add_web(cache.path());
    update(
        cache.path(),
        &[&advisories("werkzeug"), &advisories("flask")],
        &["--no-rematch"],
    );
    // The receiver fails twice (503, then 429) before accepting.
    let (url, bodies) = receiver(vec![503, 429, 204]);
    let (code, stdout, stderr) =
        output(qm(cache.path()).args(["fleet", "rematch", "--webhook", &url]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("CVE-2023-30861"), "{stdout}");
    let received: Vec<String> = bodies.try_iter().collect();
    assert_eq!(received.len(), 3, "one attempt per answer");
    assert!(received.windows(2).all(|pair| pair[0] == pair[1]));
    let report: Value = serde_json::from_str(&received[2]).unwrap();
    let change = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["id"] == "CVE-2023-30861")
        .unwrap();
    assert_eq!(change["newly_affected"], serde_json::json!(["web"]));
    assert!(report["database"].is_string());

    // Nothing changed: nothing is sent.
    let (url, bodies) = receiver(vec![204]);
    let (code, _, stderr) = output(qm(cache.path()).args(["fleet", "rematch", "--webhook", &url]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(bodies.try_iter().count(), 0);

    // A receiver that refuses (400) is not retried, and the failure is an error, though the
    // store is re-matched.
    update(cache.path(), &[&advisories("werkzeug")], &["--no-rematch"]);
    let (url, bodies) = receiver(vec![400, 204]);
    let (code, _, stderr) = output(
        qm(cache.path())
            .env("QM_FLEET_WEBHOOK", &url)
            .args(["fleet", "rematch"]),
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("400"), "{stderr}");
    // The webhook's path (often its secret) is not printed.
    assert!(!stderr.contains("/hooks/qm"), "{stderr}");
    assert!(stderr.contains("only the notification failed"), "{stderr}");
    assert_eq!(bodies.try_iter().count(), 1);
    let (_, stdout, _) = output(qm(cache.path()).args(["fleet", "rematch", "-f", "json"]));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["changes"], Value::Array(Vec::new()));

    // Offline: the webhook is not called, and says so.
    update(
        cache.path(),
        &[&advisories("werkzeug"), &advisories("flask")],
        &["--no-rematch"],
    );
    let (url, bodies) = receiver(vec![204]);
    let (code, _, stderr) =
        output(qm(cache.path()).args(["--offline", "fleet", "rematch", "--webhook", &url]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("offline"), "{stderr}");
    assert_eq!(bodies.try_iter().count(), 0);

    // Not a URL: a usage error.
    let (code, _, stderr) =
        output(qm(cache.path()).args(["fleet", "rematch", "--webhook", "ftp://x"]));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn a_target_can_be_removed() {
    let cache = tempfile::tempdir().unwrap();
    update(cache.path(), &[&advisories("werkzeug")], &[]);
    add_web(cache.path());
    let (code, _, stderr) = output(qm(cache.path()).args(["fleet", "rm", "web"]));
    assert_eq!(code, 0, "{stderr}");
    let (_, stdout, _) = output(qm(cache.path()).args(["fleet", "ls", "-f", "json"]));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["targets"],
        Value::Array(Vec::new())
    );
    let (code, _, stderr) = output(qm(cache.path()).args(["fleet", "rm", "web"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no target `web`"), "{stderr}");
}

#[test]
fn the_report_shows_exposure_over_time() {
    let cache = tempfile::tempdir().unwrap();
    update(cache.path(), &[&advisories("werkzeug")], &[]);
    add_web(cache.path());
    // Werkzeug 0.11 → 2.2.3 closes six of its seven exposures.
    let text = fs_err::read_to_string(requirements()).unwrap();
    let upgraded = cache.path().join("v2");
    fs_err::create_dir_all(&upgraded).unwrap();
    fs_err::write(
        upgraded.join("requirements.txt"),
        text.replace("Werkzeug==0.11", "Werkzeug==2.2.3"),
    )
    .unwrap();
    let (code, _, stderr) = output(qm(cache.path()).args([
        "fleet",
        "add",
        upgraded.join("requirements.txt").to_str().unwrap(),
        "--name",
        "web",
    ]));
    assert_eq!(code, 0, "{stderr}");

    let (code, stdout, stderr) = output(qm(cache.path()).args(["fleet", "report", "-f", "json"]));
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let statistics = &report["statistics"];
    assert_eq!(statistics["targets"], 1);
    assert_eq!(statistics["closed"], 6);
    assert_eq!(statistics["time_to_patch"]["count"], 6);
    let open: Vec<&Value> = report["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|exposure| exposure["package"] == "Werkzeug" && exposure.get("fixed_at").is_none())
        .collect();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0]["installed_version"], "2.2.3");
    assert_eq!(open[0]["fixed_version"], "2.3.8");
    // Every exposure is listed once; the open ones also under `open_exposures`.
    let every = report["exposures"].as_array().unwrap().len();
    assert_eq!(Some(every as u64), statistics["exposures"].as_u64());
    assert_eq!(
        Some(report["open_exposures"].as_array().unwrap().len() as u64),
        statistics["open"].as_u64()
    );

    let (code, _, stderr) = output(qm(cache.path()).args(["fleet", "report", "-o", "fleet.html"]));
    assert_eq!(code, 0, "{stderr}");
    let html = fs_err::read_to_string(cache.path().join("fleet.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg"));
    assert!(html.contains("Werkzeug"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));

    let (code, stdout, _) =
        output(qm(cache.path()).args(["fleet", "report", "web", "-f", "markdown"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("| ") && stdout.contains("Werkzeug"),
        "{stdout}"
    );
    let (code, _, stderr) =
        output(qm(cache.path()).args(["fleet", "report", "nope", "-f", "markdown"]));
    assert_eq!(code, 2, "{stderr}");
}
