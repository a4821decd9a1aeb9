//! Bundler's `Gemfile.lock`: the gems under `specs:` in its `GEM` and `GIT` sections.
//!
//! Surprises:
//! - The file is indentation-sensitive: a section name starts at column 0, `specs:` at 2
//!   spaces, a locked gem `name (version)` at exactly 4, and that gem's own requirements at 6
//!   (those are constraints, not versions, and are ignored).
//! - A gem built for one platform carries it after the version: `nokogiri (1.16.0-x86_64-linux)`.
//!   Gem versions never contain `-`, so the first `-` starts the platform, kept as `arch`.
//! - `PATH` sections are gems from directories of the scanned tree (the project itself) and are
//!   skipped; so are sections Bundler does not lock gems in (`PLATFORMS`, `DEPENDENCIES`,
//!   `BUNDLED WITH`, unknown ones). `PLUGIN SOURCE` is skipped too: plugins are Bundler's own.

use qm_model::{Ecosystem, Package};

use super::{Format, Found, decode};
use crate::CatalogError;

const FORMAT: Format = Format {
    ecosystem: || Ecosystem::RubyGems,
    purl_type: "gem",
    found_by: "gemfile-lock",
};

/// Sections whose `specs:` list gems fetched from elsewhere.
const GEM_SECTIONS: &[&str] = &["GEM", "GIT"];

/// Lists the gems a `Gemfile.lock` locks.
pub fn parse_gemfile_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let mut packages = Vec::new();
    let mut in_gem_section = false;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with(' ') {
            in_gem_section = GEM_SECTIONS.contains(&line.trim());
            continue;
        }
        let Some(entry) = line.strip_prefix("    ") else {
            continue;
        };
        if !in_gem_section || entry.starts_with(' ') {
            continue;
        }
        if let Some(found) = locked_gem(entry) {
            packages.extend(FORMAT.package(path, &found));
        }
    }
    Ok(packages)
}

/// `name (version[-platform])`.
fn locked_gem(entry: &str) -> Option<Found<'_>> {
    let (name, rest) = entry.split_once(" (")?;
    let full_version = rest.strip_suffix(')')?;
    if name.contains(char::is_whitespace) {
        return None;
    }
    let (version, platform) = match full_version.split_once('-') {
        Some((version, platform)) => (version, Some(platform).filter(|p| !p.is_empty())),
        None => (full_version, None),
    };
    Some(Found {
        arch: platform,
        ..Found::new(name, version)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_lines() {
        let cases = [
            ("rails (7.0.1)", Some(("rails", "7.0.1", None))),
            (
                "nokogiri (1.16.0-x86_64-linux)",
                Some(("nokogiri", "1.16.0", Some("x86_64-linux"))),
            ),
            (
                "arel (5.0.1.20140414130214)",
                Some(("arel", "5.0.1.20140414130214", None)),
            ),
            ("rack", None),
            ("rack (~> 1.5", None),
        ];
        for (line, expected) in cases {
            let found = locked_gem(line).map(|f| (f.name, f.version, f.arch));
            assert_eq!(found, expected, "{line}");
        }
    }

    #[test]
    fn only_gem_and_git_specs_count() {
        let lock = "PATH\n  remote: ../x\n  specs:\n    x (1.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    a (1.0)\n      b (~> 2.0)\n    b (2.1)\n\nBAD\n    c (3.0)\n";
        let names: Vec<_> = parse_gemfile_lock("Gemfile.lock", lock.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.purl)
            .collect();
        assert_eq!(names, ["pkg:gem/a@1.0", "pkg:gem/b@2.1"]);
    }
}
