//! A `Bus` for relay tests: records what was published (and by which relay) and in which
//! batches, and can be told to fail the next publishes, to fail one id, or to refuse a subject
//! for good. Its batches stop at the first retryable failure (the port's default), or go on
//! past it as JetStream's do (`batches_go_on`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use platform_bus::{Bus, BusError, Consumer, ConsumerConfig, OutgoingMessage, PublishReceipt};

#[derive(Debug, Clone)]
pub struct Published {
    /// Tag of the bus handle (one per relay) that published it.
    pub by: String,
    pub message: OutgoingMessage,
}

#[derive(Debug, Default)]
struct State {
    published: Vec<Published>,
    fail_next: u32,
    /// Ids whose publishes fail (retryably), with how many times left.
    failing_ids: Vec<(String, u32)>,
    rejected_subjects: Vec<String>,
    attempts: u32,
    /// The size of each `publish_batch` call.
    batches: Vec<usize>,
    /// Batches go on past a retryable failure.
    go_on: bool,
}

#[derive(Debug, Clone)]
pub struct RecordingBus {
    state: Arc<Mutex<State>>,
    tag: String,
    delay: Duration,
}

impl RecordingBus {
    pub fn new() -> Self {
        Self {
            state: Arc::default(),
            tag: "bus".to_owned(),
            delay: Duration::ZERO,
        }
    }

    /// Another handle on the same record, tagging what it publishes.
    pub fn tagged(&self, tag: &str) -> Self {
        Self {
            tag: tag.to_owned(),
            ..self.clone()
        }
    }

    /// Every publish through this handle takes `delay` (widens race windows).
    pub fn slow(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn arc(&self) -> Arc<dyn Bus> {
        Arc::new(self.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("recording bus lock")
    }

    /// The next `n` publishes fail as if the bus were down.
    pub fn fail_next(&self, n: u32) {
        self.state().fail_next = n;
    }

    /// The next `times` publishes of `id` fail as if the bus were down.
    pub fn fail_id(&self, id: &str, times: u32) {
        self.state().failing_ids.push((id.to_owned(), times));
    }

    /// Batches send every message whatever happened to the ones before (as JetStream does).
    pub fn batches_go_on(&self) {
        self.state().go_on = true;
    }

    /// The size of each batch published so far.
    pub fn batches(&self) -> Vec<usize> {
        self.state().batches.clone()
    }

    pub fn reject_subject(&self, subject: &str) {
        self.state().rejected_subjects.push(subject.to_owned());
    }

    pub fn accept_all(&self) {
        self.state().rejected_subjects.clear();
    }

    pub fn published(&self) -> Vec<Published> {
        self.state().published.clone()
    }

    pub fn published_ids(&self) -> Vec<String> {
        self.state()
            .published
            .iter()
            .map(|p| p.message.id.to_string())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.state().published.len()
    }

    /// Publish calls so far, failed ones included.
    pub fn attempts(&self) -> u32 {
        self.state().attempts
    }
}

#[async_trait]
impl Bus for RecordingBus {
    async fn publish(&self, message: OutgoingMessage) -> Result<PublishReceipt, BusError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let mut state = self.state();
        state.attempts += 1;
        let failing_id = state
            .failing_ids
            .iter_mut()
            .find(|(id, left)| id == message.id.as_str() && *left > 0);
        let fail_id = failing_id.map(|(_, left)| *left -= 1).is_some();
        if state.fail_next > 0 || fail_id {
            if !fail_id {
                state.fail_next -= 1;
            }
            return Err(BusError::unreachable(
                "recording bus told to fail",
                "a test's fault".to_owned(),
            ));
        }
        if state.rejected_subjects.contains(&message.subject) {
            return Err(BusError::rejected(
                format!("subject {}", message.subject),
                "not allowed by the recording bus",
            ));
        }
        state.published.push(Published {
            by: self.tag.clone(),
            message,
        });
        Ok(PublishReceipt {
            sequence: state.published.len() as u64,
            duplicate: false,
        })
    }

    async fn publish_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Vec<Result<PublishReceipt, BusError>> {
        let go_on = {
            let mut state = self.state();
            state.batches.push(messages.len());
            state.go_on
        };
        let mut results = Vec::with_capacity(messages.len());
        let mut failed = false;
        for message in messages {
            if failed && !go_on {
                results.push(Err(BusError::unreachable(
                    "not sent after an earlier failure",
                    "a test's fault".to_owned(),
                )));
                continue;
            }
            let result = self.publish(message).await;
            failed |= result.as_ref().is_err_and(BusError::is_retryable);
            results.push(result);
        }
        results
    }

    async fn consumer(&self, config: ConsumerConfig) -> Result<Box<dyn Consumer>, BusError> {
        Err(BusError::rejected(
            format!("consumer {}", config.durable_name),
            "the recording bus only publishes",
        ))
    }
}
