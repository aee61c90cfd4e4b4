//! The shipments poll in the contract suite, through the adapter under test (see the parent
//! module): the good-to-go list is published once per shipment with what the warehouse needs,
//! a shipment completed is no cancellation, and one taken back from good to go or deleted is
//! announced cancelled once, each with its reason. The orders poll (the order import) publishes
//! each order once with what the warehouse needs. Through GraphQL, the events queue wakes the
//! polls (the change feed).

use std::time::{Duration, Instant};

use centra_gateway::client::ClientOptions;
use centra_gateway::client_graphql::GraphqlOptions;
use centra_gateway::connection::CentraConnection;
use centra_gateway::detect::{REASON_GONE, REASON_NOT_GOOD_TO_GO, poll_orders, poll_shipments};
use prost::Message;
use proto::events::v1::{OrderReady, ShipmentCancelled, ShipmentGoodToGo};
use serde_json::json;

use super::{CentraApi, ENDPOINT, Harness, SECRET, completion, differences, harness, order};

/// The poll hands each page of the good-to-go list on as it comes: with Centra answering
/// slowly, the first page's events are in the outbox while the later pages are still read (a
/// long backlog's first orders need not wait for the whole list at the end-point's rate).
pub(super) async fn good_to_go_pages_are_published_as_they_come(api: CentraApi) {
    let h = harness(api).await;
    for _ in 0..5 {
        h.open_shipment().await;
    }
    let connection = CentraConnection::for_endpoint(
        &super::endpoint(api, &h.sim),
        chrono_tz::Europe::Stockholm,
        ClientOptions {
            page_size: 2,
            request_timeout: Duration::from_secs(5),
            retry: super::retry(),
            ..ClientOptions::default()
        },
        GraphqlOptions {
            page_size: 2,
            request_timeout: Duration::from_secs(5),
            retry: super::retry(),
            ..GraphqlOptions::default()
        },
    )
    .expect("client");
    h.control("/faults", &json!({"latency_ms": 300})).await;
    let store = h.store.clone();
    let poll = tokio::spawn(async move { poll_shipments(&store, &connection).await });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let published = outbox(&h, ".shipment.good-to-go").await.len();
        if published > 0 {
            assert!(
                !poll.is_finished(),
                "the first events came with the end of the poll"
            );
            assert_eq!(published, 2, "the first page, on its own");
            break;
        }
        assert!(Instant::now() < deadline, "no event within 20 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let report = poll.await.expect("poll task").expect("polled");
    assert_eq!(report.published, 5, "{report:?}");
    h.control("/faults", &json!({})).await;
}

/// The payloads of the outbox rows whose subject ends with `suffix`, oldest first.
async fn outbox(h: &Harness, suffix: &str) -> Vec<Vec<u8>> {
    sqlx::query_as::<_, (String, Vec<u8>)>("SELECT subject, payload FROM outbox ORDER BY seq")
        .fetch_all(h.store.pool())
        .await
        .expect("outbox rows")
        .into_iter()
        .filter(|(subject, _)| subject.ends_with(suffix))
        .map(|(_, payload)| payload)
        .collect()
}

/// A call to the simulator's Order API (setup only: what the case does to Centra "by hand").
async fn by_hand(h: &Harness, method: reqwest::Method, path: &str, body: &serde_json::Value) {
    let answer: serde_json::Value = h
        .http
        .request(method, format!("{}/{path}", h.sim.base_url()))
        .header("API-Authorization", SECRET)
        .json(body)
        .send()
        .await
        .expect("order api answered")
        .json()
        .await
        .expect("order api json");
    assert_eq!(answer["status"], json!("ok"), "{path}: {answer}");
}

pub(super) async fn good_to_go_shipments_are_published_once(api: CentraApi) {
    let h = harness(api).await;
    let shipped = h.open_shipment().await;
    let withdrawn = h.open_shipment().await;
    // Unpaid: Centra refuses to delete a shipment with an invoice.
    let deleted = h.unpaid_shipment("card").await;
    let connection = h.connection.clone();
    let report = poll_shipments(&h.store, &connection).await.expect("polled");
    assert_eq!(
        (report.published, report.dead_lettered),
        (3, 0),
        "{report:?}"
    );
    let events: Vec<ShipmentGoodToGo> = outbox(&h, ".shipment.good-to-go")
        .await
        .iter()
        .map(|p| ShipmentGoodToGo::decode(p.as_slice()).expect("a ShipmentGoodToGo"))
        .collect();
    assert_eq!(events.len(), 3);
    let event = events
        .iter()
        .find(|e| e.shipment_id == shipped)
        .expect("the first shipment's event");
    assert_eq!(event.endpoint, ENDPOINT);
    assert_eq!(
        event.delivery_address.as_ref().map(|a| a.city.as_str()),
        Some("Stockholm")
    );
    let mut sizes: Vec<(&str, i64)> = event
        .lines
        .iter()
        .map(|l| (l.size_sku.as_str(), l.quantity))
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [("M", 1), ("S", 2)]);

    let again = poll_shipments(&h.store, &connection)
        .await
        .expect("polled again");
    assert_eq!((again.published, again.unchanged), (0, 3), "{again:?}");

    h.commands
        .complete_shipment(completion(&shipped, false))
        .await
        .expect("completed");
    by_hand(
        &h,
        reqwest::Method::PUT,
        &format!("shipments/{withdrawn}"),
        &json!({"gtg": false}),
    )
    .await;
    by_hand(
        &h,
        reqwest::Method::DELETE,
        &format!("shipments/{deleted}"),
        &json!({}),
    )
    .await;
    let report = poll_shipments(&h.store, &connection)
        .await
        .expect("polled after");
    assert_eq!(report.published, 2, "{report:?}");
    let mut cancelled: Vec<(String, String)> = outbox(&h, ".shipment.cancelled")
        .await
        .iter()
        .map(|p| ShipmentCancelled::decode(p.as_slice()).expect("a ShipmentCancelled"))
        .map(|e| (e.shipment_id, e.reason))
        .collect();
    cancelled.sort();
    let mut expected = vec![
        (withdrawn, REASON_NOT_GOOD_TO_GO.to_owned()),
        (deleted, REASON_GONE.to_owned()),
    ];
    expected.sort();
    assert_eq!(cancelled, expected, "the completed one is no cancellation");
    let last = poll_shipments(&h.store, &connection)
        .await
        .expect("polled last");
    assert_eq!(last.published, 0, "announced once: {last:?}");
}

