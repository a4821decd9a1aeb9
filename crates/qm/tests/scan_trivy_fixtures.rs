//! `qm scan` against trivy's integration tests: the same inputs (lockfiles and SBOMs from
//! `fixtures/trivy/integration/testdata/fixtures`), the same advisories (trivy's DB fixtures,
//! translated here), and trivy's golden reports as the expected answer.
//!
//! trivy's DB fixtures are YAML dumps of its BoltDB buckets, not a feed format, so our ingest
//! does not read them. This test translates them, once per test process, into feeds our
//! ingest does read, keeping their meaning:
//!
//! - **language buckets** (`pip::…`, `npm::…`, `go::…`, `composer::…`, `nuget::…`,
//!   `rubygems::…`, `cargo::…`) become OSV records of the matching ecosystem. Each
//!   `VulnerableVersions` entry (`>= 0.33.1, < 0.37.0`) is one `ECOSYSTEM` range: `>=` is
//!   `introduced`, `<` is `fixed`, and `<=` is `fixed` at the lowest patched version above it
//!   when `PatchedVersions` has one (GitHub's own OSV export writes `first_patched_version`
//!   the same way), else `last_affected`. A bucket with only `PatchedVersions` (the cargo one,
//!   from RustSec) is affected everywhere outside the patched intervals.
//! - **`debian N` buckets** become the Debian security tracker's JSON export: a
//!   `FixedVersion` is a `resolved` issue, no fixed version an `open` one.
//! - **the `Red Hat` bucket** becomes OSV `Red Hat:N` records, N read from the `.elN` of the
//!   fixed version. Entries without a fixed version (`Status: 5`, will not fix) have no OSV
//!   form and are left out: see `centos_7_sboms`.
//!
//! Findings are compared on (package, installed version, vulnerability id, fixed version):
//! trivy's id must be our finding's id or one of its aliases, and our fixed version one of
//! the versions trivy lists. Severities are not compared: trivy takes them from its
//! `vulnerability` bucket and vendor data we do not translate.
//!
//! Goldens not covered here, and what they would need:
//! - every image golden (`alpine-*`, `debian-*`, `centos-*`, `ubuntu-*`, `amazon-*`,
//!   `distroless-*`, `photon-30`, `mariner-1.0`, `opensuse-*`, `ubi-7*`, `spring4shell-*`,
//!   `busybox-with-lockfile`, …): the image tarballs (`testdata/fixtures/images/*.tar.gz`),
//!   which trivy downloads at test time and the fixture set does not hold; the Alpine, Amazon,
//!   SUSE, Photon and Mariner buckets would also need translating;
//! - `pylock` (`pylock.toml`), `bun` (`bun.lock`), `packagesprops`
//!   (`Directory.Packages.props`), `gradle` (`gradle.lockfile`), `pom` (`pom.xml`), `sbt`
//!   (`build.sbt.lock`), `mix.lock`, `pubspec.lock`, `conan`, `cocoapods`, `swift`, `conda-*`,
//!   `julia-spdx`: a cataloger for that format (none exists yet), plus the `java`, `erlang`,
//!   `pub`, `conan`, `cocoapods` and `swift` buckets;
//! - `composer.vendor`: its `installed.json` sits at the fixture's top level, where Composer
//!   never writes it (`vendor/composer/installed.json` is what we claim);
//! - `minikube-kbom`: Kubernetes components (`k8s.yaml`), an ecosystem we do not match;
//! - `npm-with-dev`, `gomod-skip`, `alpine-39-*`, `centos-7-medium`, `*-ignore-unfixed`:
//!   variants of covered cases that differ by a trivy option; `--ignore-unfixed` and
//!   `--severity` are covered by `scan_cli.rs`.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use qm_model::Ecosystem;
use qm_version::Scheme;
use serde_json::{Value, json};
use serde_yaml_ng::Value as Yaml;

