//! Root filesystems and source trees on disk: detection, the `wants` filter, symlinks kept inside
//! the root, non-UTF-8 names and limits.

use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::symlink;

use qm_source::{ReadOptions, Target, WarningKind, read_target};

const IMAGE_DPKG: &str = "fixtures/syft/syft/pkg/cataloger/debian/testdata/image-dpkg";

fn wants(path: &str) -> bool {
    path.ends_with("os-release") || path == "var/lib/dpkg/status" || path.ends_with(".lock")
}

#[test]
fn real_rootfs_fixture_is_detected_and_read() {
    let root = qm_testdata::data_path(IMAGE_DPKG);
    let target = Target::parse(root.to_str().unwrap()).unwrap();
    assert!(matches!(target, Target::RootFs { .. }), "{target:?}");
    let view = read_target(&target, &ReadOptions::default(), &wants).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["etc/os-release", "var/lib/dpkg/status"]);
    assert!(view.image().is_none());
    assert!(view.files().all(|f| f.layer.is_none()));
    let status = qm_testdata::read_text(&format!("{IMAGE_DPKG}/var/lib/dpkg/status"));
    assert_eq!(
        view.get("var/lib/dpkg/status").unwrap().bytes,
        status.as_bytes()
    );
}

#[test]
fn rootfs_symlinks_resolve_inside_the_root_only() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("rootfs");
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::create_dir_all(root.join("usr/lib")).unwrap();
    fs_err::write(root.join("usr/lib/os-release"), "ID=debian\n").unwrap();
    symlink("/usr/lib/os-release", root.join("etc/os-release")).unwrap();
    symlink(
        "../../../../outside/os-release",
        root.join("usr/escape-os-release"),
    )
    .unwrap();
    symlink("b-os-release", root.join("a-os-release")).unwrap();
    symlink("a-os-release", root.join("b-os-release")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.lock");
    fs_err::write(root.join(name), "x").unwrap();
    let target = Target::parse(&format!("dir:{}", root.display())).unwrap();
    assert!(matches!(target, Target::RootFs { .. }), "{target:?}");
    let view = read_target(&target, &ReadOptions::default(), &wants).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["etc/os-release", "usr/lib/os-release"]);
    assert_eq!(
        view.get("etc/os-release").unwrap().resolved_from.as_deref(),
        Some("usr/lib/os-release")
    );
    let mut warnings: Vec<(WarningKind, &str)> = view
        .warnings()
        .iter()
        .map(|w| (w.kind, w.path.as_str()))
        .collect();
    warnings.sort_by_key(|w| w.1);
    assert_eq!(
        warnings,
        [
            (WarningKind::SymlinkLoop, "a-os-release"),
            (WarningKind::SymlinkLoop, "b-os-release"),
            (WarningKind::NonUtf8Name, "caf\u{fffd}.lock"),
            (WarningKind::SymlinkEscape, "usr/escape-os-release"),
        ]
    );
}

#[test]
fn source_tree_absolute_links_leave_the_tree_and_limits_apply() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("src");
    fs_err::create_dir_all(root.join("app")).unwrap();
    fs_err::write(root.join("app/Cargo.lock"), "# lock\n").unwrap();
    fs_err::write(root.join("app/huge.lock"), vec![b'x'; 2048]).unwrap();
    symlink("/etc/os-release", root.join("app/os-release")).unwrap();
    let target = Target::parse(root.to_str().unwrap()).unwrap();
    assert!(matches!(target, Target::SourceDir { .. }), "{target:?}");
    let options = ReadOptions {
        max_file_size: 1024,
        ..ReadOptions::default()
    };
    let view = read_target(&target, &options, &wants).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["app/Cargo.lock"]);
    let mut warnings: Vec<(WarningKind, &str)> = view
        .warnings()
        .iter()
        .map(|w| (w.kind, w.path.as_str()))
        .collect();
    warnings.sort_by_key(|w| w.1);
    assert_eq!(
        warnings,
        [
            (WarningKind::FileTooLarge, "app/huge.lock"),
            (WarningKind::SymlinkEscape, "app/os-release"),
        ]
    );
}

#[test]
fn missing_targets_are_errors() {
    let error = Target::parse("/nonexistent/qm-source-test").unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/qm-source-test"),
        "{error}"
    );
    assert!(Target::parse("dir:/nonexistent/qm-source-test").is_err());
    assert!(Target::parse("").is_err());
}

/// Keeps `*.bin` files reduced to their first four bytes, and drops those that do not start
/// with `KEEP`.
struct FirstBytes;

impl qm_source::Claims for FirstBytes {
    fn wants(&self, path: &str) -> bool {
        path.ends_with(".bin") || path.ends_with(".txt")
    }

    fn reduces(&self, path: &str) -> bool {
        path.ends_with(".bin")
    }

    fn reduce(&self, _path: &str, bytes: Vec<u8>) -> Option<Vec<u8>> {
        bytes.starts_with(b"KEEP").then(|| bytes[..4].to_vec())
    }
}

#[test]
fn reduced_claims_keep_only_what_the_reducer_returns() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    fs_err::write(
        root.join("a.bin"),
        [b"KEEP".as_slice(), &[0; 10_000]].concat(),
    )
    .unwrap();
    fs_err::write(root.join("b.bin"), vec![7; 10_000]).unwrap();
    fs_err::write(root.join("c.txt"), vec![b'x'; 3_000]).unwrap();
    let target = Target::parse(&format!("dir:{}", root.display())).unwrap();
    // The total budget is smaller than any raw `.bin`, but the reduced copies fit.
    let options = ReadOptions {
        max_total_kept: 5_000,
        ..ReadOptions::default()
    };
    let view = read_target(&target, &options, &FirstBytes).unwrap();
    let files: Vec<(&str, usize)> = view
        .files()
        .map(|f| (f.path.as_str(), f.bytes.len()))
        .collect();
    assert_eq!(files, [("a.bin", 4), ("c.txt", 3_000)]);
    assert!(view.warnings().is_empty(), "{:?}", view.warnings());
}
