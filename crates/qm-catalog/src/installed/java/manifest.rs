//! The two text formats inside a Java archive: `META-INF/MANIFEST.MF` and `pom.properties`.
//!
//! The manifest (JAR File Specification, "Manifest Specification") is a list of sections
//! separated by blank lines; the first is the *main* section, the rest are per-entry sections
//! that start with `Name:`. Each line is `Key: value`; a line starting with one space
//! continues the previous value (lines wrap at 72 bytes, so values are split mid-word and the
//! pieces are joined without a separator). Real manifests break the rules in small ways
//! (junk lines, several blank lines in a row, CR line ends), and such lines are skipped.
//!
//! Signed jars list every class file with its digest in per-entry sections, so a manifest can
//! be megabytes. [`trim_manifest`] keeps only the attributes that identify a package, which
//! is what the reduced form stores and what both parse paths read, so they agree.
//!
//! `pom.properties` is a Java properties file that Maven writes with three keys: `groupId`,
//! `artifactId` and `version`. Comments start with `#` or `!`; the separator is the first
//! `=` or `:` (or whitespace); escapes are not decoded (Maven coordinates hold none).

/// The attributes that say what an archive is; all others are dropped by [`trim_manifest`].
const IDENTIFYING_ATTRIBUTES: &[&str] = &[
    "Automatic-Module-Name",
    "Bundle-Name",
    "Bundle-SymbolicName",
    "Bundle-Version",
    "Extension-Name",
    "Group-Id",
    "Implementation-Title",
    "Implementation-Vendor-Id",
    "Implementation-Version",
    "Plugin-Version",
    "Short-Name",
    "Specification-Title",
    "Specification-Version",
    "Weave-Classes",
];

/// A parsed manifest: the main section, then the per-entry sections.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Manifest {
    sections: Vec<Vec<(String, String)>>,
}

impl Manifest {
    /// Parses a manifest; never fails, lines that are not attributes are skipped.
    pub(super) fn parse(bytes: &[u8]) -> Manifest {
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut sections: Vec<Vec<(String, String)>> = Vec::new();
        let mut current: Vec<(String, String)> = Vec::new();
        // Whether the last line was an attribute a continuation may extend.
        let mut continuable = false;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                // The first section is the main one even when it is empty; later blank
                // lines in a row separate nothing.
                if !current.is_empty() || sections.is_empty() {
                    sections.push(std::mem::take(&mut current));
                }
                continuable = false;
                continue;
            }
            if let Some(continuation) = line.strip_prefix(' ') {
                if let (true, Some((_, value))) = (continuable, current.last_mut()) {
                    value.push_str(continuation);
                }
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continuable = false;
                continue;
            };
            let key = key.trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                continuable = false;
                continue;
            }
            let value = value.strip_prefix(' ').unwrap_or(value);
            current.push((key.to_owned(), value.to_owned()));
            continuable = true;
        }
        if !current.is_empty() {
            sections.push(current);
        }
        Manifest { sections }
    }

    /// An attribute of the main section (case-insensitive name), trimmed, `None` when absent
    /// or empty.
    pub(super) fn main(&self, key: &str) -> Option<&str> {
        self.sections
            .first()
            .and_then(|section| lookup(section, key))
    }

    /// An attribute of the main section, else of the first per-entry section that has it:
    /// some builds put `Implementation-*` under a package's section instead (syft's
    /// `opensaml-core` fixture).
    pub(super) fn any(&self, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .find_map(|section| lookup(section, key))
    }

    /// Writes the manifest back in manifest syntax, one line per attribute (no wrapping).
    fn write(&self) -> String {
        let mut text = String::new();
        for (index, section) in self.sections.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            for (key, value) in section {
                text.push_str(key);
                text.push_str(": ");
                text.push_str(value);
                text.push('\n');
            }
        }
        text
    }
}

