//! Alpine's secdb (and the same format from Wolfi and Chainguard): which package release of a
//! branch fixed which vulnerabilities.
//!
//! A secdb file (YAML from the old `alpine-secdb` repository, JSON from
//! `secdb.alpinelinux.org/v3.x/main.json`) covers one repository of one branch:
//! `distroversion: v3.11, reponame, urlprefix, apkurl, packages: [{pkg: {name, secfixes:
//! {"1.2.3-r0": ["CVE-2020-1 CVE-2020-2", "XSA-123"], "0": ["CVE-…"]}}}]`. We emit one
//! advisory per (file, vulnerability id), merging every package that names the id, with one
//! affected entry per package: `PackageKey::new(Alpine, Some("v3.11"), name)`, an `ECOSYSTEM`
//! range `introduced "0"` → `fixed <version>` over apk versions, and status `Fixed`. The key
//! `"0"` means the package was never affected in that branch: status `NotAffected` and no
//! ranges at all, so range evaluation finds no version affected.
//!
//! The distribution comes from the host of `urlprefix` (or of `apkurl`, if it is a plain URL):
//! `*.wolfi.dev` is Wolfi (source `wolfi-secdb`), `*.cgr.dev` and `*.chainguard.dev` are
//! Chainguard (`chainguard-secdb`), `*.alpinelinux.org` is Alpine (`alpine-secdb`). Wolfi and
//! Chainguard roll and have no `distroversion`, so their keys have no release. With no known
//! host, a file with a `distroversion` is Alpine's and a file without one is skipped.
//!
//! Surprises:
//! - Names are *origin* (source) packages, as `apk` records them in `o:`; matching must map
//!   subpackages to their origin first.
//! - The same id recurs across branches and across `main` and `community` of one branch: each
//!   file gives its own advisory, because a file is read on its own.
//! - An entry may hold several ids separated by spaces and notes in parentheses
//!   (`CVE-2018-10103 (SMB - partially fixed)`); notes are dropped. Ids that are not CVEs
//!   (`XSA-123`, `TALOS-2019-0844`, `GHSA-…`, `wnpa-sec-2017-18`) are kept as written. CVE ids
//!   are read up to their number, which repairs real typos: `CVE_2019-2426`, `CVE 2018-16859`,
//!   `CVE-2019-19451.patch` and `CVE-2017-17434-1` (a patch number) all name the CVE.
//!   Placeholders (`CVE-????-?????`) and bare words (`XPTI`) are skipped and reported.
//! - When one package lists an id under several versions (a fix redone), the highest version,
//!   by apk's order, is the fix; a real fix wins over `"0"`.
//! - Version keys must be valid apk versions; invalid ones (`4.10-1-r1`, `0.8.21.r2`) are
//!   skipped and reported. YAML would read an unquoted key like `1.10` as a number; keys are
//!   read as their raw text, so nothing is lost.

use std::collections::BTreeMap;
use std::fmt;

use qm_model::{Advisory, AffectedPackage, AffectedRanges, DistroStatus, Ecosystem, PackageKey};
use qm_version::{Scheme, Version};
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ingest::Sink;

