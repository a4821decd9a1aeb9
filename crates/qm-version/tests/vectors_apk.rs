//! Every row of apk-tools' own version vectors (`test/unit/version.data` at commit 90b974fd),
//! both as the verbatim file and as the TSV extracted from it.

use std::cmp::Ordering;

use qm_testdata::{Mismatches, VersionCase, sign};
use qm_version::ApkVersion;

const TSV: &str = "apk-version.tsv";
const DATA: &str = "apk-tools-version.data";

/// Rows whose versions are not all valid, so only apk's own walk over raw strings can order
/// them. Upstream marks only the first (`# invalid. do string sort`); `23_foo` is invalid too
/// (`_foo` is no suffix) but is ordered by its leading `23` before the walk reaches `_foo`.
const NEEDS_APK_FALLBACK: &[(&str, &str)] = &[("23_foo", "4_beta"), ("1.0", "1.0bc")];

/// Compares like a caller would: parsed versions where both are valid, apk's walk otherwise.
/// Returns the ordering and whether the fallback was needed.
fn compare(a: &str, b: &str) -> (Ordering, bool) {
    match (ApkVersion::parse(a), ApkVersion::parse(b)) {
        (Ok(left), Ok(right)) => (left.cmp(&right), false),
        _ => (ApkVersion::compare_like_apk(a, b), true),
    }
}

/// Checks one comparison row: the expected sign, antisymmetry, agreement of the parsed
/// ordering with apk's walk, and that the fallback is needed only where listed.
fn check_comparison(mismatches: &mut Mismatches, case: &VersionCase, expected: Ordering) {
    let (got, fallback) = compare(&case.a, &case.b);
    mismatches.check(case, got == expected, sign(got));

    let (reversed, _) = compare(&case.b, &case.a);
    if reversed != got.reverse() {
        mismatches.fail(format_args!(
            "{}:{}: not antisymmetric: `{}` vs `{}` is {got:?} but reversed is {reversed:?}",
            case.file, case.line, case.a, case.b
        ));
    }

    let like_apk = ApkVersion::compare_like_apk(&case.a, &case.b);
    if like_apk != got {
        mismatches.fail(format_args!(
            "{}:{}: parsed ordering {got:?} differs from apk's walk {like_apk:?}",
            case.file, case.line
        ));
    }

    let listed = NEEDS_APK_FALLBACK.contains(&(case.a.as_str(), case.b.as_str()));
    if fallback != listed {
        mismatches.fail(format_args!(
            "{}:{}: `{}` vs `{}` needs the fallback: {fallback}, listed: {listed}",
            case.file, case.line, case.a, case.b
        ));
    }
}

/// One meaningful line of `version.data`, read the way apk-tools' `version_test_one` reads it:
/// drop everything from `#`, trim, then `ver1 op ver2` or a lone `[!]version`.
enum DataLine {
    Compare {
        case: VersionCase,
        op: String,
        invert: bool,
    },
    Valid {
        case: VersionCase,
        expect_valid: bool,
    },
}

fn data_lines() -> Vec<DataLine> {
    let text = qm_testdata::read_text(&format!("vectors/versions/{DATA}"));
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let (content, comment) = raw.split_once('#').unwrap_or((raw, ""));
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        let case = |a: &str, b: &str, expected: &str| VersionCase {
            file: DATA.to_owned(),
            line: index + 1,
            a: a.to_owned(),
            b: b.to_owned(),
            expected: expected.to_owned(),
            extra: vec![comment.trim().to_owned()],
        };
        let mut words = content.splitn(3, ' ');
        match (words.next(), words.next(), words.next()) {
            (Some(a), Some(op), Some(b)) => {
                let (op, invert) = match op.strip_prefix('!') {
                    Some(op) => (op, true),
                    None => (op, false),
                };
                lines.push(DataLine::Compare {
                    case: case(a, b, &format!("{}{op}", if invert { "!" } else { "" })),
                    op: op.to_owned(),
                    invert,
                });
            }
            _ => {
                let (version, expect_valid) = match content.strip_prefix('!') {
                    Some(version) => (version, false),
                    None => (content, true),
                };
                let expected = if expect_valid { "valid" } else { "invalid" };
                lines.push(DataLine::Valid {
                    case: case(version, "", expected),
                    expect_valid,
                });
            }
        }
    }
    lines
}

#[test]
fn tsv_rows_compare_as_upstream_says() {
    let mut mismatches = Mismatches::new();
    for case in qm_testdata::version_cases(TSV) {
        check_comparison(&mut mismatches, &case, case.expected_ordering());
    }
    assert_eq!(mismatches.checked(), 738, "every row of {TSV} is checked");
    mismatches.assert_none(TSV);
}

