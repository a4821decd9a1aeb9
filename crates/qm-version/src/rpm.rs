//! RPM versions: `[epoch:]version[-release]`, ordered by `rpmvercmp`.
//!
//! Surprises:
//! - Only alphanumeric runs count; every other character is a separator, and separators of any
//!   kind and length are equal (`1.0` equals `1_0` equals `1..0`).
//! - A digit run is newer than a letter run at the same place (`1.01` > `1.0a`); letter runs
//!   compare as plain bytes, so case matters (`1.0A` < `1.0a`).
//! - `~` sorts before anything, even the end of the string (`1.0~rc1` < `1.0`), and `^` sorts
//!   after the end of the string but before any further segment (`1.0` < `1.0^git1` < `1.0.1`).
//! - Otherwise the longer version wins when one is a prefix of the other (`1.0` < `1.0a`).
//! - Digit runs compare as numbers of any length (leading zeros ignored), never overflowing.
//! - The epoch is compared first as a number; a missing epoch is `0`. A missing release compares
//!   as an empty release, which is older than any release (`1.0` < `1.0-1`).
//!
//! Parsing: surrounding whitespace is trimmed; an empty version or release, whitespace inside,
//! a non-numeric or oversized epoch are errors.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed RPM version (epoch, version, release).
///
/// Comparing two parsed versions walks their bytes and never allocates.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    text: Box<str>,
    epoch: u64,
    /// Byte range of the version in `text`.
    version: (usize, usize),
    /// Byte range of the release in `text`, if there is one.
    release: Option<(usize, usize)>,
}

impl RpmVersion {
    /// Parses `[epoch:]version[-release]`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = |reason: &'static str| VersionError::new(Scheme::Rpm, text, reason);
        let trimmed = text.trim();
        let offset = text.len() - text.trim_start().len();
        if trimmed.is_empty() {
            return Err(error("version is empty"));
        }
        if trimmed.contains(char::is_whitespace) {
            return Err(error("version contains whitespace"));
        }
        let (epoch, version_start) = match trimmed.split_once(':') {
            Some((epoch, _)) => {
                if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(error("epoch is not a number"));
                }
                let value = epoch
                    .parse::<u64>()
                    .map_err(|_| error("epoch is too big"))?;
                (value, epoch.len() + 1)
            }
            None => (0, 0),
        };
        let rest = trimmed.get(version_start..).unwrap_or_default();
        let start = offset + version_start;
        let (version, release) = match rest.rfind('-') {
            Some(hyphen) => {
                if hyphen + 1 == rest.len() {
                    return Err(error("release is empty"));
                }
                (
                    (start, start + hyphen),
                    Some((start + hyphen + 1, start + rest.len())),
                )
            }
            None => ((start, start + rest.len()), None),
        };
        if version.0 == version.1 {
            return Err(error("version is empty"));
        }
        Ok(RpmVersion {
            text: text.into(),
            epoch,
            version,
            release,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The epoch; `0` when none was written.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The version part.
    pub fn version(&self) -> &str {
        self.text
            .get(self.version.0..self.version.1)
            .unwrap_or_default()
    }

    /// The release part, if one was written.
    pub fn release(&self) -> Option<&str> {
        self.release
            .and_then(|(start, end)| self.text.get(start..end))
    }

    /// `rpmvercmp` on two bare version or release strings, exactly as rpm's `rpm.vercmp` does.
    pub fn vercmp(a: &str, b: &str) -> Ordering {
        rpmvercmp(a.as_bytes(), b.as_bytes())
    }
}

fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0, 0);
    let is_separator = |byte: Option<&u8>| {
        byte.is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'~' && *b != b'^')
    };
    while i < a.len() || j < b.len() {
        while is_separator(a.get(i)) {
            i += 1;
        }
        while is_separator(b.get(j)) {
            j += 1;
        }
        let (ac, bc) = (a.get(i).copied(), b.get(j).copied());
        if ac == Some(b'~') || bc == Some(b'~') {
            if ac != Some(b'~') {
                return Ordering::Greater;
            }
            if bc != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ac == Some(b'^') || bc == Some(b'^') {
            if ac.is_none() {
                return Ordering::Less;
            }
            if bc.is_none() {
                return Ordering::Greater;
            }
            if ac != Some(b'^') {
                return Ordering::Greater;
            }
            if bc != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ac.is_none() || bc.is_none() {
            break;
        }
        let numeric = ac.is_some_and(|c| c.is_ascii_digit());
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (start_a, start_b) = (i, j);
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        let segment_a = a.get(start_a..i).unwrap_or_default();
        let segment_b = b.get(start_b..j).unwrap_or_default();
        // `a` always yields a segment here; an empty one on `b` means the classes differ, and
        // a number is newer than letters.
        if segment_b.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ordering = if numeric {
            compare_numbers(segment_a, segment_b)
        } else {
            segment_a.cmp(segment_b)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    match (i < a.len(), j < b.len()) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// Compares two runs of ASCII digits as numbers of any length.
pub(crate) fn compare_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let a = trim_zeros(a);
    let b = trim_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let zeros = s.iter().take_while(|b| **b == b'0').count();
    s.get(zeros..).unwrap_or_default()
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version().as_bytes(), other.version().as_bytes()))
            .then_with(|| {
                rpmvercmp(
                    self.release().unwrap_or_default().as_bytes(),
                    other.release().unwrap_or_default().as_bytes(),
                )
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> RpmVersion {
        RpmVersion::parse(text).unwrap()
    }

    #[test]
    fn evr_is_split() {
        let version = v("2:1.2.3-4.el9");
        assert_eq!(
            (version.epoch(), version.version(), version.release()),
            (2, "1.2.3", Some("4.el9"))
        );
        let version = v("1.0");
        assert_eq!((version.epoch(), version.release()), (0, None));
    }

    #[test]
    fn ordering_surprises() {
        let cases = [
            ("1.0", "1_0", Ordering::Equal),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0", "1.0^git1", Ordering::Less),
            ("1.0^git1", "1.0.1", Ordering::Less),
            ("1.0", "1.0a", Ordering::Less),
            ("1.0A", "1.0a", Ordering::Less),
            ("1.01", "1.0a", Ordering::Greater),
            ("0:1.0-1", "1.0-1", Ordering::Equal),
            ("1:1.0", "2.0", Ordering::Greater),
            ("1.0", "1.0-1", Ordering::Less),
            ("1.0-2", "1.0-10", Ordering::Less),
            (
                "1.99999999999999999999999",
                "1.100000000000000000000000",
                Ordering::Less,
            ),
        ];
        for (a, b, expected) in cases {
            assert_eq!(v(a).cmp(&v(b)), expected, "{a} vs {b}");
            assert_eq!(v(b).cmp(&v(a)), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid_versions_are_refused() {
        for text in [
            "",
            " ",
            "1 0",
            "a:1",
            ":1",
            "1.0-",
            "-1",
            "99999999999999999999999:1",
        ] {
            assert!(RpmVersion::parse(text).is_err(), "{text:?}");
        }
    }
}
