//! Composer (Packagist) versions: normalised as composer/semver's `VersionParser::normalize`
//! does, then ordered as its `Comparator` does, which is PHP's `version_compare` on the
//! normalised strings.
//!
//! Normalisation accepts an optional `v`, one to four numbers (padded with `.0` to four, digits
//! kept as written), a stability suffix (`stable`, `alpha`/`a`, `beta`/`b`, `RC`, `patch`/`pl`/
//! `p`, any case, optionally separated by `.`, `_` or `-` and followed by numbers) and a `dev`
//! suffix; date versions (`2010-01-02`, `20230131.0.0`); `1.x-dev` branch versions (the `x`
//! parts become `9999999`); `dev-<branch>` (also `master`, `trunk`, `default`); build metadata
//! `+…`, a trailing `@stability` flag and a ` as <alias>` suffix are dropped.
//!
//! Surprises:
//! - Order by stability: `dev < alpha < beta < RC < (none) < patch`, and a `-dev` suffix lowers
//!   whatever it follows: `1.0.0-beta2-dev < 1.0.0-beta2`.
//! - Suffix numbers are compared part by part after the separators are erased:
//!   `1.0.0-beta.2 == 1.0.0-b2`, `1.0.0-beta2.1 < 1.0.0-b.3`. A purely numeric pre-release
//!   (`1.0.0-0.3.7`) is an error, as is anything SemVer allows but Composer does not know
//!   (`1.0.0-SNAPSHOT`, `1.0.0-meh`).
//! - `version_compare` is not padding: a trailing number makes a version greater even if it is
//!   zero, so the date version `2010-01-02` (normalised `2010.01.02`) is less than
//!   `2010.01.02` (normalised `2010.01.02.0`).
//! - Numbers larger than 2^63−1 all compare equal, because PHP reads them with `strtol`.
//! - `1.0.0-stable` normalises to `1.0.0.0`, but the upper-case `1.0.0-STABLE` keeps a
//!   `-stable` suffix, which `version_compare` ranks below `dev`.
//! - Dev branches (`dev-master`, `dev-feature/x`): Composer's `Comparator` sorts a branch below
//!   every numbered version (`version_compare` sees `dev` before the first number), and never
//!   orders two different branches (neither `<`, `>` nor `==` holds). Here branches sort below
//!   every numbered version too, and among themselves by the bytes of the branch name, only so
//!   that the order is total; two branches are equal only when their names are identical.
//!   `Semver::sort` additionally treats `dev-master`/`dev-trunk`/`dev-default` as the newest
//!   version (`9999999-dev`); this module does not, so an installed `dev-master` is treated as
//!   older than any release: a scanner then errs towards reporting, not hiding, a finding.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// PHP's `LONG_MAX` on 64-bit platforms: where `strtol` saturates.
const PHP_LONG_MAX: u64 = 9_223_372_036_854_775_807;

/// The order `version_compare` gives the `#` that stands for a number.
const NUMBER_ORDER: i8 = 4;

/// A parsed Composer version.
///
/// Equality is equality of the normalised versions under `version_compare`: `1.0`, `v1.0.0`,
/// `1.0.0.0` and `1.0+build` are equal.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: Box<str>,
    /// What `VersionParser::normalize` returns, e.g. `1.0.0.0-beta2`, `dev-master`.
    normalized: Box<str>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `dev-<name>`; ordered by `normalized`.
    Branch,
    /// A numbered version, as the parts `version_compare` splits it into.
    Numbered(Box<[Part]>),
}

/// One part of a canonicalised PHP version string.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A run of digits, read by `strtol`.
    Number(u64),
    /// A run of letters, as its rank among PHP's special forms.
    Special(i8),
}

impl Part {
    /// `php_version_compare` on one pair of parts; a number meets a word as the form `#`.
    fn compare(self, other: Part) -> Ordering {
        match (self, other) {
            (Part::Number(a), Part::Number(b)) => a.cmp(&b),
            (Part::Special(a), Part::Special(b)) => a.cmp(&b),
            (Part::Number(_), Part::Special(b)) => NUMBER_ORDER.cmp(&b),
            (Part::Special(a), Part::Number(_)) => a.cmp(&NUMBER_ORDER),
        }
    }

    /// How a version with this part left over compares to one that has ended: a number makes
    /// it greater, a word is compared with `#N#`.
    fn compare_to_end(self) -> Ordering {
        match self {
            Part::Number(_) => Ordering::Greater,
            Part::Special(order) => order.cmp(&NUMBER_ORDER),
        }
    }
}

