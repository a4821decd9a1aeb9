//! The ignore file: entries by id, purl, package name and source package name; expiry;
//! entries that match nothing; and errors that name the file and line.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod suppress_support;

use qm_match::{
    QualifierDifference, RuleSource, SuppressError, SuppressOutcome, SuppressedBy, Suppressions,
    UnmatchReason,
};
use qm_model::{Ecosystem, Inventory, Timestamp};
use suppress_support::{at, directory, finding, ids, inventory, package, with_source};

fn ignore(text: &str) -> Suppressions {
    let mut suppressions = Suppressions::new();
    suppressions.add_ignore(".qmignore.toml", text).unwrap();
    suppressions
}

fn scan() -> (Inventory, Vec<qm_match::Finding>) {
    let inventory = inventory(
        directory("dir:."),
        vec![
            with_source(
                package(
                    Ecosystem::Debian,
                    "libssl3",
                    "3.0.11-1~deb12u2",
                    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
                ),
                "openssl",
            ),
            package(Ecosystem::PyPI, "Jinja2", "3.1.2", "pkg:pypi/jinja2@3.1.2"),
            package(
                Ecosystem::Npm,
                "lodash",
                "4.17.20",
                "pkg:npm/lodash@4.17.20",
            ),
        ],
    );
    let findings = vec![
        finding(&inventory, 0, "CVE-2024-0727", &[]),
        finding(&inventory, 1, "CVE-2024-22195", &["GHSA-h5c8-rqwp-cp95"]),
        finding(&inventory, 2, "CVE-2021-23337", &["GHSA-35jh-r3h4-6jhm"]),
        finding(&inventory, 2, "CVE-2020-28500", &[]),
    ];
    (inventory, findings)
}

fn apply_at(suppressions: &Suppressions, now: Timestamp) -> SuppressOutcome {
    let (inventory, findings) = scan();
    suppressions.apply(findings, &inventory, now)
}

#[test]
fn entries_suppress_by_id_purl_name_and_source_name() {
    let suppressions = ignore(
        r#"
# Reviewed 2025-05-20.
[[ignore]]
id = "CVE-2024-0727"
package = "openssl"           # the source package of libssl3
reason = "PKCS12 files are never parsed"

[[ignore]]
id = "ghsa-h5c8-rqwp-cp95"    # an alias, any case
package = "jinja2"
reason = "templates are ours"

[[ignore]]
id = "CVE-2021-23337"
package = "pkg:npm/lodash"    # a purl without version: every version
expires = 2026-12-31
"#,
    );
    assert_eq!(suppressions.len(), 3);
    let outcome = apply_at(&suppressions, at("2025-06-01T00:00:00Z"));
    assert_eq!(
        ids(&outcome.kept),
        [(
            "CVE-2020-28500".to_owned(),
            "pkg:npm/lodash@4.17.20".to_owned()
        )]
    );
    let by: Vec<(String, SuppressedBy)> = outcome
        .suppressed
        .iter()
        .map(|s| (s.finding.id.clone(), s.by.clone()))
        .collect();
    assert_eq!(
        by,
        vec![
            (
                "CVE-2024-0727".to_owned(),
                SuppressedBy::Ignore {
                    file: ".qmignore.toml".to_owned(),
                    line: 4,
                    reason: Some("PKCS12 files are never parsed".to_owned()),
                    expires: None
                }
            ),
            (
                "CVE-2024-22195".to_owned(),
                SuppressedBy::Ignore {
                    file: ".qmignore.toml".to_owned(),
                    line: 9,
                    reason: Some("templates are ours".to_owned()),
                    expires: None
                }
            ),
            (
                "CVE-2021-23337".to_owned(),
                SuppressedBy::Ignore {
                    file: ".qmignore.toml".to_owned(),
                    line: 14,
                    reason: None,
                    expires: Some("2026-12-31".to_owned())
                }
            ),
        ]
    );
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
    assert!(outcome.expired.is_empty());
}

#[test]
fn an_entry_without_package_covers_every_package() {
    let suppressions =
        ignore("[[ignore]]\nid = \"CVE-2020-28500\"\nreason = \"no user input reaches trim\"\n");
    let outcome = apply_at(&suppressions, at("2025-06-01T00:00:00Z"));
    assert_eq!(outcome.suppressed.len(), 1);
    assert_eq!(outcome.kept.len(), 3);
}

