//! Maven versions, ordered as Maven's `ComparableVersion` orders them.
//!
//! This follows current Maven (`org.apache.maven.artifact.versioning.ComparableVersion` after
//! MNG-7714 and the ASCII-digit fix; see
//! <https://maven.apache.org/pom.html#version-order-specification>). Maven 3.8 and older answer
//! differently on `sp` and on non-ASCII numerals. Surprises:
//! - Almost any string is a version. It is lower-cased (Java's English-locale rules, so non-ASCII
//!   letters too: `1.É` equals `1.é`) and cut into items: numbers, qualifiers (letter runs), and
//!   combinations (a letter run directly followed by digits, `alpha2`). `.` separates items of
//!   one list; `-` and every switch between a number and letters open a nested sub-list
//!   (`1.2alpha3` is `[1, 2, [alpha3]]`). A qualifier at the very end goes into a sub-list even
//!   after a `.`, so `1.0.0.RC1` < `1.0.0-RC2` and `2.0.abc` equals `2-abc`.
//! - `X-1` is read as `X1` when `X` is letters: `1-alpha-1` equals `1-alpha1`.
//! - Trailing "null" items are dropped: zeros, and zeros before a qualifier. `1` equals `1.0`,
//!   `1.0.0`, `1-0` and `0001`; `1.0-alpha` equals `1-alpha`. `ga`, `final` and `release` are not
//!   dropped but compare like no qualifier at all, so `1-ga` equals `1` too.
//! - Qualifier order: `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release (none,
//!   `ga`, `final`, `release`) < `sp` < any other word, and other words in lexical order (by UTF-16
//!   code unit, as Java compares strings). So `1-sp` is newer than `1`, and `1-abc` newer still.
//! - `a`, `b` and `m` mean `alpha`, `beta` and `milestone` only when digits follow at once:
//!   `1-a1` equals `1-alpha-1`, but a bare `1-a` is the unknown word `a`, newer than `1`.
//! - A number outranks anything else in the same place: `1.1` > `1-1` > `1-sp` > `1`, and `7` >
//!   `J`. A hyphenated number sits between: `1.0` < `1.0-1` < `1.0.1`.
//! - Numbers have any length (`12345678901234567890` is fine); leading zeros do not count.
//! - Only ASCII `0`-`9` are digits; other numerals (`٨`, `𝟤`) are letters, so `1` > `٨`.
//! - Equality is ordering equality, not text equality; the original text is kept for display.
//!
//! Maven never refuses a version short of 256 characters, but we refuse what is clearly not a
//! version, and what Maven itself fails on or decides by Java's Unicode tables:
//! - an empty or whitespace-only string, leading or trailing whitespace (Maven's POM reader trims
//!   values, so these never reach Maven), and control characters;
//! - a string of only `.` and `-` (Maven would call it `0`);
//! - a character outside the Basic Multilingual Plane right after a digit or after a separator
//!   that follows one (`1𝟤`, `1.𝟤`): Maven throws `NumberFormatException` there;
//! - a non-ASCII numeral inside a letter run that ends in digits (`٨a1`) or right after a `-`
//!   that follows letters (`a-٨`): Maven's `Character.isDigit` takes it for a digit there and then
//!   either throws or reads its value from Java's Unicode tables. We refuse every non-ASCII
//!   `char::is_numeric` character in those places, a slight superset of Java's decimal digits.
//!
//! Unlike Maven 4 we do not cap the length at 256 characters: parsing and comparison here are
//! linear and iterative, so long input costs nothing extra and deep `-` nesting cannot overflow
//! the stack.

use std::cmp::Ordering;
use std::fmt;

use crate::{Scheme, VersionError};

/// A parsed Maven version.
///
/// Parsing builds Maven's item tree once; comparing two versions walks both trees without
/// allocating.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    text: Box<str>,
    /// Maven's nested lists, flattened: `levels[k]` holds the items of the list at depth `k`,
    /// whose last item is the list at depth `k + 1` when that exists. After normalisation no
    /// level is empty; a version equal to `0` has no levels at all.
    levels: Box<[Box<[Item]>]>,
}

