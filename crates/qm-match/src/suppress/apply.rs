//! Applying rules to findings, and explaining the rules that matched nothing.
//!
//! Each rule's products are first resolved against the inventory into scopes: everything
//! (an ignore entry without `package`, a VEX product naming the target), a purl, a package
//! name, or nothing at all with the reason why. Findings are then looked up by id, and each
//! finding's applicable rules are ranked (latest VEX statement, first ignore entry). A rule
//! that matched nothing is diagnosed by comparing its products with the packages that have
//! its vulnerability, then with every package of the inventory, and the nearest miss is
//! reported.

use std::collections::{BTreeSet, HashMap};

use qm_model::{Inventory, PackageName, Timestamp};

use super::purl::Purl;
use super::{
    Acknowledged, Component, ExpiredRule, Product, QualifierDifference, Rule, RuleKind, RuleSource,
    SuppressOutcome, Suppressed, SuppressedBy, UnmatchReason, UnmatchedRule,
};
use crate::Finding;

/// How many packages a [`UnmatchReason::NotInProduct`] names at most.
const FOUND_IN_LISTED: usize = 5;

/// A rule's product, resolved against this inventory.
enum Scope<'r> {
    /// Every finding with the vulnerability.
    All,
    /// Findings whose package purl this purl covers.
    Purl(&'r Purl),
    /// Findings whose package (or source package) has this name.
    Name(&'r str),
    /// Nothing, for this reason.
    Dead {
        product: String,
        reason: UnmatchReason,
    },
}

/// The target and packages of the inventory, prepared for comparison.
struct Context<'a> {
    inventory: &'a Inventory,
    /// The target's names and digests, and ids the user gave, lower-case.
    target_names: Vec<String>,
    /// Purls among the ids the user gave.
    target_purls: Vec<Purl>,
    /// Inventory package purls that parse, by package key.
    packages_by_key: HashMap<(String, Option<String>, String), Vec<Purl>>,
}

impl<'a> Context<'a> {
    fn new(inventory: &'a Inventory, target_ids: &[String]) -> Context<'a> {
        let target = &inventory.target;
        let mut target_names: Vec<String> = Vec::new();
        target_names.push(target.name.clone());
        if let Some((_, bare)) = target.name.split_once(':') {
            target_names.push(bare.to_owned());
        }
        target_names.extend(target.digest.iter().cloned());
        target_names.extend(target.manifest_digest.iter().cloned());
        target_names.extend(target.tags.iter().cloned());
        target_names.extend(target_ids.iter().cloned());
        let target_names = target_names
            .into_iter()
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect();
        let target_purls = target_ids
            .iter()
            .filter_map(|id| Purl::parse(id).ok())
            .collect();
        let mut packages_by_key: HashMap<_, Vec<Purl>> = HashMap::new();
        for package in &inventory.packages {
            if let Ok(purl) = Purl::parse(&package.purl) {
                packages_by_key
                    .entry(purl.package_key())
                    .or_default()
                    .push(purl);
            }
        }
        Context {
            inventory,
            target_names,
            target_purls,
            packages_by_key,
        }
    }

    /// Whether `component` names the scanned target.
    fn identifies_target(&self, component: &Component) -> bool {
        let id = component.id.trim().to_ascii_lowercase();
        if !id.is_empty() && self.target_names.contains(&id) {
            return true;
        }
        // An image reference with a digest: `ghcr.io/acme/app@sha256:…`.
        if !id.starts_with("pkg:")
            && let Some((_, digest)) = id.rsplit_once('@')
            && self.is_target_digest(digest)
        {
            return true;
        }
        let Some(purl) = &component.purl else {
            return false;
        };
        if self
            .target_purls
            .iter()
            .any(|target| purl.covers(target) || target.covers(purl))
        {
            return true;
        }
        if purl.ty != "oci" && purl.ty != "docker" {
            return false;
        }
        if let Some(version) = &purl.version
            && self.is_target_digest(version)
        {
            return true;
        }
        // By name and tag: `pkg:oci/app?tag=1.0` against the tag `ghcr.io/acme/app:1.0`;
        // a digest that is not the target's rules the image out.
        if purl
            .version
            .as_ref()
            .is_some_and(|version| version.contains(':'))
        {
            return false;
        }
        let wanted_tag = purl
            .qualifiers
            .get("tag")
            .or(purl.version.as_ref())
            .map(|tag| tag.to_ascii_lowercase());
        self.inventory.target.tags.iter().any(|tag| {
            let (repository, tag) = split_tag(tag);
            let name = repository.rsplit('/').next().unwrap_or(repository);
            name.eq_ignore_ascii_case(&purl.name)
                && wanted_tag
                    .as_deref()
                    .is_none_or(|wanted| tag.is_some_and(|tag| tag.eq_ignore_ascii_case(wanted)))
        })
    }

    fn is_target_digest(&self, digest: &str) -> bool {
        let target = &self.inventory.target;
        [&target.digest, &target.manifest_digest]
            .into_iter()
            .flatten()
            .any(|known| known.eq_ignore_ascii_case(digest.trim()))
    }

    /// Whether some package of the inventory is covered by `purl`.
    fn has_package(&self, purl: &Purl) -> bool {
        self.packages_by_key
            .get(&purl.package_key())
            .is_some_and(|packages| packages.iter().any(|package| purl.covers(package)))
    }

    /// What the target is called, for messages.
    fn target_description(&self) -> Vec<String> {
        let target = &self.inventory.target;
        let mut names = vec![target.name.clone()];
        names.extend(target.digest.iter().cloned());
        names.extend(target.tags.iter().cloned());
        names
    }
}

/// `registry/name:tag` into (`registry/name`, `tag`); the colon of a registry port is not a
/// tag.
fn split_tag(reference: &str) -> (&str, Option<&str>) {
    match reference.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
        _ => (reference, None),
    }
}

