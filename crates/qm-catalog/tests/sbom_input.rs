//! SBOMs read as input (`read_sbom`): CycloneDX and SPDX JSON from syft, trivy and ourselves.
//!
//! The small documents below are written by hand, modelled on what syft 1.18 and trivy emit
//! (their property names, purl spellings, SPDX `sourceInfo` sentences and relationship shapes
//! were checked against real runs of both tools on the shared fixtures; the generated SBOMs
//! themselves are not kept). The real SBOMs in the shared data (trivy's integration fixtures,
//! the CycloneDX and SPDX specification examples) are read as they are, and trivy's own golden
//! report for one of them says what it should contain.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use qm_catalog::{SbomError, SbomInputFormat, read_sbom};
use qm_model::{Ecosystem, Inventory, Package, TargetKind};

const IMAGE_ID: &str = "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933";
const MANIFEST: &str = "sha256:ddcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431";
const LAYER_1: &str = "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f";
const LAYER_2: &str = "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9";

fn read(json: &str) -> Inventory {
    read_sbom("sbom:test.json", json.as_bytes()).unwrap()
}

fn package<'a>(inventory: &'a Inventory, name: &str) -> &'a Package {
    let found: Vec<&Package> = inventory
        .packages
        .iter()
        .filter(|package| package.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{name}: {:#?}", inventory.packages);
    found[0]
}

fn source(package: &Package) -> (&str, Option<&str>) {
    let source = package.source.as_ref().unwrap();
    (source.name.as_str(), source.version.as_deref())
}

fn messages(inventory: &Inventory) -> Vec<&str> {
    inventory
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect()
}

/// syft's CycloneDX for a Debian image: `upstream=` qualifiers, `syft:metadata:source`,
/// `syft:location:N:*` properties, the epoch in the purl version, an operating-system component
/// with `syft:distro:*` properties, the manifest digest as the subject's version.
const SYFT_DEBIAN_CYCLONEDX: &str = r#"{
  "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {
    "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.18.1"}]},
    "component": {"bom-ref": "610e936930d932ed", "type": "container", "name": "registry.example/app:1.0",
                  "version": "sha256:ddcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431"}
  },
  "components": [
    {"bom-ref": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&package-id=dddea8c3d51b54cf&upstream=glibc",
     "type": "library", "publisher": "GNU Libc Maintainers", "name": "libc6", "version": "2.36-9+deb12u1",
     "cpe": "cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u1:*:*:*:*:*:*:*",
     "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=glibc",
     "properties": [
       {"name": "syft:package:foundBy", "value": "dpkg-db-cataloger"},
       {"name": "syft:package:type", "value": "deb"},
       {"name": "syft:package:metadataType", "value": "dpkg-db-entry"},
       {"name": "syft:location:0:layerID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"},
       {"name": "syft:metadata:installedSize", "value": "23127"},
       {"name": "syft:metadata:source", "value": "glibc"}]},
    {"bom-ref": "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=amd64&distro=debian-12&package-id=b0664550dbb34db7&upstream=libselinux%403.4-1",
     "type": "library", "name": "libselinux1", "version": "3.4-1+b6",
     "purl": "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=amd64&distro=debian-12&upstream=libselinux%403.4-1",
     "properties": [
       {"name": "syft:location:0:layerID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}]},
    {"bom-ref": "pkg:deb/debian/libattr1@1:2.5.1-4?arch=amd64&distro=debian-12&package-id=7ed27bb57a1d94c1&upstream=attr",
     "type": "library", "name": "libattr1", "version": "1:2.5.1-4",
     "purl": "pkg:deb/debian/libattr1@1:2.5.1-4?arch=amd64&distro=debian-12&upstream=attr",
     "properties": [{"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}]},
    {"bom-ref": "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12&package-id=67d1f3e3ed8a0433",
     "type": "library", "name": "coreutils", "version": "9.1-1",
     "purl": "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12",
     "properties": [
       {"name": "syft:location:0:layerID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}]},
    {"bom-ref": "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12&package-id=0000000000000001",
     "type": "library", "name": "coreutils", "version": "9.1-1",
     "purl": "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12",
     "properties": [
       {"name": "syft:location:0:layerID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status.d/coreutils"}]},
    {"bom-ref": "pkg:deb/debian/no-version?distro=debian-12&package-id=d45529926a709db3",
     "type": "library", "name": "no-version", "version": "UNKNOWN",
     "purl": "pkg:deb/debian/no-version?distro=debian-12"},
    {"bom-ref": "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0?package-id=1",
     "type": "library", "name": "github.com/Azure/azure-sdk-for-go/sdk/azcore", "version": "v1.9.0",
     "purl": "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0",
     "properties": [
       {"name": "syft:package:language", "value": "go"},
       {"name": "syft:location:0:layerID", "value": "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9"},
       {"name": "syft:location:0:path", "value": "/usr/local/bin/app"}]},
    {"bom-ref": "pkg:pypi/pyyaml@6.0.1?package-id=2", "type": "library", "name": "PyYAML", "version": "6.0.1",
     "purl": "pkg:pypi/pyyaml@6.0.1",
     "properties": [{"name": "syft:location:0:path", "value": "/usr/lib/python3/dist-packages/PyYAML-6.0.1.dist-info/METADATA"}]},
    {"bom-ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?package-id=3", "type": "library",
     "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
     "properties": [{"name": "syft:location:0:path", "value": "/app/lib/log4j-core-2.14.1.jar"}]},
    {"bom-ref": "binary-busybox", "type": "application", "name": "busybox", "version": "1.36.1",
     "cpe": "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
    {"bom-ref": "file-1", "type": "file", "name": "/etc/passwd"},
    {"bom-ref": "os:debian@12", "type": "operating-system", "name": "debian", "version": "12",
     "description": "Debian GNU/Linux 12 (bookworm)",
     "swid": {"tagId": "debian", "name": "debian", "version": "12"},
     "properties": [
       {"name": "syft:distro:id", "value": "debian"},
       {"name": "syft:distro:prettyName", "value": "Debian GNU/Linux 12 (bookworm)"},
       {"name": "syft:distro:versionCodename", "value": "bookworm"},
       {"name": "syft:distro:versionID", "value": "12"}]}
  ],
  "dependencies": [
    {"ref": "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12&package-id=67d1f3e3ed8a0433",
     "dependsOn": ["pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&package-id=dddea8c3d51b54cf&upstream=glibc"]}
  ]
}"#;

#[test]
fn syft_cyclonedx_of_a_debian_image() {
    let inventory = read(SYFT_DEBIAN_CYCLONEDX);
    assert_eq!(inventory.target.kind, TargetKind::Sbom);
    assert_eq!(inventory.target.name, "sbom:test.json");
    assert_eq!(inventory.target.digest.as_deref(), Some(MANIFEST));
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(distro.id, "debian");
    assert_eq!(distro.version_id.as_deref(), Some("12"));
    assert_eq!(distro.codename.as_deref(), Some("bookworm"));
    assert_eq!(
        distro.pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );

    let libc = package(&inventory, "libc6");
    assert_eq!(libc.ecosystem, Ecosystem::Debian);
    assert_eq!(libc.version, "2.36-9+deb12u1");
    assert_eq!(source(libc), ("glibc", Some("2.36-9+deb12u1")));
    assert_eq!(libc.arch.as_deref(), Some("amd64"));
    assert_eq!(libc.layer.as_deref(), Some(LAYER_1));
    assert_eq!(libc.locations, ["var/lib/dpkg/status"]);
    assert_eq!(libc.found_by, "sbom-cyclonedx");
    assert_eq!(
        libc.purl,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=glibc"
    );
    // `upstream=libselinux@3.4-1`: a binary-only rebuild, so the source version differs.
    assert_eq!(
        source(package(&inventory, "libselinux1")),
        ("libselinux", Some("3.4-1"))
    );
    let attr = package(&inventory, "libattr1");
    assert_eq!(attr.version, "1:2.5.1-4");
    assert_eq!(source(attr), ("attr", Some("1:2.5.1-4")));
    // Listed twice (status and status.d): one package, both places.
    let coreutils = package(&inventory, "coreutils");
    assert_eq!(
        coreutils.locations,
        ["var/lib/dpkg/status", "var/lib/dpkg/status.d/coreutils"]
    );
    assert_eq!(source(coreutils), ("coreutils", Some("9.1-1")));
    // syft writes `UNKNOWN` for a package without a version.
    let unversioned = package(&inventory, "no-version");
    assert_eq!(unversioned.version, "");
    assert_eq!(source(unversioned), ("no-version", None));

    let azcore = package(&inventory, "github.com/Azure/azure-sdk-for-go/sdk/azcore");
    assert_eq!(azcore.ecosystem, Ecosystem::Go);
    assert_eq!(azcore.version, "v1.9.0");
    assert_eq!(azcore.source, None);
    assert_eq!(azcore.layer.as_deref(), Some(LAYER_2));
    assert_eq!(azcore.locations, ["usr/local/bin/app"]);
    assert_eq!(package(&inventory, "PyYAML").ecosystem, Ecosystem::PyPI);
    let log4j = package(&inventory, "org.apache.logging.log4j:log4j-core");
    assert_eq!(log4j.ecosystem, Ecosystem::Maven);
    assert_eq!(log4j.version, "2.14.1");

    assert_eq!(inventory.packages.len(), 8);
    assert_eq!(
        messages(&inventory),
        ["1 components have no package URL (1 of them only a CPE) and are not scanned"]
    );
}

/// syft's SPDX for an rpm-based root filesystem: no operating-system package (the release is
/// only in the purls), the source RPM in `upstream=`, the epoch as a qualifier, locations in
/// `sourceInfo` and `evident-by` relationships, and a directory root that the document
/// describes.
const SYFT_MARINER_SPDX: &str = r#"{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "roots/mariner",
  "documentNamespace": "https://anchore.com/syft/dir/roots/mariner-00000000",
  "creationInfo": {"creators": ["Organization: Anchore, Inc", "Tool: syft-1.18.1"], "created": "2025-01-01T00:00:00Z"},
  "packages": [
    {"name": "ca-certificates-base", "SPDXID": "SPDXRef-Package-rpm-ca-certificates-base-f23b4d1929f6c11d",
     "versionInfo": "1:2.0.0-1.cm2", "supplier": "Organization: Microsoft Corporation", "downloadLocation": "NOASSERTION",
     "filesAnalyzed": false, "sourceInfo": "acquired package info from RPM DB: /var/lib/rpm/rpmdb.sqlite",
     "licenseConcluded": "NOASSERTION", "licenseDeclared": "LicenseRef-MPLv2.0", "copyrightText": "NOASSERTION",
     "externalRefs": [
       {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:ca-certificates-base:ca-certificates-base:1\\:2.0.0-1.cm2:*:*:*:*:*:*:*"},
       {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
        "referenceLocator": "pkg:rpm/mariner/ca-certificates-base@2.0.0-1.cm2?arch=noarch&distro=mariner-2.0&epoch=1&upstream=ca-certificates-2.0.0-1.cm2.src.rpm"}]},
    {"name": "bash", "SPDXID": "SPDXRef-Package-rpm-bash-93bdbf6b049044cb", "versionInfo": "5.1.8-1.cm2",
     "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
     "sourceInfo": "acquired package info from RPM DB: /var/lib/rpm/rpmdb.sqlite",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
        "referenceLocator": "pkg:rpm/mariner/bash@5.1.8-1.cm2?arch=x86_64&distro=mariner-2.0&upstream=bash-5.1.8-1.cm2.src.rpm"}]},
    {"name": "libuuid", "SPDXID": "SPDXRef-Package-rpm-libuuid-1", "versionInfo": "2.37.4-1.cm2",
     "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
        "referenceLocator": "pkg:rpm/mariner/libuuid@2.37.4-1.cm2?arch=x86_64&distro=mariner-2.0&upstream=util-linux-2.37.4-1.cm2.src.rpm"}]},
    {"name": "roots/mariner", "SPDXID": "SPDXRef-DocumentRoot-Directory-roots-mariner", "supplier": "NOASSERTION",
     "downloadLocation": "NOASSERTION", "filesAnalyzed": false, "primaryPackagePurpose": "FILE"}
  ],
  "files": [
    {"fileName": "/var/lib/rpm/rpmdb.sqlite", "SPDXID": "SPDXRef-File-var-lib-rpm-rpmdb.sqlite-1",
     "checksums": [{"algorithm": "SHA1", "checksumValue": "0000000000000000000000000000000000000000"}]}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-DocumentRoot-Directory-roots-mariner", "relatedSpdxElement": "SPDXRef-Package-rpm-bash-93bdbf6b049044cb", "relationshipType": "CONTAINS"},
    {"spdxElementId": "SPDXRef-Package-rpm-libuuid-1", "relatedSpdxElement": "SPDXRef-File-var-lib-rpm-rpmdb.sqlite-1",
     "relationshipType": "OTHER", "comment": "evident-by: indicates the package's existence is evident by the given file"},
    {"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": "SPDXRef-DocumentRoot-Directory-roots-mariner", "relationshipType": "DESCRIBES"}
  ]
}"#;

#[test]
fn syft_spdx_of_an_rpm_root_filesystem() {
    let inventory = read(SYFT_MARINER_SPDX);
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("mariner", Some("2.0"))
    );
    assert_eq!(inventory.target.digest, None);
    let ca = package(&inventory, "ca-certificates-base");
    assert_eq!(ca.ecosystem, Ecosystem::AzureLinux);
    assert_eq!(ca.version, "1:2.0.0-1.cm2");
    assert_eq!(source(ca), ("ca-certificates", Some("2.0.0-1.cm2")));
    assert_eq!(ca.locations, ["var/lib/rpm/rpmdb.sqlite"]);
    assert_eq!(ca.arch.as_deref(), Some("noarch"));
    assert_eq!(ca.found_by, "sbom-spdx");
    assert_eq!(
        source(package(&inventory, "bash")),
        ("bash", Some("5.1.8-1.cm2"))
    );
    let libuuid = package(&inventory, "libuuid");
    assert_eq!(source(libuuid), ("util-linux", Some("2.37.4-1.cm2")));
    assert_eq!(libuuid.locations, ["var/lib/rpm/rpmdb.sqlite"]);
    assert_eq!(
        inventory.packages.len(),
        3,
        "the described root is no package"
    );
    assert_eq!(messages(&inventory), Vec::<&str>::new());
}

/// trivy's CycloneDX for an image: `aquasecurity:trivy:*` properties (the source package split
/// into name, epoch, version and release; the layer's diff ID; the file path of installed
/// language packages), the epoch as a purl qualifier with the full version in the component,
/// the OS family and `/etc/debian_version` in the operating-system component, one application
/// per lockfile that `dependsOn` its packages, and the image ID, repository digest and tag on
/// the subject.
const TRIVY_DEBIAN_CYCLONEDX: &str = r#"{
  "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:3ff14136-e09f-4df9-80ea-000000000001",
  "version": 1,
  "metadata": {
    "tools": {"components": [{"type": "application", "group": "aquasecurity", "name": "trivy", "version": "0.58.0"}]},
    "component": {
      "bom-ref": "pkg:oci/app@sha256%3Addcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431?arch=amd64&repository_url=ghcr.io%2Fexample%2Fapp",
      "type": "container", "name": "ghcr.io/example/app:1.0",
      "purl": "pkg:oci/app@sha256%3Addcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431?arch=amd64&repository_url=ghcr.io%2Fexample%2Fapp",
      "properties": [
        {"name": "aquasecurity:trivy:DiffID", "value": "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9"},
        {"name": "aquasecurity:trivy:DiffID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
        {"name": "aquasecurity:trivy:ImageID", "value": "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933"},
        {"name": "aquasecurity:trivy:RepoDigest", "value": "ghcr.io/example/app@sha256:ddcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431"},
        {"name": "aquasecurity:trivy:RepoTag", "value": "ghcr.io/example/app:1.0"},
        {"name": "aquasecurity:trivy:SchemaVersion", "value": "2"}]}
  },
  "components": [
    {"bom-ref": "os-1", "type": "operating-system", "name": "debian", "version": "10.2",
     "properties": [{"name": "aquasecurity:trivy:Class", "value": "os-pkgs"}, {"name": "aquasecurity:trivy:Type", "value": "debian"}]},
    {"bom-ref": "pkg:deb/debian/bsdutils@2.33.1-0.1?arch=amd64&distro=debian-10.2&epoch=1", "type": "library",
     "name": "bsdutils", "version": "1:2.33.1-0.1",
     "purl": "pkg:deb/debian/bsdutils@2.33.1-0.1?arch=amd64&distro=debian-10.2&epoch=1",
     "properties": [
       {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "aquasecurity:trivy:LayerDigest", "value": "sha256:000eee12ec04cc914bf96e8f5dee7767510c2aca3816af6078bd9fbe3150920c"},
       {"name": "aquasecurity:trivy:PkgID", "value": "bsdutils@1:2.33.1-0.1"},
       {"name": "aquasecurity:trivy:PkgType", "value": "debian"},
       {"name": "aquasecurity:trivy:SrcName", "value": "util-linux"},
       {"name": "aquasecurity:trivy:SrcRelease", "value": "0.1"},
       {"name": "aquasecurity:trivy:SrcVersion", "value": "2.33.1"}]},
    {"bom-ref": "pkg:deb/debian/login@4.5-1.1?arch=amd64&distro=debian-10.2&epoch=1", "type": "library",
     "name": "login", "version": "1:4.5-1.1",
     "purl": "pkg:deb/debian/login@4.5-1.1?arch=amd64&distro=debian-10.2&epoch=1",
     "properties": [
       {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "aquasecurity:trivy:SrcEpoch", "value": "1"},
       {"name": "aquasecurity:trivy:SrcName", "value": "shadow"},
       {"name": "aquasecurity:trivy:SrcRelease", "value": "1.1"},
       {"name": "aquasecurity:trivy:SrcVersion", "value": "4.5"}]},
    {"bom-ref": "app-1", "type": "application", "name": "app/Gemfile.lock",
     "properties": [{"name": "aquasecurity:trivy:Class", "value": "lang-pkgs"}, {"name": "aquasecurity:trivy:Type", "value": "bundler"}]},
    {"bom-ref": "pkg:gem/rails@6.0.2.1", "type": "library", "name": "rails", "version": "6.0.2.1",
     "purl": "pkg:gem/rails@6.0.2.1",
     "properties": [{"name": "aquasecurity:trivy:PkgID", "value": "rails@6.0.2.1"}, {"name": "aquasecurity:trivy:PkgType", "value": "bundler"}]},
    {"bom-ref": "pkg:gem/concurrent-ruby@1.1.6", "type": "library", "name": "concurrent-ruby", "version": "1.1.6",
     "purl": "pkg:gem/concurrent-ruby@1.1.6",
     "properties": [{"name": "aquasecurity:trivy:PkgType", "value": "bundler"}]},
    {"bom-ref": "pkg:gem/activesupport@6.0.2.1", "type": "library", "name": "activesupport", "version": "6.0.2.1",
     "purl": "pkg:gem/activesupport@6.0.2.1",
     "properties": [
       {"name": "aquasecurity:trivy:FilePath", "value": "var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec"},
       {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9"},
       {"name": "aquasecurity:trivy:PkgType", "value": "gemspec"}]},
    {"bom-ref": "none-1", "type": "library", "name": "mystery", "version": "1.0",
     "purl": "pkg:none/mystery@1.0?arch=amd64"}
  ],
  "dependencies": [
    {"ref": "os-1", "dependsOn": ["pkg:deb/debian/bsdutils@2.33.1-0.1?arch=amd64&distro=debian-10.2&epoch=1",
                                  "pkg:deb/debian/login@4.5-1.1?arch=amd64&distro=debian-10.2&epoch=1"]},
    {"ref": "app-1", "dependsOn": ["pkg:gem/rails@6.0.2.1"]},
    {"ref": "pkg:gem/rails@6.0.2.1", "dependsOn": ["pkg:gem/concurrent-ruby@1.1.6", "pkg:gem/activesupport@6.0.2.1"]},
    {"ref": "pkg:gem/concurrent-ruby@1.1.6", "dependsOn": ["pkg:gem/rails@6.0.2.1"]}
  ]
}"#;

#[test]
fn trivy_cyclonedx_of_a_debian_image() {
    let inventory = read(TRIVY_DEBIAN_CYCLONEDX);
    assert_eq!(inventory.target.digest.as_deref(), Some(IMAGE_ID));
    assert_eq!(inventory.target.manifest_digest.as_deref(), Some(MANIFEST));
    assert_eq!(inventory.target.tags, ["ghcr.io/example/app:1.0"]);
    assert!(
        inventory.target.layers.is_empty(),
        "trivy's diff IDs are sorted, not ordered"
    );
    let distro = inventory.distro.as_ref().unwrap();
    // `/etc/debian_version` says 10.2; Debian's VERSION_ID is the major version.
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("10"))
    );

    let bsdutils = package(&inventory, "bsdutils");
    assert_eq!(bsdutils.version, "1:2.33.1-0.1");
    assert_eq!(source(bsdutils), ("util-linux", Some("2.33.1-0.1")));
    assert_eq!(bsdutils.layer.as_deref(), Some(LAYER_1));
    assert_eq!(bsdutils.locations, Vec::<String>::new());
    assert_eq!(
        source(package(&inventory, "login")),
        ("shadow", Some("1:4.5-1.1"))
    );

    // Packages of a lockfile carry no path; the dependency graph leads back to it, cycles and
    // all.
    for name in ["rails", "concurrent-ruby"] {
        let gem = package(&inventory, name);
        assert_eq!(gem.ecosystem, Ecosystem::RubyGems);
        assert_eq!(gem.locations, ["app/Gemfile.lock"], "{name}");
    }
    let installed = package(&inventory, "activesupport");
    assert_eq!(
        installed.locations,
        ["var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec"]
    );
    assert_eq!(installed.layer.as_deref(), Some(LAYER_2));

    assert_eq!(inventory.packages.len(), 5);
    let warnings = messages(&inventory);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("1 components have a `pkg:none`"),
        "{warnings:?}"
    );
}

/// trivy's SPDX for an Alpine image: `attributionTexts` for the layer and image ID, the source
/// package in `sourceInfo`, an `OPERATING-SYSTEM` package, the bare Alpine version as the
/// `distro` qualifier, a per-lockfile `APPLICATION` package that `CONTAINS` its packages, and a
/// package that `CONTAINS` the file it was read from.
const TRIVY_ALPINE_SPDX: &str = r#"{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "img/docker.tar",
  "documentNamespace": "http://trivy.dev/container_image/img/docker.tar-00000000",
  "creationInfo": {"creators": ["Organization: aquasecurity", "Tool: trivy-0.58.0"], "created": "2025-01-01T00:00:00Z"},
  "packages": [
    {"name": "img/docker.tar", "SPDXID": "SPDXRef-ContainerImage-f0c4f37170430f5a", "downloadLocation": "NONE", "copyrightText": "",
     "attributionTexts": ["SchemaVersion: 2",
       "ImageID: sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933",
       "DiffID: sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f",
       "RepoTag: example.test/app:1.0"],
     "primaryPackagePurpose": "CONTAINER"},
    {"name": "alpine", "SPDXID": "SPDXRef-OperatingSystem-983810c620d869dc", "versionInfo": "3.18.4",
     "downloadLocation": "NONE", "copyrightText": "", "primaryPackagePurpose": "OPERATING-SYSTEM"},
    {"name": "libc-utils", "SPDXID": "SPDXRef-Package-1", "versionInfo": "0.7.2-r3", "supplier": "NOASSERTION",
     "downloadLocation": "NONE", "sourceInfo": "built package from: libc-dev 0.7.2-r3",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
       "referenceLocator": "pkg:apk/alpine/libc-utils@0.7.2-r3?arch=x86_64&distro=3.18.4"}],
     "attributionTexts": ["PkgID: libc-utils@0.7.2-r3",
       "LayerDiffID: sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"],
     "primaryPackagePurpose": "LIBRARY"},
    {"name": "npm", "SPDXID": "SPDXRef-Application-24f8a80152e2c0fc", "downloadLocation": "NONE",
     "sourceInfo": "app/package-lock.json", "copyrightText": "", "primaryPackagePurpose": "APPLICATION"},
    {"name": "asap", "SPDXID": "SPDXRef-Package-2", "versionInfo": "2.0.6", "downloadLocation": "NONE",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/asap@2.0.6"}],
     "attributionTexts": ["PkgID: asap@2.0.6"], "primaryPackagePurpose": "LIBRARY"},
    {"name": "node-pkg", "SPDXID": "SPDXRef-Application-2", "downloadLocation": "NONE",
     "sourceInfo": "Node.js", "copyrightText": "", "primaryPackagePurpose": "APPLICATION"},
    {"name": "jquery", "SPDXID": "SPDXRef-Package-3", "versionInfo": "3.3.9", "downloadLocation": "NONE",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/jquery@3.3.9"}],
     "primaryPackagePurpose": "LIBRARY"}
  ],
  "files": [
    {"fileName": "app/node_modules/jquery/package.json", "SPDXID": "SPDXRef-File-2886c5db6c73c97d",
     "checksums": [{"algorithm": "SHA1", "checksumValue": "6340b99ab011d5d1d263337a97b1cd871cb9dbf6"}], "copyrightText": ""}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": "SPDXRef-ContainerImage-f0c4f37170430f5a", "relationshipType": "DESCRIBES"},
    {"spdxElementId": "SPDXRef-ContainerImage-f0c4f37170430f5a", "relatedSpdxElement": "SPDXRef-OperatingSystem-983810c620d869dc", "relationshipType": "CONTAINS"},
    {"spdxElementId": "SPDXRef-OperatingSystem-983810c620d869dc", "relatedSpdxElement": "SPDXRef-Package-1", "relationshipType": "CONTAINS"},
    {"spdxElementId": "SPDXRef-Application-24f8a80152e2c0fc", "relatedSpdxElement": "SPDXRef-Package-2", "relationshipType": "CONTAINS"},
    {"spdxElementId": "SPDXRef-Application-2", "relatedSpdxElement": "SPDXRef-Package-3", "relationshipType": "CONTAINS"},
    {"spdxElementId": "SPDXRef-Package-3", "relatedSpdxElement": "SPDXRef-File-2886c5db6c73c97d", "relationshipType": "CONTAINS"}
  ]
}"#;

