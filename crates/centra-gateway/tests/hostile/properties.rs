//! Properties of the Order API record readers and the webhook signature check, over arbitrary
//! JSON and arbitrary mutations of a valid record (proptest, stable toolchain; 64 to 256
//! cases each, so the suite runs in seconds).
//!
//! Readers: never panic; a refusal names the record (`shipment 83651-1`, or its position) and
//! the field that was changed; every line read is within `domain::line_quantity`'s bounds.
//! Signatures: no header made without the secret verifies, and a valid signature with any one
//! byte of the body changed never does.

use centra_gateway::client::{CentraOrder, CentraProductRow, CentraShipment, PayloadError};
use centra_gateway::signature::{REPLAY_WINDOW, SignatureError, sign, verify};
use domain::Secret;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Stockholm;

const SHIPMENT_FIELDS: &[&str] = &[
    "shipmentId",
    "orderId",
    "paid",
    "shouldCapture",
    "hold",
    "suspect",
    "orderCurrency",
    "orderDate",
    "shipmentDate",
    "deliveryName",
    "deliveryCountry",
    "defaultCarrier",
    "deliveryService",
    "trackingNumber",
    "products",
];
const LINE_FIELDS: &[&str] = &[
    "lineId",
    "qty",
    "sku",
    "ean",
    "price",
    "isBundle",
    "isPartOfBundle",
    "name",
];
const ORDER_FIELDS: &[&str] = &[
    "orderId",
    "orderStatus",
    "hold",
    "waitingForPayment",
    "orderDate",
    "deliveryName",
    "products",
];
const PRODUCT_FIELDS: &[&str] = &[
    "productId",
    "stockItemId",
    "prices",
    "weightUnit",
    "active",
    "weight",
    "name",
    "ean",
];

fn shipment() -> Value {
    json!({
        "shipmentId": "83651-1", "orderId": "83651", "paid": 1, "shouldCapture": "0",
        "hold": false, "suspect": 0, "orderCurrency": "EUR", "orderDate": "2024-05-01 10:00:00",
        "shipmentDate": "", "deliveryName": "Astrid Lind", "deliveryCountry": "SE",
        "defaultCarrier": "PostNord", "deliveryService": "MyPack", "trackingNumber": "",
        "products": [{"lineId": "1", "qty": "2", "sku": "HJ100", "ean": "7350000000011",
                      "price": "149.00", "isBundle": false, "name": "Harbour Jacket"}]
    })
}

fn order() -> Value {
    json!({
        "orderId": "83651", "orderStatus": "Confirmed", "hold": 0, "waitingForPayment": "0",
        "orderDate": "2024-05-01 10:00:00", "deliveryName": "Astrid Lind",
        "products": [{"lineId": "1", "qty": 2, "sku": "HJ100"}]
    })
}

fn product_row() -> Value {
    json!({
        "productId": "7001", "stockItemId": "9001", "name": "Harbour Jacket", "ean": "735",
        "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}],
        "weightUnit": "kg", "active": 1, "weight": 0.85
    })
}

