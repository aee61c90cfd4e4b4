//! `ReadStock` against the simulator: named articles (one unknown), paging over every article,
//! refused requests named by field, and the warehouse check ListArticles makes too.

mod common;

use common::{order_request, spawn_app};
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{ArticleStock, ReadStockRequest};
use serde_json::Value;
use tonic::{Code, Request};

fn named(numbers: &[&str]) -> Request<ReadStockRequest> {
    Request::new(ReadStockRequest {
        warehouse: "sandbox".into(),
        article_numbers: numbers.iter().map(|n| (*n).to_owned()).collect(),
        ..ReadStockRequest::default()
    })
}

fn page(from: i64, max: u32) -> Request<ReadStockRequest> {
    Request::new(ReadStockRequest {
        warehouse: "sandbox".into(),
        article_system_id_from: from,
        max_articles: max,
        ..ReadStockRequest::default()
    })
}

fn by_number<'a>(articles: &'a [ArticleStock], number: &str) -> &'a ArticleStock {
    articles
        .iter()
        .find(|a| a.article_number == number)
        .unwrap_or_else(|| panic!("{number} not in {articles:?}"))
}

#[tokio::test]
async fn named_articles_carry_their_stock_and_unknown_ones_are_not_found() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B", "C"]).await;
    app.set_stock("A", 10).await;
    app.set_stock("B", 4).await;
    let commands = app.gateway.commands();
    // An open order books items: sellable drops, physical stays.
    commands
        .upsert_order(Request::new(order_request("ORD-S1", &[("A", 3)])))
        .await
        .expect("order created");
    let before = app.requests().await.len();

    let stock = commands
        .read_stock(named(&["A", "B", "NOPE"]))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(stock.articles.len(), 2, "{stock:?}");
    let a = by_number(&stock.articles, "A");
    assert_eq!(
        (
            a.number_of_items,
            a.sellable_number_of_items,
            a.booked_number_of_items
        ),
        (10, 7, 3),
        "{a:?}"
    );
    assert!(a.article_system_id > 0, "{a:?}");
    let b = by_number(&stock.articles, "B");
    assert_eq!(
        (
            b.number_of_items,
            b.sellable_number_of_items,
            b.booked_number_of_items
        ),
        (4, 4, 0),
        "{b:?}"
    );
    assert_eq!(stock.not_found, vec!["NOPE".to_owned()]);
    assert_eq!(stock.next_article_system_id_from, 0);

    // The names travel as Ongoing's repeated `articleNumbers` parameter.
    let log: Vec<Value> = app.requests().await.into_iter().skip(before).collect();
    let first = log
        .iter()
        .find(|e| e["method"] == "GET" && e["path"] == "/sandbox/api/v1/articles")
        .expect("GET /articles");
    let query = first["query"].as_str().unwrap_or_default().to_owned();
    for name in ["A", "B", "NOPE"] {
        assert!(query.contains(&format!("articleNumbers={name}")), "{query}");
    }
    assert!(query.contains("goodsOwnerId=1"), "{query}");
    let reads = log
        .iter()
        .filter(|e| e["method"] == "GET" && e["path"] == "/sandbox/api/v1/articles")
        .count();
    assert_eq!(reads, 1, "the named articles fit on one page: one call");
}

#[tokio::test]
async fn without_names_every_article_is_read_page_by_page() {
    let app = spawn_app().await;
    let numbers = ["P1", "P2", "P3", "P4", "P5"];
    app.seed_articles(&numbers).await;
    for (i, number) in numbers.iter().enumerate() {
        app.set_stock(number, i64::try_from(i).expect("small") + 1)
            .await;
    }
    let commands = app.gateway.commands();

    let mut seen = Vec::new();
    let mut from = 0;
    let mut pages = 0;
    loop {
        let stock = commands
            .read_stock(page(from, 2))
            .await
            .expect("page")
            .into_inner();
        pages += 1;
        assert!(stock.articles.len() <= 2, "{stock:?}");
        assert!(stock.not_found.is_empty(), "{stock:?}");
        let next = stock.next_article_system_id_from;
        seen.extend(stock.articles);
        if next == 0 {
            break;
        }
        assert!(next > from, "the cursor moves on: {from} -> {next}");
        from = next;
        assert!(pages < 10, "paging does not end");
    }
    assert!(pages >= 3, "5 articles in pages of 2: {pages}");
    let mut numbers_seen: Vec<&str> = seen.iter().map(|a| a.article_number.as_str()).collect();
    numbers_seen.sort_unstable();
    assert_eq!(numbers_seen, numbers, "every article exactly once");
    for (i, number) in numbers.iter().enumerate() {
        let row = by_number(&seen, number);
        assert_eq!(row.number_of_items, i64::try_from(i).expect("small") + 1);
        assert_eq!(row.sellable_number_of_items, row.number_of_items);
    }

    // 0 lets the gateway choose (its page size): everything at once here.
    let all = commands
        .read_stock(page(0, 0))
        .await
        .expect("one page")
        .into_inner();
    assert_eq!(all.articles.len(), numbers.len());
    assert_eq!(all.next_article_system_id_from, 0);
}

