//! The integration tests, as modules of one test binary: each test file linked on its own cost a build
//! of its own (BENCHMARKS.md, "What a downstream build pays"). Tests that touch what the whole process
//! shares run in binaries of their own, beside this one: `../environment.rs` (environment variables),
//! `../tracing_events.rs` (tracing's global subscriber). The type snapshots are the client's own
//! (`crates/polytomic/tests/types.rs`), so that they run first.

mod architecture;
mod chaos;
mod client;
mod fuzz_responses;
mod mocks;
mod operations;
mod paging;
mod production;
mod unions;
mod waiting;
mod webhook_axum;
mod webhooks;
