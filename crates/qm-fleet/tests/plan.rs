//! The patch plan, each scenario on SQLite and on PostgreSQL, against real advisories: Debian
//! 12's openssl records (derived from its changelogs: every fix is rated `medium` but the
//! last, `3.0.22-1~deb12u2`, rated `high`), PyPA's Werkzeug records (seven, one rated high
//! with nearest fix 2.3.8) and PyPA's zstd record (no fixed version at all).

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

#[allow(dead_code, reason = "the fixtures are shared with the store tests")]
mod common;

use common::{Engine, add, advisories, debian_openssl};
use qm_fleet::{FleetMatcher, PatchPlan, PlanOrigin, PlanRequest, Store, Upgrade};
use qm_match::FixState;
use qm_model::{
    Distro, Ecosystem, Inventory, Layer, Package, Rating, SourcePackage, TargetInfo, TargetKind,
};
use qm_vulndb::{DbMetadata, VulnDb, write_db};

on_both_engines!(
    upgrades_go_to_the_highest_nearest_fix,
    the_threshold_filters_findings,
    findings_without_a_fix_are_listed_apart,
    shared_layers_are_base_images,
    one_target_is_planned_alone,
);

/// The base layer the Debian images share.
const BASE: &str = "sha256:b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const BASE_STEP: &str = "/bin/sh -c #(nop) ADD file:bookworm-rootfs.tar.xz in /";

fn database() -> VulnDb {
    let mut all = advisories("advisories/pypa/vulns/werkzeug");
    all.extend(advisories("advisories/pypa/vulns/zstd"));
    all.extend(debian_openssl());
    let metadata = DbMetadata {
        built: "2025-01-01T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_db(&all, &metadata, &mut bytes).unwrap();
    VulnDb::from_bytes(bytes).unwrap()
}

fn deb(name: &str, version: &str, layer: &str) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::Debian,
        purl: format!("pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12"),
        source: Some(SourcePackage {
            name: "openssl".to_owned(),
            version: Some(version.to_owned()),
        }),
        locations: vec!["/var/lib/dpkg/status".to_owned()],
        found_by: "dpkg".to_owned(),
        dev: false,
        arch: Some("amd64".to_owned()),
        layer: Some(layer.to_owned()),
    }
}

fn pypi(name: &str, version: &str, layer: Option<&str>) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::PyPI,
        purl: format!("pkg:pypi/{}@{version}", name.to_lowercase()),
        source: None,
        locations: vec!["app/requirements.txt".to_owned()],
        found_by: "python-requirements".to_owned(),
        dev: false,
        arch: None,
        layer: layer.map(str::to_owned),
    }
}

/// A Debian 12 image: `libssl3` and `openssl` of source `openssl` at `openssl` in `base`
/// (its first layer), and Werkzeug 0.11 in a layer of its own.
fn image(digest: &str, base: &str, openssl: &str) -> Inventory {
    let app = format!("sha256:{}", "a".repeat(60) + &digest[digest.len() - 4..]);
    Inventory {
        target: TargetInfo {
            name: format!("docker-archive:{}.tar", &digest[digest.len() - 4..]),
            kind: TargetKind::DockerArchive,
            digest: Some(digest.to_owned()),
            manifest_digest: None,
            tags: Vec::new(),
            platform: Some("linux/amd64".to_owned()),
            layers: vec![
                Layer {
                    digest: base.to_owned(),
                    index: 0,
                    created_by: Some(BASE_STEP.to_owned()),
                },
                Layer {
                    digest: app.clone(),
                    index: 1,
                    created_by: Some("RUN pip install -r requirements.txt".to_owned()),
                },
            ],
        },
        distro: Some(Distro {
            id: "debian".to_owned(),
            version_id: Some("12".to_owned()),
            codename: Some("bookworm".to_owned()),
            pretty_name: None,
            id_like: Vec::new(),
        }),
        packages: vec![
            deb("libssl3", openssl, base),
            deb("openssl", openssl, base),
            pypi("Werkzeug", "0.11", Some(&app)),
        ],
        warnings: Vec::new(),
    }
}

