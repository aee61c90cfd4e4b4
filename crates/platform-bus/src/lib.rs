//! Event bus: the port and its adapters.
//!
//! Layout:
//! - `port`: the `Bus` / `Consumer` traits and message types every service codes against.
//! - `subject`: NATS subject, filter and name rules both adapters enforce.
//! - `embedded`: a durable bus in a SQLite file (the embedded runtime).
//! - `nats`: NATS JetStream (production).
//! - `redact`: server URLs without their credentials, for logs and errors, and the credentials
//!   handed to the client as options rather than in the URL it logs.
//! - `contract`: the contract suite every adapter passes (`bus_contract_tests!`), compiled only
//!   with the `contract-tests` feature (this crate's own tests turn it on), so its panics never
//!   reach a production build.
//!
//! The runtime picks an adapter by constructing `EmbeddedBus::open(..)` or
//! `NatsBus::connect(..)` and hands it to services as `Arc<dyn Bus>`.

#[cfg(feature = "contract-tests")]
pub mod contract;
pub mod embedded;
pub mod nats;
pub mod port;
pub mod redact;
pub mod subject;

pub use embedded::{EmbeddedBus, EmbeddedBusConfig, EmbeddedConsumer};
pub use nats::{NatsBus, NatsBusConfig, NatsConsumer};
pub use port::*;
