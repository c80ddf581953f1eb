//! Walking every page with `send_all()`, on the builders of the operations that page. Which operations
//! page, and how, is declared once in the spec (`x-polytomic-paging`, written in `openapi/overlay.yaml`);
//! `cargo xtask generate` writes one `by_token!` or `by_time!` per declaration into
//! [`operations`](crate::operations), which lists them. Two ways to walk:
//! - a token or cursor: the value at a JSON pointer of the response goes back in a query parameter
//!   (`page_token` with `pagination.next_page_token`; the console logs' `after` with `next_cursor`);
//! - by time (events): `starting_after` / `ending_before` from the page's own timestamps, reaching back
//!   over the boundary and dropping by id the items given already, so a burst at one time is not split.
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
        /// The items' id field (items at a page's boundary time are told apart by it).
        id: &'static str,
        /// The query parameter for the page size, and the largest the API documents.
        size: (&'static str, u32),
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
    with_token: impl Fn(B, String) -> Result<B, Error> + Copy,
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
        walk.next = Some(with_token(walk.first.clone(), token.to_string())?);
        Ok(())
    })
}

/// The order a page lists its items in, read off its timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    NewestFirst,
    OldestFirst,
}

/// What a walk by time remembers: the order once a page has shown it, the last bound, the ids of the
/// items already given at exactly that time, the longest page seen, and whether the later side is being
/// tried because no page has shown the order yet.
struct ByTime<Tm, Id> {
    order: Option<Order>,
    bound: Option<Tm>,
    at_bound: HashSet<Id>,
    longest: usize,
    trying_later: bool,
}

impl<Tm, Id> ByTime<Tm, Id> {
    /// Whether pages are asked for on the later side of the bound.
    fn later(&self) -> bool {
        match self.order {
            Some(order) => order == Order::OldestFirst,
            None => self.trying_later,
        }
    }
}

/// One microsecond past `time`, later or earlier: the API's time bounds are strict, so a walk by time
/// reaches back over its boundary by the smallest step the API's timestamps resolve.
pub(crate) fn reach_past(
    time: chrono::DateTime<chrono::Utc>,
    later: bool,
) -> chrono::DateTime<chrono::Utc> {
    let step = chrono::TimeDelta::microseconds(1);
    if later { time + step } else { time - step }
}

