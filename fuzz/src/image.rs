//! What the `qm-source` targets (`fuzz_image_layer`, `fuzz_image_archive`) share: small read
//! limits, claims that keep everything (and reduce `*.jar`), a fixed base layer, docker-archives
//! built around a layer with the digests that make it walk, a temporary file to read them from,
//! and the checks a [`FileView`] must pass.
//!
//! `qm-source` reads targets from disk only, so each input is written to a file under the
//! temporary directory (`$TMPDIR`; point it at a tmpfs such as `/dev/shm` for speed), named
//! after the process so that parallel jobs do not meet, and removed after the read.
//!
//! [`check_view`] asserts, for any view a read returns:
//! - the kept bytes stay under [`ReadOptions::max_total_kept`] and each file under
//!   [`ReadOptions::max_file_size`], and the warnings under [`MAX_WARNINGS`] plus the one that
//!   counts the rest;
//! - every path is normalised (not empty, no leading `/`, no empty, `.` or `..` component) and
//!   finds its own file through [`FileView::get`];
//! - a file's layer is one of the image's layers, as the image lists it;
//! - a file reached through a symbolic link names the file it resolved to, which is in the
//!   view with the same bytes and layer;
//! - every warning says something.

use std::io;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use qm_source::{Claims, FileView, MAX_WARNINGS, ReadOptions, SourceError, Target, read_target};
use sha2::{Digest, Sha256};
use tar::{Builder, EntryType, Header};

/// Largest claimed file kept: far under what libFuzzer's inputs reach, so the limit is hit.
pub const MAX_FILE_SIZE: u64 = 1024;
/// Largest sum of kept bytes.
pub const MAX_TOTAL_KEPT: u64 = 4096;
/// Largest decompressed layer: a 4 KiB gzip input can expand to several MiB.
pub const MAX_LAYER_UNCOMPRESSED: u64 = 256 * 1024;
/// What a reduced (`*.jar`) file keeps: its first bytes.
pub const REDUCED_BYTES: usize = 8;

/// The tag the built docker-archives give their image.
pub const TAG: &str = "fuzz:latest";

/// The limits every read uses.
pub fn options() -> ReadOptions {
    ReadOptions {
        max_file_size: MAX_FILE_SIZE,
        max_total_kept: MAX_TOTAL_KEPT,
        max_layer_uncompressed: MAX_LAYER_UNCOMPRESSED,
        ..ReadOptions::default()
    }
}

/// Claims every path, and reduces `*.jar` files to their first [`REDUCED_BYTES`] (an empty one
/// is dropped), as the Java cataloger's reducer shrinks archives.
#[derive(Debug, Clone, Copy, Default)]
pub struct Everything;

impl Claims for Everything {
    fn wants(&self, _path: &str) -> bool {
        true
    }

    fn reduces(&self, path: &str) -> bool {
        path.ends_with(".jar")
    }

    fn reduce(&self, _path: &str, mut bytes: Vec<u8>) -> Option<Vec<u8>> {
        if bytes.is_empty() {
            return None;
        }
        bytes.truncate(REDUCED_BYTES);
        Some(bytes)
    }
}

/// The regular files of [`base_layer`], with their contents.
pub const BASE_FILES: &[(&str, &[u8])] = &[
    (
        "usr/lib/os-release",
        b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    ),
    (
        "var/lib/dpkg/status",
        b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n",
    ),
    ("lib/apk/db/installed", b"P:musl\nV:1.2.4-r2\nA:x86_64\n\n"),
    ("usr/share/java/app.jar", b"PK\x03\x04 not really a jar"),
    ("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
];

/// The bottom layer every `fuzz_image_layer` image has below the fuzz input: the
/// [`BASE_FILES`], a directory, `etc/os-release` as a relative link to `usr/lib/os-release`,
/// `lib64` as a link to `lib`, and a hard link to `etc/passwd`. The input's layer can delete,
/// replace or link to them.
pub fn base_layer() -> &'static [u8] {
    static LAYER: LazyLock<Vec<u8>> = LazyLock::new(|| match build_base_layer() {
        Ok(layer) => layer,
        Err(error) => panic!("cannot build the base layer: {error}"),
    });
    &LAYER
}

fn build_base_layer() -> io::Result<Vec<u8>> {
    let mut builder = Builder::new(Vec::new());
    let mut directory = Header::new_gnu();
    directory.set_entry_type(EntryType::Directory);
    directory.set_mode(0o755);
    directory.set_size(0);
    builder.append_data(&mut directory, "etc/", io::empty())?;
    for (path, contents) in BASE_FILES {
        let mut header = Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(u64::try_from(contents.len()).unwrap_or(u64::MAX));
        builder.append_data(&mut header, path, *contents)?;
    }
    for (path, target, kind) in [
        (
            "etc/os-release",
            "../usr/lib/os-release",
            EntryType::Symlink,
        ),
        ("lib64", "lib", EntryType::Symlink),
        ("etc/passwd-", "etc/passwd", EntryType::Link),
    ] {
        let mut header = Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(0o777);
        header.set_size(0);
        builder.append_link(&mut header, path, target)?;
    }
    builder.into_inner()
}

