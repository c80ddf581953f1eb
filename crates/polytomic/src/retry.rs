//! When a call is tried again, and the loop that does it: the caller's [`RetryPolicy`], the decision for
//! one outcome ([`decide`], a [`RetryAction`] that names why), the backoff, and the attempts themselves.
//! The hooks only call [`send_with_retries`].

use std::time::{Duration, Instant};

use reqwest::{Method, Request, Response, StatusCode};

use crate::body::{IDEMPOTENCY_KEY, VERSION_HEADER, keep_body, retry_after};

/// When and how often failed attempts are retried.
///
/// Retried: connection errors and timeouts, and the statuses 408, 409, 429 and 5xx. GET, HEAD, PUT,
/// DELETE and OPTIONS are retried freely; a POST when the request carries an `Idempotency-Key`, or when
/// the connection could not be made (nothing was sent). Under a key, Polytomic answers every later request
/// with the first one's outcome, 5xx included, so a 5xx is not retried; a 409 means the first request
/// is still in flight, and is retried (apidocs, "Idempotent requests"). A server's `Retry-After` is a promise: the client
/// never retries earlier, and when it asks for longer than `max_backoff` the error is returned at once
/// ([`crate::Error::retry_after`] says how long). Fields may be added (`non_exhaustive`): start from [`RetryPolicy::default`] or
/// [`RetryPolicy::none`] and change what you need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each further retry (with jitter).
    pub initial_backoff: Duration,
    /// The longest wait between attempts, whether from backoff or from the server's `Retry-After`.
    pub max_backoff: Duration,
    /// The longest a call may take across all its attempts and waits; `None`: no overall limit (each
    /// attempt still has the client's timeout). No retry starts that could not finish its wait in time.
    pub max_elapsed: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 2 retries, as Polytomic's official SDKs do; 500 ms initial backoff; at most 30 s between attempts;
    /// at most 5 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Some(Duration::from_secs(300)),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// With `max_retries` retries after the first attempt.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// With this backoff before the first retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// With this longest wait between attempts.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// With this overall limit across attempts (`None`: none).
    pub fn with_max_elapsed(mut self, limit: Option<Duration>) -> Self {
        self.max_elapsed = limit;
        self
    }
}

/// What to do after one attempt, and why (as Smithy's `RetryAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryAction {
    /// Send the request again after this wait.
    RetryAfter(Duration),
    /// Hand this outcome to the caller.
    DoNotRetry(NoRetry),
}

/// Why an outcome is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoRetry {
    /// A success, or a failure that another attempt would not change (a 4xx other than 408, 409, 429).
    NotRetryable,
    /// A POST without an `Idempotency-Key` that reached the server: repeating it could do the work twice.
    NotIdempotent,
    /// A 5xx answered to a POST with an `Idempotency-Key`: Polytomic keeps the first outcome under the key
    /// and would answer a retry with the same 5xx.
    KeyReplaysOutcome,
    /// The policy's retries are used up.
    AttemptsExhausted,
    /// The server asked for a longer wait than the policy's `max_backoff` (the error carries it).
    RetryAfterTooLong(Duration),
    /// The wait would end past the policy's `max_elapsed`.
    OutOfTime,
    /// The request's body is a stream, which cannot be sent twice (progenitor's JSON bodies are bytes).
    BodyNotReplayable,
}

/// One attempt's outcome, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server answered with this status (and maybe a `Retry-After`).
    Answered {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    /// The connection could not be made: nothing was sent, so any method may be repeated.
    NotSent,
    /// The attempt timed out or the connection broke after the request may have left.
    Interrupted,
    /// Anything else (a request that cannot be built): final.
    Other,
}

impl Outcome {
    fn of(result: &reqwest::Result<Response>) -> Outcome {
        match result {
            Ok(response) => Outcome::Answered {
                status: response.status(),
                // Read only where it matters: a success never looks at it.
                retry_after: if response.status().is_success() {
                    None
                } else {
                    retry_after(response.headers())
                },
            },
            Err(e) if e.is_connect() => Outcome::NotSent,
            Err(e) if e.is_timeout() || e.is_request() => Outcome::Interrupted,
            Err(_) => Outcome::Other,
        }
    }
}

/// Whether a request may be sent again once it reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// An idempotent method (GET, HEAD, PUT, DELETE, OPTIONS): freely.
    Method,
    /// A request with an `Idempotency-Key`: the server keeps its first outcome under the key (a 408 or
    /// 429 says the request was not taken up, and is retried).
    Keyed,
    /// A POST without a key: only when nothing was sent.
    No,
}

