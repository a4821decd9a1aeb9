//! Images built in the test (docker-archive and OCI, directory and tar, plain, gzip and zstd
//! layers) read through `read_target`: whiteouts, layer attribution, history, selection by tag,
//! digest and platform, digest checks.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;

use common::{
    Compression, Image, Member, Oci, annotate, docker_archive, file, layer, on_platform, sha256,
};
use qm_source::{ImageRef, ReadOptions, SourceError, Target, read_target};

const DPKG_STATUS: &str =
    "fixtures/syft/syft/pkg/cataloger/debian/testdata/image-dpkg/var/lib/dpkg/status";
const OS_RELEASE: &str =
    "fixtures/syft/syft/pkg/cataloger/debian/testdata/image-dpkg/etc/os-release";

fn wants(path: &str) -> bool {
    path.ends_with("os-release")
        || path == "var/lib/dpkg/status"
        || path.starts_with("opt/app/")
        || path.starts_with("etc/")
}

/// Layer 0: base files; layer 1: installs the dpkg database; layer 2: deletes `etc/doomed` by
/// whiteout and empties `opt/app` by an opaque whiteout written *after* its new file.
fn three_layers(compressions: [Compression; 3]) -> Image {
    let status = qm_testdata::read_text(DPKG_STATUS);
    let os_release = qm_testdata::read_text(OS_RELEASE);
    let base = layer(&[
        Member::Dir("etc/"),
        Member::File("etc/os-release", os_release.into_bytes()),
        file("etc/doomed", "bye"),
        Member::Dir("opt/app/"),
        file("opt/app/a.txt", "a"),
        file("opt/app/sub/b.txt", "b"),
        file("usr/bin/unclaimed", "binary"),
    ]);
    let install = layer(&[
        Member::Dir("var/lib/dpkg/"),
        Member::File("var/lib/dpkg/status", status.into_bytes()),
        file("etc/doomed", "overwritten, still doomed"),
    ]);
    let delete = layer(&[
        file("opt/app/c.txt", "c"),
        file("etc/.wh.doomed", ""),
        file("opt/app/.wh..wh..opq", ""),
    ]);
    let mut image = Image::new(vec![
        (base, compressions[0]),
        (install, compressions[1]),
        (delete, compressions[2]),
    ]);
    image.history = vec![
        ("ADD rootfs.tar /", false),
        ("ENV LANG=C.UTF-8", true),
        ("RUN apt-get install -y curl", false),
        ("CMD [\"bash\"]", true),
        ("RUN rm /etc/doomed && rm -rf /opt/app/*", false),
    ];
    image
}

fn check_three_layers(target: &Target, image: &Image) {
    let view = read_target(target, &ReadOptions::default(), &wants).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["etc/os-release", "opt/app/c.txt", "var/lib/dpkg/status"],
        "{target:?}"
    );
    let diff_ids = image.diff_ids();
    let expected = [
        ("etc/os-release", 0, "ADD rootfs.tar /"),
        ("var/lib/dpkg/status", 1, "RUN apt-get install -y curl"),
        (
            "opt/app/c.txt",
            2,
            "RUN rm /etc/doomed && rm -rf /opt/app/*",
        ),
    ];
    for (path, index, step) in expected {
        let file = view.get(path).unwrap();
        let layer = file.layer.as_ref().unwrap();
        assert_eq!(layer.index, index, "{path}");
        assert_eq!(layer.digest, diff_ids[index], "{path}");
        assert_eq!(layer.created_by.as_deref(), Some(step), "{path}");
    }
    assert_eq!(
        view.get("/var/lib/dpkg/status").unwrap().bytes,
        qm_testdata::read_text(DPKG_STATUS).into_bytes()
    );
    let info = view.image().unwrap();
    assert_eq!(info.layers.len(), 3);
    assert_eq!(info.config_digest, sha256(&image.config()));
    assert_eq!(info.architecture.as_deref(), Some("amd64"));
    assert!(view.warnings().is_empty(), "{:?}", view.warnings());
}

