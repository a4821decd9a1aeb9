#!/usr/bin/env bash
# Whole-command benchmark: `qm version compare debian -` on 100 000 real Debian version pairs,
# against `dpkg --compare-versions` (one process per pair, as shell scripts use it) on a sample.
# Prints medians, the per-pair ratio and qm's peak memory. Needs: a release build, dpkg, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${QM_SHARED_DATA:-../shared/data}"
qm="${QM:-target/release/qm}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -x "$qm" ] || cargo build --release -p qm >&2

# 100 000 pairs of real bookworm versions (fixed versions of every CVE of every security source).
python3 - "$data/advisories/debian-12-changelogs/cves.tsv" "$work/pairs.tsv" <<'PY'
import random, sys
rows = [line.split("\t")[2] for line in open(sys.argv[1]).read().splitlines()[1:]]
rng = random.Random(42)
with open(sys.argv[2], "w") as out:
    for _ in range(100_000):
        out.write(f"{rng.choice(rows)}\t{rng.choice(rows)}\n")
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

qm_times=()
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$work/time" "$qm" version compare debian - <"$work/pairs.tsv" >"$work/qm.out"
  qm_times+=("$(cat "$work/time")")
done
qm_seconds=$(printf '%s\n' "${qm_times[@]}" | awk '{print $1}' | median)
qm_kib=$(printf '%s\n' "${qm_times[@]}" | awk '{print $2}' | median)

# dpkg answers through its exit status; 1000 pairs are enough to estimate its per-pair cost.
head -n 1000 "$work/pairs.tsv" >"$work/sample.tsv"
dpkg_seconds=$( { /usr/bin/time -f '%e' bash -c '
  while IFS=$'"'"'\t'"'"' read -r a b; do
    if dpkg --compare-versions "$a" lt "$b"; then echo -1
    elif dpkg --compare-versions "$a" eq "$b"; then echo 0
    else echo 1; fi
  done' <"$work/sample.tsv" >"$work/dpkg.out"; } 2>&1 )

# Both must agree on every sampled pair before speed means anything.
if ! cmp -s <(head -n 1000 "$work/qm.out") "$work/dpkg.out"; then
  echo "qm and dpkg disagree on the sample:" >&2
  diff <(head -n 1000 "$work/qm.out") "$work/dpkg.out" | head >&2
  exit 1
fi

awk -v q="$qm_seconds" -v d="$dpkg_seconds" -v k="$qm_kib" 'BEGIN {
  printf "qm   : 100000 pairs in %.3f s (median of runs), %.0f pairs/s, peak RSS %.1f MiB\n", q, 100000/q, k/1024
  printf "dpkg : 1000 pairs in %.3f s, %.0f pairs/s (one process per comparison)\n", d, 1000/d
  printf "ratio: qm is %.0fx faster per pair; answers agree on all 1000 sampled pairs\n", (d/1000)/(q/100000)
}'
