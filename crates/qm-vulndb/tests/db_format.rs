//! The compiled database file: round trips of hand-built and real advisories, lookups, the
//! errors for damaged files, and "never panics" properties over arbitrary and mutated bytes.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on broken setup")]

use std::collections::BTreeMap;

use proptest::prelude::*;
use qm_model::{
    Advisory, AffectedPackage, AffectedRanges, CvssVersion, DistroStatus, Ecosystem, Event,
    PackageKey, Range, RangeKind, Rating, Reference, Severity, Timestamp,
};
use qm_vulndb::{AdvisoryRef, DbError, DbMetadata, SourceInfo, VulnDb, write_db};

/// Header fields the tests reach into (see the layout table in `src/db/mod.rs`).
const HEADER_LEN: usize = 136;
const SCHEMA_AT: usize = 8;
const CHECKSUM_AT: usize = 24;
const ADVISORIES_AT: usize = 40;
/// Where the header lists the section lengths, and how many there are: the block checksums
/// are the second last, the records the last.
const SECTIONS_AT: usize = 56;
const SECTION_COUNT: usize = 10;
/// The records are checksummed in blocks of this size.
const RECORD_BLOCK: usize = 64 * 1024;

fn time(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn affected(key: PackageKey, ranges: AffectedRanges) -> AffectedPackage {
    AffectedPackage {
        package: key,
        purl: None,
        ranges,
        status: None,
        severity: None,
    }
}

/// Advisories that use every field and every variant of every enum between them.
fn sample() -> Vec<Advisory> {
    let statuses = [
        DistroStatus::Fixed,
        DistroStatus::NotAffected,
        DistroStatus::Unfixed,
        DistroStatus::NoDsa,
        DistroStatus::Postponed,
        DistroStatus::Ignored,
        DistroStatus::EndOfLife,
        DistroStatus::Unimportant,
        DistroStatus::Undetermined,
    ];
    let ratings = [
        Rating::Unknown,
        Rating::None,
        Rating::Low,
        Rating::Medium,
        Rating::High,
        Rating::Critical,
    ];
    let full = Advisory {
        id: "GHSA-abcd-efgh-ijkl".into(),
        source: "osv".into(),
        aliases: vec!["CVE-2024-0001".into(), "PYSEC-2024-1".into()],
        related: vec!["CVE-2023-9999".into()],
        summary: Some("Remote code execution in ünïcode".into()),
        details: Some("Long text\nwith lines and \u{1F600}.".into()),
        severities: vec![
            Severity::Cvss {
                version: CvssVersion::V2,
                vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(),
                score: 7.5,
                rating: Rating::High,
            },
            Severity::Cvss {
                version: CvssVersion::V3_0,
                vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                score: 9.8,
                rating: Rating::Critical,
            },
            Severity::Cvss {
                version: CvssVersion::V3_1,
                vector: "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N".into(),
                score: 0.0,
                rating: Rating::None,
            },
            Severity::Cvss {
                version: CvssVersion::V4_0,
                vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N".into(),
                score: 6.9,
                rating: Rating::Medium,
            },
            Severity::Rating {
                source: "ghsa".into(),
                rating: Rating::Low,
                label: "LOW".into(),
            },
            Severity::Rating {
                source: "debian".into(),
                rating: Rating::Unknown,
                label: "not yet assigned".into(),
            },
        ],
        published: Some(time("2024-01-02T03:04:05Z")),
        modified: Some(time("1969-07-20T20:17:40Z")),
        informational: Some("unmaintained".into()),
        withdrawn: Some(time("2024-02-01")),
        references: vec![
            Reference {
                kind: "ADVISORY".into(),
                url: "https://example.org/a".into(),
            },
            Reference {
                kind: "FIX".into(),
                url: "https://example.org/b".into(),
            },
        ],
        affected: vec![
            AffectedPackage {
                package: PackageKey::new(Ecosystem::PyPI, None, "Foo_Bar"),
                purl: Some("pkg:pypi/foo-bar".into()),
                ranges: AffectedRanges {
                    ranges: vec![
                        Range {
                            kind: RangeKind::Ecosystem,
                            repo: None,
                            events: vec![
                                Event::Introduced("0".into()),
                                Event::Fixed("1.2".into()),
                                Event::Introduced("2.0".into()),
                                Event::LastAffected("2.3".into()),
                            ],
                        },
                        Range {
                            kind: RangeKind::SemVer,
                            repo: None,
                            events: vec![
                                Event::Introduced("1.0.0".into()),
                                Event::Limit("*".into()),
                            ],
                        },
                        Range {
                            kind: RangeKind::Git,
                            repo: Some("https://github.com/foo/bar".into()),
                            events: vec![Event::Introduced("abc123".into())],
                        },
                        Range {
                            kind: RangeKind::Unknown("FUTURE_KIND".into()),
                            repo: None,
                            events: Vec::new(),
                        },
                    ],
                    versions: vec!["1.0".into(), "1.1".into()],
                },
                status: None,
                severity: Some(Severity::Rating {
                    source: "ghsa".into(),
                    rating: Rating::Critical,
                    label: "critical".into(),
                }),
            },
            // The same key twice in one advisory: both entries are found.
            affected(
                PackageKey::new(Ecosystem::PyPI, None, "foo-bar"),
                AffectedRanges::introduced_fixed("3.0", Some("3.1")),
            ),
            affected(
                PackageKey::new(Ecosystem::Other("Hackage".into()), None, "aeson"),
                AffectedRanges::default(),
            ),
        ],
    };
    let mut advisories = vec![full];
    // A Debian advisory per status (and per rating), on two releases and without a release.
    for (index, status) in statuses.into_iter().enumerate() {
        let release = ["bookworm", "11", "trixie"][index % 3];
        let rating = ratings[index % ratings.len()];
        advisories.push(Advisory {
            id: format!("CVE-2024-{index:04}"),
            source: "debian-tracker".into(),
            aliases: vec![format!("DSA-{index}-1")],
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
                    package: PackageKey::new(Ecosystem::Debian, Some(release), "openssl"),
                    purl: None,
                    ranges: AffectedRanges::introduced_fixed("0", Some("3.0.11-1~deb12u2")),
                    status: Some(status),
                    severity: Some(Severity::Rating {
                        source: "debian".into(),
                        rating,
                        label: rating.as_str().into(),
                    }),
                },
                affected(
                    PackageKey::new(Ecosystem::Debian, None, "openssl"),
                    AffectedRanges::introduced_fixed("0", None),
                ),
            ],
        });
    }
    // A bare advisory: every optional field empty, nothing affected.
    advisories.push(Advisory {
        id: "RUSTSEC-2024-0001".into(),
        source: "rustsec".into(),
        aliases: Vec::new(),
        related: Vec::new(),
        summary: None,
        details: None,
        severities: Vec::new(),
        published: None,
        modified: None,
        informational: None,
        withdrawn: None,
        references: Vec::new(),
        affected: Vec::new(),
    });
    advisories
}

