//! # ongoing-sim
//!
//! A stateful HTTP simulator of the **Ongoing WMS goods-owner REST API v1**, for the embedded
//! demo, every test and every benchmark of centra-wms. It models Ongoing in Ongoing's own terms
//! (`PostOrderModel`, `GetOrderModel`, ...) and shares no code with the product, so a misreading
//! of the API in the client cannot hide in a shared type. Where the public docs are unclear it
//! follows `shared/docs/ongoing-rest-api.md` and says so in a comment.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ongoing_sim::SimError> {
//! let sim = ongoing_sim::OngoingSim::builder()
//!     .warehouse("sandbox")
//!     .credentials("sandbox", "sandbox")
//!     .goods_owner_id(1)
//!     .build()
//!     .spawn("127.0.0.1:0")
//!     .await?;
//! println!("REST API at {}, control API at {}/_sim", sim.api_url(), sim.base_url());
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! ## Layout
//! - `server.rs`: builder, connection loop (can drop a connection unanswered), [`RunningSim`];
//!   `cli.rs`: [`SimArgs`] and [`run`] for the binary and `centra-wms sim ongoing`;
//! - `routes.rs`: the router; `pipeline.rs`: log, faults, auth, the per-goods-owner write gate;
//! - `state.rs`: [`Sim`](state::Sim) and the record [`Store`](state::Store); `events.rs`: what
//!   happened, as data (turned into webhooks);
//! - one module per resource: `articles/`, `stock.rs` (ledger and `inventoryInfo`), `orders/`,
//!   `purchase_orders/`, `returns/`, `statuses.rs`, `transporters.rs`;
//! - `webhooks/`: settings, sender, payloads; `faults.rs`; `request_log.rs`;
//! - `control/`: the `/_sim/` control API (simulators.md) and the state view;
//! - helpers: `json.rs` (lenient numbers, merging upserts), `query.rs` (ASP.NET-style query
//!   strings, ID cursor), `time.rs` (Ongoing's time formats), `error.rs`, `models.rs`.

mod articles;
mod cli;
mod config;
mod control;
mod error;
mod events;
mod faults;
mod json;
mod models;
mod orders;
mod pipeline;
mod purchase_orders;
mod query;
mod request_log;
mod returns;
mod routes;
mod server;
mod state;
mod statuses;
mod stock;
mod time;
mod transporters;
mod webhooks;

pub use cli::{SimArgs, run};
pub use config::{SimConfig, default_order_statuses, default_purchase_order_statuses};
pub use error::SimError;
pub use faults::FaultConfig;
pub use models::StatusModel;
pub use server::{OngoingSim, OngoingSimBuilder, RunningSim, shutdown_signal};
pub use transporters::{TransporterContractModel, TransporterServiceModel};
pub use webhooks::{RetryPolicy, WebhookSettings};
