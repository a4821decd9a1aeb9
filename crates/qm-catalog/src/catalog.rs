//! The registry of catalogers and the assembly of an [`Inventory`] from a target.
//!
//! Every cataloger is a row in [`CATALOGERS`]: a name, the normalised paths it claims, the
//! function that turns one claimed file into packages, and optionally a reducer that shrinks a
//! large claimed file (a binary, a jar) to the few bytes the parser needs while the target
//! streams past. [`catalog_target`] reads the target once through `qm-source` with the union of
//! the claims, runs each kept file through the first cataloger that claims it, and assembles the
//! inventory:
//!
//! - **Distribution.** `etc/os-release` (or `usr/lib/os-release`) first, then the older release
//!   files (`etc/alpine-release`, `etc/redhat-release`, `etc/debian_version`).
//! - **OS package identity follows the distribution.** dpkg, apk and rpm catalogers cannot tell
//!   Ubuntu from Debian or Wolfi from Alpine; here the ecosystem and the purl namespace are set
//!   from the distribution (`pkg:deb/ubuntu/…`, `pkg:apk/wolfi/…`, `pkg:rpm/rocky/…`), and the
//!   purl gains `distro=<id>-<version>` (the spelling syft writes; trivy writes the same) and,
//!   when the source package is named differently, `upstream=<source>`.
//! - **Layers.** Each package records the layer that wrote the file it was found in.
//! - **Duplicates.** The same package (ecosystem, name, version, purl) found in several files of
//!   one kind — say a `node_modules/.package-lock.json` and the `package.json` beside it — is
//!   one package with several locations. Packages from different ecosystems never merge.
//! - **`go.sum` only without `go.mod`.** A `go.sum` lists every version the module graph ever
//!   considered, not only the ones selected; beside a `go.mod` (which since Go 1.17 lists the
//!   whole selected graph) it would report versions that are not built in, so it is read only
//!   when no `go.mod` sits in the same directory.
//! - **Problems name their file.** A file a cataloger cannot read, and every warning the source
//!   layer raised, becomes an [`InventoryWarning`]; the rest of the inventory stands.
//!
//! The trap: claims see normalised paths (`var/lib/dpkg/status`, never with a leading `/`).

use std::collections::{BTreeMap, BTreeSet};

use packageurl::PackageUrl;
use qm_model::{
    Distro, Ecosystem, Inventory, InventoryWarning, Layer, Package, TargetInfo, TargetKind,
};
use qm_source::{Claims, FileView, ReadOptions, SourceError, Target, ViewFile, read_target};

use crate::{
    CatalogError, claims_binary, claims_gemspec, claims_java_archive, claims_npm_installed,
    claims_python_installed, distro_from_release_files, parse_apk_installed, parse_binary,
    parse_cargo_lock, parse_composer_lock, parse_deps_json, parse_dpkg_status, parse_gemfile_lock,
    parse_gemspec, parse_go_mod, parse_go_sum, parse_installed_json, parse_java_archive,
    parse_os_release, parse_package_json, parse_package_lock, parse_packages_lock_json,
    parse_pipfile_lock, parse_pnpm_lock, parse_poetry_lock, parse_python_installed,
    parse_requirements, parse_rpmdb, parse_uv_lock, parse_yarn_lock, reduce_binary,
    reduce_java_archive,
};

/// What a cataloger reads: the operating system's own package database, a lockfile that
/// declares dependencies, installed language metadata, or compiled binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CatalogerKind {
    /// dpkg, apk, rpm databases.
    Os,
    /// Lockfiles and pinned requirement files.
    Declared,
    /// Metadata of installed language packages.
    Installed,
    /// Build information embedded in binaries and archives.
    Binary,
}

/// A cataloger's parse function: one file in, packages out.
pub type ParseFn = fn(&str, &[u8]) -> Result<Vec<Package>, CatalogError>;
/// A reducer: a claimed file's full bytes in, the part worth keeping out (`None` drops it).
pub type ReduceFn = fn(&str, Vec<u8>) -> Option<Vec<u8>>;