const TESTDATA: &str = "fixtures/trivy/integration/testdata";

/// The cache directory of a database built from the translated trivy DB fixtures.
fn database() -> &'static Path {
    static CACHE: OnceLock<PathBuf> = OnceLock::new();
    CACHE.get_or_init(|| {
        let cache = qm_testdata::process_dir(
            Path::new(env!("CARGO_TARGET_TMPDIR")),
            "scan_trivy_fixtures-db-",
        );
        let feeds = cache.join("feeds");
        fs_err::create_dir_all(&feeds).unwrap();
        let mut records = 0;
        for file in [
            "composer", "go", "nodejs", "nuget", "python", "ruby", "rust",
        ] {
            for record in translate_language_buckets(&read_yaml(file)) {
                let id = record["id"].as_str().unwrap();
                let name = record["affected"][0]["package"]["name"].as_str().unwrap();
                let file_name = format!("{file}-{}-{id}.json", name.replace('/', "_"));
                fs_err::write(feeds.join(file_name), record.to_string()).unwrap();
                records += 1;
            }
        }
        for record in translate_red_hat(&read_yaml("redhat")) {
            let id = record["id"].as_str().unwrap().replace(':', "_");
            fs_err::write(feeds.join(format!("redhat-{id}.json")), record.to_string()).unwrap();
            records += 1;
        }
        let tracker = translate_debian(&read_yaml("debian"));
        fs_err::write(feeds.join("debian-tracker.json"), tracker.to_string()).unwrap();
        assert!(records > 15, "{records} records translated");
        qm_testdata::build_database(
            Path::new(env!("CARGO_BIN_EXE_qm")),
            &cache,
            &format!("dir:{}", feeds.display()),
        );
        cache
    })
}

fn read_yaml(name: &str) -> Yaml {
    serde_yaml_ng::from_str(&qm_testdata::read_text(&format!(
        "{TESTDATA}/fixtures/db/{name}.yaml"
    )))
    .unwrap()
}

/// `bucket`/`pairs` lists as (name, children) pairs.
fn buckets(value: &Yaml) -> Vec<(String, &Yaml)> {
    value
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let name = entry.get("bucket")?.as_str()?;
            Some((name.to_owned(), entry.get("pairs")?))
        })
        .collect()
}

/// `key`/`value` lists as (key, value) pairs.
fn pairs(value: &Yaml) -> Vec<(String, &Yaml)> {
    value
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|entry| Some((yaml_text(entry.get("key")?)?, entry.get("value")?)))
        .collect()
}

/// A scalar as text: the fixtures write versions both quoted and bare (`0.15.3`, `1`).
fn yaml_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn text_list(value: Option<&Yaml>) -> Vec<String> {
    value
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(yaml_text)
        .collect()
}

/// trivy's data-source prefix → the OSV ecosystem.
fn ecosystem_of(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "pip" => "PyPI",
        "npm" => "npm",
        "go" => "Go",
        "composer" => "Packagist",
        "nuget" => "NuGet",
        "rubygems" => "RubyGems",
        "cargo" => "crates.io",
        _ => return None,
    })
}

/// One constraint list (`>= 2.1.3, < 3.0.0`) as (operator, version) pairs.
fn constraints(text: &str) -> Vec<(&str, &str)> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let operator_end = part
                .find(|c: char| !matches!(c, '<' | '>' | '=' | ' '))
                .unwrap_or(part.len());
            let operator = part[..operator_end].trim();
            let version = part[operator_end..].trim();
            assert!(
                matches!(operator, ">=" | "<" | "<=" | "="),
                "an operator the translation does not know: `{part}`"
            );
            (operator, version)
        })
        .collect()
}

