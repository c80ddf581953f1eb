//! What a production user relies on, on the loopback server: issued keys never printed, bounded error
//! text, Retry-After kept as a promise, an overall deadline, safe retries of a POST that never left, an
//! undeclared success, a caller's own reqwest client, the headers a support ticket needs, and per-call
//! options.

use std::time::Duration;

use polytomic::types::CurrentOrgCreateUserRequestSchema;
use polytomic::{Client, Credentials, Error, RequestOptions, RetryPolicy, RoleIds};
use polytomic_test_support::{Reply, Server, TEST_KEY, builder, client, success_example};
use uuid::Uuid;

const ORG_ID: Uuid = uuid::uuid!("a1b2c3d4-e5f6-7890-abcd-ef1234567890");
const ISSUED: &str = "pk_live_ISSUED-9f2c-must-not-print";

async fn issue_key(server: &Server) -> Result<polytomic::types::ApiKeyResponseEnvelope, Error> {
    Ok(client(server)
        .create_partner_user_api_key()
        .org_id(ORG_ID)
        .id(Uuid::nil())
        .send()
        .await?
        .into_inner())
}

#[tokio::test]
async fn an_issued_key_shows_only_when_asked_for() {
    // A good response: the key is there to use, but Debug does not show it.
    let good = format!(r#"{{"data":{{"value":"{ISSUED}"}}}}"#);
    let server = Server::replying(Reply::json(200, good)).await;
    let response = issue_key(&server).await.unwrap();
    let value = response.data.as_ref().unwrap().value.as_ref().unwrap();
    assert_eq!(value.expose(), ISSUED);
    assert!(!format!("{response:?}").contains(ISSUED));
    assert!(!format!("{value}").contains(ISSUED));
    // Serialized (as the CLI prints a success), it is the plain key.
    assert!(serde_json::to_string(&response).unwrap().contains(ISSUED));

    // Bodies that do not match the spec but hold the key: the error names the place, never the key.
    for body in [
        format!(r#"{{"data":"{ISSUED}"}}"#),
        format!(r#"{{"data":{{"value":["{ISSUED}"]}}}}"#),
        format!(r#"{{"data":{{"value":"{ISSUED}","other":}}}}"#),
    ] {
        let server = Server::replying(Reply::json(200, body.clone())).await;
        let error = issue_key(&server).await.unwrap_err();
        for text in [format!("{error}"), format!("{error:?}")] {
            assert!(!text.contains(ISSUED), "{body} -> {text}");
        }
    }
    // The same for an error status whose body is not an ApiError.
    let server = Server::replying(Reply::json(
        500,
        format!(r#"{{"data":{{"value":"{ISSUED}"}}}}"#),
    ))
    .await;
    let error = issue_key(&server).await.unwrap_err();
    assert!(!format!("{error} {error:?}").contains(ISSUED), "{error}");
}

#[tokio::test]
async fn error_text_stays_short_whatever_the_body() {
    let huge_message = format!(r#"{{"message":"{}","status":500}}"#, "x".repeat(5 << 20));
    let huge_html = format!("<html>{}</html>", "y".repeat(5 << 20));
    for reply in [
        Reply::json(500, huge_message),
        Reply::text(502, "text/html", huge_html),
        Reply::json(
            200,
            format!(r#"{{"data":{{"id":"{}"}}}}"#, "z".repeat(5 << 20)),
        ),
    ] {
        let server = Server::replying(reply).await;
        let error = Error::from(
            client(&server)
                .get_current_org_user()
                .id(Uuid::nil())
                .send()
                .await
                .unwrap_err(),
        );
        assert!(
            error.to_string().len() < 1_000,
            "{} characters",
            error.to_string().len()
        );
        assert!(format!("{error:?}").len() < 70_000);
    }
}

#[tokio::test]
async fn retry_after_longer_than_the_policy_allows_returns_at_once() {
    let server = Server::replying(
        Reply::json(429, r#"{"message":"slow down"}"#).header("retry-after", "3600"),
    )
    .await;
    let api = builder(&server)
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    // "At once" is the policy's decision (`retry::decide`, unit-tested there): no retry, so no wait. What
    // the wire shows is that decision: one request, and the server's delay on the error.
    let error = Error::from(api.list_connections().send().await.unwrap_err());
    assert_eq!(server.requests().len(), 1, "no early retry");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn retry_after_within_the_policy_is_waited_out_in_full() {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let server = Server::start(move |_| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
            Reply::json(200, r#"{"data":[]}"#)
        } else {
            Reply::json(503, r#"{"message":"busy"}"#).header("retry-after", "1")
        }
    })
    .await;
    let api = builder(&server)
        .retry(RetryPolicy::default().with_max_retries(1))
        .build()
        .unwrap();
    let _ = api.list_connections().send().await;
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // A lower bound only: the retry may come later on a slow machine, never earlier.
    assert!(requests[1].received_at - requests[0].received_at >= Duration::from_secs(1));
}

#[tokio::test]
async fn the_overall_deadline_stops_retrying() {
    let server = Server::replying(Reply::json(503, r#"{"message":"down"}"#)).await;
    let api = builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_retries(10)
                .with_initial_backoff(Duration::from_millis(100))
                .with_max_backoff(Duration::from_millis(100))
                .with_max_elapsed(Some(Duration::from_millis(250))),
        )
        .build()
        .unwrap();
    let _ = api.list_connections().send().await;
    let attempts = server.requests().len();
    // Without the deadline there would be 11; each wait is at least 50 ms, so at most 6 fit in 250 ms.
    assert!(
        (1..=6).contains(&attempts),
        "{attempts} attempts within 250 ms"
    );
}

#[tokio::test]
async fn a_post_whose_connection_failed_is_retried() {
    // A port with nothing listening yet; the server comes up while the client backs off.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::UserKey(TEST_KEY.into()))
        .retry(
            RetryPolicy::default()
                // Enough attempts that the server's start, however slow the machine, falls inside them.
                .with_max_retries(200)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(50))
                .with_max_elapsed(None),
        )
        .build()
        .unwrap();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Server::start_on(port, |_| {
            Reply::json(200, success_example("create_current_org_user").to_string())
        })
        .await
        .unwrap()
    });
    // No Idempotency-Key: an answered POST would not be retried, but this one never left.
    let created = api
        .create_current_org_user()
        .body(
            CurrentOrgCreateUserRequestSchema::builder()
                .email("jane.doe@polytomic.com")
                .role_ids(RoleIds::from(Uuid::nil())),
        )
        .send()
        .await;
    let server = server.await.unwrap();
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(server.requests().len(), 1, "sent once");
}

#[tokio::test]
async fn an_undeclared_success_status_with_a_good_body_is_a_success() {
    let server = Server::replying(Reply::json(
        201,
        success_example("create_current_org_user").to_string(),
    ))
    .await;
    let created = client(&server)
        .create_current_org_user()
        .body(
            CurrentOrgCreateUserRequestSchema::builder()
                .email("jane.doe@polytomic.com")
                .role_ids(RoleIds::from(Uuid::nil())),
        )
        .send()
        .await
        .unwrap();
    assert!(created.into_inner().data.is_some());
    // A body that does not decode is still an error.
    let server = Server::replying(Reply::json(201, r#"{"data":{"id":7}}"#)).await;
    let error = Error::from(
        client(&server)
            .get_current_org_user()
            .id(Uuid::nil())
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error}");
}

#[tokio::test]
async fn a_callers_reqwest_client_gets_credentials_version_and_user_agent() {
    let server = Server::replying(Reply::json(200, r#"{"data":[]}"#)).await;
    // As README says: with the default `rustls-ring`, reqwest has rustls but no crypto provider of its
    // own, so a client built with reqwest's own builder needs one installed (or reqwest's `rustls`).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let own = reqwest::Client::builder().build().unwrap();
    let api = Client::builder()
        .base_url(server.url())
        .http_client(own)
        .credentials(Credentials::UserKey(TEST_KEY.into()))
        .build()
        .unwrap();
    api.list_connections().send().await.unwrap();
    let request = server.single_request();
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    assert_eq!(
        request.header("x-polytomic-version"),
        Some(polytomic::API_VERSION)
    );
    assert_eq!(request.header("user-agent"), Some(polytomic::USER_AGENT));
    // The builder's timeout applies to a caller's client too (set on each request).
    let slow =
        Server::replying(Reply::json(200, r#"{"data":[]}"#).after(Duration::from_millis(500)))
            .await;
    let hurried = Client::builder()
        .base_url(slow.url())
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(100))
        .credentials(Credentials::UserKey(TEST_KEY.into()))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = Error::from(hurried.list_connections().send().await.unwrap_err());
    assert!(matches!(error, Error::Timeout(_)), "{error}");
    // ClientState can be made by hand too, for progenitor's own constructor.
    let bare = Client::new_with_client(server.url(), reqwest::Client::new(), Default::default());
    bare.list_connections().send().await.unwrap();
}

#[tokio::test]
async fn errors_keep_the_headers_support_needs() {
    let server = Server::replying(
        Reply::json(404, r#"{"message":"no such connection","status":404}"#)
            .header("x-request-id", "req-123")
            .header("x-polytomic-version", "2025-09-18")
            .header("set-cookie", "session=secret"),
    )
    .await;
    let error = Error::from(
        client(&server)
            .get_connection()
            .id(Uuid::nil())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(error.request_id(), Some("req-123"));
    let headers = error.headers().unwrap();
    assert_eq!(headers["x-polytomic-version"], "2025-09-18");
    assert!(
        headers.get("set-cookie").is_none(),
        "only the support headers"
    );
    // Also when the body is not an ApiError (a proxy's page).
    let server = Server::replying(
        Reply::text(502, "text/html", "<html>bad gateway</html>")
            .header("retry-after", "120")
            .header("x-request-id", "req-456"),
    )
    .await;
    let error = Error::from(
        client(&server)
            .get_connection()
            .id(Uuid::nil())
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, Error::UnexpectedResponse { .. }), "{error}");
    assert_eq!(error.request_id(), Some("req-456"));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn per_call_options_apply_to_that_client_value_only() {
    let server = Server::start(|request| {
        if request.target.contains("slow") {
            Reply::json(200, r#"{"data":[]}"#).after(Duration::from_millis(400))
        } else {
            Reply::json(503, r#"{"message":"busy"}"#)
        }
    })
    .await;
    let api = builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_retries(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    // Extra header and no retries, for one call.
    let once = api.with_options(
        RequestOptions::new()
            .max_retries(0)
            .header("x-trace-id", "t-1")
            .unwrap(),
    );
    let _ = once.list_connections().send().await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-trace-id"), Some("t-1"));
    // The original client keeps its policy: 1 + 2 attempts, without the header.
    let _ = api.list_connections().send().await;
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[3].header("x-trace-id"), None);
    // A shorter timeout for one call.
    let hurried = api.with_options(RequestOptions::new().timeout(Duration::from_millis(50)));
    let error = Error::from(
        hurried
            .get_connection_type_schema()
            .id("slow")
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, Error::Timeout(_)), "{error}");
    // A longer one than the client's: the call's own wins over the one set on the built client.
    let patient = builder(&server)
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap()
        .with_options(RequestOptions::new().timeout(Duration::from_secs(5)));
    patient
        .get_connection_type_schema()
        .id("slow")
        .send()
        .await
        .unwrap();
    assert!(RequestOptions::new().header("authorization", "x").is_err());
}
