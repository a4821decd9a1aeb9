//! The rpm package database, in any of its three containers: SQLite (`rpmdb.sqlite`, rpm 4.16+),
//! Berkeley DB hash (`Packages`, up to RHEL 8) and rpm's own ndb (`Packages.db`, SUSE).
//!
//! Each container stores one header blob per installed package; [`parse_rpmdb`] detects the
//! container from the bytes (not the file name), takes every blob out of it
//! ([`sqlite`], [`bdb`], [`ndb`]) and reads each blob ([`header`]).
//!
//! Choices, and the format's surprises:
//! - **Container detection** by magic: `SQLite format 3\0` at byte 0; `RpmP` at byte 0 for ndb;
//!   the Berkeley DB hash magic `0x061561` at byte 12, in either byte order. Anything else is
//!   an error; an empty file holds no packages (rpm leaves empty files behind when a database
//!   is moved to another backend).
//! - **`gpg-pubkey` pseudo-packages** (imported signing keys, stored as headers) are skipped.
//! - **Version** is `[epoch:]version-release`, the EVR string rpm's own comparison and Red Hat,
//!   SUSE and OSV feeds use; the epoch appears whenever the header has an `EPOCH` tag, even
//!   `0`, since that is what the database says (rpm compares a missing epoch as 0).
//! - **purl** `pkg:rpm/redhat/<name>@<version>-<release>?arch=<arch>&epoch=<epoch>`: the
//!   epoch is a qualifier, not part of the purl version (purl spec, `rpm` type), and only when
//!   set. The namespace and the ecosystem ([`Ecosystem::RedHat`]) are placeholders: the
//!   database does not say which distribution wrote it, so the inventory assembly corrects both
//!   from `os-release` (SUSE, Azure Linux, Rocky, …) and adds the `distro` qualifier.
//! - **Source package** from `SOURCERPM` (`openssl-1.1.1k-7.el8.src.rpm`): name `openssl`,
//!   version `1.1.1k-7.el8`, split at the last two dashes after dropping `.src.rpm` or
//!   `.nosrc.rpm`. The file name has no epoch, so the source version has none either. A
//!   missing or unparsable `SOURCERPM` leaves the source empty.
//! - **Errors**: one malformed header or container structure fails the whole file. The blobs are
//!   independent, but a silently shorter package list hides vulnerable packages, and catalogers
//!   have no warning channel yet; the ndb checksums and the SQLite corruption checks make a
//!   partially damaged file rare in practice.
//! - Header fields `SIZE`, `VENDOR` and `LICENSE` are read but not reported: [`Package`] has no
//!   field for them yet.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package, SourcePackage};

use crate::CatalogError;

/// The largest database read: rpm databases of large hosts reach a few hundred MB (Berkeley DB
/// `Packages` of a full RHEL 8 workstation: about 250 MB).
const MAX_RPMDB_BYTES: usize = 1024 * 1024 * 1024;

/// More headers than this is not a real system (a full distribution is under 70,000 packages).
const MAX_PACKAGES: usize = 200_000;

/// The `found_by` name of this cataloger.
const FOUND_BY: &str = "rpmdb";

/// The pseudo-package name rpm stores imported signing keys under.
const GPG_PUBKEY: &str = "gpg-pubkey";

/// Reads the packages of an rpm database (`rpmdb.sqlite`, `Packages` or `Packages.db`).
///
/// `path` is the file's path inside the target, used in errors and `locations`.
///
/// # Errors
/// [`CatalogError::TooLarge`] over 1 GiB; [`CatalogError::Malformed`] when the bytes are none
/// of the three containers, or any container structure or package header is broken.
pub fn parse_rpmdb(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    if bytes.len() > MAX_RPMDB_BYTES {
        return Err(CatalogError::TooLarge {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            limit: u64::try_from(MAX_RPMDB_BYTES).unwrap_or(u64::MAX),
        });
    }
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let container = Container::detect(bytes)
        .ok_or_else(|| malformed(path, None, &RpmDbError::UnknownFormat))?;
    let mut packages = Vec::new();
    let mut count = 0usize;
    let mut visit = |blob: &[u8]| -> Result<(), RpmDbError> {
        count += 1;
        if count > MAX_PACKAGES {
            return Err(RpmDbError::Limit {
                what: "package headers",
                limit: u64::try_from(MAX_PACKAGES).unwrap_or(u64::MAX),
            });
        }
        let header = header::parse(blob).map_err(|source| RpmDbError::Header {
            number: count,
            source,
        })?;
        if let Some(package) = to_package(path, header)
            .map_err(|reason| RpmDbError::invalid(format!("package header {count}"), reason))?
        {
            packages.push(package);
        }
        Ok(())
    };
    let result = match container {
        Container::Sqlite => sqlite::for_each_blob(bytes, &mut visit),
        Container::BerkeleyDb => bdb::for_each_blob(bytes, &mut visit),
        Container::Ndb => ndb::for_each_blob(bytes, &mut visit),
    };
    result.map_err(|error| malformed(path, Some(container), &error))?;
    Ok(packages)
}

