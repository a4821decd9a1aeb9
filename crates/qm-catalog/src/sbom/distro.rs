//! Which distribution an SBOM's OS packages come from.
//!
//! Three kinds of evidence, strongest first:
//! 1. an operating-system entry: a CycloneDX component of type `operating-system`, or an SPDX
//!    package whose purpose is `OPERATING-SYSTEM` (trivy's SPDX 2.2 output has no purpose; its
//!    `SPDXRef-OperatingSystem-…` identifier says the same);
//! 2. the `distro` qualifier of each OS package's purl;
//! 3. the purl namespace alone (`pkg:deb/debian/…`), which names the distribution but no release.
//!
//! The spellings differ by writer, and everything is brought to `os-release` terms (`ID`,
//! `VERSION_ID`) so an SBOM and a scan of the same image give the same [`Distro`]:
//! - syft names the OS component by `ID` and `VERSION_ID` (`debian` `12`) with
//!   `syft:distro:*` properties, and writes `distro=debian-12`, `distro=alpine-3.18.4`,
//!   `distro=rhel-9.3`, `distro=sles-15.3`, `distro=mariner-2.0`;
//! - trivy names it by its own OS family (`redhat`, `alma`, `amazon`, `oracle`, `cbl-mariner`,
//!   `suse linux enterprise server`, `opensuse-leap`, `none` when it found none) and the version it
//!   read (`10.2` from `/etc/debian_version`, `7.6.1810`, `22.04.2`), writes the family as purl
//!   namespace, and `distro=debian-10.2`, `distro=opensuse-leap-15.1`, `distro=amazon-2 (Karoo)`,
//!   and for Alpine the bare version (`distro=3.18.4`);
//! - the purl spec's own example is a bare code name (`distro=jessie`).
//!
//! Versions are then cut the way each distribution's `VERSION_ID` is: Debian and CentOS keep
//! the major version (`10.2` → `10`, `7.6.1810` → `7`), Ubuntu `YY.MM` (`22.04.2` → `22.04`),
//! Amazon the release number (`2 (Karoo)` → `2`); Debian and Ubuntu code names give their
//! version.
//!
//! When the evidence disagrees, the operating-system entry wins over the qualifiers and, among
//! several claims of one kind, the majority wins (ties: the first seen); either way the inventory
//! gets a warning naming the claims.

use qm_model::{Distro, Ecosystem, normalize_release};

/// The package formats that belong to a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OsFamily {
    /// `pkg:deb`.
    Deb,
    /// `pkg:apk`.
    Apk,
    /// `pkg:rpm`.
    Rpm,
}

impl OsFamily {
    /// The family of a purl type, if it is an OS package format.
    pub(crate) fn of_purl_type(purl_type: &str) -> Option<OsFamily> {
        match purl_type {
            "deb" => Some(OsFamily::Deb),
            "apk" => Some(OsFamily::Apk),
            "rpm" => Some(OsFamily::Rpm),
            _ => None,
        }
    }

    /// The ecosystem when nothing names the distribution.
    fn default_ecosystem(self) -> Ecosystem {
        match self {
            OsFamily::Deb => Ecosystem::Debian,
            OsFamily::Apk => Ecosystem::Alpine,
            OsFamily::Rpm => Ecosystem::Rpm,
        }
    }
}

/// Other names writers use for a distribution, and the `os-release` `ID` they stand for.
const ID_ALIASES: &[(&str, &str)] = &[
    ("redhat", "rhel"),
    ("red hat", "rhel"),
    ("red hat enterprise linux", "rhel"),
    ("alma", "almalinux"),
    ("amazon", "amzn"),
    ("amazon linux", "amzn"),
    ("oracle", "ol"),
    ("oracle linux", "ol"),
    ("cbl-mariner", "mariner"),
    ("azure linux", "azurelinux"),
    ("suse linux enterprise server", "sles"),
    ("suse linux enterprise micro", "sle-micro"),
    ("slem", "sle-micro"),
    ("opensuse.leap", "opensuse-leap"),
    ("opensuse.tumbleweed", "opensuse-tumbleweed"),
    ("photon os", "photon"),
    ("rocky linux", "rocky"),
];

