//! `send_all` on the loopback server: every page is requested with the token of the one before, items
//! come back in order, and the walk ends at a page without a token (here an empty last page); a token
//! seen before is an error, not a loop.

use futures_util::{StreamExt, TryStreamExt};
use polytomic_test_support::{Reply, Server, client};
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
async fn a_token_that_repeats_at_once_is_an_error_not_a_loop() {
    let server = Server::start(|_| page(&["a"], Some("same"))).await;
    let error = client(&server)
        .list_bulk_sync_executions()
        .id(uuid::Uuid::nil())
        .send_all()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("repeats the token `same`"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_cycle_of_tokens_is_an_error_at_its_first_repeat() {
    // A, B, A: the third page would start the loop again.
    let server = Server::start(|request| {
        if request.target.contains("page_token=A") {
            page(&["b"], Some("B"))
        } else if request.target.contains("page_token=B") {
            page(&["c"], Some("A"))
        } else {
            page(&["a"], Some("A"))
        }
    })
    .await;
    let error = client(&server).list_syncs().send_all().await.unwrap_err();
    assert!(
        error.to_string().contains("page 3 repeats the token `A`"),
        "{error}"
    );
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/api/syncs",
            "/api/syncs?page_token=A",
            "/api/syncs?page_token=B"
        ]
    );
    // As a stream: the third page's item still comes, then the error, then nothing.
    let outcomes: Vec<_> = client(&server).list_syncs().items().collect().await;
    let names: Vec<_> = outcomes
        .iter()
        .map(|o| match o {
            Ok(sync) => sync.name.clone().unwrap(),
            Err(e) => format!("error: {e}"),
        })
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[..3], ["a", "b", "c"]);
    assert!(
        names[3].contains("page 3 repeats the token `A`"),
        "{names:?}"
    );
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

/// A stand-in for `GET /api/events` over 25 events a minute apart: strict time bounds, 10 a page, newest
/// first or oldest first.
fn events_server(newest_first: bool) -> impl Fn(&polytomic_test_support::Request) -> Reply {
    move |request| {
        let query = request.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let bound = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .map(|v| v.replace("%3A", ":"))
        };
        let (after, before) = (bound("starting_after"), bound("ending_before"));
        let mut times: Vec<String> = (0..25)
            .map(|m| format!("2025-09-18T12:{m:02}:00Z"))
            .filter(|t| after.as_ref().is_none_or(|a| t > a))
            .filter(|t| before.as_ref().is_none_or(|b| t < b))
            .collect();
        if newest_first {
            times.reverse();
        }
        let data: Vec<_> = times
            .iter()
            .take(10)
            .map(|t| json!({"id": uuid::Uuid::new_v4(), "created_at": t, "type": "sync.completed"}))
            .collect();
        Reply::json(200, json!({"data": data}).to_string())
    }
}

#[tokio::test]
async fn events_are_walked_by_time_in_either_order() {
    for newest_first in [true, false] {
        let server = Server::start(events_server(newest_first)).await;
        let events = client(&server).list_events().send_all().await.unwrap();
        let mut times: Vec<_> = events.iter().map(|e| e.created_at.unwrap()).collect();
        assert_eq!(times.len(), 25, "newest first: {newest_first}");
        times.dedup();
        assert_eq!(times.len(), 25, "no event twice");
        // Three full pages' worth of requests, then the empty one that ends the walk.
        assert_eq!(server.requests().len(), 4, "newest first: {newest_first}");
    }
}

#[tokio::test]
async fn console_logs_follow_next_cursor() {
    let server = Server::start(|request| {
        let (entries, next) = if request.target.contains("after=c2") {
            (vec!["third"], None)
        } else if request.target.contains("after=c1") {
            (vec!["second"], Some("c2"))
        } else {
            (vec!["first"], Some("c1"))
        };
        let entries: Vec<_> = entries.iter().map(|m| json!({"message": m})).collect();
        Reply::json(
            200,
            json!({"data": {"entries": entries, "next_cursor": next}}).to_string(),
        )
    })
    .await;
    let entries = client(&server)
        .get_sync_execution_console_logs()
        .sync_id(uuid::Uuid::nil())
        .id(uuid::Uuid::nil())
        .limit(1)
        .send_all()
        .await
        .unwrap();
    let messages: Vec<_> = entries.iter().map(|e| e.message.clone().unwrap()).collect();
    assert_eq!(messages, ["first", "second", "third"]);
}

/// Three pages of two syncs each, `p2` and `p3` the tokens.
fn three_pages() -> impl Fn(&polytomic_test_support::Request) -> Reply {
    |request| {
        if request.target.contains("page_token=p2") {
            page(&["c", "d"], Some("p3"))
        } else if request.target.contains("page_token=p3") {
            page(&["e", "f"], None)
        } else {
            page(&["a", "b"], Some("p2"))
        }
    }
}

#[tokio::test]
async fn items_read_a_page_only_when_the_items_before_it_are_taken() {
    let server = Server::start(three_pages()).await;
    let api = client(&server);
    let names = |syncs: Vec<polytomic::types::ListSyncItem>| -> Vec<String> {
        syncs.into_iter().map(|s| s.name.unwrap()).collect()
    };
    let first_two: Vec<_> = api
        .list_syncs()
        .items()
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(first_two), ["a", "b"]);
    assert_eq!(server.requests().len(), 1, "the second page is not read");
    let first_three: Vec<_> = api
        .list_syncs()
        .items()
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(first_three), ["a", "b", "c"]);
    assert_eq!(server.requests().len(), 1 + 2);
    let all: Vec<_> = api.list_syncs().items().try_collect().await.unwrap();
    assert_eq!(names(all), ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(server.requests().len(), 3 + 3, "one request per page");
}

#[tokio::test]
async fn items_can_be_walked_on_another_task_and_end_at_the_first_error() {
    let server = Server::start(|request| {
        if request.target.contains("page_token") {
            Reply::json(500, "oops")
        } else {
            page(&["a"], Some("p2"))
        }
    })
    .await;
    let api = client(&server);
    // The stream is Send: a spawned task can own it.
    let outcomes = tokio::spawn(async move {
        let items = api.list_syncs().items();
        items.collect::<Vec<_>>().await
    })
    .await
    .unwrap();
    assert_eq!(outcomes.len(), 2, "the item, then the error, then nothing");
    assert!(outcomes[0].is_ok());
    assert!(
        outcomes[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("500")
    );
}