impl MavenVersion {
    /// Parses a Maven version.
    ///
    /// # Errors
    /// When `text` is empty, blank, padded with whitespace, holds a control character or only
    /// separators, or uses non-ASCII numerals where Maven would fail on them (see the module
    /// documentation).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = |reason: String| VersionError::new(Scheme::Maven, text, reason);
        if text.trim().is_empty() {
            return Err(VersionError::new(
                Scheme::Maven,
                text,
                "the version is empty",
            ));
        }
        if text.trim() != text {
            return Err(VersionError::new(
                Scheme::Maven,
                text,
                "it has leading or trailing whitespace",
            ));
        }
        if let Some(control) = text.chars().find(|c| c.is_control()) {
            return Err(error(format!(
                "it contains the control character {}",
                control.escape_unicode()
            )));
        }
        if text.chars().all(|c| matches!(c, '.' | '-')) {
            return Err(VersionError::new(
                Scheme::Maven,
                text,
                "it has only `.` and `-` separators and no number or word",
            ));
        }
        let lower = text.to_lowercase();
        let levels = split_items(&lower).map_err(error)?;
        Ok(MavenVersion {
            text: text.into(),
            levels: normalize(levels),
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The items of the list at depth `level`; empty past the last level.
    fn items(&self, level: usize) -> &[Item] {
        self.levels.get(level).map_or(&[], |items| items)
    }

    /// The list at depth `level` compared with "nothing" (Java's `ListItem.compareTo(null)`):
    /// the first item that is not null decides.
    fn list_cmp_null(&self, level: usize) -> Ordering {
        self.levels
            .get(level..)
            .unwrap_or_default()
            .iter()
            .flat_map(|items| items.iter())
            .map(Item::cmp_null)
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// The list at depth `level` compared with a qualifier or combination `other`: its first item
    /// against `other`, then the rest of it against nothing.
    fn list_cmp_item(&self, level: usize, other: &Item) -> Ordering {
        let mut items = self
            .levels
            .get(level..)
            .unwrap_or_default()
            .iter()
            .flat_map(|items| items.iter());
        let Some(first) = items.next() else {
            return other.cmp_null().reverse();
        };
        match first.cmp(other) {
            Ordering::Equal => items
                .map(Item::cmp_null)
                .find(|ordering| ordering.is_ne())
                .unwrap_or(Ordering::Equal),
            decided => decided,
        }
    }

    /// What sits at `index` in the list at depth `level`.
    fn entry(&self, level: usize, index: usize) -> Entry<'_> {
        let items = self.items(level);
        match items.get(index) {
            Some(item) => Entry::Item(item),
            None if index == items.len() && level + 1 < self.levels.len() => Entry::List,
            None => Entry::End,
        }
    }
}

/// One position in a list while two lists are compared pairwise.
#[derive(Debug, Clone, Copy)]
enum Entry<'a> {
    Item(&'a Item),
    /// The nested list at the next depth (always a list's last entry).
    List,
    End,
}

impl Ord for MavenVersion {
    /// Java's `ListItem.compareTo(ListItem)`, unrolled: a nested list is always the last entry of
    /// its parent, so comparing two nested lists is a tail call and becomes the next round of
    /// the outer loop.
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut left_level, mut right_level) = (0, 0);
        'lists: loop {
            let mut index = 0;
            loop {
                let ordering = match (
                    self.entry(left_level, index),
                    other.entry(right_level, index),
                ) {
                    (Entry::End, Entry::End) => return Ordering::Equal,
                    (Entry::List, Entry::List) => {
                        left_level += 1;
                        right_level += 1;
                        continue 'lists;
                    }
                    (Entry::Item(left), Entry::Item(right)) => left.cmp(right),
                    (Entry::Item(left), Entry::End) => left.cmp_null(),
                    (Entry::End, Entry::Item(right)) => right.cmp_null().reverse(),
                    (Entry::List, Entry::End) => self.list_cmp_null(left_level + 1),
                    (Entry::End, Entry::List) => other.list_cmp_null(right_level + 1).reverse(),
                    // A number outranks a list (`1.1` > `1-1`); a word or combination defers to
                    // the list's view of it.
                    (Entry::List, Entry::Item(Item::Number(_))) => Ordering::Less,
                    (Entry::Item(Item::Number(_)), Entry::List) => Ordering::Greater,
                    (Entry::List, Entry::Item(right)) => self.list_cmp_item(left_level + 1, right),
                    (Entry::Item(left), Entry::List) => {
                        other.list_cmp_item(right_level + 1, left).reverse()
                    }
                };
                if ordering.is_ne() {
                    return ordering;
                }
                index += 1;
            }
        }
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One item of a list other than a nested list.
#[derive(Debug, Clone)]
enum Item {
    /// A run of digits (Java's `IntItem`, `LongItem` and `BigIntegerItem`).
    Number(Number),
    /// A run of non-digits (Java's `StringItem`).
    Qualifier(Qualifier),
    /// Letters directly followed by digits, `alpha2` (Java's `CombinationItem`).
    Combination(Qualifier, Number),
}

impl Item {
    /// Whether normalisation may drop this item. Only a zero can be null: a qualifier is null
    /// only when empty, and the parser never makes an empty one.
    fn is_null(&self) -> bool {
        matches!(self, Item::Number(number) if number.is_zero())
    }

