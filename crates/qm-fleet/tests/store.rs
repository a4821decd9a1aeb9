//! The store's behaviour, each scenario run on SQLite and on PostgreSQL, against real
//! advisories (PyPA's Werkzeug and Flask records, Debian 12's openssl) and a real inventory
//! (trivy's `requirements.txt` fixture).

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod common;

use std::collections::BTreeSet;

use common::{Engine, add, database, debian_image, labels, requirements, with_version};
use qm_fleet::{
    AffectedPackage, AffectedQuery, FleetError, FleetMatcher, NewRevision, SCHEMA_VERSION, Store,
};
use qm_match::FixState;
use qm_model::Rating;

on_both_engines!(
    adds_keep_history_and_skip_known_digests,
    labels_are_set_replaced_and_kept,
    list_counts_findings_by_severity,
    affected_finds_ids_aliases_purls_and_names,
    rematch_reports_newly_affected_and_newly_fixed,
    distributions_are_judged_apart,
    parallel_adds_lose_nothing,
    a_newer_schema_is_refused,
    reopening_keeps_everything,
    affected_follows_latest_revisions_in_small_and_large_answers,
);

fn adds_keep_history_and_skip_known_digests(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    let first = requirements();

    let outcome = add(store.as_mut(), "web", &first, &matcher);
    assert!(outcome.created);
    assert_eq!(outcome.revision, 1);
    assert!(outcome.digest.starts_with("sha256:"), "{}", outcome.digest);
    assert_eq!(
        outcome.packages,
        u64::try_from(first.packages.len()).unwrap()
    );
    // Werkzeug 0.11: seven PyPA advisories, one rated high.
    assert_eq!(outcome.counts.total(), 7);
    assert_eq!(outcome.counts.high, 1);
    assert_eq!(outcome.stale_findings, None);

    // The same inventory again: nothing new.
    let again = add(store.as_mut(), "web", &first, &matcher);
    assert!(!again.created);
    assert_eq!(again.revision, 1);
    assert_eq!(again.digest, outcome.digest);
    assert_eq!(again.counts, outcome.counts);

    // The same contents read under another name are the same revision.
    let mut renamed = first.clone();
    renamed.target.name = "requirements-copy.txt".to_owned();
    assert!(!add(store.as_mut(), "web", &renamed, &matcher).created);

    // Werkzeug upgraded: a new revision without its findings.
    let second = with_version(first.clone(), "Werkzeug", "3.0.6");
    let outcome = add(store.as_mut(), "web", &second, &matcher);
    assert!(outcome.created);
    assert_eq!(outcome.revision, 2);
    assert_eq!(outcome.counts.total(), 0);

    // Back to the first inventory: a third revision, not a no-op (the latest differs).
    let third = add(store.as_mut(), "web", &first, &matcher);
    assert!(third.created);
    assert_eq!(third.revision, 3);
    assert_eq!(third.counts.total(), 7);

    let detail = store.show("web").unwrap().unwrap();
    let history: Vec<(u64, u64)> = detail
        .history
        .iter()
        .map(|revision| (revision.revision, revision.counts.total()))
        .collect();
    assert_eq!(history, [(1, 7), (2, 0), (3, 7)]);
    assert_eq!(detail.history[0].digest, detail.history[2].digest);
    assert_ne!(detail.history[0].digest, detail.history[1].digest);
    assert_eq!(detail.findings.len(), 7);
    assert!(
        detail
            .findings
            .iter()
            .all(|finding| finding.package.name == "Werkzeug")
    );
    // Where the package was found comes back with the finding.
    let werkzeug = first
        .packages
        .iter()
        .position(|p| p.name == "Werkzeug")
        .unwrap();
    assert_eq!(detail.findings[0].package.index, werkzeug);
    assert_eq!(
        detail.findings[0].package.locations,
        first.packages[werkzeug].locations
    );

    // Every revision's inventory is kept whole.
    assert_eq!(store.inventory("web", Some(1)).unwrap().unwrap(), first);
    assert_eq!(store.inventory("web", Some(2)).unwrap().unwrap(), second);
    assert_eq!(store.inventory("web", None).unwrap().unwrap(), first);
    assert_eq!(store.inventory("web", Some(9)).unwrap(), None);
    assert_eq!(store.inventory("nope", None).unwrap(), None);
    assert_eq!(store.show("nope").unwrap(), None);
}

