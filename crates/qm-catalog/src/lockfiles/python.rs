//! Python lockfiles: `requirements.txt`, `poetry.lock`, `Pipfile.lock` and `uv.lock`.
//!
//! Surprises:
//! - `requirements.txt` is not a lockfile: only lines pinning one exact version (`name==1.0`
//!   or `name===1.0`) name a package. Ranges (`>=`, `~=`, `!=`), several constraints
//!   (`==1.0, !=1.1`), wildcards (`==2.8.*`) and bare names pin nothing and are skipped, as
//!   are options (`-r`, `-e`, `--hash`, `--index-url`), direct references (`name @ url`) and
//!   comments (`#` at the start or after whitespace). A trailing `\` continues a line, which
//!   is how `pip-compile` writes `--hash` lists. Extras (`celery[redis]`) and environment
//!   markers (`; python_version < "3.8"`) are dropped; a package pinned only under a marker
//!   is still listed, since the marker's environment is not known here.
//! - `poetry.lock` marks development packages with `category = "dev"` (Poetry < 1.5) or with a
//!   `groups` list without `main` (Poetry ≥ 1.5). Packages whose `[package.source]` is a
//!   local `directory` are the project itself and skipped.
//! - `Pipfile.lock` writes versions as `==1.2.3`; entries without a version (editable or VCS
//!   installs) are skipped. A package in both `default` and `develop` is listed once, as a
//!   runtime dependency.
//! - `uv.lock` lists the project itself with `source = { editable = "." }` or
//!   `{ virtual = "." }`, and workspace members as `directory`: those are skipped. uv records
//!   dev groups on the root, not per package, so `dev` is never set from a `uv.lock`.

use std::collections::{BTreeMap, BTreeSet};

use qm_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Format, Found, decode, from_json, from_toml, normalise_python_name};
use crate::CatalogError;

const fn format(found_by: &'static str) -> Format {
    Format {
        ecosystem: || Ecosystem::PyPI,
        purl_type: "pypi",
        found_by,
    }
}

/// Lists the packages a `requirements.txt` pins to one exact version.
pub fn parse_requirements(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let format = format("python-requirements");
    let mut packages = Vec::new();
    let mut logical_line = String::new();
    for physical_line in text.lines() {
        // A comment ends the line even when the line ends in `\` inside it.
        let without_comment = strip_comment(physical_line);
        if let Some(continued) = without_comment.trim_end().strip_suffix('\\') {
            logical_line.push_str(continued);
            logical_line.push(' ');
            continue;
        }
        logical_line.push_str(without_comment);
        if let Some((name, version)) = pinned_requirement(&logical_line) {
            packages.extend(format.package(path, &Found::new(name, version)));
        }
        logical_line.clear();
    }
    if let Some((name, version)) = pinned_requirement(&logical_line) {
        packages.extend(format.package(path, &Found::new(name, version)));
    }
    Ok(packages)
}

/// The line up to a `#` that starts it or follows whitespace (pip's comment rule).
fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (index, character) in line.char_indices() {
        if character == '#' && previous_is_space {
            return line.get(..index).unwrap_or(line);
        }
        previous_is_space = character.is_whitespace();
    }
    line
}

/// `(name, version)` when the requirement pins one exact version.
fn pinned_requirement(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    // Environment marker, then trailing per-requirement options (`--hash=…`).
    let line = line.split_once(';').map_or(line, |(before, _)| before);
    let line = line.split_once(" --").map_or(line, |(before, _)| before);
    // A direct reference after the pin (`name == 1.0 @ git+https://…`) adds nothing.
    let line = line.split_once(" @").map_or(line, |(before, _)| before);
    let (name_part, version) = match line.split_once("===") {
        Some(split) => split,
        None => line.split_once("==")?,
    };
    let name = name_part
        .split_once('[')
        .map_or(name_part, |(before, _)| before)
        .trim();
    let version = version.trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let pinned = !version.is_empty()
        && !version.contains(['*', ',', '=', '<', '>', '!', '~', '@'])
        && !version.contains(char::is_whitespace);
    (valid_name && pinned).then_some((name, version))
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    source: Option<PoetrySource>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type", default)]
    kind: String,
}

/// Lists the packages a `poetry.lock` pins.
pub fn parse_poetry_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lock: PoetryLock = from_toml(path, text)?;
    let format = format("poetry-lock");
    Ok(lock
        .package
        .iter()
        .filter(|package| {
            package
                .source
                .as_ref()
                .is_none_or(|source| source.kind != "directory")
        })
        .filter_map(|package| {
            let dev = package.category.as_deref() == Some("dev")
                || package
                    .groups
                    .as_ref()
                    .is_some_and(|groups| !groups.iter().any(|group| group == "main"));
            format.package(path, &Found::new(&package.name, &package.version).dev(dev))
        })
        .collect())
}

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    version: Option<String>,
}

