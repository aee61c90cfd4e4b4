//! Shipments: list (REF/107), one (GET1), update quantities / good to go (REF/108).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::addresses::{BillingFields, DeliveryFields, TaxBreakdown, document_url};
use super::envelope::{No, no, ok, parse_body};
use super::lenient::{Flag, count_of};
use super::orders::WAREHOUSE_NAME;
use super::params::{Params, Window, offset_page};
use crate::app::SharedSim;
use crate::clock::StoreClock;
use crate::state::Store;
use crate::state::orders::{BundleRole, OrderLine, cents};
use crate::state::rules::shipping::QuantityChange;
use crate::state::shipments::{Shipment, ShipmentLine, ShipmentStatus};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiShipment {
    order_id: String,
    selection_id: String,
    order_date: String,
    cancel_date: String,
    preferred_delivery_date: String,
    estimated_delivery_date: String,
    order_store: String,
    order_currency: String,
    shipment_id: String,
    customer_id: String,
    account_id: String,
    #[serde(flatten)]
    billing: BillingFields,
    #[serde(flatten)]
    delivery: DeliveryFields,
    #[serde(rename = "billingVAT")]
    billing_vat: String,
    po_number: String,
    shipping_list: String,
    shipping_terms: Terms,
    payment_terms: Terms,
    proforma: String,
    delivery_note: String,
    default_carrier: String,
    delivery_service: String,
    shipment_date: String,
    tracking_number: String,
    tracking_url: String,
    return_slip_tracking: String,
    /// REF/107: "Will only be set if any invoices exists"; a paid shipment has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    invoices: Option<Vec<String>>,
    suspect: u8,
    hold: u8,
    paid: u8,
    should_capture: u8,
    shipping_value: f64,
    voucher_value: f64,
    grand_total_value: f64,
    grand_total_tax_value: f64,
    tax_added: f64,
    tax_deducted: f64,
    internal_comment: String,
    other_comment: String,
    tax_breakdown: Vec<TaxBreakdown>,
    products: Vec<ApiShipmentLine>,
}

#[derive(Debug, Serialize)]
pub struct Terms {
    id: u64,
    name: String,
    description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiShipmentLine {
    line_id: String,
    sku: String,
    variant_sku: String,
    size_sku: String,
    name: String,
    variant: String,
    size: String,
    ean: String,
    upc: String,
    qty: i64,
    original_price: f64,
    price: f64,
    weight: f64,
    weight_unit: String,
    country_of_origin: String,
    harm_code: String,
    comment: String,
    warehouses: Vec<ShipmentWarehouse>,
    is_bundle: bool,
    /// The bundle a part belongs to, a string in the examples (`"isPartOfBundle": "217"`);
    /// absent on other lines, as on the bundle line of REF/107's example.
    #[serde(skip_serializing_if = "Option::is_none")]
    is_part_of_bundle: Option<String>,
    /// A bundle line's parts in this shipment, each shown as its own line shows it (REF/107).
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<Vec<ApiShipmentLine>>,
}

impl ApiShipmentLine {
    fn new(line: &ShipmentLine, order_line: &OrderLine) -> Self {
        let item = &order_line.item;
        Self {
            line_id: line.line_id.to_string(),
            sku: item.sku.clone(),
            variant_sku: item.variant_sku.clone(),
            size_sku: item.size_sku.clone(),
            name: item.name.clone(),
            variant: item.variant.clone(),
            size: item.size.clone(),
            ean: item.ean.clone(),
            upc: item.upc.clone(),
            qty: line.qty,
            original_price: order_line.original_price,
            price: order_line.price,
            weight: item.weight,
            weight_unit: item.weight_unit.clone(),
            country_of_origin: item.country_of_origin.clone(),
            harm_code: item.harm_code.clone(),
            comment: order_line.comment.clone(),
            warehouses: vec![ShipmentWarehouse {
                name: WAREHOUSE_NAME.into(),
                item_qty: line.qty.to_string(),
            }],
            is_bundle: order_line.bundle.is_bundle(),
            is_part_of_bundle: order_line.bundle.part_of(),
            bundle: None,
        }
    }
}

/// `itemQty` is a string in every shipment example (`"itemQty": "1"`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentWarehouse {
    name: String,
    item_qty: String,
}