/// The OSV records of the language buckets of one fixture file.
fn translate_language_buckets(fixture: &Yaml) -> Vec<Value> {
    let mut records = Vec::new();
    for (source, packages) in buckets(fixture) {
        let prefix = source.split("::").next().unwrap_or_default();
        let Some(ecosystem) = ecosystem_of(prefix) else {
            continue;
        };
        let scheme = Scheme::for_ecosystem(&Ecosystem::split_osv(ecosystem).unwrap().0);
        for (package, advisories) in buckets(packages) {
            for (id, advisory) in pairs(advisories) {
                let patched = text_list(advisory.get("PatchedVersions"));
                let vulnerable = text_list(advisory.get("VulnerableVersions"));
                let ranges = if vulnerable.is_empty() {
                    vec![outside_patched(&patched, scheme)]
                } else {
                    vulnerable
                        .iter()
                        .map(|range| vulnerable_range(range, &patched, scheme))
                        .collect()
                };
                records.push(json!({
                    "schema_version": "1.6.0",
                    "id": id,
                    "modified": "2024-01-01T00:00:00Z",
                    "affected": [{
                        "package": {"ecosystem": ecosystem, "name": package},
                        "ranges": ranges,
                    }],
                }));
            }
        }
    }
    records
}

/// `>= a, < b` → introduced a, fixed b; `<= b` → fixed at the lowest patched version above b.
fn vulnerable_range(range: &str, patched: &[String], scheme: Scheme) -> Value {
    let mut events = vec![json!({"introduced": "0"})];
    for (operator, version) in constraints(range) {
        match operator {
            ">=" => events[0] = json!({"introduced": version}),
            "<" => events.push(json!({"fixed": version})),
            "<=" => {
                let next_patched = patched
                    .iter()
                    .filter(|candidate| {
                        scheme.compare(candidate, version).unwrap() == std::cmp::Ordering::Greater
                    })
                    .min_by(|a, b| scheme.compare(a, b).unwrap());
                events.push(match next_patched {
                    Some(fixed) => json!({"fixed": fixed}),
                    None => json!({"last_affected": version}),
                });
            }
            _ => panic!("`{range}`: `{operator}` in a vulnerable range"),
        }
    }
    json!({"type": "ECOSYSTEM", "events": events})
}

/// Affected outside the patched intervals (`>= 3.1.0`, `>= 2.1.3, < 3.0.0`): introduced 0,
/// fixed at each interval's start, introduced again at each interval's end.
fn outside_patched(patched: &[String], scheme: Scheme) -> Value {
    let mut intervals: Vec<(String, Option<String>)> = patched
        .iter()
        .map(|range| {
            let mut start = None;
            let mut end = None;
            for (operator, version) in constraints(range) {
                match operator {
                    ">=" => start = Some(version.to_owned()),
                    "<" => end = Some(version.to_owned()),
                    _ => panic!("`{range}`: `{operator}` in a patched range"),
                }
            }
            (start.unwrap(), end)
        })
        .collect();
    intervals.sort_by(|a, b| scheme.compare(&a.0, &b.0).unwrap());
    let mut events = vec![json!({"introduced": "0"})];
    for (start, end) in intervals {
        events.push(json!({"fixed": start}));
        if let Some(end) = end {
            events.push(json!({"introduced": end}));
        }
    }
    json!({"type": "ECOSYSTEM", "events": events})
}

/// The `debian N` buckets as the tracker's JSON export (source → CVE → release).
fn translate_debian(fixture: &Yaml) -> Value {
    let mut tracker = serde_json::Map::new();
    for (bucket, packages) in buckets(fixture) {
        let codename = match bucket.as_str() {
            "debian 9" => "stretch",
            "debian 10" => "buster",
            other => panic!("a Debian release the translation does not know: `{other}`"),
        };
        for (package, issues) in buckets(packages) {
            let entry = tracker
                .entry(package)
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
            for (cve, issue) in pairs(issues) {
                // trivy's Debian severities are 1 low, 2 medium, 3 high (the tracker's urgencies).
                let urgency = match issue.get("Severity").and_then(yaml_text).as_deref() {
                    Some("1" | "1.0") => "low",
                    Some("2" | "2.0") => "medium",
                    Some("3" | "3.0") => "high",
                    _ => "not yet assigned",
                };
                let release = match issue.get("FixedVersion").and_then(yaml_text) {
                    Some(fixed) => {
                        json!({"status": "resolved", "fixed_version": fixed, "urgency": urgency})
                    }
                    None => json!({"status": "open", "urgency": urgency}),
                };
                let issue = entry
                    .entry(cve)
                    .or_insert_with(|| json!({"description": "", "releases": {}}));
                issue["releases"][codename] = release;
            }
        }
    }
    Value::Object(tracker)
}

