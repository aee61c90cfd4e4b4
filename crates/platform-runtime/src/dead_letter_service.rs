//! The `DeadLetters` gRPC service every service offers over its own store: the records it kept
//! for a person (bad data, messages it could never handle), to list, show, retry once the
//! cause is fixed, or discard. What "retry" does belongs to the service ([`DeadLetterRetry`]):
//! replay a kept message, re-read a record, run a catalogue again.
//!
//! ```text
//! list / show       read the store's dead letters (discarded ones on request)
//! retry (ids|flow)  mark them retried, then DeadLetterRetry::retry in the background
//! discard           mark them discarded, with the person's reason in the log
//! ```

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use platform_store::{DeadLetter, DeadLetterFilter, DeadLetterStatus, Store, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_server::{DeadLetters, DeadLettersServer};
use proto::admin::v1::retry_dead_letters_request::Selection;
use tonic::{Request, Response, Status};

use crate::flow_runs::timestamp;

/// Most dead letters one list call reads.
const MAX_LISTED: u32 = 10_000;

/// What a service does with dead letters a person retries.
#[async_trait]
pub trait DeadLetterRetry: Send + Sync + fmt::Debug + 'static {
    /// Puts `letters` (already marked retried) back to work. Runs in the background, so the
    /// person's command does not wait for it; what still fails is kept again.
    async fn retry(&self, letters: Vec<DeadLetter>);
}

/// Serves `DeadLetters` over `store`.
#[derive(Debug, Clone)]
pub struct DeadLetterService {
    store: Store,
    retry: Arc<dyn DeadLetterRetry>,
}

impl DeadLetterService {
    pub fn new(store: Store, retry: Arc<dyn DeadLetterRetry>) -> Self {
        Self { store, retry }
    }

    /// The tonic server, ready for `Routes`.
    pub fn into_server(self) -> DeadLettersServer<Self> {
        DeadLettersServer::new(self)
    }

    async fn letters(
        &self,
        flow: &str,
        include_discarded: bool,
    ) -> Result<Vec<DeadLetter>, Status> {
        let filter = DeadLetterFilter {
            kind: Some(flow.to_owned()).filter(|f| !f.is_empty()),
            status: None,
            limit: MAX_LISTED,
        };
        let letters = self
            .store
            .dead_letters()
            .list(&filter)
            .await
            .map_err(internal)?;
        Ok(letters
            .into_iter()
            .filter(|l| include_discarded || l.status != DeadLetterStatus::Discarded)
            .collect())
    }

