//! Scan reports in every format, from one small hand-built scan of a Debian 12 image.
//!
//! The scan holds what reports must get right: a distribution finding with no fix and the
//! distribution's status (`no-dsa`), one rated by a word only (no score), language findings
//! with fixes and folded aliases, a critical Go finding, an informational RustSec finding with
//! no rating, a binary package judged by a source package of another name, two suppressed
//! findings (a VEX `not_affected` and an ignore rule accepting the risk), a matcher note, an
//! unreadable file and a stale database.
//!
//! - Every format is snapshotted (`tests/snapshots/scan_report__*.snap`), colour off.
//! - CycloneDX is validated against the official 1.6 schema (`vectors/cyclonedx-schema`), and
//!   its components are checked to be exactly those of the SBOM renderer, every `affects.ref`
//!   naming one of them.
//! - SARIF is checked structurally (required fields, rule indexes, levels, GitHub's
//!   `security-severity`, relative URIs, unique fingerprints); `sarif_is_schema_valid` (ignored
//!   by default) validates against the SARIF 2.1.0 schema when `QM_SARIF_SCHEMA` names it.
//! - JSON keys are all documented in `docs/scan-json.md`.
//! - The stale-database warning is in every format; no format writes an escape code unless
//!   colour is asked for; the table keeps to the width it is given.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use qm_match::{
    Finding, FindingPackage, FindingSeverity, FixState, MatchKind, MatchNote, MatchReport, NoteKind,
};
use qm_model::{
    Distro, DistroStatus, Ecosystem, Inventory, InventoryWarning, Layer, Package, PackageKey,
    Rating, SourcePackage, TargetInfo, TargetKind, Timestamp,
};
use qm_report::{
    DbSource, DbSummary, Justification, RenderContext, SCAN_SCHEMA, SbomFormat, ScanFormat,
    ScanRenderOptions, ScanReport, SuppressedFinding, SuppressionSource, SuppressionStatus,
    render_sbom, render_scan,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The scan

const STALE: &str =
    "the vulnerability database was built 12 days ago; run `qm db update` or import a newer bundle";

fn time(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn layer_digest(index: usize) -> String {
    format!(
        "sha256:{}",
        format!("{index:x}").repeat(64).get(..64).unwrap()
    )
}

fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    purl: &str,
    location: &str,
    layer: usize,
) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem,
        purl: purl.to_owned(),
        source: None,
        locations: vec![location.to_owned()],
        found_by: "test".to_owned(),
        dev: false,
        arch: None,
        layer: Some(layer_digest(layer)),
    }
}

fn inventory() -> Inventory {
    let debian = |name: &str, version: &str, source: &str, layer: usize| Package {
        source: Some(SourcePackage {
            name: source.to_owned(),
            version: Some(version.to_owned()),
        }),
        arch: Some("amd64".to_owned()),
        found_by: "dpkg".to_owned(),
        ..package(
            Ecosystem::Debian,
            name,
            version,
            &format!(
                "pkg:deb/debian/{name}@{}?arch=amd64&distro=debian-12",
                version.replace('+', "%2B")
            ),
            "/var/lib/dpkg/status",
            layer,
        )
    };
    Inventory {
        target: TargetInfo {
            name: "docker-archive:app.tar".to_owned(),
            kind: TargetKind::DockerArchive,
            digest: Some(format!("sha256:{}", "ab".repeat(32))),
            manifest_digest: None,
            tags: vec!["registry.example/app:1.4".to_owned()],
            platform: Some("linux/amd64".to_owned()),
            layers: vec![
                Layer {
                    digest: layer_digest(0),
                    index: 0,
                    created_by: Some("/bin/sh -c #(nop) ADD file:4a3c in / ".to_owned()),
                },
                Layer {
                    digest: layer_digest(1),
                    index: 1,
                    created_by: Some("RUN apt-get install -y libssl3".to_owned()),
                },
                Layer {
                    digest: layer_digest(2),
                    index: 2,
                    created_by: Some("COPY app /app".to_owned()),
                },
            ],
        },
        distro: Some(Distro {
            id: "debian".to_owned(),
            version_id: Some("12".to_owned()),
            codename: Some("bookworm".to_owned()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_owned()),
            id_like: Vec::new(),
        }),
        packages: vec![
            debian("bash", "5.2.15-2+b2", "bash", 0),
            debian("libssl3", "3.0.11-1~deb12u2", "openssl", 1),
            package(
                Ecosystem::PyPI,
                "requests",
                "2.28.0",
                "pkg:pypi/requests@2.28.0",
                "/usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA",
                2,
            ),
            package(
                Ecosystem::Go,
                "golang.org/x/crypto",
                "v0.30.0",
                "pkg:golang/golang.org/x/crypto@v0.30.0",
                "/app/server",
                2,
            ),
            package(
                Ecosystem::CratesIo,
                "atty",
                "0.2.14",
                "pkg:cargo/atty@0.2.14",
                "/app/Cargo.lock",
                2,
            ),
        ],
        warnings: vec![InventoryWarning {
            path: "/app/node_modules/broken/package.json".to_owned(),
            layer: Some(layer_digest(2)),
            message: "line 3: expected a JSON object".to_owned(),
        }],
    }
}

