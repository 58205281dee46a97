#!/usr/bin/env bash
# make bench — measures sanqu against nginx serving a static file of the same size, side by side in
# one run on loopback, and appends the result to docs/performance.md. See tests/bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 tests/bench/bench.py "${1:-build/sanqu}" "${@:2}"
