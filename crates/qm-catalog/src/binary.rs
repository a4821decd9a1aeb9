//! Compiled binaries: the modules a Go executable was linked from (its embedded build
//! information) and the crates a Rust executable built with `cargo auditable` records in its
//! `.dep-v0` section. ELF, PE and Mach-O (thin or universal) are read, through the `object`
//! crate.
//!
//! The cataloger comes in three parts, because binaries are large and many:
//! - [`claims_binary`] picks the paths worth opening. At claim time nothing but the path is
//!   known (an image entry's executable bit is not offered), so it claims files in the
//!   directories executables live in and leaves out names whose extension says they are
//!   scripts, text, data, archives or shared libraries.
//! - [`reduce_binary`] sees each claimed file's bytes once, while the target streams past, and
//!   keeps only the build information: a few hundred bytes in a small private encoding (see
//!   `REDUCED_MAGIC`), or nothing when the file is not an executable that carries any. It
//!   looks at the first bytes before anything else, so the many files that are not executables
//!   cost a comparison.
//! - [`parse_binary`] turns the reduced form into packages. It also accepts a whole executable,
//!   which tests and one-off callers find convenient.
//!
//! What each package is:
//! - **Go** (`found_by` `go-binary`, ecosystem Go): every `dep` module with its version as
//!   written (`v1.2.3`, pseudo-versions, `+incompatible`); the main module (`mod`), usually at
//!   `(devel)` when built from a checkout — recorded as written, since deciding whether such a
//!   version can match is the matcher's business; and the standard library as `stdlib` at the
//!   toolchain's release (`go1.21.5` becomes `1.21.5`, `go1.21rc2` becomes `1.21.0-rc.2`: the
//!   spelling the Go vulnerability database uses for `stdlib`). A development toolchain
//!   (`devel go1.22-…`) has no release, so no `stdlib` package. The purl keeps the module
//!   path's case (`pkg:golang/github.com/BurntSushi/toml@v1.3.2`), see [`golang_purl`].
//! - **`replace` directives** (`=>` lines): the replacement is what was compiled in, so it is
//!   listed under its own path and version; a replacement by a directory (`=> ../fork`) has no
//!   release identity, so the original path is listed at `(devel)`.
//! - **Rust** (`found_by` `cargo-auditable`, ecosystem crates.io): every crate the section
//!   lists, including the root crate and crates from git, local paths and other registries,
//!   all with plain `pkg:cargo/<name>@<version>` purls. `kind: build` crates (build scripts'
//!   dependencies and proc-macros) ran on the build machine and are not linked into the
//!   binary; they are kept with `dev` set, the flag lockfile catalogers use for what does not
//!   ship, rather than dropped, so a policy can still see them.
//!
//! Surprises:
//! - Go's build information moved: before Go 1.18 the blob holds two pointers to Go strings,
//!   which are virtual addresses resolved through the segments; since 1.18 the strings follow
//!   the 32-byte header, each prefixed by its length as a varint. Both are read.
//! - The blob is normally in its own section (`.go.buildinfo`, `__go_buildinfo`); otherwise Go
//!   looks at the first 64 KiB of the first writable data segment, and so do we, then scan the
//!   whole file for the magic as a last resort (for section-stripped files). An ELF that has
//!   section headers but no blob in either place is taken for what it almost surely is, not a
//!   Go program, so ordinary binaries never pay for the whole-file scan.
//! - UPX-packed executables hide everything; they yield nothing.
//! - The model has no field for "built from a local checkout": Go's `(devel)` says it in the
//!   version; Rust crates from `local` or `git` sources look like crates.io ones (see above).

mod cargo_auditable;
mod container;
mod go;

use qm_model::Package;

use crate::CatalogError;

pub(crate) use cargo_auditable::MAX_DEP_V0_BYTES;
pub use go::golang_purl;

/// The first bytes of [`reduce_binary`]'s output. No executable format starts with a NUL byte,
/// so [`parse_binary`] tells a reduced form from a raw executable by these alone.
pub(crate) const REDUCED_MAGIC: &[u8; 8] = b"\0qm-bin\x01";

/// Record tag: Go build information (`u32` LE version length, version, module information).
const TAG_GO: u8 = b'G';
/// Record tag: the zlib-compressed `.dep-v0` section as found.
const TAG_DEP_V0: u8 = b'R';
/// Record tag: a `.dep-v0` section over [`MAX_DEP_V0_BYTES`]; the payload is its size (`u64`
/// LE), so the parse can say so instead of silently finding nothing.
const TAG_DEP_V0_TOO_LARGE: u8 = b'L';