/// Resolves one product into scopes.
fn resolve<'r>(product: &'r Product, context: &Context<'_>) -> Vec<Scope<'r>> {
    let reference = match product {
        Product::Everything => return vec![Scope::All],
        Product::Name(name) => return vec![Scope::Name(name)],
        Product::Reference(reference) => reference,
    };
    let main = &reference.component;
    if reference.subcomponents.is_empty() {
        if context.identifies_target(main) {
            return vec![Scope::All];
        }
        // An image that is not this one: say what this one is.
        if main
            .purl
            .as_ref()
            .is_some_and(|purl| purl.ty == "oci" || purl.ty == "docker")
        {
            return vec![Scope::Dead {
                product: main.id.clone(),
                reason: UnmatchReason::UnknownProduct {
                    target_names: context.target_description(),
                },
            }];
        }
        return vec![component_scope(main)];
    }
    let in_scope = context.identifies_target(main)
        || main
            .purl
            .as_ref()
            .is_some_and(|purl| context.has_package(purl));
    if !in_scope {
        return vec![Scope::Dead {
            product: main.id.clone(),
            reason: UnmatchReason::UnknownProduct {
                target_names: context.target_description(),
            },
        }];
    }
    reference
        .subcomponents
        .iter()
        .map(component_scope)
        .collect()
}

/// A component's purl as a scope, or the reason it has none.
fn component_scope(component: &Component) -> Scope<'_> {
    match &component.purl {
        Some(purl) => Scope::Purl(purl),
        None => Scope::Dead {
            product: component.id.clone(),
            reason: UnmatchReason::UnsupportedProduct {
                why: component.purl_error.clone().unwrap_or_else(|| {
                    format!(
                        "`{}` is not a package URL and does not name the scanned target",
                        component.id
                    )
                }),
            },
        },
    }
}

/// Whether a package called `name` (in `ecosystem`, with source package `source`) is what
/// an ignore entry's `package = "<wanted>"` means.
fn name_matches(
    wanted: &str,
    ecosystem: &qm_model::Ecosystem,
    name: &str,
    source: Option<&str>,
) -> bool {
    name.eq_ignore_ascii_case(wanted)
        || source.is_some_and(|source| source.eq_ignore_ascii_case(wanted))
        || PackageName::new(ecosystem, name) == PackageName::new(ecosystem, wanted)
}

/// A finding, prepared: its ids upper-case and its purl parsed.
struct Prepared {
    ids: BTreeSet<String>,
    purl: Option<Purl>,
}

impl Prepared {
    fn new(finding: &Finding) -> Prepared {
        Prepared {
            ids: std::iter::once(&finding.id)
                .chain(finding.aliases.iter())
                .map(|id| id.trim().to_ascii_uppercase())
                .collect(),
            purl: Purl::parse(&finding.package.purl).ok(),
        }
    }
}

