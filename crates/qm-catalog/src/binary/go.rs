//! Go build information: the blob Go's linker embeds (since Go 1.13) holding the toolchain
//! version and, for module builds, the module list that `go version -m` prints.
//!
//! The blob starts with a 16-byte header: the 14-byte magic `\xff Go buildinf:`, the pointer
//! size in bytes, and a flags byte (bit 0: big-endian; bit 1: strings inline). It is aligned
//! to 16 bytes and at least 32 long.
//! - Inline (Go 1.18 and later): after the 32-byte header come two strings, each preceded by
//!   its length as an unsigned LEB128 varint: the version (`go1.21.5`), then the module
//!   information.
//! - Pointers (before Go 1.18): at offset 16 two pointers follow, each the virtual address of a
//!   Go string header (a data pointer and a length, each pointer-sized, in the flagged byte
//!   order); the strings are read through the executable's segments.
//!
//! The module information is framed by 16 sentinel bytes on each side, recognised by the
//! newline 17 bytes from the end; without that frame the binary was not built in module mode
//! and only the standard library is known. Inside are tab-separated lines: `path` (the main
//! package), `mod` (main module), `dep` (a dependency: path, version, optional `h1:` sum),
//! `=>` (the previous module's replacement: path, version, sum), `build` (settings, ignored).
//!
//! Surprises:
//! - A directory replacement is written `=>\t../fork\t(devel)\t` by current Go and with an
//!   empty version by older releases; both mean "local code".
//! - The toolchain version may carry experiments after a space (`go1.21.5 X:boringcrypto`).

use qm_model::{Ecosystem, Package};

/// The magic that starts the blob.
const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The blob's fixed header length.
const HEADER_LEN: usize = 32;
/// The blob's alignment in the file (Go's `buildInfoAlign`).
const ALIGNMENT: usize = 16;
/// Flag bit: pointers are big-endian.
const FLAG_BIG_ENDIAN: u8 = 1;
/// Flag bit: strings follow the header inline.
const FLAG_INLINE: u8 = 2;
/// Length of the sentinels around the module information.
const FRAME_LEN: usize = 16;
/// The longest version or module-information string read. The module list of a large program
/// (Kubernetes, a few hundred modules) is tens of KiB; a larger length is damage.
pub(crate) const MAX_GO_STRING_BYTES: usize = 4 * 1024 * 1024;

/// The version Go writes for a module built from local source.
const DEVEL: &str = "(devel)";
/// The cataloger name on every Go package.
const FOUND_BY: &str = "go-binary";

/// The two strings of the blob, as bytes (never trusted to be UTF-8 until read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoBuildInfo {
    /// The toolchain version (`go1.21.5`).
    pub(crate) version: Vec<u8>,
    /// The module information without its frame; empty outside module mode.
    pub(crate) modinfo: Vec<u8>,
}

/// Looks for the blob at 16-byte-aligned offsets of `region` below `search_limit` and decodes
/// the first that decodes; `resolve` reads `size` bytes at a virtual address (pointer format).
pub(crate) fn find<'data>(
    region: &[u8],
    search_limit: usize,
    resolve: &dyn Fn(u64, u64) -> Option<&'data [u8]>,
) -> Option<GoBuildInfo> {
    let finder = memchr::memmem::Finder::new(MAGIC);
    let limit = search_limit.min(region.len());
    let mut start = 0;
    while start < limit {
        let window_end = limit.saturating_add(MAGIC.len()).min(region.len());
        let found = start + finder.find(region.get(start..window_end)?)?;
        if found >= limit {
            return None;
        }
        if found % ALIGNMENT == 0
            && let Some(info) = decode(region.get(found..)?, resolve)
        {
            return Some(info);
        }
        start = found + 1;
    }
    None
}

