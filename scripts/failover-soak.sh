#!/usr/bin/env bash
# Runs ExactlyOnceFailoverITCase N times in a row (default 20) while one busy loop per core
# competes for the CPU, and stops at the first failure. Prints one line per run and a summary.
#   scripts/failover-soak.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cores="$(nproc)"
busy=()
cleanup() { ((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for ((c = 0; c < cores; c++)); do
  (while :; do :; done) &
  busy+=($!)
done
mvn -B -q test-compile
log="target/failover-soak"
mkdir -p "$log"
passed=0
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s)
  if mvn -B -o -q surefire:test -Dtest=ExactlyOnceFailoverITCase >"$log/run-$i.log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i: passed in $(($(date +%s) - start)) s"
  else
    echo "run $i: FAILED in $(($(date +%s) - start)) s (log: $log/run-$i.log)"
    echo "failover soak: $passed of $runs passed before a failure, with $cores busy loops"
    exit 1
  fi
done
echo "failover soak: $passed of $runs passed, with $cores busy loops beside them"
