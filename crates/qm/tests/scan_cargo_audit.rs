//! `qm scan` on real Cargo.lock files agrees with cargo-audit, the RustSec project's own
//! scanner, reading the very same advisories (`advisories/rustsec/advisory-db`, the Markdown
//! files cargo-audit reads; our database is built from that folder).
//!
//! The comparison is on RUSTSEC ids: qm folds an advisory into a finding named by its CVE when
//! there is one, so a finding's RUSTSEC id may be its `id` or one of its `aliases`. Every
//! difference between the tools is listed in the cases below with its reason:
//!
//! - **Informational advisories** (`unmaintained`, `unsound`, `notice`): cargo-audit reports
//!   them as *warnings*, apart from vulnerabilities; qm leaves them out unless asked
//!   (`MatchOptions::include_informational`, which `qm scan` does not set). They are listed
//!   per case and must not be among qm's findings.
//! - **Yanked crates**: cargo-audit asks the crates.io index whether each version was yanked;
//!   that needs the network (or a local index cache), and qm has no such check. The runs here
//!   pass `--no-yanked`.
//! - **Lockfiles cargo-audit refuses**: cargo-audit resolves the dependency graph and stops at
//!   a dependency that names no package; qm reads the packages and ignores the graph.
//!
//! cargo-audit runs when it is installed (`cargo install cargo-audit --locked`); without it a
//! note is printed and only the stored expectations are checked, unless
//! `QM_REQUIRE_CARGO_AUDIT=1`, which makes its absence a failure. CI does not install it: it
//! takes about 17 minutes to compile on two cores, most of CI's budget; the expectations stored
//! here are cargo-audit 0.22.2's answers on this data, and the test checks they still are
//! whenever cargo-audit runs.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

const ADVISORY_DB: &str = "advisories/rustsec/advisory-db";

/// One lockfile and what both tools say about it.
struct Case {
    /// The lockfile: in the shared data, or (`workspace:`) in this repository.
    lockfile: &'static str,
    /// Packages qm lists (cargo-audit counts the root package too, qm does not).
    packages: usize,
    /// The vulnerabilities: (RUSTSEC id, crate, version, the fixed version qm offers).
    vulnerabilities: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// cargo-audit's informational warnings: (RUSTSEC id, crate); qm must not report them.
    informational: &'static [(&'static str, &'static str)],
    /// Whether cargo-audit refuses the lockfile, and the text of its error.
    cargo_audit_refuses: Option<&'static str>,
}

const CASES: &[Case] = &[
    // trivy's test repository: an old html5ever/openssl tree with 17 advisories.
    Case {
        lockfile: "fixtures/trivy/integration/testdata/fixtures/repo/trivy-ci-test/Cargo.lock",
        packages: 73,
        vulnerabilities: &[
            ("RUSTSEC-2016-0001", "openssl", "0.8.3", "0.9.0"),
            ("RUSTSEC-2019-0001", "ammonia", "1.9.0", "2.1.0"),
            ("RUSTSEC-2019-0009", "smallvec", "0.6.9", "0.6.10"),
            ("RUSTSEC-2019-0012", "smallvec", "0.6.9", "0.6.10"),
            ("RUSTSEC-2021-0003", "smallvec", "0.6.9", "0.6.14"),
            ("RUSTSEC-2021-0074", "ammonia", "1.9.0", "2.1.3"),
            ("RUSTSEC-2023-0018", "remove_dir_all", "0.5.1", "0.8.0"),
            ("RUSTSEC-2023-0022", "openssl", "0.8.3", "0.10.48"),
            ("RUSTSEC-2023-0023", "openssl", "0.8.3", "0.10.48"),
            ("RUSTSEC-2023-0024", "openssl", "0.8.3", "0.10.48"),
            ("RUSTSEC-2023-0044", "openssl", "0.8.3", "0.10.55"),
            ("RUSTSEC-2024-0357", "openssl", "0.8.3", "0.10.66"),
            ("RUSTSEC-2024-0421", "idna", "0.1.5", "1.0.0"),
            ("RUSTSEC-2025-0004", "openssl", "0.8.3", "0.10.70"),
            ("RUSTSEC-2025-0071", "ammonia", "1.9.0", "3.3.1"),
            ("RUSTSEC-2026-0193", "ammonia", "1.9.0", "3.3.2"),
            ("RUSTSEC-2026-0213", "ammonia", "1.9.0", "3.3.3"),
        ],
        informational: &[
            ("RUSTSEC-2018-0017", "tempdir"),   // unmaintained
            ("RUSTSEC-2018-0018", "smallvec"),  // unsound
            ("RUSTSEC-2019-0035", "rand_core"), // unsound
            ("RUSTSEC-2023-0072", "openssl"),   // unsound
            ("RUSTSEC-2025-0124", "rand_os"),   // unmaintained
        ],
        cargo_audit_refuses: None,
    },
    Case {
        lockfile: "fixtures/trivy/integration/testdata/fixtures/repo/cargo/Cargo.lock",
        packages: 9,
        vulnerabilities: &[],
        informational: &[],
        cargo_audit_refuses: None,
    },
    Case {
        lockfile: "fixtures/syft/syft/pkg/cataloger/rust/testdata/image-audit/Cargo.lock",
        packages: 9,
        vulnerabilities: &[],
        informational: &[],
        cargo_audit_refuses: None,
    },
    Case {
        lockfile: "fixtures/syft/syft/pkg/cataloger/rust/testdata/path-deps/Cargo.lock",
        packages: 1,
        vulnerabilities: &[],
        informational: &[],
        cargo_audit_refuses: None,
    },
    // syft's fixture lists `bogus` among `ansi_term`'s dependencies, a package the file does not
    // have: cargo-audit stops there, qm reads the 14 packages (none vulnerable).
    Case {
        lockfile: "fixtures/syft/syft/pkg/cataloger/rust/testdata/Cargo.lock",
        packages: 14,
        vulnerabilities: &[],
        informational: &[],
        cargo_audit_refuses: Some("couldn't resolve dependency: bogus"),
    },
    // This repository's own lockfile (~390 crates): the advisory check CI cannot run with
    // cargo-deny offline. A dependency that RustSec's snapshot knows as vulnerable or
    // unmaintained fails here; upgrade it, or record it here with the reason.
    Case {
        lockfile: "workspace:Cargo.lock",
        packages: 0,
        vulnerabilities: &[],
        informational: &[],
        cargo_audit_refuses: None,
    },
];

