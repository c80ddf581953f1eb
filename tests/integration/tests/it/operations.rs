//! Every operation against a real HTTP server on 127.0.0.1: the exact request the client sends, and the
//! spec's example response decoded into the generated types. One snapshot of each per operation.

use polytomic::types::{
    CreateUserRequestSchema, CurrentOrgCreateUserRequestSchema, CurrentOrgUpdateUserRequestSchema,
    UpdateUserRequestSchema,
};
use polytomic::{Error, RoleIds};
use polytomic_test_support::{Reply, Server, client, redacted, success_example};
use uuid::Uuid;

const USER_ID: Uuid = uuid::uuid!("248df4b7-aa70-47b8-a036-33ac447e668d");
const ORG_ID: Uuid = uuid::uuid!("a1b2c3d4-e5f6-7890-abcd-ef1234567890");
const ROLE_ID: Uuid = uuid::uuid!("9f8e7d6c-5b4a-3210-fedc-ba9876543210");

/// Serves the operation's example response, then snapshots the request the server saw as
/// `<operation>_request` and the decoded response as `<operation>_response`.
macro_rules! check_operation {
    ($operation:literal, |$client:ident| $call:expr) => {{
        let example = success_example($operation).to_string();
        let server = Server::replying(Reply::json(200, example)).await;
        let $client = client(&server);
        let response = $call.await.expect("the call succeeds");
        insta::assert_yaml_snapshot!(
            concat!($operation, "_request"),
            redacted(server.single_request())
        );
        insta::assert_debug_snapshot!(concat!($operation, "_response"), response.into_inner());
    }};
}

#[tokio::test]
async fn list_current_org_users() {
    check_operation!("list_current_org_users", |client| client
        .list_current_org_users()
        .send());
}

#[tokio::test]
async fn create_current_org_user() {
    check_operation!("create_current_org_user", |client| client
        .create_current_org_user()
        .body(
            CurrentOrgCreateUserRequestSchema::builder()
                .email("jane.doe@polytomic.com")
                .role_ids(RoleIds::from(ROLE_ID))
        )
        .send());
}

#[tokio::test]
async fn get_current_org_user() {
    check_operation!("get_current_org_user", |client| client
        .get_current_org_user()
        .id(USER_ID)
        .send());
}

#[tokio::test]
async fn update_current_org_user() {
    check_operation!("update_current_org_user", |client| client
        .update_current_org_user()
        .id(USER_ID)
        .x_polytomic_version("2025-09-18")
        .body(CurrentOrgUpdateUserRequestSchema::builder().role_ids(RoleIds::from(ROLE_ID)))
        .send());
}

/// The docs' curl example: every field is optional, so `{}` is a valid update.
#[tokio::test]
async fn update_current_org_user_with_the_docs_empty_body() {
    let server = Server::replying(Reply::json(
        200,
        success_example("update_current_org_user").to_string(),
    ))
    .await;
    client(&server)
        .update_current_org_user()
        .id(USER_ID)
        .body(CurrentOrgUpdateUserRequestSchema::builder())
        .send()
        .await
        .unwrap();
    let request = server.single_request();
    assert_eq!(request.body, Some(serde_json::json!({})));
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn delete_current_org_user() {
    check_operation!("delete_current_org_user", |client| client
        .delete_current_org_user()
        .id(USER_ID)
        .send());
}

#[tokio::test]
async fn list_partner_users() {
    check_operation!("list_partner_users", |client| client
        .list_partner_users()
        .org_id(ORG_ID)
        .send());
}

#[tokio::test]
async fn create_partner_user() {
    check_operation!("create_partner_user", |client| client
        .create_partner_user()
        .org_id(ORG_ID)
        .body(
            CreateUserRequestSchema::builder()
                .email("jane.doe@polytomic.com")
                .role_ids(RoleIds::from(ROLE_ID))
        )
        .send());
}

#[tokio::test]
async fn get_partner_user() {
    check_operation!("get_partner_user", |client| client
        .get_partner_user()
        .org_id(ORG_ID)
        .id(USER_ID)
        .send());
}

#[tokio::test]
async fn update_partner_user() {
    check_operation!("update_partner_user", |client| client
        .update_partner_user()
        .org_id(ORG_ID)
        .id(USER_ID)
        .x_polytomic_version("2024-02-08")
        .body(
            UpdateUserRequestSchema::builder()
                .email("jane.doe@polytomic.com")
                .role("admin".to_string())
        )
        .send());
}

#[tokio::test]
async fn delete_partner_user() {
    check_operation!("delete_partner_user", |client| client
        .delete_partner_user()
        .org_id(ORG_ID)
        .id(USER_ID)
        .send());
}

#[tokio::test]
async fn create_partner_user_api_key() {
    check_operation!("create_partner_user_api_key", |client| client
        .create_partner_user_api_key()
        .org_id(ORG_ID)
        .id(USER_ID)
        .force(true)
        .send());
}

/// Path parameters bind by name: upstream lists `id` before `org_id`, and swapping the builder calls
/// must not swap them in the URL.
#[tokio::test]
async fn path_parameters_bind_by_name_not_position() {
    let server = Server::replying(Reply::json(200, "{}")).await;
    client(&server)
        .get_partner_user()
        .id(USER_ID)
        .org_id(ORG_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.single_request().target,
        format!("/api/organizations/{ORG_ID}/users/{USER_ID}")
    );
}

/// A required field left unset is an error before anything is sent, not a panic or a request.
#[tokio::test]
async fn missing_required_input_is_an_error_before_any_request() {
    let server = Server::replying(Reply::json(200, "{}")).await;
    let api = client(&server);
    let error = Error::from(
        api.create_partner_user()
            .org_id(ORG_ID)
            .body(CreateUserRequestSchema::builder().role_ids(RoleIds::from(ROLE_ID)))
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("email")),
        "{error:?}"
    );
    let error = Error::from(api.get_current_org_user().send().await.unwrap_err());
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("id")),
        "{error:?}"
    );
    assert!(server.requests().is_empty());
}
