//! An installed package's `package.json` (under `node_modules/`).
//!
//! Surprises of the format:
//! - Only `name` and `version` identify the package; everything else (licence shapes,
//!   authors as strings or objects) varies wildly and is not read, so odd values there never
//!   lose the package.
//! - A `"private": true` manifest is never published, so it is a project, not a dependency:
//!   nothing is reported, and neither is a manifest without a name or a version.
//! - The cataloger cannot tell an installed manifest from a project's own: the caller only
//!   hands it files under `node_modules/`.
//!
//! A file that is not a JSON object is an error.

use serde_json::{Map, Value};

use super::{Collector, check_size, malformed};
use crate::CatalogError;
use qm_model::Package;

/// The cataloger's name in `Package::found_by`.
const FOUND_BY: &str = "npm-package-json";

/// Reads an installed `package.json` into at most one package.
///
/// # Errors
/// When the file is over the size limit or not a JSON object.
pub fn parse_package_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    check_size(path, bytes)?;
    let manifest: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|error| malformed(path, error))?;
    let mut collector = Collector::new(FOUND_BY, path);
    let private = manifest
        .get("private")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let field = |name: &str| manifest.get(name).and_then(Value::as_str);
    if let (false, Some(name), Some(version)) = (private, field("name"), field("version")) {
        collector.add(name, version, false);
    }
    Ok(collector.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_published_manifests_with_name_and_version_count() {
        let cases = [
            (
                r#"{"name":"@s/a","version":"1.0.0"}"#,
                Some("pkg:npm/%40s/a@1.0.0"),
            ),
            (r#"{"name":"a","version":"1.0.0","private":true}"#, None),
            (
                r#"{"name":"a","version":"1.0.0","private":false}"#,
                Some("pkg:npm/a@1.0.0"),
            ),
            (r#"{"name":"a"}"#, None),
            (r#"{"version":"1.0.0"}"#, None),
            (r#"{"name":"a","version":1}"#, None),
        ];
        for (json, expected) in cases {
            let packages =
                parse_package_json("node_modules/a/package.json", json.as_bytes()).unwrap();
            let purls: Vec<&str> = packages.iter().map(|p| p.purl.as_str()).collect();
            assert_eq!(purls, expected.into_iter().collect::<Vec<_>>(), "{json}");
        }
    }

    #[test]
    fn non_objects_are_errors() {
        for json in ["[]", "\"x\"", "", "{"] {
            assert!(
                parse_package_json("package.json", json.as_bytes()).is_err(),
                "{json}"
            );
        }
    }
}