/// Lists the packages a `Pipfile.lock` pins, `develop` ones as dev.
pub fn parse_pipfile_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lock: PipfileLock = from_json(path, text)?;
    let format = format("pipfile-lock");
    let runtime: BTreeSet<String> = lock
        .default
        .keys()
        .map(|name| normalise_python_name(name))
        .collect();
    let sections = [(&lock.default, false), (&lock.develop, true)];
    let mut packages = Vec::new();
    for (section, dev) in sections {
        for (name, entry) in section {
            if dev && runtime.contains(&normalise_python_name(name)) {
                continue;
            }
            let Some(version) = entry.version.as_deref() else {
                continue;
            };
            let version = version
                .strip_prefix("===")
                .or_else(|| version.strip_prefix("=="))
                .unwrap_or(version);
            packages.extend(format.package(path, &Found::new(name, version).dev(dev)));
        }
    }
    Ok(packages)
}

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    #[serde(default)]
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
}

/// `uv.lock` sources that are trees inside the project rather than fetched distributions.
const UV_LOCAL_SOURCES: &[&str] = &["editable", "virtual", "directory"];

/// Lists the packages a `uv.lock` pins, without the project and its workspace members.
pub fn parse_uv_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lock: UvLock = from_toml(path, text)?;
    let format = format("uv-lock");
    Ok(lock
        .package
        .iter()
        .filter(|package| {
            !package
                .source
                .keys()
                .any(|kind| UV_LOCAL_SOURCES.contains(&kind.as_str()))
        })
        .filter_map(|package| {
            let version = package.version.as_deref()?;
            format.package(path, &Found::new(&package.name, version))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines() {
        let cases = [
            ("flask==1.0", Some(("flask", "1.0"))),
            (" flask == 4.0.0", Some(("flask", "4.0.0"))),
            ("urllib3===1.26.20", Some(("urllib3", "1.26.20"))),
            ("celery[redis, pytest] == 4.4.7", Some(("celery", "4.4.7"))),
            (
                "SomeProject ==5.4 ; python_version < '3.8'",
                Some(("SomeProject", "5.4")),
            ),
            ("argh==0.26.3 --hash=sha256:abc", Some(("argh", "0.26.3"))),
            (
                "x == 3.7.1 @ git+https://h/o/r@v3.7.1",
                Some(("x", "3.7.1")),
            ),
            ("local == 1.2.3+gcr.2", Some(("local", "1.2.3+gcr.2"))),
            ("requests == 2.8.*", None),
            ("bar >= 1.0.0, <= 2.0.0", None),
            ("foo==1.0, !=1.1", None),
            ("coverage != 3.5", None),
            ("numpy", None),
            ("==2.3.4", None),
            ("-e https://github.com/pecan/pecan.git", None),
            ("--requirements other.txt", None),
            ("name @ https://example.com/name.whl", None),
        ];
        for (line, expected) in cases {
            assert_eq!(pinned_requirement(line), expected, "{line}");
        }
    }

    #[test]
    fn comments_need_leading_whitespace() {
        assert_eq!(strip_comment("foo == 1 # c"), "foo == 1 ");
        assert_eq!(strip_comment("# all"), "");
        assert_eq!(strip_comment("foo==1#notcomment"), "foo==1#notcomment");
    }

    #[test]
    fn continuation_lines_join() {
        let text = "argh==0.26.2 \\\n  --hash=sha256:a \\\n  --hash=sha256:b\nflask==1.0";
        let names: Vec<_> = parse_requirements("r.txt", text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(names, ["argh@0.26.2", "flask@1.0"]);
    }

    #[test]
    fn poetry_groups_mark_dev() {
        let lock = r#"
[[package]]
name = "a"
version = "1"
groups = ["dev"]
[[package]]
name = "b"
version = "2"
groups = ["main", "dev"]
[[package]]
name = "c"
version = "3"
category = "dev"
[[package]]
name = "local"
version = "0.1"
[package.source]
type = "directory"
url = "../local"
"#;
        let packages = parse_poetry_lock("poetry.lock", lock.as_bytes()).unwrap();
        let dev: Vec<_> = packages.iter().map(|p| (p.name.as_str(), p.dev)).collect();
        assert_eq!(dev, [("a", true), ("b", false), ("c", true)]);
    }
}
