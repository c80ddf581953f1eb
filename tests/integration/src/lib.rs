//! The workspace's integration tests live in `tests/`; this library only holds the READMEs' examples.

// The READMEs' Rust examples (the repository's and the published crates') compile as doc tests of this
// crate, so no README can drift from the API.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
#[doc = include_str!("../../../crates/polytomic/README.md")]
#[cfg(doctest)]
pub struct ClientReadmeDoctests;
#[doc = include_str!("../../../crates/polytomic-httpmock/README.md")]
#[cfg(doctest)]
pub struct HttpmockReadmeDoctests;
