//! `read_sbom` never panics, whatever it is given: arbitrary bytes, arbitrary JSON, JSON built
//! from the keys SBOM readers look at with values of any shape, and real SBOMs cut short or
//! with bytes changed.

use proptest::prelude::*;
use qm_catalog::read_sbom;
use serde_json::{Map, Value, json};

/// The keys the CycloneDX and SPDX readers look at, so generated documents reach deep code.
const KEYS: &[&str] = &[
    "bomFormat",
    "specVersion",
    "spdxVersion",
    "metadata",
    "component",
    "components",
    "dependencies",
    "dependsOn",
    "ref",
    "type",
    "bom-ref",
    "name",
    "group",
    "version",
    "purl",
    "cpe",
    "scope",
    "hashes",
    "alg",
    "content",
    "properties",
    "value",
    "evidence",
    "occurrences",
    "location",
    "SPDXID",
    "documentDescribes",
    "packages",
    "files",
    "fileName",
    "relationships",
    "spdxElementId",
    "relatedSpdxElement",
    "relationshipType",
    "comment",
    "versionInfo",
    "externalRefs",
    "referenceCategory",
    "referenceType",
    "referenceLocator",
    "checksums",
    "algorithm",
    "checksumValue",
    "sourceInfo",
    "attributionTexts",
    "primaryPackagePurpose",
    "hasFiles",
    "description",
];

/// Strings that mean something to the readers.
const STRINGS: &[&str] = &[
    "CycloneDX",
    "1.6",
    "SPDX-2.3",
    "operating-system",
    "container",
    "application",
    "library",
    "excluded",
    "debian",
    "none",
    "3.18.4",
    "debian-12",
    "pkg:deb/debian/libc6@2.36-9?distro=debian-12&upstream=glibc%402.36-9",
    "pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm",
    "pkg:apk/alpine/musl@1.2.4-r2?distro=3.18.4",
    "pkg:oci/app@sha256%3Aabc",
    "pkg:none/x@1",
    "pkg:",
    "pkg:golang/",
    "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933",
    "aquasecurity:trivy:SrcName",
    "aquasecurity:trivy:SrcEpoch",
    "aquasecurity:trivy:ImageID",
    "aquasecurity:trivy:Class",
    "syft:location:0:path",
    "syft:metadata:sourceRpm",
    "qm:ecosystem",
    "qm:warning",
    "qm:image:layer",
    "SPDXRef-DOCUMENT",
    "DESCRIBES",
    "CONTAINS",
    "OTHER",
    "evident-by: x",
    "PACKAGE-MANAGER",
    "purl",
    "OPERATING-SYSTEM",
    "APPLICATION",
    "built package from: ",
    "acquired package info from x: ",
    "found by x in ; layer ",
    "Files that could not be read:\n: (layer ):",
    "LayerDiffID: sha256:",
    "",
    "é:ü/ß@∂?ƒ=©#˙",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        proptest::sample::select(STRINGS).prop_map(|s| json!(s)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..8).prop_map(
                |pairs| {
                    let map: Map<String, Value> = pairs
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect();
                    Value::Object(map)
                }
            ),
        ]
    })
}

/// A document of either format with generated contents.
fn document() -> impl Strategy<Value = Value> {
    (any::<bool>(), value(), value(), value()).prop_map(|(spdx, a, b, c)| {
        if spdx {
            json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
                   "packages": a, "relationships": b, "files": c})
        } else {
            json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
                   "metadata": {"component": a}, "components": b, "dependencies": c})
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_sbom("sbom:x", &bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in value()) {
        let _ = read_sbom("sbom:x", value.to_string().as_bytes());
    }

    #[test]
    fn generated_documents_never_panic(document in document()) {
        if let Ok(inventory) = read_sbom("sbom:x", document.to_string().as_bytes()) {
            for package in &inventory.packages {
                prop_assert_eq!(package.found_by.starts_with("sbom-"), true);
            }
        }
    }
}

/// Real SBOMs, cut at many lengths and with bytes changed.
#[test]
fn damaged_real_sboms_never_panic() {
    let files = [
        "fixtures/trivy/integration/testdata/fixtures/sbom/centos-7-cyclonedx.json",
        "fixtures/trivy/integration/testdata/fixtures/sbom/centos-7-spdx.json",
        "fixtures/trivy/integration/testdata/fixtures/sbom/minikube-kbom.json",
        "vectors/spdx-2.3/SPDXJSONExample-v2.3.spdx.json",
        "vectors/cyclonedx-schema/tools/src/test/resources/1.6/valid-bom-1.6.json",
    ];
    for file in files {
        let bytes = qm_testdata::read_bytes(file);
        assert!(read_sbom(file, &bytes).is_ok(), "{file}");
        let step = (bytes.len() / 200).max(1);
        for end in (0..bytes.len()).step_by(step) {
            let _ = read_sbom(file, &bytes[..end]);
        }
        for (index, replacement) in [b'"', b'{', b']', b'\\', 0xff, b'0']
            .into_iter()
            .cycle()
            .take(300)
            .enumerate()
        {
            let mut damaged = bytes.clone();
            let at = index.wrapping_mul(7919) % damaged.len();
            damaged[at] = replacement;
            let _ = read_sbom(file, &damaged);
        }
    }
}

/// Nesting as deep as the JSON parser allows is an error or a warning, never a stack overflow.
#[test]
fn deep_nesting_never_overflows() {
    for depth in [100, 200, 10_000] {
        let json = format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}{}}}"#,
            r#"[{"name": "x", "components": "#.repeat(depth),
            "[]}]".repeat(depth)
        );
        let _ = read_sbom("sbom:x", json.as_bytes());
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(read_sbom("sbom:x", arrays.as_bytes()).is_err());
    }
    let ok = read_sbom(
        "sbom:x",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}"#,
    );
    assert!(ok.unwrap().packages.is_empty());
}
