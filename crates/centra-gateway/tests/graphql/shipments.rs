//! Shipments through the GraphQL client: paged reads, typed refusals, capture outcomes.

use centra_gateway::client_graphql::{
    Capture, Completion, GraphqlErrorKind, NewShipment, ShipmentQuery,
};
use serde_json::{Value, json};

use crate::server::{FakeCentra, Reply, TOKEN};

fn shipment(id: i64, number: &str, quantity: &Value) -> Value {
    json!({
        "__typename": "DirectToConsumerShipment",
        "id": id,
        "number": number,
        "createdAt": "2024-04-03T10:15:00+02:00",
        "isGoodToGo": true,
        "isShipped": false,
        "isPaid": true,
        "isCaptured": false,
        "shippedAt": null,
        "trackingNumber": null,
        "order": {"id": "a1b2", "number": 1001},
        "lines": [{
            "id": 7,
            "quantity": quantity,
            "orderLine": {"id": 70, "productSize": {"id": 700, "SKU": "OXS001-BLK-M", "EAN": "7350000000017"}}
        }]
    })
}

#[tokio::test]
async fn pages_are_read_with_bearer_auth_and_one_bad_shipment_is_named_alone() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "ShipmentsPage",
        Reply::data(json!({"shipments": [
            shipment(1, "1001-1", &json!(2)),
            shipment(2, "1002-1", &json!("two")),
        ]})),
    );
    centra.reply(
        "ShipmentsPage",
        Reply::data(json!({"shipments": [shipment(3, "1003-1", &json!(1))]})),
    );
    let client = centra.client();
    assert!(
        !format!("{client:?}").contains(TOKEN),
        "the token never prints"
    );
    let query = ShipmentQuery {
        good_to_go: Some(true),
        shipped: Some(false),
        ..ShipmentQuery::default()
    };
    let all = client.shipments(&query).await.expect("read");
    assert_eq!(
        all.len(),
        3,
        "two pages: a full one (page size 2), then a short one"
    );
    let first = all[0].as_ref().expect("first");
    assert_eq!(first.number, "1001-1");
    assert_eq!(first.order_number, 1001);
    assert_eq!(first.lines[0].quantity, 2);
    assert_eq!(first.lines[0].sku.as_deref(), Some("OXS001-BLK-M"));
    assert_eq!(first.created_at.to_rfc3339(), "2024-04-03T08:15:00+00:00");
    let bad = all[1].as_ref().expect_err("a quantity in words");
    assert_eq!(bad.object, "shipment 1002-1");
    assert_eq!(bad.field, "lines[0].quantity");
    assert!(all[2].is_ok(), "the next page still read");

    let seen = centra.seen();
    let pages: Vec<_> = seen
        .iter()
        .filter(|s| s.operation == "ShipmentsPage")
        .collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        pages[0].body["variables"],
        json!({"where": {"isGoodToGo": true, "isShipped": false}, "limit": 2, "page": 1}),
        "unset filters are left out, not sent as null"
    );
    assert_eq!(pages[1].body["variables"]["page"], json!(2));
    assert!(
        pages[0].body["query"]
            .as_str()
            .is_some_and(|q| q.contains("shipments(where: $where, limit: $limit, page: $page)")),
        "the operation text from graphql/operations/shipments.graphql"
    );
    assert_eq!(
        seen[0].operation, "RateLimits",
        "the buckets are read before the first call"
    );
}

#[tokio::test]
async fn user_errors_are_a_refusal_naming_the_record_and_each_field() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "CompleteShipment",
        Reply::data(json!({"completeShipment": {
            "shipment": null,
            "userErrors": [
                {"message": "Shipment must be paid", "path": ["id"]},
                {"message": "Date cannot be in the future", "path": ["input", "shippedAt"]}
            ],
            "userWarnings": []
        }})),
    );
    let client = centra.client();
    let error = client
        .complete_shipment(
            17,
            &Completion {
                tracking_number: Some("JJD0001".to_owned()),
                carrier: Some("DHL".to_owned()),
                send_email: true,
                ..Completion::default()
            },
        )
        .await
        .expect_err("refused");
    assert!(!error.is_retryable());
    let refusal = error.refusal().expect("a refusal");
    assert_eq!(refusal.record, "shipment 17");
    assert_eq!(refusal.problems[1].field(), "input.shippedAt");
    assert_eq!(
        refusal.to_string(),
        "shipment 17: id: Shipment must be paid; input.shippedAt: Date cannot be in the future"
    );
    let sent = centra
        .seen()
        .into_iter()
        .find(|s| s.operation == "CompleteShipment")
        .expect("sent");
    assert_eq!(
        sent.body["variables"]["input"]["shipmentInfo"],
        json!({"carrier": "DHL", "trackingNumber": "JJD0001"})
    );
    assert_eq!(
        centra
            .operations()
            .iter()
            .filter(|o| *o == "CompleteShipment")
            .count(),
        1,
        "a refusal is not sent again"
    );
}

