//! Java archives: `*.jar`, `*.war`, `*.ear` and their relatives (`*.jpi`/`*.hpi` Jenkins
//! plugins, `*.par`, `*.sar`, `*.nar`, `*.kar`, `*.lpkg`), which are zip files.
//!
//! What identifies the packages in an archive, most trusted first:
//! 1. **`META-INF/maven/<group>/<artifact>/pom.properties`**, which Maven writes into every
//!    jar it builds: `groupId`, `artifactId`, `version`. Each one is a package (`found_by`
//!    `java-archive`). A shaded or "uber" jar holds one per bundled library, so one archive
//!    can list many.
//! 2. **`META-INF/MANIFEST.MF`**, when no `pom.properties` describes the archive itself: none
//!    matches the file name, none is the only one with the manifest's version, and there is
//!    not exactly one while the manifest states no version (see `described_by_pom`).
//!    The version is `Implementation-Version`, else `Bundle-Version`, else
//!    `Specification-Version` (first word only: `1.3 2244 October 5 2005` is `1.3`), from the
//!    main section or else the first section that has it. The group is
//!    `Implementation-Vendor-Id` (Maven's archiver wrote the groupId there), else the prefix of
//!    an OSGi `Bundle-SymbolicName` that is `<group>.<artifact>`. Jenkins plugins say
//!    `Group-Id`, `Short-Name` and `Plugin-Version`. Such packages are marked with `found_by`
//!    `java-archive-manifest`.
//! 3. **The file name** `<artifact>-<version>.jar` gives the artifact for (2), and the version
//!    when the manifest has none (`found_by` `java-archive-file-name`). The version starts at
//!    the last `-` followed by a digit whose part holds a `.` (`log4j-1.2-api-2.17.1` is
//!    `log4j-1.2-api` 2.17.1), else at the first `-` followed by a digit. A file named
//!    `<group>.<artifact>-<version>.jar` (as some distributions and caches name them) loses
//!    the group prefix when the manifest names that group. Only when the file name gives no
//!    artifact do `Bundle-SymbolicName` (its last segment) or a one-word
//!    `Implementation-Title` stand in.
//!
//! A package is named `<group>:<artifact>` (the OSV spelling) with purl
//! `pkg:maven/<group>/<artifact>@<version>`; when no group is known (manifest or file name
//! only) the name is the bare artifact and the purl has no namespace, which no Maven advisory
//! will match: such packages are inventory, not matchable. Manifest-only candidates without a
//! version are dropped (usually the application itself, `app.jar`).
//!
//! Nested archives (`WEB-INF/lib/*.jar` in a war, `BOOT-INF/lib/*.jar` in a Spring Boot jar,
//! `lib/*.jar` and `*.war` in an ear; any entry with an archive extension) are opened in
//! memory, to a fixed depth and within fixed sizes (see `archive.rs`); their packages are
//! located at `outer.war:WEB-INF/lib/inner.jar`. One name and version found at several places
//! is one package with several locations.
//!
//! Surprises:
//! - New Relic's instrumentation jars copy the manifest identity of the library they
//!   instrument; a manifest with `Weave-Classes` names no package (syft does the same).
//! - A nested archive that cannot be read (corrupt, encrypted, too big) is skipped; the
//!   outer archive is an error only when it cannot be opened at all, or when nothing in it
//!   named a package and something went wrong.
//! - `pom.xml` is not read: `pom.properties` sits beside it in every Maven-built jar and says
//!   the same without property interpolation or parent inheritance.
//!
//! Because archives are big, [`reduce_java_archive`] turns one into a compact encoding of
//! just these metadata files (see `reduced.rs`), for `qm_source::Claims::reduce`, and
//! [`parse_java_archive`] reads either that or a raw archive, with the same result.

mod archive;
mod manifest;
mod reduced;

use packageurl::PackageUrl;
use qm_model::{Ecosystem, Package};

use self::archive::{LIMITS, walk};
use self::manifest::{Manifest, parse_properties};
use super::{check_size, file_name, malformed};
use crate::CatalogError;

/// `found_by` for packages from `pom.properties`.
const FOUND_BY_POM: &str = "java-archive";
/// `found_by` for packages from the manifest (with the file name's help).
const FOUND_BY_MANIFEST: &str = "java-archive-manifest";
/// `found_by` for packages from the file name alone.
const FOUND_BY_FILE_NAME: &str = "java-archive-file-name";

