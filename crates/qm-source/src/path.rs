//! Member-name normalisation: every path in a view is relative to the root, `/`-separated, with
//! no `.`, empty or `..` components and no leading `/` or `./`.
//!
//! Surprises: `docker save` writes `./`-less names but other tools write `./etc/…` or even
//! `/etc/…`; a name is bytes, not text, in tar; GNU and PAX long names arrive already joined by
//! the `tar` crate. A `..` component is never resolved lexically, because a layer that needs one
//! is hostile: the member is skipped with a warning.

/// A member name that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// Not UTF-8; carries the lossy form for the warning.
    NonUtf8(String),
    /// Contains a `..` component; carries the name.
    Unsafe(String),
}

/// A usable member name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberPath {
    /// The normalised path; empty for the root itself.
    pub(crate) path: String,
    /// Whether the name started with `/`.
    pub(crate) absolute: bool,
}

/// Normalises a raw tar member name.
pub(crate) fn normalise_member(raw: &[u8]) -> Result<MemberPath, PathProblem> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| PathProblem::NonUtf8(String::from_utf8_lossy(raw).into_owned()))?;
    normalise_text(text)
}

/// Normalises a path given as text.
pub(crate) fn normalise_text(text: &str) -> Result<MemberPath, PathProblem> {
    let absolute = text.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for component in text.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err(PathProblem::Unsafe(text.to_owned())),
            other => parts.push(other),
        }
    }
    Ok(MemberPath {
        path: parts.join("/"),
        absolute,
    })
}

/// Strips leading `/` and `./` for a lookup by path.
pub(crate) fn normalise_lookup(path: &str) -> &str {
    let mut rest = path;
    loop {
        if let Some(stripped) = rest.strip_prefix("./") {
            rest = stripped;
        } else if let Some(stripped) = rest.strip_prefix('/') {
            rest = stripped;
        } else {
            return rest;
        }
    }
}

/// The parent directory of a normalised path (`""` for a top-level name).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_normalise() {
        type Case = (&'static [u8], Option<(&'static str, bool)>);
        let cases: &[Case] = &[
            (b"etc/os-release", Some(("etc/os-release", false))),
            (b"./etc/os-release", Some(("etc/os-release", false))),
            (b"/etc//os-release", Some(("etc/os-release", true))),
            (b"./", Some(("", false))),
            (b"var/lib/dpkg/", Some(("var/lib/dpkg", false))),
            (b"../etc/passwd", None),
            (b"a/../../b", None),
            (b"a/\xff", None),
        ];
        for (raw, expected) in cases {
            let got = normalise_member(raw).map(|m| (m.path, m.absolute)).ok();
            let expected = expected.map(|(p, a)| (p.to_owned(), a));
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn lookups_strip_prefixes() {
        for (input, expected) in [
            ("./etc/x", "etc/x"),
            ("/etc/x", "etc/x"),
            ("././/etc/x", "etc/x"),
            ("etc/x", "etc/x"),
        ] {
            assert_eq!(normalise_lookup(input), expected);
        }
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
    }
}
