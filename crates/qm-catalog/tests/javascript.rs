//! The JavaScript catalogers against real lockfiles from syft and trivy.
//!
//! Expected lists are transcribed from the upstream tests as facts:
//! - syft `syft/pkg/cataloger/javascript/parse_package_lock_test.go`,
//!   `parse_yarn_lock_test.go`, `parse_pnpm_lock_test.go` (TestParsePackageLock, …V2, …V3,
//!   …Alias, …LicenseWithArray, TestParseYarnLock, TestParseYarnBerry, TestParsePnpmLock,
//!   TestParsePnpmV6Lock);
//! - trivy `integration/testdata/{npm,npm-with-dev,yarn,pnpm}.json.golden` (the `Packages` of
//!   each result).
//!
//! Where our rules differ from the upstream tool, the test says how the list was adjusted:
//! syft reports the project itself (npm's root entry, yarn berry's `workspace:` entry) and
//! drops dev packages; we drop the project and keep dev packages, flagged. Fixtures whose
//! upstream expectations were not available (syft's nested v1, pnpm v5-peer-suffix, v9,
//! multi-document, yarn duplicates) are checked against lists read from the fixture itself.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::BTreeSet;

use proptest::prelude::*;
use qm_catalog::{
    CatalogError, parse_package_json, parse_package_lock, parse_pnpm_lock, parse_yarn_lock,
};
use qm_model::{Ecosystem, Package};

const SYFT: &str = "fixtures/syft/syft/pkg/cataloger/javascript/testdata/";
const TRIVY: &str = "fixtures/trivy/integration/testdata/fixtures/repo/";

type Parser = fn(&str, &[u8]) -> Result<Vec<Package>, CatalogError>;

fn parse(parser: Parser, relative: &str) -> Vec<Package> {
    let bytes = fs_bytes(relative);
    let packages = parser(relative, &bytes).unwrap();
    for package in &packages {
        assert_eq!(package.ecosystem, Ecosystem::Npm);
        assert_eq!(package.locations, [relative]);
        assert!(package.purl.starts_with("pkg:npm/"), "{}", package.purl);
    }
    packages
}

fn fs_bytes(relative: &str) -> Vec<u8> {
    qm_testdata::read_text(relative).into_bytes()
}

