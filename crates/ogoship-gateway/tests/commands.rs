//! The gRPC commands against the simulator: per-article results, idempotent upserts with
//! stable ids, the typed ARTICLE_MISSING refusal, cancel rules, stock updates, acknowledgements,
//! stock and article pages, articles read back as written, the connection test.

mod common;

use common::{order_request, spawn_app, spawn_app_with};
use proto::wms::v1::acknowledge_reported_request::Report;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{
    AcknowledgeReportedRequest, Article, CancelOrderRequest, ListArticlesRequest,
    OrderLinesReported, PurchaseOrderLine, ReadStockRequest, ReportedLine, TestConnectionRequest,
    UpsertArticlesRequest, UpsertPurchaseOrderRequest,
};
use serde_json::json;
use tonic::{Code, Request};

#[tokio::test]
async fn one_bad_article_does_not_stop_the_others_and_ids_are_stable() {
    let app = spawn_app().await;
    let article = |n: &str| Article {
        article_number: n.into(),
        article_name: format!("name of {n}"),
        bar_code: "7350000000001".into(),
        customer_price: "45.5".into(),
        statistics_number: "61091000".into(),
        ..Article::default()
    };
    let mut bad = article("C");
    bad.customer_price = "cheap".into();
    let request = || UpsertArticlesRequest {
        idempotency_key: "k".into(),
        warehouse: "main".into(),
        articles: vec![article("A"), article(" "), bad.clone(), article("D")],
    };
    let first = app
        .gateway
        .commands()
        .upsert_articles(Request::new(request()))
        .await
        .expect("ok")
        .into_inner();
    assert!(first.results[0].error.is_empty() && first.results[0].article_system_id > 0);
    assert_eq!(
        first.results[1].error,
        "articles[1].article_number: required"
    );
    assert!(
        first.results[2]
            .error
            .contains("articles[2].customer_price")
    );
    assert!(first.results[3].error.is_empty());
    // Again: updates (PUT), the same ids.
    let again = app
        .gateway
        .commands()
        .upsert_articles(Request::new(request()))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(
        again.results[0].article_system_id,
        first.results[0].article_system_id
    );
    assert_eq!(
        again.results[3].article_system_id,
        first.results[3].article_system_id
    );
    let puts = app
        .requests()
        .await
        .iter()
        .filter(|r| r["method"] == "PUT")
        .count();
    assert_eq!(puts, 2, "the repeat updated A and D");
    let state = app.state().await;
    let products = state["products"].as_array().expect("products");
    assert_eq!(products.len(), 2, "{state}");
}

#[tokio::test]
async fn orders_are_created_once_then_updated_with_the_same_id() {
    let app = spawn_app().await;
    app.seed_products(&["A", "B"]).await;
    let commands = app.gateway.commands();
    let first = commands
        .upsert_order(Request::new(order_request("O-1", &[("A", 1)])))
        .await
        .expect("created")
        .into_inner();
    assert!(first.created && first.order_id > 0);
    let second = commands
        .upsert_order(Request::new(order_request("O-1", &[("A", 1), ("B", 2)])))
        .await
        .expect("updated")
        .into_inner();
    assert!(!second.created);
    assert_eq!(second.order_id, first.order_id);
    let posts = app
        .requests()
        .await
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("orders"))
        })
        .count();
    assert_eq!(posts, 1);

    // Both commands' calls are kept under the order, each with its status, for Find.
    let kept = platform_runtime::CallLog::new(app.store.clone(), "ogoship")
        .of(&["order O-1".to_owned()])
        .await
        .expect("read");
    let post = kept
        .iter()
        .find(|c| c.method == "POST" && c.path.ends_with("orders"))
        .unwrap_or_else(|| panic!("the creating POST: {kept:?}"));
    assert!(
        matches!(
            post.outcome,
            platform_http::calls::CallOutcome::Status(200..=299)
        ),
        "{post:?}"
    );
    assert!(kept.iter().all(|c| !c.path.contains('?')), "{kept:?}");
}

#[tokio::test]
async fn unknown_products_are_refused_as_article_missing_naming_each() {
    let app = spawn_app().await;
    app.seed_products(&["A"]).await;
    let status = app
        .gateway
        .commands()
        .upsert_order(Request::new(order_request(
            "O-2",
            &[("A", 1), ("X", 1), ("Y", 2)],
        )))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(
        proto::reasons::missing_articles(&status),
        Some(vec!["X".to_owned(), "Y".to_owned()])
    );

    let mut no_name = order_request("O-3", &[("A", 1)]);
    no_name.consignee.as_mut().expect("consignee").city = String::new();
    let status = app
        .gateway
        .commands()
        .upsert_order(Request::new(no_name))
        .await
        .expect_err("bad");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "consignee.city: required");
}

