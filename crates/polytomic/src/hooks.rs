//! progenitor's `ClientHooks` for [`Client`], wiring the runtime into every generated call: `pre` shapes
//! and checks the request, `exec` sends it through the retry loop (`retry.rs`) with a tracing span, `post`
//! hands an error body progenitor could not decode to [`crate::Error`] (`error.rs`). The rules themselves
//! live in those modules and in the generated `operations.rs`.

use progenitor_client::{ClientHooks, ClientInfo, Error as ProgenitorError, OperationInfo};
use reqwest::header::{HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response};
use tracing::Instrument as _;

use crate::body::{
    IDEMPOTENCY_KEY, RawBody, VERSION_HEADER, as_declared_success, describe_body, show_success_body,
};
use crate::config::authorization;
use crate::error::{is_meaningful, unexpected_response_marker};
use crate::generated::Client;
use crate::operations;
use crate::retry::{is_idempotent, send_with_retries};
use crate::state::{ClientState, SuccessBodies};
use crate::types::ApiError;
use crate::validate::{check_body, check_idempotency_key, new_idempotency_key};

/// What every generated `send()` does between building its request and reading the response: the three
/// hooks in progenitor's order, then the response out of the result. One function awaited once per
/// operation instead of three awaits written into each of the 128 (`xtask/src/generate/one_hook_call.rs`).
pub(crate) async fn send<E>(
    client: &Client,
    mut request: Request,
    info: &OperationInfo,
) -> Result<Response, ProgenitorError<E>> {
    client.pre(&mut request, info).await?;
    let result = client.exec(request, info).await;
    client.post(&result, info).await?;
    Ok(result?)
}

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), ProgenitorError<E>> {
        let state = self.inner();
        let auth =
            authorization(state, info.operation_id).map_err(ProgenitorError::InvalidRequest)?;
        let post = request.method() == Method::POST;
        let idempotent = is_idempotent(request.method());
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
        // A key matters where the method is not idempotent by itself (`Replay::of`): there the caller's key
        // is checked, and a POST that takes one and has none gets one, which every retry of this call sends
        // again (the retry loop repeats the request as built here). A GET is not looked at.
        match (!idempotent).then(|| headers.get(&IDEMPOTENCY_KEY)) {
            Some(Some(key)) => {
                check_idempotency_key(key.as_bytes()).map_err(ProgenitorError::InvalidRequest)?
            }
            Some(None)
                if post
                    && state.generate_idempotency_keys
                    && crate::operations::takes_idempotency_key(info.operation_id) =>
            {
                headers.insert(&IDEMPOTENCY_KEY, new_idempotency_key());
            }
            _ => {}
        }
        if let Some(timeout) = state.options.timeout.or(state.timeout) {
            *request.timeout_mut() = Some(timeout);
        }
        if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
            check_body(info.operation_id, body).map_err(ProgenitorError::InvalidRequest)?;
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
        let result = match operations::success_status(info.operation_id) {
            Some(declared)
                if result.as_ref().is_ok_and(|response| {
                    response.status().is_success() && response.status().as_u16() != declared
                }) =>
            {
                result.map(|response| as_declared_success(response, declared))
            }
            _ => result,
        };
        match (&state.success_bodies, result) {
            (Some(SuccessBodies(observe)), Ok(response)) if response.status().is_success() => {
                show_success_body(response, observe.as_ref()).await
            }
            (_, result) => result,
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<Response>,
        _info: &OperationInfo,
    ) -> Result<(), ProgenitorError<E>> {
        // An error status whose body is not an `ApiError` would reach progenitor's decoder and come out as
        // `InvalidResponsePayload`, which has lost the status: hand it over as `error.rs` describes.
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