/// The orders poll: a paid order and one waiting for payment (unpaid, no authorisation to
/// capture) are each published once as an `OrderReady`, with the delivery address, the lines'
/// products and the payment flag, and not again while they do not change.
pub(super) async fn orders_are_published_once(api: CentraApi) {
    let h = harness(api).await;
    let paid = h.open_shipment().await;
    let mut unpaid = order();
    unpaid["order"]["paid"] = json!(false);
    let answer = h.control("/orders", &unpaid).await;
    let unpaid = answer["shipmentId"]
        .as_str()
        .map_or_else(|| answer["shipmentId"].to_string(), str::to_owned);
    let order_of = |shipment: &str| shipment.split('-').next().unwrap_or_default().to_owned();
    let report = poll_orders(&h.store, &h.connection).await.expect("polled");
    assert_eq!(
        (report.published, report.dead_lettered),
        (2, 0),
        "{report:?}"
    );
    let events: Vec<OrderReady> = outbox(&h, ".order.ready")
        .await
        .iter()
        .map(|p| OrderReady::decode(p.as_slice()).expect("an OrderReady"))
        .collect();
    let event = |order: &str| {
        events
            .iter()
            .find(|e| e.order_id == order)
            .unwrap_or_else(|| panic!("order {order} in {events:?}"))
    };
    let paid = event(&order_of(&paid));
    assert_eq!(paid.endpoint, ENDPOINT);
    assert!(!paid.waiting_for_payment && !paid.on_hold, "{paid:?}");
    assert!(
        paid.order_status.eq_ignore_ascii_case("processing"),
        "{paid:?}"
    );
    assert_eq!(paid.currency, "EUR");
    let address = paid.delivery_address.clone().unwrap_or_default();
    assert_eq!(
        (
            address.name.as_str(),
            address.city.as_str(),
            address.country_code.as_str()
        ),
        ("Astrid Lind", "Stockholm", "SE")
    );
    let shipping = paid.shipping_method.clone().unwrap_or_default();
    assert_eq!(shipping.shipping_list, "postnord-parcel");
    let carrier = if differences(api).order_carrier_is_read {
        "PostNord"
    } else {
        ""
    };
    assert_eq!(shipping.carrier, carrier);
    let mut lines: Vec<(&str, &str, &str, &str, i64)> = paid
        .lines
        .iter()
        .map(|l| {
            (
                l.sku.as_str(),
                l.variant_sku.as_str(),
                l.size_sku.as_str(),
                l.ean.as_str(),
                l.quantity,
            )
        })
        .collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            ("HJ100", "NVY", "M", "7350000000028", 1),
            ("HJ100", "NVY", "S", "7350000000011", 2)
        ]
    );
    assert!(paid.order_date.is_some(), "{paid:?}");
    assert!(
        event(&order_of(&unpaid)).waiting_for_payment,
        "unpaid, no authorisation to capture"
    );

    let again = poll_orders(&h.store, &h.connection)
        .await
        .expect("polled again");
    assert_eq!((again.published, again.unchanged), (0, 2), "{again:?}");
}

