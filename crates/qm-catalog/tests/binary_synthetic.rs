//! The binary cataloger on executables built here, byte by byte: both layouts of Go's build
//! information (pointers before Go 1.18, inline since), in ELF files with and without section
//! headers, 32- and 64-bit, either byte order; `cargo auditable` sections; PE, thin and
//! universal Mach-O; the reduced form; and damaged input of every kind, which must never panic.
//!
//! Real binaries from real toolchains are in `binary_toolchains.rs`; these cover what no
//! toolchain on this machine writes (old Go, big-endian, stripped section headers).

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use std::io::Write as _;

use object::write::{Object, pe};
use object::{Architecture, BinaryFormat, Endianness, SectionKind};
use proptest::prelude::*;
use qm_catalog::{CatalogError, claims_binary, parse_binary, reduce_binary};
use qm_model::{Ecosystem, Package};

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";

/// The module information a Go linker would embed, sentinels included.
const MODINFO: &str = "path\texample.com/cmd/app\n\
    mod\texample.com/cmd/app\t(devel)\t\n\
    dep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGKz9cwX2n3iNwSSs=\n\
    dep\tgithub.com/docker/docker\tv24.0.7+incompatible\th1:Wo6l37AuwP3JaMnZa226lzVXGA3F9Ig1seQen0cKYlM=\n\
    dep\tgolang.org/x/net\tv0.0.0-20211209124913-491a49abca63\n\
    =>\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=\n\
    dep\texample.com/internal/lib\tv1.0.0\n\
    =>\t../lib\t(devel)\t\n\
    build\t-compiler=gc\n\
    build\tGOOS=linux\n";

fn framed(modinfo: &str) -> Vec<u8> {
    let mut bytes = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
    bytes.extend_from_slice(modinfo.as_bytes());
    bytes.extend_from_slice(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
    bytes
}

fn push_uvarint(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push(u8::try_from(value & 0x7f).unwrap() | 0x80);
        value >>= 7;
    }
    out.push(u8::try_from(value).unwrap());
}

/// The Go 1.18+ blob: header, then varint-prefixed version and module information.
fn inline_blob(version: &str, modinfo: &str) -> Vec<u8> {
    let mut blob = MAGIC.to_vec();
    blob.extend_from_slice(&[8, 2]);
    blob.resize(32, 0);
    push_uvarint(&mut blob, version.len());
    blob.extend_from_slice(version.as_bytes());
    let modinfo = framed(modinfo);
    push_uvarint(&mut blob, modinfo.len());
    blob.extend_from_slice(&modinfo);
    blob
}

/// How the pre-1.18 blob encodes pointers.
#[derive(Clone, Copy)]
struct Layout {
    pointer_size: usize,
    big_endian: bool,
}

impl Layout {
    fn pointer(self, value: u64) -> Vec<u8> {
        match (self.pointer_size, self.big_endian) {
            (4, false) => u32::try_from(value).unwrap().to_le_bytes().to_vec(),
            (4, true) => u32::try_from(value).unwrap().to_be_bytes().to_vec(),
            (_, false) => value.to_le_bytes().to_vec(),
            (_, true) => value.to_be_bytes().to_vec(),
        }
    }
}

/// The pre-1.18 blob at virtual address `blob_address`, its two Go string headers right after
/// it, and the string bytes at `strings_address` (returned separately: they may live in
/// another segment).
fn pointer_blob(
    layout: Layout,
    blob_address: u64,
    strings_address: u64,
    version: &str,
    modinfo: &str,
) -> (Vec<u8>, Vec<u8>) {
    let modinfo = framed(modinfo);
    let size = u64::try_from(layout.pointer_size).unwrap();
    let mut blob = MAGIC.to_vec();
    blob.extend_from_slice(&[
        u8::try_from(layout.pointer_size).unwrap(),
        u8::from(layout.big_endian),
    ]);
    blob.extend(layout.pointer(blob_address + 32));
    blob.extend(layout.pointer(blob_address + 32 + 2 * size));
    blob.resize(32, 0);
    let version_len = u64::try_from(version.len()).unwrap();
    blob.extend(layout.pointer(strings_address));
    blob.extend(layout.pointer(version_len));
    blob.extend(layout.pointer(strings_address + version_len));
    blob.extend(layout.pointer(u64::try_from(modinfo.len()).unwrap()));
    let mut strings = version.as_bytes().to_vec();
    strings.extend_from_slice(&modinfo);
    (blob, strings)
}

