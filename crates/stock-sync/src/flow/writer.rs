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

use platform_runtime::CancellationToken;
use platform_store::unix_millis;

use super::{FlowError, StockFlow};

/// The longest the loop sleeps with nothing due: the backstop for another replica's marks,
/// which do not wake this one.
const IDLE: Duration = Duration::from_secs(1);

/// The shortest sleep before looking again: a row due now that another replica took between
/// the claim and the look at the next due time must not make the loop spin.
const AT_LEAST: Duration = Duration::from_millis(5);

impl StockFlow {
    /// Checks due articles until `stop` (the flow's own, [`StockFlow::stopping_on`], ends a
    /// check under way).
    pub async fn write_due(&self, stop: CancellationToken) {
        let woken = self.woken();
        loop {
            // A check still running a drain after shutdown ends itself (`check_due`, with the
            // flow's stop), its articles due again.
            let pause = match self.check_due().await {
                Err(FlowError::Stopped) => return,
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
