//! The rpm database cataloger against real databases of all three containers (go-rpmdb's and
//! syft's fixtures, with the package lists their tests state), and against corrupted copies of
//! them: truncated, byte-flipped, Berkeley DB overflow chains turned into loops.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use proptest::prelude::*;
use qm_catalog::{CatalogError, parse_rpmdb};
use qm_model::{Ecosystem, Package};
use qm_testdata::read_bytes;
use serde::Deserialize;

const GO_RPMDB: &str = "fixtures/rpmdb-go-rpmdb";
const SQLITE: &str = "pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite";
const NDB: &str = "pkg/testdata/sle15-bci/Packages.db";
const BDB: &str = "pkg/testdata/libuuid/Packages";
const SYFT_BDB: &str = "fixtures/syft/syft/pkg/cataloger/redhat/testdata/Packages";

/// One package as the expected lists write it.
#[derive(Debug, Deserialize)]
struct Expected {
    name: String,
    epoch: Option<u32>,
    version: String,
    release: String,
    arch: String,
    sourcerpm: String,
}

/// An `expected-*.json` of go-rpmdb's fixtures: a full list with its count, or (`libuuid`) only
/// the packages its test asserts.
#[derive(Debug, Deserialize)]
struct ExpectedFile {
    count: Option<usize>,
    #[serde(default)]
    packages: Vec<Expected>,
    #[serde(default)]
    packages_asserted: Vec<Expected>,
}

/// syft's `expected-rpmdb.json`.
#[derive(Debug, Deserialize)]
struct SyftExpected {
    fixtures: Vec<SyftFixture>,
}

#[derive(Debug, Deserialize)]
struct SyftFixture {
    path: String,
    packages: Vec<Expected>,
}

/// Asserts that `expected` is one of `packages`, field by field.
fn assert_has(packages: &[Package], expected: &Expected, fixture: &str) {
    let upstream = format!("{}-{}", expected.version, expected.release);
    let version = match expected.epoch {
        Some(epoch) => format!("{epoch}:{upstream}"),
        None => upstream.clone(),
    };
    let found = packages
        .iter()
        .find(|package| package.name == expected.name && package.version == version)
        .unwrap_or_else(|| panic!("{fixture}: no package {} {version}", expected.name));
    assert_eq!(
        found.arch.as_deref(),
        Some(expected.arch.as_str()),
        "{fixture}: {}",
        expected.name
    );
    let source = found.source.as_ref().unwrap();
    let source_version = source.version.as_deref().unwrap();
    assert_eq!(
        format!("{}-{source_version}.src.rpm", source.name),
        expected.sourcerpm,
        "{fixture}: {}",
        expected.name
    );
    // purl percent-encodes `+` in names and versions (`libstdc%2B%2B`).
    let mut purl = format!(
        "pkg:rpm/redhat/{}@{}?arch={}",
        expected.name.replace('+', "%2B"),
        upstream.replace('+', "%2B"),
        expected.arch
    );
    if let Some(epoch) = expected.epoch {
        purl.push_str(&format!("&epoch={epoch}"));
    }
    assert_eq!(found.purl, purl);
    assert_eq!(found.ecosystem, Ecosystem::RedHat);
    assert_eq!(found.found_by, "rpmdb");
}

/// Catalogs one go-rpmdb fixture and checks it against its expected list.
fn check_go_rpmdb(fixture: &str, expected_file: &str) -> usize {
    let path = format!("{GO_RPMDB}/{fixture}");
    let packages = parse_rpmdb(fixture, &read_bytes(&path)).unwrap();
    let expected: ExpectedFile = serde_json::from_str(&qm_testdata::read_text(&format!(
        "{GO_RPMDB}/{expected_file}"
    )))
    .unwrap();
    for package in expected.packages.iter().chain(&expected.packages_asserted) {
        assert_has(&packages, package, fixture);
    }
    if let Some(count) = expected.count {
        assert_eq!(packages.len(), count, "{fixture}");
        assert_eq!(expected.packages.len(), count, "{expected_file}");
    }
    assert!(packages.iter().all(|package| package.name != "gpg-pubkey"));
    assert!(
        packages
            .iter()
            .all(|package| package.locations == [fixture])
    );
    packages.len()
}

#[test]
fn sqlite_cbl_mariner_matches_all_129_packages() {
    assert_eq!(
        check_go_rpmdb(SQLITE, "expected-cbl-mariner-2.0-rpmdb.sqlite.json"),
        129
    );
}

#[test]
fn ndb_sle15_matches_all_35_packages() {
    assert_eq!(
        check_go_rpmdb(NDB, "expected-sle15-bci-Packages.db.json"),
        35
    );
}

