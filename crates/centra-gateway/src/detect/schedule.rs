//! Runs the polls of every end-point: at start, every sync interval, and at once when a
//! webhook hint wakes the end-point. Errors are logged and the next round tries again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::EndpointName;
use platform_store::Store;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{PollError, PollReport, poll_deliveries, poll_orders, poll_products, poll_shipments};
use crate::connection::CentraConnection;
use crate::flow_status::PollLog;

/// One wake-up signal per end-point, shared by the webhook receiver and the polls.
#[derive(Debug, Clone, Default)]
pub struct Wakers {
    by_endpoint: Arc<HashMap<EndpointName, Arc<Notify>>>,
}

impl Wakers {
    /// A signal for each of `endpoints`.
    pub fn new<'a>(endpoints: impl IntoIterator<Item = &'a EndpointName>) -> Self {
        Self {
            by_endpoint: Arc::new(
                endpoints
                    .into_iter()
                    .map(|e| (e.clone(), Arc::new(Notify::new())))
                    .collect(),
            ),
        }
    }

    /// Makes the polls of `endpoint` run now (or right after the running round). False for an
    /// unknown end-point.
    pub fn wake(&self, endpoint: &EndpointName) -> bool {
        match self.by_endpoint.get(endpoint) {
            Some(notify) => {
                notify.notify_one();
                true
            }
            None => false,
        }
    }

    /// The signal of `endpoint` (a fresh, unconnected one for an unknown end-point).
    pub fn signal(&self, endpoint: &EndpointName) -> Arc<Notify> {
        self.by_endpoint
            .get(endpoint)
            .cloned()
            .unwrap_or_else(|| Arc::new(Notify::new()))
    }
}

/// Which polls run for one end-point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flows {
    pub shipments: bool,
    pub orders: bool,
    pub products: bool,
    pub deliveries: bool,
}

/// The polls of every end-point.
#[derive(Debug, Clone)]
pub struct PollSchedule {
    pub store: Store,
    pub endpoints: Vec<(CentraConnection, Flows)>,
    pub interval: Duration,
    pub wakers: Wakers,
    /// Where each poll's outcome is kept for `FlowStatus`.
    pub log: PollLog,
}

fn log_result(
    log: &PollLog,
    endpoint: &EndpointName,
    flow: &str,
    result: Result<PollReport, PollError>,
) {
    log.record(
        endpoint,
        flow,
        result.as_ref().map(|_| ()).map_err(ToString::to_string),
    );
    match result {
        Ok(report) => tracing::info!(
            endpoint = %endpoint,
            flow,
            published = report.published,
            unchanged = report.unchanged,
            dead_lettered = report.dead_lettered,
            "poll done"
        ),
        Err(error) => {
            tracing::warn!(endpoint = %endpoint, flow, %error, "poll failed; next round retries")
        }
    }
}

/// One round of every enabled poll of one end-point. The shipments poll (and its
/// cancellations), the orders poll, the products poll and the deliveries poll run through
/// either API.
pub async fn poll_round(store: &Store, connection: &CentraConnection, flows: Flows, log: &PollLog) {
    let endpoint = connection.endpoint();
    if flows.shipments {
        log_result(
            log,
            endpoint,
            "shipments",
            poll_shipments(store, connection).await,
        );
    }
    if flows.orders {
        log_result(
            log,
            endpoint,
            "orders",
            poll_orders(store, connection).await,
        );
    }
    if flows.products {
        log_result(
            log,
            endpoint,
            "products",
            poll_products(store, connection).await,
        );
    }
    if flows.deliveries {
        log_result(
            log,
            endpoint,
            "deliveries",
            poll_deliveries(store, connection).await,
        );
    }
}

impl PollSchedule {
    /// Runs until `shutdown`; one task per end-point.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut tasks = JoinSet::new();
        for (client, flows) in self.endpoints {
            let store = self.store.clone();
            let wake = self.wakers.signal(client.endpoint());
            let interval = self.interval;
            let log = self.log.clone();
            let shutdown = shutdown.clone();
            tasks.spawn(async move {
                loop {
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = poll_round(&store, &client, flows, &log) => {}
                    }
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(interval) => {}
                        () = wake.notified() => {
                            tracing::debug!(endpoint = %client.endpoint(), "woken by a webhook hint");
                        }
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}
