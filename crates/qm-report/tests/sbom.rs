//! SBOM renderers against the official schemas and real package data.
//!
//! - CycloneDX output is validated against the CycloneDX 1.6 JSON schema (with the SPDX licence
//!   list and JSF schemas it refers to registered locally; no network) from
//!   `vectors/cyclonedx-schema`, and SPDX output against the SPDX 2.3 and 2.3.1 JSON schemas from
//!   `vectors/spdx-2.3`. The validators are first shown to accept the upstream valid examples and
//!   reject the invalid ones, so a validator that accepts everything cannot pass these tests.
//! - The SPDX schema does not check identifiers or references, so the rules are checked here:
//!   `SPDXRef-` plus letters, digits, `.` and `-`, unique, every relationship naming a package.
//! - Inventories: empty, a Debian 12 image made of the 392 real bookworm-security binary
//!   packages listed in `advisories/debian-12-changelogs/manifest.tsv` spread over three layers,
//!   names that need escaping, duplicates, and every package found in the CycloneDX and SPDX
//!   documents Trivy's integration tests produce (`fixtures/trivy`).

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use packageurl::PackageUrl;
use qm_model::{
    Distro, Ecosystem, Inventory, InventoryWarning, Layer, Package, SourcePackage, TargetInfo,
    TargetKind,
};
use qm_report::{NATIVE_SCHEMA, RenderContext, SbomFormat, render_sbom};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Rendering

fn context() -> RenderContext {
    RenderContext::new("0.1.0-test", "2024-05-01T12:00:00Z".parse().unwrap())
}

fn render_text(inventory: &Inventory, format: SbomFormat, context: &RenderContext) -> String {
    let mut out = Vec::new();
    render_sbom(inventory, format, context, &mut out).unwrap();
    assert_eq!(
        out.last(),
        Some(&b'\n'),
        "{format} output ends with a newline"
    );
    String::from_utf8(out).unwrap()
}

fn render_with(inventory: &Inventory, format: SbomFormat, context: &RenderContext) -> Value {
    serde_json::from_str(&render_text(inventory, format, context)).unwrap()
}

fn render(inventory: &Inventory, format: SbomFormat) -> Value {
    render_with(inventory, format, &context())
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn read_json(relative: &str) -> Value {
    serde_json::from_str(&qm_testdata::read_text(relative)).unwrap()
}

const CYCLONEDX: &str = "vectors/cyclonedx-schema";

static CYCLONEDX_VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    // `bom-1.6.schema.json` refers to `spdx.schema.json` (licence ids) and
    // `jsf-0.82.schema.json#/definitions/signature` relative to its `$id`.
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            read_json(&format!("{CYCLONEDX}/schema/spdx.schema.json")),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            read_json(&format!("{CYCLONEDX}/schema/jsf-0.82.schema.json")),
        )
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&read_json(&format!(
            "{CYCLONEDX}/schema/bom-1.6.schema.json"
        )))
        .unwrap()
});

static SPDX_VALIDATORS: LazyLock<Vec<(&'static str, jsonschema::Validator)>> =
    LazyLock::new(|| {
        ["spdx-schema.v2.3.json", "spdx-schema.v2.3.1.json"]
            .into_iter()
            .map(|file| {
                let schema = read_json(&format!("vectors/spdx-2.3/{file}"));
                let validator = jsonschema::options()
                    .offline()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap();
                (file, validator)
            })
            .collect()
    });

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .take(20)
        .collect()
}

fn assert_valid_cyclonedx(document: &Value, what: &str) {
    let errors = schema_errors(&CYCLONEDX_VALIDATOR, document);
    assert!(
        errors.is_empty(),
        "{what}: CycloneDX 1.6 schema errors:\n{errors:#?}"
    );
}

fn assert_valid_spdx(document: &Value, what: &str) {
    for (file, validator) in SPDX_VALIDATORS.iter() {
        let errors = schema_errors(validator, document);
        assert!(errors.is_empty(), "{what}: {file} errors:\n{errors:#?}");
    }
}

