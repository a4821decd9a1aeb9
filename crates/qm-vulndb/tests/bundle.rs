//! Signed bundles end to end: keys, export, verification of honest and hostile bundles, and
//! installation, checking after every refusal that the installed database is byte-for-byte
//! what it was.
//!
//! The "database" is a real advisory file from the shared data: the bundle code never looks
//! inside it.

#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] functions fail the test loudly"
)]

use std::io::Read;
use std::path::{Path, PathBuf};

use qm_model::Timestamp;
use qm_vulndb::{
    BundleError, BundleInfo, BundleLimits, InstallOutcome, PublicKey, SigningKey, SourceInfo,
    VerifiedBundle, export_bundle, install_bundle, installed_manifest, verify_bundle,
};

const DB_FILE: &str = "advisories/pypa/vulns/lxml/PYSEC-2022-230.yaml";
const OTHER_DB_FILE: &str = "advisories/pypa/vulns/lxml/PYSEC-2018-12.yaml";
const BLOCK: usize = 512;

fn db_bytes(file: &str) -> Vec<u8> {
    qm_testdata::read_text(file).into_bytes()
}

fn time(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn info(created: &str) -> BundleInfo {
    BundleInfo {
        created: time(created),
        db_built: time("2025-06-01T11:58:00Z"),
        db_schema: 1,
        sources: vec![SourceInfo {
            name: "pypa".to_owned(),
            location: "https://github.com/pypa/advisory-database".to_owned(),
            records: 4211,
            newest: Some(time("2025-05-31T22:10:00Z")),
        }],
    }
}

fn bundle(db: &[u8], created: &str, key: &SigningKey) -> Vec<u8> {
    let mut out = Vec::new();
    export_bundle(db, &info(created), key, &mut out).unwrap();
    out
}

fn verify(bundle: &[u8], trusted: &[PublicKey]) -> Result<VerifiedBundle, BundleError> {
    verify_bundle(bundle, trusted, &BundleLimits::default())
}

/// A temporary directory with a database installed from a bundle created at `created`.
struct Installed {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    target: PathBuf,
    db: Vec<u8>,
    manifest: Vec<u8>,
}

impl Installed {
    fn new(key: &SigningKey, created: &str) -> Installed {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("qm.db");
        let verified = verify(
            &bundle(&db_bytes(OTHER_DB_FILE), created, key),
            &[key.public_key()],
        )
        .unwrap();
        let outcome = install_bundle(&verified, &target, None, false).unwrap();
        assert_eq!(outcome, InstallOutcome::Fresh);
        Installed {
            dir: dir.path().to_owned(),
            db: fs_err::read(&target).unwrap(),
            manifest: fs_err::read(dir.path().join("qm.db.manifest.json")).unwrap(),
            target,
            _dir: dir,
        }
    }

    /// Verifies and installs `bundle` the way `qm db import` does.
    fn import(
        &self,
        bundle: &[u8],
        trusted: &[PublicKey],
        force: bool,
    ) -> Result<InstallOutcome, BundleError> {
        let verified = verify(bundle, trusted)?;
        let installed = installed_manifest(&self.target)?.map(|manifest| manifest.created);
        install_bundle(&verified, &self.target, installed, force)
    }

    fn assert_untouched(&self) {
        assert_eq!(fs_err::read(&self.target).unwrap(), self.db);
        assert_eq!(
            fs_err::read(self.dir.join("qm.db.manifest.json")).unwrap(),
            self.manifest
        );
        assert_eq!(entries(&self.dir), ["qm.db", "qm.db.manifest.json"]);
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// One tar member as a hostile bundle might hold it.
struct Member {
    name: Vec<u8>,
    kind: tar::EntryType,
    data: Vec<u8>,
    /// A header size that differs from the data's.
    claimed_size: Option<u64>,
}

fn file(name: &str, data: &[u8]) -> Member {
    Member {
        name: name.as_bytes().to_vec(),
        kind: tar::EntryType::Regular,
        data: data.to_vec(),
        claimed_size: None,
    }
}

/// A ustar archive of `members`, headers written byte by byte (the `tar` crate's builder
/// refuses the hostile names these tests need), ended by two zero blocks.
fn archive(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    for member in members {
        let mut header = tar::Header::new_ustar();
        header.as_old_mut().name[..member.name.len()].copy_from_slice(&member.name);
        header.set_size(
            member
                .claimed_size
                .unwrap_or(u64::try_from(member.data.len()).unwrap()),
        );
        header.set_mode(0o644);
        header.set_entry_type(member.kind);
        if member.kind == tar::EntryType::Symlink || member.kind == tar::EntryType::Link {
            header.set_link_name("/etc/passwd").unwrap();
        }
        header.set_cksum();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&member.data);
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    out
}

/// The members of an honest bundle, in order: name, data offset, data.
fn members_of(bundle: &[u8]) -> Vec<(String, usize, Vec<u8>)> {
    let mut archive = tar::Archive::new(bundle);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
            let offset = usize::try_from(entry.raw_file_position()).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (name, offset, data)
        })
        .collect()
}

/// The three honest members of `bundle` as [`Member`]s, to rearrange.
fn honest_members(bundle: &[u8]) -> Vec<Member> {
    members_of(bundle)
        .into_iter()
        .map(|(name, _, data)| file(&name, &data))
        .collect()
}

#[test]
fn keys_round_trip_through_their_text_and_files() {
    let key = SigningKey::generate().unwrap();
    let again = SigningKey::parse(&key.to_text()).unwrap();
    assert_eq!(again.fingerprint(), key.fingerprint());
    assert_eq!(key.fingerprint().len(), 16);
    assert!(key.to_text().starts_with("qm-signing-key-v1\n"));

    let public = key.public_key().with_comment("build host 2025");
    let line = public.to_text();
    assert!(line.starts_with("qm-public-key-v1 "), "{line}");
    assert!(line.ends_with(" build host 2025\n"), "{line}");
    assert_eq!(PublicKey::parse(&line).unwrap(), public);
    assert_eq!(public.fingerprint(), key.fingerprint());

    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("qm.key");
    key.write_secret_key(&secret).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs_err::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        SigningKey::read_file(&secret).unwrap().fingerprint(),
        key.fingerprint()
    );
    let error = SigningKey::generate()
        .unwrap()
        .write_secret_key(&secret)
        .unwrap_err();
    assert!(matches!(error, BundleError::KeyExists { .. }), "{error}");
    assert_eq!(
        SigningKey::read_file(&secret).unwrap().fingerprint(),
        key.fingerprint()
    );

    let other = SigningKey::generate().unwrap().public_key();
    let trust = dir.path().join("trusted.pub");
    let text = format!(
        "# old key\n{}\n# new key\n{}",
        public.to_text(),
        other.to_text()
    );
    fs_err::write(&trust, text).unwrap();
    assert_eq!(
        PublicKey::read_trust_file(&trust).unwrap(),
        vec![public, other]
    );

    fs_err::write(&trust, "qm-public-key-v1 abc\n").unwrap();
    let error = PublicKey::read_trust_file(&trust).unwrap_err();
    assert!(
        matches!(error, BundleError::BadKeyFile { line: 1, .. }),
        "{error}"
    );
    let error = SigningKey::read_file(&trust).unwrap_err();
    assert!(
        error.to_string().contains("this is a public key"),
        "{error}"
    );
}

