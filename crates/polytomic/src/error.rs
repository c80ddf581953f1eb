//! One error type for everything a call can run into.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::body::{
    RawBody, describe_body, excerpt, json_path_at, retry_after, shortened, strip_position,
    support_headers, without_quoted_values,
};
use crate::types::ApiError;

/// What went wrong with a call. Convert the generated methods' errors with `?` or [`Error::from`].
///
/// `Display` reads like `403 Forbidden: <message>`. No variant ever holds or shows the API key.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status and an `ApiError` body.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The decoded body (boxed: it is large, and errors travel in every `Result`).
        error: Box<ApiError>,
        /// The response headers a support ticket needs ([`SUPPORT_HEADERS`](crate::SUPPORT_HEADERS)): request id, `Retry-After`,
        /// `X-Polytomic-Version`... (boxed, like `error`, to keep `Result`s small).
        headers: Box<HeaderMap>,
    },
    /// The API answered with an error status whose body is not an `ApiError` (empty, `{}`, an HTML page
    /// from a proxy...), or with a status the spec does not declare.
    UnexpectedResponse {
        /// The HTTP status.
        status: StatusCode,
        /// What was wrong, with a short excerpt of the body.
        detail: String,
        /// The response headers a support ticket needs ([`SUPPORT_HEADERS`](crate::SUPPORT_HEADERS)).
        headers: Box<HeaderMap>,
    },
    /// A success response whose body does not match the spec's schema.
    InvalidResponse {
        /// Where in the body decoding failed, such as `data.id` (empty for the whole body).
        path: String,
        /// The decoder's message.
        message: String,
        /// The start of the body.
        excerpt: String,
    },
    /// The request was rejected before anything was sent (a missing or invalid argument).
    InvalidRequest(String),
    /// The client configuration is unusable (bad base URL, API key or version).
    InvalidConfig(String),
    /// An attempt took longer than the configured timeout.
    Timeout(reqwest::Error),
    /// The connection failed or was dropped, or the response body could not be read.
    Connection(reqwest::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, error, .. } => {
                let message = error.message.as_deref().unwrap_or("(no message)");
                write!(f, "{status}: {}", shortened(message, 500))?;
                if let Some(key) = &error.key {
                    write!(f, " [{key}]")?;
                }
                Ok(())
            }
            Error::UnexpectedResponse { status, detail, .. } => write!(f, "{status}: {detail}"),
            Error::InvalidResponse {
                path,
                message,
                excerpt,
            } => {
                let at = if path.is_empty() { "(root)" } else { path };
                write!(
                    f,
                    "response body does not match the schema at `{at}`: {message}; body: {excerpt}"
                )
            }
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::InvalidConfig(m) => write!(f, "invalid client configuration: {m}"),
            Error::Timeout(e) => write!(f, "timed out: {}", without_url(e)),
            Error::Connection(e) => write!(f, "connection error: {}", without_url(e)),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout(e) | Error::Connection(e) => Some(e),
            _ => None,
        }
    }
}

