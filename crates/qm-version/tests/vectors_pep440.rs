//! PEP 440 ordering and validity against pypa/packaging's own test vectors.

use qm_testdata::{Mismatches, read_text, sign, version_cases};
use qm_version::Pep440Version;

#[test]
fn packaging_ordered_pairs() {
    let mut mismatches = Mismatches::new();
    for case in version_cases("pep440-packaging.tsv") {
        let expected = case.expected_ordering();
        match (Pep440Version::parse(&case.a), Pep440Version::parse(&case.b)) {
            (Ok(a), Ok(b)) => {
                let got = a.cmp(&b);
                mismatches.check(&case, got == expected, sign(got));
                mismatches.check(
                    &case,
                    b.cmp(&a) == expected.reverse(),
                    "an asymmetric reverse",
                );
            }
            (Err(error), _) | (_, Err(error)) => mismatches.check(&case, false, error),
        }
    }
    mismatches.assert_none("pep440-packaging.tsv");
}

#[test]
fn packaging_sorted_list_sorts_to_itself() {
    let text = read_text("vectors/versions/pep440-packaging-sorted.txt");
    let expected: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect();
    assert!(expected.len() > 80);
    let mut versions: Vec<Pep440Version> = expected
        .iter()
        .rev()
        .map(|text| Pep440Version::parse(text).unwrap())
        .collect();
    versions.sort();
    let got: Vec<&str> = versions.iter().map(Pep440Version::as_str).collect();
    assert_eq!(got, expected);
}

#[test]
fn packaging_invalid_versions_are_refused() {
    let text = read_text("vectors/versions/pep440-packaging-invalid.txt");
    let mut mismatches = Mismatches::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match Pep440Version::parse(line) {
            Ok(_) => mismatches.fail(format!(
                "pep440-packaging-invalid.txt:{}: `{line}` was accepted",
                index + 1
            )),
            Err(_) => mismatches.pass(),
        }
    }
    assert!(mismatches.checked() >= 15);
    mismatches.assert_none("pep440-packaging-invalid.txt");
}
