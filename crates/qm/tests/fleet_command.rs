//! `qm fleet …` end to end, on SQLite and on PostgreSQL: the same commands, the same output.
//!
//! The vulnerability database is built from PyPA's real Werkzeug (and, to re-match, Flask)
//! advisories; the targets are trivy's `requirements.txt` fixture and versions of it.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use qm_fleet::testing::{TestDatabase, postgres_database};
use serde_json::Value;

/// A cache directory with an installed database, and a store.
struct Fleet {
    cache: tempfile::TempDir,
    store: String,
    /// Kept so the PostgreSQL database lives as long as the test.
    _database: Option<TestDatabase>,
}

fn advisories(name: &str) -> String {
    format!(
        "dir:{}",
        qm_testdata::data_path(&format!("advisories/pypa/vulns/{name}")).display()
    )
}

fn requirements() -> PathBuf {
    qm_testdata::data_path("fixtures/trivy/integration/testdata/fixtures/repo/pip/requirements.txt")
}

impl Fleet {
    fn new(database: Option<TestDatabase>) -> Fleet {
        let cache = tempfile::tempdir().unwrap();
        let store = match &database {
            Some(database) => database.url().to_owned(),
            None => format!("sqlite://{}", cache.path().join("store/fleet.db").display()),
        };
        let fleet = Fleet {
            cache,
            store,
            _database: database,
        };
        fleet.update_db(&[&advisories("werkzeug")]);
        fleet
    }

    fn sqlite() -> Fleet {
        Fleet::new(None)
    }

    fn postgres() -> Option<Fleet> {
        postgres_database().map(|database| Fleet::new(Some(database)))
    }

    fn path(&self) -> &Path {
        self.cache.path()
    }

    fn update_db(&self, sources: &[&str]) {
        self.qm()
            .env("QM_DB_SOURCES", sources.join(" "))
            .args(["db", "update", "--no-rematch"])
            .assert()
            .success();
    }

    /// `qm` with this fleet's cache and store (through `QM_STORE`).
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

    /// The same, as a plain process to spawn.
    fn process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_qm"));
        command
            .env_clear()
            .env("HOME", self.path())
            .env("QM_CACHE_DIR", self.path())
            .env("QM_STORE", &self.store)
            .current_dir(self.path());
        command
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.qm().args(args).args(["-f", "json"]).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// A copy of the requirements with `Werkzeug` at `version`.
    fn requirements_with(&self, file: &str, version: &str) -> PathBuf {
        let text = fs_err::read_to_string(requirements()).unwrap();
        assert!(text.contains("Werkzeug==0.11"), "{text}");
        let dir = self.path().join(file);
        fs_err::create_dir_all(&dir).unwrap();
        let path = dir.join("requirements.txt");
        fs_err::write(
            &path,
            text.replace("Werkzeug==0.11", &format!("Werkzeug=={version}")),
        )
        .unwrap();
        path
    }

    /// Exit code, stdout and stderr, with paths and times made stable.
    fn run(&self, args: &[&str]) -> String {
        let output = self.qm().args(args).output().unwrap();
        let text = format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            output
                .status
                .code()
                .map_or("signal".into(), |code| code.to_string()),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        text.replace(&self.store, "[STORE]")
            .replace(&self.path().display().to_string(), "[CACHE]")
            .replace(&qm_testdata::data_dir().display().to_string(), "[DATA]")
    }
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    settings.add_filter(r"sha256:[0-9a-f]{12}\b", "sha256:[DIGEST]");
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    settings.add_filter(
        r"built \S+, \d+ advisories, \d+ package keys, \d+ bytes",
        "[DATABASE]",
    );
    settings
}

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::Fleet::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    match super::Fleet::postgres() {
                        Some(fleet) => super::$name(&fleet),
                        None => eprintln!("skipped: no PostgreSQL server"),
                    }
                }
            )*
        }
    };
}

on_both_engines!(
    add_list_show_and_affected,
    rematch_after_a_database_update,
    parallel_processes_lose_no_add,
    a_killed_add_leaves_no_partial_revision,
);

