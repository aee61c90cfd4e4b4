//! Auth, permissions, `extensions` on every answer, faults and the request log on `/graphql`,
//! and the schema export.

use serde_json::json;

use super::{TOKEN, gql, gql_as, graphql_url, token_with};
use crate::harness::spawn_sim;

const SHIPMENTS: &str = "{ shipments(limit: 5) { id number } }";

#[tokio::test]
async fn bearer_and_cookie_tokens_are_accepted_and_others_are_401() {
    let t = spawn_sim().await;
    let ok = gql(&t, SHIPMENTS, json!({})).await;
    assert_eq!(ok.data("shipments"), &json!([]));

    let by_cookie = t
        .http
        .post(graphql_url(&t))
        .header("Cookie", format!("graphql-access={TOKEN}"))
        .json(&json!({"query": SHIPMENTS}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), 200);

    for token in [Some("not-a-token"), None] {
        let refused = gql_as(&t, token, SHIPMENTS, json!({})).await;
        assert_eq!(refused.status, 401, "{token:?}");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["category"],
            "authentication"
        );
        assert!(refused.body["extensions"]["appVersion"].is_string());
    }

    // A revoked token is refused from then on.
    token_with(&t, "short-lived", &["Shipment:read"]).await;
    assert_eq!(
        gql_as(&t, Some("short-lived"), SHIPMENTS, json!({}))
            .await
            .status,
        200
    );
    let revoked = t
        .http
        .delete(t.control_url("/graphql/tokens/short-lived"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        gql_as(&t, Some("short-lived"), SHIPMENTS, json!({}))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn a_missing_permission_is_a_top_level_authorization_error() {
    let t = spawn_sim().await;
    token_with(&t, "shipments-only", &["Shipment:read"]).await;
    let answer = gql_as(
        &t,
        Some("shipments-only"),
        "{ shipments { id } orders { number } }",
        json!({}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["data"]["shipments"], json!([]));
    assert_eq!(answer.body["data"]["orders"], json!(null));
    let error = &answer.body["errors"][0];
    assert_eq!(
        error["message"],
        "You need Order:read permission to access orders."
    );
    assert_eq!(error["extensions"]["category"], "authorization");
    assert_eq!(error["path"], json!(["orders"]));
    assert_eq!(
        answer.body["extensions"]["permissionsUsed"],
        json!(["Shipment:read", "Order:read"])
    );

    // Unknown permission names are refused when the token is configured.
    let bad = t
        .http
        .post(t.control_url("/graphql/tokens"))
        .json(&json!({"token": "x", "permissions": ["Shipment:raed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("permissions[0]"));
}

#[tokio::test]
async fn every_answer_carries_complexity_permissions_and_app_version() {
    let t = spawn_sim().await;
    let small = gql(&t, "{ warehouses { id name } }", json!({})).await;
    let big = gql(
        &t,
        "{ shipments(limit: 50) { id number lines { id quantity } } }",
        json!({}),
    )
    .await;
    for answer in [&small, &big] {
        let extensions = &answer.body["extensions"];
        assert!(
            extensions["complexity"].as_u64().unwrap() > 0,
            "{extensions}"
        );
        assert!(extensions["permissionsUsed"].is_array());
        assert!(extensions["appVersion"].as_str().unwrap().starts_with('v'));
    }
    // A larger page costs more.
    assert!(
        big.body["extensions"]["complexity"].as_u64()
            > small.body["extensions"]["complexity"].as_u64()
    );
    // A query that does not validate is answered with errors, extensions included.
    let invalid = gql(&t, "{ noSuchField }", json!({})).await;
    assert_eq!(invalid.status, 200);
    assert!(invalid.body["errors"][0]["message"].is_string());
    assert!(invalid.body["extensions"]["appVersion"].is_string());
}

#[tokio::test]
async fn faults_apply_to_graphql_and_the_request_log_names_the_operation() {
    let t = spawn_sim().await;
    t.control(
        "/faults",
        &json!({"error_rate": 1.0, "path_contains": "/graphql"}),
    )
    .await;
    let failed = gql(&t, SHIPMENTS, json!({})).await;
    assert_eq!(failed.status, 500);
    t.control(
        "/faults",
        &json!({"throttle_rate": 1.0, "retry_after_s": 3}),
    )
    .await;
    let throttled = gql(&t, SHIPMENTS, json!({})).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.headers["retry-after"], "3");
    t.control("/faults", &json!({"lost_response_rate": 1.0}))
        .await;
    let lost = t
        .http
        .post(graphql_url(&t))
        .bearer_auth(TOKEN)
        .json(&json!({"query": "mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }"}))
        .send()
        .await;
    assert!(lost.is_err(), "the connection closes without an answer");
    t.control("/faults", &json!({})).await;

    let log = t.control_get("/requests").await;
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["fault"], "error");
    assert_eq!(entries[1]["fault"], "throttle");
    // The lost call was applied and logged with its operation.
    let applied = &entries[2];
    assert_eq!(applied["fault"], "lost_response");
    assert_eq!(applied["path"], "/graphql");
    assert_eq!(applied["graphql"]["operationType"], "mutation");
    assert_eq!(applied["graphql"]["fields"], json!(["setEventListeners"]));
    let listeners = gql(&t, "{ eventListeners { objectType } }", json!({})).await;
    assert_eq!(
        listeners.data("eventListeners"),
        &json!([{"objectType": "Order"}])
    );
}

#[tokio::test]
async fn the_schema_is_exported_as_sdl() {
    let t = spawn_sim().await;
    let response = t
        .http
        .get(t.control_url("/graphql/schema"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let sdl = response.text().await.unwrap();
    for needle in [
        "type Query",
        "type Mutation",
        "completeShipment(id: Int!, input: ShipmentCompleteInput): ShipmentCompletePayload!",
        "rateLimits: [RateLimit!]!",
        "enum RateLimitType",
        "union EventTarget",
    ] {
        assert!(sdl.contains(needle), "{needle} in\n{sdl}");
    }
}
