//! OS package catalogers (dpkg status, apk installed) and distribution detection, on syft's
//! real fixtures and the package lists syft's tests state for them
//! (`fixtures/syft/expected-dpkg.json`, `expected-apk.json`).
//!
//! The trivy fixture copy holds only golden scan reports, no status or installed databases, so
//! it has nothing for these catalogers.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on broken fixtures")]

use std::collections::BTreeMap;

use proptest::prelude::*;
use qm_catalog::{
    CatalogError, distro_from_release_files, parse_apk_installed, parse_dpkg_status,
    parse_os_release,
};
use qm_model::{Distro, Ecosystem, Package};
use serde::Deserialize;

const SYFT: &str = "fixtures/syft";
const DEBIAN: &str = "fixtures/syft/syft/pkg/cataloger/debian/testdata";
const ALPINE: &str = "fixtures/syft/syft/pkg/cataloger/alpine/testdata";

#[derive(Deserialize)]
struct ExpectedFile {
    fixtures: Vec<ExpectedFixture>,
}

#[derive(Deserialize)]
struct ExpectedFixture {
    path: String,
    /// `null` when cataloging must fail.
    packages: Option<Vec<ExpectedPackage>>,
    #[serde(default)]
    ignored: Vec<ExpectedPackage>,
}

#[derive(Deserialize)]
struct ExpectedPackage {
    name: String,
    version: Option<String>,
}

fn expected(file: &str) -> Vec<ExpectedFixture> {
    let text = qm_testdata::read_text(&format!("{SYFT}/{file}"));
    let parsed: ExpectedFile = serde_json::from_str(&text).unwrap();
    assert!(!parsed.fixtures.is_empty(), "{file} lists no fixtures");
    parsed.fixtures
}

type Parser = fn(&str, &[u8]) -> Result<Vec<Package>, CatalogError>;

/// Parses a fixture (path relative to the shared data) the way the scanner would, with its
/// path inside the target as `path`.
fn parse(parser: Parser, relative: &str) -> Result<Vec<Package>, CatalogError> {
    let bytes = qm_testdata::read_text(relative).into_bytes();
    parser(relative, &bytes)
}

/// name → versions (a name may appear more than once), sorted.
fn by_name<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, version) in pairs {
        map.entry(name.to_owned())
            .or_default()
            .push(version.to_owned());
    }
    for versions in map.values_mut() {
        versions.sort();
    }
    map
}

/// Runs every fixture of an expected list and checks the exact set of (name, version) pairs;
/// returns how many packages were checked.
fn check_expected(file: &str, parser: Parser) -> usize {
    let mut checked = 0;
    for fixture in expected(file) {
        let relative = format!("{SYFT}/{}", fixture.path);
        let result = parse(parser, &relative);
        let Some(expected) = fixture.packages else {
            assert!(
                matches!(result, Err(CatalogError::Malformed { .. })),
                "{relative}: expected an error, got {result:?}"
            );
            continue;
        };
        let packages = result.unwrap_or_else(|error| panic!("{relative}: {error}"));
        let got = by_name(
            packages
                .iter()
                .map(|p| (p.name.as_str(), p.version.as_str())),
        );
        let want = by_name(
            expected
                .iter()
                .map(|p| (p.name.as_str(), p.version.as_deref().unwrap_or_default())),
        );
        assert_eq!(got, want, "{relative}");
        for ignored in &fixture.ignored {
            assert!(
                !got.contains_key(&ignored.name),
                "{relative}: `{}` must be left out",
                ignored.name
            );
        }
        for package in &packages {
            assert_eq!(package.locations, [relative.as_str()]);
            assert!(package.purl.starts_with("pkg:"), "{}", package.purl);
        }
        checked += packages.len();
    }
    checked
}

/// (name, version, source name, source version, arch, purl) of one package.
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

