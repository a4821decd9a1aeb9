//! pnpm's `pnpm-lock.yaml`, lockfile versions 5, 6 and 9.
//!
//! Surprises of the format:
//! - The `packages` keys changed shape with each version: v5 `/name/1.0.0_peer@2.0.0` (peer
//!   suffix after `_`, `/` inside peers written `+`), v6 `/name@1.0.0(peer@2.0.0)`, v9
//!   `name@1.0.0` with peers only in `snapshots` keys. Scoped names start with `@` in every
//!   version. A leading `/` is dropped whatever the declared version (files exist that mix).
//! - Non-registry packages (tarballs, git) carry `name` and `version` fields that win over the
//!   key. `link:` versions are local folders and are skipped, as are importers (the project
//!   and its workspace members).
//! - v5 and v6 mark `dev: true` on each package. v9 dropped the flag: a package is dev-only
//!   when it is reached from some importer's `devDependencies` through `snapshots` and never
//!   from `dependencies` or `optionalDependencies`. A package reached from neither (a file
//!   without `snapshots`) is not dev.
//! - pnpm 11 can write two YAML documents in one file (the package manager's own lock, then
//!   the project's): every document's packages are reported.
//!
//! A package whose key yields no name or version is skipped; a file that is not YAML is an
//! error.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_yaml_ng::Value;

use super::{Collector, check_size, malformed, split_name_at};
use crate::CatalogError;
use qm_model::Package;

/// The cataloger's name in `Package::found_by`.
const FOUND_BY: &str = "pnpm-lock";

/// The most YAML documents read from one file; pnpm writes at most two.
const MAX_DOCUMENTS: usize = 16;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawLock {
    #[serde(default)]
    importers: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    packages: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    snapshots: Option<BTreeMap<String, Value>>,
}

/// Reads a `pnpm-lock.yaml` into its locked packages.
///
/// # Errors
/// When the file is over the size limit or a document in it is not a YAML mapping.
pub fn parse_pnpm_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    check_size(path, bytes)?;
    let mut collector = Collector::new(FOUND_BY, path);
    for (index, document) in serde_yaml_ng::Deserializer::from_slice(bytes).enumerate() {
        if index >= MAX_DOCUMENTS {
            break;
        }
        let value = Value::deserialize(document).map_err(|error| malformed(path, error))?;
        if value.is_null() {
            continue;
        }
        let lock: RawLock =
            serde_yaml_ng::from_value(value).map_err(|error| malformed(path, error))?;
        collect(&lock, &mut collector);
    }
    Ok(collector.finish())
}

fn collect(lock: &RawLock, collector: &mut Collector) {
    let Some(packages) = &lock.packages else {
        return;
    };
    let dev_only = dev_only_snapshots(lock);
    for (key, entry) in packages {
        let Some((key_name, key_version)) = split_key(key) else {
            continue;
        };
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key_name);
        let version = entry
            .get("version")
            .and_then(scalar_text)
            .unwrap_or_else(|| key_version.to_owned());
        if version.starts_with("link:") {
            continue;
        }
        let dev = match entry.get("dev").and_then(Value::as_bool) {
            Some(flag) => flag,
            None => dev_only.contains(strip_peers(key.trim_start_matches('/'))),
        };
        collector.add(name, &version, dev);
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A `packages` key split into name and version, peers removed. The key style is read from
/// the key itself, not the declared lockfile version, since files exist that mix styles.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let (name, version) = match split_name_at(key) {
        Some((name, version)) if plausible_name(name) => (name, strip_peers(version)),
        _ => split_v5(key)?,
    };
    (plausible_name(name) && !version.is_empty()).then_some((name, version))
}

/// An npm name has no `/` unless scoped, and then exactly one.
fn plausible_name(name: &str) -> bool {
    let slashes = name.matches('/').count();
    let expected = usize::from(name.starts_with('@'));
    !name.is_empty() && name != "@" && slashes == expected
}

/// `name/1.0.0_peer` or `@scope/name/1.0.0_peer`.
fn split_v5(key: &str) -> Option<(&str, &str)> {
    let segments_in_name = if key.starts_with('@') { 2 } else { 1 };
    let split = key
        .match_indices('/')
        .nth(segments_in_name - 1)
        .map(|(position, _)| position)?;
    let name = key.get(..split)?;
    let rest = key.get(split.checked_add(1)?..)?;
    // SemVer versions cannot hold `_`, so the first one starts the peer suffix.
    let version = rest.split('_').next().unwrap_or(rest);
    Some((name, strip_peers(version)))
}