#[test]
fn trivy_spdx_of_an_alpine_image() {
    let inventory = read(TRIVY_ALPINE_SPDX);
    assert_eq!(inventory.target.digest.as_deref(), Some(IMAGE_ID));
    assert_eq!(inventory.target.tags, ["example.test/app:1.0"]);
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("alpine", Some("3.18.4"))
    );
    let utils = package(&inventory, "libc-utils");
    assert_eq!(utils.ecosystem, Ecosystem::Alpine);
    assert_eq!(source(utils), ("libc-dev", Some("0.7.2-r3")));
    assert_eq!(utils.layer.as_deref(), Some(LAYER_1));
    assert_eq!(
        package(&inventory, "asap").locations,
        ["app/package-lock.json"]
    );
    assert_eq!(
        package(&inventory, "jquery").locations,
        ["app/node_modules/jquery/package.json"]
    );
    assert_eq!(inventory.packages.len(), 3);
    assert_eq!(messages(&inventory), Vec::<&str>::new());
}

/// A CycloneDX document as our own writer makes it (`qm sbom -f cyclonedx`): the ecosystem,
/// source package, locations and layer as `qm:` properties, the image's identity on the subject,
/// and the scan's warnings in the metadata.
const OUR_CYCLONEDX: &str = r#"{
  "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:00000000-0000-8000-8000-000000000000",
  "version": 1,
  "metadata": {
    "timestamp": "2025-01-01T00:00:00Z",
    "tools": {"components": [{"type": "application", "name": "quartermaster", "version": "0.1.0"}]},
    "component": {"type": "container", "bom-ref": "qm:target", "name": "example.test/qm/sample:1.0",
      "version": "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933",
      "properties": [
        {"name": "qm:target:name", "value": "docker-archive:img/docker.tar"},
        {"name": "qm:target:kind", "value": "docker-archive"},
        {"name": "qm:image:id", "value": "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933"},
        {"name": "qm:image:manifest-digest", "value": "sha256:ddcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431"},
        {"name": "qm:image:tag", "value": "example.test/qm/sample:1.0"},
        {"name": "qm:image:platform", "value": "linux/amd64"},
        {"name": "qm:image:layer", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
        {"name": "qm:image:layer", "value": "sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9"}]},
    "properties": [{"name": "qm:warning", "value": "app/broken.lock (layer sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9): not cataloged by `cargo-lock`: `app/broken.lock` is malformed at line 3: bad"}]
  },
  "components": [
    {"type": "operating-system", "bom-ref": "os:ubuntu@22.04", "name": "ubuntu", "version": "22.04",
     "description": "Ubuntu 22.04.4 LTS",
     "properties": [{"name": "qm:distro:codename", "value": "jammy"}, {"name": "qm:distro:id-like", "value": "debian"}]},
    {"type": "library", "bom-ref": "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl",
     "name": "libssl3", "version": "3.0.2-0ubuntu1.15",
     "purl": "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl",
     "properties": [
       {"name": "qm:ecosystem", "value": "Ubuntu"},
       {"name": "qm:found-by", "value": "dpkg"},
       {"name": "qm:location", "value": "var/lib/dpkg/status"},
       {"name": "qm:layer", "value": "sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f"},
       {"name": "qm:source-package", "value": "openssl"},
       {"name": "qm:source-version", "value": "3.0.2-0ubuntu1.15"},
       {"name": "qm:arch", "value": "amd64"}]},
    {"type": "library", "bom-ref": "qm:npm/local-thing@1.0.0", "name": "local-thing", "version": "1.0.0",
     "properties": [
       {"name": "qm:ecosystem", "value": "npm"},
       {"name": "qm:found-by", "value": "package-lock"},
       {"name": "qm:location", "value": "app/package-lock.json"},
       {"name": "qm:dev", "value": "true"}]}
  ]
}"#;

