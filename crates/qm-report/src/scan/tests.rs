//! Unit tests of the scan module's names and small derivations; whole reports are tested in
//! `tests/scan_report.rs`.

use std::time::Duration;

use super::facts::{age_words, cvss_method, id_publisher, truncate};
use super::*;

#[test]
fn format_names_round_trip_and_accept_aliases() {
    let cases = [
        ("table", ScanFormat::Table),
        ("JSON", ScanFormat::Json),
        ("sarif", ScanFormat::Sarif),
        ("cyclonedx", ScanFormat::CycloneDx),
        (" CycloneDX-JSON ", ScanFormat::CycloneDx),
        ("markdown", ScanFormat::Markdown),
        ("md", ScanFormat::Markdown),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<ScanFormat>(), Ok(expected), "{text}");
    }
    for format in ScanFormat::ALL {
        assert_eq!(format.to_string().parse::<ScanFormat>(), Ok(format));
    }
    for bad in ["", "spdx", "html", "sarif2"] {
        let error = bad.parse::<ScanFormat>().unwrap_err();
        assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
    }
}

#[test]
fn justifications_read_cyclonedx_and_openvex_words() {
    let cases = [
        ("code_not_present", Justification::CodeNotPresent),
        ("component_not_present", Justification::CodeNotPresent),
        ("vulnerable_code_not_present", Justification::CodeNotPresent),
        (
            "vulnerable_code_not_in_execute_path",
            Justification::CodeNotReachable,
        ),
        (
            "Vulnerable-Code-Cannot-Be-Controlled-By-Adversary",
            Justification::ProtectedByMitigatingControl,
        ),
        (
            "inline_mitigations_already_exist",
            Justification::ProtectedByMitigatingControl,
        ),
        ("requires_environment", Justification::RequiresEnvironment),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<Justification>(), Ok(expected), "{text}");
    }
    for justification in [
        Justification::CodeNotPresent,
        Justification::CodeNotReachable,
        Justification::RequiresConfiguration,
        Justification::RequiresDependency,
        Justification::RequiresEnvironment,
        Justification::ProtectedByCompiler,
        Justification::ProtectedAtRuntime,
        Justification::ProtectedAtPerimeter,
        Justification::ProtectedByMitigatingControl,
    ] {
        assert_eq!(
            justification.as_str().parse::<Justification>(),
            Ok(justification)
        );
        assert_eq!(
            serde_json::to_value(justification).unwrap(),
            justification.as_str()
        );
    }
    assert!("not_a_reason".parse::<Justification>().is_err());
}

#[test]
fn cvss_vectors_name_their_method() {
    let cases = [
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "CVSSv4",
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSSv31"),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSSv3"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSSv2"),
        ("something else", "other"),
    ];
    for (vector, method) in cases {
        assert_eq!(cvss_method(vector), method, "{vector}");
    }
}

#[test]
fn ages_use_the_largest_whole_unit() {
    let cases = [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (3_599, "59 minutes"),
        (7_200, "2 hours"),
        (86_400, "1 day"),
        (12 * 86_400 + 3_600, "12 days"),
    ];
    for (seconds, words) in cases {
        assert_eq!(age_words(Duration::from_secs(seconds)), words, "{seconds}");
    }
}

#[test]
fn truncation_keeps_one_line_and_marks_the_cut() {
    assert_eq!(truncate("short", 10), "short");
    assert_eq!(truncate("first line\nsecond", 40), "first line");
    assert_eq!(truncate("abcdefghij", 5), "abcd…");
    assert_eq!(truncate("abc def ghi", 5), "abc…");
    assert_eq!(truncate("ééééééé", 4), "ééé…");
    assert_eq!(truncate("", 4), "");
}

#[test]
fn id_prefixes_name_their_publisher() {
    assert_eq!(id_publisher("CVE-2024-0727"), Some("NVD"));
    assert_eq!(id_publisher("GHSA-9wx4-h78v-vm56"), Some("GitHub"));
    assert_eq!(id_publisher("GO-2024-3321"), Some("Go"));
    assert_eq!(id_publisher("DLA-3942-1"), Some("Debian"));
    assert_eq!(id_publisher("XYZ-1"), None);
}
