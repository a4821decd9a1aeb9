//! RubyGems version ordering against the `Gem::Version#<=>` cases of RubyGems' own test suite
//! (`test/rubygems/test_gem_version.rb`, transcribed in `rubygems-version.tsv`).

use qm_testdata::{Mismatches, sign, version_cases};
use qm_version::RubyGemsVersion;

#[test]
fn rubygems_test_gem_version_cases() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("rubygems-version.tsv") {
        let expected = case.expected_ordering();
        match (
            RubyGemsVersion::parse(&case.a),
            RubyGemsVersion::parse(&case.b),
        ) {
            (Ok(a), Ok(b)) => {
                let got = a.cmp(&b);
                mismatches.check(&case, got == expected, sign(got));
                let reverse = b.cmp(&a);
                mismatches.check(
                    &case,
                    reverse == expected.reverse(),
                    format_args!("an asymmetric reverse ({})", sign(reverse)),
                );
                mismatches.check(
                    &case,
                    (a == b) == (got == std::cmp::Ordering::Equal),
                    "`==` disagreeing with `cmp`",
                );
            }
            (Err(error), _) | (_, Err(error)) => mismatches.check(&case, false, error),
        }
    }
    mismatches.assert_none("rubygems-version.tsv");
}
