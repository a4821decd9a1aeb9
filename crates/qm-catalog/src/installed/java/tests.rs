//! Unit tests of the Java archive cataloger: file names, identity rules, and the walk's limits
//! (with small limits, so bombs stay cheap).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::archive::{Limits, walk};
use super::*;

/// A zip of `(name, contents)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, contents) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(contents).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    format!("#Created by Apache Maven\nversion={version}\ngroupId={group}\nartifactId={artifact}\n")
        .into_bytes()
}

fn summary(packages: &[Package]) -> Vec<(String, String, String, Vec<String>)> {
    packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.found_by.clone(),
                p.locations.clone(),
            )
        })
        .collect()
}

#[test]
fn file_names_split_at_the_version() {
    let cases = [
        ("jackson-core-2.15.2.jar", "jackson-core", Some("2.15.2")),
        ("log4j-1.2-api-2.17.1.jar", "log4j-1.2-api", Some("2.17.1")),
        ("guava-31.1-jre.jar", "guava", Some("31.1-jre")),
        (
            "api-all-2.0.0-sources.jar",
            "api-all",
            Some("2.0.0-sources"),
        ),
        (
            "spring-core-5.3.20.RELEASE.jar",
            "spring-core",
            Some("5.3.20.RELEASE"),
        ),
        ("bcprov-jdk15on-1.70.jar", "bcprov-jdk15on", Some("1.70")),
        ("foo-2-bar.jar", "foo", Some("2-bar")),
        ("app.jar", "app", None),
        ("org.multiple-thename.jar", "org.multiple-thename", None),
        ("-1.0.jar", "-1.0", None),
        ("noextension", "noextension", None),
    ];
    for (name, artifact, version) in cases {
        assert_eq!(
            split_file_name(name),
            FileName { artifact, version },
            "{name}"
        );
    }
}

#[test]
fn archive_names_are_recognised_by_extension() {
    for (path, expected) in [
        ("app/lib/x.jar", true),
        ("x.WAR", true),
        ("opt/jenkins/plugins/git.jpi", true),
        ("a.hpi", true),
        ("a.lpkg", true),
        ("a.zip", false),
        ("a.jar.sha1", false),
        (".jar", false),
        ("lib/.jar", false),
        ("jar", false),
    ] {
        assert_eq!(claims_java_archive(path), expected, "{path}");
    }
}

#[test]
fn artifact_matching_follows_the_file_name() {
    assert!(artifact_matches_file_name("api-all", "api-all"));
    assert!(artifact_matches_file_name(
        "atlassian-extras-api",
        "com.atlassian.extras_atlassian-extras-api"
    ));
    assert!(artifact_matches_file_name(
        "atlassian-extras-api-something",
        "atlassian-extras-api"
    ));
    assert!(artifact_matches_file_name(
        "wagon-http",
        "wagon-http-shaded"
    ));
    assert!(!artifact_matches_file_name(
        "wagon-http-shared",
        "wagon-http-shaded"
    ));
    assert!(!artifact_matches_file_name("guava", "myapp"));
    assert!(!artifact_matches_file_name("", "myapp"));
}

#[test]
fn one_pom_is_the_archive_and_the_manifest_is_not_asked() {
    let jar = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nImplementation-Version: 3.4.6\n",
        ),
        (
            "META-INF/maven/org.opensaml/opensaml-core/pom.properties",
            &pom("org.opensaml", "opensaml-core", "3.4.6"),
        ),
    ]);
    let packages = parse_java_archive("renamed.jar", &jar).unwrap();
    assert_eq!(
        summary(&packages),
        [(
            "org.opensaml:opensaml-core".to_owned(),
            "3.4.6".to_owned(),
            "java-archive".to_owned(),
            vec!["renamed.jar".to_owned()]
        )]
    );
    assert_eq!(
        packages[0].purl,
        "pkg:maven/org.opensaml/opensaml-core@3.4.6"
    );
    assert_eq!(packages[0].ecosystem, Ecosystem::Maven);
}

