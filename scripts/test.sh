#!/usr/bin/env bash
# The test suite, run in a private temporary directory that must be empty at the end: every test
# (and every lca process a test starts) removes what it creates. Usage: bash scripts/test.sh [files…]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lca-test-suite-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(dist/test/*.test.js)
status=0
TMPDIR="$scratch" node --test --test-concurrency=2 "${files[@]}" || status=$?
# onnxruntime-node 1.30's native library writes an empty mat-debug-<pid>.log (and a .ses id file) into
# the temporary directory of every process that loads it: not the tests' doing, so reported, not failed.
ort=$(ls -A "$scratch" | grep -E '^(mat-debug-[0-9]+\.log|\.ses)$' || true)
[ -z "$ort" ] || echo "test suite: onnxruntime left $(echo "$ort" | wc -l) file(s) of its own in the temporary directory (mat-debug-<pid>.log, .ses)" >&2
left=$(ls -A "$scratch" | grep -vE '^(mat-debug-[0-9]+\.log|\.ses)$' || true)
if [ -n "$left" ]; then
  echo "test suite: left behind in the temporary directory (each test must remove what it creates):" >&2
  echo "$left" | sed 's/^/  /' >&2
  status=1
fi
exit $status
