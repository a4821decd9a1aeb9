//! npm's node-semver, against its own test fixtures: version ordering, SemVer precedence and
//! range satisfaction.

use std::cmp::Ordering;

use qm_testdata::{Mismatches, VersionCase, sign, version_cases};
use qm_version::{NpmRange, NpmRangeOptions, NpmVersion};

fn parse(text: &str, loose: bool) -> Result<NpmVersion, qm_version::VersionError> {
    if loose {
        NpmVersion::parse_loose(text)
    } else {
        NpmVersion::parse(text)
    }
}

/// Checks one comparison row both ways round, and that equality agrees with the ordering.
fn check_ordering(mismatches: &mut Mismatches, case: &VersionCase, loose: bool) {
    let expected = case.expected_ordering();
    match (parse(&case.a, loose), parse(&case.b, loose)) {
        (Ok(a), Ok(b)) => {
            let got = a.cmp(&b);
            mismatches.check(case, got == expected, sign(got));
            mismatches.check(
                case,
                b.cmp(&a) == expected.reverse(),
                "an asymmetric reverse",
            );
            mismatches.check(
                case,
                (a == b) == (expected == Ordering::Equal),
                "equality disagreeing with the ordering",
            );
        }
        (Err(error), _) | (_, Err(error)) => mismatches.check(case, false, error),
    }
}

#[test]
fn node_semver_comparisons_and_equalities() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("semver-node-semver.tsv") {
        let loose = case.extra.iter().any(|flag| flag.trim() == "loose");
        check_ordering(&mut mismatches, &case, loose);
    }
    mismatches.assert_none("semver-node-semver.tsv");
}

#[test]
fn semver_specification_precedence() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("semver-spec-precedence.tsv") {
        check_ordering(&mut mismatches, &case, false);
    }
    mismatches.assert_none("semver-spec-precedence.tsv");
}

/// JavaScript truthiness of an option value as the fixture writes it.
fn truthy(value: &str) -> bool {
    !matches!(
        value.trim(),
        "false" | "0" | "-0" | "NaN" | "null" | "undefined" | "''" | "\"\""
    )
}

/// The fourth column: options as written in the JavaScript fixture.
fn range_options(case: &VersionCase) -> NpmRangeOptions {
    let column = case.extra.first().map_or("", |column| column.trim());
    let mut options = NpmRangeOptions::default();
    if column == "true" {
        options.loose = true;
    } else if let Some(object) = column
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
    {
        for entry in object.split(',').filter(|entry| !entry.trim().is_empty()) {
            let (key, value) = entry
                .split_once(':')
                .unwrap_or_else(|| panic!("{}:{}: bad option `{entry}`", case.file, case.line));
            match key.trim() {
                "loose" => options.loose = truthy(value),
                "includePrerelease" => options.include_prerelease = truthy(value),
                other => panic!("{}:{}: unknown option `{other}`", case.file, case.line),
            }
        }
    } else {
        // `""`, `false` and a regular expression such as `/asdf/` set nothing.
        assert!(
            column.is_empty() || column == "false" || column.starts_with('/'),
            "{}:{}: unknown options `{column}`",
            case.file,
            case.line
        );
    }
    options
}

#[test]
fn node_semver_range_include_and_exclude() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("semver-node-semver-ranges.tsv") {
        let expected = match case.expected.trim() {
            "true" => true,
            "false" => false,
            other => panic!("{}:{}: bad expected value `{other}`", case.file, case.line),
        };
        let options = range_options(&case);
        // node-semver's `satisfies` is false when the range or the version does not parse, and
        // parses the version with the range's options.
        let got = match NpmRange::parse(&case.a, options) {
            Ok(range) => {
                parse(&case.b, options.loose).is_ok_and(|version| range.satisfies(&version))
            }
            Err(_) => false,
        };
        mismatches.check(&case, got == expected, got);
    }
    mismatches.assert_none("semver-node-semver-ranges.tsv");
}
