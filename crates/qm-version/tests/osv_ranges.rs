//! OSV `affected` evaluation: the schema's rules, case by case.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use qm_model::AffectedRanges;
use qm_version::{CompiledAffected, Evaluation, RangeError, Scheme, evaluate};
use serde_json::json;

fn affected(value: serde_json::Value) -> AffectedRanges {
    serde_json::from_value(value).unwrap()
}

fn ecosystem_range(events: serde_json::Value) -> AffectedRanges {
    affected(json!({ "ranges": [{ "type": "ECOSYSTEM", "events": events }] }))
}

/// (installed, affected, fixed)
type Case = (&'static str, bool, Option<&'static str>);

fn check(ranges: &AffectedRanges, scheme: Scheme, cases: &[Case]) {
    let compiled = CompiledAffected::new(ranges, scheme).unwrap();
    for (installed, affected, fixed) in cases {
        let Evaluation {
            affected: got_affected,
            fixed: got_fixed,
            ..
        } = compiled.evaluate(installed).unwrap();
        assert_eq!(
            (got_affected, got_fixed.as_deref()),
            (*affected, *fixed),
            "installed {installed} in {ranges:?}"
        );
    }
}

#[test]
fn introduced_zero_and_fixed() {
    let ranges = ecosystem_range(json!([{ "introduced": "0" }, { "fixed": "1.2.3" }]));
    check(
        &ranges,
        Scheme::Cargo,
        &[
            ("0.0.1", true, Some("1.2.3")),
            ("1.2.2", true, Some("1.2.3")),
            ("1.2.3-rc.1", true, Some("1.2.3")),
            ("1.2.3", false, None),
            ("2.0.0", false, None),
        ],
    );
}

#[test]
fn several_intervals_in_one_range_and_out_of_order_events() {
    // Events deliberately shuffled: the schema allows any order.
    let ranges = ecosystem_range(json!([
        { "fixed": "2.0.3" },
        { "introduced": "1.0" },
        { "introduced": "2.0" },
        { "fixed": "1.4.2" },
    ]));
    check(
        &ranges,
        Scheme::Pep440,
        &[
            ("0.9", false, None),
            ("1.0", true, Some("1.4.2")),
            ("1.4.1", true, Some("1.4.2")),
            ("1.4.2", false, None),
            ("1.9", false, None),
            ("2.0", true, Some("2.0.3")),
            ("2.0.3", false, None),
        ],
    );
}

#[test]
fn last_affected_is_inclusive_and_offers_a_later_fix() {
    let ranges = affected(json!({ "ranges": [
        { "type": "ECOSYSTEM", "events": [{ "introduced": "1.0.0" }, { "last_affected": "1.5.0" }] },
        { "type": "ECOSYSTEM", "events": [{ "introduced": "2.0.0" }, { "fixed": "2.1.0" }] },
    ]}));
    check(
        &ranges,
        Scheme::SemVer,
        &[
            ("1.5.0", true, Some("2.1.0")),
            ("1.5.1", false, None),
            ("2.0.5", true, Some("2.1.0")),
        ],
    );
    let open = ecosystem_range(json!([{ "introduced": "1.0.0" }, { "last_affected": "1.5.0" }]));
    check(&open, Scheme::SemVer, &[("1.2.0", true, None)]);
}

#[test]
fn limit_caps_the_range() {
    let ranges = ecosystem_range(json!([{ "introduced": "0" }, { "limit": "2.0.0" }]));
    check(
        &ranges,
        Scheme::Hex,
        &[
            ("1.9.9", true, None),
            ("2.0.0", false, None),
            ("3.0.0", false, None),
        ],
    );
}

#[test]
fn lowest_fix_across_ranges_wins() {
    let ranges = affected(json!({ "ranges": [
        { "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "1:2.0-1" }] },
        { "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "1:1.5-1" }] },
    ]}));
    check(&ranges, Scheme::Dpkg, &[("1:1.0-1", true, Some("1:1.5-1"))]);
}

#[test]
fn semver_ranges_use_the_ecosystem_flavour() {
    // Go writes `v` prefixes in go.mod; OSV writes none.
    let ranges = affected(json!({ "ranges": [
        { "type": "SEMVER", "events": [{ "introduced": "0" }, { "fixed": "1.20.5" }] },
    ]}));
    check(
        &ranges,
        Scheme::Go,
        &[
            ("v1.20.4", true, Some("1.20.5")),
            ("v0.0.0-20230101000000-abcdefabcdef", true, Some("1.20.5")),
            ("v1.20.5", false, None),
        ],
    );
    // A non-SemVer ecosystem reads SEMVER ranges with plain SemVer.
    check(&ranges, Scheme::Pep440, &[("1.20.4", true, Some("1.20.5"))]);
}

#[test]
fn versions_list_matches_by_scheme_equality() {
    let ranges = affected(json!({ "versions": ["1.0", "1.1", "not a version"] }));
    check(
        &ranges,
        Scheme::Pep440,
        &[
            ("1.0.0", true, None),
            ("1.1", true, None),
            ("1.2", false, None),
        ],
    );
    check(&ranges, Scheme::Generic, &[("not a version", true, None)]);
}

#[test]
fn git_ranges_are_counted_not_used() {
    let ranges = affected(json!({ "ranges": [
        { "type": "GIT", "repo": "https://example.com/repo",
          "events": [{ "introduced": "0" }, { "fixed": "abcdef0123456789" }] },
    ]}));
    let evaluation = evaluate(&ranges, Scheme::Pep440, "1.0").unwrap();
    assert!(!evaluation.affected);
    assert_eq!(evaluation.git_ranges_skipped, 1);
}

#[test]
fn invalid_data_is_an_error_or_a_reported_drop() {
    let ranges = ecosystem_range(json!([{ "introduced": "0" }, { "fixed": "2019-09-12" }]));
    let error = CompiledAffected::new(&ranges, Scheme::Pep440).unwrap_err();
    assert!(matches!(
        error,
        RangeError::InvalidEvent {
            range: 0,
            key: "fixed",
            ..
        }
    ));
    let (compiled, problems) = CompiledAffected::new_lenient(&ranges, Scheme::Pep440);
    assert_eq!(problems.len(), 1);
    let evaluation = compiled.evaluate("1.0").unwrap();
    assert!(evaluation.affected);
    assert_eq!(evaluation.ignored_events, 1);

    let no_introduced = ecosystem_range(json!([{ "fixed": "1.0" }]));
    assert_eq!(
        CompiledAffected::new(&no_introduced, Scheme::Pep440).unwrap_err(),
        RangeError::NoIntroduced { range: 0 }
    );
    let ok = ecosystem_range(json!([{ "introduced": "0" }]));
    assert!(matches!(
        evaluate(&ok, Scheme::Pep440, "french toast"),
        Err(RangeError::InvalidInstalled(_))
    ));
}

#[test]
fn malformed_events_are_refused_when_deserialising() {
    for events in [
        json!([{ "introduced": "0", "fixed": "1" }]),
        json!([{}]),
        json!([{ "fixd": "1" }]),
    ] {
        let value = json!({ "ranges": [{ "type": "ECOSYSTEM", "events": events }] });
        assert!(serde_json::from_value::<AffectedRanges>(value).is_err());
    }
}
