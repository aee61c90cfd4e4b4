//! The calls the GraphQL client makes for a record are noted for the record's journey
//! (`platform_http::calls`): each with its operation's name after the one path GraphQL answers
//! at, and its HTTP status, a 429 included.

use centra_gateway::client_graphql::StockLevel;
use platform_http::calls::{CallOutcome, for_records};
use serde_json::json;

use crate::server::{FakeCentra, Reply};

#[tokio::test]
async fn a_records_graphql_calls_are_noted_with_their_operation_and_status() {
    let centra = FakeCentra::start().await;
    centra.reply(
        "SetStock",
        Reply::status(429, json!({"errors": [{"message": "Too many requests"}]}))
            .header("retry-after", "1"),
    );
    centra.reply(
        "SetStock",
        Reply::data(json!({"setStock": {"userErrors": [], "userWarnings": []}})),
    );
    let levels = [StockLevel {
        variant_id: 1445,
        size_name: "M".to_owned(),
        quantity: 4,
    }];
    let client = centra.client();
    let (set, made) = for_records(
        vec!["article A-1".into()],
        client.set_stock(1, "wms", &levels),
    )
    .await;
    set.expect("set after the hold");
    let kept: Vec<(String, String, CallOutcome)> = made
        .calls
        .iter()
        .map(|c| (c.method.clone(), c.path.clone(), c.outcome))
        .collect();
    let call = |operation: &str, status| {
        (
            "POST".to_owned(),
            format!("/graphql {operation}"),
            CallOutcome::Status(status),
        )
    };
    assert_eq!(
        kept,
        [
            call("RateLimits", 200),
            call("SetStock", 429),
            call("RateLimits", 200),
            call("SetStock", 200),
        ],
        "every call the record caused, in order, with its status"
    );
    assert_eq!(made.records, ["article A-1"]);
}
