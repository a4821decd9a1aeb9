//! Severities from CVSS vectors: the base score and its qualitative rating, computed with the
//! `cvss` crate, whose types stay inside this module.
//!
//! Surprises:
//! - CVSS v2 has no `CVSS:2.0/` prefix in its specification (`AV:N/AC:L/Au:N/C:P/I:P/A:P`), but
//!   feeds write it with the prefix, and NVD wraps it in parentheses; all three forms are read.
//! - CVSS v2 rates with its own bands (0-3.9 low, 4-6.9 medium, 7-10 high: there is no
//!   critical and no none); v3.x and v4.0 use [`Rating::from_cvss_score`].
//! - For v4.0 the score is the one the vector's metric groups give (CVSS-B for a base-only
//!   vector, CVSS-BT or CVSS-BTE when threat or environmental metrics are present); feeds
//!   publish base-only vectors.
//! - The vector is kept as written (trimmed), not re-serialised, so it stays comparable with the
//!   feed's text.

use std::str::FromStr as _;

use qm_model::{CvssVersion, Rating, Severity};

/// The base metrics each version requires; the `cvss` crate scores a vector that lacks some,
/// as if they had their lowest value, which would understate the severity.
const V2_BASE: &[&str] = &["AV", "AC", "Au", "C", "I", "A"];
const V3_BASE: &[&str] = &["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V4_BASE: &[&str] = &[
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// Parses a CVSS v2, v3.0, v3.1 or v4.0 vector and computes its base score and rating;
/// `None` when the vector is not valid or lacks a base metric.
pub(crate) fn from_cvss_vector(vector: &str) -> Option<Severity> {
    let vector = vector.trim();
    let parsed = if let Some(rest) = vector.strip_prefix("CVSS:2.0/") {
        cvss::Cvss::CvssV20(cvss::v2::Vector::from_str(rest).ok()?)
    } else if vector.starts_with("CVSS:") {
        cvss::Cvss::from_str(vector).ok()?
    } else {
        let bare = vector
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or(vector);
        cvss::Cvss::CvssV20(cvss::v2::Vector::from_str(bare).ok()?)
    };
    let (version, required) = match &parsed {
        cvss::Cvss::CvssV20(_) => (CvssVersion::V2, V2_BASE),
        cvss::Cvss::CvssV30(_) => (CvssVersion::V3_0, V3_BASE),
        cvss::Cvss::CvssV31(_) => (CvssVersion::V3_1, V3_BASE),
        cvss::Cvss::CvssV40(_) => (CvssVersion::V4_0, V4_BASE),
        // Versions the crate may add later are not read.
        _ => return None,
    };
    let present: Vec<&str> = parsed.metrics().map(|(metric, _)| metric.name()).collect();
    if !required.iter().all(|metric| present.contains(metric)) {
        return None;
    }
    let score = parsed.score();
    if !score.is_finite() || !(0.0..=10.0).contains(&score) {
        return None;
    }
    let rating = match version {
        CvssVersion::V2 => v2_rating(score),
        _ => Rating::from_cvss_score(score),
    };
    Some(Severity::Cvss {
        version,
        vector: vector.to_owned(),
        score,
        rating,
    })
}

/// The bands NVD uses for CVSS v2 base scores.
fn v2_rating(score: f64) -> Rating {
    match score {
        s if s < 4.0 => Rating::Low,
        s if s < 7.0 => Rating::Medium,
        _ => Rating::High,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_score_and_rate() {
        let cases: &[(&str, CvssVersion, f64, Rating)] = &[
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssVersion::V3_1,
                9.8,
                Rating::Critical,
            ),
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssVersion::V3_0,
                9.8,
                Rating::Critical,
            ),
            // RUSTSEC-2021-0078 (hyper).
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N",
                CvssVersion::V3_1,
                5.3,
                Rating::Medium,
            ),
            (
                "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:H",
                CvssVersion::V3_1,
                6.6,
                Rating::Medium,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                CvssVersion::V3_1,
                10.0,
                Rating::Critical,
            ),
            (
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N",
                CvssVersion::V3_1,
                0.0,
                Rating::None,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                CvssVersion::V4_0,
                9.3,
                Rating::Critical,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
                CvssVersion::V4_0,
                6.8,
                Rating::Medium,
            ),
            (
                "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                CvssVersion::V2,
                7.5,
                Rating::High,
            ),
            (
                "(AV:N/AC:M/Au:N/C:N/I:P/A:N)",
                CvssVersion::V2,
                4.3,
                Rating::Medium,
            ),
            (
                "CVSS:2.0/AV:L/AC:L/Au:N/C:P/I:N/A:N",
                CvssVersion::V2,
                2.1,
                Rating::Low,
            ),
            (
                "AV:N/AC:L/Au:N/C:C/I:C/A:C",
                CvssVersion::V2,
                10.0,
                Rating::High,
            ),
        ];
        for (vector, version, score, rating) in cases {
            let severity = from_cvss_vector(vector);
            let Some(Severity::Cvss {
                version: got_version,
                vector: got_vector,
                score: got_score,
                rating: got_rating,
            }) = severity
            else {
                panic!("{vector}: {severity:?}");
            };
            assert_eq!(got_version, *version, "{vector}");
            assert_eq!(got_vector, vector.trim(), "{vector}");
            assert!((got_score - score).abs() < 1e-9, "{vector}: {got_score}");
            assert_eq!(got_rating, *rating, "{vector}");
        }
    }

    #[test]
    fn invalid_vectors_are_none() {
        for vector in [
            "",
            "CVSS:3.1/",
            "CVSS:3.1/AV:N",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "high",
            "9.8",
            "AV:N/AC:L",
        ] {
            assert_eq!(from_cvss_vector(vector), None, "{vector:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(vector in "(CVSS:[234]\\.[01]/)?([A-Za-z]{1,3}:[A-Za-z]{0,2}/?){0,14}") {
            let _ = from_cvss_vector(&vector);
        }
    }
}
