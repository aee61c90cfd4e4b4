//! Work with a renewal repeated beside it: a lease kept while the work runs (a bus delivery's
//! progress acks, stock-sync's claim on the articles it checks).
//!
//! The rules every caller gets from [`with_renewals`]:
//! - the renewals run beside the work, never in its place. A `select!` whose branch awaits
//!   the renewal pauses the work meanwhile, and a renewal that waits for something the paused
//!   work holds (a row lock of its open transaction, an ack the handler must answer first)
//!   then never ends, and neither does the work;
//! - when the work ends no new renewal starts, and one under way is finished, never dropped
//!   halfway (a write dropped while it begins can leave its connection inside a transaction).

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Runs `work` to its end and, beside it, `renew()` every `every` (the first one `every` after
/// the start; a late one does not bring the next ones forward); the work's output once the
/// renewal under way, if any, has ended. The renewal reports its own failures: the work goes
/// on either way.
pub async fn with_renewals<W, F, R>(work: W, every: Duration, mut renew: F) -> W::Output
where
    W: Future,
    F: FnMut() -> R,
    R: Future<Output = ()>,
{
    let done = CancellationToken::new();
    let work = async {
        let output = work.await;
        done.cancel();
        output
    };
    let renewals = async {
        let every = every.max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = done.cancelled() => return,
                _ = ticks.tick() => {}
            }
            renew().await;
        }
    };
    let (output, ()) = tokio::join!(work, renewals);
    output
}
