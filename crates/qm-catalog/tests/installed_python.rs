//! Installed Python metadata against syft's `python/testdata` fixtures.
//!
//! The expected packages are those of syft's `python/cataloger_test.go`
//! (`Test_PackageCataloger`, `Test_PackageCataloger_IgnorePackage`,
//! `Test_PackageCataloger_Globs`), read for the fixture layout of the pinned syft commit
//! (`testdata/site-packages/…`). Two deliberate differences: the purl's name is PEP 503
//! normalised (syft writes `pkg:pypi/Pygments@2.6.1`, we `pkg:pypi/pygments@2.6.1`), and
//! `direct_url.json` is not read, so no `vcs_url` qualifier.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use std::path::Path;

use proptest::prelude::*;
use qm_catalog::{CatalogError, claims_python_installed, parse_python_installed};
use qm_model::Ecosystem;

const ROOT: &str = "fixtures/syft/syft/pkg/cataloger/python/testdata/";

/// `(name, version, purl)` of the one package a fixture names, `None` for none.
fn parse(fixture: &str) -> Option<(String, String, String)> {
    let bytes = qm_testdata::read_bytes(&format!("{ROOT}{fixture}"));
    let packages = parse_python_installed(fixture, &bytes).unwrap();
    assert!(packages.len() <= 1, "{fixture}: {packages:?}");
    packages.into_iter().next().map(|package| {
        assert_eq!(package.ecosystem, Ecosystem::PyPI);
        assert_eq!(package.found_by, "python-installed");
        assert_eq!(package.locations, [fixture]);
        (package.name, package.version, package.purl)
    })
}

fn expected(name: &str, version: &str, purl: &str) -> Option<(String, String, String)> {
    Some((name.to_owned(), version.to_owned(), purl.to_owned()))
}

#[test]
fn syft_site_packages_fixtures_name_their_packages() {
    let requests = expected("requests", "2.22.0", "pkg:pypi/requests@2.22.0");
    let pygments = expected("Pygments", "2.6.1", "pkg:pypi/pygments@2.6.1");
    let cases = [
        // "egg-info directory"
        ("site-packages/nested/egg-name/egg-info/PKG-INFO", &requests),
        (
            "site-packages/uppercase/egg-name/EGG-INFO/PKG-INFO",
            &requests,
        ),
        // "dist-info directory"
        (
            "site-packages/nested/dist-name/dist-info/METADATA",
            &pygments,
        ),
        (
            "site-packages/uppercase/dist-name/DIST-INFO/METADATA",
            &pygments,
        ),
        // "malformed-record": RECORD is not read, METADATA is fine
        (
            "site-packages/malformed-record/dist-info/METADATA",
            &pygments,
        ),
        // "partial dist-info directory"
        ("site-packages/partial.dist-info/METADATA", &pygments),
        // "egg-info regular file"
        ("site-packages/test/test.egg-info", &requests),
        // license fixtures: same distribution, other licence headers
        (
            "site-packages/license/with-license-file-declared.dist-info/METADATA",
            &pygments,
        ),
        (
            "site-packages/license/without-license-file-declared.dist-info/METADATA",
            &pygments,
        ),
    ];
    for (fixture, want) in cases {
        assert_eq!(&parse(fixture), want, "{fixture}");
    }
}

#[test]
fn a_missing_version_keeps_the_package_without_one() {
    // syft's "egg-file-no-version": name only, purl without a version.
    assert_eq!(
        parse("site-packages/no-version/no-version-py3.8.egg-info"),
        expected("no-version", "", "pkg:pypi/no-version")
    );
}

#[test]
fn the_interpreter_and_empty_files_name_nothing() {
    // syft's Test_PackageCataloger_IgnorePackage: no packages and no error.
    assert_eq!(parse("Python-2.7.egg-info"), None);
    assert_eq!(parse("empty-1.0.0-py3.8.egg-info"), None);
}

#[test]
fn junk_in_the_headers_is_skipped() {
    // An unindented multi-line Summary (not in syft's cataloger test; our reading).
    for fixture in [
        "site-packages/nested/egg-name/egg-info/PKG-INFO-INVALID",
        "site-packages/uppercase/egg-name/EGG-INFO/PKG-INFO-INVALID",
    ] {
        assert_eq!(
            parse(fixture),
            expected("mxnet", "1.8.0", "pkg:pypi/mxnet@1.8.0"),
            "{fixture}"
        );
    }
}

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

#[test]
fn claims_pick_the_glob_fixtures() {
    let base = qm_testdata::data_path(&format!("{ROOT}glob-paths"));
    let mut files = Vec::new();
    files_under(&base, &base, &mut files);
    let mut claimed: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|path| claims_python_installed(path))
        .collect();
    claimed.sort_unstable();
    // syft's Test_PackageCataloger_Globs list, plus the upper-case spellings syft's current
    // globs (`**/*DIST-INFO/METADATA`, `**/*EGG-INFO/PKG-INFO`) also match.
    assert_eq!(
        claimed,
        [
            "site-packages/v.DIST-INFO/METADATA",
            "site-packages/w.EGG-INFO/PKG-INFO",
            "site-packages/x.dist-info/METADATA",
            "site-packages/y.egg-info/PKG-INFO",
            "site-packages/z.egg-info",
        ]
    );
    assert!(files.len() > claimed.len(), "lockfiles are not claimed");
}

#[test]
fn other_files_are_malformed_not_panics() {
    for fixture in [
        "site-packages/nested/dist-name/dist-info/RECORD",
        "pyenv/good-config",
    ] {
        let bytes = qm_testdata::read_bytes(&format!("{ROOT}{fixture}"));
        assert!(
            matches!(
                parse_python_installed(fixture, &bytes),
                Err(CatalogError::Malformed { .. })
            ),
            "{fixture}"
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_python_installed("x.dist-info/METADATA", &bytes);
    }

    #[test]
    fn header_like_text_never_panics(
        lines in proptest::collection::vec("(Name|Version|Summary|[ \t]?[A-Za-z-]{0,8}):? ?[ -~]{0,20}", 0..12)
    ) {
        let text = lines.join("\n");
        if let Ok(packages) = parse_python_installed("x.egg-info", text.as_bytes()) {
            prop_assert!(packages.len() <= 1);
            for package in packages {
                prop_assert!(package.purl.starts_with("pkg:pypi/"));
            }
        }
    }

    #[test]
    fn claims_never_panic(path in "[a-zA-Z./_-]{0,40}") {
        let _ = claims_python_installed(&path);
    }
}
