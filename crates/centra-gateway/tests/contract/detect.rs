//! The shipments poll in the contract suite, through the adapter under test (see the parent
//! module): the good-to-go list is published once per shipment with what the warehouse needs,
//! a shipment completed is no cancellation, and one taken back from good to go or deleted is
//! announced cancelled once, each with its reason. Through GraphQL, the events queue wakes the
//! polls (the change feed).

use centra_gateway::detect::{REASON_GONE, REASON_NOT_GOOD_TO_GO, poll_shipments};
use prost::Message;
use proto::events::v1::{ShipmentCancelled, ShipmentGoodToGo};
use serde_json::json;

use super::{CentraApi, ENDPOINT, Harness, SECRET, completion, harness};

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

/// GraphQL only (the Order API has no events queue; webhooks wake its polls): the events queue
/// wakes the end-point's polls once per batch of changes and is confirmed, so a quiet queue
/// wakes nothing.
pub(super) async fn the_events_queue_wakes_the_polls() {
    use centra_gateway::detect::Wakers;
    use centra_gateway::detect::feed::{FEED_OBJECTS, feed_once};
    use std::time::Duration;

    let h = harness(CentraApi::Graphql).await;
    let client = match &h.connection {
        centra_gateway::connection::CentraConnection::Graphql(client) => client.clone(),
        centra_gateway::connection::CentraConnection::OrderApi(_) => unreachable!("graphql"),
    };
    let endpoint = client.endpoint().clone();
    let wakers = Wakers::new([&endpoint]);
    let signal = wakers.signal(&endpoint);
    client
        .set_event_listeners(FEED_OBJECTS)
        .await
        .expect("listening");
    assert_eq!(feed_once(&client, &wakers).await.expect("read"), 0);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), signal.notified())
            .await
            .is_err(),
        "a quiet queue wakes nothing"
    );
    h.open_shipment().await;
    assert!(feed_once(&client, &wakers).await.expect("read") > 0);
    tokio::time::timeout(Duration::from_secs(1), signal.notified())
        .await
        .expect("the polls were woken");
    assert_eq!(
        feed_once(&client, &wakers).await.expect("read again"),
        0,
        "the events were confirmed"
    );
}
