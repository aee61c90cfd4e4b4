//! Supplier deliveries in the contract suite, through the adapter under test (see the parent
//! module): a pending delivery is published once with its lines, accepted once (an accepted one
//! is `already_done`), and a receipt that is not the delivery: the Order API accepts it and
//! leaves a follow-up delivery for the units not received (REF/506); the Integration API's
//! accept takes no quantities (centra.dev/graphql/purchaseorderdeliveryacceptinput.html), so
//! the gateway refuses it naming each product and the delivery stays pending.

use centra_gateway::commands::CommandError;
use centra_gateway::detect::poll_deliveries;
use prost::Message;
use proto::centra::v1::{AcceptSupplierDeliveryRequest, AcceptedQuantity, ProductKeyKind};
use proto::events::v1::SupplierDeliveryCreated;
use serde_json::{Value, json};

use super::{CentraApi, ENDPOINT, Harness, differences, harness, products};

/// Announces a delivery of 4 × size S and 2 × size M of the jacket on supplier order 951.
async fn announce(h: &Harness) -> (String, String) {
    h.control("/products", &products()).await;
    let announced = h
        .control(
            "/supplier-deliveries",
            &json!({"orderId": 951, "supplierName": "Sim Mill", "lines": [
                {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "quantity": 4},
                {"ean": "7350000000028", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "quantity": 2}
            ]}),
        )
        .await;
    (
        announced["id"].as_str().expect("id").to_owned(),
        announced["deliveryId"].as_str().expect("number").to_owned(),
    )
}

fn accept(
    id: &str,
    key: ProductKeyKind,
    quantities: &[(&str, i64)],
) -> AcceptSupplierDeliveryRequest {
    AcceptSupplierDeliveryRequest {
        idempotency_key: format!("contract:{id}:accept"),
        endpoint: ENDPOINT.to_owned(),
        delivery_id: id.to_owned(),
        key_kind: key as i32,
        quantities: quantities
            .iter()
            .map(|(product, quantity)| AcceptedQuantity {
                product: (*product).to_owned(),
                quantity: *quantity,
            })
            .collect(),
        insert_stock: None,
    }
}

/// The simulator's record of the delivery numbered `number`.
async fn delivery(h: &Harness, number: &str) -> Value {
    h.state().await["supplierDeliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .find(|d| d["deliveryId"] == json!(number))
        .cloned()
        .expect("the delivery")
}

/// A pending delivery is published once with its lines, accepted once; accepting it again is
/// `already_done` and changes nothing.
pub(super) async fn a_pending_delivery_is_published_and_accepted_once(api: CentraApi) {
    let h = harness(api).await;
    let (id, number) = announce(&h).await;

    let report = poll_deliveries(&h.store, &h.connection)
        .await
        .expect("polled");
    assert_eq!(
        (report.published, report.dead_lettered),
        (1, 0),
        "{report:?}"
    );
    let payload: Vec<u8> = sqlx::query_scalar("SELECT payload FROM outbox")
        .fetch_one(h.store.pool())
        .await
        .expect("one event");
    let event = SupplierDeliveryCreated::decode(payload.as_slice()).expect("protobuf");
    assert_eq!(event.delivery_id, id);
    assert_eq!(event.delivery_number, number);
    assert_eq!(event.supplier_order_id, "951");
    assert_eq!(event.supplier_name, "Sim Mill");
    let mut lines: Vec<(String, String, i64)> = event
        .lines
        .iter()
        .map(|l| {
            (
                l.ean.clone(),
                format!("{}{}{}", l.sku, l.variant_sku, l.size_sku),
                l.quantity,
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            ("7350000000011".to_owned(), "HJ100NVYS".to_owned(), 4),
            ("7350000000028".to_owned(), "HJ100NVYM".to_owned(), 2)
        ]
    );
    if api == CentraApi::Graphql {
        // Only deliveries into the WMS's warehouse (the one the token sees), as the Order API
        // lists only those into the plugin's "Supplier Delivery Warehouse".
        let calls = h.calls().await;
        let read = |op: &str| {
            calls
                .iter()
                .position(|c| c == &format!("POST /graphql {op}"))
        };
        assert!(
            read("Warehouses").is_some() && read("Warehouses") < read("PurchaseOrderDeliveries"),
            "{calls:?}"
        );
    }
    let again = poll_deliveries(&h.store, &h.connection)
        .await
        .expect("again");
    assert_eq!((again.published, again.unchanged), (0, 1));

    let physical_before = h.stock("HJ100NVYS").await["physical"]
        .as_i64()
        .expect("stock");
    let request = accept(
        &id,
        ProductKeyKind::JoinedSku,
        &[("HJ100NVYM", 2), ("HJ100NVYS", 4)],
    );
    let answer = h
        .commands
        .accept_supplier_delivery(request.clone())
        .await
        .expect("accepted");
    assert!(!answer.already_done);
    assert!(answer.additional_delivery.is_none());
    assert_eq!(delivery(&h, &number).await["acceptCount"], json!(1));
    assert_eq!(
        h.stock("HJ100NVYS").await["physical"].as_i64(),
        Some(physical_before + 4),
        "into stock, the default"
    );

    let again = h
        .commands
        .accept_supplier_delivery(request)
        .await
        .expect("answered");
    assert!(again.already_done);
    assert_eq!(delivery(&h, &number).await["acceptCount"], json!(1));
    let after = poll_deliveries(&h.store, &h.connection)
        .await
        .expect("after");
    assert_eq!(
        after.published, 0,
        "an accepted delivery is no longer listed"
    );
}

/// One unit of size S short. The Order API accepts what came and makes a follow-up delivery for
/// the rest; through GraphQL nothing is accepted, the refusal names the delivery and the product
/// with both quantities, and the delivery stays pending.
pub(super) async fn a_short_receipt(api: CentraApi) {
    let h = harness(api).await;
    let (id, number) = announce(&h).await;
    let request = accept(
        &id,
        ProductKeyKind::Ean,
        &[("7350000000011", 3), ("7350000000028", 2)],
    );
    let result = h.commands.accept_supplier_delivery(request).await;
    if differences(api).delivery_accept_takes_quantities {
        let answer = result.expect("accepted");
        assert!(!answer.already_done);
        assert!(answer.additional_delivery.is_some(), "{answer:?}");
        assert_eq!(delivery(&h, &number).await["acceptCount"], json!(1));
        return;
    }
    let error = result.expect_err("refused");
    assert!(matches!(error, CommandError::ReceiptDiffers(_)), "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!("supplier delivery {id} ({number})")),
        "{text}"
    );
    assert!(
        text.contains("7350000000011: expected 4, received 3"),
        "{text}"
    );
    assert!(!text.contains("7350000000028"), "{text}");
    assert!(
        text.contains("correct the delivery's quantities in AMS"),
        "{text}"
    );
    let status = tonic::Status::from(error);
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert_eq!(
        proto::reasons::refused_record(&status),
        Some((
            Some(format!("supplier delivery {id}")),
            vec!["quantities".to_owned()]
        ))
    );
    assert_eq!(delivery(&h, &number).await["acceptCount"], json!(0));
    assert!(
        !h.calls()
            .await
            .iter()
            .any(|c| c.contains("AcceptPurchaseOrderDelivery")),
        "nothing was sent to accept"
    );
    let standing = h
        .connection
        .delivery_standing(&id)
        .await
        .expect("read")
        .expect("known");
    assert!(standing.pending, "the delivery stays pending");
}