#[test]
fn expiry_is_inclusive_of_its_day_and_expired_entries_are_reported() {
    let text = r#"
[[ignore]]
id = "CVE-2021-23337"
package = "pkg:npm/lodash@4.17.20"
reason = "waiting for the upstream release"
expires = 2025-06-30

[[ignore]]
id = "CVE-2020-28500"
expires = "2025-06-30T12:00:00Z"

[[ignore]]
id = "CVE-1999-0001"
expires = 2020-01-01
"#;
    let suppressions = ignore(text);

    // On the last day of a date expiry, before noon: both suppress.
    let outcome = apply_at(&suppressions, at("2025-06-30T11:59:59Z"));
    assert_eq!(outcome.suppressed.len(), 2);
    assert_eq!(outcome.expired.len(), 1, "the 2020 entry");

    // After noon the timestamp entry has expired; the date entry holds until midnight.
    let outcome = apply_at(&suppressions, at("2025-06-30T23:59:59Z"));
    let suppressed: Vec<&str> = outcome
        .suppressed
        .iter()
        .map(|s| s.finding.id.as_str())
        .collect();
    assert_eq!(suppressed, ["CVE-2021-23337"]);

    let outcome = apply_at(&suppressions, at("2025-07-01T00:00:00Z"));
    assert!(outcome.suppressed.is_empty());
    assert_eq!(outcome.kept.len(), 4);
    let expired: Vec<(usize, &str, &str, usize)> = outcome
        .expired
        .iter()
        .map(|expired| {
            (
                expired.line,
                expired.id.as_str(),
                expired.expires.as_str(),
                expired.findings,
            )
        })
        .collect();
    assert_eq!(
        expired,
        [
            (3, "CVE-2021-23337", "2025-06-30", 1),
            (9, "CVE-2020-28500", "2025-06-30T12:00:00Z", 1),
            (13, "CVE-1999-0001", "2020-01-01", 0),
        ]
    );
    assert_eq!(
        outcome.expired[0].to_string(),
        "`.qmignore.toml` line 3: the entry for `CVE-2021-23337` expired on 2025-06-30 and no longer suppresses 1 finding"
    );
    // Expired entries are not also reported as unmatched.
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
    assert_eq!(
        outcome.expired[0].reason.as_deref(),
        Some("waiting for the upstream release")
    );
    assert_eq!(
        outcome.expired[0].package.as_deref(),
        Some("pkg:npm/lodash@4.17.20")
    );
}

#[test]
fn entries_that_match_nothing_are_reported() {
    let suppressions = ignore(
        r#"
[[ignore]]
id = "CVE-2099-0001"

[[ignore]]
id = "CVE-2024-0727"
package = "pkg:deb/debian/libssl3?distro=debian-12.13"

[[ignore]]
id = "CVE-2024-0727"
package = "curl"

[[ignore]]
id = "CVE-2024-0727"
package = "lodash"

[[ignore]]
id = "CVE-2021-23337"
package = "pkg:npm/lodash@4.17.21"
"#,
    );
    let outcome = apply_at(&suppressions, at("2025-06-01T00:00:00Z"));
    assert_eq!(outcome.kept.len(), 4);
    let reasons: Vec<(usize, UnmatchReason)> = outcome
        .unmatched
        .iter()
        .map(|unmatched| {
            let RuleSource::Ignore { line, .. } = unmatched.source else {
                panic!()
            };
            (line, unmatched.reason.clone())
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            (3, UnmatchReason::UnknownVulnerability),
            (
                6,
                UnmatchReason::QualifierMismatch {
                    statement_purl: "pkg:deb/debian/libssl3?distro=debian-12.13".to_owned(),
                    package_purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl".to_owned(),
                    differing: vec![QualifierDifference {
                        key: "distro".to_owned(),
                        statement: "debian-12.13".to_owned(),
                        package: Some("debian-12".to_owned())
                    }],
                }
            ),
            (10, UnmatchReason::UnknownProduct { target_names: vec![] }),
            (
                14,
                UnmatchReason::NotInProduct {
                    found_in: vec!["pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl".to_owned()]
                }
            ),
            (
                18,
                UnmatchReason::VersionMismatch {
                    statement_purl: "pkg:npm/lodash@4.17.21".to_owned(),
                    package_versions: vec!["4.17.20".to_owned()]
                }
            ),
        ]
    );
    assert_eq!(
        outcome.unmatched[2].to_string(),
        "`.qmignore.toml` line 10: no package is `curl` (in any version, with any qualifiers)"
    );
}