/// One package format: what it claims and how it reads.
#[derive(Debug, Clone, Copy)]
pub struct Cataloger {
    /// The cataloger's name in warnings; packages name the exact format in `found_by`
    /// (`go-binary`, `cargo-auditable` for the `binary` cataloger).
    pub name: &'static str,
    /// What it reads.
    pub kind: CatalogerKind,
    /// Whether the normalised path is one of its files.
    pub claims: fn(&str) -> bool,
    /// Reads one file.
    pub parse: ParseFn,
    /// Shrinks a claimed file while the target is read, for large files.
    pub reduce: Option<ReduceFn>,
}

/// The last component of a normalised path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of a normalised path (`""` for a top-level file).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_dpkg_status(path: &str) -> bool {
    if path == "var/lib/dpkg/status" {
        return true;
    }
    // Distroless images keep one stanza file per package, beside `*.md5sums` lists.
    path.strip_prefix("var/lib/dpkg/status.d/")
        .is_some_and(|name| !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums"))
}

fn is_apk_installed(path: &str) -> bool {
    path == "lib/apk/db/installed"
}

fn is_rpmdb(path: &str) -> bool {
    matches!(
        path,
        "var/lib/rpm/Packages"
            | "var/lib/rpm/Packages.db"
            | "var/lib/rpm/rpmdb.sqlite"
            | "usr/lib/sysimage/rpm/Packages"
            | "usr/lib/sysimage/rpm/Packages.db"
            | "usr/lib/sysimage/rpm/rpmdb.sqlite"
    )
}