#[tokio::test]
async fn bad_requests_are_refused_naming_the_field_before_any_call() {
    let app = spawn_app().await;
    let commands = app.gateway.commands();
    let before = app.requests().await.len();

    let many: Vec<String> = (0..101).map(|i| format!("ART-{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let status = commands
        .read_stock(named(&refs))
        .await
        .expect_err("too many");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("article_numbers"), "{status:?}");
    assert!(status.message().contains("100"), "{status:?}");

    let status = commands
        .read_stock(named(&["A", " "]))
        .await
        .expect_err("empty name");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("article_numbers[1]"),
        "{status:?}"
    );
    assert_eq!(app.requests().await.len(), before, "nothing was sent");

    // Exactly 100 is allowed.
    let hundred = &refs[..100];
    let stock = commands
        .read_stock(named(hundred))
        .await
        .expect("100 names")
        .into_inner();
    assert_eq!(stock.not_found.len(), 100);
}

#[tokio::test]
async fn another_warehouse_is_refused_like_list_articles() {
    let app = spawn_app().await;
    let commands = app.gateway.commands();
    let mut request = page(0, 0).into_inner();
    request.warehouse = "elsewhere".into();
    let status = commands
        .read_stock(Request::new(request))
        .await
        .expect_err("not served");
    assert_eq!(status.code(), Code::NotFound);
    assert!(status.message().contains("elsewhere"), "{status:?}");
}

/// The stock of `article` in every `WmsStockChanged` in the outbox, oldest first.
async fn published_levels(app: &common::TestApp, article: &str) -> Vec<(i64, i64)> {
    app.events::<proto::events::v1::WmsStockChanged>("wms.sandbox.stock.changed")
        .await
        .into_iter()
        .filter(|(_, e)| e.article_number == article)
        .map(|(_, e)| (e.number_of_items, e.sellable_number_of_items))
        .collect()
}

/// A change the poll missed because it came and went between two polls, but a check read, is
/// published by that read, so the poll after it sees the way back as a change too. Without it
/// the stock flow keeps the level it read (12 → 11 → 12: Centra stays at 11 for good).
#[tokio::test]
async fn a_level_a_read_saw_first_is_published_and_so_is_the_way_back() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B"]).await;
    app.set_stock("A", 12).await;
    app.set_stock("B", 3).await;
    let detector = app.gateway.detector();
    let commands = app.gateway.commands();
    detector.poll_once().await.expect("poll");
    assert_eq!(published_levels(&app, "A").await, [(12, 12)]);

    // A read of unchanged levels publishes nothing.
    commands.read_stock(named(&["A", "B"])).await.expect("read");
    assert_eq!(published_levels(&app, "A").await, [(12, 12)]);
    assert_eq!(published_levels(&app, "B").await, [(3, 3)]);

    // Between two polls: down to 11, read by a check, back to 12.
    app.set_stock("A", 11).await;
    let read = commands
        .read_stock(named(&["A"]))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(by_number(&read.articles, "A").number_of_items, 11);
    assert_eq!(published_levels(&app, "A").await, [(12, 12), (11, 11)]);
    app.set_stock("A", 12).await;
    detector.poll_once().await.expect("poll");
    assert_eq!(
        published_levels(&app, "A").await,
        [(12, 12), (11, 11), (12, 12)],
        "the way back is a change for whoever read 11"
    );

    // A page read (the reconcile's) follows the same rule; each event has its own id.
    app.set_stock("A", 9).await;
    commands.read_stock(page(0, 0)).await.expect("page");
    detector.poll_once().await.expect("poll");
    assert_eq!(
        published_levels(&app, "A").await,
        [(12, 12), (11, 11), (12, 12), (9, 9)]
    );
    assert_eq!(published_levels(&app, "B").await, [(3, 3)]);
    let mut ids: Vec<String> = app
        .events::<proto::events::v1::WmsStockChanged>("wms.sandbox.stock.changed")
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "{ids:?}");
}
