//! Hostile input for centra-gateway: the corpus of `corpus.json` driven through the gateway's
//! polls against centra-sim (through a proxy that adds the hostile record to a real answer)
//! and through the running webhook receiver, and property tests of the record readers and
//! the signature check.
//!
//! Layout:
//! - `corpus.rs`: reads `corpus.json` and writes the bytes a case generates;
//! - `api.rs`: the Order API cases (shipments, orders, products);
//! - `webhook.rs`: the webhook receiver cases, with a log capture;
//! - `properties.rs`: proptest properties of the readers and the signature check.

mod api;
mod corpus;
#[allow(dead_code)]
#[path = "../gateway/harness.rs"]
mod harness;
mod properties;
mod webhook;
