//! `POST /_sim/orders`: places an order and its first shipment, allocating stock.
//! `{"order": {...}, "goodToGo": true}` answers `{"orderId", "shipmentId"}` (plus the line ids,
//! which tests need to update shipments and create returns).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{read, refuse};
use crate::api::lenient::{Count, Decimal, Flag, Text};
use crate::app::SharedSim;
use crate::state::orders::Address;
use crate::state::rules::seeding::{LineDraft, OrderDraft};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    order: SimOrder,
    /// Whether the shipment is good to go at once; default true.
    good_to_go: Option<Flag>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SimOrder {
    order_id: Option<Count>,
    /// Store-local `YYYY-mm-dd HH:MM:SS`; default now.
    order_date: Option<String>,
    customer_id: Option<Count>,
    currency: Option<String>,
    paid: Option<Flag>,
    should_capture: Option<Flag>,
    capture_fails: Option<Flag>,
    payment_method: Option<String>,
    delivery: Option<SimAddress>,
    billing: Option<SimAddress>,
    #[serde(rename = "billingVAT")]
    billing_vat: Option<String>,
    shipping_list: Option<String>,
    carrier: Option<String>,
    service: Option<String>,
    shipping_value: Option<Decimal>,
    lines: Vec<SimLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SimAddress {
    name: String,
    company: String,
    address: String,
    coaddress: String,
    zipcode: String,
    city: String,
    state: String,
    country: String,
    email: String,
    cell: String,
    tele: String,
}

impl From<SimAddress> for Address {
    fn from(a: SimAddress) -> Self {
        Self {
            name: a.name,
            company: a.company,
            address: a.address,
            coaddress: a.coaddress,
            zipcode: a.zipcode,
            city: a.city,
            state: a.state,
            country: a.country,
            email: a.email,
            cell: a.cell,
            tele: a.tele,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SimLine {
    ean: Option<Text>,
    sku: Option<Text>,
    variant_sku: Option<Text>,
    size_sku: Option<Text>,
    qty: Count,
    price: Decimal,
    original_price: Option<Decimal>,
    tax_percent: Option<Decimal>,
    comment: Option<String>,
    /// Makes this line a bundle of these parts (shown as `isBundle`, `bundle[]` and the parts'
    /// `isPartOfBundle`). A bundle not in the catalogue needs `sku` and may have a `name`.
    bundle: Option<Vec<SimLine>>,
    name: Option<String>,
}

impl From<SimLine> for LineDraft {
    fn from(l: SimLine) -> Self {
        let text = |t: Option<Text>| t.map(|t| t.0).unwrap_or_default();
        Self {
            ean: text(l.ean),
            sku: text(l.sku),
            variant_sku: text(l.variant_sku),
            size_sku: text(l.size_sku),
            qty: l.qty.0,
            price: l.price.0,
            original_price: l.original_price.map(|d| d.0),
            tax_percent: l.tax_percent.map(|d| d.0),
            comment: l.comment.unwrap_or_default(),
            parts: l
                .bundle
                .unwrap_or_default()
                .into_iter()
                .map(LineDraft::from)
                .collect(),
            name: l.name.unwrap_or_default(),
        }
    }
}

fn positive(value: Option<Count>, field: &str) -> Result<Option<u64>, String> {
    value
        .map(|Count(n)| {
            u64::try_from(n)
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{field}: must be a positive number, got {n}"))
        })
        .transpose()
}

pub async fn place(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: Body = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let draft = match draft(&sim, body) {
        Ok(d) => d,
        Err(message) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    match sim.mutate(|store, now| store.place_order(draft, now)) {
        Ok(placed) => Json(json!({
            "orderId": placed.order_id.to_string(),
            "shipmentId": placed.shipment_number,
            "orderLineIds": placed.order_line_ids.iter().map(u64::to_string).collect::<Vec<_>>(),
            "shipmentLineIds": placed.shipment_line_ids.iter().map(u64::to_string).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(err) => refuse(StatusCode::UNPROCESSABLE_ENTITY, err.0),
    }
}

fn draft(sim: &SharedSim, body: Body) -> Result<OrderDraft, String> {
    let order = body.order;
    let created = order
        .order_date
        .as_deref()
        .map(|raw| {
            sim.clock
                .parse(raw)
                .map_err(|err| format!("order.orderDate: {err}"))
        })
        .transpose()?;
    Ok(OrderDraft {
        order_id: positive(order.order_id, "order.orderId")?,
        created,
        customer_id: positive(order.customer_id, "order.customerId")?,
        currency: order.currency,
        delivery: order.delivery.map(Address::from).unwrap_or_default(),
        billing: order.billing.map(Address::from),
        billing_vat: order.billing_vat.unwrap_or_default(),
        shipping_list: order.shipping_list.unwrap_or_default(),
        carrier: order.carrier.unwrap_or_default(),
        service: order.service.unwrap_or_default(),
        shipping_value: order.shipping_value.map_or(0.0, |d| d.0),
        paid: order.paid.is_some_and(|f| f.0),
        should_capture: order.should_capture.is_some_and(|f| f.0),
        capture_fails: order.capture_fails.is_some_and(|f| f.0),
        payment_method: order.payment_method.unwrap_or_else(|| "card".into()),
        good_to_go: body.good_to_go.is_none_or(|f| f.0),
        lines: order.lines.into_iter().map(LineDraft::from).collect(),
    })
}
