//! `qm scan` of Debian 12 systems end to end: a root filesystem and the same system as an
//! OCI image, judged by Debian's own data for bookworm, by source package.
//!
//! The advisories are `advisories/debian-12-changelogs` (see its README): for every source
//! package with a bookworm-security upload, each CVE its changelog names and the version that
//! fixed it. `cves.tsv` holds the same facts as a table, so the expected findings are computed
//! here from the table, independently of the OSV records and the tracker JSON the database is
//! built from: an installed package is affected by every CVE of its source package whose fixed
//! version is above the installed *source* version (dpkg order).
//!
//! The system is written here: `etc/os-release` of Debian 12 and a `var/lib/dpkg/status` with
//! bookworm stanzas at versions bookworm really shipped (point releases 12.4 and 12.5):
//! - `libssl3` and `openssl` 3.0.11-1~deb12u2: one source, two binaries, one named otherwise;
//! - `libc6` 2.36-9+deb12u4 (source `glibc`);
//! - `libssh2-1` 1.10.0-3+b1, a binary-only rebuild whose `Source:` field carries the source
//!   version `1.10.0-3`;
//! - `sudo` 1.9.13p3-1+deb12u2, exactly the version that fixed its last CVE: no finding;
//! - `base-files`, whose source never had a security upload: no finding;
//! - `libssl1.1`, removed with its configuration files left (`deinstall ok config-files`):
//!   not installed, so not reported.
//!
//! `QM_DEBIAN_ROOTFS=/path` adds a scan of a real Debian 12 root filesystem (the bench image's
//! debootstrap tree, `/var/tmp/qm-bench-image/work/rootfs`, built by `bench/build_image.sh`)
//! whose every finding is checked against `cves.tsv`. Nothing here touches the network.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use qm_version::Scheme;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const CHANGELOGS: &str = "advisories/debian-12-changelogs";

const OS_RELEASE: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"#;

const BASE_FILES: &str = "Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 341
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Pre-Depends: awk
Conffiles:
 /etc/debian_version da9f3e5a56d6162ea9d5feed57fbf349
 /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others,
 and the text of several common licenses in use on Debian systems.
";

const LIBC6: &str = "Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Replaces: libc6-amd64
Depends: libgcc-s1
Recommends: libidn2-0 (>= 2.0.5~)
Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales, libnss-nis, libnss-nisplus
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system. This package includes shared versions of the standard C library
 and the standard math library, as well as many others.
Homepage: https://www.gnu.org/software/libc/libc.html
";

fn libssl3(version: &str) -> String {
    format!(
        "Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6030
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: {version}
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
 .
 It provides the libssl and libcrypto shared libraries.
Homepage: https://www.openssl.org/
"
    )
}

fn openssl(version: &str) -> String {
    format!(
        "Package: openssl
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 2310
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: foreign
Version: {version}
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)
Suggests: ca-certificates
Conffiles:
 /etc/ssl/openssl.cnf fe1993ec22f6b8a46cb9706acd8fc68f
Description: Secure Sockets Layer toolkit - cryptographic utility
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
Homepage: https://www.openssl.org/
"
    )
}

const LIBSSH2: &str = "Package: libssh2-1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 357
Maintainer: Nicolas Mora <babelouest@debian.org>
Architecture: amd64
Multi-Arch: same
Source: libssh2 (1.10.0-3)
Version: 1.10.0-3+b1
Depends: libc6 (>= 2.14), libssl3 (>= 3.0.0), zlib1g (>= 1:1.1.4)
Description: SSH2 client-side library
 libssh2 is a client-side C library implementing the SSH2 protocol.
 It supports regular terminal, SCP and SFTP (v1-v5) sessions;
 port forwarding, X11 forwarding; password, key-based and
 keyboard-interactive authentication.
Homepage: https://libssh2.org/
";

const SUDO: &str = "Package: sudo
Status: install ok installed
Priority: optional
Section: admin
Installed-Size: 6199
Maintainer: Sudo Maintainers <sudo@packages.debian.org>
Architecture: amd64
Version: 1.9.13p3-1+deb12u2
Depends: libaudit1 (>= 1:2.2.1), libc6 (>= 2.34), libpam0g (>= 0.99.7.1), libselinux1 (>= 3.1~), libssl3 (>= 3.0.0), zlib1g (>= 1:1.2.0.2), libpam-modules
Conflicts: sudo-ldap
Replaces: sudo-ldap
Conffiles:
 /etc/sudoers 45437b4e86fba2ab890ac81db2ec3606