fn metadata() -> DbMetadata {
    DbMetadata {
        built: time("2025-06-01T12:00:00Z"),
        sources: vec![
            SourceInfo {
                name: "osv".into(),
                location: "/mirror/osv".into(),
                records: 1,
                newest: Some(time("2024-01-02T03:04:05Z")),
            },
            SourceInfo {
                name: "debian-tracker".into(),
                location: "https://security-tracker.debian.org/tracker/data/json".into(),
                records: 9,
                newest: None,
            },
        ],
    }
}

fn build(advisories: &[Advisory], metadata: &DbMetadata) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_db(advisories, metadata, &mut bytes).unwrap();
    bytes
}

/// Where the block checksum and records sections start, by the header's section lengths, when
/// they fit the file.
fn record_sections(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut start = HEADER_LEN;
    let mut starts = [0; SECTION_COUNT];
    for (index, section) in starts.iter_mut().enumerate() {
        let at = SECTIONS_AT + 8 * index;
        let length = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        *section = start;
        start = start.checked_add(usize::try_from(length).ok()?)?;
    }
    (start <= bytes.len()).then_some((starts[SECTION_COUNT - 2], starts[SECTION_COUNT - 1]))
}

/// Replaces the block checksums and the header checksum with the ones the bytes have, as a
/// forger (or a bug) would. Without a layout that fits, the header checksum covers the body.
fn recompute_checksum(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let covered = match record_sections(bytes) {
        Some((sums, records)) => {
            let blocks: Vec<u64> = bytes[records..]
                .chunks(RECORD_BLOCK)
                .map(xxhash_rust::xxh3::xxh3_64)
                .collect();
            for (index, sum) in blocks.into_iter().enumerate() {
                let at = sums + 8 * index;
                if at + 8 <= records {
                    bytes[at..at + 8].copy_from_slice(&sum.to_le_bytes());
                }
            }
            records
        }
        None => bytes.len(),
    };
    // The header's fields after the checksum, then the tables.
    let mut hashed = bytes[CHECKSUM_AT + 8..HEADER_LEN].to_vec();
    hashed.extend_from_slice(&bytes[HEADER_LEN..covered]);
    let checksum = xxhash_rust::xxh3::xxh3_64(&hashed);
    bytes[CHECKSUM_AT..CHECKSUM_AT + 8].copy_from_slice(&checksum.to_le_bytes());
}

