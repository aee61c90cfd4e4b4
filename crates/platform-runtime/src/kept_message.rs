//! Bus messages a consumer could not read, kept for a person and replayed on request.
//!
//! Every sync service keeps such a message the same way: a dead letter whose `kind` is the
//! consumer's name, whose key is the message id, and whose payload carries the id and the
//! protobuf bytes as hex, so a person sees what arrived and a retry hands the very same bytes
//! to the handler again, as if the bus redelivered them.

use std::time::Duration;

use bytes::Bytes;
use platform_store::{DeadLetter, MessageId, NewDeadLetter, Store};

use crate::Handled;

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
    let letter = NewDeadLetter {
        kind: kind.to_owned(),
        record_key: id.as_str().to_owned(),
        reason: reason.clone(),
        payload: serde_json::json!({ "message_id": id.as_str(), "protobuf_hex": hex::encode(payload) }),
        attempts,
    };
    let kept = async {
        let mut tx = store.begin().await?;
        store.dead_letters().record(&mut tx, letter).await?;
        tx.commit().await
    }
    .await;
    match kept {
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

/// Logs what replaying `letter` (message `id`) came to.
pub fn log_replay(letter: &DeadLetter, id: &MessageId, outcome: &Handled) {
    match outcome {
        Handled::Done => {
            tracing::info!(dead_letter_id = letter.id, message_id = %id, "dead letter replayed");
        }
        Handled::Retry { reason, .. } => {
            tracing::warn!(dead_letter_id = letter.id, message_id = %id, %reason, "dead letter replay failed; retry it again later");
        }
        Handled::Rejected { reason } => {
            tracing::warn!(dead_letter_id = letter.id, message_id = %id, %reason, "dead letter rejected again and kept");
        }
    }
}
