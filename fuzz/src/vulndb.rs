//! What the `qm-vulndb` targets (`fuzz_feed`, `fuzz_db`, `fuzz_bundle`) share: fixed
//! advisories and keys, edits driven by the fuzz input, and the checks a database must pass.
//!
//! Two levels of checks:
//! - [`check_written`], for a database [`write_db`] produced from advisories: it opens, and
//!   every reader answers exactly what was written ([`as_stored`] says how the file normalises
//!   values); writing what was read gives the same bytes again.
//! - [`check_readers`], for any database that opens (a crafted file may pass the checksum):
//!   every reader either answers or fails with [`DbError::Corrupt`], never panics, and what it
//!   answers is consistent (counts, indices, the key a lookup was asked for).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, CvssVersion, DistroStatus, Ecosystem, Event,
    PackageKey, PackageName, Range, RangeKind, Rating, Reference, Severity, Timestamp,
};
use qm_vulndb::{BundleInfo, DbError, DbMetadata, SigningKey, SourceInfo, VulnDb, write_db};

/// The key that signs every bundle the targets make: RFC 8032's first test vector, the same
/// test key `qm-vulndb`'s own tests use. Never trust it outside tests.
pub const TEST_SIGNING_KEY: &str =
    "qm-signing-key-v1\n9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n";

/// A second key (RFC 8032's second test vector) that signs nothing: a bundle must never verify
/// under it alone.
pub const OTHER_SIGNING_KEY: &str =
    "qm-signing-key-v1\n4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb\n";

/// [`TEST_SIGNING_KEY`], parsed.
pub fn signing_key() -> &'static SigningKey {
    static KEY: LazyLock<SigningKey> = LazyLock::new(|| parse_key(TEST_SIGNING_KEY));
    &KEY
}

/// [`OTHER_SIGNING_KEY`], parsed.
pub fn other_signing_key() -> &'static SigningKey {
    static KEY: LazyLock<SigningKey> = LazyLock::new(|| parse_key(OTHER_SIGNING_KEY));
    &KEY
}

fn parse_key(text: &str) -> SigningKey {
    match SigningKey::parse(text) {
        Ok(key) => key,
        Err(error) => panic!("the fixed test key does not parse: {error}"),
    }
}

