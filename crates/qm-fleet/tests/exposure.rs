//! Exposures over time, each scenario on SQLite and PostgreSQL: opened when a target is first
//! seen affected, closed when an add or a re-match first sees it not, kept through upgrades
//! that stay vulnerable; derived for a store migrated from the previous schema.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

#[allow(dead_code, reason = "the fixtures are shared with the store tests")]
mod common;

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use common::{Engine, add, database, debian_image, requirements, with_version};
use qm_fleet::{AffectedQuery, Exposure, FleetMatcher, NewRevision, Store};
use qm_model::{Rating, SourcePackage};
use qm_vulndb::{DbMetadata, VulnDb, write_db};

on_both_engines!(
    aliases_follow_each_package,
    exposures_follow_revisions,
    exposures_follow_rematch,
    removing_a_target_forgets_it,
    a_version_one_store_is_migrated_with_its_exposures,
);

/// The open exposures must be exactly the latest findings, by (target, id, package).
fn assert_open_match_findings(store: &mut dyn Store) {
    let open: BTreeSet<(String, String, String)> = store
        .exposures(None, Rating::Unknown)
        .unwrap()
        .into_iter()
        .filter(|exposure| exposure.fixed_at.is_none())
        .map(|exposure| (exposure.target, exposure.vulnerability, exposure.package))
        .collect();
    let mut findings = BTreeSet::new();
    for target in store.list().unwrap() {
        for finding in store.show(&target.name).unwrap().unwrap().findings {
            findings.insert((target.name.clone(), finding.id, finding.package.name));
        }
    }
    assert_eq!(open, findings);
}

fn werkzeug(exposures: &[Exposure]) -> Vec<&Exposure> {
    exposures
        .iter()
        .filter(|exposure| exposure.package == "Werkzeug")
        .collect()
}

fn exposures_follow_revisions(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    // Werkzeug 0.11: seven PyPA advisories.
    add(store.as_mut(), "web", &requirements(), &matcher);
    let first = store.exposures(Some("web"), Rating::Unknown).unwrap();
    let open = werkzeug(&first);
    assert_eq!(open.len(), 7, "{open:#?}");
    for exposure in &open {
        assert_eq!(exposure.target, "web");
        assert_eq!(exposure.installed_version, "0.11");
        assert!(exposure.fixed_at.is_none());
        assert!(exposure.fixed_version.is_some());
        // The PyPA records date themselves: the fix predates the target being seen.
        let fix = exposure.fix_available_at.unwrap();
        assert!(fix <= exposure.first_affected_at, "{exposure:#?}");
    }
    assert_open_match_findings(store.as_mut());
    // A severity floor keeps the exposures rated at or over it, and only those.
    let high = store.exposures(Some("web"), Rating::High).unwrap();
    assert!(!high.is_empty() && high.len() < first.len());
    assert!(high.iter().all(|e| e.severity >= Rating::High));
    assert_eq!(
        high.len(),
        first.iter().filter(|e| e.severity >= Rating::High).count()
    );

    // Upgrading to 2.2.3 fixes six of them; the seventh (fixed in 2.3.8) stays open, same
    // exposure, at the new version.
    add(
        store.as_mut(),
        "web",
        &with_version(requirements(), "Werkzeug", "2.2.3"),
        &matcher,
    );
    let second = store.exposures(Some("web"), Rating::Unknown).unwrap();
    let werk = werkzeug(&second);
    assert_eq!(
        werk.len(),
        7,
        "an upgrade continues exposures, it does not add"
    );
    let (open, closed): (Vec<&Exposure>, Vec<&Exposure>) =
        werk.iter().copied().partition(|e| e.fixed_at.is_none());
    assert_eq!(closed.len(), 6);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].installed_version, "2.2.3");
    assert_eq!(open[0].fixed_version.as_deref(), Some("2.3.8"));
    for exposure in &closed {
        assert!(exposure.fixed_at.unwrap() >= exposure.first_affected_at);
        assert_eq!(
            exposure.installed_version, "0.11",
            "closed keeps the last affected"
        );
    }
    let before = first
        .iter()
        .find(|e| e.vulnerability == open[0].vulnerability)
        .unwrap();
    assert_eq!(before.first_affected_at, open[0].first_affected_at);
    assert_open_match_findings(store.as_mut());

    // A Debian image: exposures carry the source package's findings, on both binaries'
    // shared source name.
    add(
        store.as_mut(),
        "base",
        &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
        &matcher,
    );
    let base = store.exposures(Some("base"), Rating::Unknown).unwrap();
    assert!(!base.is_empty());
    assert!(
        base.iter()
            .all(|e| e.target == "base" && e.fixed_at.is_none())
    );
    assert_open_match_findings(store.as_mut());
    // Going back to the vulnerable version opens new exposures beside the closed ones.
    add(store.as_mut(), "web", &requirements(), &matcher);
    let third = store.exposures(Some("web"), Rating::Unknown).unwrap();
    assert_eq!(werkzeug(&third).len(), 13);
    assert_open_match_findings(store.as_mut());
    assert_streamed_as_listed(store.as_mut());
    assert_per_target_as_fleet(store.as_mut());
}

