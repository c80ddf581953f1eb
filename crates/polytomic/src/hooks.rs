//! Runtime behaviour around every generated call, through progenitor's `ClientHooks`:
//! `pre` shapes and checks the request, `exec` sends it with retries and tracing, `post` classifies
//! error bodies progenitor could not decode.

use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, Error as ProgenitorError, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, Request, Response, StatusCode};
use tracing::Instrument as _;

use crate::error::{RawBody, describe_body, is_meaningful, unexpected_response_marker};
use crate::operations::{self, Accepts};
use crate::{Client, ClientState, RetryPolicy, types::ApiError};

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), ProgenitorError<E>> {
        let state = self.inner();
        let auth =
            authorization(state, info.operation_id).map_err(ProgenitorError::InvalidRequest)?;
        let headers = request.headers_mut();
        // Set here rather than as reqwest defaults, so a `reqwest::Client` the caller brings gets them too. A
        // per-request `x_polytomic_version(..)` is already on the request and stays. (Names are constants:
        // a `&str` name would be parsed on every request.)
        headers
            .entry(&VERSION_HEADER)
            .or_insert_with(|| state.api_version.clone());
        headers
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(crate::USER_AGENT));
        for (name, value) in &state.options.headers {
            headers.insert(name, value.clone());
        }
        if let Some(auth) = auth {
            headers.insert(reqwest::header::AUTHORIZATION, auth.clone());
        }
        if let Some(timeout) = state.options.timeout.or(state.timeout) {
            *request.timeout_mut() = Some(timeout);
        }
        if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
            if ROLE_RULE_OPERATIONS.contains(&info.operation_id) {
                check_body(body).map_err(ProgenitorError::InvalidRequest)?;
            }
        } else if request.method() == Method::POST {
            // Without a body hyper sends no Content-Length, and some proxies answer a bodyless POST with 411.
            let zero = reqwest::header::HeaderValue::from_static("0");
            request
                .headers_mut()
                .insert(reqwest::header::CONTENT_LENGTH, zero);
        }
        Ok(())
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let state = self.inner();
        let mut policy = state.retry;
        if let Some(max_retries) = state.options.max_retries {
            policy.max_retries = max_retries;
        }
        // The span is made and entered only when a subscriber wants it: entering and leaving it on every
        // poll costs more than the rest of the hooks (tests/benches/overhead.sh).
        let result = if tracing::enabled!(tracing::Level::INFO) {
            let span = tracing::info_span!(
                "polytomic.request",
                operation = info.operation_id,
                method = %request.method(),
                path = request.url().path(),
            );
            send_with_retries(self.client(), request, &policy)
                .instrument(span)
                .await
        } else {
            send_with_retries(self.client(), request, &policy).await
        };
        match operations::success_status(info.operation_id) {
            Some(declared)
                if result.as_ref().is_ok_and(|response| {
                    response.status().is_success() && response.status().as_u16() != declared
                }) =>
            {
                result.map(|response| as_declared_success(response, declared))
            }
            _ => result,
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<Response>,
        _info: &OperationInfo,
    ) -> Result<(), ProgenitorError<E>> {
        // An error status whose body is not an `ApiError` would reach progenitor's decoder and come out as
        // `InvalidResponsePayload`, which has lost the status. Say what happened here instead.
        if let Ok(response) = result
            && let Some(RawBody(body)) = response.extensions().get::<RawBody>()
            && !serde_json::from_slice::<ApiError>(body).is_ok_and(|e| is_meaningful(&e))
        {
            let detail = describe_body(response.headers(), body);
            return Err(ProgenitorError::Custom(unexpected_response_marker(
                response.status(),
                response.headers(),
                &detail,
            )));
        }
        Ok(())
    }
}

/// The `Authorization` value for `operation`: the kind of key it takes ([`operations::accepts`], from the
/// spec), or an error when the client holds only the other kind. A client without credentials sends none.
fn authorization<'a>(
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

static VERSION_HEADER: HeaderName = HeaderName::from_static("x-polytomic-version");
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The operations whose docs say a body may not have both `role` and `role_ids` (the Users docs).
const ROLE_RULE_OPERATIONS: &[&str] = &[
    "create_current_org_user",
    "update_current_org_user",
    "create_partner_user",
    "update_partner_user",
];

/// A success the spec does not declare (a `201` where it says `200`) is still a success: progenitor
/// matches the declared status only, so the response is handed on with that status and decoded (a body
/// that does not decode is still an error). `ResponseValue::status()` then reports the declared status.
fn as_declared_success(response: Response, declared: u16) -> Response {
    let mut response = http::Response::<reqwest::Body>::from(response);
    if let Ok(status) = StatusCode::from_u16(declared) {
        *response.status_mut() = status;
    }
    Response::from(response)
}

/// Rejects, before anything is sent, a body the API is documented to reject.
fn check_body(body: &[u8]) -> Result<(), String> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Ok(());
    };
    if fields.contains_key("role") && fields.contains_key("role_ids") {
        return Err("set either role_ids or the deprecated role, not both: the API rejects a request with both".into());
    }
    Ok(())
}

