#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]
//! Whole targets through the cataloger registry: the distribution is detected, OS packages
//! take its identity, claimed files reach the right cataloger, and bad files become warnings.

use qm_catalog::{CatalogOptions, catalog_target};
use qm_model::{Ecosystem, TargetKind};
use qm_source::Target;

const DEBIAN: &str = "fixtures/syft/syft/pkg/cataloger/debian/testdata";

#[test]
fn debian_rootfs_packages_carry_the_release() {
    let root = qm_testdata::data_path(&format!("{DEBIAN}/image-dpkg"));
    let target = Target::parse(root.to_str().unwrap()).unwrap();
    let inventory = catalog_target(&target, "fixture", &CatalogOptions::default()).unwrap();
    assert_eq!(inventory.target.kind, TargetKind::RootFs);
    let distro = inventory.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("12"))
    );
    // expected-dpkg.json: this status file holds exactly one installed package.
    assert_eq!(inventory.packages.len(), 1);
    let package = &inventory.packages[0];
    assert_eq!(package.name, "libpam-runtime");
    assert_eq!(package.ecosystem, Ecosystem::Debian);
    assert!(
        package.purl.starts_with("pkg:deb/debian/libpam-runtime@")
            && package.purl.contains("distro=debian-12"),
        "{}",
        package.purl
    );
    assert_eq!(package.source.as_ref().unwrap().name, "pam");
    assert!(package.purl.contains("upstream=pam"), "{}", package.purl);
    assert_eq!(package.locations, ["var/lib/dpkg/status"]);
}

#[test]
fn distroless_status_directory_is_read_without_md5sums() {
    let root = qm_testdata::data_path(&format!("{DEBIAN}/image-distroless-deb"));
    let target = Target::RootFs { path: root };
    let inventory = catalog_target(&target, "distroless", &CatalogOptions::default()).unwrap();
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["libsqlite3-0"]);
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
}

#[test]
fn source_trees_merge_lockfiles_and_report_bad_ones() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    fs_err::create_dir_all(root.join("web")).unwrap();
    fs_err::create_dir_all(root.join("target/debug")).unwrap();
    fs_err::create_dir_all(root.join("svc")).unwrap();
    let cargo_lock =
        qm_testdata::read_text("fixtures/syft/syft/pkg/cataloger/rust/testdata/Cargo.lock");
    fs_err::write(root.join("Cargo.lock"), &cargo_lock).unwrap();
    // A copy under `target/` is build output and must not double the packages.
    fs_err::write(root.join("target/debug/Cargo.lock"), &cargo_lock).unwrap();
    fs_err::write(root.join("web/package-lock.json"), "{ not json").unwrap();
    fs_err::write(
        root.join("svc/go.mod"),
        "module example.com/svc\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n",
    )
    .unwrap();
    fs_err::write(
        root.join("svc/go.sum"),
        "github.com/pkg/errors v0.8.0 h1:x=\ngithub.com/pkg/errors v0.9.1 h1:y=\n",
    )
    .unwrap();
    let target = Target::SourceDir {
        path: root.to_owned(),
    };
    let inventory = catalog_target(&target, "tree", &CatalogOptions::default()).unwrap();
    assert!(inventory.distro.is_none());
    let cargo = inventory
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::CratesIo)
        .count();
    let single = qm_catalog::parse_cargo_lock("Cargo.lock", cargo_lock.as_bytes())
        .unwrap()
        .len();
    assert!(single > 0);
    assert_eq!(cargo, single);
    assert!(
        inventory
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::CratesIo)
            .all(|p| p.locations == ["Cargo.lock"])
    );
    // go.sum beside go.mod is not read: v0.8.0 was considered, never built in.
    let go: Vec<&str> = inventory
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Go)
        .map(|p| p.version.as_str())
        .collect();
    assert_eq!(go, ["v0.9.1"]);
    assert_eq!(inventory.warnings.len(), 1, "{:?}", inventory.warnings);
    assert_eq!(inventory.warnings[0].path, "web/package-lock.json");
    assert!(inventory.warnings[0].message.contains("npm-package-lock"));
}

/// A tar of `(path, contents)` regular files.
fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *contents).unwrap();
    }
    builder.into_inner().unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// A docker-archive of uncompressed `layers`, bottom first, with one history step each.