    fn is_word(&self) -> bool {
        matches!(self, Item::Qualifier(_) | Item::Combination(..))
    }

    /// This item compared with "nothing": `1.0` = `1`, `1-rc` < `1`, `1-sp` > `1`.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Number(number) => number.cmp_null(),
            Item::Qualifier(qualifier) => qualifier.cmp_release(),
            // `1-rc1` < `1`; `1-ga1` > `1` because the number decides after a release word.
            Item::Combination(qualifier, number) => {
                qualifier.cmp_release().then_with(|| number.cmp_null())
            }
        }
    }

    fn cmp(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Number(left), Item::Number(right)) => left.cmp(right),
            (Item::Number(_), _) => Ordering::Greater,
            (_, Item::Number(_)) => Ordering::Less,
            (Item::Qualifier(left), Item::Qualifier(right)) => left.cmp(right),
            (Item::Qualifier(word), Item::Combination(prefix, number)) => {
                word_cmp_combination(word, prefix, number)
            }
            (Item::Combination(prefix, number), Item::Qualifier(word)) => {
                word_cmp_combination(word, prefix, number).reverse()
            }
            (Item::Combination(left, left_number), Item::Combination(right, right_number)) => {
                left.cmp(right).then_with(|| left_number.cmp(right_number))
            }
        }
    }
}

/// A bare word against a combination: `X` < `X1` unless `X` is a release word, where `ga` vs
/// `ga1` is decided by the number alone (`ga0` equals `ga`).
fn word_cmp_combination(word: &Qualifier, prefix: &Qualifier, number: &Number) -> Ordering {
    match word.cmp(prefix) {
        Ordering::Equal if word.cmp_release().is_eq() => number.cmp_null().reverse(),
        Ordering::Equal => Ordering::Less,
        decided => decided,
    }
}

/// A number of any length, without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Number {
    /// Up to 19 digits: every such number fits.
    Small(u64),
    /// More than 19 significant digits, so larger than any [`Number::Small`].
    Big(Box<str>),
}

/// The most digits a `u64` always holds (`u64::MAX` has 20).
const MAX_SMALL_DIGITS: usize = 19;

impl Number {
    /// Reads a run of ASCII digits.
    fn new(digits: &str) -> Number {
        let significant = digits.trim_start_matches('0');
        if significant.len() <= MAX_SMALL_DIGITS {
            if let Ok(value) = significant.parse() {
                return Number::Small(value);
            }
            if significant.is_empty() {
                return Number::Small(0);
            }
        }
        Number::Big(significant.into())
    }

    fn is_zero(&self) -> bool {
        *self == Number::Small(0)
    }