/// Any JSON value, with keys that are often the readers' own field names.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        ".{0,12}".prop_map(Value::from),
        "-?[0-9]{1,12}(\\.[0-9])?(-[0-9]{1,3})?".prop_map(Value::from),
    ];
    let key = prop_oneof![
        prop::sample::select(SHIPMENT_FIELDS).prop_map(str::to_owned),
        prop::sample::select(LINE_FIELDS).prop_map(str::to_owned),
        "[a-zA-Z]{1,10}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A refusal of the shipment record after `field` changed: it names that field of the
/// shipment (or of a line, when the products changed), or `orderId` when a changed but valid
/// shipment id no longer matches it.
fn names_the_shipment_field(error: &PayloadError, field: &str) -> bool {
    let of_shipment = error.object == "shipment 83651-1" || error.object.starts_with("pos");
    match field {
        "products" => {
            (of_shipment && error.field == "products")
                || error.object.starts_with("shipment 83651-1 products[")
        }
        "shipmentId" => {
            (error.object == "pos" && error.field == "shipmentId")
                || (error.object.starts_with("shipment ") && error.field == "orderId")
        }
        _ => of_shipment && error.field == field,
    }
}

fn lines_within_bounds(lines: &[proto::events::v1::ProductLine]) -> bool {
    lines
        .iter()
        .all(|l| (0..=i64::from(domain::MAX_LINE_QUANTITY)).contains(&l.quantity))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_json_is_read_or_refused_by_name(value in any_json()) {
        match CentraShipment::parse(&value, "pos", ZONE) {
            Ok(shipment) => prop_assert!(lines_within_bounds(&shipment.lines)),
            Err(error) => prop_assert!(!error.object.is_empty(), "{error:?}"),
        }
        match CentraOrder::parse(&value, "pos", ZONE) {
            Ok(order) => prop_assert!(lines_within_bounds(&order.lines)),
            Err(error) => prop_assert!(!error.object.is_empty(), "{error:?}"),
        }
        if let Err(error) = CentraProductRow::parse(&value, "pos") {
            prop_assert!(!error.object.is_empty(), "{error:?}");
        }
    }

    #[test]
    fn a_changed_shipment_field_is_read_or_refused_naming_it(
        field in prop::sample::select(SHIPMENT_FIELDS),
        value in any_json(),
    ) {
        let mut raw = shipment();
        raw[field] = value;
        match CentraShipment::parse(&raw, "pos", ZONE) {
            Ok(shipment) => prop_assert!(lines_within_bounds(&shipment.lines)),
            Err(error) => prop_assert!(names_the_shipment_field(&error, field), "{field}: {error:?}"),
        }
    }

    #[test]
    fn a_changed_line_field_is_read_or_refused_naming_it(
        field in prop::sample::select(LINE_FIELDS),
        value in any_json(),
    ) {
        let mut raw = shipment();
        raw["products"][0][field] = value;
        match CentraShipment::parse(&raw, "pos", ZONE) {
            Ok(shipment) => prop_assert!(lines_within_bounds(&shipment.lines)),
            Err(error) => prop_assert!(
                error.object == "shipment 83651-1 products[0]" && error.field == field,
                "{field}: {error:?}"
            ),
        }
    }

    #[test]
    fn any_quantity_is_within_bounds_or_refused(qty in any::<i64>()) {
        let mut raw = shipment();
        raw["products"][0]["qty"] = json!(qty);
        let result = CentraShipment::parse(&raw, "pos", ZONE);
        prop_assert_eq!(result.is_ok(), domain::line_quantity(qty).is_ok(), "{:?}", result);
        if let Err(error) = result {
            prop_assert_eq!(error.field, "qty");
        }
    }

    #[test]
    fn a_changed_order_field_is_read_or_refused_naming_it(
        field in prop::sample::select(ORDER_FIELDS),
        value in any_json(),
    ) {
        let mut raw = order();
        raw[field] = value;
        match CentraOrder::parse(&raw, "pos", ZONE) {
            Ok(order) => prop_assert!(lines_within_bounds(&order.lines)),
            Err(error) => prop_assert!(
                error.field == field || error.object.starts_with("order 83651 products["),
                "{field}: {error:?}"
            ),
        }
    }

    #[test]
    fn a_changed_product_field_is_read_or_refused_naming_it(
        field in prop::sample::select(PRODUCT_FIELDS),
        value in any_json(),
    ) {
        let mut raw = product_row();
        raw[field] = value;
        if let Err(error) = CentraProductRow::parse(&raw, "pos") {
            prop_assert!(
                error.field == field || (field == "prices" && error.field.starts_with("prices[")),
                "{field}: {error:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_header_made_without_the_secret_verifies(
        header in prop::option::of(".{0,200}"),
        forged_mac in "[0-9a-f]{64}",
        body in prop::collection::vec(any::<u8>(), 0..512),
        now in 0i64..4_000_000_000,
    ) {
        let secret = Secret::new("webhook-endpoint-secret");
        prop_assert!(verify(&secret, header.as_deref(), &body, now, REPLAY_WINDOW).is_err());
        let forged = format!("t={now},v1={forged_mac}");
        prop_assert_eq!(
            verify(&secret, Some(&forged), &body, now, REPLAY_WINDOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_valid_signature_with_any_one_body_byte_changed_never_verifies(
        body in prop::collection::vec(any::<u8>(), 1..512),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        other_secret in ".{1,40}",
        now in 0i64..4_000_000_000,
    ) {
        let secret = Secret::new("webhook-endpoint-secret");
        let header = format!("t={now},v1={}", sign(&secret, &now.to_string(), &body));
        prop_assert_eq!(verify(&secret, Some(&header), &body, now, REPLAY_WINDOW), Ok(()));
        let mut changed = body.clone();
        changed[index.index(body.len())] ^= flip;
        prop_assert_eq!(
            verify(&secret, Some(&header), &changed, now, REPLAY_WINDOW),
            Err(SignatureError::Mismatch)
        );
        if other_secret != "webhook-endpoint-secret" {
            prop_assert_eq!(
                verify(&Secret::new(other_secret), Some(&header), &body, now, REPLAY_WINDOW),
                Err(SignatureError::Mismatch)
            );
        }
    }
}
