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
# The catalog targets get the real package databases and lockfiles of fixtures/ (syft's
# cataloger testdata, trivy's repo fixtures, go-rpmdb's rpm databases, and small SQLite rpm
# databases holding a few of the real headers); fuzz_lockfiles seeds are one byte picking the
# parser followed by the file. The image targets get layers and archives built here from those
# fixtures (plain, gzip and, when the `zstd` tool is there, zstd layers; whiteouts, links and
# hostile names; docker-archives and OCI archives with the right digests). fuzz_installed,
# fuzz_java_archive, fuzz_binary and fuzz_sbom get Python metadata and gemspecs, jars zipped
# from syft's unpacked jar metadata, small Go and `cargo auditable` programs built here when
# `go` and `cargo auditable` are installed, and trivy's, CycloneDX's and SPDX's SBOMs.
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
import gzip
import hashlib
import io
import json
import os
import pathlib
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
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

# The catalog targets: real package databases and lockfiles from fixtures/.
fixtures_dir = data_dir / "fixtures"
cataloger_dir = fixtures_dir / "syft" / "syft" / "pkg" / "cataloger"
trivy_repo_dir = fixtures_dir / "trivy" / "integration" / "testdata" / "fixtures" / "repo"
rpmdb_dir = fixtures_dir / "rpmdb-go-rpmdb" / "pkg" / "testdata"
# Larger lockfiles add little beyond the smaller ones of the same format and slow libFuzzer.
MAX_TEXT_SEED = 64 * 1024


def files_under(directory, keep=lambda path: True):
    if not directory.is_dir():
        print(f"warning: `{directory}` is missing; skipped", file=sys.stderr)
        return []
    return sorted(path for path in directory.rglob("*") if path.is_file() and keep(path))


debian_dir = cataloger_dir / "debian" / "testdata"
written["fuzz_dpkg_status"] = sum(
    write_seed("fuzz_dpkg_status", path.read_bytes())
    for path in files_under(debian_dir, lambda path: (
        ("/dpkg/status" in path.as_posix() or "/opkg/status" in path.as_posix())
        and not path.name.endswith(".md5sums")))
)
alpine_dir = cataloger_dir / "alpine" / "testdata"
written["fuzz_apk_installed"] = sum(
    write_seed("fuzz_apk_installed", path.read_bytes()) for path in files_under(alpine_dir)
)

# fuzz_rpmdb: the three go-rpmdb databases (SQLite, Berkeley DB, ndb) and syft's redhat
# fixtures whole, and small SQLite databases holding the smallest real headers of the first
# (one, and three), which libFuzzer mutates much faster than 3.6 MB.
rpm_seeds = [path.read_bytes() for path in files_under(rpmdb_dir)]
rpm_seeds += [path.read_bytes() for path in files_under(
    cataloger_dir / "redhat" / "testdata",
    lambda path: path.name in {"Packages", "Packages.db", "rpmdb.sqlite"})]