/// Every affected entry of `advisories`, grouped by key, as (advisory index, entry).
fn expected_lookups(
    advisories: &[Advisory],
) -> BTreeMap<PackageKey, Vec<(usize, AffectedPackage)>> {
    let mut expected: BTreeMap<PackageKey, Vec<(usize, AffectedPackage)>> = BTreeMap::new();
    for (index, advisory) in advisories.iter().enumerate() {
        for entry in &advisory.affected {
            expected
                .entry(entry.package.clone())
                .or_default()
                .push((index, entry.clone()));
        }
    }
    expected
}

/// Checks that `db` gives back exactly `advisories`: records, lookups, ids and aliases.
fn assert_round_trip(db: &VulnDb, advisories: &[Advisory]) {
    assert_eq!(db.advisory_count(), advisories.len());
    let read: Vec<Advisory> = db.advisories().collect::<Result<_, _>>().unwrap();
    for (read, written) in read.iter().zip(advisories) {
        assert_eq!(read, written, "{}", written.id);
    }
    let expected = expected_lookups(advisories);
    assert_eq!(db.package_count(), expected.len());
    let keys: Vec<PackageKey> = db.keys().collect::<Result<_, _>>().unwrap();
    assert_eq!(keys.len(), expected.len());
    for (key, entries) in &expected {
        let found = db.lookup(key).unwrap();
        let found: Vec<(usize, AffectedPackage)> = found
            .into_iter()
            .map(|entry| (entry.advisory.index(), entry.affected))
            .collect();
        assert_eq!(&found, entries, "{key}");
        let refs = db.entries(key).unwrap();
        assert_eq!(refs.len(), entries.len(), "{key}");
        let decoded: Vec<(usize, AffectedPackage)> = refs
            .map(|entry| (entry.advisory().index(), entry.affected().unwrap()))
            .collect();
        assert_eq!(&decoded, entries, "{key}");
    }
    for (index, advisory) in advisories.iter().enumerate() {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            let found = db.find(id).unwrap();
            assert!(
                found.iter().any(|found| found.index() == index),
                "{id} finds {found:?}, not advisory {index}"
            );
            // The records were compared above: check against the input, which is cheaper.
            for found in found {
                let record = &advisories[found.index()];
                assert!(
                    record.id.eq_ignore_ascii_case(id)
                        || record
                            .aliases
                            .iter()
                            .any(|alias| alias.eq_ignore_ascii_case(id)),
                    "{id} finds {}",
                    record.id
                );
            }
        }
    }
}

#[test]
fn hand_built_advisories_round_trip() {
    let advisories = sample();
    let db = VulnDb::from_bytes(build(&advisories, &metadata())).unwrap();
    assert_eq!(db.metadata(), &metadata());
    assert_eq!(db.schema_version(), 2);
    assert_round_trip(&db, &advisories);
}

