//! The in-memory state of a walk: the claimed files and every symbolic link seen so far, keyed
//! by normalised path, each tagged with the layer that wrote it.
//!
//! Whiteouts only ever remove entries of lower layers, so a layer's own entries can be applied
//! as they stream past even when its `.wh..wh..opq` marker comes after them (the OCI spec lets
//! tools write a layer's members in any order). Removing a path also removes everything under it:
//! a file that replaces a directory hides the directory's old contents.

use std::collections::BTreeMap;
use std::io::{self, Read};

use crate::claims::Claims;
use crate::options::{MAX_SYMLINK_HOPS, MAX_SYMLINKS, MAX_WARNINGS, ReadOptions};
use crate::view::{FileView, ImageInfo, LayerInfo, ViewFile, Warning, WarningKind};

/// Warnings with a cap.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<Warning>,
    dropped: usize,
}

impl Warnings {
    pub(crate) fn push(
        &mut self,
        kind: WarningKind,
        path: &str,
        layer: Option<&str>,
        detail: impl Into<String>,
    ) {
        if self.list.len() >= MAX_WARNINGS {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        self.list.push(Warning {
            kind,
            path: path.to_owned(),
            layer: layer.map(str::to_owned),
            detail: detail.into(),
        });
    }

    fn finish(mut self) -> Vec<Warning> {
        if self.dropped > 0 {
            self.list.push(Warning {
                kind: WarningKind::WarningsDropped,
                path: String::new(),
                layer: None,
                detail: format!("{} more warnings were dropped", self.dropped),
            });
        }
        self.list
    }
}

#[derive(Debug)]
enum Node {
    File { bytes: Vec<u8>, layer: usize },
    Symlink { target: String, layer: usize },
}

impl Node {
    fn layer(&self) -> usize {
        match self {
            Node::File { layer, .. } | Node::Symlink { layer, .. } => *layer,
        }
    }
}

/// Why a symbolic link could not be followed.
enum Unresolved {
    Escape,
    Loop,
}

/// The state of a walk.
pub(crate) struct Tree<'a> {
    nodes: BTreeMap<String, Node>,
    /// Versions of a file that lower layers wrote, bottom first, for claims that keep history.
    history: BTreeMap<String, Vec<(usize, Vec<u8>)>>,
    kept: u64,
    symlinks: usize,
    options: &'a ReadOptions,
    /// Whether an absolute link target means the target's own root (images, root filesystems)
    /// or leaves the tree (source directories).
    absolute_links_in_root: bool,
    pub(crate) warnings: Warnings,
    /// Set when a claimed file's data ended early: that layer is truncated, not merely
    /// missing its end-of-archive marker.
    pub(crate) cut_claimed_file: bool,
}

impl<'a> Tree<'a> {
    pub(crate) fn new(options: &'a ReadOptions, absolute_links_in_root: bool) -> Self {
        Self {
            nodes: BTreeMap::new(),
            history: BTreeMap::new(),
            kept: 0,
            symlinks: 0,
            options,
            absolute_links_in_root,
            warnings: Warnings::default(),
            cut_claimed_file: false,
        }
    }

