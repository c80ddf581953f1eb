#!/usr/bin/env bash
# The README's test command, run again and again while other processes keep every core busy: a test that
# depends on the wall clock (a timeout too tight, a bound on elapsed time) fails here first. A script to
# run by hand, not a CI step (20 runs take about an hour on two cores).
#
#   tests/benches/steady.sh [RUNS]        (from the repo root; RUNS defaults to 20)
#
# Prints one line per run and a summary; exits non-zero when any run failed. Each failed run's output is
# kept in target/steady/run-N.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
export CI=true INSTA_UPDATE=no CARGO_TERM_COLOR=never
mkdir -p target/steady

echo "building the tests once (not timed)..."
cargo test --workspace --no-run -q 2>&1 | tail -3 || exit 1

# One busy loop per core, for the whole run.
cores=$(nproc)
hogs=()
for _ in $(seq "$cores"); do
  (while :; do :; done) &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
echo "$cores busy loops running; $runs runs of cargo test --workspace"

failed=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  if cargo test --workspace > "target/steady/run-$run.log" 2>&1; then
    verdict=pass
    rm -f "target/steady/run-$run.log"
  else
    verdict="FAIL (target/steady/run-$run.log)"
    failed=$((failed + 1))
  fi
  echo "run $run/$runs: $verdict in $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "$((runs - failed)) of $runs runs passed with $cores cores kept busy ($(date -u +%Y-%m-%d), $(git rev-parse --short HEAD))"
[ "$failed" -eq 0 ]
