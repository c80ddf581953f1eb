#!/usr/bin/env bash
# The edit-to-green loop on a warm target folder: from a one-field spec change (an overlay action adding a
# property to User) to `cargo xtask import && cargo xtask generate && cargo test -p polytomic` passing,
# median of RUNS edits; then a no-op `cargo xtask generate` and `cargo build -p polytomic`, which must
# rebuild nothing.
#
#   tests/benches/edit_loop.sh        (from the repo root; works on a clone in a temporary folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
export CARGO_TARGET_DIR="$work/target" CARGO_TERM_COLOR=never
mkdir -p "$CARGO_TARGET_DIR"
cp -r "$root/target/debug" "$root/target/release" "$CARGO_TARGET_DIR/" 2>/dev/null || true
cargo xtask generate >/dev/null 2>&1
cargo test -q -p polytomic >/dev/null 2>&1   # warm: everything built once

cp openapi/overlay.yaml "$work/overlay.orig"
times=()
for i in $(seq "$runs"); do
  cp "$work/overlay.orig" openapi/overlay.yaml
  printf '  - description: bench edit %s\n    target: $.components.schemas.User.properties\n    update: { nickname_%s: { type: string } }\n' "$i" "$i" >> openapi/overlay.yaml
  start=$(date +%s.%N)
  cargo xtask import >/dev/null 2>&1 && cargo xtask generate >/dev/null 2>&1 && cargo test -q -p polytomic >/dev/null 2>&1
  end=$(date +%s.%N)
  grep -q "nickname_$i" crates/polytomic/src/generated.rs
  times+=("$(echo "$end - $start" | bc)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "edit to green (import + generate + cargo test -p polytomic), $runs edits: median ${median} s (all: ${times[*]})"

cargo build -q -p polytomic >/dev/null 2>&1
start=$(date +%s.%N)
cargo xtask generate 2>&1 | grep -q "up to date"
rebuilt=$(cargo build -p polytomic -v 2>&1 | grep -cE '^ +(Compiling|Running) ' || true)
end=$(date +%s.%N)
echo "no-op generate + cargo build -p polytomic: $(echo "$end - $start" | bc) s, crates rebuilt: $rebuilt"
