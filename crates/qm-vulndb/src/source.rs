//! Where advisories come from: the `sources` list of `qm.toml`, `QM_DB_SOURCES`, or the
//! defaults.
//!
//! A source is written as one string:
//! - `dir:PATH`: a local mirror directory holding any mix of feeds in any layout (formats are
//!   recognised by content);
//! - `file:PATH`: one local feed file or ZIP archive;
//! - `https://…` or `http://…`: one feed file or ZIP archive to download;
//! - a named upstream: `osv:ECOSYSTEM` (osv.dev's export of that ecosystem, `osv:PyPI`),
//!   `debian-tracker` (the Debian security tracker's JSON export), `alpine:BRANCH/REPO`
//!   (`alpine:v3.20/main`, Alpine's secdb).
//!
//! A relative `dir:`/`file:` path is relative to the working directory (or, in `qm.toml`, to
//! the directory of that file).

use std::fmt;
use std::path::{Path, PathBuf};

/// osv.dev's bucket of per-ecosystem exports.
const OSV_EXPORTS: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The Debian security tracker's JSON export.
const DEBIAN_TRACKER: &str = "https://security-tracker.debian.org/tracker/data/json";
/// Alpine's secdb.
const ALPINE_SECDB: &str = "https://secdb.alpinelinux.org";

/// The sources `qm db update` reads when nothing is configured: osv.dev's exports of every
/// language ecosystem we scan, plus the distributions' own feeds.
pub const DEFAULT_SOURCES: &[&str] = &[
    "osv:PyPI",
    "osv:npm",
    "osv:crates.io",
    "osv:Go",
    "osv:Maven",
    "osv:RubyGems",
    "osv:NuGet",
    "osv:Packagist",
    "osv:Hex",
    "osv:Pub",
    "debian-tracker",
    "alpine:v3.19/main",
    "alpine:v3.19/community",
    "alpine:v3.20/main",
    "alpine:v3.20/community",
    "alpine:v3.21/main",
    "alpine:v3.21/community",
    "alpine:v3.22/main",
    "alpine:v3.22/community",
];

/// One configured source of advisories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local mirror directory.
    Dir(PathBuf),
    /// A local feed file or archive.
    File(PathBuf),
    /// A feed file or archive to download.
    Url(String),
}

/// A source string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a source: {reason}")]
pub struct InvalidSource {
    text: String,
    reason: &'static str,
}

impl Source {
    /// Parses one source string; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Source, InvalidSource> {
        let invalid = |reason| InvalidSource {
            text: text.to_owned(),
            reason,
        };
        let text = text.trim();
        let path = |rest: &str| {
            if rest.is_empty() {
                Err(invalid("the path is empty"))
            } else {
                Ok(base.join(rest))
            }
        };
        if let Some(rest) = text.strip_prefix("dir:") {
            return path(rest).map(Source::Dir);
        }
        if let Some(rest) = text.strip_prefix("file:") {
            return path(rest).map(Source::File);
        }
        if text.starts_with("https://") || text.starts_with("http://") {
            return Ok(Source::Url(text.to_owned()));
        }
        if let Some(ecosystem) = text.strip_prefix("osv:") {
            if ecosystem.is_empty() || ecosystem.contains('/') {
                return Err(invalid("`osv:` needs an ecosystem name such as `osv:PyPI`"));
            }
            return Ok(Source::Url(format!(
                "{OSV_EXPORTS}/{}/all.zip",
                ecosystem.replace(' ', "%20")
            )));
        }
        if text == "debian-tracker" {
            return Ok(Source::Url(DEBIAN_TRACKER.to_owned()));
        }
        if let Some(branch) = text.strip_prefix("alpine:") {
            let valid = branch
                .split_once('/')
                .is_some_and(|(release, repo)| release.starts_with('v') && !repo.is_empty());
            if !valid {
                return Err(invalid(
                    "`alpine:` needs a branch and repository such as `alpine:v3.20/main`",
                ));
            }
            return Ok(Source::Url(format!("{ALPINE_SECDB}/{branch}.json")));
        }
        Err(invalid(
            "expected `dir:PATH`, `file:PATH`, an http(s) URL, `osv:ECOSYSTEM`, `debian-tracker` or `alpine:BRANCH/REPO`",
        ))
    }

    /// Parses a list such as `QM_DB_SOURCES`: entries separated by commas or whitespace.
    pub fn parse_list(text: &str, base: &Path) -> Result<Vec<Source>, InvalidSource> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| Source::parse(entry, base))
            .collect()
    }

    /// Whether reading this source needs the network.
    pub fn is_remote(&self) -> bool {
        matches!(self, Source::Url(_))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(path) => write!(f, "dir:{}", path.display()),
            Source::File(path) => write!(f, "file:{}", path.display()),
            Source::Url(url) => f.write_str(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        let base = Path::new("/base");
        let cases = [
            ("dir:mirror", Source::Dir("/base/mirror".into())),
            ("dir:/abs/mirror", Source::Dir("/abs/mirror".into())),
            ("file:feed.zip", Source::File("/base/feed.zip".into())),
            (
                "https://example.com/a.json",
                Source::Url("https://example.com/a.json".into()),
            ),
            (
                "osv:crates.io",
                Source::Url(format!("{OSV_EXPORTS}/crates.io/all.zip")),
            ),
            ("debian-tracker", Source::Url(DEBIAN_TRACKER.into())),
            (
                "alpine:v3.20/main",
                Source::Url(format!("{ALPINE_SECDB}/v3.20/main.json")),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Source::parse(text, base).unwrap(), expected, "{text}");
        }
        for bad in ["dir:", "ftp://x", "osv:", "alpine:3.20", "mirror"] {
            assert!(Source::parse(bad, base).is_err(), "{bad}");
        }
        let list = Source::parse_list("dir:a, file:b  osv:Go", base).unwrap();
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn defaults_parse() {
        for text in DEFAULT_SOURCES {
            assert!(Source::parse(text, Path::new("/")).unwrap().is_remote());
        }
    }
}