mariner = rpmdb_dir / "cbl-mariner-2.0" / "rpmdb.sqlite"
if mariner.is_file():
    source = sqlite3.connect(f"file:{mariner}?mode=ro", uri=True)
    blobs = [row[0] for row in source.execute(
        "SELECT blob FROM Packages ORDER BY length(blob), hnum LIMIT 3")]
    source.close()
    for count in (1, 3):
        with tempfile.TemporaryDirectory() as temporary:
            path = pathlib.Path(temporary) / "rpmdb.sqlite"
            database = sqlite3.connect(path)
            database.execute("PRAGMA page_size = 512")
            database.execute("CREATE TABLE 'Packages' "
                             "(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
            database.executemany("INSERT INTO Packages (blob) VALUES (?)",
                                 [(blob,) for blob in blobs[:count]])
            database.commit()
            database.execute("VACUUM")
            database.close()
            rpm_seeds.append(path.read_bytes())
written["fuzz_rpmdb"] = sum(write_seed("fuzz_rpmdb", seed) for seed in rpm_seeds)

# fuzz_roster: roster chunks as the fleet store packs them (crates/qm-fleet/src/roster.rs):
# entries of four little-endian i64 (target, revision, context, number), then the name and the
# digest, each a u32 length and UTF-8.
def roster_entry(target, name, digest):
    out = struct.pack("<qqqq", target, target * 3, 1 + target % 2, 1 + target % 4)
    for text in (name.encode(), digest.encode()):
        out += struct.pack("<I", len(text)) + text
    return out

roster_seeds = [b"", roster_entry(1, "web", "sha256:" + "ab" * 32)]
roster_seeds.append(b"".join(
    roster_entry(target, f"registry.example/app-{target}:1.{target}", f"sha256:{target:064x}")
    for target in range(256, 264)))
written["fuzz_roster"] = sum(write_seed("fuzz_roster", seed) for seed in roster_seeds)

# fuzz_lockfiles: the first byte picks the parser, in the order of `qm_fuzz::catalog::lockfiles`
# (fuzz/src/catalog.rs); keep the two in step.
LOCKFILE_SELECTORS = [
    ("Cargo.lock", lambda name: name == "Cargo.lock"),
    ("requirements.txt", lambda name: name.endswith(".txt")
        and name.startswith(("requirements", "constraints"))),
    ("poetry.lock", lambda name: name == "poetry.lock"),
    ("Pipfile.lock", lambda name: name == "Pipfile.lock"),
    ("uv.lock", lambda name: name == "uv.lock"),
    ("go.mod", lambda name: name == "go.mod"),
    ("go.sum", lambda name: name == "go.sum"),
    ("Gemfile.lock", lambda name: name in {"Gemfile.lock", "gems.locked"}),
    ("composer.lock", lambda name: name == "composer.lock"),
    ("installed.json", lambda name: name == "installed.json"),
    ("packages.lock.json", lambda name: name == "packages.lock.json"),
    ("deps.json", lambda name: name.endswith(".deps.json")),
    ("package-lock.json", lambda name: name in {"package-lock.json", "npm-shrinkwrap.json"}),
    ("yarn.lock", lambda name: name == "yarn.lock"),
    ("pnpm-lock.yaml", lambda name: name == "pnpm-lock.yaml"),
    ("package.json", lambda name: name == "package.json"),
]
lockfile_paths = files_under(cataloger_dir) + files_under(trivy_repo_dir)
count = 0
for selector, (_, matches) in enumerate(LOCKFILE_SELECTORS):
    for path in lockfile_paths:
        if matches(path.name) and path.stat().st_size <= MAX_TEXT_SEED:
            count += write_seed("fuzz_lockfiles", bytes([selector]) + path.read_bytes())
written["fuzz_lockfiles"] = count

# fuzz_os_release: `os-release NUL debian_version NUL alpine-release NUL redhat-release`. The
# fixtures hold one real os-release; the older release files are one line each, written as
# their distributions write them (the examples in crates/qm-catalog/src/os_release.rs).
os_releases = [path.read_bytes() for path in files_under(
    cataloger_dir, lambda path: path.name == "os-release")]
RELEASE_FILES = [
    (b"12.5\n", b"", b""),
    (b"bookworm/sid\n", b"", b""),
    (b"", b"3.18.4\n", b""),
    (b"", b"", b"Red Hat Enterprise Linux release 8.4 (Ootpa)\n"),
    (b"", b"", b"CentOS Linux release 7.9.2009 (Core)\n"),
    (b"9.13\n", b"3.19_alpha20230901\n", b"Rocky Linux release 9.3 (Blue Onyx)\n"),
]
os_seeds = list(os_releases)
for release in os_releases[:1] + [b""]:
    for debian_version, alpine_release, redhat_release in RELEASE_FILES:
        os_seeds.append(b"\0".join([release, debian_version, alpine_release, redhat_release]))
written["fuzz_os_release"] = sum(write_seed("fuzz_os_release", seed) for seed in os_seeds)


# fuzz_installed: the first byte picks the parser, in the order of
# `qm_fuzz::catalog::installed` (0 Python METADATA/PKG-INFO, 1 gemspec).
python_metadata = files_under(cataloger_dir / "python" / "testdata", lambda path: (
    path.name in {"METADATA", "PKG-INFO", "PKG-INFO-INVALID"} or path.name.endswith(".egg-info")))
gemspecs = files_under(cataloger_dir / "ruby" / "testdata",
                       lambda path: path.name.endswith(".gemspec"))
written["fuzz_installed"] = sum(
    write_seed("fuzz_installed", bytes([selector]) + path.read_bytes())
    for selector, paths in enumerate([python_metadata, gemspecs]) for path in paths)


# fuzz_java_archive: jars zipped here from syft's unpacked jar metadata (each
# `jar-metadata/<name>/` directory, each loose manifest and pom.properties), stored and
# deflated, and a war nesting some of them.
def zip_archive(members, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


java_dir = cataloger_dir / "java" / "testdata"
jars = []
metadata_dir = java_dir / "jar-metadata"
if metadata_dir.is_dir():
    for directory in sorted(path for path in metadata_dir.rglob("META-INF") if path.is_dir()):
        root = directory.parent
        members = [(path.relative_to(root).as_posix(), path.read_bytes())
                   for path in files_under(root, lambda path: not path.name.endswith(".xml"))]
        jars.append(zip_archive(members))
for path in files_under(java_dir / "manifest"):
    jars.append(zip_archive([("META-INF/MANIFEST.MF", path.read_bytes())], zipfile.ZIP_STORED))
for path in files_under(java_dir / "pom", lambda path: path.name.endswith(".pom.properties")):
    jars.append(zip_archive([("META-INF/maven/org.example/example/pom.properties",
                              path.read_bytes())]))
jars += [path.read_bytes() for path in files_under(java_dir / "corrupt",
                                                   lambda path: path.suffix == ".jar")]
if len(jars) >= 3:
    jars.append(zip_archive([("WEB-INF/lib/first-1.0.jar", jars[0]),
                             ("WEB-INF/lib/second-2.0.jar", jars[1]),
                             ("WEB-INF/web.xml", b"<web-app/>")]))
written["fuzz_java_archive"] = sum(write_seed("fuzz_java_archive", jar) for jar in jars)

# fuzz_binary: syft's truncated Mach-O fixtures, and, when the toolchains are there, a small Go
# program built for Linux, Windows and macOS (ELF, PE, Mach-O) and a small Rust program built
# with `cargo auditable`. Nothing is fetched: the programs have no dependencies.
binaries = [path.read_bytes() for path in files_under(
    cataloger_dir, lambda path: path.name == "partial-binary")]
with tempfile.TemporaryDirectory() as temporary:
    temporary = pathlib.Path(temporary)
    if shutil.which("go"):
        (temporary / "go.mod").write_text("module example.com/seed\n\ngo 1.21\n")
        (temporary / "main.go").write_text('package main\n\nfunc main() { println("seed") }\n')
        for goos, goarch in [("linux", "amd64"), ("windows", "amd64"), ("darwin", "arm64")]:
            output = temporary / f"seed-{goos}"
            environment = dict(os.environ, GOOS=goos, GOARCH=goarch,
                               CGO_ENABLED="0", GOFLAGS="-mod=mod", GOPROXY="off")
            result = subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o",
                                     str(output), "."], cwd=temporary, env=environment,
                                    capture_output=True)
            if result.returncode == 0:
                binaries.append(output.read_bytes())
            else:
                print(f"warning: `go build` for {goos} failed; skipped", file=sys.stderr)
    auditable = subprocess.run(["cargo", "auditable", "--version"], capture_output=True)
    if auditable.returncode == 0:
        crate = temporary / "crate"
        (crate / "src").mkdir(parents=True)
        (crate / "Cargo.toml").write_text(
            '[package]\nname = "seed"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n\n'
            '[profile.release]\nopt-level = "z"\nstrip = true\npanic = "abort"\nlto = true\n')
        (crate / "src" / "main.rs").write_text('fn main() { println!("seed"); }\n')
        result = subprocess.run(["cargo", "auditable", "build", "--release", "--offline",
                                 "--quiet"], cwd=crate, capture_output=True)
        if result.returncode == 0:
            binaries.append((crate / "target" / "release" / "seed").read_bytes())
        else:
            print("warning: `cargo auditable build` failed; skipped", file=sys.stderr)
