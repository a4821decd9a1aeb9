//! CycloneDX JSON documents (1.2 to 1.7; the fields read here have not changed since 1.2).
//!
//! Read: `metadata.component` (the subject), `components` with their nested `components`, and
//! `dependencies`. Of each component: `type`, `bom-ref`, `name`, `group`, `version`, `purl`,
//! `cpe`, `scope`, `hashes`, `properties` and `evidence.occurrences`. Everything else is skipped
//! unread.
//!
//! Components of type `operating-system` are the distribution, not packages. trivy writes one
//! `application` component per lockfile (named by the lockfile's path, with an
//! `aquasecurity:trivy:Class` property) that `dependsOn` the packages it lists, which carry no
//! path of their own; those packages get the lockfile's path as their location by following the
//! dependency graph (breadth-first, every application's reach at most
//! [`MAX_GRAPH_STEPS`] edges in total).

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Deserialize;

use crate::sbom::distro::DistroClaim;
use crate::sbom::evidence::Properties;
use crate::sbom::json::{Lenient, List, Text};
use crate::sbom::{
    Document, Entry, MAX_NESTING_DEPTH, NOT_PACKAGE_TYPES, SbomError, SbomInputFormat, Subject,
    image_identity, malformed, recorded_warning,
};

/// The most dependency edges followed to place trivy's lockfile packages.
const MAX_GRAPH_STEPS: usize = 20_000_000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Bom {
    metadata: Lenient<Metadata>,
    components: List<Component>,
    dependencies: List<Dependency>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    component: Lenient<Component>,
    properties: List<Property>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Component {
    #[serde(rename = "type")]
    kind: Text,
    #[serde(rename = "bom-ref")]
    bom_ref: Text,
    name: Text,
    group: Text,
    version: Text,
    purl: Text,
    cpe: Text,
    description: Text,
    scope: Text,
    hashes: List<Hash>,
    properties: List<Property>,
    evidence: Lenient<Evidence>,
    components: List<Component>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Hash {
    alg: Text,
    content: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Property {
    name: Text,
    value: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Evidence {
    occurrences: List<Occurrence>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Occurrence {
    location: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: Text,
    #[serde(rename = "dependsOn")]
    depends_on: List<Text>,
}

/// Reads a CycloneDX document whose format and version were already checked.
pub(crate) fn read(
    name: &str,
    bytes: &[u8],
    spec_version: Option<String>,
    max_components: usize,
) -> Result<Document, SbomError> {
    let bom: Bom = serde_json::from_slice(bytes)
        .map_err(|error| malformed(name, SbomInputFormat::CycloneDx, &error))?;
    let count = count(&bom.components);
    if count > max_components {
        return Err(SbomError::TooManyComponents {
            name: name.to_owned(),
            count,
            limit: max_components,
        });
    }
    let mut reader = Reader::default();
    reader.walk(&bom.components, 0);
    reader.place_lockfile_packages(&bom.dependencies);
    let mut warnings = Vec::new();
    if spec_version.is_none() {
        warnings.push(
            "the document does not declare its CycloneDX `specVersion`; it was read as the \
             newest version qm knows"
                .to_owned(),
        );
    }
    let (subject, recorded) = match bom.metadata.0 {
        Some(metadata) => {
            let recorded = metadata
                .properties
                .iter()
                .filter(|property| property.name.get() == Some("qm:warning"))
                .filter_map(|property| property.value.get())
                .map(|text| recorded_warning(name, text))
                .collect();
            (metadata.component.0, recorded)
        }
        None => (None, Vec::new()),
    };
    let target = match &subject {
        Some(component) => {
            let properties = properties(component);
            image_identity(&Subject {
                declared_image: kind(component).as_deref() == Some("container"),
                purl: component.purl.get(),
                version: component.version.get(),
                sha256: component
                    .hashes
                    .iter()
                    .filter(|hash| {
                        hash.alg
                            .get()
                            .is_some_and(|alg| alg.eq_ignore_ascii_case("SHA-256"))
                    })
                    .filter_map(|hash| hash.content.get())
                    .collect(),
                properties: &properties,
            })
        }
        None => Default::default(),
    };
    Ok(Document {
        format: SbomInputFormat::CycloneDx,
        entries: reader.entries,
        distros: reader.distros,
        target,
        malformed: reader
            .malformed
            .saturating_add(bom.dependencies.malformed()),
        too_deep: reader.too_deep,
        warnings,
        recorded,
    })
}

/// Every component, nested ones included, well-formed or not.
fn count(components: &List<Component>) -> usize {
    components
        .iter()
        .map(|component| count(&component.components))
        .fold(components.len(), usize::saturating_add)
}

/// The component's type, lower-cased.
fn kind(component: &Component) -> Option<String> {
    component.kind.get().map(str::to_ascii_lowercase)
}

/// The component's properties with a name.
fn properties(component: &Component) -> Properties {
    Properties(
        component
            .properties
            .iter()
            .filter_map(|property| {
                Some((
                    property.name.get()?.to_owned(),
                    property.value.get().unwrap_or_default().to_owned(),
                ))
            })
            .collect(),
    )
}

/// The walk's state.
#[derive(Default)]
struct Reader {
    entries: Vec<Entry>,
    /// Each entry's `bom-ref`, by index.
    refs: Vec<Option<String>>,
    distros: Vec<DistroClaim>,
    /// trivy's lockfile applications: `bom-ref` → lockfile path.
    lockfiles: Vec<(String, String)>,
    malformed: usize,
    too_deep: usize,
}

impl Reader {
    /// Reads `components` and their children.
    fn walk(&mut self, components: &List<Component>, depth: usize) {
        if depth >= MAX_NESTING_DEPTH {
            self.too_deep = self.too_deep.saturating_add(count(components));
            return;
        }
        self.malformed = self.malformed.saturating_add(components.malformed());
        for component in components.iter() {
            self.read_component(component);
            self.walk(&component.components, depth.saturating_add(1));
        }
    }

    /// Reads one component, without its children.
    fn read_component(&mut self, component: &Component) {
        let kind = kind(component);
        let properties = properties(component);
        if kind.as_deref() == Some("operating-system") {
            self.distros
                .extend(operating_system(component, &properties));
            return;
        }
        let grouping = properties.get("aquasecurity:trivy:Class").is_some();
        let bom_ref = component.bom_ref.get().map(str::to_owned);
        if grouping
            && kind.as_deref() == Some("application")
            && let (Some(reference), Some(path)) = (&bom_ref, component.name.get())
        {
            self.lockfiles.push((reference.clone(), path.to_owned()));
        }
        let locations = component
            .evidence
            .0
            .as_ref()
            .map(|evidence| {
                evidence
                    .occurrences
                    .iter()
                    .filter_map(|occurrence| occurrence.location.get())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let has_cpe = component.cpe.get().is_some() || properties.get("syft:cpe23").is_some();
        self.entries.push(Entry {
            purl: component.purl.get().map(str::to_owned),
            name: component.name.get().map(str::to_owned),
            group: component.group.get().map(str::to_owned),
            version: component.version.get().map(str::to_owned),
            has_cpe,
            countable: !grouping
                && !kind
                    .as_deref()
                    .is_some_and(|kind| NOT_PACKAGE_TYPES.contains(&kind)),
            properties,
            locations,
            built_from: None,
            dev: component
                .scope
                .get()
                .is_some_and(|scope| scope.eq_ignore_ascii_case("excluded")),
        });
        self.refs.push(bom_ref);
    }

    /// Gives packages reached from a trivy lockfile application, and placed nowhere else, the
    /// lockfile's path.
    fn place_lockfile_packages(&mut self, dependencies: &List<Dependency>) {
        let lockfiles = std::mem::take(&mut self.lockfiles);
        if lockfiles.is_empty() {
            return;
        }
        let mut graph: HashMap<&str, Vec<&str>> = HashMap::new();
        for dependency in dependencies.iter() {
            let Some(reference) = dependency.reference.get() else {
                continue;
            };
            graph
                .entry(reference)
                .or_default()
                .extend(dependency.depends_on.iter().filter_map(Text::get));
        }
        let mut placed: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut budget = MAX_GRAPH_STEPS;
        'applications: for (application, path) in &lockfiles {
            let mut seen: HashSet<&str> = HashSet::from([application.as_str()]);
            let mut queue: VecDeque<&str> = VecDeque::from([application.as_str()]);
            while let Some(node) = queue.pop_front() {
                for &next in graph.get(node).map(Vec::as_slice).unwrap_or_default() {
                    let Some(left) = budget.checked_sub(1) else {
                        break 'applications;
                    };
                    budget = left;
                    if seen.insert(next) {
                        placed.entry(next).or_default().push(path.as_str());
                        queue.push_back(next);
                    }
                }
            }
        }
        self.apply_placements(&placed);
    }

    fn apply_placements(&mut self, placed: &HashMap<&str, Vec<&str>>) {
        let updates: Vec<(usize, Vec<String>)> = self
            .refs
            .iter()
            .enumerate()
            .filter_map(|(index, reference)| {
                let paths = placed.get(reference.as_deref()?)?;
                Some((index, paths.iter().map(|path| (*path).to_owned()).collect()))
            })
            .collect();
        for (index, paths) in updates {
            if let Some(entry) = self.entries.get_mut(index)
                && entry.locations.is_empty()
                && crate::sbom::evidence::locations(&entry.properties).is_empty()
            {
                entry.locations = paths;
            }
        }
    }
}

/// The distribution an `operating-system` component names: syft's `syft:distro:*` properties
/// and our `qm:distro:*` ones first, then the component's name and version.
fn operating_system(component: &Component, properties: &Properties) -> Option<DistroClaim> {
    let id = properties
        .get("syft:distro:id")
        .or_else(|| component.name.get())?;
    let mut claim = DistroClaim::new(id, None)?;
    if let Some(version) = properties
        .get("syft:distro:versionID")
        .or_else(|| component.version.get())
    {
        claim.set_version(version);
    }
    if let Some(codename) = properties
        .get("qm:distro:codename")
        .or_else(|| properties.get("syft:distro:versionCodename"))
    {
        claim.set_codename(codename);
    }
    claim.pretty_name = properties
        .get("syft:distro:prettyName")
        .or_else(|| component.description.get())
        .map(str::to_owned);
    let mut id_like: Vec<String> = properties
        .all("qm:distro:id-like")
        .flat_map(str::split_whitespace)
        .map(str::to_owned)
        .collect();
    id_like.extend(
        properties
            .0
            .iter()
            .filter(|(key, value)| key.starts_with("syft:distro:idLike:") && !value.is_empty())
            .map(|(_, value)| value.trim().to_owned()),
    );
    claim.id_like = id_like;
    Some(claim)
}
