//! The gRPC commands against the simulator: idempotent upserts, per-article results, cancel
//! rules, acknowledgements, reference data, bad input named by field.

mod common;

use std::time::{Duration, Instant};

use common::{order_request, spawn_app, spawn_app_with};
use ongoing_gateway::client::RetryPolicy;
use proto::wms::v1::acknowledge_reported_request::Report;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{
    AcknowledgeReportedRequest, Article, CancelOrderRequest, ListTransporterContractsRequest,
    OrderLinesReported, PurchaseOrderLine, ReportedLine, TestConnectionRequest,
    UpsertArticlesRequest, UpsertPurchaseOrderRequest,
};
use serde_json::{Value, json};
use tonic::{Code, Request};

fn article(number: &str) -> Article {
    Article {
        article_number: number.into(),
        article_name: format!("name of {number}"),
        bar_code: "7350000000001".into(),
        is_active: true,
        weight_kg: "0.25".into(),
        ..Article::default()
    }
}

#[tokio::test]
async fn one_bad_article_does_not_stop_the_others() {
    let app = spawn_app().await;
    let mut bad_weight = article("C");
    bad_weight.weight_kg = "heavy".into();
    let response = app
        .gateway
        .commands()
        .upsert_articles(Request::new(UpsertArticlesRequest {
            idempotency_key: "k".into(),
            warehouse: "sandbox".into(),
            articles: vec![article("A"), article(" "), bad_weight, article("D")],
        }))
        .await
        .expect("answered")
        .into_inner();
    let results = response.results;
    assert_eq!(results.len(), 4);
    assert!(results[0].error.is_empty() && results[0].article_system_id > 0);
    assert_eq!(results[1].error, "articles[1].article_number: required");
    assert_eq!(results[1].article_system_id, 0);
    assert!(
        results[2].error.contains("articles[2].weight_kg"),
        "{}",
        results[2].error
    );
    assert!(results[3].error.is_empty() && results[3].article_system_id > 0);
    let state = app.state().await;
    let numbers: Vec<&str> = state["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| a["articleNumber"].as_str())
        .collect();
    assert_eq!(numbers, ["A", "D"]);
}

/// Ongoing down says nothing about an article: the whole call is UNAVAILABLE (the caller
/// writes the batch again later), never a per-article refusal that would park articles.
#[tokio::test]
async fn ongoing_down_makes_the_whole_article_write_unavailable() {
    let app = spawn_app_with(|s| {
        s.client.retry.max_retries = 1;
        s.client.retry.min_delay = Duration::from_millis(1);
    })
    .await;
    app.faults(json!({"error_rate": 1.0})).await;
    let status = app
        .gateway
        .commands()
        .upsert_articles(Request::new(UpsertArticlesRequest {
            idempotency_key: "down".into(),
            warehouse: "sandbox".into(),
            articles: vec![article("A"), article("B")],
        }))
        .await
        .expect_err("unavailable");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
}

#[tokio::test]
async fn the_customer_price_is_sent_as_ongoing_names_it() {
    let app = spawn_app().await;
    let mut priced = article("P");
    priced.customer_price = "45.50".into();
    let mut bad = article("Q");
    bad.customer_price = "cheap".into();
    let results = app
        .gateway
        .commands()
        .upsert_articles(Request::new(UpsertArticlesRequest {
            idempotency_key: "prices".into(),
            warehouse: "sandbox".into(),
            articles: vec![priced, bad],
        }))
        .await
        .expect("answered")
        .into_inner()
        .results;
    assert!(results[0].error.is_empty(), "{}", results[0].error);
    assert_eq!(
        results[1].error,
        "articles[1].customer_price: \"cheap\" is not a decimal"
    );
    let puts: Vec<Value> = app
        .requests()
        .await
        .into_iter()
        .filter(|r| r["method"] == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "the bad article never reached ongoing");
    assert_eq!(puts[0]["body"]["customerPrice"], json!(45.5));
    assert!(puts[0]["body"].get("purchasePrice").is_none());
}

#[tokio::test]
async fn upsert_order_is_idempotent_by_order_number() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B"]).await;
    let commands = app.gateway.commands();
    let request = order_request("ORD-1", &[("A", 1), ("B", 2)]);
    let first = commands
        .upsert_order(Request::new(request.clone()))
        .await
        .expect("created")
        .into_inner();
    assert!(first.created);
    let again = commands
        .upsert_order(Request::new(request))
        .await
        .expect("updated")
        .into_inner();
    assert!(!again.created);
    assert_eq!(first.order_id, again.order_id);
    let order = app.sim_order("ORD-1").await;
    assert_eq!(order["createdCount"], 1);
    assert_eq!(order["lines"].as_array().map(Vec::len), Some(2));
}

