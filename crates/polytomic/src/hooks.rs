//! progenitor's `ClientHooks` for [`Client`], wiring the runtime into every generated call: `pre` shapes
//! and checks the request, `exec` sends it through the retry loop (`retry.rs`) with a tracing span, `post`
//! hands an error body progenitor could not decode to [`crate::Error`] (`error.rs`). The rules themselves
//! live in those modules and in the generated `operations.rs`.

use progenitor_client::{ClientHooks, ClientInfo, Error as ProgenitorError, OperationInfo};
use reqwest::header::{HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response, StatusCode};
use tracing::Instrument as _;

use crate::body::{RawBody, VERSION_HEADER, describe_body};
use crate::error::{is_meaningful, unexpected_response_marker};
use crate::generated::Client;
use crate::operations::{self, Accepts};
use crate::retry::send_with_retries;
use crate::state::ClientState;
use crate::types::ApiError;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_role_and_role_ids_together() {
        assert!(check_body(br#"{"email":"a","role":"admin","role_ids":["x"]}"#).is_err());
        assert!(check_body(br#"{"email":"a","role":"admin"}"#).is_ok());
        assert!(check_body(br#"{"role_ids":["x"]}"#).is_ok());
        assert!(check_body(b"not json").is_ok());
    }
}