fn labels_are_set_replaced_and_kept(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    let inventory = requirements();
    let team_a = labels(&[("team", "a"), ("env", "prod")]);
    let outcome = store
        .add(
            &NewRevision {
                name: "web",
                labels: Some(&team_a),
                inventory: &inventory,
            },
            &matcher,
        )
        .unwrap();
    assert!(outcome.created && outcome.labels_changed);

    // New labels on a known digest: the labels change, the revision does not.
    let team_b = labels(&[("team", "b")]);
    let outcome = store
        .add(
            &NewRevision {
                name: "web",
                labels: Some(&team_b),
                inventory: &inventory,
            },
            &matcher,
        )
        .unwrap();
    assert!(!outcome.created);
    assert!(outcome.labels_changed);
    assert_eq!(outcome.revision, 1);

    // No labels given: they are kept.
    let outcome = add(store.as_mut(), "web", &inventory, &matcher);
    assert!(!outcome.labels_changed);
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].labels, team_b);
    assert_eq!(store.show("web").unwrap().unwrap().labels, team_b);

    // Names are checked.
    for bad in ["", "   ", "a\nb"] {
        let error = store
            .add(
                &NewRevision {
                    name: bad,
                    labels: None,
                    inventory: &inventory,
                },
                &matcher,
            )
            .unwrap_err();
        assert!(matches!(error, FleetError::InvalidName { .. }), "{error}");
    }
}

fn list_counts_findings_by_severity(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    add(store.as_mut(), "web", &requirements(), &matcher);
    add(
        store.as_mut(),
        "base",
        &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
        &matcher,
    );
    add(
        store.as_mut(),
        "clean",
        &with_version(requirements(), "Werkzeug", "3.0.6"),
        &matcher,
    );
    let listed = store.list().unwrap();
    let names: Vec<&str> = listed.iter().map(|target| target.name.as_str()).collect();
    assert_eq!(names, ["base", "clean", "web"]);
    let base = &listed[0];
    assert_eq!(base.latest.digest, "sha256:aaaa");
    assert_eq!(base.latest.kind, "docker-archive");
    assert_eq!(base.latest.packages, 2);
    assert_eq!(base.revisions, 1);
    // Both binary packages of the openssl source carry its open issues.
    assert!(base.latest.counts.total() >= 2, "{:?}", base.latest.counts);
    assert_eq!(
        base.latest.counts.total() % 2,
        0,
        "{:?}",
        base.latest.counts
    );
    assert_eq!(listed[1].latest.counts.total(), 0);
    assert_eq!(listed[2].latest.counts.total(), 7);
    assert_eq!(listed[2].latest.counts.high, 1);
    assert_eq!(listed[2].latest.counts.unknown, 6);
}

