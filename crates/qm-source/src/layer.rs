//! Streams one layer (a tar, plain, gzip or zstd, told apart by magic bytes rather than the
//! media type, which docker-archive does not have) into the [`Tree`], hashing both the
//! compressed and the decompressed bytes on the way so digests are checked without a second
//! read.
//!
//! Surprises: a layer's tar may end (two zero blocks) before its compressed stream does, and the
//! digest covers every byte, so both streams are drained to the end after the last member;
//! `.wh.` names are markers, never files; a gzip layer may hold several members
//! (`MultiGzDecoder`); a decompression bomb trips the per-layer limit in the counting reader
//! below the tar parser, whatever the member sizes claim.

use std::cell::RefCell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};
use tar::EntryType;

use crate::claims::Claims;
use crate::error::SourceError;
use crate::path::{PathProblem, normalise_member, parent};
use crate::tree::Tree;
use crate::view::WarningKind;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
/// zstd decoder window cap (2^27 = 128 MiB), the library default made explicit: it bounds the
/// decoder's memory whatever the frame header asks for.
const ZSTD_WINDOW_LOG_MAX: u32 = 27;
const OPAQUE_WHITEOUT: &str = ".wh..wh..opq";
const WHITEOUT_PREFIX: &str = ".wh.";
/// aufs bookkeeping names (`.wh..wh.plnk`, `.wh..wh.aufs`) are neither files nor whiteouts.
const AUFS_META_PREFIX: &str = ".wh..wh.";

/// Hashes and counts what passes through; past `limit`, fails.
struct Counted {
    inner: Box<dyn Read>,
    hasher: Sha256,
    count: u64,
    limit: u64,
    exceeded: bool,
}

#[derive(Clone)]
struct Shared(Rc<RefCell<Counted>>);

impl Shared {
    fn new(inner: Box<dyn Read>, limit: u64) -> Self {
        Self(Rc::new(RefCell::new(Counted {
            inner,
            hasher: Sha256::new(),
            count: 0,
            limit,
            exceeded: false,
        })))
    }

    fn exceeded(&self) -> bool {
        self.0.borrow().exceeded
    }

    fn count(&self) -> u64 {
        self.0.borrow().count
    }

    fn digest(&self) -> String {
        let state = self.0.borrow();
        format!("sha256:{}", hex::encode(state.hasher.clone().finalize()))
    }
}

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut state = self.0.borrow_mut();
        let read = state.inner.read(buf)?;
        let chunk = buf.get(..read).unwrap_or_default();
        state.hasher.update(chunk);
        state.count = state
            .count
            .saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
        if state.count > state.limit {
            state.exceeded = true;
            return Err(io::Error::other("decompressed size limit exceeded"));
        }
        Ok(read)
    }
}

/// Where a layer comes from, for messages.
pub(crate) struct LayerContext<'a> {
    /// The archive or layout.
    pub(crate) image: &'a str,
    /// The member or blob path.
    pub(crate) member: &'a str,
    /// The name used in warnings (its digest when known).
    pub(crate) label: &'a str,
    /// Position, 0 for the bottom layer.
    pub(crate) index: usize,
    /// Compressed size the metadata promises, when it does.
    pub(crate) expected_size: Option<u64>,
}

/// The digests and size of a layer as read.
pub(crate) struct LayerDigests {
    pub(crate) compressed: String,
    pub(crate) uncompressed: String,
    /// The tar stream ended without its end-of-archive marker or inside its last member.
    pub(crate) incomplete: bool,
}

/// Streams one layer into `tree`.
pub(crate) fn apply_layer(
    raw: Box<dyn Read>,
    context: &LayerContext<'_>,
    limit: u64,
    tree: &mut Tree<'_>,
    wants: &dyn Claims,
) -> Result<LayerDigests, SourceError> {
    let raw = Shared::new(raw, u64::MAX);
    let uncompressed = match decoder(raw.clone()) {
        Ok(decoder) => Shared::new(decoder, limit),
        Err(error) => return Err(layer_error(context, &raw, None, limit, error)),
    };
    let mut walked = walk_entries(uncompressed.clone(), context, tree, wants);
    let mut incomplete = false;
    if walked.is_err()
        && !tree.cut_claimed_file
        && !uncompressed.exceeded()
        && at_clean_end(&uncompressed)
    {
        // The tar stream stops without its end-of-archive blocks, or inside its last
        // member's padding (`umoci insert` writes such layers), while the compressed stream
        // is whole. The digests below still decide whether this is the published layer;
        // if it is, it is read as far as it goes, as other tools read it, with a warning.
        walked = Ok(());
        incomplete = true;
    }
    let walked = walked
        .and_then(|()| io::copy(&mut uncompressed.clone(), &mut io::sink()))
        .and_then(|_| io::copy(&mut raw.clone(), &mut io::sink()));
    if let Err(error) = walked {
        return Err(layer_error(
            context,
            &raw,
            Some(&uncompressed),
            limit,
            error,
        ));
    }
    let compressed_size = raw.count();
    if let Some(size) = context.expected_size
        && size != compressed_size
    {
        return Err(SourceError::LayerTruncated {
            image: context.image.to_owned(),
            layer: context.member.to_owned(),
            index: context.index,
            offset: compressed_size,
            size,
        });
    }
    Ok(LayerDigests {
        compressed: raw.digest(),
        uncompressed: uncompressed.digest(),
        incomplete,
    })
}