/// Names that say "no distribution".
const NO_DISTRIBUTION: &[&str] = &["none", "unknown", "noassertion", "linux"];

/// Ubuntu's code names and versions (Debian's are in `normalize_release`).
const UBUNTU_CODENAMES: &[(&str, &str)] = &[
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("cosmic", "18.10"),
    ("disco", "19.04"),
    ("eoan", "19.10"),
    ("focal", "20.04"),
    ("groovy", "20.10"),
    ("hirsute", "21.04"),
    ("impish", "21.10"),
    ("jammy", "22.04"),
    ("kinetic", "22.10"),
    ("lunar", "23.04"),
    ("mantic", "23.10"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
];

/// The `os-release` `ID` a writer's distribution name stands for; `None` for names that say
/// there is none (`none`, trivy's placeholder) or for an empty name.
pub(crate) fn canonical_id(name: &str) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase();
    if lower.is_empty() || NO_DISTRIBUTION.contains(&lower.as_str()) {
        return None;
    }
    let id = ID_ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, id)| id);
    Some(id.replace(' ', "-"))
}

/// A version cut the way the distribution's own `VERSION_ID` is; `None` when nothing is left.
pub(crate) fn normalise_version(id: &str, version: &str) -> Option<String> {
    let version = version.trim();
    // `2 (Karoo)`, `AMI release 2018.03`: the first word that starts with a digit.
    let version = version
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .or_else(|| version.split_whitespace().next())?;
    let version = match id {
        "alpine" => version.strip_prefix('v').unwrap_or(version),
        _ => version,
    };
    let cut = match id {
        "debian" | "centos" => major(version),
        "ubuntu" => major_minor(version),
        _ => version,
    };
    (!cut.is_empty()).then(|| cut.to_owned())
}

/// `10.2` → `10`; text that does not start with a number is kept.
fn major(version: &str) -> &str {
    match version.split_once('.') {
        Some((major, _)) if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) => major,
        _ => version,
    }
}

/// `22.04.2` → `22.04`.
fn major_minor(version: &str) -> &str {
    let mut dots = version.match_indices('.').map(|(index, _)| index);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => version.get(..second).unwrap_or(version),
        _ => version,
    }
}

/// One claim about the distribution, in `os-release` terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DistroClaim {
    /// `ID`.
    pub(crate) id: String,
    /// `VERSION_ID`, normalised.
    pub(crate) version_id: Option<String>,
    /// `VERSION_CODENAME`.
    pub(crate) codename: Option<String>,
    /// `PRETTY_NAME`.
    pub(crate) pretty_name: Option<String>,
    /// `ID_LIKE`.
    pub(crate) id_like: Vec<String>,
}

impl DistroClaim {
    /// A claim from a name (any writer's spelling) and an optional version or code name.
    pub(crate) fn new(name: &str, version: Option<&str>) -> Option<DistroClaim> {
        let id = canonical_id(name)?;
        let mut claim = DistroClaim {
            id,
            version_id: None,
            codename: None,
            pretty_name: None,
            id_like: Vec::new(),
        };
        if let Some(version) = version {
            claim.set_version(version);
        }
        Some(claim)
    }

    /// Sets the version, or the code name when `version` is one.
    pub(crate) fn set_version(&mut self, version: &str) {
        let version = version.trim();
        if version.is_empty() {
            return;
        }
        if version.starts_with(|c: char| c.is_ascii_digit())
            || (self.id == "alpine" && version.starts_with('v'))
            || version.contains(char::is_whitespace)
        {
            self.version_id = normalise_version(&self.id, version);
        } else {
            self.set_codename(version);
        }
    }