/// `compare_special_version_forms` in PHP's `ext/standard/versioning.c`: the first entry that
/// is a prefix of the word (case-sensitive) gives its rank; unknown words rank lowest.
fn special_order(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER_ORDER),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |&(_, order)| order)
}

impl ComposerVersion {
    /// Parses a Composer version.
    ///
    /// # Errors
    /// When `VersionParser::normalize` would throw `Invalid version string`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let normalized =
            normalize(text).map_err(|reason| VersionError::new(Scheme::Composer, text, reason))?;
        let kind = match normalized {
            Normalized::Branch(_) => Kind::Branch,
            Normalized::Numbered(ref version) => Kind::Numbered(php_parts(version)),
        };
        let (Normalized::Branch(normalized) | Normalized::Numbered(normalized)) = normalized;
        Ok(ComposerVersion {
            text: text.into(),
            normalized: normalized.into(),
            kind,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The result of `VersionParser::normalize`.
enum Normalized {
    /// `dev-` and the branch name.
    Branch(String),
    /// Anything else: `1.2.3.0`, `1.0.0.0-RC1-dev`, `2010.01.02`, `1.9999999.9999999.9999999-dev`.
    Numbered(String),
}

/// The characters PHP's `trim` removes.
const PHP_TRIM: [char; 6] = [' ', '\t', '\n', '\r', '\0', '\x0B'];

/// PCRE's `\s` without the `u` flag.
fn is_pcre_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// `VersionParser::normalize`, step by step.
fn normalize(input: &str) -> Result<Normalized, Cow<'static, str>> {
    let mut version = input.trim_matches(PHP_TRIM);
    if version.is_empty() {
        return Err(Cow::Borrowed("the version is empty"));
    }
    if let Some(source) = strip_alias(version) {
        version = source;
    }
    if let Some(rest) = strip_stability_flag(version) {
        version = rest;
    }
    // Composer 1 constraints used the bare default branch names.
    if matches!(version, "master" | "trunk" | "default") {
        return Ok(Normalized::Branch(format!("dev-{version}")));
    }
    let bytes = version.as_bytes();
    if bytes
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"dev-"))
    {
        let name = version.get(4..).unwrap_or_default();
        return Ok(Normalized::Branch(format!("dev-{name}")));
    }
    // PCRE's `$` also matches before a final newline, which can only be left here by a removed
    // `@stability` flag (`1.0\n@dev`); every pattern below then behaves as without it.
    let version = version.strip_suffix('\n').unwrap_or(version);
    let version = strip_build_metadata(version).unwrap_or(version);
    if let Some(normalized) = classical(version).or_else(|| dated(version)) {
        return Ok(Normalized::Numbered(normalized));
    }
    if let Some(normalized) = numeric_branch(version) {
        return Ok(Normalized::Numbered(normalized));
    }
    Err(Cow::Borrowed(
        "expected a version like `1.2.3`, `v1.2.3-beta2`, `2010-01-02`, `1.x-dev` or \
         `dev-<branch>`",
    ))
}

/// `^([^,\s]++) ++as ++([^,\s]++)$`: the aliased version of `<version> as <alias>`.
fn strip_alias(version: &str) -> Option<&str> {
    let bytes = version.as_bytes();
    let source_end = bytes.iter().position(|&b| b == b',' || is_pcre_space(b))?;
    let after_source = bytes.get(source_end..)?;
    let spaces = after_source.iter().take_while(|&&b| b == b' ').count();
    let after_as = after_source.get(spaces..)?.strip_prefix(b"as")?;
    let more_spaces = after_as.iter().take_while(|&&b| b == b' ').count();
    let alias = after_as.get(more_spaces..)?;
    let well_formed = source_end > 0
        && spaces > 0
        && more_spaces > 0
        && !alias.is_empty()
        && !alias.iter().any(|&b| b == b',' || is_pcre_space(b));
    if well_formed {
        version.get(..source_end)
    } else {
        None
    }
}

/// `@(?:stable|RC|beta|alpha|dev)$`, case-insensitively: the version without the flag.
fn strip_stability_flag(version: &str) -> Option<&str> {
    ["stable", "RC", "beta", "alpha", "dev"]
        .iter()
        .find_map(|word| {
            let start = version.len().checked_sub(word.len() + 1)?;
            let flag = version.as_bytes().get(start..)?;
            let (&at, name) = flag.split_first()?;
            (at == b'@' && name.eq_ignore_ascii_case(word.as_bytes())).then_some(start)
        })
        .and_then(|start| version.get(..start))
}

