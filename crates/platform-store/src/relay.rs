//! The outbox relay: publishes committed outbox rows through the bus, in order, and marks them
//! published.
//!
//! One active relay per schema. Every relay of a service (one per replica) competes for a lease
//! row in `outbox_relay_lease`; only the holder publishes, so messages leave in `seq` order and
//! no two relays publish the same row. The lease runs on the database's clock and is renewed at
//! half its time-to-live; before each batch the holder checks (on its own monotonic clock,
//! started before the database granted the lease) that the lease outlasts the publish timeout,
//! so a relay never publishes on a lease another relay may already hold. A round publishes
//! its rows as one batch ([`Bus::publish_batch`]) and marks them published in one transaction.
//! A crashed holder is replaced once its lease expires; a stopped one hands over at once.
//!
//! Delivery is at-least-once: a relay that dies between publish and "mark published" publishes
//! that message again on restart. The deterministic message id makes the copy harmless (the
//! bus's duplicate window, then the consumer's inbox).
//!
//! Errors: a retryable bus error (unreachable, storage) or a database error ends the round and
//! the relay backs off (capped exponential, jittered); the same message is tried first next
//! time. A message the bus rejects for good (an invalid subject or header, a payload over the
//! server's limit: faults of the message, never of the server) is dead-lettered and the rest go
//! on; a bus that is down or restarting is always a retry, so nothing is lost while it is.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use platform_bus::{Bus, BusError, MessageId, OutgoingMessage};
use tokio_util::sync::CancellationToken;

use crate::clock::millis;
use crate::outbox::OutboxEntry;
use crate::{Backend, Outbox, Store, StoreError};

/// How the relay paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// Rows read per round.
    pub batch_size: u32,
    /// How often to look without a wake-up (commits in this process wake the relay at once;
    /// this catches rows written by other processes and takes over from a crashed relay).
    pub poll_interval: Duration,
    /// First delay after a failed round.
    pub min_backoff: Duration,
    /// Longest delay between failed rounds.
    pub max_backoff: Duration,
    /// How long a granted lease lasts without renewal.
    pub lease_ttl: Duration,
    /// Longest wait for one round's batch publish; at most half of `lease_ttl` (clamped).
    pub publish_timeout: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            poll_interval: Duration::from_secs(1),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
            lease_ttl: Duration::from_secs(30),
            publish_timeout: Duration::from_secs(10),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayRound {
    /// This relay holds the lease and went through (part of) the outbox.
    Published {
        published: usize,
        dead_lettered: usize,
        /// True when rows may be left (full batch, or stopped early).
        more: bool,
    },
    /// Another relay holds the lease; this one published nothing.
    Standby,
}

/// Why a round ended early. The relay's loop retries all of them with backoff.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("publishing outbox message {id} failed: {source}")]
    Publish {
        id: MessageId,
        #[source]
        source: BusError,
    },
    #[error("publishing outbox message {id} timed out after {after:?}")]
    PublishTimeout { id: MessageId, after: Duration },
}

/// Publishes a service's outbox through the bus.
#[derive(Debug)]
pub struct OutboxRelay {
    store: Store,
    outbox: Outbox,
    bus: Arc<dyn Bus>,
    config: RelayConfig,
    /// Identifies this relay in the lease row (unique per relay instance).
    holder: String,
    /// Until when (local monotonic clock) this relay may rely on its lease.
    lease_until: Mutex<Option<Instant>>,
}

// The database clock in unix ms, spelled per backend.
macro_rules! postgres_now {
    () => {
        "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
    };
}
macro_rules! sqlite_now {
    () => {
        "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
    };
}
macro_rules! acquire_lease_sql {
    ($now:expr) => {
        concat!(
            "UPDATE outbox_relay_lease SET holder = $1, expires_at = ",
            $now,
            " + $2 WHERE name = 'outbox' AND (holder = $1 OR expires_at <= ",
            $now,
            ")"
        )
    };
}