written["fuzz_binary"] = sum(write_seed("fuzz_binary", binary) for binary in binaries)

# fuzz_sbom: trivy's SBOM fixtures and CycloneDX/SPDX goldens, CycloneDX's own valid and
# invalid test documents, and SPDX's 2.3 example.
trivy_testdata = fixtures_dir / "trivy" / "integration" / "testdata"
sbom_paths = files_under(trivy_testdata / "fixtures" / "sbom", lambda path: path.suffix == ".json")
sbom_paths += files_under(trivy_testdata, lambda path: path.name.endswith(".golden") and any(
    word in path.name for word in ("cyclonedx", "cdx", "spdx")))
cyclonedx_tests = files_under(data_dir / "vectors" / "cyclonedx-schema" / "tools")
sbom_paths += spread([path for path in cyclonedx_tests if path.suffix == ".json"], 40)
sbom_paths += files_under(data_dir / "vectors" / "spdx-2.3",
                          lambda path: path.name.endswith(".spdx.json"))
written["fuzz_sbom"] = sum(
    write_seed("fuzz_sbom", path.read_bytes())
    for path in sbom_paths if path.stat().st_size <= MAX_TEXT_SEED)


# The image targets: layers built from the fixtures' package databases, then docker-archives
# and OCI archives of them.
def fixture_bytes(path, fallback):
    return path.read_bytes() if path.is_file() else fallback


