//! The events queue through the GraphQL client.

use centra_gateway::client_graphql::{ChangeType, ObjectType};
use serde_json::json;

use crate::server::{FakeCentra, Reply};

#[tokio::test]
async fn listeners_are_set_events_read_and_confirmed() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "SetEventListeners",
        Reply::data(json!({"setEventListeners": {
            "eventListeners": [{"objectType": "Shipment", "changeTypes": ["CREATED", "UPDATED", "DELETED", "COMPLETED"]}],
            "userErrors": [], "userWarnings": []
        }})),
    );
    centra.reply(
        "EventsBatch",
        Reply::data(json!({"events": [
            {"id": 11, "objectType": "Shipment", "changeType": "UPDATED", "objectReference": 17, "createdAt": "2024-04-03T10:00:00+00:00"},
            {"id": 12, "objectType": "Voucher", "changeType": "CREATED", "objectReference": 3, "createdAt": "2024-04-03T10:00:01+00:00"}
        ]})),
    );
    centra.reply(
        "ConfirmEvents",
        Reply::data(json!({"confirmEvents": {"userErrors": [], "userWarnings": []}})),
    );
    let client = centra.client();
    client
        .set_event_listeners(&[ObjectType::Shipment, ObjectType::Return])
        .await
        .expect("listening");
    let events = client.events(&[ObjectType::Shipment]).await.expect("read");
    let first = events[0].as_ref().expect("a shipment event");
    assert_eq!(first.object_type, ObjectType::Shipment);
    assert_eq!(first.change_type, ChangeType::Updated);
    assert_eq!(first.object_reference, 17);
    let unknown = events[1]
        .as_ref()
        .expect_err("an object type not in the schema");
    assert_eq!(unknown.object, "event 12");
    assert_eq!(unknown.field, "objectType");
    client.confirm_events(&[11, 12]).await.expect("confirmed");
    client
        .confirm_events(&[])
        .await
        .expect("nothing to confirm");

    let seen = centra.seen();
    let body = |operation: &str| {
        seen.iter()
            .find(|s| s.operation == operation)
            .map(|s| s.body["variables"].clone())
            .expect("sent")
    };
    assert_eq!(
        body("SetEventListeners"),
        json!({"input": [{"objectType": "Shipment"}, {"objectType": "Return"}]})
    );
    assert_eq!(
        body("EventsBatch"),
        json!({"where": {"objectType": ["Shipment"]}, "limit": 100})
    );
    assert_eq!(
        body("ConfirmEvents"),
        json!({"input": {"eventsIds": [11, 12]}})
    );
    assert_eq!(
        seen.iter()
            .filter(|s| s.operation == "ConfirmEvents")
            .count(),
        1,
        "an empty confirmation is not sent"
    );
}
