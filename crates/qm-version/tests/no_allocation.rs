//! Comparing parsed versions never allocates, in any scheme: the matcher compares millions of
//! versions per scan, and an allocation per comparison would dominate its time.
//!
//! This file holds a single test because the counting allocator is global to the binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qm_version::{Scheme, Version};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[expect(
    unsafe_code,
    reason = "a counting allocator must implement GlobalAlloc"
)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const FILES: &[(Scheme, &[&str])] = &[
    (
        Scheme::Dpkg,
        &["dpkg-Dpkg_Version.tsv", "dpkg-apt-compareversion.tsv"],
    ),
    (Scheme::Rpm, &["rpm-rpmvercmp.tsv"]),
    (Scheme::Apk, &["apk-version.tsv"]),
    (Scheme::Pep440, &["pep440-packaging.tsv"]),
    (
        Scheme::SemVer,
        &["semver-spec-precedence.tsv", "semver-node-semver.tsv"],
    ),
    (
        Scheme::Npm,
        &["semver-spec-precedence.tsv", "semver-node-semver.tsv"],
    ),
    (Scheme::Cargo, &["semver-spec-precedence.tsv"]),
    (Scheme::Go, &["semver-spec-precedence.tsv"]),
    (Scheme::Hex, &["semver-spec-precedence.tsv"]),
    (Scheme::Pub, &["semver-spec-precedence.tsv"]),
    (Scheme::NuGet, &["semver-spec-precedence.tsv"]),
    (Scheme::Composer, &["semver-spec-precedence.tsv"]),
    (Scheme::Maven, &["maven-comparableversion.tsv"]),
    (Scheme::RubyGems, &["rubygems-version.tsv"]),
    (Scheme::Generic, &["maven-comparableversion.tsv"]),
];

#[test]
fn comparing_parsed_versions_does_not_allocate() {
    let mut failures = Vec::new();
    for (scheme, files) in FILES {
        let versions: Vec<Version> = files
            .iter()
            .flat_map(|file| qm_testdata::version_cases(file))
            .flat_map(|case| [case.a, case.b])
            .filter_map(|text| scheme.parse(&text).ok())
            .collect();
        assert!(
            versions.len() > 10,
            "{scheme}: only {} versions parse",
            versions.len()
        );
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut checksum = 0i64;
        for a in &versions {
            for b in versions.iter().take(64) {
                checksum += a.cmp(b) as i64;
            }
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        std::hint::black_box(checksum);
        if allocations > 0 {
            failures.push(format!("{scheme}: {allocations} allocations"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
