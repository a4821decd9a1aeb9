//! NuGet: `packages.lock.json` and the runtime's `*.deps.json`.
//!
//! Surprises:
//! - `packages.lock.json` repeats the graph once per target framework (`net8.0`,
//!   `.NETFramework,Version=v4.7.2/win-x64`); a package resolved at the same version in
//!   several is listed once. `type` is `Direct`, `Transitive`, `CentralTransitive` or
//!   `Project`; `Project` entries are other projects of the same solution and are skipped.
//! - `*.deps.json` keys `libraries` by `Name/Version`; only `type: "package"` entries came from
//!   NuGet (`project` is the application, `reference` / `referenceassembly` are framework
//!   assemblies) and only they are listed.
//! - NuGet names are case-insensitive but kept as written; the purl keeps the case too.

use std::collections::{BTreeMap, BTreeSet};

use qm_model::{Ecosystem, Package};
use serde::Deserialize;

use super::{Format, Found, decode, from_json};
use crate::CatalogError;

const fn format(found_by: &'static str) -> Format {
    Format {
        ecosystem: || Ecosystem::NuGet,
        purl_type: "nuget",
        found_by,
    }
}

#[derive(Deserialize)]
struct PackagesLock {
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, LockedDependency>>,
}

#[derive(Deserialize)]
struct LockedDependency {
    #[serde(rename = "type", default)]
    kind: String,
    resolved: Option<String>,
}

/// Lists the NuGet packages a `packages.lock.json` resolves, across target frameworks.
pub fn parse_packages_lock_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let lock: PackagesLock = from_json(path, text)?;
    let format = format("nuget-packages-lock");
    let mut seen = BTreeSet::new();
    let mut packages = Vec::new();
    for dependencies in lock.dependencies.values() {
        for (name, dependency) in dependencies {
            if dependency.kind.eq_ignore_ascii_case("project") {
                continue;
            }
            let Some(version) = dependency.resolved.as_deref() else {
                continue;
            };
            if seen.insert((name.as_str(), version)) {
                packages.extend(format.package(path, &Found::new(name, version)));
            }
        }
    }
    Ok(packages)
}

#[derive(Deserialize)]
struct DepsJson {
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type", default)]
    kind: String,
}

/// Lists the NuGet packages a `*.deps.json` says the application loads.
pub fn parse_deps_json(path: &str, bytes: &[u8]) -> Result<Vec<Package>, CatalogError> {
    let text = decode(path, bytes)?;
    let deps: DepsJson = from_json(path, text)?;
    let format = format("dotnet-deps");
    Ok(deps
        .libraries
        .iter()
        .filter(|(_, library)| library.kind == "package")
        .filter_map(|(key, _)| {
            let (name, version) = key.split_once('/')?;
            format.package(path, &Found::new(name, version))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_entries_and_duplicates_are_dropped() {
        let json = r#"{"version":1,"dependencies":{
            "net8.0":{"A":{"type":"Direct","resolved":"1.0.0"},"P":{"type":"Project"}},
            "net6.0":{"A":{"type":"Transitive","resolved":"1.0.0"},"B":{"type":"CentralTransitive","resolved":"2.0.0"}}}}"#;
        let purls: Vec<_> = parse_packages_lock_json("packages.lock.json", json.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.purl)
            .collect();
        assert_eq!(purls, ["pkg:nuget/A@1.0.0", "pkg:nuget/B@2.0.0"]);
    }

    #[test]
    fn only_package_libraries_count() {
        let json = r#"{"libraries":{"App/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.1":{"type":"package"},"Ref/4.0.0":{"type":"referenceassembly"},"bad":{"type":"package"}}}"#;
        let purls: Vec<_> = parse_deps_json("a.deps.json", json.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.purl)
            .collect();
        assert_eq!(purls, ["pkg:nuget/Newtonsoft.Json@13.0.1"]);
    }
}
