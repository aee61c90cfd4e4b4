//! Who a publish in this process wakes: only the consumer handles whose filters take its
//! subject.
//!
//! Why not every waiting handle: each wake-up is a claim, and a claim is a `BEGIN IMMEDIATE`
//! transaction on the one bus file that writes (the consumer's scan mark) and so syncs the
//! file. With every service of the embedded shape in one process (some twenty consumers),
//! waking them all on each publish made each message cost a score of serialised writes, which
//! is what bounded a backlog's drain (`tests/benches/backlog_drain.rs`). A handle that is not
//! woken still sees every message: its next claim scans whatever it has not looked at yet, and
//! it claims at least every `poll_interval` (the backstop for other processes on the file).
//!
//! ```text
//! EmbeddedBus::consumer(config)  -> Waiters::register(durable name, filters) -> Arc<Waiter>
//! publish(subject)               -> Waiters::published(subject): notify_one each match
//! nak of a delivery              -> Waiters::consumer_changed(durable name)
//! handle dropped                 -> its Weak is gone, pruned on the next wake-up
//! ```

use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::sync::Notify;

use crate::subject::filter_matches;

/// One consumer handle's wake-up. `notify_one` keeps a permit when the handle is busy, so a
/// publish during its claim or its handler is never lost.
#[derive(Debug)]
pub(super) struct Waiter {
    durable_name: String,
    /// The handle's subject filters (empty: every subject), as its config gave them.
    filters: Vec<String>,
    pub(super) notify: Notify,
}

impl Waiter {
    fn takes(&self, subject: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| filter_matches(f, subject))
    }
}

/// The registered handles of one bus.
#[derive(Debug, Default)]
pub(super) struct Waiters {
    handles: Mutex<Vec<Weak<Waiter>>>,
}

impl Waiters {
    /// Registers a handle of `durable_name` reading `filters`.
    pub(super) fn register(&self, durable_name: &str, filters: &[String]) -> Arc<Waiter> {
        let waiter = Arc::new(Waiter {
            durable_name: durable_name.to_owned(),
            filters: filters.to_vec(),
            notify: Notify::new(),
        });
        self.lock().push(Arc::downgrade(&waiter));
        waiter
    }

    /// A message on `subject` was published: wakes the handles that take it.
    pub(super) fn published(&self, subject: &str) {
        self.wake(|waiter| waiter.takes(subject));
    }

    /// A delivery of `durable_name` changed when it falls due (a nak): wakes its handles, so
    /// they recompute their wait.
    pub(super) fn consumer_changed(&self, durable_name: &str) {
        self.wake(|waiter| waiter.durable_name == durable_name);
    }

    fn wake(&self, wanted: impl Fn(&Waiter) -> bool) {
        self.lock().retain(|handle| match handle.upgrade() {
            Some(waiter) => {
                if wanted(&waiter) {
                    waiter.notify.notify_one();
                }
                true
            }
            None => false,
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Waiter>>> {
        self.handles.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn woken(waiter: &Waiter) -> bool {
        tokio::time::timeout(Duration::from_millis(20), waiter.notify.notified())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_publish_wakes_only_the_handles_whose_filters_take_it() {
        let waiters = Waiters::default();
        let orders = waiters.register("orders", &["centra.*.shipment.good-to-go".to_owned()]);
        let stock = waiters.register("stock", &["wms.*.stock.>".to_owned()]);
        let everything = waiters.register("audit", &[]);

        waiters.published("centra.shop1.shipment.good-to-go");

        assert!(woken(&orders).await);
        assert!(woken(&everything).await);
        assert!(
            !woken(&stock).await,
            "a filter that does not take the subject"
        );
    }

    #[tokio::test]
    async fn a_wake_while_the_handle_is_busy_is_kept_for_its_next_wait() {
        let waiters = Waiters::default();
        let orders = waiters.register("orders", &[]);
        waiters.published("a.b");
        // Nobody was waiting: the permit is kept.
        assert!(woken(&orders).await);
        assert!(!woken(&orders).await, "one permit, not two");
    }

    #[tokio::test]
    async fn a_nak_wakes_the_handles_of_its_consumer_only() {
        let waiters = Waiters::default();
        let one = waiters.register("one", &[]);
        let other = waiters.register("other", &[]);
        waiters.consumer_changed("one");
        assert!(woken(&one).await);
        assert!(!woken(&other).await);
    }

    #[tokio::test]
    async fn a_dropped_handle_is_forgotten() {
        let waiters = Waiters::default();
        let kept = waiters.register("kept", &[]);
        drop(waiters.register("gone", &[]));
        waiters.published("a.b");
        assert_eq!(waiters.lock().len(), 1);
        assert!(woken(&kept).await);
    }
}
