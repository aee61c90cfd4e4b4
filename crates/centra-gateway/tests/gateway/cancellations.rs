//! Shipments published as good to go that leave the snapshot: one `ShipmentCancelled` when
//! deleted or taken back in Centra, none when completed, and nothing concluded from a failed or
//! inconclusive snapshot read.

use centra_gateway::client::CentraClient;
use centra_gateway::detect::{REAPPEARED_KIND, REASON_GONE, REASON_NOT_GOOD_TO_GO, poll_shipments};
use platform_store::{DeadLetterFilter, MessageId};
use prost::Message;
use proto::events::v1 as pb;
use reqwest::Method;
use serde_json::{Value, json};

use crate::commands::complete_request;
use crate::harness::{ENDPOINT, SECRET, TestApp, endpoint, fast_options, spawn_app};

fn cancelled_id(shipment_id: &str) -> String {
    format!("centra:{ENDPOINT}:shipment:{shipment_id}:cancelled")
}

async fn cancelled_event(app: &TestApp, shipment_id: &str) -> Option<pb::ShipmentCancelled> {
    let entry = app
        .store
        .outbox()
        .get(&MessageId::new(cancelled_id(shipment_id)))
        .await
        .expect("outbox read")?;
    assert_eq!(
        entry.message.subject,
        format!("centra.{ENDPOINT}.shipment.cancelled")
    );
    Some(pb::ShipmentCancelled::decode(entry.message.payload.as_ref()).expect("protobuf"))
}

async fn cancelled_count(app: &TestApp) -> usize {
    app.outbox_rows()
        .await
        .iter()
        .filter(|(id, _)| id.ends_with(":cancelled"))
        .count()
}

/// Single-shipment reads (`GET /shipment/{id}`) the simulator received.
async fn shipment_reads(app: &TestApp) -> usize {
    app.requests()
        .await
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("/shipment/")))
        .count()
}

/// Reads of shipment `id` alone (`GET /shipment/{id}`).
async fn reads_of(app: &TestApp, id: &str) -> usize {
    app.requests()
        .await
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with(&format!("/shipment/{id}")))
        })
        .count()
}

#[tokio::test]
async fn a_deleted_or_withdrawn_shipment_is_announced_cancelled_once() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (order_id, deleted) = app.place_order(false, true, true).await;
    let (_, withdrawn) = app.place_order(false, true, true).await;
    let (_, kept) = app.place_order(true, false, true).await;
    assert_eq!(
        poll_shipments(&app.store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        3
    );

    let answer = app
        .centra_call(Method::DELETE, &format!("shipments/{deleted}"), &json!({}))
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");
    let answer = app
        .centra_call(
            Method::PUT,
            &format!("shipments/{withdrawn}"),
            &json!({"gtg": false}),
        )
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");

    let report = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 2, "{report:?}");
    let event = cancelled_event(&app, &deleted).await.expect("deleted one");
    assert_eq!(event.shipment_id, deleted);
    assert_eq!(event.order_id, order_id);
    assert_eq!(event.endpoint, ENDPOINT);
    assert_eq!(event.reason, REASON_GONE);
    assert_eq!(
        event.meta.expect("meta").event_id,
        cancelled_id(&deleted),
        "the message id is the event id"
    );
    let event = cancelled_event(&app, &withdrawn)
        .await
        .expect("withdrawn one");
    assert_eq!(event.reason, REASON_NOT_GOOD_TO_GO);
    assert!(cancelled_event(&app, &kept).await.is_none());

    let reads = shipment_reads(&app).await;
    for _ in 0..2 {
        let again = poll_shipments(&app.store, &app.client.clone().into())
            .await
            .expect("polled again");
        assert_eq!(again.published, 0, "announced once");
    }
    assert_eq!(cancelled_count(&app).await, 2);
    assert_eq!(
        shipment_reads(&app).await,
        reads,
        "an ended shipment is not read again"
    );

    // Good to go again after the warehouse was told to cancel: a person decides, once.
    let answer = app
        .centra_call(
            Method::PUT,
            &format!("shipments/{withdrawn}"),
            &json!({"gtg": true}),
        )
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");
    for _ in 0..2 {
        let report = poll_shipments(&app.store, &app.client.clone().into())
            .await
            .expect("polled");
        assert_eq!(report.published, 0, "{report:?}");
    }
    let letters = app
        .store
        .dead_letters()
        .list(&DeadLetterFilter {
            kind: Some(REAPPEARED_KIND.into()),
            status: None,
            limit: 10,
        })
        .await
        .expect("listed");
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].record_key, format!("{ENDPOINT}:{withdrawn}"));
    assert_eq!(letters[0].attempts, 1, "kept once, not on every poll");
}