#[test]
fn an_affected_vex_statement_does_not_stop_an_ignore_entry() {
    let mut suppressions =
        ignore("[[ignore]]\nid = \"CVE-2024-0727\"\nreason = \"accepted risk\"\n");
    suppressions
        .add_vex(
            "vex.json",
            br#"{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2025-01-01T00:00:00Z",
                 "statements": [{"vulnerability": {"name": "CVE-2024-0727"},
                                 "products": [{"@id": "pkg:deb/debian/libssl3"}],
                                 "status": "affected"}]}"#,
        )
        .unwrap();
    let outcome = apply_at(&suppressions, at("2025-06-01T00:00:00Z"));
    assert_eq!(outcome.suppressed.len(), 1);
    assert!(matches!(
        outcome.suppressed[0].by,
        SuppressedBy::Ignore { line: 2, .. }
    ));
    // Both rules applied: neither is unmatched.
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
}

fn error_of(text: &str) -> SuppressError {
    Suppressions::new()
        .add_ignore("qm-ignore.toml", text)
        .unwrap_err()
}

#[test]
fn errors_name_the_file_and_line() {
    // A misspelt key must not silently make an entry permanent.
    let error = error_of("[[ignore]]\nid = \"CVE-1\"\nexpire = 2025-01-01\n");
    assert!(
        matches!(error, SuppressError::Toml { line: 3, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("`qm-ignore.toml` line 3, column 1: unknown field `expire`"),
        "{error}"
    );
    assert!(error.hint().is_some());

    let error = error_of("[[ignore]]\nreason = \"no id\"\n");
    assert!(matches!(error, SuppressError::Toml { .. }), "{error:?}");
    assert!(error.to_string().contains("missing field `id`"), "{error}");

    let error = error_of("[[ignore]]\nid = \"CVE-1\"\n\nexpires = \"soon\"\n");
    assert_eq!(
        error.to_string(),
        "`qm-ignore.toml` line 4: `expires = soon` is neither a date (`2026-12-31`) nor a timestamp with an offset (`2026-12-31T12:00:00Z`)"
    );

    let error = error_of("[[ignore]]\nid = \"CVE-1\"\nexpires = 2025-01-01T10:00:00\n");
    assert!(
        matches!(error, SuppressError::InvalidIgnore { line: 3, .. }),
        "{error:?}"
    );

    let error = error_of("[[ignore]]\nid = \"CVE-1\"\npackage = \"pkg:npm/a?b=1&b=2\"\n");
    assert_eq!(
        error.to_string(),
        "`qm-ignore.toml` line 3: `pkg:npm/a?b=1&b=2` is not a valid package URL: qualifier `b` appears twice"
    );

    let error = error_of("[[ignore]]\nid = \"  \"\n");
    assert!(
        matches!(error, SuppressError::InvalidIgnore { line: 2, .. }),
        "{error:?}"
    );

    let error = error_of("[[ignore]\nid = 1\n");
    assert!(
        matches!(error, SuppressError::Toml { line: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn load_reads_vex_files_and_the_ignore_file() {
    let directory = tempfile::tempdir().unwrap();
    let ignore_path = directory.path().join(qm_match::DEFAULT_IGNORE_FILE);
    fs_err::write(&ignore_path, "[[ignore]]\nid = \"CVE-2020-28500\"\n").unwrap();
    let vex_path = directory.path().join("app.openvex.json");
    fs_err::write(
        &vex_path,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2025-01-01T00:00:00Z",
            "statements": [{"vulnerability": {"name": "CVE-2024-0727"},
                            "products": [{"@id": "pkg:deb/debian/libssl3"}],
                            "status": "not_affected", "justification": "vulnerable_code_not_present"}]}"#,
    )
    .unwrap();
    let suppressions = Suppressions::load(&[&vex_path], Some(&ignore_path)).unwrap();
    assert_eq!(suppressions.len(), 2);
    let outcome = apply_at(&suppressions, at("2025-06-01T00:00:00Z"));
    assert_eq!(outcome.suppressed.len(), 2);
    let SuppressedBy::Vex(verdict) = &outcome.suppressed[0].by else {
        panic!()
    };
    assert_eq!(verdict.file, vex_path.display().to_string());
    let SuppressedBy::Ignore { file, .. } = &outcome.suppressed[1].by else {
        panic!()
    };
    assert_eq!(file, &ignore_path.display().to_string());

    // The outcome is plain data a report can serialise.
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["suppressed"][0]["by"]["kind"], "vex");
    assert_eq!(json["suppressed"][0]["by"]["status"], "not_affected");
    assert_eq!(json["suppressed"][1]["by"]["kind"], "ignore");
}
