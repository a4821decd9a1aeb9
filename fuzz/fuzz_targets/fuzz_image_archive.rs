//! A hostile outer archive through `qm_source::read_target`: the first byte picks how the rest
//! is read (its value modulo 3): 0 as a bare path (`Target::parse` sniffs docker-archive or OCI
//! archive from the members), 1 as `docker-archive:`, 2 as `oci-archive:`; the rest is written
//! to a temporary file and read with small limits (`qm_fuzz::image::options`) and claims that
//! keep every file and reduce `*.jar`. The digests are the input's own, so most mutations stop
//! at a digest check, after the layer was walked.
//!
//! Asserted: no panic, whatever the metadata, the members or the layers hold; a view passes
//! `qm_fuzz::image::check_view` (kept bytes under the limits, normalised paths, links resolved
//! to files of the view, layers the image lists) and has image information; every error says
//! something.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_fuzz::image::{Everything, TempArchive, check_view, options};
use qm_source::{Target, read_target};

fuzz_target!(|data: &[u8]| {
    let Some((&first, archive)) = data.split_first() else {
        return;
    };
    let file = match TempArchive::new("archive", archive) {
        Ok(file) => file,
        Err(error) => panic!("cannot write the input to a temporary file: {error}"),
    };
    let path = file.path().to_path_buf();
    let target = match first % 3 {
        0 => {
            let Some(text) = path.to_str() else {
                panic!("the temporary path {path:?} is not UTF-8");
            };
            match Target::parse(text) {
                Ok(target) => target,
                Err(error) => {
                    assert!(!error.to_string().trim().is_empty());
                    return;
                }
            }
        }
        1 => Target::DockerArchive {
            path,
            reference: None,
        },
        _ => Target::OciArchive {
            path,
            reference: None,
        },
    };
    match read_target(&target, &options(), &Everything) {
        Ok(view) => {
            check_view(&view);
            assert!(
                view.image().is_some(),
                "an image archive's view has no image"
            );
        }
        Err(error) => assert!(!error.to_string().trim().is_empty()),
    }
});
