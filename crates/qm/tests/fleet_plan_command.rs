//! `qm fleet plan` end to end, on SQLite and on PostgreSQL.
//!
//! The database holds real advisories: Debian 12's openssl records (from its changelogs; the
//! fix `3.0.22-1~deb12u2` is rated high, the others medium), PyPA's Werkzeug records (one
//! rated high, fixed in 2.3.8) and PyPA's zstd record (no fixed version). The fleet: two OCI
//! images, `api` and `web`, built on the same Debian 12 base layer holding `libssl3` and
//! `openssl` 3.0.11-1~deb12u2, each with a layer of its own; and `tools`, trivy's
//! `requirements.txt` fixture (Werkzeug 0.11) with zstd 1.5.5.1 added.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::path::Path;

use assert_cmd::Command;
use qm_fleet::testing::TestDatabase;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const OPENSSL: &str = "3.0.11-1~deb12u2";
const FIXED: &str = "3.0.22-1~deb12u2";
const BASE_STEP: &str = "/bin/sh -c #(nop) ADD file:bookworm.tar in / ";

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"
NAME=\"Debian GNU/Linux\"
VERSION_ID=\"12\"
VERSION_CODENAME=bookworm
ID=debian
";

fn status() -> String {
    let stanza = |name: &str, source: Option<&str>| {
        let source = source.map_or(String::new(), |source| format!("Source: {source}\n"));
        format!(
            "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: libs\n\
             Architecture: amd64\n{source}Version: {OPENSSL}\nDescription: {name}\n"
        )
    };
    format!(
        "{}\n{}",
        stanza("libssl3", Some("openssl")),
        stanza("openssl", None)
    )
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

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

/// An OCI layout of the Debian base layer and one layer holding `/etc/hostname` = `name`.
fn image(dir: &Path, name: &str) -> String {
    let layers = [
        layer(&[
            ("etc/os-release", OS_RELEASE),
            ("var/lib/dpkg/status", &status()),
        ]),
        layer(&[("etc/hostname", name)]),
    ];
    let blobs = dir.join("blobs/sha256");
    fs_err::create_dir_all(&blobs).unwrap();
    let store = |bytes: &[u8], media_type: &str| -> Value {
        let digest = sha256(bytes);
        fs_err::write(blobs.join(&digest["sha256:".len()..]), bytes).unwrap();
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    };
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| sha256(l)).collect::<Vec<_>>()},
        "history": [{"created_by": BASE_STEP}, {"created_by": format!("RUN echo {name} > /etc/hostname")}],
    });
    let config = store(
        &serde_json::to_vec(&config).unwrap(),
        "application/vnd.oci.image.config.v1+json",
    );
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": layers.iter().map(|l| store(l, "application/vnd.oci.image.layer.v1.tar")).collect::<Vec<_>>(),
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
    sha256(&layers[0])
}

/// A cache directory with an installed database, a store, and the fleet added.
struct Fleet {
    cache: tempfile::TempDir,
    store: String,
    /// The shared base layer's digest.
    base: String,
    _database: Option<TestDatabase>,
}

impl Fleet {
    fn new(database: Option<TestDatabase>) -> Fleet {
        let cache = tempfile::tempdir().unwrap();
        let store = match &database {
            Some(database) => database.url().to_owned(),
            None => format!("sqlite://{}", cache.path().join("store/fleet.db").display()),
        };
        let openssl = cache.path().join("openssl-advisories");
        qm_testdata::copy_data_subset(
            "advisories/debian-12-changelogs/osv",
            &openssl,
            |name, _| {
                name.strip_prefix("DEBIAN-12-openssl-")
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            },
        );
        let pypa = |name: &str| {
            format!(
                "dir:{}",
                qm_testdata::data_path(&format!("advisories/pypa/vulns/{name}")).display()
            )
        };
        qm_testdata::build_database(
            Path::new(env!("CARGO_BIN_EXE_qm")),
            cache.path(),
            &format!(
                "{} {} dir:{}",
                pypa("werkzeug"),
                pypa("zstd"),
                openssl.display()
            ),
        );
        let mut fleet = Fleet {
            cache,
            store,
            base: String::new(),
            _database: database,
        };
        for name in ["api", "web"] {
            let dir = fleet.path().join(name);
            fleet.base = image(&dir, name);
            fleet.add(&format!("oci-dir:{}", dir.display()), name);
        }
        let requirements = fs_err::read_to_string(qm_testdata::data_path(
            "fixtures/trivy/integration/testdata/fixtures/repo/pip/requirements.txt",
        ))
        .unwrap();
        assert!(requirements.contains("Werkzeug==0.11"), "{requirements}");
        let tools = fleet.path().join("tools");
        fs_err::create_dir_all(&tools).unwrap();
        fs_err::write(
            tools.join("requirements.txt"),
            format!("{requirements}zstd==1.5.5.1\n"),
        )
        .unwrap();
        fleet.add(tools.join("requirements.txt").to_str().unwrap(), "tools");
        fleet
    }

    fn path(&self) -> &Path {
        self.cache.path()
    }

    fn qm(&self) -> Command {
        let mut command = Command::cargo_bin("qm").unwrap();
        command
            .env_clear()
            .env("HOME", self.path())
            .env("QM_CACHE_DIR", self.path())
            .env("QM_STORE", &self.store)
            .current_dir(self.path());
        command
    }

    fn add(&self, target: &str, name: &str) {
        self.qm()
            .args(["fleet", "add", "-q", target, "--name", name])
            .assert()
            .success();
    }

    fn stdout(&self, args: &[&str]) -> String {
        let output = self.qm().args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.stdout(&[args, &["-f", "json"]].concat())).unwrap()
    }
}