fn time(text: &str) -> Timestamp {
    match text.parse() {
        Ok(time) => time,
        Err(error) => panic!("fixture time {text:?}: {error}"),
    }
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

fn range(kind: RangeKind, repo: Option<&str>, events: Vec<Event>) -> Range {
    Range {
        kind,
        repo: repo.map(str::to_owned),
        events,
    }
}

/// A few advisories that use every field and every tag of the record encoding: both severity
/// kinds and all CVSS versions, timestamps before and after 1970, all range kinds and event
/// kinds, distribution statuses, per-package severities, keys with and without a release, a key
/// and an alias shared by two advisories, and non-ASCII text.
pub fn fixture_advisories() -> Vec<Advisory> {
    let shared_key = PackageKey::new(Ecosystem::CratesIo, None, "Serde_JSON");
    vec![
        Advisory {
            id: "RUSTSEC-2024-0001".to_owned(),
            source: "rustsec".to_owned(),
            aliases: strings(&["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"]),
            related: strings(&["CVE-2023-9999"]),
            summary: Some("Überlauf in `serde_json`".to_owned()),
            details: Some("Line one.\nLine two.".to_owned()),
            severities: vec![
                Severity::Cvss {
                    version: CvssVersion::V3_1,
                    vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned(),
                    score: 9.8,
                    rating: Rating::Critical,
                },
                Severity::Cvss {
                    version: CvssVersion::V2,
                    vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P".to_owned(),
                    score: 7.5,
                    rating: Rating::High,
                },
            ],
            published: Some(time("2024-01-02T03:04:05Z")),
            modified: Some(time("2024-02-03T04:05:06Z")),
            informational: None,
            withdrawn: None,
            references: vec![Reference {
                kind: "ADVISORY".to_owned(),
                url: "https://rustsec.org/advisories/RUSTSEC-2024-0001".to_owned(),
            }],
            affected: vec![AffectedPackage {
                package: shared_key.clone(),
                purl: Some("pkg:cargo/serde_json".to_owned()),
                ranges: AffectedRanges {
                    ranges: vec![
                        range(
                            RangeKind::SemVer,
                            None,
                            vec![
                                Event::Introduced("0.0.0-0".to_owned()),
                                Event::Fixed("1.0.1".to_owned()),
                            ],
                        ),
                        range(
                            RangeKind::Git,
                            Some("https://github.com/serde-rs/json"),
                            vec![
                                Event::Introduced("0".to_owned()),
                                Event::LastAffected("deadbeef".to_owned()),
                                Event::Limit("cafebabe".to_owned()),
                            ],
                        ),
                    ],
                    versions: strings(&["1.0.0"]),
                },
                status: None,
                severity: None,
            }],
        },
        Advisory {
            id: "GHSA-aaaa-bbbb-cccc".to_owned(),
            source: "osv".to_owned(),
            aliases: strings(&["CVE-2024-0001"]),
            related: Vec::new(),
            summary: None,
            details: None,
            severities: vec![
                Severity::Cvss {
                    version: CvssVersion::V4_0,
                    vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
                        .to_owned(),
                    score: 9.3,
                    rating: Rating::Critical,
                },
                Severity::Cvss {
                    version: CvssVersion::V3_0,
                    vector: "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N".to_owned(),
                    score: 0.0,
                    rating: Rating::None,
                },
                Severity::Rating {
                    source: "ghsa".to_owned(),
                    rating: Rating::Medium,
                    label: "MODERATE".to_owned(),
                },
            ],
            published: Some(time("1969-07-20T20:17:40Z")),
            modified: None,
            informational: Some("unsound".to_owned()),
            withdrawn: Some(time("2024-03-01T00:00:00Z")),
            references: Vec::new(),
            affected: vec![
                AffectedPackage {
                    package: shared_key,
                    purl: None,
                    ranges: AffectedRanges {
                        ranges: vec![range(
                            RangeKind::Unknown("CUSTOM".to_owned()),
                            None,
                            vec![Event::Introduced("1.2".to_owned())],
                        )],
                        versions: Vec::new(),
                    },
                    status: None,
                    severity: Some(Severity::Rating {
                        source: "osv".to_owned(),
                        rating: Rating::Unknown,
                        label: String::new(),
                    }),
                },
                AffectedPackage {
                    package: PackageKey::new(Ecosystem::PyPI, None, "Foo_Bar.baz"),
                    purl: None,
                    ranges: AffectedRanges::introduced_fixed("0", Some("2.0")),
                    status: None,
                    severity: None,
                },
            ],
        },
        Advisory {
            id: "CVE-2023-0002".to_owned(),
            source: "debian-tracker".to_owned(),
            aliases: Vec::new(),
            related: Vec::new(),
            summary: Some("openssl: a flaw".to_owned()),
            details: None,
            severities: Vec::new(),
            published: None,
            modified: Some(time("2023-05-06T07:08:09Z")),
            informational: None,
            withdrawn: None,
            references: vec![Reference {
                kind: "WEB".to_owned(),
                url: "https://security-tracker.debian.org/tracker/CVE-2023-0002".to_owned(),
            }],
            affected: [
                ("bookworm", DistroStatus::Fixed, Some("3.0.9-1")),
                ("bullseye", DistroStatus::NoDsa, None),
                ("sid", DistroStatus::NotAffected, None),
                ("buster", DistroStatus::Unfixed, None),
                ("stretch", DistroStatus::Postponed, None),
                ("jessie", DistroStatus::Ignored, None),
                ("wheezy", DistroStatus::EndOfLife, None),
                ("squeeze", DistroStatus::Unimportant, None),
                ("trixie", DistroStatus::Undetermined, None),
            ]
            .into_iter()
            .map(|(release, status, fixed)| AffectedPackage {
                package: PackageKey::new(Ecosystem::Debian, Some(release), "openssl"),
                purl: None,
                ranges: AffectedRanges::introduced_fixed("0", fixed),
                status: Some(status),
                severity: Some(Severity::Rating {
                    source: "debian".to_owned(),
                    rating: Rating::Low,
                    label: "low".to_owned(),
                }),
            })
            .collect(),
        },
        Advisory {
            id: "ALPINE-CVE-2022-1".to_owned(),
            source: "alpine-secdb".to_owned(),
            aliases: strings(&["cve-2024-0001"]),
            related: Vec::new(),
            summary: None,
            details: None,
            severities: Vec::new(),
            published: None,
            modified: None,
            informational: None,
            withdrawn: None,
            references: Vec::new(),
            affected: vec![
                AffectedPackage {
                    package: PackageKey::new(Ecosystem::Alpine, Some("v3.18"), "musl"),
                    purl: None,
                    ranges: AffectedRanges::introduced_fixed("0", Some("1.2.4-r1")),
                    status: Some(DistroStatus::Fixed),
                    severity: None,
                },
                AffectedPackage {
                    package: PackageKey::new(Ecosystem::Other("Hackage".into()), None, "aeson"),
                    purl: None,
                    ranges: AffectedRanges::default(),
                    status: None,
                    severity: None,
                },
            ],
        },
        // An advisory without affected entries: found by id, never by a lookup.
        Advisory {
            id: "GO-2024-0003".to_owned(),
            source: "osv".to_owned(),
            aliases: Vec::new(),
            related: Vec::new(),
            summary: None,
            details: None,
            severities: Vec::new(),
            published: None,
            modified: Some(time("2024-12-31T23:59:59Z")),
            informational: None,
            withdrawn: None,
            references: Vec::new(),
            affected: Vec::new(),
        },
    ]
}

/// The metadata a database of `advisories` gets: one source per `source` name, in order of
/// first appearance, with its count and newest modification time; built at a fixed time.
pub fn metadata_for(advisories: &[Advisory]) -> DbMetadata {
    let mut sources: Vec<SourceInfo> = Vec::new();
    for advisory in advisories {
        let index = match sources
            .iter()
            .position(|source| source.name == advisory.source)
        {
            Some(index) => index,
            None => {
                sources.push(SourceInfo {
                    name: advisory.source.clone(),
                    location: format!("fuzz://{}", advisory.source),
                    records: 0,
                    newest: None,
                });
                sources.len() - 1
            }
        };
        if let Some(source) = sources.get_mut(index) {
            source.records += 1;
            source.newest = source.newest.max(advisory.modified);
        }
    }
    DbMetadata {
        built: time("2025-06-01T12:00:00Z"),
        sources,
    }
}

/// `write_db`'s output for `advisories` and `metadata`; panics if it fails.
pub fn write(advisories: &[Advisory], metadata: &DbMetadata) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Err(error) = write_db(advisories, metadata, &mut bytes) {
        panic!(
            "write_db failed on {} advisories: {error}",
            advisories.len()
        );
    }
    bytes
}

