#!/usr/bin/env bash
# Builds the benchmark image for `bench/sbom_compare.sh`: a realistic Debian 12 application image
# of about 350 MB, in five layers, as an OCI layout (gzip layers) and as a docker-archive.
#
#   layer 1  debootstrap minbase bookworm + python3, nodejs, curl, gnupg, ... (~200 dpkg packages)
#   layer 2  /opt/venv: pinned PyPI wheels (django, flask, requests, cryptography, Pillow, ...) with
#            real dist-info METADATA
#   layer 3  /app: requirements.txt, package.json + package-lock.json + node_modules from npm,
#            a Rust tool with a Cargo.lock from crates.io
#   layer 4  "RUN pip uninstall flask && dpkg --purge curl": whiteouts for flask's files and
#            curl's files, and a rewritten /var/lib/dpkg/status; neither may be reported
#   config   PATH, WORKDIR /app, CMD
#
# Usage: bench/build_image.sh [OUTDIR]   (default /var/tmp/qm-bench-image)
# Writes OUTDIR/image-oci (OCI layout, tag `latest`) and OUTDIR/image.tar (docker-archive,
# `qm-bench/app:latest`). Idempotent: every step is skipped when its output exists (delete the
# output, or all of OUTDIR, to redo it); the debootstrap download is cached as a tarball in
# OUTDIR/cache. Needs root, network access to the Debian mirror apt uses, PyPI, npm and
# crates.io; installs debootstrap, umoci and skopeo with apt-get when missing.
set -euo pipefail
out="${1:-/var/tmp/qm-bench-image}"
mkdir -p "$out/cache" "$out/work"
out="$(cd "$out" && pwd)"
work="$out/work"
suite=bookworm
arch=amd64

log() { printf '== %s\n' "$*" >&2; }

