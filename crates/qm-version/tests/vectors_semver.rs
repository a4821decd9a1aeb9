//! SemVer 2.0.0 precedence (the specification's own examples) in every SemVer flavour.

use std::cmp::Ordering;

use qm_testdata::{Mismatches, sign, version_cases};
use qm_version::Scheme;

#[test]
fn specification_precedence_in_every_flavour() {
    let cases = version_cases("semver-spec-precedence.tsv");
    for scheme in [
        Scheme::SemVer,
        Scheme::Cargo,
        Scheme::Hex,
        Scheme::Pub,
        Scheme::Npm,
        Scheme::NuGet,
        Scheme::Go,
    ] {
        let mut mismatches = Mismatches::new();
        for case in &cases {
            let expected = case.expected_ordering();
            match scheme.compare(&case.a, &case.b) {
                Ok(got) => mismatches.check(case, got == expected, sign(got)),
                Err(error) => mismatches.check(case, false, error),
            }
        }
        mismatches.assert_none(&format!("semver-spec-precedence.tsv as {scheme}"));
    }
}

#[test]
fn osv_semver_tolerates_advisory_spellings() {
    assert_eq!(
        Scheme::SemVer.compare("v1.2.3", "1.2.3"),
        Ok(Ordering::Equal)
    );
    assert_eq!(
        Scheme::SemVer.compare("0", "0.0.0-0"),
        Ok(Ordering::Greater)
    );
}