impl ApiShipment {
    pub fn new(store: &Store, shipment: &Shipment, clock: &StoreClock) -> Option<Self> {
        let order = store.orders.get(&shipment.order_id)?;
        let mut products = Vec::with_capacity(shipment.lines.len());
        let (mut total, mut tax) = (0.0, 0.0);
        let shipped: Vec<(&ShipmentLine, &OrderLine)> = shipment
            .lines
            .iter()
            .filter_map(|line| order.line(line.order_line_id).map(|o| (line, o)))
            .collect();
        for &(line, order_line) in &shipped {
            total += order_line.price * line.qty as f64;
            tax += order_line.unit_tax() * line.qty as f64;
            let mut api_line = ApiShipmentLine::new(line, order_line);
            if let BundleRole::Bundle(id) = order_line.bundle {
                api_line.bundle = Some(
                    shipped
                        .iter()
                        .filter(|(_, part)| part.bundle == BundleRole::Part(id))
                        .map(|&(l, part)| ApiShipmentLine::new(l, part))
                        .collect(),
                );
            }
            products.push(api_line);
        }
        let date = clock.format(order.created);
        let tax = cents(tax);
        Some(Self {
            order_id: order.order_id.to_string(),
            selection_id: order.selection_id.clone(),
            order_date: date.clone(),
            cancel_date: "0000-00-00 00:00:00".into(),
            preferred_delivery_date: date.clone(),
            estimated_delivery_date: date,
            order_store: "retail".into(),
            order_currency: order.currency.clone(),
            shipment_id: shipment.number.clone(),
            customer_id: order.customer_id.to_string(),
            account_id: "0".into(),
            billing: (&order.billing).into(),
            delivery: (&order.delivery).into(),
            billing_vat: order.billing_vat.clone(),
            po_number: String::new(),
            shipping_list: order.shipping_list.clone(),
            shipping_terms: Terms {
                id: 1,
                name: "Standard".into(),
                description: "Standard shipping terms".into(),
            },
            payment_terms: Terms {
                id: 1,
                name: "Prepaid".into(),
                description: "Paid at checkout".into(),
            },
            proforma: document_url("proforma", &shipment.number),
            delivery_note: document_url("delnote", &shipment.number),
            default_carrier: shipment.carrier.clone(),
            delivery_service: shipment.service.clone(),
            // [I] Not explained on REF/107; the shipment's creation time.
            shipment_date: clock.format(shipment.created),
            tracking_number: shipment.tracking.clone(),
            tracking_url: String::new(),
            return_slip_tracking: shipment.return_slip_tracking.clone(),
            invoices: shipment
                .paid
                .then(|| vec![document_url("invoice", &shipment.number)]),
            suspect: 0,
            hold: 0,
            paid: u8::from(shipment.paid),
            should_capture: u8::from(shipment.should_capture),
            shipping_value: order.shipping_value,
            voucher_value: 0.0,
            grand_total_value: cents(total + order.shipping_value),
            grand_total_tax_value: tax,
            tax_added: 0.0,
            tax_deducted: 0.0,
            internal_comment: shipment.internal_comment.clone(),
            other_comment: String::new(),
            tax_breakdown: vec![TaxBreakdown {
                description: "VAT".into(),
                tax_percent: order.tax_percent(),
                value: tax,
            }],
            products,
        })
    }
}