/// The `Red Hat` bucket's fixed entries as OSV records of `Red Hat:N`.
fn translate_red_hat(fixture: &Yaml) -> Vec<Value> {
    let mut records = Vec::new();
    for (bucket, packages) in buckets(fixture) {
        assert_eq!(bucket, "Red Hat");
        for (package, advisories) in buckets(packages) {
            for (id, advisory) in pairs(advisories) {
                let entries = advisory.get("Entries").and_then(Yaml::as_sequence);
                for entry in entries.into_iter().flatten() {
                    let Some(fixed) = entry.get("FixedVersion").and_then(yaml_text) else {
                        continue;
                    };
                    let release = fixed
                        .rsplit_once(".el")
                        .map(|(_, tail)| tail.split('_').next().unwrap_or(tail).to_owned())
                        .unwrap();
                    let aliases: Vec<String> = entry
                        .get("Cves")
                        .and_then(Yaml::as_sequence)
                        .into_iter()
                        .flatten()
                        .filter_map(|cve| cve.get("ID").and_then(yaml_text))
                        .collect();
                    records.push(json!({
                        "schema_version": "1.6.0",
                        "id": format!("{id}-el{release}-{package}"),
                        "aliases": aliases,
                        "modified": "2024-01-01T00:00:00Z",
                        "affected": [{
                            "package": {"ecosystem": format!("Red Hat:{release}"), "name": package},
                            "ranges": [{"type": "ECOSYSTEM", "events": [
                                {"introduced": "0"}, {"fixed": fixed}
                            ]}],
                        }],
                    }));
                }
            }
        }
    }
    records
}

/// One finding, as both sides are compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    package: String,
    installed: String,
    id: String,
}