#[test]
fn our_own_cyclonedx_round_trips() {
    let inventory = read(OUR_CYCLONEDX);
    let target = &inventory.target;
    assert_eq!(target.kind, TargetKind::Sbom);
    assert_eq!(target.digest.as_deref(), Some(IMAGE_ID));
    assert_eq!(target.manifest_digest.as_deref(), Some(MANIFEST));
    assert_eq!(target.tags, ["example.test/qm/sample:1.0"]);
    assert_eq!(target.platform.as_deref(), Some("linux/amd64"));
    let layers: Vec<(&str, usize)> = target
        .layers
        .iter()
        .map(|layer| (layer.digest.as_str(), layer.index))
        .collect();
    assert_eq!(layers, [(LAYER_1, 0), (LAYER_2, 1)]);
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(distro.version_id.as_deref(), Some("22.04"));
    assert_eq!(distro.codename.as_deref(), Some("jammy"));
    assert_eq!(distro.pretty_name.as_deref(), Some("Ubuntu 22.04.4 LTS"));
    assert_eq!(distro.id_like, ["debian"]);

    let libssl = package(&inventory, "libssl3");
    assert_eq!(libssl.ecosystem, Ecosystem::Ubuntu);
    assert_eq!(source(libssl), ("openssl", Some("3.0.2-0ubuntu1.15")));
    assert_eq!(libssl.locations, ["var/lib/dpkg/status"]);
    assert_eq!(libssl.layer.as_deref(), Some(LAYER_1));
    // A package our writer could not give a purl keeps its stated ecosystem.
    let local = package(&inventory, "local-thing");
    assert_eq!(local.ecosystem, Ecosystem::Npm);
    assert_eq!(local.purl, "");
    assert!(local.dev);

    assert_eq!(inventory.warnings.len(), 1);
    let warning = &inventory.warnings[0];
    assert_eq!(warning.path, "app/broken.lock");
    assert_eq!(warning.layer.as_deref(), Some(LAYER_2));
    assert!(warning.message.starts_with("not cataloged by `cargo-lock`"));
}