#[test]
fn export_verify_install_round_trip() {
    let key = SigningKey::generate().unwrap();
    let db = db_bytes(DB_FILE);
    let bytes = bundle(&db, "2025-06-01T12:00:00Z", &key);
    assert_eq!(
        bytes,
        bundle(&db, "2025-06-01T12:00:00Z", &key),
        "deterministic"
    );
    let names: Vec<String> = members_of(&bytes).into_iter().map(|m| m.0).collect();
    assert_eq!(names, ["manifest.json", "manifest.sig", "qm.db"]);

    let verified = verify(&bytes, &[key.public_key()]).unwrap();
    assert_eq!(verified.db_bytes(), db.as_slice());
    assert_eq!(verified.signer().fingerprint(), key.fingerprint());
    let manifest = verified.manifest();
    assert_eq!(manifest.format, "qm-bundle-v1");
    assert_eq!(manifest.created, time("2025-06-01T12:00:00Z"));
    assert_eq!(manifest.db.file, "qm.db");
    assert_eq!(manifest.db.size, u64::try_from(db.len()).unwrap());
    assert_eq!(manifest.db.sha256.len(), 64);
    assert_eq!(manifest.db.schema, 1);
    assert_eq!(manifest.db.built, time("2025-06-01T11:58:00Z"));
    assert_eq!(manifest.sources, info("2025-06-01T12:00:00Z").sources);
    assert_eq!(manifest.signer, key.fingerprint());

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("cache").join("qm.db");
    assert_eq!(installed_manifest(&target).unwrap(), None);
    let outcome = install_bundle(&verified, &target, None, false).unwrap();
    assert_eq!(outcome, InstallOutcome::Fresh);
    assert_eq!(fs_err::read(&target).unwrap(), db);
    let installed = installed_manifest(&target).unwrap().unwrap();
    assert_eq!(&installed, manifest);
    assert_eq!(
        entries(&target.with_file_name("")),
        ["qm.db", "qm.db.manifest.json"]
    );

    let newer = verify(
        &bundle(&db_bytes(OTHER_DB_FILE), "2025-06-02T12:00:00Z", &key),
        &[key.public_key()],
    )
    .unwrap();
    let outcome = install_bundle(&newer, &target, Some(installed.created), false).unwrap();
    assert_eq!(
        outcome,
        InstallOutcome::Upgraded {
            previous: time("2025-06-01T12:00:00Z")
        }
    );
    assert_eq!(fs_err::read(&target).unwrap(), db_bytes(OTHER_DB_FILE));
}

