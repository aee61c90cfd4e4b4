//! Rate limits: the documented buckets with the example quotas, 429 with `Retry-After` once a
//! bucket is empty, allowed again after the window (the simulator's clock is moved instead of
//! sleeping), the `rateLimits` query, and the quotas configured through the control API.

use serde_json::{Value, json};

use super::gql;
use crate::harness::spawn_sim;

const RATE_LIMITS: &str = "{ rateLimits { type intervalSeconds quota usedQuota remainingQuota } }";

fn row<'a>(rows: &'a Value, kind: &str, interval: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == kind && r["intervalSeconds"] == interval)
        .unwrap_or_else(|| panic!("{kind} {interval} in {rows}"))
}

#[tokio::test]
async fn rate_limits_lists_the_six_buckets_with_the_example_quotas() {
    let t = spawn_sim().await;
    let answer = gql(&t, RATE_LIMITS, json!({})).await;
    let rows = answer.data("rateLimits");
    assert_eq!(rows.as_array().unwrap().len(), 6);
    for (kind, interval, quota) in [
        ("REQUEST_COUNT", "TEN_SECONDS", 20),
        ("REQUEST_COUNT", "ONE_HOUR", 10_000),
        ("QUERY_COMPLEXITY", "TEN_SECONDS", 150_000),
        ("QUERY_COMPLEXITY", "ONE_HOUR", 20_000_000),
        ("MUTATION_COUNT", "TEN_SECONDS", 100),
        ("MUTATION_COUNT", "ONE_HOUR", 1_000),
    ] {
        assert_eq!(row(rows, kind, interval)["quota"], quota);
    }
    // The query itself was charged, and no permission was needed.
    let requests = row(rows, "REQUEST_COUNT", "TEN_SECONDS");
    assert_eq!(
        (
            requests["usedQuota"].clone(),
            requests["remainingQuota"].clone()
        ),
        (json!(1), json!(19))
    );
    // Charged when it arrived, read a little later: the bucket refills 15,000 points a
    // second meanwhile (by the microsecond), so what is used is the cost less up to a few
    // milliseconds' refill.
    let complexity = answer.body["extensions"]["complexity"].as_i64().unwrap();
    let used = row(rows, "QUERY_COMPLEXITY", "TEN_SECONDS")["usedQuota"]
        .as_i64()
        .unwrap();
    assert!(
        used <= complexity && used >= complexity - 150,
        "used {used} of cost {complexity}"
    );
    assert_eq!(answer.body["extensions"]["permissionsUsed"], json!([]));
    assert_eq!(row(rows, "MUTATION_COUNT", "ONE_HOUR")["usedQuota"], 0);
}

#[tokio::test]
async fn over_quota_is_429_with_retry_after_until_the_window_refills() {
    let t = spawn_sim().await;
    t.control(
        "/graphql/rate-limits",
        &json!({"quotas": [{"type": "REQUEST_COUNT", "interval": "TEN_SECONDS", "quota": 3}]}),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            gql(&t, "{ warehouses { id } }", json!({})).await.status,
            200
        );
    }
    let refused = gql(&t, "{ warehouses { id } }", json!({})).await;
    assert_eq!(refused.status, 429);
    // 3 per 10 s: the next token comes in 3.33 s, advertised as 4 whole seconds.
    assert_eq!(refused.headers["retry-after"], "4");
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("REQUEST_COUNT/TEN_SECONDS"), "{message}");
    assert!(refused.body["extensions"]["appVersion"].is_string());
    // Still refused a moment later, allowed once the advertised time has passed.
    t.control("/clock", &json!({"advanceSeconds": 2})).await;
    assert_eq!(
        gql(&t, "{ warehouses { id } }", json!({})).await.status,
        429
    );
    t.control("/clock", &json!({"advanceSeconds": 2})).await;
    assert_eq!(
        gql(&t, "{ warehouses { id } }", json!({})).await.status,
        200
    );
    // After a whole window the bucket is full again.
    t.control("/clock", &json!({"advanceSeconds": 10})).await;
    for _ in 0..3 {
        assert_eq!(
            gql(&t, "{ warehouses { id } }", json!({})).await.status,
            200
        );
    }
    let log = t.control_get("/requests").await;
    let limited = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == 429 && e["graphql"]["rateLimited"] == true)
        .count();
    assert_eq!(limited, 2);
}

#[tokio::test]
async fn mutations_are_counted_per_mutation_field_and_refused_over_the_hourly_budget() {
    let t = spawn_sim().await;
    t.control(
        "/graphql/rate-limits",
        &json!({"quotas": [{"type": "MUTATION_COUNT", "interval": "ONE_HOUR", "quota": 3}], "retryAfter": "http-date"}),
    )
    .await;
    let two = "mutation { a: setEventListeners(input: [{objectType: Order}]) { userErrors { message } } b: setEventListeners(input: [{objectType: Shipment}]) { userErrors { message } } }";
    assert_eq!(gql(&t, two, json!({})).await.status, 200);
    let refused = gql(&t, two, json!({})).await;
    assert_eq!(refused.status, 429);
    let retry = refused.headers["retry-after"].to_str().unwrap().to_owned();
    assert!(retry.ends_with(" GMT"), "{retry}");
    // Queries still pass: they need no mutation token.
    let rows = gql(&t, RATE_LIMITS, json!({})).await;
    let mutations = row(rows.data("rateLimits"), "MUTATION_COUNT", "ONE_HOUR");
    assert_eq!(
        (
            mutations["usedQuota"].clone(),
            mutations["remainingQuota"].clone()
        ),
        (json!(2), json!(1))
    );
    // One mutation fits; a second one waits for the hourly bucket (1 token per 20 minutes).
    let one =
        "mutation { setEventListeners(input: [{objectType: Return}]) { userErrors { message } } }";
    assert_eq!(gql(&t, one, json!({})).await.status, 200);
    assert_eq!(gql(&t, one, json!({})).await.status, 429);
    t.control("/clock", &json!({"advanceSeconds": 1200})).await;
    assert_eq!(gql(&t, one, json!({})).await.status, 200);
}