/// An SPDX document as our own writer makes it: facts in `sourceInfo` and comments.
const OUR_SPDX: &str = r#"{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "example.test/qm/sample:1.0",
  "documentNamespace": "https://spdx.org/spdxdocs/quartermaster-00000000",
  "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: quartermaster-0.1.0"]},
  "comment": "Files that could not be read:\napp/broken.lock (layer sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9): not cataloged by `cargo-lock`: bad",
  "packages": [
    {"name": "example.test/qm/sample:1.0", "SPDXID": "SPDXRef-Target",
     "versionInfo": "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933",
     "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
     "sourceInfo": "docker-archive target docker-archive:img/docker.tar",
     "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
     "comment": "manifest digest sha256:ddcdaa1d148d72f474d2dd0451561d989b0e8b88068c9aa6df024147a03f8431; tags example.test/qm/sample:1.0; platform linux/amd64; layers (bottom first) sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f, sha256:75e43d55939745950bc3f8fad56c5834617c4339f0f54755e69a0dd5372624e9",
     "primaryPackagePurpose": "CONTAINER"},
    {"name": "ubuntu", "SPDXID": "SPDXRef-OperatingSystem", "versionInfo": "22.04", "description": "Ubuntu 22.04.4 LTS",
     "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
     "primaryPackagePurpose": "OPERATING_SYSTEM"},
    {"name": "libssl3", "SPDXID": "SPDXRef-Package-deb-libssl3-1", "versionInfo": "3.0.2-0ubuntu1.15",
     "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
     "sourceInfo": "found by dpkg in var/lib/dpkg/status, layer sha256:831c5620387fb9efec59fc82a42b948546c6be601e3ab34a87108ecf852aa15f; built from source package openssl 3.0.2-0ubuntu1.15",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
       "referenceLocator": "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl"}]},
    {"name": "left-pad", "SPDXID": "SPDXRef-Package-npm-left-pad-1", "versionInfo": "1.3.0",
     "sourceInfo": "found by package-lock in app/package-lock.json, app/other/package-lock.json; development dependency",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Target"},
    {"spdxElementId": "SPDXRef-Target", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-Package-deb-libssl3-1"}
  ]
}"#;