#[test]
fn writing_is_deterministic() {
    let advisories = sample();
    assert_eq!(
        build(&advisories, &metadata()),
        build(&advisories, &metadata())
    );
}

#[test]
fn opening_a_file_maps_it_and_reads_the_same() {
    let advisories = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qm.db");
    let mut file = fs_err::File::create(&path).unwrap();
    write_db(&advisories, &metadata(), &mut file).unwrap();
    drop(file);
    let db = VulnDb::open(&path).unwrap();
    assert_eq!(db.metadata(), &metadata());
    assert_round_trip(&db, &advisories);
}

#[test]
fn lookups_match_the_release_exactly() {
    let db = VulnDb::from_bytes(build(&sample(), &metadata())).unwrap();
    let ids = |key: PackageKey| -> Vec<String> {
        db.lookup(&key)
            .unwrap()
            .into_iter()
            .map(|found| db.advisory(found.advisory).unwrap().id)
            .collect()
    };
    // `bookworm` normalises to `12`: statuses 0, 3 and 6 were written for it.
    let bookworm = ids(PackageKey::new(Ecosystem::Debian, Some("12"), "openssl"));
    assert_eq!(
        bookworm,
        ["CVE-2024-0000", "CVE-2024-0003", "CVE-2024-0006"]
    );
    assert_eq!(
        ids(PackageKey::new(
            Ecosystem::Debian,
            Some("bookworm"),
            "openssl"
        )),
        bookworm
    );
    assert_eq!(
        ids(PackageKey::new(Ecosystem::Debian, Some("13"), "openssl")),
        ["CVE-2024-0002", "CVE-2024-0005", "CVE-2024-0008"]
    );
    // Without a release, only the entries written without one.
    assert_eq!(
        ids(PackageKey::new(Ecosystem::Debian, None, "openssl")).len(),
        9
    );
    for absent in [
        PackageKey::new(Ecosystem::Debian, Some("10"), "openssl"),
        PackageKey::new(Ecosystem::Ubuntu, Some("12"), "openssl"),
        PackageKey::new(Ecosystem::Debian, Some("12"), "openssh"),
        PackageKey::new(Ecosystem::PyPI, None, "foo"),
        PackageKey::new(Ecosystem::PyPI, Some("12"), "foo-bar"),
    ] {
        assert!(db.lookup(&absent).unwrap().is_empty(), "{absent}");
    }
    // Names are normalised on both sides.
    let found = db
        .lookup(&PackageKey::new(Ecosystem::PyPI, None, "FOO.bar"))
        .unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|found| found.advisory.index() == 0));
}

#[test]
fn find_reads_ids_and_aliases_in_any_case() {
    let db = VulnDb::from_bytes(build(&sample(), &metadata())).unwrap();
    let cases: [(&str, &[usize]); 6] = [
        ("GHSA-abcd-efgh-ijkl", &[0]),
        ("ghsa-ABCD-efgh-ijkl", &[0]),
        ("CVE-2024-0001", &[0, 2]),
        ("pysec-2024-1", &[0]),
        ("DSA-4-1", &[5]),
        ("CVE-2023-9999", &[]), // `related` is not an alias
    ];
    for (id, expected) in cases {
        let found: Vec<usize> = db
            .find(id)
            .unwrap()
            .into_iter()
            .map(AdvisoryRef::index)
            .collect();
        assert_eq!(found, expected, "{id}");
    }
    assert!(db.find("").unwrap().is_empty());
    assert!(db.find("zzzz").unwrap().is_empty());
}

#[test]
fn an_empty_database_opens() {
    let metadata = DbMetadata {
        built: time("2025-01-01"),
        sources: Vec::new(),
    };
    let db = VulnDb::from_bytes(build(&[], &metadata)).unwrap();
    assert_eq!(db.advisory_count(), 0);
    assert_eq!(db.package_count(), 0);
    assert!(
        db.lookup(&PackageKey::new(Ecosystem::Npm, None, "x"))
            .unwrap()
            .is_empty()
    );
    assert!(db.find("CVE-1").unwrap().is_empty());
    assert_eq!(db.metadata(), &metadata);
}