fn affected_finds_ids_aliases_purls_and_names(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    add(store.as_mut(), "web", &requirements(), &matcher);
    add(
        store.as_mut(),
        "web-old",
        &with_version(requirements(), "Werkzeug", "2.3.7"),
        &matcher,
    );
    add(
        store.as_mut(),
        "web-new",
        &with_version(requirements(), "Werkzeug", "3.0.6"),
        &matcher,
    );
    add(
        store.as_mut(),
        "base",
        &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
        &matcher,
    );
    let query = |store: &mut dyn Store, text: &str| {
        store
            .affected(&AffectedQuery::parse(text).unwrap())
            .unwrap()
    };
    // (target, package, version, vulnerability) for every answer.
    let flat = |found: &[AffectedPackage]| -> BTreeSet<(String, String, String, String)> {
        let mut flat = BTreeSet::new();
        for package in found {
            for target in &package.targets {
                for vulnerability in &package.vulnerabilities {
                    flat.insert((
                        target.target.to_string(),
                        package.package.name.clone(),
                        package.package.version.clone(),
                        vulnerability.id.clone(),
                    ));
                }
            }
        }
        flat
    };
    let targets = |found: &[AffectedPackage]| -> BTreeSet<String> {
        flat(found).into_iter().map(|(target, ..)| target).collect()
    };

    // By id, in any case, and by alias.
    let found = query(store.as_mut(), "cve-2023-46136");
    assert_eq!(
        targets(&found),
        BTreeSet::from(["web".to_owned(), "web-old".to_owned()])
    );
    assert_eq!(found.len(), 2, "Werkzeug 0.11 and 2.3.7");
    let web = &found[0];
    assert_eq!(web.package.name, "Werkzeug");
    assert_eq!(web.package.version, "0.11");
    assert_eq!(web.package.purl, "pkg:pypi/werkzeug@0.11");
    assert_eq!(web.vulnerabilities.len(), 1);
    let vulnerability = &web.vulnerabilities[0];
    assert_eq!(vulnerability.id, "CVE-2023-46136");
    assert!(
        vulnerability
            .aliases
            .contains(&"GHSA-hrfv-mqp8-q5rw".to_owned())
    );
    assert_eq!(vulnerability.fixed_version.as_deref(), Some("2.3.8"));
    assert!(matches!(&vulnerability.fix, FixState::Fixed { version } if version == "2.3.8"));
    assert_eq!(vulnerability.severity.rating, Rating::High);
    assert_eq!(web.targets.len(), 1);
    assert_eq!(&*web.targets[0].target, "web");
    assert_eq!(web.targets[0].revision, 1);
    assert_eq!(*web.targets[0].locations, ["requirements.txt"]);
    assert_eq!(query(store.as_mut(), "GHSA-HRFV-MQP8-Q5RW"), found);
    assert_eq!(query(store.as_mut(), "PYSEC-2023-221"), found);

    // By package URL: with and without version; a qualifier must match when given.
    let found = query(store.as_mut(), "pkg:pypi/werkzeug@0.11");
    assert_eq!(targets(&found), BTreeSet::from(["web".to_owned()]));
    assert_eq!(flat(&found).len(), 7);
    let found = query(store.as_mut(), "pkg:pypi/Werkzeug");
    assert_eq!(
        targets(&found),
        BTreeSet::from(["web".to_owned(), "web-old".to_owned()])
    );
    assert_eq!(flat(&found).len(), 7 + 1);
    assert_eq!(query(store.as_mut(), "pkg:pypi/werkzeug@3.0.6"), []);
    let base = query(
        store.as_mut(),
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64",
    );
    assert_eq!(base.len(), 1);
    assert_eq!(base[0].package.name, "libssl3");
    assert_eq!(base[0].targets[0].layer.as_deref(), Some("sha256:1111"));
    assert!(!base[0].vulnerabilities.is_empty());
    assert_eq!(
        query(store.as_mut(), "pkg:deb/debian/libssl3?arch=arm64"),
        []
    );

    // By name and version; a source package name reaches its binary packages.
    assert_eq!(flat(&query(store.as_mut(), "werkzeug")).len(), 7 + 1);
    assert_eq!(flat(&query(store.as_mut(), "Werkzeug@2.3.7")).len(), 1);
    let openssl = query(store.as_mut(), "openssl@3.0.11-1~deb12u1");
    let packages: BTreeSet<&str> = openssl
        .iter()
        .map(|found| found.package.name.as_str())
        .collect();
    assert_eq!(packages, BTreeSet::from(["libssl3", "openssl"]));
    assert_eq!(openssl[0].vulnerabilities, openssl[1].vulnerabilities);
    assert_eq!(query(store.as_mut(), "openssl"), openssl);

    // Nothing known: nothing affected.
    assert_eq!(query(store.as_mut(), "CVE-1999-0001"), []);
    assert_eq!(query(store.as_mut(), "left-pad@1.0.0"), []);

    // Only latest revisions count: upgrading `web` takes it out.
    add(
        store.as_mut(),
        "web",
        &with_version(requirements(), "Werkzeug", "3.0.6"),
        &matcher,
    );
    let found = query(store.as_mut(), "CVE-2023-46136");
    assert_eq!(targets(&found), BTreeSet::from(["web-old".to_owned()]));
}

