#!/usr/bin/env bash
# Whole-command benchmark: `qm scan Cargo.lock` against `cargo audit` on the same lockfile and the
# same advisories (the RustSec advisory-db in ../shared/data), both offline. Reports the median
# wall time and peak RSS of each over RUNS runs, the ratio qm/cargo-audit (the product target is
# 0.2 or less), and checks that both found the same RUSTSEC ids, so a fast wrong answer does not
# pass for a win.
#
# Usage: bench/scan_vs_cargo_audit.sh [LOCKFILE]
#   default LOCKFILE: the first 35 packages of trivy's `trivy-ci-test` Cargo.lock (an old
#   html5ever/openssl tree with 17 advisories; `dependencies` lists dropped, since cargo-audit
#   resolves the graph), written to a temporary file.
# Env: QM (binary, default target/release/qm, built when missing), RUNS (default 31),
#      CARGO_AUDIT (default: cargo-audit on PATH; `cargo install cargo-audit --locked`).
#
# What runs (process start to exit, output to /dev/null):
#   qm          qm scan -q -f json LOCKFILE      database built once from the advisory-db folder
#   qm-all      the same against a database of every feed in shared/data/advisories
#   cargo-audit cargo-audit audit --db ADVISORY_DB --no-fetch --stale --no-yanked --json -f LOCKFILE
# cargo-audit is run as its own binary, not through `cargo audit`, so cargo's start-up is not
# counted against it. `--no-yanked` because the yanked check needs the crates.io index.
set -euo pipefail
cd "$(dirname "$0")/.."
data="$(cd "${QM_SHARED_DATA:-../shared/data}" && pwd)"
qm="${QM:-target/release/qm}"
runs="${RUNS:-31}"
audit="${CARGO_AUDIT:-$(command -v cargo-audit || true)}"
advisory_db="$data/advisories/rustsec/advisory-db"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -x "$qm" ] || cargo build --release -p qm >&2
if [ -z "$audit" ]; then
  echo "cargo-audit not found: cargo install cargo-audit --locked (about 17 min on 2 busy cores)" >&2
  exit 2
fi

lockfile="${1:-}"
if [ -z "$lockfile" ]; then
  lockfile="$work/Cargo.lock"
  python3 - "$data/fixtures/trivy/integration/testdata/fixtures/repo/trivy-ci-test/Cargo.lock" \
    "$lockfile" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
blocks = text.split("[[package]]")
packages = []
for block in blocks[1:36]:
    block = re.sub(r"dependencies = \[[^\]]*\]\n", "", block)
    packages.append("[[package]]" + block.rstrip("\n") + "\n")
open(sys.argv[2], "w").write("\n".join(packages))
EOF
fi
packages=$(grep -c '^\[\[package\]\]' "$lockfile")

QM_CACHE_DIR="$work/rustsec" "$qm" db update -q --offline --source "dir:$advisory_db" 2>/dev/null
QM_CACHE_DIR="$work/all" "$qm" db update -q --offline --source "dir:$data/advisories" 2>/dev/null

# Timing: python3's perf_counter around each process, runs of the tools interleaved so load
# changes hit all of them alike. A shell loop with `date +%s%N` costs two extra processes per
# run, more than qm's whole run on a small lockfile (~10 ms against ~2.5 ms), and would bury the
# difference. Peak RSS comes from one more run under `/usr/bin/time -f %M`.
export QM_BIN="$qm" AUDIT_BIN="$audit" ADVISORY_DB="$advisory_db" LOCKFILE="$lockfile" \
  WORK="$work" RUNS="$runs"
python3 - <<'EOF_PY'
import os, statistics, subprocess, time
work, lockfile, runs = os.environ["WORK"], os.environ["LOCKFILE"], int(os.environ["RUNS"])
qm, audit = os.environ["QM_BIN"], os.environ["AUDIT_BIN"]
tools = {
    "qm": ([qm, "scan", "-q", "-f", "json", lockfile], {"QM_CACHE_DIR": f"{work}/rustsec"}),
    "qm-all": ([qm, "scan", "-q", "-f", "json", lockfile], {"QM_CACHE_DIR": f"{work}/all"}),
    "cargo-audit": ([audit, "audit", "--db", os.environ["ADVISORY_DB"], "--no-fetch", "--stale",
                     "--no-yanked", "--json", "-f", lockfile], {}),
}
def run(name, stdout):
    command, extra = tools[name]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.DEVNULL,
                          env={**os.environ, **extra})
for name in tools:  # warm-up, and the output the answers are compared on
    with open(f"{work}/{name}.out", "wb") as out:
        run(name, out)
times = {name: [] for name in tools}
for _ in range(runs):
    for name in tools:
        start = time.perf_counter()
        run(name, subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
with open(f"{work}/results", "w") as results:
    for name in tools:
        command, extra = tools[name]
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f"{work}/rss", *command],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **extra})
        rss = open(f"{work}/rss").read().split()[-1]
        results.write(f"{name} {statistics.median(times[name]):.4f} {min(times[name]):.4f} {rss}\n")
EOF_PY

# The same answer: RUSTSEC ids among qm's ids and aliases, cargo-audit's vulnerabilities.
python3 - "$work/qm.out" "$work/qm-all.out" "$work/cargo-audit.out" <<'EOF'
import json, sys
def qm_ids(path):
    report = json.load(open(path))
    return sorted({i for f in report["findings"] for i in [f["id"], *f.get("aliases", [])]
                   if i.startswith("RUSTSEC-")})
audit = json.load(open(sys.argv[3]))
audit_ids = sorted({v["advisory"]["id"] for v in audit["vulnerabilities"]["list"]})
for name, path in (("qm", sys.argv[1]), ("qm-all", sys.argv[2])):
    ids = qm_ids(path)
    if ids != audit_ids:
        print(f"DIFFERENT ANSWERS: {name} {ids} vs cargo-audit {audit_ids}")
        sys.exit(1)
warnings = sum(len(w) for w in audit.get("warnings", {}).values())
print(f"same answer: {len(audit_ids)} RUSTSEC vulnerabilities "
      f"(cargo-audit also lists {warnings} informational warnings, which qm leaves out)")
EOF

echo "lockfile: $lockfile ($packages packages), RUNS=$runs, $("$audit" audit --version), $("$qm" --version)"
awk '{ t[$1] = $2; m[$1] = $3; r[$1] = $4; order[NR] = $1 }
  END {
    printf "%-12s %10s %10s %10s %14s\n", "tool", "median (s)", "min (s)", "RSS (MiB)", "qm/cargo-audit"
    for (i = 1; i <= NR; i++) {
      n = order[i]
      ratio = (n == "cargo-audit") ? "-" : sprintf("%.2f", t[n] / t["cargo-audit"])
      printf "%-12s %10.4f %10.4f %10.1f %14s\n", n, t[n], m[n], r[n] / 1024, ratio
    }
  }' "$work/results"
uptime
