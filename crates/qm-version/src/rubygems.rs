//! RubyGems versions, parsed and ordered as `Gem::Version` of RubyGems 3.x does.
//!
//! Validity is `Gem::Version::ANCHORED_VERSION_PATTERN`: a number, then dot-separated runs of
//! ASCII letters and digits, then optionally a `-` part of letters, digits, `-` and dots, with
//! ASCII whitespace allowed around it. Ordering follows `Gem::Version#<=>` on
//! `canonical_segments` (rubygems `lib/rubygems/version.rb`).
//!
//! Surprises:
//! - `""` and whitespace-only text are valid and mean `0`; surrounding whitespace is ignored, and
//!   whitespace inside is an error (`1.2 3.4`).
//! - Every `-` is rewritten to `.pre.` before anything else, so `1.0.0-1` is `1.0.0.pre.1`: a
//!   pre-release, lower than `1`. There is no build metadata: `1.0+build` is invalid.
//! - Any ASCII letter makes a pre-release. A letter run is a segment of its own even without a
//!   dot, so `1.2.b1 == 1.2.b.1` and `1.8.2.a10 > 1.8.2.a9`.
//! - A string segment sorts below every number, even below an absent (zero) one: `1.0.a < 1.0`,
//!   `5.x > 5.0.0.rc2`, `1.0.0-1 < 1`. Strings compare byte-wise, so `1.A < 1.a`.
//! - Trailing zero segments do not count (`1.0 == 1.0.0`), and in a pre-release the zero
//!   segments right before the first letter are dropped too: `0.beta.1 == 0.0.beta.1` and
//!   `1.0.0.a == 1.a`. Only the first such run is dropped, exactly as RubyGems' one `sub` does.
//! - Numbers have no size limit (Ruby integers are unbounded); they compare by value.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed RubyGems version (`Gem::Version`).
///
/// Equality is RubyGems' `==`, not string equality: `1.0` equals `1.0.0`.
#[derive(Debug, Clone)]
pub struct RubyGemsVersion {
    text: Box<str>,
    /// `canonical_segments`: the version after RubyGems' zero-dropping rules, split into runs.
    segments: Box<[Segment]>,
}

/// One run of digits or letters of the canonical version.
#[derive(Debug, Clone)]
enum Segment {
    /// The digits without leading zeros; empty for zero.
    Number(Box<str>),
    /// ASCII letters, as written.
    Text(Box<str>),
}