#[test]
fn cyclonedx_validator_accepts_upstream_valid_examples_and_rejects_invalid_ones() {
    let dir = qm_testdata::data_path(&format!("{CYCLONEDX}/tools/src/test/resources/1.6"));
    let mut files: Vec<_> = fs_err::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let (mut valid, mut invalid) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let document: Value = serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
        let ok = CYCLONEDX_VALIDATOR.is_valid(&document);
        if name.starts_with("valid-") {
            valid += 1;
            assert!(
                ok,
                "{name} should be valid: {:#?}",
                schema_errors(&CYCLONEDX_VALIDATOR, &document)
            );
        } else if name.starts_with("invalid-") {
            invalid += 1;
            assert!(!ok, "{name} should be invalid");
        }
    }
    assert!(
        valid >= 40 && invalid >= 20,
        "{valid} valid, {invalid} invalid examples"
    );
}

#[test]
fn spdx_validators_accept_the_upstream_example_and_reject_a_broken_copy() {
    let example = read_json("vectors/spdx-2.3/SPDXJSONExample-v2.3.spdx.json");
    assert_valid_spdx(&example, "SPDXJSONExample-v2.3");
    let mut broken = example.clone();
    broken["packages"][0]["externalRefs"][0]["referenceCategory"] = "PACKAGE_MANAGER_X".into();
    broken["creationInfo"]["creators"] = Value::Array(Vec::new());
    for (file, validator) in SPDX_VALIDATORS.iter() {
        assert!(
            !validator.is_valid(&broken),
            "{file} accepts a broken document"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Inventories

fn target(name: &str, kind: TargetKind) -> TargetInfo {
    TargetInfo {
        name: name.to_owned(),
        kind,
        digest: None,
        manifest_digest: None,
        tags: Vec::new(),
        platform: None,
        layers: Vec::new(),
    }
}

fn package(ecosystem: Ecosystem, name: &str, version: &str, purl: &str) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem,
        purl: purl.to_owned(),
        source: None,
        locations: Vec::new(),
        found_by: "test".to_owned(),
        dev: false,
        arch: None,
        layer: None,
    }
}

fn empty_directory() -> Inventory {
    Inventory {
        target: target("dir:.", TargetKind::Directory),
        distro: None,
        packages: Vec::new(),
        warnings: Vec::new(),
    }
}

fn layer_digest(index: usize) -> String {
    format!("sha256:{:064x}", index + 0xd1ff)
}

fn debian_target(kind: TargetKind) -> TargetInfo {
    TargetInfo {
        digest: Some(format!("sha256:{}", "5a99".repeat(16))),
        manifest_digest: (kind == TargetKind::OciDir)
            .then(|| format!("sha256:{}", "ab12".repeat(16))),
        tags: vec!["registry.example:5000/team/debian:12-slim".to_owned()],
        platform: Some("linux/amd64".to_owned()),
        layers: (0..3)
            .map(|index| Layer {
                digest: layer_digest(index),
                index,
                created_by: Some(format!("RUN step {index}")),
            })
            .collect(),
        ..target(&format!("{}:debian-12", kind.as_str()), kind)
    }
}

fn debian_distro() -> Distro {
    Distro {
        id: "debian".to_owned(),
        version_id: Some("12".to_owned()),
        codename: Some("bookworm".to_owned()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_owned()),
        id_like: Vec::new(),
    }
}

/// The real binary packages of the bookworm-security manifest, as the dpkg cataloger would
/// report them (purl built the same way), spread over three layers.
fn debian_image(kind: TargetKind) -> Inventory {
    let text = qm_testdata::read_text("advisories/debian-12-changelogs/manifest.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (source, binary, version, arch) = (
        column("source"),
        column("binary"),
        column("binary_version"),
        column("arch"),
    );
    let mut packages = Vec::new();
    for (index, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let (name, version, arch, source) = (
            fields[binary],
            fields[version],
            fields[arch],
            fields[source],
        );
        let mut purl = PackageUrl::new("deb", name).unwrap();
        purl.with_namespace("debian").unwrap();
        purl.with_version(version).unwrap();
        purl.add_qualifier("arch", arch).unwrap();
        purl.add_qualifier("distro", "debian-12").unwrap();
        packages.push(Package {
            source: (source != name).then(|| SourcePackage {
                name: source.to_owned(),
                version: None,
            }),
            locations: vec!["/var/lib/dpkg/status".to_owned()],
            found_by: "dpkg".to_owned(),
            arch: Some(arch.to_owned()),
            layer: Some(layer_digest(index % 3)),
            ..package(Ecosystem::Debian, name, version, &purl.to_string())
        });
    }
    assert!(packages.len() > 300, "{} packages", packages.len());
    Inventory {
        target: debian_target(kind),
        distro: Some(debian_distro()),
        packages,
        warnings: vec![InventoryWarning {
            path: "/var/lib/dpkg/status.d/broken".to_owned(),
            layer: Some(layer_digest(2)),
            message: "line 7: field without a value".to_owned(),
        }],
    }
}

/// Names SPDX identifiers cannot hold as they are, and packages sharing names and purls.
fn tricky_names() -> Inventory {
    let npm = |name: &str, purl: &str, location: &str| Package {
        locations: vec![location.to_owned()],
        found_by: "npm-lock".to_owned(),
        ..package(Ecosystem::Npm, name, "1.0.0", purl)
    };
    let scoped = npm(
        "@scope/name",
        "pkg:npm/%40scope/name@1.0.0",
        "package-lock.json",
    );
    let lookalike = npm(
        "scope-name",
        "pkg:npm/scope-name@1.0.0",
        "package-lock.json",
    );
    let vendored_twice = npm("left-pad", "pkg:npm/left-pad@1.0.0", "a/package-lock.json");
    let vendored_again = npm("left-pad", "pkg:npm/left-pad@1.0.0", "b/package-lock.json");
    let identical = vendored_again.clone();
    Inventory {
        target: target("dir:/src/app", TargetKind::Directory),
        distro: None,
        packages: vec![
            scoped,
            lookalike,
            vendored_twice,
            vendored_again,
            identical,
            Package {
                dev: true,
                ..npm(
                    "@types/node",
                    "pkg:npm/%40types/node@20.1.0",
                    "package-lock.json",
                )
            },
            package(
                Ecosystem::Go,
                "github.com/a/b",
                "v1.2.3",
                "pkg:golang/github.com/a/b@v1.2.3",
            ),
            package(Ecosystem::Go, "a/b", "v1.2.3", "pkg:golang/a/b@v1.2.3"),
            package(
                Ecosystem::Debian,
                "name+plus",
                "1.0+dfsg-1",
                "pkg:deb/debian/name%2Bplus@1.0%2Bdfsg-1",
            ),
            package(
                Ecosystem::Debian,
                "libstdc++6",
                "12.2.0-14",
                "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64",
            ),
            package(
                Ecosystem::Other("Hackage".into()),
                "ünïcode",
                "1",
                "pkg:hackage/%C3%BCn%C3%AFcode@1",
            ),
            package(
                Ecosystem::CratesIo,
                "no-version",
                "",
                "pkg:cargo/no-version",
            ),
            package(Ecosystem::PyPI, "no-purl", "1.0", ""),
            package(Ecosystem::PyPI, "no-purl", "1.0", ""),
            package(Ecosystem::PyPI, "broken-purl", "1.0", "not a purl"),
            package(
                Ecosystem::Maven,
                "org.example:lib",
                "1.0",
                "pkg:maven/org.example/lib@1.0",
            ),
            // A purl that looks like the reserved references of the other packages.
            package(Ecosystem::Other("weird".into()), "target", "", "qm:target"),
        ],
        warnings: vec![InventoryWarning {
            path: "yarn.lock".to_owned(),
            layer: None,
            message: "unsupported lockfile version `9`".to_owned(),
        }],
    }
}

/// Every package with a purl in the CycloneDX and SPDX documents of Trivy's integration tests.
fn real_tool_packages() -> Inventory {
    let base = "fixtures/trivy/integration/testdata";
    let dir = qm_testdata::data_path(base);
    let mut files = Vec::new();
    for sub in ["", "fixtures/sbom"] {
        for entry in fs_err::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if (name.contains("cyclonedx") || name.contains("cdx") || name.contains("spdx"))
                && (name.ends_with(".json") || name.ends_with(".json.golden"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut packages = Vec::new();
    let mut layers = BTreeSet::new();
    for path in &files {
        let document: Value = serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
        let location = path.strip_prefix(&dir).unwrap().display().to_string();
        for component in document["components"].as_array().into_iter().flatten() {
            let Some(purl) = component["purl"].as_str() else {
                continue;
            };
            let property = |name: &str| {
                component["properties"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|p| p["name"] == name)
                    .and_then(|p| p["value"].as_str())
                    .map(str::to_owned)
            };
            let layer = property("aquasecurity:trivy:LayerDiffID");
            layers.extend(layer.clone());
            packages.push(from_purl(
                purl,
                &location,
                layer,
                property("aquasecurity:trivy:SrcName"),
            ));
        }
        for spdx_package in document["packages"].as_array().into_iter().flatten() {
            let purl = spdx_package["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str());
            if let Some(purl) = purl {
                packages.push(from_purl(purl, &location, None, None));
            }
        }
    }
    assert!(
        files.len() >= 8 && packages.len() >= 20,
        "{} files, {} packages",
        files.len(),
        packages.len()
    );
    Inventory {
        target: TargetInfo {
            layers: layers
                .into_iter()
                .enumerate()
                .map(|(index, digest)| Layer {
                    digest,
                    index,
                    created_by: None,
                })
                .collect(),
            ..debian_target(TargetKind::DockerArchive)
        },
        distro: Some(debian_distro()),
        packages,
        warnings: Vec::new(),
    }
}

fn from_purl(purl: &str, location: &str, layer: Option<String>, source: Option<String>) -> Package {
    let parsed = PackageUrl::from_str(purl).unwrap();
    let ecosystem = match parsed.ty() {
        "deb" => Ecosystem::Debian,
        "npm" => Ecosystem::Npm,
        "maven" => Ecosystem::Maven,
        "gem" => Ecosystem::RubyGems,
        "pypi" => Ecosystem::PyPI,
        "cargo" => Ecosystem::CratesIo,
        "golang" => Ecosystem::Go,
        "rpm" => Ecosystem::Rpm,
        other => Ecosystem::Other(other.into()),
    };
    let name = match (parsed.ty(), parsed.namespace()) {
        ("maven", Some(group)) => format!("{group}:{}", parsed.name()),
        ("npm", Some(scope)) => format!("{scope}/{}", parsed.name()),
        _ => parsed.name().to_owned(),
    };
    Package {
        source: source.map(|name| SourcePackage {
            name,
            version: None,
        }),
        locations: vec![location.to_owned()],
        found_by: "trivy-sbom".to_owned(),
        layer,
        ..package(ecosystem, &name, parsed.version().unwrap_or(""), purl)
    }
}

fn all_inventories() -> Vec<(&'static str, Inventory)> {
    vec![
        ("empty", empty_directory()),
        (
            "debian docker-archive",
            debian_image(TargetKind::DockerArchive),
        ),
        ("debian oci-dir", debian_image(TargetKind::OciDir)),
        ("tricky names", tricky_names()),
        ("real tools", real_tool_packages()),
    ]
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

fn assert_purl_parses(purl: &str, what: &str) {
    if let Err(error) = PackageUrl::from_str(purl) {
        panic!("{what}: purl `{purl}` does not parse: {error}");
    }
}

fn check_cyclonedx(name: &str, inventory: &Inventory) {
    let bom = render(inventory, SbomFormat::CycloneDx);
    assert_valid_cyclonedx(&bom, name);
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["name"],
        "quartermaster"
    );
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["version"],
        "0.1.0-test"
    );
    assert_eq!(bom["metadata"]["timestamp"], "2024-05-01T12:00:00Z");

    let components = bom["components"].as_array().unwrap();
    let distro_count = usize::from(inventory.distro.is_some());
    assert_eq!(
        components.len(),
        inventory.packages.len() + distro_count,
        "{name}"
    );

    let mut refs = HashSet::new();
    let target = &bom["metadata"]["component"];
    assert!(refs.insert(target["bom-ref"].as_str().unwrap().to_owned()));
    for component in components {
        let bom_ref = component["bom-ref"].as_str().unwrap();
        assert!(
            refs.insert(bom_ref.to_owned()),
            "{name}: bom-ref `{bom_ref}` repeats"
        );
    }
    for component in components.iter().chain([target]) {
        if let Some(purl) = component["purl"].as_str() {
            assert_purl_parses(purl, name);
        }
    }
    let libraries = components.iter().filter(|c| c["type"] == "library");
    for (component, package) in libraries.zip(&inventory.packages) {
        assert_eq!(component["name"], package.name.as_str(), "{name}");
        let valid = PackageUrl::from_str(&package.purl).is_ok();
        assert_eq!(
            component["purl"].as_str().is_some(),
            valid,
            "{name}: {}",
            package.purl
        );
        let properties = component["properties"].as_array().unwrap();
        let values = |key: &str| -> Vec<&str> {
            properties
                .iter()
                .filter(|p| p["name"] == key)
                .map(|p| p["value"].as_str().unwrap())
                .collect()
        };
        assert_eq!(values("qm:found-by"), [package.found_by.as_str()]);
        assert_eq!(
            values("qm:location"),
            package
                .locations
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            values("qm:layer"),
            package.layer.as_deref().into_iter().collect::<Vec<_>>()
        );
        assert_eq!(
            values("qm:dev"),
            if package.dev { vec!["true"] } else { vec![] }
        );
    }
}

#[test]
fn cyclonedx_output_is_schema_valid_with_unique_refs_and_parsable_purls() {
    for (name, inventory) in all_inventories() {
        check_cyclonedx(name, &inventory);
    }
}

#[test]
fn cyclonedx_describes_images_and_their_operating_system() {
    let inventory = debian_image(TargetKind::OciDir);
    let bom = render(&inventory, SbomFormat::CycloneDx);
    let target = &bom["metadata"]["component"];
    assert_eq!(target["type"], "container");
    assert_eq!(target["name"], "registry.example:5000/team/debian:12-slim");
    assert_eq!(
        target["version"],
        inventory.target.digest.as_deref().unwrap()
    );
    let purl = PackageUrl::from_str(target["purl"].as_str().unwrap()).unwrap();
    assert_eq!((purl.ty(), purl.name()), ("oci", "debian"));
    assert_eq!(purl.version(), inventory.target.manifest_digest.as_deref());
    let layers: Vec<String> = target["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "qm:image:layer")
        .map(|p| p["value"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(layers, [layer_digest(0), layer_digest(1), layer_digest(2)]);

    let os = &bom["components"][0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(
        (os["name"].as_str(), os["version"].as_str()),
        (Some("debian"), Some("12"))
    );
    assert_eq!(os["description"], "Debian GNU/Linux 12 (bookworm)");

    // A docker-archive has no manifest digest, so no oci purl, and a directory is an application.
    let archive = render(
        &debian_image(TargetKind::DockerArchive),
        SbomFormat::CycloneDx,
    );
    assert!(archive["metadata"]["component"].get("purl").is_none());
    let empty = render(&empty_directory(), SbomFormat::CycloneDx);
    assert_eq!(empty["metadata"]["component"]["type"], "application");
    assert_eq!(empty["components"], Value::Array(Vec::new()));
}

#[test]
fn cyclonedx_tells_duplicates_apart_and_keeps_broken_purls_as_properties() {
    let inventory = tricky_names();
    let bom = render(&inventory, SbomFormat::CycloneDx);
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let left_pads: Vec<&&str> = refs
        .iter()
        .filter(|r| r.starts_with("pkg:npm/left-pad@1.0.0"))
        .collect();
    assert_eq!(left_pads.len(), 3, "{refs:#?}");
    assert!(
        left_pads
            .iter()
            .all(|r| r.starts_with("pkg:npm/left-pad@1.0.0#")),
        "{left_pads:?}"
    );
    assert!(refs.contains(&"pkg:npm/%40scope/name@1.0.0"));
    assert!(
        refs.iter().any(|r| r.starts_with("qm:PyPI/no-purl@1.0#")),
        "{refs:#?}"
    );
    assert!(
        !refs.contains(&"qm:target"),
        "a package took the target's reference"
    );

    let broken = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "broken-purl")
        .unwrap();
    assert!(broken.get("purl").is_none());
    assert!(
        broken["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "qm:purl" && p["value"] == "not a purl")
    );
}

#[test]
fn serial_numbers_are_derived_from_content() {
    let inventory = debian_image(TargetKind::DockerArchive);
    let serial = |inventory: &Inventory, context: &RenderContext| {
        render_with(inventory, SbomFormat::CycloneDx, context)["serialNumber"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = serial(&inventory, &context());
    assert_eq!(
        first,
        serial(&inventory, &context()),
        "same input, same serial"
    );
    // Version 8 (RFC 9562), variant 10.
    let uuid = first.strip_prefix("urn:uuid:").unwrap();
    assert_eq!(uuid.as_bytes()[14], b'8', "{uuid}");
    assert!(
        matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
        "{uuid}"
    );

    let mut changed = inventory.clone();
    changed.packages.pop();
    assert_ne!(first, serial(&changed, &context()));
    let later = RenderContext::new("0.1.0-test", "2024-05-02T12:00:00Z".parse().unwrap());
    assert_ne!(first, serial(&inventory, &later));

    let namespace = |inventory: &Inventory| {
        render(inventory, SbomFormat::Spdx)["documentNamespace"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(namespace(&inventory), namespace(&inventory));
    assert_ne!(namespace(&inventory), namespace(&changed));
}

// ---------------------------------------------------------------------------------------------
// SPDX

fn is_spdx_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

fn check_spdx(name: &str, inventory: &Inventory) {
    let document = render(inventory, SbomFormat::Spdx);
    assert_valid_spdx(&document, name);
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["dataLicense"], "CC0-1.0");
    assert_eq!(document["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(
        document["creationInfo"]["creators"][0],
        "Tool: quartermaster-0.1.0-test"
    );
    let namespace = document["documentNamespace"].as_str().unwrap();
    assert!(
        namespace.starts_with("https://") && !namespace.contains('#') && !namespace.contains(' '),
        "{namespace}"
    );

    let packages = document["packages"].as_array().unwrap();
    let fixed = 1 + usize::from(inventory.distro.is_some());
    assert_eq!(packages.len(), inventory.packages.len() + fixed, "{name}");
    let mut ids = HashSet::from(["SPDXRef-DOCUMENT".to_owned()]);
    for package in packages {
        let id = package["SPDXID"].as_str().unwrap();
        assert!(
            is_spdx_id(id),
            "{name}: `{id}` is not a valid SPDX identifier"
        );
        assert!(ids.insert(id.to_owned()), "{name}: `{id}` repeats");
        assert_eq!(package["downloadLocation"], "NOASSERTION");
        for reference in package["externalRefs"].as_array().into_iter().flatten() {
            assert_eq!(reference["referenceCategory"], "PACKAGE-MANAGER");
            assert_eq!(reference["referenceType"], "purl");
            assert_purl_parses(reference["referenceLocator"].as_str().unwrap(), name);
        }
    }

    let relationships = document["relationships"].as_array().unwrap();
    let mut contained = HashSet::new();
    for relationship in relationships {
        let from = relationship["spdxElementId"].as_str().unwrap();
        let to = relationship["relatedSpdxElement"].as_str().unwrap();
        assert!(
            ids.contains(from) && ids.contains(to),
            "{name}: {relationship}"
        );
        match relationship["relationshipType"].as_str().unwrap() {
            "DESCRIBES" => assert_eq!((from, to), ("SPDXRef-DOCUMENT", "SPDXRef-Target")),
            "CONTAINS" => {
                assert_eq!(from, "SPDXRef-Target");
                assert!(contained.insert(to));
            }
            other => panic!("{name}: unexpected relationship {other}"),
        }
    }
    assert_eq!(
        contained.len(),
        packages.len() - 1,
        "{name}: the target contains every package"
    );
}

#[test]
fn spdx_output_is_schema_valid_with_valid_unique_ids_and_closed_relationships() {
    for (name, inventory) in all_inventories() {
        check_spdx(name, &inventory);
    }
}

#[test]
fn spdx_ids_escape_names_and_tell_duplicates_apart() {
    let document = render(&tricky_names(), SbomFormat::Spdx);
    let ids: Vec<&str> = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    for expected in [
        "SPDXRef-Package-Debian-libstdc-6-12.2.0-14",
        "SPDXRef-Package-Debian-name-plus-1.0-dfsg-1",
        "SPDXRef-Package-Go-a-b-v1.2.3",
        "SPDXRef-Package-Go-github.com-a-b-v1.2.3",
        "SPDXRef-Package-crates.io-no-version",
        "SPDXRef-Package-npm-types-node-1.0.0",
    ] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:#?}");
    }
    // `@scope/name` and `scope-name` both escape to `scope-name`: both get a hash suffix.
    let scope: Vec<&&str> = ids
        .iter()
        .filter(|id| id.starts_with("SPDXRef-Package-npm-scope-name-1.0.0"))
        .collect();
    assert_eq!(scope.len(), 2, "{ids:#?}");
    assert!(
        scope
            .iter()
            .all(|id| id.len() > "SPDXRef-Package-npm-scope-name-1.0.0".len())
    );

    let source_info = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "@types/node")
        .unwrap()["sourceInfo"]
        .as_str()
        .unwrap();
    assert_eq!(
        source_info,
        "found by npm-lock in package-lock.json; development dependency"
    );
    assert!(
        document["comment"]
            .as_str()
            .unwrap()
            .contains("yarn.lock: unsupported lockfile version `9`")
    );
}

#[test]
fn spdx_records_layers_and_source_packages() {
    let inventory = debian_image(TargetKind::DockerArchive);
    let document = render(&inventory, SbomFormat::Spdx);
    let with_source = inventory
        .packages
        .iter()
        .find(|p| p.source.is_some())
        .unwrap();
    let rendered = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["name"] == with_source.name.as_str()
                && p["versionInfo"] == with_source.version.as_str()
        })
        .unwrap();
    let info = rendered["sourceInfo"].as_str().unwrap();
    assert!(
        info.starts_with("found by dpkg in /var/lib/dpkg/status, layer sha256:"),
        "{info}"
    );
    assert!(
        info.ends_with(&format!(
            "; built from source package {}",
            with_source.source.as_ref().unwrap().name
        )),
        "{info}"
    );
    let target = &document["packages"][0];
    assert_eq!(target["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(
        document["packages"][1]["primaryPackagePurpose"],
        "OPERATING_SYSTEM"
    );
}

// ---------------------------------------------------------------------------------------------
// Native

#[test]
fn native_json_wraps_the_inventory_and_reads_back_unchanged() {
    for (name, inventory) in all_inventories() {
        let text = render_text(&inventory, SbomFormat::Native, &context());
        // Key order is part of the format: the envelope, then the inventory's fields.
        let prefix = "{\n  \"schema\": \"qm-inventory/1\",\n  \"tool\": {\n    \"name\": \"quartermaster\",\n    \"version\": \"0.1.0-test\"\n  },\n  \"created\": \"2024-05-01T12:00:00Z\",\n  \"target\": {\n    \"name\": ";
        assert!(
            text.starts_with(prefix),
            "{name}: {}",
            &text[..200.min(text.len())]
        );
        let mut document: Value = serde_json::from_str(&text).unwrap();
        let object = document.as_object_mut().unwrap();
        assert_eq!(object.remove("schema").unwrap(), NATIVE_SCHEMA);
        assert_eq!(
            object.remove("tool").unwrap(),
            serde_json::json!({"name": "quartermaster", "version": "0.1.0-test"})
        );
        assert_eq!(object.remove("created").unwrap(), "2024-05-01T12:00:00Z");
        let back: Inventory = serde_json::from_value(document).unwrap();
        assert_eq!(back, inventory, "{name}");
    }
}

/// Every key the native format can contain, each in a `| \`key\` |` row of the document.
#[test]
fn every_native_key_is_documented() {
    let docs = fs_err::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inventory-json.md"),
    )
    .unwrap();
    let mut full = debian_image(TargetKind::OciDir);
    full.distro.as_mut().unwrap().id_like = vec!["ubuntu".to_owned()];
    full.packages[0].dev = true;
    full.packages[0].source = Some(SourcePackage {
        name: "x".to_owned(),
        version: Some("1".to_owned()),
    });
    let mut keys = BTreeSet::new();
    collect_keys(&render(&full, SbomFormat::Native), &mut keys);
    assert!(keys.len() > 30, "{keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !docs.contains(&format!("| `{key}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/inventory-json.md does not document {missing:?}"
    );
}

fn collect_keys(value: &Value, keys: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                keys.insert(key.clone());
                collect_keys(value, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_keys(item, keys)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// A small image: two Debian packages (one with a source package), one npm package that is a
/// development dependency, a warning.
fn small_image() -> Inventory {
    let mut target = debian_target(TargetKind::OciDir);
    target.layers.truncate(2);
    Inventory {
        target,
        distro: Some(Distro {
            id_like: Vec::new(),
            ..debian_distro()
        }),
        packages: vec![
            Package {
                locations: vec!["/var/lib/dpkg/status".to_owned()],
                found_by: "dpkg".to_owned(),
                arch: Some("amd64".to_owned()),
                layer: Some(layer_digest(0)),
                ..package(
                    Ecosystem::Debian,
                    "bash",
                    "5.2.15-2+b2",
                    "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
                )
            },
            Package {
                source: Some(SourcePackage {
                    name: "glibc".to_owned(),
                    version: None,
                }),
                locations: vec!["/var/lib/dpkg/status".to_owned()],
                found_by: "dpkg".to_owned(),
                arch: Some("amd64".to_owned()),
                layer: Some(layer_digest(0)),
                ..package(
                    Ecosystem::Debian,
                    "libc6",
                    "2.36-9+deb12u4",
                    "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
                )
            },
            Package {
                locations: vec!["/app/package-lock.json".to_owned()],
                found_by: "npm-lock".to_owned(),
                dev: true,
                layer: Some(layer_digest(1)),
                ..package(
                    Ecosystem::Npm,
                    "@babel/core",
                    "7.24.0",
                    "pkg:npm/%40babel/core@7.24.0",
                )
            },
        ],
        warnings: vec![InventoryWarning {
            path: "/app/yarn.lock".to_owned(),
            layer: Some(layer_digest(1)),
            message: "unsupported lockfile version `9`".to_owned(),
        }],
    }
}

#[test]
fn snapshot_native() {
    insta::assert_json_snapshot!(render(&small_image(), SbomFormat::Native));
}

#[test]
fn snapshot_cyclonedx() {
    let bom = render(&small_image(), SbomFormat::CycloneDx);
    assert_valid_cyclonedx(&bom, "small image");
    insta::assert_json_snapshot!(bom);
}

#[test]
fn snapshot_spdx() {
    let document = render(&small_image(), SbomFormat::Spdx);
    assert_valid_spdx(&document, "small image");
    insta::assert_json_snapshot!(document);
}
