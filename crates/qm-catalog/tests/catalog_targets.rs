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