impl Segment {
    fn compare(&self, other: &Segment) -> Ordering {
        match (self, other) {
            (Segment::Number(a), Segment::Number(b)) => compare_digits(a, b),
            (Segment::Text(a), Segment::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            // `<=>`: `return -1 if String === lhs && Numeric === rhs`, and the reverse.
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
        }
    }

    /// Compares against the `0` RubyGems substitutes for a missing segment.
    fn compare_to_zero(&self) -> Ordering {
        match self {
            Segment::Number(digits) if digits.is_empty() => Ordering::Equal,
            Segment::Number(_) => Ordering::Greater,
            Segment::Text(_) => Ordering::Less,
        }
    }
}

/// Compares two digit strings that carry no leading zeros by numeric value.
fn compare_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Ruby's `\s` and `String#strip` set, less NUL (which the pattern rejects anyway).
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

impl RubyGemsVersion {
    /// Parses a RubyGems version.
    ///
    /// # Errors
    /// When `Gem::Version.correct?` would refuse the text (RubyGems raises `Malformed version
    /// number string`).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let trimmed = text.trim_matches(is_ruby_space);
        let version = if trimmed.is_empty() {
            // `version = 0 if ... /\A\s*\Z/.match?(version)`
            String::from("0")
        } else {
            check_pattern(trimmed)
                .map_err(|reason| VersionError::new(Scheme::RubyGems, text, reason))?;
            trimmed.replace('-', ".pre.")
        };
        let canonical = canonical_version(version.into_bytes());
        Ok(RubyGemsVersion {
            text: text.into(),
            segments: partition_segments(&canonical),
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Checks `[0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?` against the whole
/// (already trimmed, non-empty) text.
fn check_pattern(version: &str) -> Result<(), String> {
    let bytes = version.as_bytes();
    let mut at = run_length(bytes, 0, |b| b.is_ascii_digit());
    if at == 0 {
        return Err(String::from("a version must start with a digit"));
    }
    while bytes.get(at) == Some(&b'.') {
        let run = run_length(bytes, at + 1, |b| b.is_ascii_alphanumeric());
        if run == 0 {
            return Err(format!(
                "`.` at byte {at} must be followed by a letter or digit"
            ));
        }
        at += 1 + run;
    }
    if bytes.get(at) == Some(&b'-') {
        loop {
            let run = run_length(bytes, at + 1, |b| b.is_ascii_alphanumeric() || b == b'-');
            if run == 0 {
                return Err(format!(
                    "`{}` at byte {at} must be followed by a letter, digit or `-`",
                    char::from(bytes.get(at).copied().unwrap_or(b'-'))
                ));
            }
            at += 1 + run;
            if bytes.get(at) != Some(&b'.') {
                break;
            }
        }
    }
    match version.get(at..).and_then(|rest| rest.chars().next()) {
        None => Ok(()),
        Some(c) if is_ruby_space(c) => Err(String::from("whitespace inside a version")),
        Some(c) => Err(format!("unexpected character `{c}` at byte {at}")),
    }
}

/// How many bytes from `start` on satisfy `accept`.
fn run_length(bytes: &[u8], start: usize, accept: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| accept(b)).count())
}

/// `Gem::Version#canonical_segments` before partitioning: the two substitutions RubyGems makes
/// on the version string (after `-` became `.pre.`, so the text is ASCII `[0-9a-zA-Z.]`).
fn canonical_version(mut version: Vec<u8>) -> Vec<u8> {
    // 1. `sub(/(?<=[a-zA-Z.])[.0]+\z/, "")`: drop the trailing run of `.` and `0`, starting at
    //    the first position of that run that follows a letter or a dot.
    let tail = version
        .iter()
        .rev()
        .take_while(|&&b| b == b'.' || b == b'0')
        .count();
    let mut cut = None;
    for position in version.len().saturating_sub(tail)..version.len() {
        let anchored = position
            .checked_sub(1)
            .and_then(|before| version.get(before))
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'.');
        if anchored {
            cut = Some(position);
            break;
        }
    }
    if let Some(cut) = cut {
        version.truncate(cut);
    }

    // 2. For a pre-release, `sub!(/(?<=\.|\A)[0.]+(?=[a-zA-Z])/, "")`: drop the first run of
    //    `0` and `.` that starts at the beginning or after a dot and ends right before a letter.
    if version.iter().any(u8::is_ascii_alphabetic) {
        let mut position = 0;
        while position < version.len() {
            let anchored = position == 0
                || position
                    .checked_sub(1)
                    .and_then(|before| version.get(before))
                    == Some(&b'.');
            let run = if anchored {
                run_length(&version, position, |b| b == b'.' || b == b'0')
            } else {
                0
            };
            if run == 0 {
                position += 1;
                continue;
            }
            let end = position + run;
            if version.get(end).is_some_and(u8::is_ascii_alphabetic) {
                version = version
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| !(position..end).contains(index))
                    .map(|(_, &b)| b)
                    .collect();
                break;
            }
            // Every later start inside this run ends at the same non-letter: skip it.
            position = end;
        }
    }
    version
}

/// `ver.scan(/\d+|[a-z]+/i)`: runs of digits and runs of letters; everything else separates.
fn partition_segments(version: &[u8]) -> Box<[Segment]> {
    let mut segments = Vec::new();
    let mut position = 0;
    while let Some(&first) = version.get(position) {
        if first.is_ascii_digit() {
            let run = run_length(version, position, |b| b.is_ascii_digit());
            let digits: String = version
                .iter()
                .skip(position)
                .take(run)
                .skip_while(|&&b| b == b'0')
                .map(|&b| char::from(b))
                .collect();
            segments.push(Segment::Number(digits.into()));
            position += run;
        } else if first.is_ascii_alphabetic() {
            let run = run_length(version, position, |b| b.is_ascii_alphabetic());
            let letters: String = version
                .iter()
                .skip(position)
                .take(run)
                .map(|&b| char::from(b))
                .collect();
            segments.push(Segment::Text(letters.into()));
            position += run;
        } else {
            position += 1;
        }
    }
    segments.into_boxed_slice()
}

