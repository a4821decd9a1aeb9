//! NuGet versions, parsed as `NuGetVersion.TryParse` and ordered as `VersionComparer.Default`
//! of NuGet.Client (`src/NuGet.Core/NuGet.Versioning`).
//!
//! A version is one to four dot-separated numbers, an optional `-` and dot-separated
//! pre-release labels, and optional `+` build metadata.
//!
//! Surprises:
//! - Missing numbers are zero: `1 == 1.0 == 1.0.0 == 1.0.0.0`. The fourth number (the legacy
//!   "revision") orders after the patch: `1.0.0.1 > 1.0.0`.
//! - Leading zeros are allowed in the numbers (`1.01 == 1.1`) but each number must fit a signed
//!   32-bit integer: `1.0.2201121200` is an error, as in NuGet.
//! - Like `System.Version`, each number may carry surrounding whitespace (`19 . 19`), and the
//!   whole text is trimmed; whitespace inside a number (`1 9`) is an error.
//! - There is no `v` prefix: `v1.0.0` is an error.
//! - Labels compare case-insensitively (`1.0.0-BETA == 1.0.0-beta`). A label that parses as a
//!   32-bit integer compares numerically and below any other label; NuGet uses `int.TryParse`,
//!   so `-1` is the number minus one and `99999999999` is text. Numeric labels may not have
//!   leading zeros (`1.0.0-01` is an error), but `-01` passes as minus one.
//! - A release is greater than any of its pre-releases, and more labels win when all shared
//!   labels are equal: `1.0.0-beta < 1.0.0-beta.1 < 1.0.0`.
//! - Build metadata is validated but never ordered: `1.0.0+a == 1.0.0+b`.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// The largest value `System.Version` accepts in one number.
const MAX_NUMBER: u32 = 2_147_483_647;

/// A parsed NuGet version.
///
/// Equality is `VersionComparer.Default`: `1.0` equals `1.0.0.0`, and build metadata is ignored.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    text: Box<str>,
    /// Major, minor, patch and revision; absent ones are zero.
    numbers: [u32; 4],
    /// Pre-release labels; empty for a release.
    labels: Box<[Label]>,
}

/// One pre-release label.
#[derive(Debug, Clone)]
enum Label {
    /// A label `int.TryParse` accepts.
    Numeric(i32),
    /// Any other label, compared ignoring ASCII case.
    Text(Box<str>),
}

impl Label {
    fn new(text: &str) -> Label {
        // `int.TryParse` with the default `NumberStyles.Integer`: an optional sign and digits
        // (labels cannot hold whitespace or `+`, which that style would also allow).
        match text.parse::<i32>() {
            Ok(number) => Label::Numeric(number),
            Err(_) => Label::Text(text.into()),
        }
    }

    /// `VersionComparer.CompareRelease`.
    fn compare(&self, other: &Label) -> Ordering {
        match (self, other) {
            (Label::Numeric(a), Label::Numeric(b)) => a.cmp(b),
            (Label::Numeric(_), Label::Text(_)) => Ordering::Less,
            (Label::Text(_), Label::Numeric(_)) => Ordering::Greater,
            // `StringComparer.OrdinalIgnoreCase`; labels are ASCII, so upper-casing each byte is
            // exactly its mapping.
            (Label::Text(a), Label::Text(b)) => a
                .bytes()
                .map(|byte| byte.to_ascii_uppercase())
                .cmp(b.bytes().map(|byte| byte.to_ascii_uppercase())),
        }
    }
}

