#!/usr/bin/env bash
# The whole API (openapi/polytomic.yaml: 128 operations): generation speed and memory of ours and of the
# generators a Rust team would pick instead, whether each one's output compiles (and how long that takes),
# and the client crate's clean and incremental build.
#
#   tests/benches/whole_api.sh            (from the repo root; prints Markdown tables)
#
# Peers are installed once into $BENCH_CACHE (default ~/.cache/polytomic-bench) by tests/benches/generators.sh's
# recipe (cargo install / pip), never into the repo. Needs hyperfine and GNU time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BENCH_CACHE:-$HOME/.cache/polytomic-bench}
runs=${RUNS:-10}
cd "$root"
bin="$cache/cargo/bin"
jar="$cache/py/openapi_generator_cli/openapi-generator.jar"
for tool in cargo-progenitor oas3-gen openapi-to-rust; do
  [ -x "$bin/$tool" ] || CARGO_TARGET_DIR="$cache/target" cargo install --locked -q --root "$cache/cargo" "$tool"
done
[ -f "$jar" ] || python3 -m pip install -q --target "$cache/py" openapi-generator-cli
cargo build -q --release -p xtask

work=${WORK:-$(mktemp -d)}
spec="$root/openapi/polytomic.yaml"
# One target directory for every peer crate, so their shared dependencies build once, before timing.
peer_target="$cache/peer-target"
declare -A gen=(
  ["xtask binary (client, mocks, CLI)"]="$root/target/release/xtask generate --spec $spec --out-dir $work/ours"
  ["cargo xtask generate"]="cargo xtask generate --spec $spec --out-dir $work/ours-cargo"
  ["cargo-progenitor"]="$bin/cargo-progenitor progenitor -i $spec -o $work/progenitor -n gen -v 0.1.0 --interface builder"
  ["oas3-gen"]="$bin/oas3-gen generate client-mod -i $spec -o $work/oas3/gen"
  ["openapi-to-rust"]="$bin/openapi-to-rust generate $spec --output-dir $work/o2r"
  ["openapi-generator rust"]="java -jar $jar generate -g rust -i $spec -o $work/oag --skip-validate-spec"
)
order=("xtask binary (client, mocks, CLI)" "cargo xtask generate" "cargo-progenitor" "oas3-gen" "openapi-to-rust" "openapi-generator rust")
peak() { /usr/bin/time -f %M bash -c "$1 >/dev/null 2>&1" 2>&1 | tail -1 | awk '{printf "%.0f", $1/1024}'; }

echo "## Generation of openapi/polytomic.yaml (128 operations), $runs runs each"
echo
echo "| generator | median | min | max | peak memory |"
echo "|---|---|---|---|---|"
mkdir -p "$work/oas3/src"
printf '#[path = "%s/oas3/gen/mod.rs"]\npub mod generated;\n' "$work" > "$work/oas3/src/lib.rs"
for name in "${order[@]}"; do
  cmd=${gen[$name]}
  if ! hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/h.json" "$cmd" >/dev/null 2>&1; then
    echo "| $name | failed: \`$cmd\` | | | |"; continue
  fi
  python3 - "$name" "$(peak "$cmd")" "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[3]))["results"][0]
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"| {sys.argv[1]} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {sys.argv[2]} MiB |")
PY
done

