//! # ogoship-sim
//!
//! A stateful HTTP simulator of the **OGOship (myOGO) merchant REST API v1**, for the embedded
//! demo, the tests and the benchmarks of centra-wms. It models OGOship in OGOship's own terms
//! (`ProductResponse`, `OrderResponse`, `StockResponse`, `StockUpdateResponse`, `ApiError`,
//! camelCase JSON) and shares no code with the product or the other simulators, so a misreading
//! of the API in a client cannot hide in a shared type. It follows
//! `shared/docs/ogoship-api.md`; where that marks a fact [?] or [I], the choice made is written
//! next to the code as `Doc gap: ...`.
//!
//! One listener serves the token endpoint (`/OAuth/Token`, really on `my.ogoship.com`), the
//! REST API (`/api/v1/...`, really on `api.ogoship.com`) and the control API (`/_sim/...`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), ogoship_sim::SimError> {
//! let sim = ogoship_sim::OgoshipSim::builder()
//!     .client("123456", "abcdef")
//!     .merchant("sandbox-merchant", "sandbox-secret")
//!     .build()
//!     .spawn("127.0.0.1:0")
//!     .await?;
//! println!("token at {}, API at {}, control at {}/_sim", sim.token_url(), sim.api_url(), sim.base_url());
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! ## Layout
//! - `server.rs`: builder, connection loop (case-insensitive paths, can drop a connection
//!   unanswered), [`RunningSim`]; `cli.rs`: [`SimArgs`] and [`run`]; `config.rs`: [`SimConfig`];
//! - `routes.rs`: the router; `pipeline.rs`: log, faults, bearer auth, lost responses;
//! - `state.rs`: [`Sim`](state::Sim), the record [`Store`](state::Store), stock levels and
//!   the events webhooks report; `clock.rs`: the movable clock and date formats;
//! - `tokens.rs`: `POST /OAuth/Token` and the token store (§2);
//! - one module per resource: `products/` (§4), `orders/` (§5, with `lifecycle.rs` for
//!   statuses and stock), `stock.rs` (§6), `stock_updates/` (§7), `returns/` (§8),
//!   `webhooks/` (§9, with `sender.rs` for signed delivery);
//! - `paging.rs`: `limit`/`page`/`modifiedAfter` (§3); `faults.rs`; `request_log.rs`;
//! - `control/`: the `/_sim/` control API (simulators.md) and the state view; `error.rs`.

mod cli;
mod clock;
mod config;
mod control;
mod error;
mod faults;
mod orders;
mod paging;
mod pipeline;
mod products;
mod request_log;
mod returns;
mod routes;
mod server;
mod state;
mod stock;
mod stock_updates;
mod tokens;
mod webhooks;

pub use cli::{SimArgs, run};
pub use config::{SimConfig, default_shipping_codes};
pub use error::SimError;
pub use faults::FaultConfig;
pub use server::{OgoshipSim, OgoshipSimBuilder, RunningSim, shutdown_signal};

/// The header carrying a webhook's signature: Base64(HMAC-SHA256(key, raw body)).
pub const SIGNATURE_HEADER: &str = webhooks::sender::SIGNATURE_HEADER;