/// Reads one secdb file (YAML or JSON) into `sink`.
pub(crate) fn parse(file: &str, bytes: &[u8], sink: &mut Sink) {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    let secdb = if first == Some(&b'{') {
        serde_json::from_slice::<RawSecdb>(bytes).map_err(|error| error.to_string())
    } else {
        serde_yaml_ng::from_slice::<RawSecdb>(bytes).map_err(|error| error.to_string())
    };
    let secdb = match secdb {
        Ok(secdb) => secdb,
        Err(error) => {
            sink.skip(
                Distribution::Alpine.source(),
                file,
                format!("not a readable secdb file: {error}"),
            );
            return;
        }
    };
    let (distribution, release) = match distribution(&secdb) {
        Ok(found) => found,
        Err(reason) => {
            sink.skip(Distribution::Alpine.source(), file, reason);
            return;
        }
    };
    let source = distribution.source();
    let mut by_id: BTreeMap<String, BTreeMap<String, Fixes>> = BTreeMap::new();
    for (index, entry) in secdb.packages.unwrap_or_default().into_iter().enumerate() {
        let name = entry
            .pkg
            .and_then(|pkg| Some((pkg.name?.0?, pkg.secfixes)))
            .filter(|(name, _)| !name.trim().is_empty());
        let Some((name, secfixes)) = name else {
            sink.skip(source, file, format!("package #{index} has no `pkg.name`"));
            continue;
        };
        let name = name.trim();
        for (version, ids) in secfixes.unwrap_or_default() {
            let version = version.trim();
            let fix = if version == "0" {
                None
            } else {
                match Scheme::Apk.parse(version) {
                    Ok(parsed) => Some((parsed, version.to_owned())),
                    Err(error) => {
                        sink.skip(source, file, format!("`{name}`: fix skipped, {error}"));
                        continue;
                    }
                }
            };
            let entries = ids.map(|ids| ids.0).unwrap_or_default();
            if entries.is_empty() {
                sink.skip(source, file, format!("`{name}` {version}: names no id"));
            }
            for entry in entries {
                let Some(text) = entry.0 else {
                    sink.skip(
                        source,
                        file,
                        format!("`{name}` {version}: an id is not text"),
                    );
                    continue;
                };
                let (ids, rejected) = vulnerability_ids(&text);
                for token in rejected {
                    sink.skip(
                        source,
                        file,
                        format!("`{name}` {version}: `{token}` is not a vulnerability id"),
                    );
                }
                for id in ids {
                    let fixes = by_id
                        .entry(id)
                        .or_default()
                        .entry(name.to_owned())
                        .or_default();
                    match &fix {
                        Some(fix) => fixes.fixed.push(fix.clone()),
                        None => fixes.never_affected = true,
                    }
                }
            }
        }
    }
    for (id, packages) in by_id {
        let affected = packages
            .into_iter()
            .map(|(name, fixes)| {
                let highest = fixes
                    .fixed
                    .iter()
                    .max_by(|a, b| a.0.cmp(&b.0))
                    .map(|(_, text)| text.as_str());
                let (status, ranges) = match highest {
                    Some(fixed) => (
                        DistroStatus::Fixed,
                        AffectedRanges::introduced_fixed("0", Some(fixed)),
                    ),
                    None => (DistroStatus::NotAffected, AffectedRanges::default()),
                };
                AffectedPackage {
                    package: PackageKey::new(distribution.ecosystem(), release.as_deref(), &name),
                    purl: None,
                    ranges,
                    status: Some(status),
                    severity: None,
                }
            })
            .collect();
        sink.push(Advisory {
            id,
            source: source.to_owned(),
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
            affected,
        });
    }
}

/// The fixes one package records for one id: parsed versions with their text, and whether the
/// `"0"` key named it.
#[derive(Default)]
struct Fixes {
    fixed: Vec<(Version, String)>,
    never_affected: bool,
}

/// The distributions that publish secdb files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Distribution {
    Alpine,
    Wolfi,
    Chainguard,
}

impl Distribution {
    fn source(self) -> &'static str {
        match self {
            Distribution::Alpine => "alpine-secdb",
            Distribution::Wolfi => "wolfi-secdb",
            Distribution::Chainguard => "chainguard-secdb",
        }
    }

    fn ecosystem(self) -> Ecosystem {
        match self {
            Distribution::Alpine => Ecosystem::Alpine,
            Distribution::Wolfi => Ecosystem::Wolfi,
            Distribution::Chainguard => Ecosystem::Chainguard,
        }
    }

    /// The distribution a package host belongs to.
    fn from_host(host: &str) -> Option<Distribution> {
        let within = |domain: &str| {
            host == domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|prefix| prefix.ends_with('.'))
        };
        if within("wolfi.dev") {
            Some(Distribution::Wolfi)
        } else if within("cgr.dev") || within("chainguard.dev") {
            Some(Distribution::Chainguard)
        } else if within("alpinelinux.org") {
            Some(Distribution::Alpine)
        } else {
            None
        }
    }
}

/// Which distribution and release a file covers (see the module documentation).
fn distribution(secdb: &RawSecdb) -> Result<(Distribution, Option<String>), String> {
    let text = |field: &Option<Scalar>| {
        field
            .as_ref()
            .and_then(|value| value.0.as_deref())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let release = text(&secdb.distroversion);
    let known = [&secdb.urlprefix, &secdb.apkurl]
        .into_iter()
        .filter_map(text)
        .filter_map(|url| host(&url).as_deref().and_then(Distribution::from_host))
        .next();
    match (known, release) {
        (Some(Distribution::Alpine) | None, Some(release)) => {
            Ok((Distribution::Alpine, Some(release)))
        }
        (Some(Distribution::Alpine), None) => {
            Err("an Alpine secdb file without `distroversion`".to_owned())
        }
        (Some(rolling), _) => Ok((rolling, None)),
        (None, None) => Err(
            "cannot tell the distribution: no `distroversion`, and `urlprefix` is not an \
             Alpine, Wolfi or Chainguard host"
                .to_owned(),
        ),
    }
}

/// The lower-cased host of `scheme://host[:port]/path`; `None` for templates and plain text.
fn host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty() && !host.contains('{')).then(|| host.to_ascii_lowercase())
}

