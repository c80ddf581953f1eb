#!/usr/bin/env bash
# Generation speed and memory: `cargo xtask generate` beside the generators a Rust team would pick instead,
# on openapi/polytomic.yaml; then scaling on synthetic specs of 10, 100 and 1,000 operations.
#
#   tests/benches/generators.sh            (from the repo root; prints Markdown tables)
#
# Peers are installed once into $BENCH_CACHE (default ~/.cache/polytomic-bench), never into the repo:
# cargo-progenitor, oas3-gen and openapi-to-rust from crates.io, and OpenAPI Generator's `rust` generator
# from the openapi-generator-cli package on PyPI (which bundles its jar; needs Java 17). Needs hyperfine
# (Debian: apt-get install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BENCH_CACHE:-$HOME/.cache/polytomic-bench}
runs=${RUNS:-10}
mkdir -p "$cache"
cd "$root"

bin="$cache/cargo/bin"
for tool in cargo-progenitor oas3-gen openapi-to-rust; do
  [ -x "$bin/$tool" ] || CARGO_TARGET_DIR="$cache/target" cargo install --locked -q --root "$cache/cargo" "$tool"
done
jar="$cache/py/openapi_generator_cli/openapi-generator.jar"
[ -f "$jar" ] || python3 -m pip install -q --target "$cache/py" openapi-generator-cli
cargo build -q --release -p xtask   # ours is compiled first (as `cargo xtask` builds it): timings are of generating

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$root/openapi/polytomic.yaml"
declare -A commands=(
  ["cargo xtask generate"]="cargo xtask generate --spec $spec --out-dir $work/ours"
  ["xtask binary"]="$root/target/release/xtask generate --spec $spec --out-dir $work/ours-bin"
  ["cargo-progenitor"]="$bin/cargo-progenitor progenitor -i $spec -o $work/progenitor -n gen -v 0.1.0 --interface builder"
  ["oas3-gen"]="$bin/oas3-gen generate client -i $spec -o $work/oas3.rs"
  ["openapi-to-rust"]="$bin/openapi-to-rust generate $spec --output-dir $work/o2r"
  ["openapi-generator rust"]="java -jar $jar generate -g rust -i $spec -o $work/oag --skip-validate-spec"
)
order=("cargo xtask generate" "xtask binary" "cargo-progenitor" "oas3-gen" "openapi-to-rust" "openapi-generator rust")

# Peak memory (max RSS) of one run, in MiB.
peak() { /usr/bin/time -f %M bash -c "$1 >/dev/null 2>&1" 2>&1 | tail -1 | awk '{printf "%.0f", $1/1024}'; }

echo "## Generation of openapi/polytomic.yaml (11 operations), $runs runs each"
echo
echo "| generator | median | min | max | peak memory |"
echo "|---|---|---|---|---|"
for name in "${order[@]}"; do
  cmd=${commands[$name]}
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" "$cmd" >/dev/null 2>&1 || {
    echo "| $name | failed: \`$cmd\` | | | |"; continue; }
  python3 - "$name" "$(peak "$cmd")" "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[3]))["results"][0]
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"| {sys.argv[1]} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {sys.argv[2]} MiB |")
PY
done

echo
echo "## Scaling: synthetic specs in the project's style (release xtask binary, $runs runs each)"
echo
echo "| operations | median | min | max | peak memory |"
echo "|---|---|---|---|---|"
for n in 10 100 1000; do
  "$root/target/release/xtask" synth-spec "$n" > "$work/synth-$n.yaml"
  ops=$(grep -c 'operationId:' "$work/synth-$n.yaml")
  cmd="$root/target/release/xtask generate --spec $work/synth-$n.yaml --out-dir $work/synth-$n"
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/h.json" "$cmd" >/dev/null 2>&1
  python3 - "$ops" "$(peak "$cmd")" "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[3]))["results"][0]
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"| {sys.argv[1]} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {sys.argv[2]} MiB |")
PY
done