fn rematch_reports_newly_affected_and_newly_fixed(engine: &Engine) {
    let without_flask = database(false);
    let with_flask = database(true);
    let old = FleetMatcher::new(&without_flask);
    let new = FleetMatcher::new(&with_flask);
    let mut store = engine.open();
    add(store.as_mut(), "web", &requirements(), &old);
    add(
        store.as_mut(),
        "web-fixed",
        &with_version(requirements(), "Flask", "2.3.3"),
        &old,
    );
    add(
        store.as_mut(),
        "base",
        &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
        &old,
    );
    let before = store.list().unwrap();
    assert_eq!(
        store
            .affected(&AffectedQuery::parse("CVE-2023-30861").unwrap())
            .unwrap(),
        []
    );

    // The same database: nothing changes.
    let report = store.rematch(&old).unwrap();
    assert_eq!(report.changes, []);
    assert_eq!((report.findings_added, report.findings_removed), (0, 0));
    assert_eq!(report.previous_database.as_deref(), Some(old.database()));

    // A database with Flask's advisories: `web` (Flask 2.0.0) is newly affected by
    // CVE-2023-30861; `web-fixed` (Flask 2.3.3) is not.
    let report = store.rematch(&new).unwrap();
    assert_eq!(report.database, new.database());
    assert_eq!(report.previous_database.as_deref(), Some(old.database()));
    assert!(report.findings_added >= 1);
    assert_eq!(report.findings_removed, 0);
    let change = report
        .changes
        .iter()
        .find(|change| change.id == "CVE-2023-30861")
        .unwrap();
    assert_eq!(change.newly_affected, ["web"]);
    assert_eq!(change.newly_fixed, Vec::<String>::new());
    assert!(change.aliases.contains(&"GHSA-m2qf-hxjv-5gpq".to_owned()));
    assert!(
        report
            .changes
            .iter()
            .all(|change| change.newly_fixed.is_empty())
    );
    assert!(
        report
            .changes
            .iter()
            .all(|change| !change.newly_affected.contains(&"base".to_owned()))
    );

    // The stored findings and counts follow.
    let found = store
        .affected(&AffectedQuery::parse("GHSA-m2qf-hxjv-5gpq").unwrap())
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].package.name, "Flask");
    assert_eq!(found[0].targets.len(), 1);
    assert_eq!(&*found[0].targets[0].target, "web");
    assert_eq!(
        found[0].vulnerabilities[0].fixed_version.as_deref(),
        Some("2.2.5")
    );
    let after = store.list().unwrap();
    let web = |list: &[qm_fleet::TargetSummary]| {
        list.iter()
            .find(|t| t.name == "web")
            .unwrap()
            .latest
            .counts
            .total()
    };
    assert_eq!(web(&after), web(&before) + report.findings_added);
    assert!(
        store
            .show("web")
            .unwrap()
            .unwrap()
            .findings
            .iter()
            .any(|finding| finding.id == "CVE-2023-30861")
    );
    // Adds against the old database are told the findings are newer than it.
    let outcome = add(
        store.as_mut(),
        "other",
        &debian_image("sha256:bbbb", "3.0.11-1~deb12u1", true),
        &old,
    );
    assert_eq!(outcome.stale_findings.as_deref(), Some(new.database()));

    // And back: the advisory is gone, `web` is newly fixed.
    let report = store.rematch(&old).unwrap();
    let change = report
        .changes
        .iter()
        .find(|change| change.id == "CVE-2023-30861")
        .unwrap();
    assert_eq!(change.newly_fixed, ["web"]);
    assert!(change.newly_affected.is_empty());
    assert_eq!(web(&store.list().unwrap()), web(&before));
}

fn distributions_are_judged_apart(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    // The same packages, once on Debian 12 and once on an unknown system.
    let known = add(
        store.as_mut(),
        "known",
        &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
        &matcher,
    );
    let unknown = add(
        store.as_mut(),
        "unknown",
        &debian_image("sha256:bbbb", "3.0.11-1~deb12u1", false),
        &matcher,
    );
    assert!(known.counts.total() > 0);
    assert_eq!(unknown.counts.total(), 0);
    // A fixed version on Debian 12 has fewer findings than the old one.
    let newer = add(
        store.as_mut(),
        "newer",
        &debian_image("sha256:cccc", "3.0.15-1~deb12u1", true),
        &matcher,
    );
    assert!(newer.counts.total() < known.counts.total());
}

