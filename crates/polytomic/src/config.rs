//! Building a client: base URL, credentials, API version, timeouts, retries, user agent.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::{Client, Error};

/// The API base URL used unless [`ClientBuilder::base_url`] or `POLYTOMIC_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://app.polytomic.com";

/// The API version this client was generated for (the spec's `info.version`), sent as
/// `X-Polytomic-Version` unless overridden.
pub const API_VERSION: &str = "2025-09-18";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("polytomic-rust/", env!("CARGO_PKG_VERSION"));

/// How the client authenticates. The key is never shown by `Debug` or `Display`.
#[derive(Clone)]
pub enum Credentials {
    /// A user API key, sent as `Authorization: Bearer <key>`. Accepted by every operation except the
    /// partner ones.
    UserKey(String),
    /// An organization-scoped key, sent as `Authorization: Basic base64(<organization id>:<key>)` as
    /// Polytomic's own Terraform provider does. Accepted wherever a user key is.
    OrgScopedKey {
        /// The organization the key belongs to.
        organization_id: String,
        /// The key.
        key: String,
    },
    /// A partner API key, sent as `Authorization: Bearer <key>`. Required by the partner operations
    /// (organizations, `*_partner_*`, shared connections; [`crate::operations`] lists which).
    PartnerKey(String),
}

impl Credentials {
    /// The `Authorization` header value, marked sensitive so reqwest and `http` never print it.
    fn header_value(&self) -> Result<HeaderValue, Error> {
        let text = match self {
            Credentials::UserKey(key) | Credentials::PartnerKey(key) => format!("Bearer {key}"),
            Credentials::OrgScopedKey {
                organization_id,
                key,
            } => {
                let pair = format!("{organization_id}:{key}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Error::InvalidConfig(
                "the API key contains characters that cannot be sent in an HTTP header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn kind(&self) -> &'static str {
        match self {
            Credentials::UserKey(_) => "UserKey",
            Credentials::OrgScopedKey { .. } => "OrgScopedKey",
            Credentials::PartnerKey(_) => "PartnerKey",
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::OrgScopedKey {
                organization_id, ..
            } => f
                .debug_struct("OrgScopedKey")
                .field("organization_id", organization_id)
                .field("key", &"<redacted>")
                .finish(),
            _ => write!(f, "{}(<redacted>)", self.kind()),
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} credentials", self.kind())
    }
}

/// When and how often failed attempts are retried.
///
/// Retried: connection errors and timeouts, and the statuses 408, 409, 429 and 5xx. GET, PUT and DELETE
/// are retried freely; a POST only when the request carries an `Idempotency-Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each further retry (with jitter).
    pub initial_backoff: Duration,
    /// The longest wait between attempts, whether from backoff or from the server's `Retry-After`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 2 retries, as Polytomic's official SDKs do; 500 ms initial backoff; at most 30 s between attempts.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// What the hooks need at request time; the client's inner value (progenitor's `with_inner_type`).
#[derive(Debug, Clone)]
pub struct ClientState {
    pub(crate) retry: RetryPolicy,
    /// `Authorization` for operations that take a user or organization-scoped key (marked sensitive).
    pub(crate) user_auth: Option<HeaderValue>,
    /// `Authorization` for the partner operations (marked sensitive).
    pub(crate) partner_auth: Option<HeaderValue>,
}

/// Builds a [`Client`]. Start with [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    user_credentials: Option<Credentials>,
    partner_credentials: Option<Credentials>,
    api_version: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.into(),
            user_credentials: None,
            partner_credentials: None,
            api_version: API_VERSION.into(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientBuilder {
    /// The API base URL (default `https://app.polytomic.com`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Credentials for the operations that take them. Call it twice to hold a user-side key
    /// ([`Credentials::UserKey`] or [`Credentials::OrgScopedKey`]) and a [`Credentials::PartnerKey`]: each
    /// operation is sent with the kind it takes ([`crate::operations::accepts`]). A second key of the same
    /// side replaces the first.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        match credentials {
            Credentials::PartnerKey(_) => self.partner_credentials = Some(credentials),
            _ => self.user_credentials = Some(credentials),
        }
        self
    }

    /// The `X-Polytomic-Version` sent when a request does not set its own (default [`API_VERSION`]).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The limit for one attempt, from connecting to the end of the response body (default 60 s, as the
    /// official SDKs).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client, checking the configuration.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = reqwest::Url::parse(&self.base_url).map_err(|e| {
            Error::InvalidConfig(format!("base URL {:?} is not a URL: {e}", self.base_url))
        })?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(Error::InvalidConfig(format!(
                "base URL {:?} must start with http:// or https://",
                self.base_url
            )));
        }
        let mut headers = HeaderMap::new();
        // reqwest adds default headers only where a request has not set its own, so a per-request
        // `x_polytomic_version(..)` replaces this one instead of being sent beside it.
        let version = HeaderValue::from_str(&self.api_version).map_err(|_| {
            Error::InvalidConfig(format!(
                "API version {:?} is not a valid header value",
                self.api_version
            ))
        })?;
        headers.insert("x-polytomic-version", version);
        let header_of =
            |c: &Option<Credentials>| c.as_ref().map(Credentials::header_value).transpose();
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        let state = ClientState {
            retry: self.retry,
            user_auth: header_of(&self.user_credentials)?,
            partner_auth: header_of(&self.partner_credentials)?,
        };
        // progenitor appends paths to the base URL as text: no trailing slash.
        Ok(Client::new_with_client(
            self.base_url.trim_end_matches('/'),
            http,
            state,
        ))
    }
}

impl Client {
    /// A builder with the defaults: `https://app.polytomic.com`, API version [`API_VERSION`], 60 s
    /// timeout, 2 retries, no credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the user API key in `POLYTOMIC_API_KEY` (sent as the
    /// organization-scoped key when `POLYTOMIC_ORGANIZATION_ID` is set too), the partner key in
    /// `POLYTOMIC_PARTNER_KEY` (at least one of the two keys), and `POLYTOMIC_BASE_URL` when set.
    pub fn from_env() -> Result<Client, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut builder = Client::builder();
        match (var("POLYTOMIC_API_KEY"), var("POLYTOMIC_ORGANIZATION_ID")) {
            (Some(key), Some(organization_id)) => {
                builder = builder.credentials(Credentials::OrgScopedKey {
                    organization_id,
                    key,
                })
            }
            (Some(key), None) => builder = builder.credentials(Credentials::UserKey(key)),
            (None, _) => {}
        }
        if let Some(key) = var("POLYTOMIC_PARTNER_KEY") {
            builder = builder.credentials(Credentials::PartnerKey(key));
        }
        if builder.user_credentials.is_none() && builder.partner_credentials.is_none() {
            return Err(Error::InvalidConfig(
                "neither POLYTOMIC_API_KEY nor POLYTOMIC_PARTNER_KEY is set".into(),
            ));
        }
        if let Some(url) = var("POLYTOMIC_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }
}
