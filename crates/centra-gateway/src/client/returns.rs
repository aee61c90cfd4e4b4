//! Returns: `POST /return` (singular) and `GET /returns` (newest first, `limit`+`page`).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::record::{Parsed, Record, opt_time};
use super::shipments::parse_list;
use super::{CentraClient, CentraError, PayloadError};

/// One returned line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraReturnLine {
    pub return_line_id: String,
    pub shipment_line_id: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub ean: String,
    pub quantity: i64,
}

/// A Centra return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentraReturn {
    pub id: String,
    pub shipment_id: String,
    pub order_id: String,
    pub completed: bool,
    pub return_to_stock: bool,
    pub comment: String,
    pub date: Option<DateTime<Utc>>,
    pub lines: Vec<CentraReturnLine>,
}

/// A return to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturn {
    pub shipment_id: String,
    /// `(shipment line id, quantity)`.
    pub lines: Vec<(String, i64)>,
    pub comment: String,
    pub return_stock: Option<bool>,
}

/// What `POST /return` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCreated {
    pub return_id: String,
    pub returned_line_ids: Vec<String>,
}

impl CentraReturn {
    /// Reads one return object.
    pub fn parse(value: &Value, position: &str, zone: chrono_tz::Tz) -> Result<Self, PayloadError> {
        let first = Record::new(position, value)?;
        let id = first.text("returnId")?;
        let object = format!("return {id}");
        let record = Record::new(&object, value)?;
        let mut lines = Vec::new();
        for (i, raw) in record.array("products")?.iter().enumerate() {
            let line_object = format!("{object} products[{i}]");
            let line = Record::new(&line_object, raw)?;
            lines.push(CentraReturnLine {
                return_line_id: line.text_or_empty("returnLineId")?,
                shipment_line_id: line.text("shipmentLineId")?,
                sku: line.text_or_empty("sku")?,
                variant_sku: line.text_or_empty("variantSku")?,
                size_sku: line.text_or_empty("sizeSku")?,
                ean: line.text_or_empty("ean")?,
                quantity: line.int("quantity")?,
            });
        }
        Ok(Self {
            shipment_id: record.text("shipment")?,
            order_id: record.text_or_empty("orderId")?,
            completed: record.flag("completed")?,
            return_to_stock: record.flag("returnToStock")?,
            comment: record.text_or_empty("comment")?,
            date: opt_time(&record, "date", zone)?,
            lines,
            id,
        })
    }
}

impl CentraClient {
    /// Returns, newest first, following `limit`+`page` until a short page or one older than
    /// `newer_than` (inclusive filter sent to Centra as well). `shipment` narrows to one shipment.
    pub async fn returns_once(
        &self,
        newer_than: Option<DateTime<Utc>>,
        shipment: Option<&str>,
    ) -> Result<Vec<Parsed<CentraReturn>>, CentraError> {
        const OP: &str = "GET /returns";
        let limit = self.options().page_size.max(1);
        let zone = self.zone();
        let mut all = Vec::new();
        for page in 1u32.. {
            let mut query = vec![
                ("limit".to_owned(), limit.to_string()),
                ("page".to_owned(), page.to_string()),
            ];
            if let Some(since) = newer_than {
                query.push(("newer_than".to_owned(), self.filter_time(since)));
            }
            if let Some(shipment) = shipment {
                query.push(("shipment".to_owned(), shipment.to_owned()));
            }
            let envelope = self.get_once(OP, "returns", &query).await?;
            let parsed = parse_list(&envelope, "returns", "returnId", |raw, position| {
                CentraReturn::parse(raw, &format!("{position} (page {page})"), zone)
            })
            .map_err(|e| self.bad_payload(OP, e))?;
            let count = parsed.len();
            all.extend(parsed);
            if count < limit as usize {
                break;
            }
        }
        Ok(all)
    }

    /// [`Self::returns_once`] with retries.
    pub async fn returns(
        &self,
        newer_than: Option<DateTime<Utc>>,
    ) -> Result<Vec<Parsed<CentraReturn>>, CentraError> {
        self.with_retry(|| self.returns_once(newer_than, None))
            .await
    }

    /// `POST /return`. One attempt: Centra has no upsert for returns, so callers look for an
    /// existing one before each attempt.
    pub async fn create_return_once(&self, new: &NewReturn) -> Result<ReturnCreated, CentraError> {
        const OP: &str = "POST /return";
        let products: Map<String, Value> = new
            .lines
            .iter()
            .map(|(line, qty)| (line.clone(), json!(qty)))
            .collect();
        let mut body = json!({
            "shipment": new.shipment_id,
            "products": products,
            "comment": new.comment,
        });
        if let Some(stock) = new.return_stock {
            body["returnStock"] = json!(stock);
        }
        let envelope = self
            .send_once(Method::POST, OP, "return", &[], Some(&body))
            .await?;
        let record =
            Record::new("return answer", &envelope).map_err(|e| self.bad_payload(OP, e))?;
        let return_id = record.text("return").map_err(|e| self.bad_payload(OP, e))?;
        let returned_line_ids = record
            .array("returnedItems")
            .map_err(|e| self.bad_payload(OP, e))?
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        Ok(ReturnCreated {
            return_id,
            returned_line_ids,
        })
    }
}