fn parallel_adds_lose_nothing(engine: &Engine) {
    const THREADS: usize = 4;
    const TARGETS: usize = 5;
    // Open (and create) the store once, so the threads race on adds, not on the schema.
    drop(engine.open());
    let location = engine.location();
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let location = location.clone();
            scope.spawn(move || {
                let db = database(false);
                let matcher = FleetMatcher::new(&db);
                let mut store = qm_fleet::open(&location).unwrap();
                for target in 0..TARGETS {
                    let inventory =
                        with_version(requirements(), "Werkzeug", &format!("0.{thread}.{target}"));
                    add(
                        store.as_mut(),
                        &format!("t{thread}-{target}"),
                        &inventory,
                        &matcher,
                    );
                    // Every thread also adds a revision of one shared target.
                    add(store.as_mut(), "shared", &inventory, &matcher);
                }
            });
        }
    });
    let mut store = engine.open();
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), THREADS * TARGETS + 1);
    let shared = store.show("shared").unwrap().unwrap();
    let numbers: Vec<u64> = shared.history.iter().map(|r| r.revision).collect();
    let expected: Vec<u64> = (1..=u64::try_from(THREADS * TARGETS).unwrap()).collect();
    assert_eq!(numbers, expected);
    let digests: BTreeSet<&str> = shared.history.iter().map(|r| r.digest.as_str()).collect();
    assert_eq!(digests.len(), THREADS * TARGETS);
    for target in &listed {
        assert!(target.latest.packages > 0, "{}", target.name);
    }
    // Every target holds an old Werkzeug: the answer lists each at its latest revision (read
    // from the roster, which every add rewrote a part of).
    let found = store
        .affected(&AffectedQuery::parse("Werkzeug").unwrap())
        .unwrap();
    let mut holders: Vec<(String, u64)> = found
        .iter()
        .flat_map(|package| &package.targets)
        .map(|target| (target.target.to_string(), target.revision))
        .collect();
    holders.sort();
    let mut expected: Vec<(String, u64)> = listed
        .iter()
        .map(|target| (target.name.clone(), target.latest.revision))
        .collect();
    expected.sort();
    assert_eq!(holders, expected);
}

fn a_newer_schema_is_refused(engine: &Engine) {
    drop(engine.open());
    engine.set_schema_version(SCHEMA_VERSION + 1);
    let error = qm_fleet::open(&engine.location()).err().unwrap();
    assert!(
        matches!(error, FleetError::NewerSchema { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{error}"
    );
    assert!(error.to_string().contains("newer than"), "{error}");
    assert!(error.hint().is_some());
}

fn reopening_keeps_everything(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    {
        let mut store = engine.open();
        add(store.as_mut(), "web", &requirements(), &matcher);
    }
    let mut store = engine.open();
    assert_eq!(store.list().unwrap().len(), 1);
    assert!(!add(store.as_mut(), "web", &requirements(), &matcher).created);
    assert_eq!(store.location(), engine.location_text());
}

#[test]
fn a_damaged_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.db");
    fs_err::write(&path, b"this is not an SQLite database, only text that pretends to be one, long enough to have a header").unwrap();
    let error = qm_fleet::SqliteStore::open(&path).unwrap_err();
    assert!(matches!(error, FleetError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("damaged"), "{error}");
    assert!(error.hint().is_some());
    // The file is left as it was.
    assert!(fs_err::read(&path).unwrap().starts_with(b"this is not"));
}

#[test]
fn another_programs_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)", [])
        .unwrap();
    let error = qm_fleet::SqliteStore::open(&path).unwrap_err();
    assert!(matches!(error, FleetError::NotAStore { .. }), "{error}");
}

