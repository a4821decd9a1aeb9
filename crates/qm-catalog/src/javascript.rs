//! JavaScript catalogers: npm's `package-lock.json`, yarn's `yarn.lock` (classic v1 and berry),
//! pnpm's `pnpm-lock.yaml`, and installed `node_modules/**/package.json` files.
//!
//! Every package is `Ecosystem::Npm` with a purl `pkg:npm/<scope>/<name>@<version>`, where the
//! scope keeps its `@` percent-encoded (`pkg:npm/%40types/node@20.1.0`), as the purl spec's npm
//! type requires. `Package::name` keeps its case (old npm packages with capitals were
//! grandfathered in), but the purl's name is lowercased: the `packageurl` crate still applies
//! the older spec rule, while the current npm type definition calls names case-sensitive.
//!
//! Decisions shared by the lockfile catalogers:
//! - The project itself (npm's root `""` entry, workspace members, yarn `workspace:` entries,
//!   pnpm importers) is not a dependency and is never reported.
//! - One package per name and version, however many paths of the install tree hold it (syft
//!   does the same): its single location is the lockfile. It is `dev` only when every copy is
//!   dev-only, since one production copy makes it ship.
//! - Aliases (`"my-case": "npm:case@1.6.3"`) are reported under the real name, which is what
//!   advisories are keyed on.
//!
//! Each submodule's doc lists its format's surprises.

mod package_json;
mod package_lock;
mod pnpm_lock;
mod yarn_lock;

use std::collections::BTreeMap;

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package};

use crate::CatalogError;

pub use package_json::parse_package_json;
pub use package_lock::parse_package_lock;
pub use pnpm_lock::parse_pnpm_lock;
pub use yarn_lock::parse_yarn_lock;

/// The largest lockfile or manifest read, in bytes: big monorepo lockfiles reach tens of MiB.
const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

/// Refuses a file over [`MAX_FILE_BYTES`].
fn check_size(path: &str, bytes: &[u8]) -> Result<(), CatalogError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX),
        });
    }
    Ok(())
}

/// A whole-file format error, with no line number.
fn malformed(path: &str, reason: impl std::fmt::Display) -> CatalogError {
    CatalogError::Malformed {
        path: path.to_owned(),
        line: 0,
        reason: reason.to_string(),
    }
}

/// The purl of an npm package, `None` when the name cannot make one (empty, or a bare scope).
fn npm_purl(name: &str, version: &str) -> Option<String> {
    let (namespace, bare_name) = match name.strip_prefix('@') {
        Some(_) => {
            let (scope, rest) = name.split_once('/')?;
            (Some(scope), rest)
        }
        None => (None, name),
    };
    if bare_name.is_empty() || version.is_empty() || namespace == Some("@") {
        return None;
    }
    let mut purl = PackageUrl::new("npm", bare_name).ok()?;
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace).ok()?;
    }
    purl.with_version(version).ok()?;
    Some(purl.to_string())
}

/// Splits `name@rest` where a scoped name starts with `@`: the separator is the first `@` after
/// the first character. `None` when there is no separator or the name is empty.
fn split_name_at(descriptor: &str) -> Option<(&str, &str)> {
    let mut chars = descriptor.char_indices();
    let (_, first) = chars.next()?;
    let offset = first.len_utf8();
    let tail = descriptor.get(offset..)?;
    let at = tail.find('@')?;
    let split = offset.checked_add(at)?;
    let name = descriptor.get(..split)?;
    let rest = descriptor.get(split.checked_add(1)?..)?;
    Some((name, rest))
}

/// Collects packages, merging repeats of one name and version.
struct Collector {
    found_by: &'static str,
    path: String,
    packages: Vec<Package>,
    index: BTreeMap<(String, String), usize>,
}

impl Collector {
    fn new(found_by: &'static str, path: &str) -> Self {
        Self {
            found_by,
            path: path.to_owned(),
            packages: Vec::new(),
            index: BTreeMap::new(),
        }
    }

    /// Adds one package; returns whether it had a usable name and version.
    fn add(&mut self, name: &str, version: &str, dev: bool) -> bool {
        let name = name.trim();
        let version = version.trim();
        let key = (name.to_owned(), version.to_owned());
        if let Some(package) = self
            .index
            .get(&key)
            .and_then(|&position| self.packages.get_mut(position))
        {
            package.dev = package.dev && dev;
            return true;
        }
        let Some(purl) = npm_purl(name, version) else {
            return false;
        };
        self.index.insert(key, self.packages.len());
        self.packages.push(Package {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem: Ecosystem::Npm,
            purl,
            source: None,
            locations: vec![self.path.clone()],
            found_by: self.found_by.to_owned(),
            dev,
            arch: None,
            layer: None,
        });
        true
    }

    /// The packages, sorted by name and version so output does not depend on map order.
    fn finish(mut self) -> Vec<Package> {
        self.packages
            .sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        self.packages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_percent_encode_the_scope() {
        let cases = [
            ("lodash", "4.17.21", Some("pkg:npm/lodash@4.17.21")),
            (
                "@types/node",
                "20.1.0",
                Some("pkg:npm/%40types/node@20.1.0"),
            ),
            // packageurl 0.7 lowercases npm names (the older spec text); see the module doc.
            (
                "c0n-fab_u.laTION",
                "7.7.7",
                Some("pkg:npm/c0n-fab_u.lation@7.7.7"),
            ),
            ("@scope", "1.0.0", None),
            ("@/x", "1.0.0", None),
            ("", "1.0.0", None),
            ("x", "", None),
        ];
        for (name, version, expected) in cases {
            assert_eq!(
                npm_purl(name, version).as_deref(),
                expected,
                "{name}@{version}"
            );
        }
    }

    #[test]
    fn descriptors_split_after_the_scope() {
        let cases = [
            ("a@^1.0", Some(("a", "^1.0"))),
            ("@s/a@npm:1.0", Some(("@s/a", "npm:1.0"))),
            ("alias@npm:real@1.0", Some(("alias", "npm:real@1.0"))),
            ("@", None),
            ("", None),
            ("plain", None),
        ];
        for (descriptor, expected) in cases {
            assert_eq!(split_name_at(descriptor), expected, "{descriptor}");
        }
    }

    #[test]
    fn repeats_merge_and_stay_dev_only_if_all_copies_are() {
        let mut collector = Collector::new("test", "lock");
        assert!(collector.add("a", "1.0.0", true));
        assert!(collector.add("a", "1.0.0", false));
        assert!(collector.add("b", "1.0.0", true));
        assert!(!collector.add("", "1.0.0", false));
        let packages = collector.finish();
        assert_eq!(packages.len(), 2);
        assert!(packages.iter().any(|p| p.name == "a" && !p.dev));
        assert!(packages.iter().any(|p| p.name == "b" && p.dev));
    }
}
