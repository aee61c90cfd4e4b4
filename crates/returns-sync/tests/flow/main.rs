//! The flow's handlers against in-memory gateways and a real store (SQLite, and PostgreSQL in
//! `postgres.rs`): parking, redelivery, lost answers, crashes between the steps, admin.

mod admin;
mod discard;
mod harness;
mod journey;
mod postgres;
mod returns;