/// A finding about package `index` of [`inventory`].
struct Make<'a> {
    inventory: &'a Inventory,
}

impl Make<'_> {
    fn finding(&self, index: usize, id: &str, fix: FixState, severity: FindingSeverity) -> Finding {
        let package = &self.inventory.packages[index];
        let distro = package.ecosystem == Ecosystem::Debian;
        let (key, matched_by, installed) = match &package.source {
            Some(source) if distro => (
                PackageKey::new(Ecosystem::Debian, Some("12"), &source.name),
                if source.name == package.name {
                    MatchKind::DistroPackage
                } else {
                    MatchKind::DistroSourcePackage
                },
                source.version.clone().unwrap(),
            ),
            _ => (
                PackageKey::new(package.ecosystem.clone(), None, &package.name),
                MatchKind::EcosystemName,
                package.version.clone(),
            ),
        };
        Finding {
            id: id.to_owned(),
            aliases: Vec::new(),
            package: FindingPackage {
                index,
                name: package.name.clone(),
                version: package.version.clone(),
                ecosystem: package.ecosystem.clone(),
                purl: package.purl.clone(),
                source: package.source.clone(),
                locations: package.locations.clone(),
                layer: package.layer.clone(),
            },
            matched_key: key,
            matched_by,
            installed_version: installed,
            fixed_version: match &fix {
                FixState::Fixed { version } => Some(version.clone()),
                _ => None,
            },
            fix,
            severity,
            title: None,
            sources: Vec::new(),
            published: None,
            modified: None,
            fix_published: None,
            urls: Vec::new(),
            informational: None,
        }
    }
}

fn cvss(score: f64, vector: &str, source: &str) -> FindingSeverity {
    FindingSeverity {
        rating: Rating::from_cvss_score(score),
        score: Some(score),
        vector: Some(vector.to_owned()),
        source: Some(source.to_owned()),
    }
}

fn rated(rating: Rating, source: &str) -> FindingSeverity {
    FindingSeverity {
        rating,
        score: None,
        vector: None,
        source: Some(source.to_owned()),
    }
}