/// A lockfile target: Werkzeug 0.11 and zstd 1.5.5.1, no layers.
fn lockfile() -> Inventory {
    Inventory {
        target: TargetInfo {
            name: "requirements.txt".to_owned(),
            kind: TargetKind::Directory,
            digest: None,
            manifest_digest: None,
            tags: Vec::new(),
            platform: None,
            layers: Vec::new(),
        },
        distro: None,
        packages: vec![
            pypi("Werkzeug", "0.11", None),
            pypi("zstd", "1.5.5.1", None),
        ],
        warnings: Vec::new(),
    }
}

/// `api` and `web` on the same base (openssl 3.0.11-1~deb12u2), `jobs` alone on an older
/// base (openssl 3.0.7-2), and the lockfile `tools`.
fn fleet(engine: &Engine) -> Box<dyn Store> {
    let db = database();
    let matcher = FleetMatcher::new(&db);
    let mut store = engine.open();
    let old_base = format!("sha256:{}", "0".repeat(64));
    add(
        store.as_mut(),
        "api",
        &image(
            &format!("sha256:{}", "1".repeat(64)),
            BASE,
            "3.0.11-1~deb12u2",
        ),
        &matcher,
    );
    add(
        store.as_mut(),
        "web",
        &image(
            &format!("sha256:{}", "2".repeat(64)),
            BASE,
            "3.0.11-1~deb12u2",
        ),
        &matcher,
    );
    add(
        store.as_mut(),
        "jobs",
        &image(&format!("sha256:{}", "3".repeat(64)), &old_base, "3.0.7-2"),
        &matcher,
    );
    add(store.as_mut(), "tools", &lockfile(), &matcher);
    store
}

fn plan(store: &mut dyn Store, target: Option<&str>, severity: Rating) -> PatchPlan {
    store
        .plan(&PlanRequest {
            target: target.map(str::to_owned),
            severity,
        })
        .unwrap()
}

/// Every upgrade of the plan with the origin's layer (`None`: the targets' own).
fn upgrades(plan: &PatchPlan) -> Vec<(Option<&str>, &Upgrade)> {
    let mut all = Vec::new();
    for group in &plan.groups {
        let layer = match &group.origin {
            PlanOrigin::BaseImage { layer, .. } => Some(layer.as_str()),
            _ => None,
        };
        for ecosystem in &group.ecosystems {
            for upgrade in &ecosystem.upgrades {
                assert_eq!(upgrade.ecosystem, ecosystem.ecosystem);
                all.push((layer, upgrade));
            }
        }
    }
    all
}

fn find<'a>(plan: &'a PatchPlan, package: &str, from: &str) -> Vec<(Option<&'a str>, &'a Upgrade)> {
    upgrades(plan)
        .into_iter()
        .filter(|(_, upgrade)| upgrade.package == package && upgrade.from == from)
        .collect()
}

