//! Debian version ordering against dpkg's and APT's own test vectors.

use qm_testdata::{Mismatches, VersionCase, read_text, sign, version_cases};
use qm_version::DpkgVersion;

fn check_file(cases: &[VersionCase], mismatches: &mut Mismatches) {
    for case in cases {
        let expected = case.expected_ordering();
        match (DpkgVersion::parse(&case.a), DpkgVersion::parse(&case.b)) {
            (Ok(a), Ok(b)) => {
                let got = a.cmp(&b);
                mismatches.check(case, got == expected, sign(got));
                let reverse = b.cmp(&a);
                mismatches.check(case, reverse == expected.reverse(), "an asymmetric reverse");
            }
            (Err(error), _) | (_, Err(error)) => mismatches.check(case, false, error),
        }
    }
}

#[test]
fn dpkg_perl_test_suite() {
    let mut mismatches = Mismatches::new();
    check_file(&version_cases("dpkg-Dpkg_Version.tsv"), &mut mismatches);
    mismatches.assert_none("dpkg-Dpkg_Version.tsv");
}

#[test]
fn apt_compareversion_test() {
    let mut mismatches = Mismatches::new();
    check_file(
        &version_cases("dpkg-apt-compareversion.tsv"),
        &mut mismatches,
    );
    mismatches.assert_none("dpkg-apt-compareversion.tsv");
}

/// APT's historical `versions.lst`: `a b expected` separated by spaces, `#` comments.
#[test]
fn apt_historical_versions_list() {
    let file = "apt-versions.lst.historical";
    let text = read_text(&format!("vectors/versions/{file}"));
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // Rows may end in a `# comment`.
        let data = line.split_once(" #").map_or(line, |(data, _)| data);
        let fields: Vec<&str> = data.split_whitespace().collect();
        let [a, b, expected] = fields[..] else {
            panic!("{file}:{}: expected three fields", index + 1);
        };
        cases.push(VersionCase {
            file: file.to_owned(),
            line: index + 1,
            a: a.to_owned(),
            b: b.to_owned(),
            expected: expected.to_owned(),
            extra: Vec::new(),
        });
    }
    assert!(cases.len() > 50, "{file}: only {} cases", cases.len());
    let mut mismatches = Mismatches::new();
    check_file(&cases, &mut mismatches);
    mismatches.assert_none(file);
}