fn docker_archive(path: &std::path::Path, layers: &[(Vec<u8>, &str)]) {
    let diff_ids: Vec<String> = layers.iter().map(|(tar, _)| sha256(tar)).collect();
    let history: Vec<serde_json::Value> = layers
        .iter()
        .map(|(_, step)| serde_json::json!({ "created_by": step }))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
        "history": history,
    }))
    .unwrap();
    let config_name = format!("{}.json", &sha256(&config)[7..]);
    let layer_names: Vec<String> = diff_ids
        .iter()
        .map(|d| format!("{}.tar", &d[7..]))
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name, "RepoTags": ["attribution:1"], "Layers": layer_names,
    }]))
    .unwrap();
    let mut members: Vec<(&str, &[u8])> =
        vec![("manifest.json", &manifest), (&config_name, &config)];
    for (name, (tar, _)) in layer_names.iter().zip(layers) {
        members.push((name, tar));
    }
    fs_err::write(path, tar_of(&members)).unwrap();
}

fn stanza(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
    )
}

#[test]
fn os_packages_belong_to_the_layer_that_introduced_them() {
    let os_release: &[u8] = b"ID=debian\nVERSION_ID=\"12\"\n";
    let base = format!(
        "{}{}",
        stanza("base-files", "12.4"),
        stanza("libc6", "2.36-9")
    );
    // Layer 1 installs curl: the status file is rewritten with all three.
    let with_curl = format!("{base}{}", stanza("curl", "7.88.1-10"));
    // Layer 2 upgrades libc6 and rewrites the file again.
    let upgraded = format!(
        "{}{}{}",
        stanza("base-files", "12.4"),
        stanza("libc6", "2.36-9+deb12u4"),
        stanza("curl", "7.88.1-10")
    );
    let layers = vec![
        (
            tar_of(&[
                ("etc/os-release", os_release),
                ("var/lib/dpkg/status", base.as_bytes()),
            ]),
            "debootstrap bookworm",
        ),
        (
            tar_of(&[("var/lib/dpkg/status", with_curl.as_bytes())]),
            "RUN apt-get install curl",
        ),
        (
            tar_of(&[("var/lib/dpkg/status", upgraded.as_bytes())]),
            "RUN apt-get upgrade libc6",
        ),
    ];
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("image.tar");
    docker_archive(&path, &layers);
    let target = Target::parse(path.to_str().unwrap()).unwrap();
    let inventory = catalog_target(&target, "image", &CatalogOptions::default()).unwrap();
    let layer_of = |name: &str| {
        let package = inventory.packages.iter().find(|p| p.name == name).unwrap();
        let digest = package.layer.as_deref().unwrap();
        let layer = inventory
            .target
            .layers
            .iter()
            .find(|l| l.digest == digest)
            .unwrap();
        (layer.index, layer.created_by.clone().unwrap())
    };
    assert_eq!(
        layer_of("base-files"),
        (0, "debootstrap bookworm".to_owned())
    );
    assert_eq!(layer_of("curl"), (1, "RUN apt-get install curl".to_owned()));
    assert_eq!(
        layer_of("libc6"),
        (2, "RUN apt-get upgrade libc6".to_owned())
    );
    assert_eq!(inventory.packages.len(), 3);
}

#[test]
fn a_whiteout_in_a_later_layer_removes_the_package_it_deletes() {
    let site = "usr/lib/python3/dist-packages";
    let flask_meta = format!("{site}/flask-2.2.2.dist-info/METADATA");
    let requests_meta = format!("{site}/requests-2.28.1.dist-info/METADATA");
    let flask_wh = format!("{site}/.wh.flask-2.2.2.dist-info");
    let layers = vec![
        (
            tar_of(&[
                (
                    "etc/os-release",
                    b"ID=debian\nVERSION_ID=\"12\"\n".as_slice(),
                ),
                (
                    "var/lib/dpkg/status.d/curl",
                    stanza("curl", "7.88.1-10").as_bytes(),
                ),
                (
                    "var/lib/dpkg/status.d/bash",
                    stanza("bash", "5.2.15-2").as_bytes(),
                ),
                (
                    &flask_meta,
                    b"Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\n".as_slice(),
                ),
                (
                    &requests_meta,
                    b"Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n".as_slice(),
                ),
            ]),
            "base",
        ),
        (
            // `pip uninstall flask && dpkg --purge curl`, as whiteouts.
            tar_of(&[
                (&flask_wh, b"".as_slice()),
                ("var/lib/dpkg/status.d/.wh.curl", b"".as_slice()),
            ]),
            "RUN pip uninstall -y flask && dpkg --purge curl",
        ),
    ];
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("image.tar");
    docker_archive(&path, &layers);
    let target = Target::parse(path.to_str().unwrap()).unwrap();
    let inventory = catalog_target(&target, "image", &CatalogOptions::default()).unwrap();
    let mut names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["bash", "requests"], "{:?}", inventory.packages);
}
