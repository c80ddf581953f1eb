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

/// A stand-in for `GET /api/events`: `events` (time in seconds, id), strict time bounds read as the API
/// reads them (parsed, to the microsecond), `limit` a page (10 by default), newest first or oldest first;
/// within one time, a fixed order by id.
fn events_server(
    events: Vec<(i64, u128)>,
    newest_first: bool,
) -> impl Fn(&polytomic_test_support::Request) -> Reply {
    move |request| {
        let query = request.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .map(|v| v.replace("%3A", ":").replace("%2B", "+"))
        };
        let bound = |name: &str| {
            param(name).map(|v| chrono::DateTime::parse_from_rfc3339(&v).unwrap().to_utc())
        };
        let (after, before) = (bound("starting_after"), bound("ending_before"));
        let limit: usize = param("limit").map_or(10, |l| l.parse().unwrap()).min(100);
        let at =
            |seconds: i64| chrono::DateTime::from_timestamp(1_758_196_800 + seconds, 0).unwrap();
        let mut selected: Vec<&(i64, u128)> = events
            .iter()
            .filter(|(t, _)| after.is_none_or(|a| at(*t) > a))
            .filter(|(t, _)| before.is_none_or(|b| at(*t) < b))
            .collect();
        selected.sort();
        if newest_first {
            selected.sort_by_key(|(t, id)| (std::cmp::Reverse(*t), *id));
        }
        let data: Vec<_> = selected
            .iter()
            .take(limit)
            .map(|(t, id)| {
                json!({"id": uuid::Uuid::from_u128(*id), "created_at": at(*t), "type": "sync.completed"})
            })
            .collect();
        Reply::json(200, json!({"data": data}).to_string())
    }
}

/// The ids a walk gave, in order.
fn ids(events: &[polytomic::types::Event]) -> Vec<u128> {
    events.iter().map(|e| e.id.unwrap().as_u128()).collect()
}

#[tokio::test]
async fn events_are_walked_by_time_in_either_order() {
    // 250 events a minute apart.
    let events: Vec<(i64, u128)> = (0..250).map(|m| (m * 60, m as u128 + 1)).collect();
    for newest_first in [true, false] {
        let server = Server::start(events_server(events.clone(), newest_first)).await;
        let walked = client(&server).list_events().send_all().await.unwrap();
        let mut expected: Vec<u128> = (1..=250).collect();
        if newest_first {
            expected.reverse();
        }
        assert_eq!(ids(&walked), expected, "newest first: {newest_first}");
        // Three pages of 100, 100 and 50, then one with only the boundary event again: the end.
        let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
        assert_eq!(targets.len(), 4, "{targets:?}");
        assert!(
            targets.iter().all(|t| t.contains("limit=100")),
            "{targets:?}"
        );
    }
}

#[tokio::test]
async fn bursts_that_share_a_timestamp_across_page_boundaries_come_out_whole_and_once() {
    // 497 events in bursts of 1 to 60 at one time: page boundaries (every 100) fall inside bursts.
    let mut events = Vec::new();
    let mut id = 0u128;
    for (minute, burst) in [1, 7, 3, 5, 1, 6, 2, 60, 13, 40]
        .repeat(5)
        .iter()
        .take(48)
        .enumerate()
    {
        for _ in 0..*burst {
            id += 1;
            events.push((minute as i64 * 60, id));
        }
    }
    for newest_first in [true, false] {
        let server = Server::start(events_server(events.clone(), newest_first)).await;
        let walked = client(&server).list_events().send_all().await.unwrap();
        let mut expected = events.clone();
        if newest_first {
            expected.sort_by_key(|(t, id)| (std::cmp::Reverse(*t), *id));
        }
        let expected: Vec<u128> = expected.iter().map(|(_, id)| *id).collect();
        assert_eq!(walked.len(), expected.len(), "newest first: {newest_first}");
        assert_eq!(ids(&walked), expected, "newest first: {newest_first}");
        assert!(server.requests().len() >= 5);
    }
}

#[tokio::test]
async fn a_page_at_one_time_does_not_decide_the_order_and_ends_the_walk_when_short() {
    let events: Vec<(i64, u128)> = vec![(0, 1), (0, 2), (0, 3)];
    for newest_first in [true, false] {
        let server = Server::start(events_server(events.clone(), newest_first)).await;
        let walked = client(&server).list_events().send_all().await.unwrap();
        assert_eq!(ids(&walked), [1, 2, 3], "newest first: {newest_first}");
        // The earlier side, then the later side, each with only the three again.
        assert_eq!(server.requests().len(), 3);
    }
}

#[tokio::test]
async fn more_events_at_one_time_than_a_page_holds_is_an_error_not_a_loss() {
    let events: Vec<(i64, u128)> = (1..=101).map(|id| (0, id)).chain([(-60, 102)]).collect();
    for newest_first in [true, false] {
        let server = Server::start(events_server(events.clone(), newest_first)).await;
        let error = client(&server).list_events().send_all().await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("more items may share that time than a page holds"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_server_that_repeats_its_page_ends_the_walk_without_repeating_an_event() {
    // Whatever the bounds, the same five events: the second page brings nothing new, and is short.
    let server = Server::start(|_: &polytomic_test_support::Request| {
        let data: Vec<_> = (0..5)
            .map(|m| json!({"id": uuid::Uuid::from_u128(m + 1), "created_at": format!("2025-09-18T12:0{}:00Z", 5 - m)}))
            .collect();
        Reply::json(200, json!({"data": data}).to_string())
    })
    .await;
    let walked = client(&server).list_events().send_all().await.unwrap();
    assert_eq!(ids(&walked), [1, 2, 3, 4, 5]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_page_out_of_time_order_is_an_error() {
    let server = Server::start(|_: &polytomic_test_support::Request| {
        let data = json!([
            {"id": uuid::Uuid::from_u128(1), "created_at": "2025-09-18T12:00:00Z"},
            {"id": uuid::Uuid::from_u128(2), "created_at": "2025-09-18T12:05:00Z"},
            {"id": uuid::Uuid::from_u128(3), "created_at": "2025-09-18T12:01:00Z"}
        ]);
        Reply::json(200, json!({"data": data}).to_string())
    })
    .await;
    let error = client(&server).list_events().send_all().await.unwrap_err();
    assert!(error.to_string().contains("not in time order"), "{error}");
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
