//! Receiving what Polytomic sends, as framework-free functions over a delivery's headers and bytes (feature
//! `webhooks`):
//!
//! - **Sync deliveries** of the custom-webhook destination (Polytomic's guide "Syncing to custom
//!   webhooks"): [`SyncWebhook::verify`] checks the documented `Authorization: Bearer <secret>` (compared in
//!   constant time) and the `Polytomic-Signature-Timestamp` against a freshness window (the guide: "reject
//!   requests older than you expect (more than a few minutes old)"), un-gzips the body ("Polytomic delivers
//!   payloads as a gzipped response") and returns the typed [`SyncDelivery`].
//! - **Events webhook deliveries**: [`parse_event`] decodes one into the [`Event`](crate::types::Event)
//!   the events listing returns (unknown fields kept). Each delivery carries a `Polytomic-Signature`, an
//!   HMAC of the body keyed by the webhook's secret, but Polytomic's guide does not state the hash or the
//!   encoding in text (only in a Go example this project could not read), so this client does not verify
//!   it yet: verify it yourself, or reach the endpoint only from where you trust the sender.
//!
//! ```
//! # use polytomic::webhooks::SyncWebhook;
//! # let (headers, body) = (http::HeaderMap::new(), Vec::<u8>::new());
//! let hook = SyncWebhook::new("the connection's secret");
//! match hook.verify(&headers, &body, std::time::SystemTime::now()) {
//!     Ok(delivery) => println!("{} records", delivery.object.records.len()),
//!     Err(refused) => eprintln!("refused: {refused}"), // answer 401 (or 400) and keep nothing
//! }
//! ```

use std::fmt;
use std::io::Read;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::Secret;

/// The header that carries the time a sync delivery was made (RFC 3339).
pub const TIMESTAMP_HEADER: &str = "polytomic-signature-timestamp";

/// The largest body, once un-gzipped, that [`SyncWebhook::verify`] reads by default: a gzip bomb stops
/// here ([`SyncWebhook::max_body`] to change it).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// A sync delivery of the custom-webhook destination: `{"event": "sync.records", "object": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncDelivery {
    /// The event type; the guide documents `sync.records`.
    pub event: String,
    /// The sync and its records.
    pub object: SyncRecords,
    /// What the guide does not name, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The sync and the batch of records it delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRecords {
    /// The sync's id.
    pub id: String,
    /// The sync's name.
    #[serde(default)]
    pub name: String,
    /// The batch of records.
    #[serde(default)]
    pub records: Vec<SyncRecord>,
    /// What the guide does not name, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One record: its fields as the sync maps them, and Polytomic's hash of the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// Polytomic's hash of the record.
    #[serde(default)]
    pub hash: String,
    /// The record's fields, by the names the sync maps them to.
    #[serde(default)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// What the guide does not name, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Why a delivery was refused. Nothing of the secret is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refused {
    /// No `Authorization: Bearer ...` header.
    NoCredentials,
    /// The bearer token is not the connection's secret.
    WrongSecret,
    /// No `Polytomic-Signature-Timestamp`, or one that is not an RFC 3339 time.
    BadTimestamp(String),
    /// Made longer ago than the window allows, or that far in the future (a wrong clock). The timestamp is
    /// not signed: the window limits how long a delivery stays acceptable, not who may resend it (whoever
    /// can resend one holds the secret anyway).
    NotFresh {
        /// How far the timestamp is from now.
        off_by: Duration,
        /// The window the delivery had to be within.
        window: Duration,
    },
    /// The body is not gzip or JSON the guide describes, or is larger than the limit.
    BadBody(String),
    /// The webhook was set up with an empty secret, which every delivery would match: none is accepted.
    NoSecret,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NoCredentials => write!(f, "no `Authorization: Bearer` header"),
            Refused::WrongSecret => write!(f, "the bearer token is not the connection's secret"),
            Refused::BadTimestamp(why) => write!(f, "`Polytomic-Signature-Timestamp`: {why}"),
            Refused::NotFresh { off_by, window } => write!(
                f,
                "the delivery's timestamp is {}s from now, outside the {}s window",
                off_by.as_secs(),
                window.as_secs()
            ),
            Refused::BadBody(why) => write!(f, "the body: {why}"),
            Refused::NoSecret => write!(f, "the webhook has an empty secret: nothing is accepted"),
        }
    }
}

