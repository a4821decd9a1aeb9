//! Finding the build-information payloads inside an executable file: ELF, PE, Mach-O and
//! universal (fat) Mach-O, through the `object` crate's headers, with a byte scan for Go's
//! magic where the headers do not lead to it.
//!
//! Surprises:
//! - `0xcafebabe` starts both a universal Mach-O binary and a Java class file; the word after it
//!   tells them apart (an architecture count, small, against a class file version, at least 45).
//! - Go locates its blob by section where it has one and otherwise in the first 64 KiB of the
//!   first writable data segment (see `debug/buildinfo` in the Go source); we do the same, then
//!   scan the whole file, except for an ELF with section headers: one without the blob in
//!   either place is an ordinary binary, and that common case must stay cheap.

use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::{BinaryFormat, Object, ObjectSection, ObjectSegment};

use super::go::{self, GoBuildInfo};
use super::{DepV0, MAX_DEP_V0_BYTES, Payloads};

/// Section names of Go's build information: ELF, Mach-O.
const GO_SECTIONS: &[&[u8]] = &[b".go.buildinfo", b"__go_buildinfo"];

/// The `cargo auditable` section name in every format (`__DATA,.dep-v0` in Mach-O).
const DEP_V0_SECTION: &[u8] = b".dep-v0";

/// How far into the first writable segment Go itself looks for its blob.
const DATA_SEARCH_WINDOW: usize = 64 * 1024;

/// At most this many architectures of a universal binary are looked at.
const MAX_FAT_ARCHES: u32 = 32;

/// Whether `bytes` starts like an ELF, PE (`MZ`) or Mach-O file, thin or universal.
pub(crate) fn has_executable_magic(bytes: &[u8]) -> bool {
    let Some(magic) = bytes.first_chunk::<4>() else {
        return false;
    };
    match magic {
        [0x7f, b'E', b'L', b'F']
        | [0xfe, 0xed, 0xfa, 0xce | 0xcf]
        | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => true,
        [b'M', b'Z', _, _] => true,
        [0xca, 0xfe, 0xba, 0xbe | 0xbf] => fat_arch_count(bytes).is_some(),
        _ => false,
    }
}

/// The architecture count of a universal binary, or `None` for anything else (a Java class).
fn fat_arch_count(bytes: &[u8]) -> Option<u32> {
    let count = bytes.get(4..8)?.first_chunk::<4>()?;
    let count = u32::from_be_bytes(*count);
    (1..=MAX_FAT_ARCHES).contains(&count).then_some(count)
}

/// Everything worth keeping from an executable; empty for anything else.
pub(crate) fn extract(bytes: &[u8]) -> Payloads {
    match bytes.first_chunk::<4>() {
        Some([0xca, 0xfe, 0xba, 0xbe]) => extract_fat(MachOFatFile32::parse(bytes).ok(), bytes),
        Some([0xca, 0xfe, 0xba, 0xbf]) => extract_fat(MachOFatFile64::parse(bytes).ok(), bytes),
        _ => extract_thin(bytes),
    }
}

/// The first architecture of a universal binary that carries anything.
fn extract_fat<Fat: FatArch>(
    fat: Option<object::read::macho::MachOFatFile<'_, Fat>>,
    bytes: &[u8],
) -> Payloads {
    if fat_arch_count(bytes).is_none() {
        return Payloads::default();
    }
    let Some(fat) = fat else {
        return Payloads::default();
    };
    for arch in fat.arches() {
        let Ok(slice) = arch.data(bytes) else {
            continue;
        };
        // A universal binary nested in a universal binary is not a thing; refuse to recurse.
        if slice.starts_with(&[0xca, 0xfe, 0xba]) {
            continue;
        }
        let payloads = extract_thin(slice);
        if !payloads.is_empty() {
            return payloads;
        }
    }
    Payloads::default()
}