#[test]
fn which_pom_is_the_archive() {
    // (file name, manifest, poms, expected names): Debian's jars, reduced to their metadata.
    type Poms = &'static [(&'static str, &'static str, &'static str)];
    let cases: &[(&str, &str, Poms, &[&str])] = &[
        // guice.jar holds only the pom of the cglib it shades.
        (
            "guice.jar",
            "Bundle-SymbolicName: com.google.inject\nBundle-Version: 4.2.3\n",
            &[("cglib", "cglib", "3.2.12")],
            &["cglib:cglib", "guice"],
        ),
        // Renamed by Debian; the version says which pom is the jar.
        (
            "maven3-slf4j-provider.jar",
            "Implementation-Version: 3.8.7\n",
            &[
                ("org.apache.maven", "maven-slf4j-provider", "3.8.7"),
                ("org.slf4j", "slf4j-simple", "1.7.32"),
            ],
            &[
                "org.apache.maven:maven-slf4j-provider",
                "org.slf4j:slf4j-simple",
            ],
        ),
        // A classifier after the artifact.
        (
            "wagon-http-shaded-3.5.3.jar",
            "Build-Jdk-Spec: 17\n",
            &[
                ("org.apache.httpcomponents", "httpcore", "4.4.16"),
                ("org.apache.maven.wagon", "wagon-http", "3.5.3"),
            ],
            &[
                "org.apache.httpcomponents:httpcore",
                "org.apache.maven.wagon:wagon-http",
            ],
        ),
        // OSGi spells the pom's version its own way.
        (
            "renamed.jar",
            "Bundle-Version: 1.0.0.SNAPSHOT\n",
            &[("g", "a", "1.0.0-SNAPSHOT")],
            &["g:a"],
        ),
        // No manifest version: a lone pom is the archive.
        ("renamed.jar", "", &[("g", "a", "1")], &["g:a"]),
    ];
    for (file, manifest, poms, expected) in cases {
        let mut entries: Vec<(String, Vec<u8>)> = vec![(
            "META-INF/MANIFEST.MF".to_owned(),
            manifest.as_bytes().to_vec(),
        )];
        for (group, artifact, version) in *poms {
            entries.push((
                format!("META-INF/maven/{group}/{artifact}/pom.properties"),
                pom(group, artifact, version),
            ));
        }
        let borrowed: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(name, contents)| (name.as_str(), contents.as_slice()))
            .collect();
        let packages = parse_java_archive(file, &zip_of(&borrowed)).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, *expected, "{file}");
    }
}

#[test]
fn a_shaded_jar_lists_its_poms_and_itself() {
    let jar = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nImplementation-Version: 1.0.0\nImplementation-Vendor-Id: com.acme\n",
        ),
        (
            "META-INF/maven/com.google.guava/guava/pom.properties",
            &pom("com.google.guava", "guava", "31.1-jre"),
        ),
        (
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            &pom("org.slf4j", "slf4j-api", "1.7.36"),
        ),
    ]);
    let packages = parse_java_archive("opt/app/billing-1.0.0.jar", &jar).unwrap();
    let names: Vec<(&str, &str, &str)> = packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "com.google.guava:guava",
                "31.1-jre",
                "pkg:maven/com.google.guava/guava@31.1-jre"
            ),
            (
                "org.slf4j:slf4j-api",
                "1.7.36",
                "pkg:maven/org.slf4j/slf4j-api@1.7.36"
            ),
            (
                "com.acme:billing",
                "1.0.0",
                "pkg:maven/com.acme/billing@1.0.0"
            ),
        ]
    );
    assert_eq!(packages[2].found_by, "java-archive-manifest");
}

