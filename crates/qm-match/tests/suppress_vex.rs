//! VEX documents applied to findings: real OpenVEX documents (trivy's test fixture,
//! Canonical's per-CVE OpenVEX), the CycloneDX specification's own vulnerability example, and
//! documents written here to pin each rule: what suppresses, aliases, image products,
//! timestamps, and the reason reported for every statement that matched nothing.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod suppress_support;

use qm_match::{
    QualifierDifference, RuleSource, SuppressError, SuppressOutcome, SuppressedBy, Suppressions,
    UnmatchReason, VexStatus,
};
use qm_model::{Ecosystem, Inventory};
use suppress_support::{at, directory, finding, ids, image, inventory, package, with_source};

const TRIVY_OPENVEX: &str = "fixtures/trivy/integration/testdata/fixtures/vex/file/openvex.json";
const UBUNTU_CURL_VEX: &str = "advisories/vunnel-samples/tests/unit/providers/ubuntu/test-fixtures/vex/cve/2023/CVE-2023-38545.json";
const CYCLONEDX_VULNERABILITY: &str =
    "vectors/cyclonedx-schema/tools/src/test/resources/1.6/valid-vulnerability-1.6.json";

fn vex(name: &str, document: &str) -> Suppressions {
    let mut suppressions = Suppressions::new();
    suppressions.add_vex(name, document.as_bytes()).unwrap();
    suppressions
}

fn apply(
    suppressions: &Suppressions,
    inventory: &Inventory,
    findings: Vec<qm_match::Finding>,
) -> SuppressOutcome {
    suppressions.apply(findings, inventory, at("2025-06-01T00:00:00Z"))
}

/// The Go module tree trivy's `gomod` fixture describes: its root module is
/// `github.com/testdata/testdata`, which requires opa 0.35.0 and x/text 0.3.6.
fn trivy_gomod() -> (Inventory, Vec<qm_match::Finding>) {
    let inventory = inventory(
        directory("dir:testdata/fixtures/repo/gomod"),
        vec![
            package(
                Ecosystem::Go,
                "github.com/open-policy-agent/opa",
                "v0.35.0",
                "pkg:golang/github.com/open-policy-agent/opa@v0.35.0",
            ),
            package(
                Ecosystem::Go,
                "golang.org/x/text",
                "v0.3.6",
                "pkg:golang/golang.org/x/text@v0.3.6",
            ),
        ],
    );
    let findings = vec![
        finding(&inventory, 0, "CVE-2022-23628", &["GHSA-hcw3-j74m-qc58"]),
        finding(&inventory, 1, "CVE-2021-38561", &["GO-2021-0113"]),
    ];
    (inventory, findings)
}

