//! Installed npm packages: which `package.json` files [`claims_npm_installed`] takes, over
//! the real `node_modules` trees in trivy's and syft's fixtures, and what
//! [`parse_package_json`] reads from them.
//!
//! The expected versions are the fixtures' own `name`/`version` fields; trivy's repo fixtures
//! pair each `node_modules` with a lockfile that pins the same versions.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use std::path::Path;

use proptest::prelude::*;
use qm_catalog::{claims_npm_installed, parse_package_json};

const TRIVY: &str = "fixtures/trivy/integration/testdata/fixtures/repo";
const SYFT: &str = "fixtures/syft/syft/pkg/cataloger/javascript/testdata";

/// Every file under `dir`, as `/`-separated paths relative to `base`.
fn files_under(base: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(base, &path, out);
        } else {
            let relative = path.strip_prefix(base).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// `(path, name@version)` of every claimed file under a fixture root, sorted.
fn claimed(root: &str) -> Vec<(String, String)> {
    let base = qm_testdata::data_path(root);
    let mut files = Vec::new();
    files_under(&base, &base, &mut files);
    let mut found: Vec<(String, String)> = files
        .into_iter()
        .filter(|path| claims_npm_installed(path))
        .map(|path| {
            let bytes = qm_testdata::read_bytes(&format!("{root}/{path}"));
            let packages = parse_package_json(&path, &bytes).unwrap();
            assert_eq!(packages.len(), 1, "{path}");
            let package = &packages[0];
            assert_eq!(package.locations, [path.as_str()]);
            (path, format!("{}@{}", package.name, package.version))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn trivy_node_modules_are_claimed_and_read() {
    let expected = [
        ("npm/node_modules/jquery/package.json", "jquery@3.3.9"),
        ("npm/node_modules/promise/package.json", "promise@8.0.3"),
        ("npm/node_modules/react-is/package.json", "react-is@16.8.6"),
        ("npm/node_modules/react/package.json", "react@16.8.6"),
        ("npm/node_modules/redux/package.json", "redux@4.0.1"),
        ("npm/node_modules/z-lock/package.json", "z-lock@1.0.0"),
        (
            "pnpm/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json",
            "jquery@3.3.9",
        ),
        (
            "pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json",
            "lodash@4.17.4",
        ),
        ("yarn/node_modules/jquery/package.json", "jquery@3.2.1"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(path, id)| ((*path).to_owned(), (*id).to_owned()))
        .collect();
    assert_eq!(claimed(TRIVY), expected);
}

#[test]
fn syft_node_modules_are_claimed_and_project_manifests_are_not() {
    // The javascript fixtures hold a dozen project `package.json` files (pkg-json/, yarn-*/,
    // glob-paths/src/) and two installed ones.
    assert_eq!(
        claimed(SYFT),
        [
            (
                "pkg-lock/node_modules/@actions/core/package.json".to_owned(),
                "@actions/core@1.6.0".to_owned()
            ),
            (
                "pkg-lock/node_modules/cowsay/package.json".to_owned(),
                "cowsay@1.4.0".to_owned()
            ),
        ]
    );
}

proptest! {
    #[test]
    fn claims_never_panic(path in "[a-z@./_-]{0,12}(/node_modules/[@a-z._-]{0,8}){0,3}/package\\.json") {
        let _ = claims_npm_installed(&path);
    }

    #[test]
    fn claimed_paths_have_a_package_directory(
        prefix in "([a-z]{1,5}/){0,2}",
        names in proptest::collection::vec("(@[a-z]{1,4}/)?[a-z][a-z0-9.-]{0,6}", 1..4)
    ) {
        let path = format!(
            "{prefix}node_modules/{}/package.json",
            names.join("/node_modules/")
        );
        prop_assert!(claims_npm_installed(&path), "{}", path);
        let fixture = format!("{prefix}node_modules/{}/test/package.json", names.join("/node_modules/"));
        prop_assert!(!claims_npm_installed(&fixture), "{}", fixture);
    }
}
