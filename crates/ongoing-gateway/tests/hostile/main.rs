//! Hostile input for ongoing-gateway: the corpus of `corpus.json` driven through the
//! gateway's detector against ongoing-sim (through a proxy that adds the hostile record to a
//! real answer) and through the running webhook receiver. The property tests of the record
//! readers and the token check are unit tests (`client/pagination.rs`, `webhook.rs`): they
//! reach the crate's own reading of a page.
//!
//! Layout:
//! - `corpus.rs`: reads `corpus.json` and writes the bytes a case generates;
//! - `api.rs`: the REST API cases (orders, articles);
//! - `webhook.rs`: the webhook receiver cases, with a log capture.

mod api;
#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod webhook;