#[test]
fn trivy_openvex_needs_its_product_to_be_the_target() {
    let (inventory, findings) = trivy_gomod();
    let mut suppressions = Suppressions::new();
    suppressions
        .add_vex_file(&qm_testdata::data_path(TRIVY_OPENVEX))
        .unwrap();
    assert_eq!(suppressions.len(), 1);

    // The product is the root module, which is not a package of the inventory: a statement
    // about another product's subcomponents must not apply here.
    let outcome = apply(&suppressions, &inventory, findings.clone());
    assert_eq!(outcome.kept.len(), 2);
    assert!(outcome.suppressed.is_empty());
    assert_eq!(outcome.unmatched.len(), 1);
    let unmatched = &outcome.unmatched[0];
    assert_eq!(unmatched.vulnerability, "CVE-2022-23628");
    assert_eq!(
        unmatched.product.as_deref(),
        Some("pkg:golang/github.com/testdata/testdata")
    );
    assert_eq!(
        unmatched.reason,
        UnmatchReason::UnknownProduct {
            target_names: vec!["dir:testdata/fixtures/repo/gomod".to_owned()]
        }
    );
    assert!(
        unmatched.to_string().contains(
            "is neither this target (`dir:testdata/fixtures/repo/gomod`) nor one of its packages"
        ),
        "{unmatched}"
    );

    // Told that the root module is the target, the subcomponent's finding is suppressed.
    suppressions.add_target_id("pkg:golang/github.com/testdata/testdata");
    let outcome = apply(&suppressions, &inventory, findings);
    assert_eq!(
        ids(&outcome.kept),
        [(
            "CVE-2021-38561".to_owned(),
            "pkg:golang/golang.org/x/text@v0.3.6".to_owned()
        )]
    );
    assert_eq!(outcome.suppressed.len(), 1);
    let SuppressedBy::Vex(verdict) = &outcome.suppressed[0].by else {
        panic!("{:?}", outcome.suppressed[0].by)
    };
    assert_eq!(outcome.suppressed[0].finding.id, "CVE-2022-23628");
    assert_eq!(verdict.status, VexStatus::NotAffected);
    assert_eq!(
        verdict.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(
        verdict.detail.as_deref(),
        Some("The vulnerable code isn't called")
    );
    assert_eq!(verdict.location, "statements[0]");
    // The statement has no timestamp of its own and takes the document's.
    assert_eq!(verdict.timestamp, Some(at("2024-07-09T07:38:00Z")));
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
}

/// An Ubuntu 22.04 image with libcurl4 (built from curl), spelled `purl`.
fn ubuntu_curl(purl: &str, version: &str) -> (Inventory, Vec<qm_match::Finding>) {
    let inventory = inventory(
        image(
            "docker-archive:jammy.tar",
            "sha256:aa",
            "sha256:bb",
            &["ubuntu:22.04"],
        ),
        vec![with_source(
            package(Ecosystem::Ubuntu, "libcurl4", version, purl),
            "curl",
        )],
    );
    let findings = vec![finding(&inventory, 0, "CVE-2023-38545", &["USN-6429-1"])];
    (inventory, findings)
}

#[test]
fn canonical_openvex_fixed_statement_suppresses_the_exact_package() {
    let mut suppressions = Suppressions::new();
    suppressions
        .add_vex_file(&qm_testdata::data_path(UBUNTU_CURL_VEX))
        .unwrap();
    assert_eq!(suppressions.len(), 3);

    let (inventory, findings) = ubuntu_curl(
        "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=jammy",
        "7.81.0-1ubuntu1.24",
    );
    let outcome = apply(&suppressions, &inventory, findings);
    assert!(outcome.kept.is_empty());
    let SuppressedBy::Vex(verdict) = &outcome.suppressed[0].by else {
        panic!()
    };
    assert_eq!(verdict.status, VexStatus::Fixed);
    assert_eq!(verdict.vulnerability, "CVE-2023-38545");
    assert_eq!(
        verdict.detail.as_deref(),
        Some(
            "This package (for the given release) was vulnerable, but an update has been uploaded and published."
        )
    );
    // The other two statements (other releases) are reported, each with a reason: the
    // `affected` one lists no libcurl4 at all (xenial had libcurl3), the `not_affected` one
    // lists bionic's libcurl4 7.58.0.
    assert_eq!(outcome.unmatched.len(), 2);
    assert_eq!(
        outcome.unmatched[0].reason,
        UnmatchReason::UnknownProduct {
            target_names: vec![]
        }
    );
    let UnmatchReason::VersionMismatch {
        statement_purl,
        package_versions,
    } = &outcome.unmatched[1].reason
    else {
        panic!("{}", outcome.unmatched[1])
    };
    assert!(
        statement_purl.starts_with("pkg:deb/ubuntu/libcurl4@7.58.0-2ubuntu3.24%2Besm8?"),
        "{statement_purl}"
    );
    assert_eq!(package_versions, &["7.81.0-1ubuntu1.24".to_owned()]);
}

#[test]
fn canonical_openvex_differs_from_our_purls_only_in_the_distro_qualifier() {
    let mut suppressions = Suppressions::new();
    suppressions
        .add_vex_file(&qm_testdata::data_path(UBUNTU_CURL_VEX))
        .unwrap();
    // Our catalogers write `distro=<ID>-<VERSION_ID>`; Canonical writes the codename.
    let (inventory, findings) = ubuntu_curl(
        "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=ubuntu-22.04&upstream=curl",
        "7.81.0-1ubuntu1.24",
    );
    let outcome = apply(&suppressions, &inventory, findings);
    assert_eq!(outcome.kept.len(), 1, "not suppressed");
    let fixed = outcome
        .unmatched
        .iter()
        .find(|unmatched| matches!(&unmatched.source, RuleSource::Vex { location, .. } if location == "statements[0]"))
        .unwrap();
    assert_eq!(
        fixed.reason,
        UnmatchReason::QualifierMismatch {
            statement_purl: "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=jammy".to_owned(),
            package_purl: "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=ubuntu-22.04&upstream=curl".to_owned(),
            differing: vec![QualifierDifference {
                key: "distro".to_owned(),
                statement: "jammy".to_owned(),
                package: Some("ubuntu-22.04".to_owned()),
            }],
        }
    );
    assert!(
        fixed
            .to_string()
            .contains("only in qualifiers: `distro=jammy` against `distro=ubuntu-22.04`"),
        "{fixed}"
    );
}

#[test]
fn canonical_openvex_fixed_version_does_not_cover_an_older_one() {
    let mut suppressions = Suppressions::new();
    suppressions
        .add_vex_file(&qm_testdata::data_path(UBUNTU_CURL_VEX))
        .unwrap();
    let (inventory, findings) = ubuntu_curl(
        "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.13?arch=amd64&distro=jammy",
        "7.81.0-1ubuntu1.13",
    );
    let outcome = apply(&suppressions, &inventory, findings);
    assert_eq!(outcome.kept.len(), 1);
    let fixed = &outcome.unmatched[0];
    assert_eq!(
        fixed.reason,
        UnmatchReason::VersionMismatch {
            statement_purl: "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=jammy"
                .to_owned(),
            package_versions: vec!["7.81.0-1ubuntu1.13".to_owned()],
        }
    );
}

/// A Debian 12 image: openssl's libssl3, zlib, and a Python package.
fn debian_image() -> (Inventory, Vec<qm_match::Finding>) {
    let inventory = inventory(
        image(
            "docker-archive:app.tar",
            "sha256:1111111111111111111111111111111111111111111111111111111111111111",
            "sha256:2222222222222222222222222222222222222222222222222222222222222222",
            &["ghcr.io/acme/app:1.4"],
        ),
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
            package(
                Ecosystem::Debian,
                "zlib1g",
                "1:1.2.13.dfsg-1",
                "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12",
            ),
            package(Ecosystem::PyPI, "Jinja2", "3.1.2", "pkg:pypi/jinja2@3.1.2"),
        ],
    );
    let findings = vec![
        finding(&inventory, 0, "CVE-2023-5678", &["DSA-5565-1"]),
        finding(&inventory, 0, "CVE-2024-0727", &[]),
        finding(&inventory, 1, "CVE-2023-45853", &[]),
        finding(
            &inventory,
            2,
            "CVE-2024-22195",
            &["GHSA-h5c8-rqwp-cp95", "PYSEC-2024-1"],
        ),
    ];
    (inventory, findings)
}