/// Decodes a blob that starts at `blob`.
fn decode<'data>(
    blob: &[u8],
    resolve: &dyn Fn(u64, u64) -> Option<&'data [u8]>,
) -> Option<GoBuildInfo> {
    let header = blob.get(..HEADER_LEN)?;
    let pointer_size = *header.get(14)?;
    let flags = *header.get(15)?;
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let rest = blob.get(HEADER_LEN..)?;
        let (version, rest) = varint_string(rest)?;
        // Go treats an unreadable second string as "no module information".
        let modinfo = varint_string(rest).map_or(&[][..], |(modinfo, _)| modinfo);
        (version.to_vec(), modinfo.to_vec())
    } else {
        let reader = PointerReader {
            size: match pointer_size {
                4 => 4,
                8 => 8,
                _ => return None,
            },
            big_endian: flags & FLAG_BIG_ENDIAN != 0,
        };
        let version_address = reader.read(header.get(16..)?)?;
        let modinfo_address = reader.read(header.get(16 + reader.size..)?)?;
        let version = reader.string_at(version_address, resolve)?;
        let modinfo = reader
            .string_at(modinfo_address, resolve)
            .unwrap_or_default();
        (version.to_vec(), modinfo.to_vec())
    };
    if version.is_empty() {
        return None;
    }
    Some(GoBuildInfo {
        version,
        modinfo: unframe(&modinfo).to_vec(),
    })
}

/// Reads target pointers for the pre-1.18 blob.
struct PointerReader {
    size: usize,
    big_endian: bool,
}

impl PointerReader {
    /// The pointer at the start of `bytes`.
    fn read(&self, bytes: &[u8]) -> Option<u64> {
        match (self.size, self.big_endian) {
            (4, false) => bytes
                .first_chunk()
                .map(|b| u64::from(u32::from_le_bytes(*b))),
            (4, true) => bytes
                .first_chunk()
                .map(|b| u64::from(u32::from_be_bytes(*b))),
            (_, false) => bytes.first_chunk().map(|b| u64::from_le_bytes(*b)),
            (_, true) => bytes.first_chunk().map(|b| u64::from_be_bytes(*b)),
        }
    }

    /// The Go string whose header (data pointer, length) is at `address`.
    fn string_at<'data>(
        &self,
        address: u64,
        resolve: &dyn Fn(u64, u64) -> Option<&'data [u8]>,
    ) -> Option<&'data [u8]> {
        let header_len = u64::try_from(self.size.checked_mul(2)?).ok()?;
        let header = resolve(address, header_len)?;
        let data_address = self.read(header)?;
        let len = self.read(header.get(self.size..)?)?;
        if len == 0 {
            return Some(&[]);
        }
        if len > u64::try_from(MAX_GO_STRING_BYTES).ok()? {
            return None;
        }
        resolve(data_address, len)
    }
}

/// A varint-length-prefixed string and what follows it.
fn varint_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, used) = uvarint(bytes)?;
    let len = usize::try_from(len).ok()?;
    if len > MAX_GO_STRING_BYTES {
        return None;
    }
    let rest = bytes.get(used..)?;
    if len > rest.len() {
        return None;
    }
    Some(rest.split_at(len))
}

/// An unsigned LEB128 varint as Go's `binary.Uvarint` reads it (at most 10 bytes, no
/// overflow): the value and the bytes used.
fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (index, &byte) in bytes.iter().enumerate().take(10) {
        if index == 9 && byte > 1 {
            return None;
        }
        let shift = u32::try_from(index).ok()?.checked_mul(7)?;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some((value, index + 1));
        }
    }
    None
}

/// The module information inside its sentinels, or nothing when they are missing.
fn unframe(modinfo: &[u8]) -> &[u8] {
    let len = modinfo.len();
    let framed = len > 2 * FRAME_LEN
        && len
            .checked_sub(FRAME_LEN + 1)
            .and_then(|index| modinfo.get(index))
            == Some(&b'\n');
    if !framed {
        return &[];
    }
    modinfo.get(FRAME_LEN..len - FRAME_LEN).unwrap_or_default()
}

/// One `mod` or `dep` line with its replacement.
struct Module<'a> {
    path: &'a str,
    version: &'a str,
    replacement: Option<(&'a str, &'a str)>,
}

