//! The `DeadLetters` gRPC service of catalog-sync: size items rejected for bad data (flow
//! `article`) and unreadable events (flow `product_changed_event`), for a person to see,
//! retry after fixing the data in Centra, or discard.

use platform_store::{DeadLetter, DeadLetterFilter, DeadLetterStatus, StoreError};
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_server::{DeadLetters, DeadLettersServer};
use proto::admin::v1::retry_dead_letters_request::Selection;
use tonic::{Request, Response, Status};

use crate::flow::{CatalogFlow, DEAD_LETTER_KIND};

/// Most dead letters one list call reads.
const MAX_LISTED: u32 = 10_000;

/// Serves `DeadLetters` over the flow's store.
#[derive(Debug, Clone)]
pub struct DeadLetterService {
    flow: CatalogFlow,
}

impl DeadLetterService {
    /// The service over `flow`.
    pub fn new(flow: CatalogFlow) -> Self {
        Self { flow }
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
            .flow
            .store()
            .dead_letters()
            .list(&filter)
            .await
            .map_err(|e| internal(&e))?;
        Ok(letters
            .into_iter()
            .filter(|l| include_discarded || l.status != DeadLetterStatus::Discarded)
            .collect())
    }

    async fn find(&self, id: &str) -> Result<Option<DeadLetter>, Status> {
        let Ok(number) = id.trim().parse::<i64>() else {
            return Ok(None);
        };
        self.flow
            .store()
            .dead_letters()
            .show(number)
            .await
            .map_err(|e| internal(&e))
    }
}

fn internal(error: &StoreError) -> Status {
    Status::internal(error.to_string())
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
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
        event_id: if letter.kind == DEAD_LETTER_KIND {
            String::new()
        } else {
            letter.record_key.clone()
        },
        trace_id: String::new(),
    }
}

#[tonic::async_trait]
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

    /// Marks the records retried and re-runs the whole catalogue in the background: what the
    /// person fixed in Centra is written, what is still wrong is parked again.
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
        let store = self.flow.store();
        let mut tx = store.begin().await.map_err(|e| internal(&e))?;
        for letter in &letters {
            store
                .dead_letters()
                .mark_retried(&mut tx, letter.id)
                .await
                .map_err(|e| internal(&e))?;
        }
        tx.commit().await.map_err(|e| internal(&e))?;
        if letters.iter().any(|l| l.kind == DEAD_LETTER_KIND) {
            let flow = self.flow.clone();
            tokio::spawn(async move {
                if let Err(error) = flow.retry_rejected().await {
                    tracing::warn!(%error, "retrying rejected articles failed");
                }
            });
        }
        Ok(Response::new(pb::RetryDeadLettersResponse {
            retried_ids: letters.iter().map(|l| l.id.to_string()).collect(),
            not_found_ids,
        }))
    }

    async fn discard(
        &self,
        request: Request<pb::DiscardDeadLettersRequest>,
    ) -> Result<Response<pb::DiscardDeadLettersResponse>, Status> {
        let request = request.into_inner();
        let store = self.flow.store();
        let mut discarded_ids = Vec::new();
        let mut not_found_ids = Vec::new();
        let mut tx = store.begin().await.map_err(|e| internal(&e))?;
        for id in request.ids {
            let letter = match id.trim().parse::<i64>() {
                Ok(number) => store
                    .dead_letters()
                    .show(number)
                    .await
                    .map_err(|e| internal(&e))?,
                Err(_) => None,
            };
            match letter {
                Some(letter) if letter.status != DeadLetterStatus::Discarded => {
                    store
                        .dead_letters()
                        .discard(&mut tx, letter.id)
                        .await
                        .map_err(|e| internal(&e))?;
                    tracing::info!(dead_letter_id = letter.id, reason = %request.reason, "dead letter discarded");
                    discarded_ids.push(id);
                }
                _ => not_found_ids.push(id),
            }
        }
        tx.commit().await.map_err(|e| internal(&e))?;
        Ok(Response::new(pb::DiscardDeadLettersResponse {
            discarded_ids,
            not_found_ids,
        }))
    }
}
