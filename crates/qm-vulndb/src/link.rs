//! Linking advisories that describe the same vulnerability.
//!
//! One vulnerability often arrives several times: as a GHSA, a PYSEC and a CVE, or as the same
//! RUSTSEC advisory from both the Markdown database and its OSV export. Two rules keep counts
//! honest without losing facts:
//! - the same id with the same affected packages is one advisory: the most recently modified
//!   copy is kept (a Debian and an Alpine record both named `CVE-…` affect different packages
//!   and are both kept);
//! - ids and aliases are joined transitively into groups; a group is one vulnerability, named
//!   by its lowest CVE id if it has one, else by its lowest id.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use qm_model::{Advisory, PackageKey};

/// What linking found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Advisories kept.
    pub advisories: usize,
    /// Exact duplicates dropped (same id, same affected packages).
    pub duplicates_removed: usize,
    /// Distinct vulnerabilities: groups of advisories joined by ids and aliases.
    pub vulnerabilities: usize,
}

/// Drops exact duplicates from `advisories` and counts distinct vulnerabilities.
pub fn link_advisories(advisories: &mut Vec<Advisory>) -> LinkReport {
    let before = advisories.len();
    let packages = |advisory: &Advisory| -> BTreeSet<PackageKey> {
        advisory
            .affected
            .iter()
            .map(|a| a.package.clone())
            .collect()
    };
    // Keep, per (id, affected packages), the index of the newest copy.
    let mut newest: HashMap<(String, BTreeSet<PackageKey>), usize> = HashMap::new();
    for (index, advisory) in advisories.iter().enumerate() {
        let key = (advisory.id.clone(), packages(advisory));
        match newest.get(&key) {
            Some(&kept) if advisories[kept].modified >= advisory.modified => {}
            _ => {
                newest.insert(key, index);
            }
        }
    }
    let keep: BTreeSet<usize> = newest.into_values().collect();
    let mut index = 0;
    advisories.retain(|_| {
        let kept = keep.contains(&index);
        index += 1;
        kept
    });

    let groups = alias_groups(advisories);
    LinkReport {
        advisories: advisories.len(),
        duplicates_removed: before - advisories.len(),
        vulnerabilities: groups.values().collect::<BTreeSet<_>>().len(),
    }
}

/// Maps every id and alias to the name of its group.
pub fn alias_groups(advisories: &[Advisory]) -> BTreeMap<String, String> {
    let mut parent: HashMap<String, String> = HashMap::new();
    fn root(parent: &mut HashMap<String, String>, id: &str) -> String {
        let mut current = id.to_owned();
        let mut path = Vec::new();
        while let Some(next) = parent.get(&current) {
            if *next == current {
                break;
            }
            path.push(current.clone());
            current = next.clone();
        }
        for node in path {
            parent.insert(node, current.clone());
        }
        current
    }
    let rank = |id: &str| (!id.starts_with("CVE-"), id.to_owned());
    for advisory in advisories {
        parent
            .entry(advisory.id.clone())
            .or_insert_with(|| advisory.id.clone());
        for alias in &advisory.aliases {
            parent.entry(alias.clone()).or_insert_with(|| alias.clone());
            let (a, b) = (root(&mut parent, &advisory.id), root(&mut parent, alias));
            if a != b {
                let (winner, loser) = if rank(&a) <= rank(&b) { (a, b) } else { (b, a) };
                parent.insert(loser, winner);
            }
        }
    }
    let ids: Vec<String> = parent.keys().cloned().collect();
    ids.into_iter()
        .map(|id| {
            let group = root(&mut parent, &id);
            (id, group)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use qm_model::{AffectedPackage, AffectedRanges, Ecosystem};

    fn advisory(id: &str, aliases: &[&str], package: &str, modified: &str) -> Advisory {
        Advisory {
            id: id.into(),
            source: "test".into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
            related: Vec::new(),
            summary: None,
            details: None,
            severities: Vec::new(),
            published: None,
            modified: Some(modified.parse().unwrap()),
            informational: None,
            withdrawn: None,
            references: Vec::new(),
            affected: vec![AffectedPackage {
                package: PackageKey::new(Ecosystem::PyPI, None, package),
                purl: None,
                ranges: AffectedRanges::introduced_fixed("0", Some("1.0")),
                status: None,
                severity: None,
            }],
        }
    }

    #[test]
    fn duplicates_drop_and_aliases_join() {
        let mut advisories = vec![
            advisory(
                "GHSA-aaaa",
                &["CVE-2024-1", "PYSEC-2024-1"],
                "foo",
                "2024-01-01",
            ),
            advisory("PYSEC-2024-1", &["CVE-2024-1"], "foo", "2024-01-02"),
            advisory("PYSEC-2024-1", &["CVE-2024-1"], "foo", "2024-03-01"),
            // Same id, another package: a different fact, kept.
            advisory("PYSEC-2024-1", &["CVE-2024-1"], "bar", "2024-01-01"),
            advisory("GHSA-bbbb", &[], "baz", "2024-01-01"),
        ];
        let report = link_advisories(&mut advisories);
        assert_eq!(
            report,
            LinkReport {
                advisories: 4,
                duplicates_removed: 1,
                vulnerabilities: 2
            }
        );
        let kept = advisories
            .iter()
            .find(|a| a.id == "PYSEC-2024-1" && a.affected[0].package.name.as_str() == "foo")
            .unwrap();
        assert_eq!(kept.modified.unwrap().to_string(), "2024-03-01T00:00:00Z");
        let groups = alias_groups(&advisories);
        assert_eq!(groups["GHSA-aaaa"], "CVE-2024-1");
        assert_eq!(groups["PYSEC-2024-1"], "CVE-2024-1");
        assert_eq!(groups["GHSA-bbbb"], "GHSA-bbbb");
    }
}
