//! The calls a command makes to the WMS, kept under its record for the record's journey
//! (`platform_http::calls`, `platform_runtime::CallLog`, `ExternalCalls`): against the
//! simulator through the gRPC command, and the call log on PostgreSQL with the gateway's own
//! migrations.

mod common;

use std::time::Duration;

use common::{order_request, spawn_app_with};
use proto::wms::v1::CancelOrderRequest;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use serde_json::json;
use tonic::Request;

/// A command about an order keeps the calls it made to the WMS under that order (method, path
/// without its query, status; a 5xx as its status), read back through `ExternalCalls`; a
/// command about another order shows none of them.
#[tokio::test]
async fn an_orders_calls_are_kept_under_the_order_with_their_status() {
    use proto::admin::v1::CallsOfRecordsRequest;
    use proto::admin::v1::external_calls_server::ExternalCalls as _;

    let app = spawn_app_with(|s| {
        s.client.retry.max_retries = 1;
        s.client.retry.min_delay = Duration::from_millis(1);
    })
    .await;
    app.seed_articles(&["A"]).await;
    let commands = app.gateway.commands();
    commands
        .upsert_order(Request::new(order_request("ORD-C", &[("A", 1)])))
        .await
        .expect("created");
    app.faults(json!({"error_rate": 1.0})).await;
    commands
        .cancel_order(Request::new(CancelOrderRequest {
            idempotency_key: "c".into(),
            warehouse: "sandbox".into(),
            order_number: "ORD-C".into(),
        }))
        .await
        .expect_err("the WMS is down");
    let calls = platform_runtime::ExternalCallsService::new(app.gateway.calls());
    let ask = |record: &str| {
        calls.calls_of_records(Request::new(CallsOfRecordsRequest {
            records: vec![record.to_owned()],
        }))
    };
    let kept = ask("order ORD-C")
        .await
        .expect("answered")
        .into_inner()
        .calls;
    let seen: Vec<(String, u32)> = kept.iter().map(|c| (c.method.clone(), c.status)).collect();
    assert!(
        seen.iter().any(|(m, s)| m == "PUT" && *s == 201),
        "the PUT that created it, 201: {seen:?}"
    );
    assert!(
        seen.iter().any(|(_, s)| *s >= 500),
        "the refused calls of the cancel, with their 5xx: {seen:?}"
    );
    for call in &kept {
        assert_eq!(call.record, "order ORD-C");
        assert_eq!(call.system, "ongoing");
        assert!(
            call.path.starts_with('/') && !call.path.contains('?'),
            "{call:?}"
        );
        assert!(call.failure.is_empty(), "an answer came: {call:?}");
        assert!(call.at.is_some(), "{call:?}");
    }
    assert!(
        kept.windows(2).all(|w| {
            let seconds = |c: &proto::admin::v1::ExternalCall| c.at.map(|t| (t.seconds, t.nanos));
            seconds(&w[0]) <= seconds(&w[1])
        }),
        "oldest first: {kept:?}"
    );
    let other = ask("order ORD-OTHER").await.expect("answered").into_inner();
    assert!(other.calls.is_empty(), "{other:?}");
}

