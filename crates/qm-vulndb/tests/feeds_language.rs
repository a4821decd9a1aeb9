//! The RubySec, FriendsOfPHP and Node.js security working group feeds, ingested from the real
//! mirrors in the shared data through `qm_vulndb::ingest_path`.
//!
//! Besides counts and spot checks, every real record is checked for exactness: its OSV ranges,
//! evaluated by `qm-version` as a scan will, must agree with the feed's own requirement
//! expressions evaluated directly (by an evaluator written here, independently of the parser,
//! or by `qm_version::NpmRange`) on versions taken from the record and their neighbours. The
//! only differences allowed are the documented ones: a range starting just above a RubyGems or
//! Composer version starts at that version (OSV cannot say "just above" for dense schemes), and
//! npm pre-releases are affected where node-semver's opt-in rule would not match them.
//! Property tests do the same for random expressions.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on broken data")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use qm_model::{Advisory, Ecosystem};
use qm_version::{NpmRange, NpmRangeOptions, NpmVersion, Scheme, Version};
use serde_yaml_ng::Value as Yaml;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn with_extension(files: &[PathBuf], extension: &str) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .cloned()
        .collect()
}

/// Ingests one file and returns its one advisory.
fn ingest_one(path: &Path) -> Advisory {
    let ingested = qm_vulndb::ingest_path(path).unwrap();
    assert!(
        ingested.report.problems.is_empty(),
        "{}: {:?}",
        path.display(),
        ingested.report.problems
    );
    assert_eq!(ingested.advisories.len(), 1, "{}", path.display());
    ingested.advisories.into_iter().next().unwrap()
}

/// Ingests `content` written to a temporary file named `name`.
fn ingest_text(name: &str, content: &str) -> qm_vulndb::Ingested {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs_err::write(&path, content).unwrap();
    qm_vulndb::ingest_path(&path).unwrap()
}

/// Like [`ingest_text`], for content that must give exactly one advisory.
fn ingest_text_one(name: &str, content: &str) -> Advisory {
    let ingested = ingest_text(name, content);
    assert!(
        ingested.report.problems.is_empty(),
        "{:?}",
        ingested.report.problems
    );
    assert_eq!(ingested.advisories.len(), 1);
    ingested.advisories.into_iter().next().unwrap()
}

/// Keeps the first of several probes that are the same version (`1.4` and `1.4.0`).
fn distinct_versions(scheme: Scheme, probes: Vec<String>) -> Vec<String> {
    let mut kept: Vec<(String, Version)> = Vec::new();
    for probe in probes {
        let (label, version) = probe.rsplit_once(' ').unwrap();
        let version = scheme.parse(version).unwrap();
        if !kept
            .iter()
            .any(|(other, seen)| other.starts_with(label) && *seen == version)
        {
            kept.push((probe, version));
        }
    }
    kept.into_iter().map(|(probe, _)| probe).collect()
}

/// `key:version` for every event of the advisory's only package.
fn events(advisory: &Advisory) -> Vec<String> {
    assert_eq!(advisory.affected.len(), 1, "{}", advisory.id);
    advisory.affected[0]
        .ranges
        .ranges
        .iter()
        .flat_map(|range| range.events.iter())
        .map(|event| format!("{}:{}", event.key(), event.version()))
        .collect()
}

/// Whether a scan finds `installed` affected by the advisory's only package.
fn osv_affected(advisory: &Advisory, scheme: Scheme, installed: &str) -> bool {
    qm_version::evaluate(&advisory.affected[0].ranges, scheme, installed)
        .unwrap()
        .affected
}

fn yaml(path: &Path) -> Yaml {
    serde_yaml_ng::from_str(&fs_err::read_to_string(path).unwrap()).unwrap()
}

