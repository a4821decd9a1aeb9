#!/usr/bin/env bash
# Writes seed inputs for the fuzz targets into fuzz/corpus/<target>/ from the shared test data:
# the upstream version vectors (vectors/versions/) and OSV advisories (rustsec, golang).
#
#   fuzz/seed_corpus.sh            # data from ${QM_SHARED_DATA:-<repo>/../shared/data}
#
# The data is read where it lies and never copied into the repository: fuzz/corpus/ is
# git-ignored. Each version string becomes a seed of its own; each compared pair of a vectors
# file becomes one more seed `a NUL b` (the targets cut inputs at NUL). fuzz_osv_ranges seeds are
# one byte picking the scheme (see that target) followed by an advisory's `affected[0]` object.
# Seeds are named by the SHA-1 of their content, as libFuzzer names what it adds, so running
# the script again adds nothing twice. Needs python3.
set -euo pipefail

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$fuzz_dir")"
data_dir="${QM_SHARED_DATA:-$repo_dir/../shared/data}"
if [[ ! -d "$data_dir/vectors/versions" ]]; then
    echo "error: no version vectors at \`$data_dir/vectors/versions\`" >&2
    echo "hint: set QM_SHARED_DATA to the shared data directory" >&2
    exit 2
fi

exec python3 - "$data_dir" "$fuzz_dir/corpus" <<'PYTHON'
import hashlib
import json
import pathlib
import sys

data_dir = pathlib.Path(sys.argv[1])
corpus_dir = pathlib.Path(sys.argv[2])
versions_dir = data_dir / "vectors" / "versions"

# Which vectors seed which target. Schemes without vectors of their own (NuGet, Composer) start
# from SemVer's, which are close to their grammars; the generic scheme takes every file.
SEMVER_FILES = ["semver-spec-precedence.tsv", "semver-node-semver.tsv", "semver-node-semver-ranges.tsv"]
TARGET_FILES = {
    "fuzz_dpkg": ["dpkg-Dpkg_Version.tsv", "dpkg-apt-compareversion.tsv", "apt-versions.lst.historical"],
    "fuzz_rpm": ["rpm-rpmvercmp.tsv"],
    "fuzz_apk": ["apk-version.tsv", "apk-tools-version.data"],
    "fuzz_pep440": ["pep440-packaging.tsv", "pep440-packaging-sorted.txt", "pep440-packaging-invalid.txt"],
    "fuzz_semver": SEMVER_FILES,
    "fuzz_npm": SEMVER_FILES,
    # Its rows are `range<TAB>version`: the pair seeds are exactly fuzz_npm_range's input.
    "fuzz_npm_range": ["semver-node-semver-ranges.tsv"],
    "fuzz_maven": ["maven-comparableversion.tsv"],
    "fuzz_rubygems": ["rubygems-version.tsv"],
    "fuzz_nuget": SEMVER_FILES,
    "fuzz_composer": SEMVER_FILES,
}
TARGET_FILES["fuzz_generic"] = sorted({name for names in TARGET_FILES.values() for name in names})
# The pair seeds of a file with thousands of rows (pep440's all-pairs expansion) add little
# beyond the first few hundred.
MAX_PAIRS_PER_FILE = 300
APK_OPERATORS = {"<", ">", "=", "~", "<~", ">~", "!~", "!"}


def decode(field):
    # semver-node-semver-ranges.tsv writes a TAB inside a field as the two characters `\t`.
    return field.replace("\\t", "\t")


def rows(path):
    """The (a, b) pairs and lone strings of one vectors file, in its own format."""
    pairs, singles = [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".tsv":
        body = [line for line in lines if not line.startswith("#")]
        for line in body[1:]:  # the first line names the columns
            fields = [decode(field) for field in line.split("\t")]
            if len(fields) >= 2:
                pairs.append((fields[0], fields[1]))
    elif path.name == "apk-tools-version.data":
        for line in lines:
            words = line.split("#", 1)[0].split()
            if len(words) == 3 and words[1] in APK_OPERATORS:
                pairs.append((words[0], words[2]))
            elif len(words) == 1:
                singles.append(words[0].removeprefix("!"))  # `!v`: apk must refuse `v`
    elif path.name == "apt-versions.lst.historical":
        for line in lines:
            words = line.split()
            if len(words) == 3 and not line.startswith("#"):
                pairs.append((words[0], words[1]))
    else:  # one version a line
        singles.extend(line for line in lines if line and not line.startswith("#"))
    return pairs, singles


def write_seed(target, content):
    directory = corpus_dir / target
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(content).hexdigest()
    if path.exists():
        return 0
    path.write_bytes(content)
    return 1


written = {}
for target, names in TARGET_FILES.items():
    count = 0
    for name in names:
        path = versions_dir / name
        if not path.is_file():
            print(f"warning: `{path}` is missing; skipped", file=sys.stderr)
            continue
        pairs, singles = rows(path)
        strings = singles + [text for pair in pairs for text in pair]
        for text in strings:
            count += write_seed(target, text.encode("utf-8"))
        for a, b in pairs[:MAX_PAIRS_PER_FILE]:
            count += write_seed(target, a.encode("utf-8") + b"\0" + b.encode("utf-8"))
    written[target] = count

# fuzz_osv_ranges: the first byte picks the scheme as `Scheme::ALL[byte % 15]`; these are
# indices in `Scheme::ALL` (crates/qm-version/src/scheme.rs). Each advisory is seeded under its
# own ecosystem's scheme, and also under plain SemVer and under dpkg, where its `SEMVER` ranges
# are read by another scheme than the installed version.
SCHEME_INDEX = {"Dpkg": 0, "SemVer": 4, "Cargo": 6, "Go": 7}
EXTRA_SCHEMES = ["SemVer", "Dpkg"]
MAX_ADVISORIES_PER_SOURCE = 150
ADVISORY_SOURCES = [
    ("Cargo", data_dir / "advisories" / "rustsec" / "osv" / "crates"),
    ("Go", data_dir / "advisories" / "golang"),
]
count = 0
for scheme, directory in ADVISORY_SOURCES:
    if not directory.is_dir():
        print(f"warning: `{directory}` is missing; skipped", file=sys.stderr)
        continue
    paths = sorted(directory.rglob("*.json"))
    # An even spread over the years, rather than the oldest advisories only.
    stride = max(1, len(paths) // MAX_ADVISORIES_PER_SOURCE)
    for path in paths[::stride][:MAX_ADVISORIES_PER_SOURCE]:
        try:
            advisory = json.loads(path.read_text(encoding="utf-8"))
            affected = advisory["affected"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        document = json.dumps(affected, separators=(",", ":"), ensure_ascii=False)
        for seeded_scheme in [scheme] + EXTRA_SCHEMES:
            seed = bytes([SCHEME_INDEX[seeded_scheme]]) + document.encode("utf-8")
            count += write_seed("fuzz_osv_ranges", seed)
written["fuzz_osv_ranges"] = count

for target, count in sorted(written.items()):
    print(f"{target}: {count} new seeds in {corpus_dir / target}")
PYTHON