/// The database of [`fixture_advisories`], with [`metadata_for`] them.
pub fn fixture_db() -> &'static [u8] {
    static DB: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let advisories = fixture_advisories();
        write(&advisories, &metadata_for(&advisories))
    });
    &DB
}

/// What a bundle of a database with `metadata` says about it, created at a fixed time.
pub fn bundle_info(metadata: &DbMetadata) -> BundleInfo {
    BundleInfo {
        created: time("2025-06-02T00:00:00Z"),
        db_built: metadata.built,
        db_schema: 1,
        sources: metadata.sources.clone(),
    }
}

/// A timestamp as the database stores it: to the second.
fn stored_time(time: Option<Timestamp>) -> Option<Timestamp> {
    time.map(|time| Timestamp::from_unix_seconds(time.unix_seconds()).unwrap_or(time))
}

/// A key as the database reads it back: the ecosystem parsed from its name, the name normalised
/// again for that ecosystem, the release as written. `None` when the ecosystem's name does not
/// parse (an empty name), which the database cannot read back.
pub fn stored_key(key: &PackageKey) -> Option<PackageKey> {
    let ecosystem: Ecosystem = key.ecosystem.as_str().parse().ok()?;
    let name = PackageName::new(&ecosystem, key.name.as_str());
    Some(PackageKey {
        ecosystem,
        release: key.release.clone(),
        name,
    })
}

