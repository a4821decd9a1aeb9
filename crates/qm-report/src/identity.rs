//! Identifiers the documents need: a document UUID, unique references for packages, SPDX
//! identifiers, the image's own purl.
//!
//! Everything here is a pure function of its input, so the same inventory always gets the same
//! identifiers. Two packages may legitimately share a purl (the same library vendored twice, in
//! two lockfiles, in two layers); they are told apart by a short hash of where they were found,
//! and, should even that agree, by a counter in inventory order.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::str::FromStr;

use packageurl::PackageUrl;
use qm_model::{Inventory, Package, TargetInfo};
use sha2::{Digest, Sha256};

use crate::{RenderContext, ReportError, SbomFormat};

/// A UUID for one rendered document, as lowercase `8-4-4-4-12` hex.
///
/// It is an [RFC 9562] version 8 UUID made of the first 128 bits of a SHA-256 over the format,
/// the tool version, the timestamp and the inventory (Appendix B.2 of that RFC shows exactly this
/// construction). CycloneDX asks for a serial number in the RFC 4122 (now RFC 9562) shape and
/// SPDX for a unique namespace; a hash gives both uniqueness and reproducibility.
///
/// [RFC 9562]: https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-8
pub(crate) fn document_uuid(
    inventory: &Inventory,
    context: &RenderContext,
    format: SbomFormat,
) -> Result<String, ReportError> {
    let content = serde_json::to_vec(inventory).map_err(|error| ReportError::Serialize {
        format,
        reason: error.to_string(),
    })?;
    let mut hasher = Sha256::new();
    for field in [
        b"qm-report document uuid v1".as_slice(),
        format.as_str().as_bytes(),
        context.tool_version.as_bytes(),
        context.timestamp.to_string().as_bytes(),
        &content,
    ] {
        hash_field(&mut hasher, field);
    }
    let digest = hasher.finalize();
    let mut bytes = [0_u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    // Version 8 in the high nibble of byte 6, variant `10` in the top bits of byte 8.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{byte:02x}");
    }
    Ok(text)
}

/// Feeds one field with its length in front, so (`ab`, `c`) and (`a`, `bc`) hash differently.
fn hash_field(hasher: &mut Sha256, field: &[u8]) {
    hasher.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_le_bytes());
    hasher.update(field);
}

