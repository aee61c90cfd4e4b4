//! Supplier deliveries waiting to be received, through either API. Centra lists only deliveries
//! not yet accepted; each is read with its lines (the Order API's list has none, the GraphQL
//! list carries them) and published once. A delivery that cannot be read goes to the
//! dead-letter list naming it and the field; the others are published.

use domain::DeliveryId;
use platform_store::Store;

use super::memory::{self, kind};
use super::{PollError, PollReport, dead_letter};
use crate::client::{PayloadError, record::BadRecord};
use crate::connection::CentraConnection;
use crate::publish;

/// Dead-letter kind of unreadable deliveries.
pub const DEAD_LETTER_KIND: &str = "centra.supplier-delivery";

/// Publishes a `SupplierDeliveryCreated` for every pending delivery not published before.
///
/// # Errors
/// A failed list or read (the next round tries again) or the gateway's store failing.
pub async fn poll_deliveries(
    store: &Store,
    connection: &CentraConnection,
) -> Result<PollReport, PollError> {
    let endpoint = connection.endpoint();
    let listed = connection.pending_deliveries().await?;
    let mut report = PollReport::default();
    let mut fresh = Vec::new();
    let mut bad = Vec::new();
    {
        let mut tx = store.begin().await?;
        for entry in listed {
            match entry {
                Ok(delivery) => {
                    let seen: Option<String> = sqlx::query_scalar(
                        "SELECT version FROM seen_records \
                         WHERE endpoint = $1 AND kind = $2 AND record_id = $3",
                    )
                    .bind(endpoint.as_str())
                    .bind(kind::DELIVERY)
                    .bind(delivery.id.as_str())
                    .fetch_optional(tx.conn())
                    .await
                    .map_err(platform_store::StoreError::query("reading seen deliveries"))?;
                    if seen.is_some() {
                        report.unchanged += 1;
                    } else {
                        fresh.push(delivery);
                    }
                }
                Err(record) => bad.push(record),
            }
        }
        tx.rollback().await?;
    }
    // Read each new delivery with its lines before opening the write transaction.
    let mut detailed = Vec::new();
    for delivery in fresh {
        let Some(full) = connection.delivery_with_lines(delivery).await? else {
            continue;
        };
        match DeliveryId::parse(&full.delivery_number) {
            Ok(number) => detailed.push((number, full)),
            Err(e) => bad.push(Box::new(BadRecord {
                key: full.id.clone(),
                error: PayloadError::new(
                    format!("supplier delivery {}", full.id),
                    "deliveryId",
                    e.to_string(),
                ),
                raw: serde_json::json!({ "id": full.id, "deliveryId": full.delivery_number }),
            })),
        }
    }
    let mut tx = store.begin().await?;
    for (number, delivery) in &detailed {
        let (id, message) = publish::supplier_delivery_created(endpoint, number, delivery);
        if memory::remember(
            &mut tx,
            endpoint,
            kind::DELIVERY,
            &delivery.id,
            "created",
            id.as_str(),
        )
        .await?
        {
            store.outbox().enqueue(&mut tx, message).await?;
            tracing::info!(endpoint = %endpoint, delivery_id = %delivery.id, event_id = %id, "supplier delivery waiting");
            report.published += 1;
        }
    }
    for record in &bad {
        dead_letter(store, &mut tx, DEAD_LETTER_KIND, endpoint, record).await?;
        report.dead_lettered += 1;
    }
    tx.commit().await?;
    Ok(report)
}