#[test]
fn our_own_spdx_round_trips() {
    let inventory = read(OUR_SPDX);
    let target = &inventory.target;
    assert_eq!(target.digest.as_deref(), Some(IMAGE_ID));
    assert_eq!(target.manifest_digest.as_deref(), Some(MANIFEST));
    assert_eq!(target.tags, ["example.test/qm/sample:1.0"]);
    assert_eq!(target.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(target.layers.len(), 2);
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("ubuntu", Some("22.04"))
    );
    assert_eq!(distro.pretty_name.as_deref(), Some("Ubuntu 22.04.4 LTS"));
    let libssl = package(&inventory, "libssl3");
    assert_eq!(libssl.ecosystem, Ecosystem::Ubuntu);
    assert_eq!(source(libssl), ("openssl", Some("3.0.2-0ubuntu1.15")));
    assert_eq!(libssl.locations, ["var/lib/dpkg/status"]);
    assert_eq!(libssl.layer.as_deref(), Some(LAYER_1));
    let left_pad = package(&inventory, "left-pad");
    assert!(left_pad.dev);
    assert_eq!(
        left_pad.locations,
        ["app/package-lock.json", "app/other/package-lock.json"]
    );
    assert_eq!(inventory.warnings.len(), 1);
    assert_eq!(inventory.warnings[0].path, "app/broken.lock");
}

