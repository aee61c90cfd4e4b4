//! The commands against the simulator: each effect happens once, repeats answer `already_done`.

use centra_gateway::commands::CommandError;
use proto::centra::v1::{
    AcceptSupplierDeliveryRequest, AcceptedQuantity, CaptureShipmentRequest,
    CompleteShipmentRequest, CreateReturnRequest, GetShipmentRequest, LineQuantity,
    ListProductsRequest, ProductKeyKind, ReturnLine, SetStockRequest, ShipmentStatus, StockLevel,
    TestConnectionRequest, UpdateShipmentQuantitiesRequest,
};
use serde_json::{Value, json};

use crate::harness::{ENDPOINT, TestApp, spawn_app};

pub fn complete_request(shipment_id: &str, capture: Option<bool>) -> CompleteShipmentRequest {
    CompleteShipmentRequest {
        idempotency_key: format!("complete:{shipment_id}"),
        endpoint: ENDPOINT.to_owned(),
        order_id: String::new(),
        shipment_id: shipment_id.to_owned(),
        capture,
        carrier: "PostNord".to_owned(),
        service: "MyPack".to_owned(),
        tracking_numbers: vec!["TRACK1".to_owned(), "TRACK2".to_owned()],
        packages: 2,
        return_slip_tracking: String::new(),
        send_email: Some(false),
        internal_comment: "shipped by the warehouse".to_owned(),
    }
}

fn calls_to(requests: &[Value], method: &str, suffix: &str) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r["method"] == json!(method))
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .cloned()
        .collect()
}

#[tokio::test]
async fn complete_sends_capture_false_explicitly_and_is_idempotent() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;

    let first = app
        .commands
        .complete_shipment(complete_request(&shipment_id, Some(false)))
        .await
        .expect("completed");
    assert!(!first.already_done);
    let second = app
        .commands
        .complete_shipment(complete_request(&shipment_id, Some(false)))
        .await
        .expect("completed again");
    assert!(second.already_done);

    let shipment = app.sim_shipment(&shipment_id).await;
    assert_eq!(shipment["completed"], json!(true));
    assert_eq!(shipment["completeCount"], json!(1));
    assert_eq!(shipment["tracking"], json!("TRACK1,TRACK2"));
    let puts = calls_to(&app.requests().await, "PUT", "/shipment");
    assert_eq!(
        puts[0]["body"]["capture"],
        json!(false),
        "capture sent: {}",
        puts[0]
    );
}

#[tokio::test]
async fn complete_without_a_capture_value_is_rejected_before_calling_centra() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    let error = app
        .commands
        .complete_shipment(complete_request(&shipment_id, None))
        .await
        .expect_err("rejected");
    assert!(
        matches!(&error, CommandError::InvalidArgument { field, .. } if field == "capture"),
        "{error}"
    );
    assert_eq!(
        tonic::Status::from(error).code(),
        tonic::Code::InvalidArgument
    );
    assert!(calls_to(&app.requests().await, "PUT", "/shipment").is_empty());
}

#[tokio::test]
async fn complete_with_capture_charges_an_unpaid_shipment_once() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    app.commands
        .complete_shipment(complete_request(&shipment_id, Some(true)))
        .await
        .expect("completed");
    let shipment = app.sim_shipment(&shipment_id).await;
    assert_eq!(shipment["captureCount"], json!(1));
    assert_eq!(shipment["completeCount"], json!(1));
}

#[tokio::test]
async fn capture_checks_paid_first_and_reports_already_done() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let request = CaptureShipmentRequest {
        idempotency_key: "k".into(),
        endpoint: ENDPOINT.into(),
        shipment_id: shipment_id.clone(),
    };
    let first = app
        .commands
        .capture_shipment(request.clone())
        .await
        .expect("captured");
    assert!(!first.already_done);
    let second = app.commands.capture_shipment(request).await.expect("again");
    assert!(second.already_done);
    assert_eq!(
        app.sim_shipment(&shipment_id).await["captureCount"],
        json!(1)
    );
    assert_eq!(calls_to(&app.requests().await, "PUT", "/capture").len(), 1);
}

