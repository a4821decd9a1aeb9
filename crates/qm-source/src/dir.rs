//! Root filesystems and source trees read from disk: a walk that never follows a symbolic link
//! (links are recorded and resolved lexically inside the root afterwards, like an image's), keeps
//! only claimed regular files within the same limits, and turns unreadable entries into warnings.
//!
//! Surprises: in a root filesystem an absolute link target means the root's own `/`; in a source
//! tree it leaves the tree and is not followed. File names that are not UTF-8 are skipped with a
//! warning, as in images.

use std::path::{Path, PathBuf};

use crate::claims::Claims;
use crate::error::SourceError;
use crate::options::{MAX_DIRECTORY_DEPTH, ReadOptions};
use crate::tree::Tree;
use crate::view::{FileView, WarningKind};

/// Walks the directory at `root`.
pub(crate) fn read(
    root: &Path,
    absolute_links_in_root: bool,
    options: &ReadOptions,
    wants: &dyn Claims,
) -> Result<FileView, SourceError> {
    let mut tree = Tree::new(options, absolute_links_in_root);
    let top = fs_err::read_dir(root).map_err(|source| SourceError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut pending: Vec<(fs_err::ReadDir, String, usize)> = vec![(top, String::new(), 0)];
    while let Some((mut entries, prefix, depth)) = pending.pop() {
        let Some(entry) = entries.next() else {
            continue;
        };
        pending.push((entries, prefix.clone(), depth));
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                tree.warnings
                    .push(WarningKind::Unreadable, &prefix, None, error.to_string());
                continue;
            }
        };
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            let lossy = join(&prefix, &file_name.to_string_lossy());
            tree.warnings.push(
                WarningKind::NonUtf8Name,
                &lossy,
                None,
                "file name is not UTF-8; skipped",
            );
            continue;
        };
        let relative = join(&prefix, name);
        let path: PathBuf = entry.path();
        let file_type = match entry.file_type() {
            Ok(file_type) => file_type,
            Err(error) => {
                tree.warnings
                    .push(WarningKind::Unreadable, &relative, None, error.to_string());
                continue;
            }
        };
        if file_type.is_dir() {
            if depth >= MAX_DIRECTORY_DEPTH {
                tree.warnings.push(
                    WarningKind::TooDeep,
                    &relative,
                    None,
                    format!("deeper than {MAX_DIRECTORY_DEPTH} levels; not walked"),
                );
                continue;
            }
            match fs_err::read_dir(&path) {
                Ok(children) => pending.push((children, relative, depth.saturating_add(1))),
                Err(error) => {
                    tree.warnings
                        .push(WarningKind::Unreadable, &relative, None, error.to_string());
                }
            }
        } else if file_type.is_symlink() {
            match fs_err::read_link(&path) {
                Ok(target) => match target.to_str() {
                    Some(target) => tree.symlink(&relative, target, 0, None),
                    None => tree.warnings.push(
                        WarningKind::NonUtf8Name,
                        &relative,
                        None,
                        "symbolic link target is not UTF-8; ignored",
                    ),
                },
                Err(error) => {
                    tree.warnings
                        .push(WarningKind::Unreadable, &relative, None, error.to_string());
                }
            }
        } else if file_type.is_file() && wants.wants(&relative) {
            let kept = fs_err::File::open(&path).and_then(|mut file| {
                let size = file.metadata()?.len();
                tree.keep_file(&relative, 0, None, size, &mut file, wants)
            });
            if let Err(error) = kept {
                tree.warnings
                    .push(WarningKind::Unreadable, &relative, None, error.to_string());
            }
        }
    }
    Ok(tree.finish(wants, None))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}