/// An order OGOship holds as invalid (`reserved`: here no phone) is in OGOship, so the upsert
/// succeeds, and it is kept once as a dead letter with OGOship's reason for a person; saved
/// again once fixed, it is accepted under the same id.
#[tokio::test]
async fn an_order_held_as_invalid_is_accepted_and_kept_for_a_person() {
    let app = spawn_app().await;
    app.seed_products(&["A"]).await;
    app.set_stock("A", 5).await;
    let mut no_phone = order_request("O-9", &[("A", 1)]);
    no_phone.consignee.as_mut().expect("consignee").mobile_phone = String::new();
    for _ in 0..2 {
        app.gateway
            .commands()
            .upsert_order(Request::new(no_phone.clone()))
            .await
            .expect("in OGOship, held");
    }
    let kept = app
        .store
        .dead_letters()
        .list(&platform_store::DeadLetterFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("dead letters");
    assert_eq!(kept.len(), 1, "kept once: {kept:?}");
    assert_eq!(kept[0].record_key, "O-9");
    assert!(
        kept[0].reason.contains("Customer phone number is missing"),
        "{}",
        kept[0].reason
    );

    let fixed = app
        .gateway
        .commands()
        .upsert_order(Request::new(order_request("O-9", &[("A", 1)])))
        .await
        .expect("accepted once valid")
        .into_inner();
    assert!(
        !fixed.created,
        "the held order was updated, not created twice"
    );
    let state = app.state().await;
    let orders = state["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 1, "{state}");
    assert_eq!(orders[0]["status"], "new", "{state}");
}

#[tokio::test]
async fn cancel_rules() {
    let app = spawn_app().await;
    app.seed_products(&["A"]).await;
    app.set_stock("A", 10).await;
    let commands = app.gateway.commands();
    let cancel = |n: &str| CancelOrderRequest {
        idempotency_key: "k".into(),
        warehouse: "main".into(),
        order_number: n.into(),
    };
    let never = commands
        .cancel_order(Request::new(cancel("NOPE")))
        .await
        .expect("ok")
        .into_inner();
    assert!(never.already_done);
    commands
        .upsert_order(Request::new(order_request("C-1", &[("A", 1)])))
        .await
        .expect("created");
    let done = commands
        .cancel_order(Request::new(cancel("C-1")))
        .await
        .expect("ok")
        .into_inner();
    assert!(!done.already_done);
    let again = commands
        .cancel_order(Request::new(cancel("C-1")))
        .await
        .expect("ok")
        .into_inner();
    assert!(again.already_done);
    commands
        .upsert_order(Request::new(order_request("C-2", &[("A", 1)])))
        .await
        .expect("created");
    app.control("orders/C-2/status", json!({"status": "collecting"}))
        .await;
    let status = commands
        .cancel_order(Request::new(cancel("C-2")))
        .await
        .expect_err("started");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = commands
        .upsert_order(Request::new(order_request("C-2", &[("A", 2)])))
        .await
        .expect_err("started");
    assert_eq!(status.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn purchase_orders_become_stock_updates_once() {
    let app = spawn_app().await;
    app.seed_products(&["A"]).await;
    let request = |article: &str| UpsertPurchaseOrderRequest {
        idempotency_key: "k".into(),
        warehouse: "main".into(),
        purchase_order_number: "PO-1".into(),
        supplier_name: "Acme".into(),
        lines: vec![PurchaseOrderLine {
            row_number: "1".into(),
            article_number: article.into(),
            number_of_items: 5,
            external_line_id: "d-1".into(),
            ..PurchaseOrderLine::default()
        }],
        ..UpsertPurchaseOrderRequest::default()
    };
    let commands = app.gateway.commands();
    let missing = commands
        .upsert_purchase_order(Request::new(request("Z")))
        .await
        .expect_err("missing");
    assert_eq!(
        proto::reasons::missing_articles(&missing),
        Some(vec!["Z".to_owned()])
    );
    let first = commands
        .upsert_purchase_order(Request::new(request("A")))
        .await
        .expect("created")
        .into_inner();
    assert!(first.created && first.purchase_order_id > 0);
    let again = commands
        .upsert_purchase_order(Request::new(request("A")))
        .await
        .expect("found")
        .into_inner();
    assert!(!again.created);
    assert_eq!(again.purchase_order_id, first.purchase_order_id);
    let state = app.state().await;
    assert_eq!(
        state["stockUpdates"].as_array().map(Vec::len),
        Some(1),
        "{state}"
    );
}

#[tokio::test]
async fn acknowledgements_are_kept_and_repeats_say_so() {
    let app = spawn_app().await;
    app.seed_products(&["A"]).await;
    let commands = app.gateway.commands();
    let order_id = commands
        .upsert_order(Request::new(order_request("K-1", &[("A", 1)])))
        .await
        .expect("created")
        .into_inner()
        .order_id;
    let ack = |line_id: i64| AcknowledgeReportedRequest {
        idempotency_key: "k".into(),
        warehouse: "main".into(),
        report: Some(Report::OrderLines(OrderLinesReported {
            order_id,
            lines: vec![ReportedLine {
                line_id,
                reported_number_of_items: 1,
            }],
            order_number: String::new(),
        })),
    };
    assert!(
        !commands
            .acknowledge_reported(Request::new(ack(1)))
            .await
            .expect("ok")
            .into_inner()
            .already_done
    );
    assert!(
        commands
            .acknowledge_reported(Request::new(ack(1)))
            .await
            .expect("ok")
            .into_inner()
            .already_done
    );
    let status = commands
        .acknowledge_reported(Request::new(ack(9)))
        .await
        .expect_err("no line");
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn stock_and_article_pages() {
    let app = spawn_app().await;
    app.seed_products(&["A", "B", "C"]).await;
    app.set_stock("A", 7).await;
    app.seed_products(&[]).await;
    let commands = app.gateway.commands();
    commands
        .upsert_order(Request::new(order_request("S-1", &[("A", 2)])))
        .await
        .expect("created");
    let named = commands
        .read_stock(Request::new(ReadStockRequest {
            warehouse: "main".into(),
            article_numbers: vec!["A".into(), "NOPE".into()],
            ..ReadStockRequest::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(named.not_found, ["NOPE"]);
    let a = &named.articles[0];
    assert_eq!(
        (
            a.number_of_items,
            a.sellable_number_of_items,
            a.booked_number_of_items
        ),
        (7, 5, 2)
    );

    let page = |from: i64| ListArticlesRequest {
        warehouse: "main".into(),
        article_system_id_from: from,
        max_articles: 2,
    };
    let first = commands
        .list_articles(Request::new(page(0)))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(first.articles.len(), 2);
    assert_eq!(first.next_article_system_id_from, 2);
    let second = commands
        .list_articles(Request::new(page(2)))
        .await
        .expect("ok")
        .into_inner();
    let numbers: Vec<_> = second
        .articles
        .iter()
        .filter_map(|a| a.article.as_ref())
        .map(|a| a.article_number.clone())
        .collect();
    assert_eq!(numbers, ["C"]);
    assert_eq!(second.next_article_system_id_from, 0);

    let all = commands
        .read_stock(Request::new(ReadStockRequest {
            warehouse: "main".into(),
            max_articles: 2,
            ..ReadStockRequest::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(all.articles.len(), 2);
    assert_eq!(all.next_article_system_id_from, 2);
}

/// A named read keeps several `GET /stock` calls in flight (at most `NAMED_IN_FLIGHT`), so the
/// first level it answers with is not a whole batch of calls older than the last, and still
/// answers in the order asked, unknown products apart.
#[tokio::test]
async fn a_named_read_overlaps_its_calls_and_answers_in_order() {
    use ogoship_gateway::commands::stock::NAMED_IN_FLIGHT;

    let app = spawn_app().await;
    let codes: Vec<String> = (0..12).map(|i| format!("P{i:02}")).collect();
    app.seed_products(&codes.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    for (i, code) in codes.iter().enumerate() {
        app.set_stock(code, 10 + i64::try_from(i).expect("small"))
            .await;
    }
    app.control("faults", json!({"latency_ms": 40})).await;
    let since = app.requests().await.len();
    let mut asked: Vec<String> = codes.iter().rev().cloned().collect();
    asked.insert(5, "NOPE".into());
    let named = app
        .gateway
        .commands()
        .read_stock(Request::new(ReadStockRequest {
            warehouse: "main".into(),
            article_numbers: asked.clone(),
            ..ReadStockRequest::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    let answered: Vec<(String, i64)> = named
        .articles
        .iter()
        .map(|a| (a.article_number.clone(), a.number_of_items))
        .collect();
    let expected: Vec<(String, i64)> = asked
        .iter()
        .filter(|c| *c != "NOPE")
        .map(|c| (c.clone(), 10 + c[1..].parse::<i64>().expect("number")))
        .collect();
    assert_eq!(answered, expected);
    assert_eq!(named.not_found, ["NOPE"]);

    let calls: Vec<(u64, u64)> = app.requests().await[since..]
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/stock")))
        .map(|r| {
            let tick = |name: &str| r[name].as_u64().expect("tick");
            (tick("arrivedTick"), tick("completedTick"))
        })
        .collect();
    assert_eq!(calls.len(), asked.len(), "one call per product");
    let most_in_flight = calls
        .iter()
        .map(|&(arrived, _)| {
            calls
                .iter()
                .filter(|&&(a, c)| a <= arrived && arrived < c)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        (2..=NAMED_IN_FLIGHT).contains(&most_in_flight),
        "calls in flight at once: {most_in_flight}, want 2..={NAMED_IN_FLIGHT}"
    );
}

/// A resync compares `ListArticles` with what it would write: an inactive article with a
/// product code, colour, size and weight (none of which OGOship keeps) and a SEK price reads
/// back as written, so an unchanged catalogue is never written again.
#[tokio::test]
async fn listed_articles_read_back_as_written() {
    let app = spawn_app_with(|s| s.price_currency = "SEK".into()).await;
    let article = Article {
        article_number: "P1-BL-3".into(),
        article_name: "Shirt 1 Blue S3".into(),
        product_code: "P1".into(),
        bar_code: "7350000000134".into(),
        is_active: false,
        color: "Blue".into(),
        size: "S3".into(),
        weight_kg: "0.25".into(),
        country_of_origin: "PT".into(),
        statistics_number: "6109100010".into(),
        customer_price: "499".into(),
        ..Article::default()
    };
    let commands = app.gateway.commands();
    let written = commands
        .upsert_articles(Request::new(UpsertArticlesRequest {
            idempotency_key: "k".into(),
            warehouse: "main".into(),
            articles: vec![article.clone()],
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(written.results[0].error, "");
    let state = app.state().await;
    assert_eq!(state["products"][0]["currencyCode"], "SEK", "{state}");
    let listed = commands
        .list_articles(Request::new(ListArticlesRequest {
            warehouse: "main".into(),
            ..ListArticlesRequest::default()
        }))
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(listed.articles.len(), 1);
    assert_eq!(
        listed.articles[0].article_system_id,
        written.results[0].article_system_id
    );
    assert_eq!(listed.articles[0].article, Some(article));
}

#[tokio::test]
async fn test_connection_says_whether_the_credentials_work() {
    let app = spawn_app().await;
    let ok = app
        .gateway
        .commands()
        .test_connection(Request::new(TestConnectionRequest {
            warehouse: "main".into(),
        }))
        .await
        .expect("ok")
        .into_inner();
    assert!(ok.ok, "{}", ok.message);
    let wrong = common::spawn_app_with(|s| s.client.merchant_secret = "nope".into()).await;
    let refused = wrong
        .gateway
        .commands()
        .test_connection(Request::new(TestConnectionRequest {
            warehouse: String::new(),
        }))
        .await
        .expect("ok")
        .into_inner();
    assert!(!refused.ok);
    assert!(refused.message.contains("[wms]"), "{}", refused.message);
    let other = app
        .gateway
        .commands()
        .test_connection(Request::new(TestConnectionRequest {
            warehouse: "other".into(),
        }))
        .await
        .expect_err("not served");
    assert_eq!(other.code(), Code::NotFound);
}

/// OGOship down says nothing about an article: the whole call is UNAVAILABLE (the caller writes
/// the batch again later), never a per-article refusal that would park articles.
#[tokio::test]
async fn ogoship_down_makes_the_whole_article_write_unavailable() {
    let app = spawn_app().await;
    app.control("faults", json!({"error_rate": 1.0})).await;
    let status = app
        .gateway
        .commands()
        .upsert_articles(Request::new(UpsertArticlesRequest {
            idempotency_key: "down".into(),
            warehouse: "main".into(),
            articles: ["A", "B"]
                .map(|n| Article {
                    article_number: n.into(),
                    ..Article::default()
                })
                .to_vec(),
        }))
        .await
        .expect_err("unavailable");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
}