/// `sha256:` and the lower-case hex SHA-256 of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let mut digest = String::from("sha256:");
    for byte in Sha256::digest(bytes) {
        digest.push_str(&format!("{byte:02x}"));
    }
    digest
}

/// A docker-archive of one image tagged [`TAG`] whose layers (bottom first) are `layers`, each
/// with the `rootfs.diff_ids` entry given beside it. The config is named after its own digest,
/// so that check passes too; each layer's history step is `layer <index>`.
pub fn docker_archive(layers: &[(&[u8], &str)]) -> io::Result<Vec<u8>> {
    let diff_ids: Vec<&str> = layers.iter().map(|(_, diff_id)| *diff_id).collect();
    let history: Vec<serde_json::Value> = (0..layers.len())
        .map(|index| serde_json::json!({ "created_by": format!("layer {index}") }))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
        "history": history,
    }))?;
    let config_digest = sha256_digest(&config);
    let config_name = format!("{}.json", config_digest.trim_start_matches("sha256:"));
    let layer_names: Vec<String> = (0..layers.len())
        .map(|index| format!("{index}/layer.tar"))
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name,
        "RepoTags": [TAG],
        "Layers": layer_names,
    }]))?;

    let mut builder = Builder::new(Vec::new());
    let mut add = |name: &str, contents: &[u8]| -> io::Result<()> {
        let mut header = Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(u64::try_from(contents.len()).unwrap_or(u64::MAX));
        builder.append_data(&mut header, name, contents)
    };
    for (name, (layer, _)) in layer_names.iter().zip(layers) {
        add(name, layer)?;
    }
    add(&config_name, &config)?;
    add("manifest.json", &manifest)?;
    builder.into_inner()
}

/// A file under the temporary directory that holds one input while it is read, removed when
/// dropped.
#[derive(Debug)]
pub struct TempArchive {
    path: PathBuf,
}

impl TempArchive {
    /// Writes `bytes` to a fresh file named after `label`, the process and a counter.
    pub fn new(label: &str, bytes: &[u8]) -> io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "qm-fuzz-{label}-{}-{count}.tar",
            std::process::id()
        ));
        fs_err::write(&path, bytes)?;
        Ok(Self { path })
    }

    /// The file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for TempArchive {
    fn drop(&mut self) {
        let _ = fs_err::remove_file(&self.path);
    }
}

/// Reads the docker-archive `archive` with [`options`] and [`Everything`].
pub fn read_docker_archive(archive: &[u8]) -> Result<FileView, SourceError> {
    let file = match TempArchive::new("docker", archive) {
        Ok(file) => file,
        Err(error) => panic!("cannot write the input to a temporary file: {error}"),
    };
    let target = Target::DockerArchive {
        path: file.path().to_path_buf(),
        reference: None,
    };
    read_target(&target, &options(), &Everything)
}

/// Runs the checks in the module doc on a view read with [`options`].
pub fn check_view(view: &FileView) {
    let options = options();
    let mut kept: u64 = 0;
    for file in view.files() {
        let path = &file.path;
        let size = u64::try_from(file.bytes.len()).unwrap_or(u64::MAX);
        kept = kept.saturating_add(size);
        assert!(
            size <= options.max_file_size,
            "`{path}`: {size} bytes kept, over the per-file limit"
        );
        check_normalised(path);
        match view.get(path) {
            Some(found) => assert_eq!(found, file, "`{path}`: `get` finds another file"),
            None => panic!("`{path}`: `get` does not find it"),
        }
        if let (Some(layer), Some(image)) = (&file.layer, view.image()) {
            assert_eq!(
                image.layers.get(layer.index),
                Some(layer),
                "`{path}`: a layer the image does not list"
            );
        }
        if let Some(real) = &file.resolved_from {
            check_normalised(real);
            match view.get(real) {
                Some(target) => {
                    assert_eq!(
                        target.bytes, file.bytes,
                        "`{path}` resolves to `{real}` but holds other bytes"
                    );
                    assert_eq!(
                        target.layer, file.layer,
                        "`{path}` resolves to `{real}` but names another layer"
                    );
                }
                None => panic!("`{path}` resolves to `{real}`, which is not in the view"),
            }
        }
    }
    assert!(
        kept <= options.max_total_kept,
        "{kept} bytes kept, over the {}-byte limit",
        options.max_total_kept
    );
    assert!(
        view.warnings().len() <= MAX_WARNINGS + 1,
        "{} warnings kept",
        view.warnings().len()
    );
    for warning in view.warnings() {
        assert!(
            !warning.detail.trim().is_empty(),
            "a warning that says nothing: {warning:?}"
        );
    }
}

fn check_normalised(path: &str) {
    assert!(
        !path.is_empty() && !path.starts_with('/'),
        "`{path}` is not a normalised path"
    );
    for component in path.split('/') {
        assert!(
            !matches!(component, "" | "." | ".."),
            "`{path}` has a `{component}` component"
        );
    }
}
