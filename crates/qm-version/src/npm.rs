//! npm versions and ranges, parsed, ordered and matched the way npm's `node-semver` (v7.7) does.
//!
//! npm installs whatever node-semver says satisfies a range, so this module follows node-semver's
//! code rather than the SemVer specification, quirks included. Range parsing replays the string
//! rewrites of node-semver's `classes/range.js` one by one, with each regular expression of
//! `internal/re.js` written out by hand, down to the length caps of its "safe" expressions (256
//! digits, 250 identifier characters), so that odd input lands where npm's does.
//!
//! Surprises:
//! - Strict parsing is `semver.valid`: surrounding whitespace is trimmed (JavaScript's idea of
//!   whitespace, which includes U+FEFF but not U+0085) and one leading `v` is allowed. `=1.2.3`,
//!   `v 1.2.3` and `01.2.3` are loose-only.
//! - A version longer than 256 UTF-16 units, or with a major, minor or patch above 2^53 - 1
//!   (JavaScript's `Number.MAX_SAFE_INTEGER`), is invalid even in loose mode.
//! - Loose parsing accepts any run of `v`, `=` and whitespace in front (`= v 1.2.3`), leading
//!   zeros (`01.02.03` is `1.2.3`, `1.2.3-01` is `1.2.3-1`) and a pre-release without its hyphen
//!   (`1.2.3beta` is `1.2.3-beta`). The regular expression backtracks into the patch number, so
//!   `1.2.34.5` reads as `1.2.3-4.5`, and `1.2.3-` as `1.2.3--`.
//! - Build metadata never orders (`1.0.0+a` == `1.0.0+b`); ranges strip it before anything else.
//! - Ranges desugar into comparators: `1.2` and `1.2.x` are `>=1.2.0 <1.3.0-0`, `~1.2.3` is
//!   `>=1.2.3 <1.3.0-0`, `^0.0.3` is `>=0.0.3 <0.0.4-0`, `>1.2` is `>=1.3.0`, `<=1.2` is
//!   `<1.3.0-0`, `1.2 - 3.4` is `>=1.2.0 <3.5.0-0`, and `>x` or `<x` matches nothing. An empty
//!   range, and an empty side of `||`, is `*`.
//! - A pre-release version satisfies a comparator set only when one of the set's comparators has
//!   a pre-release on the same `major.minor.patch`: `1.2.4-beta` is not in `>=1.2.3-alpha`, and
//!   `1.2.3-beta` is not in `*`. `include_prerelease` lifts the rule and lowers the desugared
//!   lower bounds to `-0`.
//! - A set that is `*` swallows every other alternative, so `* || 1.2.3-beta` does not match
//!   `1.2.3-beta` although `1.2.3-beta` alone does.
//! - A strict range with one invalid comparator is invalid. A loose range silently drops invalid
//!   comparators and is invalid only when nothing is left: loose `== 1.0.0 || foo` is `1.0.0`.
//!
//! One deliberate deviation: numeric pre-release identifiers of 2^53 - 1 and above compare by
//! exact value here. node-semver compares them as rounded doubles, which calls some different
//! versions equal and would make the order intransitive.

use std::cmp::Ordering;
use std::fmt;
use std::ops::RangeInclusive;

use crate::{Scheme, VersionError};

/// node-semver's `MAX_LENGTH`: longer version strings are refused.
const MAX_LENGTH: usize = 256;

/// JavaScript's `Number.MAX_SAFE_INTEGER`, node-semver's bound on major, minor and patch.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// node-semver's safe regular expressions match at most this many digits in a row (`\d{0,256}`).
const MAX_DIGITS: usize = 256;

/// ... and at most this many identifier characters in a row (`[a-zA-Z0-9-]{0,250}`).
const MAX_WORD: usize = 250;

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

/// A version as npm's node-semver parses and orders it.
///
/// Equality is node-semver's `compare(a, b) == 0`: build metadata is ignored, so `1.0.0+a` equals
/// `1.0.0+b`. The original text is kept for display.
#[derive(Debug, Clone)]
pub struct NpmVersion {
    text: Box<str>,
    major: u64,
    minor: u64,
    patch: u64,
    prerelease: Box<[Identifier]>,
}

/// One dot-separated pre-release identifier, classified the way node-semver stores it.
#[derive(Debug, Clone)]
enum Identifier {
    /// Digits only, below `MAX_SAFE_INTEGER`: node-semver turns these into numbers.
    Number(u64),
    /// Digits only, `MAX_SAFE_INTEGER` or more, without leading zeros: node-semver keeps the text
    /// but still compares it as a number.
    BigNumber(Box<str>),
    /// Anything holding a letter or a hyphen.
    Text(Box<str>),
}

