//! Every scheme's ordering is a total order, consistent with equality, and survives a
//! parse → display → parse round trip: on generated strings and on the real version strings of
//! the upstream vectors.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use std::cmp::Ordering;

use proptest::prelude::*;
use qm_version::{Scheme, Version};

/// A generator of plausible version strings per scheme; strings that do not parse are dropped.
fn pattern(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Dpkg => "([0-9]:)?[0-9][0-9a-z.+~]{0,8}(-[0-9a-z.+~]{1,4})?",
        Scheme::Rpm => "([0-9]:)?[0-9a-zA-Z.~^_+]{1,10}(-[0-9a-z.~^]{1,5})?",
        Scheme::Apk => {
            "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,4})?(-r[0-9]{1,2})?"
        }
        Scheme::Pep440 => {
            "([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}((a|b|rc|alpha|beta|c|pre)[0-9]{0,2})?(\\.post[0-9]{0,2})?(\\.dev[0-9]{0,2})?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,3})?)?"
        }
        Scheme::Go => {
            "v?[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+incompatible)?"
        }
        Scheme::SemVer | Scheme::Npm | Scheme::Cargo | Scheme::Hex | Scheme::Pub => {
            "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[0-9a-zA-Z-]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+[0-9a-z]{1,3}(\\.[0-9a-z]{1,2})?)?"
        }
        Scheme::Maven => "[0-9a-zA-Z.\\-]{1,12}",
        Scheme::RubyGems => "[0-9]{1,2}(\\.[0-9a-z]{1,3}){0,3}(-[0-9a-z]{1,3})?",
        Scheme::NuGet => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-[0-9a-zA-Z]{1,3}(\\.[0-9a-zA-Z]{1,3}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Scheme::Composer => {
            "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([-.]?(alpha|beta|RC|rc|a|b|p|pl|patch|dev)[.-]?[0-9]{0,2})?"
        }
        _ => "[0-9a-zA-Z.~_+-]{1,12}",
    }
}

fn check_laws(scheme: Scheme, a: &Version, b: &Version, c: &Version) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.cmp(a), Ordering::Equal, "{} not equal to itself", a);
    prop_assert_eq!(
        a.cmp(b),
        b.cmp(a).reverse(),
        "{} vs {} is not antisymmetric",
        a,
        b
    );
    prop_assert_eq!(
        a == b,
        a.cmp(b) == Ordering::Equal,
        "{} == {} disagrees with cmp",
        a,
        b
    );
    if a <= b && b <= c {
        prop_assert!(a <= c, "{} <= {} <= {} but not {} <= {}", a, b, c, a, c);
    }
    if a == b {
        prop_assert_eq!(
            a.cmp(c),
            b.cmp(c),
            "{} == {} but they order {} differently",
            a,
            b,
            c
        );
    }
    let again = scheme.parse(&a.to_string());
    prop_assert!(again.is_ok(), "{} does not parse again", a);
    if let Ok(again) = again {
        prop_assert_eq!(
            again.cmp(a),
            Ordering::Equal,
            "{} changed in a round trip",
            a
        );
    }
    Ok(())
}

fn laws_on_generated(scheme: Scheme) {
    let version = || {
        proptest::string::string_regex(pattern(scheme))
            .unwrap()
            .prop_filter_map("does not parse", move |text| scheme.parse(&text).ok())
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    });
    runner
        .run(&(version(), version(), version()), |(a, b, c)| {
            check_laws(scheme, &a, &b, &c)
        })
        .unwrap_or_else(|error| panic!("{scheme}: {error}"));
}

macro_rules! generated_laws {
    ($($name:ident => $scheme:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                laws_on_generated($scheme);
            }
        )*
    };
}

generated_laws! {
    dpkg_is_a_total_order => Scheme::Dpkg,
    rpm_is_a_total_order => Scheme::Rpm,
    apk_is_a_total_order => Scheme::Apk,
    pep440_is_a_total_order => Scheme::Pep440,
    semver_is_a_total_order => Scheme::SemVer,
    npm_is_a_total_order => Scheme::Npm,
    cargo_is_a_total_order => Scheme::Cargo,
    go_is_a_total_order => Scheme::Go,
    maven_is_a_total_order => Scheme::Maven,
    rubygems_is_a_total_order => Scheme::RubyGems,
    nuget_is_a_total_order => Scheme::NuGet,
    composer_is_a_total_order => Scheme::Composer,
    hex_is_a_total_order => Scheme::Hex,
    pub_is_a_total_order => Scheme::Pub,
    generic_is_a_total_order => Scheme::Generic,
}

/// All distinct version strings of a vector file that parse under `scheme`.
fn real_versions(scheme: Scheme, files: &[&str]) -> Vec<Version> {
    let mut texts: Vec<String> = files
        .iter()
        .flat_map(|file| qm_testdata::version_cases(file))
        .flat_map(|case| [case.a, case.b])
        .collect();
    texts.sort();
    texts.dedup();
    let versions: Vec<Version> = texts.iter().filter_map(|t| scheme.parse(t).ok()).collect();
    assert!(
        versions.len() >= 20,
        "{scheme}: only {} real versions parse",
        versions.len()
    );
    versions
}

/// Sorting real versions and checking every pair of the result catches any intransitivity the
/// sort could hide; every triple of a sample checks the laws directly.
fn laws_on_real(scheme: Scheme, files: &[&str]) {
    let mut versions = real_versions(scheme, files);
    versions.sort();
    for (i, a) in versions.iter().enumerate() {
        for b in versions.iter().skip(i + 1) {
            assert_ne!(
                a.cmp(b),
                Ordering::Greater,
                "{scheme}: sorted {a} before {b}"
            );
            assert_eq!(a.cmp(b), b.cmp(a).reverse(), "{scheme}: {a} vs {b}");
        }
    }
    let sample: Vec<&Version> = versions
        .iter()
        .step_by((versions.len() / 40).max(1))
        .collect();
    for a in &sample {
        for b in &sample {
            for c in &sample {
                check_laws(scheme, a, b, c).unwrap_or_else(|error| panic!("{scheme}: {error}"));
            }
        }
    }
}

#[test]
fn real_versions_obey_the_laws() {
    laws_on_real(
        Scheme::Dpkg,
        &["dpkg-Dpkg_Version.tsv", "dpkg-apt-compareversion.tsv"],
    );
    laws_on_real(Scheme::Rpm, &["rpm-rpmvercmp.tsv"]);
    laws_on_real(Scheme::Apk, &["apk-version.tsv"]);
    laws_on_real(Scheme::Pep440, &["pep440-packaging.tsv"]);
    laws_on_real(
        Scheme::Npm,
        &["semver-node-semver.tsv", "semver-spec-precedence.tsv"],
    );
    laws_on_real(
        Scheme::SemVer,
        &["semver-node-semver.tsv", "semver-spec-precedence.tsv"],
    );
    laws_on_real(Scheme::Maven, &["maven-comparableversion.tsv"]);
    laws_on_real(Scheme::RubyGems, &["rubygems-version.tsv"]);
    laws_on_real(
        Scheme::Generic,
        &["dpkg-apt-compareversion.tsv", "maven-comparableversion.tsv"],
    );
}
