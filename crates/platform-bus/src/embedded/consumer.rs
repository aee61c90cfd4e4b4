//! A handle on a durable consumer of the embedded bus, and the acker of its deliveries.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::Shared;
use super::ledger::{self, Claim, Claimed, Settlement};
use super::waiters::Waiter;
use crate::port::{Acknowledge, BusError, Consumer, Delivery};

/// One handle on a durable consumer. Handles with the same name (in this process or another
/// one on the same file) share the work: each claim leases messages (one, or as many as
/// [`Consumer::next_batch`] asks for) to one handle.
#[derive(Debug)]
pub struct EmbeddedConsumer {
    shared: Arc<Shared>,
    durable_name: String,
    /// Woken by publishes in this process that its filters take, and by its own naks.
    waiter: Arc<Waiter>,
}

impl EmbeddedConsumer {
    pub(super) fn new(shared: Arc<Shared>, durable_name: String, waiter: Arc<Waiter>) -> Self {
        Self {
            shared,
            durable_name,
            waiter,
        }
    }
}

#[async_trait]
impl Consumer for EmbeddedConsumer {
    async fn next(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError> {
        Ok(self.next_batch(1, timeout).await?.pop())
    }

    async fn next_batch(
        &mut self,
        max: usize,
        timeout: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let deadline = Instant::now() + timeout;
        loop {
            // Registered before the claim, so a publish between claim and wait is not missed.
            let woken = self.waiter.notify.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();

            let next_due = match ledger::claim(&self.shared.file, &self.durable_name, max).await? {
                Claim::Delivered(claimed) => {
                    return Ok(claimed.into_iter().map(|c| self.delivery(c)).collect());
                }
                Claim::Idle { next_due } => next_due,
            };

            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            let mut wait = (deadline - now).min(self.shared.config.poll_interval);
            if let Some(due) = next_due {
                // One millisecond past due, so the next claim sees it as due.
                let until_due = due.saturating_sub(ledger::now_ms()).saturating_add(1);
                wait = wait.min(Duration::from_millis(u64::try_from(until_due).unwrap_or(0)));
            }
            tokio::select! {
                () = &mut woken => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

impl EmbeddedConsumer {
    /// A leased message as the port's delivery, with the acker of exactly this delivery.
    fn delivery(&self, claimed: Claimed) -> Delivery {
        let acker = EmbeddedAcker {
            shared: Arc::clone(&self.shared),
            durable_name: self.durable_name.clone(),
            sequence: claimed.sequence,
            delivery_count: claimed.delivery_count,
        };
        Delivery::new(
            claimed.subject,
            claimed.id,
            claimed.headers,
            claimed.payload,
            u64::try_from(claimed.sequence).unwrap_or_default(),
            u32::try_from(claimed.delivery_count).unwrap_or(u32::MAX),
            Box::new(acker),
        )
    }
}

/// Settles one embedded delivery. Dropping it unsettled leaves the lease to run out, which is
/// exactly what a crash does.
#[derive(Debug)]
struct EmbeddedAcker {
    shared: Arc<Shared>,
    durable_name: String,
    sequence: i64,
    delivery_count: i64,
}

impl EmbeddedAcker {
    async fn settle(&self, settlement: Settlement) -> Result<(), BusError> {
        ledger::settle(
            &self.shared.file,
            &self.durable_name,
            self.sequence,
            self.delivery_count,
            settlement,
        )
        .await
    }
}

#[async_trait]
impl Acknowledge for EmbeddedAcker {
    async fn ack(&self) -> Result<(), BusError> {
        self.settle(Settlement::Ack).await
    }

    async fn nak(&self, delay: Duration) -> Result<(), BusError> {
        self.settle(Settlement::Nak(super::millis(delay))).await?;
        // The consumer's waiting handles recompute when the next delivery falls due.
        self.shared.waiters.consumer_changed(&self.durable_name);
        Ok(())
    }

    async fn term(&self) -> Result<(), BusError> {
        self.settle(Settlement::Term).await
    }

    async fn in_progress(&self) -> Result<(), BusError> {
        ledger::extend_lease(
            &self.shared.file,
            &self.durable_name,
            self.sequence,
            self.delivery_count,
        )
        .await
    }
}