impl Replay {
    /// An idempotent method is repeated freely, with or without a key (Polytomic documents keys for its
    /// POSTs); any other method only with a key, under which the server keeps its first outcome.
    fn of(request: &Request) -> Replay {
        if is_idempotent(request.method()) {
            Replay::Method
        } else if request.headers().contains_key(&IDEMPOTENCY_KEY) {
            Replay::Keyed
        } else {
            Replay::No
        }
    }
}

/// GET, HEAD, PUT, DELETE, OPTIONS: the methods HTTP defines as safe to repeat.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// The decision after attempt number `attempt` (1-based). `replay`: whether the request may be repeated
/// once it reached the server. `elapsed` is the time since the first attempt and `jitter` a number in
/// [0, 1); both are asked for only when a retry is possible.
pub(crate) fn decide(
    outcome: Outcome,
    policy: &RetryPolicy,
    attempt: u32,
    replay: Replay,
    elapsed: impl FnOnce() -> Duration,
    jitter: impl FnOnce() -> f64,
) -> RetryAction {
    use RetryAction::DoNotRetry;
    let retry_after = match outcome {
        Outcome::Answered {
            status,
            retry_after,
        } if is_retryable_status(status) => retry_after,
        Outcome::NotSent | Outcome::Interrupted => None,
        Outcome::Answered { .. } | Outcome::Other => return DoNotRetry(NoRetry::NotRetryable),
    };
    match (replay, outcome) {
        (Replay::No, Outcome::NotSent) | (Replay::Method, _) => {}
        (Replay::No, _) => return DoNotRetry(NoRetry::NotIdempotent),
        (Replay::Keyed, Outcome::Answered { status, .. }) if status.is_server_error() => {
            return DoNotRetry(NoRetry::KeyReplaysOutcome);
        }
        (Replay::Keyed, _) => {}
    }
    if attempt > policy.max_retries {
        return DoNotRetry(NoRetry::AttemptsExhausted);
    }
    // The server's Retry-After is a promise: never retry earlier. Longer than the policy waits: the error
    // goes back to the caller at once, with the delay readable from it.
    let delay = match retry_after {
        Some(wait) if wait > policy.max_backoff => {
            return DoNotRetry(NoRetry::RetryAfterTooLong(wait));
        }
        Some(wait) => wait,
        None => backoff(policy, attempt, jitter()),
    };
    if policy
        .max_elapsed
        .is_some_and(|limit| elapsed() + delay >= limit)
    {
        return DoNotRetry(NoRetry::OutOfTime);
    }
    RetryAction::RetryAfter(delay)
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// Exponential backoff with jitter: `initial * 2^(attempt-1)`, capped at `max_backoff`, scaled into
/// [half, all] of itself by `jitter` in [0, 1).
fn backoff(policy: &RetryPolicy, attempt: u32, jitter: f64) -> Duration {
    let full = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(policy.max_backoff);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// A number in [0, 1) from std's randomly seeded hasher; jitter needs no better randomness.
fn random_fraction() -> f64 {
    use std::hash::BuildHasher;
    let bits = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Sends `request`, and again while [`decide`] says so; the response of an error status comes back with
/// its body read ([`keep_body`]).
pub(crate) async fn send_with_retries(
    http: &reqwest::Client,
    mut request: Request,
    policy: &RetryPolicy,
) -> reqwest::Result<Response> {
    // Idempotent methods are repeated freely; anything else (POST) only when the caller made it idempotent
    // with a key, which is sent unchanged on every attempt.
    let replay = Replay::of(&request);
    let started = Instant::now();
    let (mut attempt, mut attempt_started) = (1, started);
    let result = loop {
        // Keep a copy for a next attempt while one may follow (JSON bodies are bytes: cloning works).
        let spare = if attempt <= policy.max_retries {
            copy_for_retry(&request)
        } else {
            None
        };
        let result = http.execute(request).await;
        trace_attempt(&result, attempt, attempt_started);
        let action = decide(
            Outcome::of(&result),
            policy,
            attempt,
            replay,
            || started.elapsed(),
            random_fraction,
        );
        // No copy while a retry is still allowed: the body is a stream.
        let action = match (action, &spare) {
            (RetryAction::RetryAfter(_), None) => {
                RetryAction::DoNotRetry(NoRetry::BodyNotReplayable)
            }
            (action, _) => action,
        };
        let (RetryAction::RetryAfter(delay), Some(next)) = (action, spare) else {
            tracing::debug!(attempt, decision = ?action, "final attempt");
            break result;
        };
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
        // Nothing but the next request is kept across the wait, and the wait is boxed (as `keep_body`
        // below): every call's future would otherwise carry room for them (tests/benches/overhead.sh).
        drop(result);
        (request, attempt) = (next, attempt + 1);
        Box::pin(tokio::time::sleep(delay)).await;
        attempt_started = Instant::now();
    };
    match result {
        Ok(response) if !response.status().is_success() => Box::pin(keep_body(response)).await,
        other => other,
    }
}

/// A copy of `request` for another attempt, or `None` when its body is a stream (progenitor's JSON bodies
/// are bytes). Without a body it is copied here rather than by reqwest's `try_clone`, which builds and
/// throws away an extension map on every call (a third of its cost); reqwest's public API puts nothing in
/// a request's extensions but the timeout, copied here too.
fn copy_for_retry(request: &Request) -> Option<Request> {
    if request.body().is_some() {
        return request.try_clone();
    }
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    Some(copy)
}

/// The event for one attempt: its outcome and how long it took (fields are computed only when the event
/// is recorded).
fn trace_attempt(result: &reqwest::Result<Response>, attempt: u32, started: Instant) {
    let duration_ms = || started.elapsed().as_millis() as u64;
    match result {
        Ok(response) => tracing::debug!(
            attempt,
            status = response.status().as_u16(),
            duration_ms = duration_ms(),
            polytomic_version = response
                .headers()
                .get(&VERSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            "attempt finished"
        ),
        Err(error) => {
            tracing::debug!(attempt, duration_ms = duration_ms(), error = %error, "attempt failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            max_elapsed: None,
        }
    }

    fn answered(status: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Answered {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    /// The decision with no time spent and the given jitter.
    fn decide_at(
        outcome: Outcome,
        policy: &RetryPolicy,
        attempt: u32,
        replay: Replay,
    ) -> RetryAction {
        decide(outcome, policy, attempt, replay, || Duration::ZERO, || 0.0)
    }

    #[test]
    fn backoff_doubles_with_jitter_and_respects_the_cap() {
        let policy = policy();
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            let full = Duration::from_millis(full);
            assert_eq!(
                backoff(&policy, attempt, 0.0),
                full / 2,
                "attempt {attempt}"
            );
            assert_eq!(
                backoff(&policy, attempt, 0.5),
                full * 3 / 4,
                "attempt {attempt}"
            );
            assert!(
                backoff(&policy, attempt, 0.999_999) <= full,
                "attempt {attempt}"
            );
        }
        assert_eq!(backoff(&policy, u32::MAX, 0.0), Duration::from_millis(500));
        for _ in 0..100 {
            assert!((0.0..1.0).contains(&random_fraction()));
        }
    }

    #[test]
    fn retryable_outcomes_and_final_ones() {
        let policy = policy();
        let wait = RetryAction::RetryAfter(Duration::from_millis(50));
        for status in [408, 409, 429, 500, 502, 503, 504] {
            assert_eq!(
                decide_at(answered(status, None), &policy, 1, Replay::Method),
                wait,
                "{status}"
            );
        }
        assert_eq!(
            decide_at(Outcome::Interrupted, &policy, 1, Replay::Method),
            wait
        );
        assert_eq!(
            decide_at(Outcome::NotSent, &policy, 1, Replay::Method),
            wait
        );
        for status in [200, 201, 204, 400, 401, 403, 404, 422] {
            assert_eq!(
                decide_at(answered(status, None), &policy, 1, Replay::Method),
                RetryAction::DoNotRetry(NoRetry::NotRetryable),
                "{status}"
            );
        }
        assert_eq!(
            decide_at(Outcome::Other, &policy, 1, Replay::Method),
            RetryAction::DoNotRetry(NoRetry::NotRetryable)
        );
    }

    #[test]
    fn a_post_without_a_key_is_repeated_only_when_it_was_never_sent() {
        let policy = policy();
        assert_eq!(
            decide_at(answered(503, None), &policy, 1, Replay::No),
            RetryAction::DoNotRetry(NoRetry::NotIdempotent)
        );
        assert_eq!(
            decide_at(Outcome::Interrupted, &policy, 1, Replay::No),
            RetryAction::DoNotRetry(NoRetry::NotIdempotent)
        );
        assert_eq!(
            decide_at(Outcome::NotSent, &policy, 1, Replay::No),
            RetryAction::RetryAfter(Duration::from_millis(50))
        );
    }

    /// Polytomic's documented rules for a key: the first outcome is replayed (a 5xx stays a 5xx), a 409
    /// means the first request is still in flight; a lost connection or a timeout is worth another try with
    /// the same key.
    #[test]
    fn a_key_makes_a_post_replayable_and_an_idempotent_method_needs_none() {
        let request = |method: Method, key: bool| {
            let mut request = Request::new(method, "http://localhost/".parse().unwrap());
            if key {
                let value = reqwest::header::HeaderValue::from_static("key-0001");
                request.headers_mut().insert(&IDEMPOTENCY_KEY, value);
            }
            Replay::of(&request)
        };
        assert_eq!(request(Method::POST, true), Replay::Keyed);
        assert_eq!(request(Method::PATCH, true), Replay::Keyed);
        assert_eq!(request(Method::POST, false), Replay::No);
        assert_eq!(request(Method::PATCH, false), Replay::No);
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            assert_eq!(request(method.clone(), true), Replay::Method, "{method}");
            assert_eq!(request(method.clone(), false), Replay::Method, "{method}");
        }
    }

    #[test]
    fn a_post_with_a_key_retries_a_409_and_a_lost_answer_but_not_a_5xx() {
        let policy = policy();
        let wait = RetryAction::RetryAfter(Duration::from_millis(50));
        for status in [409, 408, 429] {
            assert_eq!(
                decide_at(answered(status, None), &policy, 1, Replay::Keyed),
                wait,
                "{status}"
            );
        }
        for status in [500, 502, 503, 504] {
            assert_eq!(
                decide_at(answered(status, None), &policy, 1, Replay::Keyed),
                RetryAction::DoNotRetry(NoRetry::KeyReplaysOutcome),
                "{status}"
            );
        }
        assert_eq!(
            decide_at(Outcome::Interrupted, &policy, 1, Replay::Keyed),
            wait
        );
        assert_eq!(decide_at(Outcome::NotSent, &policy, 1, Replay::Keyed), wait);
        assert_eq!(
            decide_at(answered(422, None), &policy, 1, Replay::Keyed),
            RetryAction::DoNotRetry(NoRetry::NotRetryable)
        );
    }

    #[test]
    fn attempts_run_out() {
        let policy = policy().with_max_retries(2);
        assert!(matches!(
            decide_at(answered(503, None), &policy, 2, Replay::Method),
            RetryAction::RetryAfter(_)
        ));
        assert_eq!(
            decide_at(answered(503, None), &policy, 3, Replay::Method),
            RetryAction::DoNotRetry(NoRetry::AttemptsExhausted)
        );
        assert_eq!(
            decide_at(answered(503, None), &RetryPolicy::none(), 1, Replay::Method),
            RetryAction::DoNotRetry(NoRetry::AttemptsExhausted)
        );
    }

    #[test]
    fn retry_after_is_a_promise_up_to_the_cap() {
        let policy = policy().with_max_backoff(Duration::from_secs(5));
        // Waited in full, whatever the backoff would have been.
        assert_eq!(
            decide_at(answered(429, Some(3)), &policy, 1, Replay::Method),
            RetryAction::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            decide_at(answered(503, Some(0)), &policy, 1, Replay::Method),
            RetryAction::RetryAfter(Duration::ZERO)
        );
        // Longer than the policy waits: returned at once, with no wait at all.
        assert_eq!(
            decide_at(answered(429, Some(3600)), &policy, 1, Replay::Method),
            RetryAction::DoNotRetry(NoRetry::RetryAfterTooLong(Duration::from_secs(3600)))
        );
    }

    #[test]
    fn no_wait_starts_that_would_end_past_the_deadline() {
        let policy = policy().with_max_elapsed(Some(Duration::from_millis(300)));
        let at = |spent: u64| {
            decide(
                answered(503, None),
                &policy,
                1,
                Replay::Method,
                || Duration::from_millis(spent),
                || 0.0,
            )
        };
        assert_eq!(at(0), RetryAction::RetryAfter(Duration::from_millis(50)));
        assert_eq!(at(249), RetryAction::RetryAfter(Duration::from_millis(50)));
        assert_eq!(at(250), RetryAction::DoNotRetry(NoRetry::OutOfTime));
        // No deadline: only attempts bound the call.
        let endless = policy.with_max_elapsed(None);
        assert!(matches!(
            decide(
                answered(503, None),
                &endless,
                1,
                Replay::Method,
                || Duration::from_secs(86_400),
                || 0.0
            ),
            RetryAction::RetryAfter(_)
        ));
    }

    #[test]
    fn time_and_randomness_are_not_asked_for_a_final_outcome() {
        let action = decide(
            answered(200, None),
            &policy(),
            1,
            Replay::Method,
            || panic!("elapsed asked for a success"),
            || panic!("jitter asked for a success"),
        );
        assert_eq!(action, RetryAction::DoNotRetry(NoRetry::NotRetryable));
    }
}