#[tokio::test]
async fn a_failed_capture_is_a_failed_precondition() {
    let app = spawn_app().await;
    app.seed_products().await;
    let mut order = crate::harness::order();
    order["order"]["captureFails"] = json!(true);
    let placed = app.control("/orders", &order).await;
    let shipment_id = placed["shipmentId"].as_str().expect("id").to_owned();
    let error = app
        .commands
        .capture_shipment(CaptureShipmentRequest {
            idempotency_key: "k".into(),
            endpoint: ENDPOINT.into(),
            shipment_id,
        })
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("capture failed"), "{error}");
    assert_eq!(
        tonic::Status::from(error).code(),
        tonic::Code::FailedPrecondition
    );
}

#[tokio::test]
async fn updates_quantities_by_shipment_line_and_repeats_as_already_done() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let before = app
        .commands
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.into(),
            shipment_id: shipment_id.clone(),
        })
        .await
        .expect("read")
        .shipment
        .expect("shipment");
    let line_id = before.lines[0].line_id.clone();
    assert_eq!(before.lines[0].quantity, 2);
    let request = UpdateShipmentQuantitiesRequest {
        idempotency_key: "q".into(),
        endpoint: ENDPOINT.into(),
        shipment_id: shipment_id.clone(),
        lines: vec![LineQuantity {
            line_id: line_id.clone(),
            quantity: 1,
        }],
    };
    let first = app
        .commands
        .update_shipment_quantities(request.clone())
        .await
        .expect("updated");
    assert!(!first.already_done);
    let after = first.shipment.expect("shipment");
    let line = after
        .lines
        .iter()
        .find(|l| l.line_id == line_id)
        .expect("line kept");
    assert_eq!(line.quantity, 1);
    let second = app
        .commands
        .update_shipment_quantities(request)
        .await
        .expect("again");
    assert!(second.already_done);
    let sim = app.sim_shipment(&shipment_id).await;
    let quantities: Vec<i64> = sim["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["qty"].as_i64())
        .collect();
    assert_eq!(quantities, vec![1, 1]);

    let unknown = app
        .commands
        .update_shipment_quantities(UpdateShipmentQuantitiesRequest {
            idempotency_key: "q2".into(),
            endpoint: ENDPOINT.into(),
            shipment_id,
            lines: vec![LineQuantity {
                line_id: "no-such-line".into(),
                quantity: 1,
            }],
        })
        .await
        .expect_err("unknown line");
    assert!(
        unknown.to_string().contains("lines[0].line_id"),
        "{unknown}"
    );
}

#[tokio::test]
async fn sets_stock_in_batches_and_reports_unknown_products() {
    let app = spawn_app().await;
    app.seed_products().await;
    let mut levels = vec![
        StockLevel {
            product: "7350000000011".into(),
            quantity: 7,
        },
        StockLevel {
            product: "HJ100NVYM".into(),
            quantity: 4,
        },
    ];
    // Enough unknown products to need a second batch.
    levels.extend((0..120).map(|i| StockLevel {
        product: format!("UNKNOWN-{i}"),
        quantity: 1,
    }));
    let response = app
        .commands
        .set_stock(SetStockRequest {
            idempotency_key: "s".into(),
            endpoint: ENDPOINT.into(),
            levels,
        })
        .await
        .expect("set");
    assert_eq!(response.products_not_found.len(), 120);
    let state = app.state().await;
    let physical = |key: &str| {
        state["stock"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|i| i["key"] == json!(key) || i["ean"] == json!(key))
            })
            .map(|i| i["physical"].clone())
    };
    assert_eq!(physical("7350000000011"), Some(json!(7)));
    assert_eq!(physical("HJ100NVYM"), Some(json!(4)));
    assert_eq!(calls_to(&app.requests().await, "POST", "/stock").len(), 2);
}