fn ids(packages: &[Package]) -> BTreeSet<String> {
    packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn dev_ids(packages: &[Package]) -> BTreeSet<String> {
    packages
        .iter()
        .filter(|p| p.dev)
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

fn check(parser: Parser, relative: &str, expected: &[&str], dev: &[&str]) {
    let packages = parse(parser, relative);
    assert_eq!(ids(&packages), set(expected), "{relative}");
    assert_eq!(
        packages.len(),
        expected.len(),
        "{relative}: one package per name@version"
    );
    assert_eq!(dev_ids(&packages), set(dev), "{relative}: dev flags");
}

#[test]
fn syft_package_lock_v1() {
    // syft TestParsePackageLock lists 11; it drops the dev-only `async@3.2.4`, which we keep.
    check(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/package-lock.json"),
        &[
            "@actions/core@1.6.0",
            "ansi-regex@3.0.0",
            "cowsay@1.4.0",
            "get-stdin@5.0.1",
            "is-fullwidth-code-point@2.0.0",
            "minimist@0.0.10",
            "optimist@0.6.1",
            "string-width@2.1.1",
            "strip-ansi@4.0.0",
            "strip-eof@1.0.0",
            "wordwrap@0.0.3",
            "async@3.2.4",
        ],
        &["async@3.2.4"],
    );
}

#[test]
fn syft_package_lock_v2_and_v3() {
    // syft TestParsePackageLockV2/V3 also list the root project (`npm@6.14.6`,
    // `lock-v3-fixture@1.0.0`), which we skip, and drop the dev-only `async@3.2.4`.
    check(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/package-lock-2.json"),
        &[
            "@types/prop-types@15.7.5",
            "@types/react@18.0.17",
            "@types/scheduler@0.16.2",
            "csstype@3.1.0",
            "async@3.2.4",
        ],
        &["async@3.2.4"],
    );
    check(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/package-lock-3.json"),
        &[
            "@types/prop-types@15.7.5",
            "@types/react@18.0.20",
            "@types/scheduler@0.16.2",
            "csstype@3.1.1",
            "async@3.2.4",
        ],
        &["async@3.2.4"],
    );
}

#[test]
fn syft_package_lock_aliases_resolve_to_real_names() {
    // syft TestParsePackageLockAlias: the same three for v1 and v2 (plus, for v2, the root
    // `alias-check@1.0.0`, which we skip).
    let expected = ["case@1.6.2", "case@1.6.3", "@bundled-es-modules/chai@4.2.2"];
    for file in ["alias-package-lock-1.json", "alias-package-lock-2.json"] {
        check(
            parse_package_lock,
            &format!("{SYFT}pkg-lock/{file}"),
            &expected,
            &[],
        );
    }
    let packages = parse(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/alias-package-lock-2.json"),
    );
    let chai = packages.iter().find(|p| p.name.ends_with("chai")).unwrap();
    assert_eq!(chai.purl, "pkg:npm/%40bundled-es-modules/chai@4.2.2");
}

#[test]
fn syft_package_lock_array_license() {
    // syft TestParsePackageLockLicenseWithArray, without the root `tmp@1.0.0`.
    check(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/array-license-package-lock.json"),
        &["pause-stream@0.0.11", "through@2.3.8"],
        &[],
    );
}

#[test]
fn syft_package_lock_v1_nesting_merges_duplicates() {
    // Read from the fixture: `duplicate@1.0.0` sits at two paths and is one package; three
    // `shared` versions at three depths are three; `dev-nested` inherits dev from its parent.
    check(
        parse_package_lock,
        &format!("{SYFT}pkg-lock/nested-package-lock-1.json"),
        &[
            "parent@1.0.0",
            "shared@1.0.0",
            "middle@1.0.0",
            "shared@0.5.0",
            "duplicate@1.0.0",
            "shared@2.0.0",
            "dev-parent@1.0.0",
            "dev-nested@1.0.0",
        ],
        &["dev-parent@1.0.0", "dev-nested@1.0.0"],
    );
}

#[test]
fn trivy_package_lock_matches_golden_with_dev() {
    // trivy npm-with-dev.json.golden: 13 packages, `z-lock` dev; npm.json.golden (dev
    // excluded) is the other 12.
    check(
        parse_package_lock,
        &format!("{TRIVY}npm/package-lock.json"),
        &[
            "asap@2.0.6",
            "jquery@3.3.9",
            "js-tokens@4.0.0",
            "loose-envify@1.4.0",
            "object-assign@4.1.1",
            "promise@8.0.3",
            "prop-types@15.7.2",
            "react@16.8.6",
            "react-is@16.8.6",
            "redux@4.0.1",
            "scheduler@0.13.6",
            "symbol-observable@1.2.0",
            "z-lock@1.0.0",
        ],
        &["z-lock@1.0.0"],
    );
}

#[test]
fn corrupt_package_locks_are_errors() {
    for file in [
        "corrupt/package-lock.json",
        "glob-paths/src/package-lock.json",
    ] {
        let relative = format!("{SYFT}{file}");
        assert!(
            parse_package_lock(&relative, &fs_bytes(&relative)).is_err(),
            "{file}"
        );
    }
}

/// The packages of syft's `yarn` and `yarn-berry` fixtures that both generations agree on.
const SYFT_YARN_COMMON: [&str; 8] = [
    "@babel/code-frame@7.10.4",
    "@types/minimatch@3.0.3",
    "@types/qs@6.9.4",
    "ajv@6.12.3",
    "asn1.js@4.10.1",
    "atob@2.1.2",
    "aws-sdk@2.706.0",
    "jhipster-core@7.3.4",
];

#[test]
fn syft_yarn_classic() {
    // syft TestParseYarnLock: these 8 plus `something-i-made-up@7.7.7`, a name syft takes
    // from the `resolved` URL; we take the entry's own name, `c0n-fab_u.laTION`.
    let mut expected = SYFT_YARN_COMMON.to_vec();
    expected.push("c0n-fab_u.laTION@7.7.7");
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn/yarn.lock"),
        &expected,
        &[],
    );
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-v1-deps/yarn.lock"),
        &expected,
        &[],
    );
}

