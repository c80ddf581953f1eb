//! The mock API itself (`tests/support`, which the mock server binary and the CLI's tests answer with):
//! routing by method and path template, an answer for every operation, and the stateful fake's helpers.
//! Here rather than in their own crates' unit tests, so that a change to the client links one test binary
//! fewer (BENCHMARKS.md, "Fewer test binaries after a spec edit").

use polytomic_test_support::{default_script, operation_for, set_pointer, spec, success};
use serde_json::{Value, json};

#[test]
fn routes_by_method_and_path_template() {
    let spec = spec();
    let route = |method: &str, target: &str| {
        operation_for(&spec, method, target)
            .and_then(|op| op["operationId"].as_str().map(str::to_string))
    };
    let (org, user) = (
        "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "248df4b7-aa70-47b8-a036-33ac447e668d",
    );
    assert_eq!(
        route("GET", "/api/organization/users").as_deref(),
        Some("list_current_org_users")
    );
    assert_eq!(
        route("PUT", &format!("/api/organization/users/{user}")).as_deref(),
        Some("update_current_org_user")
    );
    assert_eq!(
        route("GET", &format!("/api/organizations/{org}/users/{user}")).as_deref(),
        Some("get_partner_user")
    );
    assert_eq!(
        route(
            "POST",
            &format!("/api/organizations/{org}/users/{user}/keys?force=true")
        )
        .as_deref(),
        Some("create_partner_user_api_key")
    );
    // A fixed segment wins over a parameter in the same place.
    assert_eq!(
        route("GET", "/api/bulk/syncs/status").as_deref(),
        Some("list_bulk_sync_statuses")
    );
    assert_eq!(
        route("GET", &format!("/api/bulk/syncs/{user}")).as_deref(),
        Some("get_bulk_sync")
    );
    assert_eq!(route("PATCH", "/api/organization/users"), None);
    assert_eq!(route("GET", "/api/nothing"), None);
}

/// Every operation gets an answer its client decodes: the spec's example, or one built from the schema.
#[test]
fn every_operation_has_a_success_answer() {
    let spec = spec();
    for (_, _, op) in polytomic_test_support::operations(&spec) {
        let (status, body) = success(&spec, &op);
        assert!((200..300).contains(&status));
        if let Some(body) = body {
            assert_ne!(body, "null", "{}", op["operationId"]);
        }
    }
}

#[test]
fn pointers_are_set_through_missing_objects() {
    let mut v = json!({"data": null});
    set_pointer(&mut v, "/data/status", Value::String("running".into()));
    set_pointer(&mut v, "/job/job_id", Value::String("x".into()));
    assert_eq!(
        v,
        json!({"data": {"status": "running"}, "job": {"job_id": "x"}})
    );
}

#[test]
fn the_default_script_goes_through_a_pending_state_to_success() {
    let scripts: Vec<Vec<String>> = polytomic::operations::WAITERS
        .iter()
        .map(default_script)
        .collect();
    assert!(scripts.iter().all(|s| s.len() >= 2), "{scripts:?}");
    assert!(scripts.contains(&vec![
        "created".into(),
        "running".into(),
        "completed".into()
    ]));
}
