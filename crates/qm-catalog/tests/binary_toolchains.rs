//! The binary cataloger on executables that real toolchains build at test time, checked
//! against the toolchains' own account of them:
//! - Go: a small program with a vendored dependency (mixed-case path, pseudo-version), a
//!   module replaced by another module and one replaced by a directory, built for Linux (ELF),
//!   Windows (PE) and macOS (Mach-O); plus every Go program the toolchain ships (`go`, `gofmt`,
//!   `pkg/tool/*`). `go version -m` is the oracle for all of them.
//! - Rust: a program built with `cargo auditable`, with a crates.io dependency, a build
//!   dependency and a path dependency, read back from its `.dep-v0` section.
//!
//! Building needs no network: Go builds from `vendor/` with `GOPROXY=off`; cargo builds
//! `--offline` from crates this workspace already depends on (so they are in the local
//! registry cache by the time tests run). A missing tool skips its test with a note, unless
//! `QM_REQUIRE_TOOLS=1` (CI) makes that a failure. Tools: `go` (Debian `golang-go`) and
//! `cargo-auditable` (`cargo install cargo-auditable --locked`).

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use qm_catalog::{parse_binary, reduce_binary};
use qm_model::{Ecosystem, Package};

/// Whether `command` runs; when it does not, a note (or, under `QM_REQUIRE_TOOLS=1`, a panic).
#[expect(clippy::print_stderr, reason = "a skipped test says why")]
fn tool_present(name: &str, command: &mut Command) -> bool {
    let present = command.output().is_ok_and(|output| output.status.success());
    if !present {
        if std::env::var_os("QM_REQUIRE_TOOLS").is_some_and(|value| value == "1") {
            panic!("`{name}` is required (QM_REQUIRE_TOOLS=1) but does not run");
        }
        eprintln!("note: `{name}` is not installed; skipping (set QM_REQUIRE_TOOLS=1 to fail)");
    }
    present
}

