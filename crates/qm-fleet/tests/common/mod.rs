//! Fixtures shared by the store tests: real advisories and real inventories from
//! `../shared/data`, and the two engines.

use std::collections::BTreeMap;
use std::path::Path;

use qm_fleet::testing::{TestDatabase, postgres_database};
use qm_fleet::{AddOutcome, FleetMatcher, Labels, NewRevision, Store, StoreLocation};
use qm_model::{
    Advisory, Distro, Ecosystem, Inventory, Package, SourcePackage, TargetInfo, TargetKind,
};
use qm_vulndb::{DbMetadata, VulnDb, write_db};

/// Advisories of a data directory (an OSV mirror or a subdirectory of one).
pub(crate) fn advisories(relative: &str) -> Vec<Advisory> {
    let ingested = qm_vulndb::ingest_path(&qm_testdata::data_path(relative)).unwrap();
    assert!(
        !ingested.advisories.is_empty(),
        "no advisories in {relative}"
    );
    ingested.advisories
}

/// The Debian 12 advisories for `openssl` (derived from its changelogs).
pub(crate) fn debian_openssl() -> Vec<Advisory> {
    let dir = qm_testdata::data_path("advisories/debian-12-changelogs/osv");
    let mut advisories = Vec::new();
    for entry in fs_err::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("DEBIAN-12-openssl-") {
            let bytes = fs_err::read(entry.path()).unwrap();
            advisories.extend(qm_vulndb::ingest_bytes(&name, &bytes).advisories);
        }
    }
    assert!(advisories.len() > 5, "too few openssl advisories");
    advisories
}

/// A database of Werkzeug's and Debian's openssl advisories, and Flask's when `with_flask`.
pub(crate) fn database(with_flask: bool) -> VulnDb {
    let mut all = advisories("advisories/pypa/vulns/werkzeug");
    all.extend(debian_openssl());
    if with_flask {
        all.extend(advisories("advisories/pypa/vulns/flask"));
    }
    let metadata = DbMetadata {
        built: "2025-01-01T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_db(&all, &metadata, &mut bytes).unwrap();
    VulnDb::from_bytes(bytes).unwrap()
}

/// trivy's `requirements.txt` fixture: Flask 2.0.0, Werkzeug 0.11 and friends.
pub(crate) fn requirements() -> Inventory {
    let path = qm_testdata::data_path(
        "fixtures/trivy/integration/testdata/fixtures/repo/pip/requirements.txt",
    );
    let bytes = fs_err::read(&path).unwrap();
    qm_catalog::catalog_lockfile("requirements.txt", "requirements.txt", &bytes).unwrap()
}

/// `inventory` with `name`'s version set to `version`.
pub(crate) fn with_version(mut inventory: Inventory, name: &str, version: &str) -> Inventory {
    let mut found = false;
    for package in &mut inventory.packages {
        if package.name == name {
            package.purl = package
                .purl
                .replace(&format!("@{}", package.version), &format!("@{version}"));
            package.version = version.to_owned();
            found = true;
        }
    }
    assert!(found, "no {name} in the inventory");
    inventory
}

/// A Debian 12 image holding `libssl3` and `openssl` built from source `openssl` at `version`.
pub(crate) fn debian_image(digest: &str, openssl: &str, distro: bool) -> Inventory {
    let package = |name: &str| Package {
        name: name.to_owned(),
        version: openssl.to_owned(),
        ecosystem: Ecosystem::Debian,
        purl: format!("pkg:deb/debian/{name}@{openssl}?arch=amd64"),
        source: Some(SourcePackage {
            name: "openssl".to_owned(),
            version: Some(openssl.to_owned()),
        }),
        locations: vec!["/var/lib/dpkg/status".to_owned()],
        found_by: "dpkg".to_owned(),
        dev: false,
        arch: Some("amd64".to_owned()),
        layer: Some("sha256:1111".to_owned()),
    };
    Inventory {
        target: TargetInfo {
            name: "docker-archive:debian.tar".to_owned(),
            kind: TargetKind::DockerArchive,
            digest: Some(digest.to_owned()),
            manifest_digest: None,
            tags: vec!["debian:12".to_owned()],
            platform: Some("linux/amd64".to_owned()),
            layers: Vec::new(),
        },
        distro: distro.then(|| Distro {
            id: "debian".to_owned(),
            version_id: Some("12".to_owned()),
            codename: Some("bookworm".to_owned()),
            pretty_name: None,
            id_like: Vec::new(),
        }),
        packages: vec![package("libssl3"), package("openssl")],
        warnings: Vec::new(),
    }
}

/// Adds `inventory` as target `name`, without labels; what the add did.
pub(crate) fn add(
    store: &mut dyn Store,
    name: &str,
    inventory: &Inventory,
    matcher: &FleetMatcher<'_>,
) -> AddOutcome {
    store
        .add(
            &NewRevision {
                name,
                labels: None,
                inventory,
            },
            matcher,
        )
        .unwrap()
}

pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect::<BTreeMap<_, _>>()
}

/// A store engine for one test.
pub(crate) enum Engine {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Engine {
    pub(crate) fn sqlite() -> Engine {
        Engine::Sqlite(tempfile::tempdir().unwrap())
    }

    /// `None` when no PostgreSQL server can be had (and `QM_REQUIRE_TOOLS` is not set).
    pub(crate) fn postgres() -> Option<Engine> {
        postgres_database().map(Engine::Postgres)
    }

    pub(crate) fn location(&self) -> StoreLocation {
        match self {
            Engine::Sqlite(dir) => StoreLocation::Sqlite(dir.path().join("fleet.db")),
            Engine::Postgres(database) => StoreLocation::Postgres(database.url().to_owned()),
        }
    }

    pub(crate) fn location_text(&self) -> String {
        match self {
            Engine::Sqlite(dir) => format!("sqlite://{}", dir.path().join("fleet.db").display()),
            Engine::Postgres(database) => database.url().to_owned(),
        }
    }

    pub(crate) fn open(&self) -> Box<dyn Store> {
        qm_fleet::open(&self.location()).unwrap()
    }

    /// Writes `version` into the store's `schema_version`, behind the store's back.
    pub(crate) fn set_schema_version(&self, version: i64) {
        match self {
            Engine::Sqlite(dir) => {
                let connection = rusqlite::Connection::open(dir.path().join("fleet.db")).unwrap();
                connection
                    .execute("UPDATE schema_version SET version = ?1", [version])
                    .unwrap();
            }
            Engine::Postgres(database) => {
                let mut client =
                    postgres::Client::connect(database.url(), postgres::NoTls).unwrap();
                client
                    .execute("UPDATE schema_version SET version = $1", &[&version])
                    .unwrap();
            }
        }
    }

    pub(crate) fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Engine::Sqlite(dir) => Some(dir.path()),
            Engine::Postgres(_) => None,
        }
    }
}

/// Declares each scenario twice: `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::common::Engine::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    match super::common::Engine::postgres() {
                        Some(engine) => super::$name(&engine),
                        None => eprintln!("skipped: no PostgreSQL server"),
                    }
                }
            )*
        }
    };
}