/// `advisory` as the database gives it back (see `db/mod.rs`'s "Surprises"): timestamps to the
/// second, keys as [`stored_key`] reads them. `Err` names a key the database cannot store.
pub fn as_stored(advisory: &Advisory) -> Result<Advisory, String> {
    let mut stored = advisory.clone();
    stored.published = stored_time(stored.published);
    stored.modified = stored_time(stored.modified);
    stored.withdrawn = stored_time(stored.withdrawn);
    for affected in &mut stored.affected {
        affected.package = stored_key(&affected.package).ok_or_else(|| {
            format!(
                "{}: key {:?} has an ecosystem name that does not parse",
                advisory.id, affected.package
            )
        })?;
    }
    Ok(stored)
}

/// `metadata` as the database gives it back: times to the second.
pub fn metadata_as_stored(metadata: &DbMetadata) -> DbMetadata {
    DbMetadata {
        built: stored_time(Some(metadata.built)).unwrap_or(metadata.built),
        sources: metadata
            .sources
            .iter()
            .map(|source| SourceInfo {
                newest: stored_time(source.newest),
                ..source.clone()
            })
            .collect(),
    }
}

/// Equality that also holds for NaN CVSS scores, which the file stores bit for bit:
/// `Debug` prints every field, and NaN as `NaN`.
pub fn same<T: PartialEq + std::fmt::Debug>(a: &T, b: &T) -> bool {
    a == b || format!("{a:?}") == format!("{b:?}")
}

fn open(bytes: Vec<u8>, what: &str) -> VulnDb {
    match VulnDb::from_bytes(bytes) {
        Ok(db) => db,
        Err(error) => panic!("{what} does not open: {error}"),
    }
}