#[test]
fn tampered_db_byte_is_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    let (_, offset, data) = members_of(&honest).pop().unwrap();
    for index in [0, data.len() / 2, data.len() - 1] {
        let mut bytes = honest.clone();
        bytes[offset + index] ^= 0x01;
        let error = installed
            .import(&bytes, &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(error, BundleError::DigestMismatch { .. }),
            "{error}"
        );
        installed.assert_untouched();
    }

    // One byte more, header and data agreeing: the size no longer matches the manifest.
    let mut members = honest_members(&honest);
    members[2].data.push(b'\n');
    let error = installed
        .import(&archive(&members), &[key.public_key()], true)
        .unwrap_err();
    assert!(
        matches!(error, BundleError::SizeMismatch { expected, found } if found == expected + 1),
        "{error}"
    );
    installed.assert_untouched();
}

#[test]
fn tampered_manifest_or_signature_is_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    let members = members_of(&honest);

    // A forged record count, same length so the tar layout is unchanged.
    let (_, offset, manifest) = &members[0];
    let at = manifest
        .windows(4)
        .position(|window| window == b"4211")
        .unwrap();
    let mut bytes = honest.clone();
    bytes[offset + at] = b'9';
    // A signature with one bit flipped.
    let (_, signature_offset, _) = &members[1];
    let mut flipped = honest.clone();
    flipped[signature_offset + 10] = if flipped[signature_offset + 10] == b'0' {
        b'1'
    } else {
        b'0'
    };

    for bytes in [bytes, flipped] {
        let error = installed
            .import(&bytes, &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(&error, BundleError::BadSignature { trusted } if trusted == &[key.fingerprint()]),
            "{error}"
        );
        installed.assert_untouched();
    }

    let mut members = honest_members(&honest);
    members[1].data = b"not hex\n".to_vec();
    let error = installed
        .import(&archive(&members), &[key.public_key()], true)
        .unwrap_err();
    assert!(
        matches!(error, BundleError::MalformedSignature { .. }),
        "{error}"
    );
    installed.assert_untouched();
}

#[test]
fn every_truncation_of_a_small_bundle_is_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(b"a small database", "2025-06-02T00:00:00Z", &key);
    assert_eq!(
        honest.len(),
        8 * BLOCK,
        "three headers, three data blocks, two zero blocks"
    );
    for length in 0..honest.len() {
        let error = installed
            .import(&honest[..length], &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(error, BundleError::Truncated { .. }),
            "cut at {length}: {error}"
        );
        installed.assert_untouched();
    }
    assert!(verify(&honest, &[key.public_key()]).is_ok());
}

