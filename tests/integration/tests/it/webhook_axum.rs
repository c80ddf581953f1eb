//! The README's axum example of receiving sync deliveries, on a loopback socket: a route that hands the
//! request's headers and bytes to `SyncWebhook::verify`, keeps the records of a delivery that passes and
//! answers 401 to one that does not. The clock is the test's (`Receiver::now`), not the wall's.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use polytomic::webhooks::{Refused, SyncDelivery, SyncWebhook};

const SECRET: &str = "the-connection-secret";
/// The guide's example delivery was made at 2021-06-01T22:55:36Z.
const MADE: &str = "2021-06-01T22:55:36Z";

/// What the route shares: the verifier, the clock it judges freshness by, and what it kept.
#[derive(Clone)]
struct Receiver {
    hook: Arc<SyncWebhook>,
    now: fn() -> SystemTime,
    kept: Arc<Mutex<Vec<SyncDelivery>>>,
}

/// The handler, as the README shows it (with the clock and the storage made the test's).
async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match receiver.hook.verify(&headers, &body, (receiver.now)()) {
        Ok(delivery) => {
            receiver.kept.lock().unwrap().push(delivery);
            StatusCode::OK
        }
        Err(Refused::BadBody(_)) => StatusCode::BAD_REQUEST,
        Err(_) => StatusCode::UNAUTHORIZED,
    }
}

fn a_minute_after_made() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_622_588_136 + 60)
}

fn a_day_after_made() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_622_588_136 + 86_400)
}

async fn serve(now: fn() -> SystemTime) -> (String, Arc<Mutex<Vec<SyncDelivery>>>) {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let receiver = Receiver {
        hook: Arc::new(SyncWebhook::new(SECRET)),
        now,
        kept: kept.clone(),
    };
    let app = Router::new()
        .route("/polytomic/sync", post(receive))
        .layer(DefaultBodyLimit::max(polytomic::webhooks::MAX_BODY))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/polytomic/sync", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, kept)
}

fn delivery_gzipped() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../support/fixtures/sync-webhook-delivery.json"
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(path).unwrap()).unwrap();
    encoder.finish().unwrap()
}

/// Posts a delivery as Polytomic does (the bearer token, the timestamp, a gzip body); the status answered.
/// Sent with this crate's own client: `send_raw` with the token as its key.
async fn post_delivery(url: &str, token: &str, body: Vec<u8>) -> u16 {
    let (base, path) = url.split_at(url.find("/polytomic").unwrap());
    let options = polytomic::RequestOptions::new()
        .header("polytomic-signature-timestamp", MADE)
        .and_then(|o| o.header("content-encoding", "gzip"))
        .unwrap();
    let client = polytomic::Client::builder()
        .base_url(base)
        .credentials(polytomic::Credentials::UserKey(token.into()))
        .retry(polytomic::RetryPolicy::none())
        .build()
        .unwrap()
        .with_options(options);
    let sent = client
        .send_raw(None, reqwest::Method::POST, path, Some(body))
        .await;
    match sent {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.status().unwrap().as_u16(),
    }
}

#[tokio::test]
async fn the_axum_route_keeps_a_verified_delivery_and_refuses_the_rest() {
    let (url, kept) = serve(a_minute_after_made).await;
    assert_eq!(post_delivery(&url, SECRET, delivery_gzipped()).await, 200);
    assert_eq!(
        post_delivery(&url, "a-guess", delivery_gzipped()).await,
        401
    );
    assert_eq!(
        post_delivery(&url, SECRET, b"not gzip, not json".to_vec()).await,
        400
    );
    let kept = kept.lock().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].event, "sync.records");
    assert!(!kept[0].object.records.is_empty());
}

#[tokio::test]
async fn a_delivery_replayed_a_day_later_is_refused() {
    let (url, kept) = serve(a_day_after_made).await;
    assert_eq!(post_delivery(&url, SECRET, delivery_gzipped()).await, 401);
    assert!(kept.lock().unwrap().is_empty());
}