impl std::error::Error for Refused {}

/// Checks deliveries of one custom-webhook connection: its secret and how fresh a delivery must be.
#[derive(Debug, Clone)]
pub struct SyncWebhook {
    secret: Secret,
    window: Duration,
    max_body: usize,
}

impl SyncWebhook {
    /// For the connection whose secret is `secret`; deliveries within 5 minutes of now pass.
    pub fn new(secret: impl Into<String>) -> Self {
        SyncWebhook {
            secret: Secret::from(secret.into()),
            window: Duration::from_secs(300),
            max_body: MAX_BODY,
        }
    }

    /// The largest body, once un-gzipped, a delivery may have (default [`MAX_BODY`]).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How far from now (either way) a delivery's timestamp may be.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The delivery, when its credentials, timestamp and body pass; `now` is the time to judge freshness by.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<SyncDelivery, Refused> {
        let secret = self.secret.expose().as_bytes();
        if secret.is_empty() {
            return Err(Refused::NoSecret);
        }
        // The scheme's name is case-insensitive (RFC 9110).
        let token = headers
            .get(http::header::AUTHORIZATION)
            .map(|v| v.as_bytes())
            .filter(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case(b"bearer "))
            .map(|v| &v[7..])
            .ok_or(Refused::NoCredentials)?;
        // Constant time, so the answer's timing tells nothing of how much of a guess was right (only
        // whether its length is the secret's).
        if !bool::from(token.ct_eq(secret)) {
            return Err(Refused::WrongSecret);
        }
        let stamp = headers
            .get(TIMESTAMP_HEADER)
            .ok_or_else(|| Refused::BadTimestamp("missing".into()))?
            .to_str()
            .map_err(|_| Refused::BadTimestamp("not text".into()))?;
        let made: SystemTime = chrono::DateTime::parse_from_rfc3339(stamp)
            .map_err(|e| Refused::BadTimestamp(format!("not an RFC 3339 time: {e}")))?
            .into();
        let off_by = now
            .duration_since(made)
            .or_else(|_| made.duration_since(now))
            .unwrap_or_default();
        if off_by > self.window {
            return Err(Refused::NotFresh {
                off_by,
                window: self.window,
            });
        }
        let json = ungzipped(body, self.max_body)?;
        serde_json::from_slice(&json).map_err(undecodable)
    }
}

/// `body` un-gzipped when it is gzip (by its magic bytes: the guide shows no `Content-Encoding`; every
/// member, as `gzip -d` reads them), as it is otherwise; at most `limit` bytes either way.
fn ungzipped(body: &[u8], limit: usize) -> Result<Vec<u8>, Refused> {
    let too_large = || Refused::BadBody(format!("larger than {limit} bytes"));
    if !body.starts_with(&[0x1f, 0x8b]) {
        return if body.len() > limit {
            Err(too_large())
        } else {
            Ok(body.to_vec())
        };
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Refused::BadBody(format!("not valid gzip: {e}")))?;
    if out.len() > limit {
        return Err(too_large());
    }
    Ok(out)
}

/// An events webhook delivery, as the [`Event`](crate::types::Event) the events listing returns (fields
/// the spec does not name are kept in `extra`). Its `Polytomic-Signature` is not verified (module docs).
pub fn parse_event(body: &[u8]) -> Result<crate::types::Event, Refused> {
    serde_json::from_slice(body).map_err(undecodable)
}

/// A body that does not decode, said in at most 200 characters (serde quotes the value it refused, which
/// is the sender's data).
fn undecodable(error: serde_json::Error) -> Refused {
    Refused::BadBody(crate::body::shortened(&error.to_string(), 200).into_owned())
}