/// The largest raw archive parsed; the source layer's own per-file limit is normally lower.
const MAX_ARCHIVE_BYTES: usize = 1024 * 1024 * 1024;

/// The file extensions of Java archives, as syft lists them.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "lpkg",
];

/// The metadata files of one archive: the outer one, or one nested in it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ArchiveMetadata {
    /// Entry names leading from the outer archive to this one; empty for the outer one.
    chain: Vec<String>,
    /// `META-INF/MANIFEST.MF`, trimmed to its identifying attributes.
    manifest: Option<Vec<u8>>,
    /// Each `pom.properties`: its entry name and contents.
    pom_properties: Vec<(String, Vec<u8>)>,
    /// What could not be read, in words.
    problems: Vec<String>,
}

/// Whether a file name has a Java archive extension (any case).
fn is_java_archive_name(path: &str) -> bool {
    let name = file_name(path);
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty()
            && ARCHIVE_EXTENSIONS
                .iter()
                .any(|wanted| wanted.eq_ignore_ascii_case(extension))
    })
}

/// Whether `path` is a Java archive (`*.jar`, `*.war`, `*.ear`, `*.jpi`, `*.hpi`, `*.par`,
/// `*.sar`, `*.nar`, `*.kar`, `*.lpkg`; extension in any case).
pub fn claims_java_archive(path: &str) -> bool {
    is_java_archive_name(path)
}

/// Reduces a Java archive to its metadata files (manifests trimmed to their identifying
/// attributes, `pom.properties`, the same of nested archives, and what could not be read),
/// for `qm_source::Claims::reduce`. The result is a few KiB where the archive may be 100 MB.
///
/// Always `Some`: an unreadable archive is kept as a short record of why, so that
/// [`parse_java_archive`] reports it instead of the file vanishing. An already reduced input
/// is returned as is. Never panics.
pub fn reduce_java_archive(path: &str, bytes: Vec<u8>) -> Option<Vec<u8>> {
    let _ = path;
    if bytes.starts_with(reduced::MAGIC) {
        return Some(bytes);
    }
    Some(reduced::encode(&walk(&bytes, &LIMITS)))
}

/// Lists the packages in a Java archive, given either the archive itself or its reduced form
/// from [`reduce_java_archive`] (recognised by its magic bytes).
///
/// `path` is the archive's path inside the target; packages from nested archives are located
/// at `path:inner/path.jar`.
///
/// # Errors
/// When the archive is not a zip, or its reduced form is corrupt, or nothing in it names a
/// package and something in it could not be read; [`CatalogError::TooLarge`] over 1 GiB.
pub fn parse_java_archive(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let archives = match bytes.strip_prefix(reduced::MAGIC) {
        Some(body) => reduced::decode(body)
            .map_err(|reason| malformed(path, 0, format!("corrupt reduced form: {reason}")))?,
        None => {
            check_size(path, bytes, MAX_ARCHIVE_BYTES)?;
            walk(bytes, &LIMITS)
        }
    };
    let mut packages: Vec<Package> = Vec::new();
    for archive in &archives {
        for package in archive_packages(path, archive) {
            let same = packages
                .iter_mut()
                .find(|known| known.name == package.name && known.version == package.version);
            match same {
                Some(known) => {
                    for location in package.locations {
                        if !known.locations.contains(&location) {
                            known.locations.push(location);
                        }
                    }
                }
                None => packages.push(package),
            }
        }
    }
    if packages.is_empty() {
        let problem = archives.iter().find_map(|archive| {
            archive
                .problems
                .first()
                .map(|problem| (location(path, &archive.chain), problem))
        });
        if let Some((at, problem)) = problem {
            let reason = if at == path {
                problem.clone()
            } else {
                format!("in `{at}`: {problem}")
            };
            return Err(malformed(path, 0, reason));
        }
    }
    Ok(packages)
}

/// Where an archive is: the outer path, then each nested entry, joined by `:`.
fn location(path: &str, chain: &[String]) -> String {
    let mut location = path.to_owned();
    for name in chain {
        location.push(':');
        location.push_str(name);
    }
    location
}

/// One `pom.properties`'s coordinates.
#[derive(Debug)]
struct Coordinates {
    group: String,
    artifact: String,
    version: String,
}

/// The coordinates in a `pom.properties`, when all three are there and usable.
fn coordinates(contents: &[u8]) -> Option<Coordinates> {
    let pairs = parse_properties(contents);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
            .filter(|value| is_coordinate(value))
    };
    Some(Coordinates {
        group: get("groupId")?,
        artifact: get("artifactId")?,
        version: get("version")?,
    })
}

