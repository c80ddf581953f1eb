//! Runtime behaviour around every generated call, through progenitor's `ClientHooks`:
//! `pre` shapes and checks the request, `exec` sends it with retries and tracing, `post` classifies
//! error bodies progenitor could not decode.

use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, Error as ProgenitorError, OperationInfo};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
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
        if let Some(auth) = authorization(self.inner(), info.operation_id)
            .map_err(ProgenitorError::InvalidRequest)?
        {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, auth.clone());
        }
        // progenitor sends `api-version: <info.version>` on its own. Polytomic does not define that header;
        // the version travels in `X-Polytomic-Version`, and a second, fixed version header would contradict
        // a caller who pins another version. So it is not sent.
        request.headers_mut().remove("api-version");
        if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
            check_body(body).map_err(ProgenitorError::InvalidRequest)?;
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
        let span = tracing::info_span!(
            "polytomic.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        send_with_retries(self.client(), request, &self.inner().retry)
            .instrument(span)
            .await
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
    request: Request,
    policy: &RetryPolicy,
) -> reqwest::Result<Response> {
    // Idempotent methods are repeated freely; anything else (POST) only when the caller made it idempotent
    // with a key, which is sent unchanged on every attempt.
    let idempotent = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    );
    let may_retry = idempotent || request.headers().contains_key("idempotency-key");
    let (mut request, mut attempt) = (request, 1);
    let result = loop {
        // Keep a copy for a next attempt while one may follow (JSON bodies are bytes: cloning works).
        let spare = (may_retry && attempt <= policy.max_retries)
            .then(|| request.try_clone())
            .flatten();
        let result = timed_attempt(http, request, attempt).await;
        let (Some(next), Some(delay)) = (spare, retry_delay(&result, policy, attempt)) else {
            break result;
        };
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
        tokio::time::sleep(delay).await;
        (request, attempt) = (next, attempt + 1);
    };
    match result {
        Ok(response) if !response.status().is_success() => keep_body(response).await,
        other => other,
    }
}

async fn timed_attempt(
    http: &reqwest::Client,
    request: Request,
    attempt: u32,
) -> reqwest::Result<Response> {
    let started = Instant::now();
    let result = http.execute(request).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    match &result {
        Ok(response) => tracing::debug!(
            attempt,
            status = response.status().as_u16(),
            duration_ms,
            polytomic_version = response
                .headers()
                .get("x-polytomic-version")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            "attempt finished"
        ),
        Err(error) => tracing::debug!(attempt, duration_ms, error = %error, "attempt failed"),
    }
    result
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
    let server_says = result.as_ref().ok().and_then(|r| retry_after(r.headers()));
    Some(
        server_says
            .unwrap_or_else(|| backoff(policy, attempt))
            .min(policy.max_backoff),
    )
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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

/// Reads the body of a non-success response and keeps it in the response's extensions, so `post` and
/// [`crate::Error::from`] can describe it without async reads. The response is otherwise unchanged.
async fn keep_body(response: Response) -> reqwest::Result<Response> {
    let (status, version, headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    let body = response.bytes().await?;
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
