//! Property tests: arbitrary bytes as a docker-archive, as an OCI archive, and as a layer inside a
//! well-formed docker-archive (plain and behind a gzip or zstd magic) give a view or an error,
//! never a panic.

mod common;

use common::{sha256, write_tar};
use proptest::prelude::*;
use qm_source::{ReadOptions, Target, read_target};
use serde_json::json;

fn small_limits() -> ReadOptions {
    ReadOptions {
        max_file_size: 4096,
        max_total_kept: 16 * 1024,
        max_layer_uncompressed: 1024 * 1024,
        ..ReadOptions::default()
    }
}

fn everything(_: &str) -> bool {
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_as_an_archive_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("image.tar");
        fs_err::write(&path, &bytes).unwrap();
        for prefix in ["docker-archive:", "oci-archive:", ""] {
            let Ok(target) = Target::parse(&format!("{prefix}{}", path.display())) else {
                continue;
            };
            let _ = read_target(&target, &small_limits(), &everything);
        }
    }

    #[test]
    fn arbitrary_layers_never_panic(
        head in prop_oneof![Just(vec![]), Just(vec![0x1f, 0x8b, 8, 0]), Just(vec![0x28, 0xb5, 0x2f, 0xfd])],
        body in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("image.tar");
        let layer = [head, body].concat();
        let config = serde_json::to_vec(&json!({"rootfs": {"type": "layers", "diff_ids": [sha256(&layer)]}})).unwrap();
        let manifest = serde_json::to_vec(&json!([{"Config": "config.json", "RepoTags": [], "Layers": ["layer.tar"]}])).unwrap();
        write_tar(&path, &[
            ("layer.tar".to_owned(), layer),
            ("config.json".to_owned(), config),
            ("manifest.json".to_owned(), manifest),
        ]);
        let target = Target::parse(path.to_str().unwrap()).unwrap();
        let _ = read_target(&target, &small_limits(), &everything);
    }
}
