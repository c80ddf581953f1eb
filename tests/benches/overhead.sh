#!/usr/bin/env bash
# The generated client's instructions per request against a hand-written reqwest call doing the same work,
# counted by callgrind in the client's process only: the server is the mock server, in another process.
# Two hand-written calls: `plain` names and formats its headers in the call, as most code does (the
# baseline of the 3% target); `prebuilt` builds them once and copies them into each call.
#
#   tests/benches/overhead.sh            (from the repo root; needs valgrind)
#
# Each client makes N1 and then N2 sequential GETs of one user; the difference divided by N2-N1 is the
# cost of one request with start-up and connection set-up cancelled out. The bench counts on a
# current-thread runtime, which makes the counts repeat exactly from run to run.
set -euo pipefail
cd "$(dirname "$0")/../.."
n1=${N1:-500}
n2=${N2:-1500}
port=${PORT:-4017}
cargo build -q --release -p polytomic-mock-server
cargo bench -q -p polytomic-benches --bench client_overhead --no-run 2>/dev/null
bench=$(ls -t target/release/deps/client_overhead-* | grep -v '\.d$' | head -1)
target/release/mock-server --port "$port" > /dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --only "$1" --requests "$2" \
    --url "http://127.0.0.1:$port" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| client | instructions for $n1 | for $n2 | per request |"
echo "|---|---|---|---|"
declare -A per
for who in generated plain prebuilt; do
  a=$(count "$who" "$n1"); b=$(count "$who" "$n2")
  per[$who]=$(( (b - a) / (n2 - n1) ))
  echo "| $who | $a | $b | ${per[$who]} |"
done
python3 -c "
g, p, b = ${per[generated]}, ${per[plain]}, ${per[prebuilt]}
print(f'\nper-request overhead of the generated client: {(g / p - 1) * 100:+.1f}% against plain, {(g / b - 1) * 100:+.1f}% against prebuilt')"