async fn send_with_retries(
    http: &reqwest::Client,
    mut request: Request,
    policy: &RetryPolicy,
) -> reqwest::Result<Response> {
    // Idempotent methods are repeated freely; anything else (POST) only when the caller made it idempotent
    // with a key, which is sent unchanged on every attempt.
    let idempotent = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    );
    let may_retry = idempotent || request.headers().contains_key(&IDEMPOTENCY_KEY);
    let started = Instant::now();
    let (mut attempt, mut attempt_started) = (1, started);
    let result = loop {
        // Keep a copy for a next attempt while one may follow (JSON bodies are bytes: cloning works). Any
        // method may be retried when the connection could not be made, since nothing was sent.
        let spare = if attempt <= policy.max_retries {
            copy_for_retry(&request)
        } else {
            None
        };
        let result = http.execute(request).await;
        trace_attempt(&result, attempt, attempt_started);
        let allowed = may_retry || matches!(&result, Err(e) if e.is_connect());
        let delay = retry_delay(&result, policy, attempt).filter(|delay| {
            policy
                .max_elapsed
                .is_none_or(|limit| started.elapsed() + *delay < limit)
        });
        let (Some(next), Some(delay)) = (spare, delay.filter(|_| allowed)) else {
            break result;
        };
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
        // Nothing but the next request is kept across the wait, and the wait is boxed (as `keep_body`
        // below): every call's future would otherwise carry room for them (tests/benches/overhead.sh).
        drop(result);
        (request, attempt) = (next, attempt + 1);
        Box::pin(tokio::time::sleep(delay)).await;
        attempt_started = Instant::now();
    };
    match result {
        Ok(response) if !response.status().is_success() => Box::pin(keep_body(response)).await,
        other => other,
    }
}

/// A copy of `request` for another attempt, or `None` when its body is a stream (progenitor's JSON bodies
/// are bytes). Without a body it is copied here rather than by reqwest's `try_clone`, which builds and
/// throws away an extension map on every call (a third of its cost); reqwest's public API puts nothing in
/// a request's extensions but the timeout, copied here too.
fn copy_for_retry(request: &Request) -> Option<Request> {
    if request.body().is_some() {
        return request.try_clone();
    }
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    Some(copy)
}

/// The event for one attempt: its outcome and how long it took (fields are computed only when the event
/// is recorded).
fn trace_attempt(result: &reqwest::Result<Response>, attempt: u32, started: Instant) {
    let duration_ms = || started.elapsed().as_millis() as u64;
    match result {
        Ok(response) => tracing::debug!(
            attempt,
            status = response.status().as_u16(),
            duration_ms = duration_ms(),
            polytomic_version = response
                .headers()
                .get(&VERSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            "attempt finished"
        ),
        Err(error) => {
            tracing::debug!(attempt, duration_ms = duration_ms(), error = %error, "attempt failed")
        }
    }
}

/// How long to wait before the next attempt, or `None` when this outcome is final.
fn retry_delay(
    result: &reqwest::Result<Response>,
    policy: &RetryPolicy,
    attempt: u32,
) -> Option<Duration> {
    let retryable = match result {
        Ok(response) => is_retryable_status(response.status()),
        Err(error) => error.is_connect() || error.is_timeout() || error.is_request(),
    };
    if !retryable {
        return None;
    }
    // The server's Retry-After is a promise: never retry earlier. Longer than the policy waits: the error
    // goes back to the caller at once, with the delay readable from it.
    match result.as_ref().ok().and_then(|r| retry_after(r.headers())) {
        Some(wait) if wait > policy.max_backoff => None,
        Some(wait) => Some(wait),
        None => Some(backoff(policy, attempt)),
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Exponential backoff with jitter: between half and all of `initial * 2^(attempt-1)`.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let full = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(policy.max_backoff);
    full.mul_f64(0.5 + 0.5 * random_fraction())
}

/// A number in [0, 1) from std's randomly seeded hasher; jitter needs no better randomness.
fn random_fraction() -> f64 {
    use std::hash::BuildHasher;
    let bits = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The most of an error response's body the client reads: enough for any `ApiError`; a larger body (a
/// proxy's page, a runaway server) is cut here, so no error grows with it.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// The body, up to `cap` bytes; the rest is not read.
async fn read_capped(mut response: Response, cap: usize) -> reqwest::Result<bytes::Bytes> {
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == cap {
            break;
        }
    }
    Ok(body.freeze())
}

/// Reads the body of a non-success response and keeps it in the response's extensions, so `post` and
/// [`crate::Error::from`] can describe it without async reads. The response is otherwise unchanged.
async fn keep_body(response: Response) -> reqwest::Result<Response> {
    let (status, version, headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    let body = read_capped(response, MAX_ERROR_BODY).await?;
    let mut kept = http::Response::new(body.clone());
    *kept.status_mut() = status;
    *kept.version_mut() = version;
    *kept.headers_mut() = headers;
    kept.extensions_mut().insert(RawBody(body));
    Ok(Response::from(kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = SystemTime::now() + Duration::from_secs(120);
        headers.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(110) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_respects_the_cap() {
        let policy = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            max_elapsed: None,
        };
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            let wait = backoff(&policy, attempt);
            let full = Duration::from_millis(full);
            assert!(
                wait >= full / 2 && wait <= full,
                "attempt {attempt}: {wait:?}"
            );
        }
    }

    #[test]
    fn rejects_role_and_role_ids_together() {
        assert!(check_body(br#"{"email":"a","role":"admin","role_ids":["x"]}"#).is_err());
        assert!(check_body(br#"{"email":"a","role":"admin"}"#).is_ok());
        assert!(check_body(br#"{"role_ids":["x"]}"#).is_ok());
        assert!(check_body(b"not json").is_ok());
    }
}