fn openvex(statements: &str) -> String {
    format!(
        r#"{{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/1",
  "author": "Acme security",
  "timestamp": "2025-01-10T00:00:00Z",
  "version": 1,
  "statements": [{statements}]
}}"#
    )
}

#[test]
fn qualifier_mismatch_is_reported_with_the_differing_qualifier() {
    let (inventory, findings) = debian_image();
    let suppressions = vex(
        "vex.json",
        &openvex(
            r#"{
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12.13"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path"
    }"#,
        ),
    );
    let outcome = apply(&suppressions, &inventory, findings);
    assert!(outcome.suppressed.is_empty());
    assert_eq!(outcome.unmatched.len(), 1);
    let unmatched = &outcome.unmatched[0];
    assert_eq!(
        unmatched.reason,
        UnmatchReason::QualifierMismatch {
            statement_purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12.13".to_owned(),
            package_purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl".to_owned(),
            differing: vec![QualifierDifference {
                key: "distro".to_owned(),
                statement: "debian-12.13".to_owned(),
                package: Some("debian-12".to_owned()),
            }],
        }
    );
    assert_eq!(
        unmatched.to_string(),
        "`vex.json` statements[0]: `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12.13` differs \
         from the package `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl` \
         with `CVE-2024-0727` only in qualifiers: `distro=debian-12.13` against `distro=debian-12`"
    );
}

