//! yarn's `yarn.lock`, both generations: classic (v1) and berry (v2+).
//!
//! Surprises of the format:
//! - Classic is not YAML, though it looks close: an entry starts with an unindented header
//!   listing every range that resolved to it (`"@s/a@^1.0", "@s/a@~1.1":`, quotes optional),
//!   then indented `version "1.2.3"` lines. The name is the first header's text before the `@`
//!   that follows the first character (a scope starts with `@` too). A header's range may be
//!   an alias, `alias@npm:real@^1.0`, reported as `real`.
//! - Berry is YAML with a `__metadata` entry; keys are descriptors (`"a@npm:^1.0.0"`), and
//!   `resolution` (`a@npm:1.0.3`) names the package actually installed, so the name comes from
//!   there. Resolutions with the `workspace:` protocol (the project's own packages), `link:`
//!   and `portal:` (local folders, not fetched packages) are skipped. A `patch:` resolution
//!   (`resolve@patch:resolve@npm%3A1.22.1#...`) is still the named package, at `version`.
//! - Neither generation records which dependencies are dev-only (that needs `package.json`
//!   and a walk of the graph), so `dev` is always false here.
//! - Duplicate entries happen in real files (merge conflicts resolved by hand): merged.
//!
//! A classic entry without a version, or a berry entry without a usable resolution or
//! version, is skipped; a berry file that is not YAML is an error.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use super::{Collector, check_size, malformed, split_name_at};
use crate::CatalogError;
use qm_model::Package;

/// The cataloger's name in `Package::found_by`.
const FOUND_BY: &str = "yarn-lock";

/// Berry resolution protocols that point at the project's own or local code.
const LOCAL_PROTOCOLS: &[&str] = &["workspace:", "link:", "portal:"];

/// Reads a `yarn.lock`, classic or berry, into its locked packages.
///
/// # Errors
/// When the file is over the size limit or not UTF-8, or a berry file is not YAML.
pub fn parse_yarn_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    check_size(path, bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|error| malformed(path, error))?;
    let mut collector = Collector::new(FOUND_BY, path);
    if is_berry(text) {
        parse_berry(path, bytes, &mut collector)?;
    } else {
        parse_classic(text, &mut collector);
    }
    Ok(collector.finish())
}

/// Berry files open with a `__metadata:` mapping; classic files never have one.
fn is_berry(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end();
        line == "__metadata:" || line == "\"__metadata\":"
    })
}

fn parse_berry(path: &str, bytes: &[u8], collector: &mut Collector) -> Result<(), CatalogError> {
    let entries: BTreeMap<String, Value> =
        serde_yaml_ng::from_slice(bytes).map_err(|error| malformed(path, error))?;
    for (key, entry) in &entries {
        if key == "__metadata" {
            continue;
        }
        let Some(resolution) = entry.get("resolution").and_then(Value::as_str) else {
            continue;
        };
        let Some((name, reference)) = split_name_at(resolution) else {
            continue;
        };
        if LOCAL_PROTOCOLS
            .iter()
            .any(|protocol| reference.starts_with(protocol))
        {
            continue;
        }
        let Some(version) = entry.get("version").and_then(scalar_text) else {
            continue;
        };
        collector.add(name, &version, false);
    }
    Ok(())
}

/// A YAML scalar as text: `version: 2` is a number to YAML but a version to us.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn parse_classic(text: &str, collector: &mut Collector) {
    let mut name: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            name = line.strip_suffix(':').and_then(header_name);
            continue;
        }
        let Some(value) = line
            .strip_prefix("  version ")
            .or_else(|| line.strip_prefix("  version: "))
        else {
            continue;
        };
        if let Some(name) = name.take() {
            collector.add(&name, value.trim().trim_matches('"'), false);
        }
    }
}

/// The package name from a classic header (without its trailing `:`), following an alias.
fn header_name(header: &str) -> Option<String> {
    let first = header.split(',').next()?.trim().trim_matches('"');
    let (name, range) = split_name_at(first)?;
    let name = match range.strip_prefix("npm:").and_then(split_name_at) {
        Some((real, _)) => real,
        None => name,
    };
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, String)> {
        parse_yarn_lock("yarn.lock", text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect()
    }

    #[test]
    fn classic_headers_give_names() {
        let cases = [
            (
                r#""@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4""#,
                Some("@babel/code-frame"),
            ),
            ("ajv@^6.10.2, ajv@^6.5.5", Some("ajv")),
            ("asn1.js@^4.0.0", Some("asn1.js")),
            (
                r#""should-type@https://github.com/shouldjs/type.git#1.3.0""#,
                Some("should-type"),
            ),
            (r#""my-alias@npm:@s/real@^1.0""#, Some("@s/real")),
            (r#""code-frame""#, None),
        ];
        for (header, expected) in cases {
            assert_eq!(header_name(header).as_deref(), expected, "{header}");
        }
    }

    #[test]
    fn classic_entries_take_the_first_version_line() {
        let text = "# yarn lockfile v1\n\na@^1.0:\n  version \"1.2.3\"\n  dependencies:\n    b \"^2\"\n\nb@^2:\r\n  version 2.0.1\r\n\nbroken@^1:\n  resolved \"x\"\n";
        assert_eq!(
            parsed(text),
            [("a".into(), "1.2.3".into()), ("b".into(), "2.0.1".into())]
        );
    }

    #[test]
    fn berry_skips_local_protocols_and_reads_patches() {
        let text = r#"
__metadata:
  version: 6

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."

"lib@link:../lib::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "lib@link:../lib::locator=app%40workspace%3A."

"resolve@patch:resolve@^1.22.1#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=c3c19d"

"alias@npm:real@^2":
  version: 2
  resolution: "real@npm:2"
"#;
        assert_eq!(
            parsed(text),
            [
                ("real".into(), "2".into()),
                ("resolve".into(), "1.22.1".into())
            ]
        );
    }

    #[test]
    fn berry_that_is_not_yaml_is_an_error() {
        assert!(parse_yarn_lock("yarn.lock", b"__metadata:\n  - [unclosed\n").is_err());
    }
}
