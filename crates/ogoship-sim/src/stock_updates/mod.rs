//! Stock updates: inbound deliveries announced by the merchant (ASN / purchase order),
//! ogoship-api.md §7, G1 `StockUpdateRequest`/`StockUpdateResponse`.
//!
//! Keyed by the merchant's `reference`; OGOship adds `autoReference`, `status` (`NEW` on
//! create), `arrivalDate`, `warehouseComments`, `created`, `modified`, and per line
//! `receivedQuantity` and `warehouseComments`. Goods arrive through the control API
//! (`POST /_sim/stock-updates/{reference}/receive`), which adds them to the physical stock.
//!
//! Doc gap: status values beyond `NEW` are undocumented (§12 q6). The simulator uses
//! `PARTIALLY_RECEIVED` and `RECEIVED` (set by a receive unless it names a status); a stock
//! update counts as incoming (`ProductResponse.stockUpdate`) until `RECEIVED`, `CANCELLED`
//! or `CLOSED`.
//!
//! Layout: this file the model and the response; `handlers.rs` the API calls and receiving.

pub(crate) mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock;

/// One of `products` as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockUpdateLineBody {
    pub code: Option<String>,
    pub name: Option<String>,
    pub expected_quantity: Option<i64>,
    pub supply_price: Option<f64>,
    /// Doc gap: §7 marks the wire name `eanCode` as [I].
    pub ean_code: Option<String>,
    pub country_of_origin: Option<String>,
    pub customs_description: Option<String>,
    pub hs_code: Option<String>,
}

/// `StockUpdateRequest`; every field optional here, checked on create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockUpdateBody {
    pub reference: Option<String>,
    pub supplier: Option<String>,
    pub receive_date: Option<String>,
    pub warehouse_code: Option<String>,
    pub containers: Option<i64>,
    pub pallets: Option<i64>,
    pub parcels: Option<i64>,
    pub delivered_by: Option<String>,
    pub merchant_comments: Option<String>,
    pub tracking_codes: Option<Vec<String>>,
    pub special_action: Option<String>,
    pub status: Option<String>,
    pub products: Option<Vec<StockUpdateLineBody>>,
}

/// A line of a stock update at OGOship.
#[derive(Debug, Clone)]
pub(crate) struct StockUpdateLine {
    pub code: String,
    pub body: StockUpdateLineBody,
    pub expected_quantity: i64,
    pub received_quantity: i64,
    pub warehouse_comments: Option<String>,
}

/// A stock update at OGOship.
#[derive(Debug, Clone)]
pub(crate) struct StockUpdate {
    pub reference: String,
    pub auto_reference: String,
    /// The request fields except `reference`, `status`, `products`.
    pub fields: StockUpdateBody,
    pub lines: Vec<StockUpdateLine>,
    pub status: String,
    pub arrival_date: Option<DateTime<Utc>>,
    pub warehouse_comments: Option<String>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub receive_count: u64,
}

impl StockUpdate {
    /// Still expected in (counts towards `stockUpdate` of the products).
    pub(crate) fn is_open(&self) -> bool {
        !["RECEIVED", "CANCELLED", "CLOSED"]
            .iter()
            .any(|s| self.status.eq_ignore_ascii_case(s))
    }
}

/// `StockUpdateResponse`.
pub(crate) fn response(update: &StockUpdate) -> Value {
    let mut body = match serde_json::to_value(&update.fields) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let lines: Vec<Value> = update
        .lines
        .iter()
        .map(|line| {
            let mut row = match serde_json::to_value(&line.body) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            row.insert("code".into(), line.code.clone().into());
            row.insert("expectedQuantity".into(), line.expected_quantity.into());
            row.insert("receivedQuantity".into(), line.received_quantity.into());
            row.insert(
                "warehouseComments".into(),
                line.warehouse_comments.clone().into(),
            );
            Value::Object(row)
        })
        .collect();
    body.insert("reference".into(), update.reference.clone().into());
    body.insert("autoReference".into(), update.auto_reference.clone().into());
    body.insert("status".into(), update.status.clone().into());
    body.insert("products".into(), lines.into());
    body.insert(
        "arrivalDate".into(),
        update.arrival_date.map(clock::format).into(),
    );
    body.insert(
        "warehouseComments".into(),
        update.warehouse_comments.clone().into(),
    );
    body.insert("created".into(), clock::format(update.created).into());
    body.insert("modified".into(), clock::format(update.modified).into());
    Value::Object(body)
}