/// Writes `advisories` and `metadata` with [`write_db`], opens the file and checks that every
/// reader answers exactly what was written, as [`as_stored`]:
/// - the metadata and the counts; `advisories()` in order, each equal to its input;
/// - `keys()` are exactly the affected entries' keys, each once; `lookup` of each gives exactly
///   the entries with that key, in advisory order, with the right advisory;
/// - `find` of every id and alias, in any ASCII case, gives exactly the advisories that carry
///   it, in order;
/// - writing is deterministic, and writing what was read gives the same bytes.
///
/// Every key must already be as the database reads it back ([`stored_key`]), or lookups by
/// the read keys could not find it; the caller checks that first. Returns the file.
pub fn check_written(advisories: &[Advisory], metadata: &DbMetadata) -> Vec<u8> {
    let expected: Vec<Advisory> = advisories
        .iter()
        .map(|advisory| as_stored(advisory).unwrap_or_else(|reason| panic!("{reason}")))
        .collect();
    for advisory in advisories {
        for affected in &advisory.affected {
            assert_eq!(
                stored_key(&affected.package).as_ref(),
                Some(&affected.package),
                "{}: check_written needs keys in their stored form",
                advisory.id
            );
        }
    }
    let bytes = write(advisories, metadata);
    assert!(
        bytes == write(advisories, metadata),
        "write_db is not deterministic"
    );
    let db = open(bytes.clone(), "a database write_db wrote");

    assert_eq!(
        *db.metadata(),
        metadata_as_stored(metadata),
        "metadata round trip"
    );
    assert_eq!(db.advisory_count(), advisories.len(), "advisory_count");
    assert_eq!(db.size(), bytes.len() as u64, "size");
    let read: Vec<Advisory> = db
        .advisories()
        .enumerate()
        .map(|(index, advisory)| {
            advisory.unwrap_or_else(|error| panic!("advisory {index} does not read: {error}"))
        })
        .collect();
    assert_eq!(read.len(), expected.len(), "advisories() count");
    for (index, (read, expected)) in read.iter().zip(&expected).enumerate() {
        assert!(
            same(read, expected),
            "advisory {index} reads back differently:\n read: {read:?}\nwrote: {expected:?}"
        );
    }

    let keys: Vec<PackageKey> = db
        .keys()
        .map(|key| key.unwrap_or_else(|error| panic!("a key does not read: {error}")))
        .collect();
    let key_set: BTreeSet<&PackageKey> = keys.iter().collect();
    let expected_keys: BTreeSet<&PackageKey> = expected
        .iter()
        .flat_map(|advisory| &advisory.affected)
        .map(|affected| &affected.package)
        .collect();
    assert_eq!(keys.len(), key_set.len(), "keys() repeats a key");
    assert_eq!(
        key_set, expected_keys,
        "keys() is not the set of affected keys"
    );
    assert_eq!(db.package_count(), keys.len(), "package_count");
    for key in &keys {
        let found = db
            .lookup(key)
            .unwrap_or_else(|error| panic!("lookup({key}) fails: {error}"));
        let wanted: Vec<(usize, &AffectedPackage)> = expected
            .iter()
            .enumerate()
            .flat_map(|(index, advisory)| {
                advisory
                    .affected
                    .iter()
                    .filter(|affected| affected.package == *key)
                    .map(move |affected| (index, affected))
            })
            .collect();
        assert!(!found.is_empty(), "lookup({key}) of a listed key is empty");
        assert_eq!(found.len(), wanted.len(), "lookup({key}) entry count");
        for (entry, (index, affected)) in found.iter().zip(wanted) {
            assert_eq!(
                entry.advisory.index(),
                index,
                "lookup({key}) names the wrong advisory"
            );
            assert!(
                same(&entry.affected, affected),
                "lookup({key}) entry of advisory {index} differs:\nfound: {:?}\nwrote: {affected:?}",
                entry.affected
            );
            match db.advisory(entry.advisory) {
                Ok(advisory) => assert!(same(&advisory, &expected[index])),
                Err(error) => panic!("lookup({key}) names advisory {index}, which fails: {error}"),
            }
        }
    }

    for advisory in &expected {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            let wanted: Vec<usize> = expected
                .iter()
                .enumerate()
                .filter(|(_, other)| {
                    std::iter::once(&other.id)
                        .chain(&other.aliases)
                        .any(|other| other.eq_ignore_ascii_case(id))
                })
                .map(|(index, _)| index)
                .collect();
            for query in [id.clone(), id.to_ascii_uppercase(), id.to_ascii_lowercase()] {
                let found: Vec<usize> = db
                    .find(&query)
                    .unwrap_or_else(|error| panic!("find({query:?}) fails: {error}"))
                    .into_iter()
                    .map(|found| found.index())
                    .collect();
                assert_eq!(found, wanted, "find({query:?})");
            }
        }
    }

    let again = write(&read, db.metadata());
    assert!(
        again == bytes,
        "writing what was read gives other bytes ({} vs {})",
        again.len(),
        bytes.len()
    );
    bytes
}

/// Whether `error` is the error a bad value in an opened file must give.
fn is_corrupt(error: &DbError) -> bool {
    matches!(error, DbError::Corrupt { .. })
}