/// Eight hex digits that tell apart two packages sharing a name, version and purl: a hash of
/// everything else we know about each (cataloger, locations, layer, architecture, …).
pub(crate) fn package_fingerprint(package: &Package) -> String {
    let mut hasher = Sha256::new();
    let source_name = package.source.as_ref().map_or("", |source| &source.name);
    let source_version = package
        .source
        .as_ref()
        .and_then(|source| source.version.as_deref())
        .unwrap_or("");
    for field in [
        package.ecosystem.as_str(),
        &package.name,
        &package.version,
        &package.purl,
        &package.found_by,
        package.layer.as_deref().unwrap_or(""),
        package.arch.as_deref().unwrap_or(""),
        if package.dev { "dev" } else { "" },
        source_name,
        source_version,
    ] {
        hash_field(&mut hasher, field.as_bytes());
    }
    for location in &package.locations {
        hash_field(&mut hasher, location.as_bytes());
    }
    let digest = hasher.finalize();
    let mut text = String::with_capacity(8);
    for byte in digest.iter().take(4) {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// Makes identifiers unique within one document.
///
/// Give it every wanted identifier first ([`UniqueIds::new`]); a wanted identifier that several
/// packages share gets `<separator><fingerprint>` appended for each of them, and a counter after
/// that if fingerprints agree too (two packages identical in every field).
pub(crate) struct UniqueIds {
    wanted: HashMap<String, usize>,
    used: HashSet<String>,
    separator: &'static str,
}

impl UniqueIds {
    /// Starts with the fixed identifiers already taken (the target's, the distribution's) and the
    /// base identifiers the packages will ask for.
    pub(crate) fn new<'a>(
        reserved: impl IntoIterator<Item = String>,
        bases: impl IntoIterator<Item = &'a str>,
        separator: &'static str,
    ) -> UniqueIds {
        let mut wanted = HashMap::new();
        for base in bases {
            let count: &mut usize = wanted.entry(base.to_owned()).or_default();
            *count = count.saturating_add(1);
        }
        UniqueIds {
            wanted,
            used: reserved.into_iter().collect(),
            separator,
        }
    }

    /// The identifier for `package`, which asked for `base`.
    pub(crate) fn claim(&mut self, base: &str, package: &Package) -> String {
        let shared = self.wanted.get(base).is_some_and(|count| *count > 1);
        if !shared && self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let hashed = format!("{base}{}{}", self.separator, package_fingerprint(package));
        if self.used.insert(hashed.clone()) {
            return hashed;
        }
        let mut counter = 2_usize;
        loop {
            let candidate = format!("{hashed}-{counter}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            counter = counter.saturating_add(1);
        }
    }
}

/// The purl when it parses, as written (catalogers write canonical purls); `None` when it is
/// empty or broken, so no document publishes a purl its readers would reject.
pub(crate) fn valid_purl(purl: &str) -> Option<&str> {
    if purl.is_empty() {
        return None;
    }
    PackageUrl::from_str(purl).ok().map(|_| purl)
}

/// The part of an SPDX identifier made from free text: ASCII letters, digits and `.` are kept,
/// every run of anything else becomes one `-`, and no `-` is left at either end.
///
/// SPDX 2.3 clause 7.2: `SPDXRef-` followed by letters, numbers, `.` and `-` only.
pub(crate) fn spdx_id_part(text: &str) -> String {
    let mut part = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_ascii_alphanumeric() || character == '.' {
            part.push(character);
        } else if !part.is_empty() && !part.ends_with('-') {
            part.push('-');
        }
    }
    while part.ends_with('-') {
        part.pop();
    }
    part
}

/// The wanted SPDX identifier of a package: `SPDXRef-Package-<ecosystem>-<name>-<version>`.
pub(crate) fn spdx_package_id(package: &Package) -> String {
    let mut id = String::from("SPDXRef-Package");
    for part in [package.ecosystem.as_str(), &package.name, &package.version] {
        let part = spdx_id_part(part);
        if !part.is_empty() {
            id.push('-');
            id.push_str(&part);
        }
    }
    id
}

/// A `pkg:oci/…` purl for an image, when it is known well enough to have one: the purl type
/// wants the manifest digest as version and the repository's last segment as name, so an image
/// without a manifest digest or a tag gets none.
///
/// See <https://github.com/package-url/purl-spec/blob/main/types-doc/oci-definition.md>.
pub(crate) fn image_purl(target: &TargetInfo) -> Option<String> {
    let manifest_digest = target.manifest_digest.as_deref()?;
    let tag = target.tags.first()?;
    let (repository, tag) = split_tag(tag);
    let name = repository.rsplit('/').next()?.to_ascii_lowercase();
    let mut purl = PackageUrl::new("oci", name).ok()?;
    purl.with_version(manifest_digest).ok()?;
    purl.add_qualifier("repository_url", normalize_repository(repository))
        .ok()?;
    if let Some(tag) = tag {
        purl.add_qualifier("tag", tag).ok()?;
    }
    if let Some(arch) = target
        .platform
        .as_deref()
        .and_then(|platform| platform.split('/').nth(1))
        .filter(|arch| !arch.is_empty())
    {
        purl.add_qualifier("arch", arch).ok()?;
    }
    let text = purl.to_string();
    valid_purl(&text)?;
    Some(text)
}

/// Splits `registry/path/name:tag` into the repository and the tag; a `:` before the last `/`
/// is a registry port, not a tag.
fn split_tag(reference: &str) -> (&str, Option<&str>) {
    let reference = reference.split('@').next().unwrap_or(reference);
    let last_slash = reference
        .rfind('/')
        .map_or(0, |index| index.saturating_add(1));
    match reference.rfind(':') {
        Some(colon) if colon >= last_slash => {
            let tag = reference
                .get(colon.saturating_add(1)..)
                .filter(|t| !t.is_empty());
            (reference.get(..colon).unwrap_or(reference), tag)
        }
        _ => (reference, None),
    }
}

/// Docker's rule for short names: `debian` is `docker.io/library/debian`, `user/app` is
/// `docker.io/user/app`; a first segment with a `.` or `:`, or `localhost`, is a registry.
fn normalize_repository(repository: &str) -> String {
    let repository = repository.to_ascii_lowercase();
    match repository.split_once('/') {
        None => format!("docker.io/library/{repository}"),
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            repository
        }
        Some(_) => format!("docker.io/{repository}"),
    }
}

#[cfg(test)]
mod tests {
    use qm_model::{Ecosystem, TargetKind};

    use super::*;

