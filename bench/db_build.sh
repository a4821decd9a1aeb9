#!/usr/bin/env bash
# Whole-command benchmark: `qm db update` from the shared advisory mirror (every feed format),
# then `qm db status`. Reports the median wall time and peak RSS of the build, the database size,
# and the time to open it. Needs a release build (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
data="$(cd "${QM_SHARED_DATA:-../shared/data}" && pwd)"
qm="${QM:-target/release/qm}"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -x "$qm" ] || cargo build --release -p qm >&2

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

build=()
for _ in $(seq "$runs"); do
  rm -rf "$work/cache"
  QM_CACHE_DIR="$work/cache" QM_DB_SOURCES="dir:$data/advisories" \
    /usr/bin/time -f '%e %M' -o "$work/time" "$qm" db update -q
  build+=("$(cat "$work/time")")
done
seconds=$(printf '%s\n' "${build[@]}" | awk '{print $1}' | median)
kib=$(printf '%s\n' "${build[@]}" | awk '{print $2}' | median)
size=$(stat -c %s "$work/cache/db/qm.db")

status=()
for _ in $(seq 10); do
  QM_CACHE_DIR="$work/cache" /usr/bin/time -f '%e' -o "$work/time" "$qm" db status >/dev/null
  status+=("$(cat "$work/time")")
done
status_seconds=$(printf '%s\n' "${status[@]}" | median)

awk -v s="$seconds" -v k="$kib" -v b="$size" -v o="$status_seconds" 'BEGIN {
  printf "db update (all feeds in shared/data/advisories): %.2f s median, peak RSS %.0f MiB\n", s, k/1024
  printf "database size: %.1f MiB\n", b/1048576
  printf "db status (process start + open + checksum + print): %.3f s median\n", o
}'
