//! Walking a Java archive (a zip) and the archives nested in it, keeping only their metadata
//! files, under fixed limits.
//!
//! Every read is bounded: a metadata entry by [`Limits::max_manifest_bytes`] or
//! [`Limits::max_pom_properties_bytes`], a nested archive by [`Limits::max_nested_bytes`], and
//! all inflating for one outer archive by [`Limits::max_total_inflated`]. Declared sizes are
//! checked first but never trusted: entries are read through `take(limit + 1)`, so a zip bomb
//! whose header lies costs at most the limit. What is skipped for a limit is recorded as a
//! problem on the archive it belongs to, never an error for the whole file.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::manifest::trim_manifest;
use super::{ArchiveMetadata, is_java_archive_name};

/// The bounds of one walk. The catalogers use [`LIMITS`]; tests use smaller ones.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// How many archive levels below the outer one are opened (an `ear` holding a `war`
    /// holding a `jar` needs 2).
    pub(super) max_depth: usize,
    /// The most bytes of a `MANIFEST.MF` read; the rest (per-class digests of signed jars)
    /// is cut, which loses nothing [`trim_manifest`] would keep from a real manifest.
    pub(super) max_manifest_bytes: u64,
    /// The largest `pom.properties` read (real ones are about 200 bytes).
    pub(super) max_pom_properties_bytes: u64,
    /// The largest nested archive inflated into memory.
    pub(super) max_nested_bytes: u64,
    /// All bytes inflated for one outer archive, nested ones included.
    pub(super) max_total_inflated: u64,
    /// How many archives are opened for one outer archive (Spring Boot apps hold a few
    /// hundred jars).
    pub(super) max_archives: usize,
    /// How many `pom.properties` are kept for one outer archive.
    pub(super) max_pom_properties: usize,
}

/// The limits the cataloger and the reducer use.
pub(super) const LIMITS: Limits = Limits {
    max_depth: 3,
    max_manifest_bytes: 1024 * 1024,
    max_pom_properties_bytes: 64 * 1024,
    max_nested_bytes: 64 * 1024 * 1024,
    max_total_inflated: 512 * 1024 * 1024,
    max_archives: 10_000,
    max_pom_properties: 20_000,
};

/// What an entry of an archive is to the walk.
enum EntryKind {
    Manifest,
    PomProperties,
    Archive,
    Other,
}

/// Classifies an entry by its name.
fn classify(name: &str) -> EntryKind {
    if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
        EntryKind::Manifest
    } else if name.ends_with("/pom.properties")
        && (name.starts_with("META-INF/maven/") || name.contains("/META-INF/maven/"))
    {
        EntryKind::PomProperties
    } else if is_java_archive_name(name) {
        EntryKind::Archive
    } else {
        EntryKind::Other
    }
}

/// Walks the archive in `bytes` and the archives nested in it; the outer archive comes first,
/// then each nested one after its parent, depth first.
pub(super) fn walk(bytes: &[u8], limits: &Limits) -> Vec<ArchiveMetadata> {
    let mut walker = Walker {
        limits,
        inflated: 0,
        archives: 0,
        pom_properties: 0,
        found: Vec::new(),
    };
    walker.archive(bytes, Vec::new());
    walker.found
}

struct Walker<'a> {
    limits: &'a Limits,
    /// Bytes inflated so far.
    inflated: u64,
    /// Archives opened so far.
    archives: usize,
    /// `pom.properties` kept so far.
    pom_properties: usize,
    found: Vec<ArchiveMetadata>,
}