/// A usable group, artifact or version: not empty, no whitespace, no `/` or `:` (which would
/// break the name and the purl).
fn is_coordinate(value: &str) -> bool {
    !value.is_empty() && !value.contains(|c: char| c.is_whitespace() || matches!(c, '/' | ':'))
}

/// The packages one archive names (nested archives are their own [`ArchiveMetadata`]).
fn archive_packages(path: &str, archive: &ArchiveMetadata) -> Vec<Package> {
    let location = location(path, &archive.chain);
    let own_name = file_name(archive.chain.last().map_or(path, String::as_str));
    let from_file_name = split_file_name(own_name);
    let poms: Vec<Coordinates> = archive
        .pom_properties
        .iter()
        .filter_map(|(_, contents)| coordinates(contents))
        .collect();
    let mut packages: Vec<Package> = poms
        .iter()
        .filter_map(|pom| {
            maven_package(
                Some(&pom.group),
                &pom.artifact,
                &pom.version,
                &location,
                FOUND_BY_POM,
            )
        })
        .collect();
    let manifest = archive
        .manifest
        .as_deref()
        .map(Manifest::parse)
        .unwrap_or_default();
    if !described_by_pom(&poms, &manifest, &from_file_name) {
        packages.extend(manifest_package(&manifest, &from_file_name, &location));
    }
    packages
}

/// Whether one of the archive's `pom.properties` is the archive itself, so the manifest need
/// not name it: one whose artifact matches the file name; else the only one whose version is
/// the manifest's (Debian renames `maven-slf4j-provider.jar` to `maven3-slf4j-provider.jar`);
/// else a lone one when the manifest states no version. A lone one whose version differs from
/// the manifest's is a shaded library (Debian's `guice.jar` holds only cglib's).
fn described_by_pom(poms: &[Coordinates], manifest: &Manifest, file: &FileName<'_>) -> bool {
    if poms
        .iter()
        .any(|pom| artifact_matches_file_name(&pom.artifact, file.artifact))
    {
        return true;
    }
    match manifest_version(manifest) {
        Some(version) => {
            poms.iter()
                .filter(|pom| same_version(&pom.version, version))
                .count()
                == 1
        }
        None => poms.len() == 1,
    }
}

/// The manifest's version: `Implementation-Version`, else `Bundle-Version`, else
/// `Specification-Version`, first word only.
fn manifest_version(manifest: &Manifest) -> Option<&str> {
    [
        "Implementation-Version",
        "Bundle-Version",
        "Specification-Version",
    ]
    .iter()
    .find_map(|key| manifest.any(key))
    .and_then(|version| version.split_whitespace().next())
}