def layer_tar(members, form=tarfile.GNU_FORMAT):
    """A tar of (kind, name, data-or-link-target) members; names may be non-UTF-8 bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=form,
                      encoding="utf-8", errors="surrogateescape") as archive:
        for kind, name, value in members:
            if isinstance(name, bytes):
                name = name.decode("utf-8", "surrogateescape")
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "file":
                info.size = len(value)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(value))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE}[kind]
            info.mode = 0o755
            if kind != "dir":
                info.linkname = value
            archive.addfile(info)
    return buffer.getvalue()


os_release = fixture_bytes(debian_dir / "image-dpkg" / "etc" / "os-release", b"ID=debian\n")
dpkg_status = fixture_bytes(debian_dir / "image-dpkg" / "var" / "lib" / "dpkg" / "status",
                            b"Package: a\nVersion: 1\n")
apk_installed = fixture_bytes(alpine_dir / "multiple-1" / "lib" / "apk" / "db" / "installed",
                              b"P:a\nV:1\n")
packages_layer = layer_tar([
    ("dir", "etc", None),
    ("file", "etc/os-release", os_release),
    ("file", "var/lib/dpkg/status", dpkg_status),
    ("file", "lib/apk/db/installed", apk_installed),
    ("file", "usr/share/java/app.jar", b"PK\x03\x04" + dpkg_status[:64]),
])
whiteout_layer = layer_tar([
    ("file", "etc/.wh.os-release", b""),
    ("file", "usr/lib/.wh..wh..opq", b""),
    ("file", "var/lib/dpkg/.wh.status", b""),
    ("file", ".wh..wh.plnk/1", b""),
    ("file", "usr/lib/os-release", b"ID=alpine\nVERSION_ID=3.19.1\n"),
])
links_layer = layer_tar([
    ("symlink", "etc/loop-a", "loop-b"),
    ("symlink", "etc/loop-b", "loop-a"),
    ("symlink", "etc/escape", "../../../etc/passwd"),
    ("symlink", "etc/absolute", "/usr/lib/os-release"),
    ("symlink", "etc/missing", "nowhere"),
    ("hardlink", "etc/passwd.copy", "etc/passwd"),
    ("hardlink", "etc/hard-missing", "no/such/file"),
    ("hardlink", "etc/hard-escape", "../etc/passwd"),
    ("symlink", "var/lib/dpkg/status", "/lib64/apk/db/installed"),
    ("symlink", "usr/share/java/link.jar", "app.jar"),
])
hostile_layer = layer_tar([
    ("file", "../evil", b"escaped"),
    ("file", "/absolute/file", b"absolute"),
    ("file", "./etc/./os-release", os_release),
    ("file", b"etc/not-utf8-\xff\xfe", b"bytes"),
    ("file", "etc/" + "d/" * 60 + "deep", b"a long name in a PAX header"),
    ("file", "usr/share/java/large.jar", b"PK" + bytes(3000)),
    ("file", "var/lib/large", bytes(2000)),
    ("dir", "etc/os-release", None),
], form=tarfile.PAX_FORMAT)
layers = [packages_layer, whiteout_layer, links_layer, hostile_layer]
compressed = [gzip.compress(layer, mtime=0) for layer in (packages_layer, links_layer)]
if shutil.which("zstd"):
    for layer in (packages_layer, hostile_layer):
        result = subprocess.run(["zstd", "-q", "-c", "-"], input=layer, capture_output=True)
        if result.returncode == 0:
            compressed.append(result.stdout)
written["fuzz_image_layer"] = sum(
    write_seed("fuzz_image_layer", layer) for layer in layers + compressed)


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_of(members):
    """An uncompressed tar of (name, bytes) members and (name, None, link target) links."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for member in members:
            info = tarfile.TarInfo(member[0])
            info.mtime = 1700000000
            if len(member) == 3:
                info.type = tarfile.SYMTYPE
                info.linkname = member[2]
                archive.addfile(info)
            else:
                info.size = len(member[1])
                archive.addfile(info, io.BytesIO(member[1]))
    return buffer.getvalue()