/// What trivy's golden says: each finding with the fixed versions it lists and its target.
fn golden(name: &str) -> BTreeMap<Row, (Vec<String>, String)> {
    let report: Value =
        serde_json::from_str(&qm_testdata::read_text(&format!("{TESTDATA}/{name}"))).unwrap();
    let mut rows = BTreeMap::new();
    for result in report["Results"].as_array().unwrap() {
        let target = result["Target"].as_str().unwrap();
        for vulnerability in result["Vulnerabilities"].as_array().into_iter().flatten() {
            let fixed = vulnerability["FixedVersion"]
                .as_str()
                .unwrap_or_default()
                .split(", ")
                .map(|version| version.trim_start_matches(">= ").to_owned())
                .filter(|version| !version.is_empty())
                .collect();
            let row = Row {
                package: vulnerability["PkgName"].as_str().unwrap().to_owned(),
                installed: vulnerability["InstalledVersion"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                id: vulnerability["VulnerabilityID"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            };
            // trivy reports a package once per lockfile; we report it once with every
            // location, so the same finding in `go.mod` and `submod/go.mod` is one row.
            rows.entry(row)
                .or_insert_with(|| (fixed, target.to_owned()));
        }
    }
    rows
}

/// Our findings, looked up by package, installed version and any of their ids.
struct Ours {
    findings: Vec<Value>,
}

impl Ours {
    fn find(&self, row: &Row) -> Option<&Value> {
        self.findings.iter().find(|finding| {
            finding["package"]["name"] == row.package.as_str()
                && finding["package"]["version"] == row.installed.as_str()
                && std::iter::once(&finding["id"])
                    .chain(finding["aliases"].as_array().into_iter().flatten())
                    .any(|id| id == row.id.as_str())
        })
    }
}

fn scan(target: &str, args: &[&str]) -> (Value, String) {
    let work = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .env("HOME", work.path())
        .env("QM_CACHE_DIR", database())
        .current_dir(qm_testdata::data_dir())
        .args(["scan", "-f", "json", target])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{target}: {stderr}");
    (serde_json::from_slice(&output.stdout).unwrap(), stderr)
}

/// Scans `target` and compares with the golden: every golden finding must be ours (same id or
/// alias, a fixed version the golden lists, the golden's lockfile among our locations) unless
/// `missing` names it with the reason; every finding of ours must be in the golden. Returns
/// our report.
fn compare(golden_name: &str, target: &str, args: &[&str], missing: &[(&str, &str)]) -> Value {
    let (report, _) = scan(target, args);
    let ours = Ours {
        findings: report["findings"].as_array().unwrap().clone(),
    };
    let expected = golden(golden_name);
    assert!(!expected.is_empty() || golden_name == "cargo.lock.json.golden");
    let mut problems = String::new();
    let mut matched = BTreeSet::new();
    for (row, (fixed, lockfile)) in &expected {
        let excused = missing.iter().any(|(id, _)| *id == row.id);
        let Some(finding) = ours.find(row) else {
            if !excused {
                let _ = writeln!(problems, "missing: {row:?}");
            }
            continue;
        };
        if excused {
            let _ = writeln!(problems, "found although listed as missing: {row:?}");
        }
        matched.insert(finding["id"].as_str().unwrap().to_owned() + "|" + &row.package);
        let our_fixed = finding["fixed_version"].as_str();
        let fixed_ok = match our_fixed {
            Some(version) => fixed.iter().any(|candidate| candidate == version),
            None => fixed.is_empty(),
        };
        if !fixed_ok {
            let _ = writeln!(
                problems,
                "{row:?}: fixed version {our_fixed:?}, the golden lists {fixed:?}"
            );
        }
        let locations = &finding["package"]["locations"];
        let located = locations.as_array().into_iter().flatten().any(|location| {
            location
                .as_str()
                .is_some_and(|path| path.ends_with(lockfile.as_str()))
        });
        // Image and SBOM goldens name the artifact, not a file.
        if !located && !lockfile.contains(' ') && lockfile != "Ruby" {
            let _ = writeln!(
                problems,
                "{row:?}: found in {locations}, the golden says `{lockfile}`"
            );
        }
    }
    for finding in &ours.findings {
        let id = finding["id"].as_str().unwrap();
        let package = finding["package"]["name"].as_str().unwrap();
        if !matched.contains(&(id.to_owned() + "|" + package)) {
            let _ = writeln!(problems, "not in the golden: {id} in {package}");
        }
    }
    assert!(
        problems.is_empty(),
        "{golden_name} vs `{target}`:\n{problems}"
    );
    report
}

fn repo(name: &str) -> String {
    format!("{TESTDATA}/fixtures/repo/{name}")
}

#[test]
fn translated_fixtures_are_what_the_goldens_were_made_from() {
    // A check of the translation itself, on the cases that need more than `< fixed`.
    let cargo = translate_language_buckets(&read_yaml("rust"));
    let ammonia = cargo
        .iter()
        .find(|record| record["id"] == "CVE-2021-38193")
        .unwrap();
    assert_eq!(
        ammonia["affected"][0]["ranges"][0]["events"],
        json!([{"introduced": "0"}, {"fixed": "2.1.3"}, {"introduced": "3.0.0"}, {"fixed": "3.1.0"}])
    );
    let ruby = translate_language_buckets(&read_yaml("ruby"));
    let activesupport = ruby
        .iter()
        .find(|record| record["id"] == "CVE-2020-8165")
        .unwrap();
    assert_eq!(
        activesupport["affected"][0]["ranges"][0]["events"],
        json!([{"introduced": "6.0.0"}, {"fixed": "6.0.3.1"}])
    );
    let red_hat = translate_red_hat(&read_yaml("redhat"));
    assert!(
        red_hat.iter().any(
            |record| record["affected"][0]["package"]["ecosystem"] == "Red Hat:7"
                && record["affected"][0]["package"]["name"] == "openssl"
        )
    );
}

#[test]
fn cargo_lockfiles() {
    // The trivy-ci-test repository: a Cargo.lock (ammonia 1.9.0 has both advisories of the
    // cargo bucket) and a Pipfile.lock whose packages no advisory names.
    compare("test-repo.json.golden", &repo("trivy-ci-test"), &[], &[]);
    // A lockfile with no vulnerable package: no findings on either side.
    let report = compare("cargo.lock.json.golden", &repo("cargo"), &[], &[]);
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["checked"], 9);
}

#[test]
fn python_lockfiles() {
    compare("pip.json.golden", &repo("pip"), &[], &[]);
    compare("pipenv.json.golden", &repo("pipenv"), &[], &[]);
    compare("poetry.json.golden", &repo("poetry"), &[], &[]);
    compare("uv.json.golden", &repo("uv"), &[], &[]);
}

#[test]
fn javascript_lockfiles() {
    compare("npm.json.golden", &repo("npm"), &[], &[]);
    compare("yarn.json.golden", &repo("yarn"), &[], &[]);
    compare("pnpm.json.golden", &repo("pnpm"), &[], &[]);
}

#[test]
fn go_modules_with_and_without_vex() {
    // `submod2/go.mod` says `go 1.15`: before Go 1.17 a go.mod does not list the indirect
    // dependencies, so trivy adds the modules of the `go.sum` beside it, among them
    // github.com/docker/distribution v2.7.1+incompatible. We read a `go.sum` only when no
    // `go.mod` sits beside it (a `go.sum` also lists versions the build does not use), so
    // that copy is not ours: the same finding is reported once, from `go.mod` and
    // `submod/go.mod`, and `submod2/go.mod` is not among its locations.
    let report = compare("gomod.json.golden", &repo("gomod"), &[], &[]);
    let distribution = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == "GMS-2022-20")
        .unwrap();
    assert_eq!(
        distribution["package"]["locations"],
        json!(["go.mod", "submod/go.mod"])
    );

    // trivy's OpenVEX fixture: CVE-2022-23628 is not_affected in opa as a subcomponent of the
    // main module `pkg:golang/github.com/testdata/testdata`. We do not know the main module's
    // purl from a go.mod alone, so the scan names it with `--vex-product`.
    let vex = qm_testdata::data_path(&format!("{TESTDATA}/fixtures/vex/file/openvex.json"));
    let report = compare(
        "gomod-vex.json.golden",
        &repo("gomod"),
        &[
            "--vex",
            vex.to_str().unwrap(),
            "--vex-product",
            "pkg:golang/github.com/testdata/testdata",
            "--show-suppressed",
        ],
        &[],
    );
    assert_eq!(report["suppressed"][0]["finding"]["id"], "CVE-2022-23628");
    assert_eq!(report["suppressed"][0]["status"], "not-affected");
}

