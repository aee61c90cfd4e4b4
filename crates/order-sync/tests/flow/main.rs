//! The flow's handlers against in-memory gateways and a real SQLite store: every setting value,
//! redelivery, restarts and lost answers.

mod admin;
mod cancellation;
mod capture;
mod completion;
mod consumers;
mod dead_letters;
mod discard;
mod flow_status;
mod harness;
mod import;
mod inbound;
mod late_capture;
mod operator;
mod orders;
mod postgres;
mod resync;