/// Exercises every reader of a database that opened, whatever its bytes, and checks what the
/// module docs promise even for a crafted file: no panic, each failure a
/// [`DbError::Corrupt`], `keys()` and `advisories()` as long as their counts, a lookup's
/// entries carrying the key asked for and naming advisories that exist, `find` naming
/// advisories that exist. Returns every advisory when all of them read.
pub fn check_readers(db: &VulnDb) -> Option<Vec<Advisory>> {
    let _ = (db.metadata(), db.schema_version(), db.size());
    let advisory_count = db.advisory_count();
    let check_error = |what: &str, error: &DbError| {
        assert!(
            is_corrupt(error),
            "{what} fails with a non-Corrupt error: {error:?}"
        );
    };
    let check_lookup = |key: &PackageKey| match db.lookup(key) {
        Ok(found) => {
            for entry in found {
                assert!(
                    entry.advisory.index() < advisory_count,
                    "lookup({key}) names advisory {} of {advisory_count}",
                    entry.advisory.index()
                );
                assert_eq!(
                    entry.affected.package, *key,
                    "lookup({key}) returns an entry of another key"
                );
                if let Err(error) = db.advisory(entry.advisory) {
                    check_error("advisory() of a lookup's entry", &error);
                }
            }
        }
        Err(error) => check_error("lookup", &error),
    };
    let check_find = |id: &str| match db.find(id) {
        Ok(found) => {
            let indexes: Vec<usize> = found.iter().map(|found| found.index()).collect();
            assert!(
                indexes.iter().all(|index| *index < advisory_count),
                "find({id:?}) names advisories past the last: {indexes:?}"
            );
        }
        Err(error) => check_error("find", &error),
    };

    let keys: Vec<Result<PackageKey, DbError>> = db.keys().collect();
    assert_eq!(keys.len(), db.package_count(), "keys() count");
    for key in &keys {
        match key {
            Ok(key) => check_lookup(key),
            Err(error) => check_error("keys()", error),
        }
    }

    let mut all = Some(Vec::with_capacity(advisory_count));
    let mut count = 0;
    for advisory in db.advisories() {
        count += 1;
        match advisory {
            Ok(advisory) => {
                for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
                    check_find(id);
                }
                for affected in &advisory.affected {
                    check_lookup(&affected.package);
                }
                if let Some(all) = &mut all {
                    all.push(advisory);
                }
            }
            Err(error) => {
                check_error("advisories()", &error);
                all = None;
            }
        }
    }
    assert_eq!(count, advisory_count, "advisories() count");
    check_find("");
    check_lookup(&PackageKey::new(Ecosystem::Npm, None, "absent"));
    all
}

/// Applies XOR edits to `bytes`: each three bytes of `edits` are a position (u16, little
/// endian, modulo the length) and the byte to XOR there. The length never changes.
pub fn xor_edits(bytes: &mut [u8], edits: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    for edit in edits.chunks_exact(3) {
        let position = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
        if let Some(byte) = bytes.get_mut(position) {
            *byte ^= edit[2];
        }
    }
}

/// Applies edits that may change the length: each four bytes of `edits` are an operation
/// (its value modulo 6), a position (u16, little endian) and a value:
/// 0 XORs the byte at the position (modulo the length) with the value, 1 sets it to the value,
/// 2 inserts the value before the position (modulo the length plus one), 3 removes the byte at
/// the position, 4 truncates to the position (if shorter), 5 appends 4 × value zero bytes.
pub fn edits(mut bytes: Vec<u8>, edits: &[u8]) -> Vec<u8> {
    for edit in edits.chunks_exact(4) {
        let position = usize::from(u16::from_le_bytes([edit[1], edit[2]]));
        let value = edit[3];
        let len = bytes.len();
        match edit[0] % 6 {
            0 | 1 if len > 0 => {
                if let Some(byte) = bytes.get_mut(position % len) {
                    *byte = if edit[0] % 6 == 0 {
                        *byte ^ value
                    } else {
                        value
                    };
                }
            }
            2 => bytes.insert(position % (len + 1), value),
            3 if len > 0 => {
                bytes.remove(position % len);
            }
            4 => bytes.truncate(position),
            5 => bytes.resize(len + 4 * usize::from(value), 0),
            _ => {}
        }
    }
    bytes
}
