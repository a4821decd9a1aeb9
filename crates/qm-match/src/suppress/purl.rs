//! Package URLs read and normalised the way the [purl specification] says, so that a VEX
//! product or an ignore entry names the same package whatever spelling its author chose.
//!
//! [`Purl::parse`] splits a purl into decoded components and applies the per-type rules of
//! the specification's type definitions: the type is always lower-cased; namespaces and
//! names are lower-cased only for types whose definition says they are case-insensitive
//! (`deb`, `apk`, `pypi`, `composer`, `github`, …, but not `npm`, `golang`, `maven`,
//! `nuget`, `cargo`); a `pypi` name has `_` replaced with `-`; versions are lower-cased for
//! `pypi`, `oci`, `huggingface` and `vscode-extension`; qualifier keys are lower-cased,
//! qualifiers with empty values dropped, and the rest kept sorted; subpath segments `.` and
//! `..` are dropped. [`Purl`]'s `Display` writes the canonical form: only `A-Z a-z 0-9 . - _ ~`
//! and `:` stay unencoded, everything else is percent-encoded with upper-case hex.
//!
//! Surprises:
//! - Parsing is lenient where the specification's own "recommended" vectors are
//!   (`pkg:Rpm/…?Arch=i386` reads as `pkg:rpm/…?arch=i386`, `pkg:///maven/…` as
//!   `pkg:maven/…`); [`Strictness::Strict`] is what the specification's "must fail" vectors
//!   need (upper-case qualifier keys, a namespace a type prohibits or requires, the few
//!   type-specific checks listed in [`Purl::check_type_rules`]). Matching uses the lenient
//!   reading: a VEX product `pkg:golang/stdlib@1.22.1` (no namespace, which the `golang`
//!   definition requires) is what real tools write, and refusing it would only hide it.
//! - An unencoded `@` in an npm scope (`pkg:npm/@babel/core`) is read as part of the
//!   namespace when no `@version` follows, since a version never contains an unencoded `/`.
//! - For comparison, [`Purl::same_package`] goes one step past the canonical form for
//!   `pypi`: runs of `-`, `_` and `.` are one separator, as PEP 503 says, although the purl
//!   specification only folds `_`.
//!
//! [purl specification]: https://github.com/package-url/purl-spec

use std::collections::BTreeMap;
use std::fmt;

/// A package URL, decoded and normalised per its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    /// The type, lower-case (`deb`, `npm`).
    pub(crate) ty: String,
    /// The namespace segments joined by `/`, decoded.
    pub(crate) namespace: Option<String>,
    /// The name, decoded.
    pub(crate) name: String,
    /// The version, decoded.
    pub(crate) version: Option<String>,
    /// The qualifiers with non-empty values, keys lower-case, values decoded.
    pub(crate) qualifiers: BTreeMap<String, String>,
    /// The subpath segments joined by `/`, decoded, without `.`, `..` or empty segments.
    pub(crate) subpath: Option<String>,
}

