//! What the workspace's tests share: a minimal HTTP/1.1 server on 127.0.0.1, the spec's examples, and the
//! mock API the mock server and the CLI's tests answer with.
//!
//! It records every request exactly as it arrived on the socket (method, target, headers in order, body)
//! and answers with whatever the test's handler returns. Hand-written on tokio instead of a mock framework
//! so the snapshots show the bytes the client really sends.

use std::sync::{Arc, Mutex};

mod fake;
pub use fake::{Fake, PAGE, default_script, set as set_pointer};

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server received it.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// `name: value`, in the order sent.
    pub headers: Vec<String>,
    /// The body parsed as JSON; `None` when there is no body.
    pub body: Option<serde_json::Value>,
    /// When the request arrived.
    #[serde(skip)]
    pub received_at: std::time::Instant,
}

impl Request {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (n, v) = h.split_once(": ")?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status; 0 closes the connection without answering.
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long to wait before answering.
    pub delay: std::time::Duration,
    /// Send only the first half of the body, then close the connection.
    pub truncated: bool,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            delay: std::time::Duration::ZERO,
            truncated: false,
        }
    }

    /// Announces the whole body but sends half of it, then closes the connection.
    pub fn truncated(mut self) -> Self {
        self.truncated = true;
        self
    }

    /// A reply with another content type, such as an HTML error page from a proxy.
    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply {
            headers: vec![("content-type".into(), content_type.into())],
            ..Reply::json(status, body)
        }
    }

    /// Closes the connection without answering.
    pub fn hang_up() -> Self {
        Reply::json(0, "")
    }

    /// The status it answers with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers only after `delay`.
    pub fn after(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running loopback server; it stops when dropped.
pub struct Server {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Starts a server on a free port that answers every request with `handler`'s reply.
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_on(0, handler).await.unwrap()
    }

    /// Starts a server on `port` (0: any free port).
    pub async fn start_on(
        port: u16,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (log, accepted) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::spawn(serve(stream, handler.clone(), log.clone()));
            }
        });
        Ok(Server {
            url,
            requests,
            connections,
            task,
        })
    }

    /// Starts a server that answers every request with the same reply.
    pub async fn replying(reply: Reply) -> Server {
        Server::start(move |_| reply.clone()).await
    }

    /// The base URL to give the client, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// How many TCP connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The only request received; fails the test if there was not exactly one.
    pub fn single_request(&self) -> Request {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves requests on one connection until the client closes it (keep-alive).
async fn serve(stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Request>>>) {
    let _ = stream.set_nodelay(true);
    let mut stream = BufReader::new(stream);
    while let Some(request) = read_request(&mut stream).await {
        let reply = handler(&request);
        log.lock().unwrap().push(request);
        if !reply.delay.is_zero() {
            // Even a zero sleep waits for the timer's next 1 ms tick.
            tokio::time::sleep(reply.delay).await;
        }
        if reply.status == 0 {
            return;
        }
        let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
        if reply.truncated {
            let half = reply.body.len() / 2;
            head.push_str(reply.body.get(..half).unwrap_or_default());
            let _ = stream.get_mut().write_all(head.as_bytes()).await;
            return;
        }
        head.push_str(&reply.body);
        // One write: with two, Nagle's algorithm and delayed ACKs add ~40 ms to every response.
        if stream.get_mut().write_all(head.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        }
        headers.push(format!("{name}: {value}"));
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    let body = (!body.is_empty()).then(|| {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into()))
    });
    Some(Request {
        method,
        target,
        headers,
        body,
        received_at: std::time::Instant::now(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        401 => "Unauthorized",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A small seeded pseudo-random generator (xorshift64*), so randomized tests replay exactly from their seed.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The key the tests authenticate with. It must never appear in a snapshot, a log or an error message.
pub const TEST_KEY: &str = "pk_test_5ecret-DO-NOT-PRINT";

/// The partner key the tests hold beside [`TEST_KEY`]. It too must never be printed.
pub const TEST_PARTNER_KEY: &str = "partner_test_5ecret-DO-NOT-PRINT";

/// A client for `server` with a user key and a partner key (each operation takes the kind it needs) and no
/// retries (tests that retry say so).
pub fn client(server: &Server) -> polytomic::Client {
    builder(server).build().unwrap()
}

/// The builder behind [`client`], for tests that change a setting.
pub fn builder(server: &Server) -> polytomic::ClientBuilder {
    polytomic::Client::builder()
        .base_url(server.url())
        .credentials(polytomic::Credentials::UserKey(TEST_KEY.into()))
        .credentials(polytomic::Credentials::PartnerKey(TEST_PARTNER_KEY.into()))
        .retry(polytomic::RetryPolicy::none())
}

/// The request with what changes between runs or must stay secret redacted, by header name: the port in
/// `host`, the credentials in `authorization` (its scheme stays visible), and an `idempotency-key` the
/// client generated (`pt-` and 32 hex digits; a key the test set stays).
pub fn redacted(mut request: Request) -> Request {
    for header in &mut request.headers {
        let lower = header.to_ascii_lowercase();
        let generated_key = lower
            .strip_prefix("idempotency-key: pt-")
            .is_some_and(|key| key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()));
        if generated_key {
            *header = "idempotency-key: [generated]".into();
        } else if lower.starts_with("host: ") {
            *header = "host: 127.0.0.1:[port]".into();
        } else if lower.starts_with("authorization: ") {
            let scheme = header["authorization: ".len()..]
                .split(' ')
                .next()
                .unwrap_or("");
            *header = format!("authorization: {scheme} [credentials]");
        }
    }
    request
}

/// The committed spec, parsed (the tests take their example payloads from it, so the examples stay true).
pub fn spec() -> serde_json::Value {
    // Parsed once per test binary: a debug build takes tens of milliseconds to parse it, which servers
    // that answer from the spec would otherwise spend on every request.
    static SPEC: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/polytomic.yaml");
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
    });
    SPEC.clone()
}

/// The example of the 200 response of `operation_id` in the spec (the response's, else its schema's).
pub fn success_example(operation_id: &str) -> serde_json::Value {
    let spec = spec();
    let operation = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id} in the spec"))
        .clone();
    let resolve = |value: &serde_json::Value| match value["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap()
            .clone(),
        None => value.clone(),
    };
    let media = resolve(&operation["responses"]["200"])["content"]["application/json"].clone();
    match media.get("example") {
        Some(example) => example.clone(),
        // Otherwise the example of the response's schema.
        None => resolve(&media["schema"])["example"].clone(),
    }
}