#[test]
fn matching_normalises_purls_and_ignores_versions_the_product_does_not_name() {
    let (inventory, findings) = debian_image();
    // Upper-case type and name, qualifiers in another order, no version: still libssl3.
    // PyPI names by PEP 503.
    let suppressions = vex(
        "vex.json",
        &openvex(
            r#"{
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:DEB/debian/LibSSL3?distro=debian-12&arch=amd64"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-22195"},
      "products": [{"identifiers": {"purl": "pkg:pypi/JINJA2@3.1.2"}}],
      "status": "not_affected", "justification": "vulnerable_code_not_present"
    }"#,
        ),
    );
    let outcome = apply(&suppressions, &inventory, findings);
    let suppressed: Vec<&str> = outcome
        .suppressed
        .iter()
        .map(|s| s.finding.id.as_str())
        .collect();
    assert_eq!(suppressed, ["CVE-2024-0727", "CVE-2024-22195"]);
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
}

#[test]
fn aliases_match_on_either_side() {
    let (inventory, findings) = debian_image();
    let suppressions = vex(
        "vex.json",
        &openvex(
            r#"{
      "vulnerability": {"name": "ghsa-h5c8-rqwp-cp95"},
      "products": [{"@id": "pkg:pypi/jinja2"}],
      "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"
    }, {
      "vulnerability": {"@id": "https://example.com/advisories/ACME-2023-7", "name": "ACME-2023-7",
                        "aliases": ["https://www.cve.org/CVERecord?id=CVE-2023-5678"]},
      "products": [{"@id": "pkg:deb/debian/libssl3"}],
      "status": "not_affected", "justification": "inline_mitigations_already_exist"
    }"#,
        ),
    );
    let outcome = apply(&suppressions, &inventory, findings);
    // The statement's id is the finding's alias; the statement's alias (an address) is the
    // finding's id.
    let suppressed: Vec<&str> = outcome
        .suppressed
        .iter()
        .map(|s| s.finding.id.as_str())
        .collect();
    assert_eq!(suppressed, ["CVE-2023-5678", "CVE-2024-22195"]);
    assert!(outcome.unmatched.is_empty(), "{:?}", outcome.unmatched);
}