/// An acknowledgement keeps its calls under the record its sender names: picks under the WMS
/// order (the shipment's journey), returned units under the return (the return's journey); an
/// acknowledgement naming neither keeps none.
#[tokio::test]
async fn an_acknowledgements_calls_are_kept_under_the_order_or_return_it_names() {
    use proto::wms::v1::acknowledge_reported_request::Report;
    use proto::wms::v1::{
        AcknowledgeReportedRequest, OrderLinesReported, ReportedLine, ReturnedLinesReported,
    };

    let app = spawn_app_with(|_| {}).await;
    app.seed_articles(&["A"]).await;
    app.set_stock("A", 10).await;
    let commands = app.gateway.commands();
    let order_id = commands
        .upsert_order(Request::new(order_request("ORD-ACK", &[("A", 2)])))
        .await
        .expect("created")
        .into_inner()
        .order_id;
    app.control("orders/ORD-ACK/ship", json!({"waybill": "W1"}))
        .await;
    let line_id = app.sim_order("ORD-ACK").await["lines"][0]["id"]
        .as_i64()
        .expect("line id");
    let lines = |reported| {
        vec![ReportedLine {
            line_id,
            reported_number_of_items: reported,
        }]
    };
    let ack = |key: &str, report| {
        Request::new(AcknowledgeReportedRequest {
            idempotency_key: key.into(),
            warehouse: "sandbox".into(),
            report: Some(report),
        })
    };
    let before = app.kept_calls("order ORD-ACK").await.len();

    commands
        .acknowledge_reported(ack(
            "picks",
            Report::OrderLines(OrderLinesReported {
                order_id,
                lines: lines(2),
                order_number: "ORD-ACK".into(),
            }),
        ))
        .await
        .expect("acknowledged");
    let order = app.kept_calls("order ORD-ACK").await;
    assert!(
        order.len() > before,
        "the acknowledgement's calls join the order's: {order:?}"
    );
    assert!(
        order[before..]
            .iter()
            .all(|c| c.status < 400 && c.system == "ongoing"),
        "{order:?}"
    );

    commands
        .acknowledge_reported(ack(
            "return:R-ACK",
            Report::Returned(ReturnedLinesReported {
                order_id,
                lines: lines(1),
                return_id: "R-ACK".into(),
            }),
        ))
        .await
        .expect("acknowledged");
    let returned = app.kept_calls("return R-ACK").await;
    assert!(!returned.is_empty(), "kept under the return");
    assert!(
        returned
            .iter()
            .all(|c| c.record == "return R-ACK" && c.status < 400),
        "{returned:?}"
    );
    assert_eq!(
        app.kept_calls("order ORD-ACK").await.len(),
        order.len(),
        "the return's calls are not the order's"
    );

    let unnamed = commands
        .acknowledge_reported(ack(
            "nameless",
            Report::OrderLines(OrderLinesReported {
                order_id,
                lines: lines(2),
                order_number: String::new(),
            }),
        ))
        .await
        .expect("acknowledged");
    assert!(unnamed.into_inner().already_done);
    assert_eq!(app.kept_calls("order ORD-ACK").await.len(), order.len());
}

/// The call log on PostgreSQL, opened with the gateway's own migrations: a record keeps its
/// last `CALLS_KEPT` calls (the oldest go first), a status and a failure kind read back as
/// written, another record is untouched, and eight commands of one record finishing at once
/// keep all their calls.
#[tokio::test]
async fn the_call_log_keeps_the_last_calls_of_a_record_on_postgres() {
    use platform_http::calls::{Call, CallOutcome, FailureKind, Made};
    use platform_runtime::{CALLS_KEPT, CallLog};

    let Some(database) = test_support::postgres_database("ongoing-gateway call log").await else {
        return;
    };
    let store = platform_store::Store::open(
        platform_store::StoreOptions::new("ongoing-gateway", &database.url),
        &ongoing_gateway::MIGRATIONS,
    )
    .await
    .expect("store opens");
    let log = CallLog::new(store.clone(), "ongoing");
    let now = platform_store::unix_millis();
    let call = |n: i64, outcome| Call {
        at: now + n,
        method: "PUT".into(),
        path: format!("/api/v1/orders/{n}"),
        outcome,
        duration: Duration::from_millis(7),
        trace_id: None,
    };
    for n in 0..CALLS_KEPT + 3 {
        let outcome = if n % 2 == 0 {
            CallOutcome::Status(201)
        } else {
            CallOutcome::Failed(FailureKind::Timeout)
        };
        log.keep(&Made {
            records: vec!["order PG-1".into()],
            calls: vec![call(n, outcome)],
        })
        .await
        .expect("kept");
    }
    log.keep(&Made {
        records: vec!["order PG-2".into()],
        calls: vec![call(0, CallOutcome::Status(500))],
    })
    .await
    .expect("kept");
    let kept = log.of(&["order PG-1".to_owned()]).await.expect("read");
    assert_eq!(kept.len(), usize::try_from(CALLS_KEPT).expect("small"));
    assert_eq!(kept[0].path, "/api/v1/orders/3", "the oldest three went");
    assert_eq!(kept[0].outcome, CallOutcome::Failed(FailureKind::Timeout));
    assert_eq!(kept[1].outcome, CallOutcome::Status(201));
    assert_eq!(kept[1].duration_ms, 7);
    let other = log.of(&["order PG-2".to_owned()]).await.expect("read");
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].outcome, CallOutcome::Status(500));

    // Commands of one record finishing at once all keep their calls.
    let mut running = Vec::new();
    for n in 0..8 {
        let log = log.clone();
        running.push(tokio::spawn(async move {
            log.around(vec!["order PG-3".into()], async move {
                platform_http::calls::CallNote::start("GET", &format!("http://wms/orders/{n}"))
                    .finish_as(CallOutcome::Status(200));
            })
            .await;
        }));
    }
    for task in running {
        task.await.expect("ran");
    }
    let together = log.of(&["order PG-3".to_owned()]).await.expect("read");
    assert_eq!(together.len(), 8, "{together:?}");
    store.close().await;
    database.drop_database().await;
}