#[test]
fn manifest_identities() {
    // (file name, manifest, expected name, version, found_by); `None` = no package.
    type Expected = Option<(&'static str, &'static str, &'static str)>;
    let cases: &[(&str, &str, Expected)] = &[
        (
            "jackson-core-2.15.2.jar",
            "Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-core\nImplementation-Version: 2.15.2\n",
            Some((
                "com.fasterxml.jackson.core:jackson-core",
                "2.15.2",
                "java-archive-manifest",
            )),
        ),
        (
            "gradle.hpi",
            "Group-Id: org.jenkins-ci.plugins\nShort-Name: gradle\nPlugin-Version: 2.11\n",
            Some((
                "org.jenkins-ci.plugins:gradle",
                "2.11",
                "java-archive-manifest",
            )),
        ),
        (
            "old.jar",
            "Implementation-Version: 1.3 2244 October 5 2005\n",
            Some(("old", "1.3", "java-archive-manifest")),
        ),
        (
            "osgi.jar",
            "Bundle-SymbolicName: org.acme.osgi;singleton:=true\nBundle-Version: 4.0.0.v2020\n",
            Some(("org.acme:osgi", "4.0.0.v2020", "java-archive-manifest")),
        ),
        (
            "commons-lang3-3.12.0.jar",
            "Manifest-Version: 1.0\n",
            Some(("commons-lang3", "3.12.0", "java-archive-file-name")),
        ),
        (
            "lib-1.0.jar",
            "Implementation-Vendor-Id: Some Vendor\n",
            Some(("lib", "1.0", "java-archive-file-name")),
        ),
        ("app.jar", "Main-Class: x.Main\n", None),
        (
            "spring-instrumentation-4.3.0-1.0.jar",
            "Implementation-Title: com.newrelic.instrumentation.spring-4.3.0\nImplementation-Version: 1.0\nWeave-Classes: org/x\n",
            None,
        ),
    ];
    for (file, manifest, expected) in cases {
        let jar = zip_of(&[("META-INF/MANIFEST.MF", manifest.as_bytes())]);
        let packages = parse_java_archive(file, &jar).unwrap();
        let got: Vec<(&str, &str, &str)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.found_by.as_str()))
            .collect();
        assert_eq!(got, expected.iter().copied().collect::<Vec<_>>(), "{file}");
    }
}

#[test]
fn nested_archives_are_located_inside_their_parents() {
    let inner = zip_of(&[(
        "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
        &pom("org.slf4j", "slf4j-api", "1.7.36"),
    )]);
    let war = zip_of(&[
        ("WEB-INF/lib/slf4j-api-1.7.36.jar", &inner),
        ("WEB-INF/lib/copy/slf4j-api-1.7.36.jar", &inner),
    ]);
    let ear = zip_of(&[("shop.war", &war), ("lib/slf4j-api-1.7.36.jar", &inner)]);
    let packages = parse_java_archive("srv/shop.ear", &ear).unwrap();
    assert_eq!(packages.len(), 1, "{packages:?}");
    assert_eq!(
        packages[0].locations,
        [
            "srv/shop.ear:shop.war:WEB-INF/lib/slf4j-api-1.7.36.jar",
            "srv/shop.ear:shop.war:WEB-INF/lib/copy/slf4j-api-1.7.36.jar",
            "srv/shop.ear:lib/slf4j-api-1.7.36.jar",
        ]
    );
}

#[test]
fn reduced_and_raw_forms_agree() {
    let inner = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nImplementation-Version: 2.0\n\nName: a/B.class\nSHA-256-Digest: xyz\n",
        ),
        ("a/B.class", &[0xca, 0xfe, 0xba, 0xbe]),
    ]);
    let war = zip_of(&[
        ("WEB-INF/lib/b-2.0.jar", &inner),
        ("WEB-INF/lib/broken.jar", b"not a zip"),
        (
            "META-INF/maven/com.acme/shop/pom.properties",
            &pom("com.acme", "shop", "1.0"),
        ),
    ]);
    let reduced = reduce_java_archive("shop.war", war.clone()).unwrap();
    assert!(
        reduced.len() < war.len(),
        "{} vs {}",
        reduced.len(),
        war.len()
    );
    let raw = parse_java_archive("shop.war", &war).unwrap();
    let from_reduced = parse_java_archive("shop.war", &reduced).unwrap();
    assert_eq!(raw, from_reduced);
    assert_eq!(raw.len(), 2, "{raw:?}");
    // Reducing twice changes nothing.
    assert_eq!(
        reduce_java_archive("shop.war", reduced.clone()).unwrap(),
        reduced
    );
}

#[test]
fn broken_archives_are_errors() {
    for bytes in [
        &b""[..],
        b"PK\x03\x04 truncated",
        b"example archive\n",
        &reduced::MAGIC[..3],
    ] {
        assert!(
            matches!(
                parse_java_archive("x.jar", bytes),
                Err(CatalogError::Malformed { .. })
            ),
            "{bytes:?}"
        );
        let reduced = reduce_java_archive("x.jar", bytes.to_vec()).unwrap();
        assert!(
            matches!(
                parse_java_archive("x.jar", &reduced),
                Err(CatalogError::Malformed { .. })
            ),
            "{bytes:?}"
        );
    }
    let mut corrupt = reduced::MAGIC.to_vec();
    corrupt.extend_from_slice(b"Z");
    assert!(parse_java_archive("x.jar", &corrupt).is_err());
}

