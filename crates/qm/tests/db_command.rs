//! `qm db …` end to end on real advisory data: update from a local mirror, status, and the
//! air-gap path (keygen, export, import) including rejected bundles.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::path::Path;

use assert_cmd::Command;

/// A `qm` command with its own cache directory and no configuration from the host.
fn qm(cache: &Path) -> Command {
    let mut command = Command::cargo_bin("qm").unwrap();
    command
        .env_clear()
        .env("HOME", cache)
        .env("QM_CACHE_DIR", cache)
        .current_dir(cache);
    command
}

/// Runs and renders exit code, stdout and stderr, with paths, times and sizes made stable.
fn run(command: &mut Command, cache: &Path) -> String {
    let output = command.output().unwrap();
    let text = format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output
            .status
            .code()
            .map_or("signal".into(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    text.replace(&cache.display().to_string(), "[CACHE]")
        .replace(&qm_testdata::data_dir().display().to_string(), "[DATA]")
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    settings.add_filter(r"\(\d+[smhd] ago\)", "([AGE] ago)");
    settings.add_filter(r"\d+\.\d MiB", "[SIZE] MiB");
    settings.add_filter(
        r"fingerprint [0-9a-f]{16}|signed by [0-9a-f]{16}",
        "[FINGERPRINT]",
    );
    settings
}

fn mirror() -> String {
    format!(
        "dir:{}",
        qm_testdata::data_path("advisories/rustsec/osv").display()
    )
}

#[test]
fn update_from_a_mirror_then_status() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    let settings = snapshot_settings();
    settings.bind(|| {
        insta::assert_snapshot!(
            "db_status_without_database",
            run(qm(cache).args(["db", "status"]), cache)
        );
        insta::assert_snapshot!(
            "db_update_rustsec_mirror",
            run(
                qm(cache)
                    .env("QM_DB_SOURCES", mirror())
                    .args(["db", "update"]),
                cache
            )
        );
        insta::assert_snapshot!("db_status", run(qm(cache).args(["db", "status"]), cache));
    });
    let json = qm(cache)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(status["advisories"], 1206);
    assert_eq!(status["stale"], false);
    assert_eq!(status["sources"][0]["name"], "osv/RUSTSEC");

    // A database older than the allowed age is announced loudly.
    let stale = qm(cache)
        .env("QM_DB_MAX_AGE", "0s")
        .args(["db", "status"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("warning: the vulnerability database is"),
        "{stderr}"
    );
}

#[test]
fn a_failed_update_keeps_the_previous_database() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    qm(cache)
        .env("QM_DB_SOURCES", mirror())
        .args(["db", "update", "-q"])
        .assert()
        .success();
    let before = fs_err::read(cache.join("db/qm.db")).unwrap();
    let settings = snapshot_settings();
    settings.bind(|| {
        insta::assert_snapshot!(
            "db_update_missing_mirror",
            run(
                qm(cache).args(["db", "update", "--source", "dir:does-not-exist"]),
                cache
            )
        );
        insta::assert_snapshot!(
            "db_update_offline_without_cache",
            run(
                qm(cache).args(["db", "update", "--offline", "--source", "osv:PyPI"]),
                cache
            )
        );
    });
    assert_eq!(fs_err::read(cache.join("db/qm.db")).unwrap(), before);
}

#[test]
fn bundles_carry_the_database_across_an_air_gap() {
    let connected = tempfile::tempdir().unwrap();
    let connected = connected.path();
    let isolated = tempfile::tempdir().unwrap();
    let isolated = isolated.path();
    qm(connected)
        .env("QM_DB_SOURCES", mirror())
        .args(["db", "update", "-q"])
        .assert()
        .success();
    qm(connected)
        .args(["db", "keygen", "-o", "signing.key", "--comment", "test"])
        .assert()
        .success();
    qm(connected)
        .args(["db", "keygen", "-o", "other.key"])
        .assert()
        .success();
    qm(connected)
        .args(["db", "export", "--sign", "signing.key", "-o", "bundle.qm"])
        .assert()
        .success();
    let bundle = connected.join("bundle.qm");
    let trusted = connected.join("signing.key.pub");
    let untrusted = connected.join("other.key.pub");

    // `-o -` streams the bundle (to another host's tool); the same database, signed alike.
    let streamed = qm(connected)
        .args(["db", "export", "--sign", "signing.key", "-o", "-"])
        .output()
        .unwrap();
    assert!(streamed.status.success());
    assert!(!connected.join("-").exists());
    fs_err::write(isolated.join("streamed.qm"), &streamed.stdout).unwrap();
    let checked = tempfile::tempdir().unwrap();
    qm(checked.path())
        .args(["db", "import"])
        .arg(isolated.join("streamed.qm"))
        .arg("--trust")
        .arg(&trusted)
        .assert()
        .success();
    assert_eq!(
        fs_err::read(checked.path().join("db/qm.db")).unwrap(),
        fs_err::read(connected.join("db/qm.db")).unwrap()
    );

    // Signed by a key the isolated host does not trust: rejected, nothing installed.
    let output = qm(isolated)
        .arg("db")
        .arg("import")
        .arg(&bundle)
        .arg("--trust")
        .arg(&untrusted)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(!isolated.join("db/qm.db").exists());

    // A flipped byte anywhere in the bundle: rejected.
    let mut tampered = fs_err::read(&bundle).unwrap();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x40;
    fs_err::write(isolated.join("tampered.qm"), &tampered).unwrap();
    let output = qm(isolated)
        .args(["db", "import", "tampered.qm", "--trust"])
        .arg(&trusted)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!isolated.join("db/qm.db").exists());

    // The genuine bundle: installed, and the database answers.
    qm(isolated)
        .arg("db")
        .arg("import")
        .arg(&bundle)
        .arg("--trust")
        .arg(&trusted)
        .assert()
        .success();
    assert_eq!(
        fs_err::read(isolated.join("db/qm.db")).unwrap(),
        fs_err::read(connected.join("db/qm.db")).unwrap()
    );
    // The same bundle again is a no-op; --force reinstalls it.
    let again = qm(isolated)
        .arg("db")
        .arg("import")
        .arg(&bundle)
        .arg("--trust")
        .arg(&trusted)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already installed"));
    qm(isolated)
        .arg("db")
        .arg("import")
        .arg(&bundle)
        .arg("--trust")
        .arg(&trusted)
        .arg("--force")
        .assert()
        .success();
}

#[test]
fn status_checks_every_block_of_records() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    qm(cache)
        .env("QM_DB_SOURCES", mirror())
        .args(["db", "update"])
        .assert()
        .success();
    // Opening checks the tables only; a flipped byte in the records (most of the file) is
    // found by status reading every block, and named.
    let path = cache.join("db").join("qm.db");
    let mut bytes = fs_err::read(&path).unwrap();
    let middle = bytes.len() * 3 / 4;
    bytes[middle] ^= 0x40;
    fs_err::write(&path, &bytes).unwrap();
    let output = qm(cache).args(["db", "status"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert!(stderr.contains("qm db update"), "{stderr}");
}
