//! Returns registered in Centra since the cursor (minus an overlap). Returns the gateway
//! created itself (their comment carries [`crate::commands::RETURN_TAG`]) are not echoed.

use chrono::Utc;
use platform_store::Store;

use super::memory::{self, kind};
use super::{CURSOR_OVERLAP, PollError, PollReport, dead_letter};
use crate::client::CentraClient;
use crate::events;

/// Dead-letter kind of unreadable returns.
pub const DEAD_LETTER_KIND: &str = "centra.return";
const FLOW: &str = "returns";

/// Publishes a `ReturnRegistered` for every return not published before.
pub async fn poll_returns(store: &Store, client: &CentraClient) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let started = Utc::now();
    let since = {
        let mut tx = store.begin().await?;
        let cursor = memory::cursor(&mut tx, endpoint, FLOW).await?;
        tx.rollback().await?;
        cursor.map(|c| c - CURSOR_OVERLAP)
    };
    let listed = client.returns(since).await?;
    let mut report = PollReport::default();
    let mut tx = store.begin().await?;
    for entry in &listed {
        match entry {
            Ok(ret) if ret.comment.contains(crate::commands::RETURN_TAG) => report.unchanged += 1,
            Ok(ret) => {
                let (id, message) = events::return_registered(endpoint, ret);
                if memory::remember(
                    &mut tx,
                    endpoint,
                    kind::RETURN,
                    &ret.id,
                    "registered",
                    id.as_str(),
                )
                .await?
                {
                    store.outbox().enqueue(&mut tx, message).await?;
                    tracing::info!(endpoint = %endpoint, return_id = %ret.id, event_id = %id, "return registered in centra");
                    report.published += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            Err(bad) => {
                dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, bad).await?;
                report.dead_lettered += 1;
            }
        }
    }
    memory::set_cursor(&mut tx, endpoint, FLOW, started).await?;
    tx.commit().await?;
    Ok(report)
}
