//! The writer loop: checks due articles until none is due, then sleeps until the next one falls
//! due (the end of its batching window, a recheck, a retry), a mark wakes it, or a second
//! passes.
//!
//! ```text
//! loop: check_due ──checked some──► again at once
//!                 └─none due──────► sleep min(next due − now, 1 s), or until a mark wakes it
//! ```
//!
//! A mark wakes the loop, but the article it marked is due only at the end of its batching
//! window: the loop then sleeps until that moment, and the marks arriving meanwhile are checked
//! with it (see [`super`]).

use std::time::Duration;

use platform_runtime::{CancellationToken, IN_FLIGHT_DRAIN, within_drain};
use platform_store::unix_millis;

use super::StockFlow;

/// The longest the loop sleeps with nothing due: the backstop for another replica's marks,
/// which do not wake this one.
const IDLE: Duration = Duration::from_secs(1);

/// The shortest sleep before looking again: a row due now that another replica took between
/// the claim and the look at the next due time must not make the loop spin.
const AT_LEAST: Duration = Duration::from_millis(5);

impl StockFlow {
    /// Checks due articles until `stop`.
    pub async fn write_due(&self, stop: CancellationToken) {
        let woken = self.woken();
        loop {
            // A check waiting out a gateway's retries is dropped a drain after shutdown: its
            // claim's lease runs out and the articles are due again (see `platform_runtime`'s
            // `drain`).
            let Some(checked) = within_drain(self.check_due(), &stop, IN_FLIGHT_DRAIN).await else {
                tracing::warn!(
                    "stock check still running after the shutdown's drain; dropped, its articles are due again when their claim runs out"
                );
                return;
            };
            let pause = match checked {
                Ok(report) if report.checked > 0 => Duration::ZERO,
                Ok(_) => self.until_next_due().await,
                Err(error) => {
                    tracing::warn!(%error, "stock check failed; the articles are due again shortly");
                    IDLE
                }
            };
            if pause.is_zero() {
                if stop.is_cancelled() {
                    return;
                }
                continue;
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = woken.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// How long until the next article falls due, at most [`IDLE`].
    async fn until_next_due(&self) -> Duration {
        match self.articles.next_due().await {
            Ok(Some(due)) => {
                let wait = u64::try_from(due - unix_millis()).unwrap_or(0);
                Duration::from_millis(wait).clamp(AT_LEAST, IDLE)
            }
            Ok(None) => IDLE,
            Err(error) => {
                tracing::warn!(%error, "stock writer: the next due article could not be read");
                IDLE
            }
        }
    }
}
