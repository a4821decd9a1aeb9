//! Alpine `apk` versions: `number{.number}[letter]{_suffix[number]}[~hash][-rN]`.
//!
//! Ordering and validity follow apk-tools 3.x (`src/version.c`, checked against
//! `test/unit/version.data` at commit 90b974fd). A version is read as a stream of tokens, both
//! streams are walked together, and the first token that differs decides. Surprises:
//! - Suffixes split in two: `_alpha < _beta < _pre < _rc` sort *before* the bare version, while
//!   `_cvs < _svn < _git < _hg < _p` sort *after* it: `1.0_rc1 < 1.0 < 1.0_p1`. Several suffixes
//!   may follow one another (`0.1_p1_pre2`, `0.1_git20240101_pre1`), each with optional digits.
//! - A number group after the first with a leading zero is compared as a *string* against the
//!   other side's group: `1.01 < 1.1`, `1.0 < 1.00`, `1.001 < 1.01`, and every zero-led group
//!   sorts before every group that is not (`1.09 < 1.2`). The first group, suffix numbers and
//!   revisions compare as plain numbers, so `006` equals `6` and `1.0-r01` equals `1.0-r1`.
//! - When one version ends where the other goes on, the longer one is newer unless it goes on
//!   with a pre-release suffix: `1.0 < 1.0-r0`, `1.0 < 1.0a`, `1.0 < 1.0.0`, but
//!   `1.0_alpha < 1.0`. When both go on differently, what follows ranks, oldest first: a
//!   pre-release suffix, the end, `-rN`, `~hash`, a post-release suffix, a letter, `.number`.
//!   So `1.0a < 1.0.1` and `1.0_p1 < 1.0a`.
//! - A `~hash` commit id (lower-case hex only) compares as a string, so `1.0~9 > 1.0~10`, and a
//!   version with a hash is newer than the same version with any revision:
//!   `1.0-r5 < 1.0~abc`.
//! - Only one letter, lower case, directly after a number: `1.0bc`, `0.1a1` and `0.1a.1` are
//!   invalid. No upper case anywhere, no empty suffix, no `-r` without digits.
//! - Equality is apk's equality, not string equality (`006` = `6`); the text is kept for display.
//! - Numbers have no size limit here. apk-tools reads them into a `uint64_t` that silently wraps
//!   for numbers of 20 or more digits; we compare their true values instead.
//!
//! apk itself compares *any* two strings, valid or not: it walks tokens until one is invalid and
//! then treats an invalid rest as older than everything but a pre-release suffix, and two invalid
//! rests as equal (so apk says `1.0bc = 1.0bd` and `1.0 < 1.0bc`). That is not a total order, so
//! [`ApkVersion::parse`] refuses invalid versions; [`ApkVersion::compare_like_apk`] and
//! [`ApkVersion::fuzzy_matches_like_apk`] reproduce apk on raw strings for callers that must
//! agree with it.
//!
//! Fuzzy matching (apk's `~` dependency operator, [`ApkVersion::fuzzy_matches`]) asks whether
//! the pattern's tokens are a prefix of the version's: `3.6.9 ~ 3.6` and even
//! `3.6_pre1 ~ 3.6`, but not `3.60 ~ 3.6` nor `3.8 ~ 3.8.1`.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

const UNEXPECTED_CHARACTER: &str = "unexpected character";

/// A parsed Alpine version.
///
/// Comparing two parsed versions walks their bytes and never allocates.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: Box<str>,
}

impl ApkVersion {
    /// Parses an Alpine version, accepting exactly what apk-tools' `apk_version_validate`
    /// accepts.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let mut tokens = Tokens::new(text.as_bytes());
        loop {
            match tokens.next_token().kind {
                Kind::End => break,
                Kind::Invalid => {
                    let (reason, offset) = tokens.error.unwrap_or(("invalid version", 0));
                    let found = text
                        .get(offset..)
                        .and_then(|rest| rest.chars().next())
                        .map(|found| format!(" `{}`", found.escape_debug()))
                        .unwrap_or_default();
                    let reason = if reason == UNEXPECTED_CHARACTER {
                        format!("{reason}{found} (at byte {offset})")
                    } else {
                        format!("{reason} (at byte {offset})")
                    };
                    return Err(VersionError::new(Scheme::Apk, text, reason));
                }
                _ => {}
            }
        }
        Ok(ApkVersion { text: text.into() })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this version matches `pattern` under apk's fuzzy `~` operator: every token of
    /// the pattern equals the version's token at the same place (`3.6.9 ~ 3.6`).
    pub fn fuzzy_matches(&self, pattern: &ApkVersion) -> bool {
        compare_tokens(self.text.as_bytes(), pattern.text.as_bytes(), true) == Ordering::Equal
    }

