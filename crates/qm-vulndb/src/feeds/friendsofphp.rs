//! FriendsOfPHP security advisories (`security-advisories`): one YAML file per advisory and
//! Composer package, `<vendor>/<package>/<CVE or date>.yaml`.
//!
//! Each file names its package as `reference: composer://vendor/package` and lists affected
//! `branches`, each with a `versions` list of Composer constraints that must all hold
//! (`['>=2.0.0', '<2.0.5']`); the affected versions are the union of the branches. They become
//! one OSV `ECOSYSTEM` range of the `Packagist` package, ordered by `Scheme::Composer`, through
//! the interval algebra shared with the RubySec parser.
//!
//! Surprises:
//! - Comparators are taken literally in Composer's order: `>=2.0.0` starts at `2.0.0` and
//!   `<2.0.5` ends below `2.0.5`, as OSV and GitHub spell Packagist ranges. composer/semver's
//!   own `parseConstraint` rewrites `<2.0.5` to `<2.0.5.0-dev` and `>=2.0.0` to `>=2.0.0.0-dev`,
//!   which moves the pre-releases of the bound versions: we report `2.0.5-RC1` as affected (it
//!   is older than the fix) and `2.0.0-beta1` as unaffected, where `composer audit` says the
//!   opposite. Following Composer would spell every fix as `2.0.5-dev`, which reads as a
//!   development snapshot to upgrade to; no real advisory's branch starts or ends on a
//!   pre-release boundary that matters for a released version.
//! - `>3.2` starts just above `3.2`, which OSV cannot say for Composer's dense versions: the
//!   range starts at `3.2` itself, so `3.2` is reported affected. Seven real branches start
//!   with `>`; in four of them the version is not otherwise affected (`amphp/artax`
//!   `>0.7.1`, Drupal's `>8.7.3` twice, `livewire/livewire` `>2.2.4`).
//! - The identifier is the `cve` when there is one (several files share a CVE when a project
//!   is split into several packages: each is its own advisory of its own package), else
//!   `FRIENDSOFPHP-<vendor>/<package>/<file stem>`. The feed has no publication date: the
//!   branch `time` is when the fix was merged, so it is not kept.
//! - Only comparator constraints are read (`>=`, `>`, `<=`, `<`, `=`, `==`, `!=`, `<>`, a bare
//!   version, and several of them in one string separated by `,` or spaces, alternatives by
//!   `||`). Caret, tilde, wildcard and hyphen constraints, which the feed does not use, make
//!   the advisory skipped and reported rather than guessed.
//! - `composer-repository: false` (a package that is not on Packagist, such as Drupal's own
//!   repository) still files the advisory under `Packagist`: that is the ecosystem a
//!   `composer.lock` reports it in.

use qm_model::{Advisory, AffectedPackage, Ecosystem, PackageKey, Reference};
use qm_version::Scheme;
use serde_yaml_ng::Value as Yaml;

use super::rubysec::{
    MAX_REQUIREMENT_LENGTH, RequirementError, VersionSet, file_stem, parse_version, scalar_text,
};
use crate::ingest::Sink;

/// The `source` of every advisory from this feed.
const SOURCE: &str = "friendsofphp";

/// Reads one FriendsOfPHP advisory file into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    match read_advisory(file, bytes) {
        Ok(advisory) => sink.push(advisory),
        Err(reason) => sink.skip(SOURCE, file, reason),
    }
}