    /// Sets the code name, and the version it stands for when known.
    pub(crate) fn set_codename(&mut self, codename: &str) {
        let codename = codename.trim().to_ascii_lowercase();
        if codename.is_empty() {
            return;
        }
        if self.version_id.is_none() {
            self.version_id = codename_version(&self.id, &codename);
        }
        self.codename = Some(codename);
    }

    /// How the claim reads in a warning: `debian 12`, `alpine`.
    fn label(&self) -> String {
        match (&self.version_id, &self.codename) {
            (Some(version), _) => format!("{} {version}", self.id),
            (None, Some(codename)) => format!("{} {codename}", self.id),
            (None, None) => self.id.clone(),
        }
    }

    /// Whether two claims can describe the same release: same `ID`, and the same version
    /// wherever both name one.
    fn agrees_with(&self, other: &DistroClaim) -> bool {
        self.id == other.id
            && match (&self.version_id, &other.version_id) {
                (Some(mine), Some(theirs)) => mine == theirs,
                _ => true,
            }
    }

    /// Whether the claim names a release, not just a distribution.
    fn has_release(&self) -> bool {
        self.version_id.is_some() || self.codename.is_some()
    }

    /// Fills what this claim lacks from one that agrees with it.
    fn fill_from(&mut self, other: &DistroClaim) {
        if self.version_id.is_none() {
            self.version_id.clone_from(&other.version_id);
        }
        if self.codename.is_none() {
            self.codename.clone_from(&other.codename);
        }
        if self.pretty_name.is_none() {
            self.pretty_name.clone_from(&other.pretty_name);
        }
        if self.id_like.is_empty() {
            self.id_like.clone_from(&other.id_like);
        }
    }

    fn into_distro(self) -> Distro {
        Distro {
            id: self.id,
            version_id: self.version_id,
            codename: self.codename,
            pretty_name: self.pretty_name,
            id_like: self.id_like,
        }
    }
}

/// The version a Debian or Ubuntu code name stands for.
fn codename_version(id: &str, codename: &str) -> Option<String> {
    match id {
        "debian" => {
            let number = normalize_release(&Ecosystem::Debian, codename);
            (number != codename).then_some(number)
        }
        "ubuntu" => UBUNTU_CODENAMES
            .iter()
            .find(|(name, _)| *name == codename)
            .map(|(_, version)| (*version).to_owned()),
        _ => None,
    }
}

/// The distribution a bare code name belongs to.
fn codename_owner(codename: &str) -> Option<&'static str> {
    if codename_version("debian", codename).is_some() {
        Some("debian")
    } else if codename_version("ubuntu", codename).is_some() {
        Some("ubuntu")
    } else {
        None
    }
}

/// Reads a purl `distro` qualifier. `namespace` is the purl namespace, which names the
/// distribution when the qualifier holds only a version (trivy's `distro=3.18.4` for Alpine).
pub(crate) fn parse_distro_qualifier(value: &str, namespace: Option<&str>) -> Option<DistroClaim> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        return DistroClaim::new(namespace?, Some(value));
    }
    // `debian-12`, `opensuse-leap-15.1`, `cbl-mariner-2.0`: split before the first number.
    let numbered = value.match_indices('-').find_map(|(index, _)| {
        let rest = value.get(index.saturating_add(1)..)?;
        rest.starts_with(|c: char| c.is_ascii_digit())
            .then(|| (value.get(..index).unwrap_or_default(), rest))
    });
    if let Some((name, version)) = numbered {
        return DistroClaim::new(name, Some(version));
    }
    let lower = value.to_ascii_lowercase();
    if let Some(owner) = codename_owner(&lower) {
        return DistroClaim::new(owner, Some(&lower));
    }
    // `debian-bookworm`, `amazon-AMI release 2018.03`.
    if let Some((name, rest)) = value.split_once('-')
        && canonical_id(name).is_some()
    {
        return DistroClaim::new(name, Some(rest));
    }
    DistroClaim::new(value, None)
}