fn short(digest: &str) -> String {
    digest.chars().take("sha256:".len() + 12).collect()
}

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::Fleet::new(None));
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    match qm_fleet::testing::postgres_database() {
                        Some(database) => super::$name(&super::Fleet::new(Some(database))),
                        None => eprintln!("skipped: no PostgreSQL server"),
                    }
                }
            )*
        }
    };
}

on_both_engines!(plan_in_every_format);

fn plan_in_every_format(fleet: &Fleet) {
    // JSON: the base layer first, shared by both images; the lockfile's Werkzeug after.
    let plan = fleet.json(&["fleet", "plan"]);
    assert_eq!(plan["severity"], "high");
    assert_eq!(plan["targets"], json!(["api", "tools", "web"]));
    let groups = plan["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{plan:#}");
    let base = &groups[0]["origin"];
    assert_eq!(base["kind"], "base-image");
    assert_eq!(base["layer"], fleet.base.as_str());
    assert_eq!(base["shared_by"], 2);
    assert_eq!(base["first_layer"], true);
    assert_eq!(base["created_by"], BASE_STEP);
    let debian = &groups[0]["ecosystems"][0];
    assert_eq!(debian["ecosystem"], "Debian");
    let openssl = &debian["upgrades"][0];
    assert_eq!(openssl["package"], "openssl");
    assert_eq!(openssl["packages"], json!(["libssl3", "openssl"]));
    assert_eq!(openssl["from"], OPENSSL);
    assert_eq!(openssl["to"], FIXED);
    assert_eq!(
        openssl["command"],
        format!("apt-get install --only-upgrade libssl3={FIXED} openssl={FIXED}")
    );
    assert_eq!(openssl["targets"], json!(["api", "web"]));
    // Six high CVEs, in two images.
    assert_eq!(openssl["cleared"]["high"], 12);
    assert_eq!(openssl["vulnerabilities"].as_array().unwrap().len(), 6);

    assert_eq!(groups[1]["origin"]["kind"], "targets");
    let werkzeug = &groups[1]["ecosystems"][0]["upgrades"][0];
    assert_eq!(werkzeug["package"], "Werkzeug");
    assert_eq!(werkzeug["to"], "2.3.8");
    assert_eq!(werkzeug["command"], "pip install Werkzeug==2.3.8");
    assert_eq!(werkzeug["targets"], json!(["tools"]));
    assert_eq!(plan["summary"]["upgrades"], 2);
    assert_eq!(plan["summary"]["cleared"]["high"], 13);
    assert_eq!(plan["unfixed"], json!([]));

    // `--severity unknown`: zstd's finding has no fix; medium openssl CVEs join.
    let all = fleet.json(&["fleet", "plan", "--severity", "unknown"]);
    let unfixed = all["unfixed"].as_array().unwrap();
    assert_eq!(unfixed.len(), 1, "{all:#}");
    assert_eq!(unfixed[0]["package"], "zstd");
    assert_eq!(unfixed[0]["id"], "CVE-2022-4899");
    assert_eq!(unfixed[0]["fix"]["state"], "not-fixed");
    assert!(all["summary"]["cleared"]["medium"].as_u64().unwrap() > 0);
    assert_eq!(
        all["groups"][0]["ecosystems"][0]["upgrades"][0]["to"],
        FIXED
    );

    // One target.
    let web = fleet.json(&["fleet", "plan", "web"]);
    assert_eq!(web["targets"], json!(["web"]));
    assert_eq!(web["summary"]["upgrades"], 1);
    assert_eq!(web["groups"][0]["origin"]["shared_by"], 2);

    // The table.
    let table = fleet.stdout(&["fleet", "plan", "--severity", "unknown"]);
    assert!(
        table.starts_with("3 targets, findings at or over unknown: 2 upgrades clear "),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "base image (layer {}, shared by 2 targets): rebuild on a patched base image",
            short(&fleet.base)
        )),
        "{table}"
    );
    let line = table
        .lines()
        .find(|line| line.trim_start().starts_with("openssl "))
        .unwrap();
    for cell in [
        OPENSSL,
        FIXED,
        "12 high",
        "api, web",
        "apt-get install --only-upgrade",
    ] {
        assert!(line.contains(cell), "{line}");
    }
    assert!(table.contains("the targets' own packages:"), "{table}");
    assert!(table.contains("no fix yet:"), "{table}");
    let zstd = table
        .lines()
        .find(|line| line.contains("CVE-2022-4899"))
        .unwrap();
    for cell in ["PyPI", "zstd", "1.5.5.1", "no fixed version", "tools"] {
        assert!(zstd.contains(cell), "{zstd}");
    }

    // Markdown, for a pull request.
    let markdown = fleet.stdout(&["fleet", "plan", "-f", "markdown", "--severity", "unknown"]);
    assert!(markdown.starts_with("## Patch plan\n"), "{markdown}");
    assert!(
        markdown.contains(&format!(
            "### Base image: layer `{}` (shared by 2 targets)",
            short(&fleet.base)
        )),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("| openssl | `{OPENSSL}` | `{FIXED}` | 12 high, ")),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `pip install Werkzeug==2.3.8` |"),
        "{markdown}"
    );
    assert!(markdown.contains("### No fix yet"), "{markdown}");

    // An unknown target is a usage error.
    let output = fleet.qm().args(["fleet", "plan", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no target `nope`"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A plan of an empty store is not an error.
#[test]
fn an_empty_fleet_has_nothing_to_upgrade() {
    let cache = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", cache.path().join("fleet.db").display());
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .env("HOME", cache.path())
        .env("QM_CACHE_DIR", cache.path())
        .args(["fleet", "plan", "--store", &store])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "0 targets, findings at or over high: nothing to upgrade\n"
    );
}
