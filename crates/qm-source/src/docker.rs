//! docker-archive tarballs as `docker save` and `skopeo copy … docker-archive:` write them:
//! `manifest.json` (a list of `{Config, RepoTags, Layers}`), the config JSON and one tar per
//! layer, uncompressed or gzip.
//!
//! Surprises: the only digests are the config's `rootfs.diff_ids`, which hash the uncompressed
//! layer, so that is what is checked; the config's file name is its own digest (`<hex>.json` or
//! `blobs/sha256/<hex>`), checked too when it has that shape; several images can share one
//! archive, chosen by a tag from `RepoTags` (`alpine:3.19`, or just `3.19`) or by config digest.

use std::path::Path;

use serde::Deserialize;

use crate::claims::Claims;
use crate::error::SourceError;
use crate::image::{
    Config, PlannedImage, PlannedLayer, parse_json, sha256_digest, sha256_hex, walk,
};
use crate::options::ReadOptions;
use crate::store::Store;
use crate::target::ImageRef;
use crate::view::FileView;

const MANIFEST: &str = "manifest.json";

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Reads a docker-archive.
pub(crate) fn read(
    path: &Path,
    reference: Option<&ImageRef>,
    options: &ReadOptions,
    wants: &dyn Claims,
) -> Result<FileView, SourceError> {
    let store = Store::tar(path)?;
    let manifest: Vec<ManifestEntry> = parse_json(&store, MANIFEST, &store.read_small(MANIFEST)?)?;
    let entry = choose(&store, manifest, reference)?;
    let config_bytes = store.read_small(&entry.config)?;
    let config_digest = sha256_digest(&config_bytes);
    if let Some(named) = digest_in_name(&entry.config)
        && named != config_digest
    {
        return Err(SourceError::DigestMismatch {
            image: store.name(),
            object: entry.config.clone(),
            expected: named,
            actual: config_digest,
        });
    }
    let config: Config = parse_json(&store, &entry.config, &config_bytes)?;
    let image = PlannedImage {
        config,
        config_digest,
        manifest_digest: None,
        repo_tags: entry.repo_tags.unwrap_or_default(),
        layers: entry
            .layers
            .into_iter()
            .map(|member| PlannedLayer {
                member,
                blob_digest: None,
                blob_size: None,
            })
            .collect(),
        require_diff_ids: true,
    };
    walk(&store, image, options, wants)
}

/// The digest a config's member name spells, if it has the shape of one.
fn digest_in_name(member: &str) -> Option<String> {
    let file = member.rsplit('/').next()?;
    let hex = file.strip_suffix(".json").unwrap_or(file);
    let digest = format!("sha256:{hex}");
    sha256_hex(&digest).is_some().then_some(digest)
}

fn tag_matches(tags: &[String], wanted: &str) -> bool {
    tags.iter().any(|tag| {
        tag == wanted
            || tag.rsplit_once(':').is_some_and(|(repository, version)| {
                version == wanted || (repository == wanted && version == "latest")
            })
    })
}

fn choose(
    store: &Store,
    manifest: Vec<ManifestEntry>,
    reference: Option<&ImageRef>,
) -> Result<ManifestEntry, SourceError> {
    let available = manifest
        .iter()
        .map(|entry| match &entry.repo_tags {
            Some(tags) if !tags.is_empty() => tags.join(" "),
            _ => entry.config.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut chosen: Vec<ManifestEntry> = match reference {
        None => manifest,
        Some(ImageRef::Tag(tag)) => manifest
            .into_iter()
            .filter(|entry| tag_matches(entry.repo_tags.as_deref().unwrap_or_default(), tag))
            .collect(),
        Some(ImageRef::Digest(digest)) => {
            let mut found = Vec::new();
            for entry in manifest {
                let bytes = store.read_small(&entry.config)?;
                if sha256_digest(&bytes) == *digest {
                    found.push(entry);
                }
            }
            found
        }
    };
    match (chosen.len(), reference) {
        (1, _) => chosen.pop().ok_or_else(|| unreachable_empty(store)),
        (0, None) => Err(SourceError::Malformed {
            image: store.name(),
            reason: format!("`{MANIFEST}` lists no image"),
        }),
        (0, Some(reference)) => Err(SourceError::ImageNotFound {
            image: store.name(),
            reference: reference.to_string(),
            available,
        }),
        _ => Err(SourceError::AmbiguousImage {
            image: store.name(),
            available,
        }),
    }
}

fn unreachable_empty(store: &Store) -> SourceError {
    SourceError::Malformed {
        image: store.name(),
        reason: format!("`{MANIFEST}` lists no image"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_whole_or_by_version() {
        let tags = vec![
            "docker.io/library/alpine:3.19".to_owned(),
            "busybox:latest".to_owned(),
        ];
        for (wanted, ok) in [
            ("docker.io/library/alpine:3.19", true),
            ("3.19", true),
            ("busybox", true),
            ("alpine", false),
            ("3.18", false),
        ] {
            assert_eq!(tag_matches(&tags, wanted), ok, "{wanted}");
        }
    }

    #[test]
    fn config_names_spell_their_digest() {
        let hex = "0".repeat(64);
        assert_eq!(
            digest_in_name(&format!("{hex}.json")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_in_name(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_in_name("config.json"), None);
    }
}