    /// Compares two strings exactly as apk-tools' `apk_version_compare` does, valid or not.
    ///
    /// For two valid versions this is the same as parsing them and comparing. Otherwise the
    /// walk stops at the first invalid token: an invalid rest sorts below everything except a
    /// pre-release suffix, and two invalid rests are equal. So this is no total order over
    /// arbitrary strings (`1.0bc` equals `1.0bd`, and `""` equals `"a"`); use it only where
    /// agreeing with `apk` matters more than consistency.
    pub fn compare_like_apk(a: &str, b: &str) -> Ordering {
        compare_tokens(a.as_bytes(), b.as_bytes(), false)
    }

    /// Whether `version ~ pattern` holds for apk-tools (`apk_version_match` with the fuzzy
    /// operator), valid or not: `3.6.9_post1 ~ 3.6` holds although `_post1` is no suffix,
    /// because the walk stops at the end of the pattern before reaching it.
    pub fn fuzzy_matches_like_apk(version: &str, pattern: &str) -> bool {
        compare_tokens(version.as_bytes(), pattern.as_bytes(), true) == Ordering::Equal
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_tokens(self.text.as_bytes(), other.text.as_bytes(), false)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a token is, in apk-tools' order (`enum PARTS`): the order both restricts which token
/// may follow which and ranks what follows a common prefix (a later kind is older).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The first number group; always compared as a number.
    InitialNumber,
    /// A `.`-separated number group; compared as a string when either side has a leading zero.
    Number,
    /// One lower-case letter directly after a number.
    Letter,
    /// `_name`, one of [`Suffix`].
    Suffix,
    /// The digits right after a suffix name.
    SuffixNumber,
    /// `~` and lower-case hex digits.
    CommitHash,
    /// `-r` and digits.
    Revision,
    /// Nothing left.
    End,
    /// Something apk does not accept here; the walk stops.
    Invalid,
}

/// Suffix names in their order; the first four are pre-releases (older than no suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    fn from_name(name: &[u8]) -> Option<Suffix> {
        Some(match name {
            b"alpha" => Suffix::Alpha,
            b"beta" => Suffix::Beta,
            b"pre" => Suffix::Pre,
            b"rc" => Suffix::Rc,
            b"cvs" => Suffix::Cvs,
            b"svn" => Suffix::Svn,
            b"git" => Suffix::Git,
            b"hg" => Suffix::Hg,
            b"p" => Suffix::P,
            _ => return None,
        })
    }

    fn is_pre_release(self) -> bool {
        self <= Suffix::Rc
    }
}

/// One token: its kind, its text (digits, the letter, the suffix name or the hash, without
/// separators) and, for a suffix, which one.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    text: &'a [u8],
    suffix: Option<Suffix>,
}

impl<'a> Token<'a> {
    fn new(kind: Kind, text: &'a [u8]) -> Self {
        Token {
            kind,
            text,
            suffix: None,
        }
    }

    fn is_pre_release(&self) -> bool {
        self.kind == Kind::Suffix && self.suffix.is_some_and(Suffix::is_pre_release)
    }
}