/// `GET /shipments?status&limit&offset&order&newer_than&older_than`: a snapshot (not a queue),
/// oldest first. `status=inprogress|completed` need `limit` 1..100 (REF/107).
pub async fn list(State(sim): State<SharedSim>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let status = match params.get("status") {
        None => ShipmentStatus::GoodToGo,
        Some(raw) => match ShipmentStatus::parse(raw) {
            Some(status) => status,
            // [I] wording not documented.
            None => return no(format!("invalid status: {raw:?}"), Value::Null),
        },
    };
    let filters = (|| {
        Ok::<_, No>((
            params.number("limit")?,
            params.number("offset")?,
            params.number("order")?,
            Window::from(&params, &sim.clock)?,
        ))
    })();
    let (limit, offset, order_id, window) = match filters {
        Ok(f) => f,
        Err(refusal) => return refusal.into_response(),
    };
    if status != ShipmentStatus::GoodToGo && !limit.is_some_and(|l| (1..=100).contains(&l)) {
        // [I] REF/107 requires it; the refusal wording is not documented.
        return no(
            "limit must be between 1 and 100 for status inprogress and completed",
            Value::Null,
        );
    }
    let shipments: Vec<ApiShipment> = sim.read(|store| {
        let mut matching: Vec<&Shipment> = store
            .shipments
            .values()
            .filter(|s| status.matches(s))
            .filter(|s| order_id.is_none_or(|id| s.order_id == id))
            .filter(|s| window.contains(s.created))
            .collect();
        matching.sort_by_key(|s| (s.created, s.id));
        offset_page(matching, limit, offset)
            .into_iter()
            .filter_map(|s| ApiShipment::new(store, s, &sim.clock))
            .collect()
    });
    ok(json!({ "shipments": shipments }))
}

/// `GET /shipment/{id}` (GET1) and `GET /shipments/{id}` ([I] whether Centra serves the plural
/// form too is not documented; both are served). The answer is `shipments[]` with one element.
/// [I] GET1 lists `status`, `newer_than`, `older_than` as parameters; they filter here, but
/// without `status` any state matches, so a completed shipment can still be read.
pub async fn one(
    State(sim): State<SharedSim>,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    let status = match params.get("status").map(ShipmentStatus::parse) {
        None => None,
        Some(Some(status)) => Some(status),
        Some(None) => return no("invalid status", Value::Null),
    };
    let window = match Window::from(&params, &sim.clock) {
        Ok(w) => w,
        Err(refusal) => return refusal.into_response(),
    };
    let found: Vec<ApiShipment> = sim.read(|store| {
        store
            .shipment_by_number(&number)
            .filter(|s| status.is_none_or(|st| st.matches(s)))
            .filter(|s| window.contains(s.created))
            .and_then(|s| ApiShipment::new(store, s, &sim.clock))
            .into_iter()
            .collect()
    });
    ok(json!({ "shipments": found }))
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    gtg: Option<Flag>,
    products: Option<Map<String, Value>>,
}

/// `PUT /shipments/{id}`: `{"gtg": 1, "products": {"<order line id>": qty | {"serialNumber",
/// "qty"}}}`. Answers the whole shipment.
pub async fn update(
    State(sim): State<SharedSim>,
    Path(number): Path<String>,
    body: Bytes,
) -> Response {
    let body: UpdateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let mut changes = Vec::new();
    for (key, value) in body.products.unwrap_or_default() {
        let (qty, serial_number) = match &value {
            Value::Object(entry) => (
                entry.get("qty").and_then(count_of),
                entry
                    .get("serialNumber")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            other => (count_of(other), None),
        };
        let Some(qty) = qty else {
            return no(
                format!("invalid quantity for line {key}"),
                json!({ "shipment": number }),
            );
        };
        changes.push(QuantityChange {
            order_line_key: key,
            qty,
            serial_number,
        });
    }
    let outcome = sim.mutate(|store, _now| {
        store
            .update_shipment(&number, body.gtg.map(|f| f.0), &changes)
            .map(|id| {
                store
                    .shipments
                    .get(&id)
                    .and_then(|s| ApiShipment::new(store, s, &sim.clock))
            })
    });
    match outcome {
        Ok(shipment) => ok(json!({ "shipment": shipment })),
        Err(refusal) => no(refusal.msg, json!({ "shipment": number })),
    }
}
