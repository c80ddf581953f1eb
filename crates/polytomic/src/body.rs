//! What the client reads off a response besides its success body: the headers it keeps or obeys, and the
//! capped body of an error response with the words that describe it. Used by the retry loop, the hooks and
//! [`crate::Error`]; imports nothing else of the crate.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use reqwest::{Response, StatusCode};

/// Polytomic's version header, sent on every request and read back for tracing.
pub(crate) static VERSION_HEADER: HeaderName = HeaderName::from_static("x-polytomic-version");
/// The header that makes a POST safe to retry.
pub(crate) static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response headers an [`Error`](crate::Error) keeps: what support needs to find the request, and what tells the
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

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, SystemTime::now())
}

/// `Retry-After` as seen at `now` (a date is a wait from then).
fn retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A success the spec does not declare (a `201` where it says `200`) is still a success: progenitor
/// matches the declared status only, so the response is handed on with that status and decoded (a body
/// that does not decode is still an error). `ResponseValue::status()` then reports the declared status.
pub(crate) fn as_declared_success(response: Response, declared: u16) -> Response {
    let mut response = http::Response::<reqwest::Body>::from(response);
    if let Ok(status) = StatusCode::from_u16(declared) {
        *response.status_mut() = status;
    }
    Response::from(response)
}

/// The most of an error response's body the client reads: enough for any `ApiError`; a larger body (a
/// proxy's page, a runaway server) is cut here, so no error grows with it.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// The body of a response that is not a success, kept in the response's extensions by [`keep_body`].
#[derive(Clone)]
pub(crate) struct RawBody(pub bytes::Bytes);

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

/// Reads the body of a non-success response and keeps it in the response's extensions, so the `post` hook
/// and [`crate::Error::from`] can describe it without async reads. The response is otherwise unchanged.
pub(crate) async fn keep_body(response: Response) -> reqwest::Result<Response> {
    let (status, version, headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    let url = response.url().clone();
    let body = read_capped(response, MAX_ERROR_BODY).await?;
    let mut kept = rebuilt(status, version, headers, url, body.clone());
    kept.extensions_mut().insert(RawBody(body));
    Ok(Response::from(kept))
}

/// Reads a success body whole, shows it to `observe`, and hands the response on with the same bytes.
pub(crate) async fn show_success_body(
    response: Response,
    observe: &(dyn Fn(&[u8]) + Send + Sync),
) -> reqwest::Result<Response> {
    let (status, version, headers, url) = (
        response.status(),
        response.version(),
        response.headers().clone(),
        response.url().clone(),
    );
    let body = response.bytes().await?;
    observe(&body);
    Ok(Response::from(rebuilt(status, version, headers, url, body)))
}

/// A response read into `body`, as it came (its URL too, which errors show).
fn rebuilt(
    status: StatusCode,
    version: http::Version,
    headers: reqwest::header::HeaderMap,
    url: reqwest::Url,
    body: bytes::Bytes,
) -> http::Response<bytes::Bytes> {
    use reqwest::ResponseBuilderExt as _;
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    let (mut parts, body) = response.into_parts();
    // `ResponseBuilderExt::url` is how reqwest keeps a URL across `http::Response`; it only sets an extension.
    if let Some(extensions) = http::response::Builder::new().url(url).extensions_ref() {
        parts.extensions.extend(extensions.clone());
    }
    http::Response::from_parts(parts, body)
}

/// At most `max` characters of `text`, with `...` when cut.
pub(crate) fn shortened(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
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
    shortened(&text, MAX).into_owned()
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
pub(crate) fn without_quoted_values(message: &str) -> String {
    let mut parts = message.splitn(3, '"');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(before), Some(_value), Some(after)) => format!("{before}\"…\"{after}"),
        _ => message.to_string(),
    }
}

/// serde_json ends its messages with " at line L column C"; the path says where instead.
pub(crate) fn strip_position(message: &str) -> String {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(m, _)| m)
        .to_string()
}

/// The JSON path (`data.role_ids[0]`) of the value at `line`/`column` (1-based, as serde_json reports
/// errors), found by scanning the text: the decoder knows the type, this code only the bytes.
pub(crate) fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
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
    use std::time::Duration;

    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        // A date is a wait from the moment it is read (HTTP dates are whole seconds).
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:30:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after_at(&headers, now),
            Some(Duration::from_secs(120))
        );
        // A date in the past: no wait.
        let later = now + Duration::from_secs(600);
        assert_eq!(retry_after_at(&headers, later), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn shortened_cuts_at_characters_not_bytes() {
        assert_eq!(shortened("héllo wörld", 4), "héll...");
        assert_eq!(shortened("日本語のテキスト", 3), "日本語...");
        assert_eq!(shortened("short", 5), "short");
        assert_eq!(shortened("", 0), "");
    }

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
        // A struct that keeps unknown properties decodes from an object only, not field by field from an
        // array: the array is wrong as a whole.
        assert_eq!(path_of_error::<UserEnvelope>("[1]"), "");
        assert_eq!(
            path_of_error::<UserEnvelope>(r#"{"data":{"email":{}}}"#),
            "data.email"
        );
        assert_eq!(path_of_error::<UserEnvelope>(""), "");
    }
}
