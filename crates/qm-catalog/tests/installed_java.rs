//! Java archives built in the test from syft's `java/testdata/jar-metadata` fixtures (each
//! directory is the content of one jar, as syft's own Makefile zips it), plus wars, ears,
//! bombs and garbage made here with the `zip` crate (the data set keeps no binaries).
//!
//! Expected packages follow syft's `java/parse_java_archive_test.go`
//! (`Test_parseJavaArchive_regressions`, `Test_corruptJarArchive`), under our naming: the
//! package name is `<group>:<artifact>` where syft's is the bare artifact; purls are the same.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use std::io::{Cursor, Write};
use std::path::Path;

use proptest::prelude::*;
use qm_catalog::{CatalogError, claims_java_archive, parse_java_archive, reduce_java_archive};
use qm_model::{Ecosystem, Package};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const JAVA: &str = "fixtures/syft/syft/pkg/cataloger/java/testdata/";

/// A zip of `(name, contents)` entries.
fn zip_of(entries: &[(String, Vec<u8>)], method: CompressionMethod) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, contents) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(contents).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn entries(list: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(name, contents)| ((*name).to_owned(), contents.to_vec()))
        .collect()
}

/// Every file under `dir`, as (path relative to `base`, contents).
fn files_under(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(base, &path, out);
        } else {
            let relative = path.strip_prefix(base).unwrap();
            let name = relative.to_string_lossy().replace('\\', "/");
            out.push((name, fs_err::read(&path).unwrap()));
        }
    }
}

/// The jar syft's Makefile builds from `jar-metadata/<fixture>`.
fn fixture_jar(fixture: &str) -> Vec<u8> {
    let base = qm_testdata::data_path(&format!("{JAVA}jar-metadata/{fixture}"));
    let mut files = Vec::new();
    files_under(&base, &base, &mut files);
    files.sort();
    assert!(!files.is_empty(), "{fixture}");
    zip_of(&files, CompressionMethod::Deflated)
}

/// `(name, version, purl, found_by)` of a package.
type Row = (String, String, String, String);

/// Parses raw and reduced, checks they agree, returns their rows.
fn parse_both(path: &str, bytes: &[u8]) -> Vec<Row> {
    let raw = parse_java_archive(path, bytes).unwrap();
    let reduced = reduce_java_archive(path, bytes.to_vec()).unwrap();
    assert!(reduced.len() <= bytes.len().max(256), "{path}");
    assert_eq!(parse_java_archive(path, &reduced).unwrap(), raw, "{path}");
    for package in &raw {
        assert_eq!(package.ecosystem, Ecosystem::Maven);
        assert!(!package.locations.is_empty());
    }
    raw.into_iter()
        .map(|p| (p.name, p.version, p.purl, p.found_by))
        .collect()
}

fn row(name: &str, version: &str, purl: &str, found_by: &str) -> Row {
    (
        name.to_owned(),
        version.to_owned(),
        purl.to_owned(),
        found_by.to_owned(),
    )
}