/// The trimmed value of `key` in one section.
fn lookup<'a>(section: &'a [(String, String)], key: &str) -> Option<&'a str> {
    section
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The manifest with only the attributes that identify a package, in manifest syntax. The
/// main section always stays (possibly empty) so per-entry sections are never promoted to it.
pub(super) fn trim_manifest(bytes: &[u8]) -> Vec<u8> {
    let manifest = Manifest::parse(bytes);
    let mut sections = Vec::new();
    for (index, section) in manifest.sections.into_iter().enumerate() {
        let kept: Vec<(String, String)> = section
            .into_iter()
            .filter(|(key, _)| {
                IDENTIFYING_ATTRIBUTES
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(key))
            })
            .collect();
        if index == 0 || !kept.is_empty() {
            sections.push(kept);
        }
    }
    // An empty main section is written as nothing, and the blank line before the next
    // section keeps that one from becoming the main section when read back.
    Manifest { sections }.write().into_bytes()
}

/// The `key=value` pairs of a properties file, in order.
pub(super) fn parse_properties(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', '!']) {
            continue;
        }
        let separator = line
            .find(['=', ':'])
            .or_else(|| line.find(char::is_whitespace));
        let (key, value) = match separator {
            Some(at) => (
                line.get(..at).unwrap_or_default(),
                line.get(at.saturating_add(1)..).unwrap_or_default(),
            ),
            None => (line, ""),
        };
        pairs.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_join_without_a_separator() {
        let manifest = Manifest::parse(
            b"Manifest-Version: 1.0\r\nPlugin-ScmUrl: https://github.com/jenkinsci/plugin-pom/example-jenkins\r\n -plugin\r\n\r\n",
        );
        assert_eq!(
            manifest.main("plugin-scmurl"),
            Some("https://github.com/jenkinsci/plugin-pom/example-jenkins-plugin")
        );
    }

    #[test]
    fn main_section_comes_first_and_sections_are_searched_after_it() {
        let text = b"Manifest-Version: 1.0\nCreated-By: x\n\n\nName: org/a/\nImplementation-Version: 3.4.6\n\n.\n\nName: b\nImplementation-Version: 9\n";
        let manifest = Manifest::parse(text);
        assert_eq!(manifest.main("Implementation-Version"), None);
        assert_eq!(manifest.any("Implementation-Version"), Some("3.4.6"));
        assert_eq!(manifest.main("Created-By"), Some("x"));
    }

    #[test]
    fn an_empty_main_section_stays_main() {
        let manifest = Manifest::parse(b"\nName: x\nImplementation-Version: 1\n");
        assert_eq!(manifest.main("Name"), None);
        assert_eq!(manifest.any("Implementation-Version"), Some("1"));
        let trimmed = Manifest::parse(&trim_manifest(b"\nName: x\nImplementation-Version: 1\n"));
        assert_eq!(trimmed.main("Implementation-Version"), None);
        assert_eq!(trimmed.any("Implementation-Version"), Some("1"));
    }

    #[test]
    fn trimming_keeps_identifying_attributes_only() {
        let text = b"Manifest-Version: 1.0\nImplementation-Title: a\nImport-Package: x,y\n\nName: C.class\nSHA-256-Digest: abc\n\nName: pkg/\nImplementation-Version: 2\n";
        let trimmed = trim_manifest(text);
        assert_eq!(
            String::from_utf8(trimmed.clone()).unwrap(),
            "Implementation-Title: a\n\nImplementation-Version: 2\n"
        );
        let manifest = Manifest::parse(&trimmed);
        assert_eq!(manifest.main("Implementation-Title"), Some("a"));
        assert_eq!(manifest.main("Implementation-Version"), None);
        assert_eq!(manifest.any("Implementation-Version"), Some("2"));
        // Trimming is idempotent.
        assert_eq!(trim_manifest(&trimmed), trimmed);
    }

    #[test]
    fn junk_lines_are_skipped() {
        let manifest = Manifest::parse(
            b"Key-keykeykey: initialconfig:com\ncontinue line1,$\n    $    # aka not empty line\nshould: parse",
        );
        assert_eq!(manifest.main("Key-keykeykey"), Some("initialconfig:com"));
        assert_eq!(manifest.main("should"), Some("parse"));
    }

    #[test]
    fn properties_split_at_the_first_separator() {
        let pairs = parse_properties(
            b"#Created by Apache Maven 3.6.3\n! comment\nversion=3.4.6\ngroupId = org.opensaml\nartifactId:opensaml-core\nlonely\nurl=http://x\n",
        );
        assert_eq!(
            pairs,
            [
                ("version", "3.4.6"),
                ("groupId", "org.opensaml"),
                ("artifactId", "opensaml-core"),
                ("lonely", ""),
                ("url", "http://x"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }
}
