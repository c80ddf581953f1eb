//! What every call reads at request time: the client's [`ClientState`] (progenitor's inner type, named by
//! the generated code) with the per-call [`RequestOptions`], and the defaults it starts from. Built by
//! `config.rs`, read by `hooks.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::error::Error;
use crate::operations::API_VERSION;
use crate::retry::RetryPolicy;

/// Options for the calls of one [`Client`](crate::Client) value, like the official SDKs' `requestOptions`:
/// `client.with_options(RequestOptions::new().timeout(..))` gives a client (sharing connections with the
/// original) whose calls, made with the usual generated builders, use them.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) headers: HeaderMap,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limit for each attempt of these calls, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retries for these calls, instead of the policy's `max_retries`.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// A header to send with these calls (replacing one of the same name the client would send; not
    /// `Authorization`, which stays the client's, nor `Idempotency-Key`, which names one call: set it on
    /// that call's builder). A name or value that cannot be sent is an error.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let name = header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidConfig(format!("{name:?} is not a header name")))?;
        if name == header::AUTHORIZATION {
            return Err(Error::InvalidConfig(
                "Authorization comes from the client's credentials".into(),
            ));
        }
        if name == crate::body::IDEMPOTENCY_KEY {
            return Err(Error::InvalidConfig(
                "an Idempotency-Key names one call (Polytomic answers every later call with the same key \
                 with the first one's outcome): set it with `.idempotency_key(..)` on that call"
                    .into(),
            ));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidConfig(format!("the value for {name} cannot be sent")))?;
        self.headers.insert(name, value);
        Ok(self)
    }
}

/// What the hooks need at request time; the client's inner value (progenitor's `with_inner_type`).
/// [`ClientBuilder`](crate::ClientBuilder) makes it; `ClientState::default()` (no credentials, default policy) lets
/// `Client::new_with_client` be called directly too.
#[derive(Debug, Clone)]
pub struct ClientState {
    pub(crate) retry: RetryPolicy,
    pub(crate) api_version: HeaderValue,
    /// The limit the hooks set on each request; `None` when the `reqwest::Client` enforces it already (the
    /// one [`ClientBuilder`] builds), which spares every request reqwest's per-request extension.
    pub(crate) timeout: Option<Duration>,
    pub(crate) options: RequestOptions,
    /// `Authorization` for operations that take a user or organization-scoped key (marked sensitive).
    pub(crate) user_auth: Option<HeaderValue>,
    /// `Authorization` for the partner operations (marked sensitive).
    pub(crate) partner_auth: Option<HeaderValue>,
    /// Shown every success body before it is decoded, when the caller asked.
    pub(crate) success_bodies: Option<SuccessBodies>,
    /// Whether a POST that takes an `Idempotency-Key` and has none gets one.
    pub(crate) generate_idempotency_keys: bool,
}

/// The caller's look at each success body ([`ClientBuilder::on_success_body`](crate::ClientBuilder::on_success_body)).
#[derive(Clone)]
pub(crate) struct SuccessBodies(pub(crate) Arc<ObserveBody>);

/// What [`SuccessBodies`] calls with each body.
pub(crate) type ObserveBody = dyn Fn(&[u8]) + Send + Sync;

impl fmt::Debug for SuccessBodies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SuccessBodies(..)")
    }
}

impl Default for ClientState {
    fn default() -> Self {
        ClientState {
            retry: RetryPolicy::default(),
            api_version: HeaderValue::from_static(API_VERSION),
            timeout: Some(DEFAULT_TIMEOUT),
            options: RequestOptions::default(),
            user_auth: None,
            partner_auth: None,
            success_bodies: None,
            generate_idempotency_keys: true,
        }
    }
}

pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