impl Identifier {
    fn new(bytes: &[u8]) -> Self {
        if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
            return Identifier::Text(ascii(bytes));
        }
        match exact_number(bytes) {
            Some(number) if number < MAX_SAFE_INTEGER => Identifier::Number(number),
            _ => {
                let first = bytes.iter().position(|&b| b != b'0').unwrap_or(bytes.len());
                Identifier::BigNumber(ascii(bytes.get(first..).unwrap_or_default()))
            }
        }
    }
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        use Identifier::{BigNumber, Number, Text};
        match (self, other) {
            (Number(a), Number(b)) => a.cmp(b),
            (BigNumber(a), BigNumber(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Number(_), BigNumber(_)) | (Number(_) | BigNumber(_), Text(_)) => Ordering::Less,
            (BigNumber(_), Number(_)) | (Text(_), Number(_) | BigNumber(_)) => Ordering::Greater,
            // JavaScript compares strings by UTF-16 unit; identifiers are ASCII, so bytes agree.
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Identifier {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Identifier {}

impl NpmVersion {
    /// Parses a version the way `semver.valid(text)` does: trimmed, with an optional leading
    /// `v`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        parse_version(text, false)
    }

    /// Parses a version the way `semver.valid(text, { loose: true })` does: `=`, `v` and spaces
    /// in front, leading zeros and a pre-release without its `-` are accepted.
    pub fn parse_loose(text: &str) -> Result<Self, VersionError> {
        parse_version(text, true)
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The major version.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch version.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// Whether the version has a pre-release part (`1.0.0-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.prerelease.is_empty()
    }

    fn same_release(&self, other: &Self) -> bool {
        (self.major, self.minor, self.patch) == (other.major, other.minor, other.patch)
    }
}

fn parse_version(text: &str, loose: bool) -> Result<NpmVersion, VersionError> {
    let refuse = |reason: &'static str| VersionError::new(Scheme::Npm, text, reason);
    // node-semver measures the untrimmed string, in UTF-16 units.
    if text.encode_utf16().count() > MAX_LENGTH {
        return Err(refuse("longer than 256 characters"));
    }
    let trimmed = js_trim(text);
    // The prefix of `^v?…` (strict) or `^[v=\s]*…` (loose); what follows must start with a digit.
    let body = if loose {
        trimmed.trim_start_matches(|c: char| c == 'v' || c == '=' || is_js_whitespace(c))
    } else {
        trimmed.strip_prefix('v').unwrap_or(trimmed)
    };
    let bytes = body.as_bytes();
    let end = bytes.len();
    let parts = version_body(bytes, 0, 0, loose, &mut |at| at == end).ok_or_else(|| {
        refuse(if loose {
            "not a version even in loose mode"
        } else {
            "not `major.minor.patch` with an optional `-prerelease` and `+build`"
        })
    })?;
    let number = |span: Option<Span>, reason: &'static str| {
        span.and_then(|span| exact_number(slice(bytes, span)))
            .filter(|number| *number <= MAX_SAFE_INTEGER)
            .ok_or_else(|| refuse(reason))
    };
    Ok(NpmVersion {
        text: text.into(),
        major: number(Some(parts.major), "major version is above 9007199254740991")?,
        minor: number(parts.minor, "minor version is above 9007199254740991")?,
        patch: number(parts.patch, "patch version is above 9007199254740991")?,
        prerelease: parts
            .prerelease
            .map(|span| {
                slice(bytes, span)
                    .split(|&b| b == b'.')
                    .map(Identifier::new)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl Ord for NpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(
                || match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => self.prerelease.iter().cmp(other.prerelease.iter()),
                },
            )
    }
}

impl PartialOrd for NpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NpmVersion {}

impl fmt::Display for NpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

// ---------------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------------

/// node-semver's range options, `{ loose, includePrerelease }`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NpmRangeOptions {
    /// Read comparators loosely (`>=v1.2.3`, `~1.2.3beta`, `01.02.03`) and drop the ones that are
    /// still invalid instead of refusing the range. Versions tested against a loose range should
    /// be parsed with [`NpmVersion::parse_loose`], as node-semver does.
    pub loose: bool,
    /// Let pre-release versions satisfy the range like any other version, and start desugared
    /// lower bounds at the lowest pre-release (`^1.2` becomes `>=1.2.0-0 <2.0.0-0`).
    pub include_prerelease: bool,
}

/// An npm dependency range (`^1.2.3 || >=2.0.0 <3`), as node-semver's `Range` reads it.
#[derive(Debug, Clone)]
pub struct NpmRange {
    text: Box<str>,
    include_prerelease: bool,
    /// One `||` alternative is `*`: node-semver then keeps only that alternative.
    matches_any: bool,
    /// The `||` alternatives, each an intersection of comparators (`*` comparators left out).
    sets: Box<[Box<[Comparator]>]>,
}

/// One desugared comparison, `>=1.2.3-0` say. `*` comparators are not stored.
#[derive(Debug, Clone)]
struct Comparator {
    operator: Operator,
    version: NpmVersion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl NpmRange {
    /// Parses a range the way `new Range(text, options)` does.
    ///
    /// A range node-semver refuses is an error; `semver.satisfies` treats such a range as
    /// satisfied by nothing.
    pub fn parse(text: &str, options: NpmRangeOptions) -> Result<Self, VersionError> {
        let raw = collapse_whitespace(js_trim(text));
        let mut sets = Vec::new();
        for part in raw.split("||") {
            match parse_set(js_trim(part), options) {
                Ok(Some(set)) => sets.push(set),
                Ok(None) => {}
                Err(reason) => return Err(VersionError::new(Scheme::Npm, text, reason)),
            }
        }
        if sets.is_empty() {
            return Err(VersionError::new(
                Scheme::Npm,
                text,
                "range holds no valid comparator",
            ));
        }
        Ok(NpmRange {
            text: text.into(),
            include_prerelease: options.include_prerelease,
            matches_any: sets.iter().any(|set| set.is_empty()),
            sets: sets.into(),
        })
    }

    /// Whether `version` satisfies the range, as `semver.satisfies` decides.
    pub fn satisfies(&self, version: &NpmVersion) -> bool {
        if self.matches_any {
            return !version.is_prerelease() || self.include_prerelease;
        }
        self.sets.iter().any(|set| self.set_satisfied(set, version))
    }

    /// The range as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn set_satisfied(&self, set: &[Comparator], version: &NpmVersion) -> bool {
        if !set.iter().all(|comparator| comparator.matches(version)) {
            return false;
        }
        if version.is_prerelease() && !self.include_prerelease {
            // `^1.2.3-pr.1` admits `1.2.3-pr.2` but not `1.2.4-alpha`.
            return set.iter().any(|comparator| {
                comparator.version.is_prerelease() && comparator.version.same_release(version)
            });
        }
        true
    }
}

impl fmt::Display for NpmRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Comparator {
    fn matches(&self, version: &NpmVersion) -> bool {
        let ordering = version.cmp(&self.version);
        match self.operator {
            Operator::Equal => ordering == Ordering::Equal,
            Operator::Less => ordering == Ordering::Less,
            Operator::LessOrEqual => ordering != Ordering::Greater,
            Operator::Greater => ordering == Ordering::Greater,
            Operator::GreaterOrEqual => ordering != Ordering::Less,
        }
    }

    /// `new Comparator(token)`: `Ok(None)` is the empty comparator, `*`.
    fn parse(token: &str, loose: bool) -> Result<Option<Self>, String> {
        let token = js_trim(token);
        if token.is_empty() {
            return Ok(None);
        }
        let invalid = || format!("`{token}` is not a valid comparator");
        let (operator_end, version_start) = comparator_match(token, loose).ok_or_else(invalid)?;
        let operator = match token.get(..operator_end) {
            Some("" | "=") => Operator::Equal,
            Some("<") => Operator::Less,
            Some("<=") => Operator::LessOrEqual,
            Some(">") => Operator::Greater,
            Some(">=") => Operator::GreaterOrEqual,
            _ => return Err(invalid()),
        };
        let text = token.get(version_start..).ok_or_else(invalid)?;
        let version = parse_version(text, loose)
            .map_err(|error| format!("comparator `{token}`: {}", error.reason()))?;
        Ok(Some(Comparator { operator, version }))
    }
}

/// `COMPARATOR` / `COMPARATORLOOSE` on a whole token: where the operator ends and the version
/// starts. The empty token matches too.
fn comparator_match(token: &str, loose: bool) -> Option<(usize, usize)> {
    if token.is_empty() {
        return Some((0, 0));
    }
    let bytes = token.as_bytes();
    let operator_end = gtlt_end(bytes, 0);
    let version_start = operator_end + usize::from(is_ws_at(bytes, operator_end));
    version_at(bytes, version_start, loose, &mut |at| at == bytes.len())?;
    Some((operator_end, version_start))
}

/// `Range.parseRange`: one `||` alternative. `Ok(None)` when loose mode dropped every comparator.
fn parse_set(part: &str, options: NpmRangeOptions) -> Result<Option<Box<[Comparator]>>, String> {
    let range = strip_build_metadata(part);
    let range = replace_hyphen_range(&range, options).unwrap_or(range);
    let range = trim_comparator_space(&range);
    let range = trim_operator_space(&range, b'~');
    let range = trim_operator_space(&range, b'^');
    let desugared = range
        .split(' ')
        .map(|token| desugar(token, options))
        .collect::<Vec<_>>()
        .join(" ");
    let mut comparators = Vec::new();
    let mut kept = 0_usize;
    for token in split_whitespace(&desugared) {
        let token = replace_any_lower_bound(token, options);
        if options.loose && comparator_match(token, true).is_none() {
            continue;
        }
        kept += 1;
        if let Some(comparator) = Comparator::parse(token, options.loose)? {
            comparators.push(comparator);
        }
    }
    Ok((kept > 0).then(|| comparators.into()))
}

/// `parseComparator`: carets, then tildes, then x-ranges, then stars.
fn desugar(token: &str, options: NpmRangeOptions) -> String {
    let carets = map_words(js_trim(token), |word| replace_caret(word, options));
    let tildes = map_words(js_trim(&carets), |word| replace_tilde(word, options));
    let x_ranges = map_words(&tildes, |word| replace_x_range(js_trim(word), options));
    replace_star(js_trim(&x_ranges))
}

/// `text.split(/\s+/).map(f).join(' ')`.
fn map_words(text: &str, f: impl FnMut(&str) -> String) -> String {
    split_whitespace(text)
        .into_iter()
        .map(f)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The captures node-semver's replacement callbacks receive: major, minor, patch, pre-release.
struct XParts<'a> {
    major: &'a str,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    prerelease: Option<&'a str>,
}

impl<'a> XParts<'a> {
    fn of(text: &'a str, plain: &Plain) -> Self {
        let part = |(start, end): Span| text.get(start..end).unwrap_or_default();
        XParts {
            major: part(plain.major),
            minor: plain.minor.map(part),
            patch: plain.patch.map(part),
            prerelease: plain.prerelease.map(part),
        }
    }
}

/// node-semver's `isX`: a missing part, `x`, `X` or `*`.
fn is_x(part: Option<&str>) -> bool {
    part.is_none_or(|part| matches!(part, "" | "x" | "X" | "*"))
}

/// The `-0` that `includePrerelease` appends to desugared lower bounds.
fn lowest_prerelease(options: NpmRangeOptions) -> &'static str {
    if options.include_prerelease { "-0" } else { "" }
}

/// `^1.2.3` → `>=1.2.3 <2.0.0-0`, with the 0.x rules.
fn replace_caret(word: &str, options: NpmRangeOptions) -> String {
    let bytes = word.as_bytes();
    let plain = match at(bytes, 0) {
        Some(b'^') => xrange_at(bytes, 1, options.loose, &mut |at| at == bytes.len()),
        _ => None,
    };
    let Some(plain) = plain else {
        return word.to_owned();
    };
    let parts = XParts::of(word, &plain);
    let z = lowest_prerelease(options);
    let (major, minor) = (parts.major, parts.minor.unwrap_or_default());
    let patch = parts.patch.unwrap_or_default();
    if is_x(Some(major)) {
        return String::new();
    }
    if is_x(parts.minor) {
        return format!(">={major}.0.0{z} <{}.0.0-0", plus_one(major));
    }
    if is_x(parts.patch) {
        return if major == "0" {
            format!(">={major}.{minor}.0{z} <{major}.{}.0-0", plus_one(minor))
        } else {
            format!(">={major}.{minor}.0{z} <{}.0.0-0", plus_one(major))
        };
    }
    // With a full version the lower bound stays as written, even with `includePrerelease`.
    let lower = match parts.prerelease {
        Some(prerelease) => format!(">={major}.{minor}.{patch}-{prerelease}"),
        None => format!(">={major}.{minor}.{patch}"),
    };
    match (major, minor) {
        ("0", "0") => format!("{lower} <{major}.{minor}.{}-0", plus_one(patch)),
        ("0", _) => format!("{lower} <{major}.{}.0-0", plus_one(minor)),
        _ => format!("{lower} <{}.0.0-0", plus_one(major)),
    }
}

/// `~1.2.3` (or `~>1.2.3`) → `>=1.2.3 <1.3.0-0`.
fn replace_tilde(word: &str, options: NpmRangeOptions) -> String {
    let bytes = word.as_bytes();
    let plain = match (at(bytes, 0), at(bytes, 1)) {
        (Some(b'~'), Some(b'>')) => xrange_at(bytes, 2, options.loose, &mut |at| at == bytes.len()),
        (Some(b'~'), _) => xrange_at(bytes, 1, options.loose, &mut |at| at == bytes.len()),
        _ => None,
    };
    let Some(plain) = plain else {
        return word.to_owned();
    };
    let parts = XParts::of(word, &plain);
    let z = lowest_prerelease(options);
    let (major, minor) = (parts.major, parts.minor.unwrap_or_default());
    let patch = parts.patch.unwrap_or_default();
    if is_x(Some(major)) {
        String::new()
    } else if is_x(parts.minor) {
        format!(">={major}.0.0{z} <{}.0.0-0", plus_one(major))
    } else if is_x(parts.patch) {
        format!(">={major}.{minor}.0{z} <{major}.{}.0-0", plus_one(minor))
    } else if let Some(prerelease) = parts.prerelease {
        format!(
            ">={major}.{minor}.{patch}-{prerelease} <{major}.{}.0-0",
            plus_one(minor)
        )
    } else {
        format!(">={major}.{minor}.{patch} <{major}.{}.0-0", plus_one(minor))
    }
}

/// `1.2.x`, `>1.2`, `<=1.x`, `*` and friends → plain comparators.
fn replace_x_range(word: &str, options: NpmRangeOptions) -> String {
    let bytes = word.as_bytes();
    let operator_end = gtlt_end(bytes, 0);
    let body_start = operator_end + usize::from(is_ws_at(bytes, operator_end));
    let Some(plain) = xrange_at(bytes, body_start, options.loose, &mut |at| {
        at == bytes.len()
    }) else {
        return word.to_owned();
    };
    let parts = XParts::of(word, &plain);
    let (major, minor) = (parts.major, parts.minor.unwrap_or_default());
    // `*.1` and `1.x.2` are left alone (and fail later as comparators).
    if (is_x(Some(major)) && !is_x(parts.minor))
        || (is_x(parts.minor) && !parts.patch.unwrap_or_default().is_empty() && !is_x(parts.patch))
    {
        return word.to_owned();
    }
    let x_major = is_x(Some(major));
    let x_minor = x_major || is_x(parts.minor);
    let any_x = x_minor || is_x(parts.patch);
    let operator = match word.get(..operator_end).unwrap_or_default() {
        "=" if any_x => "",
        operator => operator,
    };
    let z = lowest_prerelease(options);
    if x_major {
        return if operator == ">" || operator == "<" {
            "<0.0.0-0".to_owned() // nothing is allowed
        } else {
            "*".to_owned() // nothing is forbidden
        };
    }
    if !operator.is_empty() && any_x {
        let minor = if x_minor { "0" } else { minor };
        return match operator {
            // `>1` is `>=2.0.0`, `>1.2` is `>=1.3.0`.
            ">" if x_minor => format!(">={}.0.0{z}", plus_one(major)),
            ">" => format!(">={major}.{}.0{z}", plus_one(minor)),
            // `<=7.x` is `<8.0.0-0`, `<=0.7.x` is `<0.8.0-0`.
            "<=" if x_minor => format!("<{}.0.0-0", plus_one(major)),
            "<=" => format!("<{major}.{}.0-0", plus_one(minor)),
            "<" => format!("<{major}.{minor}.0-0"),
            _ => format!("{operator}{major}.{minor}.0{z}"),
        };
    }
    if x_minor {
        format!(">={major}.0.0{z} <{}.0.0-0", plus_one(major))
    } else if any_x {
        format!(">={major}.{minor}.0{z} <{major}.{}.0-0", plus_one(minor))
    } else {
        word.to_owned()
    }
}

/// Removes the first `*` (with any operator and space before it): `*` is the empty comparator.
fn replace_star(text: &str) -> String {
    let bytes = text.as_bytes();
    for start in 0..bytes.len() {
        let mut star = start;
        if matches!(at(bytes, star), Some(b'<' | b'>')) {
            star += 1;
        }
        if at(bytes, star) == Some(b'=') {
            star += 1;
        }
        if is_ws_at(bytes, star) {
            star += 1;
        }
        if at(bytes, star) == Some(b'*') {
            let before = text.get(..start).unwrap_or_default();
            return format!("{before}{}", text.get(star + 1..).unwrap_or_default());
        }
    }
    text.to_owned()
}

/// `>=0.0.0` is `*` (`>=0.0.0-0` with `includePrerelease`).
fn replace_any_lower_bound(token: &str, options: NpmRangeOptions) -> &str {
    let token = js_trim(token);
    let any = if options.include_prerelease {
        ">=0.0.0-0"
    } else {
        ">=0.0.0"
    };
    // Tokens hold no whitespace here, so the regular expression's optional spaces never occur.
    if token == any { "" } else { token }
}

/// `1.2.3 - 2.3.4` → `>=1.2.3 <=2.3.4`; `None` when the alternative is no hyphen range.
fn replace_hyphen_range(text: &str, options: NpmRangeOptions) -> Option<String> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let start = usize::from(is_ws_at(bytes, 0));
    let mut to_found = None;
    let from = xrange_at(bytes, start, options.loose, &mut |end| {
        if !(is_ws_at(bytes, end) && at(bytes, end + 1) == Some(b'-') && is_ws_at(bytes, end + 2)) {
            return false;
        }
        to_found = xrange_at(bytes, end + 3, options.loose, &mut |at| {
            at == len || (is_ws_at(bytes, at) && at + 1 == len)
        });
        to_found.is_some()
    })?;
    let to = to_found?;
    let z = lowest_prerelease(options);
    let whole = |plain: &Plain| text.get(plain.start..plain.end).unwrap_or_default();
    let f = XParts::of(text, &from);
    let (major, minor) = (f.major, f.minor.unwrap_or_default());
    let lower = if is_x(Some(major)) {
        String::new()
    } else if is_x(f.minor) {
        format!(">={major}.0.0{z}")
    } else if is_x(f.patch) {
        format!(">={major}.{minor}.0{z}")
    } else if f.prerelease.is_some() {
        format!(">={}", whole(&from))
    } else {
        format!(">={}{z}", whole(&from))
    };
    let t = XParts::of(text, &to);
    let (major, minor, patch) = (
        t.major,
        t.minor.unwrap_or_default(),
        t.patch.unwrap_or_default(),
    );
    let upper = if is_x(Some(major)) {
        String::new()
    } else if is_x(t.minor) {
        format!("<{}.0.0-0", plus_one(major))
    } else if is_x(t.patch) {
        format!("<{major}.{}.0-0", plus_one(minor))
    } else if let Some(prerelease) = t.prerelease {
        format!("<={major}.{minor}.{patch}-{prerelease}")
    } else if options.include_prerelease {
        format!("<{major}.{minor}.{}-0", plus_one(patch))
    } else {
        format!("<={}", whole(&to))
    };
    Some(js_trim(&format!("{lower} {upper}")).to_owned())
}