#[test]
fn syft_yarn_berry() {
    // syft TestParseYarnBerry: these 8 plus `c0n-fab_u.laTION@7.7.7`, whose resolution is
    // `newtest@workspace:.` (the project itself), which we skip.
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-berry/yarn.lock"),
        &SYFT_YARN_COMMON,
        &[],
    );
}

#[test]
fn syft_yarn_duplicates_and_odd_descriptors() {
    // Read from the fixtures: two versions of `async` stay two packages; a git-URL
    // descriptor still names its package.
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-berry-dups/yarn.lock"),
        &["async@0.9.2", "async@3.2.6"],
        &[],
    );
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-dups/yarn.lock"),
        &[
            "async@0.9.2",
            "async@3.2.3",
            "merge-objects@1.0.5",
            "resize-observer-polyfill@1.5.2",
            "should-type@1.3.0",
        ],
        &[],
    );
    // Dev-only packages cannot be told from yarn.lock alone (the fixtures' package.json says
    // which): all four are reported, none flagged.
    let four = [
        "dev-only-transitive@1.0.0",
        "dev-pkg@1.0.0",
        "prod-pkg@1.0.0",
        "shared-pkg@1.0.0",
    ];
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-dev-deps/yarn.lock"),
        &four,
        &[],
    );
    check(
        parse_yarn_lock,
        &format!("{SYFT}yarn-berry-dev-deps/yarn.lock"),
        &four,
        &[],
    );
}

#[test]
fn trivy_yarn() {
    // trivy yarn.json.golden lists `jquery@3.2.1` and the project `integration@1.0.0`: it
    // reads package.json to drop the dev-only `promise` and its `asap`. From yarn.lock alone
    // all three locked packages are reported.
    check(
        parse_yarn_lock,
        &format!("{TRIVY}yarn/yarn.lock"),
        &["asap@2.0.6", "jquery@3.2.1", "promise@8.0.3"],
        &[],
    );
}

#[test]
fn syft_pnpm_v5() {
    // syft TestParsePnpmLock also lists `nanoid@3.3.4`, `picocolors@1.0.0` and
    // `source-map-js@1.0.2`, taken from the importer's `dependencies`; the fixture's
    // `packages` was cut down to one entry ("# removed other packages"), and we read only
    // `packages`.
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm/pnpm-lock.yaml"),
        &["@bcoe/v8-coverage@0.2.3"],
        &["@bcoe/v8-coverage@0.2.3"],
    );
    // Read from the fixture: peer suffixes (`_acorn@8.8.0`, `_fzn43tb…`) are not versions.
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm-v5-peer-suffix/pnpm-lock.yaml"),
        &["acorn@8.8.0", "acorn-jsx@5.3.2", "webpack-cli@4.10.0"],
        &[],
    );
}

#[test]
fn syft_pnpm_v6() {
    // syft TestParsePnpmV6Lock: all 10.
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm-v6/pnpm-lock.yaml"),
        &[
            "@testing-library/jest-dom@5.16.5",
            "@testing-library/react@13.4.0",
            "@testing-library/user-event@13.5.0",
            "react@18.2.0",
            "react-dom@18.2.0",
            "web-vitals@2.1.4",
            "@babel/core@7.21.4",
            "@types/eslint@8.37.0",
            "read-cache@1.0.0",
            "schema-utils@3.1.2",
        ],
        &[],
    );
}

