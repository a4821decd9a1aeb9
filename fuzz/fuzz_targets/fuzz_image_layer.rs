//! One hostile image layer through `qm_source::read_target`: the input is the top layer (tar,
//! gzip or zstd, told apart by the reader) of a docker-archive built around it
//! (`qm_fuzz::image::docker_archive`) above a fixed base layer (`qm_fuzz::image::base_layer`:
//! release files, a dpkg status, an apk database, a jar, symbolic and hard links), read with
//! small limits (`qm_fuzz::image::options`) and claims that keep every file and reduce `*.jar`.
//!
//! The config's `rootfs.diff_ids` entry for the input is its SHA-256, so a plain tar passes
//! the digest check and its view is returned. A compressed layer's diff id is the digest of
//! the decompressed stream, which the harness does not compute itself: the reader reports it in
//! its `DigestMismatch` error, and the image is built again with it.
//!
//! Asserted:
//! - no panic; the metadata is valid, so a read fails only because of the input's layer (too
//!   large, truncated, unreadable), naming layer 1, or with a digest mismatch on it only when
//!   the input is compressed and only the first time; the digest the reader reports makes the
//!   second read pass its check;
//! - a view passes `qm_fuzz::image::check_view` (kept bytes under the limits, normalised
//!   paths, links resolved to files of the view, layers the image lists);
//! - the image is the one built: tag `fuzz:latest`, two layers with the diff ids given and
//!   their history steps;
//! - a base file that the view says comes from layer 0 has the base layer's contents (reduced
//!   for `*.jar`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_fuzz::image::{
    BASE_FILES, REDUCED_BYTES, TAG, base_layer, check_view, docker_archive, read_docker_archive,
    sha256_digest,
};
use qm_source::{FileView, SourceError};

/// The layer member the input is stored as (`docker_archive` names layer `i` `i/layer.tar`).
const INPUT_LAYER: &str = "1/layer.tar";

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

fn read(input: &[u8], diff_id: &str) -> Result<FileView, SourceError> {
    let base = base_layer();
    let base_id = sha256_digest(base);
    match docker_archive(&[(base, &base_id), (input, diff_id)]) {
        Ok(archive) => read_docker_archive(&archive),
        Err(error) => panic!("cannot build the docker-archive: {error}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let compressed = data.starts_with(GZIP_MAGIC) || data.starts_with(ZSTD_MAGIC);
    let mut diff_id = sha256_digest(data);
    let result = match read(data, &diff_id) {
        Err(SourceError::DigestMismatch { object, actual, .. })
            if compressed && object.starts_with(INPUT_LAYER) =>
        {
            diff_id = actual;
            read(data, &diff_id)
        }
        other => other,
    };
    let view = match result {
        Ok(view) => view,
        Err(
            SourceError::LayerTooLarge { index, .. }
            | SourceError::LayerTruncated { index, .. }
            | SourceError::LayerRead { index, .. },
        ) => {
            assert_eq!(index, 1, "the base layer failed");
            return;
        }
        Err(error) => panic!("the metadata is valid and the digests right, yet: {error:?}"),
    };
    check_view(&view);

    let Some(image) = view.image() else {
        panic!("a docker-archive view without image information");
    };
    assert_eq!(image.repo_tags, [TAG]);
    let layers: Vec<(&str, usize, Option<&str>)> = image
        .layers
        .iter()
        .map(|layer| {
            (
                layer.digest.as_str(),
                layer.index,
                layer.created_by.as_deref(),
            )
        })
        .collect();
    let base_id = sha256_digest(base_layer());
    assert_eq!(
        layers,
        [
            (base_id.as_str(), 0, Some("layer 0")),
            (diff_id.as_str(), 1, Some("layer 1")),
        ],
        "the image's layers are not the ones built"
    );

    for (path, contents) in BASE_FILES {
        let Some(file) = view.get(path) else {
            continue;
        };
        if file.resolved_from.is_some() || file.layer.as_ref().map(|layer| layer.index) != Some(0) {
            continue;
        }
        let expected = if path.ends_with(".jar") {
            contents.get(..REDUCED_BYTES).unwrap_or(contents)
        } else {
            contents
        };
        assert_eq!(
            file.bytes, expected,
            "`{path}` comes from the base layer with other contents"
        );
    }
});