/// Removes build metadata everywhere (`+` and identifiers), node-semver's `BUILDSTRIPRE`.
fn strip_build_metadata(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let first = match at(bytes, i) {
            Some(b'+') => run(bytes, i + 1, usize::MAX, is_word),
            _ => 0,
        };
        if first > 0 {
            let mut end = i + 1 + first;
            while at(bytes, end) == Some(b'.') {
                let next = run(bytes, end + 1, usize::MAX, is_word);
                if next == 0 {
                    break;
                }
                end += 1 + next;
            }
            i = end;
        } else {
            i = copy_char(text, i, &mut out);
        }
    }
    out
}

/// `> 1.2.3` → `>1.2.3`: node-semver's global `COMPARATORTRIM` replacement, which drops the one
/// space between an operator and anything that looks like a version.
fn trim_comparator_space(text: &str) -> String {
    let bytes = text.as_bytes();
    // Where the run of `[v=\s]*` starting at each position ends, so that scanning stays linear.
    let mut prefix_end = vec![bytes.len(); bytes.len() + 1];
    let mut next = bytes.len();
    for (i, end) in prefix_end.iter_mut().enumerate().rev() {
        if !at(bytes, i).is_some_and(is_v_eq_ws) {
            next = i;
        }
        *end = next;
    }
    let body = |start: usize| prefix_end.get(start).copied().unwrap_or(start);
    let match_at = |i: usize| {
        for lead in optional_space(bytes, i).into_iter().flatten() {
            for operator_end in gtlt_choices(bytes, lead).into_iter().flatten() {
                for start in optional_space(bytes, operator_end).into_iter().flatten() {
                    let found = version_body(bytes, start, body(start), true, &mut |_| true)
                        .or_else(|| xrange_body(bytes, start, body(start), false, &mut |_| true));
                    if let Some(found) = found {
                        return Some((operator_end, start, found.end));
                    }
                }
            }
        }
        None
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match match_at(i) {
            Some((operator_end, start, end)) if end > i => {
                out.push_str(text.get(i..operator_end).unwrap_or_default());
                out.push_str(text.get(start..end).unwrap_or_default());
                i = end;
            }
            _ => i = copy_char(text, i, &mut out),
        }
    }
    out
}