/// Every item, lazily, by time, losing and repeating nothing where items share a timestamp. The API's
/// bounds are strict, so each next request reaches one microsecond past the page's last time
/// (`widen(time, later)`), back over the boundary, and the items already given at exactly that time are
/// dropped by id: a burst split across pages comes out whole and once.
///
/// The order is read off the pages, never assumed: a page with two different times shows it, and a page
/// listing the other way later is an error. Until one has shown it (every item so far at one time), the
/// walk asks for the earlier side, and when that brings nothing new, the later side. A page of items all
/// given already ends the walk when it is shorter than the page size asked for (`page_size`) or than the
/// longest page seen: the server had no more. A full one means more items share one timestamp than a page
/// holds, which cannot be paged past without losing some: an error. An item without a time or an id is an
/// error. (A server that silently returned fewer than the page size it documents, at a burst larger than
/// that, would end the walk early.)
#[allow(clippy::too_many_arguments)]
pub(crate) fn time_items<B, T, Tm, Id, F>(
    first: B,
    after: impl Fn(B, Tm) -> Result<B, Error> + Copy,
    before: impl Fn(B, Tm) -> Result<B, Error> + Copy,
    send: impl Fn(B) -> F + Copy,
    items_at: &'static str,
    time: impl Fn(&T) -> Option<Tm> + Copy,
    id: impl Fn(&T) -> Option<Id> + Copy,
    widen: impl Fn(Tm, bool) -> Tm + Copy,
    page_size: Option<usize>,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    T: DeserializeOwned,
    Tm: Ord + Copy + std::fmt::Display,
    Id: Eq + std::hash::Hash + Clone,
    F: Future<Output = Result<Value, Error>>,
{
    let memory = ByTime {
        order: None,
        bound: None,
        at_bound: HashSet::<Id>::new(),
        longest: 0,
        trying_later: false,
    };
    let walk = Walk::new(first, memory);
    walk_pages(walk, send, move |walk, page| {
        let page: Vec<T> = items(&page, items_at)?;
        let mut stamped = Vec::with_capacity(page.len());
        for item in page {
            let (Some(t), Some(i)) = (time(&item), id(&item)) else {
                return Err(stopped(
                    "an item without its time or id: cannot page past it without losing or repeating items".into(),
                ));
            };
            stamped.push((t, i, item));
        }
        let times: Vec<Tm> = stamped.iter().map(|(t, _, _)| *t).collect();
        let shown = match (
            times.windows(2).all(|w| w[0] >= w[1]),
            times.windows(2).all(|w| w[0] <= w[1]),
        ) {
            (true, true) => None,
            (true, false) => Some(Order::NewestFirst),
            (false, true) => Some(Order::OldestFirst),
            (false, false) => {
                return Err(stopped(format!(
                    "page {} is not in time order: cannot page by time",
                    walk.pages
                )));
            }
        };
        let pages = walk.pages;
        let memory = &mut walk.memory;
        // The side of the bound this page was asked for (before the page can change what is known).
        let asked_later = memory.later();
        match (memory.order, shown) {
            (Some(known), Some(shown)) if known != shown => {
                return Err(stopped(format!(
                    "page {pages} lists {shown:?} after earlier pages listed {known:?}: cannot page by time"
                )));
            }
            (None, Some(shown)) => memory.order = Some(shown),
            _ => {}
        }
        let length = stamped.len();
        let (bound, at_bound) = (memory.bound, &memory.at_bound);
        // New: on the side asked for, or at the bound itself and not given yet. What lies past the bound
        // was given already (a server that ignored the bound would repeat it).
        let new: Vec<(Tm, Id, T)> = stamped
            .into_iter()
            .filter(|(t, i, _)| match bound {
                None => true,
                Some(b) if *t == b => !at_bound.contains(i),
                Some(b) => (*t > b) == asked_later,
            })
            .collect();
        if length == 0 {
            return Ok(()); // An empty page: nothing further.
        }
        if new.is_empty() {
            // Only items given already. With room for more on the page, the server has no more on this
            // side; a full page may hide more at the same time.
            let room = length < memory.longest || length < page_size.unwrap_or(usize::MAX);
            if room && memory.order.is_none() && !memory.trying_later {
                // No page has shown the order, and the earlier side had nothing new: the later side.
                if let Some(bound) = memory.bound {
                    memory.trying_later = true;
                    walk.next = Some(after(walk.first.clone(), widen(bound, false))?);
                }
                return Ok(());
            }
            if room {
                return Ok(());
            }
            return Err(stopped(format!(
                "page {pages} holds only items given already, all at {}: more items may share that time \
                 than a page holds, and the API's bounds cannot page past them; stopped",
                bound.map(|b| b.to_string()).unwrap_or_default()
            )));
        }
        memory.longest = memory.longest.max(length);
        // The edge to go on from: the page's oldest time when it lists newest first, its newest when
        // oldest first; all one time when no page has shown the order.
        let (Some(&oldest), Some(&newest)) = (times.iter().min(), times.iter().max()) else {
            return Ok(());
        };
        let edge = match memory.order {
            Some(Order::OldestFirst) => newest,
            _ => oldest,
        };
        if memory.bound != Some(edge) {
            memory.at_bound.clear();
            memory.bound = Some(edge);
        }
        memory.at_bound.extend(
            new.iter()
                .filter(|(t, _, _)| *t == edge)
                .map(|(_, i, _)| i.clone()),
        );
        walk.next = Some(if memory.later() {
            after(walk.first.clone(), widen(edge, false))?
        } else {
            before(walk.first.clone(), widen(edge, true))?
        });
        walk.pending = new.into_iter().map(|(_, _, item)| item).collect();
        Ok(())
    })
}

/// The walks behind `items()`, over JSON pages, for requests sent another way (the CLI's `--all` runs its
/// command again for each page): `set(request, parameter, value)` gives `first` a query parameter (the next
/// token; by time a bound, and the page size first), `send` sends a request and returns its page. The
/// items are the page's JSON values; by time, their time (RFC 3339) and id are read at `paging`'s fields.
pub fn walk_json<'a, B, F>(
    first: B,
    paging: Paging,
    set: impl Fn(B, &'static str, String) -> Result<B, Error> + Copy + 'a,
    send: impl Fn(B) -> F + Copy + 'a,
) -> std::pin::Pin<Box<dyn Stream<Item = Result<Value, Error>> + 'a>>
where
    B: Clone + 'a,
    F: Future<Output = Result<Value, Error>> + 'a,
{
    let (time, id, after, before, items_at, (size, page)) = match paging {
        Paging::Token { next, from, items } => {
            let with_token = move |request, token| set(request, next, token);
            return Box::pin(token_items(first, with_token, send, items, from));
        }
        Paging::Time {
            time,
            id,
            after,
            before,
            items,
            size,
        } => (time, id, after, before, items, size),
    };
    let at = |time: chrono::DateTime<chrono::Utc>| {
        time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    };
    let by_time = futures_util::stream::once(async move {
        Ok::<_, Error>(time_items(
            set(first, size, page.to_string())?,
            move |request, time| set(request, after, at(time)),
            move |request, time| set(request, before, at(time)),
            send,
            items_at,
            move |item: &Value| {
                item.get(time)
                    .and_then(Value::as_str)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.to_utc())
            },
            move |item: &Value| item.get(id).map(Value::to_string),
            reach_past,
            Some(page as usize),
        ))
    });
    Box::pin(by_time.try_flatten())
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
                    |builder, token| Ok(builder.$next(token)),
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
/// id_field, after_parameter, before_parameter, "/items/pointer", page_size_parameter, page_size)`. Written by `cargo xtask generate` from
/// `x-polytomic-paging`.
macro_rules! by_time {
    ($builder:ident, $item:ident, $time:ident, $id:ident, $after:ident, $before:ident, $items:literal, $size:ident, $max:literal) => {
        impl<'a> $crate::builder::$builder<'a> {
            /// Every item the request selects, across all pages, as a stream that reads a page only when the
            /// items before it are taken.
            ///
            #[doc = concat!(
                "Items page by time, in the order the API lists them: after each page the next request ",
                "reaches back over the page's last `", stringify!($time), "` (`", stringify!($before),
                "` when the API lists newest first, `", stringify!($after), "` when oldest first; the ",
                "order is read off the pages), keeping every other setting, and the items already given ",
                "at exactly that time are dropped by `", stringify!($id), "`: items that share a ",
                "timestamp across a page boundary come out whole and once. More items at one time than a ",
                "page holds, a page out of time order, or an item without `", stringify!($time), "` or `",
                stringify!($id), "` is an error. Pages are asked for ", stringify!($max), " items at a time ",
                "(`", stringify!($size), "`)."
            )]
            pub fn items(
                self,
            ) -> impl $crate::paging::Stream<Item = Result<$crate::types::$item, $crate::Error>> + 'a {
                $crate::paging::time_items(
                    // The largest page the API documents: fewer requests, and a known page size.
                    self.$size($max),
                    |builder, time| Ok(builder.$after(time)),
                    |builder, time| Ok(builder.$before(time)),
                    |builder| async move { $crate::paging::as_json(builder.send().await?.into_inner()) },
                    $items,
                    |item: &$crate::types::$item| item.$time,
                    |item: &$crate::types::$item| item.$id,
                    $crate::paging::reach_past,
                    Some($max),
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