Description: Provide limited super user privileges to specific users
 Sudo is a program designed to allow a sysadmin to give limited root
 privileges to users and log root commands and arguments.
Homepage: https://www.sudo.ws/
";

const LIBSSL11_REMOVED: &str = "Package: libssl1.1
Status: deinstall ok config-files
Priority: optional
Section: libs
Installed-Size: 4206
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 1.1.1n-0+deb11u5
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
";

const OPENSSL_12_4: &str = "3.0.11-1~deb12u2";
/// The point release version a later `apt-get upgrade` brings (bookworm's Packages index of
/// July 2026, in `manifest.tsv`).
const OPENSSL_POINT_RELEASE: &str = "3.0.20-1~deb12u2";

/// A dpkg status file from stanzas.
fn status(stanzas: &[&str]) -> String {
    stanzas.join("\n")
}

/// The status file of the small system: every package above.
fn small_system_status() -> String {
    status(&[
        BASE_FILES,
        LIBC6,
        LIBSSH2,
        &libssl3(OPENSSL_12_4),
        LIBSSL11_REMOVED,
        &openssl(OPENSSL_12_4),
        SUDO,
    ])
}

/// Which database the scan reads: built from the OSV records or from the tracker JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feed {
    Osv,
    Tracker,
}

/// Source packages whose advisories go into the small databases; `curl` and `expat` are not
/// installed anywhere here, so their records must match nothing.
const SOURCES: &[&str] = &["curl", "expat", "glibc", "libssh2", "openssl", "sudo"];

/// The cache directory of a database with the Debian 12 advisories of [`SOURCES`], built once
/// per test process and feed.
fn database(feed: Feed) -> &'static Path {
    static OSV: OnceLock<PathBuf> = OnceLock::new();
    static TRACKER: OnceLock<PathBuf> = OnceLock::new();
    let cell = match feed {
        Feed::Osv => &OSV,
        Feed::Tracker => &TRACKER,
    };
    cell.get_or_init(|| {
        let cache =
            qm_testdata::process_dir(Path::new(env!("CARGO_TARGET_TMPDIR")), "scan_debian-db-");
        let subset = cache.join("advisories");
        match feed {
            Feed::Osv => {
                // `DEBIAN-12-<source>-<version>.json`; versions start with a digit, which
                // keeps `openssl` from selecting a source named `openssl-…`.
                qm_testdata::copy_data_subset(&format!("{CHANGELOGS}/osv"), &subset, |name, _| {
                    SOURCES.iter().any(|source| {
                        name.strip_prefix(&format!("DEBIAN-12-{source}-"))
                            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                    })
                });
            }
            Feed::Tracker => {
                let tracker: Value = serde_json::from_str(&qm_testdata::read_text(&format!(
                    "{CHANGELOGS}/tracker.json"
                )))
                .unwrap();
                let kept: serde_json::Map<String, Value> = tracker
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(source, _)| SOURCES.contains(&source.as_str()))
                    .map(|(source, issues)| (source.clone(), issues.clone()))
                    .collect();
                assert_eq!(kept.len(), SOURCES.len());
                fs_err::create_dir_all(&subset).unwrap();
                fs_err::write(subset.join("tracker.json"), Value::Object(kept).to_string())
                    .unwrap();
            }
        }
        qm_testdata::build_database(
            Path::new(env!("CARGO_BIN_EXE_qm")),
            &cache,
            &format!("dir:{}", subset.display()),
        );
        cache
    })
}

/// `cves.tsv`: source → [(CVE, fixed version)].
fn cves_by_source() -> &'static BTreeMap<String, Vec<(String, String)>> {
    static TABLE: OnceLock<BTreeMap<String, Vec<(String, String)>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let text = qm_testdata::read_text(&format!("{CHANGELOGS}/cves.tsv"));
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [source, cve, fixed, _lowest] = fields[..] else {
                panic!("cves.tsv: a line with {} fields: {line}", fields.len());
            };
            table
                .entry(source.to_owned())
                .or_default()
                .push((cve.to_owned(), fixed.to_owned()));
        }
        table
    })
}

/// An installed binary package: its name, its source package and the source version.
#[derive(Debug, Clone)]
struct Installed {
    name: String,
    source: String,
    source_version: String,
}

