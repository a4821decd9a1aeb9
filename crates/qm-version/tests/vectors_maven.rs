//! Maven version ordering against the cases of Maven's own `ComparableVersionTest`.

use qm_testdata::{Mismatches, sign, version_cases};
use qm_version::MavenVersion;

#[test]
fn comparable_version_test_suite() {
    let file = "maven-comparableversion.tsv";
    let cases = version_cases(file);
    let mut mismatches = Mismatches::new();
    for case in &cases {
        let expected = case.expected_ordering();
        match (MavenVersion::parse(&case.a), MavenVersion::parse(&case.b)) {
            (Ok(a), Ok(b)) => {
                let got = a.cmp(&b);
                mismatches.check(case, got == expected, sign(got));
                // Equality must be ordering equality, in both directions.
                mismatches.check(case, (a == b) == expected.is_eq(), "`==` disagreeing");
                let reverse = b.cmp(&a);
                mismatches.check(
                    case,
                    reverse == expected.reverse(),
                    format_args!("an asymmetric reverse {}", sign(reverse)),
                );
            }
            (Err(error), _) | (_, Err(error)) => mismatches.check(case, false, error),
        }
    }
    assert_eq!(cases.len(), 978, "{file}: the row count changed");
    mismatches.assert_none(file);
}
