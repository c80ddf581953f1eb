//! Waiting for work that finishes later (a bulk or model sync execution, a schema refresh, a query, a
//! job): `wait()` on the builder of the operation that reads its state polls until the state is final. Which
//! operations those are, where their status is and which states are final is declared once in the spec
//! (`x-polytomic-waiter`, written in `openapi/overlay.yaml`); `cargo xtask generate` writes the table
//! [`WAITERS`](crate::operations::WAITERS) and one `waits!` per waiter.
//!
//! ```no_run
//! # async fn run(client: &polytomic::Client, sync: uuid::Uuid) -> Result<(), polytomic::Error> {
//! use std::time::Duration;
//! use polytomic::waiting::Outcome;
//!
//! let started = client.start_bulk_sync().id(sync).send().await?.into_inner();
//! let execution = started.data.and_then(|e| e.id).expect("the API names the execution it started");
//! let outcome = client
//!     .get_bulk_sync_execution()
//!     .id(sync)
//!     .exec_id(execution)
//!     .wait()
//!     .max_wait(Duration::from_secs(3600))
//!     .on_state(|progress| eprintln!("{}", progress.status))
//!     .send()
//!     .await?;
//! match outcome {
//!     Outcome::Succeeded(done) => println!("{} records", done.data.and_then(|d| d.record_count).unwrap_or(0)),
//!     Outcome::Failed(run) | Outcome::Canceled(run) => eprintln!("ended as {:?}", run.data.map(|d| d.status)),
//!     Outcome::TimedOut(last) => eprintln!("still {:?} after an hour", last.data.map(|d| d.status)),
//! }
//! # Ok(()) }
//! ```
//!
//! A failed or canceled run is an [`Outcome`], not an [`Error`]: errors are the client's (the API could not
//! be reached, answered with an error, or sent what the spec does not describe). A state the spec does not
//! know (one Polytomic added since) is not final: the wait goes on, and [`Progress::known`] says so.
//! Dropping the future stops the wait; nothing else runs in the background.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::{Error, ResponseValue};

/// How an operation's state is read, and where its path parameters come from: one entry of
/// [`WAITERS`](crate::operations::WAITERS), generated from the spec's `x-polytomic-waiter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    /// The operation polled (a `GET`).
    pub operation: &'static str,
    /// Its path template (`/api/bulk/syncs/{id}/executions/{exec_id}`).
    pub path: &'static str,
    /// A JSON pointer to the status in its 200 response.
    pub status: &'static str,
    /// States that are not final.
    pub pending: &'static [&'static str],
    /// Final: the work succeeded.
    pub succeeded: &'static [&'static str],
    /// Final: the work failed.
    pub failed: &'static [&'static str],
    /// Final: the work was canceled.
    pub canceled: &'static [&'static str],
    /// The operations that start the work.
    pub started_by: &'static [StartedBy],
}

/// An operation that starts work a [`Waiter`] polls, and where each path parameter of the poll comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartedBy {
    /// The starting operation.
    pub operation: &'static str,
    /// (path parameter of the poll, its source).
    pub arguments: &'static [(&'static str, Source)],
}

/// Where a path parameter of the poll comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The starting operation's parameter of this name.
    Parameter(&'static str),
    /// The string at this JSON pointer in the starting operation's response.
    Response(&'static str),
}

impl Waiter {
    /// The waiter for the work `operation` starts, with the way there.
    pub fn for_start(operation: &str) -> Option<(&'static Waiter, &'static StartedBy)> {
        crate::operations::WAITERS.iter().find_map(|waiter| {
            let start = waiter
                .started_by
                .iter()
                .find(|s| s.operation == operation)?;
            Some((waiter, start))
        })
    }

    /// Where `status` leaves the wait.
    pub fn classify(&self, status: &str) -> State {
        let is = |states: &[&str]| states.contains(&status);
        match () {
            _ if is(self.succeeded) => State::Succeeded,
            _ if is(self.failed) => State::Failed,
            _ if is(self.canceled) => State::Canceled,
            _ => State::Pending {
                known: is(self.pending),
            },
        }
    }
}

/// Where a status leaves the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not final; `known: false` for a state the spec does not list.
    Pending {
        /// Whether the spec lists the state.
        known: bool,
    },
    /// Final: succeeded.
    Succeeded,
    /// Final: failed.
    Failed,
    /// Final: canceled.
    Canceled,
}

