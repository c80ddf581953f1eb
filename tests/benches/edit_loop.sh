#!/usr/bin/env bash
# The README's edit loop, timed as a user runs it on a clone: a one-field upstream change (User, or the
# object schema SCHEMA names, gains a property in openapi/upstream/), then `cargo xtask import`,
# `cargo xtask generate` and `cargo test --workspace` until the snapshot diff is on the screen (the first
# failing snapshot: cargo stops at the first test binary that fails), median of RUNS edits, each from a
# build of the committed spec; then the no-op loop (`generate` with nothing changed, and the build, which
# must recompile nothing).
#
#   tests/benches/edit_loop.sh                      (from the repo root)
#   SCHEMA=OutputActor tests/benches/edit_loop.sh   (a type that responses of most resources hold)
#
# Dependencies come from the checkout's target folder (CARGO_TARGET_DIR, default ./target): the clone's own
# crates are built beside them, as a second checkout would be.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-3}
schema=${SCHEMA:-User}
work=$(mktemp -d)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" CARGO_TERM_COLOR=never CI=true INSTA_UPDATE=no
# The clone's debug builds of the workspace's crates stay in the shared target folder, and cargo takes them
# as fresh for the checkout (it hashes a member's path relative to its workspace), though they carry the
# clone's paths (env!("CARGO_MANIFEST_DIR"), insta's snapshot folders): the checkout's next `cargo test`
# would read the deleted clone's files. So they go with the clone; the checkout rebuilds its own.
cleanup() {
  rm -rf "$work"
  (cd "$root" && cargo clean -q --workspace --profile dev) &&
    echo "(the workspace's debug builds were removed from $CARGO_TARGET_DIR: the clone's paths were in them)" >&2
}
trap cleanup EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
upstream=openapi/upstream/polytomic-2025-09-18.json
now() { date +%s.%N; }

cargo xtask generate >/dev/null 2>&1   # builds the xtask, so the timed import does not

shown=() finished=()
for i in $(seq "$runs"); do
  # Each edit starts from a build of the committed spec, as a user's does: from the previous edit's build
  # it would only rename that field, which moves no line of the generated files and recompiles far less.
  git checkout -q -- .
  cargo test --workspace --no-run -q >/dev/null 2>&1
  perl -pi -e 's/"'"$schema"'":\{"type":"object","properties":\{/"'"$schema"'":{"type":"object","properties":{"nickname_'"$i"'":{"type":"string"},/' "$upstream"
  grep -q "nickname_$i" "$upstream" || { echo "no object schema $schema with properties in $upstream" >&2; exit 1; }
  start=$(now)
  cargo xtask import >/dev/null 2>&1
  cargo xtask generate >/dev/null 2>&1
  # The first snapshot insta reports is the diff the user reviews; note when it appears.
  cargo test --workspace 2>&1 | awk -v start="$start" -v out="$work/shown" '
    /Snapshot: / && !seen { seen = 1; "date +%s.%N" | getline t; print t - start > out; print "  " $0 > "/dev/stderr" }' || true
  end=$(now)
  grep -rq "nickname_$i" crates/polytomic/src/generated.rs crates/polytomic/src/generated/
  shown+=("$(cat "$work/shown")")
  finished+=("$(echo "$end - $start" | bc)")
  rm -f "$work/shown"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "edit ($schema gains a field) -> import -> generate -> cargo test --workspace, $runs edits:"
echo "  snapshot diff shown after: median $(median "${shown[@]}") s (all: ${shown[*]})"
echo "  cargo test exited after:   median $(median "${finished[@]}") s (all: ${finished[*]})"

# What issue 20 compares the loop with, in the same run: the client crate alone rebuilt as a dependent
# builds it (its default features, CARGO_INCREMENTAL=0, as tests/benches/crate_rebuild.sh does).
alone=()
for i in $(seq "$runs"); do
  touch crates/polytomic/src/lib.rs
  start=$(now)
  CARGO_INCREMENTAL=0 cargo build -q -p polytomic
  alone+=("$(echo "$(now) - $start" | bc)")
done
m_shown=$(median "${shown[@]}") m_alone=$(median "${alone[@]}")
echo "  the polytomic crate alone rebuilt: median $m_alone s (all: ${alone[*]})"
echo "  loop / crate alone: $(echo "scale=2; $m_shown / $m_alone" | bc)x"

git checkout -q -- .
cargo xtask generate >/dev/null 2>&1
cargo test --workspace --no-run -q >/dev/null 2>&1
start=$(now)
cargo xtask generate 2>&1 | grep -q "up to date"
rebuilt=$(cargo test --workspace --no-run -v 2>&1 | grep -cE '^ +(Compiling|Running) `rustc' || true)
end=$(now)
echo "no-op loop (generate + cargo test --workspace --no-run): $(echo "$end - $start" | bc) s, crates recompiled: $rebuilt"