/// Ongoing refuses an order naming (in its own words) the first article it lacks; the gateway
/// asks the WMS which of the order's articles it holds and answers `ARTICLE_MISSING` naming
/// every one it lacks, typed, so no caller reads Ongoing's text. Purchase orders alike.
#[tokio::test]
async fn an_order_refused_for_articles_names_every_missing_one_typed() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    let commands = app.gateway.commands();
    let status = commands
        .upsert_order(Request::new(order_request(
            "ORD-9",
            &[("NOPE-1", 1), ("A", 1), ("NOPE-2", 2), ("NOPE-1", 1)],
        )))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert_eq!(
        proto::reasons::missing_articles(&status),
        Some(vec!["NOPE-1".to_owned(), "NOPE-2".to_owned()]),
        "{status:?}"
    );
    let lookups = app
        .requests()
        .await
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"] == "/sandbox/api/v1/articles")
        .count();
    assert_eq!(lookups, 1, "one read for every line's article");

    let status = commands
        .upsert_purchase_order(Request::new(UpsertPurchaseOrderRequest {
            idempotency_key: "po-9".into(),
            warehouse: "sandbox".into(),
            purchase_order_number: "PO-9".into(),
            lines: vec![PurchaseOrderLine {
                row_number: "1".into(),
                article_number: "NOPE-3".into(),
                number_of_items: 4,
                ..PurchaseOrderLine::default()
            }],
            ..UpsertPurchaseOrderRequest::default()
        }))
        .await
        .expect_err("refused");
    assert_eq!(
        proto::reasons::missing_articles(&status),
        Some(vec!["NOPE-3".to_owned()])
    );

    // Once the articles exist, the same order goes through.
    app.seed_articles(&["NOPE-1", "NOPE-2"]).await;
    let accepted = commands
        .upsert_order(Request::new(order_request("ORD-9", &[("NOPE-1", 1)])))
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
}

