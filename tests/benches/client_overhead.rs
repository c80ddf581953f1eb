//! The generated client's cost per request against a hand-written reqwest call, on the same loopback
//! server, sequentially and with 32 concurrent tasks.
//!
//! cargo bench -p polytomic-benches --bench client_overhead
//!
//! Each round times both clients back to back, in alternating order; the report gives the median time
//! per request of each and the median of the per-round ratios (pairing cancels the machine's drift).
//! Timings are printed, never asserted (machines are noisy).
//!
//! `-- --only generated|plain|prebuilt --requests N` makes N sequential calls with one client and nothing
//! else, for counting instructions, which noise does not move (`prebuilt`: the plain call with its headers
//! built once):
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/client_overhead-* --only plain --requests 2000
//! `--url URL` uses a server in another process; tests/benches/overhead.sh does all of it.

use std::time::{Duration, Instant};

#[path = "common/plain.rs"]
mod plain;

use plain::Plain;
use polytomic::types::UserEnvelope;
use polytomic_test_support::{Reply, Server, TEST_KEY, success_example};

const USER_ID: uuid::Uuid = uuid::uuid!("248df4b7-aa70-47b8-a036-33ac447e668d");
const REQUESTS: usize = 3_200;
const ROUNDS: usize = 21;

async fn generated_get(client: &polytomic::Client) -> UserEnvelope {
    client
        .get_current_org_user()
        .id(USER_ID)
        .send()
        .await
        .unwrap()
        .into_inner()
}

/// Runs `REQUESTS` calls over `tasks` concurrent tasks; returns the time per request.
async fn run<F, Fut>(tasks: usize, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = UserEnvelope> + Send,
{
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..REQUESTS / tasks {
                    std::hint::black_box(call().await);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    started.elapsed() / REQUESTS as u32
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Counting instructions (`--only`): one thread, so the count does not depend on which worker wakes up
    // (on the multi-threaded runtime it moves by about 1% from run to run). Timing: the usual runtime.
    let runtime = if args.iter().any(|a| a == "--only") {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .unwrap();
    runtime.block_on(bench(args));
}

async fn bench(args: Vec<String>) {
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    // `--url`: a server in another process (tests/benches/overhead.sh starts the mock server), so an
    // instruction count of this process is the client's alone.
    let server = match arg("--url") {
        Some(_) => None,
        None => Some(
            Server::replying(Reply::json(
                200,
                success_example("get_current_org_user").to_string(),
            ))
            .await,
        ),
    };
    let url = arg("--url")
        .cloned()
        .or_else(|| server.as_ref().map(|s| s.url().to_string()))
        .unwrap();
    let generated = polytomic::Client::builder()
        .base_url(&url)
        .credentials(polytomic::Credentials::UserKey(TEST_KEY.into()))
        .build()
        .unwrap();
    let plain = Plain::new(&url);
    if let Some(only) = arg("--only") {
        let n: usize = arg("--requests")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        for _ in 0..n {
            match only.as_str() {
                "generated" => std::hint::black_box(generated_get(&generated).await),
                "prebuilt" => std::hint::black_box(plain.get_user_prebuilt(USER_ID).await.unwrap()),
                _ => std::hint::black_box(plain.get_user(USER_ID).await.unwrap()),
            };
        }
        return;
    }
    println!("{REQUESTS} requests per round, {ROUNDS} rounds; medians");
    println!("| tasks | generated client | plain reqwest | overhead (median of paired ratios) |");
    println!("|---|---|---|---|");
    for tasks in [1, 32] {
        let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        // One warm-up round, then alternate which client goes first so drift hits both alike.
        for round in 0..=ROUNDS {
            let g = generated.clone();
            let generated_round = move || {
                let g = g.clone();
                run(tasks, move || {
                    let g = g.clone();
                    async move { generated_get(&g).await }
                })
            };
            let p = plain.clone();
            let plain_round = move || {
                let p = p.clone();
                run(tasks, move || {
                    let p = p.clone();
                    async move { p.get_user(USER_ID).await.unwrap() }
                })
            };
            let (a, b) = if round % 2 == 0 {
                let a = generated_round().await;
                (a, plain_round().await)
            } else {
                let b = plain_round().await;
                (generated_round().await, b)
            };
            if round > 0 {
                ours.push(a);
                theirs.push(b);
                ratios.push(a.as_secs_f64() / b.as_secs_f64());
            }
        }
        ratios.sort_by(f64::total_cmp);
        let overhead = (ratios[ratios.len() / 2] - 1.0) * 100.0;
        println!(
            "| {tasks} | {:.1?} | {:.1?} | {overhead:+.1}% |",
            median(ours),
            median(theirs)
        );
    }
}
