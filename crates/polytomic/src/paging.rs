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

use std::collections::{HashSet, VecDeque};
use std::future::Future;

pub use futures_util::Stream;
use futures_util::TryStreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;

/// How an operation pages, as the spec declares it (`x-polytomic-paging`); the table is
/// [`operations::PAGING`](crate::operations::PAGING).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The string at `from` (a JSON pointer into the response) goes back in the query parameter `next`.
    Token {
        /// The query parameter that takes the token.
        next: &'static str,
        /// Where the response holds the next token (empty or absent: the last page).
        from: &'static str,
        /// Where the response holds the page's items.
        items: &'static str,
    },
    /// The items' `time` bounds the next request through `after` (oldest first) or `before` (newest first).
    Time {
        /// The items' time field.
        time: &'static str,
        /// The query parameter for "strictly after".
        after: &'static str,
        /// The query parameter for "strictly before".
        before: &'static str,
        /// Where the response holds the page's items.
        items: &'static str,
    },
}

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
            message: crate::body::shortened(&e.to_string(), 200).into_owned(),
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

/// A stream of items read to the end (the first error ends it).
pub(crate) async fn collect<T>(
    items: impl Stream<Item = Result<T, Error>>,
) -> Result<Vec<T>, Error> {
    items.try_collect().await
}

/// A walk's progress: the request for the next page (none once the walk is over), the items of the page
/// read last that are not handed out yet, and the pages read.
struct Walk<B, T, Memory> {
    first: B,
    next: Option<B>,
    pending: VecDeque<T>,
    pages: usize,
    /// What the walk remembers to know where to go, and when it would loop.
    memory: Memory,
    /// Why the walk cannot go on, given once the last page's items are handed out.
    end_with: Option<Error>,
}

impl<B: Clone, T, Memory> Walk<B, T, Memory> {
    fn new(first: B, memory: Memory) -> Self {
        Walk {
            next: Some(first.clone()),
            first,
            pending: VecDeque::new(),
            pages: 0,
            memory,
            end_with: None,
        }
    }

    /// The next request to send, or `None` at the end; an error after [`MAX_PAGES`] pages.
    fn take_request(&mut self) -> Result<Option<B>, Error> {
        if let Some(error) = self.end_with.take() {
            return Err(error);
        }
        match self.next.take() {
            Some(_) if self.pages == MAX_PAGES => {
                Err(stopped(format!("more than {MAX_PAGES} pages; stopped")))
            }
            request => {
                self.pages += usize::from(request.is_some());
                Ok(request)
            }
        }
    }
}

