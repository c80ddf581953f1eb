//! One error type for everything a call can run into.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

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
        /// The response headers a support ticket needs ([`SUPPORT_HEADERS`]): request id, `Retry-After`,
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
        /// The response headers a support ticket needs ([`SUPPORT_HEADERS`]).
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

    /// The kept response headers ([`SUPPORT_HEADERS`]), when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } | Error::UnexpectedResponse { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`, seconds or a date). The client
    /// returns such an error at once when the wait is longer than its retry policy allows.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.headers().and_then(crate::hooks::retry_after)
    }

    /// The request id the server gave the response, for a support ticket.
    pub fn request_id(&self) -> Option<&str> {
        let headers = self.headers()?;
        ["x-request-id", "request-id", "x-amzn-requestid"]
            .iter()
            .find_map(|name| headers.get(*name)?.to_str().ok())
    }
}

/// The response headers an [`Error`] keeps: what support needs to find the request, and what tells the
/// caller when to come back. Nothing that can carry a credential.
pub const SUPPORT_HEADERS: &[&str] = &[
    "retry-after",
    "x-polytomic-version",
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "cf-ray",
    "date",
    "content-type",
];

/// The kept part of `headers`, each value at most 200 bytes.
pub(crate) fn support_headers(headers: &HeaderMap) -> Box<HeaderMap> {
    let mut kept = HeaderMap::new();
    for name in SUPPORT_HEADERS {
        if let Some(value) = headers.get(*name).filter(|v| v.len() <= 200) {
            kept.insert(*name, value.clone());
        }
    }
    Box::new(kept)
}

/// How the post hook hands an error response that progenitor cannot decode over to [`Error::from`]:
/// progenitor's `Error::Custom(String)` is the only channel a hook has, and this keeps the status typed.
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

const SEPARATOR: char = '\u{1f}';

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

const MARKER: &str = "polytomic: unexpected response ";

/// The body kept by the exec hook for a response that is not a success (see `hooks.rs`).
#[derive(Clone)]
pub(crate) struct RawBody(pub bytes::Bytes);

impl From<progenitor_client::Error<ApiError>> for Error {
    fn from(error: progenitor_client::Error<ApiError>) -> Self {
        use progenitor_client::Error as E;
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
            E::Custom(m) => match m.strip_prefix(MARKER).and_then(|rest| rest.split_once(' ')) {
                Some((code, rest)) => {
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
                None => Error::InvalidRequest(m),
            },
        }
    }
}

/// An `ApiError` that says something: `{}` (or any body without key and message) does not.
pub(crate) fn is_meaningful(error: &ApiError) -> bool {
    error.key.is_some() || error.message.is_some()
}

/// At most `max` characters of `text`, with `...` when cut.
fn shortened(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]).into(),
        None => text.into(),
    }
}

/// "unexpected body (text/html): <!doctype html>..." for an error response progenitor cannot decode.
pub(crate) fn describe_body(headers: &reqwest::header::HeaderMap, body: &[u8]) -> String {
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type");
    if body.is_empty() {
        format!("empty response body ({content_type})")
    } else {
        format!(
            "response body is not an ApiError ({content_type}): {}",
            excerpt(body)
        )
    }
}

/// The first 200 characters of a body, on one line. A JSON body is shown with every string value replaced
/// by `"…"`: its shape says what is wrong, and its strings may hold what must not be printed (a key the API
/// just issued, personal data). Other bodies (an HTML page from a proxy) are shown as they are.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            blank_strings(&mut value);
            value.to_string()
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            // Broken JSON is still JSON-like: its strings are blanked as well.
            if text.starts_with(['{', '[']) {
                blank_quoted(&text)
            } else {
                text
            }
        }
    };
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// `"anything"` becomes `"…"` in text that is not valid JSON (escaped quotes stay inside the string).
fn blank_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut inside, mut escaped) = (false, false);
    for c in text.chars() {
        if inside {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => {
                    out.push_str("…\"");
                    inside = false;
                }
                _ => escaped = false,
            }
        } else {
            out.push(c);
            inside = c == '"';
        }
    }
    if inside {
        out.push('…');
    }
    out
}

fn blank_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = "…".into(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(blank_strings),
        _ => {}
    }
}

