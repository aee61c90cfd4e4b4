//! The sandbox as a living demo store: the bundled simulators seeded with a catalogue, a shop
//! and a warehouse at work, and a live view of what flows where. Everything goes through the
//! simulators' control API over HTTP, as any outside client would drive them.
//!
//! Layout:
//! - `control`: the control API client.
//! - `warehouse`: the WMS simulator (Ongoing or OGOship) in the demo's neutral terms.
//! - `store`: the seed catalogue.
//! - `activity`: seeding and the shop/warehouse loop.
//! - `status`: the live view and the final summary.

mod activity;
mod control;
mod status;
mod store;
mod warehouse;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use platform_runtime::CancellationToken;
use tokio::task::JoinHandle;

pub use control::ControlApi;
pub use status::FlowCounts;
pub use warehouse::Warehouse;

use store::Catalogue;

/// The running demo: the live view, and the activity unless the sandbox started empty.
#[derive(Debug)]
pub struct Demo {
    control: ControlApi,
    stock_moves: Arc<AtomicU64>,
    view: JoinHandle<FlowCounts>,
    activity: Option<JoinHandle<()>>,
}

impl Demo {
    /// Starts the live view and, when `activity` is true, seeds the demo store and starts the
    /// shop and the warehouse. Both stop when `shutdown` is cancelled.
    pub fn start(control: ControlApi, activity: bool, shutdown: &CancellationToken) -> Self {
        let stock_moves = Arc::new(AtomicU64::new(0));
        let view = tokio::spawn(status::watch(
            control.clone(),
            stock_moves.clone(),
            shutdown.clone(),
        ));
        let activity = activity.then(|| {
            let control = control.clone();
            let stock_moves = stock_moves.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                let catalogue = Arc::new(Catalogue::demo());
                let seeded = tokio::select! {
                    () = shutdown.cancelled() => return,
                    seeded = activity::seed(&control, &catalogue) => seeded,
                };
                if let Err(error) = seeded {
                    tracing::error!(error = format!("{error:#}"), "demo store not seeded");
                    return;
                }
                tracing::info!(sizes = catalogue.sizes.len(), "demo store seeded");
                activity::Activity::new(control, catalogue, stock_moves)
                    .run(shutdown)
                    .await;
            })
        });
        Self {
            control,
            stock_moves,
            view,
            activity,
        }
    }

    /// Waits for the view and the activity to stop (cancel their `shutdown` first); the final
    /// counts, read afresh (the view's last ones when the simulators do not answer).
    pub async fn stop(self) -> FlowCounts {
        if let Some(activity) = self.activity {
            let _ = activity.await;
        }
        let last = self.view.await.unwrap_or_default();
        status::read_counts(&self.control, &self.stock_moves)
            .await
            .unwrap_or(last)
    }
}