impl<'a> Module<'a> {
    /// The path and version of the code that was compiled in.
    fn built(&self) -> (&'a str, &'a str) {
        match self.replacement {
            Some((path, version))
                if is_directory_path(path) || version.is_empty() || version == DEVEL =>
            {
                (self.path, DEVEL)
            }
            Some(replacement) => replacement,
            None => (self.path, self.version),
        }
    }
}

/// Go's `modfile.IsDirectoryPath`: a replacement target on disk rather than a module.
fn is_directory_path(path: &str) -> bool {
    path == "."
        || path == ".."
        || ["./", "../", "/", ".\\", "..\\"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        || path.as_bytes().get(1) == Some(&b':')
}

/// The packages a Go binary's build information names: main module, dependencies, and the
/// standard library.
pub(crate) fn packages(path: &str, info: &GoBuildInfo) -> Vec<Package> {
    let mut modules: Vec<Module<'_>> = Vec::new();
    let mut replaceable = false;
    for line in info.modinfo.split(|&byte| byte == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else {
            replaceable = false;
            continue;
        };
        let mut columns = line.split('\t');
        match columns.next() {
            Some("mod" | "dep") => {
                modules.push(Module {
                    path: columns.next().unwrap_or_default(),
                    version: columns.next().unwrap_or_default(),
                    replacement: None,
                });
                replaceable = true;
            }
            Some("=>") => {
                if replaceable && let Some(module) = modules.last_mut() {
                    module.replacement = Some((
                        columns.next().unwrap_or_default(),
                        columns.next().unwrap_or_default(),
                    ));
                }
                replaceable = false;
            }
            _ => {}
        }
    }
    let mut packages: Vec<Package> = modules
        .iter()
        .filter_map(|module| {
            let (name, version) = module.built();
            package(path, name, version)
        })
        .collect();
    let stdlib = std::str::from_utf8(&info.version)
        .ok()
        .and_then(stdlib_version);
    if let Some(version) = stdlib {
        packages.extend(package(path, "stdlib", &version));
    }
    packages
}

fn package(path: &str, name: &str, version: &str) -> Option<Package> {
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some(Package {
        name: name.to_owned(),
        version: version.to_owned(),
        ecosystem: Ecosystem::Go,
        purl: golang_purl(name, version)?,
        source: None,
        locations: vec![path.to_owned()],
        found_by: FOUND_BY.to_owned(),
        dev: false,
        arch: None,
        layer: None,
    })
}

/// The toolchain version as the Go vulnerability database spells `stdlib` versions:
/// `go1.21.5` → `1.21.5`, `go1.20` → `1.20.0`, `go1.21rc2` → `1.21.0-rc.2`, `go1.9beta1` →
/// `1.9.0-beta.1` (the conversion of `golang.org/x/vuln`'s `GoTagToSemver`). Experiments after
/// a space are ignored; anything else (`devel go1.22-abcdef`) has no release and gives `None`.
pub(crate) fn stdlib_version(toolchain: &str) -> Option<String> {
    let tag = toolchain.split_whitespace().next()?;
    let rest = tag.strip_prefix("go")?;
    if rest == "1" {
        return Some("1.0.0".to_owned());
    }
    let numbers_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (numbers, suffix) = rest.split_at(numbers_end);
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts
        .iter()
        .any(|part| part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut version = match parts.as_slice() {
        [major, minor] => format!("{major}.{minor}.0"),
        [major, minor, patch] => format!("{major}.{minor}.{patch}"),
        _ => return None,
    };
    if !suffix.is_empty() {
        let (kind, number) = ["beta", "rc", "-pre"]
            .iter()
            .find_map(|kind| Some((kind.trim_start_matches('-'), suffix.strip_prefix(kind)?)))?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        version.push_str(&format!("-{kind}.{number}"));
    }
    Some(version)
}

/// The purl of a Go module, `pkg:golang/<namespace>/<name>@<version>`, with the path's case
/// kept: module paths are case-sensitive (`github.com/BurntSushi/toml` and
/// `github.com/burntsushi/toml` are different modules to the Go toolchain and to advisories),
/// although the `packageurl` crate lower-cases `golang` namespaces. Each path segment and the
/// version are percent-encoded as the purl specification says: everything but ASCII letters,
/// digits, `.`, `-`, `_`, `~` and `:` (so `+incompatible` becomes `%2Bincompatible`). `None`
/// when the path has no segment.
pub fn golang_purl(module_path: &str, version: &str) -> Option<String> {
    let mut purl = String::from("pkg:golang/");
    let mut segments = module_path.split('/').filter(|segment| !segment.is_empty());
    purl_encode_into(&mut purl, segments.next()?);
    for segment in segments {
        purl.push('/');
        purl_encode_into(&mut purl, segment);
    }
    if !version.is_empty() {
        purl.push('@');
        purl_encode_into(&mut purl, version);
    }
    Some(purl)
}

fn purl_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_memory(_: u64, _: u64) -> Option<&'static [u8]> {
        None
    }

    /// An inline (Go 1.18+) blob with the given strings, module info framed.
    fn inline_blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, FLAG_INLINE]);
        blob.resize(HEADER_LEN, 0);
        let framed = if modinfo.is_empty() {
            String::new()
        } else {
            format!("0123456789abcdef{modinfo}\n0123456789abcde")
        };
        for text in [version, framed.as_str()] {
            let mut len = text.len();
            loop {
                let byte = u8::try_from(len & 0x7f).unwrap();
                len >>= 7;
                if len == 0 {
                    blob.push(byte);
                    break;
                }
                blob.push(byte | 0x80);
            }
            blob.extend_from_slice(text.as_bytes());
        }
        blob
    }

    fn listed(modinfo: &str) -> Vec<String> {
        let info = GoBuildInfo {
            version: b"go1.21.5".to_vec(),
            modinfo: modinfo.as_bytes().to_vec(),
        };
        packages("app", &info)
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn modules_and_replacements() {
        let cases: &[(&str, &[&str])] = &[
            ("", &["stdlib@1.21.5"]),
            (
                "path\tx.io/app\nmod\tx.io/app\t(devel)\t\ndep\ta.io/b\tv1.2.3\th1:abc=\n",
                &["x.io/app@(devel)", "a.io/b@v1.2.3", "stdlib@1.21.5"],
            ),
            (
                "dep\ta.io/b\tv1.0.0\n=>\tc.io/d\tv1.1.0\th1:x=\n",
                &["c.io/d@v1.1.0", "stdlib@1.21.5"],
            ),
            (
                "dep\ta.io/b\tv1.0.0\n=>\t../b\t(devel)\t\n",
                &["a.io/b@(devel)", "stdlib@1.21.5"],
            ),
            (
                "dep\ta.io/b\tv1.0.0\n=>\t./b\t\t\n",
                &["a.io/b@(devel)", "stdlib@1.21.5"],
            ),
            // A replacement with nothing before it, and a second one, are ignored.
            (
                "=>\tc.io/d\tv1\t\ndep\ta.io/b\tv1\n=>\tc.io/d\tv2\t\n=>\te.io/f\tv3\t\n",
                &["c.io/d@v2", "stdlib@1.21.5"],
            ),
            ("dep\t\tv1.0.0\ndep\ta.io/b\n", &["stdlib@1.21.5"]),
            (
                "build\tGOOS=linux\ndep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:x=\n",
                &["github.com/BurntSushi/toml@v1.3.2", "stdlib@1.21.5"],
            ),
        ];
        for (modinfo, expected) in cases {
            assert_eq!(listed(modinfo), *expected, "{modinfo:?}");
        }
    }

    #[test]
    fn purls_keep_case_and_encode() {
        let cases = [
            (
                "github.com/BurntSushi/toml",
                "v1.3.2",
                "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
            ),
            (
                "github.com/docker/docker",
                "v24.0.7+incompatible",
                "pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible",
            ),
            ("x.io/app", "(devel)", "pkg:golang/x.io/app@%28devel%29"),
            ("stdlib", "1.21.5", "pkg:golang/stdlib@1.21.5"),
            (
                "gopkg.in/yaml.v3",
                "v3.0.1",
                "pkg:golang/gopkg.in/yaml.v3@v3.0.1",
            ),
            (
                "example.com/a b/ü",
                "v0.0.0-20230102030405-0123456789ab",
                "pkg:golang/example.com/a%20b/%C3%BC@v0.0.0-20230102030405-0123456789ab",
            ),
        ];
        for (path, version, expected) in cases {
            assert_eq!(golang_purl(path, version).as_deref(), Some(expected));
        }
        assert_eq!(golang_purl("", "v1"), None);
        // What we write, the purl crate reads back with the version intact.
        let parsed: packageurl::PackageUrl<'_> =
            "pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible"
                .parse()
                .unwrap();
        assert_eq!(parsed.version(), Some("v24.0.7+incompatible"));
    }

    #[test]
    fn toolchain_versions_follow_the_vulnerability_database() {
        let cases = [
            ("go1.21.5", Some("1.21.5")),
            ("go1.21.5 X:boringcrypto", Some("1.21.5")),
            ("go1.20", Some("1.20.0")),
            ("go1.21rc2", Some("1.21.0-rc.2")),
            ("go1.9beta1", Some("1.9.0-beta.1")),
            ("go1.9.2rc2", Some("1.9.2-rc.2")),
            ("go1", Some("1.0.0")),
            ("devel go1.22-4b8cd4b Thu Oct 12", None),
            ("go1.21.x", None),
            ("go1.21.5.1", None),
            ("go1.21alpha1", None),
            ("go1.21rc", None),
            ("1.21.5", None),
            ("", None),
        ];
        for (toolchain, expected) in cases {
            assert_eq!(
                stdlib_version(toolchain).as_deref(),
                expected,
                "{toolchain}"
            );
        }
    }

    #[test]
    fn inline_blobs_decode_where_aligned() {
        let blob = inline_blob("go1.22.0", "mod\tx.io/app\t(devel)\t\n");
        let info = find(&blob, blob.len(), &no_memory).unwrap();
        assert_eq!(info.version, b"go1.22.0");
        assert_eq!(info.modinfo, b"mod\tx.io/app\t(devel)\t\n");

        let mut misaligned = vec![0u8; 3];
        misaligned.extend_from_slice(&blob);
        assert_eq!(find(&misaligned, misaligned.len(), &no_memory), None);

        // A decoy magic that does not decode is skipped for the real blob after it.
        let mut decoy = MAGIC.to_vec();
        decoy.extend_from_slice(&[8, FLAG_INLINE]);
        decoy.resize(HEADER_LEN, 0);
        decoy.push(0xff);
        decoy.resize(64, 0);
        decoy.extend_from_slice(&blob);
        assert_eq!(find(&decoy, decoy.len(), &no_memory), Some(info.clone()));
        // The search limit bounds where the magic may start, not where the strings end.
        assert_eq!(find(&decoy, 64, &no_memory), None);
        assert_eq!(find(&decoy, 65, &no_memory), Some(info));
    }

    #[test]
    fn unframed_module_info_means_no_modules() {
        let blob = inline_blob("go1.16", "");
        let info = find(&blob, blob.len(), &no_memory).unwrap();
        assert!(info.modinfo.is_empty());
        assert_eq!(listed(""), ["stdlib@1.21.5"]);
        assert_eq!(unframe(b"short\n"), b"");
    }

    #[test]
    fn varints_follow_go() {
        assert_eq!(uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(uvarint(&[0x80, 0x01]), Some((128, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[]), None);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(uvarint(&max), Some((u64::MAX, 10)));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(uvarint(&overflow), None);
        // A length past the end of the data is refused.
        assert_eq!(varint_string(&[0x05, b'a']), None);
        assert_eq!(varint_string(&[0x01, b'a']), Some((&b"a"[..], &b""[..])));
    }
}
