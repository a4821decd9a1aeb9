//! Images written by real tools (Debian's `umoci` and `skopeo`), when they are installed: umoci
//! turns a deleted file into a real whiteout layer, skopeo re-writes the layout as a
//! docker-archive whose `layer.tar` members are symbolic links. Without the tools the test says
//! so and checks nothing; the programmatic images in `images.rs` are the core coverage.

use std::path::Path;
use std::process::Command;

use qm_source::{ReadOptions, Target, read_target};

fn run(program: &str, args: &[&str], dir: &Path) -> bool {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => panic!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => false,
    }
}

fn wants(path: &str) -> bool {
    path.starts_with("etc/")
}

#[test]
fn umoci_whiteouts_and_skopeo_docker_archives_read_as_the_image_runs() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    if !run("umoci", &["--version"], dir) || !run("skopeo", &["--version"], dir) {
        // CI installs both (`.ci/run` sets QM_REQUIRE_TOOLS): there a missing tool fails the
        // test instead of letting it pass without checking anything.
        assert!(
            std::env::var_os("QM_REQUIRE_TOOLS").is_none(),
            "umoci or skopeo is not installed (`apt-get install umoci skopeo`)"
        );
        eprintln!("umoci or skopeo is not installed (`apt-get install umoci skopeo`); not checked");
        return;
    }
    assert!(run("umoci", &["init", "--layout", "L"], dir));
    assert!(run("umoci", &["new", "--image", "L:base"], dir));
    assert!(run("umoci", &["unpack", "--image", "L:base", "B"], dir));
    fs_err::create_dir_all(dir.join("B/rootfs/etc")).unwrap();
    fs_err::write(dir.join("B/rootfs/etc/os-release"), "ID=test\n").unwrap();
    fs_err::write(dir.join("B/rootfs/etc/doomed"), "bye\n").unwrap();
    assert!(run("umoci", &["repack", "--image", "L:v1", "B"], dir));
    // A fresh bundle from v1, so v2 is v1 plus a layer holding the whiteout `etc/.wh.doomed`.
    assert!(run("umoci", &["unpack", "--image", "L:v1", "C"], dir));
    fs_err::remove_file(dir.join("C/rootfs/etc/doomed")).unwrap();
    assert!(run("umoci", &["repack", "--image", "L:v2", "C"], dir));
    let copy = [
        "copy",
        "--insecure-policy",
        "oci:L:v2",
        "docker-archive:D.tar:example:v2",
    ];
    assert!(run("skopeo", &copy, dir));

    let layout = dir.join("L");
    let options = ReadOptions::default();
    let v1 = Target::parse(&format!("oci-dir:{}:v1", layout.display())).unwrap();
    let view = read_target(&v1, &options, &wants).unwrap();
    let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["etc/doomed", "etc/os-release"]);

    let v2 = Target::parse(&format!("oci-dir:{}:v2", layout.display())).unwrap();
    let archive = Target::parse(dir.join("D.tar").to_str().unwrap()).unwrap();
    assert!(
        matches!(archive, Target::DockerArchive { .. }),
        "{archive:?}"
    );
    for target in [v2, archive] {
        let view = read_target(&target, &options, &wants).unwrap();
        let paths: Vec<&str> = view.files().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["etc/os-release"], "{target:?}");
        let info = view.image().unwrap();
        assert_eq!(info.layers.len(), 2, "{target:?}");
        let layer = view.get("etc/os-release").unwrap().layer.as_ref().unwrap();
        assert_eq!(layer.index, 0, "{target:?}");
        assert!(view.warnings().is_empty(), "{:?}", view.warnings());
    }
}