impl NuGetVersion {
    /// Parses a NuGet version.
    ///
    /// # Errors
    /// When `NuGetVersion.TryParse` would return false.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = |reason: String| VersionError::new(Scheme::NuGet, text, reason);
        // `value.Trim()`: .NET trims Unicode white space, as `str::trim` does.
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error(String::from("the version is empty")));
        }
        let sections = split_sections(trimmed).map_err(error)?;
        let numbers = parse_numbers(sections.numbers).map_err(error)?;
        let mut labels = Vec::new();
        if let Some(release) = sections.release {
            for label in release.split('.') {
                check_identifier(label, "pre-release label").map_err(error)?;
                if label.len() > 1
                    && label.starts_with('0')
                    && label.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(error(format!(
                        "the numeric pre-release label `{label}` has a leading zero"
                    )));
                }
                labels.push(Label::new(label));
            }
        }
        if let Some(metadata) = sections.metadata {
            for identifier in metadata.split('.') {
                check_identifier(identifier, "build metadata identifier").map_err(error)?;
            }
        }
        Ok(NuGetVersion {
            text: text.into(),
            numbers,
            labels: labels.into_boxed_slice(),
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The three parts of a version string, before validation.
struct Sections<'a> {
    numbers: &'a str,
    release: Option<&'a str>,
    metadata: Option<&'a str>,
}

/// `SemanticVersion.ParseSections`: numbers up to the first `-` or `+`, labels up to the next
/// `+`, then metadata. A trailing delimiter stays inside the section before it in NuGet (and
/// then fails its check); here it is reported directly.
fn split_sections(version: &str) -> Result<Sections<'_>, String> {
    let Some((numbers, delimiter, rest)) = split_at_first(version, &['-', '+']) else {
        return Ok(Sections {
            numbers: version,
            release: None,
            metadata: None,
        });
    };
    if rest.is_empty() {
        return Err(format!("nothing follows the final `{delimiter}`"));
    }
    if delimiter == '+' {
        return Ok(Sections {
            numbers,
            release: None,
            metadata: Some(rest),
        });
    }
    match split_at_first(rest, &['+']) {
        None => Ok(Sections {
            numbers,
            release: Some(rest),
            metadata: None,
        }),
        Some((_, _, "")) => Err(String::from("nothing follows the final `+`")),
        Some((release, _, metadata)) => Ok(Sections {
            numbers,
            release: Some(release),
            metadata: Some(metadata),
        }),
    }
}

/// Splits at the first of `delimiters`: the text before, the delimiter, the text after.
fn split_at_first<'a>(text: &'a str, delimiters: &[char]) -> Option<(&'a str, char, &'a str)> {
    let (index, delimiter) = text.char_indices().find(|(_, c)| delimiters.contains(c))?;
    let before = text.get(..index)?;
    let after = text.get(index + delimiter.len_utf8()..)?;
    Some((before, delimiter, after))
}

/// Whitespace `System.Version` (`int.TryParse` with `NumberStyles.Integer`) allows around a
/// number.
fn is_number_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ')
}

