//! The flow against in-memory gateways and a real store (SQLite, and PostgreSQL in
//! `postgres.rs`): the rule on fresh numbers, batching, Centra's partial answers, units in
//! flight, failures, redelivery, reconcile, two replicas, the batching window (`batching.rs`).

mod batching;
mod harness;
mod postgres;
mod stock;
