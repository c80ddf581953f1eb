#!/usr/bin/env bash
# Which profile the `cargo xtask` alias should build the generator with: for each candidate, a cold build of
# the xtask (every dependency compiled; the registry cache is warm, so no downloads), then the time to
# generate the whole API with the built binary (`generate --check`, hyperfine).
#
#   tests/benches/xtask_profile.sh        (from the repo root; about 10 minutes on two cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
runs=${RUNS:-5}
now() { date +%s.%N; }

# name | cargo arguments | folder of the binary under the target folder
candidates=(
  "release|--release|release"
  "dev|--profile dev|debug"
  "dev, dependencies at opt-level 1|--profile xtask --config 'profile.xtask.inherits=\"dev\"' --config 'profile.xtask.package.\"*\".opt-level=1'|xtask"
  "dev, dependencies at opt-level 2|--profile xtask --config 'profile.xtask.inherits=\"dev\"' --config 'profile.xtask.package.\"*\".opt-level=2'|xtask"
)
printf '| profile | cold build of the xtask | whole-API generation (median of %s) |\n|---|---|---|\n' "$runs"
for candidate in "${candidates[@]}"; do
  IFS='|' read -r name args folder <<<"$candidate"
  target=$(mktemp -d)
  start=$(now)
  # shellcheck disable=SC2086 # the arguments are meant to split
  eval cargo build -q -p xtask --target-dir "$target" $args
  built=$(echo "$(now) - $start" | bc)
  generate=$(hyperfine -N -w 1 -r "$runs" --export-json "$target/h.json" "$target/$folder/xtask generate --check" >/dev/null 2>&1 &&
    python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median'], 3))" "$target/h.json")
  printf '| %s | %.0f s | %s s |\n' "$name" "$built" "$generate"
  rm -rf "$target"
done