#[test]
fn bdb_libuuid_holds_the_asserted_package() {
    // go-rpmdb only asserts libuuid, and it is the only package: the file holds one overflow
    // chain (pages 3 to 22) and one `.src.rpm` string.
    assert_eq!(check_go_rpmdb(BDB, "expected-libuuid-Packages.json"), 1);
}

#[test]
fn bdb_syft_fixture_matches_syft_expectations() {
    let expected: SyftExpected =
        serde_json::from_str(&qm_testdata::read_text("fixtures/syft/expected-rpmdb.json")).unwrap();
    assert_eq!(expected.fixtures.len(), 1);
    for fixture in &expected.fixtures {
        let bytes = read_bytes(&format!("fixtures/syft/{}", fixture.path));
        let packages = parse_rpmdb(&fixture.path, &bytes).unwrap();
        assert_eq!(packages.len(), fixture.packages.len());
        assert_eq!(packages.len(), 1);
        for package in &fixture.packages {
            assert_has(&packages, package, &fixture.path);
        }
    }
}

#[test]
fn syft_dummy_files_are_errors_and_empty_files_are_empty() {
    let base = "fixtures/syft/syft/pkg/cataloger/redhat/testdata/glob-paths";
    for file in [
        "var/lib/rpm/Packages",
        "var/lib/rpm/Packages.db",
        "var/lib/rpm/rpmdb.sqlite",
    ] {
        let error = parse_rpmdb(file, &read_bytes(&format!("{base}/{file}"))).unwrap_err();
        assert!(
            matches!(error, CatalogError::Malformed { .. }),
            "{file}: {error}"
        );
    }
    let empty = read_bytes(&format!("{base}/usr/lib/sysimage/rpm/Packages"));
    assert_eq!(parse_rpmdb("Packages", &empty).unwrap(), []);
}

#[test]
fn truncated_databases_are_errors() {
    for fixture in [SQLITE, NDB, BDB] {
        let bytes = read_bytes(&format!("{GO_RPMDB}/{fixture}"));
        // Many cuts, including inside the first page and one byte short.
        let mut cuts: Vec<usize> = (1..64).map(|part| bytes.len() * part / 64).collect();
        cuts.extend([1, 13, 16, 100, 4095, 4096, 4097, bytes.len() - 1]);
        for cut in cuts {
            // SQLite alone would read a prefix holding every page the query needs; the
            // cataloger checks the size the header announces.
            assert!(
                parse_rpmdb(fixture, &bytes[..cut]).is_err(),
                "{fixture} cut at {cut}"
            );
        }
    }
}

#[test]
fn berkeley_db_overflow_loop_is_an_error() {
    let mut bytes = read_bytes(&format!("{GO_RPMDB}/{BDB}"));
    let page_size = usize::try_from(u32::from_le_bytes(bytes[20..24].try_into().unwrap())).unwrap();
    let pages = bytes.len() / page_size;
    // Point every overflow page's next-page link at itself.
    let mut changed = 0;
    for page in 1..pages {
        let start = page * page_size;
        if bytes[start + 25] == 7 {
            let number = u32::try_from(page).unwrap().to_le_bytes();
            bytes[start + 16..start + 20].copy_from_slice(&number);
            changed += 1;
        }
    }
    assert!(changed > 0);
    let error = parse_rpmdb(BDB, &bytes).unwrap_err();
    assert!(error.to_string().contains("loops"), "{error}");
}

/// The fixtures read once for the property tests.
fn fixtures() -> &'static [Vec<u8>; 4] {
    static FIXTURES: std::sync::OnceLock<[Vec<u8>; 4]> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        [
            read_bytes(&format!("{GO_RPMDB}/{NDB}")),
            read_bytes(&format!("{GO_RPMDB}/{BDB}")),
            read_bytes(SYFT_BDB),
            read_bytes(&format!("{GO_RPMDB}/{SQLITE}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Flipped bytes anywhere, then a cut: an answer or an error, never a panic or a hang.
    #[test]
    fn mutated_databases_never_panic(
        fixture in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..16),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut bytes = fixtures()[fixture].clone();
        for (at, mask) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= mask;
        }
        if do_cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = parse_rpmdb("mutated", &bytes);
    }

    /// Flips confined to the structural start of each file (headers, slot table, metadata
    /// page), where they matter most.
    #[test]
    fn mutated_headers_never_panic(
        fixture in 0usize..3,
        flips in proptest::collection::vec((0usize..8192, 1u8..=255), 1..8),
    ) {
        let mut bytes = fixtures()[fixture].clone();
        for (at, mask) in flips {
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= mask;
            }
        }
        let _ = parse_rpmdb("mutated", &bytes);
    }
}