/// Directories whose files are worth opening as possible executables.
const EXECUTABLE_DIRS: &[&str] = &[
    "bin/",
    "sbin/",
    "usr/bin/",
    "usr/sbin/",
    "usr/local/",
    "usr/libexec/",
    "usr/lib/",
    "opt/",
    "app/",
    "srv/",
    "home/",
    "root/",
    "go/bin/",
    "ko-app/",
    "workspace/",
];

/// Trees inside [`EXECUTABLE_DIRS`] known to hold large data and no programs.
const SKIPPED_DIRS: &[&str] = &[
    "usr/lib/firmware/",
    "usr/lib/locale/",
    "usr/lib/modules/",
    "usr/lib/jvm/",
];

/// Directory names whose contents are caches or version-control state, never installed
/// programs (`root/.cache/go-build` alone holds thousands of files).
const SKIPPED_DIR_NAMES: &[&str] = &[".cache", ".git"];

/// Extensions (compared in lower case) of files that are not executables: scripts and sources,
/// text and configuration, documents and media, archives and packages, and shared libraries
/// and objects (Go and Rust can build shared libraries, but those are left for later).
const NOT_EXECUTABLE_EXTENSIONS: &[&str] = &[
    // Scripts and source code.
    "py",
    "pyc",
    "pyo",
    "pyi",
    "pyx",
    "pxd",
    "pl",
    "pm",
    "pod",
    "rb",
    "erb",
    "js",
    "mjs",
    "cjs",
    "ts",
    "tsx",
    "jsx",
    "map",
    "php",
    "lua",
    "tcl",
    "sh",
    "bash",
    "zsh",
    "fish",
    "ksh",
    "csh",
    "ps1",
    "bat",
    "cmd",
    "awk",
    "el",
    "elc",
    "go",
    "rs",
    "c",
    "h",
    "cc",
    "cpp",
    "cxx",
    "hpp",
    "hh",
    "java",
    "kt",
    "scala",
    "swift",
    "cs",
    "s",
    "asm",
    "sql",
    "r",
    "jl",
    "ex",
    "exs",
    "erl",
    "hrl",
    "beam",
    "hs",
    "ml",
    "mli",
    "vim",
    "class",
    // Text, configuration and keys.
    "txt",
    "md",
    "rst",
    "adoc",
    "html",
    "htm",
    "xhtml",
    "css",
    "scss",
    "less",
    "json",
    "jsonl",
    "yaml",
    "yml",
    "toml",
    "xml",
    "xsd",
    "xsl",
    "ini",
    "cfg",
    "conf",
    "config",
    "properties",
    "env",
    "csv",
    "tsv",
    "log",
    "lock",
    "mod",
    "sum",
    "gemspec",
    "spec",
    "in",
    "am",
    "ac",
    "m4",
    "cmake",
    "mk",
    "pc",
    "la",
    "service",
    "socket",
    "timer",
    "desktop",
    "policy",
    "rules",
    "list",
    "dtd",
    "tmpl",
    "tpl",
    "template",
    "j2",
    "pem",
    "crt",
    "cer",
    "key",
    "pub",
    "asc",
    "gpg",
    "sig",
    "der",
    "p12",
    "pfx",
    "csr",
    // Documents, images, fonts, sound, translations, data.
    "pdf",
    "ps",
    "eps",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "bmp",
    "ico",
    "icns",
    "svg",
    "svgz",
    "webp",
    "tif",
    "tiff",
    "xpm",
    "ttf",
    "otf",
    "woff",
    "woff2",
    "eot",
    "wav",
    "mp3",
    "ogg",
    "flac",
    "mp4",
    "mo",
    "po",
    "pot",
    "gmo",
    "qm",
    "db",
    "sqlite",
    "sqlite3",
    "dat",
    "idx",
    "pack",
    "pkl",
    "pickle",
    "npy",
    "npz",
    "pt",
    "pth",
    "onnx",
    "safetensors",
    "h5",
    "parquet",
    // Archives, packages, libraries and objects.
    "gz",
    "tgz",
    "bz2",
    "tbz2",
    "xz",
    "txz",
    "zst",
    "lz4",
    "lzma",
    "z",
    "zip",
    "jar",
    "war",
    "ear",
    "whl",
    "egg",
    "gem",
    "deb",
    "rpm",
    "apk",
    "tar",
    "cpio",
    "7z",
    "rar",
    "a",
    "o",
    "obj",
    "lib",
    "so",
    "dylib",
    "dll",
    "ko",
    "node",
    "pyd",
    "wasm",
    "dex",
];