/// Every operation of the committed spec: (method, path, operation).
pub fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("operationId").is_some() {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// Follows a local `$ref` (repeatedly) to what it names.
pub fn resolve<'a>(
    spec: &'a serde_json::Value,
    value: &'a serde_json::Value,
) -> &'a serde_json::Value {
    let mut value = value;
    while let Some(reference) = value.get("$ref").and_then(|r| r.as_str()) {
        value = spec.pointer(reference.trim_start_matches('#')).unwrap();
    }
    value
}

/// A value of `schema` with every property present and non-null, so that decoding it and encoding it again
/// must give it back unchanged: a dropped, renamed or mistyped field shows as a difference. A recursive
/// schema is expanded once: where it would recur, the optional property is left out (an array stays empty).
pub fn full_example(spec: &serde_json::Value, schema: &serde_json::Value) -> serde_json::Value {
    example_in(spec, schema, &mut Vec::new()).unwrap_or(serde_json::Value::Null)
}

fn example_in(
    spec: &serde_json::Value,
    schema: &serde_json::Value,
    stack: &mut Vec<String>,
) -> Option<serde_json::Value> {
    use serde_json::{Value, json};
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(r) = &reference {
        if stack.contains(r) {
            return None;
        }
        stack.push(r.clone());
    }
    let schema = resolve(spec, schema);
    let value = (|| {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Some(values[0].clone());
        }
        if let Some(first) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
            .and_then(|b| b.first())
        {
            return example_in(spec, first, stack);
        }
        Some(match schema.get("type").and_then(Value::as_str) {
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("uuid") => json!("3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
                Some("date-time") => json!("2025-09-18T12:34:56Z"),
                _ => json!("text"),
            },
            Some("integer") => json!(7),
            Some("number") => json!(2.5),
            Some("boolean") => json!(true),
            // Cut recursion leaves the property out: the client skips empty lists and maps when it
            // encodes, so an empty one would not come back.
            Some("array") => Value::Array(vec![example_in(spec, &schema["items"], stack)?]),
            Some("object") => {
                let mut object = serde_json::Map::new();
                for (name, property) in schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    // Deprecated fields are left out (the Users API rejects `role` beside `role_ids`).
                    if property.get("deprecated") == Some(&Value::Bool(true)) {
                        continue;
                    }
                    if let Some(value) = example_in(spec, property, stack) {
                        object.insert(name.clone(), value);
                    }
                }
                if let Some(values) = schema.get("additionalProperties").filter(|a| a.is_object())
                    && schema.get("properties").is_none()
                {
                    object.insert("key".into(), example_in(spec, values, stack)?);
                }
                Value::Object(object)
            }
            // A schema that says nothing (`{}`, "Any type"): any JSON value.
            None => json!("any"),
            Some(other) => panic!("no example for type {other}"),
        })
    })();
    if reference.is_some() {
        stack.pop();
    }
    value
}