/// Splits one secfixes entry into vulnerability ids and the tokens that are none (see the
/// module documentation).
fn vulnerability_ids(entry: &str) -> (Vec<String>, Vec<String>) {
    let mut without_notes = String::with_capacity(entry.len());
    let mut depth = 0_usize;
    for c in entry.chars() {
        match c {
            '(' => depth = depth.saturating_add(1),
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => without_notes.push(c),
            _ => {}
        }
    }
    let tokens: Vec<&str> = without_notes
        .split_whitespace()
        .map(|token| token.trim_end_matches([',', ';']))
        .filter(|token| !token.is_empty())
        .collect();
    let mut ids = Vec::new();
    let mut rejected = Vec::new();
    let mut index = 0;
    while let Some(token) = tokens.get(index) {
        index = index.saturating_add(1);
        // `CVE 2018-16859`: the id split by a space.
        let joined;
        let token = match tokens.get(index) {
            Some(next)
                if token.eq_ignore_ascii_case("CVE")
                    && cve_id(&format!("CVE-{next}")).is_some() =>
            {
                index = index.saturating_add(1);
                joined = format!("CVE-{next}");
                joined.as_str()
            }
            _ => token,
        };
        let id = if starts_with_ignore_case(token, "CVE") {
            cve_id(token)
        } else {
            is_other_id(token).then(|| token.to_owned())
        };
        match id {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => rejected.push(token.to_owned()),
        }
    }
    (ids, rejected)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// `CVE-YYYY-NNNN…` read up to the end of its number, with `_` accepted for the first `-`;
/// `None` when there is no such id at the start.
fn cve_id(token: &str) -> Option<String> {
    let rest = token.get(3..)?.strip_prefix(['-', '_'])?;
    let (year, rest) = rest.split_once('-')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number = rest.get(..digits)?;
    let valid = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && number.len() >= 4;
    valid.then(|| format!("CVE-{year}-{number}"))
}

/// An id of another scheme, kept as written: a word of letters, a `-`, then letters, digits
/// and `-_.:` (`XSA-123`, `GHSA-xxxx-xxxx-xxxx`, `wnpa-sec-2017-18`, `ALPINE-13661`).
fn is_other_id(token: &str) -> bool {
    let Some((prefix, rest)) = token.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_alphabetic())
        && rest.bytes().any(|b| b.is_ascii_alphanumeric())
        && !rest.ends_with('-')
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// A secdb file as written; every field is optional so that what is missing is reported by
/// us, not by serde.
#[derive(Deserialize)]
struct RawSecdb {
    #[serde(default)]
    distroversion: Option<Scalar>,
    #[serde(default)]
    urlprefix: Option<Scalar>,
    #[serde(default)]
    apkurl: Option<Scalar>,
    #[serde(default)]
    packages: Option<Vec<RawEntry>>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(default)]
    pkg: Option<RawPackage>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    name: Option<Scalar>,
    /// Version key (read as its raw text) → entries.
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Entries>>>,
}

