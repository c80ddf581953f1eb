//! Tracing, with no other test running (`main.rs`): tracing caches per call site whether anyone listens, and
//! a test on another thread that reaches the same call sites first, with no subscriber, could leave this
//! test's thread-local subscriber without some events (seen: "attempt=1 status=503" missing on a busy
//! machine, when this test shared its process with the others).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use polytomic::RetryPolicy;
use polytomic_test_support::{Reply, Server, TEST_KEY, builder, success_example};
use uuid::Uuid;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn tracing_records_each_attempt_without_the_key() {
    let _alone = crate::alone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(records_each_attempt_without_the_key());
}

async fn records_each_attempt_without_the_key() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The runtime runs on this thread only, so a thread-local default covers the whole call.
    let _guard = tracing::subscriber::set_default(subscriber);

    let answered = std::sync::atomic::AtomicBool::new(false);
    let server = Server::start(move |_| {
        if answered.swap(true, std::sync::atomic::Ordering::SeqCst) {
            Reply::json(200, success_example("get_current_org_user").to_string())
                .header("x-polytomic-version", "2025-09-18")
        } else {
            Reply::json(503, "{}")
        }
    })
    .await;
    let api = builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_retries(1)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    api.get_current_org_user()
        .id(Uuid::parse_str("248df4b7-aa70-47b8-a036-33ac447e668d").unwrap())
        .send()
        .await
        .unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "polytomic.request{operation=\"get_current_org_user\" method=GET path=\"/api/organization/users/248df4b7-aa70-47b8-a036-33ac447e668d\"}",
        "attempt=1 status=503",
        "retrying",
        "attempt=2 status=200",
        "polytomic_version=\"2025-09-18\"",
        "duration_ms=",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
    assert!(!log.contains(TEST_KEY), "{log}");
}
