//! Supplier deliveries (REF/503-506): list unaccepted, read one, accept once by EAN or by
//! joined SKU. Ids are strings, quantities numbers, dates without seconds (published examples).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::envelope::{no, ok, parse_body};
use super::lenient::{Flag, count_of};
use crate::app::SharedSim;
use crate::clock::StoreClock;
use crate::state::deliveries::SupplierDelivery;
use crate::state::rules::receiving::DeliveryKey;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiDelivery {
    id: String,
    order_id: String,
    delivery_id: String,
    supplier_name: String,
    supplier_country: String,
    created: String,
    #[serde(rename = "ETD")]
    etd: String,
    #[serde(rename = "ETA")]
    eta: String,
    message: String,
    products_qty: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    products: Option<Vec<ApiDeliveryLine>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiDeliveryLine {
    sku: String,
    variant_sku: String,
    size_sku: String,
    brand: String,
    collection: String,
    product: String,
    variant: String,
    size: String,
    ean: String,
    upc: String,
    weight: f64,
    weight_unit: String,
    quantity: i64,
    cost: String,
    cost_currency: String,
}

impl ApiDelivery {
    fn new(d: &SupplierDelivery, clock: &StoreClock, with_lines: bool) -> Self {
        Self {
            id: d.id.to_string(),
            order_id: d.supplier_order_id.to_string(),
            delivery_id: d.number.clone(),
            supplier_name: d.supplier_name.clone(),
            supplier_country: d.supplier_country.clone(),
            created: clock.format_minutes(d.created),
            etd: clock.format_minutes(d.etd),
            eta: clock.format_minutes(d.eta),
            message: d.message.clone(),
            products_qty: d.products_qty(),
            products: with_lines.then(|| {
                d.lines
                    .iter()
                    .map(|l| ApiDeliveryLine {
                        sku: l.item.sku.clone(),
                        variant_sku: l.item.variant_sku.clone(),
                        size_sku: l.item.size_sku.clone(),
                        brand: l.item.brand.clone(),
                        collection: l.item.collection.clone(),
                        product: l.item.product.clone(),
                        variant: l.item.variant.clone(),
                        size: l.item.size.clone(),
                        ean: l.item.ean.clone(),
                        upc: l.item.upc.clone(),
                        weight: l.item.weight,
                        weight_unit: l.item.weight_unit.clone(),
                        quantity: l.quantity,
                        cost: format!("{:.2}", l.cost),
                        cost_currency: l.cost_currency.clone(),
                    })
                    .collect()
            }),
        }
    }
}

/// `GET /supplier-deliveries`: deliveries not yet accepted.
pub async fn list(State(sim): State<SharedSim>) -> Response {
    let deliveries: Vec<ApiDelivery> = sim.read(|store| {
        store
            .deliveries
            .values()
            .filter(|d| d.acceptance.is_none())
            .map(|d| ApiDelivery::new(d, &sim.clock, false))
            .collect()
    });
    ok(json!({ "deliveries": deliveries }))
}

/// `GET /supplier-deliveries/{id or deliveryId}`.
pub async fn one(State(sim): State<SharedSim>, Path(reference): Path<String>) -> Response {
    let found = sim.read(|store| {
        store
            .delivery_by_ref(&reference)
            .map(|d| ApiDelivery::new(d, &sim.clock, true))
    });
    match found {
        Some(delivery) => ok(json!({ "delivery": delivery })),
        // [I] wording not documented.
        None => no("supplier delivery does not exist", Value::Null),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcceptBody {
    products: Option<Map<String, Value>>,
    insert_stock: Option<Flag>,
}

/// `POST /supplier-deliveries/{id}`: `{"products": {"<ean>": qty}, "insertStock": true}`.
pub async fn accept_by_ean(
    State(sim): State<SharedSim>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    accept(&sim, &reference, DeliveryKey::Ean, &body)
}

/// `POST /supplier-deliveries/{id}/sku`: keys are `sku + variantSku + sizeSku`.
pub async fn accept_by_sku(
    State(sim): State<SharedSim>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    accept(&sim, &reference, DeliveryKey::JoinedSku, &body)
}

fn accept(sim: &SharedSim, reference: &str, key: DeliveryKey, body: &Bytes) -> Response {
    let body: AcceptBody = match parse_body(body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(products) = body.products else {
        // REF/506: `products` is required; [I] wording not documented.
        return no("products is required", Value::Null);
    };
    let mut received = Vec::with_capacity(products.len());
    for (product, qty) in products {
        let Some(qty) = count_of(&qty) else {
            return no(
                format!("invalid quantity for product {product}"),
                Value::Null,
            );
        };
        received.push((product, qty));
    }
    // REF/506: "insertStock ... Default true".
    let insert_stock = body.insert_stock.is_none_or(|f| f.0);
    let outcome = sim.mutate(|store, now| {
        store
            .accept_delivery(reference, key, &received, insert_stock, now)
            .map(|additional| {
                additional
                    .and_then(|id| store.deliveries.get(&id))
                    .map(|d| ApiDelivery::new(d, &sim.clock, false))
            })
    });
    match outcome {
        Ok(Some(additional)) => ok(json!({ "additionalDelivery": additional })),
        Ok(None) => ok(Value::Null),
        Err(refusal) => no(refusal.msg, Value::Null),
    }
}
