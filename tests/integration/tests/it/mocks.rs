//! The generated httpmock helpers (crates/polytomic-httpmock) used the way a downstream test uses them:
//! typed matchers on the request, typed bodies on the response.

// `..Default::default()` even where every field is named today: a field the spec adds tomorrow must not
// break this code (README, "Writing code that survives upgrades").
#![allow(clippy::needless_update)]

use httpmock::MockServer;
use polytomic::types::{
    ApiError, CurrentOrgUpdateUserRequestSchema, ListUsersEnvelope, User, UserEnvelope,
};
use polytomic::{Client, Credentials, Error, RoleIds};
use polytomic_httpmock::MockServerExt;
use uuid::Uuid;

const ORG_ID: Uuid = uuid::uuid!("a1b2c3d4-e5f6-7890-abcd-ef1234567890");
const ROLE_ID: Uuid = uuid::uuid!("9f8e7d6c-5b4a-3210-fedc-ba9876543210");

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .credentials(Credentials::UserKey("test".into()))
        .credentials(Credentials::PartnerKey("test".into()))
        .retry(polytomic::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Built the way downstream code should build generated types, so that a field added upstream does not
/// break it: named fields, then `..Default::default()`.
fn user(id: Uuid) -> User {
    User {
        id: Some(id),
        email: Some("jane.doe@polytomic.com".into()),
        organization_id: Some(ORG_ID),
        role_ids: Some(vec![ROLE_ID]),
        ..Default::default()
    }
}

#[tokio::test]
async fn update_matches_the_id_the_version_and_the_exact_body() {
    let server = MockServer::start_async().await;
    let id = Uuid::new_v4();
    let body = CurrentOrgUpdateUserRequestSchema::builder()
        .role_ids(RoleIds::from(ROLE_ID))
        .try_into()
        .unwrap();
    let expected = UserEnvelope {
        data: Some(user(id)),
        ..Default::default()
    };
    let mock = server.update_current_org_user(|when, then| {
        when.id(&id)
            .x_polytomic_version(polytomic::API_VERSION)
            .body(&body);
        then.ok(&expected);
    });

    let got = client(&server)
        .update_current_org_user()
        .id(id)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(got.into_inner(), expected);
    mock.assert_async().await;
}

#[tokio::test]
async fn partner_list_binds_org_id() {
    let server = MockServer::start_async().await;
    let users = ListUsersEnvelope {
        data: Some(vec![user(Uuid::new_v4()), user(Uuid::new_v4())]),
        ..Default::default()
    };
    let mock = server.list_partner_users(|when, then| {
        when.org_id(&ORG_ID);
        then.ok(&users);
    });
    let got = client(&server)
        .list_partner_users()
        .org_id(ORG_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(got.into_inner(), users);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn typed_error_responses_reach_the_caller_as_api_errors() {
    let server = MockServer::start_async().await;
    let id = Uuid::new_v4();
    let refusal = ApiError {
        key: Some("not_found".into()),
        message: Some("user not found".into()),
        status: Some(404),
        ..Default::default()
    };
    server.delete_partner_user(|when, then| {
        when.org_id(&ORG_ID).id(&id);
        then.not_found(&refusal);
    });
    let error = Error::from(
        client(&server)
            .delete_partner_user()
            .org_id(ORG_ID)
            .id(id)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        error.to_string(),
        "404 Not Found: user not found [not_found]"
    );
    let Error::Api { error: body, .. } = error else {
        unreachable!()
    };
    assert_eq!(*body, refusal);
}

/// `GET /api/bulk/syncs/{id}` and `GET /api/bulk/syncs/status` overlap: the helper for the first must not
/// answer a request for the second, whichever was registered first.
#[tokio::test]
async fn a_templated_path_helper_leaves_its_fixed_sibling_alone() {
    let server = MockServer::start_async().await;
    let by_id = server.get_bulk_sync(|_, then| {
        then.ok(&polytomic::types::BulkSyncResponseEnvelope::default());
    });
    let statuses = server.list_bulk_sync_statuses(|when, then| {
        when.sync_id(&vec![Uuid::nil(), Uuid::max()]);
        then.ok(&polytomic::types::ListBulkSyncExecutionsStatusEnvelope::default());
    });
    client(&server)
        .list_bulk_sync_statuses()
        .sync_id(vec![Uuid::nil(), Uuid::max()])
        .send()
        .await
        .unwrap();
    statuses.assert_async().await;
    by_id.assert_calls_async(0).await;
}

/// An object query parameter travels as JSON text, and its helper matches that text.
#[tokio::test]
async fn json_query_parameters_match_their_json_text() {
    let server = MockServer::start_async().await;
    let params = std::collections::BTreeMap::from([("region".to_string(), vec!["eu".to_string()])]);
    let query = polytomic::JsonQuery::from(params.clone());
    let id = Uuid::new_v4();
    let mock = server.get_sync_source(|when, then| {
        when.id(&id).params(&query);
        then.ok(&polytomic::types::GetSyncSourceMetaEnvelope::default());
    });
    client(&server)
        .get_sync_source()
        .id(id)
        .params(params)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}