/// Drops a v6+ peer suffix: `1.0.0(react@18.2.0)` → `1.0.0`.
fn strip_peers(text: &str) -> &str {
    text.split('(').next().unwrap_or(text)
}

/// Package keys (`name@version`, peers removed) reached only from dev roots in `snapshots`.
fn dev_only_snapshots(lock: &RawLock) -> BTreeSet<String> {
    let (Some(importers), Some(snapshots)) = (&lock.importers, &lock.snapshots) else {
        return BTreeSet::new();
    };
    let mut production = Vec::new();
    let mut development = Vec::new();
    for importer in importers.values() {
        for (field, is_dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            let Some(dependencies) = importer.get(field).and_then(Value::as_mapping) else {
                continue;
            };
            for (name, spec) in dependencies {
                let version = spec.get("version").and_then(scalar_text);
                if let (Some(name), Some(version)) = (name.as_str(), version) {
                    let roots = if is_dev {
                        &mut development
                    } else {
                        &mut production
                    };
                    roots.push(snapshot_key(name, &version));
                }
            }
        }
    }
    let without_peers = |keys: BTreeSet<String>| -> BTreeSet<String> {
        keys.iter().map(|key| strip_peers(key).to_owned()).collect()
    };
    let production = without_peers(reach(snapshots, production));
    let development = without_peers(reach(snapshots, development));
    development.difference(&production).cloned().collect()
}

/// The snapshot key a dependency points at: `name@version`, or for an alias whose version
/// is `real@1.0.0`, that.
fn snapshot_key(name: &str, version: &str) -> String {
    let before_peers = strip_peers(version);
    if split_name_at(before_peers).is_some() {
        version.to_owned()
    } else {
        format!("{name}@{version}")
    }
}

/// Every snapshot key reachable from `roots`.
fn reach(snapshots: &BTreeMap<String, Value>, roots: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = roots;
    while let Some(key) = queue.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(snapshot) = snapshots.get(&key) else {
            continue;
        };
        for field in ["dependencies", "optionalDependencies"] {
            let Some(dependencies) = snapshot.get(field).and_then(Value::as_mapping) else {
                continue;
            };
            for (name, version) in dependencies {
                if let (Some(name), Some(version)) = (name.as_str(), scalar_text(version)) {
                    let next = snapshot_key(name, &version);
                    if !seen.contains(&next) {
                        queue.push(next);
                    }
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_for_each_lockfile_version() {
        let cases = [
            ("/acorn/8.8.0", Some(("acorn", "8.8.0"))),
            ("/acorn-jsx/5.3.2_acorn@8.8.0", Some(("acorn-jsx", "5.3.2"))),
            (
                "/@bcoe/v8-coverage/0.2.3",
                Some(("@bcoe/v8-coverage", "0.2.3")),
            ),
            ("/@a/b/1.0.0_@types+react@18.0.0", Some(("@a/b", "1.0.0"))),
            (
                "/react-dom@18.2.0(react@18.2.0)",
                Some(("react-dom", "18.2.0")),
            ),
            ("/@babel/core@7.21.4", Some(("@babel/core", "7.21.4"))),
            ("is-positive@3.1.0", Some(("is-positive", "3.1.0"))),
            ("/rollup@4.18.0", Some(("rollup", "4.18.0"))),
            (
                "@pnpm/exe.linux-x64@12.0.0-rc.3",
                Some(("@pnpm/exe.linux-x64", "12.0.0-rc.3")),
            ),
            ("noversion", None),
            ("/", None),
        ];
        for (key, expected) in cases {
            assert_eq!(split_key(key), expected, "{key}");
        }
    }

    #[test]
    fn v9_dev_flags_come_from_the_importer_graph() {
        let text = r"
lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1
        version: 1.0.0
    devDependencies:
      t:
        specifier: ^2
        version: 2.0.0(a@1.0.0)
      local:
        specifier: link:../local
        version: link:../local
packages:
  a@1.0.0: {}
  t@2.0.0: {}
  shared@3.0.0: {}
  devonly@4.0.0: {}
snapshots:
  a@1.0.0:
    dependencies:
      shared: 3.0.0
  t@2.0.0(a@1.0.0):
    dependencies:
      shared: 3.0.0
      helper: devonly@4.0.0
  shared@3.0.0: {}
  devonly@4.0.0: {}
";
        let packages = parse_pnpm_lock("pnpm-lock.yaml", text.as_bytes()).unwrap();
        let flags: Vec<(&str, bool)> = packages.iter().map(|p| (p.name.as_str(), p.dev)).collect();
        assert_eq!(
            flags,
            [
                ("a", false),
                ("devonly", true),
                ("shared", false),
                ("t", true)
            ]
        );
    }
}
