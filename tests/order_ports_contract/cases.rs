//! The contract: what `CentraShipments` and `WmsOrders` promise (see `order_sync::ports`),
//! one plain async fn per case, run by `main.rs` against every implementation.

use chrono::NaiveDate;
use domain::{Address, ArticleLine, ArticleNumber, LineId, PortError, PortErrorKind, ShipmentId};
use order_sync::ports::{
    Completion, PickedReported, PurchaseOrderLine, WmsCancellation, WmsOrder, WmsPurchaseOrder,
};

use crate::world::{CentraWorld, WAREHOUSE, WmsWorld, endpoint};

/// The error of `result`, failing the case on success.
fn failure<T: std::fmt::Debug>(what: &str, result: Result<T, PortError>) -> PortError {
    match result {
        Ok(answer) => panic!("{what}: expected a failure, got Ok({answer:?})"),
        Err(error) => error,
    }
}

fn order(number: &str, articles: &[&str]) -> WmsOrder {
    WmsOrder {
        idempotency_key: format!("upsert {number}"),
        warehouse: WAREHOUSE.to_owned(),
        order_number: number.to_owned(),
        delivery_date: NaiveDate::from_ymd_opt(2030, 1, 15).expect("date"),
        consignee: Address {
            name: "Ada Lovelace".into(),
            address1: "Storgatan 1".into(),
            zip_code: "11122".into(),
            city: "Stockholm".into(),
            country_code: "SE".into(),
            ..Address::default()
        },
        transporter: None,
        lines: (1..)
            .zip(articles)
            .map(|(row, article)| ArticleLine {
                row_number: row,
                line_id: LineId::new(format!("{row}")),
                article_number: ArticleNumber::from_wms(article).expect("article number"),
                quantity: 1,
            })
            .collect(),
        centra_order_id: "1".into(),
        shop_order_id: "1-1".into(),
    }
}

fn cancellation(number: &str, key: &str) -> WmsCancellation {
    WmsCancellation {
        idempotency_key: format!("cancel {number} {key}"),
        warehouse: WAREHOUSE.to_owned(),
        order_number: number.to_owned(),
    }
}

fn completion(id: &ShipmentId, capture: bool) -> Completion {
    Completion {
        idempotency_key: format!("complete {id}"),
        endpoint: endpoint(),
        order_id: id.order_id().to_string(),
        shipment_id: *id,
        capture,
        carrier: "DHL".into(),
        service: "Express".into(),
        tracking_numbers: vec!["WB1".into()],
        packages: 1,
        internal_comment: "contract case".into(),
    }
}

/// An order naming articles the WMS lacks is refused as `ArticlesMissing`, naming every one
/// of them once (an article on two lines too), and none the WMS holds.
pub async fn missing_articles_are_all_named_once(world: &impl WmsWorld) {
    world.know_articles(&["CT-HELD"]).await;
    let lines = ["CT-HELD", "CT-GONE-1", "CT-GONE-2", "CT-GONE-1"];
    let error = failure(
        "upsert naming missing articles",
        world
            .port()
            .upsert_order(&order("CT-MISSING", &lines))
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::ArticlesMissing, "{error}");
    let mut named = error.missing_articles().to_vec();
    named.sort();
    assert_eq!(named, ["CT-GONE-1", "CT-GONE-2"], "{error}");
    assert_eq!(world.created("CT-MISSING").await, 0, "no order made");
}

/// A purchase order naming articles the WMS lacks is refused as an order is
/// (`WmsOrders::upsert_purchase_order`'s `# Errors`: "as `upsert_order`"): `ArticlesMissing`
/// naming every one of them once, and none the WMS holds.
pub async fn purchase_order_missing_articles_are_all_named_once(world: &impl WmsWorld) {
    world.know_articles(&["CT-HELD"]).await;
    let lines = ["CT-HELD", "CT-GONE-1", "CT-GONE-2", "CT-GONE-1"];
    let order = WmsPurchaseOrder {
        idempotency_key: "purchase order CT-PO-MISSING".into(),
        warehouse: WAREHOUSE.to_owned(),
        purchase_order_number: "CT-PO-MISSING".into(),
        supplier_order_number: "957".into(),
        supplier_name: "Weaver AB".into(),
        in_date: None,
        remark: String::new(),
        reference: "S957-1".into(),
        lines: (1..)
            .zip(lines)
            .map(|(row, article)| PurchaseOrderLine {
                row_number: row,
                article_number: ArticleNumber::from_wms(article).expect("article number"),
                quantity: 2,
            })
            .collect(),
    };
    let error = failure(
        "purchase order naming missing articles",
        world.port().upsert_purchase_order(&order).await,
    );
    assert_eq!(error.kind(), PortErrorKind::ArticlesMissing, "{error}");
    let mut named = error.missing_articles().to_vec();
    named.sort();
    assert_eq!(named, ["CT-GONE-1", "CT-GONE-2"], "{error}");
}

/// The same upsert twice answers the same WMS order id; the WMS holds one order.
pub async fn the_same_upsert_twice_is_one_order(world: &impl WmsWorld) {
    world.know_articles(&["CT-A", "CT-B"]).await;
    let port = world.port();
    let order = order("CT-TWICE", &["CT-A", "CT-B"]);
    let first = port.upsert_order(&order).await.expect("first upsert");
    let second = port.upsert_order(&order).await.expect("second upsert");
    assert_eq!(first, second, "the same WMS order id");
    assert_eq!(world.created("CT-TWICE").await, 1, "one order in the WMS");
}