/// Reads tokens off a version's bytes. After `End` or `Invalid` it keeps returning that kind.
#[derive(Debug)]
struct Tokens<'a> {
    rest: &'a [u8],
    length: usize,
    last: Option<Kind>,
    /// Why the version became invalid, and at which byte.
    error: Option<(&'static str, usize)>,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a [u8]) -> Self {
        Tokens {
            rest: text,
            length: text.len(),
            last: None,
            error: None,
        }
    }

    fn next_token(&mut self) -> Token<'a> {
        let token = match self.last {
            None => self.first(),
            Some(Kind::End) => Token::new(Kind::End, &[]),
            Some(Kind::Invalid) => Token::new(Kind::Invalid, &[]),
            Some(last) => self.following(last),
        };
        self.last = Some(token.kind);
        token
    }

    fn first(&mut self) -> Token<'a> {
        if self.rest.is_empty() {
            return self.invalid("version is empty");
        }
        let digits = self.take_while(|byte| byte.is_ascii_digit());
        if digits.is_empty() {
            return self.invalid("version must start with a digit");
        }
        Token::new(Kind::InitialNumber, digits)
    }

    fn following(&mut self, last: Kind) -> Token<'a> {
        let Some(&byte) = self.rest.first() else {
            return Token::new(Kind::End, &[]);
        };
        match byte {
            b'a'..=b'z' => {
                if last > Kind::Number {
                    return self.invalid("a letter may only follow a number, and only one letter");
                }
                Token::new(Kind::Letter, self.take(1))
            }
            b'.' | b'0'..=b'9' => {
                if byte == b'.' {
                    if last > Kind::Number {
                        return self.invalid(
                            "`.` may not follow a letter, suffix, commit hash or revision",
                        );
                    }
                    self.take(1);
                }
                let kind = match last {
                    Kind::InitialNumber | Kind::Number => Kind::Number,
                    Kind::Suffix => Kind::SuffixNumber,
                    _ => return self.invalid("digits may not follow a letter"),
                };
                let digits = self.take_while(|byte| byte.is_ascii_digit());
                if digits.is_empty() {
                    return self.invalid("`.` must be followed by digits");
                }
                Token::new(kind, digits)
            }
            b'_' => {
                if last > Kind::SuffixNumber {
                    return self.invalid("a suffix may not follow a commit hash or revision");
                }
                let at = self.offset();
                self.take(1);
                let name = self.take_while(|byte| byte.is_ascii_lowercase());
                match Suffix::from_name(name) {
                    Some(suffix) => Token {
                        kind: Kind::Suffix,
                        text: name,
                        suffix: Some(suffix),
                    },
                    None => self.invalid_at(
                        "unknown suffix, expected one of `_alpha` `_beta` `_pre` `_rc` `_cvs` \
                         `_svn` `_git` `_hg` `_p`",
                        at,
                    ),
                }
            }
            b'~' => {
                if last >= Kind::CommitHash {
                    return self
                        .invalid("a commit hash may not follow a revision or another commit hash");
                }
                self.take(1);
                let hash = self.take_while(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
                if hash.is_empty() {
                    return self.invalid("`~` must be followed by a lower-case hex commit hash");
                }
                Token::new(Kind::CommitHash, hash)
            }
            b'-' => {
                if last >= Kind::Revision {
                    return self.invalid("only one `-rN` revision is allowed, at the end");
                }
                if self.rest.get(1) != Some(&b'r') {
                    return self.invalid("`-` must start a `-rN` revision");
                }
                self.take(2);
                let digits = self.take_while(|byte| byte.is_ascii_digit());
                if digits.is_empty() {
                    return self.invalid("`-r` must be followed by digits");
                }
                Token::new(Kind::Revision, digits)
            }
            _ => self.invalid(UNEXPECTED_CHARACTER),
        }
    }

    fn offset(&self) -> usize {
        self.length.saturating_sub(self.rest.len())
    }

    /// Takes up to `count` bytes off the front.
    fn take(&mut self, count: usize) -> &'a [u8] {
        let (taken, rest) = self
            .rest
            .split_at_checked(count)
            .unwrap_or((self.rest, &[]));
        self.rest = rest;
        taken
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let count = self
            .rest
            .iter()
            .position(|&byte| !keep(byte))
            .unwrap_or(self.rest.len());
        self.take(count)
    }

    fn invalid(&mut self, reason: &'static str) -> Token<'a> {
        let at = self.offset();
        self.invalid_at(reason, at)
    }

    fn invalid_at(&mut self, reason: &'static str, at: usize) -> Token<'a> {
        self.error = Some((reason, at));
        Token::new(Kind::Invalid, &[])
    }
}

/// apk-tools' `apk_version_compare_fuzzy`: walk both token streams while the kinds agree; the
/// first differing value decides, else what comes after the common prefix does.
fn compare_tokens(a: &[u8], b: &[u8], fuzzy: bool) -> Ordering {
    let mut left = Tokens::new(a);
    let mut right = Tokens::new(b);
    loop {
        let ta = left.next_token();
        let tb = right.next_token();
        if ta.kind != tb.kind || ta.kind >= Kind::End {
            return compare_rest(&ta, &tb, fuzzy);
        }
        match compare_values(&ta, &tb) {
            Ordering::Equal => {}
            decided => return decided,
        }
    }
}

/// Compares two tokens of the same kind.
fn compare_values(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // Gentoo's rule, kept by apk: a zero-led group is a decimal fraction, compared as text.
        Kind::Number if a.text.first() == Some(&b'0') || b.text.first() == Some(&b'0') => {
            a.text.cmp(b.text)
        }
        Kind::InitialNumber | Kind::Number | Kind::SuffixNumber | Kind::Revision => {
            compare_numbers(a.text, b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End | Kind::Invalid => a.text.cmp(b.text),
    }
}

/// Compares two runs of ASCII digits by value, whatever their length.
fn compare_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_leading_zeros(a);
    let b = strip_leading_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_leading_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits
        .iter()
        .position(|&byte| byte != b'0')
        .unwrap_or(digits.len());
    digits.get(zeros..).unwrap_or_default()
}

/// Decides between two versions that agree up to `a` and `b`, which differ in kind (or are both
/// `End`, or both `Invalid`).
fn compare_rest(a: &Token<'_>, b: &Token<'_>, fuzzy: bool) -> Ordering {
    if a.kind == b.kind {
        return Ordering::Equal;
    }
    if fuzzy && b.kind == Kind::End {
        return Ordering::Equal;
    }
    if a.is_pre_release() {
        return Ordering::Less;
    }
    if b.is_pre_release() {
        return Ordering::Greater;
    }
    // A later kind ranks lower: the version that ended is older than one that goes on.
    b.kind.cmp(&a.kind)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{self, Equal, Greater, Less};

    use proptest::prelude::*;

    use super::ApkVersion;

    fn parse(text: &str) -> ApkVersion {
        ApkVersion::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn orders_surprising_pairs() {
        let cases: &[(&str, &str, Ordering)] = &[
            // Pre-release suffixes sort before the bare version, post-release ones after.
            ("1.0_alpha", "1.0_beta", Less),
            ("1.0_beta", "1.0_pre", Less),
            ("1.0_pre", "1.0_rc", Less),
            ("1.0_rc", "1.0", Less),
            ("1.0", "1.0_cvs", Less),
            ("1.0_cvs", "1.0_svn", Less),
            ("1.0_svn", "1.0_git", Less),
            ("1.0_git", "1.0_hg", Less),
            ("1.0_hg", "1.0_p", Less),
            ("1.0_rc9", "1.0", Less),
            ("1.0_p", "1.0_p0", Less),
            ("1.0_p1_pre2", "1.0_p1", Less),
            ("1.0_p1_pre2", "1.0_p1_p", Less),
            // A zero-led group after the first compares as text.
            ("1.01", "1.1", Less),
            ("1.0", "1.00", Less),
            ("1.001", "1.01", Less),
            ("1.09", "1.2", Less),
            ("1.10", "1.09", Greater),
            ("1.2", "1.10", Less),
            // The first group, suffix numbers and revisions compare as numbers.
            ("006", "6", Equal),
            ("1.0-r01", "1.0-r1", Equal),
            ("1.0_p010", "1.0_p10", Equal),
            ("1.0-r9", "1.0-r10", Less),
            // What follows a common prefix.
            ("1.0", "1.0-r0", Less),
            ("1.0", "1.0a", Less),
            ("1.0", "1.0.0", Less),
            ("1.0a", "1.0.1", Less),
            ("1.0_p1", "1.0a", Less),
            ("1.0-r5", "1.0~abc", Less),
            ("1.0~abc", "1.0~abc-r0", Less),
            ("1.0~abc", "1.0_p", Less),
            // Commit hashes compare as text.
            ("1.0~9", "1.0~10", Greater),
            ("1.0~1234-r1", "1.0~2345-r0", Less),
            // Letters.
            ("1.0a", "1.0b", Less),
            ("1.0z", "1.1", Less),
            // Numbers of any length.
            ("99999999999999999999", "100000000000000000000", Less),
            ("1.18446744073709551616", "1.18446744073709551615", Greater),
            ("1.0_p18446744073709551616", "1.0_p1", Greater),
        ];
        for &(a, b, expected) in cases {
            let (left, right) = (parse(a), parse(b));
            assert_eq!(left.cmp(&right), expected, "{a} vs {b}");
            assert_eq!(right.cmp(&left), expected.reverse(), "{b} vs {a}");
            assert_eq!(left == right, expected == Equal, "{a} == {b}");
            assert_eq!(ApkVersion::compare_like_apk(a, b), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn rejects_what_apk_rejects() {
        let cases: &[(&str, &str)] = &[
            ("", "version is empty (at byte 0)"),
            ("a", "version must start with a digit (at byte 0)"),
            (".1", "version must start with a digit (at byte 0)"),
            ("-r1", "version must start with a digit (at byte 0)"),
            (" 1.0", "version must start with a digit (at byte 0)"),
            ("1.0 ", "unexpected character ` ` (at byte 3)"),
            ("1.0A", "unexpected character `A` (at byte 3)"),
            ("1.", "`.` must be followed by digits (at byte 2)"),
            ("1..2", "`.` must be followed by digits (at byte 2)"),
            (
                "0.1bc",
                "a letter may only follow a number, and only one letter (at byte 4)",
            ),
            ("0.1a1", "digits may not follow a letter (at byte 4)"),
            (
                "0.1a.1",
                "`.` may not follow a letter, suffix, commit hash or revision (at byte 4)",
            ),
            (
                "0.1_foobar",
                "unknown suffix, expected one of `_alpha` `_beta` `_pre` `_rc` `_cvs` `_svn` \
                 `_git` `_hg` `_p` (at byte 3)",
            ),
            (
                "0.1_",
                "unknown suffix, expected one of `_alpha` `_beta` `_pre` `_rc` `_cvs` `_svn` \
                 `_git` `_hg` `_p` (at byte 3)",
            ),
            (
                "0.1_RC1",
                "unknown suffix, expected one of `_alpha` `_beta` `_pre` `_rc` `_cvs` `_svn` \
                 `_git` `_hg` `_p` (at byte 3)",
            ),
            (
                "0.1_pre.1",
                "`.` may not follow a letter, suffix, commit hash or revision (at byte 7)",
            ),
            (
                "0.1_pre2~",
                "`~` must be followed by a lower-case hex commit hash (at byte 9)",
            ),
            (
                "0.1~ABCD",
                "`~` must be followed by a lower-case hex commit hash (at byte 4)",
            ),
            (
                "0.1_pre2~1234xbcd",
                "a letter may only follow a number, and only one letter (at byte 13)",
            ),
            (
                "0.1_pre2~1234abcd_pre1",
                "a suffix may not follow a commit hash or revision (at byte 17)",
            ),
            (
                "0.1~12~34",
                "a commit hash may not follow a revision or another commit hash (at byte 6)",
            ),
            (
                "0.1-r1~1234",
                "a commit hash may not follow a revision or another commit hash (at byte 6)",
            ),
            ("0.1-pre1.1", "`-` must start a `-rN` revision (at byte 3)"),
            ("0.1-", "`-` must start a `-rN` revision (at byte 3)"),
            ("0.1-r", "`-r` must be followed by digits (at byte 5)"),
            (
                "0.1-r2-r3",
                "only one `-rN` revision is allowed, at the end (at byte 6)",
            ),
            (
                "0.1-r2_pre1",
                "a suffix may not follow a commit hash or revision (at byte 6)",
            ),
            (
                "0.1-r2.1",
                "`.` may not follow a letter, suffix, commit hash or revision (at byte 6)",
            ),
            ("1.0\u{e9}", "unexpected character `\u{e9}` (at byte 3)"),
            ("1.0\0", "unexpected character `\\0` (at byte 3)"),
        ];
        for &(text, reason) in cases {
            let error = ApkVersion::parse(text).expect_err(text);
            assert_eq!(error.reason(), reason, "{text:?}");
            assert_eq!(error.input(), text);
        }
    }

    #[test]
    fn accepts_every_part() {
        for text in [
            "0",
            "1.2.3.4.5",
            "1.0a",
            "1.0_p",
            "1.0_rc1_p2_git20240101",
            "1.0~0123456789abcdef",
            "1.0a_beta2~abc-r12",
            "006",
            "1.0-r0",
            "123456789012345678901234567890",
        ] {
            let version = parse(text);
            assert_eq!(version.as_str(), text);
            assert_eq!(version.to_string(), text);
        }
    }

    #[test]
    fn fuzzy_matches_token_prefixes() {
        let cases: &[(&str, &str, bool)] = &[
            ("3.6.0", "3.6", true),
            ("3.6.9", "3.6", true),
            ("3.6_pre1", "3.6", true),
            ("3.6a", "3.6", true),
            ("3.6-r3", "3.6", true),
            ("3.6", "3.6", true),
            ("3.6", "3", true),
            ("3.60", "3.6", false),
            ("3.8", "3.8.1", false),
            ("3.8.0", "3.8.1", false),
            ("3.6.9", "3.8", false),
            ("3.6", "3.6-r0", false),
        ];
        for &(version, pattern, expected) in cases {
            assert_eq!(
                parse(version).fuzzy_matches(&parse(pattern)),
                expected,
                "{version} ~ {pattern}"
            );
            assert_eq!(
                ApkVersion::fuzzy_matches_like_apk(version, pattern),
                expected,
                "{version} ~ {pattern}"
            );
        }
    }

    #[test]
    fn apk_compares_invalid_strings_up_to_the_invalid_part() {
        let cases: &[(&str, &str, Ordering)] = &[
            // The walk decides on `23` vs `4` before it reaches `_foo`.
            ("23_foo", "4_beta", Greater),
            // Reaching the end ranks above an invalid rest...
            ("1.0", "1.0bc", Less),
            ("1.0", "1.0_foo", Greater),
            // ...but below a pre-release suffix.
            ("1.0_foo", "1.0_alpha", Greater),
            // Two invalid rests are equal, whatever they are.
            ("1.0bc", "1.0bd", Equal),
            ("", "a", Equal),
            ("", "1", Less),
            ("1.0 ", "1.0", Less),
        ];
        for &(a, b, expected) in cases {
            assert_eq!(ApkVersion::compare_like_apk(a, b), expected, "{a} vs {b}");
            assert_eq!(
                ApkVersion::compare_like_apk(b, a),
                expected.reverse(),
                "{b} vs {a}"
            );
        }
    }

    /// Valid versions built from every part of the grammar, leading zeros included.
    fn valid_version() -> impl Strategy<Value = String> {
        let number = "(0|00|1|01|9|10|0010|18446744073709551616)";
        let suffix = "(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(|0|1|02))";
        let pattern = format!(
            "{number}(\\.{number}){{0,2}}[ab]?{suffix}{{0,2}}(~[0-9a]{{1,2}})?(-r(0|1|01))?"
        );
        proptest::string::string_regex(&pattern).expect("the pattern is a valid regex")
    }

    proptest! {
        #[test]
        fn never_panics_and_agrees_with_apk_on_anything(a in "\\PC{0,12}", b in "[0-9a-z._~-]{0,12}") {
            let like_apk = ApkVersion::compare_like_apk(&a, &b);
            prop_assert_eq!(ApkVersion::compare_like_apk(&b, &a), like_apk.reverse());
            let _ = ApkVersion::fuzzy_matches_like_apk(&a, &b);
            if let (Ok(left), Ok(right)) = (ApkVersion::parse(&a), ApkVersion::parse(&b)) {
                prop_assert_eq!(left.cmp(&right), like_apk);
            }
        }

        #[test]
        fn ordering_is_a_total_order(a in valid_version(), b in valid_version(), c in valid_version()) {
            let (a, b, c) = (parse(&a), parse(&b), parse(&c));
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a.cmp(&a), Equal);
            if a <= b && b <= c {
                prop_assert!(a <= c, "{} <= {} <= {}", a, b, c);
            }
            if a >= b && b >= c {
                prop_assert!(a >= c, "{} >= {} >= {}", a, b, c);
            }
        }

        #[test]
        fn display_then_parse_is_identity(text in valid_version()) {
            let version = parse(&text);
            let again = parse(&version.to_string());
            prop_assert_eq!(again.as_str(), text.as_str());
            prop_assert_eq!(again, version);
        }

        #[test]
        fn fuzzy_match_agrees_with_ordering(a in valid_version(), b in valid_version()) {
            let (a, b) = (parse(&a), parse(&b));
            if a == b {
                prop_assert!(a.fuzzy_matches(&b));
            }
        }
    }
}