#[test]
fn a_store_missing_its_version_is_refused() {
    let engine = Engine::sqlite();
    drop(engine.open());
    let connection =
        rusqlite::Connection::open(engine.sqlite_path().unwrap().join("fleet.db")).unwrap();
    connection.execute("DROP TABLE schema_version", []).unwrap();
    drop(connection);
    let error = qm_fleet::open(&engine.location()).err().unwrap();
    assert!(matches!(error, FleetError::NotAStore { .. }), "{error}");
}

/// A listed target: name, revision and digest.
type Listed = (String, u64, String);

/// An answer holding most of the fleet reads the roster; one holding a few targets looks its
/// revisions up. Both follow new revisions and removals, and list targets by name.
fn affected_follows_latest_revisions_in_small_and_large_answers(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    let vulnerable = "3.0.11-1~deb12u1";
    add(store.as_mut(), "web", &requirements(), &matcher);
    // Added in reverse, so that target ids run against names.
    for index in (0..20).rev() {
        add(
            store.as_mut(),
            &format!("img-{index:02}"),
            &debian_image(&format!("sha256:a{index:02}"), vulnerable, true),
            &matcher,
        );
    }
    // (target, revision, digest) per package.
    let answer = |store: &mut dyn Store, text: &str| -> Vec<(String, Vec<Listed>)> {
        store
            .affected(&AffectedQuery::parse(text).unwrap())
            .unwrap()
            .into_iter()
            .map(|package| {
                (
                    package.package.name,
                    package
                        .targets
                        .iter()
                        .map(|t| (t.target.to_string(), t.revision, t.digest.to_string()))
                        .collect(),
                )
            })
            .collect()
    };
    let images = |skip: &[usize], second: &[usize]| -> Vec<Listed> {
        (0..20)
            .filter(|index| !skip.contains(index))
            .map(|index| {
                if second.contains(&index) {
                    (format!("img-{index:02}"), 2, format!("sha256:b{index:02}"))
                } else {
                    (format!("img-{index:02}"), 1, format!("sha256:a{index:02}"))
                }
            })
            .collect()
    };

    let found = answer(store.as_mut(), "openssl");
    assert_eq!(found.len(), 2);
    for (package, targets) in &found {
        assert_eq!(targets, &images(&[], &[]), "{package}");
    }
    let web = answer(store.as_mut(), "Werkzeug");
    assert_eq!(web.len(), 1);
    assert_eq!(web[0].1.len(), 1);
    assert_eq!(web[0].1[0].0, "web");
    assert_eq!(web[0].1[0].1, 1);

    // A new revision of an image and of the web target; an image removed.
    add(
        store.as_mut(),
        "img-03",
        &debian_image("sha256:b03", vulnerable, true),
        &matcher,
    );
    add(
        store.as_mut(),
        "web",
        &with_version(requirements(), "Werkzeug", "2.3.7"),
        &matcher,
    );
    assert!(store.remove("img-05").unwrap());
    for (package, targets) in &answer(store.as_mut(), "openssl") {
        assert_eq!(targets, &images(&[5], &[3]), "{package}");
    }
    let web = answer(store.as_mut(), "Werkzeug");
    assert_eq!(web[0].1.len(), 1);
    assert_eq!(web[0].1[0].1, 2);
    // An image moved to another version leaves the old version's answer (read from the
    // roster) for its own (looked up).
    add(
        store.as_mut(),
        "img-07",
        &debian_image("sha256:b07", "3.0.17-1~deb12u2", true),
        &matcher,
    );
    let found = store
        .affected(&AffectedQuery::parse("openssl").unwrap())
        .unwrap();
    let expected: Vec<_> = images(&[5], &[3])
        .into_iter()
        .filter(|(name, _, _)| name != "img-07")
        .collect();
    assert!(found.len() >= 2);
    for package in &found {
        let targets: Vec<_> = package
            .targets
            .iter()
            .map(|t| (t.target.to_string(), t.revision, t.digest.to_string()))
            .collect();
        if package.package.version == vulnerable {
            assert_eq!(targets, expected, "{}", package.package.name);
        } else {
            assert_eq!(
                targets,
                [("img-07".to_owned(), 2, "sha256:b07".to_owned())],
                "{}",
                package.package.name
            );
        }
    }
}