fn upgrades_go_to_the_highest_nearest_fix(engine: &Engine) {
    let mut store = fleet(engine);
    let plan = plan(store.as_mut(), None, Rating::Medium);
    assert_eq!(plan.targets, ["api", "jobs", "tools", "web"]);
    assert_eq!(plan.severity, Rating::Medium);

    // openssl 3.0.11-1~deb12u2 is affected by every fix from 3.0.13-1~deb12u1 up; the upgrade
    // goes to the highest, once for both images on the shared base.
    let shared = find(&plan, "openssl", "3.0.11-1~deb12u2");
    assert_eq!(shared.len(), 1, "{shared:?}");
    let (layer, upgrade) = shared[0];
    assert_eq!(layer, Some(BASE));
    assert_eq!(upgrade.to, "3.0.22-1~deb12u2");
    assert_eq!(upgrade.packages, ["libssl3", "openssl"]);
    assert_eq!(upgrade.targets, ["api", "web"]);
    assert_eq!(
        upgrade.command.as_deref(),
        Some("apt-get install --only-upgrade libssl3=3.0.22-1~deb12u2 openssl=3.0.22-1~deb12u2")
    );
    // Findings counted once per (target, vulnerability), not per binary package.
    let per_target = upgrade.vulnerabilities.len() as u64;
    assert!(per_target > 40, "{per_target}");
    assert_eq!(upgrade.cleared.total(), 2 * per_target);
    assert_eq!(upgrade.cleared.high, 2 * 6);
    assert!(
        upgrade
            .vulnerabilities
            .iter()
            .any(|id| id == "CVE-2023-5678")
    );
    // Fixed at or below the installed version: not a finding, not cleared.
    assert!(
        !upgrade
            .vulnerabilities
            .iter()
            .any(|id| id == "CVE-2023-5363")
    );

    // 3.0.7-2: by text `3.0.9-1` would be the highest fix; in dpkg order it is 3.0.22.
    let old = find(&plan, "openssl", "3.0.7-2");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].1.to, "3.0.22-1~deb12u2");
    assert_eq!(old[0].1.targets, ["jobs"]);
    assert!(
        old[0]
            .1
            .vulnerabilities
            .iter()
            .any(|id| id == "CVE-2022-4203")
    );

    // Werkzeug 0.11: the only fix at medium or over is the high one, 2.3.8; three targets,
    // one line with its pip command.
    let werkzeug = find(&plan, "Werkzeug", "0.11");
    assert_eq!(werkzeug.len(), 1, "{werkzeug:?}");
    let (layer, upgrade) = werkzeug[0];
    assert_eq!(layer, None);
    assert_eq!(upgrade.to, "2.3.8");
    assert_eq!(upgrade.targets, ["api", "jobs", "tools", "web"]);
    assert_eq!(
        upgrade.command.as_deref(),
        Some("pip install Werkzeug==2.3.8")
    );
    assert_eq!(
        upgrade.note.as_deref(),
        Some("requirements pin: Werkzeug==2.3.8")
    );
    assert_eq!(upgrade.vulnerabilities, ["CVE-2023-46136"]);
    assert_eq!(upgrade.cleared.high, 4);
    assert_eq!(upgrade.layers.len(), 3, "{:?}", upgrade.layers);

    // Everything Werkzeug has is fixed by 2.3.8 too (the highest of all seven fixes).
    let all = self::plan(store.as_mut(), None, Rating::Unknown);
    let werkzeug = find(&all, "Werkzeug", "0.11");
    assert_eq!(werkzeug[0].1.to, "2.3.8");
    assert_eq!(werkzeug[0].1.vulnerabilities.len(), 7);
    assert_eq!(werkzeug[0].1.cleared.total(), 4 * 7);

    // Totals add up; lines are sorted worst first within an ecosystem.
    let sum: u64 = upgrades(&plan).iter().map(|(_, u)| u.cleared.total()).sum();
    assert_eq!(plan.summary.cleared.total(), sum);
    assert_eq!(plan.summary.upgrades, upgrades(&plan).len() as u64);
    for group in &plan.groups {
        for ecosystem in &group.ecosystems {
            let highs: Vec<(u64, u64)> = ecosystem
                .upgrades
                .iter()
                .map(|u| (u.cleared.critical, u.cleared.high))
                .collect();
            let mut sorted = highs.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(highs, sorted);
        }
    }
}

fn the_threshold_filters_findings(engine: &Engine) {
    let mut store = fleet(engine);
    let high = plan(store.as_mut(), None, Rating::High);
    // At high only 3.0.22-1~deb12u2's six CVEs count.
    let shared = find(&high, "openssl", "3.0.11-1~deb12u2");
    assert_eq!(shared[0].1.to, "3.0.22-1~deb12u2");
    assert_eq!(shared[0].1.vulnerabilities.len(), 6);
    assert_eq!(shared[0].1.cleared.high, 12);
    assert_eq!(shared[0].1.cleared.medium, 0);
    assert_eq!(high.summary.cleared.medium, 0);
    assert_eq!(high.summary.cleared.unknown, 0);
    // Werkzeug's high finding.
    assert_eq!(find(&high, "Werkzeug", "0.11")[0].1.cleared.high, 4);
    // zstd's unrated finding is under the threshold: not even "no fix yet".
    assert!(high.unfixed.is_empty(), "{:?}", high.unfixed);
    assert_eq!(high.summary.unfixed.total(), 0);

    // Nothing is critical.
    let critical = plan(store.as_mut(), None, Rating::Critical);
    assert!(critical.groups.is_empty(), "{:?}", critical.groups);
    assert_eq!(critical.summary.upgrades, 0);
    assert_eq!(critical.targets.len(), 4);

    // Medium takes in the medium openssl fixes.
    let medium = plan(store.as_mut(), None, Rating::Medium);
    assert!(medium.summary.cleared.medium > 0);
    assert!(medium.summary.cleared.total() > high.summary.cleared.total());
}

