//! Go modules: `go.mod` (the required modules after `replace` and `exclude`) and `go.sum`.
//!
//! Surprises:
//! - Every directive may be written on one line (`require a v1`) or as a block
//!   (`require ( … )`), even `module`. `//` starts a comment anywhere; `// indirect` only
//!   marks a requirement as indirect, which does not change what is listed.
//! - `replace old => new v2` swaps the module for another path and version; `replace old v1
//!   => …` applies only to that version. A replacement without a version is a directory on
//!   disk (`=> ../../../`): that code is part of the scanned tree, so the module is dropped.
//! - `exclude m v1` removes that exact version from the build; a required excluded version
//!   is dropped (Go would pick a later one, which the file does not name).
//! - Module paths are case-sensitive (`github.com/CycloneDX/…`) and kept as written in the
//!   name; the purl library lower-cases the namespace as its `golang` type rules say.
//! - `go.sum` holds hashes for every module version the build consulted, including ones only
//!   read for their `go.mod` (lines ending in `/go.mod`): only modules whose whole content is
//!   hashed are listed, once each.

use std::collections::BTreeSet;

use qm_model::{Ecosystem, Package};

use super::{Format, Found, decode};
use crate::CatalogError;

const GO_MOD: Format = Format {
    ecosystem: || Ecosystem::Go,
    purl_type: "golang",
    found_by: "go-mod",
};

const GO_SUM: Format = Format {
    ecosystem: || Ecosystem::Go,
    purl_type: "golang",
    found_by: "go-sum",
};

/// One `replace` directive.
struct Replace<'a> {
    path: &'a str,
    version: Option<&'a str>,
    /// `None` for a filesystem replacement.
    target: Option<(&'a str, &'a str)>,
}

/// Lists the modules a `go.mod` requires, with `replace` and `exclude` applied.
pub fn parse_go_mod(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut excludes = BTreeSet::new();
    for (verb, arguments) in directives(text) {
        match verb {
            "require" => {
                if let [module, version, ..] = arguments.as_slice() {
                    requires.push((*module, *version));
                }
            }
            "exclude" => {
                if let [module, version, ..] = arguments.as_slice() {
                    excludes.insert((*module, *version));
                }
            }
            "replace" => replaces.extend(parse_replace(&arguments)),
            _ => {}
        }
    }
    let mut packages = Vec::new();
    for (module, version) in requires {
        if excludes.contains(&(module, version)) {
            continue;
        }
        let replace = replaces
            .iter()
            .filter(|replace| replace.path == module)
            // A version-specific replacement wins over one for all versions.
            .max_by_key(|replace| replace.version.is_some())
            .filter(|replace| replace.version.is_none_or(|wanted| wanted == version));
        let (module, version) = match replace {
            None => (module, version),
            Some(Replace { target: None, .. }) => continue,
            Some(Replace {
                target: Some(target),
                ..
            }) => *target,
        };
        packages.extend(GO_MOD.package(path, &Found::new(module, version)));
    }
    Ok(packages)
}

/// `old [version] => new [version]`.
fn parse_replace<'a>(arguments: &[&'a str]) -> Option<Replace<'a>> {
    let arrow = arguments.iter().position(|argument| *argument == "=>")?;
    let (left, right) = (arguments.get(..arrow)?, arguments.get(arrow + 1..)?);
    let (path, version) = match left {
        [path] => (*path, None),
        [path, version] => (*path, Some(*version)),
        _ => return None,
    };
    let target = match right {
        [_directory] => None,
        [new_path, new_version] => Some((*new_path, *new_version)),
        _ => return None,
    };
    Some(Replace {
        path,
        version,
        target,
    })
}

/// Each directive as its verb and whitespace-separated arguments, blocks flattened and
/// comments removed. Quoted module paths (`"example.com/m"`) lose their quotes.
fn directives(text: &str) -> Vec<(&str, Vec<&str>)> {
    let mut directives = Vec::new();
    let mut block_verb: Option<&str> = None;
    for line in text.lines() {
        let line = line.split_once("//").map_or(line, |(code, _)| code).trim();
        let mut words = line.split_whitespace().map(|word| word.trim_matches('"'));
        let Some(first) = words.next() else {
            continue;
        };
        match block_verb {
            Some(_) if first == ")" => block_verb = None,
            Some(verb) => directives.push((verb, std::iter::once(first).chain(words).collect())),
            None => {
                let rest: Vec<&str> = words.collect();
                if rest.as_slice() == ["("] {
                    block_verb = Some(first);
                } else if let Some(after_paren) = rest.first().and_then(|w| w.strip_prefix('(')) {
                    // `require (a v1)` on one line is not valid Go, but tolerate `(` glued on.
                    let mut arguments: Vec<&str> = Vec::new();
                    if !after_paren.is_empty() {
                        arguments.push(after_paren);
                    }
                    arguments.extend(rest.iter().skip(1));
                    block_verb = Some(first);
                    if !arguments.is_empty() {
                        directives.push((first, arguments));
                    }
                } else {
                    directives.push((first, rest));
                }
            }
        }
    }
    directives
}

/// Lists the modules whose content a `go.sum` hashes, once each.
pub fn parse_go_sum(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let mut seen = BTreeSet::new();
    let mut packages = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(module), Some(version), Some(_hash)) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        if version.ends_with("/go.mod") || !seen.insert((module, version)) {
            continue;
        }
        packages.extend(GO_SUM.package(path, &Found::new(module, version)));
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(go_mod: &str) -> Vec<String> {
        parse_go_mod("go.mod", go_mod.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn replace_and_exclude() {
        let cases: &[(&str, &[&str])] = &[
            ("require a.io/x v1.0.0", &["a.io/x@v1.0.0"]),
            (
                "require (\n a.io/x v1.0.0 // indirect\n)",
                &["a.io/x@v1.0.0"],
            ),
            (
                "require a.io/x v1.0.0\nreplace a.io/x => b.io/y v2.0.0",
                &["b.io/y@v2.0.0"],
            ),
            (
                "require a.io/x v1.0.0\nreplace a.io/x v0.9.0 => b.io/y v2.0.0",
                &["a.io/x@v1.0.0"],
            ),
            (
                "require a.io/x v1.0.0\nreplace (\n a.io/x v1.0.0 => a.io/x v1.0.1\n)",
                &["a.io/x@v1.0.1"],
            ),
            ("require a.io/x v1.0.0\nreplace a.io/x => ../x", &[]),
            ("require a.io/x v1.0.0\nexclude a.io/x v1.0.0", &[]),
            (
                "require a.io/x v1.0.0\nexclude a.io/x v0.1.0",
                &["a.io/x@v1.0.0"],
            ),
            ("// require a.io/x v1.0.0", &[]),
            ("require \"a.io/x\" v1.0.0", &["a.io/x@v1.0.0"]),
        ];
        for (go_mod, expected) in cases {
            assert_eq!(listed(go_mod), *expected, "{go_mod}");
        }
    }

    #[test]
    fn go_sum_skips_go_mod_only_lines() {
        let sum = "a.io/x v1.0.0 h1:x=\na.io/x v1.0.0/go.mod h1:y=\nb.io/y v0.1.0/go.mod h1:z=\n";
        let packages = parse_go_sum("go.sum", sum.as_bytes()).unwrap();
        let purls: Vec<_> = packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(purls, ["pkg:golang/a.io/x@v1.0.0"]);
    }
}