/// `~ 1.2` → `~1.2` (`~> 1.2` → `~1.2` too) and `^ 1.2` → `^1.2`.
fn trim_operator_space(text: &str, operator: u8) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let lead = i + usize::from(is_ws_at(bytes, i));
        let mut after = lead + 1;
        if operator == b'~' && at(bytes, after) == Some(b'>') {
            after += 1;
        }
        if at(bytes, lead) == Some(operator) && is_ws_at(bytes, after) {
            out.push_str(text.get(i..lead).unwrap_or_default());
            out.push(char::from(operator));
            i = after + 1;
        } else {
            i = copy_char(text, i, &mut out);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// node-semver's regular expressions, by hand
//
// Each matcher tries its alternatives in the order a backtracking engine would and asks
// `accept` whether what follows matches at the end it proposes; the first accepted end wins, so
// the captures are the ones JavaScript reports.
// ---------------------------------------------------------------------------------------------

/// A byte range `[start, end)` in the text being matched.
type Span = (usize, usize);

/// The captures of `FULLPLAIN`, `LOOSEPLAIN` or `XRANGEPLAIN`.
#[derive(Debug, Clone, Copy)]
struct Plain {
    /// Where the whole match starts, prefix (`v`, `=`, spaces) included.
    start: usize,
    major: Span,
    minor: Option<Span>,
    patch: Option<Span>,
    prerelease: Option<Span>,
    end: usize,
}

type Accept<'a> = dyn FnMut(usize) -> bool + 'a;

/// `FULLPLAIN` (`v?` then the version) or `LOOSEPLAIN` (`[v=\s]*` then the loose version).
fn version_at(text: &[u8], start: usize, loose: bool, accept: &mut Accept<'_>) -> Option<Plain> {
    let body = if loose {
        start + run(text, start, usize::MAX, is_v_eq_ws)
    } else {
        start + usize::from(at(text, start) == Some(b'v'))
    };
    version_body(text, start, body, loose, accept)
}

/// `MAINVERSION PRERELEASE? BUILD?` (or their loose forms) from `body` on.
fn version_body(
    text: &[u8],
    start: usize,
    body: usize,
    loose: bool,
    accept: &mut Accept<'_>,
) -> Option<Plain> {
    for major_end in number_ends(text, body, loose)?.rev() {
        if at(text, major_end) != Some(b'.') {
            continue;
        }
        let Some(minor_ends) = number_ends(text, major_end + 1, loose) else {
            continue;
        };
        for minor_end in minor_ends.rev() {
            if at(text, minor_end) != Some(b'.') {
                continue;
            }
            let Some(patch_ends) = number_ends(text, minor_end + 1, loose) else {
                continue;
            };
            for patch_end in patch_ends.rev() {
                if let Some((prerelease, end)) = version_tail(text, patch_end, loose, accept) {
                    return Some(Plain {
                        start,
                        major: (body, major_end),
                        minor: Some((major_end + 1, minor_end)),
                        patch: Some((minor_end + 1, patch_end)),
                        prerelease,
                        end,
                    });
                }
            }
        }
    }
    None
}

/// `XRANGEPLAIN` (or its loose form): `[v=\s]*` then `1`, `1.x`, `1.2.*`, `1.2.3-pre+build`.
fn xrange_at(text: &[u8], start: usize, loose: bool, accept: &mut Accept<'_>) -> Option<Plain> {
    let body = start + run(text, start, usize::MAX, is_v_eq_ws);
    xrange_body(text, start, body, loose, accept)
}

fn xrange_body(
    text: &[u8],
    start: usize,
    body: usize,
    loose: bool,
    accept: &mut Accept<'_>,
) -> Option<Plain> {
    let plain = |major_end, minor: Option<Span>, patch: Option<Span>, prerelease, end| Plain {
        start,
        major: (body, major_end),
        minor,
        patch,
        prerelease,
        end,
    };
    for major_end in x_ends(text, body, loose)?.rev() {
        if at(text, major_end) == Some(b'.') {
            for minor_end in x_ends(text, major_end + 1, loose)
                .into_iter()
                .flatten()
                .rev()
            {
                let minor = Some((major_end + 1, minor_end));
                if at(text, minor_end) == Some(b'.') {
                    for patch_end in x_ends(text, minor_end + 1, loose)
                        .into_iter()
                        .flatten()
                        .rev()
                    {
                        let patch = Some((minor_end + 1, patch_end));
                        if let Some((prerelease, end)) =
                            version_tail(text, patch_end, loose, accept)
                        {
                            return Some(plain(major_end, minor, patch, prerelease, end));
                        }
                    }
                }
                if accept(minor_end) {
                    return Some(plain(major_end, minor, None, None, minor_end));
                }
            }
        }
        if accept(major_end) {
            return Some(plain(major_end, None, None, None, major_end));
        }
    }
    None
}

/// `(?:PRERELEASE)?(?:BUILD)?` from `i`, then `accept`: the pre-release span and the end.
fn version_tail(
    text: &[u8],
    i: usize,
    loose: bool,
    accept: &mut Accept<'_>,
) -> Option<(Option<Span>, usize)> {
    // Pre-release choices in the engine's order: after a `-`, (loose) without one, none at all.
    let mut choices: [Option<(Option<Span>, usize)>; 3] = [None, None, Some((None, i))];
    if at(text, i) == Some(b'-') {
        choices[0] = prerelease_end(text, i + 1, loose).map(|end| (Some((i + 1, end)), end));
    }
    if loose {
        choices[1] = prerelease_end(text, i, loose).map(|end| (Some((i, end)), end));
    }
    for (prerelease, after) in choices.into_iter().flatten() {
        if at(text, after) == Some(b'+')
            && let Some(end) = build_end(text, after + 1)
            && accept(end)
        {
            return Some((prerelease, end));
        }
        if accept(after) {
            return Some((prerelease, after));
        }
    }
    None
}

/// The greedy end of dot-separated pre-release identifiers starting at `i`.
fn prerelease_end(text: &[u8], i: usize, loose: bool) -> Option<usize> {
    let mut end = identifier_end(text, i, loose)?;
    while at(text, end) == Some(b'.') {
        match identifier_end(text, end + 1, loose) {
            Some(next) => end = next,
            None => break,
        }
    }
    Some(end)
}

/// The greedy end of one pre-release identifier: `NONNUMERICIDENTIFIER` first, then a number.
fn identifier_end(text: &[u8], i: usize, loose: bool) -> Option<usize> {
    let digits = run(text, i, MAX_DIGITS + 1, is_digit);
    if digits <= MAX_DIGITS
        && at(text, i + digits).is_some_and(|b| b.is_ascii_alphabetic() || b == b'-')
    {
        let rest = i + digits + 1;
        return Some(rest + run(text, rest, MAX_WORD, is_word));
    }
    number_ends(text, i, loose).map(|ends| *ends.end())
}

/// The greedy end of dot-separated build identifiers starting at `i` (after the `+`).
fn build_end(text: &[u8], i: usize) -> Option<usize> {
    let first = run(text, i, MAX_WORD, is_word);
    if first == 0 {
        return None;
    }
    let mut end = i + first;
    while at(text, end) == Some(b'.') {
        let next = run(text, end + 1, MAX_WORD, is_word);
        if next == 0 {
            break;
        }
        end += 1 + next;
    }
    Some(end)
}

/// Possible ends of a numeric identifier at `i` (iterate in reverse for greedy first):
/// `0|[1-9]\d{0,256}` strictly, `\d{1,256}` loosely.
fn number_ends(text: &[u8], i: usize, loose: bool) -> Option<RangeInclusive<usize>> {
    let digits = run(text, i, MAX_DIGITS + 1, is_digit);
    if digits == 0 {
        None
    } else if loose {
        Some(i + 1..=i + digits.min(MAX_DIGITS))
    } else if at(text, i) == Some(b'0') {
        Some(i + 1..=i + 1)
    } else {
        Some(i + 1..=i + 1 + (digits - 1).min(MAX_DIGITS))
    }
}

/// Possible ends of an x-range identifier: a number, `x`, `X` or `*`.
fn x_ends(text: &[u8], i: usize, loose: bool) -> Option<RangeInclusive<usize>> {
    match at(text, i) {
        Some(b'x' | b'X' | b'*') => Some(i + 1..=i + 1),
        _ => number_ends(text, i, loose),
    }
}

/// The greedy end of `GTLT`, `((?:<|>)?=?)`. Where it matters, a shorter operator cannot match
/// where the greedy one failed.
fn gtlt_end(text: &[u8], i: usize) -> usize {
    let mut end = i;
    if matches!(at(text, end), Some(b'<' | b'>')) {
        end += 1;
    }
    if at(text, end) == Some(b'=') {
        end += 1;
    }
    end
}

/// Every end of `GTLT` at `i`, in the engine's order.
fn gtlt_choices(text: &[u8], i: usize) -> [Option<usize>; 3] {
    match (at(text, i), at(text, i + 1)) {
        (Some(b'<' | b'>'), Some(b'=')) => [Some(i + 2), Some(i + 1), Some(i)],
        (Some(b'<' | b'>' | b'='), _) => [Some(i + 1), Some(i), None],
        _ => [Some(i), None, None],
    }
}

/// The ends of `\s{0,1}` at `i`, in the engine's order.
fn optional_space(text: &[u8], i: usize) -> [Option<usize>; 2] {
    if is_ws_at(text, i) {
        [Some(i + 1), Some(i)]
    } else {
        [Some(i), None]
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn at(text: &[u8], i: usize) -> Option<u8> {
    text.get(i).copied()
}

fn slice(text: &[u8], (start, end): Span) -> &[u8] {
    text.get(start..end).unwrap_or_default()
}

/// How many bytes from `from` on satisfy `pred`, counting at most `cap`.
fn run(text: &[u8], from: usize, cap: usize, pred: fn(u8) -> bool) -> usize {
    text.get(from..)
        .unwrap_or_default()
        .iter()
        .take(cap)
        .take_while(|&&b| pred(b))
        .count()
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `\s` inside a range: earlier steps turned all whitespace into single ASCII spaces.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn is_ws_at(text: &[u8], i: usize) -> bool {
    at(text, i).is_some_and(is_ws)
}

fn is_v_eq_ws(b: u8) -> bool {
    b == b'v' || b == b'=' || is_ws(b)
}

/// JavaScript's `\s` and `String.prototype.trim` set: Unicode `White_Space` without U+0085,
/// plus U+FEFF.
fn is_js_whitespace(c: char) -> bool {
    c == '\u{feff}' || (c != '\u{85}' && c.is_whitespace())
}

fn js_trim(text: &str) -> &str {
    text.trim_matches(is_js_whitespace)
}

/// `text.replace(/\s+/g, ' ')`.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if is_js_whitespace(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// `text.split(/\s+/)`, empty first and last pieces included as JavaScript makes them.
fn split_whitespace(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if is_ws_at(bytes, i) {
            pieces.push(text.get(start..i).unwrap_or_default());
            i += run(bytes, i, usize::MAX, is_ws);
            start = i;
        } else {
            i += 1;
        }
    }
    pieces.push(text.get(start..).unwrap_or_default());
    pieces
}

/// Copies the character at byte `i` to `out` and returns where the next one starts.
fn copy_char(text: &str, i: usize, out: &mut String) -> usize {
    match text.get(i..).and_then(|rest| rest.chars().next()) {
        Some(c) => {
            out.push(c);
            i + c.len_utf8()
        }
        None => i + 1,
    }
}

/// The exact value of a digit string, `None` when empty or beyond `u64`.
fn exact_number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0_u64, |value, &digit| {
        value
            .checked_mul(10)?
            .checked_add(u64::from(digit.wrapping_sub(b'0')))
    })
}

/// JavaScript's `` `${+digits + 1}` ``: exact below 2^53, a double above, in JavaScript's
/// notation (`1e+21`, `Infinity`), which later steps refuse or drop just as node-semver does.
fn plus_one(digits: &str) -> String {
    if let Some(number) = exact_number(digits.as_bytes()).filter(|n| *n < MAX_SAFE_INTEGER) {
        return (number + 1).to_string();
    }
    let value = digits.parse::<f64>().unwrap_or(f64::INFINITY) + 1.0;
    if value.is_infinite() {
        "Infinity".to_owned()
    } else if value >= 1e21 {
        format!("{value:e}").replacen('e', "e+", 1)
    } else {
        format!("{value}")
    }
}

fn ascii(bytes: &[u8]) -> Box<str> {
    String::from_utf8_lossy(bytes).into_owned().into_boxed_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: NpmRangeOptions = NpmRangeOptions {
        loose: false,
        include_prerelease: false,
    };
    const LOOSE: NpmRangeOptions = NpmRangeOptions {
        loose: true,
        include_prerelease: false,
    };
    const PRE: NpmRangeOptions = NpmRangeOptions {
        loose: false,
        include_prerelease: true,
    };

    /// node-semver's `version` property: `major.minor.patch[-prerelease]`.
    fn normalized(version: &NpmVersion) -> String {
        let mut out = format!("{}.{}.{}", version.major, version.minor, version.patch);
        for (index, identifier) in version.prerelease.iter().enumerate() {
            out.push(if index == 0 { '-' } else { '.' });
            match identifier {
                Identifier::Number(number) => out.push_str(&number.to_string()),
                Identifier::BigNumber(text) | Identifier::Text(text) => out.push_str(text),
            }
        }
        out
    }

    /// node-semver's `range` property (with `*` for the empty range, as `validRange` prints).
    fn canonical(range: &NpmRange) -> String {
        if range.matches_any {
            return "*".to_owned();
        }
        let comparator = |c: &Comparator| {
            let operator = match c.operator {
                Operator::Equal => "",
                Operator::Less => "<",
                Operator::LessOrEqual => "<=",
                Operator::Greater => ">",
                Operator::GreaterOrEqual => ">=",
            };
            format!("{operator}{}", normalized(&c.version))
        };
        let is_null = |set: &[Comparator]| set.iter().any(|c| comparator(c) == "<0.0.0-0");
        let mut sets: Vec<&[Comparator]> = range.sets.iter().map(|set| &**set).collect();
        if sets.len() > 1 {
            let kept: Vec<_> = sets.iter().copied().filter(|set| !is_null(set)).collect();
            sets = if kept.is_empty() {
                sets[..1].to_vec()
            } else {
                kept
            };
        }
        let format_set = |set: &&[Comparator]| {
            if is_null(set) {
                return "<0.0.0-0".to_owned();
            }
            let mut values: Vec<String> = Vec::new();
            for value in set.iter().map(comparator) {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            values.join(" ")
        };
        sets.iter().map(format_set).collect::<Vec<_>>().join("||")
    }

    #[test]
    fn parses_like_semver_valid() {
        let long_ok = format!("1.0.0-{}", "a".repeat(250));
        let too_long = format!("1.0.0-{}", "a".repeat(251));
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            // (input, strict result, loose result)
            ("1.2.3", Some("1.2.3"), Some("1.2.3")),
            (" \t1.2.3\n", Some("1.2.3"), Some("1.2.3")),
            ("v1.2.3", Some("1.2.3"), Some("1.2.3")),
            ("vv1.2.3", None, Some("1.2.3")),
            ("=1.2.3", None, Some("1.2.3")),
            ("v 1.2.3", None, Some("1.2.3")),
            ("= v =1.2.3", None, Some("1.2.3")),
            ("v\u{a0}1.2.3", None, Some("1.2.3")),
            ("01.02.03", None, Some("1.2.3")),
            ("1.2.3-01", None, Some("1.2.3-1")),
            ("1.2.3beta", None, Some("1.2.3-beta")),
            // The loose expression backtracks into the patch number.
            ("1.2.34.5", None, Some("1.2.3-4.5")),
            ("1.2.3-", None, Some("1.2.3--")),
            ("1.2.3.4", None, None),
            ("1.2.3-alpha-.-beta", Some("1.2.3-alpha-.-beta"), Some("1.2.3-alpha-.-beta")),
            ("1.2.3-0a.1", Some("1.2.3-0a.1"), Some("1.2.3-0a.1")),
            ("1.2.3+build.1", Some("1.2.3"), Some("1.2.3")),
            ("1.2.3+", None, None),
            ("1.2.3+a..b", None, None),
            ("1.2.3-a..b", None, None),
            ("1.2", None, None),
            ("", None, None),
            ("   ", None, None),
            ("9007199254740991.0.0", Some("9007199254740991.0.0"), Some("9007199254740991.0.0")),
            ("9007199254740992.0.0", None, None),
            ("0.0.99999999999999999999999", None, None),
            // JavaScript trims U+FEFF and U+3000 but not U+0085.
            ("\u{feff}1.2.3\u{3000}", Some("1.2.3"), Some("1.2.3")),
            ("\u{85}1.2.3", None, None),
            ("\u{ff11}.2.3", None, None),
            (&long_ok, Some(&long_ok), Some(&long_ok)),
            (&too_long, None, None),
        ];
        for &(input, strict, loose) in cases {
            let got = NpmVersion::parse(input).ok().map(|v| normalized(&v));
            assert_eq!(got.as_deref(), strict, "strict parse of {input:?}");
            let got = NpmVersion::parse_loose(input).ok().map(|v| normalized(&v));
            assert_eq!(got.as_deref(), loose, "loose parse of {input:?}");
        }
    }

    #[test]
    fn keeps_the_original_text_and_explains_refusals() {
        let version = NpmVersion::parse(" v1.2.3+build ").unwrap();
        assert_eq!(version.as_str(), " v1.2.3+build ");
        assert_eq!(version.to_string(), " v1.2.3+build ");
        assert_eq!(
            (version.major(), version.minor(), version.patch()),
            (1, 2, 3)
        );
        let error = NpmVersion::parse("9007199254740992.0.0").unwrap_err();
        assert_eq!(error.scheme(), Scheme::Npm);
        assert_eq!(error.reason(), "major version is above 9007199254740991");
        let range_reason = |text| {
            NpmRange::parse(text, STRICT)
                .unwrap_err()
                .reason()
                .to_owned()
        };
        assert_eq!(
            range_reason(">=1.2.3 foo"),
            "`foo` is not a valid comparator"
        );
        assert_eq!(
            range_reason("9007199254740992"),
            "comparator `>=9007199254740992.0.0`: major version is above 9007199254740991"
        );
        let error = NpmRange::parse("foo || bar", LOOSE).unwrap_err();
        assert_eq!(error.input(), "foo || bar");
        assert_eq!(error.reason(), "range holds no valid comparator");
        let range = NpmRange::parse(" ^1.2 ", STRICT).unwrap();
        assert_eq!(
            (range.as_str(), range.to_string().as_str()),
            (" ^1.2 ", " ^1.2 ")
        );
    }

    #[test]
    fn orders_like_node_semver() {
        use Ordering::{Equal, Greater, Less};
        #[rustfmt::skip]
        let cases: &[(&str, &str, Ordering)] = &[
            ("1.0.0+a", "1.0.0+b", Equal),
            ("1.0.0", "1.0.0-rc.1", Greater),
            ("1.2.3-alpha.10", "1.2.3-alpha.9", Greater),
            ("1.2.3-alpha", "1.2.3-alpha.0", Less),
            ("1.2.3-a", "1.2.3-A", Greater),
            ("1.2.3--", "1.2.3-99", Greater),
            ("1.2.3-01", "1.2.3-1", Equal),
            ("1.2.34.5", "1.2.3-4.5", Equal),
            ("=v1.2.3", "1.2.3", Equal),
            // At 2^53 - 1 node-semver keeps identifiers as text but compares them as numbers;
            // here by exact value.
            ("1.2.3-9007199254740990", "1.2.3-9007199254740991", Less),
            ("1.2.3-9007199254740993", "1.2.3-9007199254740992", Greater),
            ("1.2.3-009007199254740993", "1.2.3-9007199254740993", Equal),
            ("1.2.3-99999999999999999999", "1.2.3-a", Less),
        ];
        for &(a, b, expected) in cases {
            let (a, b) = (
                NpmVersion::parse_loose(a).unwrap(),
                NpmVersion::parse_loose(b).unwrap(),
            );
            assert_eq!(a.cmp(&b), expected, "{a} vs {b}");
            assert_eq!(b.cmp(&a), expected.reverse(), "{b} vs {a}");
            assert_eq!(a == b, expected == Equal, "{a} == {b}");
        }
    }

    #[test]
    fn desugars_ranges_like_node_semver() {
        #[rustfmt::skip]
        let cases: &[(&str, NpmRangeOptions, Option<&str>)] = &[
            ("1.0.0 - 2.0.0", STRICT, Some(">=1.0.0 <=2.0.0")),
            ("1.0.0 - 2.0.0", PRE, Some(">=1.0.0-0 <2.0.1-0")),
            ("1 - 2", STRICT, Some(">=1.0.0 <3.0.0-0")),
            ("1.0 - 2.0", PRE, Some(">=1.0.0-0 <2.1.0-0")),
            ("1.2 - 3.4.5", STRICT, Some(">=1.2.0 <=3.4.5")),
            ("1.2.3 - 3.4", STRICT, Some(">=1.2.3 <3.5.0-0")),
            ("v1.2.3 - =2", LOOSE, Some(">=1.2.3 <3.0.0-0")),
            ("1.2.3-pre+asdf - 2.4.3-pre+asdf", STRICT, Some(">=1.2.3-pre <=2.4.3-pre")),
            ("", STRICT, Some("*")),
            ("||", STRICT, Some("*")),
            (">=*", STRICT, Some("*")),
            ("x", STRICT, Some("*")),
            (">=0.0.0", STRICT, Some("*")),
            (">=0.0.0", PRE, Some(">=0.0.0")),
            (">= 1.0.0", STRICT, Some(">=1.0.0")),
            ("<\t 2.0.0", STRICT, Some("<2.0.0")),
            ("0.1.20 || 1.2.4", STRICT, Some("0.1.20||1.2.4")),
            ("1.2.x || 2.x", STRICT, Some(">=1.2.0 <1.3.0-0||>=2.0.0 <3.0.0-0")),
            ("2.*.*", STRICT, Some(">=2.0.0 <3.0.0-0")),
            ("1.2.x", PRE, Some(">=1.2.0-0 <1.3.0-0")),
            ("=1.2", STRICT, Some(">=1.2.0 <1.3.0-0")),
            ("~2.4", STRICT, Some(">=2.4.0 <2.5.0-0")),
            ("~>3.2.1", STRICT, Some(">=3.2.1 <3.3.0-0")),
            ("~> 1", STRICT, Some(">=1.0.0 <2.0.0-0")),
            ("~1.2", PRE, Some(">=1.2.0-0 <1.3.0-0")),
            ("~1.2.3-beta", PRE, Some(">=1.2.3-beta <1.3.0-0")),
            ("^0", STRICT, Some("<1.0.0-0")),
            ("^0.0.1-beta", STRICT, Some(">=0.0.1-beta <0.0.2-0")),
            ("^0.0.3", PRE, Some(">=0.0.3 <0.0.4-0")),
            ("^0.2", PRE, Some(">=0.2.0-0 <0.3.0-0")),
            ("^1.2.3-beta.4", STRICT, Some(">=1.2.3-beta.4 <2.0.0-0")),
            ("^1.2.3+build", STRICT, Some(">=1.2.3 <2.0.0-0")),
            ("^ 1.2 ^ 1", STRICT, Some(">=1.2.0 <2.0.0-0 >=1.0.0")),
            ("^00.1.2", LOOSE, Some(">=0.1.2 <1.0.0-0")),
            ("<1", STRICT, Some("<1.0.0-0")),
            (">=1", STRICT, Some(">=1.0.0")),
            (">1", STRICT, Some(">=2.0.0")),
            (">1.2", STRICT, Some(">=1.3.0")),
            ("<=1.2", STRICT, Some("<1.3.0-0")),
            ("<=7.x", STRICT, Some("<8.0.0-0")),
            (">X", STRICT, Some("<0.0.0-0")),
            ("<x <* || >* 2.x", STRICT, Some("<0.0.0-0")),
            (">x 2.x || * || <x", STRICT, Some("*")),
            (">01.02.03", LOOSE, Some(">1.2.3")),
            (">01.02.03", STRICT, None),
            ("~1.2.3beta", LOOSE, Some(">=1.2.3-beta <1.3.0-0")),
            ("~1.2.3beta", STRICT, None),
            ("== 1.0.0 || foo", LOOSE, Some("1.0.0")),
            ("== 1.0.0 || foo", STRICT, None),
            ("foo", LOOSE, None),
            // The space after `>` goes, the `=` joins the version: loose keeps only `1.2.3`.
            ("> = 1.2.3", LOOSE, Some("1.2.3")),
            ("> = 1.2.3", STRICT, None),
            ("*.1", STRICT, None),
            ("1.x.2", STRICT, None),
            ("1.2.3 1.x.2", LOOSE, Some("1.2.3")),
            ("9007199254740991", STRICT, None),
            (">9007199254740990.x", STRICT, Some(">=9007199254740991.0.0")),
            // `+M + 1` beyond 1e21 prints as `1e+21`: strict refuses it, loose drops it.
            (">999999999999999999999.x || 1.2.3", LOOSE, Some("1.2.3")),
            (">999999999999999999999.x || 1.2.3", STRICT, None),
        ];
        for &(text, options, expected) in cases {
            let got = NpmRange::parse(text, options).map(|range| canonical(&range));
            assert_eq!(
                got.as_deref().ok(),
                expected,
                "{text:?} with {options:?}: {got:?}"
            );
        }
    }

    #[test]
    fn applies_the_prerelease_rule() {
        #[rustfmt::skip]
        let cases: &[(&str, NpmRangeOptions, &str, bool)] = &[
            (">=1.2.3-alpha", STRICT, "1.2.3-beta", true),
            (">=1.2.3-alpha", STRICT, "1.2.4-beta", false),
            (">=1.2.3-alpha", PRE, "1.2.4-beta", true),
            ("1.2.3-beta", STRICT, "1.2.3-beta", true),
            ("*", STRICT, "1.2.3-beta", false),
            ("*", PRE, "1.2.3-beta", true),
            // An alternative that is `*` swallows the others.
            ("* || 1.2.3-beta", STRICT, "1.2.3-beta", false),
            ("1.2.3-beta || 1.2.3", STRICT, "1.2.3-beta", true),
            ("^1.2.3", STRICT, "1.9.0", true),
            ("^1.2.3", STRICT, "2.0.0-0", false),
            ("^0.2.3", STRICT, "0.3.0", false),
            ("^0.0.3", STRICT, "0.0.4", false),
            (">=0.0.0", PRE, "0.0.0-alpha", false),
            ("1.2.3 - 2.3", STRICT, "2.3.9", true),
            ("1.2.3 - 2.3", STRICT, "2.4.0", false),
            ("<1.2.3 >2.0.0", STRICT, "1.0.0", false),
            ("=1.2.3", STRICT, "1.2.3+build", true),
            ("<1.2.3", STRICT, "1.2.3-beta", false),
        ];
        for &(text, options, version, expected) in cases {
            let range = NpmRange::parse(text, options).unwrap();
            let version = NpmVersion::parse(version).unwrap();
            assert_eq!(
                range.satisfies(&version),
                expected,
                "{version} in {text:?} with {options:?}"
            );
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let mut inputs: Vec<String> = [
            "",
            "|",
            "||",
            "-",
            " - ",
            "1 - ",
            "- 1",
            "1 - 2 - 3",
            "^",
            "~",
            "~>",
            "^~1",
            ">=<1",
            "<=>",
            "+",
            "+++",
            "1.2.3+",
            "1.2.3-+",
            "x.x.x.x",
            "*.*.*",
            "1e+21",
            "é1.2.3",
            "1.2.3 ∞",
            "\u{85}",
            "v",
            "=",
            "1.2.3 +b - 2",
            "~ ~ ~1",
            "^ ^",
            "> > 1",
            "**",
            ">=1.2.3-0.0.0 <1.2.3-0a+b.c",
            "1.2.3-\u{0}",
            "\u{0}",
        ]
        .map(str::to_owned)
        .into();
        inputs.extend([
            "9".repeat(300),
            format!("{}.x", "9".repeat(300)),
            format!(">{}.x", "9".repeat(400)),
            format!("{}1.2.3", "v".repeat(10_000)),
            "1.".repeat(5_000),
            "a.".repeat(5_000),
            format!("1.2.3-{}", "a.".repeat(5_000)),
            format!("1.2.3-{}", "a".repeat(300)),
            format!("1.2.{}", "3".repeat(5_000)),
            ">".repeat(1_000),
            "~ ".repeat(1_000),
            "1.2.3 - ".repeat(100),
            "1.2.3 || ".repeat(1_000),
        ]);
        let version = NpmVersion::parse("1.2.3").unwrap();
        let prerelease = NpmVersion::parse("1.2.3-beta").unwrap();
        for input in &inputs {
            let _ = NpmVersion::parse(input);
            let _ = NpmVersion::parse_loose(input);
            for loose in [false, true] {
                for include_prerelease in [false, true] {
                    let options = NpmRangeOptions {
                        loose,
                        include_prerelease,
                    };
                    if let Ok(range) = NpmRange::parse(input, options) {
                        let _ = range.satisfies(&version) || range.satisfies(&prerelease);
                    }
                }
            }
        }
    }
}
