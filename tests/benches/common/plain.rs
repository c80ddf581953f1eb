//! The hand-written baseline the benches compare the generated client with: a reqwest call that sends the
//! same headers with the same limits and decodes the same type.
// Included by each bench (`#[path]`); not every bench uses every call.
#![allow(dead_code)]

use std::time::Duration;

use polytomic::types::UserEnvelope;
use polytomic_test_support::TEST_KEY;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

#[derive(Clone)]
pub struct Plain {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
}

impl Plain {
    /// The same limits the generated client sets by default (timeouts cost a timer per request).
    pub fn new(url: &str) -> Plain {
        // In this workspace reqwest has rustls without a crypto provider (the client's `rustls-ring`); a
        // program of its own would have reqwest's default, aws-lc-rs. Neither is used: the calls are HTTP.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            HeaderName::from_static("x-polytomic-version"),
            HeaderValue::from_static(polytomic::API_VERSION),
        );
        headers.insert(AUTHORIZATION, format!("Bearer {TEST_KEY}").parse().unwrap());
        headers.insert(USER_AGENT, HeaderValue::from_static(polytomic::USER_AGENT));
        Plain {
            http,
            url: url.trim_end_matches('/').to_string(),
            headers,
        }
    }

    /// As most hand-written calls do it: each header named and formatted in the call (`bearer_auth`
    /// formats the key on every call too). `None` for any failure.
    pub async fn get_user(&self, id: uuid::Uuid) -> Option<UserEnvelope> {
        let response = self
            .http
            .get(format!("{}/api/organization/users/{id}", self.url))
            .header("accept", "application/json")
            .header("x-polytomic-version", polytomic::API_VERSION)
            .header("authorization", format!("Bearer {TEST_KEY}"))
            .header("user-agent", polytomic::USER_AGENT)
            .send()
            .await
            .ok()?;
        decode(response).await
    }

    /// The leanest: the headers built once, copied into each call.
    pub async fn get_user_prebuilt(&self, id: uuid::Uuid) -> Option<UserEnvelope> {
        let response = self
            .http
            .get(format!("{}/api/organization/users/{id}", self.url))
            .headers(self.headers.clone())
            .send()
            .await
            .ok()?;
        decode(response).await
    }
}

async fn decode(response: reqwest::Response) -> Option<UserEnvelope> {
    if !response.status().is_success() {
        return None;
    }
    serde_json::from_slice(&response.bytes().await.ok()?).ok()
}
