#!/usr/bin/env bash
# Browser tests of the sanqu web UI against the real server.
#
#   bash tests/e2e/run.sh [path/to/sanqu]        (default build/sanqu)
#
# Seeds a fresh demo database in a temporary folder (every demo account gets
# one random password), starts `sanqu serve` on a free loopback port with the
# built web UI (web/dist, built here first when missing or stale), runs the
# Playwright tests (tests/e2e/*.test.mjs, node's test runner, playwright-core
# driving /usr/bin/chromium) and stops the server. Screenshots go to build/e2e/.
# Needs: node ≥ 20.19 with web/node_modules (npm ci, done here when missing),
# chromium and fonts-noto-cjk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BIN=${1:-build/sanqu}
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
  echo "e2e: no sanqu binary at $BIN (build it first)" >&2
  exit 2
fi

# The web UI: dependencies and a build no older than its sources.
if [ ! -d web/node_modules ]; then
  (cd web && npm ci --no-audit --no-fund)
fi
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.js web/public -newer web/dist/index.html -print -quit)" ]; then
  (cd web && npm run build)
fi

mkdir -p build/e2e
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sanqu-e2e.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One password for every demo account: random, and within the password policy.
PW="E2e-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-Pw9"
"$BIN" demo --db "$TMP/sanqu.db" --password-stdin <<< "$PW" > "$TMP/demo.log" 2>&1 || {
  echo "e2e: sanqu demo failed:" >&2
  cat "$TMP/demo.log" >&2
  exit 2
}

"$BIN" serve --db "$TMP/sanqu.db" --listen 127.0.0.1:0 --port-file "$TMP/port" \
  --web-root "$ROOT/web/dist" > "$TMP/server.log" 2>&1 &
SERVER_PID=$!

# Wait for the port file (written once the server listens), or for the server to die.
for _ in $(seq 1 300); do
  [ -s "$TMP/port" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: sanqu serve exited before listening:" >&2
    cat "$TMP/server.log" >&2
    exit 2
  fi
  sleep 0.1
done
if [ ! -s "$TMP/port" ]; then
  echo "e2e: sanqu serve wrote no port file:" >&2
  cat "$TMP/server.log" >&2
  exit 2
fi

export SANQU_URL="http://127.0.0.1:$(tr -d ' \n' < "$TMP/port")"
export SANQU_PW="$PW"
export SANQU_SHOTS="build/e2e"
echo "e2e: server at $SANQU_URL (log: $TMP/server.log)"

set +e
node --test --test-concurrency=1 tests/e2e/*.test.mjs
RC=$?
set -e
if [ "$RC" -ne 0 ]; then
  echo "e2e: tests failed; last lines of the server log:" >&2
  tail -n 40 "$TMP/server.log" >&2 || true
fi
exit "$RC"