#[test]
fn syft_jar_metadata_fixtures() {
    let cases: Vec<(&str, &str, Vec<Row>)> = vec![
        // "multiple pom for parent selection regression (pr 2231)"
        (
            "api-all-2.0.0-sources",
            "jar",
            vec![
                row(
                    "org.apache.directory.api:api-all",
                    "2.0.0",
                    "pkg:maven/org.apache.directory.api/api-all@2.0.0",
                    "java-archive",
                ),
                row(
                    "org.apache.directory.api:api-asn1-api",
                    "2.0.0",
                    "pkg:maven/org.apache.directory.api/api-asn1-api@2.0.0",
                    "java-archive",
                ),
            ],
        ),
        // "duplicate jar regression - go case (issue #2130)"
        (
            "jackson-core-2.15.2",
            "jar",
            vec![row(
                "com.fasterxml.jackson.core:jackson-core",
                "2.15.2",
                "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2",
                "java-archive-manifest",
            )],
        ),
        // "duplicate jar regression - bad case (issue #2130)": the group in the file name
        (
            "com.fasterxml.jackson.core.jackson-core-2.15.2",
            "jar",
            vec![row(
                "com.fasterxml.jackson.core:jackson-core",
                "2.15.2",
                "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2",
                "java-archive-manifest",
            )],
        ),
        // "exclude instrumentation jars with Weave-Classes in manifest"
        ("spring-instrumentation-4.3.0-1.0", "jar", vec![]),
        // "Jenkins plugins assigned jenkins-plugin package type"
        (
            "jenkins-plugins/gradle/2.11",
            "hpi",
            vec![row(
                "org.jenkins-ci.plugins:gradle",
                "2.11",
                "pkg:maven/org.jenkins-ci.plugins/gradle@2.11",
                "java-archive-manifest",
            )],
        ),
        // One pom.properties: it is the jar (the manifest's Implementation-Version is in a
        // per-entry section and agrees).
        (
            "opensaml-core-3.4.6",
            "jar",
            vec![row(
                "org.opensaml:opensaml-core",
                "3.4.6",
                "pkg:maven/org.opensaml/opensaml-core@3.4.6",
                "java-archive",
            )],
        ),
        // Test_deterministicMatchingPomProperties: syft picks multiple-matching-1 as the
        // jar's identity; we list every pom, in name order.
        (
            "multiple-matching-2.11.5",
            "jar",
            (1..=3)
                .map(|n| {
                    row(
                        &format!("org.multiple:multiple-matching-{n}"),
                        "2.11.5",
                        &format!("pkg:maven/org.multiple/multiple-matching-{n}@2.11.5"),
                        "java-archive",
                    )
                })
                .collect(),
        ),
        (
            "org.multiple-thename",
            "jar",
            vec![
                row(
                    "com.multiple:thename",
                    "10.11.12",
                    "pkg:maven/com.multiple/thename@10.11.12",
                    "java-archive",
                ),
                row(
                    "org.multiple:thename",
                    "10.11.12",
                    "pkg:maven/org.multiple/thename@10.11.12",
                    "java-archive",
                ),
            ],
        ),
        // Only `pom.xml` (not read) and an empty manifest: the file name is all there is.
        (
            "commons-lang3-3.12.0",
            "jar",
            vec![row(
                "commons-lang3",
                "3.12.0",
                "pkg:maven/commons-lang3@3.12.0",
                "java-archive-file-name",
            )],
        ),
        (
            "micronaut-aop-4.9.11",
            "jar",
            vec![row(
                "micronaut-aop",
                "4.9.11",
                "pkg:maven/micronaut-aop@4.9.11",
                "java-archive-manifest",
            )],
        ),
    ];
    for (fixture, extension, expected) in cases {
        let jar = fixture_jar(fixture);
        let stem = fixture.rsplit('/').nth(1).filter(|_| extension == "hpi");
        let name = format!("{}.{extension}", stem.unwrap_or(fixture));
        let path = format!("opt/app/lib/{name}");
        assert!(claims_java_archive(&path), "{path}");
        let mut got = parse_both(&path, &jar);
        got.sort();
        assert_eq!(got, expected, "{fixture}");
    }
}

#[test]
fn syft_corrupt_jar_is_an_error() {
    let bytes = qm_testdata::read_bytes(&format!("{JAVA}corrupt/example.jar"));
    assert!(matches!(
        parse_java_archive("corrupt/example.jar", &bytes),
        Err(CatalogError::Malformed { .. })
    ));
    let reduced = reduce_java_archive("corrupt/example.jar", bytes).unwrap();
    let error = parse_java_archive("corrupt/example.jar", &reduced).unwrap_err();
    assert!(error.to_string().contains("corrupt/example.jar"), "{error}");
}

#[test]
fn claims_pick_syft_glob_fixtures() {
    let base = qm_testdata::data_path(&format!("{JAVA}glob-paths"));
    let mut files = Vec::new();
    files_under(&base, &base, &mut files);
    let mut claimed: Vec<&str> = files
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| claims_java_archive(name))
        .collect();
    claimed.sort_unstable();
    assert_eq!(
        claimed,
        [
            "java-archives/example.ear",
            "java-archives/example.hpi",
            "java-archives/example.jar",
            "java-archives/example.jpi",
            "java-archives/example.kar",
            "java-archives/example.lpkg",
            "java-archives/example.nar",
            "java-archives/example.par",
            "java-archives/example.sar",
            "java-archives/example.war",
        ]
    );
}

fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    format!("groupId={group}\nartifactId={artifact}\nversion={version}\n").into_bytes()
}

#[test]
fn a_war_in_an_ear_with_nested_jars() {
    let opensaml = fixture_jar("opensaml-core-3.4.6");
    let jackson = fixture_jar("jackson-core-2.15.2");
    let no_metadata = zip_of(
        &entries(&[("com/acme/Util.class", &[0xca, 0xfe, 0xba, 0xbe])]),
        CompressionMethod::Deflated,
    );
    let war = zip_of(
        &entries(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (
                "META-INF/maven/com.acme/shop/pom.properties",
                &pom("com.acme", "shop", "1.4.0"),
            ),
            ("WEB-INF/lib/opensaml-core-3.4.6.jar", &opensaml),
            ("WEB-INF/lib/jackson-core-2.15.2.jar", &jackson),
            ("WEB-INF/lib/util.jar", &no_metadata),
            ("WEB-INF/lib/util-2.1.jar", &no_metadata),
        ]),
        CompressionMethod::Deflated,
    );
    let ear = zip_of(
        &entries(&[
            ("shop.war", &war),
            ("lib/opensaml-core-3.4.6.jar", &opensaml),
        ]),
        // Ears often store their wars uncompressed.
        CompressionMethod::Stored,
    );
    let packages: Vec<Package> = parse_java_archive("srv/app.ear", &ear).unwrap();
    let got: Vec<(&str, &str, Vec<&str>)> = packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.locations.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("com.acme:shop", "1.4.0", vec!["srv/app.ear:shop.war"]),
            (
                "org.opensaml:opensaml-core",
                "3.4.6",
                vec![
                    "srv/app.ear:shop.war:WEB-INF/lib/opensaml-core-3.4.6.jar",
                    "srv/app.ear:lib/opensaml-core-3.4.6.jar",
                ]
            ),
            (
                "com.fasterxml.jackson.core:jackson-core",
                "2.15.2",
                vec!["srv/app.ear:shop.war:WEB-INF/lib/jackson-core-2.15.2.jar"]
            ),
            // A jar with no metadata at all is known by its file name only when that has a
            // version.
            (
                "util",
                "2.1",
                vec!["srv/app.ear:shop.war:WEB-INF/lib/util-2.1.jar"]
            ),
        ]
    );
    // The reduced form is tiny and reads the same.
    let reduced = reduce_java_archive("srv/app.ear", ear.clone()).unwrap();
    assert!(
        reduced.len() * 4 < ear.len(),
        "{} of {}",
        reduced.len(),
        ear.len()
    );
    assert_eq!(
        parse_java_archive("srv/app.ear", &reduced).unwrap(),
        packages
    );
}