/// The three ways rpm stores its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

impl Container {
    fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(sqlite::MAGIC) {
            Some(Container::Sqlite)
        } else if bytes.starts_with(ndb::MAGIC) {
            Some(Container::Ndb)
        } else if bdb::is_bdb_hash(bytes) {
            Some(Container::BerkeleyDb)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Container::Sqlite => "SQLite",
            Container::BerkeleyDb => "Berkeley DB",
            Container::Ndb => "ndb",
        }
    }
}

/// Why an rpm database could not be read.
#[derive(Debug, thiserror::Error)]
enum RpmDbError {
    /// No container magic.
    #[error(
        "not an rpm database: it starts with none of the SQLite, ndb or Berkeley DB hash magic numbers"
    )]
    UnknownFormat,
    /// A structure runs past the end of the file.
    #[error("{what} runs past the end of the {size}-byte file (byte {offset})")]
    Truncated {
        what: &'static str,
        offset: u64,
        size: usize,
    },
    /// A structure holds an impossible value.
    #[error("{place} {problem}")]
    Invalid { place: String, problem: String },
    /// A Berkeley DB overflow chain comes back to a page.
    #[error("Berkeley DB overflow page {page} is reached twice: the page chain loops")]
    PageLoop { page: u32 },
    /// A count or size over one of this reader's limits.
    #[error("more than {limit} {what}")]
    Limit { what: &'static str, limit: u64 },
    /// SQLite refused the file or a query.
    #[error("SQLite cannot read the database")]
    Sqlite {
        #[source]
        source: rusqlite::Error,
    },
    /// One header blob is broken.
    #[error("package header {number} is malformed")]
    Header {
        number: usize,
        #[source]
        source: header::HeaderError,
    },
}

impl RpmDbError {
    fn invalid(place: impl Into<String>, problem: impl Into<String>) -> Self {
        RpmDbError::Invalid {
            place: place.into(),
            problem: problem.into(),
        }
    }
}

/// The catalog error for `path`, with the whole cause chain in its reason (the catalog error
/// carries text only).
fn malformed(path: &str, container: Option<Container>, error: &RpmDbError) -> CatalogError {
    let mut reason = match container {
        Some(container) => format!("rpm {} database: {error}", container.name()),
        None => error.to_string(),
    };
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        cause = inner.source();
    }
    CatalogError::Malformed {
        path: path.to_owned(),
        line: 0,
        reason,
    }
}

/// The package a header describes; `None` for `gpg-pubkey` pseudo-packages.
fn to_package(path: &str, header: header::Header) -> Result<Option<Package>, String> {
    if header.name == GPG_PUBKEY {
        return Ok(None);
    }
    let upstream = format!("{}-{}", header.version, header.release);
    let version = match header.epoch {
        Some(epoch) => format!("{epoch}:{upstream}"),
        None => upstream.clone(),
    };
    let purl_error = |error: packageurl::Error| format!("cannot form a purl: {error}");
    let mut purl = PackageUrl::new("rpm", header.name.as_str()).map_err(purl_error)?;
    purl.with_namespace("redhat")
        .map_err(purl_error)?
        .with_version(upstream.as_str())
        .map_err(purl_error)?;
    if let Some(arch) = &header.arch {
        purl.add_qualifier("arch", arch.as_str())
            .map_err(purl_error)?;
    }
    if let Some(epoch) = header.epoch {
        purl.add_qualifier("epoch", epoch.to_string())
            .map_err(purl_error)?;
    }
    Ok(Some(Package {
        purl: purl.to_string(),
        name: header.name,
        version,
        ecosystem: Ecosystem::RedHat,
        source: header.source_rpm.as_deref().and_then(source_package),
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: false,
        arch: header.arch,
        layer: None,
    }))
}