fn scope_matches(scope: &Scope<'_>, finding: &Finding, prepared: &Prepared) -> bool {
    match scope {
        Scope::All => true,
        Scope::Purl(purl) => prepared.purl.as_ref().is_some_and(|own| purl.covers(own)),
        Scope::Name(name) => name_matches(
            name,
            &finding.package.ecosystem,
            &finding.package.name,
            finding
                .package
                .source
                .as_ref()
                .map(|source| source.name.as_str()),
        ),
        Scope::Dead { .. } => false,
    }
}

/// Whether an ignore rule has expired at `now`.
fn is_expired(rule: &Rule, now: Timestamp) -> bool {
    matches!(&rule.kind, RuleKind::Ignore { expires: Some((_, stops_at)), .. } if now >= *stops_at)
}

/// The ordering key of a VEX rule: its time, then its position.
fn vex_rank(rules: &[Rule], index: usize) -> (Option<Timestamp>, usize) {
    let time = match rules.get(index).map(|rule| &rule.kind) {
        Some(RuleKind::Vex(verdict)) => verdict.timestamp,
        _ => None,
    };
    (time, index)
}

pub(crate) fn apply(
    rules: &[Rule],
    target_ids: &[String],
    findings: Vec<Finding>,
    inventory: &Inventory,
    now: Timestamp,
) -> SuppressOutcome {
    let context = Context::new(inventory, target_ids);
    let scopes: Vec<Vec<Scope<'_>>> = rules
        .iter()
        .map(|rule| {
            rule.products
                .iter()
                .flat_map(|product| resolve(product, &context))
                .collect()
        })
        .collect();
    let mut rules_by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, rule) in rules.iter().enumerate() {
        for id in &rule.ids {
            rules_by_id.entry(id.as_str()).or_default().push(index);
        }
    }
    let prepared: Vec<Prepared> = findings.iter().map(Prepared::new).collect();

    // For every rule: the findings it covers; whether its vulnerability is found at all;
    // whether it decided a finding; the rule it lost to.
    let mut covered: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
    let mut vulnerability_found = vec![false; rules.len()];
    let mut decided = vec![false; rules.len()];
    let mut lost_to: Vec<Option<usize>> = vec![None; rules.len()];
    let mut expired_hits = vec![0usize; rules.len()];

    let mut outcome = SuppressOutcome::default();
    for (finding_index, finding) in findings.into_iter().enumerate() {
        let Some(own) = prepared.get(finding_index) else {
            outcome.kept.push(finding);
            continue;
        };
        let candidates: BTreeSet<usize> = own
            .ids
            .iter()
            .filter_map(|id| rules_by_id.get(id.as_str()))
            .flatten()
            .copied()
            .collect();
        let mut vex = Vec::new();
        let mut ignore = None;
        for &rule_index in &candidates {
            let (Some(rule), Some(rule_scopes), Some(found)) = (
                rules.get(rule_index),
                scopes.get(rule_index),
                vulnerability_found.get_mut(rule_index),
            ) else {
                continue;
            };
            *found = true;
            if !rule_scopes
                .iter()
                .any(|scope| scope_matches(scope, &finding, own))
            {
                continue;
            }
            if let Some(list) = covered.get_mut(rule_index) {
                list.push(finding_index);
            }
            match &rule.kind {
                RuleKind::Vex(_) => vex.push(rule_index),
                RuleKind::Ignore { .. } if is_expired(rule, now) => {
                    if let Some(hits) = expired_hits.get_mut(rule_index) {
                        *hits += 1;
                    }
                }
                RuleKind::Ignore { .. } => {
                    if ignore.is_none() {
                        ignore = Some(rule_index);
                    }
                    if let Some(flag) = decided.get_mut(rule_index) {
                        *flag = true;
                    }
                }
                RuleKind::Inert { .. } => {}
            }
        }

        let winner = vex
            .iter()
            .copied()
            .max_by_key(|&index| vex_rank(rules, index));
        if let Some(winner) = winner {
            if let Some(flag) = decided.get_mut(winner) {
                *flag = true;
            }
            for &other in vex.iter().filter(|&&other| other != winner) {
                if let Some(slot) = lost_to.get_mut(other)
                    && slot.is_none()
                {
                    *slot = Some(winner);
                }
            }
        }
        let verdict = winner
            .and_then(|index| rules.get(index))
            .and_then(|rule| match &rule.kind {
                RuleKind::Vex(verdict) => Some(verdict.clone()),
                _ => None,
            });
        match (verdict, ignore.and_then(|index| rules.get(index))) {
            (Some(verdict), _) if verdict.status.suppresses() => {
                outcome.suppressed.push(Suppressed {
                    finding,
                    by: SuppressedBy::Vex(verdict),
                });
            }
            (_, Some(rule)) => {
                let (file, line) = match &rule.source {
                    RuleSource::Ignore { file, line } => (file.clone(), *line),
                    RuleSource::Vex { file, .. } => (file.clone(), 0),
                };
                let (reason, expires) = match &rule.kind {
                    RuleKind::Ignore {
                        reason, expires, ..
                    } => (
                        reason.clone(),
                        expires.as_ref().map(|(written, _)| written.clone()),
                    ),
                    _ => (None, None),
                };
                outcome.suppressed.push(Suppressed {
                    finding,
                    by: SuppressedBy::Ignore {
                        file,
                        line,
                        reason,
                        expires,
                    },
                });
            }
            (Some(verdict), None) => {
                outcome.acknowledged.push(Acknowledged {
                    kept_index: outcome.kept.len(),
                    id: finding.id.clone(),
                    purl: finding.package.purl.clone(),
                    verdict,
                });
                outcome.kept.push(finding);
            }
            (None, None) => outcome.kept.push(finding),
        }
    }

    let all_findings: Vec<&Finding> = outcome
        .kept
        .iter()
        .chain(
            outcome
                .suppressed
                .iter()
                .map(|suppressed| &suppressed.finding),
        )
        .collect();
    // `prepared` is in the original order; rebuild the pairing for diagnosis.
    let prepared_findings: Vec<(&Finding, Prepared)> = all_findings
        .iter()
        .map(|finding| (*finding, Prepared::new(finding)))
        .collect();

    for (index, rule) in rules.iter().enumerate() {
        if let RuleKind::Ignore {
            package,
            reason,
            expires: Some((written, _)),
        } = &rule.kind
            && is_expired(rule, now)
        {
            let line = match &rule.source {
                RuleSource::Ignore { line, .. } => *line,
                RuleSource::Vex { .. } => 0,
            };
            let file = match &rule.source {
                RuleSource::Ignore { file, .. } | RuleSource::Vex { file, .. } => file.clone(),
            };
            outcome.expired.push(ExpiredRule {
                file,
                line,
                id: rule.vulnerability.clone(),
                package: package.clone(),
                reason: reason.clone(),
                expires: written.clone(),
                findings: expired_hits.get(index).copied().unwrap_or_default(),
            });
            continue;
        }
        let reason_and_product = match &rule.kind {
            RuleKind::Inert { why } => Some((
                UnmatchReason::NotApplicable { why: why.clone() },
                first_product(rule),
            )),
            _ if decided.get(index).copied().unwrap_or_default() => None,
            _ => match lost_to.get(index).copied().flatten() {
                Some(winner) => rules.get(winner).map(|winner| {
                    (
                        UnmatchReason::Superseded {
                            by: winner.source.clone(),
                        },
                        first_product(rule),
                    )
                }),
                None => Some(diagnose(
                    rule,
                    scopes.get(index).map(Vec::as_slice).unwrap_or_default(),
                    vulnerability_found.get(index).copied().unwrap_or_default(),
                    &prepared_findings,
                    &context,
                )),
            },
        };
        if let Some((reason, product)) = reason_and_product {
            outcome.unmatched.push(UnmatchedRule {
                source: rule.source.clone(),
                vulnerability: rule.vulnerability.clone(),
                product,
                reason,
            });
        }
    }
    outcome
}

