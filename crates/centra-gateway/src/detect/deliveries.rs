//! Supplier deliveries waiting to be received. Centra lists only deliveries not yet accepted;
//! each is read with its lines and published once.

use domain::DeliveryId;
use platform_store::Store;

use super::memory::{self, kind};
use super::{PollError, PollReport, dead_letter};
use crate::client::{CentraClient, PayloadError, record::BadRecord};
use crate::publish;

/// Dead-letter kind of unreadable deliveries.
pub const DEAD_LETTER_KIND: &str = "centra.supplier-delivery";

/// Publishes a `SupplierDeliveryCreated` for every pending delivery not published before.
pub async fn poll_deliveries(
    store: &Store,
    client: &CentraClient,
) -> Result<PollReport, PollError> {
    let endpoint = client.endpoint();
    let listed = client.deliveries().await?;
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
        let full = client
            .with_retry(|| client.delivery_once(&delivery.id))
            .await?;
        let Some(full) = full else { continue };
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
