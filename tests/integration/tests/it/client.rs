//! The runtime behaviour of the hand-written layer (crates/polytomic/src/{config,hooks,error}.rs), each
//! proven on the wire against a loopback server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use polytomic::types::{CreateUserRequestSchema, CurrentOrgUpdateUserRequestSchema, UserEnvelope};
use polytomic::{Client, Credentials, Error, RetryPolicy, RoleIds};
use polytomic_test_support::{Reply, Server, TEST_KEY, builder, client, redacted, success_example};
use uuid::Uuid;

const USER_ID: Uuid = uuid::uuid!("248df4b7-aa70-47b8-a036-33ac447e668d");
const ORG_ID: Uuid = uuid::uuid!("a1b2c3d4-e5f6-7890-abcd-ef1234567890");
const ROLE_ID: Uuid = uuid::uuid!("9f8e7d6c-5b4a-3210-fedc-ba9876543210");

fn user_reply() -> Reply {
    Reply::json(200, success_example("get_current_org_user").to_string())
}

async fn get_user(api: &Client) -> Result<UserEnvelope, Error> {
    Ok(api
        .get_current_org_user()
        .id(USER_ID)
        .send()
        .await?
        .into_inner())
}

/// Retries quickly, so the tests do not wait for the default backoff.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
}

// ---- Construction and credentials ----------------------------------------------------------------

#[tokio::test]
async fn each_credential_kind_sends_its_authorization_header() {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ORG_ID}:{TEST_KEY}"));
    let cases = [
        (
            "user_key",
            Credentials::UserKey(TEST_KEY.into()),
            format!("Bearer {TEST_KEY}"),
        ),
        (
            "org_scoped_key",
            Credentials::OrgScopedKey {
                organization_id: ORG_ID.to_string(),
                key: TEST_KEY.into(),
            },
            format!("Basic {basic}"),
        ),
        (
            "partner_key",
            Credentials::PartnerKey(TEST_KEY.into()),
            format!("Bearer {TEST_KEY}"),
        ),
    ];
    for (name, credentials, expected) in cases {
        let server = Server::replying(user_reply()).await;
        let partner = matches!(credentials, Credentials::PartnerKey(_));
        let api = Client::builder()
            .base_url(server.url())
            .retry(RetryPolicy::none())
            .credentials(credentials)
            .build()
            .unwrap();
        if partner {
            api.get_partner_user()
                .org_id(ORG_ID)
                .id(USER_ID)
                .send()
                .await
                .unwrap();
        } else {
            get_user(&api).await.unwrap();
        }
        let request = server.single_request();
        assert_eq!(
            request.header("authorization"),
            Some(expected.as_str()),
            "{name}"
        );
        insta::assert_yaml_snapshot!(format!("credentials_{name}"), redacted(request));
    }
}

/// A client holding a user key and a partner key sends each operation the kind the spec says it takes; the
/// operations that name none get the user key. Holding only the other kind is an error before sending.
#[tokio::test]
async fn each_operation_gets_the_key_it_takes() {
    let server = Server::replying(user_reply()).await;
    let both = Client::builder()
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .credentials(Credentials::PartnerKey("partner-key".into()))
        .credentials(Credentials::UserKey("user-key".into()))
        .build()
        .unwrap();
    get_user(&both).await.unwrap();
    both.get_partner_user()
        .org_id(ORG_ID)
        .id(USER_ID)
        .send()
        .await
        .unwrap();
    let _ = both.get_identity().send().await;
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        sent,
        ["Bearer user-key", "Bearer partner-key", "Bearer user-key"]
    );

    let only_user = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::UserKey("user-key".into()))
        .build()
        .unwrap();
    let error = Error::from(
        only_user
            .get_partner_user()
            .org_id(ORG_ID)
            .id(USER_ID)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        error.to_string(),
        "invalid request: get_partner_user takes a partner API key, and the client holds only a user-side key"
    );
    let only_partner = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::PartnerKey("partner-key".into()))
        .build()
        .unwrap();
    assert!(get_user(&only_partner).await.is_err());
    assert_eq!(
        server.requests().len(),
        3,
        "nothing was sent for the mismatched calls"
    );
}