#[test]
fn three_layer_image_honours_whiteouts_in_every_container_and_compression() {
    use Compression::{Gzip, None, Zstd};
    let temp = tempfile::tempdir().unwrap();
    let cases = [
        ("docker-plain", [None, None, None], false),
        ("docker-gzip-dot", [Gzip, Gzip, None], true),
        ("docker-zstd", [Zstd, Gzip, Zstd], false),
    ];
    for (name, compressions, dot) in cases {
        let image = three_layers(compressions);
        let path = temp.path().join(format!("{name}.tar"));
        docker_archive(&path, &[(&image, &["example:1"])], dot);
        let target = Target::parse(path.to_str().unwrap()).unwrap();
        assert!(matches!(target, Target::DockerArchive { .. }), "{name}");
        check_three_layers(&target, &image);
    }
    for (name, compressions) in [
        ("oci-gzip", [Gzip, Gzip, Gzip]),
        ("oci-mixed", [Zstd, None, Gzip]),
    ] {
        let image = three_layers(compressions);
        let mut oci = Oci::default();
        let manifest = oci.image(&image, Option::None);
        oci.top.push(manifest);
        let dir = temp.path().join(name);
        oci.write_dir(&dir);
        let target = Target::parse(dir.to_str().unwrap()).unwrap();
        assert!(matches!(target, Target::OciDir { .. }), "{name}");
        check_three_layers(&target, &image);
        let tar = temp.path().join(format!("{name}.tar"));
        oci.write_tar(&tar);
        let target = Target::parse(tar.to_str().unwrap()).unwrap();
        assert!(matches!(target, Target::OciArchive { .. }), "{name}");
        check_three_layers(&target, &image);
    }
}