impl Walker<'_> {
    /// Reads one archive, `chain` naming it inside the outer one.
    fn archive(&mut self, bytes: &[u8], chain: Vec<String>) {
        self.archives = self.archives.saturating_add(1);
        let depth = chain.len();
        let position = self.found.len();
        self.found.push(ArchiveMetadata {
            chain: chain.clone(),
            ..ArchiveMetadata::default()
        });
        let mut archive = match ZipArchive::new(Cursor::new(bytes)) {
            Ok(archive) => archive,
            Err(error) => {
                self.problem(position, format!("not a readable zip archive: {error}"));
                return;
            }
        };
        let mut nested = Vec::new();
        for index in 0..archive.len() {
            let name = match archive.name_for_index(index) {
                Some(Ok(name)) => name.into_owned(),
                Some(Err(error)) => {
                    self.problem(
                        position,
                        format!("entry {index} has no usable name: {error}"),
                    );
                    continue;
                }
                None => continue,
            };
            if name.ends_with('/') {
                continue;
            }
            match classify(&name) {
                EntryKind::Manifest => {
                    let already = self
                        .found
                        .get(position)
                        .is_some_and(|found| found.manifest.is_some());
                    if already {
                        continue;
                    }
                    let limit = self.limits.max_manifest_bytes;
                    match self.read(&mut archive, index, limit, Overflow::Cut) {
                        Ok(contents) => {
                            if let Some(found) = self.found.get_mut(position) {
                                found.manifest = Some(trim_manifest(&contents));
                            }
                        }
                        Err(reason) => self.problem(position, format!("`{name}` {reason}")),
                    }
                }
                EntryKind::PomProperties => {
                    if self.pom_properties >= self.limits.max_pom_properties {
                        self.problem(
                            position,
                            format!(
                                "`{name}` skipped: over {} `pom.properties` files",
                                self.limits.max_pom_properties
                            ),
                        );
                        continue;
                    }
                    let limit = self.limits.max_pom_properties_bytes;
                    match self.read(&mut archive, index, limit, Overflow::Refuse) {
                        Ok(contents) => {
                            self.pom_properties = self.pom_properties.saturating_add(1);
                            if let Some(found) = self.found.get_mut(position) {
                                found.pom_properties.push((name, contents));
                            }
                        }
                        Err(reason) => self.problem(position, format!("`{name}` {reason}")),
                    }
                }
                EntryKind::Archive if depth < self.limits.max_depth => nested.push((index, name)),
                EntryKind::Archive => self.problem(
                    position,
                    format!(
                        "`{name}` not opened: archives nest deeper than {} levels",
                        self.limits.max_depth
                    ),
                ),
                EntryKind::Other => {}
            }
        }
        for (index, name) in nested {
            if self.archives >= self.limits.max_archives {
                self.problem(
                    position,
                    format!(
                        "`{name}` not opened: over {} archives",
                        self.limits.max_archives
                    ),
                );
                continue;
            }
            let limit = self.limits.max_nested_bytes;
            match self.read(&mut archive, index, limit, Overflow::Refuse) {
                Ok(contents) => {
                    let mut inner = chain.clone();
                    inner.push(name);
                    self.archive(&contents, inner);
                }
                Err(reason) => self.problem(position, format!("`{name}` {reason}")),
            }
        }
    }

    /// Records a problem on the archive at `position`.
    fn problem(&mut self, position: usize, message: String) {
        if let Some(found) = self.found.get_mut(position) {
            found.problems.push(message);
        }
    }

    /// Inflates one entry, at most `limit` bytes and within the total budget.
    fn read(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        limit: u64,
        overflow: Overflow,
    ) -> Result<Vec<u8>, String> {
        let budget = self.limits.max_total_inflated.saturating_sub(self.inflated);
        let cap = limit.min(budget);
        let entry = archive
            .by_index(index)
            .map_err(|error| format!("cannot be read: {error}"))?;
        let declared = entry.size();
        let total = self.limits.max_total_inflated;
        if declared > cap && overflow == Overflow::Refuse {
            return Err(too_large(declared, limit, budget, total));
        }
        let mut contents = Vec::new();
        let read = entry.take(cap.saturating_add(1)).read_to_end(&mut contents);
        let length = u64::try_from(contents.len()).unwrap_or(u64::MAX);
        self.inflated = self.inflated.saturating_add(length);
        match read {
            // Cutting is only for the entry's own limit: a cut forced by the spent budget
            // would silently lose attributes.
            _ if length > cap && overflow == Overflow::Cut && cap == limit => {
                contents.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
                Ok(contents)
            }
            _ if length > cap => Err(too_large(declared, limit, budget, total)),
            Err(error) => Err(format!("cannot be inflated: {error}")),
            Ok(_) => Ok(contents),
        }
    }
}

/// What to do with an entry larger than its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Keep its first bytes (a manifest's identifying attributes come first).
    Cut,
    /// Skip it.
    Refuse,
}

/// Why an entry was not read: its own limit, or the budget left for the whole file.
fn too_large(declared: u64, limit: u64, budget: u64, total: u64) -> String {
    if budget < limit {
        format!("not read: the {total}-byte budget for inflating one archive is spent")
    } else {
        format!("not read: over the {limit}-byte limit (declares {declared} bytes)")
    }
}