/// Whether `path` lies inside an installed `node_modules` tree.
fn in_node_modules(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

fn is_package_lock(path: &str) -> bool {
    let name = file_name(path);
    (name == "package-lock.json" || name == "npm-shrinkwrap.json") && !in_node_modules(path)
}

fn is_yarn_lock(path: &str) -> bool {
    file_name(path) == "yarn.lock" && !in_node_modules(path)
}

fn is_pnpm_lock(path: &str) -> bool {
    file_name(path) == "pnpm-lock.yaml" && !in_node_modules(path)
}

fn is_cargo_lock(path: &str) -> bool {
    file_name(path) == "Cargo.lock"
}

fn is_requirements(path: &str) -> bool {
    let name = file_name(path);
    let dir_name = file_name(parent(path));
    name.ends_with(".txt") && (name.starts_with("requirements") || name.starts_with("constraints"))
        || (dir_name == "requirements" && name.ends_with(".txt"))
}

fn is_poetry_lock(path: &str) -> bool {
    file_name(path) == "poetry.lock"
}

fn is_pipfile_lock(path: &str) -> bool {
    file_name(path) == "Pipfile.lock"
}

fn is_uv_lock(path: &str) -> bool {
    file_name(path) == "uv.lock"
}

fn is_go_mod(path: &str) -> bool {
    file_name(path) == "go.mod"
}

fn is_go_sum(path: &str) -> bool {
    file_name(path) == "go.sum"
}

fn is_gemfile_lock(path: &str) -> bool {
    let name = file_name(path);
    name == "Gemfile.lock" || name == "gems.locked"
}

fn is_composer_lock(path: &str) -> bool {
    file_name(path) == "composer.lock"
}

fn is_composer_installed(path: &str) -> bool {
    path == "vendor/composer/installed.json" || path.ends_with("/vendor/composer/installed.json")
}

fn is_packages_lock_json(path: &str) -> bool {
    file_name(path) == "packages.lock.json"
}

fn is_deps_json(path: &str) -> bool {
    file_name(path).ends_with(".deps.json")
}

/// Every cataloger, in the order a claimed file is offered to them (the first claim wins).
pub const CATALOGERS: &[Cataloger] = &[
    Cataloger {
        name: "dpkg",
        kind: CatalogerKind::Os,
        claims: is_dpkg_status,
        parse: parse_dpkg_status,
        reduce: None,
    },
    Cataloger {
        name: "apk",
        kind: CatalogerKind::Os,
        claims: is_apk_installed,
        parse: parse_apk_installed,
        reduce: None,
    },
    Cataloger {
        name: "rpm",
        kind: CatalogerKind::Os,
        claims: is_rpmdb,
        parse: parse_rpmdb,
        reduce: None,
    },
    Cataloger {
        name: "npm-package-lock",
        kind: CatalogerKind::Declared,
        claims: is_package_lock,
        parse: parse_package_lock,
        reduce: None,
    },
    Cataloger {
        name: "yarn-lock",
        kind: CatalogerKind::Declared,
        claims: is_yarn_lock,
        parse: parse_yarn_lock,
        reduce: None,
    },
    Cataloger {
        name: "pnpm-lock",
        kind: CatalogerKind::Declared,
        claims: is_pnpm_lock,
        parse: parse_pnpm_lock,
        reduce: None,
    },
    Cataloger {
        name: "npm-package-json",
        kind: CatalogerKind::Installed,
        claims: claims_npm_installed,
        parse: parse_package_json,
        reduce: None,
    },
    Cataloger {
        name: "cargo-lock",
        kind: CatalogerKind::Declared,
        claims: is_cargo_lock,
        parse: parse_cargo_lock,
        reduce: None,
    },
    Cataloger {
        name: "python-requirements",
        kind: CatalogerKind::Declared,
        claims: is_requirements,
        parse: parse_requirements,
        reduce: None,
    },
    Cataloger {
        name: "poetry-lock",
        kind: CatalogerKind::Declared,
        claims: is_poetry_lock,
        parse: parse_poetry_lock,
        reduce: None,
    },
    Cataloger {
        name: "pipfile-lock",
        kind: CatalogerKind::Declared,
        claims: is_pipfile_lock,
        parse: parse_pipfile_lock,
        reduce: None,
    },
    Cataloger {
        name: "uv-lock",
        kind: CatalogerKind::Declared,
        claims: is_uv_lock,
        parse: parse_uv_lock,
        reduce: None,
    },
    Cataloger {
        name: "go-mod",
        kind: CatalogerKind::Declared,
        claims: is_go_mod,
        parse: parse_go_mod,
        reduce: None,
    },
    Cataloger {
        name: "go-sum",
        kind: CatalogerKind::Declared,
        claims: is_go_sum,
        parse: parse_go_sum,
        reduce: None,
    },
    Cataloger {
        name: "gemfile-lock",
        kind: CatalogerKind::Declared,
        claims: is_gemfile_lock,
        parse: parse_gemfile_lock,
        reduce: None,
    },
    Cataloger {
        name: "composer-lock",
        kind: CatalogerKind::Declared,
        claims: is_composer_lock,
        parse: parse_composer_lock,
        reduce: None,
    },
    Cataloger {
        name: "composer-installed",
        kind: CatalogerKind::Installed,
        claims: is_composer_installed,
        parse: parse_installed_json,
        reduce: None,
    },
    Cataloger {
        name: "dotnet-packages-lock",
        kind: CatalogerKind::Declared,
        claims: is_packages_lock_json,
        parse: parse_packages_lock_json,
        reduce: None,
    },
    Cataloger {
        name: "python-installed",
        kind: CatalogerKind::Installed,
        claims: claims_python_installed,
        parse: parse_python_installed,
        reduce: None,
    },
    Cataloger {
        name: "ruby-gemspec",
        kind: CatalogerKind::Installed,
        claims: claims_gemspec,
        parse: parse_gemspec,
        reduce: None,
    },
    Cataloger {
        name: "java-archive",
        kind: CatalogerKind::Installed,
        claims: claims_java_archive,
        parse: parse_java_archive,
        reduce: Some(reduce_java_archive),
    },
    Cataloger {
        name: "dotnet-deps",
        kind: CatalogerKind::Installed,
        claims: is_deps_json,
        parse: parse_deps_json,
        reduce: None,
    },
    // Last: its claim is broad (executables anywhere under the usual prefixes), so the
    // metadata catalogers above claim their files first.
    Cataloger {
        name: "binary",
        kind: CatalogerKind::Binary,
        claims: claims_binary,
        parse: parse_binary,
        reduce: Some(reduce_binary),
    },
];

/// Release files read to identify the distribution.
const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/debian_version",
];