need() {
  local missing=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null || missing+=("${spec#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get install -y -q "${missing[@]}" >&2
  fi
}
need debootstrap:debootstrap umoci:umoci skopeo:skopeo python3:python3 npm:npm cargo:cargo

# The Debian mirror apt on this machine already uses (deb822 or one-line sources), unless
# DEBIAN_MIRROR says otherwise.
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {print $2} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' |
    grep -E '/debian/?$' | head -n 1 || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"

# Real packages an application image typically carries (runtime libraries of the wheels below,
# the interpreters, a few tools); about 200 dpkg packages in all. Debian's own npm is left out on
# purpose: it drags in ~300 node-* packages and 300 MB, and debootstrap cannot resolve its
# virtual dependencies.
include=python3,python3-pip,python3-venv,python3-setuptools,python3-wheel,nodejs
include+=,ca-certificates,curl,wget,openssl,libssl3,gnupg,procps,less,tzdata,netbase,tini
include+=,iproute2,sqlite3,libpq5,libxml2,libxslt1.1,libjpeg62-turbo,libpng16-16,libfreetype6
include+=,libwebp7,libtiff6,libopenjp2-7,libyaml-0-2,libmagic1,file,jq,bzip2,unzip,xz-utils
include+=,nano,vim-tiny
# Cache key of the Debian part: changing the package list refetches and rebuilds the base.
key=$(printf '%s %s %s %s' "$suite" "$arch" "$mirror" "$include" | sha256sum | cut -c1-12)
base_rev=2 # bump when the rootfs post-processing below changes

# --- 1. the Debian base ------------------------------------------------------------------------
tarball="$out/cache/debootstrap-$suite-$arch-$key.tgz"
if [ ! -s "$tarball" ]; then
  log "debootstrap download ($suite from $mirror) -> $tarball"
  rm -rf "$work/mk-tarball"
  debootstrap --variant=minbase --arch="$arch" --include="$include" \
    --make-tarball="$tarball.part" "$suite" "$work/mk-tarball" "$mirror" >&2
  mv "$tarball.part" "$tarball"
  rm -rf "$work/mk-tarball"
fi

rootfs="$work/rootfs"
if [ "$(cat "$work/rootfs.done" 2>/dev/null)" != "$key-$base_rev" ]; then
  log "debootstrap install -> $rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --arch="$arch" --include="$include" \
    --unpack-tarball="$tarball" "$suite" "$rootfs" "$mirror" >&2
  # What image builds do after apt-get: no downloaded .debs, no package lists. And what Debian's
  # "slim" images do: no manuals, no translations, no docs but the copyright files (which dpkg's
  # file lists still name).
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log "$rootfs"/debootstrap
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/lintian/*
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
CFG
  echo "$key-$base_rev" >"$work/rootfs.done"
  rm -f "$out/image-oci.done" "$out/image.tar"
fi

# --- 2. the Python layer: a venv at /opt/venv filled from PyPI -------------------------------
# The pins are real, older releases an application might still run (several have advisories).
mkdir -p "$work/app/app"
cat >"$work/app/app/requirements.txt" <<'REQ'
Django==4.2.7
djangorestframework==3.14.0
Flask==2.2.2
Werkzeug==2.2.2
Jinja2==3.1.2
requests==2.28.1
urllib3==1.26.12
certifi==2022.12.7
idna==3.4
charset-normalizer==2.1.1
gunicorn==20.1.0
PyYAML==6.0.1
python-dateutil==2.8.2
pytz==2023.3
cryptography==41.0.5
psycopg2-binary==2.9.9
SQLAlchemy==2.0.23
celery==5.3.5
redis==5.0.1
Pillow==10.1.0
REQ

py=$(chroot "$rootfs" python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
pyfull=$(chroot "$rootfs" python3 -c 'import platform; print(platform.python_version())')
lang="$work/lang"
if [ ! -e "$work/lang.done" ]; then
  log "pip install (python $pyfull wheels) -> $lang/opt/venv"
  rm -rf "$lang"
  venv="$lang/opt/venv"
  site="$venv/lib/python$py/site-packages"
  mkdir -p "$venv/bin" "$site"
  ln -s lib "$venv/lib64"
  ln -s /usr/bin/python3 "$venv/bin/python3"
  ln -s python3 "$venv/bin/python"
  ln -s python3 "$venv/bin/python$py"
  printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = %s\n' "$pyfull" >"$venv/pyvenv.cfg"
  # The host's pip, told to fetch the wheels the image's CPython needs.
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --no-cache-dir --no-compile --no-warn-conflicts --target "$site" \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    --python-version "$py" --implementation cp --only-binary=:all: \
    -r "$work/app/app/requirements.txt" >&2
  if [ -d "$site/bin" ]; then
    mv "$site"/bin/* "$venv/bin/" && rmdir "$site/bin"
    sed -i "1s|^#!.*python.*|#!/opt/venv/bin/python3|" "$venv"/bin/* 2>/dev/null || true
  fi
  touch "$work/lang.done"
  rm -f "$out/image-oci.done" "$out/image.tar"
fi

# --- 3. the application layer: npm project and a Rust tool ---------------------------------
app="$work/app/app"
if [ ! -e "$work/app.done" ]; then
  log "npm install + cargo generate-lockfile -> $app"
  rm -rf "$app/node_modules" "$app/package-lock.json" "$app/tools"
  cat >"$app/package.json" <<'JSON'
{
  "name": "qm-bench-app",
  "version": "1.0.0",
  "private": true,
  "description": "Benchmark application for qm sbom",
  "main": "server.js",
  "dependencies": {
    "express": "4.17.1",
    "lodash": "4.17.20",
    "axios": "0.21.1",
    "moment": "2.29.1",
    "jsonwebtoken": "8.5.1",
    "mongoose": "6.0.12",
    "body-parser": "1.19.0",
    "minimist": "1.2.5",
    "node-fetch": "2.6.1",
    "ws": "7.4.5",
    "debug": "2.6.9",
    "uuid": "8.3.2",
    "winston": "3.3.3",
    "dotenv": "10.0.0"
  },
  "devDependencies": {
    "jest": "27.3.1",
    "eslint": "8.2.0"
  }
}
JSON
  cat >"$app/server.js" <<'JS'
const express = require("express");
const app = express();
app.get("/", (_req, res) => res.send("ok"));
app.listen(3000);
JS
  cat >"$app/app.py" <<'PY'
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
PY
  (cd "$app" && npm install --no-audit --no-fund --ignore-scripts \
    --omit=dev --omit-lockfile-registry-resolved=false >&2)

  mkdir -p "$app/tools/report/src"
  cat >"$app/tools/report/Cargo.toml" <<'TOML'
[package]
name = "report"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
regex = "1"
clap = { version = "4", features = ["derive"] }
tokio = { version = "1", features = ["rt", "macros"] }
reqwest = { version = "0.11", default-features = false, features = ["rustls-tls"] }
anyhow = "1"
TOML
  printf 'fn main() {}\n' >"$app/tools/report/src/main.rs"
  cargo generate-lockfile -q --manifest-path "$app/tools/report/Cargo.toml" >&2
  rm -rf "$app/tools/report/target"
  touch "$work/app.done"
  rm -f "$out/image-oci.done" "$out/image.tar"
fi

# --- 4. the image --------------------------------------------------------------------------
layout="$out/image-oci"
if [ ! -e "$out/image-oci.done" ]; then
  log "umoci: layers -> $layout"
  rm -rf "$layout" "$work/bundle"
  umoci init --layout "$layout"
  umoci new --image "$layout:latest"
  umoci config --image "$layout:latest" --no-history --config.workingdir / \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  # One bundle, changed and repacked once per layer. (`umoci insert` is not used: umoci 0.4.7
  # writes its layers without the tar end-of-archive blocks, even without padding the last
  # member, which no real image builder does.)
  umoci unpack --image "$layout:latest" "$work/bundle" >/dev/null
  bundle="$work/bundle/rootfs"
  layer() { umoci repack --refresh-bundle --image "$layout:latest" --history.created_by "$1" "$work/bundle"; }

  cp -a "$rootfs/." "$bundle/"
  layer "debootstrap --variant=minbase --include=$include $suite"
  cp -a "$lang/opt/." "$bundle/opt/"
  layer "RUN python3 -m venv /opt/venv && pip install -r requirements.txt"
  cp -a "$work/app/app" "$bundle/app"
  layer "COPY . /app && npm ci && cargo generate-lockfile"

  # A later RUN layer that removes what earlier layers installed: whiteouts plus a new status.
  site="$bundle/opt/venv/lib/python$py/site-packages"
  rm -rf "$site/flask" "$site"/[Ff]lask-*.dist-info "$bundle/opt/venv/bin/flask"
  chroot "$bundle" dpkg --purge curl >&2
  layer "RUN pip uninstall -y flask && dpkg --purge curl"
  rm -rf "$work/bundle"

  umoci config --image "$layout:latest" --config.workingdir /app \
    --config.env PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.cmd /opt/venv/bin/gunicorn --config.cmd app:app \
    --config.label org.opencontainers.image.title=qm-bench-app \
    --history.created_by 'WORKDIR /app; CMD ["gunicorn", "app:app"]'
  umoci gc --layout "$layout"
  touch "$out/image-oci.done"
  rm -f "$out/image.tar"
fi

if [ ! -s "$out/image.tar" ]; then
  log "skopeo: $layout -> $out/image.tar"
  rm -f "$out/image.tar.part"
  skopeo copy -q "oci:$layout:latest" "docker-archive:$out/image.tar.part:qm-bench/app:latest" >&2
  mv "$out/image.tar.part" "$out/image.tar"
fi

# --- sizes ------------------------------------------------------------------------------------
python3 - "$layout" "$out/image.tar" "$rootfs" <<'PY'
import gzip, json, os, sys, zlib

layout, tar, rootfs = sys.argv[1:4]
def blob(digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(layout, "blobs", algo, hexd)
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))
history = [h for h in config.get("history", []) if not h.get("empty_layer")]
total_gz = total_raw = 0
print("layers (gzip -> uncompressed tar):")
for i, layer in enumerate(manifest["layers"]):
    path = blob(layer["digest"])
    raw, tail = 0, b""
    with open(path, "rb") as fh:
        d = zlib.decompressobj(31)
        while chunk := fh.read(1 << 20):
            data = d.decompress(chunk)
            raw += len(data)
            tail = (tail + data)[-1024:]
    # A well-formed layer is whole 512-byte blocks ending with the two zero blocks.
    if raw % 512 or tail != bytes(1024):
        sys.exit(f"layer {i + 1} ({layer['digest']}) is not a complete tar stream")
    total_gz += layer["size"]
    total_raw += raw
    what = history[i].get("created_by", "") if i < len(history) else ""
    print(f"  {i + 1}. {layer['size'] / 1e6:7.1f} MB -> {raw / 1e6:7.1f} MB  {what[:70]}")
print(f"total: {total_gz / 1e6:.1f} MB gzip, {total_raw / 1e6:.1f} MB uncompressed")
print(f"docker-archive {tar}: {os.path.getsize(tar) / 1e6:.1f} MB")
status = open(os.path.join(rootfs, "var/lib/dpkg/status"), encoding="utf-8").read()
print(f"dpkg packages in the base layer: {status.count(chr(10) + 'Package: ') + status.startswith('Package: ')}")
PY
