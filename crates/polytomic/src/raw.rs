//! A request by method and path, for what the typed builders do not cover (the `polytomic api` command, the
//! CLI's `--wait`): it goes through the same hooks as every generated call (credentials, version header,
//! retries, tracing), so only the typing is missing.

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, Error as ProgenitorError, OperationInfo};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use crate::types::ApiError;
use crate::{Client, Error, ResponseValue};

impl Client {
    /// Sends `method` to `path_and_query` (from `/`, relative to the base URL), with a JSON `body` if
    /// given, as operation `operation_id` would be sent: with the credentials it takes (any the client
    /// holds for `None`), the version header, an idempotency key if it takes one, and retries. A success
    /// gives the body as the server sent it; an error status is an [`Error`] like any call's.
    pub async fn send_raw(
        &self,
        operation_id: Option<&'static str>,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<ResponseValue<Bytes>, Error> {
        if !path_and_query.starts_with('/') {
            return Err(Error::InvalidRequest(format!(
                "the path must start with `/` (as in /api/connections), not {:?}",
                crate::body::shortened(path_and_query, 80)
            )));
        }
        let url = format!("{}{path_and_query}", self.baseurl());
        let mut request = self
            .client()
            .request(method, url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body);
        }
        let mut request = request
            .build()
            .map_err(|e| Error::InvalidRequest(format!("not a request: {e}")))?;
        let info = OperationInfo {
            operation_id: operation_id.unwrap_or("raw"),
        };
        self.pre::<ApiError>(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post::<ApiError>(&result, &info).await?;
        let response = result.map_err(ProgenitorError::<ApiError>::from)?;
        let status = response.status();
        if status.is_success() {
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(Error::Connection)?;
            return Ok(ResponseValue::new(body, status, headers));
        }
        Err(if status.is_client_error() || status.is_server_error() {
            ProgenitorError::ErrorResponse(
                ResponseValue::<ApiError>::from_response(response).await?,
            )
        } else {
            ProgenitorError::UnexpectedResponse(response)
        }
        .into())
    }
}
