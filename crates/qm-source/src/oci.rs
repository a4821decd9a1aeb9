//! OCI image layouts, as a directory or a tar: `oci-layout`, `index.json`, and content-addressed
//! `blobs/sha256/<hex>`.
//!
//! Choosing the image: a tag matches a top-level descriptor's `org.opencontainers.image.ref.name`
//! (or containerd's `io.containerd.image.name`, whole or by its `:tag`); a digest matches a
//! descriptor at the top or one index down. Without a choice, one top-level entry is taken as is
//! and several are told apart by platform. An index is followed down (at most
//! [`MAX_INDEX_DEPTH`] levels) by the requested platform, skipping BuildKit attestation manifests
//! (platform `unknown/unknown`).
//!
//! Surprises: every blob (index, manifest, config, layer) is checked against the digest and size
//! of the descriptor that names it, compressed bytes for layers; media types are not trusted to
//! tell an index from a manifest (Docker's list types exist too), the document's keys decide.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::claims::Claims;
use crate::error::SourceError;
use crate::image::{
    Config, PlannedImage, PlannedLayer, parse_json, sha256_digest, sha256_hex, walk,
};
use crate::options::{MAX_INDEX_DEPTH, Platform, ReadOptions};
use crate::store::Store;
use crate::target::ImageRef;
use crate::view::FileView;

const INDEX: &str = "index.json";
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";
const UNKNOWN: &str = "unknown";

#[derive(Debug, Clone, Deserialize)]
struct Descriptor {
    digest: String,
    size: u64,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    platform: Option<DescriptorPlatform>,
}

#[derive(Debug, Clone, Deserialize)]
struct DescriptorPlatform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// A blob that is either an index or a manifest.
enum Document {
    Index(Index),
    Manifest(Manifest),
}

/// Reads an OCI layout from `store`.
pub(crate) fn read(
    store: &Store,
    reference: Option<&ImageRef>,
    options: &ReadOptions,
    wants: &dyn Claims,
) -> Result<FileView, SourceError> {
    let index: Index = parse_json(store, INDEX, &store.read_small(INDEX)?)?;
    let (top, tags) = choose_top(store, index.manifests, reference, &options.platform)?;
    let (manifest, manifest_digest) = descend(store, &top, &options.platform, 0)?;
    let config_bytes = read_blob(store, &manifest.config)?;
    let config: Config = parse_json(
        store,
        &blob_path(store, &manifest.config.digest)?,
        &config_bytes,
    )?;
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for layer in &manifest.layers {
        layers.push(PlannedLayer {
            member: blob_path(store, &layer.digest)?,
            blob_digest: Some(layer.digest.clone()),
            blob_size: Some(layer.size),
        });
    }
    let image = PlannedImage {
        config,
        config_digest: manifest.config.digest.clone(),
        manifest_digest: Some(manifest_digest),
        repo_tags: tags,
        layers,
        require_diff_ids: false,
    };
    walk(store, image, options, wants)
}

fn blob_path(store: &Store, digest: &str) -> Result<String, SourceError> {
    sha256_hex(digest)
        .map(|hex| format!("blobs/sha256/{hex}"))
        .ok_or_else(|| SourceError::Malformed {
            image: store.name(),
            reason: format!(
                "digest `{digest}` is not a `sha256:` digest of 64 lower-case hex digits"
            ),
        })
}

