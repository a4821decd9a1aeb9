//! Composer: `composer.lock` and `vendor/composer/installed.json`.
//!
//! Surprises:
//! - `composer.lock` splits `packages` (runtime) from `packages-dev` (dev).
//! - `installed.json` was a bare array up to Composer 1 and became
//!   `{"packages": [...], "dev": bool, "dev-package-names": [...]}` in Composer 2; only the
//!   second form says which packages are dev.
//! - Versions keep their `v` prefix as written (`v4.6.2`), since that is what Packagist and
//!   advisories print. A name without `vendor/` cannot form a Composer purl and is skipped.

use std::collections::BTreeSet;

use qm_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Format, Found, decode, from_json};
use crate::CatalogError;

const fn format(found_by: &'static str) -> Format {
    Format {
        ecosystem: || Ecosystem::Packagist,
        purl_type: "composer",
        found_by,
    }
}

#[derive(Deserialize)]
struct ComposerLock {
    #[serde(default)]
    packages: Vec<ComposerPackage>,
    #[serde(rename = "packages-dev", default)]
    packages_dev: Vec<ComposerPackage>,
}

#[derive(Deserialize)]
struct ComposerPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
}

/// Lists the packages a `composer.lock` pins, `packages-dev` as dev.
pub fn parse_composer_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lock: ComposerLock = from_json(path, text)?;
    let format = format("composer-lock");
    let runtime = lock.packages.iter().map(|package| (package, false));
    let dev = lock.packages_dev.iter().map(|package| (package, true));
    Ok(runtime
        .chain(dev)
        .filter_map(|(package, dev)| {
            format.package(path, &Found::new(&package.name, &package.version).dev(dev))
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InstalledJson {
    Version2 {
        packages: Vec<ComposerPackage>,
        #[serde(rename = "dev-package-names", default)]
        dev_package_names: BTreeSet<String>,
    },
    Version1(Vec<ComposerPackage>),
}

/// Lists the packages Composer installed into `vendor/`.
pub fn parse_installed_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let installed: InstalledJson = from_json(path, text)?;
    let format = format("composer-installed");
    let (packages, dev_names) = match installed {
        InstalledJson::Version2 {
            packages,
            dev_package_names,
        } => (packages, dev_package_names),
        InstalledJson::Version1(packages) => (packages, BTreeSet::new()),
    };
    Ok(packages
        .iter()
        .filter_map(|package| {
            let dev = dev_names.contains(&package.name);
            format.package(path, &Found::new(&package.name, &package.version).dev(dev))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_json_versions() {
        let cases = [
            (
                r#"[{"name":"a/b","version":"1.0"}]"#,
                vec![("pkg:composer/a/b@1.0", false)],
            ),
            (
                r#"{"packages":[{"name":"a/b","version":"1.0"},{"name":"c/d","version":"v2"}],"dev-package-names":["c/d"]}"#,
                vec![
                    ("pkg:composer/a/b@1.0", false),
                    ("pkg:composer/c/d@v2", true),
                ],
            ),
            (r#"[{"name":"novendor","version":"1.0"}]"#, vec![]),
        ];
        for (json, expected) in cases {
            let got: Vec<_> = parse_installed_json("installed.json", json.as_bytes())
                .unwrap()
                .into_iter()
                .map(|p| (p.purl, p.dev))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(p, d)| (p.to_owned(), d))
                .collect();
            assert_eq!(got, expected, "{json}");
        }
    }

    #[test]
    fn broken_json_is_malformed() {
        assert!(parse_composer_lock("composer.lock", b"{\n\"packages\": [}").is_err());
    }
}
