//! The fleet store at fleet scale: add rate, `affected` latency (p50/p99) and full re-match
//! time, on SQLite and (when a server can be had) PostgreSQL.
//!
//! The fleet is synthesised from a real inventory: the 392 Debian 12 source packages of
//! `advisories/debian-12-changelogs/manifest.tsv`, each image taking every package (90 % of
//! the time) at one of its real versions (the bookworm release, a security update, or a point
//! release update), chosen per image by a seeded hash. The database holds the Debian 12
//! advisories derived from the same packages' changelogs, so findings are real.
//!
//! `QM_BENCH_FLEET_IMAGES` sets the fleet size (default 1000; the figure is 10 000),
//! `QM_BENCH_FLEET_ENGINES` the engines (`sqlite,postgres`; PostgreSQL needs the server
//! `qm_fleet::testing` finds). After the report, criterion times single `affected` queries on
//! the SQLite fleet. `QM_BENCH_FLEET_DIR` keeps the SQLite store; `QM_BENCH_FLEET_QUERY_ONLY`
//! then times `affected` on it again without adding anything.

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "bench binary reports on stdout"
)]

use std::hint::black_box;
use std::io::Write;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use criterion::Criterion;
use qm_fleet::testing::{TestDatabase, postgres_database};
use qm_fleet::{
    AffectedQuery, FleetMatcher, JsonReportWriter, NewRevision, ReportBuilder, ReportOptions,
    Store, StoreLocation,
};
use qm_model::{
    Advisory, Distro, Ecosystem, Inventory, Package, Rating, SourcePackage, TargetInfo, TargetKind,
    Timestamp,
};
use qm_vulndb::{DbMetadata, VulnDb, write_db};
use sha2::{Digest as _, Sha256};

/// One row of the manifest: a source package, a binary of it, and its real versions.
struct Base {
    source: String,
    binary: String,
    arch: String,
    versions: Vec<String>,
}

fn manifest() -> Vec<Base> {
    let text = qm_testdata::read_text("advisories/debian-12-changelogs/manifest.tsv");
    let mut bases = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [source, security, release, updates, binary, _, arch, ..] = fields.as_slice() else {
            continue;
        };
        let mut versions: Vec<String> = [*release, *security, *updates]
            .into_iter()
            .filter(|version| !version.is_empty())
            .map(str::to_owned)
            .collect();
        versions.dedup();
        bases.push(Base {
            source: (*source).to_owned(),
            binary: (*binary).to_owned(),
            arch: (*arch).to_owned(),
            versions,
        });
    }
    assert!(bases.len() > 300, "the manifest is too short");
    bases
}

fn hash(image: usize, index: usize) -> u64 {
    let digest = Sha256::digest(format!("{image}/{index}").as_bytes());
    u64::from_le_bytes(digest[..8].try_into().unwrap())
}

/// Image `image` of the synthetic fleet.
fn image(bases: &[Base], image: usize) -> Inventory {
    let mut packages = Vec::new();
    for (index, base) in bases.iter().enumerate() {
        let roll = hash(image, index);
        if roll.is_multiple_of(10) {
            continue;
        }
        let version = &base.versions[usize::try_from(roll / 10).unwrap() % base.versions.len()];
        packages.push(Package {
            name: base.binary.clone(),
            version: version.clone(),
            ecosystem: Ecosystem::Debian,
            purl: format!(
                "pkg:deb/debian/{}@{}?arch={}&distro=debian-12",
                base.binary, version, base.arch
            ),
            source: Some(SourcePackage {
                name: base.source.clone(),
                version: Some(version.clone()),
            }),
            locations: vec!["/var/lib/dpkg/status".to_owned()],
            found_by: "dpkg".to_owned(),
            dev: false,
            arch: Some(base.arch.clone()),
            layer: Some(format!("sha256:{:064x}", index % 4)),
        });
    }
    Inventory {
        target: TargetInfo {
            name: format!("docker-archive:image-{image}.tar"),
            kind: TargetKind::DockerArchive,
            digest: Some(format!(
                "sha256:{}",
                hex::encode(Sha256::digest(image.to_le_bytes()))
            )),
            manifest_digest: None,
            tags: Vec::new(),
            platform: Some("linux/amd64".to_owned()),
            layers: Vec::new(),
        },
        distro: Some(Distro {
            id: "debian".to_owned(),
            version_id: Some("12".to_owned()),
            codename: Some("bookworm".to_owned()),
            pretty_name: None,
            id_like: Vec::new(),
        }),
        packages,
        warnings: Vec::new(),
    }
}

