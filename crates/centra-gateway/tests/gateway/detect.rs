//! The polls: each fact is published once through the outbox, unreadable records go to the
//! dead-letter list and the others still go through.

use centra_gateway::client::{CentraClient, CentraErrorKind, ShipmentStatusFilter};
use centra_gateway::detect::{poll_deliveries, poll_orders, poll_products, poll_shipments};
use platform_store::{DeadLetterFilter, MessageId};
use prost::Message;
use proto::events::v1 as pb;
use serde_json::{Value, json};

use crate::harness::{ENDPOINT, SECRET, TestApp, endpoint, fast_options, spawn_app};

async fn outbox_payload(app: &TestApp, id: &str) -> (String, Vec<u8>) {
    let entry = app
        .store
        .outbox()
        .get(&MessageId::new(id))
        .await
        .expect("outbox read")
        .unwrap_or_else(|| panic!("event {id} in the outbox"));
    (entry.message.subject, entry.message.payload.to_vec())
}

#[tokio::test]
async fn publishes_each_good_to_go_shipment_once() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, first) = app.place_order(false, true, true).await;
    let (_, second) = app.place_order(true, false, true).await;

    let report = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 2);
    let again = poll_shipments(&app.store, &app.client.clone().into())
        .await
        .expect("polled again");
    assert_eq!(again.published, 0, "a snapshot is not a queue");
    assert_eq!(again.unchanged, 2);

    let (subject, payload) =
        outbox_payload(&app, &format!("centra:{ENDPOINT}:shipment:{first}:gtg")).await;
    assert_eq!(subject, format!("centra.{ENDPOINT}.shipment.good-to-go"));
    let event = pb::ShipmentGoodToGo::decode(payload.as_slice()).expect("protobuf");
    assert_eq!(event.shipment_id, first);
    assert_eq!(event.endpoint, ENDPOINT);
    assert!(event.should_capture);
    assert_eq!(event.lines.len(), 2);
    assert_eq!(
        event.meta.expect("meta").event_id,
        format!("centra:{ENDPOINT}:shipment:{first}:gtg")
    );
    outbox_payload(&app, &format!("centra:{ENDPOINT}:shipment:{second}:gtg")).await;
    assert_eq!(
        app.store.outbox().unpublished_count().await.expect("count"),
        2
    );
}

#[tokio::test]
async fn publishes_products_per_version() {
    let app = spawn_app().await;
    app.seed_products().await;
    let first = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(first.published, 2, "jacket and cap");
    let (subject, payload) = {
        let entries: Vec<(String, Vec<u8>)> = sqlx::query_as::<_, (String, String)>(
            "SELECT message_id, subject FROM outbox ORDER BY seq",
        )
        .fetch_all(app.store.pool())
        .await
        .expect("outbox rows")
        .into_iter()
        .map(|(id, subject)| (id, subject.into_bytes()))
        .collect();
        let (id, _) = entries[0].clone();
        outbox_payload(&app, &id).await
    };
    assert_eq!(subject, format!("centra.{ENDPOINT}.product.changed"));
    let event = pb::ProductChanged::decode(payload.as_slice()).expect("protobuf");
    let product = event.product.expect("product");
    assert_eq!(product.product_id, "7001");
    assert_eq!(product.sizes.len(), 2, "the whole product, every size");

    let unchanged = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(unchanged.published, 0);

    let mut products = crate::harness::products();
    products["products"] = json!([products["products"][2].clone()]);
    products["products"][0]["prices"][0]["price"] = json!("31.00");
    app.control("/products", &products).await;
    let changed = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(changed.published, 1, "only the cap changed");
}

/// A catalogue larger than one publishing transaction (200 products) is published whole, each
/// product once, and a second poll publishes nothing.
#[tokio::test]
async fn a_catalogue_of_several_publishing_batches_is_published_once() {
    let app = spawn_app().await;
    let template = crate::harness::products()["products"][2].clone();
    let rows: Vec<Value> = (0..450_i64)
        .map(|n| {
            let mut row = template.clone();
            row["productId"] = json!(20_000 + n);
            row["variantId"] = json!(30_000 + n);
            row["stockItemId"] = json!(40_000 + n);
            row["sku"] = json!(format!("BATCH{n}"));
            row["ean"] = json!(format!("{:013}", 7_350_000_100_000_i64 + n));
            row
        })
        .collect();
    app.control("/products", &json!({ "products": rows })).await;
    let first = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!((first.published, first.unchanged), (450, 0));
    assert_eq!(
        app.store.outbox().unpublished_count().await.expect("count"),
        450
    );
    let again = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled again");
    assert_eq!(again.published, 0);
}

