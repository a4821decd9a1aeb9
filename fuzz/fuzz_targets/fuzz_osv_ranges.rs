//! OSV `affected` evaluation. The first byte picks the ecosystem's scheme (its value modulo the
//! number of schemes, in `Scheme::ALL` order); the rest is read as JSON into `AffectedRanges`
//! (qm-model), which is compiled strictly (`CompiledAffected::new`) and leniently
//! (`CompiledAffected::new_lenient`) and asked about every event version, every entry of the
//! `versions` list and a few fixed versions. Asserted:
//! - an entry that was read from JSON writes back to JSON that reads as an equal entry;
//! - strict compilation fails exactly when lenient compilation reports a problem, and with the
//!   first problem lenient compilation reports;
//! - when strict compilation succeeds, both compilations answer every version alike;
//! - evaluation never panics and fails only for an invalid installed version;
//! - an unaffected version has no fix and no ignored events; no events are ignored unless
//!   lenient compilation dropped some, and never more than it dropped;
//! - an offered fix is the version of some `fixed` event, and, when every range is read by the
//!   ecosystem's own scheme, newer than the installed version;
//! - a version named in the `versions` list is affected;
//! - `git_ranges_skipped` counts the `GIT` ranges and ranges of unknown types.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_model::{AffectedRanges, Event, RangeKind};
use qm_version::{CompiledAffected, RangeError, Scheme};

/// Versions asked about in every input, besides those the input names.
const FIXED_CANDIDATES: &[&str] = &[
    "0",
    "0.0.0",
    "1.0.0",
    "v1.0.0",
    "1.0",
    "1:1.0-1",
    "2.0.0-rc.1",
];

/// Caps the versions asked about, so that a long `versions` list stays fast.
const MAX_CANDIDATES: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&first, json)) = data.split_first() else {
        return;
    };
    let Some(&scheme) = Scheme::ALL.get(usize::from(first) % Scheme::ALL.len()) else {
        return;
    };
    let Ok(affected) = serde_json::from_slice::<AffectedRanges>(json) else {
        return;
    };
    match serde_json::to_vec(&affected).map(|json| serde_json::from_slice(&json)) {
        Ok(Ok(again)) => assert_eq!(affected, again, "JSON round trip changed the entry"),
        Ok(Err(error)) => {
            panic!("{affected:?} serialises to JSON that does not read back: {error}")
        }
        Err(error) => panic!("{affected:?} does not serialise: {error}"),
    }

    let strict = CompiledAffected::new(&affected, scheme);
    let (lenient, problems) = CompiledAffected::new_lenient(&affected, scheme);
    match &strict {
        Ok(_) => assert!(
            problems.is_empty(),
            "strict compile succeeded despite {problems:?}"
        ),
        Err(error) => assert_eq!(
            Some(error),
            problems.first(),
            "strict compile failed with another error than lenient compile's first"
        ),
    }
    let dropped_events = problems
        .iter()
        .filter(|problem| matches!(problem, RangeError::InvalidEvent { .. }))
        .count();
    let skipped_ranges = affected
        .ranges
        .iter()
        .filter(|range| matches!(range.kind, RangeKind::Git | RangeKind::Unknown(_)))
        .count();
    // `SEMVER` ranges of a non-SemVer ecosystem are read by the SemVer scheme, so a fix may be
    // in another scheme than the installed version; only compare when no range is.
    let one_scheme = affected.ranges.iter().all(|range| match range.kind {
        RangeKind::Ecosystem | RangeKind::Git | RangeKind::Unknown(_) => true,
        RangeKind::SemVer => matches!(
            scheme,
            Scheme::SemVer | Scheme::Npm | Scheme::Cargo | Scheme::Go | Scheme::Hex | Scheme::Pub
        ),
    });
    let fixed_events: Vec<&str> = affected
        .ranges
        .iter()
        .flat_map(|range| &range.events)
        .filter_map(|event| match event {
            Event::Fixed(version) => Some(version.as_str()),
            _ => None,
        })
        .collect();

    let candidates = affected
        .ranges
        .iter()
        .flat_map(|range| range.events.iter().map(Event::version))
        .chain(affected.versions.iter().map(String::as_str))
        .chain(FIXED_CANDIDATES.iter().copied())
        .take(MAX_CANDIDATES);
    for installed in candidates {
        let answer = lenient.evaluate(installed);
        if let Ok(strict) = &strict {
            assert_eq!(
                strict.evaluate(installed),
                answer,
                "strict and lenient compilations answer {installed:?} differently"
            );
        }
        let evaluation = match answer {
            Ok(evaluation) => evaluation,
            Err(RangeError::InvalidInstalled(_)) => continue,
            Err(error) => panic!("evaluating {installed:?} failed with {error:?}"),
        };
        assert_eq!(
            evaluation.git_ranges_skipped, skipped_ranges,
            "{installed:?}"
        );
        assert!(
            evaluation.ignored_events <= dropped_events,
            "{installed:?}: {} events ignored, but only {dropped_events} dropped",
            evaluation.ignored_events
        );
        if affected.versions.iter().any(|listed| listed == installed) {
            assert!(
                evaluation.affected,
                "{installed:?} is listed in `versions` but not affected"
            );
        }
        if !evaluation.affected {
            assert_eq!(
                evaluation.fixed, None,
                "unaffected {installed:?} is offered a fix"
            );
            assert_eq!(evaluation.ignored_events, 0, "unaffected {installed:?}");
        }
        if let Some(fix) = &evaluation.fixed {
            assert!(
                fixed_events.contains(&fix.as_str()),
                "{installed:?} is offered {fix:?}, which no `fixed` event names"
            );
            if one_scheme {
                match (scheme.parse(fix), scheme.parse(installed)) {
                    (Ok(fix_version), Ok(installed_version)) => assert!(
                        fix_version > installed_version,
                        "{installed:?} is offered {fix:?}, which is not newer"
                    ),
                    (fix_version, installed_version) => panic!(
                        "{installed:?} was evaluated and offered {fix:?}, but they do not both \
                         parse: {installed_version:?}, {fix_version:?}"
                    ),
                }
            }
        }
    }
});
