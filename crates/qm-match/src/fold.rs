//! Folding: the advisories one lookup found, judged for one installed version, become one
//! verdict per vulnerability.
//!
//! The same vulnerability reaches the database several times: as a CVE in the Debian tracker,
//! in a DSA that fixes it, as a GHSA, a PYSEC and a RUSTSEC record. Reporting each would count
//! one hole many times, so advisories are grouped by shared ids:
//!
//! - An advisory's ids are its own id, its aliases and, for distribution records named after a
//!   CVE (`DEBIAN-CVE-2023-1234`, `UBUNTU-CVE-…`), that CVE: those feeds put the upstream CVE
//!   in `related`, not in `aliases`. `related` ids are never followed otherwise: they name
//!   other vulnerabilities.
//! - Advisories that share an id are one vulnerability, transitively (GHSA-x aliases CVE-1,
//!   PYSEC-y aliases CVE-1 and GHSA-x: one group).
//! - An advisory naming two or more CVEs is an *announcement* (a DSA, a DLA, a Debian
//!   changelog record, a USN, a Go record fixing several CVEs): it does not join those CVEs
//!   into one vulnerability. It joins the group of each CVE it names instead, adding its own id
//!   and its facts (its fixed version, its status) to each. Without this rule one DSA would
//!   fold every CVE it fixes into a single finding and hide all but one. Its other non-CVE
//!   aliases (a Go record's two GHSA ids) are not carried: which GHSA goes with which CVE is
//!   not said. Two CVEs of one GHSA (duplicates assigned twice) therefore give two findings.
//!
//! Within a group:
//! - A distribution's explicit `not-affected` verdict on the package suppresses the group: the
//!   distribution judges its own packages, and feeds that merely mention a CVE (a changelog
//!   line "CVE-… does not apply") must not overrule it.
//! - The installed version is affected when any member says so. The fix offered is the lowest
//!   version that clears *every* member: start from the highest fix the affected members
//!   name, then, while some member still calls that version affected, move up to the fix that
//!   member names. A member affected with no fix (an open distribution issue, an OSV range
//!   without `fixed`) leaves the group unfixed, with the distribution's status as the reason.
//! - The severity is the highest CVSS base score among v3.x and v4.0 vectors; else the highest
//!   v2 score; else the highest rating a feed states in words (a Debian urgency, a GitHub
//!   label).
//! - The title comes from the most descriptive advisory: one about this vulnerability alone
//!   over an announcement, a specific summary over a generic one ("openssl security update"),
//!   a summary over the first line of details, a title-sized text over a whole paragraph, then
//!   the longer text.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use qm_model::{
    Advisory, AffectedPackage, CvssVersion, DistroStatus, Reference, Severity, Timestamp,
};
use qm_version::{CompiledAffected, Scheme, Version};

use crate::report::{FindingSeverity, FixState};

/// How many reference addresses a finding keeps.
const MAX_URLS: usize = 5;

/// A title longer than this reads as a paragraph (the tracker's CVE descriptions), so a
/// shorter one is preferred.
const TITLE_SIZED: usize = 160;

/// How many times the fix may move up before the search gives up; real data needs one or two.
const MAX_FIX_STEPS: usize = 32;

/// Id prefixes of announcements: their publication date is the date a fix shipped.
const ANNOUNCEMENT_PREFIXES: &[&str] = &[
    "DSA-",
    "DLA-",
    "DTSA-",
    "USN-",
    "RHSA-",
    "ALSA-",
    "RLSA-",
    "ELSA-",
    "SUSE-SU-",
    "OPENSUSE-SU-",
];

/// The facts of one advisory that folding needs, decoded once per match.
#[derive(Debug, Clone)]
pub(crate) struct AdvisoryFacts {
    pub(crate) id: String,
    pub(crate) source: String,
    /// Own id first, then aliases, then a CVE embedded in a distribution id; original
    /// spelling, without case-insensitive duplicates.
    pub(crate) ids: Vec<String>,
    /// The CVE ids among `ids`, upper-cased.
    pub(crate) cves: Vec<String>,
    pub(crate) summary: Option<String>,
    pub(crate) details_line: Option<String>,
    pub(crate) severities: Vec<Severity>,
    pub(crate) published: Option<Timestamp>,
    pub(crate) modified: Option<Timestamp>,
    pub(crate) withdrawn: bool,
    pub(crate) informational: Option<String>,
    pub(crate) references: Vec<Reference>,
}

