//! Debian `dpkg` versions: `[epoch:]upstream_version[-debian_revision]`.
//!
//! Ordering follows `dpkg --compare-versions` (dpkg's `verrevcmp`), as specified in Debian
//! Policy §5.6.12. Surprises:
//! - The epoch is compared first and as a number: `1:0.1` is newer than `9.9`. A missing epoch is
//!   `0`, so `1.0` and `0:1.0` are the same version.
//! - The revision is whatever follows the *last* hyphen; the upstream part may itself contain
//!   hyphens (`98.1-pre2-b6-2` has upstream `98.1-pre2-b6`). A missing revision compares like
//!   `0`: `1.0` equals `1.0-0`.
//! - Within each part, runs of non-digits and runs of digits alternate. Non-digit runs compare
//!   character by character where `~` sorts before everything, even the end of the string
//!   (`1.0~rc1` < `1.0`), then the end of the string, then letters, then every other character
//!   (`+` and `.` sort after letters: `1.0a` < `1.0+`). Digit runs compare as numbers, so
//!   leading zeros do not count (`1.0000-1` equals `1.0-1`).
//! - Equality is dpkg's equality, not string equality; the original text is kept for display.
//!
//! Parsing follows dpkg's `parseversion`: surrounding whitespace is trimmed; embedded spaces,
//! an empty version, an empty or non-numeric or oversized epoch, an empty upstream version, an
//! empty revision after a hyphen, and characters outside `[A-Za-z0-9.+~-:]` (upstream) or
//! `[A-Za-z0-9.+~]` (revision) are errors. An upstream version that does not start with a digit
//! is accepted, as `dpkg` accepts it with a warning, and ordered by the same rules.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// dpkg stores the epoch in an `int` and refuses anything above `INT_MAX`.
const MAX_EPOCH: u32 = i32::MAX as u32;

/// A parsed Debian version.
///
/// Comparing two parsed versions walks their bytes and never allocates.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    text: Box<str>,
    epoch: u32,
    /// Byte range of the upstream version in `text`.
    upstream: (usize, usize),
    /// Byte range of the revision in `text`; empty when there is none.
    revision: (usize, usize),
}

impl DpkgVersion {
    /// Parses a Debian version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = |reason: &'static str| VersionError::new(Scheme::Dpkg, text, reason);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("version string is empty"));
        }
        if trimmed.contains(char::is_whitespace) {
            return Err(error("version string has embedded spaces"));
        }
        let offset = text.len() - text.trim_start().len();
        let (epoch, rest_start) = match trimmed.split_once(':') {
            Some((epoch, _)) => {
                if epoch.is_empty() {
                    return Err(error("epoch in version is empty"));
                }
                if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(error("epoch in version is not a number"));
                }
                let value = epoch
                    .parse::<u32>()
                    .ok()
                    .filter(|value| *value <= MAX_EPOCH)
                    .ok_or_else(|| error("epoch in version is too big"))?;
                (value, epoch.len() + 1)
            }
            None => (0, 0),
        };
        let rest = trimmed.get(rest_start..).unwrap_or_default();
        let (upstream, revision) = match rest.rfind('-') {
            Some(hyphen) => {
                let revision = rest.get(hyphen + 1..).unwrap_or_default();
                if revision.is_empty() {
                    return Err(error("revision number is empty"));
                }
                (rest.get(..hyphen).unwrap_or_default(), revision)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(error("version number is empty"));
        }
        if !upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+~:".contains(&b))
        {
            return Err(error("invalid character in version number"));
        }
        if !revision
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b))
        {
            return Err(error("invalid character in revision number"));
        }
        let upstream_start = offset + rest_start;
        let upstream_end = upstream_start + upstream.len();
        let revision = if revision.is_empty() {
            (upstream_end, upstream_end)
        } else {
            (upstream_end + 1, upstream_end + 1 + revision.len())
        };
        Ok(DpkgVersion {
            text: text.into(),
            epoch,
            upstream: (upstream_start, upstream_end),
            revision,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The epoch; `0` when none was written.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        self.text
            .get(self.upstream.0..self.upstream.1)
            .unwrap_or_default()
    }

    /// The Debian revision, or `""` when none was written.
    pub fn revision(&self) -> &str {
        self.text
            .get(self.revision.0..self.revision.1)
            .unwrap_or_default()
    }
}

/// The weight of one byte of a non-digit run; `None` is the end of the run or string.
fn order(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(b'~') => -1,
        Some(b) if b.is_ascii_digit() => 0,
        Some(b) if b.is_ascii_alphabetic() => i32::from(b),
        Some(b) => i32::from(b) + 256,
    }
}

/// dpkg's `verrevcmp`: compares an upstream version or a revision.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let digit_at = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit_at(a, i)) || (j < b.len() && !digit_at(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit_at(a, i) && digit_at(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit_at(a, i) {
            return Ordering::Greater;
        }
        if digit_at(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream().as_bytes(), other.upstream().as_bytes()))
            .then_with(|| verrevcmp(self.revision().as_bytes(), other.revision().as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> DpkgVersion {
        DpkgVersion::parse(text).unwrap()
    }

    #[test]
    fn parts_are_split_like_dpkg() {
        let cases = [
            ("1.0", 0, "1.0", ""),
            ("1:2.3-4", 1, "2.3", "4"),
            ("98.1-pre2-b6-2", 0, "98.1-pre2-b6", "2"),
            ("9:1.18.36:5.4-20", 9, "1.18.36:5.4", "20"),
            ("  2.0-1 ", 0, "2.0", "1"),
        ];
        for (text, epoch, upstream, revision) in cases {
            let version = v(text);
            assert_eq!(
                (version.epoch(), version.upstream(), version.revision()),
                (epoch, upstream, revision),
                "{text}"
            );
        }
    }

    #[test]
    fn ordering_surprises() {
        let cases = [
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0~~", "1.0~~a", Ordering::Less),
            ("1.0a", "1.0+", Ordering::Less),
            ("1.0", "1.0-0", Ordering::Equal),
            ("1:0.1", "9.9", Ordering::Greater),
            ("1.0000-1", "1.0-1", Ordering::Equal),
            ("2.30-1", "2.4-1", Ordering::Greater),
            ("1.0", "1.0.0", Ordering::Less),
            ("a", "b", Ordering::Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(v(a).cmp(&v(b)), expected, "{a} vs {b}");
            assert_eq!(v(b).cmp(&v(a)), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid_versions_are_refused() {
        let cases = [
            ("", "version string is empty"),
            ("   ", "version string is empty"),
            ("1 0", "version string has embedded spaces"),
            (":1.0", "epoch in version is empty"),
            ("a:1.0", "epoch in version is not a number"),
            ("99999999999:1.0", "epoch in version is too big"),
            ("1:", "version number is empty"),
            ("1.0-", "revision number is empty"),
            ("-1", "version number is empty"),
            ("1.0_1", "invalid character in version number"),
            ("1.0-1_2", "invalid character in revision number"),
        ];
        for (text, reason) in cases {
            let error = DpkgVersion::parse(text).unwrap_err();
            assert_eq!(error.reason(), reason, "{text:?}");
        }
    }
}
