//! The events queue: listeners per integration, events from changes made through either API,
//! `object` as the current state, confirmation.

use serde_json::json;

use super::{gql, gql_as, shipment_id, token_with};
use crate::harness::spawn_sim;

const EVENTS: &str = "query($where: EventFilter) { events(where: $where, limit: 50) { id objectType changeType objectReference object { __typename ... on Shipment { number isShipped } ... on Order { number status } } } }";

#[tokio::test]
async fn changes_made_over_rest_and_graphql_queue_events_until_confirmed() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let set = gql(
        &t,
        "mutation { setEventListeners(input: [{objectType: Shipment}, {objectType: Order, changeTypes: [COMPLETED]}]) { eventListeners { objectType changeTypes } userErrors { message } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        set.data("setEventListeners")["eventListeners"],
        json!([
            {"objectType": "Order", "changeTypes": ["COMPLETED"]},
            {"objectType": "Shipment", "changeTypes": ["CREATED", "UPDATED", "COMPLETED", "DELETED", "DEPENDENT_DATA_CHANGED"]}
        ])
    );
    let s = t.seed_order(8601).await;
    let id = shipment_id(&t, &s.shipment_id).await;
    // Completed over REST (capturing first).
    t.put(
        "/shipment",
        &json!({"order": "8601", "shipment": s.shipment_id, "capture": true}),
    )
    .await;

    let answer = gql(&t, EVENTS, json!({})).await;
    let events = answer.data("events").as_array().unwrap().clone();
    let kinds: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["objectType"].as_str().unwrap().to_owned(),
                e["changeType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Shipment".to_owned(), "CREATED".to_owned()),
            ("Shipment".to_owned(), "COMPLETED".to_owned()),
            ("Order".to_owned(), "COMPLETED".to_owned()),
        ],
        "{events:?}"
    );
    // `object` is the current state, also for the older events.
    assert_eq!(events[0]["objectReference"], id);
    assert_eq!(
        events[0]["object"],
        json!({"__typename": "Shipment", "number": s.shipment_id, "isShipped": true})
    );
    assert_eq!(events[2]["objectReference"], 8601);
    assert_eq!(events[2]["object"]["status"], "SHIPPED");

    // Unconfirmed events come back; confirmed ones do not.
    let first = events[0]["id"].as_i64().unwrap();
    let confirm = gql(
        &t,
        "mutation($ids: [Int!]!) { confirmEvents(input: {eventsIds: $ids}) { userErrors { message } userWarnings { message } } }",
        json!({"ids": [first, 999_999]}),
    )
    .await;
    assert_eq!(
        confirm.data("confirmEvents")["userWarnings"],
        json!([{"message": "event 999999 is not in the queue"}])
    );
    let rest = gql(&t, EVENTS, json!({"where": {"objectType": ["Shipment"]}})).await;
    let left: Vec<String> = rest
        .data("events")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["changeType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, vec!["COMPLETED"]);
}

#[tokio::test]
async fn queues_are_per_integration_and_need_event_permissions() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    token_with(
        &t,
        "other-integration",
        &["Event:read", "Event:write", "Shipment:read"],
    )
    .await;
    token_with(&t, "no-events", &["Shipment:read"]).await;
    gql(
        &t,
        "mutation { setEventListeners(input: [{objectType: Shipment, changeTypes: [CREATED]}]) { userErrors { message } } }",
        json!({}),
    )
    .await;
    t.seed_order(8602).await;
    // The default token's integration has the event; the other integration set no listener.
    assert_eq!(
        gql(&t, EVENTS, json!({}))
            .await
            .data("events")
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let other = gql_as(&t, Some("other-integration"), EVENTS, json!({})).await;
    assert_eq!(other.data("events"), &json!([]));
    let refused = gql_as(&t, Some("no-events"), EVENTS, json!({})).await;
    assert_eq!(
        refused.body["errors"][0]["extensions"]["category"],
        "authorization"
    );
    assert_eq!(
        refused.body["errors"][0]["message"],
        "You need Event:read permission to access events."
    );

    // Unsetting a listener drops its queued events.
    gql(
        &t,
        "mutation { unsetEventListeners(input: [{objectType: Shipment}]) { eventListeners { objectType } } }",
        json!({}),
    )
    .await;
    assert_eq!(gql(&t, EVENTS, json!({})).await.data("events"), &json!([]));
}