async fn announce_delivery(app: &TestApp) -> String {
    let answer = app
        .control(
            "/supplier-deliveries",
            &json!({"orderId": 4401, "supplierName": "Nordic Textiles", "lines": [
                {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "quantity": 20},
                {"ean": "7350000000028", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "quantity": 10}
            ]}),
        )
        .await;
    match &answer["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn accepts_a_supplier_delivery_once() {
    let app = spawn_app().await;
    app.seed_products().await;
    let id = announce_delivery(&app).await;
    let request = AcceptSupplierDeliveryRequest {
        idempotency_key: "a".into(),
        endpoint: ENDPOINT.into(),
        delivery_id: id.clone(),
        key_kind: ProductKeyKind::Ean as i32,
        quantities: vec![
            AcceptedQuantity {
                product: "7350000000011".into(),
                quantity: 20,
            },
            AcceptedQuantity {
                product: "7350000000028".into(),
                quantity: 6,
            },
        ],
        insert_stock: Some(true),
    };
    let first = app
        .commands
        .accept_supplier_delivery(request.clone())
        .await
        .expect("accepted");
    assert!(!first.already_done);
    assert!(
        first.additional_delivery.is_some(),
        "short delivery leaves a remainder"
    );
    let second = app
        .commands
        .accept_supplier_delivery(request)
        .await
        .expect("again");
    assert!(second.already_done);
    let state = app.state().await;
    let delivery = state["supplierDeliveries"]
        .as_array()
        .and_then(|d| {
            d.iter()
                .find(|d| d["id"].to_string().trim_matches('"') == id)
        })
        .cloned()
        .expect("delivery in state");
    assert_eq!(delivery["acceptCount"], json!(1));
}

pub async fn completed_shipment(app: &TestApp) -> (String, Vec<String>) {
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    app.commands
        .complete_shipment(complete_request(&shipment_id, Some(false)))
        .await
        .expect("completed");
    let shipment = app
        .commands
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.into(),
            shipment_id: shipment_id.clone(),
        })
        .await
        .expect("read")
        .shipment
        .expect("shipment");
    assert_eq!(shipment.status, ShipmentStatus::Completed as i32);
    (
        shipment_id,
        shipment.lines.iter().map(|l| l.line_id.clone()).collect(),
    )
}

pub fn return_request(shipment_id: &str, line_id: &str) -> CreateReturnRequest {
    CreateReturnRequest {
        idempotency_key: format!("wms-return-{shipment_id}"),
        endpoint: ENDPOINT.into(),
        shipment_id: shipment_id.to_owned(),
        lines: vec![ReturnLine {
            shipment_line_id: line_id.to_owned(),
            quantity: 1,
        }],
        comment: "too small".into(),
        return_stock: Some(true),
    }
}

