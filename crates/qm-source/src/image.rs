//! What docker-archive and OCI images share: the image config, and walking the layers bottom to
//! top with digest checks against the config's `rootfs.diff_ids` and the manifest's blob
//! descriptors.
//!
//! Surprises: `history` has entries for steps that wrote no layer (`empty_layer: true`), so the
//! build step of layer N is the N-th history entry that is not empty; when the counts disagree no
//! step is attached rather than a wrong one. A digest names its algorithm; only `sha256` is
//! accepted, and its hex is checked before it is ever used as a path.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::claims::Claims;
use crate::error::SourceError;
use crate::layer::{LayerContext, apply_layer};
use crate::options::ReadOptions;
use crate::store::Store;
use crate::tree::Tree;
use crate::view::{FileView, ImageInfo, LayerInfo, WarningKind};

const SHA256_PREFIX: &str = "sha256:";
const SHA256_HEX_LENGTH: usize = 64;

/// The parts of an image config read here.
#[derive(Debug, Deserialize)]
pub(crate) struct Config {
    pub(crate) architecture: Option<String>,
    pub(crate) os: Option<String>,
    pub(crate) variant: Option<String>,
    pub(crate) rootfs: Option<RootFs>,
    #[serde(default)]
    pub(crate) history: Option<Vec<History>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub(crate) diff_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct History {
    pub(crate) created_by: Option<String>,
    #[serde(default)]
    pub(crate) empty_layer: bool,
}

/// One layer to read.
pub(crate) struct PlannedLayer {
    /// Member or blob path.
    pub(crate) member: String,
    /// OCI descriptor digest (compressed).
    pub(crate) blob_digest: Option<String>,
    /// OCI descriptor size.
    pub(crate) blob_size: Option<u64>,
}

/// An image ready to walk.
pub(crate) struct PlannedImage {
    pub(crate) config: Config,
    pub(crate) config_digest: String,
    pub(crate) manifest_digest: Option<String>,
    pub(crate) repo_tags: Vec<String>,
    pub(crate) layers: Vec<PlannedLayer>,
    /// Whether the config must list a diff id per layer (docker-archive, where it is the only
    /// check).
    pub(crate) require_diff_ids: bool,
}

/// `sha256:` and the lower-case hex of `bytes`' SHA-256.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("{SHA256_PREFIX}{}", hex::encode(Sha256::digest(bytes)))
}

/// The hex part of a valid `sha256:` digest.
pub(crate) fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix(SHA256_PREFIX)?;
    let valid = hex.len() == SHA256_HEX_LENGTH
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    valid.then_some(hex)
}

/// Parses a JSON member.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    store: &Store,
    member: &str,
    bytes: &[u8],
) -> Result<T, SourceError> {
    serde_json::from_slice(bytes).map_err(|source| SourceError::Metadata {
        image: store.name(),
        member: member.to_owned(),
        source,
    })
}

/// Walks the layers of `image` bottom to top into a view.
pub(crate) fn walk(
    store: &Store,
    image: PlannedImage,
    options: &ReadOptions,
    wants: &dyn Claims,
) -> Result<FileView, SourceError> {
    let name = store.name();
    let diff_ids: &[String] = image
        .config
        .rootfs
        .as_ref()
        .map_or(&[], |rootfs| rootfs.diff_ids.as_slice());
    if (image.require_diff_ids || !diff_ids.is_empty()) && diff_ids.len() != image.layers.len() {
        return Err(SourceError::Malformed {
            image: name,
            reason: format!(
                "the manifest lists {} layers but the config's `rootfs.diff_ids` has {}",
                image.layers.len(),
                diff_ids.len()
            ),
        });
    }
    let steps: Vec<Option<String>> = image
        .config
        .history
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|step| !step.empty_layer)
        .map(|step| step.created_by.clone())
        .collect();
    let steps_match = steps.len() == image.layers.len();
    let mut tree = Tree::new(options, true);
    let mut infos = Vec::with_capacity(image.layers.len());
    for (index, layer) in image.layers.iter().enumerate() {
        let expected_diff_id = diff_ids.get(index);
        let label = expected_diff_id
            .or(layer.blob_digest.as_ref())
            .map_or(layer.member.as_str(), String::as_str);
        let context = LayerContext {
            image: &name,
            member: &layer.member,
            label,
            index,
            expected_size: layer.blob_size,
        };
        let (reader, _) = store.open(&layer.member)?;
        let digests = apply_layer(
            reader,
            &context,
            options.max_layer_uncompressed,
            &mut tree,
            wants,
        )?;
        if let Some(expected) = &layer.blob_digest
            && *expected != digests.compressed
        {
            return Err(SourceError::DigestMismatch {
                image: name,
                object: layer.member.clone(),
                expected: expected.clone(),
                actual: digests.compressed,
            });
        }
        if let Some(expected) = expected_diff_id
            && *expected != digests.uncompressed
        {
            return Err(SourceError::DigestMismatch {
                image: name,
                object: format!(
                    "{} (uncompressed, `rootfs.diff_ids[{index}]`)",
                    layer.member
                ),
                expected: expected.clone(),
                actual: digests.uncompressed,
            });
        }
        if digests.incomplete {
            tree.warnings.push(
                WarningKind::Unreadable,
                &layer.member,
                Some(label),
                "the layer's tar stream ends without its end-of-archive marker or inside its \
                 last file; read as far as it goes",
            );
        }
        infos.push(LayerInfo {
            digest: digests.uncompressed,
            blob_digest: layer.blob_digest.clone(),
            index,
            created_by: if steps_match {
                steps.get(index).cloned().flatten()
            } else {
                None
            },
        });
    }
    let info = ImageInfo {
        config_digest: image.config_digest,
        manifest_digest: image.manifest_digest,
        repo_tags: image.repo_tags,
        os: image.config.os,
        architecture: image.config.architecture,
        variant: image.config.variant,
        layers: infos,
    };
    Ok(tree.finish(wants, Some(info)))
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn only_well_formed_sha256_digests_name_blobs() {
        let good = format!("sha256:{}", "a".repeat(64));
        let cases = [
            (good.as_str(), true),
            ("sha256:../../etc/passwd", false),
            ("sha512:abcd", false),
            ("sha256:ABCDEF", false),
        ];
        for (digest, ok) in cases {
            assert_eq!(sha256_hex(digest).is_some(), ok, "{digest}");
        }
    }
}
