#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]
//! Inputs the fuzzers found (see fuzz/README.md): each once gave a package whose purl read back
//! as a different package, a blank platform, or a blank distribution id.

use packageurl::PackageUrl;
use qm_catalog::{
    parse_apk_installed, parse_dpkg_status, parse_gemfile_lock, parse_go_mod, parse_os_release,
    parse_requirements,
};
use qm_model::Package;

/// Every purl reads back as the same purl.
fn purls_round_trip(packages: &[Package]) {
    for package in packages {
        let purl: PackageUrl<'_> = package.purl.parse().unwrap();
        assert_eq!(purl.to_string(), package.purl, "{package:?}");
    }
}

#[test]
fn versions_with_a_slash_mint_no_purl() {
    let dpkg = parse_dpkg_status(
        "status",
        b"Package: a\nVersion: 1.0/x\n\nPackage: b\nVersion: 1\n",
    )
    .unwrap();
    assert!(dpkg.iter().all(|p| p.name != "a" || !p.purl.contains('/')));
    purls_round_trip(&dpkg);
    let apk = parse_apk_installed("installed", b"P:a\nV:1/x\n\nP:b\nV:1-r0\n").unwrap_or_default();
    purls_round_trip(&apk);
    let requirements = parse_requirements("requirements.txt", b"certifi==/x\nidna==3.4\n").unwrap();
    purls_round_trip(&requirements);
    assert!(requirements.iter().any(|p| p.name == "idna"));
}

#[test]
fn go_modules_need_a_namespace_before_a_slash() {
    let packages = parse_go_mod(
        "go.mod",
        b"module x\nrequire /a v1.0.0\nrequire b.io/c v1.2.0\n",
    )
    .unwrap();
    purls_round_trip(&packages);
    assert!(packages.iter().all(|p| p.name != "/a"), "{packages:?}");
}

#[test]
fn an_empty_gem_platform_is_no_platform() {
    let lock = b"GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.8-)\n\nDEPENDENCIES\n  rack\n";
    let packages = parse_gemfile_lock("Gemfile.lock", lock).unwrap();
    assert_eq!(packages.len(), 1, "{packages:?}");
    assert_eq!(packages[0].arch, None);
}

#[test]
fn a_blank_os_release_id_names_no_distribution() {
    assert_eq!(parse_os_release(b"ID=\"  \"\nVERSION_ID=1\n"), None);
    assert_eq!(parse_os_release(b"ID=debian\n").unwrap().id, "debian");
}
