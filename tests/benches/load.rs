//! 10,000 requests from 64 concurrent tasks through the generated client, against a loopback server that
//! counts every request and TCP connection; the same through a hand-written reqwest loop. Prints failures,
//! lost or duplicated requests, connections accepted, throughput and p50/p99 latency.
//!
//! cargo bench -p polytomic-tests --bench load

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polytomic::types::UserEnvelope;
use polytomic_tests::{Reply, Server, TEST_KEY, success_example};
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

fn report(name: &str, run: &Run, server: &Server) {
    let (lost, duplicated) = lost_and_duplicated(server);
    let pct = |p: f64| {
        run.latencies[((run.latencies.len() as f64 * p) as usize).min(run.latencies.len() - 1)]
    };
    println!(
        "| {name} | {} | {lost} | {duplicated} | {} | {:.0} req/s | {:.0?} | {:.0?} |",
        run.failures,
        server.connections(),
        REQUESTS as f64 / run.elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
    );
}

#[tokio::main]
async fn main() {
    let body = success_example("get_current_org_user").to_string();
    println!("{REQUESTS} requests, {TASKS} concurrent tasks, loopback server");
    println!(
        "| client | failures | lost | duplicated | TCP connections | throughput | p50 | p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|");

    let server = Server::replying(Reply::json(200, body.clone())).await;
    let client = polytomic::Client::builder()
        .base_url(server.url())
        .credentials(polytomic::Credentials::UserKey(TEST_KEY.into()))
        .build()
        .unwrap();
    let run = drive(move |id| {
        let client = client.clone();
        async move { client.get_current_org_user().id(id).send().await.is_ok() }
    })
    .await;
    report("generated client", &run, &server);

    let server = Server::replying(Reply::json(200, body)).await;
    let (http, url) = (
        reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap(),
        server.url().to_string(),
    );
    let run = drive(move |id| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let Ok(response) = http
                .get(format!("{url}/api/organization/users/{id}"))
                .header("authorization", format!("Bearer {TEST_KEY}"))
                .header("x-polytomic-version", polytomic::API_VERSION)
                .send()
                .await
            else {
                return false;
            };
            let Ok(bytes) = response.bytes().await else {
                return false;
            };
            serde_json::from_slice::<UserEnvelope>(&bytes).is_ok()
        }
    })
    .await;
    report("plain reqwest", &run, &server);
}