#[test]
fn a_reference_from_another_database_is_an_error_not_a_panic() {
    let big = VulnDb::from_bytes(build(&sample(), &metadata())).unwrap();
    let small = VulnDb::from_bytes(build(&sample()[..1], &metadata())).unwrap();
    let last = *big.find("RUSTSEC-2024-0001").unwrap().first().unwrap();
    let error = small.advisory(last).unwrap_err();
    assert!(matches!(error, DbError::Corrupt { .. }), "{error:?}");
}

#[test]
fn databases_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<VulnDb>();
}

/// Opens `bytes` from a file named `qm.db`, returning the error and its message.
fn open_error(bytes: &[u8]) -> (DbError, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qm.db");
    fs_err::write(&path, bytes).unwrap();
    let error = VulnDb::open(&path).unwrap_err();
    let message = error
        .to_string()
        .replace(&dir.path().display().to_string(), "<dir>");
    (error, message)
}

#[test]
fn damaged_files_are_refused_with_clear_messages() {
    let valid = build(&sample(), &metadata());
    let mut newer = valid.clone();
    newer[SCHEMA_AT..SCHEMA_AT + 4].copy_from_slice(&3u32.to_le_bytes());
    let mut flipped = valid.clone();
    // A byte of the tables, which opening checks (the records are checked when read).
    let (sums, _) = record_sections(&valid).unwrap();
    flipped[(HEADER_LEN + sums) / 2] ^= 0x10;
    let mut header_count = valid.clone();
    header_count[ADVISORIES_AT] ^= 0x01;
    // The checksum covers the header's fields: past it, the count is checked against the
    // tables.
    let mut header_edit = header_count.clone();
    recompute_checksum(&mut header_count);
    // A build time moved (to pass a rollback check, say) changes no table, but the checksum.
    let mut built = valid.clone();
    built[CHECKSUM_AT + 8] ^= 0x01;
    let mut trailing = valid.clone();
    trailing.push(0);

    let end = valid.len();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "wrong magic",
            b"SQLite format 3\0 and more bytes".to_vec(),
            "`<dir>/qm.db` is not a Quartermaster vulnerability database: it does not start with `QMVULNDB`".into(),
        ),
        (
            "newer schema",
            newer,
            "the vulnerability database `<dir>/qm.db` has schema version 3, but this qm reads only version 2".into(),
        ),
        (
            "flipped byte",
            flipped,
            "the vulnerability database `<dir>/qm.db` is damaged: its content hashes to ".into(),
        ),
        (
            "truncated",
            valid[..end - 10].to_vec(),
            format!(
                "the vulnerability database `<dir>/qm.db` is truncated: it ends at byte {}, its header needs {end}",
                end - 10,
            ),
        ),
        (
            "truncated header",
            valid[..50].to_vec(),
            "the vulnerability database `<dir>/qm.db` is truncated: it ends at byte 50, its header needs 136".into(),
        ),
        (
            "truncated magic",
            valid[..5].to_vec(),
            "the vulnerability database `<dir>/qm.db` is truncated: it ends at byte 5, its header needs 136".into(),
        ),
        (
            "empty",
            Vec::new(),
            "the vulnerability database `<dir>/qm.db` is truncated: it ends at byte 0, its header needs 136".into(),
        ),
        (
            "trailing bytes",
            trailing,
            format!(
                "the vulnerability database `<dir>/qm.db` is corrupt at byte {end}: bad trailing bytes after the body"
            ),
        ),
        (
            "header count unchecksummed",
            std::mem::take(&mut header_edit),
            "the vulnerability database `<dir>/qm.db` is damaged: its content hashes to".into(),
        ),
        (
            "build time",
            built,
            "the vulnerability database `<dir>/qm.db` is damaged: its content hashes to".into(),
        ),
        (
            "header count",
            header_count,
            "the vulnerability database `<dir>/qm.db` is corrupt at byte 40: bad table entry count (it does not match the table length)".into(),
        ),
    ];
    for (name, bytes, expected) in cases {
        let (error, message) = open_error(&bytes);
        assert!(message.starts_with(&expected), "{name}: {message}");
        assert!(error.hint().is_some(), "{name}: no hint");
        let variant_matches = match name {
            "wrong magic" => matches!(error, DbError::BadMagic { .. }),
            "newer schema" => matches!(
                error,
                DbError::UnsupportedSchema {
                    found: 3,
                    supported: 2,
                    ..
                }
            ),
            "flipped byte" | "header count unchecksummed" | "build time" => {
                matches!(error, DbError::ChecksumMismatch { .. })
            }
            "truncated" | "truncated header" | "truncated magic" | "empty" => {
                matches!(error, DbError::Truncated { .. })
            }
            _ => matches!(error, DbError::Corrupt { .. }),
        };
        assert!(variant_matches, "{name}: {error:?}");
    }
}

