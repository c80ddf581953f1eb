#!/usr/bin/env bash
# The client's TLS backends side by side, for choosing the default: a clean debug build of a program that
# depends on `polytomic` with only that backend (`CARGO_INCREMENTAL=0`), its release binary's size, and the
# cost of a call on a new connection (TCP and TLS handshake, request, response) against a local
# `openssl s_server` that closes each connection after answering (HTTP/1.0), so every call shakes hands;
# the client resumes sessions where its TLS library does, as it would against Polytomic.
#
#   tests/benches/tls_backends.sh [CALLS]      (from anywhere; needs openssl; CALLS defaults to 300)
#
# The server listens on PORT (default 4433); the script stops if it is not up after 5 s.
#
# The certificate is made here (a throwaway CA and a `localhost` leaf, P-256) and trusted through
# SSL_CERT_FILE, which every backend's root store reads on Linux.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
calls=${1:-300}
port=${PORT:-4433}
work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# --- The server ----------------------------------------------------------------------------------------
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bench-ca \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout leaf.key -out leaf.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile leaf.ext \
  -out leaf.pem 2>/dev/null
mkdir -p www/api
echo '{"data":[]}' > www/api/connections
(cd www && exec openssl s_server -quiet -accept "$port" -cert ../leaf.pem -key ../leaf.key -WWW) &
server=$!
for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
(echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "openssl s_server is not up on port $port" >&2; exit 1; }

# --- One program per backend -----------------------------------------------------------------------------
backend_crate() { # name, dependency features
  mkdir -p "$work/$1/src"
  cat > "$work/$1/Cargo.toml" <<EOF
[package]
name = "calls-$1"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
polytomic = { path = "$root/crates/polytomic", $2 }
tokio = { version = "1", features = ["macros", "rt"] }
EOF
  cat > "$work/$1/src/main.rs" <<'EOF'
// CALLS sequential calls, each on a new connection (the server closes it): the mean time per call.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), polytomic::Error> {
    let calls: u32 = std::env::var("CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let client = polytomic::Client::from_env()?;
    client.list_connections().send().await?; // warm: the root store is loaded
    let start = std::time::Instant::now();
    for _ in 0..calls {
        client.list_connections().send().await?;
    }
    println!("{:.0}", start.elapsed().as_micros() as f64 / calls as f64);
    Ok(())
}
EOF
  cp "$root/Cargo.lock" "$work/$1/"
}
backend_crate rustls-ring 'default-features = false, features = ["rustls-ring"]'
backend_crate rustls-aws-lc 'default-features = false, features = ["rustls"]'
backend_crate native-tls 'default-features = false, features = ["native-tls"]'

export SSL_CERT_FILE="$work/ca.pem" POLYTOMIC_API_KEY=bench POLYTOMIC_BASE_URL="https://localhost:$port"
echo "| backend | clean debug build | release binary | per call on a new connection (median of 3 runs of $calls) |"
echo "|---|---|---|---|"
for name in rustls-ring rustls-aws-lc native-tls; do
  cd "$work/$name"
  cargo fetch -q
  start=$(now); cargo build -q; build=$(since "$start")
  cargo build -q --release
  size=$(stat -c %s "target/release/calls-$name")
  runs=()
  for _ in 1 2 3; do runs+=("$(CALLS=$calls "target/release/calls-$name")"); done
  per=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
  echo "| $name | $build s | $size bytes | $per µs (all: ${runs[*]}) |"
done