impl AdvisoryFacts {
    pub(crate) fn new(advisory: Advisory) -> AdvisoryFacts {
        let mut ids: Vec<String> = Vec::with_capacity(advisory.aliases.len() + 1);
        // Announcements list up to thousands of CVEs (a kernel changelog record): a set keeps
        // the deduplication linear.
        let mut seen: HashSet<String> = HashSet::with_capacity(advisory.aliases.len() + 1);
        let mut push = |id: &str| {
            let id = id.trim();
            if !id.is_empty() && seen.insert(id.to_ascii_uppercase()) {
                ids.push(id.to_owned());
            }
        };
        push(&advisory.id);
        for alias in &advisory.aliases {
            push(alias);
        }
        if let Some(cve) = embedded_cve(&advisory.id) {
            push(cve);
        }
        let cves = ids
            .iter()
            .filter(|id| is_cve(id))
            .map(|id| id.to_ascii_uppercase())
            .collect();
        let nonempty = |text: Option<String>| {
            text.map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let details_line = advisory.details.as_deref().and_then(|details| {
            details
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .map(str::to_owned)
        });
        AdvisoryFacts {
            id: advisory.id,
            source: advisory.source,
            ids,
            cves,
            summary: nonempty(advisory.summary),
            details_line,
            severities: advisory.severities,
            published: advisory.published,
            modified: advisory.modified,
            withdrawn: advisory.withdrawn.is_some(),
            informational: advisory.informational,
            references: advisory.references,
        }
    }

    /// Whether it announces fixes for several vulnerabilities (see the module documentation).
    pub(crate) fn is_announcement(&self) -> bool {
        self.cves.len() >= 2
    }
}

/// Whether `id` is a CVE id (`CVE-2021-1234`, any case).
fn is_cve(id: &str) -> bool {
    id.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("CVE-"))
        && cve_number(id).is_some()
}

/// `(year, number)` of a CVE id, for numeric ordering (`CVE-2021-9999` before `CVE-2021-10000`).
fn cve_number(id: &str) -> Option<(u32, u64)> {
    let rest = id.get(4..)?;
    let (year, number) = rest.split_once('-')?;
    if year.len() != 4 || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((year.parse().ok()?, number.parse().ok()?))
}

/// The CVE a distribution record is named after: `DEBIAN-CVE-2023-1234` → `CVE-2023-1234`.
fn embedded_cve(id: &str) -> Option<&str> {
    let at = id.find("-CVE-")?;
    let cve = id.get(at + 1..)?;
    is_cve(cve).then_some(cve)
}

/// One advisory entry judged for the installed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The distribution says this release's package was never affected.
    NotAffected,
    /// The ranges do not include the installed version.
    Unaffected,
    /// The ranges include it; `fix` is the version the entry names, if any.
    Affected { fix: Option<String> },
}

/// One affected entry found for the looked-up key, with its advisory and its verdict.
pub(crate) struct Member<'a> {
    pub(crate) facts: &'a AdvisoryFacts,
    pub(crate) entry: &'a AffectedPackage,
    /// The entry's ranges, compiled; `None` for a not-affected verdict.
    pub(crate) compiled: Option<CompiledAffected>,
    pub(crate) outcome: Outcome,
}

/// What a group of members says about the installed version: a finding without its package.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub(crate) id: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) fixed_version: Option<String>,
    pub(crate) fix: FixState,
    pub(crate) severity: FindingSeverity,
    pub(crate) title: Option<String>,
    pub(crate) sources: Vec<String>,
    pub(crate) published: Option<Timestamp>,
    pub(crate) modified: Option<Timestamp>,
    pub(crate) fix_published: Option<Timestamp>,
    pub(crate) urls: Vec<String>,
    pub(crate) informational: Option<String>,
}

/// Union-find over upper-cased ids.
#[derive(Default)]
struct IdSets {
    index: HashMap<String, usize>,
    /// Original spelling of each node.
    names: Vec<String>,
    parent: Vec<usize>,
}

impl IdSets {
    fn node(&mut self, id: &str) -> usize {
        let key = id.to_ascii_uppercase();
        if let Some(&node) = self.index.get(&key) {
            return node;
        }
        let node = self.parent.len();
        self.index.insert(key, node);
        self.names.push(id.to_owned());
        self.parent.push(node);
        node
    }