/// The ecosystem an OS package belongs to when `id` (an `os-release` `ID`, or its `ID_LIKE`
/// list) names its distribution; `None` when `id` is not one we know for this package format.
/// The mapping agrees with the catalog's own (`catalog.rs`, `os_identity`).
pub(crate) fn os_ecosystem(family: OsFamily, id: &str) -> Option<Ecosystem> {
    let ecosystem = match family {
        OsFamily::Deb => match id {
            "debian" => Ecosystem::Debian,
            "ubuntu" => Ecosystem::Ubuntu,
            _ => return None,
        },
        OsFamily::Apk => match id {
            "alpine" => Ecosystem::Alpine,
            "wolfi" => Ecosystem::Wolfi,
            "chainguard" => Ecosystem::Chainguard,
            _ => return None,
        },
        OsFamily::Rpm => match id {
            "rhel" | "centos" => Ecosystem::RedHat,
            "rocky" => Ecosystem::RockyLinux,
            "almalinux" => Ecosystem::AlmaLinux,
            "sles" | "sled" | "sle-micro" | "sl-micro" | "suse" => Ecosystem::Suse,
            "azurelinux" | "mariner" => Ecosystem::AzureLinux,
            "photon" => Ecosystem::PhotonOs,
            "fedora" | "amzn" | "ol" => Ecosystem::Rpm,
            _ if id.starts_with("opensuse") => Ecosystem::OpenSuse,
            _ => return None,
        },
    };
    Some(ecosystem)
}

/// The ecosystem of an OS package: from its purl namespace when that names a distribution we
/// know, else from the inventory's distribution (its `ID`, then `ID_LIKE`), else the format's
/// default (Debian, Alpine, RPM).
pub(crate) fn package_ecosystem(
    family: OsFamily,
    namespace: Option<&str>,
    distro: Option<&Distro>,
) -> Ecosystem {
    let from_namespace = namespace
        .and_then(canonical_id)
        .and_then(|id| os_ecosystem(family, &id));
    let from_distro = || {
        let distro = distro?;
        std::iter::once(&distro.id)
            .chain(&distro.id_like)
            .find_map(|id| os_ecosystem(family, id))
    };
    from_namespace
        .or_else(from_distro)
        .unwrap_or_else(|| family.default_ecosystem())
}

/// The claims gathered from one SBOM.
#[derive(Debug, Default)]
pub(crate) struct DistroEvidence {
    /// From operating-system entries.
    pub(crate) entries: Vec<DistroClaim>,
    /// From the `distro` qualifiers (or, failing those, the namespaces) of OS packages.
    pub(crate) packages: Vec<DistroClaim>,
}

impl DistroEvidence {
    /// Decides the distribution, adding a warning for every disagreement.
    pub(crate) fn resolve(self, warnings: &mut Vec<String>) -> Option<Distro> {
        // The packages' own disagreement is reported only when no entry settles it.
        let mut package_warnings = Vec::new();
        let by_packages = majority(&self.packages, "OS packages", &mut package_warnings);
        let Some(mut chosen) = majority(&self.entries, "operating-system entries", warnings) else {
            warnings.append(&mut package_warnings);
            return by_packages.map(DistroClaim::into_distro);
        };
        let disagreeing: Vec<&DistroClaim> = self
            .packages
            .iter()
            .filter(|claim| !chosen.agrees_with(claim))
            .collect();
        if !disagreeing.is_empty() {
            warnings.push(format!(
                "the SBOM's operating-system entry says `{}` but {} of its OS packages say {}; \
                 using `{}`",
                chosen.label(),
                disagreeing.len(),
                tally(disagreeing.iter().copied()),
                chosen.label()
            ));
        }
        if let Some(by_packages) = by_packages
            && chosen.agrees_with(&by_packages)
        {
            chosen.fill_from(&by_packages);
        }
        Some(chosen.into_distro())
    }
}

