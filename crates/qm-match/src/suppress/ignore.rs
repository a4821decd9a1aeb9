//! The ignore file ([`super::DEFAULT_IGNORE_FILE`], `.qmignore.toml`): the user's own
//! decisions to stop reporting a vulnerability, each with a reason and, best, an expiry.
//!
//! ```toml
//! [[ignore]]
//! id = "CVE-2023-38545"                  # the finding's id or any alias
//! package = "pkg:deb/debian/curl"        # optional: a purl (matched like a VEX product) or
//!                                        # a name (the package's, or its source package's)
//! reason = "SOCKS5 proxies are never configured"
//! expires = 2026-12-31                   # optional: a TOML date, or a string date/RFC 3339
//! ```
//!
//! Why TOML and `[[ignore]]`: it is what `qm.toml` and cargo-deny's `deny.toml` look like,
//! it has real dates, and every entry gets a line number for messages. Unknown keys are
//! errors, so `expire = …` cannot silently make an entry permanent.
//!
//! Surprise: a date expiry is inclusive. `expires = 2026-12-31` suppresses through
//! 31 December (UTC) and stops at `2027-01-01T00:00:00Z`; a full timestamp
//! (`"2026-12-31T12:00:00Z"`) stops at that instant. A local date-time without an offset is
//! refused: it would mean a different instant on every machine.

use serde::Deserialize;

use super::purl::Purl;
use super::{
    Component, Product, ProductRef, Rule, RuleKind, RuleSource, SuppressError, looks_like_purl,
    vulnerability_id,
};
use qm_model::Timestamp;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: toml::Spanned<String>,
    #[serde(default)]
    package: Option<toml::Spanned<String>>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    expires: Option<toml::Spanned<toml::Value>>,
}

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// Reads the entries of an ignore file.
pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Rule>, SuppressError> {
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        SuppressError::Toml {
            path: file.to_owned(),
            line,
            column,
            message: error.message().trim().to_owned(),
        }
    })?;
    let mut rules = Vec::with_capacity(raw.ignore.len());
    for entry in raw.ignore {
        let (line, _) = line_and_column(text, entry.id.span().start);
        let invalid = |line: usize, reason: String| SuppressError::InvalidIgnore {
            path: file.to_owned(),
            line,
            reason,
        };
        let id_text = entry.id.get_ref().trim().to_owned();
        let Some(id) = vulnerability_id(&id_text) else {
            return Err(invalid(line, "`id` is empty".to_owned()));
        };

        let (product, package) = match &entry.package {
            None => (Product::Everything, None),
            Some(package) => {
                let (package_line, _) = line_and_column(text, package.span().start);
                let written = package.get_ref().trim();
                let product = if written.is_empty() {
                    return Err(invalid(package_line, "`package` is empty".to_owned()));
                } else if looks_like_purl(written) {
                    Purl::parse(written)
                        .map_err(|error| invalid(package_line, error.to_string()))?;
                    Product::Reference(ProductRef {
                        component: Component::new(written, None),
                        subcomponents: Vec::new(),
                    })
                } else {
                    Product::Name(written.to_owned())
                };
                (product, Some(written.to_owned()))
            }
        };

        let expires = match &entry.expires {
            None => None,
            Some(expires) => {
                let (expires_line, _) = line_and_column(text, expires.span().start);
                let written = match expires.get_ref() {
                    toml::Value::Datetime(datetime) => datetime.to_string(),
                    toml::Value::String(text) => text.trim().to_owned(),
                    other => {
                        return Err(invalid(
                            expires_line,
                            format!("`expires` must be a date, not `{other}`"),
                        ));
                    }
                };
                let stops_at = expiry_instant(&written).ok_or_else(|| {
                    invalid(
                        expires_line,
                        format!(
                            "`expires = {written}` is neither a date (`2026-12-31`) nor a \
                             timestamp with an offset (`2026-12-31T12:00:00Z`)"
                        ),
                    )
                })?;
                Some((written, stops_at))
            }
        };

        rules.push(Rule {
            source: RuleSource::Ignore {
                file: file.to_owned(),
                line,
            },
            vulnerability: id_text,
            ids: vec![id],
            products: vec![product],
            kind: RuleKind::Ignore {
                package,
                reason: entry.reason.filter(|reason| !reason.trim().is_empty()),
                expires,
            },
        });
    }
    Ok(rules)
}

/// The instant an entry stops suppressing: the end of a date's day (UTC), or a timestamp.
fn expiry_instant(written: &str) -> Option<Timestamp> {
    let time = written.split(['T', 't', ' ']).nth(1);
    let is_date = time.is_none();
    // A time without `Z` or an offset is a local time: refused.
    if time.is_some_and(|time| !time.contains(['Z', 'z', '+', '-'])) {
        return None;
    }
    let instant: Timestamp = written.parse().ok()?;
    if is_date {
        Timestamp::from_unix_seconds(instant.unix_seconds().checked_add(SECONDS_PER_DAY)?)
    } else {
        Some(instant)
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::{expiry_instant, line_and_column};

    #[test]
    fn dates_expire_at_the_end_of_their_day() {
        assert_eq!(
            expiry_instant("2026-12-31")
                .map(|time| time.to_string())
                .as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            expiry_instant("2026-12-31T12:00:00Z")
                .map(|time| time.to_string())
                .as_deref(),
            Some("2026-12-31T12:00:00Z")
        );
        assert_eq!(
            expiry_instant("2026-12-31T12:00:00+02:00")
                .map(|time| time.to_string())
                .as_deref(),
            Some("2026-12-31T10:00:00Z")
        );
        assert_eq!(expiry_instant("2026-12-31T12:00:00"), None);
        assert_eq!(expiry_instant("next year"), None);
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a\nbc\n\ndé f";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 3), (2, 2));
        assert_eq!(line_and_column(text, 6), (4, 1));
        assert_eq!(line_and_column(text, 9), (4, 3));
        assert_eq!(line_and_column(text, 999), (4, 5));
    }
}