fn add_list_show_and_affected(fleet: &Fleet) {
    let old = fleet.requirements_with("old", "2.3.7");
    let requirements = requirements();
    let requirements = requirements.to_str().unwrap();
    settings().bind(|| {
        insta::assert_snapshot!(
            "fleet_add",
            fleet.run(&[
                "fleet",
                "add",
                requirements,
                "--name",
                "web",
                "--label",
                "team=payments"
            ])
        );
        insta::assert_snapshot!(
            "fleet_add_again",
            fleet.run(&["fleet", "add", requirements, "--name", "web"])
        );
        fleet
            .qm()
            .args([
                "fleet",
                "add",
                old.to_str().unwrap(),
                "--name",
                "web-old",
                "--label",
                "team=search",
            ])
            .assert()
            .success();
        insta::assert_snapshot!("fleet_ls", fleet.run(&["fleet", "ls"]));
        insta::assert_snapshot!(
            "fleet_affected",
            fleet.run(&["fleet", "affected", "cve-2023-46136"])
        );
        insta::assert_snapshot!("fleet_show", fleet.run(&["fleet", "show", "web-old"]));
        insta::assert_snapshot!("fleet_show_unknown", fleet.run(&["fleet", "show", "nope"]));
        insta::assert_snapshot!(
            "fleet_affected_package",
            fleet.run(&["fleet", "affected", "werkzeug"])
        );
        insta::assert_snapshot!(
            "fleet_affected_nothing",
            fleet.run(&["fleet", "affected", "CVE-1999-0001"])
        );
    });

    let listed = fleet.json(&["fleet", "ls", "--label", "team=payments"]);
    let targets = listed["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0]["name"], "web");
    assert_eq!(targets[0]["latest"]["counts"]["high"], 1);
    assert_eq!(targets[0]["latest"]["counts"]["unknown"], 6);
    assert_eq!(targets[0]["labels"]["team"], "payments");

    let affected = fleet.json(&["fleet", "affected", "pkg:pypi/werkzeug"]);
    let packages = affected["affected"].as_array().unwrap();
    assert_eq!(packages.len(), 2);
    assert_eq!(packages[0]["package"]["version"], "0.11");
    assert_eq!(packages[0]["vulnerabilities"].as_array().unwrap().len(), 7);
    assert_eq!(packages[0]["targets"][0]["target"], "web");
    assert_eq!(packages[1]["package"]["version"], "2.3.7");
    assert_eq!(packages[1]["targets"][0]["target"], "web-old");
    let by_name = fleet.json(&["fleet", "affected", "werkzeug@2.3.7"]);
    let packages = by_name["affected"].as_array().unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["targets"][0]["target"], "web-old");
    assert_eq!(
        packages[0]["targets"][0]["locations"][0],
        "requirements.txt"
    );
    assert_eq!(packages[0]["vulnerabilities"][0]["id"], "CVE-2023-46136");
    assert_eq!(packages[0]["vulnerabilities"][0]["fixed_version"], "2.3.8");

    let shown = fleet.json(&["fleet", "show", "web"]);
    assert_eq!(shown["history"].as_array().unwrap().len(), 1);
    assert_eq!(shown["findings"].as_array().unwrap().len(), 7);
}