fn fixed(version: &str) -> FixState {
    FixState::Fixed {
        version: version.to_owned(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

struct Scan {
    inventory: Inventory,
    matches: MatchReport,
    suppressed: Vec<SuppressedFinding>,
    db: DbSummary,
    context: RenderContext,
}

impl Scan {
    fn report(&self) -> ScanReport<'_> {
        ScanReport {
            suppressed: &self.suppressed,
            ..ScanReport::new(&self.inventory, &self.matches, &self.db, &self.context)
        }
    }
}

fn scan() -> Scan {
    let inventory = inventory();
    let make = Make {
        inventory: &inventory,
    };
    let debian_feed = strings(&["debian-tracker"]);

    let mut no_dsa = make.finding(
        1,
        "CVE-2024-2511",
        FixState::NotFixed {
            status: Some(DistroStatus::NoDsa),
        },
        rated(Rating::Low, "debian"),
    );
    no_dsa.title = Some("Unbounded memory growth with session handling in TLSv1.3".to_owned());
    no_dsa.sources = debian_feed.clone();
    no_dsa.urls = strings(&["https://security-tracker.debian.org/tracker/CVE-2024-2511"]);
    no_dsa.published = Some(time("2024-04-08T14:15:07Z"));

    let mut openssl_fixed = make.finding(
        1,
        "CVE-2023-5678",
        fixed("3.0.13-1~deb12u1"),
        cvss(
            5.3,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
            "osv/DEBIAN",
        ),
    );
    openssl_fixed.aliases = strings(&["DSA-5764-1"]);
    openssl_fixed.title = Some(
        "Excessive time spent in DH check / generation with large Q parameter value".to_owned(),
    );
    openssl_fixed.sources = strings(&["debian-tracker", "osv/DEBIAN"]);
    openssl_fixed.urls = strings(&[
        "https://security-tracker.debian.org/tracker/CVE-2023-5678",
        "https://www.openssl.org/news/secadv/20231106.txt",
    ]);
    openssl_fixed.fix_published = Some(time("2024-08-29T00:00:00Z"));

    let mut word_only = make.finding(
        1,
        "CVE-2024-6119",
        fixed("3.0.14-1~deb12u2"),
        rated(Rating::High, "debian"),
    );
    word_only.title = Some("Possible denial of service in X.509 name checks".to_owned());
    word_only.sources = debian_feed.clone();

    let mut requests_session = make.finding(
        2,
        "CVE-2024-35195",
        fixed("2.32.0"),
        cvss(
            5.6,
            "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N",
            "osv/GHSA",
        ),
    );
    requests_session.aliases = strings(&["GHSA-9wx4-h78v-vm56"]);
    requests_session.title = Some(
        "Requests `Session` object does not verify requests after making first request with \
         verify=False"
            .to_owned(),
    );
    requests_session.sources = strings(&["osv/GHSA"]);
    requests_session.urls = strings(&["https://github.com/advisories/GHSA-9wx4-h78v-vm56"]);
    requests_session.published = Some(time("2024-05-20T20:15:00Z"));
    requests_session.modified = Some(time("2024-06-10T17:16:28Z"));

    let mut requests_proxy = make.finding(
        2,
        "CVE-2023-32681",
        fixed("2.31.0"),
        cvss(
            6.1,
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
            "osv/GHSA",
        ),
    );
    requests_proxy.aliases = strings(&["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"]);
    requests_proxy.title =
        Some("Unintended leak of Proxy-Authorization header in requests".to_owned());
    requests_proxy.sources = strings(&["osv/GHSA", "osv/PyPA"]);
    requests_proxy.urls = strings(&[
        "https://github.com/advisories/GHSA-j8r2-6x86-q33q",
        "https://github.com/psf/requests/commit/74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5",
    ]);

    let mut crypto = make.finding(
        3,
        "CVE-2024-45337",
        fixed("0.31.0"),
        cvss(
            9.1,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
            "osv/GHSA",
        ),
    );
    crypto.aliases = strings(&["GHSA-v778-237x-gjrc", "GO-2024-3321"]);
    crypto.title = Some(
        "Misuse of ServerConfig.PublicKeyCallback may cause authorization bypass in \
         golang.org/x/crypto"
            .to_owned(),
    );
    crypto.sources = strings(&["osv/GHSA", "osv/GO"]);
    crypto.urls = strings(&["https://pkg.go.dev/vuln/GO-2024-3321"]);

    let mut unmaintained = make.finding(
        4,
        "RUSTSEC-2024-0375",
        FixState::NotFixed { status: None },
        FindingSeverity {
            rating: Rating::Unknown,
            score: None,
            vector: None,
            source: None,
        },
    );
    unmaintained.title = Some("`atty` is unmaintained".to_owned());
    unmaintained.sources = strings(&["rustsec"]);
    unmaintained.informational = Some("unmaintained".to_owned());
    unmaintained.urls = strings(&["https://rustsec.org/advisories/RUSTSEC-2024-0375.html"]);

    let mut bash = make.finding(
        0,
        "CVE-2022-3715",
        fixed("5.2.15-3"),
        cvss(
            7.8,
            "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
            "osv/DEBIAN",
        ),
    );
    bash.title = Some("A flaw was found in the bash package, where a heap-buffer overflow can occur in valid parameter_transform".to_owned());
    bash.sources = debian_feed.clone();

    let mut accepted = make.finding(
        1,
        "CVE-2024-9143",
        fixed("3.0.15-1~deb12u1"),
        rated(Rating::Low, "debian"),
    );
    accepted.title = Some("Low-level GF(2^m) elliptic curve APIs with uncommon input".to_owned());
    accepted.sources = debian_feed;

    let matches = MatchReport {
        // Deliberately out of report order: renderers sort.
        findings: vec![
            unmaintained,
            crypto,
            requests_proxy,
            no_dsa,
            requests_session,
            openssl_fixed,
            word_only,
        ],
        notes: vec![MatchNote {
            kind: NoteKind::NoEcosystemData,
            message: "no vulnerability data for npm in this database: 3 packages not checked"
                .to_owned(),
            count: 3,
            packages: strings(&["left-pad 1.3.0", "is-odd 3.0.1"]),
        }],
        checked: 5,
    };
    let suppressed = vec![
        SuppressedFinding {
            finding: accepted,
            status: SuppressionStatus::Accepted,
            justification: None,
            reason: Some("fixed with the next base image, due 2024-06".to_owned()),
            by: SuppressionSource::Ignore {
                rule: "qm.toml: ignore CVE-2024-9143".to_owned(),
            },
        },
        SuppressedFinding {
            finding: bash,
            status: SuppressionStatus::NotAffected,
            justification: Some(Justification::CodeNotReachable),
            reason: Some("bash never runs with untrusted input in this image".to_owned()),
            by: SuppressionSource::Vex {
                document: "vex/app.openvex.json".to_owned(),
            },
        },
    ];
    let db = DbSummary {
        built: time("2024-04-19T06:00:00Z"),
        age: Some(Duration::from_secs(12 * 86_400 + 6 * 3_600)),
        stale_warning: Some(STALE.to_owned()),
        sources: vec![
            DbSource {
                name: "debian-tracker".to_owned(),
                records: 4_211,
                newest: Some(time("2024-04-19T05:00:00Z")),
            },
            DbSource {
                name: "osv".to_owned(),
                records: 54_158,
                newest: None,
            },
        ],
    };
    Scan {
        inventory,
        matches,
        suppressed,
        db,
        context: RenderContext::new("0.1.0-test", time("2024-05-01T12:00:00Z")),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn render_with(report: &ScanReport<'_>, format: ScanFormat, options: &ScanRenderOptions) -> String {
    let mut out = Vec::new();
    render_scan(report, format, options, &mut out).unwrap();
    assert_eq!(
        out.last(),
        Some(&b'\n'),
        "{format} output ends with a newline"
    );
    String::from_utf8(out).unwrap()
}

fn render(report: &ScanReport<'_>, format: ScanFormat) -> String {
    render_with(report, format, &ScanRenderOptions::default())
}

fn render_json(report: &ScanReport<'_>, format: ScanFormat) -> Value {
    serde_json::from_str(&render(report, format)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn snapshot_table() {
    let scan = scan();
    insta::assert_snapshot!(render(&scan.report(), ScanFormat::Table));
}

#[test]
fn snapshot_table_wrapped_to_100_columns() {
    let scan = scan();
    let options = ScanRenderOptions {
        width: Some(100),
        ..ScanRenderOptions::default()
    };
    insta::assert_snapshot!(render_with(&scan.report(), ScanFormat::Table, &options));
}

#[test]
fn snapshot_json() {
    let scan = scan();
    insta::assert_snapshot!(render(&scan.report(), ScanFormat::Json));
}

#[test]
fn snapshot_sarif() {
    let scan = scan();
    insta::assert_snapshot!(render(&scan.report(), ScanFormat::Sarif));
}

#[test]
fn snapshot_cyclonedx() {
    let scan = scan();
    insta::assert_snapshot!(render(&scan.report(), ScanFormat::CycloneDx));
}

#[test]
fn snapshot_markdown() {
    let scan = scan();
    insta::assert_snapshot!(render(&scan.report(), ScanFormat::Markdown));
}

/// No findings, but a note: the table and Markdown must not read as "all clear".
#[test]
fn snapshot_nothing_found_but_not_everything_checked() {
    let mut scan = scan();
    scan.matches.findings.clear();
    scan.suppressed.clear();
    scan.db.stale_warning = None;
    scan.inventory.warnings.clear();
    let report = scan.report();
    let table = render(&report, ScanFormat::Table);
    let markdown = render(&report, ScanFormat::Markdown);
    insta::assert_snapshot!(format!("{table}\n----- markdown -----\n{markdown}"));
    assert!(table.contains("could not be checked"), "{table}");
    assert!(markdown.contains("could not be checked"), "{markdown}");
}

// ---------------------------------------------------------------------------------------------
// Properties every format has

#[test]
fn rendering_is_deterministic_whatever_the_input_order() {
    let scan = scan();
    let mut reversed = self::scan();
    reversed.matches.findings.reverse();
    reversed.suppressed.reverse();
    for format in ScanFormat::ALL {
        assert_eq!(
            render(&scan.report(), format),
            render(&reversed.report(), format),
            "{format}"
        );
    }
}

#[test]
fn the_stale_warning_is_in_every_format() {
    let scan = scan();
    let report = scan.report();
    let table = render(&report, ScanFormat::Table);
    assert!(
        table.starts_with(&format!("WARNING: {STALE}\n")),
        "the table opens with the warning:\n{table}"
    );
    let json = render_json(&report, ScanFormat::Json);
    assert_eq!(json["db"]["stale_warning"], STALE);
    assert_eq!(json["db"]["stale"], true);
    let sarif = render_json(&report, ScanFormat::Sarif);
    let run = &sarif["runs"][0];
    assert_eq!(run["properties"]["qm:db-stale-warning"], STALE);
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notifications
            .iter()
            .any(|n| n["message"]["text"] == STALE && n["level"] == "warning"),
        "{notifications:#?}"
    );
    let bom = render_json(&report, ScanFormat::CycloneDx);
    let properties = bom["metadata"]["properties"].as_array().unwrap();
    assert!(
        properties
            .iter()
            .any(|p| p["name"] == "qm:db:stale-warning" && p["value"] == STALE),
        "{properties:#?}"
    );
    let markdown = render(&report, ScanFormat::Markdown);
    assert!(
        markdown.starts_with("> [!WARNING]\n> "),
        "the comment opens with the alert:\n{markdown}"
    );
    // The warning's backticks are escaped, its words are all there.
    assert!(markdown.contains("run \\`qm db update\\` or import a newer bundle"));

    // And nothing says it when the database is fresh.
    let mut fresh = self::scan();
    fresh.db.stale_warning = None;
    let report = fresh.report();
    for format in ScanFormat::ALL {
        let text = render(&report, format);
        assert!(!text.contains("12 days ago; run"), "{format}");
        assert!(!text.contains("stale-warning"), "{format}");
    }
}

#[test]
fn no_escape_codes_without_colour() {
    let scan = scan();
    let report = scan.report();
    for format in ScanFormat::ALL {
        let text = render(&report, format);
        assert!(!text.contains('\u{1b}'), "{format} wrote an escape code");
    }
    let coloured = render_with(
        &report,
        ScanFormat::Table,
        &ScanRenderOptions {
            color: true,
            ..ScanRenderOptions::default()
        },
    );
    assert!(
        coloured.contains("\u{1b}["),
        "colour asked for, none written"
    );
    // Colour changes how the table looks, not what it says.
    assert_eq!(strip_ansi(&coloured), render(&report, ScanFormat::Table));
    // Only the table is coloured.
    for format in [ScanFormat::Json, ScanFormat::Markdown, ScanFormat::Sarif] {
        let text = render_with(
            &report,
            format,
            &ScanRenderOptions {
                color: true,
                ..ScanRenderOptions::default()
            },
        );
        assert!(!text.contains('\u{1b}'), "{format} wrote an escape code");
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(character) = chars.next() {
        if character == '\u{1b}' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(character);
        }
    }
    out
}

#[test]
fn the_table_keeps_to_its_width() {
    let scan = scan();
    for width in [80_u16, 100, 140] {
        let options = ScanRenderOptions {
            width: Some(width),
            ..ScanRenderOptions::default()
        };
        let text = render_with(&scan.report(), ScanFormat::Table, &options);
        let table_lines: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with(['┌', '│', '╞', '└']))
            .collect();
        assert!(table_lines.len() > 8, "{text}");
        for line in table_lines {
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: {} columns: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn the_table_groups_rows_by_package() {
    let scan = scan();
    let text = render(&scan.report(), ScanFormat::Table);
    // libssl3 has three findings; its name appears once in the table, on the most severe.
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
    let named: Vec<&&str> = rows.iter().filter(|row| row.contains("libssl3")).collect();
    assert_eq!(named.len(), 1, "{text}");
    assert!(named[0].contains("CVE-2024-6119"), "{text}");
    let position = |id: &str| rows.iter().position(|row| row.contains(id)).unwrap();
    assert!(position("CVE-2024-6119") < position("CVE-2023-5678"));
    assert!(position("CVE-2023-5678") < position("CVE-2024-2511"));
    assert!(text.contains("no fix (no-dsa)"), "{text}");
    assert!(text.contains("CVE-2023-32681 (+2)"), "{text}");
    // Suppressed findings are listed apart and not counted.
    assert!(
        text.contains("7 vulnerabilities in 4 of 5 checked packages"),
        "{text}"
    );
    assert!(text.contains("Suppressed (2)"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_carries_every_finding_field_and_the_layer_build_step() {
    let scan = scan();
    let json = render_json(&scan.report(), ScanFormat::Json);
    assert_eq!(json["schema"], SCAN_SCHEMA);
    assert_eq!(json["summary"]["findings"], 7);
    assert_eq!(json["summary"]["vulnerabilities"], 7);
    assert_eq!(json["summary"]["affected_packages"], 4);
    assert_eq!(json["summary"]["fixable"], 5);
    assert_eq!(json["summary"]["suppressed"], 2);
    assert_eq!(json["summary"]["by_severity"]["critical"], 1);
    assert_eq!(json["summary"]["by_severity"]["medium"], 3);
    assert_eq!(json["summary"]["by_severity"]["unknown"], 1);

    let findings = json["findings"].as_array().unwrap();
    let crypto = findings
        .iter()
        .find(|f| f["id"] == "CVE-2024-45337")
        .unwrap();
    assert_eq!(crypto["package"]["layer"]["index"], 2);
    assert_eq!(crypto["package"]["layer"]["created_by"], "COPY app /app");
    assert_eq!(crypto["fix"]["state"], "fixed");
    assert_eq!(crypto["fix"]["version"], "0.31.0");
    assert_eq!(crypto["severity"]["score"], 9.1);
    assert_eq!(crypto["matched_key"], "Go/golang.org/x/crypto");
    let no_dsa = findings
        .iter()
        .find(|f| f["id"] == "CVE-2024-2511")
        .unwrap();
    assert_eq!(no_dsa["fix"]["state"], "not-fixed");
    assert_eq!(no_dsa["fix"]["status"], "no-dsa");
    assert_eq!(no_dsa["installed_version"], "3.0.11-1~deb12u2");
    assert_eq!(no_dsa["matched_by"], "distro-source-package");
    assert_eq!(no_dsa["matched_key"], "Debian:12/openssl");
    assert!(no_dsa.get("fixed_version").is_none());

    let suppressed = json["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["finding"]["id"], "CVE-2022-3715");
    assert_eq!(suppressed[0]["status"], "not-affected");
    assert_eq!(suppressed[0]["justification"], "code_not_reachable");
    assert_eq!(suppressed[0]["by"]["kind"], "vex");
    assert_eq!(suppressed[1]["by"]["kind"], "ignore");
    assert_eq!(json["notes"][0]["kind"], "no-ecosystem-data");
}

/// Every key the scan JSON can contain, each in a `| \`key\` |` row of the document.
#[test]
fn every_json_key_is_documented() {
    let docs = fs_err::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scan-json.md"),
    )
    .unwrap();
    let mut keys = BTreeSet::new();
    collect_keys(&render_json(&scan().report(), ScanFormat::Json), &mut keys);
    assert!(keys.len() > 60, "{keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !docs.contains(&format!("| `{key}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scan-json.md does not document {missing:?}"
    );
    assert!(docs.contains(SCAN_SCHEMA));
}

fn collect_keys(value: &Value, keys: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                keys.insert(key.clone());
                collect_keys(value, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_keys(item, keys)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_has_what_code_scanning_needs() {
    let scan = scan();
    let sarif = render_json(&scan.report(), ScanFormat::Sarif);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().starts_with("https://"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "quartermaster");
    assert_eq!(driver["version"], "0.1.0-test");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = rule_ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(rule_ids, sorted, "rules are unique and sorted");
    assert_eq!(rules.len(), 9, "one rule per id, suppressed ones included");
    for rule in rules {
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")), "{rule}");
        if let Some(uri) = rule.get("helpUri") {
            assert!(uri.as_str().unwrap().starts_with("https://"), "{rule}");
        }
        match rule["properties"].get("security-severity") {
            Some(score) => {
                let score: f64 = score.as_str().unwrap().parse().unwrap();
                assert!((0.0..=10.0).contains(&score), "{rule}");
            }
            None => assert_eq!(
                rule["id"], "RUSTSEC-2024-0375",
                "only unknown ratings lack it"
            ),
        }
    }
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        rule("CVE-2024-45337")["properties"]["security-severity"],
        "9.1"
    );
    assert_eq!(
        rule("CVE-2024-45337")["defaultConfiguration"]["level"],
        "error"
    );
    // A rating word without a score still gets a score GitHub files under the same level.
    assert_eq!(
        rule("CVE-2024-6119")["properties"]["security-severity"],
        "8.0"
    );
    assert_eq!(
        rule("CVE-2024-45337")["helpUri"],
        "https://pkg.go.dev/vuln/GO-2024-3321"
    );

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    let mut fingerprints = HashSet::new();
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
        assert!(
            ["error", "warning", "note"].contains(&result["level"].as_str().unwrap()),
            "{result}"
        );
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/') && !uri.contains("://"), "{uri}");
        let fingerprint = result["partialFingerprints"]["qmFinding/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 32);
        assert!(
            fingerprints.insert(fingerprint.to_owned()),
            "{fingerprint} repeats"
        );
    }
    let result = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    let no_dsa = result("CVE-2024-2511");
    assert_eq!(no_dsa["level"], "note");
    let text = no_dsa["message"]["text"].as_str().unwrap();
    assert!(text.contains("libssl3 (openssl)"), "{text}");
    assert!(text.contains("3.0.11-1~deb12u2"), "{text}");
    assert!(text.contains("no-dsa"), "{text}");
    let fixed = result("CVE-2024-35195");
    assert_eq!(fixed["level"], "warning");
    let text = fixed["message"]["text"].as_str().unwrap();
    assert!(text.contains("requests") && text.contains("2.28.0") && text.contains("2.32.0"));
    assert_eq!(
        fixed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/local/lib/python3.11/site-packages/requests-2.28.0.dist-info/METADATA"
    );
    assert_eq!(result("CVE-2024-45337")["level"], "error");
    let suppressed = result("CVE-2022-3715");
    assert_eq!(suppressed["suppressions"][0]["kind"], "external");
    assert!(
        suppressed["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("vex/app.openvex.json")
    );
    assert!(result("CVE-2024-35195").get("suppressions").is_none());
}

#[test]
fn sarif_fingerprints_do_not_depend_on_other_findings() {
    let scan = scan();
    let mut fewer = self::scan();
    fewer.matches.findings.retain(|f| f.id == "CVE-2024-35195");
    let fingerprint = |scan: &Scan| {
        let sarif = render_json(&scan.report(), ScanFormat::Sarif);
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "CVE-2024-35195")
            .unwrap()["partialFingerprints"]
            .clone()
    };
    assert_eq!(fingerprint(&scan), fingerprint(&fewer));
}

/// Run with `QM_SARIF_SCHEMA=/path/to/sarif-schema-2.1.0.json cargo test -p qm-report --test
/// scan_report -- --ignored`: the schema is not among the shared test data.
#[test]
#[ignore = "needs the SARIF 2.1.0 schema named by QM_SARIF_SCHEMA"]
fn sarif_is_schema_valid() {
    let path = std::env::var("QM_SARIF_SCHEMA").expect("QM_SARIF_SCHEMA names the schema");
    let mut schema: Value = serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
    // The published schema's pattern for `language` (of runs and tool components) has a stray
    // `]` (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) that ECMAScript reads as a literal and
    // the Rust regex engine refuses; we never write `language`, so the pattern is dropped.
    for definition in ["run", "toolComponent"] {
        let pointer = format!("/definitions/{definition}/properties/language");
        if let Some(language) = schema.pointer_mut(&pointer) {
            language.as_object_mut().unwrap().remove("pattern");
        }
    }
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let mut empty = scan();
    empty.matches.findings.clear();
    empty.suppressed.clear();
    for scan in [scan(), empty] {
        let document = render_json(&scan.report(), ScanFormat::Sarif);
        let errors = schema_errors(&validator, &document);
        assert!(errors.is_empty(), "SARIF 2.1.0 schema errors:\n{errors:#?}");
    }
    let mut broken = render_json(&scan().report(), ScanFormat::Sarif);
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&validator, &broken).is_empty());
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

fn read_json(relative: &str) -> Value {
    serde_json::from_str(&qm_testdata::read_text(relative)).unwrap()
}

const CYCLONEDX: &str = "vectors/cyclonedx-schema";

static CYCLONEDX_VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    // `bom-1.6.schema.json` refers to `spdx.schema.json` and `jsf-0.82.schema.json` by their
    // `$id`s; both are registered from disk, so nothing is fetched.
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            read_json(&format!("{CYCLONEDX}/schema/spdx.schema.json")),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            read_json(&format!("{CYCLONEDX}/schema/jsf-0.82.schema.json")),
        )
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&read_json(&format!(
            "{CYCLONEDX}/schema/bom-1.6.schema.json"
        )))
        .unwrap()
});

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .take(20)
        .collect()
}

#[test]
fn cyclonedx_validator_tells_valid_from_invalid_vulnerabilities() {
    let upstream = read_json(&format!(
        "{CYCLONEDX}/tools/src/test/resources/1.6/valid-vulnerability-1.6.json"
    ));
    let errors = schema_errors(&CYCLONEDX_VALIDATOR, &upstream);
    assert!(errors.is_empty(), "{errors:#?}");
    // Our own output, broken where the schema has closed vocabularies, must fail.
    let bom = render_json(&scan().report(), ScanFormat::CycloneDx);
    type Breakage = fn(&mut Value);
    let breakages: [(&str, Breakage); 4] = [
        ("analysis state", |bom| {
            bom["vulnerabilities"][0]["analysis"]["state"] = Value::from("probably_fine");
        }),
        ("justification", |bom| {
            bom["vulnerabilities"][8]["analysis"]["justification"] = Value::from("trust_me");
        }),
        ("rating method", |bom| {
            bom["vulnerabilities"][0]["ratings"][0]["method"] = Value::from("CVSSv9");
        }),
        ("affected version status", |bom| {
            bom["vulnerabilities"][0]["affects"][0]["versions"][0]["status"] = Value::from("maybe");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = bom.clone();
        breakage(&mut broken);
        assert_ne!(broken, bom, "{what}: the breakage changed nothing");
        assert!(
            !schema_errors(&CYCLONEDX_VALIDATOR, &broken).is_empty(),
            "{what}: a broken document passed"
        );
    }
}

#[test]
fn cyclonedx_is_schema_valid_with_the_sboms_components() {
    let scan = scan();
    let report = scan.report();
    let mut empty = self::scan();
    empty.matches.findings.clear();
    empty.suppressed.clear();
    empty.matches.notes.clear();
    for (what, report) in [("scan", report), ("empty", empty.report())] {
        let bom = render_json(&report, ScanFormat::CycloneDx);
        let errors = schema_errors(&CYCLONEDX_VALIDATOR, &bom);
        assert!(
            errors.is_empty(),
            "{what}: CycloneDX 1.6 schema errors:\n{errors:#?}"
        );
    }

    let bom = render_json(&report, ScanFormat::CycloneDx);
    let mut sbom_text = Vec::new();
    render_sbom(
        &scan.inventory,
        SbomFormat::CycloneDx,
        &scan.context,
        &mut sbom_text,
    )
    .unwrap();
    let sbom: Value = serde_json::from_slice(&sbom_text).unwrap();
    assert_eq!(
        bom["components"], sbom["components"],
        "the SBOM's components"
    );
    assert_eq!(bom["metadata"]["component"], sbom["metadata"]["component"]);
    assert_ne!(
        bom["serialNumber"], sbom["serialNumber"],
        "another document"
    );

    let components = bom["components"].as_array().unwrap();
    let refs: HashSet<&str> = components
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let vulnerabilities = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulnerabilities.len(), 9);
    for vulnerability in vulnerabilities {
        let affects = vulnerability["affects"].as_array().unwrap();
        assert_eq!(affects.len(), 1, "{vulnerability}");
        let reference = affects[0]["ref"].as_str().unwrap();
        assert!(refs.contains(reference), "{reference} is no component");
        assert!(!vulnerability["ratings"].as_array().unwrap().is_empty());
    }

    let vulnerability = |id: &str| vulnerabilities.iter().find(|v| v["id"] == id).unwrap();
    let component = |reference: &Value| {
        components
            .iter()
            .find(|c| &c["bom-ref"] == reference)
            .unwrap()
    };
    let crypto = vulnerability("CVE-2024-45337");
    assert_eq!(
        component(&crypto["affects"][0]["ref"])["name"],
        "golang.org/x/crypto"
    );
    assert_eq!(crypto["source"]["name"], "NVD");
    assert_eq!(crypto["ratings"][0]["method"], "CVSSv31");
    assert_eq!(crypto["ratings"][0]["score"], 9.1);
    assert_eq!(crypto["ratings"][0]["severity"], "critical");
    assert_eq!(
        crypto["recommendation"],
        "Upgrade golang.org/x/crypto to 0.31.0."
    );
    assert_eq!(crypto["analysis"]["state"], "in_triage");
    let references: Vec<&str> = crypto["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["GHSA-v778-237x-gjrc", "GO-2024-3321"]);
    assert_eq!(
        crypto["affects"][0]["versions"],
        serde_json::json!([
            { "version": "v0.30.0", "status": "affected" },
            { "version": "0.31.0", "status": "unaffected" }
        ])
    );

    let no_dsa = vulnerability("CVE-2024-2511");
    assert_eq!(component(&no_dsa["affects"][0]["ref"])["name"], "libssl3");
    assert!(no_dsa.get("recommendation").is_none());
    assert!(
        no_dsa["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("no-dsa")
    );
    assert_eq!(no_dsa["ratings"][0]["severity"], "low");
    assert!(no_dsa["ratings"][0].get("method").is_none());

    let not_affected = vulnerability("CVE-2022-3715");
    assert_eq!(
        component(&not_affected["affects"][0]["ref"])["name"],
        "bash"
    );
    assert_eq!(not_affected["analysis"]["state"], "not_affected");
    assert_eq!(
        not_affected["analysis"]["justification"],
        "code_not_reachable"
    );
    assert!(
        not_affected["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("untrusted input")
    );
    let accepted = vulnerability("CVE-2024-9143");
    assert_eq!(accepted["analysis"]["state"], "exploitable");
    assert_eq!(
        accepted["analysis"]["response"],
        serde_json::json!(["will_not_fix"])
    );
    assert!(accepted["analysis"].get("justification").is_none());
}

// ---------------------------------------------------------------------------------------------
// Odd input

/// A package no file declares (an SBOM input) and a finding about a package the inventory does
/// not have, with a long title and an address that is no web page: every format still renders,
/// stays valid, and links nothing it should not.
#[test]
fn odd_findings_render_everywhere() {
    let mut scan = scan();
    let atty = &mut scan.matches.findings[0];
    assert_eq!(atty.package.name, "atty");
    atty.package.locations.clear();
    let mut stray = scan.matches.findings[1].clone();
    stray.id = "CVE-2099-0001".to_owned();
    stray.package.index = 99;
    stray.package.layer = Some("sha256:ffff".to_owned());
    stray.title = Some(format!("a | b <script> [x](y) {}", "long ".repeat(100)));
    stray.urls = strings(&["javascript:alert(1)"]);
    scan.matches.findings.push(stray);
    let report = scan.report();

    for format in ScanFormat::ALL {
        let text = render(&report, format);
        assert!(text.contains("CVE-2099-0001"), "{format}");
    }

    let sarif = render_json(&report, ScanFormat::Sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let atty = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2024-0375")
        .unwrap();
    assert_eq!(
        atty["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "app.tar",
        "no file: the target"
    );

    let markdown = render(&report, ScanFormat::Markdown);
    assert!(!markdown.contains("](javascript"), "{markdown}");
    assert!(!markdown.contains("<script>"), "{markdown}");

    let bom = render_json(&report, ScanFormat::CycloneDx);
    let errors = schema_errors(&CYCLONEDX_VALIDATOR, &bom);
    assert!(errors.is_empty(), "{errors:#?}");
    let stray = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2099-0001")
        .unwrap();
    assert_eq!(
        stray["affects"],
        serde_json::json!([]),
        "no component to name"
    );

    let json = render_json(&report, ScanFormat::Json);
    let stray = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2099-0001")
        .unwrap();
    assert_eq!(
        stray["package"]["layer"],
        serde_json::json!({ "digest": "sha256:ffff" })
    );
}