/// How strictly [`Purl::parse_with`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Accept what can be normalised (upper-case qualifier keys, a namespace the type's
    /// definition prohibits or requires).
    Lenient,
    /// Also reject what the specification calls invalid input.
    Strict,
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{purl}` is not a valid package URL: {reason}")]
pub(crate) struct PurlError {
    /// The text as given.
    pub(crate) purl: String,
    /// What is wrong with it.
    pub(crate) reason: String,
}

impl PurlError {
    fn new(purl: &str, reason: impl Into<String>) -> PurlError {
        PurlError {
            purl: purl.to_owned(),
            reason: reason.into(),
        }
    }
}

/// What a type's definition says about a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requirement {
    Required,
    Optional,
    Prohibited,
}

/// The rules of one purl type that change how its purls are compared or validated, from
/// `types/<type>-definition.json` of the specification (checked by the tests against those
/// files).
#[derive(Debug, Clone, Copy)]
struct TypeRules {
    namespace: Requirement,
    namespace_case_insensitive: bool,
    name_case_insensitive: bool,
    version_case_insensitive: bool,
}

const fn rules(
    namespace: Requirement,
    namespace_case_insensitive: bool,
    name_case_insensitive: bool,
    version_case_insensitive: bool,
) -> TypeRules {
    TypeRules {
        namespace,
        namespace_case_insensitive,
        name_case_insensitive,
        version_case_insensitive,
    }
}

/// Types without a definition in the specification: namespace optional, everything
/// case-sensitive.
const DEFAULT_RULES: TypeRules = rules(Requirement::Optional, false, false, false);

/// The rules of the types the specification defines.
fn type_rules(ty: &str) -> TypeRules {
    use Requirement::{Optional, Prohibited, Required};
    match ty {
        "alpm" => rules(Required, true, true, false),
        "apk" => rules(Required, true, true, false),
        "bazel" => rules(Prohibited, false, false, false),
        "bitbucket" => rules(Required, true, true, false),
        "bitnami" => rules(Prohibited, false, true, false),
        "brew" => rules(Optional, true, true, false),
        "cargo" => rules(Prohibited, false, false, false),
        "chrome-extension" => rules(Prohibited, false, true, false),
        "cocoapods" => rules(Prohibited, false, false, false),
        "composer" => rules(Required, true, true, false),
        "conan" => rules(Optional, false, false, false),
        "conda" => rules(Prohibited, false, false, false),
        "cpan" => rules(Optional, false, false, false),
        "cran" => rules(Prohibited, false, false, false),
        "deb" => rules(Required, true, true, false),
        "docker" => rules(Optional, false, false, false),
        "gem" => rules(Prohibited, false, false, false),
        "generic" => rules(Optional, false, false, false),
        "git" => rules(Required, false, false, false),
        "github" => rules(Required, true, true, false),
        "golang" => rules(Required, false, false, false),
        "hackage" => rules(Prohibited, false, false, false),
        "hex" => rules(Optional, true, true, false),
        "huggingface" => rules(Required, false, false, true),
        "julia" => rules(Prohibited, false, false, false),
        "luarocks" => rules(Optional, true, true, false),
        "maven" => rules(Required, false, false, false),
        "mlflow" => rules(Prohibited, false, false, false),
        "npm" => rules(Optional, false, false, false),
        "nuget" => rules(Prohibited, false, false, false),
        "oci" => rules(Prohibited, false, true, true),
        "opam" => rules(Prohibited, false, false, false),
        "otp" => rules(Prohibited, false, true, false),
        "pub" => rules(Prohibited, false, true, false),
        "pypi" => rules(Prohibited, false, true, true),
        "qpkg" => rules(Required, true, false, false),
        "rpm" => rules(Required, true, false, false),
        "swid" => rules(Optional, false, false, false),
        "swift" => rules(Required, false, false, false),
        "vcpkg" => rules(Prohibited, false, false, false),
        "vscode-extension" => rules(Required, true, true, true),
        "yocto" => rules(Optional, true, false, false),
        _ => DEFAULT_RULES,
    }
}

/// The types [`type_rules`] knows, for the test that compares them with the definitions.
#[cfg(test)]
pub(crate) const DEFINED_TYPES: &[&str] = &[
    "alpm",
    "apk",
    "bazel",
    "bitbucket",
    "bitnami",
    "brew",
    "cargo",
    "chrome-extension",
    "cocoapods",
    "composer",
    "conan",
    "conda",
    "cpan",
    "cran",
    "deb",
    "docker",
    "gem",
    "generic",
    "git",
    "github",
    "golang",
    "hackage",
    "hex",
    "huggingface",
    "julia",
    "luarocks",
    "maven",
    "mlflow",
    "npm",
    "nuget",
    "oci",
    "opam",
    "otp",
    "pub",
    "pypi",
    "qpkg",
    "rpm",
    "swid",
    "swift",
    "vcpkg",
    "vscode-extension",
    "yocto",
];

/// What a type's definition says, for the test that compares [`type_rules`] with the files:
/// (namespace requirement, namespace case-insensitive, name case-insensitive, version
/// case-insensitive).
#[cfg(test)]
pub(crate) fn described_rules(ty: &str) -> (&'static str, bool, bool, bool) {
    let rules = type_rules(ty);
    let requirement = match rules.namespace {
        Requirement::Required => "required",
        Requirement::Optional => "optional",
        Requirement::Prohibited => "prohibited",
    };
    (
        requirement,
        rules.namespace_case_insensitive,
        rules.name_case_insensitive,
        rules.version_case_insensitive,
    )
}

impl Purl {
    /// Reads a purl leniently (see the module doc).
    pub(crate) fn parse(text: &str) -> Result<Purl, PurlError> {
        Purl::parse_with(text, Strictness::Lenient)
    }

    /// Reads a purl, following the specification's parsing steps: subpath from the right at
    /// `#`, qualifiers from the right at `?`, scheme from the left at `:`, type, version from
    /// the right at `@`, name from the right at `/`, and what is left is the namespace.
    pub(crate) fn parse_with(text: &str, strictness: Strictness) -> Result<Purl, PurlError> {
        let original = text;
        let text = text.trim();
        let (text, subpath) = match text.rsplit_once('#') {
            Some((rest, subpath)) => (rest, Some(subpath)),
            None => (text, None),
        };
        let (text, qualifiers) = match text.rsplit_once('?') {
            Some((rest, qualifiers)) => (rest, Some(qualifiers)),
            None => (text, None),
        };
        let Some((scheme, rest)) = text.split_once(':') else {
            return Err(PurlError::new(original, "no `pkg:` scheme"));
        };
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(PurlError::new(
                original,
                format!("the scheme is `{scheme}`, not `pkg`"),
            ));
        }
        // `pkg:/maven/…` and `pkg:///maven/…` are `pkg:maven/…` (the scheme is not followed by
        // an authority).
        let rest = rest.trim_start_matches('/');
        let Some((ty, rest)) = rest.split_once('/') else {
            return Err(PurlError::new(original, "no name"));
        };
        let ty = ty.to_ascii_lowercase();
        check_type(original, &ty)?;

        let (rest, version) = match rest.rsplit_once('@') {
            // A version never holds an unencoded `/`, so `@babel/core` is a scope.
            Some((rest, version)) if !version.contains('/') => (rest, Some(version)),
            _ => (rest, None),
        };
        let version = match version {
            Some(version) if !version.is_empty() => Some(decode(original, version)?),
            _ => None,
        };
        // Leading slashes only: a trailing one leaves an empty name
        // (`pkg:swift/github.com/Alamofire/@5.4.3` is invalid).
        let rest = rest.trim_start_matches('/');
        let (namespace, name) = match rest.rsplit_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, rest),
        };
        let name = decode(original, name)?;
        let namespace = match namespace {
            Some(namespace) => {
                let mut segments = Vec::new();
                for segment in namespace.split('/').filter(|segment| !segment.is_empty()) {
                    segments.push(decode(original, segment)?);
                }
                (!segments.is_empty()).then(|| segments.join("/"))
            }
            None => None,
        };

        let mut parsed_qualifiers = BTreeMap::new();
        for pair in qualifiers
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
        {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(PurlError::new(
                    original,
                    format!("qualifier `{pair}` has no `=`"),
                ));
            };
            let key = key.to_ascii_lowercase();
            check_qualifier_key(original, &key)?;
            let value = decode(original, value)?;
            if value.is_empty() {
                continue;
            }
            if parsed_qualifiers.insert(key.clone(), value).is_some() {
                return Err(PurlError::new(
                    original,
                    format!("qualifier `{key}` appears twice"),
                ));
            }
        }

        let subpath = match subpath {
            Some(subpath) => normalise_subpath(original, subpath.split('/'), true)?,
            None => None,
        };
        Purl::assemble(
            original,
            ty,
            namespace,
            name,
            version,
            parsed_qualifiers,
            subpath,
            strictness,
        )
    }

    /// Builds a purl from decoded components, as the specification's "build" vectors do; the
    /// same normalisation and checks as [`Purl::parse_with`] in strict mode.
    #[cfg(test)]
    pub(crate) fn from_components(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: &BTreeMap<String, String>,
        subpath: Option<&str>,
    ) -> Result<Purl, PurlError> {
        let shown = format!("pkg:{ty}/{name}");
        let lower_type = ty.to_ascii_lowercase();
        check_type(&shown, &lower_type)?;
        let namespace = namespace.and_then(|namespace| {
            let segments: Vec<&str> = namespace
                .split('/')
                .filter(|segment| !segment.is_empty())
                .collect();
            (!segments.is_empty()).then(|| segments.join("/"))
        });
        let mut kept = BTreeMap::new();
        for (key, value) in qualifiers {
            check_qualifier_key(&shown, key)?;
            if !value.is_empty() {
                kept.insert(key.to_ascii_lowercase(), value.clone());
            }
        }
        let subpath = match subpath {
            Some(subpath) => normalise_subpath(&shown, subpath.split('/'), false)?,
            None => None,
        };
        Purl::assemble(
            &shown,
            lower_type,
            namespace,
            name.to_owned(),
            version
                .filter(|version| !version.is_empty())
                .map(str::to_owned),
            kept,
            subpath,
            Strictness::Strict,
        )
    }

    /// Applies the type's normalisation and checks to decoded components.
    #[expect(
        clippy::too_many_arguments,
        reason = "the six purl components and context"
    )]
    fn assemble(
        original: &str,
        ty: String,
        namespace: Option<String>,
        name: String,
        version: Option<String>,
        qualifiers: BTreeMap<String, String>,
        subpath: Option<String>,
        strictness: Strictness,
    ) -> Result<Purl, PurlError> {
        if name.is_empty() {
            return Err(PurlError::new(original, "no name"));
        }
        let rules = type_rules(&ty);
        // A `git` namespace is the host alone; the rest of the path is the name
        // (`pkg:git/codeberg.org/forgejo/forgejo`: `codeberg.org`, `forgejo/forgejo`).
        let (namespace, name) = match (ty.as_str(), namespace) {
            ("git", Some(namespace)) => match namespace.split_once('/') {
                Some((host, path)) => (Some(host.to_owned()), format!("{path}/{name}")),
                None => (Some(namespace), name),
            },
            (_, namespace) => (namespace, name),
        };
        let namespace = namespace.map(|namespace| {
            if rules.namespace_case_insensitive {
                namespace.to_lowercase()
            } else {
                namespace
            }
        });
        let mut name = if rules.name_case_insensitive {
            name.to_lowercase()
        } else {
            name
        };
        match ty.as_str() {
            "pypi" => name = name.replace('_', "-"),
            // MLflow models on Databricks have case-insensitive names; elsewhere they do not.
            "mlflow"
                if qualifiers
                    .get("repository_url")
                    .is_some_and(|url| url.to_ascii_lowercase().contains("databricks")) =>
            {
                name = name.to_lowercase();
            }
            _ => {}
        }
        let version = version.map(|version| {
            if rules.version_case_insensitive {
                version.to_lowercase()
            } else {
                version
            }
        });
        let purl = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        };
        if strictness == Strictness::Strict {
            purl.check_type_rules()
                .map_err(|reason| PurlError::new(original, reason))?;
        }
        Ok(purl)
    }

    /// The checks the specification's vectors expect beyond the syntax: a namespace the
    /// type requires or prohibits, and the few type-specific rules the vectors exercise
    /// (`cpan` names are distributions, not modules with `::`; `julia` needs a `uuid`;
    /// `chrome-extension` ids are 32 letters `a`-`p` and versions up to four numbers).
    pub(crate) fn check_type_rules(&self) -> Result<(), String> {
        let rules = type_rules(&self.ty);
        match (rules.namespace, &self.namespace) {
            (Requirement::Required, None) => {
                return Err(format!("a `{}` purl needs a namespace", self.ty));
            }
            (Requirement::Prohibited, Some(namespace)) => {
                return Err(format!(
                    "a `{}` purl has no namespace, but `{namespace}` is given",
                    self.ty
                ));
            }
            _ => {}
        }
        match self.ty.as_str() {
            "cpan" if self.name.contains("::") => Err(format!(
                "`{}` is a Perl module, not a distribution",
                self.name
            )),
            "julia" if !self.qualifiers.contains_key("uuid") => {
                Err("a `julia` purl needs a `uuid` qualifier".to_owned())
            }
            "chrome-extension" => {
                let id_ok = self.name.len() == 32
                    && self.name.bytes().all(|byte| (b'a'..=b'p').contains(&byte));
                if !id_ok {
                    return Err(format!("`{}` is not a Chrome extension id", self.name));
                }
                if let Some(version) = &self.version {
                    let parts: Vec<&str> = version.split('.').collect();
                    let version_ok = parts.len() <= 4
                        && parts.iter().all(|part| {
                            !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit())
                        });
                    if !version_ok {
                        return Err(format!("`{version}` is not a Chrome extension version"));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Whether `self` and `other` name the same package, whatever their versions and
    /// qualifiers: type, namespace and name equal after normalisation.
    pub(crate) fn same_package(&self, other: &Purl) -> bool {
        self.package_key() == other.package_key()
    }

    /// What [`Purl::same_package`] compares: type, namespace and the comparison form of the
    /// name.
    pub(crate) fn package_key(&self) -> (String, Option<String>, String) {
        let name = if self.ty == "pypi" {
            pep503(&self.name)
        } else {
            self.name.clone()
        };
        (self.ty.clone(), self.namespace.clone(), name)
    }

    /// Whether `self` (the general purl, from a VEX statement or an ignore entry) covers
    /// `specific` (a package's purl): the same package; the same version when `self` names
    /// one; every qualifier of `self` present in `specific` with the same value (`specific`
    /// may have more); the same subpath when `self` names one.
    pub(crate) fn covers(&self, specific: &Purl) -> bool {
        self.same_package(specific)
            && self.version_matches(specific)
            && self.qualifier_differences(specific).is_empty()
            && self
                .subpath
                .as_ref()
                .is_none_or(|subpath| specific.subpath.as_ref() == Some(subpath))
    }

    /// Whether the versions agree: `self` names none, or the same one.
    pub(crate) fn version_matches(&self, specific: &Purl) -> bool {
        match &self.version {
            None => true,
            Some(version) => specific.version.as_ref() == Some(version),
        }
    }

    /// The qualifiers of `self` that `specific` lacks or spells differently, as (key, value
    /// in `self`, value in `specific`).
    pub(crate) fn qualifier_differences(
        &self,
        specific: &Purl,
    ) -> Vec<(String, String, Option<String>)> {
        self.qualifiers
            .iter()
            .filter_map(|(key, value)| {
                let theirs = specific.qualifiers.get(key);
                match theirs {
                    Some(theirs) if qualifier_values_equal(key, value, theirs) => None,
                    _ => Some((key.clone(), value.clone(), theirs.cloned())),
                }
            })
            .collect()
    }
}

/// Compares two values of qualifier `key`. Checksums are hex digests, listed with commas in
/// any order (`checksum=sha1:ad9…,sha256:51…`), so they compare as sets, ignoring case.
fn qualifier_values_equal(key: &str, left: &str, right: &str) -> bool {
    if key == "checksum" || key == "checksums" {
        let set = |text: &str| -> std::collections::BTreeSet<String> {
            text.split(',')
                .map(|part| part.trim().to_ascii_lowercase())
                .filter(|part| !part.is_empty())
                .collect()
        };
        return set(left) == set(right);
    }
    left == right
}

/// A PyPI name in PEP 503 form: lower-case, runs of `-`, `_`, `.` as one `-`.
fn pep503(name: &str) -> String {
    let mut normal = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !normal.is_empty() {
            normal.push('-');
        }
        separator = false;
        normal.extend(c.to_lowercase());
    }
    normal
}

/// A type is ASCII letters, digits, `.` and `-`, and does not start with a digit.
fn check_type(original: &str, ty: &str) -> Result<(), PurlError> {
    let mut chars = ty.chars();
    let Some(first) = chars.next() else {
        return Err(PurlError::new(original, "no type"));
    };
    if first.is_ascii_digit() {
        return Err(PurlError::new(
            original,
            format!("the type `{ty}` starts with a digit"),
        ));
    }
    if !ty
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(PurlError::new(
            original,
            format!("the type `{ty}` has a character other than letters, digits, `.` and `-`"),
        ));
    }
    Ok(())
}

/// A qualifier key is ASCII letters, digits, `.`, `-` and `_`, and does not start with a
/// digit.
fn check_qualifier_key(original: &str, key: &str) -> Result<(), PurlError> {
    let valid = key
        .chars()
        .next()
        .is_some_and(|first| !first.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(PurlError::new(
            original,
            format!("`{key}` is not a valid qualifier key"),
        ))
    }
}

/// Joins subpath segments without empty, `.` and `..` segments; `None` when nothing is left.
/// As the specification orders it, `.` and `..` are recognised before decoding, so an
/// encoded `%2E%2E` stays a segment when parsing (and is dropped when written).
fn normalise_subpath<'a>(
    original: &str,
    segments: impl Iterator<Item = &'a str>,
    encoded: bool,
) -> Result<Option<String>, PurlError> {
    let mut kept = Vec::new();
    for segment in segments {
        if segment.is_empty() || segment == "." || segment == ".." {
            continue;
        }
        kept.push(if encoded {
            decode(original, segment)?
        } else {
            segment.to_owned()
        });
    }
    Ok((!kept.is_empty()).then(|| kept.join("/")))
}

