//! The GraphQL Integration API client against a small in-test server answering Centra's
//! documented JSON (the Centra simulator does not speak GraphQL yet), and the settings refusal
//! of `api = "graphql"` while no flow goes through it.

mod config;
mod events;
mod server;
mod shipments;
mod throttle;
