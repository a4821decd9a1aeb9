//! `qm sbom` end to end: real fixtures in, SBOM documents out, errors with exit codes.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::path::Path;

use assert_cmd::Command;

const IMAGE_DPKG: &str = "fixtures/syft/syft/pkg/cataloger/debian/testdata/image-dpkg";

fn qm(home: &Path) -> Command {
    let mut command = Command::cargo_bin("qm").unwrap();
    command
        .env_clear()
        .env("HOME", home)
        .env("QM_CACHE_DIR", home)
        .current_dir(home);
    command
}

fn run(command: &mut Command, home: &Path) -> String {
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
    text.replace(&home.display().to_string(), "[HOME]")
        .replace(&qm_testdata::data_dir().display().to_string(), "[DATA]")
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    settings.add_filter(r#""version": "\d+\.\d+\.\d+""#, r#""version": "[VERSION]""#);
    settings
}

#[test]
fn native_json_of_a_debian_root_filesystem() {
    let home = tempfile::tempdir().unwrap();
    let target = qm_testdata::data_path(IMAGE_DPKG);
    settings().bind(|| {
        insta::assert_snapshot!(run(
            qm(home.path()).args(["sbom", "-f", "json", target.to_str().unwrap()]),
            home.path()
        ));
    });
}

#[test]
fn cyclonedx_and_spdx_files_of_a_source_tree() {
    let home = tempfile::tempdir().unwrap();
    let tree = home.path().join("tree");
    fs_err::create_dir_all(&tree).unwrap();
    let lock = qm_testdata::read_text("fixtures/syft/syft/pkg/cataloger/rust/testdata/Cargo.lock");
    fs_err::write(tree.join("Cargo.lock"), &lock).unwrap();
    let expected = lock.matches("[[package]]").count();

    let cdx = home.path().join("out.cdx.json");
    qm(home.path())
        .args(["sbom", "-q", "-f", "cyclonedx", "-o"])
        .arg(&cdx)
        .arg(format!("dir:{}", tree.display()))
        .assert()
        .success()
        .stdout("");
    let bom: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&cdx).unwrap()).unwrap();
    assert_eq!(bom["specVersion"], "1.6");
    let components = bom["components"].as_array().unwrap();
    assert!(!components.is_empty());
    assert!(
        components.len() <= expected,
        "{} > {expected}",
        components.len()
    );
    assert!(
        components
            .iter()
            .all(|c| c["purl"].as_str().unwrap().starts_with("pkg:cargo/"))
    );

    let spdx = qm(home.path())
        .args(["sbom", "-q", "-f", "spdx"])
        .arg(&tree)
        .output()
        .unwrap();
    assert!(spdx.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&spdx.stdout).unwrap();
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    // The target itself plus one package per crate.
    assert_eq!(
        doc["packages"].as_array().unwrap().len(),
        components.len() + 1
    );
}

#[test]
fn an_sbom_is_read_back_as_a_target() {
    let home = tempfile::tempdir().unwrap();
    let target = qm_testdata::data_path(IMAGE_DPKG);
    let cdx = home.path().join("rootfs.cdx.json");
    qm(home.path())
        .args(["sbom", "-q", "-f", "cyclonedx", "-o"])
        .arg(&cdx)
        .arg(&target)
        .assert()
        .success();
    let again = qm(home.path())
        .args(["sbom", "-q", "-f", "json"])
        .arg(format!("sbom:{}", cdx.display()))
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let inventory: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(inventory["distro"]["id"], "debian");
    let packages = inventory["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["name"], "libpam-runtime");
    assert_eq!(packages[0]["source"]["name"], "pam");
    // A bare path to the same JSON file is detected as an SBOM too.
    qm(home.path())
        .args(["sbom", "-q"])
        .arg(&cdx)
        .assert()
        .success();
}

#[test]
fn missing_targets_and_bad_formats_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    settings().bind(|| {
        insta::assert_snapshot!(run(
            qm(home.path()).args(["sbom", "no/such/path"]),
            home.path()
        ));
        insta::assert_snapshot!(run(
            qm(home.path()).args(["sbom", "-f", "xml", "."]),
            home.path()
        ));
    });
}

/// `-o` to something that is not a regular file (`/dev/null`, a FIFO) writes into it: the
/// write-then-rename that protects regular files would replace the device with a file.
#[test]
fn output_to_a_fifo_writes_into_it() {
    use std::os::unix::fs::FileTypeExt as _;

    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("out.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs_err::read_to_string(fifo).unwrap())
    };
    let target = qm_testdata::data_path(IMAGE_DPKG);
    qm(home.path())
        .args([
            "sbom",
            target.to_str().unwrap(),
            "-o",
            fifo.to_str().unwrap(),
        ])
        .assert()
        .success();
    let written = reader.join().unwrap();
    assert!(written.contains("\"packages\""), "{written}");
    assert!(fs_err::metadata(&fifo).unwrap().file_type().is_fifo());
}