#[test]
fn a_truncated_archive_loses_what_it_lost() {
    let jar = zip_of(&[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))]);
    for end in 0..jar.len() {
        // Never panics; the central directory is at the end, so any cut loses the archive.
        let result = parse_java_archive("a-1.jar", &jar[..end]);
        assert!(
            result.is_err() || result.is_ok_and(|p| p.len() <= 1),
            "{end}"
        );
    }
}

const SMALL: Limits = Limits {
    max_depth: 1,
    max_manifest_bytes: 64,
    max_pom_properties_bytes: 128,
    max_nested_bytes: 4096,
    max_total_inflated: 64 * 1024,
    max_archives: 4,
    max_pom_properties: 3,
};

#[test]
fn limits_bound_every_read() {
    let zeros = vec![0u8; 1024 * 1024];
    let nested = zip_of(&[("META-INF/maven/g/n/pom.properties", &pom("g", "n", "1"))]);
    let deeper = zip_of(&[("inner.jar", &nested)]);
    let outer = zip_of(&[
        // Highly compressible: 1 MiB of zeros inflates past every limit here.
        ("META-INF/MANIFEST.MF", &zeros),
        ("META-INF/maven/g/big/pom.properties", &zeros),
        ("WEB-INF/lib/bomb.jar", &zeros),
        ("WEB-INF/lib/ok.jar", &nested),
        ("WEB-INF/lib/deep.jar", &deeper),
    ]);
    let found = walk(&outer, &SMALL);
    let chains: Vec<&[String]> = found.iter().map(|a| a.chain.as_slice()).collect();
    assert_eq!(
        chains,
        [
            &[][..],
            &["WEB-INF/lib/ok.jar".to_owned()][..],
            &["WEB-INF/lib/deep.jar".to_owned()][..],
        ]
    );
    let outer_found = &found[0];
    // The manifest is cut to its limit, not refused.
    assert_eq!(outer_found.manifest.as_deref(), Some(&b""[..]));
    assert!(outer_found.pom_properties.is_empty());
    let problems = outer_found.problems.join("\n");
    assert!(problems.contains("big/pom.properties"), "{problems}");
    assert!(problems.contains("bomb.jar"), "{problems}");
    // The deep archive is opened, but not the archive inside it.
    assert!(
        found[2].problems.join("\n").contains("inner.jar"),
        "{found:?}"
    );
    assert_eq!(found[1].pom_properties.len(), 1);
}

#[test]
fn a_lying_size_does_not_help_a_bomb() {
    let zeros = vec![0u8; 256 * 1024];
    let mut jar = zip_of(&[("META-INF/maven/g/a/pom.properties", &zeros)]);
    // Rewrite the declared uncompressed size (central directory offset 24, local header
    // offset 22) to 10 bytes: the read must still stop at the limit.
    let central = find(&jar, b"PK\x01\x02").unwrap();
    jar[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
    jar[22..26].copy_from_slice(&10u32.to_le_bytes());
    let found = walk(&jar, &SMALL);
    assert!(found[0].pom_properties.is_empty(), "{found:?}");
    assert_eq!(found[0].problems.len(), 1, "{found:?}");
}

#[test]
fn the_total_budget_stops_inflating() {
    // Incompressible filler, so each nested archive really is about 3 KB.
    let mut state = 0x2545_f491_u32;
    let filler: Vec<u8> = (0..3000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state.to_le_bytes()[3]
        })
        .collect();
    let nested = zip_of(&[("filler", &filler)]);
    let entries: Vec<(String, Vec<u8>)> = (0..30)
        .map(|i| (format!("lib/n{i}.jar"), nested.clone()))
        .collect();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let outer = zip_of(&borrowed);
    let limits = Limits {
        max_archives: 100,
        max_total_inflated: 10_000,
        ..SMALL
    };
    let found = walk(&outer, &limits);
    // The budget admits three of them.
    assert!(found.len() < 30, "{}", found.len());
    assert!(found[0].problems.iter().any(|p| p.contains("budget")));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
