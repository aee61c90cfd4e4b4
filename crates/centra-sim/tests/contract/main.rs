//! Contract tests of centra-sim: every endpoint over real HTTP with a plain reqwest client,
//! the control API, faults, webhooks, a shape comparison with Centra's published examples, and
//! the Integration API (`graphql/`).
//!
//! One test binary (modules below) keeps link time low on small CI machines.

mod harness;

mod auth_envelope;
mod binary;
mod bundles;
mod completion;
mod conformance;
mod control;
mod faults;
mod graphql;
mod new_shipments;
mod orders;
mod plugin;
mod products_stock;
mod published;
mod returns;
mod shipments;
mod supplier_deliveries;
mod webhooks;