fn rematch_after_a_database_update(fleet: &Fleet) {
    let requirements = requirements();
    let fixed = fleet.requirements_with("fixed", "3.0.6");
    fleet
        .qm()
        .args([
            "fleet",
            "add",
            requirements.to_str().unwrap(),
            "--name",
            "web",
        ])
        .assert()
        .success();
    fleet
        .qm()
        .args([
            "fleet",
            "add",
            fixed.to_str().unwrap(),
            "--name",
            "web-fixed",
        ])
        .assert()
        .success();
    // Flask's advisories arrive: `web` and `web-fixed` both run Flask 2.0.0.
    fleet.update_db(&[&advisories("werkzeug"), &advisories("flask")]);
    // An add against the new database warns that the store's findings are older.
    let other = fleet.requirements_with("other", "2.2.2");
    let output = fleet
        .qm()
        .args(["fleet", "add", other.to_str().unwrap(), "--name", "other"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("run `qm fleet rematch`"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    settings().bind(|| {
        insta::assert_snapshot!("fleet_rematch", fleet.run(&["fleet", "rematch"]));
    });
    let report = fleet.json(&["fleet", "rematch"]);
    assert_eq!(report["changes"], Value::Array(Vec::new()));
    let affected = fleet.json(&["fleet", "affected", "GHSA-m2qf-hxjv-5gpq"]);
    let packages = affected["affected"].as_array().unwrap();
    assert_eq!(packages.len(), 1, "Flask 2.0.0 everywhere");
    let targets: Vec<&str> = packages[0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|target| target["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["other", "web", "web-fixed"]);

    // Flask's advisories withdrawn again: every target is newly fixed.
    fleet.update_db(&[&advisories("werkzeug")]);
    let report = fleet.json(&["fleet", "rematch"]);
    let change = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["id"] == "CVE-2023-30861")
        .unwrap();
    assert_eq!(
        change["newly_fixed"],
        serde_json::json!(["other", "web", "web-fixed"])
    );
    assert_eq!(change.get("newly_affected"), None);
}

fn parallel_processes_lose_no_add(fleet: &Fleet) {
    const PROCESSES: usize = 6;
    // Create the store first, so the processes race on adds.
    fleet.json(&["fleet", "ls"]);
    let files: Vec<PathBuf> = (0..PROCESSES)
        .map(|index| fleet.requirements_with(&format!("v{index}"), &format!("1.0.{index}")))
        .collect();
    let children: Vec<_> = files
        .iter()
        .enumerate()
        .flat_map(|(index, file)| {
            let own = fleet
                .process()
                .args([
                    "-q",
                    "fleet",
                    "add",
                    file.to_str().unwrap(),
                    "--name",
                    &format!("t{index}"),
                ])
                .spawn()
                .unwrap();
            let shared = fleet
                .process()
                .args([
                    "-q",
                    "fleet",
                    "add",
                    file.to_str().unwrap(),
                    "--name",
                    "shared",
                ])
                .spawn()
                .unwrap();
            [own, shared]
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let listed = fleet.json(&["fleet", "ls"]);
    assert_eq!(listed["targets"].as_array().unwrap().len(), PROCESSES + 1);
    let shared = fleet.json(&["fleet", "show", "shared"]);
    let revisions: Vec<u64> = shared["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|revision| revision["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(
        revisions,
        (1..=u64::try_from(PROCESSES).unwrap()).collect::<Vec<_>>()
    );
}

fn a_killed_add_leaves_no_partial_revision(fleet: &Fleet) {
    const PACKAGES: usize = 5000;
    // Kill adds of a large inventory after a spread of delays: some die before the
    // transaction, some inside it, some after; none may leave a partial revision.
    for (round, delay) in [30_u64, 120, 300, 600, 1000, 1600].into_iter().enumerate() {
        let dir = fleet.path().join(format!("big-{round}"));
        fs_err::create_dir_all(&dir).unwrap();
        let file = dir.join("requirements.txt");
        let text: String = (0..PACKAGES)
            .map(|index| format!("package-{index}=={round}.0.{index}\n"))
            .collect();
        fs_err::write(&file, text).unwrap();
        let mut child = fleet
            .process()
            .args([
                "-q",
                "fleet",
                "add",
                file.to_str().unwrap(),
                "--name",
                &format!("big-{round}"),
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
    }
    let location = qm_fleet::StoreLocation::parse(&fleet.store).unwrap();
    let mut store = qm_fleet::open(&location).unwrap();
    for target in store.list().unwrap() {
        let detail = store.show(&target.name).unwrap().unwrap();
        for revision in &detail.history {
            let inventory = store
                .inventory(&target.name, Some(revision.revision))
                .unwrap()
                .unwrap();
            assert_eq!(
                u64::try_from(inventory.packages.len()).unwrap(),
                revision.packages,
                "{} revision {}",
                target.name,
                revision.revision
            );
            assert_eq!(revision.packages, u64::try_from(PACKAGES).unwrap());
        }
    }
    drop(store);
    // The store takes the next add whole.
    let file = fleet.path().join("big-0/requirements.txt");
    fleet
        .qm()
        .args([
            "-q",
            "fleet",
            "add",
            file.to_str().unwrap(),
            "--name",
            "big-0",
        ])
        .assert()
        .success();
    let shown = fleet.json(&["fleet", "show", "big-0"]);
    assert_eq!(shown["history"][0]["packages"], PACKAGES);
}

#[test]
fn a_damaged_store_is_refused_with_a_hint() {
    let fleet = Fleet::sqlite();
    let path = fleet.path().join("store/fleet.db");
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(&path, vec![0x5a_u8; 8192]).unwrap();
    settings().bind(|| {
        insta::assert_snapshot!("fleet_damaged_store", fleet.run(&["fleet", "ls"]));
    });
    assert_eq!(fs_err::read(&path).unwrap(), vec![0x5a_u8; 8192]);
}

#[test]
fn a_bad_store_location_is_a_usage_error() {
    let fleet = Fleet::sqlite();
    settings().bind(|| {
        insta::assert_snapshot!(
            "fleet_bad_location",
            fleet.run(&["fleet", "ls", "--store", "mysql://db/fleet"])
        );
    });
}

#[test]
fn the_default_store_is_in_the_cache_directory() {
    let fleet = Fleet::sqlite();
    let requirements = requirements();
    let mut command = fleet.qm();
    command
        .env_remove("QM_STORE")
        .args([
            "-q",
            "fleet",
            "add",
            requirements.to_str().unwrap(),
            "--name",
            "web",
        ])
        .assert()
        .success();
    assert!(fleet.path().join("fleet.db").is_file());
}
