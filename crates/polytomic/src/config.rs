//! Building a client: base URL, credentials, API version, timeouts, retries, user agent; and which of the
//! keys a client holds each operation is sent with ([`authorization`]).

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::HeaderValue;

use crate::operations::API_VERSION;
use crate::operations::{self, Accepts};
use crate::retry::RetryPolicy;
use crate::state::{ClientState, DEFAULT_TIMEOUT, RequestOptions, SuccessBodies};
use crate::tls;
use crate::{Client, Error};

/// The API base URL used unless [`ClientBuilder::base_url`] or `POLYTOMIC_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://app.polytomic.com";

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

/// The `Authorization` value for `operation`: the kind of key it takes ([`operations::accepts`], from the
/// spec), or an error when the client holds only the other kind. A client without credentials sends none.
pub(crate) fn authorization<'a>(
    state: &'a ClientState,
    operation: &str,
) -> Result<Option<&'a HeaderValue>, String> {
    let (user, partner) = (state.user_auth.as_ref(), state.partner_auth.as_ref());
    match operations::accepts(operation) {
        Accepts::UserOrOrgScopedKey if user.is_none() && partner.is_some() => Err(format!(
            "{operation} takes a user API key or an organization-scoped key, and the client holds only a partner key"
        )),
        Accepts::PartnerKey if partner.is_none() && user.is_some() => Err(format!(
            "{operation} takes a partner API key, and the client holds only a user-side key"
        )),
        Accepts::UserOrOrgScopedKey => Ok(user),
        Accepts::PartnerKey => Ok(partner),
        Accepts::Any => Ok(user.or(partner)),
    }
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
    http: Option<reqwest::Client>,
    success_bodies: Option<SuccessBodies>,
    generate_idempotency_keys: bool,
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
            success_bodies: None,
            generate_idempotency_keys: true,
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

    /// Whether a POST that takes an `Idempotency-Key` and has none gets one generated (default: yes). The key
    /// goes out on every attempt of the call, so a POST whose answer was lost (a timeout, a dropped
    /// connection) is retried without doing the work twice: Polytomic answers a repeated key with the first
    /// outcome. Without a key such a POST is never retried, and the caller cannot tell whether it ran. A key
    /// the caller sets (`.idempotency_key(..)` on the builder) is used instead, after its format is checked.
    pub fn generate_idempotency_keys(mut self, generate: bool) -> Self {
        self.generate_idempotency_keys = generate;
        self
    }

    /// Shows `observe` the body of every success response, as the server sent it, before it is decoded:
    /// what the typed value leaves out (a property or an order the document does not know) is still
    /// there. The `polytomic` CLI prints it. Each such body is read whole before decoding (as decoding
    /// does anyway). The bytes are the server's, secrets included (an issued API key, a webhook secret),
    /// which every typed value hides: do not log them.
    pub fn on_success_body(mut self, observe: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        self.success_bodies = Some(SuccessBodies(std::sync::Arc::new(observe)));
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
            None if base_url.scheme() == "https" && !tls::AVAILABLE => {
                return Err(Error::InvalidConfig(format!(
                    "base URL {:?} needs TLS, which this build of polytomic leaves out: enable the \
                     feature {} or bring your own client (`http_client`)",
                    self.base_url,
                    tls::FEATURES
                )));
            }
            None => {
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout);
                let http = tls::backend(builder)
                    .map_err(Error::InvalidConfig)?
                    .build()
                    .map_err(|e| {
                        Error::InvalidConfig(format!("cannot build the HTTP client: {e}"))
                    })?;
                (http, None)
            }
        };
        let state = ClientState {
            retry: self.retry,
            api_version: version,
            timeout,
            options: RequestOptions::default(),
            user_auth: header_of(&self.user_credentials)?,
            partner_auth: header_of(&self.partner_credentials)?,
            success_bodies: self.success_bodies,
            generate_idempotency_keys: self.generate_idempotency_keys,
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