fn go_present() -> bool {
    tool_present("go", Command::new("go").arg("version"))
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `name@version` of each Go module `go version -m` reports, replacements applied the way the
/// cataloger documents, plus `stdlib` at the toolchain release.
fn go_version_m(binary: &Path) -> BTreeSet<String> {
    let text = run(Command::new("go").arg("version").arg("-m").arg(binary));
    let mut lines = text.lines();
    let toolchain = lines.next().unwrap().rsplit(": ").next().unwrap().trim();
    let mut listed = BTreeSet::new();
    let mut pending: Option<(String, String)> = None;
    let flush = |pending: &mut Option<(String, String)>, listed: &mut BTreeSet<String>| {
        if let Some((path, version)) = pending.take() {
            listed.insert(format!("{path}@{version}"));
        }
    };
    for line in lines {
        let columns: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        match columns.as_slice() {
            ["mod" | "dep", path, version, ..] => {
                flush(&mut pending, &mut listed);
                pending = Some(((*path).to_owned(), (*version).to_owned()));
            }
            ["=>", path, version, ..] => {
                let (original, _) = pending.take().unwrap();
                let local = path.starts_with('.') || path.starts_with('/') || version.is_empty();
                if local {
                    listed.insert(format!("{original}@(devel)"));
                } else {
                    listed.insert(format!("{path}@{version}"));
                }
            }
            _ => {}
        }
    }
    flush(&mut pending, &mut listed);
    let release = toolchain.strip_prefix("go").unwrap();
    let release = match release.matches('.').count() {
        1 => format!("{release}.0"),
        _ => release.to_owned(),
    };
    listed.insert(format!("stdlib@{release}"));
    listed
}

fn names(packages: &[Package]) -> BTreeSet<String> {
    packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

/// Reads a binary both ways and checks the reduced form agrees and is small.
fn catalog(path: &Path) -> Vec<Package> {
    let bytes = fs_err::read(path).unwrap();
    let name = path.to_string_lossy();
    let raw = parse_binary(&name, &bytes).unwrap();
    let reduced = reduce_binary(&name, bytes).unwrap();
    assert!(reduced.len() < 64 * 1024, "{name}: {} bytes", reduced.len());
    assert_eq!(parse_binary(&name, &reduced).unwrap(), raw, "{name}");
    raw
}

/// A module with a vendored dependency, a module replacement and a directory replacement.
fn write_go_module(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "go.mod",
            "module example.com/hello\n\ngo 1.16\n\nrequire (\n\
             \tgithub.com/Example/Dep v0.0.0-20230102030405-0123456789ab\n\
             \texample.org/old v1.0.0\n\texample.net/lib v0.3.0\n)\n\n\
             replace example.org/old => example.org/new v1.2.3\n\n\
             replace example.net/lib => ./localdir/lib\n",
        ),
        (
            "vendor/modules.txt",
            "# github.com/Example/Dep v0.0.0-20230102030405-0123456789ab\n## explicit\n\
             github.com/Example/Dep\n\
             # example.org/old v1.0.0 => example.org/new v1.2.3\n## explicit\nexample.org/old\n\
             # example.net/lib v0.3.0 => ./localdir/lib\n## explicit\nexample.net/lib\n\
             # example.org/old => example.org/new v1.2.3\n\
             # example.net/lib => ./localdir/lib\n",
        ),
        (
            "vendor/github.com/Example/Dep/dep.go",
            "package dep\n\nfunc Answer() int { return 42 }\n",
        ),
        (
            "vendor/example.org/old/old.go",
            "package old\n\nfunc Two() int { return 2 }\n",
        ),
        (
            "vendor/example.net/lib/lib.go",
            "package lib\n\nfunc Three() int { return 3 }\n",
        ),
        ("localdir/lib/go.mod", "module example.net/lib\n\ngo 1.16\n"),
        (
            "localdir/lib/lib.go",
            "package lib\n\nfunc Three() int { return 3 }\n",
        ),
        (
            "main.go",
            "package main\n\nimport (\n\tdep \"github.com/Example/Dep\"\n\
             \t\"example.net/lib\"\n\t\"example.org/old\"\n)\n\n\
             func main() { println(dep.Answer() + old.Two() + lib.Three()) }\n",
        ),
    ];
    for (path, contents) in files {
        let path = dir.join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
}

/// Builds the module for `goos`/`goarch` and returns the executable.
fn go_build(dir: &Path, goos: &str, goarch: &str) -> PathBuf {
    let output = dir.join(format!("hello-{goos}-{goarch}"));
    run(Command::new("go")
        .args(["build", "-trimpath", "-o"])
        .arg(&output)
        .arg(".")
        .current_dir(dir)
        .env("GOOS", goos)
        .env("GOARCH", goarch)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=vendor")
        .env("GO111MODULE", "on")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0"));
    output
}

fn check_go_program(goos: &str, goarch: &str, magic: &[u8]) {
    if !go_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_go_module(dir.path());
    let binary = go_build(dir.path(), goos, goarch);
    assert!(fs_err::read(&binary).unwrap().starts_with(magic), "{goos}");

    let packages = catalog(&binary);
    let expected = go_version_m(&binary);
    assert_eq!(names(&packages), expected, "{goos}/{goarch}");
    for module in [
        "example.com/hello@(devel)",
        "github.com/Example/Dep@v0.0.0-20230102030405-0123456789ab",
        "example.org/new@v1.2.3",
        "example.net/lib@(devel)",
    ] {
        assert!(expected.contains(module), "{module} in {expected:?}");
    }
    let dep = packages
        .iter()
        .find(|p| p.name == "github.com/Example/Dep")
        .unwrap();
    assert_eq!(
        dep.purl,
        "pkg:golang/github.com/Example/Dep@v0.0.0-20230102030405-0123456789ab"
    );
    assert!(
        packages
            .iter()
            .all(|p| p.ecosystem == Ecosystem::Go && p.found_by == "go-binary")
    );
}

#[test]
fn go_program_for_linux_is_read_from_its_elf() {
    check_go_program("linux", "amd64", b"\x7fELF");
}

#[test]
fn go_program_for_windows_is_read_from_its_pe() {
    check_go_program("windows", "amd64", b"MZ");
}

#[test]
fn go_program_for_macos_is_read_from_its_macho() {
    check_go_program("darwin", "arm64", b"\xcf\xfa\xed\xfe");
}

#[test]
fn the_go_toolchain_s_own_programs_match_go_version_m() {
    if !go_present() {
        return;
    }
    let goroot = PathBuf::from(run(Command::new("go").args(["env", "GOROOT"])).trim());
    let mut programs = vec![goroot.join("bin/go"), goroot.join("bin/gofmt")];
    let tools = goroot.join("pkg/tool");
    for platform in fs_err::read_dir(&tools).unwrap() {
        for tool in fs_err::read_dir(platform.unwrap().path()).unwrap() {
            programs.push(tool.unwrap().path());
        }
    }
    assert!(programs.len() > 10, "{programs:?}");
    for program in programs {
        let packages = catalog(&program);
        assert_eq!(
            names(&packages),
            go_version_m(&program),
            "{}",
            program.display()
        );
        assert!(packages.iter().any(|p| p.name == "stdlib"));
    }
}

#[test]
fn rust_program_built_with_cargo_auditable_lists_its_crates() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if !tool_present(
        "cargo-auditable",
        Command::new(&cargo).args(["auditable", "--version"]),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: &[(&str, &str)] = &[
        (
            "Cargo.toml",
            "[package]\nname = \"qm-auditable-probe\"\nversion = \"0.3.1\"\nedition = \"2021\"\n\n\
             [dependencies]\nitoa = \"1\"\nhelper = { path = \"helper\" }\n\n\
             [build-dependencies]\npercent-encoding = \"2\"\n\n[workspace]\n",
        ),
        (
            "build.rs",
            "fn main() { let _ = percent_encoding::percent_decode_str(\"a%20b\"); }\n",
        ),
        (
            "src/main.rs",
            "fn main() {\n    let mut buffer = itoa::Buffer::new();\n    \
             println!(\"{} {}\", buffer.format(7u8), helper::five());\n}\n",
        ),
        (
            "helper/Cargo.toml",
            "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("helper/src/lib.rs", "pub fn five() -> u8 { 5 }\n"),
    ];
    for (path, contents) in files {
        let path = root.join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
    let target = root.join("target");
    run(Command::new(&cargo)
        .args(["auditable", "build", "--offline", "--quiet"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET"));
    let packages = catalog(&target.join("debug/qm-auditable-probe"));

    let listed: BTreeSet<(&str, bool)> =
        packages.iter().map(|p| (p.name.as_str(), p.dev)).collect();
    let expected: BTreeSet<(&str, bool)> = [
        ("qm-auditable-probe", false),
        ("helper", false),
        ("itoa", false),
        ("percent-encoding", true),
    ]
    .into_iter()
    .collect();
    assert_eq!(listed, expected);
    for package in &packages {
        assert_eq!(package.ecosystem, Ecosystem::CratesIo);
        assert_eq!(package.found_by, "cargo-auditable");
        assert_eq!(
            package.purl,
            format!("pkg:cargo/{}@{}", package.name, package.version)
        );
        let major = match package.name.as_str() {
            "qm-auditable-probe" => "0.3.1",
            "helper" => "0.1.0",
            "itoa" => "1.",
            _ => "2.",
        };
        assert!(package.version.starts_with(major), "{package:?}");
    }
}

#[test]
fn an_ordinary_rust_executable_reduces_to_nothing() {
    // This test binary: a real ELF (or PE, Mach-O) built without `cargo auditable`.
    let bytes = fs_err::read(std::env::current_exe().unwrap()).unwrap();
    assert!(bytes.len() > 100_000);
    assert_eq!(reduce_binary("self", bytes.clone()), None);
    assert!(parse_binary("self", &bytes).unwrap().is_empty());
}