fn advisories() -> Vec<Advisory> {
    let ingested = qm_vulndb::ingest_path(&qm_testdata::data_path(
        "advisories/debian-12-changelogs/osv",
    ))
    .unwrap();
    ingested.advisories
}

fn database(advisories: &[Advisory]) -> VulnDb {
    let metadata = DbMetadata {
        built: "2026-01-01T00:00:00Z".parse().unwrap(),
        sources: Vec::new(),
    };
    let mut bytes = Vec::new();
    write_db(advisories, &metadata, &mut bytes).unwrap();
    VulnDb::from_bytes(bytes).unwrap()
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((last as f64) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// The queries `affected` is timed on: ids, aliases, names and package URLs.
fn queries(advisories: &[Advisory], bases: &[Base]) -> Vec<AffectedQuery> {
    let mut queries = Vec::new();
    for advisory in advisories.iter().step_by(37).take(60) {
        queries.push(AffectedQuery::parse(&advisory.id).unwrap());
        if let Some(alias) = advisory.aliases.first() {
            queries.push(AffectedQuery::parse(alias).unwrap());
        }
    }
    for base in bases.iter().step_by(13).take(30) {
        queries.push(AffectedQuery::parse(&base.source).unwrap());
        queries
            .push(AffectedQuery::parse(&format!("{}@{}", base.binary, base.versions[0])).unwrap());
        queries.push(AffectedQuery::parse(&format!("pkg:deb/debian/{}", base.binary)).unwrap());
    }
    queries
}

struct Report {
    engine: &'static str,
    images: usize,
    add_seconds: f64,
    affected_p50: Duration,
    affected_p99: Duration,
    rows_p50: usize,
    rematch_same: Duration,
    rematch_changed: Duration,
    changes: usize,
}

fn run(
    engine: &'static str,
    location: &StoreLocation,
    images: usize,
    bases: &[Base],
    all: &[Advisory],
) -> Report {
    // The fleet is added against a database missing a tenth of the advisories, so that the
    // re-match against the full one has real work to report.
    let partial: Vec<Advisory> = all
        .iter()
        .enumerate()
        .filter(|(index, _)| index % 10 != 0)
        .map(|(_, advisory)| advisory.clone())
        .collect();
    let partial_db = database(&partial);
    let full_db = database(all);
    let partial_matcher = FleetMatcher::new(&partial_db);
    let full_matcher = FleetMatcher::new(&full_db);

    let mut store = qm_fleet::open(location).unwrap();
    let started = Instant::now();
    let mut adding = Duration::ZERO;
    // `QM_BENCH_FLEET_QUERY_ONLY` times `affected` on a store kept from an earlier run
    // (`QM_BENCH_FLEET_DIR`) and stops there.
    let query_only = std::env::var_os("QM_BENCH_FLEET_QUERY_ONLY").is_some();
    let adding_images = if query_only { 0 } else { images };
    for index in 0..adding_images {
        let inventory = image(bases, index);
        let name = format!("image-{index}");
        let before = Instant::now();
        store
            .add(
                &NewRevision {
                    name: &name,
                    labels: None,
                    inventory: &inventory,
                },
                &partial_matcher,
            )
            .unwrap();
        adding += before.elapsed();
        if index % 1000 == 999 {
            println!(
                "  {engine}: {} images added in {:.1?}",
                index + 1,
                started.elapsed()
            );
        }
    }

    if std::env::var_os("QM_BENCH_FLEET_ONLY_ADD").is_some() {
        println!("  {engine}: {images} adds in {adding:.2?}");
        std::process::exit(0);
    }
    let queries = queries(all, bases);
    let mut times = Vec::new();
    let mut rows = Vec::new();
    let mut slowest: Vec<(Duration, String, usize)> = Vec::new();
    for _ in 0..3 {
        for query in &queries {
            let before = Instant::now();
            let found = store.affected(query).unwrap();
            let elapsed = before.elapsed();
            times.push(elapsed);
            let reached: usize = found.iter().map(|package| package.targets.len()).sum();
            rows.push(reached);
            slowest.push((elapsed, format!("{query:?}"), reached));
        }
    }
    // The process's peak resident memory over a pass of answers, each dropped before the
    // next (the allocator reuses what earlier passes freed, so this is the peak, not a sum).
    let resident = reset_peak_memory();
    for query in &queries {
        black_box(store.affected(query).unwrap());
    }
    println!(
        "  {engine}: affected: peak resident memory {} over a pass ({} before)",
        megabytes(peak_memory()),
        megabytes(resident),
    );
    slowest.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    for (elapsed, query, found) in slowest.iter().take(3) {
        println!(
            "  {engine}: slowest affected: {elapsed:.2?} for {query} ({found} package-targets)"
        );
    }
    times.sort();
    rows.sort_unstable();
    if query_only {
        println!(
            "  {engine}: affected p50 {:.2?}, p99 {:.2?} over {} queries",
            percentile(&times, 0.50),
            percentile(&times, 0.99),
            times.len()
        );
        std::process::exit(0);
    }

    let before = Instant::now();
    store.rematch(&partial_matcher).unwrap();
    let rematch_same = before.elapsed();
    let before = Instant::now();
    let report = store.rematch(&full_matcher).unwrap();
    let rematch_changed = before.elapsed();
    // Exposures are derived when asked for: one target's, then the whole fleet's report as
    // `qm fleet report -f json` writes it (every exposure, every severity), streamed.
    let before = Instant::now();
    let one = store
        .exposures(Some("image-0"), Rating::Unknown)
        .unwrap()
        .len();
    let exposures_one = before.elapsed();
    let baseline = reset_peak_memory();
    let before = Instant::now();
    let (exposures, json_bytes) = whole_report(store.as_mut());
    let report_time = before.elapsed();
    let peak = peak_memory();
    println!(
        "  {engine}: exposures: {one} in {exposures_one:.2?} for one target; the fleet's JSON \
         report: {exposures} exposures, {:.1} GB, in {report_time:.2?}, peak resident \
         memory {} ({} before)",
        json_bytes as f64 / 1e9,
        megabytes(peak),
        megabytes(baseline),
    );

    Report {
        engine,
        images,
        add_seconds: adding.as_secs_f64(),
        affected_p50: percentile(&times, 0.50),
        affected_p99: percentile(&times, 0.99),
        rows_p50: rows.get(rows.len() / 2).copied().unwrap_or_default(),
        rematch_same,
        rematch_changed,
        changes: report.changes.len(),
    }
}

/// The whole fleet's report as `qm fleet report -f json` writes it, into a sink that counts
/// bytes: the exposures and the bytes written.
fn whole_report(store: &mut dyn Store) -> (u64, u64) {
    let database = store.database().unwrap();
    let targets = store.list().unwrap();
    let builder = ReportBuilder::new(
        store.location(),
        database,
        Timestamp::now(),
        targets,
        ReportOptions::default(),
    );
    let mut json = JsonReportWriter::start(Counting::default(), builder).unwrap();
    let mut exposures = 0_u64;
    store
        .each_exposure(None, Rating::Unknown, &mut |exposure| {
            exposures += 1;
            json.add(exposure).unwrap();
            ControlFlow::Continue(())
        })
        .unwrap();
    let (sink, report) = json.finish().unwrap();
    assert_eq!(report.statistics.exposures, exposures);
    (exposures, sink.0)
}

/// A writer that keeps nothing but the count of bytes.
#[derive(Default)]
struct Counting(u64);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Resets the process's peak resident memory (Linux `clear_refs`) and returns the current
/// resident memory in bytes, so the next [`peak_memory`] is the peak since.
fn reset_peak_memory() -> u64 {
    let _ = fs_err::write("/proc/self/clear_refs", "5");
    status_field("VmRSS:")
}

/// The process's peak resident memory in bytes (0 where /proc has no answer).
fn peak_memory() -> u64 {
    status_field("VmHWM:")
}

fn status_field(name: &str) -> u64 {
    fs_err::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .map_or(0, |kib| kib * 1024)
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}

fn main() {
    let images: usize = std::env::var("QM_BENCH_FLEET_IMAGES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1000);
    let engines =
        std::env::var("QM_BENCH_FLEET_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    let bases = manifest();
    let all = advisories();
    println!(
        "fleet bench: {images} images of ~{} Debian 12 packages, {} advisories",
        bases.len() * 9 / 10,
        all.len()
    );
    // `QM_BENCH_FLEET_DIR` keeps the SQLite store for a look at it afterwards.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = match std::env::var_os("QM_BENCH_FLEET_DIR") {
        Some(kept) => StoreLocation::Sqlite(std::path::PathBuf::from(kept).join("fleet.db")),
        None => StoreLocation::Sqlite(dir.path().join("fleet.db")),
    };
    let mut reports = Vec::new();
    let mut _postgres: Option<TestDatabase> = None;
    for engine in engines.split(',') {
        match engine.trim() {
            "sqlite" => reports.push(run("sqlite", &sqlite, images, &bases, &all)),
            "postgres" => match postgres_database() {
                Some(database) => {
                    let location = StoreLocation::Postgres(database.url().to_owned());
                    reports.push(run("postgres", &location, images, &bases, &all));
                    _postgres = Some(database);
                }
                None => println!("postgres: no server, skipped"),
            },
            other => println!("{other}: unknown engine, skipped"),
        }
    }
    println!();
    println!(
        "{:<9} {:>7} {:>10} {:>12} {:>12} {:>9} {:>14} {:>16} {:>8}",
        "engine",
        "images",
        "adds/s",
        "affected p50",
        "affected p99",
        "hits p50",
        "rematch same",
        "rematch +10%",
        "changes"
    );
    for report in &reports {
        #[expect(clippy::cast_precision_loss, reason = "a rate for people")]
        let rate = report.images as f64 / report.add_seconds.max(f64::EPSILON);
        println!(
            "{:<9} {:>7} {:>10.0} {:>12.2?} {:>12.2?} {:>9} {:>14.2?} {:>16.2?} {:>8}",
            report.engine,
            report.images,
            rate,
            report.affected_p50,
            report.affected_p99,
            report.rows_p50,
            report.rematch_same,
            report.rematch_changed,
            report.changes
        );
    }

    // Single queries on the SQLite fleet, timed by criterion.
    if engines.contains("sqlite") {
        let mut store: Box<dyn Store> = qm_fleet::open(&sqlite).unwrap();
        let by_id = queries(&all, &bases).into_iter().next().unwrap();
        let by_name = AffectedQuery::parse(&bases[0].source).unwrap();
        let mut criterion = Criterion::default().configure_from_args();
        criterion.bench_function("affected/id", |b| {
            b.iter(|| black_box(store.affected(black_box(&by_id)).unwrap()));
        });
        criterion.bench_function("affected/name", |b| {
            b.iter(|| black_box(store.affected(black_box(&by_name)).unwrap()));
        });
        criterion.final_summary();
    }
}