/// The installed packages of a dpkg status file (status `installed`), with their source
/// package as dpkg's `Source: name (version)` field gives it.
fn installed(status: &str) -> Vec<Installed> {
    let mut packages = Vec::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza.lines().find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(str::trim)
            })
        };
        let (Some(name), Some(version), Some(state)) =
            (field("Package"), field("Version"), field("Status"))
        else {
            continue;
        };
        if !state.ends_with(" installed") {
            continue;
        }
        let (source, source_version) = match field("Source") {
            Some(source) => match source.split_once(" (") {
                Some((source, version)) => (source, version.trim_end_matches(')')),
                None => (source, version),
            },
            None => (name, version),
        };
        packages.push(Installed {
            name: name.to_owned(),
            source: source.to_owned(),
            source_version: source_version.to_owned(),
        });
    }
    packages
}

/// (binary package, CVE, fixed version) that `cves.tsv` says the packages are vulnerable to.
fn expected_findings(packages: &[Installed]) -> BTreeSet<(String, String, String)> {
    let mut expected = BTreeSet::new();
    for package in packages {
        for (cve, fixed) in cves_by_source()
            .get(&package.source)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let order = Scheme::Dpkg
                .compare(&package.source_version, fixed)
                .unwrap();
            if order == std::cmp::Ordering::Less {
                expected.insert((package.name.clone(), cve.clone(), fixed.clone()));
            }
        }
    }
    expected
}

