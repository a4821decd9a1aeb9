//! Builds container images in tests: layer tars with raw (even hostile) member names, gzip and
//! zstd compression, docker-archive tarballs and OCI layouts (directory or tar). Nothing binary
//! is committed; every image is written here.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// One member of a layer tar.
#[derive(Debug, Clone)]
pub(crate) enum Member {
    File(&'static str, Vec<u8>),
    RawFile(Vec<u8>, Vec<u8>),
    Dir(&'static str),
    Symlink(&'static str, &'static str),
    Hardlink(&'static str, &'static str),
}

pub(crate) fn file(name: &'static str, text: &str) -> Member {
    Member::File(name, text.as_bytes().to_vec())
}

fn raw_header(name: &[u8], kind: tar::EntryType, size: u64, link: Option<&[u8]>) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    let old = header.as_old_mut();
    old.name[..name.len()].copy_from_slice(name);
    if let Some(link) = link {
        old.linkname[..link.len()].copy_from_slice(link);
    }
    header.set_cksum();
    header
}

/// An uncompressed layer tar; member names are written byte for byte.
pub(crate) fn layer(members: &[Member]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for member in members {
        match member {
            Member::File(name, bytes) => {
                let header = raw_header(
                    name.as_bytes(),
                    tar::EntryType::Regular,
                    bytes.len() as u64,
                    None,
                );
                builder.append(&header, bytes.as_slice()).unwrap();
            }
            Member::RawFile(name, bytes) => {
                let header = raw_header(name, tar::EntryType::Regular, bytes.len() as u64, None);
                builder.append(&header, bytes.as_slice()).unwrap();
            }
            Member::Dir(name) => {
                let header = raw_header(name.as_bytes(), tar::EntryType::Directory, 0, None);
                builder.append(&header, std::io::empty()).unwrap();
            }
            Member::Symlink(name, target) => {
                let header = raw_header(
                    name.as_bytes(),
                    tar::EntryType::Symlink,
                    0,
                    Some(target.as_bytes()),
                );
                builder.append(&header, std::io::empty()).unwrap();
            }
            Member::Hardlink(name, target) => {
                let header = raw_header(
                    name.as_bytes(),
                    tar::EntryType::Link,
                    0,
                    Some(target.as_bytes()),
                );
                builder.append(&header, std::io::empty()).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

pub(crate) fn compress(tar: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::None => tar.to_vec(),
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(tar).unwrap();
            encoder.finish().unwrap()
        }
        Compression::Zstd => zstd::encode_all(tar, 3).unwrap(),
    }
}

/// An image: uncompressed layer tars, each with its compression, and history steps
/// (`created_by`, `empty_layer`).
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub(crate) layers: Vec<(Vec<u8>, Compression)>,
    pub(crate) history: Vec<(&'static str, bool)>,
    pub(crate) architecture: &'static str,
    pub(crate) os: &'static str,
    /// Replace `rootfs.diff_ids[i]` with a wrong digest.
    pub(crate) wrong_diff_id: Option<usize>,
}

impl Image {
    pub(crate) fn new(layers: Vec<(Vec<u8>, Compression)>) -> Self {
        Self {
            layers,
            history: Vec::new(),
            architecture: "amd64",
            os: "linux",
            wrong_diff_id: None,
        }
    }

    pub(crate) fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|(tar, _)| sha256(tar)).collect()
    }

    pub(crate) fn config(&self) -> Vec<u8> {
        let mut diff_ids = self.diff_ids();
        if let Some(index) = self.wrong_diff_id {
            diff_ids[index] = sha256(b"not this layer");
        }
        let history: Vec<Value> = self
            .history
            .iter()
            .map(|(step, empty)| {
                if *empty {
                    json!({"created_by": step, "empty_layer": true})
                } else {
                    json!({"created_by": step})
                }
            })
            .collect();
        let mut config = json!({
            "architecture": self.architecture,
            "os": self.os,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        if !history.is_empty() {
            config["history"] = Value::Array(history);
        }
        serde_json::to_vec(&config).unwrap()
    }
}

/// Writes a tar of `(name, bytes)` members.
pub(crate) fn write_tar(path: &Path, members: &[(String, Vec<u8>)]) {
    let mut builder = tar::Builder::new(fs_err::File::create(path).unwrap());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    builder.finish().unwrap();
}

/// Writes a docker-archive holding `images` with their tags; `dot` prefixes every member with
/// `./`. Returns the config digests.
pub(crate) fn docker_archive(path: &Path, images: &[(&Image, &[&str])], dot: bool) -> Vec<String> {
    let prefix = if dot { "./" } else { "" };
    let mut members = Vec::new();
    let mut manifest = Vec::new();
    let mut digests = Vec::new();
    for (image, tags) in images {
        let mut layer_names = Vec::new();
        for (tar, compression) in &image.layers {
            let blob = compress(tar, *compression);
            let name = format!("{}/layer.tar", &sha256(&blob)[7..]);
            members.push((format!("{prefix}{name}"), blob));
            layer_names.push(name);
        }
        let config = image.config();
        let digest = sha256(&config);
        let config_name = format!("{}.json", &digest[7..]);
        members.push((format!("{prefix}{config_name}"), config));
        digests.push(digest);
        manifest.push(json!({"Config": config_name, "RepoTags": tags, "Layers": layer_names}));
    }
    members.push((
        format!("{prefix}manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    ));
    write_tar(path, &members);
    digests
}

/// An OCI layout being built.
#[derive(Debug, Default)]
pub(crate) struct Oci {
    pub(crate) blobs: BTreeMap<String, Vec<u8>>,
    pub(crate) top: Vec<Value>,
}

pub(crate) const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";

impl Oci {
    /// Stores a blob under its digest; returns a descriptor.
    pub(crate) fn blob(&mut self, media_type: &str, bytes: Vec<u8>) -> Value {
        let digest = sha256(&bytes);
        let descriptor = json!({"mediaType": media_type, "digest": digest, "size": bytes.len()});
        self.blobs.insert(digest, bytes);
        descriptor
    }

    /// Stores `bytes` under a digest that is not theirs.
    pub(crate) fn blob_as(&mut self, media_type: &str, bytes: Vec<u8>, digest: &str) -> Value {
        let descriptor = json!({"mediaType": media_type, "digest": digest, "size": bytes.len()});
        self.blobs.insert(digest.to_owned(), bytes);
        descriptor
    }

    /// Adds an image; returns its manifest descriptor. `lie_about_layer` stores that layer
    /// under a wrong digest.
    pub(crate) fn image(&mut self, image: &Image, lie_about_layer: Option<usize>) -> Value {
        let config = self.blob("application/vnd.oci.image.config.v1+json", image.config());
        let mut layers = Vec::new();
        for (index, (tar, compression)) in image.layers.iter().enumerate() {
            let media_type = match compression {
                Compression::None => "application/vnd.oci.image.layer.v1.tar",
                Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            };
            let blob = compress(tar, *compression);
            layers.push(if lie_about_layer == Some(index) {
                self.blob_as(media_type, blob, &sha256(b"a different layer"))
            } else {
                self.blob(media_type, blob)
            });
        }
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": config,
            "layers": layers,
        });
        self.blob(MANIFEST_TYPE, serde_json::to_vec(&manifest).unwrap())
    }

    /// Adds an index of `manifests`; returns its descriptor.
    pub(crate) fn index(&mut self, manifests: Vec<Value>) -> Value {
        let index = json!({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": manifests});
        self.blob(INDEX_TYPE, serde_json::to_vec(&index).unwrap())
    }

    fn members(&self) -> Vec<(String, Vec<u8>)> {
        let index = json!({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": self.top});
        let mut members = vec![
            (
                "oci-layout".to_owned(),
                br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
            ),
            ("index.json".to_owned(), serde_json::to_vec(&index).unwrap()),
        ];
        for (digest, bytes) in &self.blobs {
            members.push((format!("blobs/sha256/{}", &digest[7..]), bytes.clone()));
        }
        members
    }

    pub(crate) fn write_dir(&self, dir: &Path) {
        for (name, bytes) in self.members() {
            let path = dir.join(name);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, bytes).unwrap();
        }
    }

    pub(crate) fn write_tar(&self, path: &Path) {
        write_tar(path, &self.members());
    }
}

/// Sets `annotations` on a descriptor.
pub(crate) fn annotate(mut descriptor: Value, key: &str, value: &str) -> Value {
    descriptor["annotations"] = json!({ key: value });
    descriptor
}

/// Sets `platform` on a descriptor.
pub(crate) fn on_platform(
    mut descriptor: Value,
    os: &str,
    architecture: &str,
    variant: Option<&str>,
) -> Value {
    descriptor["platform"] = match variant {
        Some(variant) => json!({"os": os, "architecture": architecture, "variant": variant}),
        None => json!({"os": os, "architecture": architecture}),
    };
    descriptor
}