/// serde_json quotes the offending value first (`invalid type: string "sk_live_...", expected u64`); keep
/// the kind of value, not the value. What follows (`expected one of "a", "b"`) comes from the spec.
fn without_quoted_values(message: &str) -> String {
    let mut parts = message.splitn(3, '"');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(before), Some(_value), Some(after)) => format!("{before}\"…\"{after}"),
        _ => message.to_string(),
    }
}

/// serde_json ends its messages with " at line L column C"; the path says where instead.
fn strip_position(message: &str) -> String {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(m, _)| m)
        .to_string()
}

/// The JSON path (`data.role_ids[0]`) of the value at `line`/`column` (1-based, as serde_json reports
/// errors), found by scanning the text: the decoder knows the type, this code only the bytes.
fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut position = (1, 0);
    let mut bytes = body.iter();
    while let Some(&b) = bytes.next() {
        position = if b == b'\n' {
            (position.0 + 1, 0)
        } else {
            (position.0, position.1 + 1)
        };
        if position > (line, column) {
            break;
        }
        match (b, frames.last_mut()) {
            (b'{', _) => frames.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            (b'[', _) => frames.push(Frame::Array { index: 0 }),
            (b'}' | b']', _) => {
                frames.pop();
            }
            (b',', Some(Frame::Object { key, expect_key })) => (*key, *expect_key) = (None, true),
            (b',', Some(Frame::Array { index })) => *index += 1,
            (b':', Some(Frame::Object { expect_key, .. })) => *expect_key = false,
            (b'"', top) => {
                let mut text = Vec::new();
                while let Some(&c) = bytes.next() {
                    position.1 += 1;
                    match c {
                        b'\\' => {
                            bytes.next();
                            position.1 += 1;
                        }
                        b'"' => break,
                        _ => text.push(c),
                    }
                }
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = top
                {
                    *key = Some(String::from_utf8_lossy(&text).into_owned());
                }
            }
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::{excerpt, json_path_at, without_quoted_values};

    #[test]
    fn excerpts_and_messages_show_shapes_not_values() {
        assert_eq!(
            excerpt(br#"{"data":{"value":"sk_live_123"}}"#),
            r#"{"data":{"value":"…"}}"#
        );
        assert_eq!(
            excerpt(br#"["a",7,null,{"k":"v"}]"#),
            r#"["…",7,null,{"k":"…"}]"#
        );
        assert_eq!(
            excerpt(br#"{"value":"sk_\"live","n":}"#),
            r#"{"…":"…","…":}"#
        );
        assert_eq!(
            excerpt(b"<html>\n  bad   gateway</html>"),
            "<html> bad gateway</html>"
        );
        assert_eq!(excerpt(&vec![b'x'; 10_000]).len(), 203);
        assert_eq!(
            without_quoted_values(r#"invalid type: string "sk_live_123", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
        assert_eq!(
            without_quoted_values(r#"unknown variant "zz", expected one of "a", "b""#),
            r#"unknown variant "…", expected one of "a", "b""#
        );
    }

    fn path_of_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        let e = serde_json::from_str::<T>(body).unwrap_err();
        json_path_at(body.as_bytes(), e.line(), e.column())
    }

    #[test]
    fn names_the_field_that_failed() {
        use crate::types::{ListUsersEnvelope, UserEnvelope};
        assert_eq!(
            path_of_error::<UserEnvelope>(r#"{"data":{"email":"a","id":"nope"}}"#),
            "data.id"
        );
        assert_eq!(
            path_of_error::<UserEnvelope>(r#"{"data":{"role":"x","email":5}}"#),
            "data.email"
        );
        assert_eq!(
            path_of_error::<UserEnvelope>(
                "{\n  \"data\": {\n    \"role_ids\": [\"9f8e7d6c-5b4a-3210-fedc-ba9876543210\", 7]\n  }\n}"
            ),
            "data.role_ids[1]"
        );
        assert_eq!(
            path_of_error::<ListUsersEnvelope>(
                r#"{"data":[{"email":"a"},{"email":"b\"","organization_id":true}]}"#
            ),
            "data[1].organization_id"
        );
        assert_eq!(path_of_error::<UserEnvelope>(r#"{"data":[]}"#), "data");
        // serde decodes a struct from an array too, field by field.
        assert_eq!(path_of_error::<UserEnvelope>("[1]"), "[0]");
        assert_eq!(
            path_of_error::<UserEnvelope>(r#"{"data":{"email":{}}}"#),
            "data.email"
        );
        assert_eq!(path_of_error::<UserEnvelope>(""), "");
    }
}
