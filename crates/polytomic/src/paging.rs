//! Walking every page with `send_all()`, on the builders of the operations that page. Which operations
//! page, and how, is declared once in the spec (`x-polytomic-paging`, written in `openapi/overlay.yaml`);
//! `cargo xtask generate` writes one [`by_token!`] or [`by_time!`] per declaration into
//! [`operations`](crate::operations), which lists them. Two ways to walk:
//! - a token or cursor: the value at a JSON pointer of the response goes back in a query parameter
//!   (`page_token` with `pagination.next_page_token`; the console logs' `after` with `next_cursor`);
//! - by time (events): `starting_after` / `ending_before` from the page's own timestamps.
//!
//! ```no_run
//! # async fn run(client: &polytomic::Client) -> Result<(), polytomic::Error> {
//! // Every active model sync, however many pages the API splits them into.
//! let syncs = client.list_syncs().active(true).send_all().await?;
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;

/// The most pages one `send_all` reads: a server that kept answering with new tokens would otherwise keep
/// it going forever.
pub const MAX_PAGES: usize = 10_000;

/// A walk that cannot go on: the status is the last page's (200).
fn stopped(detail: String) -> Error {
    Error::UnexpectedResponse {
        status: reqwest::StatusCode::OK,
        detail,
        headers: Default::default(),
    }
}

/// The items at `pointer` in a page: none when it is absent or `null`.
fn items<T: DeserializeOwned>(page: &Value, pointer: &str) -> Result<Vec<T>, Error> {
    match page.pointer(pointer) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(items) => serde_json::from_value(items.clone()).map_err(|e| Error::InvalidResponse {
            path: pointer.trim_start_matches('/').replace('/', "."),
            message: e.to_string(),
            excerpt: String::new(),
        }),
    }
}

/// A page as JSON, to read the declared pointers from whatever Rust types the spec gives the page.
pub(crate) fn as_json(page: impl serde::Serialize) -> Result<Value, Error> {
    serde_json::to_value(page).map_err(|e| Error::InvalidResponse {
        path: String::new(),
        message: e.to_string(),
        excerpt: String::new(),
    })
}

/// Sends `first`, then `with_token(first, token)` for each token the page holds at `from` (a JSON
/// pointer), until a page has none (absent or empty); returns the items at `items` of every page, in
/// order. A token seen before means the walk would loop (A, B, A): an error, as is a walk longer than
/// [`MAX_PAGES`]. The first error of a request stops the walk and is returned.
pub(crate) async fn walk_tokens<B, T, F>(
    first: B,
    with_token: impl Fn(B, String) -> B,
    send: impl Fn(B) -> F,
    items_at: &str,
    from: &str,
) -> Result<Vec<T>, Error>
where
    B: Clone,
    T: DeserializeOwned,
    F: Future<Output = Result<Value, Error>>,
{
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    let mut request = first.clone();
    for page_number in 1..=MAX_PAGES {
        let page = send(request).await?;
        all.extend(items::<T>(&page, items_at)?);
        let Some(token) = page.pointer(from).and_then(Value::as_str) else {
            return Ok(all);
        };
        if token.is_empty() {
            return Ok(all);
        }
        if !seen.insert(token.to_string()) {
            return Err(stopped(format!(
                "page {page_number} repeats the token `{token}` of an earlier page: the walk would loop; \
                 stopped"
            )));
        }
        request = with_token(first.clone(), token.to_string());
    }
    Err(stopped(format!("more than {MAX_PAGES} pages; stopped")))
}