#[test]
fn unsigned_bundles_are_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);

    let mut without_signature = honest_members(&honest);
    without_signature.remove(1);
    let mut empty_signature = honest_members(&honest);
    empty_signature[1].data.clear();
    let mut manifest_only = honest_members(&honest);
    manifest_only.truncate(1);

    for members in [without_signature, empty_signature, manifest_only] {
        let error = installed
            .import(&archive(&members), &[key.public_key()], true)
            .unwrap_err();
        assert!(matches!(error, BundleError::Unsigned), "{error}");
        installed.assert_untouched();
    }
}

#[test]
fn bundle_signed_by_an_untrusted_key_is_rejected() {
    let trusted = SigningKey::generate().unwrap();
    let stranger = SigningKey::generate().unwrap();
    let installed = Installed::new(&trusted, "2025-06-01T00:00:00Z");
    let bytes = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &stranger);
    let error = installed
        .import(&bytes, &[trusted.public_key()], true)
        .unwrap_err();
    assert!(
        matches!(&error, BundleError::UntrustedSigner { fingerprint, trusted: list }
            if fingerprint == &stranger.fingerprint() && list == &[trusted.fingerprint()]),
        "{error}"
    );
    assert!(error.to_string().contains(&stranger.fingerprint()));
    installed.assert_untouched();

    let error = installed.import(&bytes, &[], true).unwrap_err();
    assert!(matches!(error, BundleError::NoTrustedKeys), "{error}");
    installed.assert_untouched();
}

#[test]
fn extra_duplicate_and_misplaced_members_are_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);

    let mut extra_at_end = honest_members(&honest);
    extra_at_end.push(file("notes.txt", b"hello"));
    let mut extra_between = honest_members(&honest);
    extra_between.insert(1, file("notes.txt", b"hello"));
    let mut duplicate_db = honest_members(&honest);
    duplicate_db.push(file("qm.db", b"a second database"));
    let mut duplicate_manifest = honest_members(&honest);
    let copy = file("manifest.json", &duplicate_manifest[0].data);
    duplicate_manifest.insert(1, copy);
    let mut db_first = honest_members(&honest);
    db_first.rotate_right(1);
    let mut no_db = honest_members(&honest);
    no_db.truncate(2);

    type Check = fn(&BundleError) -> bool;
    let cases: Vec<(&str, Vec<Member>, Check)> = vec![
        (
            "extra at end",
            extra_at_end,
            |error| matches!(error, BundleError::UnexpectedMember { name } if name == "notes.txt"),
        ),
        (
            "extra between",
            extra_between,
            |error| matches!(error, BundleError::UnexpectedMember { name } if name == "notes.txt"),
        ),
        (
            "duplicate db",
            duplicate_db,
            |error| matches!(error, BundleError::DuplicateMember { name } if name == "qm.db"),
        ),
        (
            "duplicate manifest",
            duplicate_manifest,
            |error| matches!(error, BundleError::DuplicateMember { name } if name == "manifest.json"),
        ),
        ("db first", db_first, |error| {
            matches!(error, BundleError::MisplacedMember { name, expected }
                if name == "qm.db" && expected == "manifest.json")
        }),
        (
            "no db",
            no_db,
            |error| matches!(error, BundleError::MissingMember { name } if name == "qm.db"),
        ),
    ];
    for (case, members, expected) in cases {
        let error = installed
            .import(&archive(&members), &[key.public_key()], true)
            .unwrap_err();
        assert!(expected(&error), "{case}: {error}");
        installed.assert_untouched();
    }
}

#[test]
fn member_paths_other_than_the_three_names_are_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    let cases: [(usize, &[u8], &str); 5] = [
        (2, b"../qm.db", "../qm.db"),
        (2, b"/var/lib/qm/qm.db", "/var/lib/qm/qm.db"),
        (2, b"dir/qm.db", "dir/qm.db"),
        (0, b"./manifest.json", "./manifest.json"),
        (2, b"qm.db\x1b[2J", "qm.db\\u{1b}[2J"),
    ];
    for (position, name, shown) in cases {
        let mut members = honest_members(&honest);
        members[position].name = name.to_vec();
        let error = installed
            .import(&archive(&members), &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(&error, BundleError::UnexpectedMember { name } if name == shown),
            "{shown}: {error}"
        );
        installed.assert_untouched();
    }
}