/// Whether the normalised `path` may be an executable worth inspecting (see the module doc).
/// Top-level files without an extension are claimed too: images often copy their program to
/// `/app`, `/main`, `/manager` or `/server`.
pub fn claims_binary(path: &str) -> bool {
    let (directory, name) = path.rsplit_once('/').unwrap_or(("", path));
    if name.is_empty() || name.starts_with('.') {
        return false;
    }
    let in_executable_dir = directory.is_empty()
        || EXECUTABLE_DIRS
            .iter()
            .any(|prefix| path.starts_with(prefix));
    if !in_executable_dir
        || SKIPPED_DIRS.iter().any(|prefix| path.starts_with(prefix))
        || directory
            .split('/')
            .any(|component| SKIPPED_DIR_NAMES.contains(&component))
    {
        return false;
    }
    // `libfoo.so.1.2` is a shared library whatever its last extension says.
    if name.ends_with(".so") || name.contains(".so.") {
        return false;
    }
    let Some((_, extension)) = name.rsplit_once('.') else {
        return true;
    };
    if directory.is_empty() {
        return false;
    }
    let extension = extension.to_ascii_lowercase();
    !NOT_EXECUTABLE_EXTENSIONS.contains(&extension.as_str())
}

/// Shrinks a claimed file to its build information: `None` unless it is an ELF, PE or Mach-O
/// executable that carries Go build information or a `cargo auditable` section, otherwise a
/// few hundred bytes in a private encoding for [`parse_binary`]. Never panics.
pub fn reduce_binary(path: &str, bytes: Vec<u8>) -> Option<Vec<u8>> {
    let _ = path;
    if !container::has_executable_magic(&bytes) {
        return None;
    }
    let payloads = container::extract(&bytes);
    if payloads.is_empty() {
        return None;
    }
    Some(encode(&payloads))
}

/// Lists the Go modules or Rust crates a binary was built from; `bytes` is the output of
/// [`reduce_binary`] or a whole executable. A file that is neither, or an executable without
/// build information, yields no packages.
///
/// # Errors
/// [`CatalogError::Malformed`] when a reduced form is cut short or a `.dep-v0` section is not
/// zlib-compressed JSON in the `cargo auditable` shape; [`CatalogError::TooLarge`] when the
/// section is over its size limit (8 MiB, compressed or inflated).
pub fn parse_binary(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let payloads = match bytes.strip_prefix(REDUCED_MAGIC.as_slice()) {
        Some(records) => decode(path, records)?,
        None if container::has_executable_magic(bytes) => container::extract(bytes),
        None => return Ok(Vec::new()),
    };
    let mut packages = Vec::new();
    if let Some(info) = &payloads.go {
        packages.extend(go::packages(path, info));
    }
    match &payloads.dep_v0 {
        Some(DepV0::Compressed(section)) => {
            packages.extend(cargo_auditable::packages(path, section)?);
        }
        Some(DepV0::TooLarge(size)) => {
            return Err(CatalogError::TooLarge {
                path: path.to_owned(),
                size: *size,
                limit: u64::try_from(MAX_DEP_V0_BYTES).unwrap_or(u64::MAX),
            });
        }
        None => {}
    }
    Ok(packages)
}

/// What an executable carries.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Payloads {
    /// Go build information.
    pub(crate) go: Option<go::GoBuildInfo>,
    /// The `cargo auditable` section.
    pub(crate) dep_v0: Option<DepV0>,
}

impl Payloads {
    fn is_empty(&self) -> bool {
        self.go.is_none() && self.dep_v0.is_none()
    }
}

/// A `.dep-v0` section, or the size of one too large to keep.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DepV0 {
    /// The section's bytes, still compressed.
    Compressed(Vec<u8>),
    /// The section's size, over [`MAX_DEP_V0_BYTES`].
    TooLarge(u64),
}

/// The reduced form: [`REDUCED_MAGIC`], then records of a tag byte, a `u32` LE length and
/// that many bytes.
fn encode(payloads: &Payloads) -> Vec<u8> {
    let mut out = REDUCED_MAGIC.to_vec();
    if let Some(info) = &payloads.go {
        let mut record = Vec::with_capacity(4 + info.version.len() + info.modinfo.len());
        push_len(&mut record, info.version.len());
        record.extend_from_slice(&info.version);
        record.extend_from_slice(&info.modinfo);
        push_record(&mut out, TAG_GO, &record);
    }
    match &payloads.dep_v0 {
        Some(DepV0::Compressed(section)) => push_record(&mut out, TAG_DEP_V0, section),
        Some(DepV0::TooLarge(size)) => {
            push_record(&mut out, TAG_DEP_V0_TOO_LARGE, &size.to_le_bytes());
        }
        None => {}
    }
    out
}