fn read_advisory(file: &str, bytes: &[u8]) -> Result<Advisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|error| format!("not UTF-8: {error}"))?;
    let document: Yaml =
        serde_yaml_ng::from_str(text).map_err(|error| format!("not valid YAML: {error}"))?;
    let Some(fields) = document.as_mapping() else {
        return Err("not a YAML mapping".into());
    };
    let text_field = |key: &str| fields.get(key).and_then(scalar_text);

    let reference = text_field("reference").ok_or("no `reference`")?;
    let name = reference
        .strip_prefix("composer://")
        .filter(|name| {
            name.split_once('/')
                .is_some_and(|(vendor, package)| !vendor.is_empty() && !package.is_empty())
        })
        .ok_or_else(|| {
            format!("`reference: {reference}` is not `composer://<vendor>/<package>`")
        })?;

    let Some(branches) = fields.get("branches").and_then(Yaml::as_mapping) else {
        return Err("`branches` is not a mapping of branch names to versions".into());
    };
    let mut affected = VersionSet::empty();
    for (branch, details) in branches {
        let branch = scalar_text(branch).unwrap_or_default();
        let versions = details
            .get("versions")
            .and_then(Yaml::as_sequence)
            .ok_or_else(|| format!("branch `{branch}` has no `versions` list"))?;
        let mut branch_set = VersionSet::all();
        for constraint in versions {
            let constraint = scalar_text(constraint)
                .ok_or_else(|| format!("branch `{branch}` holds a non-text constraint"))?;
            let set = composer_constraint(&constraint)
                .map_err(|error| format!("branch `{branch}`: {}", error.with_cause()))?;
            branch_set = branch_set.intersection(&set);
        }
        affected = affected.union(&branch_set);
    }

    let id = match text_field("cve") {
        Some(cve) => cve,
        None => format!("FRIENDSOFPHP-{name}/{}", file_stem(file)),
    };
    let references = text_field("link")
        .map(|url| Reference {
            kind: "ADVISORY".into(),
            url,
        })
        .into_iter()
        .collect();

    Ok(Advisory {
        id,
        source: SOURCE.into(),
        aliases: Vec::new(),
        related: Vec::new(),
        summary: text_field("title"),
        details: None,
        severities: Vec::new(),
        published: None,
        modified: None,
        informational: None,
        withdrawn: None,
        references,
        affected: vec![AffectedPackage {
            package: PackageKey::new(Ecosystem::Packagist, None, name),
            purl: None,
            ranges: affected.to_osv().ranges,
            status: None,
            severity: None,
        }],
    })
}

/// The versions satisfying a Composer constraint made of comparators: alternatives separated
/// by `||` (or `|`), each a list of comparators separated by `,` or spaces that must all hold.
pub(crate) fn composer_constraint(text: &str) -> Result<VersionSet, RequirementError> {
    if text.len() > MAX_REQUIREMENT_LENGTH {
        return Err(RequirementError::TooLong { length: text.len() });
    }
    let mut set = VersionSet::empty();
    for alternative in text.split("||").flat_map(|part| part.split('|')) {
        let mut conjunction = VersionSet::all();
        let mut tokens = alternative
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|token| !token.is_empty());
        let mut any = false;
        while let Some(token) = tokens.next() {
            // `>= 2.0`: an operator written apart from its version.
            let joined;
            let comparator = if token.chars().all(|c| matches!(c, '<' | '>' | '=' | '!')) {
                joined = format!("{token}{}", tokens.next().unwrap_or_default());
                joined.as_str()
            } else {
                token
            };
            conjunction = conjunction.intersection(&composer_comparator(comparator)?);
            any = true;
        }
        if !any {
            return Err(RequirementError::Unsupported {
                requirement: text.to_owned(),
                reason: "an alternative is empty",
            });
        }
        set = set.union(&conjunction);
    }
    Ok(set)
}