/// (binary package, CVE, fixed version) of each finding: a finding may name several CVEs
/// (its id and aliases).
fn found(report: &Value) -> BTreeSet<(String, String, String)> {
    let mut found = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        let package = finding["package"]["name"].as_str().unwrap();
        let fixed = finding["fixed_version"].as_str().unwrap_or("(none)");
        let ids = std::iter::once(&finding["id"])
            .chain(finding["aliases"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .filter(|id| id.starts_with("CVE-"));
        for cve in ids {
            found.insert((package.to_owned(), cve.to_owned(), fixed.to_owned()));
        }
    }
    found
}

fn scan(target: &str, cache: &Path) -> Value {
    let home = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("QM_CACHE_DIR", cache)
        .args(["scan", "-q", "-f", "json", target])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Asserts found = expected, listing both differences.
fn assert_same(
    found: &BTreeSet<(String, String, String)>,
    expected: &BTreeSet<(String, String, String)>,
    what: &str,
) {
    let missing: Vec<_> = expected.difference(found).collect();
    let extra: Vec<_> = found.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: {} expected, {} found\nmissing: {missing:#?}\nnot expected: {extra:#?}",
        expected.len(),
        found.len()
    );
}

fn write_rootfs(root: &Path, status: &str) {
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    fs_err::write(root.join("etc/os-release"), OS_RELEASE).unwrap();
    fs_err::write(root.join("var/lib/dpkg/status"), status).unwrap();
}

#[test]
fn expectations_hold_the_facts_the_system_was_chosen_for() {
    let expected = expected_findings(&installed(&small_system_status()));
    let has = |package: &str, cve: &str, fixed: &str| {
        expected.contains(&(package.to_owned(), cve.to_owned(), fixed.to_owned()))
    };
    // glibc's iconv ISO-2022-CN-EXT overflow and the nscd CVEs, after 12.5's deb12u4.
    assert!(
        has("libc6", "CVE-2024-2961", "2.36-9+deb12u6"),
        "{expected:#?}"
    );
    assert!(has("libc6", "CVE-2024-33599", "2.36-9+deb12u7"));
    // The openssl source's CVEs apply to both of its binaries.
    assert!(has("libssl3", "CVE-2024-0727", "3.0.13-1~deb12u1"));
    assert!(has("openssl", "CVE-2024-0727", "3.0.13-1~deb12u1"));
    // The rebuilt libssh2-1 is judged by its source version 1.10.0-3.
    let libssh2: Vec<_> = expected.iter().filter(|row| row.0 == "libssh2-1").collect();
    assert_eq!(libssh2.len(), 6, "{libssh2:#?}");
    assert!(libssh2.iter().all(|row| row.2 == "1.10.0-3+deb12u1"));
    // sudo's last CVE was fixed in exactly the installed version.
    assert!(
        cves_by_source()["sudo"]
            .iter()
            .any(|(cve, fixed)| cve == "CVE-2025-32462" && fixed == "1.9.13p3-1+deb12u2")
    );
    assert!(
        !expected
            .iter()
            .any(|row| row.0 == "sudo" || row.0 == "base-files")
    );
    assert!(!expected.iter().any(|row| row.0 == "libssl1.1"));
}

#[test]
fn a_bookworm_root_filesystem_is_judged_by_source_package() {
    let root = tempfile::tempdir().unwrap();
    let status = small_system_status();
    write_rootfs(root.path(), &status);
    let expected = expected_findings(&installed(&status));
    assert!(expected.len() > 50, "{}", expected.len());

    for feed in [Feed::Osv, Feed::Tracker] {
        let report = scan(root.path().to_str().unwrap(), database(feed));
        let what = format!("{feed:?}");
        assert_eq!(report["target"]["kind"], "rootfs", "{what}");
        assert_eq!(report["distro"]["id"], "debian", "{what}");
        assert_eq!(report["distro"]["version_id"], "12", "{what}");
        assert!(report.get("notes").is_none(), "{what}: {}", report["notes"]);
        // Six installed packages; the removed libssl1.1 is not one of them.
        assert_eq!(report["summary"]["packages"], 6, "{what}");
        assert_same(&found(&report), &expected, &what);

        for finding in report["findings"].as_array().unwrap() {
            assert_eq!(finding["fix"]["state"], "fixed", "{finding}");
            let package = finding["package"]["name"].as_str().unwrap();
            // `distro-package` when the binary is named like its source (`openssl`).
            let matched_by = if package == "openssl" {
                "distro-package"
            } else {
                "distro-source-package"
            };
            assert_eq!(finding["matched_by"], matched_by, "{finding}");
            let key = match package {
                "libssl3" | "openssl" => "Debian:12/openssl",
                "libc6" => "Debian:12/glibc",
                "libssh2-1" => "Debian:12/libssh2",
                other => panic!("a finding in `{other}`: {finding}"),
            };
            assert_eq!(finding["matched_key"], key, "{finding}");
            if package == "libssh2-1" {
                assert_eq!(finding["package"]["version"], "1.10.0-3+b1");
                assert_eq!(finding["package"]["source"]["version"], "1.10.0-3");
                assert_eq!(finding["installed_version"], "1.10.0-3", "{finding}");
            }
        }
        // libssl3 and openssl carry the same CVEs: one source, one set of fixes.
        let cves_of = |package: &str| -> BTreeSet<(String, String)> {
            found(&report)
                .into_iter()
                .filter(|row| row.0 == package)
                .map(|row| (row.1, row.2))
                .collect()
        };
        assert_eq!(cves_of("libssl3"), cves_of("openssl"));
        assert!(!cves_of("libssl3").is_empty());
    }
}

// ---- OCI image layout, written the way `crates/qm-source/tests/common/mod.rs` does ----

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut text = String::from("sha256:");
    for byte in digest {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// An uncompressed layer tar of regular files.
fn layer(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(u64::try_from(text.len()).unwrap());
        header.set_mode(0o644);
        header.set_mtime(0);
        builder
            .append_data(&mut header, path, text.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// Writes an OCI image layout of one image, tagged `latest`: the layers (bottom first) and the
/// config's history (`created_by`, empty layer). Returns the layers' digests.
fn write_oci_layout(dir: &Path, layers: &[Vec<u8>], history: &[(&str, bool)]) -> Vec<String> {
    let blobs = dir.join("blobs/sha256");
    fs_err::create_dir_all(&blobs).unwrap();
    let store = |bytes: &[u8], media_type: &str| -> Value {
        let digest = sha256(bytes);
        fs_err::write(blobs.join(&digest["sha256:".len()..]), bytes).unwrap();
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    };
    let diff_ids: Vec<String> = layers.iter().map(|tar| sha256(tar)).collect();
    let history: Vec<Value> = history
        .iter()
        .map(|(step, empty)| {
            if *empty {
                json!({"created_by": step, "empty_layer": true})
            } else {
                json!({"created_by": step})
            }
        })
        .collect();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    let config = store(
        &serde_json::to_vec(&config).unwrap(),
        "application/vnd.oci.image.config.v1+json",
    );
    let layer_descriptors: Vec<Value> = layers
        .iter()
        .map(|tar| store(tar, "application/vnd.oci.image.layer.v1.tar"))
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": layer_descriptors,
    });
    let mut manifest = store(
        &serde_json::to_vec(&manifest).unwrap(),
        "application/vnd.oci.image.manifest.v1+json",
    );
    manifest["annotations"] = json!({"org.opencontainers.image.ref.name": "latest"});
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [manifest],
    });
    fs_err::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    fs_err::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    diff_ids
}

#[test]
fn an_oci_image_names_the_layer_and_build_step_of_each_finding() {
    // Layer 0: the debootstrap base of 12.4 (openssl 3.0.11). Layer 1: `apt-get install
    // libssh2-1`, which rewrites the status file. Layer 2: an upgrade of libssl3 and openssl to
    // the point release, rewriting it again. An `ENV` step in between writes no layer.
    let base = status(&[
        BASE_FILES,
        LIBC6,
        &libssl3(OPENSSL_12_4),
        &openssl(OPENSSL_12_4),
        SUDO,
    ]);
    let with_libssh2 = status(&[
        BASE_FILES,
        LIBC6,
        LIBSSH2,
        &libssl3(OPENSSL_12_4),
        &openssl(OPENSSL_12_4),
        SUDO,
    ]);
    let upgraded = status(&[
        BASE_FILES,
        LIBC6,
        LIBSSH2,
        &libssl3(OPENSSL_POINT_RELEASE),
        &openssl(OPENSSL_POINT_RELEASE),
        SUDO,
    ]);
    let steps = [
        "/bin/sh -c #(nop) ADD file:debootstrap-bookworm-12.4.tar in / ",
        "ENV LANG=C.UTF-8",
        "RUN /bin/sh -c apt-get install -y --no-install-recommends libssh2-1 # buildkit",
        "RUN /bin/sh -c apt-get install -y --only-upgrade libssl3 openssl # buildkit",
    ];
    let layers = vec![
        layer(&[
            ("etc/os-release", OS_RELEASE),
            ("var/lib/dpkg/status", &base),
        ]),
        layer(&[("var/lib/dpkg/status", &with_libssh2)]),
        layer(&[("var/lib/dpkg/status", &upgraded)]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let digests = write_oci_layout(
        dir.path(),
        &layers,
        &[
            (steps[0], false),
            (steps[1], true),
            (steps[2], false),
            (steps[3], false),
        ],
    );

    let report = scan(
        &format!("oci-dir:{}", dir.path().display()),
        database(Feed::Osv),
    );
    assert_eq!(report["target"]["kind"], "oci-dir");
    let target_layers = report["target"]["layers"].as_array().unwrap();
    assert_eq!(target_layers.len(), 3);
    for (index, layer) in target_layers.iter().enumerate() {
        assert_eq!(layer["digest"], digests[index].as_str());
        assert_eq!(layer["index"], index);
    }
    assert_eq!(target_layers[1]["created_by"], steps[2]);
    assert_eq!(target_layers[2]["created_by"], steps[3]);

    // What the image holds in the end: the upgraded openssl.
    let expected = expected_findings(&installed(&upgraded));
    assert_same(&found(&report), &expected, "OCI image");
    // The upgrade cleared the CVEs fixed up to the point release and left the later ones.
    assert!(
        !expected
            .iter()
            .any(|row| row.0 == "libssl3" && row.1 == "CVE-2024-0727")
    );
    assert!(expected.iter().any(|row| row.0 == "libssl3"));

    // Each package comes from the layer that last changed its stanza.
    let expected_layer = |package: &str| match package {
        "libc6" | "sudo" | "base-files" => 0,
        "libssh2-1" => 1,
        "libssl3" | "openssl" => 2,
        other => panic!("a finding in `{other}`"),
    };
    let mut layers_seen = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        let package = finding["package"]["name"].as_str().unwrap();
        let index = expected_layer(package);
        let layer = &finding["package"]["layer"];
        assert_eq!(layer["index"], index, "{package}: {finding}");
        assert_eq!(layer["digest"], digests[index].as_str(), "{package}");
        let created_by = if index == 0 {
            steps[0]
        } else {
            steps[index + 1]
        };
        assert_eq!(layer["created_by"], created_by, "{package}");
        layers_seen.insert(index);
    }
    assert_eq!(layers_seen, BTreeSet::from([0, 1, 2]));
}

#[test]
fn a_real_debian_root_filesystem_when_given() {
    let Some(root) = std::env::var_os("QM_DEBIAN_ROOTFS") else {
        return;
    };
    let root = PathBuf::from(root);
    let status = fs_err::read_to_string(root.join("var/lib/dpkg/status")).unwrap();
    let packages = installed(&status);
    let expected = expected_findings(&packages);

    // All of bookworm's advisories here, not a subset: the system holds ~200 packages.
    let cache = tempfile::tempdir().unwrap();
    qm_testdata::build_database(
        Path::new(env!("CARGO_BIN_EXE_qm")),
        cache.path(),
        &format!(
            "dir:{}",
            qm_testdata::data_path(&format!("{CHANGELOGS}/osv")).display()
        ),
    );
    let report = scan(root.to_str().unwrap(), cache.path());
    assert_eq!(report["distro"]["version_id"], "12");
    let dpkg_packages = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["package"]["ecosystem"] == "Debian")
        .count();
    assert_eq!(dpkg_packages, report["findings"].as_array().unwrap().len());
    assert_same(&found(&report), &expected, &root.display().to_string());
}
