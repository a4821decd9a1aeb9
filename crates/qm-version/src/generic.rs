//! The generic fallback for ecosystems without ordering rules of their own (Hackage, CRAN,
//! opam, Conan, …).
//!
//! A version is read as a sequence of tokens: runs of ASCII digits (numbers), runs of letters
//! (words), and `~` (a pre-release marker). Every other character only separates tokens.
//! Tokens compare pairwise from the left:
//! - two numbers compare as numbers of any length (leading zeros ignored: `1.01` equals `1.1`);
//! - two words compare byte by byte, case-insensitively (`1.0RC1` equals `1.0rc1`);
//! - a number is newer than a word at the same place (`1.0.1` > `1.0.rc1`, `1.1` > `1.a`);
//! - `~` is older than anything, even the end of the version (`1.0~rc1` < `1.0`);
//! - otherwise, when one version runs out first, the longer one is newer (`1.0` < `1.0.1`,
//!   `1.0` < `1.0a`).
//!
//! So separators do not matter (`1.0` equals `1-0` equals `1_0`), which is the trap: two
//! strings that differ only in punctuation are the same generic version. This is the common
//! core of dpkg's and rpm's rules, and agrees with GNU `sort -V` on ordinary release numbers.
//! A version with no letter or digit is an error.

use std::cmp::Ordering;
use std::fmt;

use crate::rpm::compare_numbers;
use crate::{Scheme, VersionError};

/// A version under the generic fallback rules.
#[derive(Debug, Clone)]
pub struct GenericVersion {
    text: Box<str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Tilde,
    Number(&'a [u8]),
    Word(&'a [u8]),
}

/// Iterates over the tokens of a generic version without allocating.
struct Tokens<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        while let Some(byte) = self.bytes.get(self.position) {
            let start = self.position;
            if *byte == b'~' {
                self.position += 1;
                return Some(Token::Tilde);
            }
            let class: fn(&u8) -> bool = if byte.is_ascii_digit() {
                u8::is_ascii_digit
            } else if byte.is_ascii_alphabetic() {
                u8::is_ascii_alphabetic
            } else {
                self.position += 1;
                continue;
            };
            while self.bytes.get(self.position).is_some_and(class) {
                self.position += 1;
            }
            let run = self.bytes.get(start..self.position).unwrap_or_default();
            return Some(if byte.is_ascii_digit() {
                Token::Number(run)
            } else {
                Token::Word(run)
            });
        }
        None
    }
}

impl GenericVersion {
    /// Parses a generic version; it must hold at least one ASCII letter or digit.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        if !text.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(VersionError::new(
                Scheme::Generic,
                text,
                "a version needs at least one letter or digit",
            ));
        }
        Ok(GenericVersion { text: text.into() })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            bytes: self.text.as_bytes(),
            position: 0,
        }
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut left, mut right) = (self.tokens(), other.tokens());
        loop {
            let ordering = match (left.next(), right.next()) {
                (None, None) => return Ordering::Equal,
                (Some(Token::Tilde), Some(Token::Tilde)) => Ordering::Equal,
                (Some(Token::Tilde), _) => Ordering::Less,
                (_, Some(Token::Tilde)) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(Token::Number(a)), Some(Token::Number(b))) => compare_numbers(a, b),
                (Some(Token::Number(_)), Some(Token::Word(_))) => Ordering::Greater,
                (Some(Token::Word(_)), Some(Token::Number(_))) => Ordering::Less,
                (Some(Token::Word(a)), Some(Token::Word(b))) => a
                    .iter()
                    .map(u8::to_ascii_lowercase)
                    .cmp(b.iter().map(u8::to_ascii_lowercase)),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
    }
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GenericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GenericVersion {}

impl fmt::Display for GenericVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_rules_hold() {
        let v = |s| GenericVersion::parse(s).unwrap();
        let cases = [
            ("1.01", "1.1", Ordering::Equal),
            ("1.0RC1", "1.0rc1", Ordering::Equal),
            ("1.0", "1-0", Ordering::Equal),
            ("1.0.1", "1.0.rc1", Ordering::Greater),
            ("1.1", "1.a", Ordering::Greater),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0~rc1", "1.0~rc2", Ordering::Less),
            ("1.0", "1.0.1", Ordering::Less),
            ("1.0", "1.0a", Ordering::Less),
            ("2.10", "2.9", Ordering::Greater),
            ("123456789012345678901234567890", "99", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(v(a).cmp(&v(b)), expected, "{a} vs {b}");
            assert_eq!(v(b).cmp(&v(a)), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn versions_without_alphanumerics_are_refused() {
        for text in ["", "...", "~", " - "] {
            assert!(GenericVersion::parse(text).is_err(), "{text:?}");
        }
    }
}
