//! # centra-sim
//!
//! A stateful HTTP simulator of the Centra **Order API** (REST), the **Integration API**
//! (GraphQL, [`graphql`]) and the **Centra Webhook** plugin, for the embedded demo, every test and every benchmark. It models Centra in Centra's
//! own terms and shares no code with the product, so a misreading of the API in a client cannot
//! hide in a shared type. Where Centra's documentation is unclear, the code follows the cited
//! page and marks the doubt with `[I]`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), centra_sim::SimError> {
//! let sim = centra_sim::CentraSim::builder()
//!     .secret("sandbox-secret")
//!     .base_path("/api/order-api")
//!     .time_zone(chrono_tz::Europe::Stockholm)
//!     .spawn("127.0.0.1:0".parse().unwrap())
//!     .await?;
//! println!("Order API at {}, control API at {}/_sim", sim.base_url(), sim.url());
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! ## Layout
//! - [`config`]: [`CentraSim`], its builder and defaults; [`server`]: the accept loop and
//!   [`RunningSim`]; [`cli`]: flags and the run loop for binaries.
//! - `app`: shared state and the router; `intake`: logging, latency and faults in front of
//!   every Order API call.
//! - `api`: the Order API, one file per resource (`orders`, `shipments`, `completion`,
//!   `products`, `stock`, `supplier_deliveries`, `returns`, `new_shipments`), with `auth`,
//!   `envelope`, `params`
//!   and `lenient` request values.
//! - [`graphql`]: the Integration API at `/graphql` over the same store (its module docs hold
//!   its contract: auth, permissions, rate limits, events, control routes).
//! - `control`: the `/_sim` control API (stable contract: `shared/docs/simulators.md`).
//! - `state`: the store and its business rules; `clock`: the store's time zone;
//!   [`faults`]; [`webhooks`] (signing and delivery); `request_log`; `plugin`: the plugin's
//!   endpoint allow-list.

mod api;
mod app;
pub mod cli;
mod clock;
pub mod config;
mod control;
mod error;
pub mod faults;
pub mod graphql;
mod intake;
mod plugin;
mod request_log;
pub mod server;
mod state;
pub mod webhooks;

pub use config::{
    CentraSim, CentraSimBuilder, DEFAULT_BASE_PATH, DEFAULT_SECRET, DEFAULT_TIME_ZONE, SimConfig,
};
pub use error::SimError;
pub use server::RunningSim;