    async fn find(&self, id: &str) -> Result<Option<DeadLetter>, Status> {
        let Ok(number) = id.trim().parse::<i64>() else {
            return Ok(None);
        };
        self.store
            .dead_letters()
            .show(number)
            .await
            .map_err(internal)
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(internal)`
fn internal(error: StoreError) -> Status {
    Status::internal(error.to_string())
}

/// The message id a kept bus message carries in its payload (`message_id`), if any.
fn event_id(letter: &DeadLetter) -> String {
    letter.payload["message_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn message(letter: &DeadLetter) -> pb::DeadLetter {
    pb::DeadLetter {
        id: letter.id.to_string(),
        flow: letter.kind.clone(),
        record_key: letter.record_key.clone(),
        reason: letter.reason.clone(),
        last_error: letter.reason.clone(),
        attempts: letter.attempts,
        first_failed_at: Some(timestamp(letter.first_seen_at)),
        last_failed_at: Some(timestamp(letter.last_seen_at)),
        state: match letter.status {
            DeadLetterStatus::Open => pb::DeadLetterState::Parked,
            DeadLetterStatus::Retried => pb::DeadLetterState::RetryRequested,
            DeadLetterStatus::Discarded => pb::DeadLetterState::Discarded,
        } as i32,
        event_id: event_id(letter),
        trace_id: String::new(),
    }
}

#[async_trait]
impl DeadLetters for DeadLetterService {
    async fn list(
        &self,
        request: Request<pb::ListDeadLettersRequest>,
    ) -> Result<Response<pb::ListDeadLettersResponse>, Status> {
        let request = request.into_inner();
        let page_size = match request.page_size {
            0 => 100,
            n => n.min(1000),
        } as usize;
        let offset: usize = request.page_token.parse().unwrap_or(0);
        let letters = self
            .letters(&request.flow, request.include_discarded)
            .await?;
        let next_page_token = if letters.len() > offset + page_size {
            (offset + page_size).to_string()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListDeadLettersResponse {
            dead_letters: letters
                .iter()
                .skip(offset)
                .take(page_size)
                .map(message)
                .collect(),
            next_page_token,
        }))
    }

    async fn show(
        &self,
        request: Request<pb::ShowDeadLetterRequest>,
    ) -> Result<Response<pb::ShowDeadLetterResponse>, Status> {
        let id = request.into_inner().id;
        let letter = self
            .find(&id)
            .await?
            .ok_or_else(|| Status::not_found(format!("no dead letter {id}")))?;
        Ok(Response::new(pb::ShowDeadLetterResponse {
            dead_letter: Some(message(&letter)),
            payload_json: serde_json::to_string_pretty(&letter.payload).unwrap_or_default(),
            error_history: vec![letter.reason.clone()],
        }))
    }

    async fn retry(
        &self,
        request: Request<pb::RetryDeadLettersRequest>,
    ) -> Result<Response<pb::RetryDeadLettersResponse>, Status> {
        let (letters, not_found_ids) = match request.into_inner().selection {
            Some(Selection::Ids(ids)) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for id in ids.ids {
                    match self.find(&id).await? {
                        Some(letter) if letter.status == DeadLetterStatus::Open => {
                            found.push(letter);
                        }
                        _ => missing.push(id),
                    }
                }
                (found, missing)
            }
            Some(Selection::Flow(flow)) => (
                self.letters(&flow, false)
                    .await?
                    .into_iter()
                    .filter(|l| l.status == DeadLetterStatus::Open)
                    .collect(),
                Vec::new(),
            ),
            None => return Err(Status::invalid_argument("selection is empty")),
        };
        let mut tx = self.store.begin().await.map_err(internal)?;
        for letter in &letters {
            self.store
                .dead_letters()
                .mark_retried(&mut tx, letter.id)
                .await
                .map_err(internal)?;
        }
        tx.commit().await.map_err(internal)?;
        let retried_ids = letters.iter().map(|l| l.id.to_string()).collect();
        if !letters.is_empty() {
            let retry = self.retry.clone();
            tokio::spawn(async move { retry.retry(letters).await });
        }
        Ok(Response::new(pb::RetryDeadLettersResponse {
            retried_ids,
            not_found_ids,
        }))
    }

    async fn discard(
        &self,
        request: Request<pb::DiscardDeadLettersRequest>,
    ) -> Result<Response<pb::DiscardDeadLettersResponse>, Status> {
        let request = request.into_inner();
        let mut discarded_ids = Vec::new();
        let mut not_found_ids = Vec::new();
        let mut tx = self.store.begin().await.map_err(internal)?;
        for id in request.ids {
            match self.find(&id).await? {
                Some(letter) if letter.status != DeadLetterStatus::Discarded => {
                    self.store
                        .dead_letters()
                        .discard(&mut tx, letter.id)
                        .await
                        .map_err(internal)?;
                    tracing::info!(dead_letter_id = letter.id, reason = %request.reason, "dead letter discarded");
                    discarded_ids.push(id);
                }
                _ => not_found_ids.push(id),
            }
        }
        tx.commit().await.map_err(internal)?;
        Ok(Response::new(pb::DiscardDeadLettersResponse {
            discarded_ids,
            not_found_ids,
        }))
    }
}
