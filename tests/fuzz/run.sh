#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] — builds the libFuzzer targets (clang, ASan, UBSan) in build-fuzz/ if
# needed, replays every file in tests/fuzz/regressions/<target>/, then fuzzes each target for
# SECONDS (default 10; 0 only replays the committed corpus) on a copy of tests/fuzz/corpus/<target>/,
# one target after another. Prints the executions per target and a summary line; exits non-zero
# when any input crashes, leaks, times out or draws a sanitizer report. Crashing inputs are kept in
# build-fuzz/fuzz-artifacts/<target>/ (add them to tests/fuzz/regressions/<target>/ once fixed).
#
# Environment: FUZZ_BUILD (build directory, default build-fuzz), FUZZ_TARGETS (space-separated
# subset, e.g. "request csv"), FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-10}
case $seconds in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
build=${FUZZ_BUILD:-build-fuzz}
case $build in /*) ;; *) build="$root/$build" ;; esac

all_targets="request org_import csv json validate router static fts dtype"
targets=${FUZZ_TARGETS:-$all_targets}

# Longest input per target: whole request bodies and CSV files past the field limit (4096 bytes)
# for the parsers of bodies; short strings for the rest.
max_len() {
    case $1 in
        request|org_import|csv|json|dtype) echo 65536 ;;
        static) echo 8192 ;;
        validate|fts) echo 4096 ;;
        router) echo 2048 ;;
        *) echo 4096 ;;
    esac
}

# ---- build ----------------------------------------------------------------------------------
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang libclang-rt-dev)" >&2; exit 2; }
fuzz_on() {
    meson introspect "$build" --buildoptions 2>/dev/null |
        python3 -c 'import json,sys; o={x["name"]: x["value"] for x in json.load(sys.stdin)}; sys.exit(0 if o.get("fuzz") is True else 1)'
}
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$root" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
        -Db_lundef=false --buildtype=debugoptimized >/dev/null
elif ! fuzz_on; then
    meson configure "$build" -Dfuzz=true >/dev/null
fi
ninja_targets=()
for t in $targets; do ninja_targets+=("tests/fuzz/fuzz_$t"); done
ninja -C "$build" "${ninja_targets[@]}" >/dev/null || { ninja -C "$build" "${ninja_targets[@]}"; exit 1; }

# ---- run ------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sanqu-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp"
# The targets make their databases and web roots under TMPDIR: a crash leaves nothing behind.
export TMPDIR="$work/tmp"
# UBSan reports are fatal (libFuzzer then saves the input); leaks are reported at exit of each run.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1

artifacts="$build/fuzz-artifacts"
total=0
crashes=0
ntargets=0
sanitizer_re='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer|property failed'

for t in $targets; do
    bin="$build/tests/fuzz/fuzz_$t"
    ntargets=$((ntargets + 1))
    log="$work/$t.log"
    status=ok

    # Regressions: each file once.
    reg="$here/regressions/$t"
    if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
        if ! "$bin" -rss_limit_mb=2048 -timeout=10 "$reg"/* >"$log.reg" 2>&1 || grep -Eq "$sanitizer_re" "$log.reg"; then
            echo "fuzz_$t: a regression input fails again:" >&2
            grep -aE "$sanitizer_re|Running:" "$log.reg" | tail -n 20 >&2 || true
            status=crash
        fi
    fi

    # Fuzzing on a copy of the corpus, so the committed one is not rewritten.
    mkdir -p "$work/corpus/$t" "$artifacts/$t"
    cp -r "$here/corpus/$t/." "$work/corpus/$t/" 2>/dev/null || true
    args=(-rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" -print_final_stats=1
          -artifact_prefix="$artifacts/$t/")
    [ -f "$here/$t.dict" ] && args+=(-dict="$here/$t.dict")
    if [ "$seconds" -eq 0 ]; then args+=(-runs=0); else args+=(-max_total_time="$seconds"); fi
    # shellcheck disable=SC2086
    if ! "$bin" "${args[@]}" ${FUZZ_ARGS:-} "$work/corpus/$t" >"$log" 2>&1 || grep -Eq "$sanitizer_re" "$log"; then
        status=crash
        echo "fuzz_$t: FAILED; the report:" >&2
        # (head may close the pipe early: with pipefail that is not a failure of the script)
        grep -aEv '^\s+#[0-9]+ 0x' "$log" | grep -aE -A3 "$sanitizer_re|deadly signal|Test unit written" | head -n 40 >&2 || true
    fi
    execs=$(grep -a 'stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}' || true)
    execs=${execs:-0}
    total=$((total + execs))
    corpus=$(ls "$work/corpus/$t" | wc -l)
    if [ "$status" != ok ]; then crashes=$((crashes + 1)); fi
    printf 'fuzz_%-11s %10d executions in %ss, corpus %d inputs, %s\n' "$t" "$execs" "$seconds" "$corpus" \
        "$([ "$status" = ok ] && echo ok || echo "CRASH (inputs in $artifacts/$t/)")"
done

echo "fuzz: $ntargets targets, $total executions, $crashes crashes"
[ "$crashes" -eq 0 ]