/// The listing is read a page at a time and no order of its rows is assumed: a product whose
/// two sizes are listed 600 rows apart (pages 1 and 2 of 500) is published once, whole, with
/// both sizes (the rows wait in the store, `detect/listing.rs`, not in memory).
#[tokio::test]
async fn a_product_listed_across_pages_is_published_whole() {
    let app = spawn_app().await;
    let template = crate::harness::products()["products"][2].clone();
    let row = |product: i64, item: i64| {
        let mut row = template.clone();
        row["productId"] = json!(product);
        row["variantId"] = json!(product + 10_000);
        row["stockItemId"] = json!(item);
        row["sku"] = json!(format!("SPREAD{product}"));
        row["sizeSku"] = json!(format!("{item}"));
        row["ean"] = json!(format!("{:013}", 7_350_000_200_000_i64 + item));
        row
    };
    // Centra's simulator lists by stock item id: the spread product's sizes come first and
    // last.
    let mut rows = vec![row(60_000, 70_000)];
    rows.extend((1..=600).map(|n| row(60_000 + n, 70_000 + n)));
    rows.push(row(60_000, 79_999));
    app.control("/products", &json!({ "products": rows })).await;

    let first = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!((first.published, first.dead_lettered), (601, 0));
    let listings = app
        .requests()
        .await
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/products")))
        .count();
    assert_eq!(listings, 2, "two pages of 500 rows");
    let mut spread = Vec::new();
    for (id, _) in app.outbox_rows().await {
        let (_, payload) = outbox_payload(&app, &id).await;
        let product = pb::ProductChanged::decode(payload.as_slice())
            .expect("protobuf")
            .product
            .expect("product");
        if product.product_id == "60000" {
            spread.push(
                product
                    .sizes
                    .iter()
                    .map(|s| s.stock_item_id.clone())
                    .collect::<Vec<_>>(),
            );
        }
    }
    assert_eq!(spread, [["70000", "79999"]], "published once, both sizes");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listed_rows")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(kept, 0, "the listing's rows are deleted once published");
}