fn push_record(out: &mut Vec<u8>, tag: u8, payload: &[u8]) {
    out.push(tag);
    push_len(out, payload.len());
    out.extend_from_slice(payload);
}

/// Lengths are bounded by [`go::MAX_GO_STRING_BYTES`] and [`MAX_DEP_V0_BYTES`] when extracted, so
/// they always fit in a `u32`.
fn push_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

/// Reads the records after [`REDUCED_MAGIC`].
fn decode(path: &str, mut records: &[u8]) -> Result<Payloads, CatalogError> {
    let truncated = || CatalogError::Malformed {
        path: path.to_owned(),
        line: 0,
        reason: "the reduced build information is cut short".to_owned(),
    };
    let mut payloads = Payloads::default();
    while let Some((&tag, rest)) = records.split_first() {
        let (payload, rest) = split_len_prefixed(rest).ok_or_else(truncated)?;
        records = rest;
        match tag {
            TAG_GO => {
                let (version, modinfo) = split_len_prefixed(payload).ok_or_else(truncated)?;
                payloads.go = Some(go::GoBuildInfo {
                    version: version.to_vec(),
                    modinfo: modinfo.to_vec(),
                });
            }
            TAG_DEP_V0 => payloads.dep_v0 = Some(DepV0::Compressed(payload.to_vec())),
            TAG_DEP_V0_TOO_LARGE => {
                let size: [u8; 8] = payload.try_into().map_err(|_| truncated())?;
                payloads.dep_v0 = Some(DepV0::TooLarge(u64::from_le_bytes(size)));
            }
            other => {
                return Err(CatalogError::Malformed {
                    path: path.to_owned(),
                    line: 0,
                    reason: format!("unknown record `{other:#04x}` in reduced build information"),
                });
            }
        }
    }
    Ok(payloads)
}

/// Splits a `u32` LE length and that many bytes off the front.
fn split_len_prefixed(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
    if len > rest.len() {
        return None;
    }
    Some(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_directories_and_extensions() {
        let cases = [
            ("usr/bin/kubectl", true),
            ("usr/local/bin/app", true),
            ("bin/busybox", true),
            ("usr/bin/python3.11", true),
            ("opt/tool/bin/tool.exe", true),
            ("app", true),
            ("manager", true),
            ("ko-app/server", true),
            ("go/bin/gopls", true),
            ("usr/lib/docker/cli-plugins/docker-compose", true),
            ("usr/bin/pip.py", false),
            ("usr/local/bin/entry.SH", false),
            ("usr/lib/x86_64-linux-gnu/libc.so.6", false),
            ("usr/lib/libfoo.so", false),
            ("opt/app/config.json", false),
            ("app/model.safetensors", false),
            ("etc/passwd", false),
            ("var/lib/dpkg/status", false),
            ("usr/share/doc/readme", false),
            ("usr/bin/.hidden", false),
            ("usr/bin/", false),
            ("usr/lib/firmware/blob", false),
            ("root/.cache/go-build/00/00ab-d", false),
            ("root/.cargo/bin/cargo-auditable", true),
            ("README.md", false),
        ];
        for (path, expected) in cases {
            assert_eq!(claims_binary(path), expected, "{path}");
        }
    }

    #[test]
    fn reduced_form_round_trips() {
        let payloads = Payloads {
            go: Some(go::GoBuildInfo {
                version: b"go1.21.5".to_vec(),
                modinfo: b"path\tx\n".to_vec(),
            }),
            dep_v0: Some(DepV0::TooLarge(123)),
        };
        let encoded = encode(&payloads);
        let decoded = decode("x", encoded.strip_prefix(REDUCED_MAGIC.as_slice()).unwrap());
        assert_eq!(decoded.unwrap(), payloads);
        for cut in 0..encoded.len() {
            let Some(records) = encoded.get(REDUCED_MAGIC.len()..cut) else {
                continue;
            };
            // Every strict prefix that ends inside a record is refused, never misread.
            if !records.is_empty() && decode("x", records).is_ok() {
                let decoded = decode("x", records).unwrap();
                assert!(decoded.dep_v0.is_none(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn non_executables_reduce_to_nothing() {
        assert_eq!(reduce_binary("x", b"#!/bin/sh\necho hi\n".to_vec()), None);
        assert_eq!(reduce_binary("x", Vec::new()), None);
        assert!(parse_binary("x", b"plain text").unwrap().is_empty());
    }

    #[test]
    fn unknown_records_are_malformed() {
        let mut bytes = REDUCED_MAGIC.to_vec();
        bytes.extend_from_slice(&[b'?', 0, 0, 0, 0]);
        assert!(matches!(
            parse_binary("x", &bytes),
            Err(CatalogError::Malformed { .. })
        ));
    }
}