#[test]
fn unmatched_statements_say_why() {
    let (inventory, findings) = debian_image();
    let suppressions = vex(
        "vex.json",
        &openvex(
            r#"{
      "vulnerability": {"name": "CVE-1999-0001"},
      "products": [{"@id": "pkg:deb/debian/libssl3"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/curl"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/zlib1g"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/libssl3@3.1.4-1"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}],
      "status": "not_affected", "justification": "component_not_present"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:oci/app@sha256:9999999999999999999999999999999999999999999999999999999999999999"}],
      "status": "not_affected", "justification": "component_not_present"
    }"#,
        ),
    );
    let outcome = apply(&suppressions, &inventory, findings);
    assert_eq!(outcome.kept.len(), 4);
    let reasons: Vec<(String, Option<String>, UnmatchReason)> = outcome
        .unmatched
        .iter()
        .map(|unmatched| {
            let RuleSource::Vex { location, .. } = &unmatched.source else {
                panic!()
            };
            (
                location.clone(),
                unmatched.product.clone(),
                unmatched.reason.clone(),
            )
        })
        .collect();
    let image_names = vec![
        "docker-archive:app.tar".to_owned(),
        "sha256:1111111111111111111111111111111111111111111111111111111111111111".to_owned(),
        "ghcr.io/acme/app:1.4".to_owned(),
    ];
    assert_eq!(
        reasons,
        vec![
            ("statements[0]".to_owned(), Some("pkg:deb/debian/libssl3".to_owned()), UnmatchReason::UnknownVulnerability),
            ("statements[1]".to_owned(), Some("pkg:deb/debian/curl".to_owned()), UnmatchReason::UnknownProduct { target_names: vec![] }),
            (
                "statements[2]".to_owned(),
                Some("pkg:deb/debian/zlib1g".to_owned()),
                UnmatchReason::NotInProduct {
                    found_in: vec!["pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl".to_owned()]
                }
            ),
            (
                "statements[3]".to_owned(),
                Some("pkg:deb/debian/libssl3@3.1.4-1".to_owned()),
                UnmatchReason::VersionMismatch {
                    statement_purl: "pkg:deb/debian/libssl3@3.1.4-1".to_owned(),
                    package_versions: vec!["3.0.11-1~deb12u2".to_owned()]
                }
            ),
            (
                "statements[4]".to_owned(),
                Some("cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*".to_owned()),
                UnmatchReason::UnsupportedProduct {
                    why: "`cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*` is not a package URL and does not name the scanned target".to_owned()
                }
            ),
            (
                "statements[5]".to_owned(),
                Some("pkg:oci/app@sha256:9999999999999999999999999999999999999999999999999999999999999999".to_owned()),
                UnmatchReason::UnknownProduct { target_names: image_names }
            ),
        ]
    );
    assert_eq!(
        outcome.unmatched[0].to_string(),
        "`vex.json` statements[0]: no finding has `CVE-1999-0001` as its id or an alias"
    );
    assert_eq!(
        outcome.unmatched[1].to_string(),
        "`vex.json` statements[1]: no package is `pkg:deb/debian/curl` (in any version, with any qualifiers)"
    );
}

#[test]
fn an_image_product_covers_every_package_or_its_subcomponents() {
    let (inventory, findings) = debian_image();
    let suppressions = vex(
        "vex.json",
        &openvex(
            r#"{
      "vulnerability": {"name": "CVE-2023-45853"},
      "products": [{"@id": "pkg:oci/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222?repository_url=ghcr.io/acme/app"}],
      "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"
    }, {
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:oci/app?tag=1.4",
                    "subcomponents": [{"@id": "pkg:deb/debian/libssl3"}]}],
      "status": "fixed"
    }, {
      "vulnerability": {"name": "CVE-2023-5678"},
      "products": [{"@id": "ghcr.io/acme/app:1.4",
                    "subcomponents": [{"@id": "pkg:deb/debian/zlib1g"}]}],
      "status": "not_affected", "justification": "component_not_present"
    }"#,
        ),
    );
    let outcome = apply(&suppressions, &inventory, findings);
    let suppressed: Vec<&str> = outcome
        .suppressed
        .iter()
        .map(|s| s.finding.id.as_str())
        .collect();
    // By manifest digest (no subcomponents: every package); by name and tag with a
    // subcomponent. The third names the image but a subcomponent without the finding.
    assert_eq!(suppressed, ["CVE-2024-0727", "CVE-2023-45853"]);
    assert_eq!(outcome.unmatched.len(), 1);
    assert!(
        matches!(
            outcome.unmatched[0].reason,
            UnmatchReason::NotInProduct { .. }
        ),
        "{:?}",
        outcome.unmatched
    );
}

