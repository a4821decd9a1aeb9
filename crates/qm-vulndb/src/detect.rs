//! Recognising feed formats by content, so a mirror directory may hold any mix of feeds in any
//! layout: the file name and folder never decide, the bytes do.

use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

/// The feed formats we ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A ZIP archive of feed files (osv.dev's per-ecosystem `all.zip`).
    Zip,
    /// One OSV record, JSON or YAML.
    Osv,
    /// A RustSec advisory: Markdown with a TOML front matter.
    RustSec,
    /// The Debian security tracker's JSON export (source package → CVE → release).
    DebianTracker,
    /// A Debian DSA, DLA or DTSA list file.
    DebianList,
    /// An Alpine secdb file (YAML or JSON).
    AlpineSecdb,
    /// A RubySec advisory (YAML).
    RubySec,
    /// A FriendsOfPHP security advisory (YAML).
    FriendsOfPhp,
    /// A Node.js security working group npm advisory (JSON).
    NodeJs,
}

/// Recognises the format of one file's bytes; `None` for anything that is not a feed
/// (READMEs, licences, other JSON).
pub(crate) fn detect(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Format::Zip);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("```toml") && text.contains("[advisory]") {
        return Some(Format::RustSec);
    }
    if trimmed.starts_with('{') {
        let value: Json = serde_json::from_str(trimmed).ok()?;
        return detect_json(&value);
    }
    if is_debian_list(trimmed) {
        return Some(Format::DebianList);
    }
    // YAML last: almost any text is valid YAML, so only mappings with telling keys count.
    let value: Yaml = serde_yaml_ng::from_str(trimmed).ok()?;
    detect_yaml(&value)
}

fn detect_json(value: &Json) -> Option<Format> {
    let object = value.as_object()?;
    let has = |key: &str| object.contains_key(key);
    if object.get("id").is_some_and(Json::is_string)
        && (has("affected") || has("modified") || has("schema_version"))
    {
        return Some(Format::Osv);
    }
    if has("module_name") && (has("vulnerable_versions") || has("patched_versions")) {
        return Some(Format::NodeJs);
    }
    if has("apkurl") || (has("packages") && (has("distroversion") || has("reponame"))) {
        return Some(Format::AlpineSecdb);
    }
    // Tracker export: package → { "CVE-…" | "TEMP-…": { "releases": … } }.
    let looks_like_tracker = object.values().take(20).any(|issues| {
        issues.as_object().is_some_and(|issues| {
            issues.iter().take(5).any(|(id, issue)| {
                (id.starts_with("CVE-") || id.starts_with("TEMP-"))
                    && issue.get("releases").is_some()
            })
        })
    });
    looks_like_tracker.then_some(Format::DebianTracker)
}

fn detect_yaml(value: &Yaml) -> Option<Format> {
    let mapping = value.as_mapping()?;
    let has = |key: &str| mapping.contains_key(key);
    if mapping.get("id").is_some_and(Yaml::is_string) && (has("affected") || has("modified")) {
        return Some(Format::Osv);
    }
    if (has("gem") || has("engine"))
        && (has("patched_versions")
            || has("unaffected_versions")
            || has("cve")
            || has("ghsa")
            || has("url"))
    {
        return Some(Format::RubySec);
    }
    if mapping
        .get("reference")
        .and_then(Yaml::as_str)
        .is_some_and(|reference| reference.starts_with("composer://"))
        && has("branches")
    {
        return Some(Format::FriendsOfPhp);
    }
    if has("packages") && (has("distroversion") || has("reponame") || has("apkurl")) {
        return Some(Format::AlpineSecdb);
    }
    None
}

/// DSA/DLA/DTSA list files start with entries like `[12 Jan 2023] DSA-5317-1 chromium - …`.
fn is_debian_list(text: &str) -> bool {
    text.lines().take(3).any(|line| {
        line.starts_with('[')
            && line.split_once("] ").is_some_and(|(_, rest)| {
                ["DSA-", "DLA-", "DTSA-"]
                    .iter()
                    .any(|p| rest.starts_with(p))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_content() {
        let cases: &[(&str, Option<Format>)] = &[
            (
                r#"{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","affected":[]}"#,
                Some(Format::Osv),
            ),
            (
                "id: PYSEC-1\nmodified: 2024-01-01\naffected: []\n",
                Some(Format::Osv),
            ),
            (
                "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\n```\n",
                Some(Format::RustSec),
            ),
            (
                r#"{"module_name":"x","vulnerable_versions":"<1"}"#,
                Some(Format::NodeJs),
            ),
            (
                r#"{"openssl":{"CVE-2023-0001":{"releases":{}}}}"#,
                Some(Format::DebianTracker),
            ),
            (
                "[12 Jan 2023] DSA-5317-1 chromium - security update\n",
                Some(Format::DebianList),
            ),
            (
                "gem: rails\ncve: 2020-1\npatched_versions: []\n",
                Some(Format::RubySec),
            ),
            (
                "reference: composer://a/b\nbranches: {}\n",
                Some(Format::FriendsOfPhp),
            ),
            (
                "distroversion: v3.11\nreponame: main\npackages: []\n",
                Some(Format::AlpineSecdb),
            ),
            ("# A README\n\nSome text.\n", None),
            (r#"{"name":"package.json"}"#, None),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text.as_bytes()), *expected, "{text}");
        }
        assert_eq!(detect(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(detect(&[0xff, 0xfe, 0x00]), None);
    }
}