/// reqwest's message plus its innermost cause ("connection refused", "operation timed out").
fn without_url(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(cause) = last {
        message = format!("{message} ({cause})");
    }
    message
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The kept response headers ([`SUPPORT_HEADERS`](crate::SUPPORT_HEADERS)), when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } | Error::UnexpectedResponse { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`, seconds or a date). The client
    /// returns such an error at once when the wait is longer than its retry policy allows.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.headers().and_then(retry_after)
    }

    /// The request id the server gave the response, for a support ticket.
    pub fn request_id(&self) -> Option<&str> {
        let headers = self.headers()?;
        ["x-request-id", "request-id", "x-amzn-requestid"]
            .iter()
            .find_map(|name| headers.get(*name)?.to_str().ok())
    }
}

// ---- The hand-off from the `post` hook -------------------------------------------------------------
//
// An error status whose body is not an `ApiError` would reach progenitor's decoder and come out as
// `InvalidResponsePayload`, which has lost the status. The `post` hook catches it first, but a hook can only
// fail with progenitor's error type, generic over a body type it cannot build: `Error::Custom(String)` is
// the one channel that carries anything. So the status, the support headers and the description travel as
// text, written by `unexpected_response_marker` and read back only by `From` below:
//
//     polytomic: unexpected response <status> <support headers as a JSON object>\u{1f}<detail>
//
// A `Custom` message without the prefix is a hook's own rejection (an invalid request). The test
// `the_post_hook_hand_off_survives_progenitors_error_type` breaks when progenitor's error type changes.

const MARKER: &str = "polytomic: unexpected response ";
const SEPARATOR: char = '\u{1f}';

/// The `Custom` message the `post` hook fails with for an error response progenitor cannot decode.
pub(crate) fn unexpected_response_marker(
    status: StatusCode,
    headers: &HeaderMap,
    detail: &str,
) -> String {
    let kept: serde_json::Map<String, serde_json::Value> = support_headers(headers)
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.into())))
        .collect();
    format!(
        "{MARKER}{} {}{SEPARATOR}{detail}",
        status.as_u16(),
        serde_json::Value::Object(kept)
    )
}

/// The error a `Custom` message stands for: the marker read back, or the hook's own rejection.
fn from_custom(message: String) -> Error {
    let Some((code, rest)) = message
        .strip_prefix(MARKER)
        .and_then(|rest| rest.split_once(' '))
    else {
        return Error::InvalidRequest(message);
    };
    let (headers, detail) = rest.split_once(SEPARATOR).unwrap_or(("{}", rest));
    Error::UnexpectedResponse {
        status: code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        detail: detail.into(),
        headers: headers_from_json(headers),
    }
}

fn headers_from_json(text: &str) -> Box<HeaderMap> {
    let mut headers = HeaderMap::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
        for (name, value) in map {
            if let (Ok(name), Some(Ok(value))) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(reqwest::header::HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
    }
    Box::new(headers)
}

impl From<progenitor_client::Error<ApiError>> for Error {
    fn from(error: progenitor_client::Error<ApiError>) -> Self {
        use progenitor_client::Error as E;
        // No wildcard arm: a variant progenitor adds must be placed here before this compiles.
        match error {
            E::ErrorResponse(response) => Error::Api {
                status: response.status(),
                headers: support_headers(response.headers()),
                error: Box::new(response.into_inner()),
            },
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let headers = support_headers(response.headers());
                match response.extensions().get::<RawBody>() {
                    Some(RawBody(body)) => match serde_json::from_slice::<ApiError>(body) {
                        Ok(error) if is_meaningful(&error) => Error::Api {
                            status,
                            error: Box::new(error),
                            headers,
                        },
                        _ => Error::UnexpectedResponse {
                            status,
                            detail: describe_body(response.headers(), body),
                            headers,
                        },
                    },
                    None => Error::UnexpectedResponse {
                        status,
                        detail: "a status the API does not declare for this operation".into(),
                        headers,
                    },
                }
            }
            E::InvalidResponsePayload(body, e) => Error::InvalidResponse {
                path: json_path_at(&body, e.line(), e.column()),
                message: without_quoted_values(&strip_position(&e.to_string())),
                excerpt: excerpt(&body),
            },
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                if e.is_timeout() {
                    Error::Timeout(e)
                } else {
                    Error::Connection(e)
                }
            }
            E::InvalidRequest(m) => Error::InvalidRequest(m),
            E::Custom(m) => from_custom(m),
        }
    }
}

/// An `ApiError` that says something: `{}` (or any body without key and message) does not.
pub(crate) fn is_meaningful(error: &ApiError) -> bool {
    error.key.is_some() || error.message.is_some()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn the_post_hook_hand_off_survives_progenitors_error_type() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("req-9"));
        headers.insert("set-cookie", HeaderValue::from_static("session=secret"));
        let marker = unexpected_response_marker(
            StatusCode::BAD_GATEWAY,
            &headers,
            "empty response body (text/html)",
        );
        // Through progenitor's own type, as the hook sends it.
        let error = Error::from(progenitor_client::Error::<ApiError>::Custom(marker));
        let Error::UnexpectedResponse {
            status,
            detail,
            headers,
        } = &error
        else {
            panic!("the marker was not read back: {error:?}");
        };
        assert_eq!(*status, StatusCode::BAD_GATEWAY);
        assert_eq!(detail, "empty response body (text/html)");
        assert_eq!(headers["x-request-id"], "req-9");
        assert!(headers.get("set-cookie").is_none(), "only support headers");
        assert_eq!(error.request_id(), Some("req-9"));
        // A hook's own rejection stays what it is.
        let rejected = Error::from(progenitor_client::Error::<ApiError>::Custom(
            "set either role_ids or role".into(),
        ));
        assert!(matches!(rejected, Error::InvalidRequest(m) if m == "set either role_ids or role"));
    }
}
