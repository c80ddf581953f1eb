//! `wait()` on the stateful fake over a loopback socket: a bulk sync started with `start_bulk_sync` and
//! waited for through `get_bulk_sync_execution`, as the fake moves it through a script of states. The
//! pauses are a millisecond (the policy's arithmetic is tested on a paused clock in `waiting.rs`); nothing
//! here asserts a time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use polytomic::types::BulkExecutionStatus;
use polytomic::waiting::{Outcome, WaitPolicy};
use polytomic_test_support::{Fake, Server, builder, spec};

const SYNC: uuid::Uuid = uuid::uuid!("11111111-2222-4333-8444-555555555555");

fn quick(max_wait: Duration) -> WaitPolicy {
    let mut policy = WaitPolicy::default();
    policy.first_delay = Duration::from_millis(1);
    policy.max_delay = Duration::from_millis(1);
    policy.max_wait = max_wait;
    policy
}

/// Starts a bulk sync on a fake running `script` and waits for it; the outcome, the states seen (with
/// whether the spec knows them) and the statuses the server answered the polls with.
async fn run(
    script: &[&str],
    max_wait: Duration,
) -> (
    Outcome<polytomic::types::BulkSyncExecutionEnvelope>,
    Vec<(String, bool)>,
    Vec<u16>,
) {
    let fake = Arc::new(Fake::new(spec()).script(script));
    let answered = Arc::new(Mutex::new(Vec::new()));
    let (f, a) = (fake.clone(), answered.clone());
    let server = Server::start(move |request| {
        let (operation, reply) = f.reply(request);
        if operation.as_deref() == Some("get_bulk_sync_execution") {
            a.lock().unwrap().push(reply.status());
        }
        reply
    })
    .await;
    let retry = polytomic::RetryPolicy::default().with_initial_backoff(Duration::from_millis(1));
    let client = builder(&server).retry(retry).build().unwrap();
    let started = client.start_bulk_sync().id(SYNC).send().await.unwrap();
    let execution = started.into_inner().data.and_then(|e| e.id).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = client
        .get_bulk_sync_execution()
        .id(SYNC)
        .exec_id(execution)
        .wait()
        .policy(quick(max_wait))
        .on_state(move |p| log.lock().unwrap().push((p.status.to_string(), p.known)))
        .send()
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let answered = answered.lock().unwrap().clone();
    (outcome, seen, answered)
}

fn states(seen: &[(String, bool)]) -> Vec<&str> {
    seen.iter().map(|(s, _)| s.as_str()).collect()
}

const LONG: Duration = Duration::from_secs(600);

#[tokio::test]
async fn a_bulk_sync_is_waited_for_through_created_and_running_to_completed() {
    let (outcome, seen, answered) = run(&["created", "running", "completed"], LONG).await;
    let Outcome::Succeeded(done) = outcome else {
        panic!("not a success: {outcome:?}");
    };
    assert_eq!(
        done.data.unwrap().status,
        Some(BulkExecutionStatus::Completed)
    );
    assert_eq!(states(&seen), ["created", "running", "completed"]);
    assert_eq!(answered, [200, 200, 200]);
}

#[tokio::test]
async fn a_failed_run_is_an_outcome_with_the_run_not_an_error() {
    let (outcome, seen, _) = run(&["created", "running", "failed"], LONG).await;
    let Outcome::Failed(run) = outcome else {
        panic!("not a failure: {outcome:?}");
    };
    assert_eq!(run.data.unwrap().status, Some(BulkExecutionStatus::Failed));
    assert_eq!(states(&seen), ["created", "running", "failed"]);
}

#[tokio::test]
async fn a_canceled_run_is_its_own_outcome() {
    let (outcome, _, _) = run(&["running", "canceling", "canceled"], LONG).await;
    assert!(matches!(outcome, Outcome::Canceled(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_run_that_outlives_the_maximum_wait_times_out_with_its_last_state() {
    let (outcome, seen, answered) = run(&["running"], Duration::from_millis(30)).await;
    let Outcome::TimedOut(last) = outcome else {
        panic!("not timed out: {outcome:?}");
    };
    assert_eq!(
        last.data.unwrap().status,
        Some(BulkExecutionStatus::Running)
    );
    // How many polls fit in 30 ms depends on the machine: at least one, each one answered.
    assert!(!seen.is_empty() && answered.len() == seen.len(), "{seen:?}");
}

#[tokio::test]
async fn a_state_the_document_does_not_list_is_waited_through_and_kept() {
    let (outcome, seen, _) = run(&["created", "warming_up", "completed"], LONG).await;
    assert!(outcome.succeeded(), "{outcome:?}");
    assert_eq!(
        seen,
        [
            ("created".into(), true),
            ("warming_up".into(), false),
            ("completed".into(), true)
        ]
    );
}

#[tokio::test]
async fn a_503_in_the_middle_is_retried_and_the_wait_goes_on() {
    let (outcome, seen, answered) = run(&["created", "503", "running", "completed"], LONG).await;
    assert!(outcome.succeeded(), "{outcome:?}");
    // The 503 never reaches the waiter: the poll's own retry takes it.
    assert_eq!(states(&seen), ["created", "running", "completed"]);
    assert_eq!(answered, [200, 503, 200, 200]);
}

#[tokio::test]
async fn a_model_sync_a_query_a_refresh_and_a_job_wait_on_the_default_script() {
    let fake = Arc::new(Fake::new(spec()));
    let f = fake.clone();
    let server = Server::start(move |request| f.reply(request).1).await;
    let client = builder(&server).build().unwrap();
    let policy = quick(LONG);

    let started = client
        .start_sync()
        .id(SYNC)
        .send()
        .await
        .unwrap()
        .into_inner();
    let execution = started.data.and_then(|e| e.id).unwrap();
    let outcome = client
        .get_sync_execution()
        .sync_id(SYNC)
        .id(execution)
        .wait()
        .policy(policy)
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");

    let query = client.run_query().connection_id(SYNC).query("select 1");
    let query = query
        .body(polytomic::types::RunQueryRequest(Default::default()))
        .send()
        .await;
    let query = query.unwrap().into_inner();
    let query = query.data.and_then(|q| q.id).unwrap();
    let outcome = client
        .get_query()
        .id(query)
        .wait()
        .policy(policy)
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");

    client.refresh_schemas().id(SYNC).send().await.unwrap();
    let outcome = client
        .get_schema_status()
        .id(SYNC)
        .wait()
        .policy(policy)
        .send()
        .await
        .unwrap();
    let status = outcome
        .clone()
        .into_inner()
        .data
        .and_then(|s| s.cache_status);
    assert!(
        outcome.succeeded() && status.as_deref() == Some("fresh"),
        "{status:?}"
    );

    let model = polytomic::types::CreateModelRequest::builder()
        .connection_id(SYNC)
        .name("orders")
        .configuration(serde_json::Map::new());
    let preview = client
        .preview_model()
        .async_(true)
        .body(model)
        .send()
        .await
        .unwrap();
    let preview = preview.into_inner();
    let job = preview.job.unwrap();
    let outcome = client
        .get_job()
        .type_(job.type_.unwrap())
        .id(job.job_id.unwrap())
        .wait()
        .policy(policy)
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
}
