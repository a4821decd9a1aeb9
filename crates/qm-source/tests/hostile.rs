//! Hostile and broken images: escaping names and links, loops, bombs, truncation, huge files,
//! non-UTF-8 names. Each gives the documented warning or error, never a panic.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;

use common::{Compression, Image, Member, Oci, docker_archive, file, layer};
use qm_source::{FileView, ReadOptions, SourceError, Target, WarningKind, read_target};

fn everything(_: &str) -> bool {
    true
}

fn read_docker(dir: &Path, image: &Image, options: &ReadOptions) -> Result<FileView, SourceError> {
    let path = dir.join("image.tar");
    docker_archive(&path, &[(image, &["hostile:1"])], false);
    read_target(
        &Target::parse(path.to_str().unwrap()).unwrap(),
        options,
        &everything,
    )
}

fn kinds(view: &FileView) -> Vec<(WarningKind, String)> {
    view.warnings()
        .iter()
        .map(|w| (w.kind, w.path.clone()))
        .collect()
}

#[test]
fn escaping_names_and_links_are_warnings_naming_the_member() {
    let temp = tempfile::tempdir().unwrap();
    let base = layer(&[
        file("etc/passwd", "root:x:0:0"),
        file("usr/lib/os-release", "ID=debian"),
        Member::Symlink("etc/os-release", "../usr/lib/os-release"),
        Member::Symlink("etc/absolute", "/usr/lib/os-release"),
        Member::Symlink("usr/lib64", "lib"),
        Member::Symlink("etc/through-dir", "/usr/lib64/os-release"),
    ]);
    let hostile = layer(&[
        file("../etc/passwd", "pwned"),
        file("/abs/file", "absolute"),
        Member::Symlink("etc/escape", "../../etc/shadow"),
        Member::Hardlink("etc/hard", "../../etc/shadow"),
        Member::Hardlink("etc/passwd-copy", "etc/passwd"),
        Member::Symlink("etc/loop1", "loop2"),
        Member::Symlink("etc/loop2", "/etc/loop1"),
        Member::RawFile(b"etc/caf\xe9".to_vec(), b"latin-1 name".to_vec()),
        Member::Symlink("etc/dangling", "nowhere"),
    ]);
    let image = Image::new(vec![
        (base, Compression::None),
        (hostile, Compression::Gzip),
    ]);
    let view = read_docker(temp.path(), &image, &ReadOptions::default()).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "abs/file",
            "etc/absolute",
            "etc/os-release",
            "etc/passwd",
            "etc/passwd-copy",
            "etc/through-dir",
            "usr/lib/os-release",
        ]
    );
    assert_eq!(view.get("etc/passwd").unwrap().bytes, b"root:x:0:0");
    let resolved = view.get("etc/through-dir").unwrap();
    assert_eq!(
        resolved.resolved_from.as_deref(),
        Some("usr/lib/os-release")
    );
    assert_eq!(resolved.bytes, b"ID=debian");
    assert_eq!(resolved.layer.as_ref().unwrap().index, 0);
    let mut got = kinds(&view);
    got.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        got,
        [
            (WarningKind::UnsafePath, "../etc/passwd".to_owned()),
            (WarningKind::AbsolutePath, "abs/file".to_owned()),
            (WarningKind::NonUtf8Name, "etc/caf\u{fffd}".to_owned()),
            (WarningKind::SymlinkTarget, "etc/dangling".to_owned()),
            (WarningKind::SymlinkEscape, "etc/escape".to_owned()),
            (WarningKind::HardlinkTarget, "etc/hard".to_owned()),
            (WarningKind::SymlinkLoop, "etc/loop1".to_owned()),
            (WarningKind::SymlinkLoop, "etc/loop2".to_owned()),
        ]
    );
    let layer_digest = image.diff_ids()[1].clone();
    let unsafe_warning = &view.warnings()[0];
    assert_eq!(unsafe_warning.layer.as_deref(), Some(layer_digest.as_str()));
    assert!(
        unsafe_warning.to_string().contains("`../etc/passwd`"),
        "{unsafe_warning}"
    );
}

#[test]
fn decompression_bomb_stops_at_the_layer_limit() {
    let temp = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 8 * 1024 * 1024];
    for compression in [Compression::Gzip, Compression::Zstd] {
        let bomb = layer(&[Member::File("zeros", zeros.clone())]);
        let blob_size = common::compress(&bomb, compression).len();
        assert!(blob_size < 64 * 1024, "{blob_size}");
        let image = Image::new(vec![(bomb, compression)]);
        let options = ReadOptions {
            max_layer_uncompressed: 1024 * 1024,
            ..ReadOptions::default()
        };
        let error = read_docker(temp.path(), &image, &options).unwrap_err();
        assert!(
            matches!(
                error,
                SourceError::LayerTooLarge {
                    index: 0,
                    limit: 1_048_576,
                    ..
                }
            ),
            "{error}"
        );
    }
}