def image_config(diff_ids):
    return json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"step {index}"} for index in range(len(diff_ids))],
    }).encode()


def docker_archive(stored_layers, linked):
    """`docker save` output; `linked` writes Docker 25's `<id>/layer.tar` links to blobs."""
    config = image_config([sha256(layer) for layer in stored_layers])
    config_hex = sha256(config).removeprefix("sha256:")
    members, names = [], []
    for layer in stored_layers:
        layer_hex = sha256(layer).removeprefix("sha256:")
        if linked:
            members.append((f"blobs/sha256/{layer_hex}", layer))
            members.append((f"{layer_hex}/layer.tar", None, f"../blobs/sha256/{layer_hex}"))
        else:
            members.append((f"{layer_hex}/layer.tar", layer))
        names.append(f"{layer_hex}/layer.tar")
    config_name = f"blobs/sha256/{config_hex}" if linked else f"{config_hex}.json"
    members.append((config_name, config))
    manifest = [{"Config": config_name, "RepoTags": ["seed:1"], "Layers": names}]
    members.append(("manifest.json", json.dumps(manifest).encode()))
    return tar_of(members)


def oci_archive(stored_layers, uncompressed):
    """An OCI image layout in a tar: gzip layers, their diff ids those of `uncompressed`."""
    config = image_config([sha256(layer) for layer in uncompressed])
    blobs = {sha256(config): config}
    layer_descriptors = []
    for layer in stored_layers:
        blobs[sha256(layer)] = layer
        layer_descriptors.append({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": sha256(layer), "size": len(layer)})
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha256(config), "size": len(config)},
        "layers": layer_descriptors}).encode()
    blobs[sha256(manifest)] = manifest
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(manifest), "size": len(manifest),
        "annotations": {"org.opencontainers.image.ref.name": "1"},
        "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
    members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)]
    members += [(f"blobs/sha256/{digest.removeprefix('sha256:')}", blob)
                for digest, blob in blobs.items()]
    return tar_of(members)


# fuzz_image_archive: the first byte picks the reading (0 sniffed, 1 docker-archive, 2 OCI).
archives = [
    (0, docker_archive([packages_layer, whiteout_layer], linked=False)),
    (1, docker_archive([packages_layer, links_layer], linked=True)),
    (1, docker_archive([hostile_layer], linked=False)),
    (0, oci_archive([gzip.compress(packages_layer, mtime=0)], [packages_layer])),
    (2, oci_archive([gzip.compress(layer, mtime=0) for layer in (packages_layer, links_layer)],
                    [packages_layer, links_layer])),
]
written["fuzz_image_archive"] = sum(
    write_seed("fuzz_image_archive", bytes([selector]) + archive)
    for selector, archive in archives)

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
