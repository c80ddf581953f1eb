//! Tests that change what the whole process shares, in a test binary of their own and one at a time (each
//! holds [`alone`] for its whole run): `environment` sets environment variables, which every client being
//! built reads (reqwest looks for proxy variables); `tracing_events` sets a tracing subscriber, and tracing
//! caches per call site whether anyone listens. One binary for both rather than one each: every test binary
//! is one more link after each spec edit (BENCHMARKS.md, "Fewer test binaries after a spec edit").

mod environment;
mod tracing_events;

/// Held by each test of this binary for its whole run, so that no two run at once.
fn alone() -> std::sync::MutexGuard<'static, ()> {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed while holding it has said so; the next may still run.
    ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