    fn cmp_null(&self) -> Ordering {
        if self.is_zero() {
            Ordering::Equal
        } else {
            Ordering::Greater
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Number::Small(left), Number::Small(right)) => left.cmp(right),
            (Number::Small(_), Number::Big(_)) => Ordering::Less,
            (Number::Big(_), Number::Small(_)) => Ordering::Greater,
            // Same length of significant digits: text order is number order.
            (Number::Big(left), Number::Big(right)) => left
                .len()
                .cmp(&right.len())
                .then_with(|| left.as_bytes().cmp(right.as_bytes())),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The qualifiers Maven knows, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KnownQualifier {
    Alpha,
    Beta,
    Milestone,
    /// `rc` and `cr`.
    Rc,
    Snapshot,
    /// No qualifier, `ga`, `final` and `release`.
    Release,
    /// Sorts after release since MNG-7714 (Maven 3.9.0); before it in Maven 3.8.
    Sp,
}

/// A word: a known qualifier, or any other word, which sorts after all known ones.
#[derive(Debug, Clone)]
enum Qualifier {
    Known(KnownQualifier),
    Other(Box<str>),
}

impl Qualifier {
    /// Reads a lower-cased word. `a`, `b` and `m` are aliases only when digits follow directly.
    fn new(word: &str, followed_by_digits: bool) -> Qualifier {
        let known = match word {
            "alpha" => KnownQualifier::Alpha,
            "a" if followed_by_digits => KnownQualifier::Alpha,
            "beta" => KnownQualifier::Beta,
            "b" if followed_by_digits => KnownQualifier::Beta,
            "milestone" => KnownQualifier::Milestone,
            "m" if followed_by_digits => KnownQualifier::Milestone,
            "rc" | "cr" => KnownQualifier::Rc,
            "snapshot" => KnownQualifier::Snapshot,
            "" | "ga" | "final" | "release" => KnownQualifier::Release,
            "sp" => KnownQualifier::Sp,
            _ => return Qualifier::Other(word.into()),
        };
        Qualifier::Known(known)
    }

    /// This word against no qualifier at all.
    fn cmp_release(&self) -> Ordering {
        match self {
            Qualifier::Known(known) => known.cmp(&KnownQualifier::Release),
            Qualifier::Other(_) => Ordering::Greater,
        }
    }
}

impl Ord for Qualifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Qualifier::Known(left), Qualifier::Known(right)) => left.cmp(right),
            (Qualifier::Known(_), Qualifier::Other(_)) => Ordering::Less,
            (Qualifier::Other(_), Qualifier::Known(_)) => Ordering::Greater,
            // Java's `String.compareTo` compares UTF-16 code units, which differs from code
            // point order for characters above U+FFFF against U+E000..U+FFFF.
            (Qualifier::Other(left), Qualifier::Other(right)) => {
                left.encode_utf16().cmp(right.encode_utf16())
            }
        }
    }
}

impl PartialOrd for Qualifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Qualifier {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Qualifier {}

/// Whether Java's `Character.isDigit(char)` might call `c` a digit although it is not ASCII.
/// `is_numeric` also covers letter-like and other numerals (`Ⅻ`, `½`), which Java does not;
/// characters above U+FFFF never count because Java looks at one UTF-16 unit.
fn maybe_java_digit(c: char) -> bool {
    !c.is_ascii() && u32::from(c) <= 0xFFFF && c.is_numeric()
}

/// Cuts the lower-cased `text` into Maven's nested lists, as `ComparableVersion.parseVersion`
/// does (before `normalize`). `levels[k]` holds the items of the list at depth `k`.
fn split_items(text: &str) -> Result<Vec<Vec<Item>>, String> {
    let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
    // Java's `isDigit` is not reset by separators: it tells whether the last non-separator
    // character was a digit.
    let mut is_digit = false;
    let mut is_combination = false;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '.' => {
                let item = if index == start {
                    Item::Number(Number::Small(0))
                } else {
                    token(text.get(start..index), is_combination, is_digit)?
                };
                push(&mut levels, item);
                is_combination = false;
                start = index + 1;
            }
            '-' => {
                if index == start {
                    push(&mut levels, Item::Number(Number::Small(0)));
                } else {
                    if !is_digit {
                        // `X-1` is read as `X1`.
                        if let Some(&(_, next)) = chars.peek() {
                            if next.is_ascii_digit() {
                                is_combination = true;
                                continue;
                            }
                            if maybe_java_digit(next) {
                                return Err(format!(
                                    "the non-ASCII numeral `{next}` after a `-` is a digit to \
                                     Maven, which then fails or orders it by Java's Unicode tables"
                                ));
                            }
                        }
                    }
                    let item = token(text.get(start..index), is_combination, is_digit)?;
                    push(&mut levels, item);
                }
                start = index + 1;
                if levels.last().is_some_and(|items| !items.is_empty()) {
                    levels.push(Vec::new());
                }
                is_combination = false;
            }
            '0'..='9' => {
                if !is_digit && index > start {
                    is_combination = true;
                    if levels.last().is_some_and(|items| !items.is_empty()) {
                        levels.push(Vec::new());
                    }
                }
                is_digit = true;
            }
            _ => {
                if is_digit {
                    if u32::from(c) > 0xFFFF {
                        // Java steps over the surrogate pair before cutting, so the number it
                        // cuts ends in half of `c` and `Integer.parseInt` throws.
                        return Err(format!(
                            "`{c}` after a number makes Maven fail: it lies outside the Basic \
                             Multilingual Plane"
                        ));
                    }
                    if index > start {
                        let item = token(text.get(start..index), is_combination, true)?;
                        push(&mut levels, item);
                        start = index;
                        levels.push(Vec::new());
                        is_combination = false;
                    }
                }
                is_digit = false;
            }
        }
    }
    if text.len() > start {
        // A word at the very end goes into a list of its own: `1.0.0.X1` < `1.0.0-X2`.
        if !is_digit && levels.last().is_some_and(|items| !items.is_empty()) {
            levels.push(Vec::new());
        }
        let item = token(text.get(start..), is_combination, is_digit)?;
        push(&mut levels, item);
    }
    Ok(levels)
}

