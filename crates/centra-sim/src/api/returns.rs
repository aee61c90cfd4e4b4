//! Returns (REF/201-203): `POST /return` (singular), `GET /returns` (newest first,
//! `limit`+`page`), `PUT /returns/{id}`. In returns, ids are numbers, except `shipment`.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::envelope::{No, no, ok, parse_body};
use super::lenient::{Decimal, Flag, Text, count_of};
use super::params::{Params, Window};
use crate::app::SharedSim;
use crate::clock::StoreClock;
use crate::state::Store;
use crate::state::returns::Return;
use crate::state::rules::returning::{RETURN_NOT_CREATED, ReturnRequest};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiReturn {
    return_id: u64,
    completed: bool,
    shipment: String,
    shipment_id: u64,
    order_id: u64,
    selection_id: String,
    customer_id: u64,
    date: String,
    market_id: u64,
    pricelist_id: u64,
    return_cost: f64,
    shipping_cost: f64,
    handling_cost: f64,
    voucher_value: f64,
    tax_value: f64,
    tax_deduction: f64,
    currency: String,
    base_currency: String,
    base_currency_rate: f64,
    return_to_stock: bool,
    comment: Option<String>,
    created_from: String,
    products: Vec<ApiReturnLine>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiReturnLine {
    return_line_id: u64,
    shipment_line_id: u64,
    order_line_id: u64,
    product_id: u64,
    variant_id: u64,
    product_name: String,
    product_brand: String,
    variant_name: String,
    size: String,
    sku: String,
    variant_sku: String,
    size_sku: String,
    ean: String,
    upc: String,
    quantity: i64,
    price: f64,
}

impl ApiReturn {
    fn new(store: &Store, ret: &Return, clock: &StoreClock) -> Option<Self> {
        let shipment = store.shipments.get(&ret.shipment_id)?;
        let order = store.orders.get(&shipment.order_id)?;
        let mut tax = 0.0;
        let products = ret
            .lines
            .iter()
            .filter_map(|l| {
                let order_line_id = shipment.line(l.shipment_line_id)?.order_line_id;
                let line = order.line(order_line_id)?;
                tax += line.unit_tax() * l.qty as f64;
                Some(ApiReturnLine {
                    return_line_id: l.return_line_id,
                    shipment_line_id: l.shipment_line_id,
                    order_line_id,
                    product_id: line.item.product_id,
                    variant_id: line.item.variant_id,
                    product_name: line.item.name.clone(),
                    product_brand: line.item.brand.clone(),
                    variant_name: line.item.variant.clone(),
                    size: line.item.size.clone(),
                    sku: line.item.sku.clone(),
                    variant_sku: line.item.variant_sku.clone(),
                    size_sku: line.item.size_sku.clone(),
                    ean: line.item.ean.clone(),
                    upc: line.item.upc.clone(),
                    quantity: l.qty,
                    price: line.price,
                })
            })
            .collect();
        Some(Self {
            return_id: ret.return_id,
            completed: ret.completed,
            shipment: shipment.number.clone(),
            shipment_id: shipment.id,
            order_id: order.order_id,
            selection_id: order.selection_id.clone(),
            customer_id: order.customer_id,
            date: clock.format(ret.created),
            market_id: 1,
            pricelist_id: 1,
            return_cost: ret.return_cost,
            shipping_cost: ret.shipping_cost,
            handling_cost: ret.handling_cost,
            voucher_value: ret.voucher_value,
            tax_value: crate::state::orders::cents(tax),
            tax_deduction: 0.0,
            currency: order.currency.clone(),
            base_currency: order.currency.clone(),
            base_currency_rate: 1.0,
            return_to_stock: ret.return_to_stock,
            comment: ret.comment.clone(),
            created_from: "Order API".into(),
            products,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    shipment: Option<Text>,
    products: Option<Map<String, Value>>,
    return_stock: Option<Flag>,
    comment: Option<String>,
    created_at: Option<String>,
    return_cost: Option<Decimal>,
    shipping_cost: Option<Decimal>,
    handling_cost: Option<Decimal>,
    voucher_value: Option<Decimal>,
    refund: Option<RefundBody>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundBody {
    refund_payment: Option<Flag>,
    #[allow(dead_code)]
    send_email: Option<Flag>,
}

/// `POST /return`: products keyed by **shipment** line id (REF/201).
pub async fn create(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: CreateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(Text(shipment)) = body.shipment else {
        return no(RETURN_NOT_CREATED, Value::Null);
    };
    let created_at = match body.created_at.as_deref().map(|raw| sim.clock.parse(raw)) {
        None => None,
        Some(Ok(at)) => Some(at),
        Some(Err(err)) => return no(format!("invalid createdAt: {err}"), Value::Null),
    };
    let products = body.products.map(|p| {
        p.into_iter()
            .filter_map(|(key, qty)| count_of(&qty).map(|q| (key, q)))
            .collect()
    });
    let refund_payment = body
        .refund
        .and_then(|r| r.refund_payment)
        .is_some_and(|f| f.0);
    let request = ReturnRequest {
        shipment,
        products,
        // [I] "If not provided `Default stock action on return` setting on the store will be
        // used"; the simulated store's setting is "do not return to stock".
        return_stock: body.return_stock.is_some_and(|f| f.0),
        comment: body.comment,
        created_at,
        refund_payment,
        return_cost: body.return_cost.map_or(0.0, |d| d.0),
        shipping_cost: body.shipping_cost.map_or(0.0, |d| d.0),
        handling_cost: body.handling_cost.map_or(0.0, |d| d.0),
        voucher_value: body.voucher_value.map_or(0.0, |d| d.0),
    };
    match sim.mutate(|store, now| store.create_return(&request, now)) {
        Ok(created) => {
            let mut answer = json!({
                "return": created.return_id,
                "returnCompleted": created.completed,
                "returnedItems": created
                    .returned_line_ids
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>(),
            });
            if refund_payment {
                answer["refund"] = json!({ "status": "ok" });
            }
            ok(answer)
        }
        Err(refusal) => no(refusal.msg, Value::Null),
    }
}

/// `GET /returns?limit&page&return&shipment&order&selection&customer_id&newer_than&older_than`,
/// newest first.
pub async fn list(State(sim): State<SharedSim>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let filters = (|| {
        Ok::<_, No>((
            params.number("limit")?,
            params.number("page")?,
            params.number("return")?,
            params.number("order")?,
            params.number("customer_id")?,
            Window::from(&params, &sim.clock)?,
        ))
    })();
    let (limit, page, return_id, order_id, customer_id, window) = match filters {
        Ok(f) => f,
        Err(refusal) => return refusal.into_response(),
    };
    let shipment = params.get("shipment");
    let selection = params.get("selection");
    let returns: Vec<ApiReturn> = sim.read(|store| {
        let mut matching: Vec<(chrono::DateTime<chrono::Utc>, ApiReturn)> = store
            .returns
            .values()
            .filter(|r| return_id.is_none_or(|id| r.return_id == id))
            .filter(|r| window.contains(r.created))
            .filter_map(|r| ApiReturn::new(store, r, &sim.clock).map(|api| (r.created, api)))
            .filter(|(_, api)| shipment.is_none_or(|s| api.shipment == s))
            .filter(|(_, api)| selection.is_none_or(|s| api.selection_id == s))
            .filter(|(_, api)| order_id.is_none_or(|id| api.order_id == id))
            .filter(|(_, api)| customer_id.is_none_or(|id| api.customer_id == id))
            .collect();
        matching.sort_by(|(at_a, a), (at_b, b)| (at_b, b.return_id).cmp(&(at_a, a.return_id)));
        let matching = matching.into_iter().map(|(_, api)| api);
        match limit.filter(|l| *l > 0) {
            Some(limit) => {
                let page = page.unwrap_or(1).max(1);
                let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
                matching
                    .skip(skip)
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .collect()
            }
            None => matching.collect(),
        }
    });
    ok(json!({ "returns": returns }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    completed: Option<Flag>,
    refund_payment: Option<Flag>,
    #[allow(dead_code)]
    send_email: Option<Flag>,
}

/// `PUT /returns/{id}`: `{"completed": true, "refundPayment"?, "sendEmail"?}`.
pub async fn update(
    State(sim): State<SharedSim>,
    Path(return_id): Path<String>,
    body: Bytes,
) -> Response {
    let body: UpdateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let outcome = sim.mutate(|store, _now| {
        store
            .update_return(
                &return_id,
                body.completed.map(|f| f.0),
                body.refund_payment.is_some_and(|f| f.0),
            )
            .map(|id| {
                store
                    .returns
                    .get(&id)
                    .and_then(|r| ApiReturn::new(store, r, &sim.clock))
            })
    });
    match outcome {
        Ok(ret) => ok(json!({ "return": ret })),
        Err(refusal) => no(refusal.msg, Value::Null),
    }
}
