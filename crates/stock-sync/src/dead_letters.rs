//! Retrying stock-sync's dead letters: each is a bus message the flow could not read
//! (`consumers::reject` keeps its id and protobuf bytes), so a retry hands the same message to
//! the handler again, as if the bus redelivered it. One that fails again is kept again.

use async_trait::async_trait;
use bytes::Bytes;
use platform_runtime::{DeadLetterRetry, settle_replay};
use platform_store::{DeadLetter, MessageId};

use crate::consumers::{self, Feed};
use crate::flow::StockFlow;

/// Replays kept messages through [`consumers::handle`].
#[derive(Debug, Clone)]
pub struct MessageReplay {
    flow: StockFlow,
}

impl MessageReplay {
    pub fn new(flow: StockFlow) -> Self {
        Self { flow }
    }

    /// The feed and kept message of `letter`; an error names what is missing.
    fn kept_message(letter: &DeadLetter) -> Result<(Feed, MessageId, Bytes), String> {
        let feed = Feed::of_consumer(&letter.kind)
            .ok_or_else(|| format!("kind {:?} is not a stock-sync feed", letter.kind))?;
        let (id, bytes) = platform_runtime::kept_message(letter)?;
        Ok((feed, id, bytes))
    }
}

#[async_trait]
impl DeadLetterRetry for MessageReplay {
    async fn retry(&self, letters: Vec<DeadLetter>) {
        for letter in letters {
            let (feed, id, payload) = match Self::kept_message(&letter) {
                Ok(message) => message,
                Err(problem) => {
                    tracing::warn!(dead_letter_id = letter.id, %problem, "dead letter cannot be replayed");
                    continue;
                }
            };
            let attempts = letter.attempts.saturating_add(1);
            let outcome = consumers::handle(&self.flow, feed, id.clone(), payload, attempts).await;
            settle_replay(self.flow.articles().store(), &letter, &id, &outcome).await;
        }
    }
}