#[tokio::test]
async fn a_pending_capture_is_not_yet_captured() {
    let capture = |status: &str, entry: &str, captured: bool| {
        Reply::data(json!({"captureShipment": {
            "shipment": {"__typename": "DirectToConsumerShipment", "id": 17, "isPaid": captured, "isCaptured": captured},
            "paymentHistoryEntry": {"id": 5, "status": status, "entryType": entry},
            "userErrors": [],
            "userWarnings": []
        }}))
    };
    let cases = [
        (
            capture("PENDING", "CAPTURE_REQUEST", false),
            Capture::Pending {
                entry: "CAPTURE_REQUEST".to_owned(),
            },
        ),
        (
            capture("SUCCESS", "CAPTURE_REQUEST", false),
            Capture::Pending {
                entry: "CAPTURE_REQUEST".to_owned(),
            },
        ),
        (capture("SUCCESS", "CAPTURE", true), Capture::Captured),
        (
            capture("FAILED", "CAPTURE_FAILED", false),
            Capture::Declined {
                entry: "CAPTURE_FAILED".to_owned(),
            },
        ),
        (
            Reply::data(json!({"captureShipment": {
                "shipment": {"__typename": "DirectToConsumerShipment", "id": 17, "isPaid": false, "isCaptured": false},
                "paymentHistoryEntry": null, "userErrors": [], "userWarnings": []
            }})),
            Capture::Pending {
                entry: "none".to_owned(),
            },
        ),
    ];
    for (reply, expected) in cases {
        let centra = FakeCentra::start().await;
        centra.reply("CaptureShipment", reply);
        let outcome = centra
            .client()
            .capture_shipment(17)
            .await
            .expect("answered");
        assert_eq!(outcome, expected);
    }
}

#[tokio::test]
async fn a_created_shipment_is_read_back_and_its_lines_are_sent_as_documented() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "CreateShipment",
        Reply::data(json!({"createShipment": {
            "shipment": shipment(9, "1001-2", &json!(1)),
            "userErrors": [],
            "userWarnings": [{"message": "Capture failed: declined", "path": ["input", "capture"]}]
        }})),
    );
    let created = centra
        .client()
        .create_shipment(&NewShipment {
            order_number: 1001,
            lines: vec![(70, 1)],
            good_to_go: true,
            capture: true,
        })
        .await
        .expect("created; a warning is logged, not an error");
    assert_eq!(created.id, 9);
    let sent = centra
        .seen()
        .into_iter()
        .find(|s| s.operation == "CreateShipment")
        .expect("sent");
    let input = &sent.body["variables"]["input"];
    assert_eq!(input["order"], json!({"number": 1001}));
    assert_eq!(
        input["lines"],
        json!([{"orderLine": {"id": 70}, "quantity": 1}])
    );
    assert_eq!(input["capture"], json!(true));
}

#[tokio::test]
async fn a_missing_permission_is_a_credentials_error_and_never_retried() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "CaptureShipment",
        Reply::status(
            200,
            json!({
                "data": null,
                "errors": [{"message": "Missing permission: Shipment:write", "extensions": {"category": "authorization"}}],
                "extensions": {"complexity": 0, "permissionsUsed": []}
            }),
        ),
    );
    let error = centra
        .client()
        .capture_shipment(17)
        .await
        .expect_err("no permission");
    assert!(error.is_not_authorized(), "{error}");
    assert!(!error.is_retryable());
    assert!(
        matches!(&error.kind, GraphqlErrorKind::NotAuthorized(m) if m.contains("Shipment:write")),
        "{error}"
    );
    centra.reply(
        "ShipmentsPage",
        Reply::status(401, json!({"errors": [{"message": "Invalid token"}]})),
    );
    let error = centra
        .client()
        .shipments_page(&ShipmentQuery::default(), 1)
        .await
        .expect_err("refused token");
    assert!(error.is_not_authorized(), "{error}");
    assert_eq!(
        centra
            .operations()
            .iter()
            .filter(|o| *o == "ShipmentsPage")
            .count(),
        1,
        "a refused token is not tried again"
    );
    assert!(!error.to_string().contains(TOKEN));
}
