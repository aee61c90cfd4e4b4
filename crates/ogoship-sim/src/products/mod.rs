//! Products (ogoship-api.md §4, G1 `Product`/`ProductResponse`, G2 `ProductsApi`).
//!
//! A product is keyed by its `code` (the SKU). The record keeps the merchant's `Product` fields
//! as sent plus what OGOship adds: `id` (GUID), the physical `stock`, and `editTime`. The other
//! `ProductResponse` numbers (`stockAvailable`, `reserved`, `stockUpdate`, `stockUpdateTime`)
//! are derived from orders and stock updates when answered.
//!
//! Layout: this file the model and the response; `handlers.rs` the three API calls.

pub(crate) mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock;
use crate::state::{Level, Store};

/// The `Product` body of create and update. All optional here: which fields are required
/// differs between create and update, and is checked there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProductBody {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub language_code: Option<String>,
    pub ean_code: Option<String>,
    pub supplier: Option<String>,
    pub supplier_code: Option<String>,
    pub group: Option<String>,
    pub supply_price: Option<f64>,
    pub sales_price: Option<f64>,
    pub currency_code: Option<String>,
    pub info_url: Option<String>,
    pub picture_url: Option<String>,
    pub country_of_origin: Option<String>,
    pub customs_description: Option<String>,
    pub hs_code: Option<String>,
}

impl ProductBody {
    /// Overwrites the fields `update` sends (a field left out or `null` keeps its value),
    /// except an existing EAN, which OGOship never overwrites (§4). Doc gap: G1 sends whole
    /// objects, so whether `null` clears a field is unknown; keeping it is the safer reading.
    fn merge(&mut self, update: ProductBody) {
        macro_rules! take {
            ($($field:ident),*) => {
                $(if update.$field.is_some() { self.$field = update.$field; })*
            };
        }
        take!(
            name,
            description,
            language_code,
            supplier,
            supplier_code,
            group,
            supply_price,
            sales_price,
            currency_code,
            info_url,
            picture_url,
            country_of_origin,
            customs_description,
            hs_code
        );
        if self.ean_code.as_deref().is_none_or(str::is_empty) {
            self.ean_code = update.ean_code;
        }
    }
}

/// A product at OGOship.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub id: Uuid,
    pub code: String,
    pub fields: ProductBody,
    /// Physical stock (§6 `stock`).
    pub stock: i64,
    pub edit_time: DateTime<Utc>,
    /// When `stock` or `reserved` last changed (the `/stock` `modified`). Doc gap: §3 names
    /// `modified` for stock without saying what moves it; every stock-level change does here.
    /// A stock change does not move the product's `editTime`.
    pub stock_modified: DateTime<Utc>,
    pub update_count: u64,
}

impl Product {
    pub(crate) fn new(code: String, fields: ProductBody, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::new_v4(),
            code,
            fields,
            stock: 0,
            edit_time: now,
            stock_modified: now,
            update_count: 0,
        }
    }
}

/// Incoming quantity and earliest expected date from open stock updates (`stockUpdate`,
/// `stockUpdateTime` of `ProductResponse`).
fn incoming(store: &Store, code: &str) -> (i64, Option<String>) {
    let mut quantity = 0;
    let mut earliest: Option<String> = None;
    for update in store.stock_updates.iter().filter(|u| u.is_open()) {
        for line in update.lines.iter().filter(|l| l.code == code) {
            let open = (line.expected_quantity - line.received_quantity).max(0);
            if open > 0 {
                quantity += open;
                let date = update.fields.receive_date.clone().unwrap_or_default();
                if earliest.as_ref().is_none_or(|e| date < *e) {
                    earliest = Some(date);
                }
            }
        }
    }
    (quantity, earliest)
}

/// `ProductResponse`: the `Product` fields plus OGOship's.
pub(crate) fn response(store: &Store, product: &Product, level: Level) -> Value {
    let mut body = match serde_json::to_value(&product.fields) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let (incoming, incoming_time) = incoming(store, &product.code);
    body.insert("code".into(), product.code.clone().into());
    body.insert("id".into(), product.id.to_string().into());
    body.insert("stock".into(), level.stock.into());
    body.insert("stockAvailable".into(), level.available().into());
    body.insert("reserved".into(), level.reserved.into());
    body.insert("stockUpdate".into(), incoming.into());
    body.insert("stockUpdateTime".into(), incoming_time.into());
    body.insert("editTime".into(), clock::format(product.edit_time).into());
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_an_existing_ean_but_fills_a_missing_one() {
        let mut fields = ProductBody {
            ean_code: Some("111".into()),
            name: Some("Old".into()),
            ..ProductBody::default()
        };
        fields.merge(ProductBody {
            ean_code: Some("222".into()),
            name: Some("New".into()),
            ..ProductBody::default()
        });
        assert_eq!(fields.ean_code.as_deref(), Some("111"));
        assert_eq!(fields.name.as_deref(), Some("New"));
        let mut empty = ProductBody::default();
        empty.merge(ProductBody {
            ean_code: Some("333".into()),
            ..ProductBody::default()
        });
        assert_eq!(empty.ean_code.as_deref(), Some("333"));
    }
}