/// Walks by time. After each page the next request asks for items strictly before the page's oldest
/// (`before`) when the API lists newest first, or strictly after its newest (`after`) when it lists oldest
/// first, keeping every other setting, until a page comes back empty or ends where the last one did. Items
/// that share the exact timestamp of a page boundary can be missed: the API's bounds are strict. An item
/// without a time cannot be paged past and is an error.
pub(crate) async fn walk_by_time<B, T, Tm, F>(
    first: B,
    after: impl Fn(B, Tm) -> B,
    before: impl Fn(B, Tm) -> B,
    send: impl Fn(B) -> F,
    items_at: &str,
    time: impl Fn(&T) -> Option<Tm>,
) -> Result<Vec<T>, Error>
where
    B: Clone,
    T: DeserializeOwned,
    Tm: Ord + Copy,
    F: Future<Output = Result<Value, Error>>,
{
    let mut all: Vec<T> = Vec::new();
    let mut request = first.clone();
    let mut newest_first: Option<bool> = None;
    let mut last_bound = None;
    for _ in 0..MAX_PAGES {
        let page: Vec<T> = items(&send(request).await?, items_at)?;
        let times: Vec<Tm> = page.iter().filter_map(&time).collect();
        if times.len() < page.len() {
            return Err(stopped(
                "an item without its time: cannot ask for the next page".into(),
            ));
        }
        let (Some(&oldest), Some(&newest), Some(first_time), Some(last_time)) = (
            times.iter().min(),
            times.iter().max(),
            times.first(),
            times.last(),
        ) else {
            return Ok(all);
        };
        let newest_first = *newest_first.get_or_insert(first_time >= last_time);
        let bound = if newest_first { oldest } else { newest };
        all.extend(page);
        if last_bound == Some(bound) {
            return Ok(all);
        }
        last_bound = Some(bound);
        request = if newest_first {
            before(first.clone(), bound)
        } else {
            after(first.clone(), bound)
        };
    }
    Err(stopped(format!("more than {MAX_PAGES} pages; stopped")))
}

/// `send_all()` for a builder that pages by token: `by_token!(Builder, ItemType, query_parameter,
/// "/items/pointer", "/token/pointer")`. Written by `cargo xtask generate` from `x-polytomic-paging`.
macro_rules! by_token {
    ($builder:ident, $item:ident, $next:ident, $items:literal, $from:literal) => {
        impl $crate::builder::$builder<'_> {
            /// Every item across all pages.
            ///
            #[doc = concat!(
                "Sends the request as configured, then again with `", stringify!($next), "` set to each ",
                "token at `", $from, "` in the response, until a page has none; returns the items at `",
                $items, "` of every page in order. Each request is sent (and retried) like `send()`; the ",
                "first error stops the walk and is returned, as does a token seen before (the walk would ",
                "loop) or more than [`MAX_PAGES`](crate::MAX_PAGES) pages."
            )]
            pub async fn send_all(self) -> Result<Vec<$crate::types::$item>, $crate::Error> {
                $crate::paging::walk_tokens(
                    self,
                    |builder, token| builder.$next(token),
                    |builder| async move { $crate::paging::as_json(builder.send().await?.into_inner()) },
                    $items,
                    $from,
                )
                .await
            }
        }
    };
}
pub(crate) use by_token;

/// `send_all()` for a builder that pages by time: `by_time!(Builder, ItemType, time_field, after_parameter,
/// before_parameter, "/items/pointer")`. Written by `cargo xtask generate` from `x-polytomic-paging`.
macro_rules! by_time {
    ($builder:ident, $item:ident, $time:ident, $after:ident, $before:ident, $items:literal) => {
        impl $crate::builder::$builder<'_> {
            /// Every item the request selects, across all pages.
            ///
            #[doc = concat!(
                "Items page by time: after each page the next request asks for items strictly before the ",
                "page's oldest `", stringify!($time), "` (`", stringify!($before), "`) when the API lists ",
                "newest first, or strictly after its newest (`", stringify!($after), "`) when it lists ",
                "oldest first, keeping every other setting, until a page comes back empty. Items that ",
                "share the exact timestamp of a page boundary can be missed: the API's bounds are strict. ",
                "An item without `", stringify!($time), "` cannot be paged past and is an error."
            )]
            pub async fn send_all(self) -> Result<Vec<$crate::types::$item>, $crate::Error> {
                $crate::paging::walk_by_time(
                    self,
                    |builder, time| builder.$after(time),
                    |builder, time| builder.$before(time),
                    |builder| async move { $crate::paging::as_json(builder.send().await?.into_inner()) },
                    $items,
                    |item: &$crate::types::$item| item.$time,
                )
                .await
            }
        }
    };
}
pub(crate) use by_time;