/// How a wait ended. A run that failed or was canceled is an outcome like success, with the last response.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// The status reached a `succeeded` state.
    Succeeded(T),
    /// The status reached a `failed` state.
    Failed(T),
    /// The status reached a `canceled` state.
    Canceled(T),
    /// The maximum wait passed first: the last response, whose status was not final.
    TimedOut(T),
}

impl<T> Outcome<T> {
    /// The last response, however the wait ended.
    pub fn into_inner(self) -> T {
        match self {
            Outcome::Succeeded(t)
            | Outcome::Failed(t)
            | Outcome::Canceled(t)
            | Outcome::TimedOut(t) => t,
        }
    }

    /// Whether the work succeeded.
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Succeeded(_))
    }
}

/// One poll's news, for [`Wait::on_state`].
#[derive(Debug)]
pub struct Progress<'a, T> {
    /// The status as the server sent it (empty when the response has none).
    pub status: &'a str,
    /// Whether the spec lists this status (a new one is not final: the wait goes on).
    pub known: bool,
    /// The whole response.
    pub response: &'a T,
    /// Polls so far, this one included.
    pub polls: u32,
    /// Time since the wait began.
    pub elapsed: Duration,
}

/// How long to wait and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitPolicy {
    /// Give up (with [`Outcome::TimedOut`]) once this has passed; a last poll is made at the limit.
    pub max_wait: Duration,
    /// The pause after the first poll; it doubles after each further poll.
    pub first_delay: Duration,
    /// The longest pause between polls, unless the server's `Retry-After` asks for longer.
    pub max_delay: Duration,
}

impl Default for WaitPolicy {
    /// 30 minutes at most; pauses of 1 s, 2 s, 4 s ... up to 30 s.
    fn default() -> Self {
        WaitPolicy {
            max_wait: Duration::from_secs(30 * 60),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl WaitPolicy {
    /// The pause after poll number `polls` (from 1): `first_delay` doubled `polls - 1` times, at most
    /// `max_delay`, and never shorter than the server's `Retry-After`.
    pub fn delay(&self, polls: u32, retry_after: Option<Duration>) -> Duration {
        let doubled = self
            .first_delay
            .saturating_mul(2u32.saturating_pow(polls.saturating_sub(1)));
        doubled
            .min(self.max_delay)
            .max(retry_after.unwrap_or_default())
    }
}

type Poll<'a, T> = Box<
    dyn FnMut() -> Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a>>
        + Send
        + 'a,
>;
type OnState<'a, T> = Box<dyn FnMut(&Progress<'_, T>) + Send + 'a>;

/// A wait, configured and not yet begun: [`send`](Self::send) runs it.
pub struct Wait<'a, T> {
    waiter: &'static Waiter,
    poll: Poll<'a, T>,
    policy: WaitPolicy,
    on_state: Option<OnState<'a, T>>,
}

impl<'a, T: Serialize + Send + 'a> Wait<'a, T> {
    /// A wait that reads `waiter`'s status from what `poll` returns. The generated `wait()` calls this with
    /// the builder's `send()`; the CLI with its raw requests.
    pub fn new<F>(waiter: &'static Waiter, mut poll: impl FnMut() -> F + Send + 'a) -> Self
    where
        F: Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a,
    {
        Wait {
            waiter,
            poll: Box::new(move || Box::pin(poll())),
            policy: WaitPolicy::default(),
            on_state: None,
        }
    }

    /// Gives up once `max_wait` has passed (default 30 minutes).
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.policy.max_wait = max_wait;
        self
    }

    /// The whole policy (pauses and maximum wait).
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Calls `f` after every poll, final or not.
    pub fn on_state(mut self, f: impl FnMut(&Progress<'_, T>) + Send + 'a) -> Self {
        self.on_state = Some(Box::new(f));
        self
    }

    /// Polls until the status is final or the maximum wait has passed. Each poll is sent (and retried) like
    /// `send()`; an error of a poll ends the wait with that error.
    pub async fn send(mut self) -> Result<Outcome<T>, Error> {
        let start = Instant::now();
        let mut polls = 0u32;
        loop {
            let response = (self.poll)().await?;
            polls = polls.saturating_add(1);
            let retry_after = crate::body::retry_after(response.headers());
            let value = response.into_inner();
            let json = crate::paging::as_json(&value)?;
            let status = json
                .pointer(self.waiter.status)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let state = self.waiter.classify(status);
            let elapsed = start.elapsed();
            if let Some(on_state) = self.on_state.as_mut() {
                on_state(&Progress {
                    status,
                    known: !matches!(state, State::Pending { known: false }),
                    response: &value,
                    polls,
                    elapsed,
                });
            }
            let remaining = self.policy.max_wait.saturating_sub(elapsed);
            let delay = self.policy.delay(polls, retry_after);
            match state {
                State::Succeeded => return Ok(Outcome::Succeeded(value)),
                State::Failed => return Ok(Outcome::Failed(value)),
                State::Canceled => return Ok(Outcome::Canceled(value)),
                // Out of time, or the server asks for a pause that would end past the limit.
                State::Pending { .. }
                    if remaining.is_zero() || retry_after.is_some_and(|r| r > remaining) =>
                {
                    return Ok(Outcome::TimedOut(value));
                }
                State::Pending { .. } => tokio::time::sleep(delay.min(remaining)).await,
            }
        }
    }
}