impl OutboxRelay {
    pub fn new(store: &Store, bus: Arc<dyn Bus>, mut config: RelayConfig) -> Self {
        config.batch_size = config.batch_size.max(1);
        let half_ttl = config.lease_ttl / 2;
        if config.publish_timeout > half_ttl {
            tracing::warn!(
                publish_timeout = ?config.publish_timeout,
                lease_ttl = ?config.lease_ttl,
                "outbox relay publish timeout clamped to half the lease ttl"
            );
            config.publish_timeout = half_ttl;
        }
        let holder = format!("{}:{}", store.service(), uuid::Uuid::new_v4().simple());
        Self {
            outbox: store.outbox(),
            store: store.clone(),
            bus,
            config,
            holder,
            lease_until: Mutex::new(None),
        }
    }

    /// This relay's name in the lease row.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Runs until `cancel` fires: rounds back to back while rows are left, then waits for a
    /// commit in this process, the poll interval, or a backoff delay after a failure. Finishes
    /// the message in flight, then hands the lease over.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(service = %self.store.service(), holder = %self.holder, "outbox relay started");
        let mut backoff = self.backoff();
        let signal = self.store.outbox_signal().clone();
        while !cancel.is_cancelled() {
            let (wait, wake_on_commit) = match self.round(&cancel).await {
                Ok(RelayRound::Published { more: true, .. }) => {
                    backoff = self.backoff();
                    continue;
                }
                Ok(_) => {
                    backoff = self.backoff();
                    (self.config.poll_interval, true)
                }
                Err(error) => {
                    let delay = backoff
                        .next()
                        .unwrap_or(self.config.max_backoff)
                        .min(self.config.max_backoff);
                    tracing::warn!(
                        service = %self.store.service(),
                        error = %error,
                        retry_in = ?delay,
                        "outbox relay round failed"
                    );
                    // A failing bus is not retried sooner because more rows were committed.
                    (delay, false)
                }
            };
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep(wait) => {}
                () = signal.notified(), if wake_on_commit => {}
            }
        }
        if let Err(error) = self.release().await {
            tracing::warn!(service = %self.store.service(), error = %error, "outbox relay could not hand over its lease");
        }
        tracing::info!(service = %self.store.service(), holder = %self.holder, "outbox relay stopped");
    }

    /// `tokio::spawn(relay.run(cancel))`.
    pub fn spawn(self, cancel: CancellationToken) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run(cancel))
    }

    /// One round: take or renew the lease, publish up to `batch_size` rows. For tests and a
    /// "flush now" command; services normally use [`run`](Self::run).
    pub async fn relay_once(&self) -> Result<RelayRound, RelayError> {
        self.round(&CancellationToken::new()).await
    }

    /// Gives the lease up so another relay can take over without waiting for it to expire.
    pub async fn release(&self) -> Result<(), StoreError> {
        let held = self
            .lease_until
            .lock()
            .map(|mut l| l.take())
            .unwrap_or(None);
        if held.is_none() {
            return Ok(());
        }
        let _turn = self.store.write_turn().await?;
        sqlx::query(
            "UPDATE outbox_relay_lease SET expires_at = 0 WHERE name = 'outbox' AND holder = $1",
        )
        .bind(self.holder.as_str())
        .execute(self.store.pool())
        .await
        .map_err(StoreError::query("releasing the outbox relay lease"))?;
        tracing::info!(service = %self.store.service(), holder = %self.holder, "outbox relay lease released");
        Ok(())
    }

    async fn round(&self, cancel: &CancellationToken) -> Result<RelayRound, RelayError> {
        if !self.ensure_lease().await? {
            return Ok(RelayRound::Standby);
        }
        let batch = self.outbox.next_batch(self.config.batch_size).await?;
        let full = batch.len() == self.config.batch_size as usize;
        if batch.is_empty() {
            return Ok(RelayRound::Published {
                published: 0,
                dead_lettered: 0,
                more: false,
            });
        }
        if cancel.is_cancelled() {
            return Ok(RelayRound::Published {
                published: 0,
                dead_lettered: 0,
                more: true,
            });
        }
        let (published, dead_lettered) = self.publish(&batch).await?;
        Ok(RelayRound::Published {
            published,
            dead_lettered,
            more: full,
        })
    }

    /// Publishes the rows in one [`Bus::publish_batch`] (one synced commit on the embedded
    /// bus instead of one per row) and marks the published ones in one transaction. Returns
    /// (published, dead-lettered). A message the bus refused for good is dead-lettered and the
    /// rest go on; the first retryable failure is recorded on its row and ends the round (that
    /// row is tried first next time; rows after it that the bus took are marked published).
    async fn publish(&self, batch: &[OutboxEntry]) -> Result<(usize, usize), RelayError> {
        let messages = batch
            .iter()
            .map(|entry| OutgoingMessage::from(entry.message.clone()))
            .collect();
        let timeout = self.config.publish_timeout;
        let Ok(results) = tokio::time::timeout(timeout, self.bus.publish_batch(messages)).await
        else {
            let first = &batch[0];
            let error = RelayError::PublishTimeout {
                id: first.message.id.clone(),
                after: timeout,
            };
            self.outbox
                .record_failure(first, &error.to_string())
                .await?;
            return Err(error);
        };
        let mut published = Vec::with_capacity(batch.len());
        let mut dead_lettered = 0;
        let mut failure = None;
        for (entry, result) in batch.iter().zip(results) {
            match result {
                Ok(receipt) => {
                    tracing::debug!(
                        message_id = %entry.message.id,
                        subject = %entry.message.subject,
                        sequence = receipt.sequence,
                        duplicate = receipt.duplicate,
                        "published outbox message"
                    );
                    published.push(entry);
                }
                // Decided by the bus adapter from its client's typed error, never from the text.
                Err(error) if !error.is_retryable() => {
                    let reason = format!(
                        "outbox message {} on subject {}: {error}",
                        entry.message.id, entry.message.subject
                    );
                    tracing::warn!(message_id = %entry.message.id, reason = %reason, "dead-lettering outbox message");
                    self.outbox.dead_letter(entry, reason).await?;
                    dead_lettered += 1;
                }
                Err(source) => {
                    if failure.is_none() {
                        failure = Some((entry, source));
                    }
                }
            }
        }
        self.outbox.mark_published(&published).await?;
        let now = crate::clock::unix_millis();
        for entry in &published {
            // Relay lag: from the commit that enqueued the event to the bus having it.
            let lag_ms = now.saturating_sub(entry.enqueued_at);
            metrics::histogram!(
                "centra_wms_relay_lag_seconds",
                "service" => self.store.service().to_owned(),
            )
            .record(lag_ms.max(0) as f64 / 1000.0);
        }
        if let Some((entry, source)) = failure {
            self.outbox
                .record_failure(entry, &source.to_string())
                .await?;
            return Err(RelayError::Publish {
                id: entry.message.id.clone(),
                source,
            });
        }
        Ok((published.len(), dead_lettered))
    }

    /// True when this relay holds a lease that outlasts one more publish, renewing it at half
    /// its time-to-live.
    async fn ensure_lease(&self) -> Result<bool, StoreError> {
        let held_until = self.lease_until.lock().map(|l| *l).unwrap_or(None);
        let now = Instant::now();
        if let Some(until) = held_until
            && until.saturating_duration_since(now) >= self.config.lease_ttl / 2
        {
            return Ok(true);
        }

        let asked_at = Instant::now();
        let sql = match self.store.backend() {
            Backend::Postgres => acquire_lease_sql!(postgres_now!()),
            Backend::Sqlite => acquire_lease_sql!(sqlite_now!()),
        };
        let turn = self.store.write_turn().await?;
        let granted = sqlx::query(sql)
            .bind(self.holder.as_str())
            .bind(millis(self.config.lease_ttl))
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("taking the outbox relay lease"))?
            .rows_affected()
            == 1;
        drop(turn);
        let until = asked_at + self.config.lease_ttl;
        let usable = granted
            && until.saturating_duration_since(Instant::now()) >= self.config.publish_timeout;
        if let Ok(mut lease) = self.lease_until.lock() {
            *lease = usable.then_some(until);
        }
        match (held_until.is_some(), usable) {
            (false, true) => {
                tracing::info!(service = %self.store.service(), holder = %self.holder, "outbox relay lease taken");
            }
            (true, false) => {
                tracing::warn!(service = %self.store.service(), holder = %self.holder, "outbox relay lease lost");
            }
            _ => {}
        }
        Ok(usable)
    }

    fn backoff(&self) -> backon::ExponentialBackoff {
        ExponentialBuilder::default()
            .with_min_delay(self.config.min_backoff)
            .with_max_delay(self.config.max_backoff)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
}