#[test]
fn links_and_extension_headers_are_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    let cases = [
        (tar::EntryType::Symlink, "symbolic link"),
        (tar::EntryType::Link, "hard link"),
        (tar::EntryType::Directory, "directory"),
        (tar::EntryType::XHeader, "PAX extension header"),
    ];
    for (kind, shown) in cases {
        let mut members = honest_members(&honest);
        members[2].kind = kind;
        if kind != tar::EntryType::XHeader {
            members[2].data.clear();
        }
        let error = installed
            .import(&archive(&members), &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(&error, BundleError::UnexpectedMemberType { name, kind } if name == "qm.db" && kind == shown),
            "{shown}: {error}"
        );
        installed.assert_untouched();
    }
}

#[test]
fn oversized_member_headers_are_rejected_before_reading() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    const GIB: u64 = 1024 * 1024 * 1024;

    // Headers claiming more than the limits, with no data behind them at all.
    let mut huge_db = honest_members(&honest);
    huge_db[2].claimed_size = Some(5 * GIB);
    huge_db[2].data.clear();
    let mut huge_manifest = honest_members(&honest);
    huge_manifest[0].claimed_size = Some(2 * 1024 * 1024);
    huge_manifest[0].data.clear();
    let mut huge_signature = honest_members(&honest);
    huge_signature[1].claimed_size = Some(1024);
    huge_signature[1].data.clear();

    let cases = [
        (huge_db, "qm.db", 4 * GIB),
        (huge_manifest, "manifest.json", 1024 * 1024),
        (huge_signature, "manifest.sig", 130),
    ];
    for (members, member_name, expected_limit) in cases {
        let error = installed
            .import(&archive(&members), &[key.public_key()], true)
            .unwrap_err();
        assert!(
            matches!(&error, BundleError::TooLarge { member, limit, .. }
                if member == member_name && *limit == expected_limit),
            "{member_name}: {error}"
        );
        installed.assert_untouched();
    }

    // A caller's tighter limit applies to an honest bundle too.
    let limits = BundleLimits {
        max_db: 100,
        ..BundleLimits::default()
    };
    let error = verify_bundle(honest.as_slice(), &[key.public_key()], &limits).unwrap_err();
    assert!(
        matches!(&error, BundleError::TooLarge { member, limit: 100, .. } if member == "qm.db"),
        "{error}"
    );
}

#[test]
fn corrupt_headers_and_trailing_data_are_rejected() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let honest = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);

    let mut bad_checksum = honest.clone();
    bad_checksum[0] = b'M';
    let mut trailing = honest.clone();
    trailing.extend_from_slice(b"PK\x03\x04 appended");
    let mut padded = honest.clone();
    padded.resize(padded.len() + 8 * BLOCK, 0);

    for bytes in [bad_checksum, trailing] {
        let error = installed
            .import(&bytes, &[key.public_key()], true)
            .unwrap_err();
        assert!(matches!(error, BundleError::Malformed { .. }), "{error}");
        installed.assert_untouched();
    }
    // Zero padding to a tar record is what `tar` itself writes, and fine.
    assert!(verify(&padded, &[key.public_key()]).is_ok());
}

#[test]
fn rollback_is_refused_unless_forced() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-02T00:00:00Z");
    let db = db_bytes(DB_FILE);
    let older = bundle(&db, "2025-06-01T00:00:00Z", &key);

    let error = installed
        .import(&older, &[key.public_key()], false)
        .unwrap_err();
    assert!(
        matches!(error, BundleError::Rollback { installed, bundle }
            if installed == time("2025-06-02T00:00:00Z") && bundle == time("2025-06-01T00:00:00Z")),
        "{error}"
    );
    assert_eq!(
        error.hint(),
        Some("pass `--force` to install the older database anyway")
    );
    installed.assert_untouched();

    let outcome = installed.import(&older, &[key.public_key()], true).unwrap();
    assert_eq!(
        outcome,
        InstallOutcome::RolledBack {
            previous: time("2025-06-02T00:00:00Z")
        }
    );
    assert_eq!(fs_err::read(&installed.target).unwrap(), db);
    let manifest = installed_manifest(&installed.target).unwrap().unwrap();
    assert_eq!(manifest.created, time("2025-06-01T00:00:00Z"));
    assert_eq!(entries(&installed.dir), ["qm.db", "qm.db.manifest.json"]);
}

