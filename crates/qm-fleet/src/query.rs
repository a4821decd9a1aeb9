//! What `affected` accepts: a vulnerability id or alias, a package URL, or `name[@version]`.
//!
//! - A vulnerability id (`CVE-2024-3094`, `GHSA-…`, `RUSTSEC-…`) matches a finding's id or any
//!   of its aliases, case-insensitively.
//! - A package URL compares type, namespace, name (case-insensitively) and version; the
//!   qualifiers and subpath are ignored unless given, in which case each given qualifier must
//!   be present with the same value.
//! - `name[@version]` compares the package name or its source package name
//!   (case-insensitively), and the version or source version exactly.
//!
//! The trap: a bare word without `@` could be either an id or a package name. The store tries
//! it as an id first, and as a package name when no stored finding knows that id.

use std::collections::BTreeMap;

use packageurl::PackageUrl;

use crate::FleetError;

/// A parsed `affected` query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AffectedQuery {
    /// A word: a vulnerability id, else a package name.
    Word(String),
    /// A package name and version.
    Package {
        /// The name.
        name: String,
        /// The version.
        version: String,
    },
    /// A package URL.
    Purl(PurlQuery),
}

/// The parts of a package URL a query compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlQuery {
    /// `type/namespace/name`, lower-cased (see [`purl_key`]).
    pub key: String,
    /// The version, if given.
    pub version: Option<String>,
    /// Qualifiers that must match, if given.
    pub qualifiers: BTreeMap<String, String>,
}

impl AffectedQuery {
    /// Reads a query.
    pub fn parse(text: &str) -> Result<AffectedQuery, FleetError> {
        let text = text.trim();
        let invalid = |reason: &str| FleetError::InvalidQuery {
            query: text.to_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(invalid("it is empty"));
        }
        if text.len() > 2048 {
            return Err(invalid("it is longer than 2048 bytes"));
        }
        if text.starts_with("pkg:") {
            let purl: PackageUrl<'_> = text
                .parse()
                .map_err(|error: packageurl::Error| invalid(&error.to_string()))?;
            return Ok(AffectedQuery::Purl(PurlQuery {
                key: key_of(&purl),
                version: purl.version().map(str::to_owned),
                qualifiers: purl
                    .qualifiers()
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_string()))
                    .collect(),
            }));
        }
        // `@scope/name@1.0` (npm) keeps its leading `@`.
        match text.rsplit_once('@').filter(|(name, _)| !name.is_empty()) {
            Some((_, "")) => Err(invalid("the version after `@` is empty")),
            Some((name, version)) => Ok(AffectedQuery::Package {
                name: name.to_owned(),
                version: version.to_owned(),
            }),
            None => Ok(AffectedQuery::Word(text.to_owned())),
        }
    }
}

/// `type/namespace/name` of a package URL, lower-cased, for comparison; `None` when `purl` is
/// not a package URL.
pub fn purl_key(purl: &str) -> Option<(String, Option<String>)> {
    let parsed: PackageUrl<'_> = purl.parse().ok()?;
    Some((key_of(&parsed), parsed.version().map(str::to_owned)))
}

fn key_of(purl: &PackageUrl<'_>) -> String {
    format!(
        "{}/{}/{}",
        purl.ty(),
        purl.namespace().unwrap_or_default(),
        purl.name()
    )
    .to_lowercase()
}

/// The qualifiers of a stored package URL.
pub(crate) fn purl_qualifiers(purl: &str) -> BTreeMap<String, String> {
    purl.parse::<PackageUrl<'_>>()
        .map(|parsed| {
            parsed
                .qualifiers()
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_told_apart() {
        assert_eq!(
            AffectedQuery::parse("CVE-2024-3094").unwrap(),
            AffectedQuery::Word("CVE-2024-3094".into())
        );
        assert_eq!(
            AffectedQuery::parse("openssl@3.0.11-1~deb12u2").unwrap(),
            AffectedQuery::Package {
                name: "openssl".into(),
                version: "3.0.11-1~deb12u2".into()
            }
        );
        assert_eq!(
            AffectedQuery::parse("@babel/core@7.0.0").unwrap(),
            AffectedQuery::Package {
                name: "@babel/core".into(),
                version: "7.0.0".into()
            }
        );
        assert_eq!(
            AffectedQuery::parse("@babel/core").unwrap(),
            AffectedQuery::Word("@babel/core".into())
        );
        let AffectedQuery::Purl(purl) =
            AffectedQuery::parse("pkg:deb/debian/OpenSSL@3.0.11?arch=amd64").unwrap()
        else {
            panic!("not a purl");
        };
        assert_eq!(purl.key, "deb/debian/openssl");
        assert_eq!(purl.version.as_deref(), Some("3.0.11"));
        assert_eq!(
            purl.qualifiers.get("arch").map(String::as_str),
            Some("amd64")
        );
        for bad in ["", "  ", "pkg:", "pkg:deb", "name@"] {
            assert!(AffectedQuery::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn purl_keys_ignore_case_and_qualifiers() {
        assert_eq!(
            purl_key("pkg:pypi/Django@4.2?x=y"),
            Some(("pypi//django".into(), Some("4.2".into())))
        );
        assert_eq!(purl_key("not a purl"), None);
    }
}