fn rows(packages: &[Package]) -> Vec<Row<'_>> {
    packages
        .iter()
        .map(|p| {
            let source = p.source.as_ref().unwrap();
            (
                p.name.as_str(),
                p.version.as_str(),
                source.name.as_str(),
                source.version.as_deref(),
                p.arch.as_deref(),
                p.purl.as_str(),
            )
        })
        .collect()
}

#[test]
fn dpkg_fixtures_match_syft_expectations() {
    // 1 + 1 + 3 + 1 + 3 (opkg) + 1 + 1 + 9 + 16 packages in the nine fixtures.
    assert_eq!(check_expected("expected-dpkg.json", parse_dpkg_status), 36);
}

#[test]
fn apk_fixtures_match_syft_expectations() {
    // 1 + 1 + 1 + 1 + 4 + 14 packages, and the corrupt database is an error.
    assert_eq!(check_expected("expected-apk.json", parse_apk_installed), 22);
}

#[test]
fn dpkg_sources_architectures_and_purls() {
    let packages = parse(
        parse_dpkg_status,
        &format!("{DEBIAN}/var/lib/dpkg/status.d/coreutils-relationships"),
    )
    .unwrap();
    let expected: &[Row<'_>] = &[
        (
            "coreutils",
            "9.1-1",
            "coreutils",
            Some("9.1-1"),
            Some("arm64"),
            "pkg:deb/debian/coreutils@9.1-1?arch=arm64",
        ),
        (
            "libacl1",
            "2.3.1-3",
            "acl",
            Some("2.3.1-3"),
            Some("arm64"),
            "pkg:deb/debian/libacl1@2.3.1-3?arch=arm64",
        ),
        (
            "libc6",
            "2.36-9+deb12u1",
            "glibc",
            Some("2.36-9+deb12u1"),
            Some("arm64"),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=arm64",
        ),
        (
            "libgcc-s1",
            "12.2.0-14",
            "gcc-12",
            Some("12.2.0-14"),
            Some("arm64"),
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=arm64",
        ),
        (
            "gcc-12-base",
            "12.2.0-14",
            "gcc-12",
            Some("12.2.0-14"),
            Some("arm64"),
            "pkg:deb/debian/gcc-12-base@12.2.0-14?arch=arm64",
        ),
        (
            "libattr1",
            "1:2.5.1-4",
            "attr",
            Some("1:2.5.1-4"),
            Some("arm64"),
            "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64",
        ),
        (
            "libgmp10",
            "2:6.2.1+dfsg1-1.1",
            "gmp",
            Some("2:6.2.1+dfsg1-1.1"),
            Some("arm64"),
            "pkg:deb/debian/libgmp10@2:6.2.1%2Bdfsg1-1.1?arch=arm64",
        ),
        (
            "libselinux1",
            "3.4-1+b6",
            "libselinux",
            Some("3.4-1"),
            Some("arm64"),
            "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64",
        ),
        (
            "libpcre2-8-0",
            "10.42-1",
            "pcre2",
            Some("10.42-1"),
            Some("arm64"),
            "pkg:deb/debian/libpcre2-8-0@10.42-1?arch=arm64",
        ),
    ];
    assert_eq!(rows(&packages), expected);
    for package in &packages {
        assert_eq!(package.ecosystem, Ecosystem::Debian);
        assert_eq!(package.found_by, "dpkg");
    }

    let cases: &[(&str, &[Row<'_>])] = &[
        (
            "var/lib/dpkg/status.d/single",
            &[(
                "apt",
                "1.8.2",
                "apt-dev",
                Some("1.8.2"),
                Some("amd64"),
                "pkg:deb/debian/apt@1.8.2?arch=amd64",
            )],
        ),
        (
            "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0",
            &[(
                "libsqlite3-0",
                "3.34.1-3",
                "sqlite3",
                Some("3.34.1-3"),
                Some("arm64"),
                "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64",
            )],
        ),
        (
            "image-dpkg/var/lib/dpkg/status",
            &[(
                "libpam-runtime",
                "1.1.8-3.6",
                "pam",
                Some("1.1.8-3.6"),
                Some("all"),
                "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all",
            )],
        ),
        (
            "var/lib/dpkg/status.d/deinstall",
            &[(
                "linux-image-6.14.0-1012-aws",
                "6.14.0-1012.12~24.04.1",
                "linux-signed-aws-6.14",
                Some("6.14.0-1012.12~24.04.1"),
                Some("amd64"),
                "pkg:deb/debian/linux-image-6.14.0-1012-aws@6.14.0-1012.12~24.04.1?arch=amd64",
            )],
        ),
        (
            "var/lib/dpkg/status.d/multiple",
            &[
                (
                    "no-version",
                    "",
                    "no-version",
                    None,
                    None,
                    "pkg:deb/debian/no-version",
                ),
                (
                    "tzdata",
                    "2020a-0+deb10u1",
                    "tzdata-dev",
                    Some("2020a-0+deb10u1"),
                    Some("all"),
                    "pkg:deb/debian/tzdata@2020a-0%2Bdeb10u1?arch=all",
                ),
                (
                    "util-linux",
                    "2.33.1-0.1",
                    "util-linux",
                    Some("2.33.1-0.1"),
                    Some("amd64"),
                    "pkg:deb/debian/util-linux@2.33.1-0.1?arch=amd64",
                ),
            ],
        ),
        // Not in syft's expectations: a status.d file whose extra stanzas have no version.
        (
            "var/lib/dpkg/status.d/libpam-runtime",
            &[
                (
                    "libpam-runtime",
                    "1.5.2-6+deb12u1",
                    "pam",
                    Some("1.5.2-6+deb12u1"),
                    Some("all"),
                    "pkg:deb/debian/libpam-runtime@1.5.2-6%2Bdeb12u1?arch=all",
                ),
                (
                    "debconf1",
                    "",
                    "debconf1",
                    None,
                    None,
                    "pkg:deb/debian/debconf1",
                ),
                (
                    "debconf2",
                    "",
                    "debconf2",
                    None,
                    None,
                    "pkg:deb/debian/debconf2",
                ),
                (
                    "debconf-2.0",
                    "",
                    "debconf-2.0",
                    None,
                    None,
                    "pkg:deb/debian/debconf-2.0",
                ),
                (
                    "cdebconf",
                    "",
                    "cdebconf",
                    None,
                    None,
                    "pkg:deb/debian/cdebconf",
                ),
                (
                    "libpam-modules",
                    "",
                    "libpam-modules",
                    None,
                    None,
                    "pkg:deb/debian/libpam-modules",
                ),
            ],
        ),
        // The same status file at the usr/lib location some images use.
        (
            "glob-paths/usr/lib/dpkg/status",
            &[(
                "libpam-runtime",
                "1.1.8-3.6",
                "pam",
                Some("1.1.8-3.6"),
                Some("all"),
                "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all",
            )],
        ),
    ];
    for (fixture, expected) in cases {
        let packages = parse(parse_dpkg_status, &format!("{DEBIAN}/{fixture}")).unwrap();
        assert_eq!(rows(&packages), *expected, "{fixture}");
    }
}

#[test]
fn dpkg_files_that_are_not_status_stanzas() {
    // (fixture, Some(line of the error) or None for an empty result)
    let cases: &[(&str, Option<usize>)] = &[
        // Line 5, `Insterface to the configuration settings`, is neither field nor continuation.
        ("var/lib/dpkg/status.d/corrupt", Some(5)),
        ("var/lib/dpkg/status.d/empty", None),
        ("glob-paths/var/lib/dpkg/status", Some(1)),
        ("glob-paths/var/lib/dpkg/status.d/pkg-1.0", Some(1)),
        // The md5sums beside a distroless package file: the caller must not hand it over.
        (
            "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0.md5sums",
            Some(1),
        ),
    ];
    for (fixture, error_line) in cases {
        let result = parse(parse_dpkg_status, &format!("{DEBIAN}/{fixture}"));
        match (error_line, result) {
            (None, Ok(packages)) => assert!(packages.is_empty(), "{fixture}: {packages:?}"),
            (Some(line), Err(CatalogError::Malformed { line: got, .. })) => {
                assert_eq!(got, *line, "{fixture}");
            }
            (_, other) => panic!("{fixture}: {other:?}"),
        }
    }
}

#[test]
fn apk_origins_architectures_and_purls() {
    let cases: &[(&str, &[Row<'_>])] = &[
        (
            "single",
            &[(
                "musl-utils",
                "1.1.24-r2",
                "musl",
                Some("1.1.24-r2"),
                Some("x86_64"),
                "pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64",
            )],
        ),
        (
            "empty-deps-and-provides",
            &[(
                "alpine-baselayout-data",
                "3.4.0-r0",
                "alpine-baselayout",
                Some("3.4.0-r0"),
                Some("x86_64"),
                "pkg:apk/alpine/alpine-baselayout-data@3.4.0-r0?arch=x86_64",
            )],
        ),
        (
            "extra-file-attributes",
            &[(
                "openjdk8-jre",
                "8.212.04-r0",
                "openjdk8",
                Some("8.212.04-r0"),
                Some("x86_64"),
                "pkg:apk/alpine/openjdk8-jre@8.212.04-r0?arch=x86_64",
            )],
        ),
        (
            "multiple-1/lib/apk/db/installed",
            &[
                (
                    "bash",
                    "5.2.21-r0",
                    "bash",
                    Some("5.2.21-r0"),
                    Some("x86_64"),
                    "pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64",
                ),
                (
                    "busybox-binsh",
                    "1.36.1-r15",
                    "busybox",
                    Some("1.36.1-r15"),
                    Some("x86_64"),
                    "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64",
                ),
                (
                    "musl",
                    "1.2.4_git20230717-r4",
                    "musl",
                    Some("1.2.4_git20230717-r4"),
                    Some("x86_64"),
                    "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64",
                ),
                (
                    "readline",
                    "8.2.1-r2",
                    "readline",
                    Some("8.2.1-r2"),
                    Some("x86_64"),
                    "pkg:apk/alpine/readline@8.2.1-r2?arch=x86_64",
                ),
            ],
        ),
    ];
    for (fixture, expected) in cases {
        let packages = parse(parse_apk_installed, &format!("{ALPINE}/{fixture}")).unwrap();
        assert_eq!(rows(&packages), *expected, "{fixture}");
        for package in &packages {
            assert_eq!(package.ecosystem, Ecosystem::Alpine);
            assert_eq!(package.found_by, "apk");
        }
    }

    let packages = parse(
        parse_apk_installed,
        &format!("{ALPINE}/multiple-2/lib/apk/db/installed"),
    )
    .unwrap();
    let origins: Vec<(&str, &str)> = packages
        .iter()
        .map(|p| (p.name.as_str(), p.source.as_ref().unwrap().name.as_str()))
        .collect();
    assert_eq!(
        origins,
        [
            ("alpine-baselayout-data", "alpine-baselayout"),
            ("musl", "musl"),
            ("busybox", "busybox"),
            ("alpine-baselayout", "alpine-baselayout"),
            ("alpine-keys", "alpine-keys"),
            ("ca-certificates-bundle", "ca-certificates"),
            ("libcrypto1.1", "openssl"),
            ("libssl1.1", "openssl"),
            ("ssl_client", "busybox"),
            ("zlib", "zlib"),
            ("apk-tools", "apk-tools"),
            ("scanelf", "pax-utils"),
            ("musl-utils", "musl"),
            ("libc-utils", "libc-dev"),
        ]
    );
    assert!(packages.iter().all(|p| p.arch.as_deref() == Some("x86_64")));
}

#[test]
fn apk_files_that_are_not_databases() {
    for (fixture, line) in [
        ("corrupt/lib/apk/db/installed", 1),
        ("glob-paths/lib/apk/db/installed", 1),
    ] {
        match parse(parse_apk_installed, &format!("{ALPINE}/{fixture}")) {
            Err(CatalogError::Malformed {
                line: got, path, ..
            }) => {
                assert_eq!(got, line, "{fixture}");
                assert!(path.ends_with(fixture), "{path}");
            }
            other => panic!("{fixture}: {other:?}"),
        }
    }
}

fn distro(
    id: &str,
    version_id: Option<&str>,
    codename: Option<&str>,
    pretty_name: Option<&str>,
    id_like: &[&str],
) -> Distro {
    Distro {
        id: id.to_owned(),
        version_id: version_id.map(str::to_owned),
        codename: codename.map(str::to_owned),
        pretty_name: pretty_name.map(str::to_owned),
        id_like: id_like.iter().map(|s| (*s).to_owned()).collect(),
    }
}

#[test]
fn os_release_fixture_from_syft() {
    let text = qm_testdata::read_text(&format!("{DEBIAN}/image-dpkg/etc/os-release"));
    assert_eq!(
        parse_os_release(text.as_bytes()),
        Some(distro(
            "debian",
            Some("12"),
            Some("bookworm"),
            Some("Debian GNU/Linux 12 (bookworm)"),
            &[]
        ))
    );
}

/// os-release texts as these releases ship them (the fields that matter, written here).
#[test]
fn os_release_of_common_distributions() {
    let cases: &[(&str, &str, Distro)] = &[
        (
            "Debian 12",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
             VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n\
             HOME_URL=\"https://www.debian.org/\"\n",
            distro(
                "debian",
                Some("12"),
                Some("bookworm"),
                Some("Debian GNU/Linux 12 (bookworm)"),
                &[],
            ),
        ),
        (
            "Alpine 3.18",
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n\
             PRETTY_NAME=\"Alpine Linux v3.18\"\nHOME_URL=\"https://alpinelinux.org/\"\n\
             BUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n",
            distro(
                "alpine",
                Some("3.18.4"),
                None,
                Some("Alpine Linux v3.18"),
                &[],
            ),
        ),
        (
            "Ubuntu 22.04",
            "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n\
             VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n\
             ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nUBUNTU_CODENAME=jammy\n",
            distro(
                "ubuntu",
                Some("22.04"),
                Some("jammy"),
                Some("Ubuntu 22.04.3 LTS"),
                &["debian"],
            ),
        ),
        (
            "RHEL 9",
            "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.3 (Plow)\"\nID=\"rhel\"\n\
             ID_LIKE=\"fedora\"\nVERSION_ID=\"9.3\"\nPLATFORM_ID=\"platform:el9\"\n\
             PRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\nANSI_COLOR=\"0;31\"\n\
             LOGO=\"fedora-logo-icon\"\nCPE_NAME=\"cpe:/o:redhat:enterprise_linux:9::baseos\"\n",
            distro(
                "rhel",
                Some("9.3"),
                None,
                Some("Red Hat Enterprise Linux 9.3 (Plow)"),
                &["fedora"],
            ),
        ),
        (
            "distroless (Debian 12 base)",
            "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\n\
             VERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\n\
             HOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n",
            distro(
                "debian",
                Some("12"),
                Some("bookworm"),
                Some("Distroless"),
                &[],
            ),
        ),
        (
            "Debian testing (no VERSION_ID)",
            "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\n\
             VERSION_CODENAME=trixie\nID=debian\n",
            distro(
                "debian",
                None,
                Some("trixie"),
                Some("Debian GNU/Linux trixie/sid"),
                &[],
            ),
        ),
        (
            "Rocky 9, CRLF line ends",
            "NAME=\"Rocky Linux\"\r\nID=\"rocky\"\r\nID_LIKE=\"rhel centos fedora\"\r\n\
             VERSION_ID=\"9.3\"\r\n",
            distro(
                "rocky",
                Some("9.3"),
                None,
                None,
                &["rhel", "centos", "fedora"],
            ),
        ),
    ];
    for (label, text, expected) in cases {
        assert_eq!(
            parse_os_release(text.as_bytes()).as_ref(),
            Some(expected),
            "{label}"
        );
    }
}

/// (label, [debian_version, alpine-release, redhat-release], expected (id, version_id))
type ReleaseFilesCase<'a> = (
    &'a str,
    [Option<&'a str>; 3],
    Option<(&'a str, Option<&'a str>)>,
);

#[test]
fn release_files_when_os_release_is_missing() {
    let cases: &[ReleaseFilesCase<'_>] = &[
        (
            "Debian 12",
            [Some("12.5\n"), None, None],
            Some(("debian", Some("12"))),
        ),
        (
            "Debian testing",
            [Some("bookworm/sid\n"), None, None],
            Some(("debian", None)),
        ),
        (
            "Alpine 3.18",
            [None, Some("3.18.4\n"), None],
            Some(("alpine", Some("3.18.4"))),
        ),
        (
            "RHEL 8",
            [
                None,
                None,
                Some("Red Hat Enterprise Linux release 8.4 (Ootpa)\n"),
            ],
            Some(("rhel", Some("8.4"))),
        ),
        (
            "CentOS 7",
            [None, None, Some("CentOS Linux release 7.9.2009 (Core)\n")],
            Some(("centos", Some("7"))),
        ),
        ("nothing", [None, None, None], None),
    ];
    for (label, [debian, alpine, redhat], expected) in cases {
        let got = distro_from_release_files(
            debian.map(str::as_bytes),
            alpine.map(str::as_bytes),
            redhat.map(str::as_bytes),
        );
        let got = got
            .as_ref()
            .map(|distro| (distro.id.as_str(), distro.version_id.as_deref()));
        assert_eq!(got, *expected, "{label}");
    }
}

/// Lines that look like the formats, so the fuzzing reaches past the first line.
fn format_like_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "(Package|Version|Source|Status|Architecture|[A-Za-z-]{1,8}): ?[ -~]{0,20}",
        " [ -~]{0,20}",
        "[PVAoFRZ]:[ -~]{0,20}",
        "(ID|VERSION_ID|VERSION|VERSION_CODENAME|ID_LIKE)=[\"' a-z0-9\\\\.()]{0,20}",
        "Source: [a-z]{0,5} ?\\(?[0-9:.+~-]{0,8}\\)?",
        "Status: [a-z]{0,9} [a-z]{0,4} [a-z-]{0,16}",
        "",
        "\r",
        "[\\PC]{0,12}",
    ];
    proptest::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #[test]
    fn parsers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_dpkg_status("status", &bytes);
        let _ = parse_apk_installed("installed", &bytes);
        let _ = parse_os_release(&bytes);
        let _ = distro_from_release_files(Some(&bytes), Some(&bytes), Some(&bytes));
    }

    #[test]
    fn parsers_never_panic_on_format_like_text(text in format_like_text()) {
        let bytes = text.as_bytes();
        if let Ok(packages) = parse_dpkg_status("status", bytes) {
            for package in packages {
                prop_assert!(!package.name.is_empty());
                prop_assert!(package.purl.starts_with("pkg:deb/debian/"));
            }
        }
        if let Ok(packages) = parse_apk_installed("installed", bytes) {
            for package in packages {
                prop_assert!(!package.name.is_empty());
                prop_assert!(package.purl.starts_with("pkg:apk/alpine/"));
            }
        }
        if let Some(distro) = parse_os_release(bytes) {
            prop_assert!(!distro.id.is_empty());
        }
        let _ = distro_from_release_files(Some(bytes), Some(bytes), Some(bytes));
    }
}