// ---- The mock API (tests/mock-server serves it; the CLI's tests run it in process) --------

/// The operation `method` + `target` stands for. Where a fixed segment and a parameter both fit
/// (`/api/bulk/syncs/status` and `/api/bulk/syncs/{id}`), the path with fewer parameters wins, as a router
/// does.
pub fn operation_for(
    spec: &serde_json::Value,
    method: &str,
    target: &str,
) -> Option<serde_json::Value> {
    let path = target.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .filter_map(|(template, item)| {
            let pattern: Vec<&str> = template.split('/').collect();
            let matches = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p.starts_with('{') || p == s);
            let operation = item.get(method.to_ascii_lowercase())?;
            let parameters = pattern.iter().filter(|p| p.starts_with('{')).count();
            matches.then(|| (parameters, operation.clone()))
        })
        .min_by_key(|(parameters, _)| *parameters)
        .map(|(_, operation)| operation)
}

/// The operation's success status and body: the spec's example, else a value built from the schema.
pub fn success(spec: &serde_json::Value, operation: &serde_json::Value) -> (u16, Option<String>) {
    let id = operation["operationId"].as_str().unwrap_or_default();
    let Some((status, response)) = operation["responses"]
        .as_object()
        .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
    else {
        return (200, None);
    };
    let status = status.parse().unwrap_or(200);
    let response = resolve(spec, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return (status, None);
    };
    let example = match success_example(id) {
        serde_json::Value::Null => full_example(spec, schema),
        example => example,
    };
    (status, Some(example.to_string()))
}

/// The mock API's answer to `request`: the operation it stands for (if any) and the reply.
pub fn mock_reply(spec: &serde_json::Value, request: &Request) -> (Option<String>, Reply) {
    match operation_for(spec, &request.method, &request.target) {
        Some(operation) => {
            let (status, body) = success(spec, &operation);
            let reply = match body {
                Some(body) => Reply::json(status, body),
                None => Reply::text(status, "application/json", ""),
            };
            (operation["operationId"].as_str().map(str::to_string), reply)
        }
        None => (
            None,
            Reply::json(
                404,
                r#"{"key":"not_found","message":"no such operation","status":404}"#,
            ),
        ),
    }
}
