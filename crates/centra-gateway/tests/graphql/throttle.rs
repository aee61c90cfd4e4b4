//! The governor through the client: 429 holds and readings of `rateLimits`.

use std::time::Duration;

use centra_gateway::client_graphql::{BucketKind, StockLevel, Window};
use serde_json::json;

use crate::server::{FakeCentra, Reply};

fn stock_ok() -> Reply {
    Reply::data(json!({"setStock": {"userErrors": [], "userWarnings": []}}))
}

fn levels() -> Vec<StockLevel> {
    vec![StockLevel {
        variant_id: 1445,
        size_name: "M".to_owned(),
        quantity: 4,
    }]
}

#[tokio::test]
async fn a_429_holds_for_retry_after_then_reads_the_buckets_and_sends_the_mutation_again() {
    for date in [false, true] {
        // Seconds, or an HTTP date (whole seconds: 2 s ahead is at least 1 s of wait).
        let retry_after = if date {
            (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc2822()
        } else {
            "1".to_owned()
        };
        let centra = FakeCentra::start().await;
        centra.reply(
            "SetStock",
            Reply::status(429, json!({"errors": [{"message": "Too many requests"}]}))
                .header("retry-after", retry_after.clone()),
        );
        centra.reply("SetStock", stock_ok());
        centra
            .client()
            .set_stock(1, "wms stock", &levels())
            .await
            .expect("set after the hold");
        assert_eq!(
            centra.operations(),
            ["RateLimits", "SetStock", "RateLimits", "SetStock"],
            "{retry_after}: a reading before the first call and after the 429"
        );
        let seen = centra.seen();
        let waited = seen[3].at.duration_since(seen[1].at);
        assert!(
            waited >= Duration::from_millis(900),
            "{retry_after}: held {waited:?}"
        );
        assert_eq!(
            seen[3].body["variables"]["input"]["stockQuantityType"],
            json!("PHYSICAL")
        );
    }
}

#[tokio::test]
async fn the_budget_shown_is_centras_reading_less_what_the_client_spent() {
    let centra = FakeCentra::start().await;
    let bucket = |kind: &str, interval: &str, quota: u64, left: u64| json!({"type": kind, "intervalSeconds": interval, "quota": quota, "usedQuota": quota - left, "remainingQuota": left});
    centra.reply(
        "RateLimits",
        Reply::data(json!({"rateLimits": [
            bucket("MUTATION_COUNT", "ONE_HOUR", 1800, 40),
            bucket("QUERY_COMPLEXITY", "ONE_HOUR", 30_000_000, 30_000_000),
            bucket("REQUEST_COUNT", "FIVE_MINUTES", 100, 100),
        ]})),
    );
    centra.reply("SetStock", stock_ok());
    let client = centra.client();
    client
        .set_stock(1, "wms stock", &levels())
        .await
        .expect("set");
    let budgets = client.budgets();
    let find = |kind, window| {
        budgets
            .iter()
            .find(|b| b.kind == kind && b.window == window)
            .copied()
            .expect("bucket")
    };
    let mutations = find(BucketKind::Mutations, Window::OneHour);
    assert_eq!(mutations.quota, 1800, "Centra's quota, not the example");
    assert!(
        (39..=40).contains(&mutations.remaining),
        "40 read, 1 spent, a little refilled: {mutations:?}"
    );
    assert_eq!(
        find(BucketKind::Complexity, Window::OneHour).quota,
        30_000_000
    );
    assert_eq!(
        budgets.len(),
        6,
        "an unknown window is skipped, not an error"
    );
}

#[tokio::test]
async fn a_read_is_retried_after_a_server_error_and_a_mutation_after_a_lost_answer_is_not() {
    let centra = FakeCentra::start().await;
    centra.reply("EventsBatch", Reply::status(503, json!({})));
    centra.reply("EventsBatch", Reply::data(json!({"events": []})));
    let client = centra.client();
    assert!(client.events(&[]).await.expect("read").is_empty());
    centra.reply("SetStock", Reply::status(502, json!({})));
    let error = client
        .set_stock(1, "wms stock", &levels())
        .await
        .expect_err("the caller decides");
    assert!(error.is_retryable(), "{error}");
    assert_eq!(
        centra
            .operations()
            .iter()
            .filter(|o| *o == "SetStock")
            .count(),
        1
    );
}

/// `FlowStatus` answers the budget of a GraphQL end-point's client: every bucket, Centra's
/// reading less what was spent, when it was read, and the hold of a 429 while it lasts.
#[tokio::test]
async fn flow_status_answers_the_budget_and_a_429_hold() {
    use centra_gateway::flow_status::{FlowStatusService, PollLog};
    use proto::admin::v1 as pb;
    use proto::admin::v1::flow_status_server::FlowStatus as _;

    let centra = FakeCentra::start().await;
    centra.reply("SetStock", stock_ok());
    let client = centra.client();
    client
        .set_stock(1, "wms stock", &levels())
        .await
        .expect("set");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = platform_store::Store::open(
        platform_store::StoreOptions::new(
            centra_gateway::NAME,
            format!("sqlite://{}/gw.db?mode=rwc", dir.path().display()),
        ),
        &centra_gateway::MIGRATIONS,
    )
    .await
    .expect("store");
    let service = FlowStatusService::new(store, Vec::new(), PollLog::default())
        .with_budgets(vec![client.clone()]);
    let list = || async {
        service
            .list(tonic::Request::new(pb::ListFlowsRequest::default()))
            .await
            .expect("listed")
            .into_inner()
            .budgets
    };
    let budgets = list().await;
    assert_eq!(budgets.len(), 6, "every bucket: {budgets:?}");
    let mutations = budgets
        .iter()
        .find(|b| b.bucket == "mutations" && b.window == "1h")
        .expect("the hourly mutation bucket");
    assert_eq!(mutations.endpoint, "shop1");
    assert_eq!(mutations.quota, 1_000, "the documented reading");
    assert!(
        mutations.remaining < 1_000,
        "the mutation spent shows: {mutations:?}"
    );
    assert!(budgets.iter().all(|b| b.last_reading_at.is_some()));
    assert!(budgets.iter().all(|b| b.held_until.is_none()));

    centra.reply(
        "SetStock",
        Reply::status(429, json!({"errors": [{"message": "Too many requests"}]}))
            .header("retry-after", "30"),
    );
    // While the held call waits out the 429, status shows the hold.
    let waiting = tokio::spawn({
        let client = client.clone();
        async move { client.set_stock(1, "wms stock", &levels()).await }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let held = list().await;
        if held.iter().all(|b| b.held_until.is_some()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "a 429 of 30 s holds: {held:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!waiting.is_finished(), "the call waits out the hold");
    waiting.abort();
}