/// Cancelling what never reached the WMS is "already done"; a sent order is cancelled once,
/// then "already done".
pub async fn cancel_is_done_once(world: &impl WmsWorld) {
    let port = world.port();
    assert_eq!(
        port.cancel_order(&cancellation("CT-NEVER", "1")).await,
        Ok(true),
        "an order never sent is already cancelled"
    );
    world.know_articles(&["CT-A"]).await;
    port.upsert_order(&order("CT-CANCEL", &["CT-A"]))
        .await
        .expect("order sent");
    let cancel = cancellation("CT-CANCEL", "1");
    assert_eq!(port.cancel_order(&cancel).await, Ok(false), "cancelled now");
    assert_eq!(
        port.cancel_order(&cancel).await,
        Ok(true),
        "already cancelled"
    );
}

/// Once the warehouse started work, cancelling is refused.
pub async fn cancel_after_work_started_is_refused(world: &impl WmsWorld) {
    world.know_articles(&["CT-A"]).await;
    let port = world.port();
    port.upsert_order(&order("CT-STARTED", &["CT-A"]))
        .await
        .expect("order sent");
    world.start_work("CT-STARTED").await;
    let error = failure(
        "cancel after picking started",
        port.cancel_order(&cancellation("CT-STARTED", "1")).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
}

/// Once the warehouse started work, an update of the order is refused (not as missing
/// articles) and the WMS keeps the order as it was: order-sync's resync relies on it.
pub async fn update_after_work_started_is_refused_and_changes_nothing(world: &impl WmsWorld) {
    world.know_articles(&["CT-A", "CT-B"]).await;
    let port = world.port();
    port.upsert_order(&order("CT-PICKING", &["CT-A"]))
        .await
        .expect("order sent");
    world.start_work("CT-PICKING").await;
    let mut changed = order("CT-PICKING", &["CT-A", "CT-B"]);
    changed.idempotency_key = "upsert CT-PICKING again".into();
    let error = failure(
        "update after picking started",
        port.upsert_order(&changed).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert_eq!(
        world.lines("CT-PICKING").await,
        [("CT-A".to_owned(), 1)],
        "the order as it was"
    );
    assert_eq!(world.created("CT-PICKING").await, 1);
}

/// A call while the WMS is down fails `Unavailable`, retryable.
pub async fn wms_down_is_unavailable(world: &impl WmsWorld) {
    world.know_articles(&["CT-A"]).await;
    world.go_down().await;
    let error = failure(
        "upsert while the WMS is down",
        world
            .port()
            .upsert_order(&order("CT-DOWN", &["CT-A"]))
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}

/// A paid shipment is completed once: the second call is "already done", no second effect.
pub async fn complete_twice_is_one_completion(world: &impl CentraWorld) {
    let id = world.shipment(true).await;
    let port = world.port();
    assert_eq!(port.complete(&completion(&id, false)).await, Ok(false));
    assert_eq!(port.complete(&completion(&id, false)).await, Ok(true));
    assert_eq!(world.completions(&id).await, 1, "one completion");
}

/// An unpaid shipment completed without capture is refused, and not completed.
pub async fn unpaid_without_capture_is_refused(world: &impl CentraWorld) {
    let id = world.shipment(false).await;
    let error = failure(
        "complete unpaid without capture",
        world.port().complete(&completion(&id, false)).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert_eq!(world.completions(&id).await, 0, "not completed");
}

/// Capturing twice is success twice and charges once.
pub async fn capture_twice_charges_once(world: &impl CentraWorld) {
    let id = world.shipment(false).await;
    let port = world.port();
    let key = format!("capture {id}");
    assert_eq!(port.capture(&key, &endpoint(), &id).await, Ok(()));
    assert_eq!(port.capture(&key, &endpoint(), &id).await, Ok(()));
    assert_eq!(world.captures(&id).await, 1, "one capture");
}

/// A capture Centra declines is `Refused` (`CentraShipments::capture`'s `# Errors`), terminal,
/// and takes no money.
pub async fn declined_capture_is_refused(world: &impl CentraWorld) {
    let id = world.declined_shipment().await;
    let error = failure(
        "capture Centra declines",
        world
            .port()
            .capture(&format!("capture {id}"), &endpoint(), &id)
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable());
    assert_eq!(world.captures(&id).await, 0, "no money taken");
}

/// A call while Centra is down fails `Unavailable`, retryable.
pub async fn centra_down_is_unavailable(world: &impl CentraWorld) {
    let id = world.shipment(true).await;
    world.go_down().await;
    let error = failure(
        "complete while Centra is down",
        world.port().complete(&completion(&id, false)).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}

/// A shipment Centra does not know is `Refused` (`CentraShipments::shipment`'s `# Errors`),
/// never read as an empty good-to-go shipment.
pub async fn an_unknown_shipment_is_refused(world: &impl CentraWorld) {
    let unknown = ShipmentId::parse("987654-1").expect("shipment id");
    let error = failure(
        "read a shipment Centra does not know",
        world.port().shipment(&endpoint(), &unknown).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable());
}

/// Picks reported on an order the WMS does not know are `Refused`
/// (`WmsOrders::acknowledge_picked`'s `# Errors`), not taken as acknowledged.
pub async fn acknowledging_picks_of_an_unknown_order_is_refused(world: &impl WmsWorld) {
    let report = PickedReported {
        idempotency_key: "ack unknown".into(),
        warehouse: WAREHOUSE.to_owned(),
        wms_order_id: 987_654,
        wms_order_number: "unknown".into(),
        lines: vec![(1, 1)],
    };
    let error = failure(
        "acknowledge picks of an unknown order",
        world.port().acknowledge_picked(&report).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
}