/// The claim most of `claims` make (those naming a release outrank those naming only a
/// distribution; ties go to the first seen), with a warning when they disagree.
fn majority(claims: &[DistroClaim], what: &str, warnings: &mut Vec<String>) -> Option<DistroClaim> {
    let with_release: Vec<&DistroClaim> = claims.iter().filter(|c| c.has_release()).collect();
    let pool: Vec<&DistroClaim> = if with_release.is_empty() {
        claims.iter().collect()
    } else {
        with_release
    };
    let counts = count_labels(pool.iter().copied());
    let (winner_label, _) =
        counts
            .iter()
            .fold(None::<&(String, usize)>, |best, entry| match best {
                Some(best) if best.1 >= entry.1 => Some(best),
                _ => Some(entry),
            })?;
    let mut winner = pool
        .iter()
        .find(|claim| claim.label() == *winner_label)
        .map(|claim| (*claim).clone())?;
    if counts.len() > 1 {
        warnings.push(format!(
            "the SBOM's {what} name different distributions: {}; using `{}`",
            tally(pool.iter().copied()),
            winner.label()
        ));
    }
    // Claims that agree add what the winner lacks (a code name, a pretty name).
    for claim in claims {
        if claim.agrees_with(&winner) {
            winner.fill_from(claim);
        }
    }
    Some(winner)
}

/// Each distinct label with its count, in order of first appearance.
fn count_labels<'a>(claims: impl Iterator<Item = &'a DistroClaim>) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for claim in claims {
        let label = claim.label();
        match counts.iter_mut().find(|(known, _)| *known == label) {
            Some((_, count)) => *count = count.saturating_add(1),
            None => counts.push((label, 1)),
        }
    }
    counts
}