#[tokio::test]
async fn version_header_is_overridable_per_client_and_per_request_and_sent_once() {
    let server = Server::replying(user_reply()).await;
    let api = builder(&server).api_version("2024-02-08").build().unwrap();
    get_user(&api).await.unwrap();
    api.get_current_org_user()
        .id(USER_ID)
        .x_polytomic_version("2023-04-25")
        .send()
        .await
        .unwrap();
    let [per_client, per_request] = &server.requests()[..] else {
        panic!("two requests expected");
    };
    assert_eq!(per_client.header("x-polytomic-version"), Some("2024-02-08"));
    let versions: Vec<_> = per_request
        .headers
        .iter()
        .filter(|h| h.to_ascii_lowercase().starts_with("x-polytomic-version:"))
        .collect();
    assert_eq!(versions, ["x-polytomic-version: 2023-04-25"]);
    insta::assert_yaml_snapshot!(
        "version_override_per_request",
        redacted(per_request.clone())
    );
}

#[tokio::test]
async fn defaults_version_user_agent_and_no_api_version_header() {
    let server = Server::replying(user_reply()).await;
    get_user(&client(&server)).await.unwrap();
    let request = server.single_request();
    assert_eq!(
        request.header("x-polytomic-version"),
        Some(polytomic::API_VERSION)
    );
    assert_eq!(request.header("user-agent"), Some(polytomic::USER_AGENT));
    // The user agent names the crate version, whose build metadata is the API version it speaks.
    assert!(polytomic::USER_AGENT.starts_with("polytomic-rust/"));
    assert!(polytomic::USER_AGENT.ends_with(&format!("+{}", polytomic::API_VERSION)));
    // The default version is the spec's, as generated.
    assert_eq!(
        polytomic::API_VERSION,
        <Client as polytomic::ClientInfo<polytomic::ClientState>>::api_version()
    );
    // progenitor's own `api-version` header is not Polytomic's: `cargo xtask generate` drops it.
    assert_eq!(request.header("api-version"), None);
}

#[tokio::test]
async fn bad_configuration_is_a_clear_error() {
    for (builder, expected) in [
        (
            Client::builder().base_url("not a url"),
            "base URL \"not a url\" is not a URL",
        ),
        (
            Client::builder().base_url("ftp://x"),
            "must start with http:// or https://",
        ),
        (
            Client::builder().credentials(Credentials::UserKey("line\nbreak".into())),
            "cannot be sent in an HTTP header",
        ),
        (
            Client::builder().api_version("2025-09-18\r\n"),
            "is not a valid header value",
        ),
    ] {
        let error = builder.build().unwrap_err();
        assert!(matches!(error, Error::InvalidConfig(_)), "{error:?}");
        assert!(error.to_string().contains(expected), "{error}");
        assert!(
            !error.to_string().contains("break"),
            "the key must not be echoed: {error}"
        );
    }
}

// ---- Secrets --------------------------------------------------------------------------------------

#[tokio::test]
async fn the_key_never_shows_in_debug_display_or_errors() {
    let credentials = Credentials::OrgScopedKey {
        organization_id: ORG_ID.to_string(),
        key: TEST_KEY.into(),
    };
    let builder = Client::builder().credentials(credentials.clone());
    let api = builder
        .clone()
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let connection_error = get_user(&api).await.unwrap_err();
    let server = Server::replying(Reply::json(403, r#"{"message":"no"}"#)).await;
    let api_error = get_user(&client(&server)).await.unwrap_err();
    let texts = [
        format!("{credentials:?}"),
        format!("{credentials}"),
        format!("{builder:?}"),
        format!("{api:?}"),
        format!("{connection_error}"),
        format!("{connection_error:?}"),
        format!("{api_error}"),
        format!("{api_error:?}"),
    ];
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ORG_ID}:{TEST_KEY}"));
    for text in &texts {
        assert!(
            !text.contains(TEST_KEY) && !text.contains(&basic),
            "leaks the key: {text}"
        );
    }
    assert!(format!("{credentials:?}").contains("<redacted>"));
    // The header is marked sensitive, which is why reqwest's own Debug of the client hides it.
    assert!(format!("{api:?}").contains("Sensitive"), "{api:?}");
}

#[test]
fn no_snapshot_contains_the_key() {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ORG_ID}:{TEST_KEY}"));
    let mut checked = 0;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(TEST_KEY) && !text.contains(&basic));
        checked += 1;
    }
    assert!(checked > 20, "only {checked} snapshots found");
}

// ---- Errors ---------------------------------------------------------------------------------------

