//! `qm version …` pinned by running the real binary: exit code, stdout and stderr.

#![expect(clippy::unwrap_used, reason = "broken test setup must fail loudly")]

use assert_cmd::Command;

/// Runs `qm` with `args` and `stdin`, and renders everything a user sees for a snapshot.
fn run(args: &[&str], stdin: &str) -> String {
    let output = Command::cargo_bin("qm")
        .unwrap()
        .env_clear()
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output
            .status
            .code()
            .map_or("signal".into(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )
    .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

macro_rules! qm_snapshot {
    ($name:literal, $args:expr) => {
        qm_snapshot!($name, $args, "")
    };
    ($name:literal, $args:expr, $stdin:expr) => {
        insta::assert_snapshot!($name, run(&$args, $stdin))
    };
}

#[test]
fn version_and_help() {
    qm_snapshot!("qm_version", ["--version"]);
    qm_snapshot!("qm_help", ["--help"]);
    qm_snapshot!("qm_version_compare_help", ["version", "compare", "--help"]);
}

#[test]
fn compare_prints_the_ordering() {
    qm_snapshot!(
        "compare_debian_tilde",
        ["version", "compare", "Debian", "2.2~rc-4", "2.2-1"]
    );
    qm_snapshot!(
        "compare_pypi_equal",
        ["version", "compare", "pypi", "1.0-RC1", "1.0rc1"]
    );
    qm_snapshot!(
        "compare_rpm_epoch",
        ["version", "compare", "Red Hat", "1:1.0-1.el9", "2.0-1.el9"]
    );
    qm_snapshot!(
        "compare_go_prefix",
        ["version", "compare", "go", "v1.2.3", "1.2.3"]
    );
    // Versions that begin with a hyphen are versions, not options.
    qm_snapshot!(
        "compare_hyphen_version",
        ["version", "compare", "debian", "-1", "1"]
    );
}

#[test]
fn compare_reports_bad_input_with_exit_codes() {
    qm_snapshot!(
        "compare_invalid_version",
        ["version", "compare", "PyPI", "french toast", "1.0"]
    );
    qm_snapshot!(
        "compare_unknown_ecosystem",
        ["version", "compare", "pipy", "1", "2"]
    );
    qm_snapshot!(
        "compare_missing_version",
        ["version", "compare", "npm", "1.0.0"]
    );
}

#[test]
fn compare_reads_pairs_from_stdin() {
    qm_snapshot!(
        "compare_stdin_pairs",
        ["version", "compare", "debian", "-"],
        "1.0\t1.0-0\n1:0.1\t9.9\n1.0~rc1\t1.0\r\nno tab here\n1.0\t1 0\n"
    );
    qm_snapshot!(
        "compare_stdin_all_valid",
        ["version", "compare", "crates.io", "-"],
        "1.0.0\t1.0.1\n0.10.0\t0.9.0\n"
    );
}

#[test]
fn sort_orders_stdin() {
    qm_snapshot!(
        "sort_debian",
        ["version", "sort", "debian"],
        "1.10-1\n1.9-1\n1.0~rc1-1\n\n1.0-1\n1:0.5-1\n"
    );
    qm_snapshot!(
        "sort_pypi_reverse_unique",
        ["version", "sort", "pypi", "--reverse", "--unique"],
        "1.0\n1.0.0\n1.0.post1\n1.0rc1\n1.0.dev1\n"
    );
    qm_snapshot!(
        "sort_invalid_line",
        ["version", "sort", "semver"],
        "1.0.0\nbanana\n2.0.0\n"
    );
}
