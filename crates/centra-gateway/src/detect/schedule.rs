//! Runs the polls of every end-point: every poll at start and every sync interval, and at once
//! the polls a change hint (a webhook, an event of the events queue, a retry) asks for. Errors are logged and the next round tries again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::EndpointName;
use platform_store::Store;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{PollError, PollReport, poll_deliveries, poll_orders, poll_products, poll_shipments};
use crate::connection::CentraConnection;
use crate::flow_status::PollLog;

/// One wake-up signal per end-point, shared by the webhook receiver, the events feed, the
/// dead-letter retries and the polls. A wake-up names the polls it asks for: a webhook or a
/// retry asks for every poll, the events queue only for those its events concern (a GraphQL
/// end-point's products poll reads the whole catalogue, so a burst of order events must not
/// re-read it every tick).
#[derive(Debug, Clone, Default)]
pub struct Wakers {
    by_endpoint: Arc<HashMap<EndpointName, Arc<Wake>>>,
}

/// The wake-up of one end-point: the polls asked for since the last round, and the signal.
#[derive(Debug, Default)]
pub struct Wake {
    notify: Notify,
    asked: AtomicU8,
}

impl Wake {
    /// Waits for the next wake-up (one stored if it came while nobody waited).
    pub fn notified(&self) -> Notified<'_> {
        self.notify.notified()
    }

    /// The polls asked for since the last call, cleared.
    pub fn take(&self) -> Flows {
        Flows::from_bits(self.asked.swap(0, Ordering::AcqRel))
    }

    fn ask(&self, flows: Flows) {
        self.asked.fetch_or(flows.bits(), Ordering::AcqRel);
        self.notify.notify_one();
    }
}

impl Wakers {
    /// A signal for each of `endpoints`.
    pub fn new<'a>(endpoints: impl IntoIterator<Item = &'a EndpointName>) -> Self {
        Self {
            by_endpoint: Arc::new(
                endpoints
                    .into_iter()
                    .map(|e| (e.clone(), Arc::new(Wake::default())))
                    .collect(),
            ),
        }
    }

    /// Makes every poll of `endpoint` run now (or right after the running round). False for an
    /// unknown end-point.
    pub fn wake(&self, endpoint: &EndpointName) -> bool {
        self.wake_flows(endpoint, Flows::ALL)
    }

    /// Makes the polls `flows` names run now (or right after the running round), each only if
    /// the end-point has it on. False for an unknown end-point.
    pub fn wake_flows(&self, endpoint: &EndpointName, flows: Flows) -> bool {
        match self.by_endpoint.get(endpoint) {
            Some(wake) => {
                wake.ask(flows);
                true
            }
            None => false,
        }
    }

    /// The signal of `endpoint` (a fresh, unconnected one for an unknown end-point).
    pub fn signal(&self, endpoint: &EndpointName) -> Arc<Wake> {
        self.by_endpoint.get(endpoint).cloned().unwrap_or_default()
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

impl Flows {
    /// Every poll.
    pub const ALL: Self = Self {
        shipments: true,
        orders: true,
        products: true,
        deliveries: true,
    };

    /// No poll.
    pub const NONE: Self = Self {
        shipments: false,
        orders: false,
        products: false,
        deliveries: false,
    };

    /// The polls both name.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        Self {
            shipments: self.shipments && other.shipments,
            orders: self.orders && other.orders,
            products: self.products && other.products,
            deliveries: self.deliveries && other.deliveries,
        }
    }

    /// The polls either names.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        Self {
            shipments: self.shipments || other.shipments,
            orders: self.orders || other.orders,
            products: self.products || other.products,
            deliveries: self.deliveries || other.deliveries,
        }
    }

    /// Whether it names no poll.
    pub fn is_empty(self) -> bool {
        self == Self::NONE
    }

    fn bits(self) -> u8 {
        u8::from(self.shipments)
            | u8::from(self.orders) << 1
            | u8::from(self.products) << 2
            | u8::from(self.deliveries) << 3
    }

    fn from_bits(bits: u8) -> Self {
        Self {
            shipments: bits & 1 != 0,
            orders: bits & 2 != 0,
            products: bits & 4 != 0,
            deliveries: bits & 8 != 0,
        }
    }
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
                // The first round runs every poll; after it, the interval runs every poll and a
                // wake-up the ones it asked for.
                let mut due = Flows::ALL;
                loop {
                    let round = flows.and(due);
                    if !round.is_empty() {
                        tokio::select! {
                            () = shutdown.cancelled() => return,
                            () = poll_round(&store, &client, round, &log) => {}
                        }
                    }
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(interval) => {
                            wake.take();
                            due = Flows::ALL;
                        }
                        () = wake.notified() => {
                            due = wake.take();
                            tracing::debug!(endpoint = %client.endpoint(), ?due, "woken by a change hint");
                        }
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_up_names_the_polls_it_asks_for_until_taken() {
        let shop1 = EndpointName::parse("shop1").expect("name");
        let wakers = Wakers::new([&shop1]);
        let signal = wakers.signal(&shop1);
        assert!(signal.take().is_empty());
        let shipments = Flows {
            shipments: true,
            ..Flows::NONE
        };
        let deliveries = Flows {
            deliveries: true,
            ..Flows::NONE
        };
        assert!(wakers.wake_flows(&shop1, shipments));
        assert!(wakers.wake_flows(&shop1, deliveries));
        tokio::time::timeout(Duration::from_secs(1), signal.notified())
            .await
            .expect("woken");
        assert_eq!(signal.take(), shipments.or(deliveries), "both asks kept");
        assert!(signal.take().is_empty(), "taken once");
        assert!(wakers.wake(&shop1));
        assert_eq!(signal.take(), Flows::ALL, "a webhook asks for every poll");
        let unknown = EndpointName::parse("nowhere").expect("name");
        assert!(!wakers.wake_flows(&unknown, shipments));
    }

    #[test]
    fn flows_combine() {
        let orders = Flows {
            orders: true,
            ..Flows::NONE
        };
        assert_eq!(Flows::ALL.and(orders), orders);
        assert_eq!(Flows::NONE.or(orders), orders);
        assert!(orders.and(Flows::NONE).is_empty());
    }
}
