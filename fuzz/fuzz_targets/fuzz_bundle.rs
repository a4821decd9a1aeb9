//! Signed bundles (`qm_vulndb::verify_bundle`), trusting the fixed test key
//! `qm_fuzz::vulndb::TEST_SIGNING_KEY`. The first byte picks a mode (its value modulo 2):
//! - 0: the rest is the bundle, verified with the default limits;
//! - 1: the next byte picks the limits (modulo 4: the default, `max_db` one byte under the
//!   database, exactly the database, or `max_manifest` far under the manifest), the rest are
//!   edits (`qm_fuzz::vulndb::edits`: XOR, set, insert, remove, truncate, append zeros) to a
//!   valid bundle `export_bundle` made of `qm_fuzz::vulndb::fixture_db`.
//!
//! Asserted:
//! - verification never panics, and never fails as if the stream could not be read (a slice
//!   always can);
//! - nothing verifies under another key alone, and adding that key to the trusted one changes
//!   nothing (keys rotate);
//! - what verifies was made by `export_bundle` with the trusted key: exporting its database
//!   again with what its manifest states gives an equal manifest (format, digest, size, times,
//!   sources, signer), and the signer is the trusted key;
//! - mode 1: what verifies is exactly the original manifest and database; the unedited bundle
//!   verifies within limits it fits, and nothing verifies within limits it does not fit.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qm_fuzz::vulndb::{
    bundle_info, edits, fixture_advisories, fixture_db, metadata_for, other_signing_key,
    signing_key,
};
use qm_vulndb::{
    BundleError, BundleInfo, BundleLimits, BundleManifest, PublicKey, VerifiedBundle,
    export_bundle, verify_bundle,
};

/// The fixture database's bundle and the manifest `export_bundle` signed.
static BUNDLE: LazyLock<(Vec<u8>, BundleManifest)> = LazyLock::new(|| {
    let info = bundle_info(&metadata_for(&fixture_advisories()));
    let mut bytes = Vec::new();
    match export_bundle(fixture_db(), &info, signing_key(), &mut bytes) {
        Ok(manifest) => (bytes, manifest),
        Err(error) => panic!("export_bundle of the fixture database fails: {error}"),
    }
});

fn verify(bundle: &[u8], trusted: &[PublicKey], limits: &BundleLimits) -> Option<VerifiedBundle> {
    match verify_bundle(bundle, trusted, limits) {
        Ok(verified) => Some(verified),
        Err(error) => {
            assert!(
                !matches!(
                    error,
                    BundleError::ReadBundle { .. } | BundleError::NoTrustedKeys
                ),
                "verifying a slice fails as if it could not be read: {error:?}"
            );
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (bundle, original) = &*BUNDLE;
    let db = fixture_db();
    let (bytes, limits, fits) = if mode % 2 == 0 {
        (rest.to_vec(), BundleLimits::default(), true)
    } else {
        let Some((&pick, rest)) = rest.split_first() else {
            return;
        };
        let db_len = db.len() as u64;
        let limits = match pick % 4 {
            0 => BundleLimits::default(),
            1 => BundleLimits {
                max_db: db_len - 1,
                ..BundleLimits::default()
            },
            2 => BundleLimits {
                max_db: db_len,
                ..BundleLimits::default()
            },
            _ => BundleLimits {
                max_manifest: 64,
                ..BundleLimits::default()
            },
        };
        (
            edits(bundle.clone(), rest),
            limits,
            matches!(pick % 4, 0 | 2),
        )
    };

    let key = signing_key().public_key();
    let other = other_signing_key().public_key();
    let verified = verify(&bytes, std::slice::from_ref(&key), &limits);
    assert!(
        verify(&bytes, std::slice::from_ref(&other), &limits).is_none(),
        "a bundle verifies under a key that signed nothing"
    );
    let rotated = verify(&bytes, &[other, key.clone()], &limits);
    assert_eq!(
        verified
            .as_ref()
            .map(|verified| (verified.manifest(), verified.db_bytes())),
        rotated
            .as_ref()
            .map(|verified| (verified.manifest(), verified.db_bytes())),
        "trusting one more key changes the outcome"
    );

    if mode % 2 == 1 {
        if bytes == *bundle && fits {
            assert!(verified.is_some(), "the unedited bundle does not verify");
        }
        if let Some(verified) = &verified {
            assert!(fits, "a bundle verifies within limits it does not fit");
            assert_eq!(
                verified.manifest(),
                original,
                "an edited bundle verifies with another manifest"
            );
            assert!(
                verified.db_bytes() == db,
                "an edited bundle verifies with another database"
            );
        }
    }

    let Some(verified) = verified else {
        return;
    };
    assert_eq!(
        verified.signer().fingerprint(),
        key.fingerprint(),
        "signer is not the trusted key"
    );
    let manifest = verified.manifest();
    let info = BundleInfo {
        created: manifest.created,
        db_built: manifest.db.built,
        db_schema: manifest.db.schema,
        sources: manifest.sources.clone(),
    };
    match export_bundle(verified.db_bytes(), &info, signing_key(), std::io::sink()) {
        Ok(exported) => assert_eq!(
            &exported, manifest,
            "the verified manifest is not what export_bundle signs for its database"
        ),
        Err(error) => panic!("a verified bundle's database does not export again: {error}"),
    }
});
