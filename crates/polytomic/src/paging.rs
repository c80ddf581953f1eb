//! Walking every page of the operations that page with `page_token` and answer with a `pagination` object.
//!
//! ```no_run
//! # async fn run(client: &polytomic::Client) -> Result<(), polytomic::Error> {
//! // Every active model sync, however many pages the API splits them into.
//! let syncs = client.list_syncs().active(true).send_all().await?;
//! # Ok(()) }
//! ```

use crate::Error;
use crate::builder::{ListBulkSyncExecutions, ListSyncExecutions, ListSyncs};
use crate::types::{
    BulkSyncExecution, GetExecutionResponseSchema, ListSyncItem, PaginationDetails,
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
                Err(Error::UnexpectedResponse {
                    status: reqwest::StatusCode::OK,
                    detail: format!("more than {MAX_PAGES} pages; stopped"),
                })
            }
        }
    };
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