impl Ord for RubyGemsVersion {
    /// `Gem::Version#<=>`: segment by segment, a missing segment counting as `0`.
    fn cmp(&self, other: &Self) -> Ordering {
        let longest = self.segments.len().max(other.segments.len());
        for index in 0..longest {
            let ordering = match (self.segments.get(index), other.segments.get(index)) {
                (Some(left), Some(right)) => left.compare(right),
                (Some(left), None) => left.compare_to_zero(),
                (None, Some(right)) => right.compare_to_zero().reverse(),
                (None, None) => Ordering::Equal,
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for RubyGemsVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RubyGemsVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RubyGemsVersion {}

impl fmt::Display for RubyGemsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> RubyGemsVersion {
        RubyGemsVersion::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn canonical(text: &str) -> Vec<String> {
        version(text)
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Number(digits) if digits.is_empty() => String::from("0"),
                Segment::Number(digits) | Segment::Text(digits) => digits.to_string(),
            })
            .collect()
    }

    #[test]
    fn orders_like_gem_version_spaceship() {
        use Ordering::{Equal, Greater, Less};
        // Upstream: rubygems test/rubygems/test_gem_version.rb (test_spaceship, test_semver,
        // test_equals2); the shared vectors hold the same rows, these add edge cases.
        let cases = [
            ("1.0", "1.0.0", Equal),
            ("1.0", "1.0.a", Greater),
            ("1.8.2.a10", "1.8.2.a9", Greater),
            ("", "0", Equal),
            ("   ", "0.0", Equal),
            ("0.beta.1", "0.0.beta.1", Equal),
            ("5.a", "5.0.0.rc2", Less),
            ("5.x", "5.0.0.rc2", Greater),
            ("1.0.0-1", "1", Less),
            ("1.2.3-1", "1.2.3.pre.1", Equal),
            ("1.2.pre.1", "1.2.0.pre.1.0", Equal),
            ("1.A", "1.a", Less),
            ("1.0.0.a.1.0", "1.a.1", Equal),
            (" 1.0\n", "1", Equal),
            ("1.10", "1.9", Greater),
            ("1.0a", "1.0.a", Equal),
            ("1.a0b", "1.a.0.b", Greater),
            ("10.a", "1.a", Greater),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567891",
                Less,
            ),
            ("00012", "12", Equal),
        ];
        for (left, right, expected) in cases {
            assert_eq!(
                version(left).cmp(&version(right)),
                expected,
                "{left} <=> {right}"
            );
            assert_eq!(
                version(right).cmp(&version(left)),
                expected.reverse(),
                "{right} <=> {left}"
            );
        }
    }

    #[test]
    fn canonical_segments_drop_zeros_like_rubygems() {
        // Upstream: test_canonical_segments in test/rubygems/test_gem_version.rb.
        let cases: [(&str, &[&str]); 6] = [
            ("1.0.0", &["1"]),
            ("1.0.0.a.1.0", &["1", "a", "1"]),
            ("1.2.3-1", &["1", "2", "3", "pre", "1"]),
            ("0.0.0", &["0"]),
            ("10.0", &["10"]),
            // Only the first run of zeros before a letter goes: `1.a.0.b` keeps nothing else.
            ("1.a.0.b", &["1", "a", "b"]),
        ];
        for (text, expected) in cases {
            assert_eq!(canonical(text), expected, "{text}");
        }
    }

    #[test]
    fn refuses_what_gem_version_refuses() {
        // Upstream: test_initialize_invalid and test_class_correct in
        // test/rubygems/test_gem_version.rb (the last row guards CVE-2013-4287).
        let invalid = [
            "junk",
            "1.0\n2.0",
            "1..2",
            "1.2 3.4",
            "an incorrect version",
            "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
            "1.",
            ".1",
            "a1",
            "1a",
            "1-",
            "1.0+build",
            "v1.0",
            "1.0\0",
            "1,0",
            "1.0-a..b",
            "١",
        ];
        for text in invalid {
            let error = RubyGemsVersion::parse(text).expect_err(text);
            assert_eq!(error.scheme(), Scheme::RubyGems);
            assert_eq!(error.input(), text);
        }
    }

    #[test]
    fn accepts_what_gem_version_accepts() {
        let valid = [
            "1.0",
            "1.0 ",
            " 1.0 ",
            "1.0\n",
            "\n1.0\n",
            "",
            " ",
            "1-1",
            "1-a",
            "1.A",
            "1--",
            "1-a-b.c-d",
            "1.0.0-rc.1",
            "22.1.50.0.d",
        ];
        for text in valid {
            let parsed = version(text);
            assert_eq!(parsed.as_str(), text);
            assert_eq!(parsed.to_string(), text);
        }
    }
}
