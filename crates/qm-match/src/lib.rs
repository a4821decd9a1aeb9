//! The matcher: an [`Inventory`](qm_model::Inventory) against a
//! [`VulnDb`](qm_vulndb::VulnDb), into [`Finding`]s.
//!
//! This is where a scanner is right or wrong: a missed vulnerability and a false alarm both
//! cost trust. So the rules are few and strict, and what cannot be judged is said, never
//! silently reported as "nothing found":
//!
//! 1. **Distribution packages** (Debian, Ubuntu, Alpine, Wolfi, Chainguard, the RPM family)
//!    are judged only by their own distribution's data for the release the inventory runs, by
//!    *source package* and source version (`libssl3` is judged as `openssl`), never by
//!    upstream ranges: distributions backport fixes without changing upstream versions. An
//!    explicit "not affected" verdict of the distribution produces nothing; an open issue
//!    (`unfixed`, `no-dsa`, `postponed`, `ignored`, `end-of-life`, `unimportant`,
//!    `undetermined`) produces a finding without a fix, its status saying why.
//! 2. **Language packages** are judged by OSV ranges of their ecosystem, by normalised name,
//!    with the ecosystem's version scheme (`qm-version`); `GIT` ranges are not applicable.
//! 3. **One finding per vulnerability and package**: advisories sharing an id or alias fold
//!    into one finding that keeps every id, offers the nearest version that clears all of
//!    them, and takes the best severity available. An announcement naming several CVEs (a
//!    DSA) joins each CVE's finding instead of merging them. See `fold.rs` for the details.
//! 4. Withdrawn advisories never match; informational ones (RustSec `unmaintained`) only when
//!    [`MatchOptions::include_informational`] asks.
//! 5. **Gaps are notes** ([`MatchNote`]): a release the database has no data for ("no
//!    vulnerability data for Debian 13 in this database"), a release past its end of life, an
//!    ecosystem without data, a version that does not parse, an SBOM without source packages.
//!
//! This crate must not compare version strings itself (that is `qm-version`), nor read feeds
//! or package databases (that is `qm-vulndb` and `qm-catalog`), nor render reports
//! (`qm-report`). To match many inventories against one database, build a [`Matcher`] once:
//! it learns which ecosystems and releases the database covers on first use.
//!
//! ```no_run
//! # fn demo(inventory: &qm_model::Inventory) -> Result<(), Box<dyn std::error::Error>> {
//! let db = qm_vulndb::VulnDb::open(std::path::Path::new("qm.db"))?;
//! let report = qm_match::match_inventory(inventory, &db, &qm_match::MatchOptions::default())?;
//! for finding in &report.findings {
//!     let _ = (&finding.id, &finding.package.name, &finding.fixed_version);
//! }
//! for note in &report.notes {
//!     let _ = &note.message; // "no vulnerability data for Debian 13 in this database: …"
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The trap: zero findings is not "safe" unless the notes are empty too. A Debian 13 image
//! matched against a database without Debian 13 data has no findings and one note, and a
//! report must show that note.
//!
//! Errors: only a database that cannot be read ([`MatchError`]); a corrupt record stops the
//! match rather than being skipped, since skipping it would under-report.

#![warn(missing_docs)]

mod error;
mod fold;
mod matcher;
mod report;
mod suppress;
mod target;
#[cfg(test)]
mod tests;

pub use error::MatchError;
pub use matcher::{MatchOptions, Matcher, match_inventory};
pub use report::{
    Finding, FindingPackage, FindingSeverity, FixState, MatchKind, MatchNote, MatchReport, NoteKind,
};
pub use suppress::{
    Acknowledged, DEFAULT_IGNORE_FILE, ExpiredRule, MAX_DOCUMENT_BYTES, QualifierDifference,
    RuleSource, SuppressError, SuppressOutcome, Suppressed, SuppressedBy, Suppressions,
    UnmatchReason, UnmatchedRule, VexStatus, VexVerdict,
};
