//! Building a client: base URL, credentials, API version, timeouts, retries, user agent.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::retry::RetryPolicy;
use crate::{Client, Error};

/// The API base URL used unless [`ClientBuilder::base_url`] or `POLYTOMIC_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://app.polytomic.com";

/// The API version this client was generated for (the spec's `info.version`), sent as
/// `X-Polytomic-Version` unless overridden.
pub const API_VERSION: &str = "2025-09-18";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("polytomic-rust/", env!("CARGO_PKG_VERSION"));

/// How the client authenticates. The key is never shown by `Debug` or `Display`. More kinds may come
/// (`non_exhaustive`): match with a `_` arm.
#[derive(Clone)]
#[non_exhaustive]
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

/// Options for the calls of one [`Client`] value, like the official SDKs' `requestOptions`:
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
    /// `Authorization`, which stays the client's). A name or value that cannot be sent is an error.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let name = header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidConfig(format!("{name:?} is not a header name")))?;
        if name == header::AUTHORIZATION {
            return Err(Error::InvalidConfig(
                "Authorization comes from the client's credentials".into(),
            ));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidConfig(format!("the value for {name} cannot be sent")))?;
        self.headers.insert(name, value);
        Ok(self)
    }
}

impl Client {
    /// A client that makes its calls with `options` (see [`RequestOptions`]); cheap, and it shares the
    /// original's connections.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        use progenitor_client::ClientInfo as _;
        let mut state = self.inner().clone();
        state.options = options;
        Client::new_with_client(self.baseurl(), self.client().clone(), state)
    }
}

/// What the hooks need at request time; the client's inner value (progenitor's `with_inner_type`).
/// [`ClientBuilder`] makes it; `ClientState::default()` (no credentials, default policy) lets
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
        }
    }
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

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
    http: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.into(),
            user_credentials: None,
            partner_credentials: None,
            api_version: API_VERSION.into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            http: None,
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

    /// The keys as the environment and the CLI give them: a user key (sent as the organization-scoped key
    /// of `organization_id` when that is given too) and a partner key, each optional.
    pub fn keys(
        mut self,
        api_key: Option<String>,
        organization_id: Option<String>,
        partner_key: Option<String>,
    ) -> Self {
        match (api_key, organization_id) {
            (Some(key), Some(organization_id)) => {
                self = self.credentials(Credentials::OrgScopedKey {
                    organization_id,
                    key,
                })
            }
            (Some(key), None) => self = self.credentials(Credentials::UserKey(key)),
            (None, _) => {}
        }
        match partner_key {
            Some(key) => self.credentials(Credentials::PartnerKey(key)),
            None => self,
        }
    }

    /// Whether any credentials are set.
    pub fn has_credentials(&self) -> bool {
        self.user_credentials.is_some() || self.partner_credentials.is_some()
    }

    /// Your own `reqwest::Client` (a proxy, a private CA, your own connection pool...). The credentials,
    /// the version header, the user agent and the timeout are then applied to each request; the connect
    /// timeout is the client's own.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
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
        let version = HeaderValue::from_str(&self.api_version).map_err(|_| {
            Error::InvalidConfig(format!(
                "API version {:?} is not a valid header value",
                self.api_version
            ))
        })?;
        let header_of =
            |c: &Option<Credentials>| c.as_ref().map(Credentials::header_value).transpose();
        // The version header, user agent and credentials are set on each request by the hooks, the same way
        // for this client and for one the caller brings; the timeout too, for the caller's.
        let (http, timeout) = match self.http {
            Some(http) => (http, Some(self.timeout)),
            None => (
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .build()
                    .map_err(|e| {
                        Error::InvalidConfig(format!("cannot build the HTTP client: {e}"))
                    })?,
                None,
            ),
        };
        let state = ClientState {
            retry: self.retry,
            api_version: version,
            timeout,
            options: RequestOptions::default(),
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
        let mut builder = Client::builder().keys(
            var("POLYTOMIC_API_KEY"),
            var("POLYTOMIC_ORGANIZATION_ID"),
            var("POLYTOMIC_PARTNER_KEY"),
        );
        if !builder.has_credentials() {
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
