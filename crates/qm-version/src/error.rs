//! The one error a version parser returns.

use std::borrow::Cow;

use crate::Scheme;

/// A version string that does not follow its scheme's grammar.
///
/// It names the scheme, the offending text and why it was refused, so a user can see at once
/// which of their inputs is wrong: `` `1.0+a+` is not a valid PEP 440 version: … ``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {scheme} version: {reason}")]
pub struct VersionError {
    scheme: Scheme,
    input: Box<str>,
    reason: Cow<'static, str>,
}

impl VersionError {
    /// Builds the error for `input`, refused by `scheme` for `reason` (lower case, no period).
    pub(crate) fn new(scheme: Scheme, input: &str, reason: impl Into<Cow<'static, str>>) -> Self {
        VersionError {
            scheme,
            input: input.into(),
            reason: reason.into(),
        }
    }

    /// The scheme that refused the version.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The text that was refused.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why it was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