/// A CycloneDX document whose OS packages say only `debian-12`, `debian-11` and nothing.
fn os_packages_document(purls: &[&str], os_component: Option<(&str, &str)>) -> String {
    let mut components: Vec<String> = purls
        .iter()
        .enumerate()
        .map(|(index, purl)| {
            format!(
                r#"{{"type": "library", "name": "p{index}", "version": "1", "purl": "{purl}"}}"#
            )
        })
        .collect();
    if let Some((name, version)) = os_component {
        components.push(format!(
            r#"{{"type": "operating-system", "name": "{name}", "version": "{version}"}}"#
        ));
    }
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{}]}}"#,
        components.join(",")
    )
}

#[test]
fn the_release_is_voted_and_disagreement_is_reported() {
    let inventory = read(&os_packages_document(
        &[
            "pkg:deb/debian/a@1?distro=debian-12",
            "pkg:deb/debian/b@1?distro=debian-11",
            "pkg:deb/debian/c@1?distro=debian-12",
        ],
        None,
    ));
    assert_eq!(
        inventory.distro.as_ref().unwrap().version_id.as_deref(),
        Some("12")
    );
    let warnings = messages(&inventory);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("`debian 12` (2), `debian 11` (1)"),
        "{warnings:?}"
    );

    // The operating-system entry wins, and the packages that disagree are named.
    let inventory = read(&os_packages_document(
        &[
            "pkg:apk/alpine/a@1?distro=3.18.4",
            "pkg:apk/alpine/b@1?distro=3.18.4",
        ],
        Some(("alpine", "3.19.1")),
    ));
    assert_eq!(
        inventory.distro.as_ref().unwrap().version_id.as_deref(),
        Some("3.19.1")
    );
    let warnings = messages(&inventory);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`alpine 3.19.1`"), "{warnings:?}");
    assert!(warnings[0].contains("`alpine 3.18.4` (2)"), "{warnings:?}");

    // The distribution without a release: named, and the gap reported once.
    let inventory = read(&os_packages_document(
        &["pkg:deb/debian/a@1", "pkg:deb/debian/b@1", "pkg:npm/c@1"],
        None,
    ));
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", None)
    );
    assert_eq!(
        messages(&inventory),
        [
            "the SBOM does not say which distribution release its 2 OS packages come from, so \
          they cannot be matched against distribution advisories"
        ]
    );

    // No OS packages, no such warning.
    let inventory = read(&os_packages_document(&["pkg:npm/c@1"], None));
    assert!(inventory.distro.is_none());
    assert!(inventory.warnings.is_empty());
}

