//! Installed gemspecs against syft's `ruby/testdata` fixtures.
//!
//! syft's `ruby/parse_gemspec_test.go` expects `bundler` 2.1.4 from `bundler.gemspec`; the
//! `formatador.gemspec` fixture (every value `.freeze`d) names `formatador` 1.1.0 in its
//! `s.name`/`s.version` lines and its `# stub:` line. The `glob-paths` gemspecs hold the word
//! `bogus`, for syft's glob test only.

use proptest::prelude::*;
use qm_catalog::{CatalogError, claims_gemspec, parse_gemspec};
use qm_model::Ecosystem;

const ROOT: &str = "fixtures/syft/syft/pkg/cataloger/ruby/testdata/";

#[test]
fn syft_gemspecs_name_their_gems() {
    let cases = [
        (
            "bundler.gemspec",
            "usr/lib/ruby/gems/2.7.0/specifications/default/bundler-2.1.4.gemspec",
            ("bundler", "2.1.4", "pkg:gem/bundler@2.1.4"),
        ),
        (
            "formatador.gemspec",
            "usr/local/bundle/specifications/formatador-1.1.0.gemspec",
            ("formatador", "1.1.0", "pkg:gem/formatador@1.1.0"),
        ),
    ];
    for (fixture, path, (name, version, purl)) in cases {
        assert!(claims_gemspec(path), "{path}");
        let bytes = qm_testdata::read_bytes(&format!("{ROOT}{fixture}"));
        let packages = parse_gemspec(path, &bytes).unwrap();
        assert_eq!(packages.len(), 1, "{fixture}");
        let package = &packages[0];
        assert_eq!(
            (
                package.name.as_str(),
                package.version.as_str(),
                package.purl.as_str()
            ),
            (name, version, purl)
        );
        assert_eq!(package.ecosystem, Ecosystem::RubyGems);
        assert_eq!(package.found_by, "ruby-gemspec");
        assert_eq!(package.locations, [path]);
        assert_eq!(package.arch, None);
    }
}

#[test]
fn the_text_wins_over_the_file_name() {
    // Named after another gem: the file name is only a fallback.
    let bytes = qm_testdata::read_bytes(&format!("{ROOT}bundler.gemspec"));
    let packages = parse_gemspec("specifications/other-9.9.gemspec", &bytes).unwrap();
    assert_eq!(packages[0].name, "bundler");
    assert_eq!(packages[0].version, "2.1.4");
}

#[test]
fn bogus_gemspecs_fall_back_to_the_file_name_or_fail() {
    for fixture in [
        "glob-paths/specifications/root.gemspec",
        "glob-paths/specifications/pkg/nested.gemspec",
    ] {
        assert!(claims_gemspec(fixture), "{fixture}");
        let bytes = qm_testdata::read_bytes(&format!("{ROOT}{fixture}"));
        assert!(
            matches!(
                parse_gemspec(fixture, &bytes),
                Err(CatalogError::Malformed { .. })
            ),
            "{fixture}"
        );
        // The same text in a file RubyGems named still gives the gem.
        let named = "specifications/rake-13.0.6.gemspec";
        let packages = parse_gemspec(named, &bytes).unwrap();
        assert_eq!(
            (packages[0].name.as_str(), packages[0].version.as_str()),
            ("rake", "13.0.6")
        );
    }
    assert!(!claims_gemspec("glob-paths/src/Gemfile.lock"));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_gemspec("specifications/x-1.0.gemspec", &bytes);
        let _ = parse_gemspec("specifications/x.gemspec", &bytes);
    }

    #[test]
    fn ruby_like_text_never_panics(
        lines in proptest::collection::vec(
            "[ ]{0,2}(s|spec)\\.(name|version|platform) ?=?=? ?(%q[{<(]|[\"'])?[a-z0-9._#{}-]{0,8}([\"'>)}])?(\\.freeze)?",
            0..8,
        ),
        file in "[a-z0-9.-]{0,12}",
    ) {
        let text = lines.join("\n");
        let path = format!("specifications/{file}.gemspec");
        if let Ok(packages) = parse_gemspec(&path, text.as_bytes()) {
            prop_assert_eq!(packages.len(), 1);
            prop_assert!(packages[0].purl.starts_with("pkg:gem/"));
            prop_assert!(!packages[0].version.is_empty());
        }
    }

    #[test]
    fn claims_never_panic(path in "[a-z./_-]{0,40}") {
        let _ = claims_gemspec(&path);
    }
}
