//! The integration tests, as modules of one test binary: each test file linked on its own cost a build
//! of its own (BENCHMARKS.md, "What a downstream build pays"). Tests that touch what the whole process
//! shares run one at a time in a binary of their own, beside this one (`../alone/`: environment variables,
//! tracing's subscriber). The type snapshots are the client's own
//! (`crates/polytomic/tests/types.rs`), so that they run first.

mod architecture;
mod chaos;
mod client;
mod fake_server;
mod fuzz_responses;
mod mocks;
mod open_objects;
mod operations;
mod paging;
mod production;
// The generated client's items, read off its source (shared with the client's own type snapshots).
#[path = "../../../../crates/polytomic/tests/read_generated/mod.rs"]
mod read_generated;
mod unions;
mod waiting;
mod webhook_axum;
mod webhooks;