#[test]
fn os_packages_take_their_ecosystem_from_namespace_then_distribution() {
    let inventory = read(&os_packages_document(
        &[
            "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?distro=ubuntu-22.04",
            "pkg:rpm/amazon/openssl-libs@1.0.2k-24.amzn2.0.4?distro=amazon-2%20%28Karoo%29&epoch=1",
            "pkg:rpm/redhat/bash@5.1.8-6.el9?distro=rhel-9.3",
            "pkg:rpm/rocky/zlib@1.2.11-40.el9?distro=rocky-9.3",
            "pkg:apk/wolfi/glibc@2.38-r1?distro=wolfi-20230201",
            "pkg:deb/linuxmint/mintupdate@6.0.9",
        ],
        Some(("ubuntu", "22.04")),
    ));
    let ecosystem = |name: &str| package(&inventory, name).ecosystem.clone();
    assert_eq!(ecosystem("libssl3"), Ecosystem::Ubuntu);
    assert_eq!(ecosystem("openssl-libs"), Ecosystem::Rpm);
    assert_eq!(
        package(&inventory, "openssl-libs").version,
        "1:1.0.2k-24.amzn2.0.4"
    );
    assert_eq!(ecosystem("bash"), Ecosystem::RedHat);
    assert_eq!(ecosystem("zlib"), Ecosystem::RockyLinux);
    assert_eq!(ecosystem("glibc"), Ecosystem::Wolfi);
    // An unknown namespace falls back to the distribution (Ubuntu here).
    assert_eq!(ecosystem("mintupdate"), Ecosystem::Ubuntu);
}

#[test]
fn nesting_is_walked_and_bounded() {
    let depth = qm_catalog::MAX_NESTING_DEPTH + 8;
    let mut component =
        String::from(r#"{"type": "library", "name": "leaf", "purl": "pkg:npm/leaf@1"}"#);
    for level in (0..depth).rev() {
        component = format!(
            r#"{{"type": "library", "name": "n{level}", "purl": "pkg:npm/n{level}@1", "components": [{component}]}}"#
        );
    }
    let json = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{component}]}}"#
    );
    let inventory = read(&json);
    assert_eq!(inventory.packages.len(), qm_catalog::MAX_NESTING_DEPTH);
    let warnings = messages(&inventory);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("9 components nested more than 32 levels"),
        "{warnings:?}"
    );
}

#[test]
fn odd_shapes_lose_the_entry_not_the_document() {
    let json = r#"{"bomFormat": "CycloneDX", "specVersion": "1.4",
      "metadata": "not an object",
      "components": [
        {"type": "library", "name": "good", "version": 2, "purl": "pkg:cargo/good@2",
         "properties": [{"name": "qm:location", "value": 7}, "junk"]},
        42,
        {"type": "library", "name": "bad-purl", "purl": "pkg:composer/no-vendor@1"},
        {"type": "library", "name": "odd", "purl": {"not": "a string"}},
        {"type": "library", "name": "odd-list", "components": "nope", "evidence": [1]}
      ],
      "dependencies": {"ref": "x"}}"#;
    let inventory = read(json);
    assert_eq!(inventory.packages.len(), 1);
    let good = &inventory.packages[0];
    assert_eq!((good.name.as_str(), good.version.as_str()), ("good", "2"));
    assert_eq!(good.locations, ["7"]);
    let warnings = messages(&inventory);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].starts_with("2 components have no package URL"));
    assert!(warnings[1].contains("`pkg:composer/no-vendor@1`"));
    assert!(warnings[2].starts_with("1 entries do not have the shape"));
}

/// A test of what kind of error came back.
type ErrorCheck = fn(&SbomError) -> bool;