/// One `PT_LOAD` segment: flags (`PF_X` 1, `PF_W` 2, `PF_R` 4), page-aligned virtual address,
/// contents.
struct Segment {
    flags: u32,
    address: u64,
    data: Vec<u8>,
}

/// A minimal ELF executable with program headers only (no section headers, as after
/// `sstrip`); each segment's file offset is congruent to its address modulo the page size.
fn elf_executable(layout: Layout, segments: &[Segment]) -> Vec<u8> {
    const PAGE: u64 = 0x1000;
    let is_64 = layout.pointer_size == 8;
    let (header_len, phdr_len) = if is_64 { (64, 56) } else { (52, 32) };
    let u16_bytes = |v: u16| {
        if layout.big_endian {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    };
    let u32_bytes = |v: u32| {
        if layout.big_endian {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    };
    let word = |v: u64| layout.pointer(v);

    let mut offsets = Vec::new();
    let mut next = PAGE;
    for segment in segments {
        assert_eq!(segment.address % PAGE, 0);
        offsets.push(next);
        let len = u64::try_from(segment.data.len()).unwrap();
        next += len.div_ceil(PAGE).max(1) * PAGE;
    }

    let mut out = vec![0x7f, b'E', b'L', b'F'];
    out.push(if is_64 { 2 } else { 1 });
    out.push(if layout.big_endian { 2 } else { 1 });
    out.push(1);
    out.resize(16, 0);
    out.extend(u16_bytes(2)); // ET_EXEC
    out.extend(u16_bytes(if is_64 { 62 } else { 8 })); // x86-64, MIPS
    out.extend(u32_bytes(1));
    out.extend(word(segments.first().map_or(0, |s| s.address))); // entry
    out.extend(word(header_len)); // program headers right after the header
    out.extend(word(0)); // no section headers
    out.extend(u32_bytes(0));
    out.extend(u16_bytes(u16::try_from(header_len).unwrap()));
    out.extend(u16_bytes(phdr_len));
    out.extend(u16_bytes(u16::try_from(segments.len()).unwrap()));
    out.extend(u16_bytes(if is_64 { 64 } else { 40 }));
    out.extend(u16_bytes(0));
    out.extend(u16_bytes(0));
    assert_eq!(out.len(), usize::try_from(header_len).unwrap());
    for (segment, offset) in segments.iter().zip(&offsets) {
        let len = u64::try_from(segment.data.len()).unwrap();
        out.extend(u32_bytes(1)); // PT_LOAD
        if is_64 {
            out.extend(u32_bytes(segment.flags));
        }
        out.extend(word(*offset));
        out.extend(word(segment.address));
        out.extend(word(segment.address));
        out.extend(word(len));
        out.extend(word(len));
        if !is_64 {
            out.extend(u32_bytes(segment.flags));
        }
        out.extend(word(PAGE));
    }
    for (segment, offset) in segments.iter().zip(&offsets) {
        out.resize(usize::try_from(*offset).unwrap(), 0);
        out.extend_from_slice(&segment.data);
    }
    out
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const DEP_V0_JSON: &[u8] = br#"{"packages":[{"name":"itoa","version":"1.0.19","source":"crates.io"},{"name":"probe","version":"0.3.1","source":"local","dependencies":[0,2],"root":true},{"name":"percent-encoding","version":"2.3.2","source":"crates.io","kind":"build"}],"format":1}"#;

/// An object file in `format` with the given (segment, section, contents) sections.
fn object_file(format: BinaryFormat, sections: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let architecture = match format {
        BinaryFormat::MachO => Architecture::Aarch64,
        _ => Architecture::X86_64,
    };
    let mut object = Object::new(format, architecture, Endianness::Little);
    let text = object.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    object.set_section_data(text, vec![0xc3; 16], 16);
    for (segment, name, data) in sections {
        let id = object.add_section(
            segment.as_bytes().to_vec(),
            name.as_bytes().to_vec(),
            SectionKind::Data,
        );
        object.set_section_data(id, data.to_vec(), 16);
    }
    object.write().unwrap()
}

/// A PE32+ image with a `.text` section and the given data sections.
fn pe_image(sections: &[(&[u8; 8], &[u8])]) -> Vec<u8> {
    let mut buffer = Vec::new();
    let mut writer = pe::Writer::new(true, 0x1000, 0x200, &mut buffer);
    writer.reserve_dos_header_and_stub();
    writer.reserve_nt_headers(16);
    writer.reserve_section_headers(u16::try_from(sections.len() + 1).unwrap());
    let text = writer.reserve_text_section(16);
    let data_flags = object::pe::IMAGE_SCN_CNT_INITIALIZED_DATA
        | object::pe::IMAGE_SCN_MEM_READ
        | object::pe::IMAGE_SCN_MEM_WRITE;
    let ranges: Vec<_> = sections
        .iter()
        .map(|(name, data)| {
            let len = u32::try_from(data.len()).unwrap();
            writer.reserve_section(**name, data_flags, len, len)
        })
        .collect();
    writer.write_dos_header_and_stub().unwrap();
    writer.write_nt_headers(pe::NtHeaders {
        machine: object::pe::IMAGE_FILE_MACHINE_AMD64,
        time_date_stamp: 0,
        characteristics: object::pe::IMAGE_FILE_EXECUTABLE_IMAGE,
        major_linker_version: 0,
        minor_linker_version: 0,
        address_of_entry_point: text.virtual_address,
        image_base: 0x1_4000_0000,
        major_operating_system_version: 6,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 6,
        minor_subsystem_version: 0,
        subsystem: object::pe::IMAGE_SUBSYSTEM_WINDOWS_CUI,
        dll_characteristics: object::pe::DllFlags::default(),
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    });
    writer.write_section_headers();
    writer.write_section(text.file_offset, &[0xc3; 16]);
    for (range, (_, data)) in ranges.iter().zip(sections) {
        writer.write_section(range.file_offset, data);
    }
    buffer
}

/// A universal Mach-O holding `thin` as its only architecture.
fn fat_macho(thin: &[u8]) -> Vec<u8> {
    let mut out = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1];
    out.extend(0x0100_000c_u32.to_be_bytes()); // arm64
    out.extend(0_u32.to_be_bytes());
    out.extend(0x4000_u32.to_be_bytes());
    out.extend(u32::try_from(thin.len()).unwrap().to_be_bytes());
    out.extend(14_u32.to_be_bytes());
    out.resize(0x4000, 0);
    out.extend_from_slice(thin);
    out
}

fn listed(packages: &[Package]) -> Vec<String> {
    packages
        .iter()
        .map(|p| format!("{}|{}|{}", p.name, p.version, p.purl))
        .collect()
}

/// What every sample built from [`MODINFO`] at `go1.16.15` must list.
fn expected_go() -> Vec<String> {
    [
        "example.com/cmd/app|(devel)|pkg:golang/example.com/cmd/app@%28devel%29",
        "github.com/BurntSushi/toml|v1.3.2|pkg:golang/github.com/BurntSushi/toml@v1.3.2",
        "github.com/docker/docker|v24.0.7+incompatible|pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible",
        "golang.org/x/net|v0.17.0|pkg:golang/golang.org/x/net@v0.17.0",
        "example.com/internal/lib|(devel)|pkg:golang/example.com/internal/lib@%28devel%29",
        "stdlib|1.16.15|pkg:golang/stdlib@1.16.15",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn expected_rust() -> Vec<String> {
    [
        "itoa|1.0.19|pkg:cargo/itoa@1.0.19",
        "probe|0.3.1|pkg:cargo/probe@0.3.1",
        "percent-encoding|2.3.2|pkg:cargo/percent-encoding@2.3.2",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Parses a sample raw and reduced, checks both agree and that the reduced form is small.
fn catalog(name: &str, bytes: &[u8]) -> Vec<Package> {
    let raw = parse_binary(name, bytes).unwrap();
    let reduced = reduce_binary(name, bytes.to_vec()).unwrap_or_else(|| panic!("{name}"));
    assert!(
        reduced.len() < 2048,
        "{name}: reduced to {} bytes",
        reduced.len()
    );
    assert_eq!(parse_binary(name, &reduced).unwrap(), raw, "{name}");
    raw
}

fn pointer_elf(layout: Layout) -> Vec<u8> {
    let (blob, strings) = pointer_blob(layout, 0x0060_0000, 0x0050_0000, "go1.16.15", MODINFO);
    elf_executable(
        layout,
        &[
            Segment {
                flags: 5,
                address: 0x0040_0000,
                data: vec![0xcc; 64],
            },
            Segment {
                flags: 4,
                address: 0x0050_0000,
                data: strings,
            },
            Segment {
                flags: 6,
                address: 0x0060_0000,
                data: blob,
            },
        ],
    )
}

const LE64: Layout = Layout {
    pointer_size: 8,
    big_endian: false,
};
const BE32: Layout = Layout {
    pointer_size: 4,
    big_endian: true,
};

#[test]
fn pre_1_18_pointers_resolve_through_segments_in_both_byte_orders() {
    for (name, layout) in [("le64", LE64), ("be32", BE32)] {
        let packages = catalog(name, &pointer_elf(layout));
        assert_eq!(listed(&packages), expected_go(), "{name}");
        let package = packages.first().unwrap();
        assert_eq!(package.ecosystem, Ecosystem::Go);
        assert_eq!(package.found_by, "go-binary");
        assert_eq!(package.locations, [name]);
    }
}

#[test]
fn pointers_outside_every_segment_find_nothing() {
    let (blob, _) = pointer_blob(LE64, 0x0060_0000, 0x0090_0000, "go1.16.15", MODINFO);
    let elf = elf_executable(
        LE64,
        &[Segment {
            flags: 6,
            address: 0x0060_0000,
            data: blob,
        }],
    );
    assert_eq!(reduce_binary("x", elf.clone()), None);
    assert!(parse_binary("x", &elf).unwrap().is_empty());
}

#[test]
fn inline_blob_in_the_first_writable_segment_without_section_headers() {
    let mut data = vec![0; 0x40];
    data.extend(inline_blob("go1.16.15", MODINFO));
    let elf = elf_executable(
        LE64,
        &[
            Segment {
                flags: 5,
                address: 0x0040_0000,
                data: vec![0xcc; 64],
            },
            Segment {
                flags: 6,
                address: 0x0050_0000,
                data,
            },
        ],
    );
    assert_eq!(listed(&catalog("x", &elf)), expected_go());
}

#[test]
fn inline_blob_past_go_s_search_window_is_found_by_the_scan() {
    let mut data = vec![0; 0x1_2000];
    data.extend(inline_blob("go1.16.15", MODINFO));
    let elf = elf_executable(
        LE64,
        &[Segment {
            flags: 6,
            address: 0x0050_0000,
            data,
        }],
    );
    assert_eq!(listed(&catalog("x", &elf)), expected_go());
}

#[test]
fn sections_in_an_elf_object() {
    let blob = inline_blob("go1.16.15", MODINFO);
    let dep_v0 = compress(DEP_V0_JSON);
    let elf = object_file(
        BinaryFormat::Elf,
        &[("", ".go.buildinfo", &blob), ("", ".dep-v0", &dep_v0)],
    );
    let mut expected = expected_go();
    expected.extend(expected_rust());
    let packages = catalog("x", &elf);
    assert_eq!(listed(&packages), expected);
    let dev: Vec<_> = packages
        .iter()
        .filter(|p| p.dev)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(dev, ["percent-encoding"]);
    assert!(
        packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::CratesIo)
            .all(|p| p.found_by == "cargo-auditable")
    );
}

#[test]
fn an_elf_with_section_headers_is_not_scanned_whole() {
    // The magic in `.data` of an ELF that has sections but no `.go.buildinfo` (and, being an
    // object file, no segments to look in the way Go does) is not looked for.
    let blob = inline_blob("go1.16.15", MODINFO);
    let elf = object_file(BinaryFormat::Elf, &[("", ".data", &blob)]);
    assert_eq!(reduce_binary("x", elf), None);
}

#[test]
fn sections_in_thin_and_universal_macho() {
    let blob = inline_blob("go1.16.15", MODINFO);
    let dep_v0 = compress(DEP_V0_JSON);
    let go = object_file(BinaryFormat::MachO, &[("__DATA", "__go_buildinfo", &blob)]);
    assert_eq!(listed(&catalog("go", &go)), expected_go());
    assert_eq!(listed(&catalog("go-fat", &fat_macho(&go))), expected_go());
    let rust = object_file(BinaryFormat::MachO, &[("__DATA", ".dep-v0", &dep_v0)]);
    assert_eq!(listed(&catalog("rust", &rust)), expected_rust());
    assert_eq!(
        listed(&catalog("rust-fat", &fat_macho(&rust))),
        expected_rust()
    );
}

#[test]
fn sections_in_a_pe_image() {
    let mut data = vec![0; 0x30];
    data.extend(inline_blob("go1.16.15", MODINFO));
    let go = pe_image(&[(b".data\0\0\0", &data)]);
    assert_eq!(&go[..2], b"MZ");
    assert_eq!(listed(&catalog("go.exe", &go)), expected_go());
    let dep_v0 = compress(DEP_V0_JSON);
    let rust = pe_image(&[(b".data\0\0\0", &[1; 64]), (b".dep-v0\0", &dep_v0)]);
    assert_eq!(listed(&catalog("rust.exe", &rust)), expected_rust());
}

#[test]
fn an_oversized_dep_v0_section_is_reported_not_kept() {
    let huge = vec![0x78; 8 * 1024 * 1024 + 1];
    let elf = object_file(BinaryFormat::Elf, &[("", ".dep-v0", &huge)]);
    let reduced = reduce_binary("big", elf).unwrap();
    assert!(reduced.len() < 64);
    let error = parse_binary("big", &reduced).unwrap_err();
    assert!(
        matches!(
            error,
            CatalogError::TooLarge {
                size: 8_388_609,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn executables_without_build_info_are_dropped() {
    let plain_elf = object_file(BinaryFormat::Elf, &[("", ".data", &[0; 64])]);
    let plain_pe = pe_image(&[(b".data\0\0\0", &[0; 64])]);
    let plain_macho = object_file(BinaryFormat::MachO, &[("__DATA", "__data", &[0; 64])]);
    for bytes in [plain_elf, plain_pe, plain_macho] {
        assert!(parse_binary("x", &bytes).unwrap().is_empty());
        assert_eq!(reduce_binary("x", bytes), None);
    }
}

#[test]
fn syft_truncated_macho_fixtures_yield_nothing() {
    for fixture in [
        "fixtures/syft/syft/pkg/cataloger/golang/testdata/glob-paths/partial-binary",
        "fixtures/syft/syft/pkg/cataloger/rust/testdata/glob-paths/partial-binary",
    ] {
        let bytes = qm_testdata::read_bytes(fixture);
        assert_eq!(&bytes[..4], b"\xcf\xfa\xed\xfe", "{fixture}");
        assert_eq!(reduce_binary(fixture, bytes.clone()), None, "{fixture}");
        assert!(parse_binary(fixture, &bytes).unwrap().is_empty());
    }
}

#[test]
fn claims_cover_the_places_images_keep_programs() {
    for path in [
        "usr/local/bin/kubectl",
        "ko-app/server",
        "manager",
        "usr/bin/rg",
    ] {
        assert!(claims_binary(path), "{path}");
    }
    for path in [
        "usr/local/bin/run.sh",
        "usr/lib/x86_64-linux-gnu/libz.so.1",
        "etc/hosts",
    ] {
        assert!(!claims_binary(path), "{path}");
    }
}

/// Every sample above, for the damage tests.
fn samples() -> Vec<Vec<u8>> {
    let blob = inline_blob("go1.16.15", MODINFO);
    let dep_v0 = compress(DEP_V0_JSON);
    let mut data = vec![0; 0x40];
    data.extend(&blob);
    let macho = object_file(BinaryFormat::MachO, &[("__DATA", "__go_buildinfo", &blob)]);
    vec![
        pointer_elf(LE64),
        pointer_elf(BE32),
        elf_executable(
            LE64,
            &[Segment {
                flags: 6,
                address: 0x0050_0000,
                data: data.clone(),
            }],
        ),
        object_file(
            BinaryFormat::Elf,
            &[("", ".go.buildinfo", &blob), ("", ".dep-v0", &dep_v0)],
        ),
        fat_macho(&macho),
        macho,
        pe_image(&[(b".data\0\0\0", &data), (b".dep-v0\0", &dep_v0)]),
    ]
}

/// Cut lengths worth trying for `len` bytes: every one near the start and the end, a stride
/// in between.
fn cuts(len: usize) -> impl Iterator<Item = usize> {
    (0..len).filter(move |cut| *cut < 512 || len - cut < 512 || cut % 61 == 0)
}

#[test]
fn truncated_samples_never_panic_and_never_invent_packages() {
    for sample in samples() {
        let full = listed(&parse_binary("x", &sample).unwrap());
        for cut in cuts(sample.len()) {
            let prefix = &sample[..cut];
            let found = parse_binary("x", prefix).map(|packages| listed(&packages));
            if let Ok(found) = found {
                assert!(
                    found.iter().all(|p| full.contains(p)),
                    "cut at {cut}: {found:?}"
                );
            }
            if let Some(reduced) = reduce_binary("x", prefix.to_vec()) {
                let _ = parse_binary("x", &reduced);
            }
        }
        let reduced = reduce_binary("x", sample.clone()).unwrap();
        for cut in 0..reduced.len() {
            let _ = parse_binary("x", &reduced[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn damaged_samples_never_panic(
        which in 0usize..7,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let mut sample = samples().swap_remove(which);
        for (index, byte) in edits {
            let at = index.index(sample.len());
            sample[at] = byte;
        }
        let _ = parse_binary("x", &sample);
        if let Some(reduced) = reduce_binary("x", sample) {
            let _ = parse_binary("x", &reduced);
        }
    }

    #[test]
    fn arbitrary_bytes_after_a_magic_never_panic(
        magic in prop::sample::select(vec![
            &b"\x7fELF"[..], b"MZ", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce",
            b"\xca\xfe\xba\xbe\x00\x00\x00\x02", b"\0qm-bin\x01G",
        ]),
        tail in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(tail);
        let _ = parse_binary("x", &bytes);
        if let Some(reduced) = reduce_binary("x", bytes) {
            let _ = parse_binary("x", &reduced);
        }
    }
}
