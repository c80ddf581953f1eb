#!/usr/bin/env bash
# The `polytomic` crate alone, rebuilt as a dependent builds it (its default features), against another
# checkout's: `cargo clean -p polytomic` then `cargo build -p polytomic` in a crate outside the workspace,
# paired rounds alternating which goes first, debug and release, `CARGO_INCREMENTAL=0`.
#
#   git worktree add /tmp/before <rev>
#   tests/benches/crate_rebuild.sh /tmp/before [ROUNDS]      (ROUNDS defaults to 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 OTHER_CHECKOUT [ROUNDS]" >&2; exit 2; }
other=$(cd "$1" && pwd)
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

dependent() { # name, checkout
  mkdir -p "$work/$1/src"
  cat > "$work/$1/Cargo.toml" <<EOF
[package]
name = "dependent-$1"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
polytomic = { path = "$2/crates/polytomic" }
EOF
  echo 'fn main() { let _ = polytomic::Client::builder(); }' > "$work/$1/src/main.rs"
  cp "$2/Cargo.lock" "$work/$1/"
  (cd "$work/$1" && cargo build -q && cargo build -q --release)
}
dependent this "$root"
dependent other "$other"

rebuild() { # name, profile flags...
  (cd "$work/$1" && cargo clean -q "${@:2}" -p polytomic && start=$(now) \
    && cargo build -q "${@:2}" -p polytomic && since "$start")
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "the polytomic crate alone, rebuilt: this checkout against $other, $rounds paired rounds"
for profile in debug release; do
  flags=(); [[ $profile == release ]] && flags=(--release)
  mine=() theirs=()
  for round in $(seq "$rounds"); do
    if (( round % 2 )); then order=(this other); else order=(other this); fi
    for who in "${order[@]}"; do
      t=$(rebuild "$who" ${flags[@]+"${flags[@]}"})
      if [[ $who == this ]]; then mine+=("$t"); else theirs+=("$t"); fi
    done
  done
  m=$(median "${mine[@]}") o=$(median "${theirs[@]}")
  ratio=$(python3 -c "print(f'{$m / $o:.2f}')")
  echo "  $profile: this $m s (${mine[*]}), other $o s (${theirs[*]}), ratio ${ratio}x"
done