fn lockfile_path(lockfile: &str) -> PathBuf {
    match lockfile.strip_prefix("workspace:") {
        Some(relative) => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative),
        None => qm_testdata::data_path(lockfile),
    }
}

/// The cache directory of a database built from the whole RustSec advisory-db, once per
/// test process (under a second even in a debug build).
fn database() -> &'static Path {
    static CACHE: OnceLock<PathBuf> = OnceLock::new();
    CACHE.get_or_init(|| {
        let cache = qm_testdata::process_dir(
            Path::new(env!("CARGO_TARGET_TMPDIR")),
            "scan_cargo_audit-db-",
        );
        qm_testdata::build_database(
            Path::new(env!("CARGO_BIN_EXE_qm")),
            &cache,
            &format!("dir:{}", qm_testdata::data_path(ADVISORY_DB).display()),
        );
        cache
    })
}

/// What qm reports for a lockfile.
struct QmResult {
    packages: usize,
    /// (RUSTSEC id, crate, version, fixed version or "").
    vulnerabilities: BTreeSet<(String, String, String, String)>,
}

fn qm_scan(lockfile: &Path) -> QmResult {
    let home = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("QM_CACHE_DIR", database())
        .args(["scan", "-q", "-f", "json"])
        .arg(lockfile)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut vulnerabilities = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        let ids = std::iter::once(&finding["id"])
            .chain(finding["aliases"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .filter(|id| id.starts_with("RUSTSEC-"));
        for id in ids {
            vulnerabilities.insert((
                id.to_owned(),
                finding["package"]["name"].as_str().unwrap().to_owned(),
                finding["package"]["version"].as_str().unwrap().to_owned(),
                finding["fixed_version"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ));
        }
    }
    QmResult {
        packages: usize::try_from(report["summary"]["packages"].as_u64().unwrap()).unwrap(),
        vulnerabilities,
    }
}

/// Whether cargo-audit runs; a note when not, a panic when `QM_REQUIRE_CARGO_AUDIT=1`.
#[expect(clippy::print_stderr, reason = "a skipped comparison says why")]
fn cargo_audit_present() -> bool {
    let present = Process::new("cargo-audit")
        .args(["audit", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        if std::env::var_os("QM_REQUIRE_CARGO_AUDIT").is_some_and(|value| value == "1") {
            panic!("`cargo-audit` is required (QM_REQUIRE_CARGO_AUDIT=1) but does not run");
        }
        eprintln!(
            "note: `cargo-audit` is not installed; comparing with stored answers only \
             (cargo install cargo-audit --locked; QM_REQUIRE_CARGO_AUDIT=1 makes this a failure)"
        );
    }
    present
}

/// What cargo-audit says about a lockfile it reads.
struct AuditAnswer {
    /// (RUSTSEC id, crate, version).
    vulnerabilities: BTreeSet<(String, String, String)>,
    /// Informational warnings: (RUSTSEC id, crate).
    informational: BTreeSet<(String, String)>,
    /// Each vulnerability's patched requirements (`>=0.6.14, <1.0.0`).
    patched: Vec<(String, Vec<String>)>,
}

/// cargo-audit's answer, or its stderr when it refuses the file.
fn cargo_audit(lockfile: &Path) -> Result<AuditAnswer, String> {
    let home = tempfile::tempdir().unwrap();
    let output = Process::new("cargo-audit")
        .env("CARGO_HOME", home.path())
        .arg("audit")
        .arg("--db")
        .arg(qm_testdata::data_path(ADVISORY_DB))
        .args(["--no-fetch", "--stale", "--no-yanked", "--json", "-f"])
        .arg(lockfile)
        .output()
        .unwrap();
    // 0: nothing found, 1: vulnerabilities found, anything else: an error.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut vulnerabilities = BTreeSet::new();
    let mut patched = Vec::new();
    for entry in report["vulnerabilities"]["list"].as_array().unwrap() {
        let id = entry["advisory"]["id"].as_str().unwrap().to_owned();
        vulnerabilities.insert((
            id.clone(),
            entry["package"]["name"].as_str().unwrap().to_owned(),
            entry["package"]["version"].as_str().unwrap().to_owned(),
        ));
        let requirements = entry["versions"]["patched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|requirement| requirement.as_str().unwrap().to_owned())
            .collect();
        patched.push((id, requirements));
    }
    let mut informational = BTreeSet::new();
    for (kind, warnings) in report["warnings"].as_object().into_iter().flatten() {
        for warning in warnings.as_array().unwrap() {
            let advisory = &warning["advisory"];
            assert!(
                advisory["informational"].is_string(),
                "a `{kind}` warning that is no informational advisory: {warning}"
            );
            informational.insert((
                advisory["id"].as_str().unwrap().to_owned(),
                warning["package"]["name"].as_str().unwrap().to_owned(),
            ));
        }
    }
    Ok(AuditAnswer {
        vulnerabilities,
        informational,
        patched,
    })
}

#[test]
fn qm_finds_what_the_stored_cargo_audit_answers_say() {
    for case in CASES {
        let path = lockfile_path(case.lockfile);
        let ours = qm_scan(&path);
        let expected: BTreeSet<(String, String, String, String)> = case
            .vulnerabilities
            .iter()
            .map(|(id, name, version, fixed)| {
                (
                    (*id).into(),
                    (*name).into(),
                    (*version).into(),
                    (*fixed).into(),
                )
            })
            .collect();
        assert_eq!(ours.vulnerabilities, expected, "{}", case.lockfile);
        if case.packages > 0 {
            assert_eq!(ours.packages, case.packages, "{}", case.lockfile);
        }
        for (id, name) in case.informational {
            assert!(
                !ours.vulnerabilities.iter().any(|row| row.0 == *id),
                "{}: informational {id} ({name}) is reported",
                case.lockfile
            );
        }
    }
}

#[test]
fn qm_agrees_with_cargo_audit() {
    if !cargo_audit_present() {
        return;
    }
    for case in CASES {
        let path = lockfile_path(case.lockfile);
        let answer = cargo_audit(&path);
        if let Some(reason) = case.cargo_audit_refuses {
            let stderr = answer.err().unwrap_or_default();
            assert!(stderr.contains(reason), "{}: {stderr}", case.lockfile);
            continue;
        }
        let AuditAnswer {
            vulnerabilities,
            informational,
            patched,
        } = answer.unwrap_or_else(|stderr| panic!("{}: {stderr}", case.lockfile));
        let ours = qm_scan(&path);
        let ours_without_fix: BTreeSet<(String, String, String)> = ours
            .vulnerabilities
            .iter()
            .map(|(id, name, version, _)| (id.clone(), name.clone(), version.clone()))
            .collect();
        assert_eq!(ours_without_fix, vulnerabilities, "{}", case.lockfile);

        // The stored answers are still cargo-audit's.
        let stored: BTreeSet<(String, String, String)> = case
            .vulnerabilities
            .iter()
            .map(|(id, name, version, _)| ((*id).into(), (*name).into(), (*version).into()))
            .collect();
        assert_eq!(stored, vulnerabilities, "{}: stored answers", case.lockfile);
        let stored_informational: BTreeSet<(String, String)> = case
            .informational
            .iter()
            .map(|(id, name)| ((*id).into(), (*name).into()))
            .collect();
        assert_eq!(
            stored_informational, informational,
            "{}: stored warnings",
            case.lockfile
        );

        // The version qm offers is where one of cargo-audit's patched ranges starts.
        for (id, name, _, fixed) in &ours.vulnerabilities {
            let (_, requirements) = patched.iter().find(|(other, _)| other == id).unwrap();
            assert!(
                requirements.iter().any(|requirement| {
                    requirement
                        .split(',')
                        .next()
                        .and_then(|lower| lower.trim().strip_prefix(">="))
                        .is_some_and(|lower| lower.trim() == fixed)
                }),
                "{}: {id} in {name}: qm offers `{fixed}`, cargo-audit's patched: {requirements:?}",
                case.lockfile
            );
        }
    }
}