/// The one to four numbers, each at most `int.MaxValue`.
fn parse_numbers(text: &str) -> Result<[u32; 4], String> {
    let mut numbers = [0_u32; 4];
    let mut parts = text.split('.');
    for slot in &mut numbers {
        let Some(part) = parts.next() else { break };
        let digits = part.trim_matches(is_number_space);
        if digits.is_empty() {
            return Err(String::from("a version number is empty"));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{}` is not a number", part.trim()));
        }
        *slot = digits
            .parse::<u32>()
            .ok()
            .filter(|&number| number <= MAX_NUMBER)
            .ok_or_else(|| format!("the number `{digits}` is larger than {MAX_NUMBER}"))?;
    }
    if parts.next().is_some() {
        return Err(String::from("more than four version numbers"));
    }
    Ok(numbers)
}

/// `SemanticVersion.IsValidPart` minus the leading-zero rule: non-empty, `[0-9A-Za-z-]` only.
fn check_identifier(identifier: &str, what: &str) -> Result<(), String> {
    if identifier.is_empty() {
        return Err(format!("a {what} is empty"));
    }
    match identifier
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
    {
        Some(c) => Err(format!("the {what} `{identifier}` contains `{c}`")),
        None => Ok(()),
    }
}

impl Ord for NuGetVersion {
    /// `VersionComparer.Default.Compare`.
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (false, false) => compare_labels(&self.labels, &other.labels),
            }
        })
    }
}

/// `VersionComparer.CompareReleaseLabels`: label by label, the shorter list first on a tie.
fn compare_labels(left: &[Label], right: &[Label]) -> Ordering {
    for (a, b) in left.iter().zip(right) {
        let ordering = a.compare(b);
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    left.len().cmp(&right.len())
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

impl fmt::Display for NuGetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn version(text: &str) -> NuGetVersion {
        NuGetVersion::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn check_order(cases: &[(&str, &str, Ordering)]) {
        for &(left, right, expected) in cases {
            let (a, b) = (version(left), version(right));
            assert_eq!(a.cmp(&b), expected, "{left} vs {right}");
            assert_eq!(b.cmp(&a), expected.reverse(), "{right} vs {left}");
            assert_eq!(a == b, expected == Equal, "{left} == {right}");
        }
    }

    #[test]
    fn orders_like_version_comparer_default() {
        // Upstream: NuGet.Client test/NuGet.Core.Tests/NuGet.Versioning.Test/
        // VersionComparerTests.cs (VersionComparisonDefaultEqual, ...EqualWithNuGetVersion,
        // ...NotEqualWithNuGetVersion, ...Less).
        check_order(&[
            ("1.0.0", "1.0.0", Equal),
            ("1.0.0-BETA", "1.0.0-beta", Equal),
            ("1.0.0-BETA+AA", "1.0.0-beta+aa", Equal),
            (
                "1.0.0-BETA.X.y.5.77.0+AA",
                "1.0.0-beta.x.y.5.77.0+aa",
                Equal,
            ),
            ("1.0.0", "1.0.0+beta", Equal),
            ("1.0", "1.0.0.0", Equal),
            ("1.0+test", "1.0.0.0", Equal),
            ("1.0.0.1-1.2.A", "1.0.0.1-1.2.a+A", Equal),
            ("1.0.01", "1.0.1.0", Equal),
            ("1.0", "1.0.0.1", Less),
            ("1.0+test", "1.0.0.1", Less),
            ("1.0.0.1-1.2.A", "1.0.0.1-1.2.a.A+A", Less),
            ("1.0.01", "1.0.1.2", Less),
            ("0.0.0", "1.0.0", Less),
            ("1.0.0", "1.1.0", Less),
            ("1.0.0", "1.0.1", Less),
            ("1.999.9999", "2.1.1", Less),
            ("1.0.0-BETA", "1.0.0-beta2", Less),
            ("1.0.0-beta+AA", "1.0.0+aa", Less),
            ("1.0.0-BETA", "1.0.0-beta.1+AA", Less),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa", Less),
            (
                "1.0.0-BETA.X.y.5.79.0+AA",
                "1.0.0-beta.x.y.5.790.0+abc",
                Less,
            ),
        ]);
    }

    #[test]
    fn orders_like_nuget_version_operators() {
        // Upstream: NuGetVersionTest.cs (SemVerLessThanAndGreaterThanOperatorsWorks,
        // SemVerEqualsOperatorWorks) and VersionParsingTests.cs (VersionLength).
        check_order(&[
            ("1.0", "1.0.1", Less),
            ("1.23", "1.231", Less),
            ("1.4.5.6", "1.45.6", Less),
            ("1.4.5.6", "1.4.5.60", Less),
            ("1.01", "1.10", Less),
            ("1.01-alpha", "1.10-beta", Less),
            ("1.01.0-RC-1", "1.10.0-rc-2", Less),
            ("1.01-RC-1", "1.01", Less),
            ("1.01", "1.2-preview", Less),
            ("1.0", "1.0.0.0", Equal),
            ("1.23.01", "1.23.1", Equal),
            ("1.45.6", "1.45.6.0", Equal),
            ("1.45.6-Alpha", "1.45.6-Alpha", Equal),
            ("1.6.2-BeTa", "1.6.02-beta", Equal),
            ("22.3.07     ", "22.3.07", Equal),
            ("1.0", "1.0.0.0+beta", Equal),
            ("1.0.0.0+beta.2", "1.0.0.0+beta.1", Equal),
            ("2", "2.0.0.0", Equal),
            ("   19.   19", "19.19", Equal),
            ("19   .19   .19   .19   ", "19.19.19.19", Equal),
            ("01.1.1.1", "1.1.1.1", Equal),
            ("2147483647.1.1.1", "2147483647.1.1.1", Equal),
        ]);
    }

    #[test]
    fn orders_pre_release_labels_like_semver_with_nuget_quirks() {
        // SemVer 2.0.0 section 11 precedence (as in SemVer201SpecTests.cs), plus the
        // `int.TryParse` and case-insensitivity quirks of VersionComparer.CompareRelease.
        check_order(&[
            ("1.0.0-alpha", "1.0.0-alpha.1", Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
            ("1.0.0-alpha.beta", "1.0.0-beta", Less),
            ("1.0.0-beta", "1.0.0-beta.2", Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Less),
            ("1.0.0-rc.1", "1.0.0", Less),
            ("1.0.0-a.-1", "1.0.0-a.0", Less),
            ("1.0.0-a.-01", "1.0.0-a.-1", Equal),
            ("1.0.0-a.99999999999", "1.0.0-a.2", Greater),
            ("1.0.0-a.99999999999", "1.0.0-a.A", Less),
            ("1.0.0-Z", "1.0.0-a", Greater),
            ("1.0.0-a-b", "1.0.0-a", Greater),
            ("1.0.0-0A", "1.0.0-0", Greater),
        ]);
    }

    #[test]
    fn refuses_what_nuget_version_parse_refuses() {
        // Upstream: NuGetVersionTest.cs (ParseThrowsIfStringIsNotAValidSemVer,
        // ParseThrowsIfStringIsNullOrEmpty, TryParseReturnsFalseWhenUnableToParseString).
        let invalid = [
            "",
            "         ",
            "1beta",
            "1.2Av^c",
            "1.2..",
            "1.2.3.4.5",
            "1.2.3.Beta",
            "1.2.3.4This version is full of awesomeness!!",
            "So.is.this",
            "1.34.2Alpha",
            "1.34.2Release Candidate",
            "1.4.7-",
            "1.4.7-*",
            "1.4.7+*",
            "1.4.7-AA.01^",
            "1.4.7-AA.0A^",
            "1.4.7-A^A",
            "1.4.7+AA.01^",
            "1.2147483648",
            "1.1.2147483648",
            "1.1.1.2147483648",
            "10000000000000000000",
            "1.1.1.1.10000000000000000000",
            "1..2",
            "....",
            "..1",
            "-1.1.1.1",
            "1.-1.1.1",
            "1.1.1.-1",
            "1.",
            "1.1.1.1.",
            "1     1.1.1.1",
            "1.1.1.1     1",
            " .1.1.1",
            "1. .1.1",
            "1.1.1. ",
            "1 .",
            "2147483648.2.3.4",
            "1.2.3.-4",
            "   1 9",
            "19   .19   .19   .1 9   ",
            "v1.0.0",
            "NotAVersion",
            // Leading zeros in numeric labels, empty labels and metadata, trailing `+`.
            "1.0.0-01",
            "1.0.0-alpha.00",
            "1.0.0-alpha..1",
            "1.0.0-+meta",
            "1.0.0+",
            "1.0.0-beta+",
            "1.0.0+a..b",
            "1.0.0+a+b",
            "1.0.0-é",
        ];
        for text in invalid {
            let error = NuGetVersion::parse(text).expect_err(text);
            assert_eq!(error.scheme(), Scheme::NuGet);
            assert_eq!(error.input(), text);
        }
    }

    #[test]
    fn accepts_what_nuget_version_parse_accepts() {
        // Upstream: NuGetVersionTest.cs (NuGetVersionParseStrict, StringConstructorParses...,
        // NuGetVersionKeepsOriginalVersionString) and VersionParsingTests.cs.
        let cases: [(&str, [u32; 4], usize); 14] = [
            ("1.2.3-X.y.3+Meta-2", [1, 2, 3, 0], 3),
            ("1.2.3-X.yZ.3.234.243.3242342+METADATA", [1, 2, 3, 0], 6),
            ("1.2.3+0", [1, 2, 3, 0], 0),
            ("1.2.3-0", [1, 2, 3, 0], 1),
            ("3.4.0.3-RC-3", [3, 4, 0, 3], 1),
            ("1.0.0-beta.x.y.5.79.0+aa", [1, 0, 0, 0], 6),
            ("01.42.0-alpha+metadata", [1, 42, 0, 0], 1),
            ("  1.022-Beta", [1, 22, 0, 0], 1),
            ("    1.3.42.10133-PreRelease  ", [1, 3, 42, 10133], 1),
            ("1.3.42.200930-RC-2", [1, 3, 42, 200_930], 1),
            ("1.0.0-RC.X.35.A.3455+Meta-A-B-C", [1, 0, 0, 0], 5),
            ("1.1.1.2147483647", [1, 1, 1, 2_147_483_647], 0),
            ("1.0.0009.01-1.1+A", [1, 0, 9, 1], 2),
            ("0000000000000000001.2", [1, 2, 0, 0], 0),
        ];
        for (text, numbers, labels) in cases {
            let parsed = version(text);
            assert_eq!(parsed.numbers, numbers, "{text}");
            assert_eq!(parsed.labels.len(), labels, "{text}");
            assert_eq!(parsed.to_string(), text);
        }
    }
}