    fn find(&mut self, mut node: usize) -> usize {
        while let Some(&parent) = self.parent.get(node) {
            if parent == node {
                break;
            }
            // Path halving.
            let grandparent = self.parent.get(parent).copied().unwrap_or(parent);
            if let Some(slot) = self.parent.get_mut(node) {
                *slot = grandparent;
            }
            node = parent;
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The lower node stays the root, so the result does not depend on hashing.
        let (root, child) = if a <= b { (a, b) } else { (b, a) };
        if let Some(slot) = self.parent.get_mut(child) {
            *slot = root;
        }
    }
}

/// Groups members into vulnerabilities and judges each group; see the module documentation.
pub(crate) fn fold(members: &[Member<'_>], scheme: Scheme) -> Vec<Verdict> {
    let mut sets = IdSets::default();
    // The nodes each member hangs on: all its ids for a single-vulnerability advisory, one node
    // per CVE for an announcement.
    let mut anchors: Vec<Vec<usize>> = Vec::with_capacity(members.len());
    for member in members {
        if member.facts.is_announcement() {
            anchors.push(member.facts.cves.iter().map(|cve| sets.node(cve)).collect());
        } else {
            let nodes: Vec<usize> = member.facts.ids.iter().map(|id| sets.node(id)).collect();
            if let Some((&first, rest)) = nodes.split_first() {
                for &other in rest {
                    sets.union(first, other);
                }
            }
            anchors.push(nodes.into_iter().take(1).collect());
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, nodes) in anchors.iter().enumerate() {
        let roots: BTreeSet<usize> = nodes.iter().map(|&node| sets.find(node)).collect();
        for root in roots {
            groups.entry(root).or_default().push(index);
        }
    }
    let mut names_by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for node in 0..sets.parent.len() {
        let root = sets.find(node);
        if let Some(name) = sets.names.get(node) {
            names_by_root.entry(root).or_default().push(name.clone());
        }
    }
    groups
        .into_iter()
        .filter_map(|(root, indexes)| {
            let group: Vec<&Member<'_>> = indexes
                .iter()
                .filter_map(|&index| members.get(index))
                .collect();
            let ids = names_by_root.remove(&root).unwrap_or_default();
            judge_group(&group, ids, scheme)
        })
        .collect()
}

/// One group's verdict; `None` when the group does not affect the installed version.
fn judge_group(group: &[&Member<'_>], group_ids: Vec<String>, scheme: Scheme) -> Option<Verdict> {
    if group
        .iter()
        .any(|member| member.outcome == Outcome::NotAffected)
    {
        return None;
    }
    let affected: Vec<&Member<'_>> = group
        .iter()
        .copied()
        .filter(|member| matches!(member.outcome, Outcome::Affected { .. }))
        .collect();
    if affected.is_empty() {
        return None;
    }
    let (fix, fixed_version) = choose_fix(group, &affected, scheme);

    // Ids: the group's own ids, plus each announcement's own id (not its other CVEs, which
    // are other vulnerabilities).
    let mut ids = group_ids;
    for member in group {
        if member.facts.is_announcement() {
            ids.push(member.facts.id.clone());
        }
    }
    let id = primary_id(&ids)?;
    let mut seen = BTreeSet::new();
    seen.insert(id.to_ascii_uppercase());
    let mut aliases: Vec<String> = ids
        .into_iter()
        .filter(|alias| seen.insert(alias.to_ascii_uppercase()))
        .collect();
    aliases.sort();

    // Members in report order: the one named by the primary id first, then single
    // vulnerability advisories, then announcements, each by id.
    let mut ordered: Vec<&Member<'_>> = group.to_vec();
    ordered.sort_by(|a, b| {
        let rank = |member: &Member<'_>| {
            (
                !member.facts.id.eq_ignore_ascii_case(&id),
                member.facts.is_announcement(),
            )
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.facts.id.cmp(&b.facts.id))
    });

    let sources: BTreeSet<&str> = group.iter().map(|m| m.facts.source.as_str()).collect();
    let own: Vec<&&Member<'_>> = group
        .iter()
        .filter(|member| !member.facts.is_announcement())
        .collect();
    let published = own.iter().filter_map(|m| m.facts.published).min();
    let modified = group.iter().filter_map(|m| m.facts.modified).max();
    let fix_published = fixed_version.as_deref().and_then(|chosen| {
        affected
            .iter()
            .filter(|member| {
                member.facts.is_announcement()
                    || ANNOUNCEMENT_PREFIXES.iter().any(|prefix| {
                        member
                            .facts
                            .id
                            .get(..prefix.len())
                            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                    })
            })
            .filter(|member| match &member.outcome {
                Outcome::Affected { fix: Some(fix) } => same_version(scheme, fix, chosen),
                _ => false,
            })
            .filter_map(|member| member.facts.published)
            .min()
    });
    let informational = group.iter().find_map(|m| m.facts.informational.clone());
    Some(Verdict {
        id,
        aliases,
        fixed_version,
        fix,
        severity: best_severity(&ordered),
        title: best_title(&ordered),
        sources: sources.into_iter().map(str::to_owned).collect(),
        published,
        modified,
        fix_published,
        urls: urls(&ordered),
        informational,
    })
}

/// Whether two version texts are the same version under `scheme` (or the same text).
fn same_version(scheme: Scheme, a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (scheme.parse(a), scheme.parse(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// The fix state of a group and the version to offer.
fn choose_fix(
    group: &[&Member<'_>],
    affected: &[&Member<'_>],
    scheme: Scheme,
) -> (FixState, Option<String>) {
    let not_fixed = |member: &Member<'_>| FixState::NotFixed {
        status: member
            .entry
            .status
            .filter(|status| *status != DistroStatus::Fixed && status.is_affected()),
    };
    if let Some(open) = affected
        .iter()
        .find(|member| matches!(member.outcome, Outcome::Affected { fix: None }))
    {
        return (not_fixed(open), None);
    }
    // Every affected member names a fix: start from the highest.
    let mut candidate: Option<Version> = None;
    for member in affected {
        if let Outcome::Affected { fix: Some(fix) } = &member.outcome {
            let Ok(version) = scheme.parse(fix) else {
                return (FixState::Unknown, None);
            };
            if candidate.as_ref().is_none_or(|best| version > *best) {
                candidate = Some(version);
            }
        }
    }
    let Some(mut candidate) = candidate else {
        return (FixState::Unknown, None);
    };
    // Move up while some member still calls the candidate affected.
    for _ in 0..MAX_FIX_STEPS {
        let mut next: Option<Version> = None;
        for member in group {
            let Some(compiled) = &member.compiled else {
                continue;
            };
            let Ok(evaluation) = compiled.evaluate_version(&candidate) else {
                continue;
            };
            if !evaluation.affected {
                continue;
            }
            let Some(fix) = evaluation.fixed else {
                return (not_fixed(member), None);
            };
            match scheme.parse(&fix) {
                Ok(version) if version > candidate => {
                    if next.as_ref().is_none_or(|best| version > *best) {
                        next = Some(version);
                    }
                }
                // A fix at or below the candidate that still leaves it affected: no way up.
                _ => return (FixState::Unknown, None),
            }
        }
        match next {
            Some(version) => candidate = version,
            None => {
                let version = candidate.to_string();
                return (
                    FixState::Fixed {
                        version: version.clone(),
                    },
                    Some(version),
                );
            }
        }
    }
    (FixState::Unknown, None)
}

/// The primary id: the lowest CVE, else a GHSA id, else the lowest id.
fn primary_id(ids: &[String]) -> Option<String> {
    let lowest_cve = ids
        .iter()
        .filter_map(|id| {
            cve_number(id)
                .filter(|_| is_cve(id))
                .map(|number| (number, id))
        })
        .min()
        .map(|(_, id)| id.to_ascii_uppercase());
    lowest_cve
        .or_else(|| {
            ids.iter()
                .filter(|id| id.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("GHSA-")))
                .min()
                .cloned()
        })
        .or_else(|| ids.iter().min().cloned())
}

/// The rank of a CVSS version: v3.x and v4.0 are preferred over v2.
fn cvss_tier(version: CvssVersion) -> u8 {
    match version {
        CvssVersion::V2 => 0,
        CvssVersion::V3_0 | CvssVersion::V3_1 | CvssVersion::V4_0 => 1,
    }
}

/// See the module documentation.
fn best_severity(members: &[&Member<'_>]) -> FindingSeverity {
    let mut best: Option<(u8, f64, FindingSeverity)> = None;
    let mut best_word: Option<FindingSeverity> = None;
    for member in members {
        let severities = member
            .facts
            .severities
            .iter()
            .chain(member.entry.severity.as_ref());
        for severity in severities {
            match severity {
                Severity::Cvss {
                    version,
                    vector,
                    score,
                    rating,
                } => {
                    let tier = cvss_tier(*version);
                    let better = best.as_ref().is_none_or(|(best_tier, best_score, _)| {
                        (tier, *score)
                            .partial_cmp(&(*best_tier, *best_score))
                            .is_some_and(|order| order == Ordering::Greater)
                    });
                    if better {
                        best = Some((
                            tier,
                            *score,
                            FindingSeverity {
                                rating: *rating,
                                score: Some(*score),
                                vector: Some(vector.clone()),
                                source: Some(member.facts.source.clone()),
                            },
                        ));
                    }
                }
                Severity::Rating { source, rating, .. } => {
                    if *rating == qm_model::Rating::Unknown {
                        continue;
                    }
                    if best_word.as_ref().is_none_or(|word| *rating > word.rating) {
                        best_word = Some(FindingSeverity {
                            rating: *rating,
                            score: None,
                            vector: None,
                            source: Some(source.clone()),
                        });
                    }
                }
            }
        }
    }
    best.map(|(_, _, severity)| severity)
        .or(best_word)
        .unwrap_or_else(FindingSeverity::unknown)
}

/// Whether a title says nothing about the vulnerability (`openssl security update`).
fn is_generic_title(title: &str) -> bool {
    let lower = title.to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    lower.ends_with("security update")
        || lower.ends_with("- several")
        || lower.ends_with("several vulnerabilities")
        || lower.ends_with("regression update")
        || !lower.contains(' ')
}

/// A title candidate; candidates order best first (fields compare in declaration order).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct TitleCandidate<'a> {
    from_announcement: bool,
    generic: bool,
    from_details: bool,
    paragraph: bool,
    longer_first: std::cmp::Reverse<usize>,
    order: usize,
    text: &'a str,
}

/// See the module documentation. An announcement speaks of several vulnerabilities, so it
/// gives a title only when nothing else does, and then only its summary (its details'
/// first line is about whichever vulnerability it lists first).
fn best_title(members: &[&Member<'_>]) -> Option<String> {
    let mut candidates: Vec<TitleCandidate<'_>> = Vec::new();
    for (order, member) in members.iter().enumerate() {
        let announcement = member.facts.is_announcement();
        let (text, from_summary) = match (&member.facts.summary, &member.facts.details_line) {
            (Some(summary), _) => (summary.as_str(), true),
            (None, Some(line)) if !announcement => (line.as_str(), false),
            _ => continue,
        };
        candidates.push(TitleCandidate {
            from_announcement: announcement,
            generic: is_generic_title(text),
            from_details: !from_summary,
            paragraph: text.chars().count() > TITLE_SIZED,
            longer_first: std::cmp::Reverse(text.len()),
            order,
            text,
        });
    }
    candidates
        .into_iter()
        .min()
        .map(|candidate| candidate.text.to_owned())
}

/// Advisory pages first, then other references, in member order, without duplicates.
fn urls(members: &[&Member<'_>]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for advisory_pass in [true, false] {
        for member in members {
            for reference in &member.facts.references {
                if (reference.kind == "ADVISORY") != advisory_pass || urls.len() >= MAX_URLS {
                    continue;
                }
                if !urls.contains(&reference.url) {
                    urls.push(reference.url.clone());
                }
            }
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_are_recognised_and_ordered_numerically() {
        assert!(is_cve("CVE-2021-1234"));
        assert!(is_cve("cve-2021-1234"));
        assert!(!is_cve("CVE-21-1234"));
        assert!(!is_cve("GHSA-xxxx-yyyy-zzzz"));
        assert!(!is_cve("CVE-2021-"));
        let ids = ["CVE-2021-10000", "CVE-2021-9999", "GHSA-a"].map(String::from);
        assert_eq!(primary_id(&ids).unwrap(), "CVE-2021-9999");
        let ids = ["RUSTSEC-2021-0001", "GHSA-b", "GHSA-a"].map(String::from);
        assert_eq!(primary_id(&ids).unwrap(), "GHSA-a");
        let ids = ["RUSTSEC-2021-0002", "PYSEC-2021-1"].map(String::from);
        assert_eq!(primary_id(&ids).unwrap(), "PYSEC-2021-1");
    }

    #[test]
    fn distribution_ids_name_their_cve() {
        assert_eq!(embedded_cve("DEBIAN-CVE-2023-1234"), Some("CVE-2023-1234"));
        assert_eq!(
            embedded_cve("UBUNTU-CVE-2020-36325"),
            Some("CVE-2020-36325")
        );
        assert_eq!(embedded_cve("DSA-5000-1"), None);
        assert_eq!(embedded_cve("X-CVE-20"), None);
    }

    #[test]
    fn generic_titles_are_recognised() {
        for generic in [
            "openssl security update",
            "sope - security update",
            "iceape - several",
            "Regression update.",
            "hyper",
        ] {
            assert!(is_generic_title(generic), "{generic}");
        }
        assert!(!is_generic_title(
            "Lenient `hyper` header parsing of `Content-Length` could allow request smuggling"
        ));
    }
}