/// The items of every page, lazily: a page is sent for (`send`) only when the items before it are taken,
/// and `read_page` takes each page's items and the next request (none: the walk is over) into `walk`.
fn walk_pages<B, T, M, F>(
    walk: Walk<B, T, M>,
    send: impl Fn(B) -> F + Copy,
    read_page: impl Fn(&mut Walk<B, T, M>, Value) -> Result<(), Error> + Copy,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    F: Future<Output = Result<Value, Error>>,
{
    futures_util::stream::try_unfold(walk, move |mut walk| async move {
        loop {
            if let Some(item) = walk.pending.pop_front() {
                return Ok(Some((item, walk)));
            }
            let Some(request) = walk.take_request()? else {
                return Ok(None);
            };
            let page = send(request).await?;
            read_page(&mut walk, page)?;
        }
    })
}

/// Every item, lazily: sends `first`, then `with_token(first, token)` for each token the page holds at
/// `from` (a JSON pointer), until a page has none (absent or empty); yields the items at `items_at` of
/// every page in order. A token seen before means the walk would loop (A, B, A): an error, as is a walk
/// longer than [`MAX_PAGES`]. The first error ends the stream.
pub(crate) fn token_items<B, T, F>(
    first: B,
    with_token: impl Fn(B, String) -> B + Copy,
    send: impl Fn(B) -> F + Copy,
    items_at: &'static str,
    from: &'static str,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    T: DeserializeOwned,
    F: Future<Output = Result<Value, Error>>,
{
    let walk = Walk::new(first, HashSet::<String>::new());
    walk_pages(walk, send, move |walk, page| {
        walk.pending = items::<T>(&page, items_at)?.into();
        let token = page.pointer(from).and_then(Value::as_str).unwrap_or("");
        if token.is_empty() {
            return Ok(());
        }
        if !walk.memory.insert(token.to_string()) {
            // This page's items are still handed out; the error comes where the next page would.
            walk.end_with = Some(stopped(format!(
                "page {} repeats the token `{}` of an earlier page: the walk would loop; stopped",
                walk.pages,
                // The server's text: bounded.
                crate::body::shortened(token, 80)
            )));
            return Ok(());
        }
        walk.next = Some(with_token(walk.first.clone(), token.to_string()));
        Ok(())
    })
}

/// Every item, lazily, by time. After each page the next request asks for items strictly before the
/// page's oldest (`before`) when the API lists newest first, or strictly after its newest (`after`) when
/// it lists oldest first, keeping every other setting, until a page comes back empty or ends where the last
/// one did. Items that share the exact timestamp of a page boundary can be missed: the API's bounds are
/// strict. An item without a time cannot be paged past and is an error.
pub(crate) fn time_items<B, T, Tm, F>(
    first: B,
    after: impl Fn(B, Tm) -> B + Copy,
    before: impl Fn(B, Tm) -> B + Copy,
    send: impl Fn(B) -> F + Copy,
    items_at: &'static str,
    time: impl Fn(&T) -> Option<Tm> + Copy,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    T: DeserializeOwned,
    Tm: Ord + Copy,
    F: Future<Output = Result<Value, Error>>,
{
    // Remembered: whether the API lists newest first (from the first page), and the last page's bound.
    let walk = Walk::new(first, (None::<bool>, None::<Tm>));
    walk_pages(walk, send, move |walk, page| {
        let page: Vec<T> = items(&page, items_at)?;
        let times: Vec<Tm> = page.iter().filter_map(time).collect();
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
            return Ok(()); // An empty page: the walk is over.
        };
        walk.pending = page.into();
        let (newest_first, last_bound) = &mut walk.memory;
        let newest_first = *newest_first.get_or_insert(first_time >= last_time);
        let bound = if newest_first { oldest } else { newest };
        if *last_bound == Some(bound) {
            return Ok(()); // The same bound again: nothing further.
        }
        *last_bound = Some(bound);
        walk.next = Some(if newest_first {
            before(walk.first.clone(), bound)
        } else {
            after(walk.first.clone(), bound)
        });
        Ok(())
    })
}

/// `items()` and `send_all()` for a builder that pages by token: `by_token!(Builder, ItemType,
/// query_parameter, "/items/pointer", "/token/pointer")`. Written by `cargo xtask generate` from
/// `x-polytomic-paging`.
macro_rules! by_token {
    ($builder:ident, $item:ident, $next:ident, $items:literal, $from:literal) => {
        impl<'a> $crate::builder::$builder<'a> {
            /// Every item across all pages, as a stream that reads a page only when the items before it are
            /// taken (memory stays at one page however many there are).
            ///
            #[doc = concat!(
                "Sends the request as configured, then again with `", stringify!($next), "` set to each ",
                "token at `", $from, "` in the response, until a page has none; yields the items at `",
                $items, "` of every page in order. Each request is sent (and retried) like `send()`; the ",
                "first error ends the stream, as does a token seen before (the walk would loop) or more ",
                "than [`MAX_PAGES`](crate::MAX_PAGES) pages."
            )]
            pub fn items(
                self,
            ) -> impl $crate::paging::Stream<Item = Result<$crate::types::$item, $crate::Error>> + 'a {
                $crate::paging::token_items(
                    self,
                    |builder, token| builder.$next(token),
                    |builder| async move { $crate::paging::as_json(builder.send().await?.into_inner()) },
                    $items,
                    $from,
                )
            }

            /// Every item across all pages, collected: [`items`](Self::items) read to the end.
            pub async fn send_all(self) -> Result<Vec<$crate::types::$item>, $crate::Error> {
                $crate::paging::collect(self.items()).await
            }
        }
    };
}
pub(crate) use by_token;

/// `items()` and `send_all()` for a builder that pages by time: `by_time!(Builder, ItemType, time_field,
/// after_parameter, before_parameter, "/items/pointer")`. Written by `cargo xtask generate` from
/// `x-polytomic-paging`.
macro_rules! by_time {
    ($builder:ident, $item:ident, $time:ident, $after:ident, $before:ident, $items:literal) => {
        impl<'a> $crate::builder::$builder<'a> {
            /// Every item the request selects, across all pages, as a stream that reads a page only when the
            /// items before it are taken.
            ///
            #[doc = concat!(
                "Items page by time: after each page the next request asks for items strictly before the ",
                "page's oldest `", stringify!($time), "` (`", stringify!($before), "`) when the API lists ",
                "newest first, or strictly after its newest (`", stringify!($after), "`) when it lists ",
                "oldest first, keeping every other setting, until a page comes back empty. Items that ",
                "share the exact timestamp of a page boundary can be missed: the API's bounds are strict. ",
                "An item without `", stringify!($time), "` cannot be paged past and is an error."
            )]
            pub fn items(
                self,
            ) -> impl $crate::paging::Stream<Item = Result<$crate::types::$item, $crate::Error>> + 'a {
                $crate::paging::time_items(
                    self,
                    |builder, time| builder.$after(time),
                    |builder, time| builder.$before(time),
                    |builder| async move { $crate::paging::as_json(builder.send().await?.into_inner()) },
                    $items,
                    |item: &$crate::types::$item| item.$time,
                )
            }

            /// Every item the request selects, collected: [`items`](Self::items) read to the end.
            pub async fn send_all(self) -> Result<Vec<$crate::types::$item>, $crate::Error> {
                $crate::paging::collect(self.items()).await
            }
        }
    };
}
pub(crate) use by_time;