/// The source package named by a `SOURCERPM` value (`name-version-release.src.rpm`).
fn source_package(source_rpm: &str) -> Option<SourcePackage> {
    let stem = source_rpm
        .strip_suffix(".src.rpm")
        .or_else(|| source_rpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some(SourcePackage {
        name: name.to_owned(),
        version: Some(format!("{version}-{release}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names_split_at_the_last_two_dashes() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "openssl-1.1.1k-7.el8.src.rpm",
                Some(("openssl", "1.1.1k-7.el8")),
            ),
            (
                "util-linux-2.32.1-42.el8_8.src.rpm",
                Some(("util-linux", "2.32.1-42.el8_8")),
            ),
            (
                "gcc11-11.2.1+git610-1.3.9.src.rpm",
                Some(("gcc11", "11.2.1+git610-1.3.9")),
            ),
            ("kernel-5.14.0-1.nosrc.rpm", Some(("kernel", "5.14.0-1"))),
            ("(none)", None),
            ("", None),
            ("openssl-1.1.1k.src.rpm", None),
            ("-1-2.src.rpm", None),
            ("openssl-1.1.1k-7.el8.x86_64.rpm", None),
        ];
        for (text, expected) in cases {
            let got = source_package(text);
            let got = got.as_ref().map(|source| {
                (
                    source.name.as_str(),
                    source.version.as_deref().unwrap_or(""),
                )
            });
            assert_eq!(got, *expected, "{text}");
        }
    }

    #[test]
    fn packages_carry_epoch_in_version_and_purl_qualifier() {
        let header = |epoch| header::parse(&header::tests::package("openssl-libs", epoch)).unwrap();
        let with_epoch = to_package("var/lib/rpm/Packages", header(Some(1)))
            .unwrap()
            .unwrap();
        assert_eq!(with_epoch.version, "1:1.1.1k-7.el8");
        assert_eq!(
            with_epoch.purl,
            "pkg:rpm/redhat/openssl-libs@1.1.1k-7.el8?arch=x86_64&epoch=1"
        );
        assert_eq!(
            with_epoch.source,
            Some(SourcePackage {
                name: "openssl".into(),
                version: Some("1.1.1k-7.el8".into())
            })
        );
        assert_eq!(with_epoch.locations, ["var/lib/rpm/Packages"]);
        assert_eq!(with_epoch.found_by, "rpmdb");
        assert_eq!(with_epoch.ecosystem, Ecosystem::RedHat);
        let without = to_package("p", header(None)).unwrap().unwrap();
        assert_eq!(without.version, "1.1.1k-7.el8");
        assert_eq!(
            without.purl,
            "pkg:rpm/redhat/openssl-libs@1.1.1k-7.el8?arch=x86_64"
        );
        let key = to_package(
            "p",
            header::parse(&header::tests::package(GPG_PUBKEY, None)).unwrap(),
        );
        assert_eq!(key, Ok(None));
    }

    #[test]
    fn containers_are_detected_by_content() {
        let mut bdb_little = vec![0; 64];
        bdb_little[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        let mut bdb_big = vec![0; 64];
        bdb_big[12..16].copy_from_slice(&0x0006_1561u32.to_be_bytes());
        let cases: &[(&[u8], Option<Container>)] = &[
            (b"SQLite format 3\0rest", Some(Container::Sqlite)),
            (b"RpmP\0\0\0\0", Some(Container::Ndb)),
            (&bdb_little, Some(Container::BerkeleyDb)),
            (&bdb_big, Some(Container::BerkeleyDb)),
            (b"SQLite format 2\0", None),
            (b"dummy", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(Container::detect(bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn unknown_and_empty_files() {
        assert_eq!(parse_rpmdb("Packages", b"").unwrap(), []);
        let error = parse_rpmdb("var/lib/rpm/Packages", b"dummy").unwrap_err();
        assert!(
            matches!(&error, CatalogError::Malformed { path, line: 0, .. } if path == "var/lib/rpm/Packages"),
            "{error}"
        );
    }
}
