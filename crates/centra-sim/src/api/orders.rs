//! `GET /orders` (REF/104): orders with addresses, totals, payment, shipments and lines.
//! Numbers and ids are strings or numbers exactly where the published example has them.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::addresses::{BillingFields, DeliveryFields, TaxBreakdown};
use super::envelope::{No, ok};
use super::params::{Params, Window, offset_page};
use crate::app::SharedSim;
use crate::clock::StoreClock;
use crate::state::Store;
use crate::state::orders::{BundleRole, Order, OrderLine, cents};

/// REF/104: "Limit amount of orders returned. Default: 20."
const DEFAULT_LIMIT: u64 = 20;
/// What REF/104 prints for a shipment that has not shipped.
const NEVER: &str = "0000-00-00 00:00:00";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiOrder {
    order_id: String,
    order_status: String,
    selection_id: String,
    order_date: String,
    cancel_date: String,
    preferred_delivery_date: String,
    estimated_delivery_date: String,
    order_store: String,
    order_currency: String,
    customer_id: String,
    account_id: String,
    #[serde(flatten)]
    delivery: DeliveryFields,
    #[serde(flatten)]
    billing: BillingFields,
    #[serde(rename = "billingVAT")]
    billing_vat: String,
    po_number: String,
    shipping_list: String,
    suspect: u8,
    internal_order: u8,
    hold: u8,
    waiting_for_payment: u8,
    shipping_value: f64,
    voucher_value: f64,
    grand_total_value: f64,
    grand_total_tax_value: f64,
    tax_added: f64,
    tax_deducted: f64,
    internal_comment: String,
    other_comment: String,
    market_id: u64,
    pricelist_id: u64,
    ip_address: String,
    payment_plugin: String,
    payment_type: String,
    payment_description: String,
    payment_reference: String,
    payment_method: String,
    default_carrier: String,
    shipments: Vec<ApiOrderShipment>,
    total_items_price_tax: f64,
    total_items_price: f64,
    total_items_without_tax: f64,
    tax_breakdown: Vec<TaxBreakdown>,
    products: Vec<ApiOrderLine>,
    total_items_discount: f64,
    discounts: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiOrderShipment {
    shipment_id: String,
    shipped_date: String,
    carrier: String,
    service: String,
    tracking_id: String,
    tracking_url: String,
    return_slip_tracking: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiOrderLine {
    line_id: String,
    sku: String,
    variant_sku: String,
    size_sku: String,
    ean: String,
    upc: String,
    name: String,
    variant: String,
    brand: String,
    size: String,
    qty: i64,
    original_price: f64,
    price: f64,
    weight: f64,
    weight_unit: String,
    country_of_origin: String,
    harm_code: String,
    comment: String,
    other_comment: String,
    tax_percent: f64,
    price_discount: f64,
    price_discount_as_percent: f64,
    tax_value: f64,
    total_tax_value: f64,
    total_price: f64,
    total_price_without_tax: f64,
    total_price_with_tax: f64,
    any_discount: bool,
    price_each_without_tax: f64,
    price_each_reduction: f64,
    /// `itemQty` is a number here and a string in shipments (REF/104 vs REF/107).
    warehouses: Vec<OrderWarehouse>,
    is_bundle: bool,
    /// The bundle a part belongs to (`"217"` in REF/104's example); absent on other lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    is_part_of_bundle: Option<String>,
    /// A bundle line's parts, each as its own line shows it (REF/104).
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<Vec<ApiOrderLine>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderWarehouse {
    name: String,
    item_qty: i64,
}

/// Name of the plugin's warehouse in line `warehouses[]`.
pub const WAREHOUSE_NAME: &str = "Default";

impl ApiOrderLine {
    fn new(line: &OrderLine) -> Self {
        let total = cents(line.price * line.qty as f64);
        let without_tax = line.price_without_tax();
        let discount = cents(line.original_price - line.price).max(0.0);
        Self {
            line_id: line.line_id.to_string(),
            sku: line.item.sku.clone(),
            variant_sku: line.item.variant_sku.clone(),
            size_sku: line.item.size_sku.clone(),
            ean: line.item.ean.clone(),
            upc: line.item.upc.clone(),
            name: line.item.name.clone(),
            variant: line.item.variant.clone(),
            brand: line.item.brand.clone(),
            size: line.item.size.clone(),
            qty: line.qty,
            original_price: line.original_price,
            price: line.price,
            weight: line.item.weight,
            weight_unit: line.item.weight_unit.clone(),
            country_of_origin: line.item.country_of_origin.clone(),
            harm_code: line.item.harm_code.clone(),
            comment: line.comment.clone(),
            other_comment: String::new(),
            tax_percent: line.tax_percent,
            price_discount: discount,
            price_discount_as_percent: if line.original_price > 0.0 {
                cents(discount / line.original_price * 100.0)
            } else {
                0.0
            },
            tax_value: line.unit_tax(),
            total_tax_value: cents(line.unit_tax() * line.qty as f64),
            total_price: total,
            total_price_without_tax: cents(without_tax * line.qty as f64),
            total_price_with_tax: total,
            any_discount: discount > 0.0,
            price_each_without_tax: without_tax,
            price_each_reduction: discount,
            warehouses: vec![OrderWarehouse {
                name: WAREHOUSE_NAME.into(),
                item_qty: line.qty,
            }],
            is_bundle: line.bundle.is_bundle(),
            is_part_of_bundle: line.bundle.part_of(),
            bundle: None,
        }
    }

    /// A line of `order`, a bundle line with its parts under `bundle[]`.
    fn of(order: &Order, line: &OrderLine) -> Self {
        let mut api_line = Self::new(line);
        if let BundleRole::Bundle(id) = line.bundle {
            api_line.bundle = Some(order.parts_of(id).map(Self::new).collect());
        }
        api_line
    }
}

/// [I] `orderStatus` values are not listed on REF/104; these are the plugin setting names.
pub fn order_status(store: &Store, order: &Order) -> &'static str {
    let mut shipments = store.shipments_of(order.order_id).peekable();
    if shipments.peek().is_none() {
        return "Confirmed";
    }
    if shipments.all(|s| s.is_completed()) {
        "Completed"
    } else {
        "Processing"
    }
}

impl ApiOrder {
    pub fn new(store: &Store, order: &Order, clock: &StoreClock) -> Self {
        let date = clock.format(order.created);
        let items_total = order.items_total();
        let items_tax = order.items_tax();
        let shipments = store
            .shipments_of(order.order_id)
            .map(|s| ApiOrderShipment {
                shipment_id: s.number.clone(),
                shipped_date: s
                    .shipped_at
                    .map_or_else(|| NEVER.to_owned(), |t| clock.format(t)),
                carrier: s.carrier.clone(),
                service: s.service.clone(),
                tracking_id: s.tracking.clone(),
                tracking_url: String::new(),
                return_slip_tracking: s.return_slip_tracking.clone(),
            })
            .collect();
        Self {
            order_id: order.order_id.to_string(),
            order_status: order_status(store, order).into(),
            selection_id: order.selection_id.clone(),
            order_date: date.clone(),
            cancel_date: NEVER.into(),
            preferred_delivery_date: date.clone(),
            estimated_delivery_date: date,
            order_store: "retail".into(),
            order_currency: order.currency.clone(),
            customer_id: order.customer_id.to_string(),
            account_id: "0".into(),
            delivery: (&order.delivery).into(),
            billing: (&order.billing).into(),
            billing_vat: order.billing_vat.clone(),
            po_number: String::new(),
            shipping_list: order.shipping_list.clone(),
            suspect: 0,
            internal_order: 0,
            hold: 0,
            waiting_for_payment: u8::from(!order.paid && !order.should_capture),
            shipping_value: order.shipping_value,
            voucher_value: 0.0,
            grand_total_value: cents(items_total + order.shipping_value),
            grand_total_tax_value: items_tax,
            tax_added: 0.0,
            tax_deducted: 0.0,
            internal_comment: order.internal_comment.clone(),
            other_comment: String::new(),
            market_id: 1,
            pricelist_id: 1,
            ip_address: "127.0.0.1".into(),
            payment_plugin: "centra-sim".into(),
            payment_type: if order.paid { "prepaid" } else { "3rd" }.into(),
            payment_description: order.payment_method.clone(),
            payment_reference: format!("sim-{}", order.order_id),
            payment_method: order.payment_method.clone(),
            default_carrier: order.carrier.clone(),
            shipments,
            total_items_price_tax: items_tax,
            total_items_price: items_total,
            total_items_without_tax: cents(items_total - items_tax),
            tax_breakdown: vec![TaxBreakdown {
                description: "VAT".into(),
                tax_percent: order.tax_percent(),
                value: items_tax,
            }],
            products: order
                .lines
                .iter()
                .map(|l| ApiOrderLine::of(order, l))
                .collect(),
            total_items_discount: 0.0,
            discounts: json!({
                "anyDiscount": false,
                "discount": format!("0.00 {}", order.currency),
                "discountAsNumber": 0,
                "vouchers": [],
                "automaticDiscounts": [],
            }),
        }
    }
}

/// `GET /orders?limit&offset&order&customer_id&newer_than&older_than`, oldest first.
pub async fn list(State(sim): State<SharedSim>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let filters = (|| {
        Ok::<_, No>((
            params.number("limit")?,
            params.number("offset")?,
            params.number("order")?,
            params.number("customer_id")?,
            Window::from(&params, &sim.clock)?,
        ))
    })();
    let (limit, offset, order_id, customer_id, window) = match filters {
        Ok(f) => f,
        Err(refusal) => return refusal.into_response(),
    };
    let orders: Vec<ApiOrder> = sim.read(|store| {
        let mut matching: Vec<&Order> = store
            .orders
            .values()
            .filter(|o| order_id.is_none_or(|id| o.order_id == id))
            .filter(|o| customer_id.is_none_or(|id| o.customer_id == id))
            .filter(|o| window.contains(o.created))
            .collect();
        matching.sort_by_key(|o| (o.created, o.order_id));
        offset_page(matching, Some(limit.unwrap_or(DEFAULT_LIMIT)), offset)
            .into_iter()
            .map(|o| ApiOrder::new(store, o, &sim.clock))
            .collect()
    });
    ok(json!({ "orders": orders }))
}