#[test]
fn the_latest_statement_wins_and_affected_does_not_suppress() {
    let (inventory, findings) = debian_image();
    let earlier_not_affected = r#"{
      "@id": "stmt-1", "timestamp": "2025-01-01T00:00:00Z",
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/libssl3"}],
      "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"
    }"#;
    let later_affected = r#"{
      "@id": "stmt-2", "timestamp": "2025-03-01T00:00:00Z",
      "vulnerability": {"name": "CVE-2024-0727"},
      "products": [{"@id": "pkg:deb/debian/libssl3"}],
      "status": "affected", "action_statement": "upgrade to 3.0.13"
    }"#;
    // Order in the document does not matter; time does.
    for statements in [
        format!("{earlier_not_affected}, {later_affected}"),
        format!("{later_affected}, {earlier_not_affected}"),
    ] {
        let suppressions = vex("vex.json", &openvex(&statements));
        let outcome = apply(&suppressions, &inventory, findings.clone());
        assert!(outcome.suppressed.is_empty());
        assert_eq!(outcome.acknowledged.len(), 1);
        let acknowledged = &outcome.acknowledged[0];
        assert_eq!(acknowledged.id, "CVE-2024-0727");
        assert_eq!(outcome.kept[acknowledged.kept_index].id, "CVE-2024-0727");
        assert_eq!(acknowledged.verdict.status, VexStatus::Affected);
        assert_eq!(
            acknowledged.verdict.action.as_deref(),
            Some("upgrade to 3.0.13")
        );
        assert_eq!(acknowledged.verdict.statement_id.as_deref(), Some("stmt-2"));
        assert_eq!(outcome.unmatched.len(), 1);
        let UnmatchReason::Superseded { by } = &outcome.unmatched[0].reason else {
            panic!("{:?}", outcome.unmatched)
        };
        assert!(matches!(by, RuleSource::Vex { statement_id: Some(id), .. } if id == "stmt-2"));
        assert!(
            outcome.unmatched[0]
                .to_string()
                .contains("a later statement"),
            "{}",
            outcome.unmatched[0]
        );
    }

    // Later not_affected over earlier affected suppresses, in a second document.
    let mut suppressions = vex("first.json", &openvex(later_affected));
    suppressions
        .add_vex(
            "second.json",
            openvex(&earlier_not_affected.replace("2025-01-01", "2025-04-01")).as_bytes(),
        )
        .unwrap();
    let outcome = apply(&suppressions, &inventory, findings);
    assert_eq!(outcome.suppressed.len(), 1);
    let SuppressedBy::Vex(verdict) = &outcome.suppressed[0].by else {
        panic!()
    };
    assert_eq!(verdict.file, "second.json");
}

#[test]
fn openvex_v0_0_strings_are_read() {
    let (inventory, findings) = debian_image();
    let document = r#"{
      "@context": "https://openvex.dev/ns",
      "@id": "https://example.com/vex/old",
      "author": "Acme", "timestamp": "2023-01-08T18:02:03Z", "version": "1",
      "statements": [{
        "vulnerability": "CVE-2023-45853",
        "products": ["pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"],
        "status": "not_affected", "justification": "vulnerable_code_not_present"
      }]
    }"#;
    let outcome = apply(&vex("old.json", document), &inventory, findings);
    assert_eq!(outcome.suppressed.len(), 1);
    assert_eq!(outcome.suppressed[0].finding.id, "CVE-2023-45853");
}

