//! Supplier deliveries: `GET /supplier-deliveries` (not yet accepted),
//! `GET /supplier-deliveries/{id}` (with lines) and the one-shot accept
//! (`POST /supplier-deliveries/{id}` keyed by EAN, `…/{id}/sku` keyed by joined sku).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::record::{Parsed, Record, opt_time};
use super::shipments::parse_list;
use super::{CentraClient, CentraError, PayloadError};

/// One line of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraDeliveryLine {
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub ean: String,
    pub quantity: i64,
    pub product_name: String,
    pub variant_name: String,
    pub size_name: String,
}

/// A supplier delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraDelivery {
    /// Internal `id`, used to accept.
    pub id: String,
    /// `deliveryId`, e.g. `957-1`.
    pub delivery_number: String,
    pub supplier_order_id: String,
    pub supplier_name: String,
    pub created: Option<DateTime<Utc>>,
    pub eta: Option<DateTime<Utc>>,
    pub message: String,
    /// Empty in the list answer; filled by the single-delivery read.
    pub lines: Vec<CentraDeliveryLine>,
}

/// How accepted quantities are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKey {
    Ean,
    JoinedSku,
}

/// What an accept answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryAcceptance {
    /// `(id, deliveryId)` of the delivery Centra created for the rest of a short delivery.
    pub additional: Option<(String, String)>,
}

impl CentraDelivery {
    /// Reads one delivery object.
    pub fn parse(value: &Value, position: &str, zone: chrono_tz::Tz) -> Result<Self, PayloadError> {
        let first = Record::new(position, value)?;
        let id = first.text("id")?;
        let object = format!("supplier delivery {id}");
        let record = Record::new(&object, value)?;
        let mut lines = Vec::new();
        for (i, raw) in record.array("products")?.iter().enumerate() {
            let line_object = format!("{object} products[{i}]");
            let line = Record::new(&line_object, raw)?;
            let quantity = line.int("quantity")?;
            if let Err(error) = domain::line_quantity(quantity) {
                return Err(PayloadError::new(
                    &line_object,
                    "quantity",
                    error.to_string(),
                ));
            }
            lines.push(CentraDeliveryLine {
                sku: line.text_or_empty("sku")?,
                variant_sku: line.text_or_empty("variantSku")?,
                size_sku: line.text_or_empty("sizeSku")?,
                ean: line.text_or_empty("ean")?,
                quantity,
                product_name: line.text_or_empty("product")?,
                variant_name: line.text_or_empty("variant")?,
                size_name: line.text_or_empty("size")?,
            });
        }
        Ok(Self {
            delivery_number: record.text_or_empty("deliveryId")?,
            supplier_order_id: record.text_or_empty("orderId")?,
            supplier_name: record.text_or_empty("supplierName")?,
            created: opt_time(&record, "created", zone)?,
            eta: opt_time(&record, "ETA", zone)?,
            message: record.text_or_empty("message")?,
            lines,
            id,
        })
    }
}

impl CentraClient {
    /// Deliveries not yet accepted (no lines; read each with [`Self::delivery_once`]).
    pub async fn deliveries(&self) -> Result<Vec<Parsed<CentraDelivery>>, CentraError> {
        const OP: &str = "GET /supplier-deliveries";
        let zone = self.zone();
        let envelope = self
            .with_retry(|| self.get_once(OP, "supplier-deliveries", &[]))
            .await?;
        parse_list(&envelope, "deliveries", "id", |raw, position| {
            CentraDelivery::parse(raw, position, zone)
        })
        .map_err(|e| self.bad_payload(OP, e))
    }

    /// One delivery with its lines; `None` when Centra does not know it.
    pub async fn delivery_once(&self, id: &str) -> Result<Option<CentraDelivery>, CentraError> {
        let operation = format!("GET /supplier-deliveries/{id}");
        let envelope = self
            .send_raw(
                Method::GET,
                &operation,
                &format!("supplier-deliveries/{id}"),
                &[],
                None,
            )
            .await?;
        if envelope.get("status").and_then(Value::as_str) == Some("no") {
            let msg = envelope
                .get("msg")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // The Order API tells an unknown record only in words: `{"status":"no","msg":
            // "... does not exist"}` with HTTP 200 and no code (docs/centra-order-api.md,
            // envelope; "order does not exist", "Return with id=100500 does not exist"). This
            // adapter is the one place that reads them, turning them into a typed `None`; no
            // caller ever sees the text as a kind.
            if msg.contains("does not exist") {
                return Ok(None);
            }
            return self.ensure_ok(&operation, envelope).map(|_| None);
        }
        let raw = envelope.get("delivery").cloned().unwrap_or(Value::Null);
        CentraDelivery::parse(&raw, &format!("supplier delivery {id}"), self.zone())
            .map(Some)
            .map_err(|e| self.bad_payload(&operation, e))
    }

    /// Whether `id` (internal id or `deliveryId`) is still waiting to be accepted.
    pub async fn delivery_pending_once(
        &self,
        delivery: &CentraDelivery,
    ) -> Result<bool, CentraError> {
        const OP: &str = "GET /supplier-deliveries";
        let envelope = self.get_once(OP, "supplier-deliveries", &[]).await?;
        let pending = parse_list(&envelope, "deliveries", "id", |raw, position| {
            CentraDelivery::parse(raw, position, self.zone())
        })
        .map_err(|e| self.bad_payload(OP, e))?;
        Ok(pending
            .iter()
            .any(|d| matches!(d, Ok(d) if d.id == delivery.id)))
    }

    /// Accepts received quantities. One attempt: accepting is one-shot in Centra, so callers
    /// check [`Self::delivery_pending_once`] before each attempt.
    pub async fn accept_delivery_once(
        &self,
        id: &str,
        key: DeliveryKey,
        quantities: &[(String, i64)],
        insert_stock: Option<bool>,
    ) -> Result<DeliveryAcceptance, CentraError> {
        let path = match key {
            DeliveryKey::Ean => format!("supplier-deliveries/{id}"),
            DeliveryKey::JoinedSku => format!("supplier-deliveries/{id}/sku"),
        };
        let operation = format!("POST /{path}");
        let products: Map<String, Value> = quantities
            .iter()
            .map(|(product, qty)| (product.clone(), json!(qty)))
            .collect();
        let mut body = json!({ "products": products });
        if let Some(insert) = insert_stock {
            body["insertStock"] = json!(insert);
        }
        let envelope = self
            .send_once(Method::POST, &operation, &path, &[], Some(&body))
            .await?;
        let additional = match envelope.get("additionalDelivery") {
            Some(raw) if raw.is_object() => {
                let record = Record::new("additionalDelivery", raw)
                    .map_err(|e| self.bad_payload(&operation, e))?;
                Some((
                    record
                        .text("id")
                        .map_err(|e| self.bad_payload(&operation, e))?,
                    record
                        .text_or_empty("deliveryId")
                        .map_err(|e| self.bad_payload(&operation, e))?,
                ))
            }
            _ => None,
        };
        Ok(DeliveryAcceptance { additional })
    }
}