#[test]
fn huge_files_and_the_total_limit_become_warnings() {
    let temp = tempfile::tempdir().unwrap();
    let image = Image::new(vec![
        (
            layer(&[
                Member::File("big", vec![1; 5000]),
                Member::File("a", vec![2; 900]),
                Member::File("b", vec![3; 900]),
            ]),
            Compression::Gzip,
        ),
        // A later layer adds a small file that still fits after `b` was refused.
        (layer(&[Member::File("c", vec![4; 100])]), Compression::None),
    ]);
    let options = ReadOptions {
        max_file_size: 1000,
        max_total_kept: 1500,
        ..ReadOptions::default()
    };
    let view = read_docker(temp.path(), &image, &options).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["a", "c"]);
    assert_eq!(
        kinds(&view),
        [
            (WarningKind::FileTooLarge, "big".to_owned()),
            (WarningKind::TotalLimit, "b".to_owned())
        ]
    );
}

#[test]
fn truncated_layers_are_errors() {
    let temp = tempfile::tempdir().unwrap();
    let full = layer(&[
        Member::File("etc/os-release", vec![b'x'; 4096]),
        file("etc/more", "m"),
    ]);
    // docker-archive: the layer tar stops in the middle of a file's data.
    let cut = full[..2048].to_vec();
    let image = Image::new(vec![(cut, Compression::None)]);
    let error = read_docker(temp.path(), &image, &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(error, SourceError::LayerTruncated { .. }),
        "{error}"
    );

    // OCI: a gzip blob cut short, descriptor still naming the full blob.
    let mut oci = Oci::default();
    let image = Image::new(vec![(full, Compression::Gzip)]);
    let manifest = oci.image(&image, None);
    oci.top.push(manifest);
    let dir = temp.path().join("layout");
    oci.write_dir(&dir);
    let layer_digest = {
        let blob = common::compress(&image.layers[0].0, Compression::Gzip);
        common::sha256(&blob)
    };
    let blob_path = dir.join("blobs/sha256").join(&layer_digest[7..]);
    let bytes = fs_err::read(&blob_path).unwrap();
    fs_err::write(&blob_path, &bytes[..bytes.len() / 2]).unwrap();
    let error = read_target(
        &Target::parse(dir.to_str().unwrap()).unwrap(),
        &ReadOptions::default(),
        &everything,
    )
    .unwrap_err();
    assert!(
        matches!(error, SourceError::LayerTruncated { index: 0, .. }),
        "{error}"
    );
}

#[test]
fn layers_without_an_end_of_archive_marker_are_read_with_a_warning() {
    // `umoci insert` writes layers that stop after the last member's data: no padding, no
    // end-of-archive blocks. The digests match, no claimed file is cut: read it, and say so.
    let temp = tempfile::tempdir().unwrap();
    let full = layer(&[
        file("etc/os-release", "ID=debian\n"),
        file("etc/unclaimed", "u"),
    ]);
    // Two 512-byte headers, one data block each, then 1024 bytes of end-of-archive zeros;
    // keep the last member's single data byte and drop its padding and the marker.
    let cut = full[..512 * 3 + 1].to_vec();
    let image = Image::new(vec![(cut, Compression::None)]);
    let path = temp.path().join("image.tar");
    docker_archive(&path, &[(&image, &["partial:1"])], false);
    let wants = |path: &str| path == "etc/os-release";
    let view = read_target(
        &Target::parse(path.to_str().unwrap()).unwrap(),
        &ReadOptions::default(),
        &wants,
    )
    .unwrap();
    assert_eq!(view.get("etc/os-release").unwrap().bytes, b"ID=debian\n");
    assert_eq!(view.warnings().len(), 1, "{:?}", view.warnings());
    assert!(view.warnings()[0].detail.contains("end-of-archive"));
}

#[test]
fn compressed_outer_archives_are_refused_with_a_hint() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("image.tar");
    docker_archive(
        &path,
        &[(&Image::new(vec![(layer(&[]), Compression::None)]), &["x:1"])],
        false,
    );
    let gz = temp.path().join("image.tar.gz");
    fs_err::write(
        &gz,
        common::compress(&fs_err::read(&path).unwrap(), Compression::Gzip),
    )
    .unwrap();
    let error = Target::parse(gz.to_str().unwrap()).unwrap_err();
    assert!(
        matches!(error, SourceError::CompressedArchive { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("decompress it first"), "{error}");
}
