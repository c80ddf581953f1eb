#!/usr/bin/env bash
# Peak memory of `polytomic syncs list --all` streaming N items from the mock server (100 a page), for
# growing N: flat when the CLI holds one page at a time. Release builds; max RSS from /usr/bin/time.
#
#   tests/benches/all_pages_memory.sh [N ...]      (from the repo root; default 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-4019}
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000 100000)
cargo build -q --release -p polytomic-mock-server -p polytomic-cli
echo "| items | pages | lines printed | peak RSS (KiB) | wall (s) |"
echo "|---|---|---|---|---|"
for n in "${counts[@]}"; do
  target/release/mock-server --port "$port" --items "$n" --quiet > /dev/null &
  server=$!
  sleep 1
  out=$(mktemp)
  /usr/bin/time -f '%M %e' -o "$out.time" env -i POLYTOMIC_API_KEY=bench \
    POLYTOMIC_BASE_URL="http://127.0.0.1:$port" target/release/polytomic syncs list --all > "$out"
  read -r rss wall < "$out.time"
  echo "| $n | $(( (n + 99) / 100 )) | $(wc -l < "$out") | $rss | $wall |"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$out" "$out.time"
done