/// Directories of a source tree that hold build output or tool state, not sources: their
/// lockfiles are copies or fixtures, and walking them costs time.
const SKIPPED_SOURCE_DIRS: &[&str] = &[".git", ".hg", ".svn", "target", ".tox", ".venv-cache"];

/// Which catalogers run, and how the target is read.
#[derive(Debug, Clone)]
pub struct CatalogOptions {
    /// Limits and platform for reading the target.
    pub read: ReadOptions,
    /// Kinds of catalogers that run (all by default).
    pub kinds: BTreeSet<CatalogerKind>,
}

impl Default for CatalogOptions {
    fn default() -> Self {
        Self {
            read: ReadOptions::default(),
            kinds: [
                CatalogerKind::Os,
                CatalogerKind::Declared,
                CatalogerKind::Installed,
                CatalogerKind::Binary,
            ]
            .into_iter()
            .collect(),
        }
    }
}

impl CatalogOptions {
    /// Whether catalogers of `kind` run.
    pub fn runs(&self, kind: CatalogerKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Turns catalogers of `kind` on or off.
    pub fn set(&mut self, kind: CatalogerKind, on: bool) {
        if on {
            self.kinds.insert(kind);
        } else {
            self.kinds.remove(&kind);
        }
    }
}

/// The claims of the enabled catalogers, as one [`Claims`] for `qm-source`.
struct RegistryClaims<'a> {
    catalogers: Vec<&'a Cataloger>,
    source_tree: bool,
}

impl RegistryClaims<'_> {
    fn claimant(&self, path: &str) -> Option<&Cataloger> {
        if self.source_tree && in_skipped_dir(path) {
            return None;
        }
        self.catalogers
            .iter()
            .copied()
            .find(|cataloger| (cataloger.claims)(path))
    }
}

fn in_skipped_dir(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|part| SKIPPED_SOURCE_DIRS.contains(&part))
}

impl Claims for RegistryClaims<'_> {
    fn wants(&self, path: &str) -> bool {
        RELEASE_FILES.contains(&path) || self.claimant(path).is_some()
    }

    fn keeps_history(&self, path: &str) -> bool {
        self.claimant(path)
            .is_some_and(|cataloger| cataloger.kind == CatalogerKind::Os)
    }

    fn reduces(&self, path: &str) -> bool {
        !RELEASE_FILES.contains(&path)
            && self
                .claimant(path)
                .is_some_and(|cataloger| cataloger.reduce.is_some())
    }

    fn reduce(&self, path: &str, bytes: Vec<u8>) -> Option<Vec<u8>> {
        match self.claimant(path).and_then(|cataloger| cataloger.reduce) {
            Some(reduce) => reduce(path, bytes),
            None => Some(bytes),
        }
    }
}

/// Reads `target` once and catalogs everything the enabled catalogers claim.
///
/// `name` is the target as the user wrote it; it names the inventory.
///
/// # Errors
/// When the target cannot be read at all (see [`read_target`]); problems with single files
/// are warnings on the inventory.
pub fn catalog_target(
    target: &Target,
    name: &str,
    options: &CatalogOptions,
) -> Result<Inventory, SourceError> {
    let source_tree = matches!(target, Target::SourceDir { .. });
    let claims = RegistryClaims {
        catalogers: CATALOGERS
            .iter()
            .filter(|cataloger| options.runs(cataloger.kind))
            .collect(),
        source_tree,
    };
    let view = read_target(target, &options.read, &claims)?;
    let kind = match target {
        Target::DockerArchive { .. } => TargetKind::DockerArchive,
        Target::OciDir { .. } => TargetKind::OciDir,
        Target::OciArchive { .. } => TargetKind::OciArchive,
        Target::RootFs { .. } => TargetKind::RootFs,
        Target::SourceDir { .. } => TargetKind::Directory,
    };
    Ok(assemble(&view, &claims, name, kind))
}

