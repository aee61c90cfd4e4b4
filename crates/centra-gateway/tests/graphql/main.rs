//! The GraphQL Integration API client: against a small in-test server answering Centra's
//! documented JSON (exact requests, error shapes, 429s with each `Retry-After` form), against the
//! Centra simulator's own Integration API (`simulator`: the two follow the docs separately and
//! share no schema), and the settings refusal of `api = "graphql"` while no flow is served
//! through it end-to-end (the commands that go through it: `tests/centra_api_contract.rs`).

mod calls;
mod config;
mod events;
mod orders;
mod server;
mod shipments;
mod simulator;
mod throttle;
