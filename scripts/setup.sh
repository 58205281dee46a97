#!/usr/bin/env bash
# setup.sh — installs what sanqu needs to build, run and test on Debian 12: Debian packages via
# apt (as root; otherwise prints the exact command) and the web UI's npm packages from
# web/package-lock.json. Safe to run again: it only installs what is missing.
#   scripts/setup.sh            build and run
#   scripts/setup.sh test       also the test tools (cmocka, libcurl, Chromium, CJK fonts, clang)
#   scripts/setup.sh bench      also wrk and nginx
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config meson ninja-build libmicrohttpd-dev libsqlite3-dev sqlite3
      libjansson-dev libsodium-dev libopencc-dev libcmocka-dev libcurl4-openssl-dev)
case "${1:-}" in
  test)  pkgs+=(chromium fonts-noto-cjk clang libclang-rt-14-dev) ;;
  bench) pkgs+=(wrk nginx-light) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "sanqu setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "Run as root:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    exit 1
  fi
  echo "sanqu setup: installing ${missing[*]}"
  sh -c "$cmd"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "sanqu setup: Node.js $(node --version) is too old for the web UI build (needs 20 or newer)." >&2
  exit 1
fi

# npm packages, from the lock file, only when they are missing or the lock changed.
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ web/package-lock.json -nt "$stamp" ]; then
    echo "sanqu setup: npm ci (web/)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