/// The cataloger that claims a lone file by its name (`Cargo.lock`, `poetry.lock`), for
/// targets that are one lockfile rather than a tree.
pub fn cataloger_for_file(file_name: &str) -> Option<&'static Cataloger> {
    CATALOGERS.iter().find(|cataloger| {
        cataloger.kind == CatalogerKind::Declared && (cataloger.claims)(file_name)
    })
}

/// Catalogs one lockfile's bytes as a whole target named `name` (a source tree holding only
/// that file). `file_name` is its name, which picks the cataloger.
///
/// # Errors
/// When no cataloger claims the name, or the file does not parse.
pub fn catalog_lockfile(
    name: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Inventory, CatalogError> {
    let Some(cataloger) = cataloger_for_file(file_name) else {
        return Err(CatalogError::Malformed {
            path: file_name.to_owned(),
            line: 0,
            reason: "not a lockfile any cataloger reads".to_owned(),
        });
    };
    let packages = (cataloger.parse)(file_name, bytes)?;
    Ok(Inventory {
        target: TargetInfo {
            name: name.to_owned(),
            kind: TargetKind::Directory,
            digest: None,
            manifest_digest: None,
            tags: Vec::new(),
            platform: None,
            layers: Vec::new(),
        },
        distro: None,
        packages: merge_duplicates(packages),
        warnings: Vec::new(),
    })
}

/// Builds the inventory from a read view.
fn assemble(
    view: &FileView,
    claims: &RegistryClaims<'_>,
    name: &str,
    kind: TargetKind,
) -> Inventory {
    let mut warnings: Vec<InventoryWarning> = view
        .warnings()
        .iter()
        .map(|warning| InventoryWarning {
            path: warning.path.clone(),
            layer: warning.layer.clone(),
            message: warning.detail.clone(),
        })
        .collect();
    let distro = detect_distro(view);
    let go_mod_dirs: BTreeSet<&str> = view
        .files()
        .filter(|file| is_go_mod(&file.path))
        .map(|file| parent(&file.path))
        .collect();

    let mut packages = Vec::new();
    for file in view.files() {
        if RELEASE_FILES.contains(&file.path.as_str()) {
            continue;
        }
        let Some(cataloger) = claims.claimant(&file.path) else {
            continue;
        };
        if cataloger.name == "go-sum" && go_mod_dirs.contains(parent(&file.path)) {
            continue;
        }
        match (cataloger.parse)(&file.path, &file.bytes) {
            Ok(mut found) => {
                attribute_layers(&mut found, view.history(&file.path), cataloger);
                packages.extend(found.into_iter().map(|package| placed(package, file)));
            }
            Err(error) => warnings.push(InventoryWarning {
                path: file.path.clone(),
                layer: file.layer.as_ref().map(|layer| layer.digest.clone()),
                message: format!("not cataloged by `{}`: {error}", cataloger.name),
            }),
        }
    }
    if let Some(distro) = &distro {
        for package in &mut packages {
            apply_distro(package, distro);
        }
    }
    let packages = merge_duplicates(packages);

    let target = match view.image() {
        Some(image) => TargetInfo {
            name: name.to_owned(),
            kind,
            digest: Some(image.config_digest.clone()),
            manifest_digest: image.manifest_digest.clone(),
            tags: image.repo_tags.clone(),
            platform: image.os.as_ref().zip(image.architecture.as_ref()).map(
                |(os, architecture)| match &image.variant {
                    Some(variant) => format!("{os}/{architecture}/{variant}"),
                    None => format!("{os}/{architecture}"),
                },
            ),
            layers: image
                .layers
                .iter()
                .map(|layer| Layer {
                    digest: layer.digest.clone(),
                    index: layer.index,
                    created_by: layer.created_by.clone(),
                })
                .collect(),
        },
        None => TargetInfo {
            name: name.to_owned(),
            kind,
            digest: None,
            manifest_digest: None,
            tags: Vec::new(),
            platform: None,
            layers: Vec::new(),
        },
    };
    Inventory {
        target,
        distro,
        packages,
        warnings,
    }
}

/// Sets the layer of each package of a database that layers rewrite (the dpkg status file) to
/// the lowest layer from which every later version of the file lists it, unchanged: the layer
/// that introduced it, not the last one that ran the package manager. `older` holds the
/// versions lower layers wrote, bottom first; one that does not parse ends the walk.
fn attribute_layers(packages: &mut [Package], older: &[ViewFile], cataloger: &Cataloger) {
    if older.is_empty() {
        return;
    }
    type Key = (String, String, Option<String>);
    let key = |package: &Package| -> Key {
        (
            package.name.clone(),
            package.version.clone(),
            package.arch.clone(),
        )
    };
    // Top down, so a version that does not parse stops the walk where it is.
    let mut sets: Vec<(Option<String>, BTreeSet<Key>)> = Vec::new();
    for version in older.iter().rev() {
        let Ok(found) = (cataloger.parse)(&version.path, &version.bytes) else {
            break;
        };
        sets.push((
            version.layer.as_ref().map(|layer| layer.digest.clone()),
            found.iter().map(key).collect(),
        ));
    }
    for package in packages.iter_mut() {
        let wanted = key(package);
        for (layer, listed) in &sets {
            if !listed.contains(&wanted) {
                break;
            }
            package.layer.clone_from(layer);
        }
    }
}

/// Records where a package was found: the layer, and the file when the cataloger did not.
fn placed(mut package: Package, file: &ViewFile) -> Package {
    if package.locations.is_empty() {
        package.locations.push(file.path.clone());
    }
    if package.layer.is_none() {
        package.layer = file.layer.as_ref().map(|layer| layer.digest.clone());
    }
    package
}

/// The distribution, from `os-release` first and the older release files after.
fn detect_distro(view: &FileView) -> Option<Distro> {
    let bytes = |path: &str| view.get(path).map(|file| file.bytes.as_slice());
    bytes("etc/os-release")
        .and_then(parse_os_release)
        .or_else(|| bytes("usr/lib/os-release").and_then(parse_os_release))
        .or_else(|| {
            distro_from_release_files(
                bytes("etc/debian_version"),
                bytes("etc/alpine-release"),
                bytes("etc/redhat-release"),
            )
        })
}

/// The ecosystem and purl namespace of an OS package on `distro`, for the package format
/// `purl_type` (`deb`, `apk`, `rpm`).
fn os_identity(purl_type: &str, distro: &Distro) -> Option<(Ecosystem, String)> {
    let id = distro.id.as_str();
    let like = |other: &str| distro.id_like.iter().any(|like| like == other);
    let ecosystem = match purl_type {
        "deb" => match id {
            "ubuntu" => Ecosystem::Ubuntu,
            "debian" => Ecosystem::Debian,
            _ if like("ubuntu") => Ecosystem::Ubuntu,
            _ => Ecosystem::Debian,
        },
        "apk" => match id {
            "wolfi" => Ecosystem::Wolfi,
            "chainguard" => Ecosystem::Chainguard,
            _ => Ecosystem::Alpine,
        },
        "rpm" => match id {
            "rhel" | "centos" => Ecosystem::RedHat,
            "rocky" => Ecosystem::RockyLinux,
            "almalinux" => Ecosystem::AlmaLinux,
            "sles" | "sled" | "sle-micro" => Ecosystem::Suse,
            "azurelinux" | "mariner" => Ecosystem::AzureLinux,
            "photon" => Ecosystem::PhotonOs,
            _ if id.starts_with("opensuse") => Ecosystem::OpenSuse,
            _ => Ecosystem::Rpm,
        },
        _ => return None,
    };
    Some((ecosystem, id.to_owned()))
}

/// Sets an OS package's ecosystem and purl from the distribution it runs on.
fn apply_distro(package: &mut Package, distro: &Distro) {
    let Ok(purl) = package.purl.parse::<PackageUrl<'_>>() else {
        return;
    };
    let Some((ecosystem, namespace)) = os_identity(purl.ty(), distro) else {
        return;
    };
    let mut rebuilt = match PackageUrl::new(purl.ty().to_owned(), purl.name().to_owned()) {
        Ok(rebuilt) => rebuilt,
        Err(_) => return,
    };
    if rebuilt.with_namespace(namespace).is_err() {
        return;
    }
    if let Some(version) = purl.version()
        && rebuilt.with_version(version.to_owned()).is_err()
    {
        return;
    }
    for (key, value) in purl.qualifiers() {
        if key.as_ref() == "distro" || key.as_ref() == "upstream" {
            continue;
        }
        if rebuilt
            .add_qualifier(key.as_ref().to_owned(), value.as_ref().to_owned())
            .is_err()
        {
            return;
        }
    }
    if let Some(source) = &package.source
        && source.name != package.name
        && rebuilt
            .add_qualifier("upstream", source.name.clone())
            .is_err()
    {
        return;
    }
    let distro_qualifier = match (&distro.version_id, &distro.codename) {
        (Some(version), _) => format!("{}-{version}", distro.id),
        (None, Some(codename)) => format!("{}-{codename}", distro.id),
        (None, None) => distro.id.clone(),
    };
    if rebuilt.add_qualifier("distro", distro_qualifier).is_err() {
        return;
    }
    package.ecosystem = ecosystem;
    package.purl = rebuilt.to_string();
}