    fn remove_key(&mut self, key: &str) {
        if let Some(versions) = self.history.remove(key) {
            let size: usize = versions.iter().map(|(_, bytes)| bytes.len()).sum();
            self.kept = self
                .kept
                .saturating_sub(u64::try_from(size).unwrap_or(u64::MAX));
        }
        match self.nodes.remove(key) {
            Some(Node::File { bytes, .. }) => {
                self.kept = self
                    .kept
                    .saturating_sub(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            }
            Some(Node::Symlink { .. }) => self.symlinks = self.symlinks.saturating_sub(1),
            None => {}
        }
    }

    /// Removes `path` itself when a layer below `below` wrote it.
    fn remove_exact(&mut self, path: &str, below: usize) {
        if self
            .nodes
            .get(path)
            .is_some_and(|node| node.layer() < below)
        {
            self.remove_key(path);
        }
    }

    /// Removes everything under directory `dir` written by a layer below `below`.
    fn remove_under(&mut self, dir: &str, below: usize) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(_, node)| node.layer() < below)
            .map(|(key, _)| key.clone())
            .collect();
        for key in doomed {
            self.remove_key(&key);
        }
    }

    /// `.wh.<name>`: hides `path` and its contents from lower layers.
    pub(crate) fn whiteout(&mut self, path: &str, layer: usize) {
        self.remove_exact(path, layer);
        self.remove_under(path, layer);
    }

    /// `.wh..wh..opq`: hides the contents of `dir` from lower layers.
    pub(crate) fn opaque(&mut self, dir: &str, layer: usize) {
        self.remove_under(dir, layer);
    }

    /// A directory entry: replaces a file or link at the same path, keeps what is under it.
    pub(crate) fn directory(&mut self, path: &str) {
        self.remove_key(path);
    }

    /// A non-directory entry: replaces whatever was at `path`, including a directory's contents.
    /// When the claim keeps history, a file replaced by a newer version is kept as history.
    pub(crate) fn replace(&mut self, path: &str, claims: &dyn Claims) {
        let mut history = None;
        if claims.keeps_history(path)
            && let Some(Node::File { .. }) = self.nodes.get(path)
            && let Some(Node::File { bytes, layer }) = self.nodes.remove(path)
        {
            // Still counted in `kept`: it moves from the file to its history.
            let mut versions = self.history.remove(path).unwrap_or_default();
            versions.push((layer, bytes));
            history = Some(versions);
        }
        self.remove_key(path);
        self.remove_under(path, usize::MAX);
        if let Some(versions) = history {
            self.history.insert(path.to_owned(), versions);
        }
    }

    /// Keeps a claimed regular file of declared `size`, read from `reader`, unless a limit says
    /// no. Call [`Tree::replace`] first.
    pub(crate) fn keep_file(
        &mut self,
        path: &str,
        layer: usize,
        label: Option<&str>,
        size: u64,
        reader: &mut dyn Read,
        claims: &dyn Claims,
    ) -> io::Result<()> {
        let max = self.options.max_file_size;
        if size > max {
            self.warnings.push(
                WarningKind::FileTooLarge,
                path,
                label,
                format!("{size} bytes, over the {max}-byte limit per file; not read"),
            );
            return Ok(());
        }
        let reduces = claims.reduces(path);
        if !reduces && self.kept.saturating_add(size) > self.options.max_total_kept {
            self.total_limit(path, label);
            return Ok(());
        }
        let mut bytes = Vec::new();
        reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if read < size {
            self.cut_claimed_file = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("`{path}` ends after {read} of {size} bytes"),
            ));
        }
        if read > max {
            self.warnings.push(
                WarningKind::FileTooLarge,
                path,
                label,
                format!("over the {max}-byte limit per file; not read"),
            );
            return Ok(());
        }
        let bytes = if reduces {
            let Some(reduced) = claims.reduce(path, bytes) else {
                return Ok(());
            };
            let reduced_size = u64::try_from(reduced.len()).unwrap_or(u64::MAX);
            if self.kept.saturating_add(reduced_size) > self.options.max_total_kept {
                self.total_limit(path, label);
                return Ok(());
            }
            reduced
        } else {
            bytes
        };
        let kept = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.kept = self.kept.saturating_add(kept);
        self.nodes
            .insert(path.to_owned(), Node::File { bytes, layer });
        Ok(())
    }

    fn total_limit(&mut self, path: &str, label: Option<&str>) {
        let limit = self.options.max_total_kept;
        self.warnings.push(
            WarningKind::TotalLimit,
            path,
            label,
            format!("keeping it would pass the {limit}-byte limit on kept files; not read"),
        );
    }

    /// Records a symbolic link. Call [`Tree::replace`] first.
    pub(crate) fn symlink(&mut self, path: &str, target: &str, layer: usize, label: Option<&str>) {
        if self.symlinks >= MAX_SYMLINKS {
            self.warnings.push(
                WarningKind::TooManySymlinks,
                path,
                label,
                format!("more than {MAX_SYMLINKS} symbolic links; ignored"),
            );
            return;
        }
        self.symlinks = self.symlinks.saturating_add(1);
        self.nodes.insert(
            path.to_owned(),
            Node::Symlink {
                target: target.to_owned(),
                layer,
            },
        );
    }

    /// A claimed hard link to `target`: copies what was kept there. Call [`Tree::replace`] first.
    pub(crate) fn hardlink(
        &mut self,
        path: &str,
        target: &str,
        layer: usize,
        label: Option<&str>,
        claims: &dyn Claims,
    ) {
        match self.nodes.get(target) {
            Some(Node::File { bytes, .. }) => {
                let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                if self.kept.saturating_add(size) > self.options.max_total_kept {
                    self.total_limit(path, label);
                    return;
                }
                let bytes = bytes.clone();
                self.kept = self.kept.saturating_add(size);
                self.nodes
                    .insert(path.to_owned(), Node::File { bytes, layer });
            }
            Some(Node::Symlink { target, .. }) => {
                let target = target.clone();
                self.symlink(path, &target, layer, label);
            }
            // A reduced claim drops most of the files it reads: a link to one is no loss.
            None if claims.reduces(path) => {}
            None => self.warnings.push(
                WarningKind::HardlinkTarget,
                path,
                label,
                format!("hard link to `{target}`, which was not read"),
            ),
        }
    }

    /// Whether anything was recorded under `path`, which makes it a directory.
    fn is_directory(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.nodes
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(key, _)| key.starts_with(&prefix))
    }

    /// Follows symbolic links component by component inside the root.
    fn resolve(&self, start: &str) -> Result<String, Unresolved> {
        let mut done: Vec<String> = Vec::new();
        let mut pending: Vec<String> = start.split('/').rev().map(str::to_owned).collect();
        let mut hops = 0usize;
        while let Some(component) = pending.pop() {
            match component.as_str() {
                "" | "." => continue,
                ".." => {
                    if done.pop().is_none() {
                        return Err(Unresolved::Escape);
                    }
                    continue;
                }
                _ => {}
            }
            done.push(component);
            let candidate = done.join("/");
            if let Some(Node::Symlink { target, .. }) = self.nodes.get(&candidate) {
                hops = hops.saturating_add(1);
                if hops > MAX_SYMLINK_HOPS {
                    return Err(Unresolved::Loop);
                }
                done.pop();
                if target.starts_with('/') {
                    if !self.absolute_links_in_root {
                        return Err(Unresolved::Escape);
                    }
                    done.clear();
                }
                pending.extend(target.split('/').rev().map(str::to_owned));
            }
        }
        Ok(done.join("/"))
    }

    /// Resolves the claimed links and builds the view.
    pub(crate) fn finish(mut self, wants: &dyn Claims, image: Option<ImageInfo>) -> FileView {
        let layers: &[LayerInfo] = image.as_ref().map_or(&[], |info| info.layers.as_slice());
        let layer_info = |index: usize| -> Option<LayerInfo> { layers.get(index).cloned() };
        let label =
            |index: usize| -> Option<String> { layers.get(index).map(|l| l.digest.clone()) };
        let mut files = BTreeMap::new();
        let mut history = BTreeMap::new();
        let mut links: Vec<(String, String, usize)> = Vec::new();
        for (path, node) in &self.nodes {
            match node {
                Node::File { bytes, layer } => {
                    if let Some(versions) = self.history.get(path) {
                        let older: Vec<ViewFile> = versions
                            .iter()
                            .map(|(layer, bytes)| ViewFile {
                                path: path.clone(),
                                bytes: bytes.clone(),
                                layer: layer_info(*layer),
                                resolved_from: None,
                            })
                            .collect();
                        history.insert(path.clone(), older);
                    }
                    files.insert(
                        path.clone(),
                        ViewFile {
                            path: path.clone(),
                            bytes: bytes.clone(),
                            layer: layer_info(*layer),
                            resolved_from: None,
                        },
                    );
                }
                Node::Symlink { target, layer } if wants.wants(path) => {
                    links.push((path.clone(), target.clone(), *layer));
                }
                Node::Symlink { .. } => {}
            }
        }
        let mut extra: u64 = 0;
        for (path, target, layer) in links {
            let layer_label = label(layer);
            let layer_label = layer_label.as_deref();
            match self.resolve(&path) {
                Ok(real) => match self.nodes.get(&real) {
                    Some(Node::File { bytes, layer }) => {
                        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                        let total = self.kept.saturating_add(extra).saturating_add(size);
                        if total > self.options.max_total_kept {
                            let limit = self.options.max_total_kept;
                            self.warnings.push(
                                WarningKind::TotalLimit,
                                &path,
                                layer_label,
                                format!("keeping it would pass the {limit}-byte limit on kept files; not read"),
                            );
                            continue;
                        }
                        extra = extra.saturating_add(size);
                        files.insert(
                            path.clone(),
                            ViewFile {
                                path: path.clone(),
                                bytes: bytes.clone(),
                                layer: layer_info(*layer),
                                resolved_from: Some(real),
                            },
                        );
                    }
                    None if self.is_directory(&real) => {}
                    // A reduced claim (binaries) drops most files it reads, so a link to one
                    // of those, or a dangling link, says nothing worth a warning.
                    _ if wants.reduces(&path) => {}
                    _ => self.warnings.push(
                        WarningKind::SymlinkTarget,
                        &path,
                        layer_label,
                        format!("symbolic link to `{target}` leads to `{real}`, which is missing or was not claimed"),
                    ),
                },
                Err(Unresolved::Escape) => self.warnings.push(
                    WarningKind::SymlinkEscape,
                    &path,
                    layer_label,
                    format!("symbolic link to `{target}` leads outside the root; not followed"),
                ),
                Err(Unresolved::Loop) => self.warnings.push(
                    WarningKind::SymlinkLoop,
                    &path,
                    layer_label,
                    format!(
                        "symbolic link to `{target}` loops or passes {MAX_SYMLINK_HOPS} links; not followed"
                    ),
                ),
            }
        }
        FileView {
            files,
            history,
            image,
            warnings: self.warnings.finish(),
        }
    }
}
