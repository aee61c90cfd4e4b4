//! Integration tests of centra-gateway against centra-sim (one simulator per test, on
//! `127.0.0.1:0`) with a SQLite store in a temporary folder.

mod cancellations;
mod client;
mod commands;
mod detect;
mod faults;
mod flow_status;
mod harness;
mod orders;
mod quantities;
mod service;
mod stock;
mod webhook;