#[tokio::test]
async fn a_completed_shipment_is_never_announced_cancelled() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, ours) = app.place_order(true, false, true).await;
    let (order_id, theirs) = app.place_order(true, false, true).await;
    assert_eq!(
        poll_shipments(&app.store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        2
    );
    // The gateway's own CompleteShipment, as order-sync calls it when the WMS ships.
    app.commands
        .complete_shipment(complete_request(&ours, Some(false)))
        .await
        .expect("completed");
    assert_eq!(app.sim_shipment(&ours).await["completed"], json!(true));
    // Another integration (or a person in Centra) completes the other one.
    let answer = app
        .centra_call(
            Method::PUT,
            "shipment",
            &json!({"order": order_id.parse::<u64>().expect("numeric order"),
                    "shipment": theirs, "capture": false}),
        )
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");
    let ours_before = reads_of(&app, &ours).await;

    let report = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 0, "{report:?}");
    assert!(
        reads_of(&app, &theirs).await > 0,
        "the shipment completed elsewhere was checked"
    );
    assert_eq!(
        reads_of(&app, &ours).await,
        ours_before,
        "the gateway remembers its own completion as the shipment's end: not read"
    );
    let reads = shipment_reads(&app).await;
    let again = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled again");
    assert_eq!(again.published, 0);
    assert_eq!(cancelled_count(&app).await, 0);
    assert_eq!(
        shipment_reads(&app).await,
        reads,
        "a completed shipment is checked once"
    );
}

#[tokio::test]
async fn a_failed_snapshot_read_concludes_nothing() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, deleted) = app.place_order(false, true, true).await;
    let (_, kept) = app.place_order(true, false, true).await;
    poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    let answer = app
        .centra_call(Method::DELETE, &format!("shipments/{deleted}"), &json!({}))
        .await;
    assert_eq!(answer["status"], json!("ok"), "{answer}");

    app.faults(json!({"error_rate": 1.0, "seed": 7})).await;
    poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect_err("centra is down");
    assert_eq!(cancelled_count(&app).await, 0, "nothing from a failed read");

    app.clear_faults().await;
    let report = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1);
    assert!(cancelled_event(&app, &deleted).await.is_some());
    assert!(cancelled_event(&app, &kept).await.is_none());
}

/// A stand-in Centra: `GET /shipments` answers `first_page` at offset 0 and `rest` (status,
/// body) at any other offset; `GET /shipment/{id}` knows no shipment at all, so a gateway that
/// trusted a bad listing would announce every published shipment cancelled.
async fn stand_in(first_page: Value, rest: (u16, Value)) -> String {
    use axum::extract::Query;
    use axum::http::StatusCode;
    use std::collections::HashMap;
    let app = axum::Router::new()
        .route(
            "/api/order-api/shipments",
            axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                let first_page = first_page.clone();
                let rest = rest.clone();
                async move {
                    if q.get("offset").is_none_or(|o| o == "0") {
                        (StatusCode::OK, axum::Json(first_page))
                    } else {
                        (
                            StatusCode::from_u16(rest.0).unwrap_or(StatusCode::OK),
                            axum::Json(rest.1),
                        )
                    }
                }
            }),
        )
        .route(
            "/api/order-api/shipment/{id}",
            axum::routing::get(|| async { axum::Json(json!({"status": "ok", "shipments": []})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/api/order-api")
}

fn listed(shipment_id: &str) -> Value {
    let order_id = shipment_id.split('-').next().unwrap_or_default();
    json!({"shipmentId": shipment_id, "orderId": order_id, "products": []})
}

#[tokio::test]
async fn a_partial_or_inconclusive_snapshot_concludes_nothing() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, first) = app.place_order(true, false, true).await;
    let (_, second) = app.place_order(true, false, true).await;
    assert_eq!(
        poll_shipments(&app.store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        2
    );

    // Page one lists the second shipment, page two fails on every retry.
    let mut options = fast_options();
    options.page_size = 1;
    let base = stand_in(
        json!({"status": "ok", "shipments": [listed(&second)]}),
        (503, json!({"status": "no", "msg": "maintenance"})),
    )
    .await;
    let partial = CentraClient::new(&endpoint(&base, SECRET), app.zone, options).expect("client");
    poll_shipments(&app.store, &partial.clone().into())
        .await
        .expect_err("half a listing is a failed read");
    assert_eq!(cancelled_count(&app).await, 0);

    // A complete read, but one record has no readable id: it could be the first shipment.
    let base = stand_in(
        json!({"status": "ok", "shipments": [listed(&second), {"orderId": "1", "paid": "maybe"}]}),
        (200, json!({"status": "ok", "shipments": []})),
    )
    .await;
    let inconclusive =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let report = poll_shipments(&app.store, &inconclusive.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.dead_lettered, 1);
    assert_eq!(report.published, 0);
    assert_eq!(cancelled_count(&app).await, 0);

    // The same listing with the id readable: now the first shipment is missing for sure (and
    // this stand-in says Centra has no such shipment).
    let base = stand_in(
        json!({"status": "ok", "shipments": [listed(&second), {"shipmentId": "1-1", "orderId": "1", "paid": "maybe"}]}),
        (200, json!({"status": "ok", "shipments": []})),
    )
    .await;
    let conclusive =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let report = poll_shipments(&app.store, &conclusive.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1, "{report:?}");
    assert!(cancelled_event(&app, &first).await.is_some());
    assert!(cancelled_event(&app, &second).await.is_none());
}