/// A scalar as text whatever YAML made of it (a number, a boolean); `None` for a mapping or
/// a list, which are consumed and dropped.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Scalar, E> {
        Ok(Scalar(Some(value.to_owned())))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Scalar, E> {
        Ok(Scalar(Some(value)))
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Scalar, E> {
        Ok(Scalar(Some(value.to_string())))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Scalar, E> {
        Ok(Scalar(Some(value.to_string())))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Scalar, E> {
        Ok(Scalar(Some(value.to_string())))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Scalar, E> {
        Ok(Scalar(Some(value.to_string())))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Scalar, D::Error> {
        Scalar::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
}

/// The entries under one version key: a list of scalars, or one scalar.
struct Entries(Vec<Scalar>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of vulnerability ids")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = seq.next_element::<Scalar>()? {
            entries.push(entry);
        }
        Ok(Entries(entries))
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Entries, E> {
        Ok(Entries(vec![Scalar(Some(value.to_owned()))]))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Entries, E> {
        Ok(Entries(vec![Scalar(Some(value))]))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Entries, E> {
        Ok(Entries(Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Entries(vec![Scalar(None)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Sink {
        let mut sink = Sink::default();
        parse("test", text.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn entries_split_into_ids() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("CVE-2020-1234", &["CVE-2020-1234"], &[]),
            (
                "CVE-2020-1234 CVE-2020-5678",
                &["CVE-2020-1234", "CVE-2020-5678"],
                &[],
            ),
            (
                "CVE-2019-5060 TALOS-2019-0844",
                &["CVE-2019-5060", "TALOS-2019-0844"],
                &[],
            ),
            (
                "CVE-2018-10103 (SMB - partially fixed)",
                &["CVE-2018-10103"],
                &[],
            ),
            ("XSA-295", &["XSA-295"], &[]),
            ("GHSA-jq35-85cj-fj4p", &["GHSA-jq35-85cj-fj4p"], &[]),
            ("wnpa-sec-2017-18", &["wnpa-sec-2017-18"], &[]),
            ("CVE_2019-2426", &["CVE-2019-2426"], &[]),
            ("CVE 2018-16859", &["CVE-2018-16859"], &[]),
            ("CVE-2019-19451.patch", &["CVE-2019-19451"], &[]),
            ("CVE-2017-17434-1", &["CVE-2017-17434"], &[]),
            ("CVE-????-?????  XSA-284", &["XSA-284"], &["CVE-????-?????"]),
            (
                "CVE-2017-5753 XSA-254 XPTI",
                &["CVE-2017-5753", "XSA-254"],
                &["XPTI"],
            ),
            ("", &[], &[]),
        ];
        for (entry, ids, rejected) in cases {
            let (found, refused) = vulnerability_ids(entry);
            assert_eq!(found, *ids, "{entry}");
            assert_eq!(refused, *rejected, "{entry}");
        }
    }

    proptest::proptest! {
        #[test]
        fn entries_never_panic(entry in "[Cc][Vv][Ee][ _-]?[0-9?]{0,5}[-.]?[0-9a-z()]{0,8}( [^\n]{0,10})?") {
            let (ids, rejected) = vulnerability_ids(&entry);
            proptest::prop_assert!(ids.iter().chain(&rejected).all(|id| !id.is_empty()));
        }

        #[test]
        fn files_never_panic(
            keys in proptest::collection::vec("[0-9a-z._~-]{0,8}", 0..4),
            ids in proptest::collection::vec("[A-Za-z0-9 ()?_-]{0,16}", 0..4),
        ) {
            let mut text = String::from("distroversion: v3.1\npackages:\n  - pkg:\n      name: a\n      secfixes:\n");
            for key in &keys {
                text.push_str(&format!("        '{key}':\n"));
                for id in &ids {
                    text.push_str(&format!("          - '{id}'\n"));
                }
            }
            let _ = read(&text);
        }

        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut sink = Sink::default();
            parse("test", &bytes, &mut sink);
        }
    }

    #[test]
    fn hosts_decide_the_distribution() {
        let cases = [
            ("https://packages.wolfi.dev", Some(Distribution::Wolfi)),
            ("https://libraries.cgr.dev", Some(Distribution::Chainguard)),
            (
                "https://packages.cgr.dev/os",
                Some(Distribution::Chainguard),
            ),
            (
                "http://dl-cdn.alpinelinux.org/alpine",
                Some(Distribution::Alpine),
            ),
            ("https://notwolfi.dev", None),
            ("{{urlprefix}}/{{reponame}}", None),
        ];
        for (url, expected) in cases {
            assert_eq!(
                host(url).and_then(|h| Distribution::from_host(&h)),
                expected,
                "{url}"
            );
        }
    }

    #[test]
    fn yaml_keys_keep_their_text_and_zero_means_not_affected() {
        let sink = read(concat!(
            "distroversion: v3.11\nreponame: main\n",
            "urlprefix: http://dl-cdn.alpinelinux.org/alpine\npackages:\n",
            "  - pkg:\n      name: a\n      secfixes:\n",
            "        1.10:\n          - CVE-2020-1111\n",
            "        1.2-r0:\n          - CVE-2020-1111\n",
            "        0:\n          - CVE-2020-2222\n",
            "        4.10-1-r1:\n          - CVE-2020-3333\n",
        ));
        let ids: Vec<&str> = sink.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2020-1111", "CVE-2020-2222"]);
        let fixed = &sink.advisories[0].affected[0];
        assert_eq!(fixed.package.to_string(), "Alpine:3.11/a");
        assert_eq!(
            fixed.ranges,
            AffectedRanges::introduced_fixed("0", Some("1.10"))
        );
        let never = &sink.advisories[1].affected[0];
        assert_eq!(never.status, Some(DistroStatus::NotAffected));
        assert!(never.ranges.ranges.is_empty());
        assert_eq!(sink.report.sources["alpine-secdb"].skipped, 1);
    }

    #[test]
    fn rolling_distributions_have_no_release() {
        let sink = read(
            r#"{"apkurl":"{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
                "reponame":"os","urlprefix":"https://packages.wolfi.dev",
                "packages":[{"pkg":{"name":"flex","secfixes":{"0":["CVE-2019-6293"]}}},
                            {"pkg":{"secfixes":{}}}]}"#,
        );
        assert_eq!(sink.advisories.len(), 1);
        assert_eq!(sink.advisories[0].source, "wolfi-secdb");
        assert_eq!(
            sink.advisories[0].affected[0].package.to_string(),
            "Wolfi/flex"
        );
        assert_eq!(sink.report.sources["wolfi-secdb"].skipped, 1);
        let unknown = read(r#"{"apkurl":"x","reponame":"os","packages":[]}"#);
        assert_eq!(unknown.report.sources["alpine-secdb"].skipped, 1);
    }
}
