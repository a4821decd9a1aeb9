//! Settings from the command line, `QM_*` environment variables and `qm.toml`, in that order of
//! precedence.
//!
//! `qm.toml` is read from the working directory; if there is none, from
//! `$XDG_CONFIG_HOME/qm/config.toml` (`~/.config/qm/config.toml`). `--config FILE` names one
//! explicitly. Every key is optional:
//!
//! ```toml
//! [db]
//! # Where advisories come from; also `QM_DB_SOURCES` (comma or space separated).
//! sources = ["dir:/srv/mirror/advisories", "osv:PyPI", "debian-tracker"]
//! # Scans and `qm db status` warn when the database is older than this; also `QM_DB_MAX_AGE`.
//! max_age = "7d"
//! # Public keys trusted to sign bundles for `qm db import` (key rotation: list several).
//! trusted_keys = ["keys/2026.pub", "keys/2027.pub"]
//!
//! [fleet]
//! # The fleet store; also `QM_STORE` or `--store` [default: sqlite://<cache dir>/fleet.db].
//! store = "postgres://qm@db.internal/fleet"
//! # Where a re-match that changed something POSTs its JSON report; also `QM_FLEET_WEBHOOK`.
//! webhook = "https://alerts.internal/hooks/qm"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The parsed configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub(crate) db: DbSection,
    #[serde(default)]
    pub(crate) fleet: FleetSection,
    /// The directory relative paths in the file are resolved against.
    #[serde(skip)]
    pub(crate) base: PathBuf,
}

/// `[db]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DbSection {
    pub(crate) sources: Option<Vec<String>>,
    pub(crate) max_age: Option<String>,
    #[serde(default)]
    pub(crate) trusted_keys: Vec<String>,
}

/// `[fleet]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FleetSection {
    pub(crate) store: Option<String>,
    pub(crate) webhook: Option<String>,
}

impl ConfigFile {
    /// Loads `explicit`, or the first of `./qm.toml` and the user configuration that exists.
    pub(crate) fn load(explicit: Option<&Path>) -> Result<ConfigFile> {
        let candidates: Vec<PathBuf> = match explicit {
            Some(path) => vec![path.to_owned()],
            None => {
                let mut candidates = vec![PathBuf::from("qm.toml")];
                candidates.extend(config_home().map(|home| home.join("qm").join("config.toml")));
                candidates
            }
        };
        for path in candidates {
            if explicit.is_none() && !path.is_file() {
                continue;
            }
            let text = fs_err::read_to_string(&path)?;
            let mut config: ConfigFile = toml::from_str(&text)
                .with_context(|| format!("`{}` is not a valid configuration", path.display()))?;
            config.base = path
                .parent()
                .map(Path::to_owned)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from("."));
            return Ok(config);
        }
        Ok(ConfigFile {
            base: PathBuf::from("."),
            ..ConfigFile::default()
        })
    }
}

fn config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
}

/// The cache directory: `--cache-dir`/`QM_CACHE_DIR`, else `$XDG_CACHE_HOME/qm`, else
/// `~/.cache/qm`.
pub(crate) fn cache_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")));
    match base {
        Some(base) => Ok(base.join("qm")),
        None => {
            bail!("cannot tell where the cache lives: set `QM_CACHE_DIR` or pass `--cache-dir`")
        }
    }
}

/// Reads a duration written as a number and a unit: `90s`, `30m`, `48h`, `7d`, `2w`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a duration such as `7d` or `48h`"))?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        _ => bail!("`{text}` is not a duration such as `7d` or `48h`"),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let cases = [
            ("90s", 90),
            ("30m", 1800),
            ("48h", 172_800),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("3", 259_200),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                parse_duration(text).unwrap(),
                Duration::from_secs(seconds),
                "{text}"
            );
        }
        for bad in ["", "d", "7 days", "-1d", "7y"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