    fn package(name: &str, version: &str, location: &str) -> Package {
        Package {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem: Ecosystem::Npm,
            purl: format!("pkg:npm/{name}@{version}"),
            source: None,
            locations: vec![location.to_owned()],
            found_by: "npm-lock".to_owned(),
            dev: false,
            arch: None,
            layer: None,
        }
    }

    #[test]
    fn spdx_id_parts_keep_only_allowed_characters() {
        let cases = [
            ("@babel/core", "babel-core"),
            ("a/b", "a-b"),
            ("name+plus", "name-plus"),
            ("libstdc++6", "libstdc-6"),
            ("1:2.36-9+deb12u4", "1-2.36-9-deb12u4"),
            ("crates.io", "crates.io"),
            ("Red Hat", "Red-Hat"),
            ("ünïcode", "n-code"),
            ("+++", ""),
            ("", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(spdx_id_part(text), expected, "{text}");
        }
    }

    #[test]
    fn shared_identifiers_get_fingerprints_then_counters() {
        let first = package("left-pad", "1.0.0", "a/package-lock.json");
        let second = package("left-pad", "1.0.0", "b/package-lock.json");
        let twin = second.clone();
        let alone = package("right-pad", "1.0.0", "a/package-lock.json");
        let bases = [&first, &second, &twin, &alone].map(|p| p.purl.clone());
        let mut ids = UniqueIds::new([], bases.iter().map(String::as_str), "#");
        let first_id = ids.claim(&bases[0], &first);
        let second_id = ids.claim(&bases[1], &second);
        let twin_id = ids.claim(&bases[2], &twin);
        let alone_id = ids.claim(&bases[3], &alone);
        assert_eq!(alone_id, "pkg:npm/right-pad@1.0.0");
        assert!(
            first_id.starts_with("pkg:npm/left-pad@1.0.0#"),
            "{first_id}"
        );
        assert_ne!(first_id, second_id);
        assert_eq!(twin_id, format!("{second_id}-2"));
    }

    #[test]
    fn reserved_identifiers_are_never_handed_out() {
        let lone = package("x", "1", "p");
        let mut ids = UniqueIds::new(["pkg:npm/x@1".to_owned()], ["pkg:npm/x@1"], "#");
        assert_ne!(ids.claim("pkg:npm/x@1", &lone), "pkg:npm/x@1");
    }

    #[test]
    fn image_purls_need_a_manifest_digest_and_a_tag() {
        let mut target = TargetInfo {
            name: "oci-dir:layout".to_owned(),
            kind: TargetKind::OciDir,
            digest: Some("sha256:aaaa".to_owned()),
            manifest_digest: Some("sha256:bbbb".to_owned()),
            tags: vec!["localhost:5000/team/App:1.2".to_owned()],
            platform: Some("linux/arm64/v8".to_owned()),
            layers: Vec::new(),
        };
        let purl = image_purl(&target).unwrap();
        let parsed = PackageUrl::from_str(&purl).unwrap();
        assert_eq!(parsed.ty(), "oci");
        assert_eq!(parsed.name(), "app");
        assert_eq!(parsed.version(), Some("sha256:bbbb"));
        let qualifier = |key: &str| parsed.qualifiers().get(key).map(|v| v.to_string());
        assert_eq!(
            qualifier("repository_url").as_deref(),
            Some("localhost:5000/team/app")
        );
        assert_eq!(qualifier("tag").as_deref(), Some("1.2"));
        assert_eq!(qualifier("arch").as_deref(), Some("arm64"));

        target.tags = vec!["debian:12".to_owned()];
        let parsed = PackageUrl::from_str(&image_purl(&target).unwrap()).unwrap();
        assert_eq!(
            parsed
                .qualifiers()
                .get("repository_url")
                .map(|v| v.to_string()),
            Some("docker.io/library/debian".to_owned())
        );

        target.manifest_digest = None;
        assert_eq!(image_purl(&target), None);
    }

    #[test]
    fn tags_split_after_the_last_slash_only() {
        assert_eq!(split_tag("debian:12"), ("debian", Some("12")));
        assert_eq!(
            split_tag("localhost:5000/app"),
            ("localhost:5000/app", None)
        );
        assert_eq!(
            split_tag("ghcr.io/a/b:v1@sha256:cc"),
            ("ghcr.io/a/b", Some("v1"))
        );
        assert_eq!(split_tag("app:"), ("app", None));
    }
}
