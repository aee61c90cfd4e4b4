//! Retrying ogoship-gateway's dead letters (WMS records the detectors could not read or
//! report): the record belongs to the WMS, so there is nothing to replay. A retry runs the
//! detectors now, which read the record again as the WMS has it: fixed, it flows; still
//! broken, it is kept again.

use std::sync::Arc;

use async_trait::async_trait;
use platform_runtime::DeadLetterRetry;
use platform_store::DeadLetter;
use tokio::sync::Notify;

/// Wakes the detectors (the same signal a webhook gives).
#[derive(Debug, Clone)]
pub struct DetectAgain {
    wake: Arc<Notify>,
}

impl DetectAgain {
    pub fn new(wake: Arc<Notify>) -> Self {
        Self { wake }
    }
}

#[async_trait]
impl DeadLetterRetry for DetectAgain {
    async fn retry(&self, letters: Vec<DeadLetter>) {
        tracing::info!(
            dead_letters = letters.len(),
            "detectors woken to read retried records again"
        );
        self.wake.notify_one();
    }
}
