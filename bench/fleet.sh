#!/usr/bin/env bash
# Fleet benchmark: synthesises a fleet of Debian 12 images from real package versions (the
# manifest in ../shared/data/advisories/debian-12-changelogs) and measures, on SQLite and on
# PostgreSQL, the add rate, `affected` latency p50/p99, a re-match with nothing new and one
# with a tenth more advisories, one target's exposures, and the whole fleet's JSON report
# (every exposure, streamed: time, size and peak memory).
#
#   bench/fleet.sh                 # 10 000 images, both engines (~30 min on 2 busy cores)
#   IMAGES=2000 ENGINES=sqlite bench/fleet.sh
#
# PostgreSQL needs its server binaries (Debian's `postgresql` package); the bench starts a
# throwaway cluster on loopback, as the tests do. Nothing is written to the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
export QM_BENCH_FLEET_IMAGES="${IMAGES:-10000}"
export QM_BENCH_FLEET_ENGINES="${ENGINES:-sqlite,postgres}"
export QM_SHARED_DATA="${QM_SHARED_DATA:-$(cd ../shared/data && pwd)}"
# The fleet report comes first; criterion then times single `affected` queries on SQLite.
cargo bench -p qm-fleet --bench fleet -- --warm-up-time 1 --measurement-time 3 2>&1 \
  | grep -v '^Benchmarking\|^\s*$'