#[test]
fn the_installed_bundle_is_refused_as_already_installed_unless_forced() {
    let key = SigningKey::generate().unwrap();
    let installed = Installed::new(&key, "2025-06-01T00:00:00Z");
    let same = bundle(&db_bytes(OTHER_DB_FILE), "2025-06-01T00:00:00Z", &key);

    let error = installed
        .import(&same, &[key.public_key()], false)
        .unwrap_err();
    assert!(
        matches!(error, BundleError::AlreadyInstalled { created } if created == time("2025-06-01T00:00:00Z")),
        "{error}"
    );
    assert!(error.to_string().contains("already installed"), "{error}");
    installed.assert_untouched();

    let outcome = installed.import(&same, &[key.public_key()], true).unwrap();
    assert_eq!(
        outcome,
        InstallOutcome::Reinstalled {
            previous: time("2025-06-01T00:00:00Z")
        }
    );
    installed.assert_untouched();
}

#[test]
fn either_of_two_trusted_keys_verifies_during_rotation() {
    let old = SigningKey::generate().unwrap();
    let new = SigningKey::generate().unwrap();
    let installed = Installed::new(&old, "2025-06-01T00:00:00Z");
    let both = [
        old.public_key().with_comment("old"),
        new.public_key().with_comment("new"),
    ];

    let by_old = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &old);
    let by_new = bundle(&db_bytes(DB_FILE), "2025-06-03T00:00:00Z", &new);
    let verified = verify(&by_old, &both).unwrap();
    assert_eq!(verified.signer().comment(), "old");
    let verified = verify(&by_new, &both).unwrap();
    assert_eq!(verified.signer().comment(), "new");
    assert_eq!(verified.signer().fingerprint(), new.fingerprint());

    // Once the old key is retired, its bundles are no longer accepted.
    let error = installed
        .import(&by_old, &[new.public_key()], true)
        .unwrap_err();
    assert!(
        matches!(&error, BundleError::UntrustedSigner { fingerprint, .. } if fingerprint == &old.fingerprint()),
        "{error}"
    );
    installed.assert_untouched();

    let outcome = installed.import(&by_new, &both, false).unwrap();
    assert_eq!(
        outcome,
        InstallOutcome::Upgraded {
            previous: time("2025-06-01T00:00:00Z")
        }
    );
    assert_eq!(fs_err::read(&installed.target).unwrap(), db_bytes(DB_FILE));
}

/// One honest bundle shared by the property test (key generation and export run once).
static HONEST: std::sync::LazyLock<(PublicKey, Vec<u8>)> = std::sync::LazyLock::new(|| {
    let key = SigningKey::generate().unwrap();
    let bytes = bundle(&db_bytes(DB_FILE), "2025-06-02T00:00:00Z", &key);
    (key.public_key(), bytes)
});

proptest::proptest! {
    // Each case verifies a signature, which is slow in an unoptimised build.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Flipped bytes never panic, and whatever still verifies (a flip in tar padding or in an
    /// unsigned header field such as mtime) carries exactly the signed manifest and database.
    #[test]
    fn flipped_bytes_never_panic_nor_change_what_verifies(
        flips in proptest::collection::vec((0usize..4096, 1u8..=255), 1..4),
    ) {
        let (public, honest) = &*HONEST;
        let mut bytes = honest.clone();
        for (index, mask) in flips {
            let index = index % bytes.len();
            bytes[index] ^= mask;
        }
        if let Ok(verified) = verify(&bytes, std::slice::from_ref(public)) {
            let original = verify(honest, std::slice::from_ref(public)).unwrap();
            proptest::prop_assert_eq!(verified.db_bytes(), original.db_bytes());
            proptest::prop_assert_eq!(verified.manifest(), original.manifest());
        }
    }
}