#[tokio::test]
async fn api_errors_carry_status_and_decoded_body() {
    for (status, text) in [
        (403, "403 Forbidden"),
        (404, "404 Not Found"),
        (422, "422 Unprocessable Entity"),
        (500, "500 Internal Server Error"),
    ] {
        let body = format!(
            r#"{{"key":"k","message":"m{status}","metadata":{{"a":1}},"status":{status}}}"#
        );
        let server = Server::replying(Reply::json(status, body)).await;
        let error = get_user(&client(&server)).await.unwrap_err();
        assert_eq!(error.to_string(), format!("{text}: m{status} [k]"));
        let Error::Api {
            status: got,
            error: api,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(got.as_u16(), status);
        assert_eq!(api.status, Some(status.into()));
        assert_eq!(api.metadata["a"], 1);
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn unusable_error_bodies_give_status_and_excerpt() {
    let html = "<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>";
    let cases = [
        (
            Reply::json(403, ""),
            "403 Forbidden: empty response body (application/json)",
        ),
        (
            Reply::json(404, "{}"),
            "404 Not Found: response body is not an ApiError (application/json): {}",
        ),
        (
            Reply::text(500, "text/html", html),
            "500 Internal Server Error: response body is not an ApiError (text/html): <!doctype html>",
        ),
        // A status the spec does not declare, with an HTML body from a proxy.
        (
            Reply::text(418, "text/html", "<p>teapot</p>"),
            "418 I'm a teapot: response body is not an ApiError (text/html): <p>teapot</p>",
        ),
    ];
    for (reply, expected) in cases {
        let server = Server::replying(reply).await;
        let error = get_user(&client(&server)).await.unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedResponse { .. }),
            "{error:?}"
        );
        assert!(error.to_string().starts_with(expected), "{error}");
    }
}

#[tokio::test]
async fn an_undeclared_status_with_an_api_error_body_is_still_an_api_error() {
    let server = Server::replying(Reply::json(401, r#"{"message":"bad key"}"#)).await;
    let error = get_user(&client(&server)).await.unwrap_err();
    assert_eq!(error.to_string(), "401 Unauthorized: bad key");
}

#[tokio::test]
async fn a_success_body_that_does_not_match_names_the_field() {
    let server = Server::replying(Reply::json(
        200,
        r#"{"data":{"email":"a@b.c","id":"not-a-uuid"}}"#,
    ))
    .await;
    let error = get_user(&client(&server)).await.unwrap_err();
    let Error::InvalidResponse { path, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(path, "data.id");
    assert!(
        error
            .to_string()
            .starts_with("response body does not match the schema at `data.id`: "),
        "{error}"
    );
}

// ---- Validation before any network I/O -----------------------------------------------------------

#[tokio::test]
async fn empty_role_ids_and_role_with_role_ids_are_rejected_before_sending() {
    let error = RoleIds::new(vec![]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid request: role_ids must contain at least one role id")
    );
    // Nor can an empty list sneak in through deserialization.
    let decoded = serde_json::from_str::<CurrentOrgUpdateUserRequestSchema>(r#"{"role_ids":[]}"#);
    assert!(decoded.is_err());

    let server = Server::replying(user_reply()).await;
    let error = Error::from(
        client(&server)
            .create_partner_user()
            .org_id(ORG_ID)
            .body(
                CreateUserRequestSchema::builder()
                    .email("a@b.c")
                    .role("admin".to_string())
                    .role_ids(RoleIds::from(ROLE_ID)),
            )
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("set either role or role_ids, not both"),
        "{error}"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

// ---- Forward compatibility ------------------------------------------------------------------------

#[tokio::test]
async fn unknown_fields_nulls_and_missing_fields_decode() {
    let body = r#"{"data":{"id":"248df4b7-aa70-47b8-a036-33ac447e668d","role_ids":null,
        "added_in_2026":{"nested":[1,2]},"email":"a@b.c"},"next_page":null}"#;
    let server = Server::replying(Reply::json(200, body)).await;
    let user = get_user(&client(&server)).await.unwrap().data.unwrap();
    assert_eq!(user.id, Some(USER_ID));
    assert_eq!(user.role_ids, None);
    assert_eq!(user.organization_id, None);
    assert_eq!(user.email.as_deref(), Some("a@b.c"));
    // The property the document does not name is kept, and encoded again.
    assert_eq!(
        user.extra.get("added_in_2026"),
        Some(&serde_json::json!({"nested": [1, 2]}))
    );
    let again = serde_json::to_value(&user).unwrap();
    assert_eq!(
        again["added_in_2026"],
        serde_json::json!({"nested": [1, 2]})
    );

    let server = Server::replying(Reply::json(200, r#"{"data":null}"#)).await;
    let list = client(&server)
        .list_current_org_users()
        .send()
        .await
        .unwrap();
    assert_eq!(list.into_inner().data, None);
}

#[tokio::test]
async fn an_enum_value_the_document_does_not_list_is_kept_and_sent_back() {
    use polytomic::types::BulkExecutionStatus;
    let body =
        r#"{"data":{"id":"248df4b7-aa70-47b8-a036-33ac447e668d","status":"paused_by_2027"}}"#;
    let server = Server::replying(Reply::json(200, body)).await;
    let execution = client(&server)
        .get_bulk_sync_execution()
        .id(USER_ID)
        .exec_id(USER_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let status = execution.data.unwrap().status.unwrap();
    assert_eq!(
        status,
        BulkExecutionStatus::Unknown("paused_by_2027".into())
    );
    assert_eq!(status.to_string(), "paused_by_2027");
    assert_eq!(
        serde_json::to_string(&status).unwrap(),
        r#""paused_by_2027""#
    );
    // Known values still decode to their own variant; parsing accepts either.
    let known: BulkExecutionStatus = serde_json::from_str(r#""completed""#).unwrap();
    assert_eq!(known, BulkExecutionStatus::Completed);
    assert_eq!(
        "paused_by_2027".parse::<BulkExecutionStatus>().ok(),
        Some(status)
    );
    // A non-string is still an error, not a value to keep.
    assert!(serde_json::from_str::<BulkExecutionStatus>("7").is_err());
}

// ---- Retries and idempotency ----------------------------------------------------------------------

/// A server that answers with `failure` `failures` times, then with `success`.
async fn failing_then(failures: usize, failure: Reply, success: Reply) -> Server {
    let seen = Arc::new(AtomicUsize::new(0));
    Server::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < failures {
            failure.clone()
        } else {
            success.clone()
        }
    })
    .await
}

#[tokio::test]
async fn retryable_statuses_are_retried_exactly_max_retries_times() {
    for status in [408, 409, 429, 500, 502, 503] {
        let server = Server::replying(Reply::json(status, r#"{"message":"busy"}"#)).await;
        let api = builder(&server).retry(fast_retries(2)).build().unwrap();
        let error = get_user(&api).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            server.requests().len(),
            3,
            "{status}: 1 attempt + 2 retries"
        );
    }
}

/// Three attempts, each retry the same request: method, target and every header (credentials included).
fn assert_three_identical_attempts(server: &Server) {
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].header("authorization").is_some());
    for retry in &requests[1..] {
        assert_eq!(
            (&retry.method, &retry.target, &retry.headers),
            (
                &requests[0].method,
                &requests[0].target,
                &requests[0].headers
            )
        );
    }
}

#[tokio::test]
async fn a_retry_that_succeeds_returns_the_success() {
    let server = failing_then(2, Reply::json(503, "{}"), user_reply()).await;
    let api = builder(&server).retry(fast_retries(2)).build().unwrap();
    assert!(get_user(&api).await.is_ok());
    assert_three_identical_attempts(&server);
}

#[tokio::test]
async fn zero_retries_and_non_retryable_statuses_make_one_attempt() {
    let server = Server::replying(Reply::json(503, "{}")).await;
    let api = builder(&server).retry(fast_retries(0)).build().unwrap();
    get_user(&api).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);

    for status in [400, 401, 403, 404, 422] {
        let server = Server::replying(Reply::json(status, r#"{"message":"no"}"#)).await;
        let api = builder(&server).retry(fast_retries(3)).build().unwrap();
        get_user(&api).await.unwrap_err();
        assert_eq!(server.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn dropped_connections_are_retried_for_idempotent_calls() {
    let server = failing_then(2, Reply::hang_up(), user_reply()).await;
    let api = builder(&server).retry(fast_retries(2)).build().unwrap();
    assert!(get_user(&api).await.is_ok());
    assert_three_identical_attempts(&server);
}

/// Polytomic's rules for `Idempotency-Key` (apidocs, "Idempotent requests"): a key replays the first
/// outcome (a 5xx is not worth retrying under it), a 409 means the first request is still in flight (worth
/// retrying), keys are 8 to 255 letters, digits, `-` or `_`. The client generates one for a POST that
/// takes one, and every attempt of the call sends the same key.
#[tokio::test]
async fn a_post_is_retried_only_with_an_idempotency_key_which_every_attempt_repeats() {
    async fn create(api: &Client, key: Option<&str>) -> Result<(), Error> {
        let mut call = api.create_partner_user().org_id(ORG_ID).body(
            CreateUserRequestSchema::builder()
                .email("a@b.c")
                .role_ids(RoleIds::from(ROLE_ID)),
        );
        if let Some(key) = key {
            call = call.idempotency_key(key);
        }
        call.send().await?;
        Ok(())
    }
    /// A server that answers 409 (in flight) to the first `conflicts` requests, then 201.
    async fn busy_then_done(conflicts: usize) -> Server {
        let seen = std::sync::atomic::AtomicUsize::new(0);
        Server::start(move |_| {
            if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < conflicts {
                Reply::json(409, r#"{"message":"in flight","status":409}"#)
            } else {
                Reply::json(201, r#"{"data":{}}"#)
            }
        })
        .await
    }

    // Without a key (generation turned off), a POST that reached the server is not repeated.
    let server = Server::replying(Reply::json(503, "{}")).await;
    let api = builder(&server)
        .retry(fast_retries(2))
        .generate_idempotency_keys(false)
        .build()
        .unwrap();
    create(&api, None).await.unwrap_err();
    assert_eq!(
        server.requests().len(),
        1,
        "a POST without a key is not repeated"
    );
    assert_eq!(server.single_request().header("idempotency-key"), None);

    // With the caller's key: a 503 would be replayed under it, so it is final.
    let server = Server::replying(Reply::json(503, "{}")).await;
    let api = builder(&server).retry(fast_retries(2)).build().unwrap();
    create(&api, Some("key-0001")).await.unwrap_err();
    assert_eq!(
        server.requests().len(),
        1,
        "a 5xx under a key is not retried"
    );

    // A 409 under the key is retried, with the same key and body, until the first request is done.
    let server = busy_then_done(2).await;
    let api = builder(&server).retry(fast_retries(2)).build().unwrap();
    create(&api, Some("key-0001")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.header("idempotency-key"), Some("key-0001"));
        assert_eq!(request.body, requests[0].body);
    }

    // No key given: one is generated, and every attempt of the call repeats it.
    let server = busy_then_done(1).await;
    let api = builder(&server).retry(fast_retries(2)).build().unwrap();
    create(&api, None).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let generated = requests[0].header("idempotency-key").unwrap().to_string();
    assert!(
        generated.starts_with("pt-") && generated.len() == 35,
        "{generated}"
    );
    assert_eq!(
        requests[1].header("idempotency-key"),
        Some(generated.as_str())
    );
    // The next call gets another.
    let server = Server::replying(Reply::json(201, r#"{"data":{}}"#)).await;
    let api = builder(&server).build().unwrap();
    create(&api, None).await.unwrap();
    assert_ne!(
        server.single_request().header("idempotency-key"),
        Some(generated.as_str())
    );

    // A key names one call: it cannot be set for every call of a client.
    let options = polytomic::RequestOptions::new().header("Idempotency-Key", "key-0001");
    assert!(matches!(options, Err(Error::InvalidConfig(_))));

    // A key Polytomic would refuse is an error before anything is sent.
    let server = Server::replying(Reply::json(201, "{}")).await;
    let api = builder(&server).build().unwrap();
    let error = create(&api, Some("key-1")).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    assert!(error.to_string().contains("8 to 255"), "{error}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap() {
    let server = failing_then(
        1,
        Reply::json(429, "{}").header("retry-after", "1"),
        user_reply(),
    )
    .await;
    let api = builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_retries(1)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    get_user(&api).await.unwrap();
    let requests = server.requests();
    let waited = requests[1].received_at - requests[0].received_at;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 was not respected: {waited:?}"
    );

    // A Retry-After beyond what the policy waits is not cut short: the error comes back at once, with
    // the server's delay on it, and nothing is retried early.
    let server = failing_then(
        1,
        Reply::json(503, "{}").header("retry-after", "3600"),
        user_reply(),
    )
    .await;
    let api = builder(&server).retry(fast_retries(1)).build().unwrap();
    let error = get_user(&api).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
}

// ---- Timeouts and broken connections ----------------------------------------------------------------

#[tokio::test]
async fn a_slow_server_gives_a_timeout_error_within_the_bound() {
    let server = Server::replying(user_reply().after(Duration::from_secs(30))).await;
    let api = builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // The server answers after 30 s, with a good body: a timeout error means the client gave up at its own
    // bound (a client waiting the server out would have succeeded).
    let error = get_user(&api).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(error.to_string().starts_with("timed out: "), "{error}");
}

#[tokio::test]
async fn a_dropped_connection_and_a_closed_port_give_connection_errors() {
    let server = Server::replying(Reply::hang_up()).await;
    let error = get_user(&client(&server)).await.unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert_eq!(server.requests().len(), 1);

    let closed = Client::builder()
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = get_user(&closed).await.unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert!(
        error.to_string().starts_with("connection error: "),
        "{error}"
    );
}
