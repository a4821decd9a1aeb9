//! Damaged VEX documents and ignore files are errors or partial reads, never panics:
//! truncations and byte flips of real documents, and ids, purls and products made of
//! awkward characters, through the public API.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod suppress_support;

use qm_match::Suppressions;
use qm_model::Ecosystem;
use suppress_support::{at, directory, finding, inventory, package};

const DOCUMENTS: &[&str] = &[
    "fixtures/trivy/integration/testdata/fixtures/vex/file/openvex.json",
    "advisories/vunnel-samples/tests/unit/providers/ubuntu/test-fixtures/vex/cve/2023/CVE-2023-38545.json",
    "vectors/cyclonedx-schema/tools/src/test/resources/1.6/valid-vulnerability-1.6.json",
];

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound.max(1)).unwrap()).unwrap()
    }
}

#[test]
fn damaged_vex_documents_never_panic() {
    let inventory = inventory(
        directory("dir:."),
        vec![package(
            Ecosystem::Go,
            "github.com/open-policy-agent/opa",
            "v0.35.0",
            "pkg:golang/github.com/open-policy-agent/opa@v0.35.0",
        )],
    );
    let findings = vec![finding(&inventory, 0, "CVE-2022-23628", &[])];
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for document in DOCUMENTS {
        let bytes = qm_testdata::read_bytes(document);
        // The document itself reads.
        Suppressions::new().add_vex(document, &bytes).unwrap();
        for round in 0..300 {
            let mut damaged = bytes.clone();
            if round % 2 == 0 {
                damaged.truncate(random.below(bytes.len()));
            } else {
                for _ in 0..=random.below(4) {
                    let position = random.below(damaged.len());
                    let replacement = b"\"{}[],:\\x0 @%#?&/pkg"[random.below(20)];
                    if let Some(byte) = damaged.get_mut(position) {
                        *byte = replacement;
                    }
                }
            }
            let mut suppressions = Suppressions::new();
            if suppressions.add_vex("damaged.json", &damaged).is_ok() {
                parsed += 1;
                let outcome = suppressions.apply(findings.clone(), &inventory, at("2025-01-01"));
                assert_eq!(outcome.kept.len() + outcome.suppressed.len(), 1);
            }
        }
    }
    // Byte flips inside strings leave many documents readable; those were applied too.
    assert!(parsed > 0);
}

#[test]
fn awkward_products_and_ids_never_panic() {
    let inventory = inventory(
        directory("dir:."),
        vec![package(Ecosystem::Npm, "a", "1", "pkg:npm/a@1")],
    );
    let findings = vec![finding(&inventory, 0, "CVE-1", &["GHSA-x"])];
    let pieces = [
        "pkg:", "pkg:/", "pkg:npm", "/", "@", "%", "%4", "%zz", "%C3%28", "?", "&", "=", "#", "..",
        "é", "😀", "npm", "a", "1", ":", "urn:cdx:", "sha256:", "https://", "\u{0}",
    ];
    let mut random = Random(42);
    for _ in 0..2000 {
        let mut text = String::new();
        for _ in 0..random.below(8) {
            text.push_str(pieces[random.below(pieces.len())]);
        }
        let escaped = serde_json::to_string(&text).unwrap();
        let document = format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [{{"vulnerability": {{"name": {escaped}, "aliases": [{escaped}, "CVE-1"]}},
                                "products": [{{"@id": {escaped}, "subcomponents": [{{"@id": {escaped}}}]}}, {escaped}],
                                "status": "not_affected"}}]}}"#
        );
        let mut suppressions = Suppressions::new();
        suppressions
            .add_vex("awkward.json", document.as_bytes())
            .unwrap();
        let _ = suppressions.add_ignore(
            "awkward.toml",
            &format!("[[ignore]]\nid = {escaped}\npackage = {escaped}\n"),
        );
        let outcome = suppressions.apply(findings.clone(), &inventory, at("2025-01-01"));
        for unmatched in &outcome.unmatched {
            assert!(!unmatched.to_string().is_empty());
        }
    }
}
