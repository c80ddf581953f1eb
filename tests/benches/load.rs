//! 10,000 requests from 64 concurrent tasks through the generated client, against a loopback server that
//! counts every request and TCP connection; the same through a hand-written reqwest call
//! (`common/plain.rs`), once naming its headers in the call and once with them built once. Prints, per run, failures, lost or duplicated requests, connections accepted,
//! throughput and p50/p99 latency; then the medians over `LOAD_ROUNDS` rounds (default 7, after one
//! warm-up), each round starting with a different client, and the medians of the paired throughput ratios.
//! Timings are printed, never asserted.
//!
//! cargo bench -p polytomic-benches --bench load

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "common/plain.rs"]
mod plain;

use plain::Plain;
use polytomic_test_support::{Reply, Server, TEST_KEY, success_example};
use uuid::Uuid;

const REQUESTS: usize = 10_000;
const TASKS: usize = 64;

struct Run {
    failures: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

async fn drive<F, Fut>(call: F) -> Run
where
    F: Fn(Uuid) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let call = call.clone();
            tokio::spawn(async move {
                let (mut failures, mut latencies) = (0, Vec::new());
                for i in (task..REQUESTS).step_by(TASKS) {
                    let t = Instant::now();
                    if !call(Uuid::from_u128(i as u128)).await {
                        failures += 1;
                    }
                    latencies.push(t.elapsed());
                }
                (failures, latencies)
            })
        })
        .collect();
    let mut run = Run {
        failures: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (failures, latencies) = task.await.unwrap();
        run.failures += failures;
        run.latencies.extend(latencies);
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}

/// Lost (never seen) and duplicated (seen twice) request ids, from the server's own log.
fn lost_and_duplicated(server: &Server) -> (usize, usize) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for request in server.requests() {
        *seen
            .entry(
                request
                    .target
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
            .or_default() += 1;
    }
    let lost = (0..REQUESTS)
        .filter(|i| !seen.contains_key(&Uuid::from_u128(*i as u128).to_string()))
        .count();
    (lost, seen.values().filter(|n| **n > 1).count())
}

/// Prints one run's line; returns its throughput (requests per second) and p99.
fn report(name: &str, run: &Run, server: &Server) -> (f64, Duration) {
    let (lost, duplicated) = lost_and_duplicated(server);
    let pct = |p: f64| {
        run.latencies[((run.latencies.len() as f64 * p) as usize).min(run.latencies.len() - 1)]
    };
    let throughput = REQUESTS as f64 / run.elapsed.as_secs_f64();
    println!(
        "| {name} | {} | {lost} | {duplicated} | {} | {throughput:.0} req/s | {:.1?} | {:.1?} |",
        run.failures,
        server.connections(),
        pct(0.50),
        pct(0.99),
    );
    (throughput, pct(0.99))
}

async fn generated_run(body: &str) -> (f64, Duration) {
    let server = Server::replying(Reply::json(200, body)).await;
    let client = polytomic::Client::builder()
        .base_url(server.url())
        .credentials(polytomic::Credentials::UserKey(TEST_KEY.into()))
        .build()
        .unwrap();
    // Each call holds its client through an `Arc`, for both clients alike.
    let client = Arc::new(client);
    let run = drive(move |id| {
        let client = client.clone();
        async move { client.get_current_org_user().id(id).send().await.is_ok() }
    })
    .await;
    report("generated client", &run, &server)
}

async fn plain_run(body: &str, prebuilt: bool) -> (f64, Duration) {
    let server = Server::replying(Reply::json(200, body)).await;
    let plain = Arc::new(Plain::new(server.url()));
    let run = drive(move |id| {
        let plain = plain.clone();
        async move {
            if prebuilt {
                plain.get_user_prebuilt(id).await.is_some()
            } else {
                plain.get_user(id).await.is_some()
            }
        }
    })
    .await;
    let name = if prebuilt {
        "plain reqwest, headers built once"
    } else {
        "plain reqwest"
    };
    report(name, &run, &server)
}

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let body = success_example("get_current_org_user").to_string();
    let rounds: usize = std::env::var("LOAD_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    println!(
        "{REQUESTS} requests, {TASKS} concurrent tasks, loopback server; round 0 is a warm-up"
    );
    println!(
        "| client | failures | lost | duplicated | TCP connections | throughput | p50 | p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    // [generated, plain, prebuilt]: each round runs the three, starting with a different one.
    let mut runs: [Vec<(f64, Duration)>; 3] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for round in 0..=rounds {
        let mut results = [(0.0, Duration::ZERO); 3];
        for i in 0..3 {
            let which = (round + i) % 3;
            results[which] = match which {
                0 => generated_run(&body).await,
                1 => plain_run(&body, false).await,
                _ => plain_run(&body, true).await,
            };
        }
        if round > 0 {
            for (which, result) in results.iter().enumerate() {
                runs[which].push(*result);
            }
            ratios[0].push(results[0].0 / results[1].0);
            ratios[1].push(results[0].0 / results[2].0);
        }
    }
    println!("\nmedians over {rounds} rounds:");
    println!("| client | throughput | p99 |");
    println!("|---|---|---|");
    let names = [
        "generated client",
        "plain reqwest",
        "plain reqwest, headers built once",
    ];
    for (name, runs) in names.iter().zip(&runs) {
        let throughput = median(runs.iter().map(|r| r.0).collect());
        let p99 = median(runs.iter().map(|r| r.1).collect());
        println!("| {name} | {throughput:.0} req/s | {p99:.1?} |");
    }
    let [against_plain, against_prebuilt] = ratios.map(|r| (median(r) - 1.0) * 100.0);
    println!(
        "throughput of the generated client (median of paired ratios): {against_plain:+.1}% against \
         plain reqwest, {against_prebuilt:+.1}% against headers built once"
    );
}