fn decoder(raw: Shared) -> io::Result<Box<dyn Read>> {
    let mut buffered = BufReader::new(raw);
    let head = buffered.fill_buf()?;
    if head.starts_with(GZIP_MAGIC) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
    } else if head.starts_with(ZSTD_MAGIC) {
        let mut decoder = zstd::Decoder::with_buffer(buffered)?;
        decoder.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
        Ok(Box::new(decoder))
    } else {
        Ok(Box::new(buffered))
    }
}

fn layer_error(
    context: &LayerContext<'_>,
    raw: &Shared,
    uncompressed: Option<&Shared>,
    limit: u64,
    error: io::Error,
) -> SourceError {
    if uncompressed.is_some_and(Shared::exceeded) {
        return SourceError::LayerTooLarge {
            image: context.image.to_owned(),
            layer: context.member.to_owned(),
            index: context.index,
            limit,
        };
    }
    // The tar parser reports a short member as a plain error; a failure with the input used up
    // is a truncation whatever it says.
    if error.kind() == io::ErrorKind::UnexpectedEof || at_end(raw) {
        return SourceError::LayerTruncated {
            image: context.image.to_owned(),
            layer: context.member.to_owned(),
            index: context.index,
            offset: raw.count(),
            size: context.expected_size.unwrap_or(0),
        };
    }
    SourceError::LayerRead {
        image: context.image.to_owned(),
        layer: context.member.to_owned(),
        index: context.index,
        source: error,
    }
}

/// Whether the decompressed stream is at its end, cleanly: a read returns nothing and no
/// error (a truncated gzip or zstd stream errors instead).
fn at_clean_end(stream: &Shared) -> bool {
    let mut probe = [0u8; 1];
    matches!(stream.clone().read(&mut probe), Ok(0))
}

fn at_end(raw: &Shared) -> bool {
    let mut probe = [0u8; 1];
    matches!(raw.clone().read(&mut probe), Ok(0))
}

fn walk_entries(
    stream: Shared,
    context: &LayerContext<'_>,
    tree: &mut Tree<'_>,
    wants: &dyn Claims,
) -> io::Result<()> {
    let label = Some(context.label);
    let index = context.index;
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw_path = entry.path_bytes().into_owned();
        let member = match normalise_member(&raw_path) {
            Ok(member) => member,
            Err(PathProblem::NonUtf8(lossy)) => {
                tree.warnings.push(
                    WarningKind::NonUtf8Name,
                    &lossy,
                    label,
                    "member name is not UTF-8; skipped",
                );
                continue;
            }
            Err(PathProblem::Unsafe(name)) => {
                tree.warnings.push(
                    WarningKind::UnsafePath,
                    &name,
                    label,
                    "member name climbs out of the root with `..`; skipped",
                );
                continue;
            }
        };
        let path = member.path;
        if path.is_empty() {
            continue;
        }
        if member.absolute {
            tree.warnings.push(
                WarningKind::AbsolutePath,
                &path,
                label,
                "member name is absolute; read relative to the image root",
            );
        }
        let dir = parent(&path);
        let name = path.rsplit('/').next().unwrap_or_default();
        if name == OPAQUE_WHITEOUT {
            tree.opaque(dir, index);
            continue;
        }
        if name.starts_with(AUFS_META_PREFIX) {
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
            if !hidden.is_empty() {
                let hidden_path = if dir.is_empty() {
                    hidden.to_owned()
                } else {
                    format!("{dir}/{hidden}")
                };
                tree.whiteout(&hidden_path, index);
            }
            continue;
        }
        match entry.header().entry_type() {
            EntryType::Directory => tree.directory(&path),
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                tree.replace(&path, wants);
                if wants.wants(&path) {
                    let size = entry.size();
                    tree.keep_file(&path, index, label, size, &mut entry, wants)?;
                }
            }
            EntryType::Symlink => {
                tree.replace(&path, wants);
                let Some(target) = entry.link_name_bytes() else {
                    continue;
                };
                match std::str::from_utf8(&target) {
                    Ok(target) => tree.symlink(&path, target, index, label),
                    Err(_) => tree.warnings.push(
                        WarningKind::NonUtf8Name,
                        &path,
                        label,
                        "symbolic link target is not UTF-8; ignored",
                    ),
                }
            }
            EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|raw| normalise_member(&raw))
                    .transpose();
                match target {
                    Ok(Some(target)) if !target.path.is_empty() => {
                        tree.replace(&path, wants);
                        if wants.wants(&path) {
                            tree.hardlink(&path, &target.path, index, label, wants);
                        }
                    }
                    Ok(_) => {}
                    Err(PathProblem::NonUtf8(lossy) | PathProblem::Unsafe(lossy)) => {
                        tree.warnings.push(
                            WarningKind::HardlinkTarget,
                            &path,
                            label,
                            format!(
                                "hard link to `{lossy}` leaves the root or is not UTF-8; skipped"
                            ),
                        );
                    }
                }
            }
            _ => tree.replace(&path, wants),
        }
    }
    Ok(())
}