#[test]
fn errors_say_what_the_file_is() {
    let cases: &[(&[u8], ErrorCheck)] = &[
        (b"", |e| matches!(e, SbomError::NotJson { line: 1, .. })),
        (b"{\n  \"bomFormat\": \"CycloneDX\",\n  oops", |e| {
            matches!(e, SbomError::NotJson { line: 3, .. })
        }),
        (b"<?xml version=\"1.0\"?><bom/>", |e| {
            matches!(e, SbomError::NotJson { .. })
        }),
        (b"SPDXVersion: SPDX-2.3\n", |e| {
            matches!(e, SbomError::NotJson { .. })
        }),
        (br#"{"name": "x"}"#, |e| {
            matches!(e, SbomError::UnknownFormat { .. })
        }),
        (
            br#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#,
            |e| matches!(e, SbomError::UnsupportedVersion { format: SbomInputFormat::CycloneDx, version, .. } if version == "2.0"),
        ),
        (br#"{"spdxVersion": "SPDX-3.0"}"#, |e| {
            matches!(
                e,
                SbomError::UnsupportedVersion {
                    format: SbomInputFormat::Spdx,
                    ..
                }
            )
        }),
        (&[0xff, 0xfe, b'{', 0, b'}', 0], |e| {
            matches!(e, SbomError::NotJson { .. })
        }),
    ];
    for (bytes, check) in cases {
        let error = read_sbom("sbom:x", bytes).unwrap_err();
        assert!(
            check(&error),
            "{}: {error:?}",
            String::from_utf8_lossy(bytes)
        );
        let message = error.to_string();
        assert!(message.starts_with("`sbom:x` "), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

// ---- Real SBOMs from the shared data ----

const TRIVY_SBOMS: &str = "fixtures/trivy/integration/testdata/fixtures/sbom";
const TRIVY_TESTDATA: &str = "fixtures/trivy/integration/testdata";

fn read_fixture(relative: &str) -> Inventory {
    read_sbom(relative, &qm_testdata::read_bytes(relative)).unwrap()
}

#[test]
fn trivy_fixture_reads_as_trivy_reads_it() {
    // trivy's own golden report for scanning this SBOM names the OS, the image, the packages
    // it matched and the gem's path.
    let golden: serde_json::Value = serde_json::from_str(&qm_testdata::read_text(&format!(
        "{TRIVY_TESTDATA}/fluentd-multiple-lockfiles.json.golden"
    )))
    .unwrap();
    let inventory = read_fixture(&format!(
        "{TRIVY_SBOMS}/fluentd-multiple-lockfiles-cyclonedx.json"
    ));
    assert_eq!(
        inventory.target.digest.as_deref(),
        golden["Metadata"]["ImageID"].as_str()
    );
    assert_eq!(golden["Metadata"]["OS"]["Family"], "debian");
    assert_eq!(golden["Metadata"]["OS"]["Name"], "10.2");
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("10"))
    );
    let mut checked = 0;
    for result in golden["Results"].as_array().unwrap() {
        for vulnerability in result["Vulnerabilities"].as_array().unwrap() {
            let name = vulnerability["PkgName"].as_str().unwrap();
            let found = package(&inventory, name);
            assert_eq!(
                found.version,
                vulnerability["InstalledVersion"].as_str().unwrap()
            );
            if let Some(path) = vulnerability["PkgPath"].as_str() {
                assert_eq!(found.locations, [path]);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
    assert_eq!(
        source(package(&inventory, "libidn2-0")),
        ("libidn2", Some("2.0.5-1"))
    );
    assert_eq!(inventory.packages.len(), 3);
}

#[test]
fn trivy_fixtures_of_centos_agree_across_formats() {
    for file in ["centos-7-cyclonedx.json", "centos-7-spdx.json"] {
        let inventory = read_fixture(&format!("{TRIVY_SBOMS}/{file}"));
        assert_eq!(
            inventory.target.digest.as_deref(),
            Some("sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427"),
            "{file}"
        );
        assert_eq!(
            inventory.target.tags,
            ["ghcr.io/aquasecurity/trivy-test-images:centos-7"]
        );
        let distro = inventory.distro.as_ref().unwrap();
        assert_eq!(
            (distro.id.as_str(), distro.version_id.as_deref()),
            ("centos", Some("7")),
            "{file}"
        );
        let openssl = package(&inventory, "openssl-libs");
        assert_eq!(openssl.ecosystem, Ecosystem::RedHat, "{file}");
        // The purl's version and `epoch` qualifier; the SPDX `versionInfo` of this fixture
        // (`1:1.0.2k-19.el7`) disagrees with its own purl, and the purl wins.
        assert_eq!(openssl.version, "1:1.0.2k-16.el7", "{file}");
        assert_eq!(openssl.arch.as_deref(), Some("x86_64"));
        assert_eq!(
            openssl.layer.as_deref(),
            Some("sha256:89169d87dbe2b72ba42bfbb3579c957322baca28e03a1e558076542a1c1b2b4a")
        );
        assert_eq!(inventory.packages.len(), 2, "{file}");
        assert!(
            inventory.warnings.is_empty(),
            "{file}: {:?}",
            inventory.warnings
        );
    }
    let cyclonedx = read_fixture(&format!("{TRIVY_SBOMS}/centos-7-cyclonedx.json"));
    assert_eq!(
        source(package(&cyclonedx, "openssl-libs")),
        ("openssl", Some("1:1.0.2k-16.el7"))
    );
}

#[test]
fn trivy_kubernetes_bom_skips_images_and_keeps_components() {
    let inventory = read_fixture(&format!("{TRIVY_SBOMS}/minikube-kbom.json"));
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("ubuntu", Some("22.04"))
    );
    // trivy's golden report matches `k8s.io/kubelet` 1.27.0 in this document.
    let kubelet = package(&inventory, "k8s.io/kubelet");
    assert_eq!(kubelet.version, "1.27.0");
    assert_eq!(kubelet.ecosystem, Ecosystem::Other("k8s".into()));
    let warnings = messages(&inventory);
    assert!(
        warnings
            .iter()
            .any(|warning| warning.starts_with("6 components are container images")),
        "{warnings:?}"
    );
}

#[test]
fn trivy_golden_sboms_place_lockfile_packages() {
    let npm = read_fixture(&format!("{TRIVY_TESTDATA}/npm-cyclonedx.json.golden"));
    assert_eq!(npm.packages.len(), 12);
    assert!(
        npm.packages
            .iter()
            .all(|package| package.ecosystem == Ecosystem::Npm
                && package.locations == ["package-lock.json"])
    );
    let pom = read_fixture(&format!("{TRIVY_TESTDATA}/pom-cyclonedx.json.golden"));
    let databind = package(&pom, "com.fasterxml.jackson.core:jackson-databind");
    assert_eq!(databind.version, "2.9.1");
    assert_eq!(databind.locations, ["pom.xml"]);
    for (file, count) in [
        ("conda-cyclonedx.json.golden", 2),
        ("conda-spdx.json.golden", 2),
        ("julia-spdx.json.golden", 3),
        ("fluentd-multiple-lockfiles.cdx.json.golden", 160),
    ] {
        let inventory = read_fixture(&format!("{TRIVY_TESTDATA}/{file}"));
        assert_eq!(inventory.packages.len(), count, "{file}");
    }
}

#[test]
fn spdx_specification_example() {
    let inventory = read_fixture("vectors/spdx-2.3/SPDXJSONExample-v2.3.spdx.json");
    assert_eq!(inventory.packages.len(), 1);
    let jena = &inventory.packages[0];
    assert_eq!(jena.name, "org.apache.jena:apache-jena");
    assert_eq!(jena.version, "3.12.0");
    assert_eq!(jena.ecosystem, Ecosystem::Maven);
    assert_eq!(
        messages(&inventory),
        ["2 components have no package URL (0 of them only a CPE) and are not scanned"]
    );
}

#[test]
fn cyclonedx_specification_examples() {
    let mut read_ok = 0;
    for version in ["1.5", "1.6"] {
        let dir = qm_testdata::data_path(&format!(
            "vectors/cyclonedx-schema/tools/src/test/resources/{version}"
        ));
        let mut files: Vec<_> = fs_err::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        assert!(files.len() > 50, "{}", dir.display());
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let result = read_sbom(&file, &fs_err::read(&path).unwrap());
            if file.starts_with("valid-") {
                let inventory = result.unwrap();
                assert_eq!(inventory.target.kind, TargetKind::Sbom);
                read_ok += 1;
            } else if file.starts_with("invalid-bomformat") {
                assert!(
                    matches!(result, Err(SbomError::UnknownFormat { .. })),
                    "{file}"
                );
            }
            // Other invalid examples break schema rules we do not check; reading them must
            // simply not panic.
        }
    }
    assert!(read_ok > 70, "{read_ok}");

    let dir = "vectors/cyclonedx-schema/tools/src/test/resources/1.6";
    let evidence = read_fixture(&format!("{dir}/valid-evidence-1.6.json"));
    let findbugs = package(&evidence, "com.google.code.findbugs:findbugs-project");
    assert_eq!(
        findbugs.locations,
        ["path/to/component", "another/path/to/component"]
    );
    let bom = read_fixture(&format!("{dir}/valid-bom-1.6.json"));
    let names: Vec<&str> = bom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "com.acme:tomcat-catalina",
            "com.example:myapplication",
            "com.example:myframework"
        ]
    );
    // Nested components (`components[].components`) are read.
    let compositions = read_fixture(&format!("{dir}/valid-compositions-1.6.json"));
    assert_eq!(compositions.packages.len(), 3);
}