#[tokio::test]
async fn bad_orders_are_refused_naming_the_field_before_any_call() {
    let app = spawn_app().await;
    let commands = app.gateway.commands();
    let cases = [
        (
            order_request("X-1", &[("A", -1)]),
            "lines[0].number_of_items: negative quantity -1",
        ),
        (
            order_request("X-1B", &[("A", 5_000_000_000)]),
            "lines[0].number_of_items: quantity 5000000000 is more than 1000000, the most one \
             line may carry",
        ),
        (
            order_request("X-2", &[("A", 1), ("", 1)]),
            "lines[1].article_number: required",
        ),
        (order_request(" ", &[("A", 1)]), "order_number: required"),
    ];
    for (request, expected) in cases {
        let status = commands
            .upsert_order(Request::new(request))
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), expected);
    }
    let mut no_date = order_request("X-3", &[("A", 1)]);
    no_date.delivery_date = "tomorrow".into();
    let status = commands
        .upsert_order(Request::new(no_date))
        .await
        .expect_err("refused");
    assert!(status.message().starts_with("delivery_date:"), "{status:?}");
    assert!(
        app.requests().await.is_empty(),
        "nothing reached the warehouse"
    );

    let mut elsewhere = order_request("X-4", &[("A", 1)]);
    elsewhere.warehouse = "other".into();
    let status = commands
        .upsert_order(Request::new(elsewhere))
        .await
        .expect_err("unknown warehouse");
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn an_upsert_whose_answer_is_lost_is_retried_without_a_second_order() {
    let app = spawn_app_slow_retries().await;
    app.seed_articles(&["A"]).await;
    // The first PUT's answer is lost; the retry finds the order there and updates it.
    app.faults(json!({"lost_response_rate": 1.0})).await;
    let commands = app.gateway.commands();
    let call = tokio::spawn(async move {
        commands
            .upsert_order(Request::new(order_request("LOST-2", &[("A", 1)])))
            .await
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app
        .requests()
        .await
        .iter()
        .any(|e| e["lost"] == true && e["method"] == "PUT")
    {
        assert!(Instant::now() < deadline, "no lost PUT seen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.faults(json!({})).await;
    let answer = call.await.expect("task").expect("retried").into_inner();
    assert!(
        !answer.created,
        "the retry's answer counts: an update (created is informational)"
    );
    assert_eq!(app.sim_order("LOST-2").await["createdCount"], 1);
    let writes: Vec<_> = app
        .requests()
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with("/orders")))
        .map(|e| e["method"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(writes, ["PUT", "PUT"], "no read before the write");
}

async fn spawn_app_slow_retries() -> common::TestApp {
    common::spawn_app_with(|s| {
        s.client.retry = RetryPolicy {
            min_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(400),
            max_retries: 3,
            max_retry_after: Duration::from_secs(1),
        };
    })
    .await
}

fn cancel(number: &str) -> Request<CancelOrderRequest> {
    Request::new(CancelOrderRequest {
        idempotency_key: format!("cancel-{number}"),
        warehouse: "sandbox".into(),
        order_number: number.into(),
    })
}

#[tokio::test]
async fn cancel_only_before_work_started_and_twice_is_fine() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    let commands = app.gateway.commands();
    for number in ["C-1", "C-2"] {
        commands
            .upsert_order(Request::new(order_request(number, &[("A", 1)])))
            .await
            .expect("created");
    }
    let first = commands
        .cancel_order(cancel("C-1"))
        .await
        .expect("cancelled")
        .into_inner();
    assert!(!first.already_done);
    assert_eq!(app.sim_order("C-1").await["status"], 1000);
    let again = commands
        .cancel_order(cancel("C-1"))
        .await
        .expect("still fine")
        .into_inner();
    assert!(again.already_done);
    let never = commands
        .cancel_order(cancel("NEVER"))
        .await
        .expect("fine")
        .into_inner();
    assert!(
        never.already_done,
        "an order that never reached the WMS needs no cancel"
    );

    app.control("orders/C-2/status", json!({"status": 300}))
        .await;
    let status = commands
        .cancel_order(cancel("C-2"))
        .await
        .expect_err("too late");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("C-2"), "{status:?}");
    assert_eq!(app.sim_order("C-2").await["status"], 300);
}

#[tokio::test]
async fn purchase_orders_upsert_by_number() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    let commands = app.gateway.commands();
    let request = UpsertPurchaseOrderRequest {
        idempotency_key: "po".into(),
        warehouse: "sandbox".into(),
        purchase_order_number: "PO-1".into(),
        supplier_name: "Acme".into(),
        in_date: Some(prost_types::Timestamp {
            seconds: 1_800_000_000,
            nanos: 0,
        }),
        lines: vec![PurchaseOrderLine {
            row_number: "1".into(),
            article_number: "A".into(),
            number_of_items: 10,
            external_line_id: "d-1".into(),
            comment: String::new(),
        }],
        ..UpsertPurchaseOrderRequest::default()
    };
    let first = commands
        .upsert_purchase_order(Request::new(request.clone()))
        .await
        .expect("created")
        .into_inner();
    let again = commands
        .upsert_purchase_order(Request::new(request.clone()))
        .await
        .expect("updated")
        .into_inner();
    assert!(first.created && !again.created);
    assert_eq!(first.purchase_order_id, again.purchase_order_id);
    let state = app.state().await;
    assert_eq!(state["purchaseOrders"][0]["createdCount"], 1, "{state}");

    let mut negative = request;
    negative.lines[0].number_of_items = -3;
    let status = commands
        .upsert_purchase_order(Request::new(negative))
        .await
        .expect_err("refused");
    assert_eq!(
        status.message(),
        "lines[0].number_of_items: negative quantity -3"
    );
}

#[tokio::test]
async fn acknowledging_reported_quantities_is_idempotent() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    app.set_stock("A", 10).await;
    let commands = app.gateway.commands();
    let order_id = commands
        .upsert_order(Request::new(order_request("ACK-1", &[("A", 2)])))
        .await
        .expect("created")
        .into_inner()
        .order_id;
    app.control("orders/ACK-1/ship", json!({"waybill": "W1"}))
        .await;
    let line_id = app.sim_order("ACK-1").await["lines"][0]["id"]
        .as_i64()
        .expect("line id");
    let ack = || {
        Request::new(AcknowledgeReportedRequest {
            idempotency_key: "ack".into(),
            warehouse: "sandbox".into(),
            report: Some(Report::OrderLines(OrderLinesReported {
                order_id,
                lines: vec![ReportedLine {
                    line_id,
                    reported_number_of_items: 2,
                }],
                order_number: "ACK-1".into(),
            })),
        })
    };
    let first = commands
        .acknowledge_reported(ack())
        .await
        .expect("ok")
        .into_inner();
    assert!(!first.already_done);
    assert_eq!(app.sim_order("ACK-1").await["lines"][0]["reported"], 2.0);
    let again = commands
        .acknowledge_reported(ack())
        .await
        .expect("ok")
        .into_inner();
    assert!(again.already_done);

    let unknown_line = Request::new(AcknowledgeReportedRequest {
        idempotency_key: "ack2".into(),
        warehouse: "sandbox".into(),
        report: Some(Report::OrderLines(OrderLinesReported {
            order_id,
            lines: vec![ReportedLine {
                line_id: 999_999,
                reported_number_of_items: 1,
            }],
            order_number: String::new(),
        })),
    });
    let status = commands
        .acknowledge_reported(unknown_line)
        .await
        .expect_err("no such line");
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn transporters_and_connection_test() {
    let app = spawn_app().await;
    let commands = app.gateway.commands();
    let contracts = commands
        .list_transporter_contracts(Request::new(ListTransporterContractsRequest {
            warehouse: "sandbox".into(),
        }))
        .await
        .expect("listed")
        .into_inner()
        .contracts;
    let postnord = contracts
        .iter()
        .find(|c| c.transporter_code == "PLAB")
        .expect("PostNord");
    assert!(
        postnord.services.iter().any(|s| s.code == "P83"),
        "{postnord:?}"
    );

    let ok = commands
        .test_connection(Request::new(TestConnectionRequest {
            warehouse: "sandbox".into(),
        }))
        .await
        .expect("answered")
        .into_inner();
    assert!(ok.ok, "{}", ok.message);
    assert_eq!(ok.goods_owner_id, 1);

    let wrong = common::spawn_app_with(|s| s.client.goods_owner_id = 2).await;
    let refused = wrong
        .gateway
        .commands()
        .test_connection(Request::new(TestConnectionRequest {
            warehouse: String::new(),
        }))
        .await
        .expect("answered")
        .into_inner();
    assert!(!refused.ok);
    assert!(refused.message.contains("401"), "{}", refused.message);
}
