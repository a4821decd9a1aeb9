//! Inventories and findings for the suppression tests, built by hand: suppression only
//! reads a finding's ids and package, so a full match is not needed to test it.

#![allow(
    dead_code,
    reason = "each test file uses a different part of this shared module"
)]

use qm_match::{Finding, FindingPackage, FindingSeverity, FixState, MatchKind};
use qm_model::{
    Ecosystem, Inventory, Package, PackageKey, Rating, SourcePackage, TargetInfo, TargetKind,
    Timestamp,
};

/// A package of `ecosystem` with `purl`, built from `source` when given.
pub(crate) fn package(ecosystem: Ecosystem, name: &str, version: &str, purl: &str) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem,
        purl: purl.to_owned(),
        source: None,
        locations: Vec::new(),
        found_by: "test".to_owned(),
        dev: false,
        arch: None,
        layer: None,
    }
}

/// The same package, built from source package `source`.
pub(crate) fn with_source(mut package: Package, source: &str) -> Package {
    package.source = Some(SourcePackage {
        name: source.to_owned(),
        version: None,
    });
    package
}

/// A directory target.
pub(crate) fn directory(name: &str) -> TargetInfo {
    TargetInfo {
        name: name.to_owned(),
        kind: TargetKind::Directory,
        digest: None,
        manifest_digest: None,
        tags: Vec::new(),
        platform: None,
        layers: Vec::new(),
    }
}

/// An image target with a config digest, a manifest digest and tags.
pub(crate) fn image(name: &str, digest: &str, manifest_digest: &str, tags: &[&str]) -> TargetInfo {
    TargetInfo {
        name: name.to_owned(),
        kind: TargetKind::DockerArchive,
        digest: Some(digest.to_owned()),
        manifest_digest: Some(manifest_digest.to_owned()),
        tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
        platform: Some("linux/amd64".to_owned()),
        layers: Vec::new(),
    }
}

/// An inventory of `packages` in `target`.
pub(crate) fn inventory(target: TargetInfo, packages: Vec<Package>) -> Inventory {
    Inventory {
        target,
        distro: None,
        packages,
        warnings: Vec::new(),
    }
}

/// A finding `id` (with `aliases`) on package `index` of `inventory`.
pub(crate) fn finding(inventory: &Inventory, index: usize, id: &str, aliases: &[&str]) -> Finding {
    let package = &inventory.packages[index];
    Finding {
        id: id.to_owned(),
        aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        package: FindingPackage {
            index,
            name: package.name.clone(),
            version: package.version.clone(),
            ecosystem: package.ecosystem.clone(),
            purl: package.purl.clone(),
            source: package.source.clone(),
            locations: Vec::new(),
            layer: None,
        },
        matched_key: PackageKey::new(package.ecosystem.clone(), None, &package.name),
        matched_by: MatchKind::EcosystemName,
        installed_version: package.version.clone(),
        fixed_version: None,
        fix: FixState::NotFixed { status: None },
        severity: FindingSeverity {
            rating: Rating::Unknown,
            score: None,
            vector: None,
            source: None,
        },
        title: None,
        sources: Vec::new(),
        published: None,
        modified: None,
        fix_published: None,
        urls: Vec::new(),
        informational: None,
    }
}

/// An instant, from RFC 3339 or a date.
pub(crate) fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The (id, purl) of findings, for compact assertions.
pub(crate) fn ids(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|finding| (finding.id.clone(), finding.package.purl.clone()))
        .collect()
}
