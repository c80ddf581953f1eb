//! `send_all` on the loopback server: every page is requested with the token of the one before, items
//! come back in order, and the walk ends at a page without a token (here an empty last page).

use polytomic_tests::{Reply, Server, client};
use serde_json::json;

fn page(ids: &[&str], next: Option<&str>) -> Reply {
    let data: Vec<_> = ids
        .iter()
        .map(|name| json!({"id": uuid::Uuid::new_v4(), "name": name}))
        .collect();
    let mut body = json!({"data": data});
    if let Some(next) = next {
        body["pagination"] = json!({"next_page_token": next});
    }
    Reply::json(200, body.to_string())
}

#[tokio::test]
async fn send_all_walks_three_pages_to_an_empty_last_one() {
    let server = Server::start(|request| {
        let target = request.target.as_str();
        if target.contains("page_token=p2") {
            page(&["c", "d"], Some("p3"))
        } else if target.contains("page_token=p3") {
            page(&[], None)
        } else {
            page(&["a", "b"], Some("p2"))
        }
    })
    .await;
    let syncs = client(&server)
        .list_syncs()
        .active(true)
        .send_all()
        .await
        .unwrap();
    let names: Vec<_> = syncs.iter().map(|s| s.name.clone().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/api/syncs?active=true",
            "/api/syncs?active=true&page_token=p2",
            "/api/syncs?active=true&page_token=p3",
        ]
    );
}

#[tokio::test]
async fn a_token_that_repeats_ends_the_walk_instead_of_looping() {
    let server = Server::start(|_| page(&["a"], Some("same"))).await;
    let executions = client(&server)
        .list_bulk_sync_executions()
        .id(uuid::Uuid::nil())
        .send_all()
        .await
        .unwrap();
    assert_eq!(
        executions.len(),
        2,
        "the first page, then the page of `same` once"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_on_a_later_page_is_returned() {
    let server = Server::start(|request| {
        if request.target.contains("page_token") {
            Reply::json(404, r#"{"message":"gone","status":404}"#)
        } else {
            page(&["a"], Some("p2"))
        }
    })
    .await;
    let error = client(&server)
        .list_sync_executions()
        .sync_id(uuid::Uuid::nil())
        .send_all()
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("404"), "{error}");
}