fn findings_without_a_fix_are_listed_apart(engine: &Engine) {
    let mut store = fleet(engine);
    let plan = plan(store.as_mut(), None, Rating::Unknown);
    assert_eq!(plan.unfixed.len(), 1, "{:?}", plan.unfixed);
    let zstd = &plan.unfixed[0];
    assert_eq!(zstd.package, "zstd");
    assert_eq!(zstd.version, "1.5.5.1");
    assert_eq!(zstd.id, "CVE-2022-4899");
    assert_eq!(zstd.severity, Rating::Unknown);
    assert_eq!(zstd.fix, FixState::NotFixed { status: None });
    assert_eq!(zstd.targets, ["tools"]);
    assert_eq!(plan.summary.unfixed.unknown, 1);
    // No upgrade is offered for it.
    assert!(find(&plan, "zstd", "1.5.5.1").is_empty());
}

fn shared_layers_are_base_images(engine: &Engine) {
    let mut store = fleet(engine);
    let plan = plan(store.as_mut(), None, Rating::High);
    // Base layers first: the shared one, then `jobs`' own first layer; then the targets'.
    let origins: Vec<&PlanOrigin> = plan.groups.iter().map(|group| &group.origin).collect();
    assert_eq!(origins.len(), 3, "{origins:?}");
    assert_eq!(
        origins[0],
        &PlanOrigin::BaseImage {
            layer: BASE.to_owned(),
            created_by: Some(BASE_STEP.to_owned()),
            shared_by: 2,
            first_layer: true,
        }
    );
    let PlanOrigin::BaseImage {
        shared_by,
        first_layer,
        ..
    } = origins[1]
    else {
        panic!("{origins:?}");
    };
    assert_eq!((*shared_by, *first_layer), (1, true));
    assert_eq!(origins[2], &PlanOrigin::Targets);
    // The base groups hold only the Debian upgrades; the Python ones are the targets' own.
    for group in &plan.groups[..2] {
        assert_eq!(group.ecosystems.len(), 1);
        assert_eq!(group.ecosystems[0].ecosystem, Ecosystem::Debian);
    }
    assert_eq!(plan.groups[2].ecosystems[0].ecosystem, Ecosystem::PyPI);
    assert_eq!(
        serde_json::to_value(origins[0]).unwrap()["kind"],
        "base-image"
    );
}

fn one_target_is_planned_alone(engine: &Engine) {
    let mut store = fleet(engine);
    let plan = plan(store.as_mut(), Some("web"), Rating::High);
    assert_eq!(plan.targets, ["web"]);
    let all = upgrades(&plan);
    assert_eq!(all.len(), 2, "{all:?}");
    for (_, upgrade) in &all {
        assert_eq!(upgrade.targets, ["web"]);
    }
    // The base layer is still known as shared across the fleet.
    assert!(matches!(
        &plan.groups[0].origin,
        PlanOrigin::BaseImage { shared_by: 2, .. }
    ));
    assert_eq!(all[0].1.cleared.high, 6);

    let unknown = self::plan(store.as_mut(), Some("nope"), Rating::High);
    assert!(unknown.targets.is_empty());
    assert!(unknown.groups.is_empty());

    // The JSON model reads back as it was written.
    let json = serde_json::to_string(&plan).unwrap();
    let back: PatchPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}

/// SQLite and PostgreSQL plan the same fleet the same way.
#[test]
fn both_engines_give_the_same_plan() {
    let Some(postgres) = Engine::postgres() else {
        eprintln!("skipped: no PostgreSQL server");
        return;
    };
    let sqlite = Engine::sqlite();
    for severity in [Rating::High, Rating::Unknown] {
        let a = plan(fleet(&sqlite).as_mut(), None, severity);
        let b = plan(fleet(&postgres).as_mut(), None, severity);
        assert_eq!(a, b);
    }
}