fn yaml_strings(value: Option<&Yaml>) -> Vec<String> {
    match value {
        Some(Yaml::Sequence(items)) => items
            .iter()
            .map(|item| match item {
                Yaml::String(text) => text.clone(),
                other => serde_yaml_ng::to_string(other).unwrap().trim().to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Splits `>= 1.2` into (`>=`, `1.2`); no operator is `=`.
fn split_operator<'a>(comparator: &'a str, operators: &[&'static str]) -> (&'static str, &'a str) {
    let comparator = comparator.trim();
    operators
        .iter()
        .find_map(|op| comparator.strip_prefix(op).map(|rest| (*op, rest.trim())))
        .unwrap_or(("=", comparator))
}

fn holds(operator: &str, version: &Version, bound: &Version) -> bool {
    match operator {
        ">=" => version >= bound,
        ">" => version > bound,
        "<=" => version <= bound,
        "<" => version < bound,
        "!=" | "<>" => version != bound,
        _ => version == bound,
    }
}

// ---------------------------------------------------------------------------------------------
// RubyGems requirements, evaluated directly (`Gem::Requirement#satisfied_by?`)
// ---------------------------------------------------------------------------------------------

const GEM_OPERATORS: &[&str] = &["~>", ">=", "<=", "!=", ">", "<", "="];

fn gem(text: &str) -> Version {
    Scheme::RubyGems.parse(text).unwrap()
}

/// `Gem::Version#segments` truncated at the first letter segment, as numbers without zeros.
fn gem_numbers(version: &str) -> Vec<u128> {
    let canonical = version.trim().replace('-', ".pre.");
    let mut numbers = Vec::new();
    let mut digits = String::new();
    for c in canonical.chars().chain(std::iter::once('.')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                numbers.push(digits.parse::<u128>().unwrap());
                digits.clear();
            }
            if c.is_ascii_alphabetic() {
                break;
            }
        }
    }
    numbers
}

fn join(numbers: &[u128]) -> String {
    let texts: Vec<String> = numbers.iter().map(u128::to_string).collect();
    if texts.is_empty() {
        "0".into()
    } else {
        texts.join(".")
    }
}

/// `version.release < bump(bound) && version >= bound`.
fn pessimistic(bound: &str, version: &str) -> bool {
    let mut bumped = gem_numbers(bound);
    if bumped.len() > 1 {
        bumped.pop();
    }
    *bumped.last_mut().unwrap() += 1;
    gem(version) >= gem(bound) && gem(&join(&gem_numbers(version))) < gem(&join(&bumped))
}

fn gem_satisfies(requirement: &str, version: &str) -> bool {
    requirement.split(',').all(|part| {
        let (operator, bound) = split_operator(part, GEM_OPERATORS);
        if operator == "~>" {
            pessimistic(bound, version)
        } else {
            holds(operator, &gem(version), &gem(bound))
        }
    })
}

/// Whether a RubySec record says `version` is affected: not patched and not unaffected.
fn rubysec_affected(requirements: &[String], version: &str) -> bool {
    !requirements.iter().any(|r| gem_satisfies(r, version))
}

/// Versions of the requirements whose "just above" starts an affected interval: the bounds of
/// `<=` comparators (affected is the complement) and of `!=` (its complement is `=`).
fn gem_widenable(requirements: &[String]) -> BTreeSet<String> {
    requirements
        .iter()
        .flat_map(|r| r.split(','))
        .map(|part| split_operator(part, GEM_OPERATORS))
        .filter(|(operator, _)| matches!(*operator, "<=" | "=" | "!="))
        .map(|(_, bound)| bound.to_owned())
        .collect()
}

/// Versions near the bounds of RubyGems requirements: the bounds, their pre-releases and next
/// versions, and their `~>` limits.
fn gem_probes(requirements: &[String]) -> BTreeSet<String> {
    let mut probes: BTreeSet<String> = ["0", "0.a", "0.0.1", "99999"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for part in requirements.iter().flat_map(|r| r.split(',')) {
        let (_, bound) = split_operator(part, GEM_OPERATORS);
        let numbers = gem_numbers(bound);
        probes.insert(bound.to_owned());
        for suffix in [".0.1", ".1", ".a", ".A", ".rc1", "-1"] {
            probes.insert(format!("{bound}{suffix}"));
        }
        for cut in 1..=numbers.len() {
            let mut next = numbers.get(..cut).unwrap().to_vec();
            *next.last_mut().unwrap() += 1;
            let next = join(&next);
            for suffix in ["", ".A", ".a", ".0.rc1", ".0.0"] {
                probes.insert(format!("{next}{suffix}"));
            }
            if let Some(previous) = numbers.get(cut - 1).and_then(|n| n.checked_sub(1)) {
                let mut lower = numbers.get(..cut).unwrap().to_vec();
                *lower.last_mut().unwrap() = previous;
                probes.insert(join(&lower));
                probes.insert(format!("{}.99", join(&lower)));
            }
        }
    }
    probes.retain(|probe| Scheme::RubyGems.parse(probe).is_ok());
    probes
}

/// Compares a RubySec advisory's ranges with its requirements on `probes`; returns the probes
/// where they differ in the allowed way (widened bounds). Panics on any other difference.
fn check_rubysec(
    advisory: &Advisory,
    requirements: &[String],
    probes: &BTreeSet<String>,
) -> Vec<String> {
    let widenable = gem_widenable(requirements);
    let mut widened = Vec::new();
    for probe in probes {
        let direct = rubysec_affected(requirements, probe);
        let emitted = osv_affected(advisory, Scheme::RubyGems, probe);
        if direct == emitted {
            continue;
        }
        let allowed = emitted && !direct && widenable.iter().any(|bound| gem(bound) == gem(probe));
        assert!(
            allowed,
            "{}: {probe} affected by OSV {emitted}, by the feed {direct}; requirements \
             {requirements:?}, events {:?}",
            advisory.id,
            events(advisory)
        );
        widened.push(format!("{} {probe}", advisory.id));
    }
    widened
}

fn rubysec_requirements(document: &Yaml) -> Vec<String> {
    let mut requirements = yaml_strings(document.get("patched_versions"));
    requirements.extend(yaml_strings(document.get("unaffected_versions")));
    requirements
}

// ---------------------------------------------------------------------------------------------
// RubySec
// ---------------------------------------------------------------------------------------------

#[test]
fn rubysec_mirror_is_ingested_whole() {
    let dir = qm_testdata::data_path("advisories/rubysec");
    let files = files_under(&dir);
    let advisories = with_extension(&files, "yml");
    assert_eq!(
        advisories.len(),
        1381,
        "RubySec advisory files (.yml) in the mirror"
    );

    let ingested = qm_vulndb::ingest_path(&dir).unwrap();
    let count = ingested.report.sources.get("rubysec").copied().unwrap();
    assert_eq!((count.records, count.skipped), (1381, 0));
    assert!(
        ingested.report.problems.is_empty(),
        "{:?}",
        ingested.report.problems
    );
    // README.md and LICENSE.txt.
    assert_eq!(ingested.report.unrecognised_files, 2);
    assert_eq!(files.len() - advisories.len(), 2);

    let mut per_ecosystem = BTreeMap::new();
    for advisory in &ingested.advisories {
        assert_eq!(advisory.source, "rubysec");
        assert_eq!(advisory.affected.len(), 1);
        *per_ecosystem
            .entry(advisory.affected[0].package.ecosystem.to_string())
            .or_insert(0) += 1;
    }
    let gems = files
        .iter()
        .filter(|p| p.starts_with(dir.join("gems")))
        .count();
    let rubies = files
        .iter()
        .filter(|p| p.starts_with(dir.join("rubies")))
        .count();
    assert_eq!((gems, rubies), (1234, 147));
    assert_eq!(
        per_ecosystem,
        BTreeMap::from([
            ("RubyGems".to_owned(), 1234),
            ("ruby-engine".to_owned(), 147)
        ])
    );
}

#[test]
fn rubysec_spot_checks() {
    let path = |relative: &str| qm_testdata::data_path(&format!("advisories/rubysec/{relative}"));

    // Four patched series, three of them `~>` pinned: the holes between them are affected.
    let actionpack = ingest_one(&path("gems/actionpack/CVE-2016-0751.yml"));
    assert_eq!(actionpack.id, "CVE-2016-0751");
    assert_eq!(actionpack.aliases, ["GHSA-ffpv-c4hm-3x6v"]);
    assert_eq!(
        actionpack.affected[0].package.to_string(),
        "RubyGems/actionpack"
    );
    assert_eq!(
        actionpack.published.unwrap().to_string(),
        "2016-01-25T00:00:00Z"
    );
    assert_eq!(
        events(&actionpack),
        [
            "introduced:0",
            "fixed:3.2.22.1",
            "introduced:3.2.23.A",
            "fixed:4.1.14.1",
            "introduced:4.2.A",
            "fixed:4.2.5.1",
            "introduced:4.3.A",
            "fixed:5.0.0.beta1.1",
        ]
    );
    for (version, affected) in [
        ("3.2.22", true),
        ("3.2.22.1", false),
        ("3.2.23", true),
        ("4.2.5", true),
        ("4.2.5.1", false),
        ("4.2.9", false),
        ("4.3.0.rc1", true),
        ("5.0.0.beta1", true),
        ("5.0.0", false),
    ] {
        assert_eq!(
            osv_affected(&actionpack, Scheme::RubyGems, version),
            affected,
            "actionpack {version}"
        );
    }
    let fix = qm_version::evaluate(&actionpack.affected[0].ranges, Scheme::RubyGems, "4.2.1")
        .unwrap()
        .fixed;
    assert_eq!(fix.as_deref(), Some("4.2.5.1"));
    // Scores, not vectors: ratings labelled with the score, newest CVSS version first.
    let labels: Vec<String> = actionpack
        .severities
        .iter()
        .map(|s| match s {
            qm_model::Severity::Rating { label, rating, .. } => format!("{label} {rating}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(labels, ["CVSS v3 7.5 high", "CVSS v2 5.0 medium"]);

    // Unaffected `<= 1.6.9`: the hijacked releases start just above 1.6.9, which is widened.
    let rest_client = ingest_one(&path("gems/rest-client/CVE-2019-15224.yml"));
    assert_eq!(events(&rest_client), ["introduced:1.6.9", "fixed:1.6.14"]);

    // Named after its GHSA, identified by its CVE.
    let loofah = ingest_one(&path("gems/loofah/GHSA-8whx-365g-h9vv.yml"));
    assert_eq!(loofah.id, "CVE-2026-73491");
    assert_eq!(loofah.aliases, ["GHSA-8whx-365g-h9vv"]);
    assert_eq!(events(&loofah), ["introduced:2.25.0", "fixed:2.25.2"]);

    // An interpreter advisory: kept, as the `ruby-engine` package `ruby`.
    let ruby = ingest_one(&path("rubies/ruby/CVE-2022-28739.yml"));
    assert_eq!(
        ruby.affected[0].package.ecosystem,
        Ecosystem::Other("ruby-engine".into())
    );
    assert_eq!(ruby.affected[0].package.name.as_str(), "ruby");
    assert_eq!(
        events(&ruby),
        [
            "introduced:0",
            "fixed:2.6.10",
            "introduced:2.7.A",
            "fixed:2.7.6",
            "introduced:2.8.A",
            "fixed:3.0.4",
            "introduced:3.1.A",
            "fixed:3.1.2",
        ]
    );
}

#[test]
fn rubysec_ranges_agree_with_the_requirements_on_every_record() {
    let dir = qm_testdata::data_path("advisories/rubysec");
    let mut widened = Vec::new();
    let mut probes_checked = 0;
    for path in with_extension(&files_under(&dir), "yml") {
        let advisory = ingest_one(&path);
        let requirements = rubysec_requirements(&yaml(&path));
        let probes = gem_probes(&requirements);
        probes_checked += probes.len();
        widened.extend(check_rubysec(&advisory, &requirements, &probes));
    }
    println!("RubySec: {probes_checked} probe versions checked; widened bounds:");
    for line in &widened {
        println!("  {line}");
    }
    // `<= x` or `= x` among the unaffected or patched versions, with x's next versions
    // affected: the ranges start at x itself.
    let mut widened = distinct_versions(Scheme::RubyGems, widened);
    widened.sort();
    assert_eq!(
        widened,
        [
            "CVE-2012-3424 2.3.14",
            "CVE-2013-4562 1.4",
            "CVE-2014-5441 0.11.0",
            "CVE-2015-1820 1.6.0",
            "CVE-2016-0753 4.0.13",
            "CVE-2018-11627 2.0.0-alpha",
            "CVE-2018-16470 2.0.3",
            "CVE-2019-10842 3.2.0.2",
            "CVE-2019-15224 1.6.9",
            "CVE-2019-18409 4.4.0",
            "CVE-2020-36327 2.2.10",
            "CVE-2022-23476 1.13.7",
            "CVE-2025-46551 0.12.1",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// FriendsOfPHP
// ---------------------------------------------------------------------------------------------

const COMPOSER_OPERATORS: &[&str] = &["<>", "!=", ">=", "<=", "==", ">", "<", "="];

fn composer(text: &str) -> Version {
    Scheme::Composer.parse(text).unwrap()
}

/// The `versions` lists of every branch.
fn composer_branches(document: &Yaml) -> Vec<Vec<String>> {
    document
        .get("branches")
        .and_then(Yaml::as_mapping)
        .unwrap()
        .values()
        .map(|branch| yaml_strings(branch.get("versions")))
        .collect()
}

fn composer_affected(branches: &[Vec<String>], version: &str) -> bool {
    branches.iter().any(|constraints| {
        constraints.iter().all(|constraint| {
            let (operator, bound) = split_operator(constraint, COMPOSER_OPERATORS);
            holds(operator, &composer(version), &composer(bound))
        })
    })
}

fn composer_probes(branches: &[Vec<String>]) -> BTreeSet<String> {
    let mut probes: BTreeSet<String> = ["0", "0.0.1", "99999", "0.0.0-dev"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for constraint in branches.iter().flatten() {
        let (_, bound) = split_operator(constraint, COMPOSER_OPERATORS);
        probes.insert(bound.to_owned());
        for suffix in ["-dev", "-alpha1", "-beta2", "-RC1", "-p1", ".1", ".0.1"] {
            probes.insert(format!("{bound}{suffix}"));
        }
    }
    probes.retain(|probe| Scheme::Composer.parse(probe).is_ok());
    probes
}

fn check_friendsofphp(
    advisory: &Advisory,
    branches: &[Vec<String>],
    probes: &BTreeSet<String>,
) -> Vec<String> {
    let mut widened = Vec::new();
    for probe in probes {
        let direct = composer_affected(branches, probe);
        let emitted = osv_affected(advisory, Scheme::Composer, probe);
        if direct == emitted {
            continue;
        }
        let allowed = emitted
            && !direct
            && branches.iter().flatten().any(|constraint| {
                let (operator, bound) = split_operator(constraint, COMPOSER_OPERATORS);
                matches!(operator, ">" | "!=" | "<>") && composer(bound) == composer(probe)
            });
        assert!(
            allowed,
            "{}: {probe} affected by OSV {emitted}, by the feed {direct}; branches {branches:?}, \
             events {:?}",
            advisory.id,
            events(advisory)
        );
        widened.push(format!("{} {probe}", advisory.id));
    }
    widened
}

#[test]
fn friendsofphp_mirror_is_ingested_whole() {
    let dir = qm_testdata::data_path("advisories/friendsofphp");
    let files = files_under(&dir);
    let advisories = with_extension(&files, "yaml");
    assert_eq!(
        advisories.len(),
        1592,
        "FriendsOfPHP advisory files (.yaml) in the mirror"
    );

    let ingested = qm_vulndb::ingest_path(&dir).unwrap();
    let count = ingested
        .report
        .sources
        .get("friendsofphp")
        .copied()
        .unwrap();
    assert_eq!((count.records, count.skipped), (1592, 0));
    assert!(
        ingested.report.problems.is_empty(),
        "{:?}",
        ingested.report.problems
    );
    // README.md and LICENSE.
    assert_eq!(ingested.report.unrecognised_files, 2);
    assert_eq!(files.len() - advisories.len(), 2);
    assert!(ingested.advisories.iter().all(|a| {
        a.source == "friendsofphp" && a.affected[0].package.ecosystem == Ecosystem::Packagist
    }));
    // Files without a CVE are named by their package and file stem.
    let without_cve = ingested
        .advisories
        .iter()
        .filter(|a| a.id.starts_with("FRIENDSOFPHP-"))
        .count();
    let cve_files = advisories
        .iter()
        .filter(|path| yaml(path).get("cve").and_then(Yaml::as_str).is_some())
        .count();
    assert_eq!((without_cve, cve_files), (1592 - 1160, 1160));
}

#[test]
fn friendsofphp_spot_checks() {
    let path =
        |relative: &str| qm_testdata::data_path(&format!("advisories/friendsofphp/{relative}"));

    // Branches that touch merge into one interval.
    let symfony = ingest_one(&path("symfony/http-kernel/CVE-2014-5245.yaml"));
    assert_eq!(symfony.id, "CVE-2014-5245");
    assert_eq!(
        symfony.affected[0].package.to_string(),
        "Packagist/symfony/http-kernel"
    );
    assert_eq!(
        events(&symfony),
        [
            "introduced:2.0.0",
            "fixed:2.3.19",
            "introduced:2.4.0",
            "fixed:2.4.9",
            "introduced:2.5.0",
            "fixed:2.5.4",
        ]
    );
    assert_eq!(
        symfony.references[0].url,
        "https://symfony.com/cve-2014-5245"
    );

    let cakephp = ingest_one(&path("cakephp/cakephp/2015-08-06.yaml"));
    assert_eq!(cakephp.id, "FRIENDSOFPHP-cakephp/cakephp/2015-08-06");
    assert_eq!(events(&cakephp).len(), 16);
    assert_eq!(events(&cakephp)[..2], ["introduced:2.0.0", "fixed:2.0.99"]);

    // `>0.7.1` starts at 0.7.1 (widened); `>=2` is `2`.
    let artax = ingest_one(&path("amphp/artax/CVE-2016-5385.yaml"));
    assert_eq!(
        events(&artax),
        [
            "introduced:0.7.1",
            "fixed:1.0.4",
            "introduced:2",
            "fixed:2.0.4"
        ]
    );

    // A fix on a `-p` patch release of Magento.
    let magento = files_under(&qm_testdata::data_path("advisories/friendsofphp"))
        .into_iter()
        .find(|p| fs_err::read_to_string(p).unwrap().contains("'<2.3.2-p2'"))
        .unwrap();
    let magento = ingest_one(&magento);
    assert!(events(&magento).contains(&"fixed:2.3.2-p2".to_owned()));
    assert!(osv_affected(&magento, Scheme::Composer, "2.3.2"));
    assert!(osv_affected(&magento, Scheme::Composer, "2.3.2-p1"));
    assert!(!osv_affected(&magento, Scheme::Composer, "2.3.2-p2"));
}

#[test]
fn friendsofphp_ranges_agree_with_the_constraints_on_every_record() {
    let dir = qm_testdata::data_path("advisories/friendsofphp");
    let mut widened = Vec::new();
    let mut probes_checked = 0;
    for path in with_extension(&files_under(&dir), "yaml") {
        let advisory = ingest_one(&path);
        let branches = composer_branches(&yaml(&path));
        let probes = composer_probes(&branches);
        probes_checked += probes.len();
        widened.extend(check_friendsofphp(&advisory, &branches, &probes));
    }
    println!("FriendsOfPHP: {probes_checked} probe versions checked; widened bounds:");
    for line in &widened {
        println!("  {line}");
    }
    // Four of the seven `>x` lower bounds (the three SilverStripe ones start where another
    // branch already covers x).
    assert_eq!(
        widened,
        [
            "CVE-2016-5385 0.7.1",
            "CVE-2019-6342 8.7.3",
            "CVE-2019-6342 8.7.3",
            "FRIENDSOFPHP-livewire/livewire/2020-09-22-1 2.2.4",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Node.js security working group
// ---------------------------------------------------------------------------------------------

fn npm_range(text: &str) -> NpmRange {
    NpmRange::parse(text, NpmRangeOptions::default()).unwrap()
}

/// Versions near every version named in a node-semver range: the version, its neighbouring
/// patch, minor and major releases, and pre-releases of each.
fn npm_probes(ranges: &[&str]) -> BTreeSet<String> {
    let mut probes: BTreeSet<String> = ["0.0.0", "0.0.0-0", "99999.0.0"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for range in ranges {
        for token in range.split(|c: char| c.is_whitespace() || c == '|') {
            let bare = token.trim_start_matches(['<', '>', '=', '~', '^', 'v']);
            let mut numbers = bare
                .split(['-', '+'])
                .next()
                .unwrap_or_default()
                .split('.')
                .map(|part| part.parse::<u64>().ok());
            let (Some(Some(major)), minor, patch) =
                (numbers.next(), numbers.next(), numbers.next())
            else {
                continue;
            };
            let minor = minor.flatten().unwrap_or(0);
            let patch = patch.flatten().unwrap_or(0);
            if let Ok(version) = NpmVersion::parse(bare) {
                probes.insert(bare.to_owned());
                if version.is_prerelease() {
                    probes.insert(format!("{bare}.0"));
                }
            }
            let mut cores = vec![
                (major, minor, patch),
                (major, minor, patch + 1),
                (major, minor + 1, 0),
                (major + 1, 0, 0),
            ];
            if let Some(previous) = patch.checked_sub(1) {
                cores.push((major, minor, previous));
            }
            for (major, minor, patch) in cores {
                for suffix in ["", "-0", "-alpha", "-beta.2", "-rc.1"] {
                    probes.insert(format!("{major}.{minor}.{patch}{suffix}"));
                }
            }
        }
    }
    probes
}

/// Checks the ranges of an npm advisory against node-semver on `probes`: equal on releases, a
/// superset on pre-releases.
fn check_npm(advisory: &Advisory, vulnerable: &str, probes: &BTreeSet<String>) {
    let range = npm_range(vulnerable);
    for probe in probes {
        let version = NpmVersion::parse(probe).unwrap();
        let satisfies = range.satisfies(&version);
        let emitted = osv_affected(advisory, Scheme::Npm, probe);
        if version.is_prerelease() {
            assert!(
                emitted || !satisfies,
                "{}: pre-release {probe} satisfies `{vulnerable}` but is not affected; events {:?}",
                advisory.id,
                events(advisory)
            );
        } else {
            assert_eq!(
                emitted,
                satisfies,
                "{}: {probe} against `{vulnerable}`; events {:?}",
                advisory.id,
                events(advisory)
            );
        }
    }
}

fn npm_files() -> Vec<PathBuf> {
    let dir = qm_testdata::data_path("advisories/nodejs-security-wg/vuln/npm");
    with_extension(&files_under(&dir), "json")
        .into_iter()
        .filter(|path| {
            let value: serde_json::Value =
                serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
            value.get("module_name").is_some()
        })
        .collect()
}

#[test]
fn nodejs_mirror_is_ingested_whole() {
    let dir = qm_testdata::data_path("advisories/nodejs-security-wg");
    let files = files_under(&dir);
    let npm = npm_files();
    assert_eq!(
        npm.len(),
        467,
        "npm advisories (JSON with `module_name`) in the mirror"
    );
    let core = files_under(&dir.join("vuln/core")).len();
    assert_eq!(core, 172);

    let ingested = qm_vulndb::ingest_path(&dir).unwrap();
    let count = ingested
        .report
        .sources
        .get("nodejs-security-wg")
        .copied()
        .unwrap();
    assert_eq!((count.records, count.skipped), (467, 0));
    assert!(
        ingested.report.problems.is_empty(),
        "{:?}",
        ingested.report.problems
    );
    // Not ingested: the 172 Node.js runtime advisories (see src/feeds/nodejs.rs), the npm
    // index.json, LICENSE.md and vuln/README.md.
    assert_eq!(ingested.report.unrecognised_files, 175);
    assert_eq!(files.len() - npm.len(), 175);
    let ids: BTreeSet<&str> = ingested.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 467, "identifiers are unique");
    assert!(ingested.advisories.iter().all(|a| {
        a.id.starts_with("NSWG-ECO-") && a.affected[0].package.ecosystem == Ecosystem::Npm
    }));
}

#[test]
fn nodejs_spot_checks() {
    let path = |id: u32| {
        qm_testdata::data_path(&format!("advisories/nodejs-security-wg/vuln/npm/{id}.json"))
    };
    let bassmaster = ingest_one(&path(1));
    assert_eq!(bassmaster.id, "NSWG-ECO-1");
    assert_eq!(bassmaster.aliases, ["CVE-2014-7205"]);
    assert_eq!(bassmaster.affected[0].package.to_string(), "npm/bassmaster");
    assert_eq!(events(&bassmaster), ["introduced:0", "last_affected:1.5.1"]);
    assert_eq!(
        bassmaster.published.unwrap().to_string(),
        "2014-09-27T00:00:00Z"
    );
    assert_eq!(
        bassmaster.modified.unwrap().to_string(),
        "2016-04-28T00:00:00Z"
    );

    // `>= 5.2.1 <= 6.0.0 || >=6.0.0 <= 6.0.2`: the two alternatives overlap into one interval.
    let overlapping = ingest_one(&path(104));
    assert_eq!(
        events(&overlapping),
        ["introduced:5.2.1", "last_affected:6.0.2"]
    );

    // `2.0.x || 2.1.x`: x-ranges end below the next minor's first pre-release.
    let x_ranges = ingest_one(&path(11));
    // The pre-releases of 2.1.0 are in neither.
    assert_eq!(
        events(&x_ranges),
        [
            "introduced:2.0.0",
            "fixed:2.1.0-0",
            "introduced:2.1.0",
            "fixed:2.2.0-0"
        ]
    );

    // `2.1.0-M1 || 2.1.0-M2`: two single pre-releases.
    let prereleases = ingest_one(&path(137));
    assert_eq!(
        events(&prereleases),
        [
            "introduced:2.1.0-M1",
            "last_affected:2.1.0-M1",
            "introduced:2.1.0-M2",
            "last_affected:2.1.0-M2",
        ]
    );
}

/// Advisories whose `patched_versions` matches no release (`<0.0.0`: no fix).
const NO_FIX: usize = 137;
/// Advisories with releases neither vulnerable nor patched above a vulnerable one (mostly
/// `<=2.1.1` against `>=3.0.0`: the feed does not say what 2.1.2 would be).
const UNACCOUNTED: usize = 47;
/// Advisories whose `vulnerable_versions` and `patched_versions` share releases. The ranges
/// follow `vulnerable_versions`, as the feed's own tooling does: `NSWG-ECO-490` says `<2.0.1 ||
/// <1.1.7`, so 1.1.7 is affected although `^1.1.7` is called patched.
const CONTRADICTIONS: &[&str] = &[
    "NSWG-ECO-336",
    "NSWG-ECO-357",
    "NSWG-ECO-400",
    "NSWG-ECO-490",
    "NSWG-ECO-495",
    "NSWG-ECO-92",
    "NSWG-ECO-98",
];

#[test]
fn nodejs_ranges_agree_with_node_semver_on_every_record() {
    let (mut no_fix, mut unaccounted, mut contradictions) = (Vec::new(), Vec::new(), Vec::new());
    let mut probes_checked = 0;
    for path in npm_files() {
        let advisory = ingest_one(&path);
        let raw: serde_json::Value =
            serde_json::from_str(&fs_err::read_to_string(&path).unwrap()).unwrap();
        let vulnerable = raw["vulnerable_versions"].as_str().unwrap();
        let patched = raw["patched_versions"].as_str();
        let probes = npm_probes(&[vulnerable, patched.unwrap_or_default()]);
        probes_checked += probes.len();
        check_npm(&advisory, vulnerable, &probes);

        // Cross-check against `patched_versions`: reported, never failing the record. A
        // release both vulnerable and patched is a contradiction; a release above a
        // vulnerable one that is neither is left unaccounted for by the feed.
        let Some(patched) = patched.filter(|p| !p.trim().is_empty()) else {
            continue;
        };
        let patched_range = NpmRange::parse(patched, NpmRangeOptions::default()).unwrap();
        let releases: Vec<(&String, NpmVersion)> = probes
            .iter()
            .map(|probe| (probe, NpmVersion::parse(probe).unwrap()))
            .filter(|(_, version)| !version.is_prerelease())
            .collect();
        if releases
            .iter()
            .all(|(_, version)| !patched_range.satisfies(version))
        {
            no_fix.push(format!("{} (`{patched}`)", advisory.id));
            continue;
        }
        let lowest_vulnerable = releases
            .iter()
            .filter(|(probe, _)| osv_affected(&advisory, Scheme::Npm, probe))
            .map(|(_, version)| version)
            .min();
        let mut both = Vec::new();
        let mut neither = Vec::new();
        for (probe, version) in &releases {
            let affected = osv_affected(&advisory, Scheme::Npm, probe);
            match (affected, patched_range.satisfies(version)) {
                (true, true) => both.push((*probe).clone()),
                (false, false) if lowest_vulnerable.is_some_and(|low| version > low) => {
                    neither.push((*probe).clone());
                }
                _ => {}
            }
        }
        if !both.is_empty() {
            contradictions.push(format!(
                "{}: `{vulnerable}` and patched `{patched}` both hold {both:?}",
                advisory.id
            ));
        }
        if !neither.is_empty() {
            unaccounted.push(format!(
                "{}: `{vulnerable}`, patched `{patched}`: neither holds {neither:?}",
                advisory.id
            ));
        }
    }
    println!("Node.js: {probes_checked} probe versions checked");
    println!(
        "{} advisories without a fix (patched_versions matches no release):",
        no_fix.len()
    );
    println!("  {}", no_fix.join(", "));
    println!(
        "{} advisories leave releases between the vulnerable and the patched ones unaccounted \
         for (versions that may never have been published):",
        unaccounted.len()
    );
    for line in &unaccounted {
        println!("  {line}");
    }
    println!(
        "{} advisories whose vulnerable and patched versions overlap:",
        contradictions.len()
    );
    for line in &contradictions {
        println!("  {line}");
    }
    assert_eq!((no_fix.len(), unaccounted.len()), (NO_FIX, UNACCOUNTED));
    let contradicting: Vec<&str> = contradictions
        .iter()
        .map(|line| line.split(':').next().unwrap())
        .collect();
    assert_eq!(contradicting, CONTRADICTIONS);
}

// ---------------------------------------------------------------------------------------------
// Property tests: random expressions through the whole ingest
// ---------------------------------------------------------------------------------------------

const NPM_VERSIONS: &[&str] = &[
    "0.0.0",
    "0.0.1",
    "0.1.0",
    "0.1.5",
    "1.0.0-alpha",
    "1.0.0-0",
    "1.0.0",
    "1.0.1-beta.1",
    "1.0.1",
    "1.1.0",
    "1.2.3-rc.1",
    "1.2.3",
    "1.2.4-0",
    "1.2.4",
    "1.3.0",
    "2.0.0-beta",
    "2.0.0",
    "2.1.7",
    "3.0.0",
];

fn npm_partial() -> impl Strategy<Value = String> {
    let number = prop_oneof![Just("0"), Just("1"), Just("2"), Just("3")];
    let part = prop_oneof![4 => number.clone(), 1 => Just("x"), 1 => Just("*")];
    let pre = prop_oneof![
        3 => Just(""), 1 => Just("-0"), 1 => Just("-beta"), 1 => Just("-rc.1"), 1 => Just("+b.1"),
    ];
    let prefix = prop_oneof![4 => Just(""), 1 => Just("v")];
    prop_oneof![
        (prefix, number.clone(), number.clone(), number.clone(), pre)
            .prop_map(|(v, a, b, c, pre)| format!("{v}{a}.{b}.{c}{pre}")),
        (number.clone(), part.clone()).prop_map(|(a, b)| format!("{a}.{b}")),
        (number, part.clone(), part).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
        Just("*".to_owned()),
    ]
}

fn npm_comparator() -> impl Strategy<Value = String> {
    let operator = prop_oneof![
        Just(""),
        Just("="),
        Just(">"),
        Just(">="),
        Just("<"),
        Just("<="),
        Just("~"),
        Just("^"),
        Just("~>"),
        Just("< "),
        Just(">= "),
    ];
    (operator, npm_partial()).prop_map(|(operator, version)| format!("{operator}{version}"))
}

fn npm_range_text() -> impl Strategy<Value = String> {
    let set = prop_oneof![
        4 => proptest::collection::vec(npm_comparator(), 1..4).prop_map(|c| c.join(" ")),
        1 => (npm_partial(), npm_partial()).prop_map(|(a, b)| format!("{a} - {b}")),
    ];
    proptest::collection::vec(set, 1..4).prop_map(|sets| sets.join(" || "))
}

const GEM_VERSIONS: &[&str] = &[
    "0",
    "0.a",
    "0.9",
    "1.0.a",
    "1.0",
    "1.0.0.1",
    "1.0.1.rc1",
    "1.0.1",
    "1.0.2",
    "1.1.A",
    "1.1.a",
    "1.1",
    "1.1.0.1",
    "1.2.beta",
    "1.2",
    "2.0.0.beta1",
    "2",
    "2.0.1",
    "3",
];

fn gem_requirement_text() -> impl Strategy<Value = String> {
    let operator = prop_oneof![
        Just(""),
        Just("= "),
        Just("!= "),
        Just("> "),
        Just("< "),
        Just(">= "),
        Just("<= "),
        Just("~> "),
        Just("~>"),
    ];
    let bound = prop_oneof![
        Just("0"),
        Just("1"),
        Just("1.0"),
        Just("1.0.1"),
        Just("1.1"),
        Just("1.0.0.1"),
        Just("1.2.beta"),
        Just("2"),
        Just("2.0.0.beta1"),
        Just("0.9"),
    ];
    let part = (operator, bound).prop_map(|(operator, bound)| format!("{operator}{bound}"));
    proptest::collection::vec(part, 1..3).prop_map(|parts| parts.join(", "))
}

const COMPOSER_VERSIONS: &[&str] = &[
    "0.1",
    "1.0.0-dev",
    "1.0.0-alpha1",
    "1.0.0-beta2",
    "1.0.0-RC1",
    "1.0.0",
    "1.0.0-p1",
    "1.0.0.1",
    "1.0.1",
    "1.1",
    "1.1.0-RC1",
    "1.1.0",
    "1.2.3",
    "2.0.0-beta1",
    "2.0",
    "2.0.1",
    "3.0.0",
];

fn composer_constraint_text() -> impl Strategy<Value = String> {
    let operator = prop_oneof![
        Just(""),
        Just("="),
        Just("=="),
        Just("!="),
        Just(">"),
        Just("<"),
        Just(">="),
        Just("<="),
        Just(">= "),
    ];
    let bound = prop_oneof![
        Just("1.0"),
        Just("1.0.0"),
        Just("1.0.0-RC1"),
        Just("1.0.0-p1"),
        Just("1.1"),
        Just("1.2.3"),
        Just("2"),
        Just("2.0.0-beta1"),
        Just("0.1"),
    ];
    (operator, bound).prop_map(|(operator, bound)| format!("{operator}{bound}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn npm_ranges_agree_with_node_semver(range in npm_range_text()) {
        let json = serde_json::json!({
            "id": 1, "module_name": "demo", "vulnerable_versions": range,
            "patched_versions": null,
        });
        let ingested = ingest_text("1.json", &json.to_string());
        if NpmRange::parse(&range, NpmRangeOptions::default()).is_err() {
            // What node-semver refuses is skipped and reported, not guessed.
            prop_assert!(ingested.advisories.is_empty());
            prop_assert_eq!(ingested.report.problems.len(), 1);
        } else {
            prop_assert!(ingested.report.problems.is_empty(), "{:?}", ingested.report.problems);
            let probes: BTreeSet<String> =
                NPM_VERSIONS.iter().map(|v| (*v).to_owned()).collect();
            check_npm(&ingested.advisories[0], &range, &probes);
        }
    }

    #[test]
    fn rubygems_ranges_agree_with_gem_requirements(
        patched in proptest::collection::vec(gem_requirement_text(), 0..3),
        unaffected in proptest::collection::vec(gem_requirement_text(), 0..2),
    ) {
        let quoted = |items: &[String]| {
            items.iter().map(|item| format!("  - \"{item}\"\n")).collect::<String>()
        };
        let mut text = String::from("gem: demo\nurl: https://example.invalid\n");
        if !patched.is_empty() {
            text.push_str(&format!("patched_versions:\n{}", quoted(&patched)));
        }
        if !unaffected.is_empty() {
            text.push_str(&format!("unaffected_versions:\n{}", quoted(&unaffected)));
        }
        let advisory = ingest_text_one("GHSA-demo.yml", &text);
        let mut requirements = patched.clone();
        requirements.extend(unaffected);
        let probes: BTreeSet<String> = GEM_VERSIONS.iter().map(|v| (*v).to_owned()).collect();
        check_rubysec(&advisory, &requirements, &probes);
    }

    #[test]
    fn composer_ranges_agree_with_constraints(
        branches in proptest::collection::vec(
            proptest::collection::vec(composer_constraint_text(), 1..3), 1..4),
    ) {
        let mut text = String::from("title: t\nlink: l\nreference: composer://demo/pkg\nbranches:\n");
        for (index, constraints) in branches.iter().enumerate() {
            let list: Vec<String> = constraints.iter().map(|c| format!("'{c}'")).collect();
            text.push_str(&format!(
                "    b{index}:\n        time: null\n        versions: [{}]\n",
                list.join(", ")
            ));
        }
        let advisory = ingest_text_one("2020-01-01.yaml", &text);
        let probes: BTreeSet<String> =
            COMPOSER_VERSIONS.iter().map(|v| (*v).to_owned()).collect();
        check_friendsofphp(&advisory, &branches, &probes);
    }
}

#[test]
fn an_event_never_reads_zero_as_a_version() {
    // `>= 0` in RubyGems excludes `0.a`; `introduced: "0"` would include it.
    let advisory = ingest_text_one(
        "x.yml",
        "gem: demo\nurl: u\nunaffected_versions:\n  - \"< 0\"\npatched_versions:\n  - \">= 1\"\n",
    );
    assert_eq!(events(&advisory), ["introduced:0.0", "fixed:1"]);
    assert!(!osv_affected(&advisory, Scheme::RubyGems, "0.a"));
    assert!(osv_affected(&advisory, Scheme::RubyGems, "0"));
}
