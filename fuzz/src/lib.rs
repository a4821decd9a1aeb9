//! Checks shared by the fuzz targets in `fuzz_targets/`: the laws every version scheme of
//! `qm-version` must obey, whatever bytes it is given.
//!
//! A target's input is cut at NUL bytes into up to [`MAX_TEXTS`] strings (invalid UTF-8 is
//! replaced, so every input exercises the parsers). [`check_scheme`] then asserts, for one scheme:
//! - parsing never panics, and the scheme's own type and [`Scheme::parse`] agree: both accept or
//!   both refuse, with the same error, which names the scheme and the input;
//! - a parsed version displays as the text it was given, and that text parses again to an equal
//!   version (the round trip);
//! - the order is a total order: `cmp(a, a)` is `Equal`, `cmp(a, b)` is `cmp(b, a).reverse()`,
//!   `==` and `partial_cmp` follow `cmp`, and `a <= b <= c` implies `a <= c` (`a < c` when one
//!   step is strict);
//! - [`Scheme::compare`] agrees with comparing the parsed values.
//!
//! Targets add checks of their own on what [`check_scheme`] returns (two code paths that must
//! agree, such as `RpmVersion::vercmp` against `RpmVersion`'s ordering).
//!
//! The targets of `qm-vulndb` (feeds, the compiled database, bundles) share the fixtures and
//! checks of the [`vulndb`] module instead; those of `qm-catalog` (OS package databases,
//! lockfiles) the laws of the [`catalog`] module, and those of `qm-source` (image layers and
//! archives) the limits, image builders and view checks of the [`image`] module.

use std::cmp::Ordering;
use std::fmt::{Debug, Display};

use qm_version::{Scheme, VersionError};

pub mod catalog;
pub mod image;
pub mod vulndb;

/// The byte that separates the strings of one fuzz input.
pub const SEPARATOR: u8 = 0;

/// How many strings one fuzz input holds at most: three, enough to check transitivity.
pub const MAX_TEXTS: usize = 3;

/// Cuts `data` at the first [`MAX_TEXTS`]` - 1` NUL bytes into strings, replacing invalid
/// UTF-8. There is always at least one string (maybe empty).
pub fn split(data: &[u8]) -> Vec<String> {
    data.splitn(MAX_TEXTS, |byte| *byte == SEPARATOR)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// A string that parsed, with its version.
pub type Valid<'a, T> = (&'a str, &'a T);

/// The strings of one input and what the scheme made of each.
pub struct Checked<T> {
    /// The strings, in input order.
    pub texts: Vec<String>,
    /// `parsed[i]` is the parse of `texts[i]`, `None` when it was refused.
    pub parsed: Vec<Option<T>>,
}

impl<T> Checked<T> {
    /// The strings that parsed, with their versions.
    pub fn valid(&self) -> Vec<Valid<'_, T>> {
        self.texts
            .iter()
            .zip(&self.parsed)
            .filter_map(|(text, parsed)| parsed.as_ref().map(|version| (text.as_str(), version)))
            .collect()
    }

    /// Every pair of strings (`i < j`) that both parsed.
    pub fn valid_pairs(&self) -> Vec<(Valid<'_, T>, Valid<'_, T>)> {
        let valid = self.valid();
        let mut pairs = Vec::new();
        for (index, first) in valid.iter().enumerate() {
            for second in valid.iter().skip(index + 1) {
                pairs.push((*first, *second));
            }
        }
        pairs
    }
}

/// Runs the laws in the crate documentation for `scheme`, whose own type parses with `parse`,
/// on the strings in `data`; panics on the first law broken.
pub fn check_scheme<T, P>(scheme: Scheme, parse: P, data: &[u8]) -> Checked<T>
where
    T: Ord + Clone + Debug + Display,
    P: Fn(&str) -> Result<T, VersionError>,
{
    let checked = check_parser(&scheme.to_string(), scheme, &parse, data);
    for (text, parsed) in checked.texts.iter().zip(&checked.parsed) {
        match (parsed, scheme.parse(text)) {
            (Some(_), Ok(dynamic)) => {
                assert_eq!(dynamic.to_string(), *text, "{scheme}: Version's Display");
                assert_eq!(
                    dynamic.scheme(),
                    scheme,
                    "{scheme}: Version::scheme of {text:?}"
                );
            }
            (None, Err(dynamic)) => assert_eq!(
                parse(text).err(),
                Some(dynamic),
                "{scheme}: Scheme::parse({text:?}) fails differently from the scheme's type"
            ),
            (parsed, dynamic) => panic!(
                "{scheme}: the scheme's type and Scheme::parse disagree on {text:?}: \
                 {parsed:?} vs {dynamic:?}"
            ),
        }
    }
    for ((x_text, x), (y_text, y)) in checked.valid_pairs() {
        let ordering = x.cmp(y);
        match scheme.compare(x_text, y_text) {
            Ok(dynamic) => assert_eq!(
                dynamic, ordering,
                "{scheme}: Scheme::compare({x_text:?}, {y_text:?}) disagrees with the parsed values"
            ),
            Err(error) => panic!(
                "{scheme}: Scheme::compare({x_text:?}, {y_text:?}) fails although both parse: {error}"
            ),
        }
    }
    checked
}

