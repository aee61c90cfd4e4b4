//! `POST /shipments` (REF/106) and `DELETE /shipments/{id}` (REF/111).
//! Note the published kinds: success answers `"order": 83651` (number), the refusals
//! `"order": "1337"` (string).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::addresses::document_url;
use super::envelope::{no, ok, parse_body};
use super::lenient::{Count, Flag, Text, count_of};
use crate::app::SharedSim;
use crate::state::rules::creating::NewShipment;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    order: Option<Text>,
    products: Option<Map<String, Value>>,
    gtg: Option<Flag>,
    capture: Option<Flag>,
    shipped: Option<Flag>,
    carrier: Option<Text>,
    service: Option<Text>,
    packages: Option<Count>,
    tracking: Option<Text>,
}

/// `POST /shipments {"order": 83651, "products": {"<order line id>": qty}, "gtg"?, "capture"?
/// (default true), "shipped"?, …}`.
pub async fn create(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: CreateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let order_text = body.order.map(|t| t.0).unwrap_or_default();
    let Ok(order_id) = order_text.trim().parse::<u64>() else {
        return no("order does not exist", json!({ "order": order_text }));
    };
    let mut products = Vec::new();
    for (key, qty) in body.products.unwrap_or_default() {
        let Some(qty) = count_of(&qty) else {
            return no(
                format!("invalid quantity for line {key}"),
                json!({ "order": order_text }),
            );
        };
        products.push((key, qty));
    }
    let request = NewShipment {
        order_id,
        products,
        gtg: body.gtg.is_some_and(|f| f.0),
        capture: body.capture.is_none_or(|f| f.0),
        shipped: body.shipped.is_some_and(|f| f.0),
        carrier: body.carrier.map(|t| t.0),
        service: body.service.map(|t| t.0),
        tracking: body.tracking.map(|t| t.0),
        packages: body.packages.map(|c| c.0),
    };
    match sim.mutate(|store, now| store.create_shipment(&request, now)) {
        Ok(number) => ok(json!({
            "order": order_id,
            "shipment": number,
            "deliveryNote": document_url("delnote", &number),
            "proforma": document_url("proforma", &number),
            "invoice": document_url("invoice", &number),
        })),
        Err(refusal) => no(refusal.msg, json!({ "order": order_text })),
    }
}

/// `DELETE /shipments/{id}`.
pub async fn delete(State(sim): State<SharedSim>, Path(number): Path<String>) -> Response {
    match sim.mutate(|store, _now| store.delete_shipment(&number)) {
        Ok(order_id) => ok(json!({
            "msg": "shipment removed",
            "order": order_id,
            "shipment": number,
        })),
        Err(refusal) => no(refusal.msg, json!({ "shipment": number })),
    }
}