/// Streaming hands over what the list holds, in its order (target, vulnerability,
/// ecosystem, package, start), and stops when told.
fn assert_streamed_as_listed(store: &mut dyn Store) {
    let listed = store.exposures(None, Rating::Unknown).unwrap();
    assert!(listed.len() > 3);
    let key = |e: &Exposure| {
        (
            e.target.clone(),
            e.vulnerability.clone(),
            e.ecosystem.as_str().to_owned(),
            e.package.clone(),
            e.first_affected_at,
        )
    };
    assert!(listed.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
    assert!(listed.iter().any(|e| e.target == "base") && listed.iter().any(|e| e.target == "web"));

    let mut streamed = Vec::new();
    store
        .each_exposure(None, Rating::Unknown, &mut |exposure| {
            streamed.push(exposure);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(streamed, listed);

    let mut first = Vec::new();
    store
        .each_exposure(None, Rating::Unknown, &mut |exposure| {
            first.push(exposure);
            if first.len() == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(first, listed[..3]);

    let high: Vec<Exposure> = store.exposures(Some("web"), Rating::High).unwrap();
    let mut streamed = Vec::new();
    store
        .each_exposure(Some("web"), Rating::High, &mut |exposure| {
            streamed.push(exposure);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(streamed, high);
}

fn exposures_follow_rematch(engine: &Engine) {
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
    let flask = |store: &mut dyn Store| -> Vec<Exposure> {
        store
            .exposures(None, Rating::Unknown)
            .unwrap()
            .into_iter()
            .filter(|e| {
                e.vulnerability == "CVE-2023-30861"
                    || e.aliases.contains(&"CVE-2023-30861".to_owned())
            })
            .collect()
    };
    assert!(flask(store.as_mut()).is_empty());

    store.rematch(&new).unwrap();
    let opened = flask(store.as_mut());
    assert_eq!(opened.len(), 1, "{opened:#?}");
    assert_eq!(opened[0].target, "web");
    assert_eq!(opened[0].package, "Flask");
    assert_eq!(opened[0].fixed_version.as_deref(), Some("2.2.5"));
    assert!(opened[0].fixed_at.is_none());
    assert!(
        opened[0]
            .aliases
            .contains(&"GHSA-m2qf-hxjv-5gpq".to_owned())
    );
    assert_open_match_findings(store.as_mut());

    // The advisory goes away: the exposure closes, and stays in the history.
    store.rematch(&old).unwrap();
    let closed = flask(store.as_mut());
    assert_eq!(closed.len(), 1);
    assert!(closed[0].fixed_at.unwrap() >= closed[0].first_affected_at);
    assert_open_match_findings(store.as_mut());
    assert_per_target_as_fleet(store.as_mut());
}

/// One target's exposures are its share of the fleet's. The fleet's walk reads a pair once
/// for every target (here `web-fixed` finds all but one of `web`'s pairs read), one target's
/// reads its revision's pairs together: both ways must give the same exposures.
fn assert_per_target_as_fleet(store: &mut dyn Store) {
    let fleet = store.exposures(None, Rating::Unknown).unwrap();
    let targets = store.list().unwrap();
    assert!(targets.len() > 1);
    for target in targets {
        let own = store
            .exposures(Some(&target.name), Rating::Unknown)
            .unwrap();
        let share: Vec<Exposure> = fleet
            .iter()
            .filter(|exposure| exposure.target == target.name)
            .cloned()
            .collect();
        assert!(!own.is_empty(), "{}", target.name);
        assert_eq!(own, share, "{}", target.name);
    }
}

fn removing_a_target_forgets_it(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    add(store.as_mut(), "web", &requirements(), &matcher);
    add(
        store.as_mut(),
        "web",
        &with_version(requirements(), "Werkzeug", "2.2.3"),
        &matcher,
    );
    add(
        store.as_mut(),
        "web-2",
        &with_version(requirements(), "Werkzeug", "2.2.3"),
        &matcher,
    );
    assert!(store.remove("web").unwrap());
    assert!(!store.remove("web").unwrap());
    assert!(store.show("web").unwrap().is_none());
    assert_eq!(
        store
            .list()
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["web-2"]
    );
    assert!(
        store
            .exposures(None, Rating::Unknown)
            .unwrap()
            .iter()
            .all(|e| e.target == "web-2")
    );
    // What the other target shares is intact.
    let found = store
        .affected(&AffectedQuery::parse("Werkzeug").unwrap())
        .unwrap();
    let targets: Vec<&str> = found
        .iter()
        .flat_map(|p| p.targets.iter().map(|t| &*t.target))
        .collect();
    assert_eq!(targets, ["web-2"]);
    // The name can be used again, from revision 1.
    let outcome = store
        .add(
            &NewRevision {
                name: "web",
                labels: None,
                inventory: &requirements(),
            },
            &matcher,
        )
        .unwrap();
    assert_eq!(outcome.revision, 1);
    assert_open_match_findings(store.as_mut());
}

fn a_version_one_store_is_migrated_with_its_exposures(engine: &Engine) {
    let db = database(false);
    let matcher = FleetMatcher::new(&db);
    {
        let mut store = engine.open();
        add(store.as_mut(), "web", &requirements(), &matcher);
        add(
            store.as_mut(),
            "base",
            &debian_image("sha256:aaaa", "3.0.11-1~deb12u1", true),
            &matcher,
        );
    }
    // Undo migrations 3 and 2, as a store written by the first schema looks.
    execute_raw(
        engine,
        &[
            "DROP TABLE roster",
            "DROP INDEX package_findings_spans",
            "DROP INDEX package_findings_package",
            "DROP TABLE finding_history",
            "ALTER TABLE package_findings DROP COLUMN fix_available_at",
            "ALTER TABLE package_findings DROP COLUMN first_tick",
            "ALTER TABLE package_findings DROP COLUMN summary",
            "ALTER TABLE revisions DROP COLUMN added_tick",
            "DELETE FROM meta WHERE key = 'clock'",
            "UPDATE schema_version SET version = 1",
        ],
    );
    let mut store = engine.open();
    let exposures = store.exposures(None, Rating::Unknown).unwrap();
    assert!(werkzeug(&exposures).len() == 7);
    assert!(exposures.iter().any(|e| e.target == "base"));
    assert!(exposures.iter().all(|e| e.fixed_at.is_none()));
    // Fixes known then count as seen when the finding was first stored.
    assert!(
        exposures
            .iter()
            .filter(|e| e.fixed_version.is_some())
            .all(|e| e.fix_available_at.is_some())
    );
    assert_open_match_findings(store.as_mut());
    // Findings stored before summaries existed are shown from their details.
    let found = store
        .affected(&AffectedQuery::parse("Werkzeug").unwrap())
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].vulnerabilities.len(), 7);
    assert!(
        found[0]
            .vulnerabilities
            .iter()
            .all(|v| v.fixed_version.is_some())
    );
    // And the store goes on working.
    add(
        store.as_mut(),
        "web",
        &with_version(requirements(), "Werkzeug", "2.2.3"),
        &matcher,
    );
    assert_open_match_findings(store.as_mut());
}

/// Runs `statements` on the store behind its back (to make an older store).
fn execute_raw(engine: &Engine, statements: &[&str]) {
    match engine {
        Engine::Sqlite(_) => {
            let path = engine.sqlite_path().unwrap().join("fleet.db");
            let connection = rusqlite::Connection::open(path).unwrap();
            for statement in statements {
                connection.execute(statement, []).unwrap();
            }
        }
        Engine::Postgres(database) => {
            let mut client =
                ::postgres::Client::connect(database.url(), ::postgres::NoTls).unwrap();
            for statement in statements {
                client.execute(*statement, &[]).unwrap();
            }
        }
    }
}

/// One CVE fixed by two Debian advisories, one per source package (`linux` and
/// `linux-signed-amd64`): each package's exposure names its own source's advisory.
fn aliases_follow_each_package(engine: &Engine) {
    let dir = qm_testdata::data_path("advisories/debian-12-changelogs/osv");
    let mut advisories = Vec::new();
    for name in [
        "DEBIAN-12-linux-6.1.192-1.json",
        "DEBIAN-12-linux-signed-amd64-6.1.192-1.json",
    ] {
        let bytes = fs_err::read(dir.join(name)).unwrap();
        advisories.extend(qm_vulndb::ingest_bytes(name, &bytes).advisories);
    }
    let metadata = DbMetadata {
        built: "2025-01-01T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_db(&advisories, &metadata, &mut bytes).unwrap();
    let db = VulnDb::from_bytes(bytes).unwrap();
    let matcher = FleetMatcher::new(&db);

    let mut image = debian_image("sha256:cccc", "6.1.176-1", true);
    for (package, (name, source)) in image.packages.iter_mut().zip([
        ("linux-compiler-gcc-12-x86", "linux"),
        ("linux-image-6.1.0-99-amd64", "linux-signed-amd64"),
    ]) {
        package.purl = format!("pkg:deb/debian/{name}@6.1.176-1?arch=amd64");
        package.name = name.to_owned();
        package.source = Some(SourcePackage {
            name: source.to_owned(),
            version: Some("6.1.176-1".to_owned()),
        });
    }
    let mut store = engine.open();
    add(store.as_mut(), "kernel", &image, &matcher);

    let exposures = store.exposures(None, Rating::Unknown).unwrap();
    let of = |package: &str| -> Vec<String> {
        exposures
            .iter()
            .find(|e| e.vulnerability == "CVE-2023-52452" && e.package == package)
            .unwrap_or_else(|| panic!("no exposure of {package}: {exposures:#?}"))
            .aliases
            .clone()
    };
    assert_eq!(
        of("linux-compiler-gcc-12-x86"),
        ["DEBIAN-12-linux-6.1.192-1"]
    );
    assert_eq!(
        of("linux-image-6.1.0-99-amd64"),
        ["DEBIAN-12-linux-signed-amd64-6.1.192-1"]
    );
    // One target read alone (its pairs read together) says the same.
    assert_eq!(
        store.exposures(Some("kernel"), Rating::Unknown).unwrap(),
        exposures
    );
}
