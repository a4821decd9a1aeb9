//! RPM version ordering against rpm's own `rpmvercmp` test vectors.

use qm_testdata::{Mismatches, sign, version_cases};
use qm_version::RpmVersion;

#[test]
fn rpm_rpmvercmp_test_suite() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("rpm-rpmvercmp.tsv") {
        let expected = case.expected_ordering();
        let got = RpmVersion::vercmp(&case.a, &case.b);
        mismatches.check(&case, got == expected, sign(got));
        let reverse = RpmVersion::vercmp(&case.b, &case.a);
        mismatches.check(
            &case,
            reverse == expected.reverse(),
            "an asymmetric reverse",
        );
        // Rows without epoch or release separators must agree when parsed as whole EVRs.
        if !(case.a.contains(['-', ':']) || case.b.contains(['-', ':'])) {
            match (RpmVersion::parse(&case.a), RpmVersion::parse(&case.b)) {
                (Ok(a), Ok(b)) => {
                    let got = a.cmp(&b);
                    mismatches.check(&case, got == expected, format!("{} as EVR", sign(got)));
                }
                (Err(error), _) | (_, Err(error)) => mismatches.check(&case, false, error),
            }
        }
    }
    mismatches.assert_none("rpm-rpmvercmp.tsv");
}
