//! Arbitrary response bodies and statuses for every operation: the client must return a value or a typed
//! error, never panic. Bodies are random bytes, random JSON, and mutated examples, from a fixed seed.
//!
//! A longer run: FUZZ_CASES=20000 cargo test -p polytomic-tests --release --test fuzz_responses

use std::sync::{Arc, Mutex};

use polytomic::types::{CreateUserRequestSchema, CurrentOrgCreateUserRequestSchema};
use polytomic::types::{CurrentOrgUpdateUserRequestSchema, UpdateUserRequestSchema};
use polytomic::{Client, Error};
use polytomic_tests::{Reply, Rng, Server, client, success_example};
use serde_json::{Value, json};
use uuid::Uuid;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.below(3) == 0),
        2 => json!(rng.next_u64() as i64),
        3 => json!(["", "x", "248df4b7-aa70-47b8-a036-33ac447e668d", "\u{1F6A7}"][rng.below(4)]),
        4 => json!(f64::from(rng.below(1000) as u32) / 7.0),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "data", "id", "email", "role_ids", "role", "value", "message", "key", "status",
                "metadata",
            ];
            Value::Object(
                (0..rng.below(5))
                    .map(|_| {
                        (
                            keys[rng.below(keys.len())].to_string(),
                            random_json(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
    }
}

fn random_body(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => (0..rng.below(64))
            .map(|_| char::from(rng.below(128) as u8))
            .collect(),
        1 => random_json(rng, 0).to_string(),
        2 => {
            // A docs example with one field replaced.
            let mut example = success_example("get_current_org_user");
            let fields = ["email", "id", "organization_id", "role_ids", "role"];
            example["data"][fields[rng.below(fields.len())]] = random_json(rng, 2);
            example.to_string()
        }
        _ => {
            let text = success_example("list_current_org_users").to_string();
            text.chars().take(rng.below(text.len())).collect()
        }
    }
}

async fn call(api: &Client, operation: usize) -> Result<(), Error> {
    let (org, id) = (Uuid::nil(), Uuid::nil());
    let role = polytomic::RoleIds::from(id);
    match operation {
        0 => api.list_current_org_users().send().await.map(drop),
        1 => api
            .create_current_org_user()
            .body(
                CurrentOrgCreateUserRequestSchema::builder()
                    .email("a")
                    .role_ids(role),
            )
            .send()
            .await
            .map(drop),
        2 => api.get_current_org_user().id(id).send().await.map(drop),
        3 => api
            .update_current_org_user()
            .id(id)
            .body(CurrentOrgUpdateUserRequestSchema::builder())
            .send()
            .await
            .map(drop),
        4 => api.delete_current_org_user().id(id).send().await.map(drop),
        5 => api.list_partner_users().org_id(org).send().await.map(drop),
        6 => api
            .create_partner_user()
            .org_id(org)
            .body(CreateUserRequestSchema::builder().email("a"))
            .send()
            .await
            .map(drop),
        7 => api
            .get_partner_user()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(drop),
        8 => api
            .update_partner_user()
            .org_id(org)
            .id(id)
            .body(UpdateUserRequestSchema::builder().email("a"))
            .send()
            .await
            .map(drop),
        9 => api
            .delete_partner_user()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(drop),
        _ => api
            .create_partner_user_api_key()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(drop),
    }
    .map_err(Error::from)
}

#[tokio::test]
async fn arbitrary_responses_give_a_value_or_a_typed_error() {
    let cases = env("FUZZ_CASES", 330);
    let rng = Arc::new(Mutex::new(Rng::new(env("FUZZ_SEED", 20261127))));
    let r = rng.clone();
    let server = Server::start(move |_| {
        let mut rng = r.lock().unwrap();
        let status = [
            200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 418, 422, 500, 502,
        ][rng.below(14)];
        let content_type = [
            "application/json",
            "text/html",
            "application/json; charset=utf-8",
        ][rng.below(3)];
        Reply::text(status, content_type, random_body(&mut rng))
    })
    .await;
    let api = client(&server);
    let mut tally = std::collections::BTreeMap::<&str, usize>::new();
    for case in 0..cases as usize {
        let kind = match call(&api, case % 11).await {
            Ok(()) => "value",
            Err(Error::Api { .. }) => "api error",
            Err(Error::UnexpectedResponse { status, detail, .. }) => {
                assert!(!detail.is_empty(), "{status}: empty detail");
                "unexpected response"
            }
            Err(Error::InvalidResponse { message, .. }) => {
                assert!(!message.is_empty());
                "invalid response"
            }
            Err(other) => panic!("case {case}: an error random bodies cannot cause: {other:?}"),
        };
        *tally.entry(kind).or_default() += 1;
    }
    println!("{cases} random responses: {tally:?}");
    assert!(
        tally.len() >= 3,
        "the bodies must exercise several outcomes: {tally:?}"
    );
}