/// Merges packages that are the same (ecosystem, name, version, purl) into one with every
/// location, and sorts the result.
fn merge_duplicates(packages: Vec<Package>) -> Vec<Package> {
    let mut merged: BTreeMap<(Ecosystem, String, String, String, Option<String>), Package> =
        BTreeMap::new();
    for package in packages {
        let key = (
            package.ecosystem.clone(),
            package.name.clone(),
            package.version.clone(),
            package.purl.clone(),
            package.layer.clone(),
        );
        match merged.get_mut(&key) {
            Some(existing) => {
                for location in package.locations {
                    if !existing.locations.contains(&location) {
                        existing.locations.push(location);
                    }
                }
                existing.dev &= package.dev;
            }
            None => {
                merged.insert(key, package);
            }
        }
    }
    merged.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_the_formats() {
        let claimant = |path: &str| {
            CATALOGERS
                .iter()
                .find(|cataloger| (cataloger.claims)(path))
                .map(|cataloger| cataloger.name)
        };
        let cases: &[(&str, Option<&str>)] = &[
            ("var/lib/dpkg/status", Some("dpkg")),
            ("var/lib/dpkg/status.d/base-files", Some("dpkg")),
            ("var/lib/dpkg/status.d/base-files.md5sums", None),
            ("var/lib/dpkg/status-old", None),
            ("lib/apk/db/installed", Some("apk")),
            ("var/lib/rpm/rpmdb.sqlite", Some("rpm")),
            ("usr/lib/sysimage/rpm/Packages.db", Some("rpm")),
            ("app/package-lock.json", Some("npm-package-lock")),
            ("app/node_modules/.package-lock.json", None),
            ("app/node_modules/x/package-lock.json", None),
            (
                "app/node_modules/lodash/package.json",
                Some("npm-package-json"),
            ),
            (
                "node_modules/@babel/core/package.json",
                Some("npm-package-json"),
            ),
            (
                "app/node_modules/@babel/core/package.json",
                Some("npm-package-json"),
            ),
            ("app/package.json", None),
            ("app/node_modules/lodash/lib/package.json", None),
            ("Cargo.lock", Some("cargo-lock")),
            ("src/requirements.txt", Some("python-requirements")),
            ("requirements-dev.txt", Some("python-requirements")),
            ("requirements/base.txt", Some("python-requirements")),
            ("notes.txt", None),
            (
                "srv/app/vendor/composer/installed.json",
                Some("composer-installed"),
            ),
            ("app/bin/App.deps.json", Some("dotnet-deps")),
            ("go.sum", Some("go-sum")),
            ("Gemfile.lock", Some("gemfile-lock")),
        ];
        for (path, expected) in cases {
            assert_eq!(claimant(path), *expected, "{path}");
        }
    }

    #[test]
    fn source_trees_skip_build_output() {
        assert!(in_skipped_dir("target/debug/Cargo.lock"));
        assert!(in_skipped_dir("a/.git/x/Cargo.lock"));
        assert!(!in_skipped_dir("Cargo.lock"));
        assert!(!in_skipped_dir("targets/Cargo.lock"));
    }

    fn package(purl: &str, name: &str, source: Option<&str>) -> Package {
        Package {
            name: name.to_owned(),
            version: "1.0-1".to_owned(),
            ecosystem: Ecosystem::Debian,
            purl: purl.to_owned(),
            source: source.map(|name| qm_model::SourcePackage {
                name: name.to_owned(),
                version: None,
            }),
            locations: vec!["var/lib/dpkg/status".to_owned()],
            found_by: "dpkg".to_owned(),
            dev: false,
            arch: None,
            layer: None,
        }
    }

    fn distro(id: &str, version: Option<&str>, like: &[&str]) -> Distro {
        Distro {
            id: id.to_owned(),
            version_id: version.map(str::to_owned),
            codename: None,
            pretty_name: None,
            id_like: like.iter().map(|like| (*like).to_owned()).collect(),
        }
    }

    #[test]
    fn os_packages_take_the_distribution_identity() {
        let mut libssl = package(
            "pkg:deb/debian/libssl3@1.0-1?arch=amd64",
            "libssl3",
            Some("openssl"),
        );
        apply_distro(&mut libssl, &distro("debian", Some("12"), &[]));
        assert_eq!(libssl.ecosystem, Ecosystem::Debian);
        assert_eq!(
            libssl.purl,
            "pkg:deb/debian/libssl3@1.0-1?arch=amd64&distro=debian-12&upstream=openssl"
        );

        let mut bash = package("pkg:deb/debian/bash@1.0-1?arch=amd64", "bash", Some("bash"));
        apply_distro(&mut bash, &distro("ubuntu", Some("22.04"), &["debian"]));
        assert_eq!(bash.ecosystem, Ecosystem::Ubuntu);
        assert_eq!(
            bash.purl,
            "pkg:deb/ubuntu/bash@1.0-1?arch=amd64&distro=ubuntu-22.04"
        );

        let mut musl = package("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64", "musl", None);
        musl.ecosystem = Ecosystem::Alpine;
        apply_distro(&mut musl, &distro("wolfi", Some("20230201"), &[]));
        assert_eq!(musl.ecosystem, Ecosystem::Wolfi);
        assert!(
            musl.purl.starts_with("pkg:apk/wolfi/musl@1.2.4-r2?"),
            "{}",
            musl.purl
        );

        let mut curl = package(
            "pkg:rpm/redhat/curl@7.76.1-26.el9?arch=x86_64",
            "curl",
            None,
        );
        curl.ecosystem = Ecosystem::RedHat;
        apply_distro(
            &mut curl,
            &distro("rocky", Some("9.3"), &["rhel", "centos", "fedora"]),
        );
        assert_eq!(curl.ecosystem, Ecosystem::RockyLinux);
        assert_eq!(
            curl.purl,
            "pkg:rpm/rocky/curl@7.76.1-26.el9?arch=x86_64&distro=rocky-9.3"
        );

        let mut serde = package("pkg:cargo/serde@1.0.0", "serde", None);
        serde.ecosystem = Ecosystem::CratesIo;
        apply_distro(&mut serde, &distro("debian", Some("12"), &[]));
        assert_eq!(serde.purl, "pkg:cargo/serde@1.0.0");
        assert_eq!(serde.ecosystem, Ecosystem::CratesIo);
    }

    #[test]
    fn duplicates_merge_their_locations() {
        let mut a = package("pkg:npm/x@1.0.0", "x", None);
        a.ecosystem = Ecosystem::Npm;
        a.locations = vec!["app/package-lock.json".to_owned()];
        let mut b = a.clone();
        b.locations = vec!["app/node_modules/x/package.json".to_owned()];
        let mut c = a.clone();
        c.version = "2.0.0".to_owned();
        let merged = merge_duplicates(vec![a, b, c]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].locations.len(), 2);
    }
}