/// `wait()` for the builder of a declared waiter: `waits!(Builder, ResponseType, index in WAITERS)`.
/// Written by `cargo xtask generate` from `x-polytomic-waiter`.
macro_rules! waits {
    ($builder:ident, $response:ident, $index:literal) => {
        impl<'a> $crate::builder::$builder<'a> {
            /// Polls this request until its status is final (or a maximum wait passes): configure the
            /// returned [`Wait`](crate::waiting::Wait), then `send()` it.
            ///
            #[doc = concat!(
                "Which states are final is declared in the spec: entry ", stringify!($index),
                " of [`WAITERS`](crate::operations::WAITERS)."
            )]
            pub fn wait(self) -> $crate::waiting::Wait<'a, $crate::types::$response> {
                $crate::waiting::Wait::new(&$crate::operations::WAITERS[$index], move || {
                    let request = self.clone();
                    async move { request.send().await.map_err($crate::Error::from) }
                })
            }
        }
    };
}
pub(crate) use waits;

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
    use serde_json::{Value, json};

    use super::*;

    static RUN: Waiter = Waiter {
        operation: "get_run",
        path: "/runs/{id}",
        status: "/data/status",
        pending: &["created", "running"],
        succeeded: &["completed"],
        failed: &["failed"],
        canceled: &["canceled"],
        started_by: &[],
    };

    /// A poll that answers each status in turn (the last one for ever), with `Retry-After: n` for "n s".
    type Scripted = std::future::Ready<Result<ResponseValue<Value>, Error>>;

    fn scripted(statuses: &[&str]) -> (impl FnMut() -> Scripted + Send + use<>, Arc<Mutex<u32>>) {
        let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        let polls = Arc::new(Mutex::new(0u32));
        let counter = polls.clone();
        let poll = move || {
            let mut n = counter.lock().unwrap();
            let status = &statuses[(*n as usize).min(statuses.len() - 1)];
            *n += 1;
            let mut headers = HeaderMap::new();
            let status = match status.strip_suffix(" s") {
                Some(seconds) => {
                    headers.insert(RETRY_AFTER, HeaderValue::from_str(seconds).unwrap());
                    "running"
                }
                None => status.as_str(),
            };
            let body = json!({"data": {"status": status}});
            std::future::ready(Ok(ResponseValue::new(body, StatusCode::OK, headers)))
        };
        (poll, polls)
    }

    fn policy(max_wait: u64) -> WaitPolicy {
        WaitPolicy {
            max_wait: Duration::from_secs(max_wait),
            ..WaitPolicy::default()
        }
    }

    #[test]
    fn pauses_double_up_to_the_limit_and_never_undercut_retry_after() {
        let p = WaitPolicy::default();
        let secs = |polls, retry_after: Option<u64>| {
            p.delay(polls, retry_after.map(Duration::from_secs))
                .as_secs()
        };
        assert_eq!(
            (1..=7).map(|n| secs(n, None)).collect::<Vec<_>>(),
            [1, 2, 4, 8, 16, 30, 30]
        );
        assert_eq!(secs(1, Some(5)), 5);
        assert_eq!(secs(6, Some(5)), 30);
        assert_eq!(secs(2, Some(90)), 90);
        assert_eq!(secs(u32::MAX, None), 30);
    }

    #[tokio::test(start_paused = true)]
    async fn a_run_is_polled_through_its_states_to_its_outcome_on_the_policys_schedule() {
        for (end, expected) in [
            ("completed", "succeeded"),
            ("failed", "failed"),
            ("canceled", "canceled"),
        ] {
            let (poll, polls) = scripted(&["created", "running", "running", end]);
            let seen = Arc::new(Mutex::new(Vec::new()));
            let log = seen.clone();
            let start = Instant::now();
            let outcome = Wait::new(&RUN, poll)
                .policy(policy(3600))
                .on_state(move |p| {
                    let seen = (p.status.to_string(), p.polls, p.elapsed.as_secs());
                    log.lock().unwrap().push(seen)
                })
                .send()
                .await
                .unwrap();
            let ended = match &outcome {
                Outcome::Succeeded(_) => "succeeded",
                Outcome::Failed(_) => "failed",
                Outcome::Canceled(_) => "canceled",
                Outcome::TimedOut(_) => "timed out",
            };
            assert_eq!(ended, expected);
            assert_eq!(outcome.into_inner()["data"]["status"], end);
            assert_eq!(*polls.lock().unwrap(), 4);
            // Pauses of 1, 2 and 4 s (the paused clock moves only by them).
            assert_eq!(
                *seen.lock().unwrap(),
                [
                    ("created".into(), 1, 0),
                    ("running".into(), 2, 1),
                    ("running".into(), 3, 3),
                    (end.into(), 4, 7)
                ]
            );
            assert_eq!(start.elapsed(), Duration::from_secs(7));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_run_that_outlives_the_maximum_wait_times_out_after_a_last_poll_at_the_limit() {
        let (poll, polls) = scripted(&["running"]);
        let start = Instant::now();
        let outcome = Wait::new(&RUN, poll)
            .policy(policy(10))
            .send()
            .await
            .unwrap();
        assert!(matches!(outcome, Outcome::TimedOut(ref v) if v["data"]["status"] == "running"));
        // Polls at 0, 1, 3, 7 and (the pause of 8 s cut to the 3 s left) 10.
        assert_eq!(*polls.lock().unwrap(), 5);
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_kept_and_a_pause_past_the_limit_is_not_taken() {
        let (poll, polls) = scripted(&["7 s", "completed"]);
        let start = Instant::now();
        let outcome = Wait::new(&RUN, poll)
            .policy(policy(60))
            .send()
            .await
            .unwrap();
        assert!(outcome.succeeded());
        assert_eq!(start.elapsed(), Duration::from_secs(7));
        assert_eq!(*polls.lock().unwrap(), 2);

        // Asked to come back after the limit: timed out now, not polled early.
        let (poll, polls) = scripted(&["120 s", "completed"]);
        let outcome = Wait::new(&RUN, poll)
            .policy(policy(60))
            .send()
            .await
            .unwrap();
        assert!(matches!(outcome, Outcome::TimedOut(_)));
        assert_eq!(*polls.lock().unwrap(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_state_the_spec_does_not_list_is_not_final_and_is_reported_as_unknown() {
        let (poll, _) = scripted(&["created", "warming_up", "completed"]);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let outcome = Wait::new(&RUN, poll)
            .on_state(move |p| log.lock().unwrap().push((p.status.to_string(), p.known)))
            .send()
            .await
            .unwrap();
        assert!(outcome.succeeded());
        assert_eq!(
            *seen.lock().unwrap(),
            [
                ("created".into(), true),
                ("warming_up".into(), false),
                ("completed".into(), true)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_wait_stops_it_and_nothing_polls_in_the_background() {
        let (poll, polls) = scripted(&["running"]);
        let wait = Wait::new(&RUN, poll).policy(policy(3600)).send();
        // Given up on after 5 s: polls at 0, 1 and 3 s.
        assert!(
            tokio::time::timeout(Duration::from_secs(5), wait)
                .await
                .is_err()
        );
        assert_eq!(*polls.lock().unwrap(), 3);
        tokio::time::advance(Duration::from_secs(600)).await;
        tokio::task::yield_now().await;
        assert_eq!(*polls.lock().unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_of_a_poll_ends_the_wait_with_it() {
        let mut polls = 0;
        let poll = move || {
            polls += 1;
            std::future::ready(if polls < 2 {
                Ok(ResponseValue::new(
                    json!({"data": {"status": "running"}}),
                    StatusCode::OK,
                    HeaderMap::new(),
                ))
            } else {
                Err(Error::InvalidRequest("gone".into()))
            })
        };
        let error = Wait::new(&RUN, poll).send().await.unwrap_err();
        assert_eq!(error.to_string(), "invalid request: gone");
    }
}