#[test]
fn syft_pnpm_v9() {
    // Read from the fixtures.
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm-v9/pnpm-lock.yaml"),
        &[
            "@babel/core@7.24.7",
            "@babel/helper-plugin-utils@7.24.7",
            "is-positive@3.1.0",
            "rollup@4.18.0",
        ],
        &[],
    );
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm-v9-snapshots/pnpm-lock.yaml"),
        &[
            "cross-spawn@7.0.6",
            "isexe@2.0.0",
            "path-key@3.1.1",
            "shebang-command@2.0.0",
            "shebang-regex@3.0.0",
            "which@2.0.2",
        ],
        &[],
    );
    // Two YAML documents: pnpm's own lock, then the project's.
    check(
        parse_pnpm_lock,
        &format!("{SYFT}pnpm-multi-doc/pnpm-lock.yaml"),
        &[
            "@pnpm/exe.linux-x64@12.0.0-rc.3",
            "pnpm@12.0.0-rc.3",
            "minimist@1.2.0",
        ],
        &[],
    );
}

#[test]
fn trivy_pnpm() {
    // trivy pnpm.json.golden.
    check(
        parse_pnpm_lock,
        &format!("{TRIVY}pnpm/pnpm-lock.yaml"),
        &["jquery@3.3.9", "lodash@4.17.4"],
        &[],
    );
}

#[test]
fn corrupt_pnpm_locks_are_errors() {
    for file in ["corrupt/pnpm-lock.yaml", "glob-paths/src/pnpm-lock.yaml"] {
        let relative = format!("{SYFT}{file}");
        assert!(
            parse_pnpm_lock(&relative, &fs_bytes(&relative)).is_err(),
            "{file}"
        );
    }
}

#[test]
fn installed_package_json() {
    let cases = [
        (format!("{SYFT}pkg-json/package.json"), Some("npm@6.14.6")),
        (
            format!("{SYFT}pkg-json/package-repo-string.json"),
            Some("function-bind@1.1.1"),
        ),
        (format!("{SYFT}pkg-json/package-private.json"), None),
        (format!("{SYFT}pkg-json/package-partial.json"), None),
        (
            format!("{SYFT}pkg-lock/node_modules/@actions/core/package.json"),
            Some("@actions/core@1.6.0"),
        ),
        (
            format!("{TRIVY}npm/node_modules/z-lock/package.json"),
            Some("z-lock@1.0.0"),
        ),
        (
            format!(
                "{TRIVY}pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json"
            ),
            Some("lodash@4.17.4"),
        ),
    ];
    for (relative, expected) in cases {
        let packages = parse(parse_package_json, &relative);
        assert_eq!(
            ids(&packages),
            expected.into_iter().map(str::to_owned).collect(),
            "{relative}"
        );
    }
    let relative = format!("{SYFT}corrupt/package.json");
    assert!(parse_package_json(&relative, &fs_bytes(&relative)).is_err());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_package_lock("package-lock.json", &bytes);
        let _ = parse_yarn_lock("yarn.lock", &bytes);
        let _ = parse_pnpm_lock("pnpm-lock.yaml", &bytes);
        let _ = parse_package_json("package.json", &bytes);
    }

    #[test]
    fn format_shaped_text_never_panics(
        text in "(__metadata:\n|[ @/_:\"(),a-z0-9.\n{}\\[\\]-]|  version |packages:\n|snapshots:\n|importers:\n|node_modules/){0,200}"
    ) {
        let _ = parse_package_lock("package-lock.json", text.as_bytes());
        let _ = parse_yarn_lock("yarn.lock", text.as_bytes());
        let _ = parse_pnpm_lock("pnpm-lock.yaml", text.as_bytes());
        let _ = parse_package_json("package.json", text.as_bytes());
    }
}