#[tokio::test]
async fn creates_a_return_once_per_idempotency_key() {
    let app = spawn_app().await;
    let (shipment_id, lines) = completed_shipment(&app).await;
    let first = app
        .commands
        .create_return(return_request(&shipment_id, &lines[0]))
        .await
        .expect("created");
    assert!(!first.already_done);
    assert_eq!(first.returned_line_ids, vec![lines[0].clone()]);
    let second = app
        .commands
        .create_return(return_request(&shipment_id, &lines[0]))
        .await
        .expect("again");
    assert!(second.already_done);
    assert_eq!(second.return_id, first.return_id);
    assert_eq!(
        app.state().await["returns"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn reads_shipment_status_products_and_connection() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    let shipment = app
        .commands
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.into(),
            shipment_id,
        })
        .await
        .expect("read")
        .shipment
        .expect("shipment");
    assert_eq!(shipment.status, ShipmentStatus::GoodToGo as i32);
    assert!(shipment.paid);

    let first = app
        .commands
        .list_products(ListProductsRequest {
            endpoint: ENDPOINT.into(),
            page_size: 2,
            ..ListProductsRequest::default()
        })
        .await
        .expect("listed");
    assert!(!first.next_page_token.is_empty());
    let second = app
        .commands
        .list_products(ListProductsRequest {
            endpoint: ENDPOINT.into(),
            page_size: 2,
            page_token: first.next_page_token.clone(),
            ..ListProductsRequest::default()
        })
        .await
        .expect("listed");
    assert!(second.next_page_token.is_empty());
    let sizes: usize = first
        .products
        .iter()
        .chain(&second.products)
        .map(|p| p.sizes.len())
        .sum();
    assert_eq!(sizes, 3);

    let ok = app
        .commands
        .test_connection(TestConnectionRequest {
            endpoint: ENDPOINT.into(),
            ..Default::default()
        })
        .await
        .expect("answered");
    assert!(ok.ok, "{}", ok.message);
    let unknown = app
        .commands
        .test_connection(TestConnectionRequest {
            endpoint: "nope".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown end-point");
    assert_eq!(tonic::Status::from(unknown).code(), tonic::Code::NotFound);
}

/// Each requested end-point group is read once; a group the plugin's allow-list refuses is a
/// failed check naming the plugin setting, the others pass; an unknown group is bad input.
#[tokio::test]
async fn connection_checks_each_requested_endpoint_group() {
    use proto::centra::v1::EndpointGroup as Group;
    let app = spawn_app().await;
    app.control(
        "/plugin",
        &serde_json::json!({"deniedGroups": ["PRODUCT & STOCK"]}),
    )
    .await;
    let groups = [
        Group::OrderAndShipment,
        Group::ProductAndStock,
        Group::SupplierDeliveries,
        Group::Returns,
    ];
    let answer = app
        .commands
        .test_connection(TestConnectionRequest {
            endpoint: ENDPOINT.into(),
            groups: groups.iter().map(|g| *g as i32).collect(),
            ..Default::default()
        })
        .await
        .expect("answered");
    assert!(!answer.ok, "{answer:?}");
    let verdicts: Vec<(i32, bool)> = answer.groups.iter().map(|g| (g.group, g.ok)).collect();
    assert_eq!(
        verdicts,
        [
            (Group::OrderAndShipment as i32, true),
            (Group::ProductAndStock as i32, false),
            (Group::SupplierDeliveries as i32, true),
            (Group::Returns as i32, true),
        ]
    );
    let refused = &answer.groups[1].message;
    assert!(refused.contains("GET /stock"), "{refused}");
    assert!(
        refused.contains("allow PRODUCT & STOCK in the Order API plugin's endpoint settings"),
        "{refused}"
    );
    assert_eq!(answer.message, *refused);
    // One harmless read per group, nothing written.
    let requests = app.requests().await;
    assert!(
        requests.iter().all(|r| r["method"] == "GET"),
        "{requests:?}"
    );

    let bad = app
        .commands
        .test_connection(TestConnectionRequest {
            endpoint: ENDPOINT.into(),
            groups: vec![0],
            ..Default::default()
        })
        .await
        .expect_err("unspecified group");
    assert_eq!(
        tonic::Status::from(bad).code(),
        tonic::Code::InvalidArgument
    );
}

/// A command about a shipment, served over gRPC, keeps the calls it made to Centra under the
/// shipment (method, path without host or query, status) in the gateway's store; another
/// shipment shows none of them.
#[tokio::test]
async fn a_shipments_calls_are_kept_under_the_shipment_with_their_status() {
    use centra_gateway::grpc::GrpcService;
    use platform_runtime::CallLog;
    use proto::centra::v1::centra_gateway_server::CentraGateway as _;

    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    let log = CallLog::new(app.store.clone(), "centra");
    let service = GrpcService::new(app.commands.clone(), log.clone());
    service
        .complete_shipment(tonic::Request::new(complete_request(
            &shipment_id,
            Some(false),
        )))
        .await
        .expect("completed");
    let record = format!("shipment {ENDPOINT}/{shipment_id}");
    let kept = log.of(std::slice::from_ref(&record)).await.expect("read");
    assert!(
        kept.iter().any(|c| c.method == "PUT"),
        "the completion's PUT: {kept:?}"
    );
    for call in &kept {
        assert_eq!(call.record, record);
        assert_eq!(
            call.outcome,
            platform_http::calls::CallOutcome::Status(200),
            "{call:?}"
        );
        assert!(
            call.path.starts_with('/') && !call.path.contains('?') && !call.path.contains("://"),
            "{call:?}"
        );
    }
    assert!(
        log.of(&[format!("shipment {ENDPOINT}/999-9")])
            .await
            .expect("read")
            .is_empty()
    );
}