#[test]
fn invalid_documents_name_the_file_and_place() {
    let mut suppressions = Suppressions::new();
    let error = suppressions
        .add_vex(
            "bad.json",
            openvex(
                r#"{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "not_effected"}"#,
            )
            .as_bytes(),
        )
        .unwrap_err();
    assert!(
        matches!(&error, SuppressError::InvalidVex { location, .. } if location == "statements[0].status"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "`bad.json` statements[0].status: `not_effected` is not an OpenVEX status (`not_affected`, `affected`, `fixed`, `under_investigation`)"
    );

    let error = suppressions
        .add_vex(
            "bad.json",
            b"{\n  \"@context\": \"https://openvex.dev/ns/v0.2.0\",\n  \"statements\": [\n}",
        )
        .unwrap_err();
    assert!(
        matches!(error, SuppressError::Json { line: 4, .. }),
        "{error:?}"
    );

    let error = suppressions
        .add_vex("sbom.spdx.json", br#"{"spdxVersion": "SPDX-2.3"}"#)
        .unwrap_err();
    assert!(
        matches!(error, SuppressError::UnknownFormat { .. }),
        "{error:?}"
    );
    assert!(error.hint().is_some());

    let error = suppressions
        .add_vex("bad.json", openvex(r#"{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "fixed", "timestamp": "yesterday"}"#).as_bytes())
        .unwrap_err();
    assert!(
        matches!(&error, SuppressError::InvalidVex { location, .. } if location == "statements[0].timestamp"),
        "{error:?}"
    );

    let missing = std::path::Path::new("/nonexistent/vex.json");
    let error = Suppressions::load(&[missing], None).unwrap_err();
    assert!(
        matches!(&error, SuppressError::Read { path, .. } if path == "/nonexistent/vex.json"),
        "{error:?}"
    );
    assert!(suppressions.is_empty(), "a failed document adds nothing");
}

/// The jackson-databind component of the CycloneDX specification's vulnerability example.
fn jackson() -> (Inventory, Vec<qm_match::Finding>) {
    let inventory = inventory(
        directory("dir:."),
        vec![package(
            Ecosystem::Maven,
            "com.fasterxml.jackson.core:jackson-databind",
            "2.9.4",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
        )],
    );
    let findings = vec![finding(
        &inventory,
        0,
        "CVE-2018-7489",
        &["GHSA-cggj-fvv3-cqwv"],
    )];
    (inventory, findings)
}

#[test]
fn cyclonedx_specification_example_suppresses_by_reference_id() {
    let (inventory, findings) = jackson();
    let mut suppressions = Suppressions::new();
    suppressions
        .add_vex_file(&qm_testdata::data_path(CYCLONEDX_VULNERABILITY))
        .unwrap();
    let outcome = apply(&suppressions, &inventory, findings);
    // The document's id is Snyk's; its reference is the CVE the finding carries.
    assert_eq!(outcome.suppressed.len(), 1, "{outcome:?}");
    let SuppressedBy::Vex(verdict) = &outcome.suppressed[0].by else {
        panic!()
    };
    assert_eq!(
        verdict.vulnerability,
        "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111"
    );
    assert_eq!(verdict.status, VexStatus::NotAffected);
    assert_eq!(verdict.justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(verdict.action.as_deref(), Some("will_not_fix, update"));
    assert_eq!(
        verdict.detail.as_deref(),
        Some(
            "An optional explanation of why the application is not affected by the vulnerable component."
        )
    );
    assert_eq!(verdict.timestamp, Some(at("2022-02-01T00:00:00Z")));
    assert_eq!(
        verdict.statement_id.as_deref(),
        Some("6eee14da-8f42-4cc4-bb65-203235f02415")
    );
}

fn cyclonedx(vulnerabilities: &str) -> String {
    format!(
        r#"{{
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "metadata": {{
    "timestamp": "2025-02-01T00:00:00Z",
    "component": {{"bom-ref": "the-app", "type": "container", "name": "app",
                   "purl": "pkg:oci/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222"}}
  }},
  "components": [
    {{"bom-ref": "ssl", "type": "library", "name": "libssl3", "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
      "components": [{{"bom-ref": "nested-zlib", "type": "library", "name": "zlib1g", "purl": "pkg:deb/debian/zlib1g"}}]}},
    {{"bom-ref": "no-purl", "type": "library", "name": "mystery"}}
  ],
  "vulnerabilities": [{vulnerabilities}]
}}"#
    )
}

#[test]
fn cyclonedx_references_resolve_to_components_bom_links_and_purls() {
    let (inventory, findings) = debian_image();
    let document = cyclonedx(
        r#"
    {"id": "CVE-2024-0727", "analysis": {"state": "false_positive"}, "affects": [{"ref": "ssl"}]},
    {"id": "CVE-2023-45853", "analysis": {"state": "resolved"}, "affects": [{"ref": "nested-zlib"}]},
    {"id": "CVE-2024-22195", "analysis": {"state": "not_affected", "justification": "code_not_present"},
     "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%3Apypi%2Fjinja2%403.1.2"}]},
    {"id": "CVE-2023-5678", "analysis": {"state": "exploitable", "response": ["update"]}, "affects": [{"ref": "the-app"}]},
    {"id": "CVE-2024-0727", "analysis": {"state": "not_affected"}, "affects": [{"ref": "no-purl"}]},
    {"id": "CVE-2024-0727", "analysis": {"state": "not_affected"}, "affects": [{"ref": "urn:cdx:00000000-0000-0000-0000-000000000000/1#somewhere"}]},
    {"id": "CVE-2024-0727", "affects": [{"ref": "ssl"}]}
"#,
    );
    let outcome = apply(&vex("bom.cdx.json", &document), &inventory, findings);
    let suppressed: Vec<(&str, VexStatus)> = outcome
        .suppressed
        .iter()
        .map(|suppressed| {
            let SuppressedBy::Vex(verdict) = &suppressed.by else {
                panic!()
            };
            (suppressed.finding.id.as_str(), verdict.status)
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            ("CVE-2024-0727", VexStatus::FalsePositive),
            ("CVE-2023-45853", VexStatus::Resolved),
            ("CVE-2024-22195", VexStatus::NotAffected),
        ]
    );
    // `exploitable` on the image itself: kept, acknowledged.
    assert_eq!(ids(&outcome.kept).len(), 1);
    assert_eq!(outcome.acknowledged.len(), 1);
    assert_eq!(
        outcome.acknowledged[0].verdict.status,
        VexStatus::Exploitable
    );
    assert_eq!(
        outcome.acknowledged[0].verdict.action.as_deref(),
        Some("update")
    );
    // No analysis timestamps: the BOM's.
    assert_eq!(
        outcome.acknowledged[0].verdict.timestamp,
        Some(at("2025-02-01T00:00:00Z"))
    );

    let reasons: Vec<(String, UnmatchReason)> = outcome
        .unmatched
        .iter()
        .map(|unmatched| {
            let RuleSource::Vex { location, .. } = &unmatched.source else {
                panic!()
            };
            (location.clone(), unmatched.reason.clone())
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("vulnerabilities[4]".to_owned(), UnmatchReason::UnsupportedProduct { why: "`no-purl`: the component has no purl".to_owned() }),
            (
                "vulnerabilities[5]".to_owned(),
                UnmatchReason::UnsupportedProduct {
                    why: "`urn:cdx:00000000-0000-0000-0000-000000000000/1#somewhere`: `somewhere` is a component of another BOM, not of this document, and not a purl".to_owned()
                }
            ),
            (
                "vulnerabilities[6]".to_owned(),
                UnmatchReason::NotApplicable { why: "no `analysis.state` (a vulnerability list, not a VEX claim)".to_owned() }
            ),
        ]
    );
}

#[test]
fn cyclonedx_unknown_state_is_an_error() {
    let error = Suppressions::new()
        .add_vex(
            "bom.json",
            cyclonedx(r#"{"id": "CVE-1", "analysis": {"state": "not_exploitable"}}"#).as_bytes(),
        )
        .unwrap_err();
    assert!(
        matches!(&error, SuppressError::InvalidVex { location, .. } if location == "vulnerabilities[0].analysis.state"),
        "{error:?}"
    );
}