/// The `productId` reads in the simulator's request log.
fn product_reads(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| r["query"].as_str())
        .filter(|q| q.contains("productId="))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn rows_listed_again_by_the_overlap_are_not_read_again_unless_changed() {
    let app = spawn_app().await;
    app.seed_products().await;
    for _ in 0..2 {
        poll_products(&app.store, &app.client.clone().into())
            .await
            .expect("polled");
    }
    assert_eq!(
        product_reads(&app.requests().await),
        Vec::<String>::new(),
        "rows seen with their published product are no change"
    );

    let mut products = crate::harness::products();
    products["products"] = json!([products["products"][2].clone()]);
    products["products"][0]["prices"][0]["price"] = json!("31.00");
    app.control("/products", &products).await;
    let changed = poll_products(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(changed.published, 1);
    let reads = product_reads(&app.requests().await);
    assert_eq!(
        reads.len(),
        1,
        "only the changed product is read: {reads:?}"
    );
    assert!(reads[0].contains("productId=7002"), "{reads:?}");
}

#[tokio::test]
async fn publishes_each_waiting_supplier_delivery_once() {
    let app = spawn_app().await;
    app.seed_products().await;
    app.control(
        "/supplier-deliveries",
        &json!({"orderId": 4401, "supplierName": "Nordic Textiles", "lines": [
            {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "quantity": 20}
        ]}),
    )
    .await;
    let report = poll_deliveries(&app.store, &app.client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1);
    let id: String = sqlx::query_scalar("SELECT message_id FROM outbox")
        .fetch_one(app.store.pool())
        .await
        .expect("one event");
    assert!(
        id.starts_with(&format!("centra:{ENDPOINT}:delivery:")) && id.ends_with(":created"),
        "{id}"
    );
    let (subject, payload) = outbox_payload(&app, &id).await;
    assert_eq!(
        subject,
        format!("centra.{ENDPOINT}.supplier-delivery.created")
    );
    let event = pb::SupplierDeliveryCreated::decode(payload.as_slice()).expect("protobuf");
    assert_eq!(event.supplier_name, "Nordic Textiles");
    assert_eq!(event.lines.len(), 1);
    assert_eq!(event.lines[0].quantity, 20);
    assert_eq!(
        poll_deliveries(&app.store, &app.client.clone().into())
            .await
            .expect("again")
            .published,
        0
    );
}

/// A stand-in for Centra that sends what the simulator never would: broken records.
async fn broken_centra(body: Value) -> String {
    let app = axum::Router::new().route(
        "/api/order-api/shipments",
        axum::routing::get(move || {
            let body = body.clone();
            async move { axum::Json(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/api/order-api")
}

#[tokio::test]
async fn unreadable_shipments_go_to_dead_letters_and_the_rest_is_published() {
    let app = spawn_app().await;
    let base = broken_centra(json!({"status": "ok", "shipments": [
        {"shipmentId": "100-1", "orderId": 100, "paid": "1", "products": [{"lineId": 1, "qty": "1", "sku": "A"}]},
        {"shipmentId": "101-1", "orderId": "101", "products": [{"lineId": "2", "qty": "two"}]},
        {"shipmentId": "102-1", "orderId": "102", "paid": "maybe"},
        {"orderId": "103"}
    ]}))
    .await;
    let client =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let report = poll_shipments(&app.store, &client.clone().into())
        .await
        .expect("polled");
    assert_eq!(report.published, 1);
    assert_eq!(report.dead_lettered, 3);
    outbox_payload(&app, &format!("centra:{ENDPOINT}:shipment:100-1:gtg")).await;
    let letters = app
        .store
        .dead_letters()
        .list(&DeadLetterFilter {
            kind: Some("centra.shipment".into()),
            status: None,
            limit: 10,
        })
        .await
        .expect("listed");
    let reason = |key: &str| {
        letters
            .iter()
            .find(|l| l.record_key == format!("{ENDPOINT}:{key}"))
            .map(|l| l.reason.clone())
            .unwrap_or_else(|| panic!("dead letter {key} in {letters:?}"))
    };
    assert!(
        reason("101-1").contains("shipment 101-1 products[0]")
            && reason("101-1").contains("\"qty\""),
        "{}",
        reason("101-1")
    );
    assert!(reason("102-1").contains("\"paid\""), "{}", reason("102-1"));
    assert!(
        reason("shipments[3]").contains("\"shipmentId\""),
        "{}",
        reason("shipments[3]")
    );
}

#[tokio::test]
async fn an_oversized_or_malformed_answer_is_a_typed_terminal_error() {
    let app = spawn_app().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let base = broken_centra(json!({"status": "ok", "shipments": [], "padding": huge})).await;
    let client =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let error = client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect_err("too big");
    assert!(
        matches!(error.kind, CentraErrorKind::BadPayload(_)),
        "{error:?}"
    );
    assert!(!error.is_retryable());

    let base = broken_centra(json!({"status": "maybe"})).await;
    let client =
        CentraClient::new(&endpoint(&base, SECRET), app.zone, fast_options()).expect("client");
    let error = client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect_err("unknown status");
    assert_eq!(
        error.payload_error().map(|e| e.field.as_str()),
        Some("status")
    );
}

/// The same memory and cursors on PostgreSQL (the distributed shape's database).
#[tokio::test]
async fn polls_publish_once_on_postgres_too() {
    let Some((store, database)) = postgres_store("centra-gateway polls on postgres").await else {
        return;
    };
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, true).await;
    assert_eq!(
        poll_shipments(&store, &app.client.clone().into())
            .await
            .expect("polled")
            .published,
        1
    );
    assert_eq!(
        poll_shipments(&store, &app.client.clone().into())
            .await
            .expect("again")
            .published,
        0
    );
    assert_eq!(
        poll_orders(&store, &app.client.clone().into())
            .await
            .expect("orders")
            .published,
        1
    );
    assert_eq!(
        poll_orders(&store, &app.client.clone().into())
            .await
            .expect("orders again")
            .published,
        0
    );
    // Centra deletes nothing here: the open shipment stays open on postgres too.
    assert_eq!(
        poll_shipments(&store, &app.client.clone().into())
            .await
            .expect("third")
            .published,
        0
    );
    assert_eq!(
        poll_products(&store, &app.client.clone().into())
            .await
            .expect("products")
            .published,
        2
    );
    assert_eq!(
        poll_products(&store, &app.client.clone().into())
            .await
            .expect("again")
            .published,
        0
    );
    assert!(
        store
            .outbox()
            .get(&MessageId::new(format!(
                "centra:{ENDPOINT}:shipment:{shipment_id}:gtg"
            )))
            .await
            .expect("read")
            .is_some()
    );
    store.close().await;
    database.drop_database().await;
}

/// `remember_all` over a page: new records (a name twice is new once), unchanged ones, a
/// changed version, and more records than one statement names; the same on each store.
async fn remember_all_tells_new_from_seen(store: &platform_store::Store) {
    use centra_gateway::detect::memory::{Remembered, remember_all};
    let endpoint = domain::EndpointName::parse("shop1").expect("name");
    let ids: Vec<String> = (0..250).map(|n| format!("S{n}")).collect();
    let page = |version: &'static str, ids: &[&str]| -> Vec<(String, &'static str)> {
        ids.iter().map(|id| ((*id).to_owned(), version)).collect()
    };
    async fn remember(
        store: &platform_store::Store,
        endpoint: &domain::EndpointName,
        records: &[(String, &'static str)],
    ) -> Vec<bool> {
        let named: Vec<Remembered<'_>> = records
            .iter()
            .map(|(id, version)| Remembered {
                record_id: id,
                version,
                event_id: "e",
            })
            .collect();
        let mut tx = store.begin().await.expect("tx");
        let new = remember_all(&mut tx, endpoint, "shipment", &named)
            .await
            .expect("remembered");
        tx.commit().await.expect("commit");
        new
    }
    assert_eq!(
        remember(store, &endpoint, &page("gtg", &["A", "B", "A"])).await,
        [true, true, false]
    );
    assert_eq!(
        remember(store, &endpoint, &page("gtg", &["B", "C", "A"])).await,
        [false, true, false]
    );
    let mut changed = page("gtg", &["A"]);
    changed.extend(page("v2", &["B", "B"]));
    assert_eq!(
        remember(store, &endpoint, &changed).await,
        [false, true, false]
    );
    let many: Vec<&str> = ids.iter().map(String::as_str).collect();
    let first = remember(store, &endpoint, &page("gtg", &many)).await;
    assert_eq!(first.iter().filter(|new| **new).count(), 250);
    let again = remember(store, &endpoint, &page("gtg", &many)).await;
    assert!(again.iter().all(|new| !new), "{again:?}");
}

#[tokio::test]
async fn remember_all_tells_new_from_seen_on_sqlite() {
    let app = spawn_app().await;
    remember_all_tells_new_from_seen(&app.store).await;
}

#[tokio::test]
async fn remember_all_tells_new_from_seen_on_postgres() {
    let Some((store, database)) = postgres_store("centra-gateway remember_all").await else {
        return;
    };
    remember_all_tells_new_from_seen(&store).await;
    store.close().await;
    database.drop_database().await;
}

/// The gateway's store on a fresh PostgreSQL database; `None` only outside CI
/// (`postgres_database` says so on stderr): under CI a missing or unreachable server fails
/// the test there.
async fn postgres_store(
    test: &str,
) -> Option<(platform_store::Store, test_support::PostgresDatabase)> {
    let database = test_support::postgres_database(test).await?;
    let store = platform_store::Store::open(
        platform_store::StoreOptions::new(centra_gateway::NAME, database.url.clone()),
        &centra_gateway::MIGRATIONS,
    )
    .await
    .expect("postgres store opens");
    Some((store, database))
}