#[test]
fn php_and_dotnet_lockfiles() {
    compare("composer.lock.json.golden", &repo("composer"), &[], &[]);
    compare("nuget.json.golden", &repo("nuget"), &[], &[]);
    compare("dotnet.json.golden", &repo("dotnet"), &[], &[]);
}

#[test]
fn debian_and_ruby_from_a_cyclonedx_sbom() {
    // trivy's CycloneDX SBOM of a Debian 10 image with gems: bash (open in buster, no fix),
    // libidn2-0 (judged by its source libidn2, fixed in 2.0.5-1+deb10u1) and activesupport.
    let sbom = format!("sbom:{TESTDATA}/fixtures/sbom/fluentd-multiple-lockfiles-cyclonedx.json");
    let report = compare("fluentd-multiple-lockfiles.json.golden", &sbom, &[], &[]);
    let libidn2 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["package"]["name"] == "libidn2-0")
        .unwrap();
    assert_eq!(libidn2["matched_key"], "Debian:10/libidn2");
    assert_eq!(libidn2["matched_by"], "distro-source-package");
    let bash = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["package"]["name"] == "bash")
        .unwrap();
    assert_eq!(bash["fix"]["state"], "not-fixed");
    // Debian 10 is past its end of life: said, not hidden.
    assert_eq!(report["notes"][0]["kind"], "end-of-life");
}