fn single(files: &[(&'static str, &str)]) -> Image {
    let members: Vec<Member> = files.iter().map(|(name, text)| file(name, text)).collect();
    Image::new(vec![(layer(&members), Compression::Gzip)])
}

fn release(view: &qm_source::FileView) -> String {
    String::from_utf8(view.get("etc/os-release").unwrap().bytes.clone()).unwrap()
}

#[test]
fn oci_layout_chooses_by_tag_or_digest() {
    let temp = tempfile::tempdir().unwrap();
    let mut oci = Oci::default();
    let twelve = oci.image(&single(&[("etc/os-release", "12")]), None);
    let eleven = oci.image(&single(&[("etc/os-release", "11")]), None);
    let eleven_digest = eleven["digest"].as_str().unwrap().to_owned();
    oci.top
        .push(annotate(twelve, "org.opencontainers.image.ref.name", "12"));
    oci.top
        .push(annotate(eleven, "org.opencontainers.image.ref.name", "11"));
    let dir = temp.path().join("layout");
    oci.write_dir(&dir);
    let dir = dir.to_str().unwrap();
    let options = ReadOptions::default();
    for (input, expected) in [
        (format!("oci-dir:{dir}:12"), "12"),
        (format!("oci-dir:{dir}:11"), "11"),
        (format!("oci-dir:{dir}:{eleven_digest}"), "11"),
        (format!("oci-dir:{dir}@{eleven_digest}"), "11"),
    ] {
        let target = Target::parse(&input).unwrap();
        let view = read_target(&target, &options, &wants).unwrap();
        assert_eq!(release(&view), expected, "{input}");
        let tags = &view.image().unwrap().repo_tags;
        assert_eq!(tags, &[expected.to_owned()], "{input}");
    }
    let ambiguous = read_target(&Target::parse(dir).unwrap(), &options, &wants).unwrap_err();
    assert!(
        matches!(ambiguous, SourceError::AmbiguousImage { .. }),
        "{ambiguous}"
    );
    let missing = Target::parse(&format!("oci-dir:{dir}:13")).unwrap();
    let error = read_target(&missing, &options, &wants).unwrap_err();
    assert!(
        matches!(&error, SourceError::ImageNotFound { available, .. } if available == "12, 11"),
        "{error}"
    );
}

#[test]
fn docker_archive_chooses_by_repo_tag_or_config_digest() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("two.tar");
    let digests = docker_archive(
        &path,
        &[
            (&single(&[("etc/os-release", "alpine")]), &["alpine:3.19"]),
            (
                &single(&[("etc/os-release", "busybox")]),
                &["busybox:latest"],
            ),
        ],
        false,
    );
    let path = path.to_str().unwrap();
    let options = ReadOptions::default();
    for (input, expected) in [
        (format!("docker-archive:{path}:alpine:3.19"), "alpine"),
        (format!("docker-archive:{path}:3.19"), "alpine"),
        (format!("docker-archive:{path}:busybox"), "busybox"),
        (format!("docker-archive:{path}:{}", digests[1]), "busybox"),
    ] {
        let view = read_target(&Target::parse(&input).unwrap(), &options, &wants).unwrap();
        assert_eq!(release(&view), expected, "{input}");
    }
    let error = read_target(&Target::parse(path).unwrap(), &options, &wants).unwrap_err();
    assert!(
        matches!(error, SourceError::AmbiguousImage { .. }),
        "{error}"
    );
}

fn platform_layout(dir: &Path, nested: bool) {
    let mut oci = Oci::default();
    let amd64 = oci.image(&single(&[("etc/os-release", "amd64")]), None);
    let arm64 = oci.image(&single(&[("etc/os-release", "arm64")]), None);
    let armv7 = oci.image(&single(&[("etc/os-release", "armv7")]), None);
    let attestation = oci.image(&single(&[("in-toto.json", "{}")]), None);
    let manifests = vec![
        on_platform(attestation, "unknown", "unknown", None),
        on_platform(arm64, "linux", "arm64", Some("v8")),
        on_platform(armv7, "linux", "arm", Some("v7")),
        on_platform(amd64, "linux", "amd64", None),
    ];
    if nested {
        let index = oci.index(manifests);
        oci.top.push(annotate(
            index,
            "org.opencontainers.image.ref.name",
            "latest",
        ));
    } else {
        oci.top = manifests;
    }
    oci.write_dir(dir);
}

#[test]
fn multi_platform_index_picks_the_requested_platform() {
    let temp = tempfile::tempdir().unwrap();
    for nested in [true, false] {
        let dir = temp.path().join(format!("nested-{nested}"));
        platform_layout(&dir, nested);
        let target = Target::parse(&format!("oci-dir:{}", dir.display())).unwrap();
        for (platform, expected) in [
            (None, "amd64"),
            (Some("linux/arm64"), "arm64"),
            (Some("linux/arm64/v8"), "arm64"),
            (Some("linux/arm/v7"), "armv7"),
        ] {
            let mut options = ReadOptions::default();
            if let Some(platform) = platform {
                options.platform = platform.parse().unwrap();
            }
            let view = read_target(&target, &options, &wants).unwrap();
            assert_eq!(release(&view), expected, "{platform:?} nested={nested}");
        }
        let options = ReadOptions {
            platform: "linux/s390x".parse().unwrap(),
            ..ReadOptions::default()
        };
        let error = read_target(&target, &options, &wants).unwrap_err();
        assert!(
            matches!(&error, SourceError::NoMatchingPlatform { available, .. }
                if available == "linux/arm64/v8, linux/arm/v7, linux/amd64"),
            "{error}"
        );
    }
}

#[test]
fn wrong_layer_digests_are_errors() {
    let temp = tempfile::tempdir().unwrap();
    let mut image = three_layers([Compression::Gzip; 3]);
    image.wrong_diff_id = Some(1);
    let path = temp.path().join("wrong.tar");
    docker_archive(&path, &[(&image, &["x:1"])], false);
    let error = read_target(
        &Target::parse(path.to_str().unwrap()).unwrap(),
        &ReadOptions::default(),
        &wants,
    )
    .unwrap_err();
    assert!(
        matches!(&error, SourceError::DigestMismatch { expected, .. } if *expected == sha256(b"not this layer")),
        "{error}"
    );

    // OCI: a blob stored under a digest that is not its own.
    let image = three_layers([Compression::Gzip; 3]);
    let mut oci = Oci::default();
    let manifest = oci.image(&image, Some(2));
    oci.top.push(manifest);
    let dir = temp.path().join("lying");
    oci.write_dir(&dir);
    let error = read_target(
        &Target::parse(dir.to_str().unwrap()).unwrap(),
        &ReadOptions::default(),
        &wants,
    )
    .unwrap_err();
    assert!(
        matches!(&error, SourceError::DigestMismatch { expected, .. } if *expected == sha256(b"a different layer")),
        "{error}"
    );

    // OCI: a config whose diff id disagrees with the (correctly addressed) layer.
    let mut image = three_layers([Compression::Zstd; 3]);
    image.wrong_diff_id = Some(0);
    let mut oci = Oci::default();
    let manifest = oci.image(&image, None);
    oci.top.push(manifest);
    let tar = temp.path().join("diff-id.tar");
    oci.write_tar(&tar);
    let error = read_target(
        &Target::parse(tar.to_str().unwrap()).unwrap(),
        &ReadOptions::default(),
        &wants,
    )
    .unwrap_err();
    assert!(
        matches!(error, SourceError::DigestMismatch { .. }),
        "{error}"
    );
}

#[test]
fn image_refs_parse_as_tags_or_digests() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().display().to_string();
    let digest = sha256(b"x");
    let cases = [
        (format!("oci-archive:{dir}"), None),
        (
            format!("oci-archive:{dir}:v1"),
            Some(ImageRef::Tag("v1".to_owned())),
        ),
        (
            format!("oci-archive:{dir}:{digest}"),
            Some(ImageRef::Digest(digest.clone())),
        ),
        (
            format!("oci-archive:{dir}@{digest}"),
            Some(ImageRef::Digest(digest.clone())),
        ),
    ];
    for (input, expected) in cases {
        let Target::OciArchive { path, reference } = Target::parse(&input).unwrap() else {
            panic!("{input}");
        };
        assert_eq!(path, temp.path(), "{input}");
        assert_eq!(reference, expected, "{input}");
    }
}
