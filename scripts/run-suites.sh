#!/usr/bin/env bash
# run-suites.sh — runs the make targets named on the command line one after another (each a test
# suite), keeps going after a failure so that one run reports every broken suite, and ends with
# the closing line "N passed, N failed" (suites). Exits non-zero when any suite failed.
set -u
passed=0
failed=0
failed_names=()
for suite in "$@"; do
  echo "=== suite: $suite"
  start=$(date +%s)
  if make --no-print-directory "$suite"; then
    passed=$((passed + 1))
    echo "=== suite: $suite passed ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1))
    failed_names+=("$suite")
    echo "=== suite: $suite FAILED ($(( $(date +%s) - start )) s)"
  fi
done
if [ "$failed" -gt 0 ]; then echo "failed suites: ${failed_names[*]}"; fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
