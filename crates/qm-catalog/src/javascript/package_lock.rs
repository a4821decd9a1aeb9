//! npm's `package-lock.json` (and `npm-shrinkwrap.json`, the same format).
//!
//! Surprises of the format:
//! - lockfileVersion 1 nests: `dependencies` maps a name to `{version, dev, dependencies}`, and
//!   a copy installed under another package sits in that package's own `dependencies`. A nested
//!   entry inherits `dev` from its parent.
//! - lockfileVersion 2 carries both layouts; 3 only `packages`, keyed by install path
//!   (`node_modules/a/node_modules/@s/b`). The name is the path after the last `node_modules/`,
//!   unless the entry says `name` (an alias installed under another name does).
//! - The `""` key is the project itself, and keys without `node_modules/` are workspace
//!   members (the project's own code): both skipped, as are `link: true` entries (symlinks to
//!   those members).
//! - An alias in v1 is a version `npm:real-name@1.0.0`.
//! - Bundled dependencies (`inBundle`, v1 `bundled`) are installed and reported.
//! - `devOptional` means dev for one path but optional for production: not dev-only.
//!
//! An entry that is not an object or lacks a version is skipped (entries are independent); a
//! file that is not JSON, or has neither `packages` nor `dependencies`, is an error.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Collector, check_size, malformed};
use crate::CatalogError;
use qm_model::Package;

/// The cataloger's name in `Package::found_by`.
const FOUND_BY: &str = "npm-package-lock";

/// Deepest v1 nesting followed; npm flattens trees, so real files stay far below this.
const MAX_NESTING_DEPTH: usize = 64;

const NODE_MODULES: &str = "node_modules/";

#[derive(Deserialize)]
struct RawLock {
    packages: Option<Map<String, Value>>,
    dependencies: Option<Map<String, Value>>,
}

/// Reads a `package-lock.json` into its locked packages.
///
/// # Errors
/// When the file is over the size limit, not JSON, or has neither `packages` nor
/// `dependencies`.
pub fn parse_package_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    check_size(path, bytes)?;
    let lock: RawLock = serde_json::from_slice(bytes).map_err(|error| malformed(path, error))?;
    let mut collector = Collector::new(FOUND_BY, path);
    match (lock.packages, lock.dependencies) {
        (Some(packages), _) => collect_packages(&packages, &mut collector),
        (None, Some(dependencies)) => collect_dependencies(&dependencies, false, 0, &mut collector),
        (None, None) => {
            return Err(malformed(
                path,
                "neither `packages` nor `dependencies` is present",
            ));
        }
    }
    Ok(collector.finish())
}

/// lockfileVersion 2 and 3: the flat `packages` map keyed by install path.
fn collect_packages(packages: &Map<String, Value>, collector: &mut Collector) {
    for (key, entry) in packages {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        let Some(position) = key.rfind(NODE_MODULES) else {
            // The root project or a workspace member's own directory.
            continue;
        };
        if flag(entry, "link") {
            continue;
        }
        let Some(path_name) = key.get(position.saturating_add(NODE_MODULES.len())..) else {
            continue;
        };
        let name = text(entry, "name").unwrap_or(path_name);
        let Some(version) = text(entry, "version") else {
            continue;
        };
        collector.add(name, version, flag(entry, "dev"));
    }
}

/// lockfileVersion 1: the nested `dependencies` tree.
fn collect_dependencies(
    dependencies: &Map<String, Value>,
    parent_dev: bool,
    depth: usize,
    collector: &mut Collector,
) {
    if depth >= MAX_NESTING_DEPTH {
        return;
    }
    for (key, entry) in dependencies {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        let dev = parent_dev || flag(entry, "dev");
        if let Some(version) = text(entry, "version") {
            // Some writers key v1 entries by path, as v2 does; the name is the last segment.
            let key_name = key
                .rfind(NODE_MODULES)
                .and_then(|position| key.get(position.saturating_add(NODE_MODULES.len())..))
                .unwrap_or(key);
            let (name, version) = unalias(key_name, version);
            collector.add(name, version, dev);
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            collect_dependencies(nested, dev, depth.saturating_add(1), collector);
        }
    }
}

/// `npm:real@1.0.0` names the real package; anything else is the version under `name`.
fn unalias<'a>(name: &'a str, version: &'a str) -> (&'a str, &'a str) {
    version
        .strip_prefix("npm:")
        .and_then(super::split_name_at)
        .unwrap_or((name, version))
}

fn text<'a>(entry: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    entry
        .get(field)
        .and_then(Value::as_str)
        .filter(|value| !value.trim().is_empty())
}

fn flag(entry: &Map<String, Value>, field: &str) -> bool {
    entry.get(field).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(json: &str) -> Vec<(String, String, bool)> {
        parse_package_lock("package-lock.json", json.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.dev))
            .collect()
    }

    #[test]
    fn v3_skips_root_workspaces_and_links() {
        let json = r#"{"lockfileVersion":3,"packages":{
            "":{"name":"app","version":"1.0.0"},
            "packages/lib":{"name":"lib","version":"0.1.0"},
            "node_modules/lib":{"resolved":"packages/lib","link":true},
            "node_modules/a":{"version":"1.0.0"},
            "node_modules/a/node_modules/@s/b":{"version":"2.0.0","dev":true},
            "node_modules/my-alias":{"name":"real","version":"3.0.0"},
            "node_modules/bundled":{"version":"4.0.0","inBundle":true},
            "node_modules/opt":{"version":"5.0.0","devOptional":true},
            "node_modules/noversion":{},
            "node_modules/notobject":7
        }}"#;
        assert_eq!(
            names(json),
            [
                ("@s/b".into(), "2.0.0".into(), true),
                ("a".into(), "1.0.0".into(), false),
                ("bundled".into(), "4.0.0".into(), false),
                ("opt".into(), "5.0.0".into(), false),
                ("real".into(), "3.0.0".into(), false),
            ]
        );
    }

    #[test]
    fn v1_nested_entries_inherit_dev_and_aliases_resolve() {
        let json = r#"{"lockfileVersion":1,"dependencies":{
            "d":{"version":"1.0.0","dev":true,"dependencies":{"n":{"version":"2.0.0"}}},
            "alias":{"version":"npm:@s/real@3.0.0"}
        }}"#;
        assert_eq!(
            names(json),
            [
                ("@s/real".into(), "3.0.0".into(), false),
                ("d".into(), "1.0.0".into(), true),
                ("n".into(), "2.0.0".into(), true),
            ]
        );
    }

    #[test]
    fn files_without_packages_are_errors() {
        for json in ["{}", "[]", "not json", r#"{"packages":[]}"#] {
            assert!(
                parse_package_lock("package-lock.json", json.as_bytes()).is_err(),
                "{json}"
            );
        }
    }
}