/// The first product of a rule, as written, for messages.
fn first_product(rule: &Rule) -> Option<String> {
    rule.products.first().map(|product| match product {
        Product::Everything => "every package".to_owned(),
        Product::Name(name) => name.clone(),
        Product::Reference(reference) => reference
            .subcomponents
            .first()
            .unwrap_or(&reference.component)
            .id
            .clone(),
    })
}

/// How near a miss is: the higher, the more useful to report.
fn rank(reason: &UnmatchReason) -> u8 {
    match reason {
        UnmatchReason::QualifierMismatch { .. } => 6,
        UnmatchReason::VersionMismatch { .. } => 5,
        UnmatchReason::NotInProduct { .. } => 4,
        UnmatchReason::UnknownProduct { .. } => 3,
        UnmatchReason::UnsupportedProduct { .. } => 2,
        _ => 1,
    }
}

/// Why a rule that covers no finding covers none, and the product concerned.
fn diagnose(
    rule: &Rule,
    scopes: &[Scope<'_>],
    vulnerability_found: bool,
    findings: &[(&Finding, Prepared)],
    context: &Context<'_>,
) -> (UnmatchReason, Option<String>) {
    if !vulnerability_found {
        return (UnmatchReason::UnknownVulnerability, first_product(rule));
    }
    let with_vulnerability: Vec<&(&Finding, Prepared)> = findings
        .iter()
        .filter(|(_, prepared)| rule.ids.iter().any(|id| prepared.ids.contains(id)))
        .collect();
    let found_in = || -> Vec<String> {
        let mut purls: Vec<String> = with_vulnerability
            .iter()
            .map(|(finding, _)| finding.package.purl.clone())
            .collect();
        purls.sort();
        purls.dedup();
        purls.truncate(FOUND_IN_LISTED);
        purls
    };

    let mut best: Option<(UnmatchReason, Option<String>)> = None;
    for scope in scopes {
        let candidate = match scope {
            Scope::All => (
                UnmatchReason::NotInProduct {
                    found_in: found_in(),
                },
                None,
            ),
            Scope::Dead { product, reason } => (reason.clone(), Some(product.clone())),
            Scope::Name(name) => {
                let present = context.inventory.packages.iter().any(|package| {
                    name_matches(
                        name,
                        &package.ecosystem,
                        &package.name,
                        package.source.as_ref().map(|source| source.name.as_str()),
                    )
                });
                let reason = if present {
                    UnmatchReason::NotInProduct {
                        found_in: found_in(),
                    }
                } else {
                    UnmatchReason::UnknownProduct {
                        target_names: Vec::new(),
                    }
                };
                (reason, Some((*name).to_owned()))
            }
            Scope::Purl(purl) => (
                diagnose_purl(purl, &with_vulnerability, context, found_in),
                Some(purl.to_string()),
            ),
        };
        if best
            .as_ref()
            .is_none_or(|(reason, _)| rank(&candidate.0) > rank(reason))
        {
            best = Some(candidate);
        }
    }
    best.unwrap_or_else(|| {
        (
            UnmatchReason::UnsupportedProduct {
                why: "the statement names no product".to_owned(),
            },
            None,
        )
    })
}

/// The nearest miss of a purl among the packages with the vulnerability, then among all.
fn diagnose_purl(
    purl: &Purl,
    with_vulnerability: &[&(&Finding, Prepared)],
    context: &Context<'_>,
    found_in: impl Fn() -> Vec<String>,
) -> UnmatchReason {
    let same_package: Vec<(&Finding, &Purl)> = with_vulnerability
        .iter()
        .filter_map(|(finding, prepared)| {
            prepared
                .purl
                .as_ref()
                .filter(|own| purl.same_package(own))
                .map(|own| (*finding, own))
        })
        .collect();
    if same_package.is_empty() {
        return if context.packages_by_key.contains_key(&purl.package_key()) {
            UnmatchReason::NotInProduct {
                found_in: found_in(),
            }
        } else {
            UnmatchReason::UnknownProduct {
                target_names: Vec::new(),
            }
        };
    }
    let same_version = same_package
        .iter()
        .find(|(_, own)| purl.version_matches(own));
    match same_version {
        Some((finding, own)) => UnmatchReason::QualifierMismatch {
            statement_purl: purl.to_string(),
            package_purl: finding.package.purl.clone(),
            differing: purl
                .qualifier_differences(own)
                .into_iter()
                .map(|(key, statement, package)| QualifierDifference {
                    key,
                    statement,
                    package,
                })
                .collect(),
        },
        None => {
            let mut versions: Vec<String> = same_package
                .iter()
                .filter_map(|(_, own)| own.version.clone())
                .collect();
            versions.sort();
            versions.dedup();
            UnmatchReason::VersionMismatch {
                statement_purl: purl.to_string(),
                package_versions: versions,
            }
        }
    }
}
