//! Walking every page of the operations that page, with `send_all()` on their builders:
//! - `page_token` with a `pagination.next_page_token` in the response: [`ListSyncs`],
//!   [`ListSyncExecutions`], [`ListBulkSyncExecutions`];
//! - the console logs' `after` cursor with `next_cursor` in the response: [`GetSyncExecutionConsoleLogs`],
//!   [`GetBulkSyncExecutionConsoleLogs`], [`GetBulkSyncExecutionSchemaConsoleLogs`];
//! - events by time ([`ListEvents`]): `starting_after` / `ending_before` from the page's own timestamps.
//!
//! ```no_run
//! # async fn run(client: &polytomic::Client) -> Result<(), polytomic::Error> {
//! // Every active model sync, however many pages the API splits them into.
//! let syncs = client.list_syncs().active(true).send_all().await?;
//! # Ok(()) }
//! ```

use crate::Error;
use crate::builder::{
    GetBulkSyncExecutionConsoleLogs, GetBulkSyncExecutionSchemaConsoleLogs,
    GetSyncExecutionConsoleLogs, ListBulkSyncExecutions, ListEvents, ListSyncExecutions, ListSyncs,
};
use crate::types::{
    BulkSyncExecution, Event, ExecutionConsoleLogEntry, GetExecutionResponseSchema, ListSyncItem,
    PaginationDetails,
};

/// The most pages one `send_all` reads: a server that kept answering with new tokens would otherwise keep
/// it going forever.
pub const MAX_PAGES: usize = 10_000;

/// The token for the next page: `None` when there is none (absent, empty, or the one just used, which
/// would repeat the same page forever).
fn next_token(pagination: Option<PaginationDetails>, used: Option<&str>) -> Option<String> {
    pagination
        .and_then(|p| p.next_page_token)
        .filter(|token| !token.is_empty() && Some(token.as_str()) != used)
}

macro_rules! send_all {
    ($builder:ident, $item:ty, $doc:literal) => {
        impl $builder<'_> {
            #[doc = $doc]
            ///
            /// Sends the request as configured, then again with each `pagination.next_page_token` the API
            /// returns, until a page has no token; returns the items of every page in order. Each request is
            /// sent (and retried) like `send()`; the first error stops the walk and is returned.
            pub async fn send_all(self) -> Result<Vec<$item>, Error> {
                let mut items = Vec::new();
                let mut token: Option<String> = None;
                for _ in 0..MAX_PAGES {
                    let request = match &token {
                        Some(token) => self.clone().page_token(token.clone()),
                        None => self.clone(),
                    };
                    let page = request.send().await?.into_inner();
                    items.extend(page.data.unwrap_or_default());
                    match next_token(page.pagination, token.as_deref()) {
                        Some(next) => token = Some(next),
                        None => return Ok(items),
                    }
                }
                Err(too_many_pages())
            }
        }
    };
}

fn too_many_pages() -> Error {
    Error::UnexpectedResponse {
        status: reqwest::StatusCode::OK,
        detail: format!("more than {MAX_PAGES} pages; stopped"),
        headers: Default::default(),
    }
}

macro_rules! send_all_logs {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Every console log entry of the execution, across all pages.
            ///
            /// Sends the request as configured, then again with `after` set to each `next_cursor` the API
            /// returns, until a page has no cursor (or repeats the one just used); returns the entries in
            /// order. The first error stops the walk and is returned.
            pub async fn send_all(self) -> Result<Vec<ExecutionConsoleLogEntry>, Error> {
                let mut entries = Vec::new();
                let mut cursor: Option<String> = None;
                for _ in 0..MAX_PAGES {
                    let request = match &cursor {
                        Some(cursor) => self.clone().after(cursor.clone()),
                        None => self.clone(),
                    };
                    let page = request.send().await?.into_inner().data.unwrap_or_default();
                    entries.extend(page.entries.unwrap_or_default());
                    match page
                        .next_cursor
                        .filter(|next| !next.is_empty() && Some(next) != cursor.as_ref())
                    {
                        Some(next) => cursor = Some(next),
                        None => return Ok(entries),
                    }
                }
                Err(too_many_pages())
            }
        }
    };
}

send_all_logs!(GetSyncExecutionConsoleLogs);
send_all_logs!(GetBulkSyncExecutionConsoleLogs);
send_all_logs!(GetBulkSyncExecutionSchemaConsoleLogs);

impl ListEvents<'_> {
    /// Every event the request selects, across all pages.
    ///
    /// Events page by time: after each page the next request asks for events strictly before the page's
    /// oldest (`ending_before`) when the API lists newest first, or strictly after its newest
    /// (`starting_after`) when it lists oldest first, keeping every other setting, until a page comes back
    /// empty. Events that share the exact timestamp of a page boundary can be missed: the API's bounds are
    /// strict. An event without `created_at` cannot be paged past and is an error.
    pub async fn send_all(self) -> Result<Vec<Event>, Error> {
        let mut events: Vec<Event> = Vec::new();
        let mut request = self.clone();
        let mut newest_first: Option<bool> = None;
        let mut last_bound = None;
        for _ in 0..MAX_PAGES {
            let page = request.send().await?.into_inner().data.unwrap_or_default();
            let times: Vec<_> = page.iter().filter_map(|e| e.created_at).collect();
            if times.len() < page.len() {
                return Err(Error::UnexpectedResponse {
                    status: reqwest::StatusCode::OK,
                    detail: "an event without created_at: cannot ask for the next page".into(),
                    headers: Default::default(),
                });
            }
            let (Some(first), Some(last)) = (times.first(), times.last()) else {
                return Ok(events);
            };
            let newest_first = *newest_first.get_or_insert(first >= last);
            let bound = if newest_first {
                times.iter().min()
            } else {
                times.iter().max()
            }
            .copied();
            events.extend(page);
            if bound == last_bound {
                return Ok(events);
            }
            last_bound = bound;
            let bound = bound.expect("a non-empty page has times");
            request = if newest_first {
                self.clone().ending_before(bound)
            } else {
                self.clone().starting_after(bound)
            };
        }
        Err(too_many_pages())
    }
}

send_all!(
    ListSyncs,
    ListSyncItem,
    "Every model sync, across all pages."
);
send_all!(
    ListSyncExecutions,
    GetExecutionResponseSchema,
    "Every execution of the model sync, across all pages."
);
send_all!(
    ListBulkSyncExecutions,
    BulkSyncExecution,
    "Every execution of the bulk sync, across all pages."
);
