#!/usr/bin/env bash
# What a downstream crate pays to build against the client: a new crate outside the workspace that depends
# on `polytomic` by path and lists connections, against the same program written by hand with reqwest (its
# default features), tokio, serde, uuid and chrono. Both resolve from the workspace's Cargo.lock, so they get
# the same versions.
#
#   tests/benches/downstream_build.sh [ROUNDS] [CLIENT_DIR]   (from anywhere; ROUNDS defaults to 2)
#
# Prints, all from one run: clean debug builds of both crates side by side (`CARGO_INCREMENTAL=0`, rounds
# alternating which goes first), the `polytomic` crate alone rebuilt (debug and release), the release
# binaries' sizes, and the slowest units of `cargo build --timings` for each crate's clean debug build.
# CLIENT_DIR (default: this checkout's crates/polytomic) lets one script measure another checkout.
# FEATURES (default: none) is the `polytomic` dependency's feature list, e.g.
# FEATURES='default-features = false, features = ["native-tls"]'.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-2}
client=$(cd "${2:-$root/crates/polytomic}" && pwd)
features=${FEATURES:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# --- The two programs ---------------------------------------------------------------------------------
mkdir -p "$work/client/src" "$work/by-hand/src"
cat > "$work/client/Cargo.toml" <<EOF
[package]
name = "with-client"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
polytomic = { path = "$client"${features:+, $features} }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
cat > "$work/client/src/main.rs" <<'EOF'
#[tokio::main]
async fn main() -> Result<(), polytomic::Error> {
    let client = polytomic::Client::from_env()?;
    let connections = client.list_connections().send().await?.into_inner();
    for connection in connections.data.unwrap_or_default() {
        println!("{} {}", connection.id.unwrap_or_default(), connection.name.unwrap_or_default());
    }
    Ok(())
}
EOF
cat > "$work/by-hand/Cargo.toml" <<'EOF'
[package]
name = "by-hand"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
reqwest = { version = "0.13", features = ["json"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
serde = { version = "1", features = ["derive"] }
uuid = { version = "1", features = ["serde"] }
chrono = { version = "0.4", features = ["serde"] }
EOF
cat > "$work/by-hand/src/main.rs" <<'EOF'
use serde::Deserialize;

#[derive(Deserialize)]
struct Envelope {
    data: Option<Vec<Connection>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Connection {
    id: Option<uuid::Uuid>,
    name: Option<String>,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("POLYTOMIC_API_KEY")?;
    let base = std::env::var("POLYTOMIC_BASE_URL").unwrap_or("https://app.polytomic.com".into());
    let envelope: Envelope = reqwest::Client::new()
        .get(format!("{base}/api/connections"))
        .bearer_auth(key)
        .header("X-Polytomic-Version", "2025-09-18")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    for connection in envelope.data.unwrap_or_default() {
        println!("{} {}", connection.id.unwrap_or_default(), connection.name.unwrap_or_default());
    }
    Ok(())
}
EOF
for crate in client by-hand; do cp "$root/Cargo.lock" "$work/$crate/"; done
for crate in client by-hand; do (cd "$work/$crate" && cargo fetch -q); done

clean_build() { # crate, extra args: seconds of a clean build
  (cd "$work/$1" && rm -rf target && start=$(now) && cargo build -q "${@:2}" && since "$start")
}

# --- Clean debug builds, side by side -------------------------------------------------------------------
echo "clean debug builds, CARGO_INCREMENTAL=0, $rounds rounds (first of each round alternates):"
declare -a with_client by_hand
for round in $(seq "$rounds"); do
  if (( round % 2 )); then order=(client by-hand); else order=(by-hand client); fi
  for crate in "${order[@]}"; do
    t=$(clean_build "$crate" --timings)
    if [[ $crate == client ]]; then with_client+=("$t"); else by_hand+=("$t"); fi
    echo "  round $round: $crate $t s"
  done
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mc=$(median "${with_client[@]}") mh=$(median "${by_hand[@]}")
ratio=$(python3 -c "print(f'{$mc / $mh:.2f}')")
echo "  median: with the client $mc s, by hand $mh s, ratio ${ratio}x"

# --- The slowest units of the last clean debug build of each ----------------------------------------------
for crate in client by-hand; do
  echo "slowest units, $crate (cargo build --timings, seconds):"
  python3 - "$work/$crate/target/cargo-timings/cargo-timing.html" <<'EOF'
import json, re, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
total = sum(u["duration"] for u in units)
for u in sorted(units, key=lambda u: -u["duration"])[:8]:
    target = u["target"].strip() or "lib"
    print(f"  {u['duration']:6.1f}  {u['name']} {u['version']} {target}  ({u['duration'] / total:.0%} of all unit time)")
# What the client's choices bring in (TLS provider, derives, features of its dependencies): each present
# unit's seconds, build scripts included.
watched = ["aws-lc-sys", "aws-lc-rs", "ring", "schemars", "schemars_derive", "tracing-attributes",
           "iana-time-zone", "getrandom", "uuid", "chrono", "polytomic"]
seen = {}
for u in units:
    if u["name"] in watched:
        key = f"{u['name']} {u['version']}"
        seen[key] = seen.get(key, 0) + u["duration"]
print(f"  {len(units)} units, {total:.1f} s of unit time; of them: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(seen.items())))
EOF
done

# --- The client crate alone, rebuilt ----------------------------------------------------------------------
rebuild() { # profile args: seconds to rebuild the polytomic crate alone
  (cd "$work/client" && cargo build -q "$@" && cargo clean -q "$@" -p polytomic \
    && start=$(now) && cargo build -q "$@" -p polytomic && since "$start")
}
echo "the polytomic crate alone, rebuilt (cargo clean -p polytomic; cargo build -p polytomic):"
d1=$(rebuild) d2=$(rebuild) r1=$(rebuild --release) r2=$(rebuild --release)
echo "  debug:   $d1 s, $d2 s"
echo "  release: $r1 s, $r2 s"

# --- Release binaries -------------------------------------------------------------------------------------
(cd "$work/by-hand" && cargo build -q --release)
with=$(stat -c %s "$work/client/target/release/with-client")
by=$(stat -c %s "$work/by-hand/target/release/by-hand")
echo "release binary sizes (bytes, unstripped):"
echo "  with the client: $with"
echo "  by hand:         $by"