/// `^([^,\s+]++)\+[^\s]++$`: the version without its build metadata.
fn strip_build_metadata(version: &str) -> Option<&str> {
    let bytes = version.as_bytes();
    let plus = bytes
        .iter()
        .position(|&b| b == b',' || b == b'+' || is_pcre_space(b))?;
    let metadata = bytes.get(plus..)?.strip_prefix(b"+")?;
    let well_formed =
        plus > 0 && !metadata.is_empty() && !metadata.iter().any(|&b| is_pcre_space(b));
    if well_formed {
        version.get(..plus)
    } else {
        None
    }
}

/// How many bytes from `start` on satisfy `accept`.
fn run_length(bytes: &[u8], start: usize, accept: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| accept(b)).count())
}

/// Where the text after an optional `v`/`V` starts.
fn after_v_prefix(bytes: &[u8]) -> usize {
    usize::from(matches!(bytes.first(), Some(b'v' | b'V')))
}

/// `^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?` + modifier + `$`, case-insensitively.
fn classical(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let start = after_v_prefix(bytes);
    let major = run_length(bytes, start, |b| b.is_ascii_digit());
    // `\d{1,5}+` takes at most five digits and gives none back: a sixth digit cannot match
    // anything after it.
    if major == 0 || major > 5 {
        return None;
    }
    let mut normalized = String::from(version.get(start..start + major)?);
    let mut position = start + major;
    let mut numbers = 1;
    while numbers < 4 && bytes.get(position) == Some(&b'.') {
        let digits = run_length(bytes, position + 1, |b| b.is_ascii_digit());
        if digits == 0 {
            break;
        }
        normalized.push_str(version.get(position..position + 1 + digits)?);
        position += 1 + digits;
        numbers += 1;
    }
    for _ in numbers..4 {
        normalized.push_str(".0");
    }
    let modifier = Modifier::parse(version.get(position..)?)?;
    Some(modifier.apply(normalized))
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier + `$`, case-insensitively;
/// every non-digit of the date becomes a dot.
fn dated(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let start = after_v_prefix(bytes);
    // The modifier cannot begin with a digit, so the date runs up to the last digit before the
    // first character a date cannot hold.
    let span = run_length(bytes, start, |b| b.is_ascii_digit() || b"-.:".contains(&b));
    let date_length = bytes
        .get(start..start + span)?
        .iter()
        .rposition(u8::is_ascii_digit)?
        + 1;
    let date = bytes.get(start..start + date_length)?;
    if !matches_date(date) {
        return None;
    }
    let normalized = date
        .iter()
        .map(|&b| {
            if b.is_ascii_digit() {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    let modifier = Modifier::parse(version.get(start + date_length..)?)?;
    Some(modifier.apply(normalized))
}

/// Whether all of `date` matches `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}`.
fn matches_date(date: &[u8]) -> bool {
    /// Four digits, six separated pairs and two separated triples at most.
    const LONGEST: usize = 4 + 6 * 3 + 2 * 4;
    fn is_separator(byte: Option<&u8>) -> bool {
        matches!(byte, Some(b'.' | b':' | b'-'))
    }
    fn digits_at(date: &[u8], position: usize, count: usize) -> bool {
        run_length(date, position, |b| b.is_ascii_digit()) >= count
    }
    fn pairs(date: &[u8], position: usize, count: usize) -> bool {
        if count < 6 {
            let start = position + usize::from(is_separator(date.get(position)));
            if digits_at(date, start, 2) && pairs(date, start + 2, count + 1) {
                return true;
            }
        }
        count >= 1 && triples(date, position, 0)
    }
    fn triples(date: &[u8], position: usize, count: usize) -> bool {
        if position == date.len() {
            return true;
        }
        if count == 2 {
            return false;
        }
        let start = position + usize::from(is_separator(date.get(position)));
        (1..=3)
            .rev()
            .any(|width| digits_at(date, start, width) && triples(date, start + width, count + 1))
    }
    date.len() <= LONGEST && digits_at(date, 0, 4) && pairs(date, 4, 0)
}

/// `(.*?)[.-]?dev$` followed by `VersionParser::normalizeBranch`, kept only when the branch is
/// numeric (`1.x-dev`, `2.0.*-dev`): the result is `1.9999999.9999999.9999999-dev`.
fn numeric_branch(version: &str) -> Option<String> {
    // `.` does not match a newline, so the match starts after the last one.
    let line = version.rsplit('\n').next()?;
    let bytes = line.as_bytes();
    let head = bytes.len().checked_sub(3)?;
    if !bytes.get(head..)?.eq_ignore_ascii_case(b"dev") {
        return None;
    }
    let name_end = match head.checked_sub(1).and_then(|before| bytes.get(before)) {
        Some(b'.' | b'-') => head - 1,
        _ => head,
    };
    // normalizeBranch: `^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$`
    let name = line.get(..name_end)?.trim_matches(PHP_TRIM);
    let bytes = name.as_bytes();
    let start = after_v_prefix(bytes);
    let major = run_length(bytes, start, |b| b.is_ascii_digit());
    if major == 0 {
        return None;
    }
    let mut normalized = String::from(name.get(start..start + major)?);
    let mut position = start + major;
    let mut parts = 1;
    while parts < 4 && bytes.get(position) == Some(&b'.') {
        let digits = run_length(bytes, position + 1, |b| b.is_ascii_digit());
        if digits > 0 {
            normalized.push_str(name.get(position..position + 1 + digits)?);
            position += 1 + digits;
        } else if matches!(bytes.get(position + 1), Some(b'x' | b'X' | b'*')) {
            normalized.push_str(".9999999");
            position += 2;
        } else {
            break;
        }
        parts += 1;
    }
    if position != bytes.len() {
        return None;
    }
    for _ in parts..4 {
        normalized.push_str(".9999999");
    }
    normalized.push_str("-dev");
    Some(normalized)
}

/// The groups of composer/semver's modifier pattern
/// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?` + `$`.
struct Modifier<'a> {
    /// The stability word as written.
    stability: Option<&'a str>,
    /// The numbers after it, separators included.
    numbers: &'a str,
    dev: bool,
}

impl<'a> Modifier<'a> {
    /// Matches the whole of `rest`, trying the alternatives in PCRE's order of preference.
    fn parse(rest: &'a str) -> Option<Modifier<'a>> {
        const STABILITIES: [&str; 9] = [
            "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
        ];
        let separated = matches!(rest.as_bytes().first(), Some(b'.' | b'_' | b'-'));
        let starts: &[usize] = if separated { &[1, 0] } else { &[0] };
        for &start in starts {
            let Some(rest) = rest.get(start..) else {
                continue;
            };
            for word in STABILITIES {
                let Some(stability) = rest.get(..word.len()) else {
                    continue;
                };
                if !stability.eq_ignore_ascii_case(word) {
                    continue;
                }
                let Some(after) = rest.get(word.len()..) else {
                    continue;
                };
                let numbers = suffix_numbers_length(after.as_bytes());
                let (Some(numbers_text), Some(tail)) = (after.get(..numbers), after.get(numbers..))
                else {
                    continue;
                };
                if let Some(dev) = dev_suffix(tail) {
                    return Some(Modifier {
                        stability: Some(stability),
                        numbers: numbers_text,
                        dev,
                    });
                }
            }
            if let Some(dev) = dev_suffix(rest) {
                return Some(Modifier {
                    stability: None,
                    numbers: "",
                    dev,
                });
            }
        }
        None
    }

    /// Appends the suffix `normalize` builds from the groups.
    fn apply(&self, mut normalized: String) -> String {
        if let Some(stability) = self.stability {
            // A case-sensitive `'stable' ===` test: `STABLE` falls through and is kept.
            if stability == "stable" {
                return normalized;
            }
            normalized.push('-');
            normalized.push_str(expand_stability(stability));
            normalized.push_str(self.numbers.trim_start_matches(['.', '-']));
        }
        if self.dev {
            normalized.push_str("-dev");
        }
        normalized
    }
}

/// `(?:[.-]?\d+)*+`: how many bytes the numbers after a stability word take.
fn suffix_numbers_length(bytes: &[u8]) -> usize {
    let mut position = 0;
    loop {
        let start = position + usize::from(matches!(bytes.get(position), Some(b'.' | b'-')));
        let digits = run_length(bytes, start, |b| b.is_ascii_digit());
        if digits == 0 {
            return position;
        }
        position = start + digits;
    }
}

/// `([.-]?dev)?$`: whether the rest is a `dev` suffix (`Some(true)`), nothing (`Some(false)`),
/// or anything else (`None`).
fn dev_suffix(rest: &str) -> Option<bool> {
    let bytes = rest.as_bytes();
    let word = match bytes.first() {
        Some(b'.' | b'-') => bytes.get(1..)?,
        _ => bytes,
    };
    if word.eq_ignore_ascii_case(b"dev") {
        Some(true)
    } else if bytes.is_empty() {
        Some(false)
    } else {
        None
    }
}

/// `VersionParser::expandStability`.
fn expand_stability(stability: &str) -> &'static str {
    match stability.to_ascii_lowercase().as_str() {
        "a" | "alpha" => "alpha",
        "b" | "beta" => "beta",
        "p" | "pl" | "patch" => "patch",
        "rc" => "RC",
        _ => "stable",
    }
}

/// `php_canonicalize_version` and the split on dots in `php_version_compare`: runs of digits
/// and runs of letters, everything else separating them.
fn php_parts(normalized: &str) -> Box<[Part]> {
    let bytes = normalized.as_bytes();
    let mut parts = Vec::new();
    let mut position = 0;
    while let Some(&first) = bytes.get(position) {
        if first.is_ascii_digit() {
            let run = run_length(bytes, position, |b| b.is_ascii_digit());
            let value = bytes
                .iter()
                .skip(position)
                .take(run)
                .try_fold(0_u64, |value, &digit| {
                    value
                        .checked_mul(10)?
                        .checked_add(u64::from(digit.checked_sub(b'0')?))
                        .filter(|&value| value <= PHP_LONG_MAX)
                })
                .unwrap_or(PHP_LONG_MAX);
            parts.push(Part::Number(value));
            position += run;
        } else if first.is_ascii_alphabetic() {
            let run = run_length(bytes, position, |b| b.is_ascii_alphabetic());
            let word = normalized.get(position..position + run).unwrap_or_default();
            parts.push(Part::Special(special_order(word)));
            position += run;
        } else {
            position += 1;
        }
    }
    parts.into_boxed_slice()
}

/// `php_version_compare` on two canonicalised versions.
fn php_version_compare(left: &[Part], right: &[Part]) -> Ordering {
    let mut index = 0;
    loop {
        match (left.get(index), right.get(index)) {
            (Some(&a), Some(&b)) => {
                let ordering = a.compare(b);
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            (Some(&a), None) => return a.compare_to_end(),
            (None, Some(&b)) => return b.compare_to_end().reverse(),
            (None, None) => return Ordering::Equal,
        }
        index += 1;
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.kind, &other.kind) {
            (Kind::Numbered(left), Kind::Numbered(right)) => php_version_compare(left, right),
            (Kind::Branch, Kind::Numbered(_)) => Ordering::Less,
            (Kind::Numbered(_), Kind::Branch) => Ordering::Greater,
            (Kind::Branch, Kind::Branch) => {
                self.normalized.as_bytes().cmp(other.normalized.as_bytes())
            }
        }
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

impl fmt::Display for ComposerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn version(text: &str) -> ComposerVersion {
        ComposerVersion::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn normalizes_like_version_parser() {
        // Upstream: composer/semver tests/VersionParserTest.php (successfulNormalizedVersions,
        // all rows).
        let cases = [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("1.0-dev", "1.0.0.0-dev"),
            ("0", "0.0.0.0"),
            ("10.4.13-beta", "10.4.13.0-beta"),
            ("10.4.13beta2", "10.4.13.0-beta2"),
            ("10.4.13beta.2", "10.4.13.0-beta2"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("1.13.11.0-beta0", "1.13.11.0-beta0"),
            ("10.4.13-b", "10.4.13.0-beta"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.0.0", "1.0.0.0"),
            ("2010.01", "2010.01.0.0"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010.1.555", "2010.1.555.0"),
            ("2010.10.200", "2010.10.200.0"),
            ("20230131.0.0", "20230131.0.0"),
            ("202301310000.0.0", "202301310000.0.0"),
            ("v20100102", "20100102"),
            ("20100102", "20100102"),
            ("20100102.0", "20100102.0"),
            ("20100102.1.0", "20100102.1.0"),
            ("20100102.0.3", "20100102.0.3"),
            ("2010-01-02-10-20-30.0.3", "2010.01.02.10.20.30.0.3"),
            ("2010-01-02-10-20-30.5", "2010.01.02.10.20.30.5"),
            ("2010-01-02", "2010.01.02"),
            ("2012.06.07", "2012.06.07.0"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("20100102-203040", "20100102.203040"),
            ("20100102.x-dev", "20100102.9999999.9999999.9999999-dev"),
            (
                "20100102.203040.x-dev",
                "20100102.203040.9999999.9999999-dev",
            ),
            ("20100102203040-10", "20100102203040.10"),
            ("20100102-203040-p1", "20100102.203040-patch1"),
            ("201903.0", "201903.0"),
            ("201903.x-dev", "201903.9999999.9999999.9999999-dev"),
            ("201903.0-p2", "201903.0-patch2"),
            ("dev-master", "dev-master"),
            ("master", "dev-master"),
            ("dev-trunk", "dev-trunk"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("dev-feature-foo", "dev-feature-foo"),
            ("DEV-FOOBAR", "dev-FOOBAR"),
            ("dev-feature/foo", "dev-feature/foo"),
            ("dev-feature+issue-1", "dev-feature+issue-1"),
            ("dev-master as 1.0.0", "dev-master"),
            (
                "dev-load-varnish-only-when-used as ^2.0",
                "dev-load-varnish-only-when-used",
            ),
            (
                "dev-load-varnish-only-when-used@dev as ^2.0@dev",
                "dev-load-varnish-only-when-used",
            ),
            ("1.0.0+foo@dev", "1.0.0.0"),
            (
                "dev-load-varnish-only-when-used@stable",
                "dev-load-varnish-only-when-used",
            ),
            ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
            ("1.0.0+foo", "1.0.0.0"),
            ("1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1"),
            ("1.0.0-alpha2.1+foo", "1.0.0.0-alpha2.1"),
            ("1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"),
            ("1.0.0+foo as 2.0", "1.0.0.0"),
            ("00.01.03.04", "00.01.03.04"),
            ("000.001.003.004", "000.001.003.004"),
            ("0.000.103.204", "0.000.103.204"),
            ("0700", "0700.0.0.0"),
            ("041.x-dev", "041.9999999.9999999.9999999-dev"),
            ("dev-041.003", "dev-041.003"),
            ("dev-1.0.0-dev<1.0.5-dev", "dev-1.0.0-dev<1.0.5-dev"),
            ("dev-foo bar", "dev-foo bar"),
            (" 1.0.0", "1.0.0.0"),
            ("1.0.0 ", "1.0.0.0"),
            // normalizeBranch rows of the same file, reached through `-dev`.
            ("v1.*-dev", "1.9999999.9999999.9999999-dev"),
            ("v1.0.x-dev", "1.0.9999999.9999999-dev"),
            ("v1.0.3.*-dev", "1.0.3.9999999-dev"),
            // Derived from the patterns of VersionParser.php.
            ("1.0.0-stable", "1.0.0.0"),
            ("1.0.0-STABLE2", "1.0.0.0-stable2"),
            ("1.0.0-", "1.0.0.0"),
            ("1.0.0-.dev", "1.0.0.0-dev"),
            ("V1.0-Beta-DEV", "1.0.0.0-beta-dev"),
            ("1.0\n@dev", "1.0.0.0"),
            ("1.0 dev", "1.0.9999999.9999999-dev"),
            ("2010-01-02-.dev", "2010.01.02-dev"),
        ];
        for (input, expected) in cases {
            assert_eq!(&*version(input).normalized, expected, "{input:?}");
        }
    }

    #[test]
    fn refuses_what_version_parser_refuses() {
        // Upstream: composer/semver tests/VersionParserTest.php (failingNormalizedVersions),
        // plus rows derived from the patterns of VersionParser.php.
        let invalid = [
            "",
            "a",
            "1.0.0-meh",
            "1.0.0.0.0",
            "feature-foo",
            "1.0.0+foo bar",
            "1.0.1-SNAPSHOT",
            "1.0.0<1.0.5-dev",
            "1.0.0-dev<1.0.5-dev",
            "foo bar-dev",
            "1.0 .2",
            " as ",
            " as 1.2",
            "^",
            "^8 || ^",
            "~",
            "~1 ~",
            "~1",
            "^1",
            "1.*",
            "20100102.0.3.4",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "123456789012345678901234567890123",
            "1.0+",
            "Master",
            "1.0.0#abc",
            "1.0\n\n@dev",
            "\x0C1.0",
            "dev",
            "x-dev",
        ];
        for text in invalid {
            let error = ComposerVersion::parse(text).expect_err(text);
            assert_eq!(error.scheme(), Scheme::Composer);
            assert_eq!(error.input(), text);
        }
    }

    #[test]
    fn orders_like_comparator() {
        // Upstream: composer/semver tests/ComparatorTest.php (compareProvider and the
        // greaterThan/lessThan/equalTo providers) and tests/SemverTest.php (sortProvider).
        let cases = [
            ("1.25.0", "1.24.0", Greater),
            ("1.25.0", "1.25.0", Equal),
            ("1.25.0", "1.26.0", Less),
            ("1.26.0", "dev-foo", Greater),
            ("1.0.0", "1.2-dev", Less),
            ("dev-foo", "1.26.0", Less),
            ("1.25.0-beta2.1", "1.25.0-b.3", Less),
            ("1.25.0-b2.1", "1.25.0beta.3", Less),
            ("1.25.0-b-2.1", "1.25.0-rc", Less),
            ("1.25.0-beta2.1", "1.25.0-b.2.1", Equal),
            ("1.25.0beta2.1", "1.25.0-b2.1", Equal),
            ("0.1", "1.0", Less),
            ("2.4.0-alpha", "2.4.0", Less),
            ("2.4.0", "3.2.1", Less),
            ("1.0", "50.2", Less),
            // Stability ranks and suffixes, from PHP's version_compare rules.
            ("1.0.0-dev", "1.0.0-alpha", Less),
            ("1.0.0-alpha", "1.0.0-beta", Less),
            ("1.0.0-beta", "1.0.0-RC", Less),
            ("1.0.0-RC", "1.0.0", Less),
            ("1.0.0", "1.0.0-patch1", Less),
            ("1.0.0-p1", "1.0.0-pl1", Equal),
            ("1.0.0-beta2-dev", "1.0.0-beta2", Less),
            ("1.0.0-beta2", "1.0.0-beta", Greater),
            ("1.0.0-beta0", "1.0.0-beta", Greater),
            ("1.0.0-beta.2", "1.0.0-b2", Equal),
            ("1.0.0-STABLE", "1.0.0-dev", Less),
            ("1.0", "v1.0.0.0", Equal),
            ("1.0+build.1", "1.0.0+build.2", Equal),
            ("1.01", "1.1", Equal),
            ("1.x-dev", "1.99999.0", Greater),
            ("1.x-dev", "2.0.0-dev", Less),
            ("2010-01-02", "2010.01.02", Less),
            ("20100102", "2010.01.02", Greater),
            ("1.99999999999999999999", "1.99999999999999999998", Equal),
            ("1.9223372036854775806", "1.9223372036854775807", Less),
            // Branches: below every numbered version, among themselves by name.
            ("dev-master", "0.0.0-dev", Less),
            ("dev-master", "master", Equal),
            ("dev-foo", "dev-master", Less),
            ("dev-bar", "dev-foo", Less),
            ("dev-Foo", "dev-foo", Less),
            ("DEV-foo", "dev-foo", Equal),
        ];
        for (left, right, expected) in cases {
            let (a, b) = (version(left), version(right));
            assert_eq!(a.cmp(&b), expected, "{left} vs {right}");
            assert_eq!(b.cmp(&a), expected.reverse(), "{right} vs {left}");
            assert_eq!(a == b, expected == Equal, "{left} == {right}");
        }
    }

    #[test]
    fn sorts_like_semver_sort() {
        // Upstream: composer/semver tests/SemverTest.php (sortProvider, first row).
        let mut versions: Vec<_> = ["1.0", "0.1", "0.1", "3.2.1", "2.4.0-alpha", "2.4.0"]
            .into_iter()
            .map(version)
            .collect();
        versions.sort();
        let sorted: Vec<_> = versions.iter().map(ComposerVersion::as_str).collect();
        assert_eq!(
            sorted,
            ["0.1", "0.1", "1.0", "2.4.0-alpha", "2.4.0", "3.2.1"]
        );
    }

    #[test]
    fn keeps_the_original_text_for_display() {
        for text in [" 1.0.0", "v1.0-beta", "dev-master as 1.0.0", "1.x-dev"] {
            let parsed = version(text);
            assert_eq!(parsed.as_str(), text);
            assert_eq!(parsed.to_string(), text);
        }
    }
}