/// Reads a metadata blob and checks it against its descriptor.
fn read_blob(store: &Store, descriptor: &Descriptor) -> Result<Vec<u8>, SourceError> {
    let member = blob_path(store, &descriptor.digest)?;
    let bytes = store.read_small(&member)?;
    let actual = sha256_digest(&bytes);
    if actual != descriptor.digest {
        return Err(SourceError::DigestMismatch {
            image: store.name(),
            object: member,
            expected: descriptor.digest.clone(),
            actual,
        });
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size != descriptor.size {
        return Err(SourceError::Malformed {
            image: store.name(),
            reason: format!(
                "`{member}` is {size} bytes, its descriptor says {}",
                descriptor.size
            ),
        });
    }
    Ok(bytes)
}

fn read_document(store: &Store, descriptor: &Descriptor) -> Result<Document, SourceError> {
    let bytes = read_blob(store, descriptor)?;
    let member = blob_path(store, &descriptor.digest)?;
    let value: serde_json::Value = parse_json(store, &member, &bytes)?;
    if value.get("manifests").is_some() {
        Ok(Document::Index(parse_json(store, &member, &bytes)?))
    } else {
        Ok(Document::Manifest(parse_json(store, &member, &bytes)?))
    }
}

fn names(descriptor: &Descriptor) -> Vec<String> {
    [REF_NAME, CONTAINERD_NAME]
        .iter()
        .filter_map(|key| descriptor.annotations.get(*key).cloned())
        .collect()
}

fn describe(descriptors: &[Descriptor]) -> String {
    descriptors
        .iter()
        .map(|descriptor| {
            names(descriptor)
                .first()
                .cloned()
                .unwrap_or_else(|| descriptor.digest.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn name_matches(descriptor: &Descriptor, tag: &str) -> bool {
    names(descriptor).iter().any(|name| {
        name == tag
            || name
                .rsplit_once(':')
                .is_some_and(|(_, version)| version == tag)
    })
}

/// Picks the top-level descriptor and the tags it carries.
fn choose_top(
    store: &Store,
    manifests: Vec<Descriptor>,
    reference: Option<&ImageRef>,
    platform: &Platform,
) -> Result<(Descriptor, Vec<String>), SourceError> {
    let available = describe(&manifests);
    let not_found = |reference: &ImageRef| SourceError::ImageNotFound {
        image: store.name(),
        reference: reference.to_string(),
        available: available.clone(),
    };
    let chosen = match reference {
        Some(reference @ ImageRef::Tag(tag)) => {
            let found: Vec<Descriptor> = manifests
                .into_iter()
                .filter(|descriptor| name_matches(descriptor, tag))
                .collect();
            if found.is_empty() {
                return Err(not_found(reference));
            }
            found
        }
        Some(reference @ ImageRef::Digest(digest)) => {
            if let Some(found) = manifests.iter().find(|d| d.digest == *digest) {
                vec![found.clone()]
            } else {
                let mut nested = None;
                for descriptor in &manifests {
                    if let Document::Index(index) = read_document(store, descriptor)?
                        && let Some(found) =
                            index.manifests.into_iter().find(|d| d.digest == *digest)
                    {
                        nested = Some(found);
                        break;
                    }
                }
                vec![nested.ok_or_else(|| not_found(reference))?]
            }
        }
        None => manifests,
    };
    let descriptor = match chosen.as_slice() {
        [] => {
            return Err(SourceError::Malformed {
                image: store.name(),
                reason: format!("`{INDEX}` lists no manifest"),
            });
        }
        [only] => only.clone(),
        several if several.iter().any(|d| d.platform.is_some()) => {
            pick_platform(store, several, platform)?.clone()
        }
        several => {
            return Err(SourceError::AmbiguousImage {
                image: store.name(),
                available: describe(several),
            });
        }
    };
    let tags = names(&descriptor);
    Ok((descriptor, tags))
}

fn is_attestation(descriptor: &Descriptor) -> bool {
    descriptor
        .platform
        .as_ref()
        .is_some_and(|p| p.os == UNKNOWN && p.architecture == UNKNOWN)
        || descriptor
            .annotations
            .get("vnd.docker.reference.type")
            .is_some_and(|kind| kind == "attestation-manifest")
}

fn pick_platform<'d>(
    store: &Store,
    manifests: &'d [Descriptor],
    platform: &Platform,
) -> Result<&'d Descriptor, SourceError> {
    let images: Vec<&Descriptor> = manifests.iter().filter(|d| !is_attestation(d)).collect();
    let matching = images.iter().find(|descriptor| {
        descriptor
            .platform
            .as_ref()
            .is_some_and(|p| platform.accepts(&p.os, &p.architecture, p.variant.as_deref()))
    });
    if let Some(found) = matching {
        return Ok(found);
    }
    if let [only] = images.as_slice()
        && only.platform.is_none()
    {
        return Ok(only);
    }
    let available = images
        .iter()
        .map(|descriptor| match &descriptor.platform {
            Some(p) => match &p.variant {
                Some(variant) => format!("{}/{}/{variant}", p.os, p.architecture),
                None => format!("{}/{}", p.os, p.architecture),
            },
            None => descriptor.digest.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(SourceError::NoMatchingPlatform {
        image: store.name(),
        platform: platform.to_string(),
        available,
    })
}

/// Follows indexes down to a manifest; returns it and its digest.
fn descend(
    store: &Store,
    descriptor: &Descriptor,
    platform: &Platform,
    depth: usize,
) -> Result<(Manifest, String), SourceError> {
    match read_document(store, descriptor)? {
        Document::Manifest(manifest) => Ok((manifest, descriptor.digest.clone())),
        Document::Index(index) => {
            if depth >= MAX_INDEX_DEPTH {
                return Err(SourceError::Malformed {
                    image: store.name(),
                    reason: format!("image indexes nest deeper than {MAX_INDEX_DEPTH} levels"),
                });
            }
            let next = pick_platform(store, &index.manifests, platform)?;
            descend(store, next, platform, depth.saturating_add(1))
        }
    }
}
