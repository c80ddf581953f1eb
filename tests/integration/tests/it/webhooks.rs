//! `polytomic::webhooks` on deliveries shaped as Polytomic's guide "Syncing to custom webhooks" shows them
//! (tests/support/fixtures/sync-webhook-delivery.json: the guide's example request, its elided ids and
//! emails filled in): gzip and plain bodies, the bearer secret, the timestamp's window; and an events
//! webhook delivery decoded with the fields the spec does not name kept.

use std::io::Write;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use polytomic::webhooks::{Refused, SyncWebhook, parse_event};

const SECRET: &str = "the-connection-secret";
const MADE: &str = "2021-06-01T22:55:36Z";

fn delivery() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../support/fixtures/sync-webhook-delivery.json"
    );
    std::fs::read(path).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The guide's headers: `Authorization: Bearer <secret>` and `Polytomic-Signature-Timestamp`.
fn headers(token: Option<&str>, made: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("accept-encoding", "gzip".parse().unwrap());
    if let Some(token) = token {
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    if let Some(made) = made {
        headers.insert("polytomic-signature-timestamp", made.parse().unwrap());
    }
    headers
}

/// `MADE` plus `seconds` (negative: before it).
fn at(seconds: i64) -> SystemTime {
    // MADE, in seconds since the epoch.
    let made = SystemTime::UNIX_EPOCH + Duration::from_secs(1_622_588_136);
    if seconds >= 0 {
        made + Duration::from_secs(seconds as u64)
    } else {
        made - Duration::from_secs(seconds.unsigned_abs())
    }
}

#[test]
fn a_fresh_delivery_with_the_secret_decodes_gzipped_or_plain() {
    let hook = SyncWebhook::new(SECRET);
    for body in [gzip(&delivery()), delivery()] {
        let got = hook
            .verify(&headers(Some(SECRET), Some(MADE)), &body, at(60))
            .unwrap();
        assert_eq!(got.event, "sync.records");
        assert_eq!(got.object.name, "Webhook HTTP Endpoint sync");
        let emails: Vec<_> = got
            .object
            .records
            .iter()
            .map(|r| r.fields["email"].as_str().unwrap())
            .collect();
        assert_eq!(emails, ["jane@example.com", "joe@example.com"]);
        assert_eq!(got.object.records[0].hash, "b7421c6c57bd49f7");
        // Re-encoded, it is the delivery's JSON (nothing invented, nothing dropped).
        let sent: serde_json::Value = serde_json::from_slice(&delivery()).unwrap();
        assert_eq!(serde_json::to_value(&got).unwrap(), sent);
    }
}

#[test]
fn credentials_are_checked_first_and_the_secret_never_shows() {
    let hook = SyncWebhook::new(SECRET);
    let body = gzip(&delivery());
    let refused = |token: Option<&str>| {
        hook.verify(&headers(token, Some(MADE)), &body, at(0))
            .unwrap_err()
    };
    assert_eq!(refused(None), Refused::NoCredentials);
    assert_eq!(refused(Some("the-connection-secreT")), Refused::WrongSecret);
    assert_eq!(
        refused(Some("the-connection-secret-and-more")),
        Refused::WrongSecret
    );
    assert_eq!(
        refused(Some("")),
        Refused::NoCredentials,
        "an empty token is none"
    );
    // Basic instead of Bearer.
    let mut basic = headers(None, Some(MADE));
    basic.insert("authorization", format!("Basic {SECRET}").parse().unwrap());
    assert_eq!(
        hook.verify(&basic, &body, at(0)).unwrap_err(),
        Refused::NoCredentials
    );
    let shown = format!("{hook:?} {}", refused(Some("x")));
    assert!(!shown.contains(SECRET), "{shown}");
    // The scheme's name in any case.
    let mut lower = headers(None, Some(MADE));
    lower.insert("authorization", format!("bearer {SECRET}").parse().unwrap());
    assert!(hook.verify(&lower, &body, at(0)).is_ok());
    // An empty secret (an unset variable, say) accepts nothing, not everything.
    let unset = SyncWebhook::new("");
    assert_eq!(
        unset
            .verify(&headers(Some(""), Some(MADE)), &body, at(0))
            .unwrap_err(),
        Refused::NoSecret
    );
}

#[test]
fn the_timestamp_must_be_within_the_window_either_way() {
    let hook = SyncWebhook::new(SECRET).window(Duration::from_secs(300));
    let body = delivery();
    let verify = |made: Option<&str>, now| hook.verify(&headers(Some(SECRET), made), &body, now);
    assert!(verify(Some(MADE), at(300)).is_ok());
    assert!(verify(Some(MADE), at(-300)).is_ok());
    assert_eq!(
        verify(Some(MADE), at(301)).unwrap_err(),
        Refused::NotFresh {
            off_by: Duration::from_secs(301),
            window: Duration::from_secs(300)
        }
    );
    assert!(matches!(
        verify(Some(MADE), at(-3600)).unwrap_err(),
        Refused::NotFresh { .. }
    ));
    assert!(matches!(
        verify(None, at(0)).unwrap_err(),
        Refused::BadTimestamp(why) if why == "missing"
    ));
    assert!(matches!(
        verify(Some("yesterday"), at(0)).unwrap_err(),
        Refused::BadTimestamp(why) if why.starts_with("not an RFC 3339 time")
    ));
}

#[test]
fn a_body_that_is_not_the_documented_json_is_refused_with_a_reason() {
    let hook = SyncWebhook::new(SECRET);
    let ok = headers(Some(SECRET), Some(MADE));
    let mut broken_gzip = gzip(&delivery());
    broken_gzip.truncate(broken_gzip.len() / 2);
    for (body, reason) in [
        (broken_gzip, "not valid gzip"),
        (b"{\"event\": 1}".to_vec(), "invalid type"),
        (b"not json".to_vec(), "expected"),
    ] {
        match hook.verify(&ok, &body, at(0)).unwrap_err() {
            Refused::BadBody(why) => assert!(why.contains(reason), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    // The reason is short, even when serde quotes a long value the sender sent.
    let long = format!(
        r#"{{"event":"sync.records","object":"{}"}}"#,
        "x".repeat(10_000)
    );
    match hook.verify(&ok, long.as_bytes(), at(0)).unwrap_err() {
        Refused::BadBody(why) => assert!(why.chars().count() <= 203, "{} chars", why.len()),
        other => panic!("{other:?}"),
    }
    // The size limit holds once un-gzipped (a small gzip that grows large) and for a plain body.
    let size = delivery().len();
    let capped = SyncWebhook::new(SECRET).max_body(size - 1);
    for body in [gzip(&delivery()), delivery()] {
        match capped.verify(&ok, &body, at(0)).unwrap_err() {
            Refused::BadBody(why) => assert_eq!(why, format!("larger than {} bytes", size - 1)),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        SyncWebhook::new(SECRET)
            .max_body(size)
            .verify(&ok, &gzip(&delivery()), at(0))
            .is_ok()
    );
    // Two gzip members (as `cat a.gz b.gz` makes) read as one body: here, two halves of the JSON.
    let json = delivery();
    let (a, b) = json.split_at(json.len() / 2);
    let two = [gzip(a), gzip(b)].concat();
    assert!(hook.verify(&ok, &two, at(0)).is_ok());
}

#[test]
fn an_events_delivery_decodes_and_keeps_what_the_spec_does_not_name() {
    let body = br#"{"id":"9c2b1a2e-0f44-4b55-8a53-1d6c8a7e9f10","organization_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "type":"sync.completed","created_at":"2025-09-18T12:00:00Z","delivered_by":"webhook-v2"}"#;
    let event = parse_event(body).unwrap();
    assert_eq!(event.type_.as_deref(), Some("sync.completed"));
    assert_eq!(event.extra["delivered_by"], "webhook-v2");
    assert!(matches!(
        parse_event(b"[]").unwrap_err(),
        Refused::BadBody(_)
    ));
}
