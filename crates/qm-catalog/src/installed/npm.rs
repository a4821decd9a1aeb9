//! Which `package.json` files are installed npm packages.
//!
//! The manifest itself is read by [`crate::parse_package_json`] (name and version; private
//! manifests and ones without both are skipped), which already suits installed packages. What
//! is left is the path: a `package.json` is an installed package's when it sits directly in a
//! package directory under `node_modules/`, at any depth of nesting:
//!
//! - `node_modules/<name>/package.json`, `node_modules/@scope/<name>/package.json`;
//! - nested installs, `node_modules/a/node_modules/@s/b/package.json`;
//! - pnpm's virtual store, `node_modules/.pnpm/<id>/node_modules/<name>/package.json` and its
//!   hoisted `node_modules/.pnpm/node_modules/<name>/package.json`;
//! - anything before the first `node_modules` (an app directory, `usr/lib` for global
//!   installs, yarn's `.yarn/unplugged/<id>/`).
//!
//! Surprises:
//! - A `package.json` deeper inside a package (`node_modules/a/dist/esm/package.json`, often
//!   just `{"type": "module"}`) is not the package's manifest and is not claimed.
//! - Packages ship their own test fixtures, sometimes with a fake `node_modules` inside
//!   (`node_modules/a/test/fixtures/node_modules/b/package.json`). Between two
//!   `node_modules` there must be exactly one package directory (or a scope and a name), so
//!   those are not claimed: they are not installed.
//! - Directory names starting with `.` are not packages (`node_modules/.bin`,
//!   `node_modules/.cache`), except pnpm's `.pnpm` store, which is walked through.

/// npm's folder of installed packages.
const NODE_MODULES: &str = "node_modules";

/// pnpm's virtual store inside `node_modules/`.
const PNPM_STORE: &str = ".pnpm";

/// Whether the normalised `path` is the `package.json` of an installed npm package.
pub fn claims_npm_installed(path: &str) -> bool {
    let Some(directory) = path.strip_suffix("package.json") else {
        return false;
    };
    let Some(directory) = directory.strip_suffix('/') else {
        return false;
    };
    let components: Vec<&str> = directory.split('/').collect();
    let Some(first) = components.iter().position(|c| *c == NODE_MODULES) else {
        return false;
    };
    let mut rest = components
        .get(first.saturating_add(1)..)
        .unwrap_or_default();
    loop {
        let taken = match rest {
            [store, id, after, ..] if *store == PNPM_STORE && *after == NODE_MODULES => {
                if !is_package_directory(id) {
                    return false;
                }
                2
            }
            [store, after, ..] if *store == PNPM_STORE && *after == NODE_MODULES => 1,
            [scope, name, ..] if scope.starts_with('@') => {
                if scope.len() < 2 || !is_package_directory(name) {
                    return false;
                }
                2
            }
            [name, ..] if is_package_directory(name) && !name.starts_with('@') => 1,
            _ => return false,
        };
        rest = rest.get(taken..).unwrap_or_default();
        match rest {
            [] => return true,
            [modules, remaining @ ..] if *modules == NODE_MODULES => rest = remaining,
            _ => return false,
        }
    }
}

/// A directory name that can be a package's: not empty, not hidden, not `node_modules`.
fn is_package_directory(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && name != NODE_MODULES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_manifests_are_claimed() {
        let cases = [
            ("node_modules/lodash/package.json", true),
            ("app/node_modules/@types/node/package.json", true),
            (
                "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json",
                true,
            ),
            ("node_modules/a/node_modules/b/package.json", true),
            (
                "repo/pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json",
                true,
            ),
            (
                "node_modules/.pnpm/@babel+core@7.0.0/node_modules/@babel/core/package.json",
                true,
            ),
            ("node_modules/.pnpm/node_modules/debug/package.json", true),
            (
                ".yarn/unplugged/esbuild-npm-0.1.0-abc/node_modules/esbuild/package.json",
                true,
            ),
            // Not installed packages.
            ("package.json", false),
            ("app/package.json", false),
            ("node_modules/package.json", false),
            ("node_modules/@scope/package.json", false),
            ("node_modules/@/x/package.json", false),
            ("node_modules/a/dist/esm/package.json", false),
            (
                "node_modules/a/test/fixtures/node_modules/b/package.json",
                false,
            ),
            ("node_modules/.bin/package.json", false),
            ("node_modules/.pnpm/package.json", false),
            ("node_modules/.pnpm/lodash@4.17.4/package.json", false),
            ("node_modules/a/node_modules/package.json", false),
            ("node_modules/a/mypackage.json", false),
            ("node_modules/a/package.json.bak", false),
            ("node_modules//package.json", false),
        ];
        for (path, expected) in cases {
            assert_eq!(claims_npm_installed(path), expected, "{path}");
        }
    }
}