/// One comparator: `>=`, `>`, `<=`, `<`, `==`, `=`, `!=`, `<>` or none (`=`), then a version.
fn composer_comparator(comparator: &str) -> Result<VersionSet, RequirementError> {
    const OPERATORS: [&str; 8] = ["<>", "!=", ">=", "<=", "==", ">", "<", "="];
    let (operator, rest) = OPERATORS
        .iter()
        .find_map(|operator| {
            comparator
                .strip_prefix(operator)
                .map(|rest| (*operator, rest))
        })
        .unwrap_or(("=", comparator));
    let unsupported = |reason| RequirementError::Unsupported {
        requirement: comparator.to_owned(),
        reason,
    };
    if rest.starts_with(['^', '~']) {
        return Err(unsupported("caret and tilde constraints are not read"));
    }
    if rest.contains(['*', '@']) || rest.ends_with(".x") || rest.ends_with(".X") {
        return Err(unsupported(
            "wildcard and stability-flag constraints are not read",
        ));
    }
    let version = parse_version(Scheme::Composer, rest, comparator)?;
    Ok(match operator {
        ">=" => VersionSet::at_least(version),
        ">" => VersionSet::greater_than(version),
        "<=" => VersionSet::at_most(version),
        "<" => VersionSet::less_than(version),
        "!=" | "<>" => VersionSet::exactly(version).complement(),
        _ => VersionSet::exactly(version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composer(text: &str) -> qm_version::Version {
        Scheme::Composer.parse(text).unwrap()
    }

    #[test]
    fn constraints_read_comparators() {
        // (constraint, versions inside, versions outside)
        let cases: &[(&str, &[&str], &[&str])] = &[
            (">=2.0.0", &["2.0.0", "2.0", "3"], &["1.9.9", "2.0.0-beta1"]),
            (
                "<2.0.5",
                &["2.0.4", "2.0.5-RC1", "1"],
                &["2.0.5", "2.0.5.0"],
            ),
            ("<=4.2.5", &["4.2.5", "4.2.5.0"], &["4.2.5.1", "4.2.5-p1"]),
            (">3.2", &["3.2.0.1", "3.2-p1", "3.3"], &["3.2", "3.2.0"]),
            ("<2.3.2-p2", &["2.3.2", "2.3.2-p1"], &["2.3.2-p2", "2.3.3"]),
            (">=1.0, <1.1 || >=1.2", &["1.0.5", "1.3"], &["1.1", "1.1.5"]),
            (">= 1.0 < 1.1", &["1.0"], &["1.1", "0.9"]),
            ("!=1.0", &["1.0.1", "0.9"], &["1.0.0"]),
            ("1.2.3", &["1.2.3", "v1.2.3.0"], &["1.2.4"]),
        ];
        for (constraint, inside, outside) in cases {
            let set = composer_constraint(constraint).unwrap();
            for version in *inside {
                assert!(
                    set.contains(&composer(version)),
                    "{version} in {constraint}"
                );
            }
            for version in *outside {
                assert!(
                    !set.contains(&composer(version)),
                    "{version} not in {constraint}"
                );
            }
        }
    }

    #[test]
    fn unsupported_constraints_are_errors() {
        for bad in [
            "^1.2",
            "~1.2",
            "1.2.*",
            ">=1.0@dev",
            "1.x",
            "",
            "||",
            ">=",
            ">= banana",
        ] {
            assert!(composer_constraint(bad).is_err(), "{bad:?}");
        }
    }

    const CAKEPHP: &str = "title: Direct access\nlink: https://example.invalid/a\ncve: ~\n\
        branches:\n    2.0.x:\n        time: 2015-08-06 22:08:00\n        versions: ['>=2.0.0', '<2.0.99']\n\
        \x20   2.7.x:\n        time: null\n        versions: ['>=2.7.0', '<2.7.2']\n\
        reference: composer://CakePHP/cakephp\n";

    #[test]
    fn branches_become_one_range() {
        let advisory =
            read_advisory("x/cakephp/cakephp/2015-08-06.yaml", CAKEPHP.as_bytes()).unwrap();
        assert_eq!(advisory.id, "FRIENDSOFPHP-CakePHP/cakephp/2015-08-06");
        assert_eq!(advisory.summary.as_deref(), Some("Direct access"));
        let package = &advisory.affected[0];
        assert_eq!(package.package.to_string(), "Packagist/cakephp/cakephp");
        let events: Vec<String> = package.ranges.ranges[0]
            .events
            .iter()
            .map(|e| format!("{}:{}", e.key(), e.version()))
            .collect();
        assert_eq!(
            events,
            [
                "introduced:2.0.0",
                "fixed:2.0.99",
                "introduced:2.7.0",
                "fixed:2.7.2"
            ]
        );
    }

    #[test]
    fn a_cve_is_the_identifier() {
        let text = CAKEPHP.replace("cve: ~", "cve: CVE-2015-0001");
        let advisory = read_advisory("a.yaml", text.as_bytes()).unwrap();
        assert_eq!(advisory.id, "CVE-2015-0001");
    }

    #[test]
    fn malformed_records_are_refused_with_a_reason() {
        let cases = [
            (
                "reference: composer://a/b\nbranches: []\n",
                "`branches` is not a mapping",
            ),
            ("branches: {}\n", "no `reference`"),
            (
                "reference: composer://ab\nbranches: {}\n",
                "not `composer://",
            ),
            (
                "reference: composer://a/b\nbranches: {m: {versions: ['^1.0']}}\n",
                "caret and tilde",
            ),
            (
                "reference: composer://a/b\nbranches: {m: {time: 1}}\n",
                "no `versions` list",
            ),
            ("[1, 2]\n", "not a YAML mapping"),
        ];
        for (text, expected) in cases {
            let reason = read_advisory("a.yaml", text.as_bytes()).unwrap_err();
            assert!(reason.contains(expected), "{text:?}: {reason}");
        }
    }
}