/// One executable image.
fn extract_thin(bytes: &[u8]) -> Payloads {
    let Ok(file) = object::File::parse(bytes) else {
        // Headers too damaged to follow: only the self-contained (Go 1.18+) blob can be found.
        return Payloads {
            go: go::find(bytes, bytes.len(), &|_, _| None),
            dep_v0: None,
        };
    };
    Payloads {
        go: go_build_info(&file, bytes),
        dep_v0: dep_v0(&file),
    }
}

/// Go's build information, looked for where Go's own reader looks, then everywhere.
fn go_build_info(file: &object::File<'_>, bytes: &[u8]) -> Option<GoBuildInfo> {
    let resolve = |address: u64, size: u64| read_virtual(file, address, size);
    if let Some(section) = section_named(file, GO_SECTIONS) {
        let data = section.data().ok()?;
        return go::find(data, data.len(), &resolve);
    }
    if let Some(data) = first_writable_data(file)
        && let Some(info) = go::find(data, DATA_SEARCH_WINDOW, &resolve)
    {
        return Some(info);
    }
    if file.format() == BinaryFormat::Elf && file.sections().next().is_some() {
        return None;
    }
    go::find(bytes, bytes.len(), &resolve)
}

/// The `.dep-v0` section's bytes, or its size when over the limit.
fn dep_v0(file: &object::File<'_>) -> Option<DepV0> {
    let section = section_named(file, &[DEP_V0_SECTION])?;
    let data = section.data().ok()?;
    if data.is_empty() {
        return None;
    }
    if data.len() > MAX_DEP_V0_BYTES {
        return Some(DepV0::TooLarge(
            u64::try_from(data.len()).unwrap_or(u64::MAX),
        ));
    }
    Some(DepV0::Compressed(data.to_vec()))
}

/// The first section whose name is one of `names`.
fn section_named<'data, 'file>(
    file: &'file object::File<'data>,
    names: &[&[u8]],
) -> Option<object::Section<'data, 'file>> {
    file.sections()
        .find(|section| section.name_bytes().is_ok_and(|name| names.contains(&name)))
}

/// The file contents of the first segment that is writable and not executable: where Go's
/// linker puts the blob when it has no section of its own.
fn first_writable_data<'data>(file: &object::File<'data>) -> Option<&'data [u8]> {
    file.segments()
        .filter(|segment| {
            let permissions = segment.permissions();
            permissions.writable() && !permissions.executable() && segment.address() != 0
        })
        .find_map(|segment| segment.data().ok().filter(|data| !data.is_empty()))
}

/// `size` bytes at virtual `address`, through the segments (or, in files without any, the
/// sections); `None` when no single one holds the whole range in the file.
fn read_virtual<'data>(file: &object::File<'data>, address: u64, size: u64) -> Option<&'data [u8]> {
    file.segments()
        .find_map(|segment| segment.data_range(address, size).ok().flatten())
        .or_else(|| {
            file.sections()
                .filter(|section| section.address() != 0)
                .find_map(|section| section.data_range(address, size).ok().flatten())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_pick_executables() {
        let cases: &[(&[u8], bool)] = &[
            (b"\x7fELF\x02\x01", true),
            (b"MZ\x90\x00", true),
            (b"\xcf\xfa\xed\xfe\x07", true),
            (b"\xfe\xed\xfa\xce", true),
            (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", true),
            // A Java class file, version 52.0.
            (b"\xca\xfe\xba\xbe\x00\x00\x00\x34", false),
            (b"\xca\xfe\xba\xbe", false),
            (b"#!/bin/sh", false),
            (b"\x7fEL", false),
            (b"", false),
        ];
        for (bytes, expected) in cases {
            assert_eq!(has_executable_magic(bytes), *expected, "{bytes:x?}");
        }
    }

    #[test]
    fn truncated_headers_yield_nothing() {
        for bytes in [
            &b"\x7fELF\x02\x01\x01"[..],
            b"MZ",
            b"\xcf\xfa\xed\xfe\x07",
            b"\xca\xfe\xba\xbe\x00\x00\x00\x01\x00",
        ] {
            assert!(extract(bytes).is_empty(), "{bytes:x?}");
        }
    }
}