/// Versions equal up to OSGi's spelling: `1.0.0.SNAPSHOT` is Maven's `1.0.0-SNAPSHOT`, and
/// `2.0.0` may be written `2.0.0.v2020…` or `2.0.0.Final`.
fn same_version(pom: &str, manifest: &str) -> bool {
    let normalise = |version: &str| version.to_ascii_lowercase().replace('-', ".");
    let (pom, manifest) = (normalise(pom), normalise(manifest));
    pom == manifest
        || manifest
            .strip_prefix(&pom)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Whether a `pom.properties` artifact is the archive's own, judged by the file name: equal,
/// one a prefix or suffix of the other (`atlassian-extras-api` in
/// `com.atlassian.extras_atlassian-extras-api.jar`), as syft judges, or the file name is the
/// artifact with a classifier (`wagon-http-shaded.jar` for `wagon-http`).
fn artifact_matches_file_name(artifact: &str, file_artifact: &str) -> bool {
    !artifact.is_empty()
        && !file_artifact.is_empty()
        && (artifact == file_artifact
            || artifact.starts_with(file_artifact)
            || file_artifact.ends_with(artifact)
            || file_artifact
                .strip_prefix(artifact)
                .is_some_and(|rest| rest.starts_with('-')))
}

/// The package the manifest (and the file name) describe, if it has a version.
fn manifest_package(
    manifest: &Manifest,
    from_file_name: &FileName<'_>,
    location: &str,
) -> Option<Package> {
    if manifest.any("Weave-Classes").is_some() {
        return None;
    }
    // Jenkins plugins (`*.hpi`, `*.jpi`) identify themselves their own way.
    if let (Some(artifact), Some(version)) =
        (manifest.main("Short-Name"), manifest.main("Plugin-Version"))
    {
        let group = manifest
            .main("Group-Id")
            .filter(|group| is_coordinate(group));
        return maven_package(group, artifact, version, location, FOUND_BY_MANIFEST);
    }
    let manifest_version = manifest_version(manifest);
    let symbolic_name = manifest
        .main("Bundle-SymbolicName")
        .and_then(|name| name.split(';').next())
        .map(str::trim);
    let vendor_group = manifest
        .main("Implementation-Vendor-Id")
        .filter(|group| is_coordinate(group) && group.contains('.'));
    let file_artifact = Some(from_file_name.artifact).filter(|artifact| !artifact.is_empty());
    // Some distributions name files `<group>.<artifact>-<version>.jar` (syft's
    // `com.fasterxml.jackson.core.jackson-core-2.15.2` fixture): the group is not the name.
    let artifact = file_artifact
        .map(|artifact| {
            vendor_group
                .and_then(|group| artifact.strip_prefix(group))
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|rest| !rest.is_empty())
                .unwrap_or(artifact)
        })
        .or_else(|| symbolic_name.and_then(|name| name.rsplit('.').next()))
        .or_else(|| {
            manifest
                .any("Implementation-Title")
                .filter(|title| is_coordinate(title))
        })?;
    let group = vendor_group.or_else(|| {
        symbolic_name
            .and_then(|name| name.strip_suffix(artifact))
            .and_then(|prefix| prefix.strip_suffix('.'))
            .filter(|group| is_coordinate(group))
    });
    let (version, found_by) = match (manifest_version, from_file_name.version) {
        (Some(version), _) => (version, FOUND_BY_MANIFEST),
        (None, Some(version)) if group.is_some() => (version, FOUND_BY_MANIFEST),
        (None, Some(version)) => (version, FOUND_BY_FILE_NAME),
        (None, None) => return None,
    };
    maven_package(group, artifact, version, location, found_by)
}

/// An archive's file name split into artifact and version.
#[derive(Debug, PartialEq, Eq)]
struct FileName<'a> {
    /// The part before the version (the whole stem when there is no version).
    artifact: &'a str,
    version: Option<&'a str>,
}

/// Splits `<artifact>-<version>.<extension>`; see the module doc for where the version starts.
fn split_file_name(name: &str) -> FileName<'_> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    // Offsets of each `-` followed by a digit, with whether the part after it holds a dot.
    let mut candidates: Vec<(usize, bool)> = Vec::new();
    let mut offset = 0usize;
    for (index, part) in stem.split('-').enumerate() {
        if index > 0 && part.starts_with(|c: char| c.is_ascii_digit()) {
            candidates.push((offset, part.contains('.')));
        }
        offset = offset.saturating_add(part.len()).saturating_add(1);
    }
    let start = candidates
        .iter()
        .rev()
        .find(|(_, dotted)| *dotted)
        .or(candidates.first())
        .map(|(start, _)| *start);
    let split = start.and_then(|start| {
        let artifact = stem.get(..start.checked_sub(1)?)?;
        let version = stem.get(start..)?;
        Some((artifact, version))
    });
    match split {
        Some((artifact, version)) if !artifact.is_empty() => FileName {
            artifact,
            version: Some(version),
        },
        _ => FileName {
            artifact: stem,
            version: None,
        },
    }
}

/// A Maven package, `None` when the coordinates cannot make a name and a purl.
fn maven_package(
    group: Option<&str>,
    artifact: &str,
    version: &str,
    location: &str,
    found_by: &str,
) -> Option<Package> {
    if !is_coordinate(artifact) || !is_coordinate(version) {
        return None;
    }
    let group = group.filter(|group| is_coordinate(group));
    let mut purl = PackageUrl::new("maven", artifact).ok()?;
    if let Some(group) = group {
        purl.with_namespace(group).ok()?;
    }
    purl.with_version(version).ok()?;
    let name = match group {
        Some(group) => format!("{group}:{artifact}"),
        None => artifact.to_owned(),
    };
    Some(Package {
        name,
        version: version.to_owned(),
        ecosystem: Ecosystem::Maven,
        purl: purl.to_string(),
        source: None,
        locations: vec![location.to_owned()],
        found_by: found_by.to_owned(),
        dev: false,
        arch: None,
        layer: None,
    })
}

#[cfg(test)]
mod tests;