/// Percent-decodes `text` (a CycloneDX BOM-link fragment); `None` when it is not valid
/// percent-encoded UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    decode(text, text).ok()
}

/// Percent-decodes `text`; the bytes must be UTF-8.
fn decode(original: &str, text: &str) -> Result<String, PurlError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while let Some(&byte) = bytes.get(position) {
        if byte == b'%' {
            let high = bytes.get(position + 1).and_then(|digit| hex_value(*digit));
            let low = bytes.get(position + 2).and_then(|digit| hex_value(*digit));
            let (Some(high), Some(low)) = (high, low) else {
                return Err(PurlError::new(
                    original,
                    format!("`{text}` has a `%` not followed by two hex digits"),
                ));
            };
            decoded.push(high * 16 + low);
            position += 3;
        } else {
            decoded.push(byte);
            position += 1;
        }
    }
    String::from_utf8(decoded)
        .map_err(|_| PurlError::new(original, format!("`{text}` does not decode to UTF-8 text")))
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Writes `text` percent-encoded: everything but `A-Z a-z 0-9 . - _ ~ :` is encoded.
fn write_encoded(out: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~' | b':') {
            write!(out, "{}", char::from(byte))?;
        } else {
            let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            let low = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
            write!(out, "%{}{}", char::from(high), char::from(low))?;
        }
    }
    Ok(())
}

impl fmt::Display for Purl {
    /// The canonical form.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "pkg:{}/", self.ty)?;
        if let Some(namespace) = &self.namespace {
            for segment in namespace.split('/') {
                write_encoded(out, segment)?;
                out.write_str("/")?;
            }
        }
        if self.ty == "git" {
            // A `git` name is the repository path on the host, slashes and all.
            for (index, segment) in self.name.split('/').enumerate() {
                if index > 0 {
                    out.write_str("/")?;
                }
                write_encoded(out, segment)?;
            }
        } else {
            write_encoded(out, &self.name)?;
        }
        if let Some(version) = &self.version {
            out.write_str("@")?;
            write_encoded(out, version)?;
        }
        let mut separator = '?';
        for (key, value) in &self.qualifiers {
            write!(out, "{separator}{key}=")?;
            write_encoded(out, value)?;
            separator = '&';
        }
        if let Some(subpath) = &self.subpath {
            let mut separator = "#";
            for segment in subpath
                .split('/')
                .filter(|segment| !segment.is_empty() && *segment != "." && *segment != "..")
            {
                out.write_str(separator)?;
                write_encoded(out, segment)?;
                separator = "/";
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
