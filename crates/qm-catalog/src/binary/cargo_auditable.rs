//! Rust executables built with `cargo auditable`: the `.dep-v0` section holds zlib-compressed
//! JSON, `{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}], "format"}`
//! (the `auditable-serde` crate's `VersionInfo`).
//!
//! - `source` is `crates.io`, `git`, `local`, `registry` (another registry) or something new;
//!   `kind` is `runtime` (the default, usually omitted) or `build`; `root` marks the crate the
//!   binary was built from. What becomes of each is in the parent module's doc.
//! - `format` 0 lists a few more crates than were linked (`cargo metadata` does not resolve
//!   features per target) and counts proc-macros as runtime; format 1 fixes the proc-macros.
//!   Either way the list is what the build could have used, which is what matching wants.
//! - Unknown fields are ignored, so later format revisions still read.

use std::io::Read as _;

use qm_model::{Ecosystem, Package};
use serde::Deserialize;

use crate::CatalogError;

/// The largest `.dep-v0` section kept and the most its JSON may inflate to. A binary with a
/// thousand crates records about 100 KiB of JSON; more than this is damage or a zip bomb.
pub(crate) const MAX_DEP_V0_BYTES: usize = 8 * 1024 * 1024;

/// The cataloger name on every crate.
const FOUND_BY: &str = "cargo-auditable";

#[derive(Deserialize)]
struct RawVersionInfo {
    packages: Vec<RawCrate>,
}

#[derive(Deserialize)]
struct RawCrate {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

/// The crates a compressed `.dep-v0` section lists.
pub(crate) fn packages(path: &str, section: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let json = inflate(path, section)?;
    let info: RawVersionInfo =
        serde_json::from_slice(&json).map_err(|error| CatalogError::Malformed {
            path: path.to_owned(),
            line: error.line(),
            reason: format!("the `.dep-v0` section is not `cargo auditable` JSON: {error}"),
        })?;
    Ok(info
        .packages
        .iter()
        .filter_map(|raw| package(path, raw))
        .collect())
}

/// Decompresses the section, refusing more than [`MAX_DEP_V0_BYTES`].
fn inflate(path: &str, section: &[u8]) -> Result<Vec<u8>, CatalogError> {
    let limit = u64::try_from(MAX_DEP_V0_BYTES).unwrap_or(u64::MAX);
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(limit.saturating_add(1))
        .read_to_end(&mut json)
        .map_err(|error| CatalogError::Malformed {
            path: path.to_owned(),
            line: 0,
            reason: format!("the `.dep-v0` section is not zlib data: {error}"),
        })?;
    if json.len() > MAX_DEP_V0_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(json.len()).unwrap_or(u64::MAX),
            limit,
        });
    }
    Ok(json)
}

fn package(path: &str, raw: &RawCrate) -> Option<Package> {
    let name = raw.name.trim();
    let version = raw.version.trim();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let mut purl = packageurl::PackageUrl::new("cargo", name).ok()?;
    purl.with_version(version).ok()?;
    Some(Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::CratesIo,
        purl: purl.to_string(),
        source: None,
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: raw.kind.as_deref() == Some("build"),
        arch: None,
        layer: None,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn compress(bytes: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn crates_of_every_source_are_listed_and_build_ones_marked() {
        let json = br#"{"packages":[
            {"name":"helper","version":"0.1.0","source":"local"},
            {"name":"itoa","version":"1.0.19","source":"crates.io"},
            {"name":"app","version":"0.3.1","source":"local","dependencies":[0,1,3],"root":true},
            {"name":"ryu","version":"1.0.23","source":"crates.io","kind":"build"},
            {"name":"regex","version":"1.5.0","source":"git","extra":1},
            {"name":"","version":"1.0.0","source":"crates.io"}
        ],"format":1}"#;
        let packages = packages("usr/bin/app", &compress(json)).unwrap();
        let listed: Vec<_> = packages.iter().map(|p| (p.purl.as_str(), p.dev)).collect();
        assert_eq!(
            listed,
            [
                ("pkg:cargo/helper@0.1.0", false),
                ("pkg:cargo/itoa@1.0.19", false),
                ("pkg:cargo/app@0.3.1", false),
                ("pkg:cargo/ryu@1.0.23", true),
                ("pkg:cargo/regex@1.5.0", false),
            ]
        );
        assert!(packages.iter().all(|p| p.ecosystem == Ecosystem::CratesIo
            && p.found_by == "cargo-auditable"
            && p.locations == ["usr/bin/app"]));
    }

    #[test]
    fn damage_is_reported_with_the_path() {
        let not_zlib = packages("a", b"not zlib").unwrap_err();
        assert!(
            matches!(not_zlib, CatalogError::Malformed { .. }),
            "{not_zlib}"
        );
        assert!(not_zlib.to_string().contains("`a`"), "{not_zlib}");

        let not_json = packages("a", &compress(b"{\"packages\": 3}")).unwrap_err();
        assert!(
            matches!(not_json, CatalogError::Malformed { line: 1, .. }),
            "{not_json}"
        );

        let cut = compress(br#"{"packages":[]}"#);
        let cut = cut.get(..cut.len() - 3).unwrap();
        assert!(matches!(
            packages("a", cut),
            Err(CatalogError::Malformed { .. })
        ));
    }

    #[test]
    fn inflation_is_bounded() {
        let bomb = compress(&vec![b' '; MAX_DEP_V0_BYTES + 1]);
        assert!(bomb.len() < 64 * 1024);
        assert!(matches!(
            packages("a", &bomb),
            Err(CatalogError::TooLarge { .. })
        ));
    }
}