#[test]
fn a_jar_without_maven_metadata_or_version_names_nothing() {
    let jar = zip_of(
        &entries(&[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nMain-Class: a.Main\n",
            ),
            ("a/Main.class", &[0xca, 0xfe]),
        ]),
        CompressionMethod::Deflated,
    );
    assert_eq!(parse_both("app.jar", &jar), []);
}

#[test]
fn zip_bombs_cost_a_bounded_read() {
    // 4 MiB of zeros deflate to about 4 KiB; as a manifest it is cut at 1 MiB and read as
    // junk, as a pom.properties it is refused, as a nested jar it is not a zip.
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let jar = zip_of(
        &entries(&[
            ("META-INF/MANIFEST.MF", &zeros),
            ("META-INF/maven/g/bomb/pom.properties", &zeros),
            ("BOOT-INF/lib/bomb.jar", &zeros),
            ("META-INF/maven/g/ok/pom.properties", &pom("g", "ok", "1.0")),
        ]),
        CompressionMethod::Deflated,
    );
    assert!(jar.len() < 1024 * 1024, "{}", jar.len());
    let packages = parse_both("app/bomb-1.0.jar", &jar);
    assert_eq!(
        packages,
        [row("g:ok", "1.0", "pkg:maven/g/ok@1.0", "java-archive")]
    );
}

#[test]
fn a_huge_declared_size_is_refused_without_reading() {
    let mut jar = zip_of(
        &entries(&[
            ("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1")),
            ("META-INF/maven/g/b/pom.properties", &pom("g", "b", "2")),
        ]),
        CompressionMethod::Deflated,
    );
    // Declare 4 GiB - 1 for the first entry in the central directory (uncompressed size at
    // offset 24 of the record).
    let central = jar
        .windows(4)
        .position(|window| window == b"PK\x01\x02")
        .unwrap();
    jar[central + 24..central + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    let packages = parse_java_archive("x-1.jar", &jar).unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["g:b"]);
}

#[test]
fn truncated_and_garbage_archives_are_errors() {
    let jar = fixture_jar("opensaml-core-3.4.6");
    for bytes in [
        &jar[..jar.len() / 2],
        &jar[jar.len() / 2..],
        b"\x00\x01\x02garbage",
        b"PK\x05\x06",
    ] {
        let result = parse_java_archive("x.jar", bytes);
        assert!(
            matches!(result, Err(CatalogError::Malformed { .. })),
            "{result:?}"
        );
        let reduced = reduce_java_archive("x.jar", bytes.to_vec()).unwrap();
        assert!(parse_java_archive("x.jar", &reduced).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = parse_java_archive("x.jar", &bytes);
        let reduced = reduce_java_archive("x.jar", bytes.clone());
        prop_assert!(reduced.is_some());
        let _ = parse_java_archive("x.jar", &reduced.unwrap_or_default());
        // The same bytes behind the reduced form's magic.
        let mut forged = b"\0qm-java-metadata/1\n".to_vec();
        forged.extend_from_slice(&bytes);
        let _ = parse_java_archive("x.jar", &forged);
    }

    #[test]
    fn corrupted_jars_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)
    ) {
        let mut jar = zip_of(
            &entries(&[
                ("META-INF/MANIFEST.MF", b"Implementation-Version: 1.0\n"),
                ("META-INF/maven/g/a/pom.properties", b"groupId=g\nartifactId=a\nversion=1\n"),
                ("lib/inner-1.0.jar", b"PK\x03\x04not really"),
            ]),
            CompressionMethod::Deflated,
        );
        for (index, byte) in flips {
            let at = index.index(jar.len());
            jar[at] = byte;
        }
        let raw = parse_java_archive("x-1.0.jar", &jar);
        let reduced = reduce_java_archive("x-1.0.jar", jar.clone()).unwrap();
        let from_reduced = parse_java_archive("x-1.0.jar", &reduced);
        prop_assert_eq!(raw.ok(), from_reduced.ok());
    }
}