#[test]
fn data_comparison_lines_hold() {
    let mut mismatches = Mismatches::new();
    let mut rows = 0;
    for line in data_lines() {
        let DataLine::Compare { case, op, invert } = line else {
            continue;
        };
        if op.contains('~') {
            continue;
        }
        rows += 1;
        let expected = match (op.as_str(), invert) {
            ("<", false) => Ordering::Less,
            ("=", false) => Ordering::Equal,
            (">", false) => Ordering::Greater,
            _ => {
                mismatches.fail(format_args!(
                    "{}:{}: unexpected operator `{}`",
                    case.file, case.line, case.expected
                ));
                continue;
            }
        };
        check_comparison(&mut mismatches, &case, expected);
    }
    assert_eq!(
        rows, 738,
        "the comparison lines of {DATA} are the TSV's rows"
    );
    mismatches.assert_none(DATA);
}

/// Upstream marks the rows that need apk's walk over invalid strings with a comment saying so;
/// each of them is one we list.
#[test]
fn rows_marked_invalid_upstream_need_the_fallback() {
    let marked: Vec<(String, String)> = data_lines()
        .into_iter()
        .filter_map(|line| match line {
            DataLine::Compare { case, .. }
                if case.extra.iter().any(|comment| comment.contains("invalid")) =>
            {
                Some((case.a, case.b))
            }
            _ => None,
        })
        .collect();
    assert_eq!(marked, [("1.0".to_owned(), "1.0bc".to_owned())]);
    for (a, b) in &marked {
        assert!(NEEDS_APK_FALLBACK.contains(&(a.as_str(), b.as_str())));
        assert!(ApkVersion::parse(b).is_err(), "`{b}` is invalid");
    }
}

/// The fuzzy lines: `~` is apk's fuzzy match, `<~` and `>~` allow it or the strict order, and a
/// leading `!` negates. apk checks `compare_fuzzy(a, b) & mask`, where the fuzzy comparison is
/// `Equal` exactly when `a ~ b` and the strict ordering otherwise.
#[test]
fn data_fuzzy_lines_hold() {
    let mut mismatches = Mismatches::new();
    let mut rows = 0;
    for line in data_lines() {
        let DataLine::Compare { case, op, invert } = line else {
            continue;
        };
        if !op.contains('~') {
            continue;
        }
        rows += 1;
        let (fuzzy, strict, parsed) = match (ApkVersion::parse(&case.a), ApkVersion::parse(&case.b))
        {
            (Ok(a), Ok(b)) => (a.fuzzy_matches(&b), a.cmp(&b), true),
            _ => (
                ApkVersion::fuzzy_matches_like_apk(&case.a, &case.b),
                ApkVersion::compare_like_apk(&case.a, &case.b),
                false,
            ),
        };
        if fuzzy != ApkVersion::fuzzy_matches_like_apk(&case.a, &case.b) {
            mismatches.fail(format_args!(
                "{}:{}: parsed fuzzy match differs from apk's",
                case.file, case.line
            ));
        }
        let result = if fuzzy { Ordering::Equal } else { strict };
        let allowed = match op.as_str() {
            "~" => [Ordering::Equal].as_slice(),
            "<~" => &[Ordering::Less, Ordering::Equal],
            ">~" => &[Ordering::Greater, Ordering::Equal],
            _ => {
                mismatches.fail(format_args!(
                    "{}:{}: unexpected operator `{}`",
                    case.file, case.line, case.expected
                ));
                continue;
            }
        };
        let holds = allowed.contains(&result) != invert;
        let got = format!("{result:?} (parsed: {parsed})");
        mismatches.check(&case, holds, got);
    }
    assert_eq!(rows, 16, "every fuzzy line of {DATA} is checked");
    mismatches.assert_none(DATA);
}

#[test]
fn data_validity_lines_hold() {
    let mut mismatches = Mismatches::new();
    let (mut valid, mut invalid) = (0, 0);
    for line in data_lines() {
        let DataLine::Valid { case, expect_valid } = line else {
            continue;
        };
        if expect_valid {
            valid += 1;
        } else {
            invalid += 1;
        }
        match ApkVersion::parse(&case.a) {
            Ok(version) => {
                mismatches.check(&case, expect_valid, "valid");
                if version.as_str() != case.a || version.to_string() != case.a {
                    mismatches.fail(format_args!(
                        "{}:{}: `{}` does not keep its text",
                        case.file, case.line, case.a
                    ));
                }
            }
            Err(error) => mismatches.check(&case, !expect_valid, format!("invalid: {error}")),
        }
    }
    assert_eq!(
        (valid, invalid),
        (6, 25),
        "every validity line of {DATA} is checked"
    );
    mismatches.assert_none(DATA);
}