# Does the output compile? `cargo check` of each generated crate (oas3-gen writes a module, its types and
# client: it gets a manifest with the dependencies its code names).
cat > "$work/oas3/Cargo.toml" <<'TOML'
[package]
name = "oas3-client"
version = "0.1.0"
edition = "2024"
[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
serde_with = "3"
reqwest = { version = "0.13", features = ["json", "query"] }
chrono = { version = "0.4", features = ["serde"] }
uuid = { version = "1", features = ["serde"] }
anyhow = "1"
validator = { version = "0.20", features = ["derive"] }
bon = "3"
http = "1"
indexmap = { version = "2", features = ["serde"] }
serde_html_form = "0.2"
secrecy = { version = "0.10", features = ["serde"] }
oas3-gen-support = "0.29"
[workspace]
TOML
echo
echo "## Does the generated client compile? (\`cargo check\`, dependencies prebuilt)"
echo
echo "| generator | compiles | errors | check time |"
echo "|---|---|---|---|"
check() {
  local name=$1 dir=$2
  if [ ! -f "$dir/Cargo.toml" ]; then echo "| $name | no manifest generated | | |"; return; fi
  grep -q '^\[workspace\]' "$dir/Cargo.toml" || printf '\n[workspace]\n' >> "$dir/Cargo.toml"
  (cd "$dir" && CARGO_TARGET_DIR="$peer_target" cargo fetch -q >/dev/null 2>&1 || true)
  # Warm the dependencies, then time the crate alone.
  (cd "$dir" && CARGO_TARGET_DIR="$peer_target" cargo check -q >/dev/null 2>&1 || true)
  local pkg; pkg=$(sed -n 's/^name = "\(.*\)"/\1/p' "$dir/Cargo.toml" | head -1)
  touch "$dir"/src/*.rs 2>/dev/null || true
  local start end out
  start=$(date +%s.%N)
  out=$(cd "$dir" && CARGO_TARGET_DIR="$peer_target" cargo check --message-format short 2>&1) && ok=yes || ok=no
  end=$(date +%s.%N)
  errors=$(printf '%s\n' "$out" | grep -c ': error' || true)
  printf '| %s | %s | %s | %.1f s |\n' "$name" "$ok" "$errors" "$(echo "$end - $start" | bc)"
}
# openapi-to-rust writes a module and the dependency lines it needs: wrap them in a crate.
if [ -f "$work/o2r/mod.rs" ]; then
  mkdir -p "$work/o2r-crate/src"
  { printf '[package]\nname = "o2r-client"\nversion = "0.1.0"\nedition = "2021"\n'; grep -v '^#' "$work/o2r/REQUIRED_DEPS.toml"; } > "$work/o2r-crate/Cargo.toml"
  printf '#[path = "%s/o2r/mod.rs"]\npub mod generated;\n' "$work" > "$work/o2r-crate/src/lib.rs"
fi
# OpenAPI Generator takes the crate version from info.version (2025-09-18), which Cargo refuses.
[ -f "$work/oag/Cargo.toml" ] && sed -i 's/^version = ".*"/version = "0.1.0"/' "$work/oag/Cargo.toml"
check "cargo-progenitor" "$work/progenitor"
check "oas3-gen" "$work/oas3"
check "openapi-to-rust" "$work/o2r-crate"
check "openapi-generator rust" "$work/oag"

echo
echo "## The client crate"
echo
t=$(mktemp -d)
start=$(date +%s.%N)
/usr/bin/time -f %M -o "$work/mem" env CARGO_TARGET_DIR="$t" cargo build -q -p polytomic
end=$(date +%s.%N)
printf '| clean debug build of `polytomic` (all dependencies) | %.0f s | peak %s MiB |\n' "$(echo "$end - $start" | bc)" "$(( $(cat "$work/mem") / 1024 ))"
# A one-field upstream change, the README's way, in a copy of the workspace: import, generate, rebuild.
ws="$work/ws"
rm -rf "$ws" && mkdir -p "$ws"
git ls-files -z | xargs -0 cp --parents -t "$ws"
CARGO_TARGET_DIR="$t" cargo build -q --manifest-path "$ws/Cargo.toml" -p polytomic
python3 - "$ws/openapi/upstream/polytomic-2025-09-18.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["components"]["schemas"]["User"]["properties"]["nickname"] = {"type": "string"}
json.dump(doc, open(path, "w"))
PY
xt="$root/target/release/xtask"
start=$(date +%s.%N)
"$xt" import "$ws/openapi/upstream/polytomic-2025-09-18.json" --overlay "$ws/openapi/overlay.yaml" --out "$ws/openapi/polytomic.yaml" >/dev/null
"$xt" generate --spec "$ws/openapi/polytomic.yaml" --out-dir "$ws" >/dev/null
CARGO_TARGET_DIR="$t" cargo build -q --manifest-path "$ws/Cargo.toml" -p polytomic
end=$(date +%s.%N)
printf '| one-field upstream change: import, generate, rebuild `polytomic` | %.0f s | |\n' "$(echo "$end - $start" | bc)"
rm -rf "$t"