/// `` `debian 12` (10), `debian 11` (2) ``.
fn tally<'a>(claims: impl Iterator<Item = &'a DistroClaim>) -> String {
    count_labels(claims)
        .iter()
        .map(|(label, count)| format!("`{label}` ({count})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(
        value: &str,
        namespace: Option<&str>,
    ) -> Option<(String, Option<String>, Option<String>)> {
        parse_distro_qualifier(value, namespace)
            .map(|claim| (claim.id, claim.version_id, claim.codename))
    }

    #[test]
    fn distro_qualifiers_in_every_writers_spelling() {
        let some = |id: &str, version: Option<&str>, codename: Option<&str>| {
            Some((
                id.to_owned(),
                version.map(str::to_owned),
                codename.map(str::to_owned),
            ))
        };
        let cases = [
            ("debian-12", None, some("debian", Some("12"), None)),
            ("debian-10.2", None, some("debian", Some("10"), None)),
            ("alpine-3.18.4", None, some("alpine", Some("3.18.4"), None)),
            (
                "3.18.4",
                Some("alpine"),
                some("alpine", Some("3.18.4"), None),
            ),
            ("3.18.4", None, None),
            ("rhel-9.3", None, some("rhel", Some("9.3"), None)),
            ("redhat-7.7", None, some("rhel", Some("7.7"), None)),
            ("centos-7.6.1810", None, some("centos", Some("7"), None)),
            (
                "opensuse-leap-15.1",
                None,
                some("opensuse-leap", Some("15.1"), None),
            ),
            ("cbl-mariner-2.0", None, some("mariner", Some("2.0"), None)),
            ("amazon-2 (Karoo)", None, some("amzn", Some("2"), None)),
            (
                "amazon-AMI release 2018.03",
                None,
                some("amzn", Some("2018.03"), None),
            ),
            ("ubuntu-22.04", None, some("ubuntu", Some("22.04"), None)),
            (
                "bookworm",
                None,
                some("debian", Some("12"), Some("bookworm")),
            ),
            (
                "jammy",
                Some("ubuntu"),
                some("ubuntu", Some("22.04"), Some("jammy")),
            ),
            (
                "debian-bookworm",
                None,
                some("debian", Some("12"), Some("bookworm")),
            ),
            ("wolfi", None, some("wolfi", None, None)),
            ("none", None, None),
            ("", None, None),
        ];
        for (value, namespace, expected) in cases {
            assert_eq!(claim(value, namespace), expected, "{value}");
        }
    }

    #[test]
    fn trivy_family_names_become_os_release_ids() {
        let cases = [
            ("suse linux enterprise server", Some("sles")),
            ("alma", Some("almalinux")),
            ("oracle", Some("ol")),
            ("Ubuntu", Some("ubuntu")),
            ("none", None),
            ("  ", None),
        ];
        for (name, expected) in cases {
            assert_eq!(canonical_id(name).as_deref(), expected, "{name}");
        }
        let ubuntu = DistroClaim::new("ubuntu", Some("22.04.2")).unwrap();
        assert_eq!(ubuntu.version_id.as_deref(), Some("22.04"));
    }

    #[test]
    fn namespace_outranks_distro_and_unknown_ids_fall_back() {
        let ubuntu = Distro {
            id: "pop".into(),
            version_id: Some("22.04".into()),
            codename: None,
            pretty_name: None,
            id_like: vec!["ubuntu".into(), "debian".into()],
        };
        let cases = [
            (
                OsFamily::Deb,
                Some("debian"),
                Some(&ubuntu),
                Ecosystem::Debian,
            ),
            (OsFamily::Deb, Some("pop"), Some(&ubuntu), Ecosystem::Ubuntu),
            (OsFamily::Deb, None, None, Ecosystem::Debian),
            (OsFamily::Rpm, Some("alma"), None, Ecosystem::AlmaLinux),
            (
                OsFamily::Rpm,
                Some("cbl-mariner"),
                None,
                Ecosystem::AzureLinux,
            ),
            (OsFamily::Rpm, Some("opensuse"), None, Ecosystem::OpenSuse),
            (OsFamily::Rpm, Some("fedora"), None, Ecosystem::Rpm),
            (OsFamily::Rpm, Some("redhat"), None, Ecosystem::RedHat),
            (OsFamily::Apk, Some("wolfi"), None, Ecosystem::Wolfi),
            (OsFamily::Apk, Some("openwrt"), None, Ecosystem::Alpine),
        ];
        for (family, namespace, distro, expected) in cases {
            assert_eq!(
                package_ecosystem(family, namespace, distro),
                expected,
                "{family:?} {namespace:?}"
            );
        }
    }

    #[test]
    fn entries_win_and_disagreement_is_reported() {
        let debian = |version: &str| DistroClaim::new("debian", Some(version)).unwrap();
        let mut warnings = Vec::new();
        let evidence = DistroEvidence {
            entries: vec![debian("12")],
            packages: vec![debian("12"), debian("11"), debian("12")],
        };
        let distro = evidence.resolve(&mut warnings).unwrap();
        assert_eq!(distro.version_id.as_deref(), Some("12"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("`debian 11` (1)"), "{warnings:?}");

        let mut warnings = Vec::new();
        let evidence = DistroEvidence {
            entries: Vec::new(),
            packages: vec![
                DistroClaim::new("debian", None).unwrap(),
                debian("11"),
                debian("12"),
                debian("12"),
            ],
        };
        let distro = evidence.resolve(&mut warnings).unwrap();
        assert_eq!(distro.version_id.as_deref(), Some("12"));
        assert_eq!(warnings.len(), 1);

        let mut warnings = Vec::new();
        let evidence = DistroEvidence {
            entries: vec![DistroClaim::new("alpine", None).unwrap()],
            packages: vec![DistroClaim::new("alpine", Some("3.18.4")).unwrap()],
        };
        let distro = evidence.resolve(&mut warnings).unwrap();
        assert_eq!(distro.version_id.as_deref(), Some("3.18.4"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