#[test]
fn a_database_of_the_previous_schema_is_refused_with_a_hint_to_rebuild() {
    let mut old = build(&sample(), &metadata());
    old[SCHEMA_AT..SCHEMA_AT + 4].copy_from_slice(&1u32.to_le_bytes());
    let (error, message) = open_error(&old);
    assert!(
        matches!(
            error,
            DbError::UnsupportedSchema {
                found: 1,
                supported: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        message,
        "the vulnerability database `<dir>/qm.db` has schema version 1, but this qm reads only version 2"
    );
    assert!(error.hint().unwrap().contains("qm db update"));
}

/// Advisories enough for several blocks of records, each with its own id and key.
fn many_advisories() -> Vec<Advisory> {
    let mut advisories = Vec::new();
    for round in 0..400 {
        for mut advisory in sample() {
            advisory.id = format!("{}-{round}", advisory.id);
            for entry in &mut advisory.affected {
                entry.package = PackageKey::new(
                    entry.package.ecosystem.clone(),
                    entry.package.release.as_deref(),
                    &format!("{}-{round}", entry.package.name),
                );
            }
            advisories.push(advisory);
        }
    }
    advisories
}

#[test]
fn damaged_records_are_refused_when_their_block_is_read() {
    let advisories = many_advisories();
    let valid = build(&advisories, &metadata());
    let (_, records) = record_sections(&valid).unwrap();
    assert!(
        valid.len() - records > 3 * RECORD_BLOCK,
        "the test needs several blocks of records"
    );
    // A byte in the second block: opening does not read it.
    let damaged_at = records + RECORD_BLOCK + 100;
    let mut damaged = valid.clone();
    damaged[damaged_at] ^= 0x10;
    let db = VulnDb::from_bytes(damaged).unwrap();

    let mut good = 0;
    let mut bad = 0;
    for (read, advisory) in db.advisories().zip(&advisories) {
        match read {
            Ok(read) => {
                good += 1;
                assert_eq!(read, *advisory);
            }
            Err(error) => {
                bad += 1;
                let DbError::BlockChecksumMismatch { offset, .. } = error else {
                    panic!("{}: {error:?}", advisory.id);
                };
                assert_eq!(offset, (records + RECORD_BLOCK) as u64);
                assert!(
                    error
                        .to_string()
                        .contains(&format!("is damaged: its records at byte {offset} hash to")),
                    "{error}"
                );
                assert!(error.hint().unwrap().contains("qm db update"));
            }
        }
    }
    let mut refused_lookups = 0;
    for key in expected_lookups(&advisories).keys() {
        match db.lookup(key) {
            Ok(_) => {}
            Err(DbError::BlockChecksumMismatch { .. }) => refused_lookups += 1,
            Err(error) => panic!("{key}: {error:?}"),
        }
    }
    assert!(refused_lookups > 0);
    assert!(good > bad && bad > 0, "{good} read, {bad} refused");
    assert!(matches!(
        db.verify(),
        Err(DbError::BlockChecksumMismatch { .. })
    ));
    // Ids are in the tables, which opening checked.
    assert_eq!(db.find(&advisories[0].id).unwrap().len(), 1);

    let db = VulnDb::from_bytes(valid).unwrap();
    db.verify().unwrap();
    assert_round_trip(&db, &advisories);
}

#[test]
fn entries_give_the_advisories_of_a_key_and_nothing_for_an_absent_one() {
    let db = VulnDb::from_bytes(build(&sample(), &metadata())).unwrap();
    let absent = PackageKey::new(Ecosystem::PyPI, None, "not-there");
    assert_eq!(db.entries(&absent).unwrap().len(), 0);
    let present = PackageKey::new(Ecosystem::Debian, Some("12"), "openssl");
    let advisories: Vec<usize> = db
        .entries(&present)
        .unwrap()
        .map(|entry| entry.advisory().index())
        .collect();
    // The same advisories as a decoding lookup gives.
    assert_eq!(advisories, [1, 4, 7]);
    let decoded: Vec<usize> = db
        .lookup(&present)
        .unwrap()
        .iter()
        .map(|found| found.advisory.index())
        .collect();
    assert_eq!(decoded, advisories);
}

#[test]
fn a_missing_file_names_its_path_and_hints_at_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let error = VulnDb::open(&path).unwrap_err();
    assert!(matches!(error, DbError::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("absent.db"), "{error}");
    assert!(error.hint().unwrap().contains("qm db update"));
}

/// Calls every reader on `db`; any result is fine, a panic is not.
fn exercise(db: &VulnDb) {
    let _ = db.metadata();
    let keys: Vec<_> = db.keys().take(200).collect();
    for key in keys.into_iter().flatten() {
        for found in db.lookup(&key).into_iter().flatten() {
            let _ = db.advisory(found.advisory);
        }
    }
    for advisory in db.advisories().take(200).flatten() {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            let _ = db.find(id);
        }
    }
    let _ = db.lookup(&PackageKey::new(Ecosystem::Debian, Some("12"), "openssl"));
    let _ = db.find("CVE-2024-0001");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..400), fix_header in any::<bool>()) {
        // Half the time, give the garbage a valid-looking header so the checks go deeper.
        if fix_header && bytes.len() >= HEADER_LEN {
            bytes[..8].copy_from_slice(b"QMVULNDB");
            bytes[SCHEMA_AT..SCHEMA_AT + 4].copy_from_slice(&2u32.to_le_bytes());
            bytes[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
            let body = (bytes.len() - HEADER_LEN) as u64;
            bytes[16..24].copy_from_slice(&body.to_le_bytes());
            recompute_checksum(&mut bytes);
        }
        if let Ok(db) = VulnDb::from_bytes(bytes) {
            exercise(&db);
        }
    }

    #[test]
    fn mutated_files_with_a_recomputed_checksum_never_panic(
        mutations in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
    ) {
        let mut bytes = build(&sample(), &metadata());
        for (at, value) in mutations {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        recompute_checksum(&mut bytes);
        if let Ok(db) = VulnDb::from_bytes(bytes) {
            exercise(&db);
        }
    }
}

/// Drops sub-second parts, which the file does not keep.
fn to_seconds(timestamp: Option<Timestamp>) -> Option<Timestamp> {
    timestamp.and_then(|timestamp| Timestamp::from_unix_seconds(timestamp.unix_seconds()))
}

#[test]
fn real_advisories_round_trip() {
    let ingested = qm_vulndb::ingest_path(&qm_testdata::data_path("advisories")).unwrap();
    let mut advisories = ingested.advisories;
    for advisory in &mut advisories {
        advisory.published = to_seconds(advisory.published);
        advisory.modified = to_seconds(advisory.modified);
        advisory.withdrawn = to_seconds(advisory.withdrawn);
    }
    let metadata = DbMetadata {
        built: time("2025-06-01T00:00:00Z"),
        sources: ingested
            .report
            .sources
            .iter()
            .map(|(name, count)| SourceInfo {
                name: name.clone(),
                location: "advisories".into(),
                records: count.records,
                newest: None,
            })
            .collect(),
    };
    let db = VulnDb::from_bytes(build(&advisories, &metadata)).unwrap();
    assert_eq!(db.metadata(), &metadata);
    assert_round_trip(&db, &advisories);
}