#[test]
fn centos_7_sboms() {
    // trivy scans its CycloneDX and SPDX SBOMs of the centos-7 image against centos-7's golden.
    // bash CVE-2019-18276 is `will_not_fix` in Red Hat's data (Status 5 in the fixture): OSV
    // has no form for an unfixed Red Hat issue, so the translation leaves it out and we cannot
    // report it. openssl-libs is judged by its source package: `openssl` in the CycloneDX
    // SBOM, but the SPDX one says `built package from: openssl-libs 1:1.0.2k-16.el7`, and
    // trivy's Red Hat bucket has both names.
    let missing = [("CVE-2019-18276", "will_not_fix has no OSV form")];
    for (sbom, key) in [
        ("centos-7-cyclonedx.json", "Red Hat:7/openssl"),
        ("centos-7-spdx.json", "Red Hat:7/openssl-libs"),
    ] {
        let target = format!("sbom:{TESTDATA}/fixtures/sbom/{sbom}");
        let report = compare("centos-7.json.golden", &target, &[], &missing);
        for finding in report["findings"].as_array().unwrap() {
            assert_eq!(finding["matched_key"], key, "{sbom}: {finding}");
            assert_eq!(
                finding["installed_version"], "1:1.0.2k-16.el7",
                "{sbom}: {finding}"
            );
        }
        assert_eq!(report["summary"]["findings"], 2, "{sbom}");
    }
}

/// Red Hat's own OSV records name the release as `enterprise_linux:7::server` or
/// `rhel_aus:8.6::appstream` (see `vectors/osv-schema/tools/redhat/testdata/OSV`), but the
/// release of a CentOS/RHEL inventory is its `VERSION_ID` (`7`). `normalize_release` keeps
/// Red Hat suffixes verbatim, so no real Red Hat OSV record can match: expected the two
/// openssl findings of `centos_7_sboms`, found none.
#[test]
fn red_hat_osv_release_names_match_the_inventory_release() {
    let feeds = tempfile::tempdir().unwrap();
    let record = json!({
        "schema_version": "1.6.0",
        "id": "RHSA-2019:2304",
        "aliases": ["CVE-2018-0734", "CVE-2019-1559"],
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": "Red Hat:enterprise_linux:7::server", "name": "openssl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
                {"introduced": "0"}, {"fixed": "1:1.0.2k-19.el7"}
            ]}],
        }],
    });
    fs_err::write(feeds.path().join("RHSA-2019_2304.json"), record.to_string()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    qm_testdata::build_database(
        Path::new(env!("CARGO_BIN_EXE_qm")),
        cache.path(),
        &format!("dir:{}", feeds.path().display()),
    );
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .env("QM_CACHE_DIR", cache.path())
        .current_dir(qm_testdata::data_dir())
        .args(["scan", "-f", "json"])
        .arg(format!(
            "sbom:{TESTDATA}/fixtures/sbom/centos-7-cyclonedx.json"
        ))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 2, "{report}");
}
