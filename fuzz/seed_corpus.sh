#!/usr/bin/env bash
# Writes seed inputs for the fuzz targets into fuzz/corpus/<target>/ from the shared test data:
# the upstream version vectors (vectors/versions/) and the advisory feeds (advisories/).
#
#   fuzz/seed_corpus.sh            # data from ${QM_SHARED_DATA:-<repo>/../shared/data}
#
# The data is read where it lies and never copied into the repository: fuzz/corpus/ is
# git-ignored. Each version string becomes a seed of its own; each compared pair of a vectors
# file becomes one more seed `a NUL b` (the targets cut inputs at NUL). fuzz_osv_ranges seeds are
# one byte picking the scheme (see that target) followed by an advisory's `affected[0]` object.
# fuzz_feed seeds are small feed files of every format (big ones cut to their first records) and
# ZIP archives of some; fuzz_db and fuzz_bundle seeds are databases compiled from those and
# bundles of them, which `cargo run --example write_seeds` (fuzz/examples/) makes.
# Seeds are named by the SHA-1 of their content, as libFuzzer names what it adds, so running
# the script again adds nothing twice. Needs python3, and cargo for the fuzz_db and fuzz_bundle
# seeds.
set -euo pipefail

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$fuzz_dir")"
data_dir="${QM_SHARED_DATA:-$repo_dir/../shared/data}"
if [[ ! -d "$data_dir/vectors/versions" ]]; then
    echo "error: no version vectors at \`$data_dir/vectors/versions\`" >&2
    echo "hint: set QM_SHARED_DATA to the shared data directory" >&2
    exit 2
fi

exec python3 - "$data_dir" "$fuzz_dir" <<'PYTHON'
import hashlib
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

data_dir = pathlib.Path(sys.argv[1])
fuzz_dir = pathlib.Path(sys.argv[2])
corpus_dir = fuzz_dir / "corpus"
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


def seed_path(target, content):
    return corpus_dir / target / hashlib.sha1(content).hexdigest()


def write_seed(target, content):
    path = seed_path(target, content)
    path.parent.mkdir(parents=True, exist_ok=True)
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

# fuzz_feed: whole feed files, a few of each format, the small ones spread evenly over each
# source; `ingest_bytes` recognises the format by content, as the target does.
MAX_FEED_SEED = 8 * 1024
advisories_dir = data_dir / "advisories"
providers = "vunnel-samples/tests/unit/providers"
FEED_SOURCES = [  # (directory under advisories/, glob, how many)
    ("rustsec/osv/crates", "*.json", 4),  # OSV JSON
    ("golang/data/osv", "*.json", 4),
    ("ghsa-sample", "**/*.json", 3),
    ("debian-12-changelogs/osv", "*.json", 3),
    (f"{providers}/chainguard/test-fixtures/input/osv", "*.json", 4),
    (f"{providers}/ubuntu/test-fixtures/osv", "**/*.json", 4),
    ("pypa/vulns", "**/*.yaml", 4),  # OSV YAML
    ("rustsec/advisory-db/crates", "**/*.md", 4),  # RustSec Markdown with TOML
    ("rubysec/gems", "**/*.yml", 3),
    ("rubysec/rubies", "**/*.yml", 2),
    ("friendsofphp", "**/*.yaml", 4),
    ("nodejs-security-wg/vuln/npm", "*.json", 3),
    ("nodejs-security-wg/vuln/core", "*.json", 1),  # not read by qm: a near miss
    ("alpine-secdb-github", "**/*.yaml", 2),  # Alpine secdb YAML
    (f"{providers}/alpine/test-fixtures/input/secdb", "**/*.yaml", 2),
    (f"{providers}/wolfi/test-fixtures/input/secdb", "*.json", 1),  # secdb JSON
    (f"{providers}/chainguard/test-fixtures/input/secdb", "*.json", 1),
    (f"{providers}/debian/test-fixtures/input", "*", 2),  # tracker JSON, DSA list
]
# Big files cut to their first records: the tracker export to its first packages, the
# DSA/DLA/DTSA lists to their first entries.
TRACKER_PACKAGES = 3
LIST_ENTRIES = 6


def spread(paths, count):
    paths = sorted(paths)
    stride = max(1, len(paths) // count)
    return paths[::stride][:count]


feed_seeds = []
for directory, pattern, count in FEED_SOURCES:
    directory = advisories_dir / directory
    if not directory.is_dir():
        print(f"warning: `{directory}` is missing; skipped", file=sys.stderr)
        continue
    paths = [path for path in directory.glob(pattern)
             if path.is_file() and path.stat().st_size <= MAX_FEED_SEED]
    feed_seeds.extend(path.read_bytes() for path in spread(paths, count))

tracker = advisories_dir / "debian-12-changelogs" / "tracker.json"
if tracker.is_file():
    packages = json.loads(tracker.read_text(encoding="utf-8"))
    first = dict(list(packages.items())[:TRACKER_PACKAGES])
    feed_seeds.append(json.dumps(first, indent=1, ensure_ascii=False).encode("utf-8"))
for name in ["DSA", "DLA", "DTSA"]:
    path = advisories_dir / "debian-security-tracker" / "data" / name / "list"
    if not path.is_file():
        continue
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if line.startswith("[")]
    end = starts[LIST_ENTRIES] if len(starts) > LIST_ENTRIES else len(lines)
    feed_seeds.append("".join(lines[:end]).encode("utf-8"))


def zip_of(members, method):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, content in enumerate(members):
            info = zipfile.ZipInfo(f"feed/{index}", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


# ZIP archives (osv.dev's `all.zip` format) of a few of them, compressed and stored.
zip_members = feed_seeds[::max(1, len(feed_seeds) // 4)][:4]
if zip_members:
    feed_seeds.append(zip_of(zip_members, zipfile.ZIP_DEFLATED))
    feed_seeds.append(zip_of(zip_members[:2], zipfile.ZIP_STORED))
written["fuzz_feed"] = sum(write_seed("fuzz_feed", seed) for seed in feed_seeds)

# fuzz_db and fuzz_bundle: databases compiled from the feed seeds and bundles of them, written
# by fuzz/examples/write_seeds.rs into a temporary directory, then named like the others.
feed_paths = [str(seed_path("fuzz_feed", seed)) for seed in feed_seeds]
with tempfile.TemporaryDirectory() as temporary:
    command = ["cargo", "run", "--quiet", "--manifest-path", str(fuzz_dir / "Cargo.toml"),
               "--example", "write_seeds", "--", temporary, *feed_paths]
    if subprocess.run(command).returncode != 0:
        sys.exit("error: `cargo run --example write_seeds` failed; fuzz_db and fuzz_bundle are not seeded")
    for target in ["fuzz_db", "fuzz_bundle"]:
        seeds = sorted((pathlib.Path(temporary) / target).iterdir())
        written[target] = sum(write_seed(target, seed.read_bytes()) for seed in seeds)

for target, count in sorted(written.items()):
    print(f"{target}: {count} new seeds in {corpus_dir / target}")
PYTHON
