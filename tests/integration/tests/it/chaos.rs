//! A bounded chaos run: a loopback server that, at random from a fixed seed, resets connections, stalls
//! past the timeout, sends truncated or non-JSON bodies, 429s with Retry-After, and 5xx. Every call must
//! end in success or a typed error, after at most the policy's attempts; a stalled attempt never ends in a
//! success (the client's own timeout ends it, long before the late reply); retried writes carry one
//! idempotency key. Nothing is timed
//! against the wall clock: a busy machine changes how long the run takes, never its verdict. The tally is
//! printed (`cargo test --test chaos -- --nocapture`).
//!
//! CHAOS_CALLS and CHAOS_SEED change the run's size and seed. Faults are drawn per call and attempt from
//! the seed, so a run replays exactly; the test checks that by running part of it again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polytomic::types::CreateUserRequestSchema;
use polytomic::{Client, Credentials, Error, RetryPolicy, RoleIds};
use polytomic_test_support::{Reply, Rng, Server, success_example};
use uuid::Uuid;

/// Each attempt's bound. A stalled attempt is answered only after 60 times this, so it ends by this bound
/// however busy the machine; any other reply is sent at once.
const TIMEOUT: Duration = Duration::from_secs(1);
const RETRIES: u32 = 2;
const MAX_BACKOFF: Duration = Duration::from_millis(40);

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the server does with one request, chosen at random.
fn fault(rng: &mut Rng, user: &str) -> (&'static str, Reply) {
    let user = user.to_string();
    match rng.below(8) {
        0 => ("reset", Reply::hang_up()),
        // Answered a minute later: only the client's timeout ends this attempt in time. A client whose
        // timeout did not work would take this (successful) reply, which the check in `run` catches.
        1 => ("stall", Reply::json(200, user).after(TIMEOUT * 60)),
        2 => ("truncated", Reply::json(200, user).truncated()),
        3 => (
            "not json",
            Reply::text(200, "text/html", "<html>oops</html>"),
        ),
        4 => ("429", Reply::json(429, "{}").header("retry-after", "0")),
        5 => ("503", Reply::json(503, r#"{"message":"down"}"#)),
        _ => ("ok", Reply::json(200, user)),
    }
}

/// Which call a request belongs to (its path for reads, its idempotency key for writes), so faults are
/// chosen per call and attempt, not from one stream that concurrent calls race for.
fn call_of(request: &polytomic_test_support::Request) -> String {
    request
        .header("idempotency-key")
        .map(str::to_string)
        .unwrap_or_else(|| request.target.clone())
}

/// FNV-1a: a fixed hash, the same on every run and machine.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The fault plan of one run: for each call, the fault each of its attempts met.
type Plan = BTreeMap<String, Vec<&'static str>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_ends_in_success_or_a_typed_error_within_bounds() {
    let calls = env("CHAOS_CALLS", 120) as usize;
    let seed = env("CHAOS_SEED", 20261127);
    let first = run(calls, seed).await;
    // The same seed replays the same faults, however the calls interleave: each attempt of each call meets
    // the fault it met before. (How many attempts a call makes can still differ: a pooled connection the
    // server has just closed is a real race, and the client retries it.)
    let second = run(calls / 4, seed).await;
    for (call, faults) in &second {
        let before = first.get(call).expect("the replayed call ran before");
        let common = faults.len().min(before.len());
        assert_eq!(
            faults[..common],
            before[..common],
            "{call} met other faults on replay"
        );
    }
}

async fn run(calls: usize, seed: u64) -> Plan {
    let plan: Arc<Mutex<Plan>> = Arc::default();
    let faults: Arc<Mutex<BTreeMap<&'static str, usize>>> = Arc::default();
    let (p, f) = (plan.clone(), faults.clone());
    let user = success_example("get_current_org_user").to_string();
    let server = Server::start(move |request| {
        let call = call_of(request);
        let mut plan = p.lock().unwrap();
        let attempts = plan.entry(call.clone()).or_default();
        let mut rng =
            Rng::new(seed ^ fnv(&call) ^ (attempts.len() as u64 + 1).wrapping_mul(0x9e37_79b9));
        let (name, reply) = fault(&mut rng, &user);
        attempts.push(name);
        *f.lock().unwrap().entry(name).or_default() += 1;
        reply
    })
    .await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::UserKey("chaos".into()))
        .credentials(Credentials::PartnerKey("chaos-partner".into()))
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .retry(
            RetryPolicy::default()
                .with_max_retries(RETRIES)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(MAX_BACKOFF),
        )
        .build()
        .unwrap();
    // Sixteen calls in flight at a time (a new one starts as soon as one ends): enough to share
    // connections, and a stalled call holds up no other.
    let mut outcomes = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..calls {
        if tasks.len() == 16 {
            outcomes.extend(tasks.join_next().await);
        }
        let client = client.clone();
        tasks.spawn(async move {
            if i % 2 == 0 {
                let id = Uuid::from_u128(i as u128);
                let outcome = client
                    .get_current_org_user()
                    .id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::from);
                (id.to_string(), outcome)
            } else {
                let body = CreateUserRequestSchema::builder()
                    .email(format!("user{i}@example.com"))
                    .role_ids(RoleIds::from(Uuid::nil()));
                let key = format!("key-{i:04}");
                let outcome = client
                    .create_partner_user()
                    .org_id(Uuid::nil())
                    .idempotency_key(key.clone())
                    .body(body)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::from);
                (key, outcome)
            }
        });
    }
    outcomes.extend(tasks.join_all().await.into_iter().map(Ok));
    let plan = plan.lock().unwrap().clone();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for outcome in outcomes {
        // A panic inside the client would surface here as a JoinError.
        let (call, outcome) = outcome.expect("no call may panic");
        // A read's call is its path, which ends with its id; a write's is its key.
        let faults = plan
            .iter()
            .find(|(name, _)| **name == call || name.ends_with(&format!("/{call}")))
            .map(|(_, faults)| faults.as_slice())
            .unwrap_or_default();
        assert!(
            faults.len() <= RETRIES as usize + 1,
            "{call}: {} attempts reached the server: {faults:?}",
            faults.len()
        );
        // A stalled reply waited out instead of the attempt timing out would succeed, after faults that
        // include no "ok" (an "ok" ends the call). Counted, not timed: the order in which a slow server
        // reads a retry and a given-up attempt does not matter.
        if outcome.is_ok() {
            assert!(
                faults.contains(&"ok"),
                "{call} succeeded, but the server never answered it well: {faults:?}"
            );
        }
        let kind = match &outcome {
            Ok(()) => "ok".to_string(),
            Err(Error::Timeout(_)) => "error: timeout".into(),
            Err(Error::Connection(_)) => "error: connection".into(),
            Err(Error::InvalidResponse { .. }) => "error: invalid response".into(),
            Err(Error::UnexpectedResponse { status, .. }) | Err(Error::Api { status, .. }) => {
                format!("error: status {}", status.as_u16())
            }
            Err(other) => panic!("an error the chaos run cannot cause: {other:?}"),
        };
        *tally.entry(kind).or_default() += 1;
    }

    // Retried writes: every attempt of one call carries that call's key and the same body.
    let mut by_key: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for request in server.requests().into_iter().filter(|r| r.method == "POST") {
        let key = request
            .header("idempotency-key")
            .expect("every write has its key")
            .to_string();
        by_key
            .entry(key)
            .or_default()
            .push(request.body.clone().unwrap_or_default());
    }
    for (key, bodies) in &by_key {
        assert!(
            bodies.len() <= RETRIES as usize + 1,
            "{key}: {} attempts",
            bodies.len()
        );
        assert!(
            bodies.iter().all(|b| b == &bodies[0]),
            "{key}: bodies differ between attempts"
        );
        let i: usize = key.trim_start_matches("key-").parse().unwrap();
        assert_eq!(
            bodies[0]["email"],
            format!("user{i}@example.com"),
            "{key} carried another call's body"
        );
    }

    println!("chaos: {calls} calls, {} requests", server.requests().len());
    println!("faults injected: {:?}", faults.lock().unwrap());
    println!("outcomes: {tally:?}");
    assert_eq!(tally.values().sum::<usize>(), calls);
    assert!(
        calls < 100 || tally.contains_key("ok"),
        "some calls must get through: {tally:?}"
    );
    assert!(
        calls < 100 || by_key.values().any(|b| b.len() > 1),
        "some writes must have been retried"
    );
    assert!(
        calls < 100 || plan.values().any(|faults| faults.contains(&"stall")),
        "some attempts must have stalled"
    );
    plan
}