/// The laws of [`check_scheme`] that need no [`Scheme::parse`], for a second parser of a scheme
/// (npm's loose mode): errors name `scheme` and the input, the round trip, and the order laws.
/// `label` names the parser in failure messages.
pub fn check_parser<T, P>(label: &str, scheme: Scheme, parse: P, data: &[u8]) -> Checked<T>
where
    T: Ord + Clone + Debug + Display,
    P: Fn(&str) -> Result<T, VersionError>,
{
    let texts = split(data);
    let parsed = texts
        .iter()
        .map(|text| check_one(label, scheme, &parse, text))
        .collect();
    let checked = Checked { texts, parsed };
    check_order_laws(label, &checked.valid());
    checked
}

/// Parses `text`, checks the single-version laws, and returns the version.
fn check_one<T, P>(label: &str, scheme: Scheme, parse: &P, text: &str) -> Option<T>
where
    T: Ord + Clone + Debug + Display,
    P: Fn(&str) -> Result<T, VersionError>,
{
    let version = match parse(text) {
        Ok(version) => version,
        Err(error) => {
            assert_eq!(
                error.scheme(),
                scheme,
                "{label}: error for {text:?} names another scheme"
            );
            assert_eq!(
                error.input(),
                text,
                "{label}: error for {text:?} names another input"
            );
            return None;
        }
    };
    let shown = version.to_string();
    assert_eq!(
        shown, text,
        "{label}: Display must print the version as written"
    );
    match parse(&shown) {
        Ok(again) => assert_eq!(
            again.cmp(&version),
            Ordering::Equal,
            "{label}: {text:?} does not round-trip through Display"
        ),
        Err(error) => {
            panic!("{label}: {text:?} parsed but its display {shown:?} does not: {error}")
        }
    }
    assert_eq!(
        version.cmp(&version),
        Ordering::Equal,
        "{label}: {text:?} vs itself"
    );
    assert!(
        version == version.clone(),
        "{label}: {text:?} differs from its clone"
    );
    Some(version)
}

/// Asserts that `cmp`, `partial_cmp` and `==` on `values` form one total order: reflexive,
/// antisymmetric and transitive. `label` names the order in failure messages.
pub fn check_order_laws<T: Ord + Debug>(label: &str, values: &[Valid<'_, T>]) {
    for (x_text, x) in values {
        assert_eq!(x.cmp(x), Ordering::Equal, "{label}: {x_text:?} vs itself");
        for (y_text, y) in values {
            let xy = x.cmp(y);
            assert_eq!(
                y.cmp(x),
                xy.reverse(),
                "{label}: cmp({x_text:?}, {y_text:?}) = {xy:?} but the reverse is not its opposite"
            );
            assert_eq!(
                x.partial_cmp(y),
                Some(xy),
                "{label}: partial_cmp({x_text:?}, {y_text:?})"
            );
            assert_eq!(
                x == y,
                xy == Ordering::Equal,
                "{label}: == disagrees with cmp on {x_text:?}, {y_text:?}"
            );
            for (z_text, z) in values {
                let yz = y.cmp(z);
                if xy != Ordering::Greater && yz != Ordering::Greater {
                    let expected = if xy == Ordering::Equal && yz == Ordering::Equal {
                        Ordering::Equal
                    } else {
                        Ordering::Less
                    };
                    assert_eq!(
                        x.cmp(z),
                        expected,
                        "{label}: not transitive: {x_text:?} {xy:?} {y_text:?}, \
                         {y_text:?} {yz:?} {z_text:?}, but {x_text:?} vs {z_text:?}"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_at_nul_into_at_most_three() {
        assert_eq!(split(b""), [""]);
        assert_eq!(split(b"1.0\x002.0"), ["1.0", "2.0"]);
        assert_eq!(split(b"a\0b\0c\0d"), ["a", "b", "c\0d"]);
    }

    /// Rock, paper, scissors: antisymmetric but not transitive.
    #[derive(Debug, PartialEq, Eq)]
    struct Hand(u8);

    impl PartialOrd for Hand {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }

    impl Ord for Hand {
        fn cmp(&self, other: &Self) -> Ordering {
            match (self.0 + 3 - other.0) % 3 {
                0 => Ordering::Equal,
                1 => Ordering::Greater,
                _ => Ordering::Less,
            }
        }
    }

    #[test]
    #[should_panic(expected = "not transitive")]
    fn order_laws_catch_a_cycle() {
        let (rock, paper, scissors) = (Hand(0), Hand(1), Hand(2));
        check_order_laws(
            "hands",
            &[("rock", &rock), ("paper", &paper), ("scissors", &scissors)],
        );
    }

    #[test]
    fn order_laws_accept_a_total_order() {
        check_order_laws("numbers", &[("2", &2), ("1", &1), ("1 again", &1)]);
    }
}
