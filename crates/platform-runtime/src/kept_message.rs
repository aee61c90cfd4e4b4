//! Bus messages a consumer could not read, kept for a person and replayed on request.
//!
//! Every sync service keeps such a message the same way: a dead letter whose `kind` is the
//! consumer's name, whose key is the message id, and whose payload carries the id and the
//! protobuf bytes as hex (and the subject, when the keeper knew it), so a person sees what arrived and a retry hands the very same bytes
//! to the handler again, as if the bus redelivered them.

use std::time::Duration;

use bytes::Bytes;
use platform_store::{DeadLetter, MessageId, NewDeadLetter, Store, StoreError};

use crate::Handled;

/// A bus message as a dead letter keeps it.
#[derive(Debug, Clone, Copy)]
pub struct KeptMessage<'a> {
    pub id: &'a MessageId,
    /// The subject it came on, when the keeper knows it (shown to a person, not replayed).
    pub subject: Option<&'a str>,
    /// The protobuf bytes as received.
    pub payload: &'a Bytes,
}

/// Keeps `message` (received by consumer `kind`) as a dead letter with `reason` and the
/// `attempts` made, or reopens the one kept before.
///
/// # Errors
/// The store could not keep it (nothing is lost: the caller leaves the message on the bus).
pub async fn keep_message(
    store: &Store,
    kind: &str,
    message: KeptMessage<'_>,
    reason: String,
    attempts: u32,
) -> Result<(), StoreError> {
    let mut payload = serde_json::json!({
        "message_id": message.id.as_str(),
        "protobuf_hex": hex::encode(message.payload),
    });
    if let Some(subject) = message.subject {
        payload["subject"] = serde_json::Value::from(subject);
    }
    let letter = NewDeadLetter {
        kind: kind.to_owned(),
        record_key: message.id.as_str().to_owned(),
        reason,
        payload,
        attempts,
    };
    let mut tx = store.begin().await?;
    store.dead_letters().record(&mut tx, letter).await?;
    tx.commit().await
}

/// Keeps `payload` (received as message `id` by consumer `kind`) as a dead letter, then answers
/// [`Handled::Rejected`]; when the store cannot keep it, [`Handled::Retry`] (nothing is lost:
/// the bus redelivers).
pub async fn keep_and_reject(
    store: &Store,
    kind: &str,
    id: &MessageId,
    payload: &Bytes,
    reason: String,
    attempts: u32,
) -> Handled {
    let message = KeptMessage {
        id,
        subject: None,
        payload,
    };
    match keep_message(store, kind, message, reason.clone(), attempts).await {
        Ok(()) => Handled::Rejected { reason },
        Err(error) => Handled::Retry {
            after: Duration::from_secs(5),
            reason: format!("keeping a dead letter failed: {error}"),
        },
    }
}

/// The message [`keep_and_reject`] kept in `letter`: its id and bytes; an error names what is
/// missing.
///
/// # Errors
/// A payload without `message_id` or with unreadable `protobuf_hex`.
pub fn kept_message(letter: &DeadLetter) -> Result<(MessageId, Bytes), String> {
    let id = letter.payload["message_id"]
        .as_str()
        .ok_or("payload: no message_id")?;
    let hex = letter.payload["protobuf_hex"]
        .as_str()
        .ok_or("payload: no protobuf_hex")?;
    let bytes = hex::decode(hex).map_err(|e| format!("payload.protobuf_hex: {e}"))?;
    Ok((MessageId::new(id), Bytes::from(bytes)))
}

/// Logs what replaying `letter` (message `id`) came to, and keeps it open again when the
/// replay failed with a retryable error: a person retried it once and it did not pass, so it
/// stays in the list rather than vanish as "retried". (A replay rejected again was kept again
/// by the handler.)
pub async fn settle_replay(store: &Store, letter: &DeadLetter, id: &MessageId, outcome: &Handled) {
    match outcome {
        Handled::Done => {
            tracing::info!(dead_letter_id = letter.id, message_id = %id, "dead letter replayed");
        }
        Handled::Retry { reason, .. } => {
            let again = NewDeadLetter {
                kind: letter.kind.clone(),
                record_key: letter.record_key.clone(),
                reason: format!("replay failed: {reason}"),
                payload: letter.payload.clone(),
                attempts: 1,
            };
            let kept = async {
                let mut tx = store.begin().await?;
                store.dead_letters().record(&mut tx, again).await?;
                tx.commit().await
            }
            .await;
            match kept {
                Ok(()) => {
                    tracing::warn!(dead_letter_id = letter.id, message_id = %id, %reason, "dead letter replay failed; kept open to retry later");
                }
                Err(error) => {
                    tracing::error!(dead_letter_id = letter.id, message_id = %id, %reason, %error, "dead letter replay failed and could not be kept open; retry it again");
                }
            }
        }
        Handled::Rejected { reason } => {
            tracing::warn!(dead_letter_id = letter.id, message_id = %id, %reason, "dead letter rejected again and kept");
        }
    }
}
