//! Arbitrary response bodies and statuses for every operation: the client must return a value or a typed
//! error, never panic. Bodies are random bytes, random JSON, and mutated examples, from a fixed seed.
//!
//! A longer run: FUZZ_CASES=20000 cargo test -p polytomic-tests --release --test fuzz_responses

use std::sync::{Arc, Mutex};

use polytomic::types::{CreateUserRequestSchema, CurrentOrgCreateUserRequestSchema};
use polytomic::types::{CurrentOrgUpdateUserRequestSchema, UpdateUserRequestSchema};
use polytomic::{Client, Error};
use polytomic_test_support::{Reply, Rng, Server, client, success_example};
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
    call_value(api, operation).await.map(drop)
}

/// Calls operation `operation` (0..11, the Users operations) and returns the decoded success encoded again.
async fn call_value(api: &Client, operation: usize) -> Result<Value, Error> {
    fn json<T: serde::Serialize>(response: polytomic::ResponseValue<T>) -> Value {
        serde_json::to_value(response.into_inner()).unwrap()
    }
    let (org, id) = (Uuid::nil(), Uuid::nil());
    let role = polytomic::RoleIds::from(id);
    match operation {
        0 => api.list_current_org_users().send().await.map(json),
        1 => api
            .create_current_org_user()
            .body(
                CurrentOrgCreateUserRequestSchema::builder()
                    .email("a")
                    .role_ids(role),
            )
            .send()
            .await
            .map(json),
        2 => api.get_current_org_user().id(id).send().await.map(json),
        3 => api
            .update_current_org_user()
            .id(id)
            .body(CurrentOrgUpdateUserRequestSchema::builder())
            .send()
            .await
            .map(json),
        4 => api.delete_current_org_user().id(id).send().await.map(json),
        5 => api.list_partner_users().org_id(org).send().await.map(json),
        6 => api
            .create_partner_user()
            .org_id(org)
            .body(CreateUserRequestSchema::builder().email("a"))
            .send()
            .await
            .map(json),
        7 => api
            .get_partner_user()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(json),
        8 => api
            .update_partner_user()
            .org_id(org)
            .id(id)
            .body(UpdateUserRequestSchema::builder().email("a"))
            .send()
            .await
            .map(json),
        9 => api
            .delete_partner_user()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(json),
        _ => api
            .create_partner_user_api_key()
            .org_id(org)
            .id(id)
            .send()
            .await
            .map(json),
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

const OPERATIONS: [&str; 11] = [
    "list_current_org_users",
    "create_current_org_user",
    "get_current_org_user",
    "update_current_org_user",
    "delete_current_org_user",
    "list_partner_users",
    "create_partner_user",
    "get_partner_user",
    "update_partner_user",
    "delete_partner_user",
    "create_partner_user_api_key",
];

/// A random value valid for `schema`: each optional property present or not, no nulls and no empty lists
/// (the client leaves those out when it encodes, so they would not come back).
fn random_valid(spec: &Value, schema: &Value, rng: &mut Rng) -> Value {
    let schema = polytomic_test_support::resolve(spec, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values[rng.below(values.len())].clone();
    }
    match schema["type"].as_str() {
        Some("string") if schema["format"] == "uuid" => {
            json!(Uuid::from_u64_pair(rng.next_u64(), rng.next_u64()))
        }
        Some("string") => json!(["", "x", "Jane Doe", "\u{1F6A7} ü", "a\"quote"][rng.below(5)]),
        Some("integer") => json!(rng.next_u64() as i64 / 2),
        Some("boolean") => json!(rng.below(2) == 0),
        Some("array") => Value::Array(
            (0..1 + rng.below(3))
                .map(|_| random_valid(spec, &schema["items"], rng))
                .collect(),
        ),
        _ => {
            let mut object = serde_json::Map::new();
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                if property["deprecated"] != json!(true) && rng.below(2) == 0 {
                    object.insert(name.clone(), random_valid(spec, property, rng));
                }
            }
            Value::Object(object)
        }
    }
}

/// The oracle the test above lacks: a valid body decodes to exactly the value it encodes, and an
/// `ApiError` body on a declared error status becomes `Error::Api` with that status and message.
#[tokio::test]
async fn valid_bodies_round_trip_and_api_errors_keep_status_and_message() {
    let cases = env("FUZZ_CASES", 330) as usize;
    let seed = env("FUZZ_SEED", 20261128);
    let spec = polytomic_test_support::spec();
    let operations: Vec<Value> = polytomic_test_support::operations(&spec)
        .into_iter()
        .map(|(_, _, op)| op)
        .collect();
    let reply = Arc::new(Mutex::new(Reply::json(200, "{}")));
    let served = reply.clone();
    let server = Server::start(move |_| served.lock().unwrap().clone()).await;
    let api = client(&server);
    for case in 0..cases {
        // Each case draws from its own seed: a failure replays alone.
        let mut rng = Rng::new(seed ^ (case as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let index = case % OPERATIONS.len();
        let op = operations
            .iter()
            .find(|op| op["operationId"] == OPERATIONS[index])
            .unwrap();
        let responses = op["responses"].as_object().unwrap();
        if rng.below(2) == 0 {
            let schema = &polytomic_test_support::resolve(&spec, &responses["200"])["content"]["application/json"]
                ["schema"];
            let body = random_valid(&spec, schema, &mut rng);
            *reply.lock().unwrap() = Reply::json(200, body.to_string());
            let decoded = call_value(&api, index).await;
            match decoded {
                Ok(value) => assert_eq!(
                    value, body,
                    "case {case} (seed {seed}): {}",
                    OPERATIONS[index]
                ),
                Err(error) => {
                    panic!("case {case} (seed {seed}): a valid body failed: {error}\n{body}")
                }
            }
        } else {
            let statuses: Vec<u16> = responses
                .keys()
                .filter_map(|s| s.parse().ok())
                .filter(|s| *s >= 400)
                .collect();
            let status = statuses[rng.below(statuses.len())];
            let message = [
                "forbidden",
                "not found: \u{1F6A7}",
                "x",
                "a \"quoted\" reason",
            ][rng.below(4)];
            let body = json!({"message": message, "status": status, "key": "some_key"});
            *reply.lock().unwrap() = Reply::json(status, body.to_string());
            match call_value(&api, index).await {
                Err(Error::Api {
                    status: got, error, ..
                }) => {
                    assert_eq!(got.as_u16(), status, "case {case} (seed {seed})");
                    assert_eq!(
                        error.message.as_deref(),
                        Some(message),
                        "case {case} (seed {seed})"
                    );
                }
                other => {
                    panic!("case {case} (seed {seed}): {status} with an ApiError gave {other:?}")
                }
            }
        }
    }
}
