#!/usr/bin/env bash
# `cargo xtask diff`'s verdicts against cargo-semver-checks' on the generated client, for each routine
# upstream change of xtask/tests/change_loop.rs: the table in BENCHMARKS.md. The test fails on a
# disagreement. cargo-semver-checks is installed under ~/.cache (never into the repo) when missing.
#
#   tests/benches/semver_checks.sh        (from the repo root; about 15 minutes on two cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-bench/semver-checks"
if ! command -v cargo-semver-checks >/dev/null; then
  [ -x "$tools/bin/cargo-semver-checks" ] || cargo install cargo-semver-checks --locked --root "$tools"
  export PATH="$tools/bin:$PATH"
fi
cargo semver-checks --version
CARGO_SEMVER_CHECKS="$(command -v cargo-semver-checks)" \
  cargo test -q -p xtask --test change_loop -- --ignored --nocapture each_routine_change_through_the_whole_loop