/// GraphQL only (the Order API has no events queue; webhooks wake its polls): the events queue
/// wakes the polls its events concern once per batch of changes and is confirmed, so a quiet
/// queue wakes nothing, and a queue of several batches is read in one tick; a new shipment wakes the shipments poll and never the products poll
/// (a GraphQL products poll reads the whole catalogue); the news of a completion the client
/// made itself does not wake the shipments poll again; a new supplier delivery wakes the
/// deliveries poll.
pub(super) async fn the_events_queue_wakes_the_polls() {
    use centra_gateway::connection::ShipmentCompletion;
    use centra_gateway::detect::feed::{feed_objects, feed_once};
    use centra_gateway::detect::{Flows, Wakers};
    use std::time::Duration;

    let h = harness(CentraApi::Graphql).await;
    let client = match &h.connection {
        centra_gateway::connection::CentraConnection::Graphql(client) => client.clone(),
        centra_gateway::connection::CentraConnection::OrderApi(_) => unreachable!("graphql"),
    };
    let endpoint = client.endpoint().clone();
    let wakers = Wakers::new([&endpoint]);
    let signal = wakers.signal(&endpoint);
    let objects = feed_objects(Flows::ALL);
    client
        .set_event_listeners(&objects)
        .await
        .expect("listening");
    assert_eq!(
        feed_once(&client, &objects, &wakers).await.expect("read"),
        0
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(100), signal.notified())
            .await
            .is_err(),
        "a quiet queue wakes nothing"
    );
    let number = h.open_shipment().await;
    h.open_shipment().await;
    assert!(
        feed_once(&client, &objects, &wakers).await.expect("read") >= 4,
        "two orders and their shipments, batches of 2, all read in one tick"
    );
    tokio::time::timeout(Duration::from_secs(1), signal.notified())
        .await
        .expect("the polls were woken");
    let asked = signal.take();
    assert!(asked.shipments, "a new shipment: {asked:?}");
    assert!(!asked.products, "the catalogue is left to the interval");
    assert_eq!(
        feed_once(&client, &objects, &wakers)
            .await
            .expect("read again"),
        0,
        "the events were confirmed"
    );

    h.connection
        .complete_once(&ShipmentCompletion {
            shipment_id: number.parse().expect("shipment id"),
            order_id: String::new(),
            capture: false,
            carrier: "PostNord".to_owned(),
            service: String::new(),
            tracking_numbers: vec!["00370712345".to_owned()],
            packages: 1,
            return_slip_tracking: String::new(),
            send_email: None,
            internal_comment: String::new(),
        })
        .await
        .expect("completed");
    assert!(
        feed_once(&client, &objects, &wakers)
            .await
            .expect("the completion's events")
            > 0
    );
    let asked = signal.take();
    assert!(
        !asked.shipments,
        "its own completion wakes no shipments poll: {asked:?}"
    );
    assert!(asked.orders, "the order's change wakes the orders poll");

    h.control(
        "/supplier-deliveries",
        &serde_json::json!({"orderId": 951, "supplierName": "Sim Mill", "lines": [
            {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "quantity": 4}
        ]}),
    )
    .await;
    assert!(
        feed_once(&client, &objects, &wakers)
            .await
            .expect("the delivery's event")
            > 0
    );
    let asked = signal.take();
    assert!(asked.deliveries, "a new delivery: {asked:?}");
    assert!(!asked.shipments && !asked.products, "{asked:?}");
}