fn push(levels: &mut [Vec<Item>], item: Item) {
    if let Some(items) = levels.last_mut() {
        items.push(item);
    }
}

/// Turns the text of one item into an item (Java's `parseItem`).
fn token(text: Option<&str>, is_combination: bool, is_digit: bool) -> Result<Item, String> {
    let text = text.unwrap_or_default();
    if is_combination {
        // Letters, an optional `-`, then ASCII digits: the letters hold no ASCII digit, and the
        // digits run to the end, or the item would have been cut earlier.
        let split = text
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(text.len());
        let (letters, digits) = text.split_at_checked(split).unwrap_or((text, ""));
        let letters = letters.strip_suffix('-').unwrap_or(letters);
        if let Some(numeral) = letters.chars().find(|&c| maybe_java_digit(c)) {
            return Err(format!(
                "the non-ASCII numeral `{numeral}` before a number is a digit to Maven, which \
                 then fails or orders it by Java's Unicode tables"
            ));
        }
        Ok(Item::Combination(
            Qualifier::new(letters, true),
            Number::new(digits),
        ))
    } else if is_digit {
        Ok(Item::Number(Number::new(text)))
    } else {
        Ok(Item::Qualifier(Qualifier::new(text, false)))
    }
}

/// Java's `ListItem.normalize`, run from the deepest list up: drop null items (zeros) at the
/// end of a list or before a word (in the same list, or first in the nested list), drop empty
/// nested lists, and fold a list whose only item is a nested list into that list.
fn normalize(levels: Vec<Vec<Item>>) -> Box<[Box<[Item]>]> {
    /// What follows an item inside its list.
    #[derive(Clone, Copy)]
    enum Next {
        End,
        /// An item of the same list; `true` for a word.
        Item(bool),
        /// The nested list; `true` when it starts with a word or combination.
        List(bool),
    }

    let mut normalized: Vec<Box<[Item]>> = Vec::with_capacity(levels.len());
    // Whether the effective nested list of the level being normalised starts with a word;
    // `None` when there is no nested list (it was empty, so its parent drops it).
    let mut nested_starts_with_word: Option<bool> = None;
    for items in levels.into_iter().rev() {
        let mut next = nested_starts_with_word.map_or(Next::End, Next::List);
        let mut kept: Vec<Item> = Vec::with_capacity(items.len());
        for item in items.into_iter().rev() {
            let drop =
                item.is_null() && matches!(next, Next::End | Next::Item(true) | Next::List(true));
            if !drop {
                next = Next::Item(item.is_word());
                kept.push(item);
            }
        }
        kept.reverse();
        if let Some(first) = kept.first() {
            nested_starts_with_word = Some(first.is_word());
            normalized.push(kept.into_boxed_slice());
        }
        // An empty list either had no nested list (and its parent drops it) or held only its
        // nested list (and becomes it): either way it leaves no level behind.
    }
    normalized.reverse();
    normalized.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the item tree the way Java's `toListString` does, to pin the parse itself.
    fn tree(version: &MavenVersion) -> String {
        fn number(number: &Number) -> String {
            match number {
                Number::Small(value) => value.to_string(),
                Number::Big(digits) => digits.to_string(),
            }
        }
        fn item(item: &Item) -> String {
            match item {
                Item::Number(value) => number(value),
                Item::Qualifier(qualifier) => word(qualifier),
                Item::Combination(qualifier, value) => {
                    format!("{}{}", word(qualifier), number(value))
                }
            }
        }
        fn word(qualifier: &Qualifier) -> String {
            match qualifier {
                Qualifier::Known(known) => format!("{known:?}").to_lowercase(),
                Qualifier::Other(word) => word.to_string(),
            }
        }
        let mut out = String::new();
        for (depth, items) in version.levels.iter().enumerate() {
            if depth > 0 {
                out.push_str(", ");
            }
            out.push('[');
            let rendered: Vec<String> = items.iter().map(item).collect();
            out.push_str(&rendered.join(", "));
        }
        if version.levels.is_empty() {
            out.push('[');
        }
        out.push_str(&"]".repeat(version.levels.len().max(1)));
        out
    }

    fn parse(text: &str) -> MavenVersion {
        MavenVersion::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn compare(a: &str, b: &str) -> Ordering {
        parse(a).cmp(&parse(b))
    }

    #[test]
    fn item_trees_match_maven() {
        let cases = [
            ("1", "[1]"),
            ("1.0.0", "[1]"),
            ("0", "[]"),
            ("1.0alpha1", "[1, [alpha1]]"),
            ("1.2alpha3", "[1, 2, [alpha3]]"),
            ("1-alpha-1", "[1, [alpha1]]"),
            ("1.0-alpha-1", "[1, [alpha1]]"),
            ("1a1", "[1, [alpha1]]"),
            ("1a", "[1, [a]]"),
            ("1.0.0.RC1", "[1, [rc1]]"),
            ("2.0.abc", "[2, [abc]]"),
            ("1-0.alpha", "[1, [alpha]]"),
            ("0.x", "[x]"),
            ("0-1", "[0, [1]]"),
            ("1-ga", "[1, [release]]"),
            ("1.a.2", "[1, a, 2]"),
            ("1.0.a.2", "[1, a, 2]"),
            ("1--1", "[1, [0, [1]]]"),
            ("1-", "[1]"),
            ("1-alpha2snapshot", "[1, [alpha2, [snapshot]]]"),
            ("6.1H.5-beta", "[6, 1, [h, 5, [beta]]]"),
            ("0001.00020", "[1, 20]"),
            ("12345678901234567890", "[12345678901234567890]"),
            (".1", "[0, 1]"),
        ];
        for (text, expected) in cases {
            assert_eq!(tree(&parse(text)), expected, "{text}");
        }
    }

    #[test]
    fn ordering_surprises() {
        use Ordering::{Equal, Greater, Less};
        let cases = [
            // Trailing zeros and release words vanish.
            ("1", "1.0.0", Equal),
            ("1", "1-0", Equal),
            ("1", "0001", Equal),
            ("1-ga", "1", Equal),
            ("1-FINAL", "1.0", Equal),
            ("1.0-release", "1", Equal),
            // Case does not matter, even outside ASCII.
            ("1.0-RC1", "1.0-rc1", Equal),
            ("1.É", "1.é", Equal),
            // `cr` is `rc`; `a`, `b`, `m` are aliases only before digits.
            ("1-cr2", "1-rc2", Equal),
            ("1-a1", "1-alpha-1", Equal),
            ("1-b2", "1-beta2", Equal),
            ("1-m3", "1-milestone-3", Equal),
            ("1-a", "1", Greater),
            ("1-a", "1-alpha", Greater),
            // Qualifier order, with `sp` after release (MNG-7714).
            ("1-alpha", "1-beta", Less),
            ("1-beta", "1-milestone", Less),
            ("1-milestone", "1-rc", Less),
            ("1-rc", "1-snapshot", Less),
            ("1-snapshot", "1", Less),
            ("1", "1-sp", Less),
            ("1-sp", "1-abc", Less),
            ("1-abc", "1-abd", Less),
            // Numbers outrank words and nested lists.
            ("1-abc", "1-1", Less),
            ("1-1", "1.1", Less),
            ("1.0", "1.0-1", Less),
            ("1.0-1", "1.0.1", Less),
            ("7", "J", Greater),
            ("1.1", "1.a", Greater),
            // A word at the end moves into a sub-list; in the middle it does not.
            ("1.0.0.RC1", "1.0.0-RC2", Less),
            ("2.0.abc", "2-abc", Equal),
            // `X-1` is `X1`.
            ("1-alpha-1", "1-alpha1", Equal),
            ("1-ga-1", "1", Greater),
            ("1-ga0", "1", Equal),
            ("1-ga1", "1-ga2", Less),
            // Big numbers, no overflow.
            ("12345678901234567890", "12345678901234567891", Less),
            ("99999999999999999999", "100000000000000000000", Less),
            ("9999999999999999999", "10000000000000000000", Less),
            ("000000000000000000000000000001", "1", Equal),
            // Only ASCII digits are digits.
            ("1", "٨", Greater),
            ("1", "𝟤", Greater),
            // Java orders other words by UTF-16 unit: U+FF21 (fullwidth A) sorts after 𝟤
            // (a surrogate pair starting at U+D835) although its code point is smaller.
            ("x-𝟤", "x-ａ", Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare(a, b), expected, "{a} vs {b}");
            assert_eq!(compare(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_version() {
        let cases = [
            ("", "the version is empty"),
            ("   ", "the version is empty"),
            (" 1.0", "it has leading or trailing whitespace"),
            ("1.0\n", "it has leading or trailing whitespace"),
            ("1.\u{0}0", "it contains the control character \\u{0}"),
            (
                "-",
                "it has only `.` and `-` separators and no number or word",
            ),
            (
                "..-.",
                "it has only `.` and `-` separators and no number or word",
            ),
        ];
        for (text, reason) in cases {
            let error = MavenVersion::parse(text).unwrap_err();
            assert_eq!(error.reason(), reason, "{text:?}");
            assert_eq!(error.input(), text);
            assert_eq!(error.scheme(), Scheme::Maven);
        }
    }

    #[test]
    fn refuses_what_maven_fails_on_or_reads_by_unicode_tables() {
        for text in ["1𝟤", "1.𝟤", "1-𝟤", "a1𝟤", "٨a1", "x٨1", "a-٨", "1-rc-٣"] {
            assert!(MavenVersion::parse(text).is_err(), "{text}");
        }
        // Where Maven's ASCII-only scan decides, non-ASCII numerals are plain letters.
        for text in ["٨", "𝟤", "𝟤1", "a𝟤1", "1.٨", "1٨", "a.𝟤", "1-½"] {
            assert!(MavenVersion::parse(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn display_and_as_str_keep_the_text() {
        for text in ["1.0-RC1", "1.0.0", "1-ALPHA-1", "2.0.abc"] {
            let version = parse(text);
            assert_eq!(version.as_str(), text);
            assert_eq!(version.to_string(), text);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = "1-".repeat(200_000) + "1";
        let deeper = "1-".repeat(200_000) + "2";
        let (deep, deeper) = (parse(&deep), parse(&deeper));
        assert_eq!(deep.cmp(&deeper), Ordering::Less);
        assert_eq!(deep.cmp(&deep.clone()), Ordering::Equal);
        let alternating = "a1-".repeat(100_000);
        assert_eq!(parse(&alternating).cmp(&deep), Ordering::Less);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC*") {
            let _ = MavenVersion::parse(&text);
        }

        #[test]
        fn ordering_is_antisymmetric_and_transitive(
            a in "[0-2abmsp.-]{1,8}",
            b in "[0-2abmsp.-]{1,8}",
            c in "[0-2abmsp.-]{1,8}",
        ) {
            let (Ok(a), Ok(b), Ok(c)) =
                (MavenVersion::parse(&a), MavenVersion::parse(&b), MavenVersion::parse(&c))
            else {
                return Ok(());
            };
            proptest::prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c {
                proptest::prop_assert!(a <= c, "{} <= {} <= {} but not {} <= {}", a, b, c, a, c);
            }
        }
    }
}
