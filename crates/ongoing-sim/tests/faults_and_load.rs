//! Injected faults (`/_sim/faults`) and the one-write-at-a-time rule per goods owner, checked
//! through the request log (`/_sim/requests`) and the state (`/_sim/state`).

mod common;

use std::time::{Duration, Instant};

use common::{TestSim, spawn_sim};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn set_faults(t: &TestSim, faults: Value) {
    let set = t.control_post("faults", &faults).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
}

fn article_body(number: &str) -> Value {
    json!({"goodsOwnerId": 1, "articleNumber": number, "articleName": number})
}

fn tick(entry: &Value, name: &str) -> u64 {
    entry[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} in {entry}"))
}

#[tokio::test]
async fn error_rate_answers_the_asp_net_500_and_applies_nothing() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"error_rate": 1.0})).await;
    let failed = t.put("articles", &article_body("E1")).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body, json!({"Message": "An error has occurred."}));
    assert!(
        t.state().await["articles"]
            .as_array()
            .expect("articles")
            .is_empty()
    );
    assert_eq!(
        t.control_get("health").await,
        json!({"ok": true}),
        "control routes are never faulted"
    );
    let log = t.requests(0).await;
    assert_eq!(log.len(), 1, "control calls are not in the API log");
    assert_eq!(log[0]["status"], 500);
    assert_eq!(log[0]["fault"], "error");
    assert_eq!(
        log[0]["body"]["articleNumber"], "E1",
        "the body as received"
    );

    set_faults(&t, json!({})).await;
    assert_eq!(
        t.put("articles", &article_body("E1")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn throttle_rate_answers_429_with_retry_after() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"throttle_rate": 1.0, "retry_after_s": 7})).await;
    let throttled = t.get("articles?goodsOwnerId=1").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        throttled
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(t.requests(0).await[0]["fault"], "throttle");
}

#[tokio::test]
async fn latency_delays_every_call() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"latency_ms": 150})).await;
    let started = Instant::now();
    assert_eq!(t.get("orders/statuses").await.status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_lost_response_is_applied_but_never_answered() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"lost_response_rate": 1.0})).await;
    let sent = t
        .client
        .put(t.api("articles"))
        .basic_auth("sandbox", Some("sandbox"))
        .json(&article_body("LOST-1"))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let err = sent.expect_err("the connection is dropped without an answer");
    assert!(!err.is_timeout(), "dropped, not merely slow: {err}");

    let state = t.state().await;
    let articles = state["articles"].as_array().expect("articles");
    assert_eq!(articles.len(), 1, "the request was applied");
    assert_eq!(articles[0]["articleNumber"], "LOST-1");
    let log = t.requests(0).await;
    assert_eq!(log[0]["lost"], true);
    assert_eq!(log[0]["status"], 200, "the answer the client never got");

    // A retry of the same upsert is harmless: still one article.
    set_faults(&t, json!({})).await;
    assert_eq!(
        t.put("articles", &article_body("LOST-1")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.state().await["articles"]
            .as_array()
            .expect("articles")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_seed_makes_faults_reproducible() {
    let t = spawn_sim().await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        set_faults(&t, json!({"error_rate": 0.5, "seed": 42})).await;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(t.get("orders/statuses").await.status.as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn parallel_writes_are_processed_one_at_a_time() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"latency_ms": 80})).await;
    let started = Instant::now();
    let calls = (0..5).map(|n| {
        let client = t.client.clone();
        let url = t.api("articles");
        async move {
            client
                .put(url)
                .basic_auth("sandbox", Some("sandbox"))
                .json(&article_body(&format!("PAR-{n}")))
                .send()
                .await
                .expect("answer")
                .status()
        }
    });
    let statuses = futures_join_all(calls).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "5 × 80 ms one after the other: {:?}",
        started.elapsed()
    );

    let mut log = t.requests(0).await;
    assert_eq!(log.len(), 5);
    log.sort_by_key(|e| tick(e, "startedTick"));
    for pair in log.windows(2) {
        assert!(
            tick(&pair[0], "completedTick") < tick(&pair[1], "startedTick"),
            "processing overlapped: {} and {}",
            pair[0],
            pair[1]
        );
    }
    // They did arrive together: the client had several in flight, which the log shows.
    assert!(
        !client_kept_one_in_flight(&log),
        "arrivals overlapped, so the log must show it"
    );
}

#[tokio::test]
async fn parallel_reads_are_not_serialized() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"latency_ms": 200})).await;
    let calls = (0..3).map(|_| {
        let client = t.client.clone();
        let url = t.api("orders/statuses");
        async move {
            client
                .get(url)
                .basic_auth("sandbox", Some("sandbox"))
                .send()
                .await
                .expect("answer")
                .status()
        }
    });
    assert!(
        futures_join_all(calls)
            .await
            .iter()
            .all(|s| *s == StatusCode::OK)
    );
    let mut log = t.requests(0).await;
    log.sort_by_key(|e| tick(e, "startedTick"));
    assert!(
        tick(&log[1], "startedTick") < tick(&log[0], "completedTick"),
        "reads overlap"
    );
}

#[tokio::test]
async fn a_write_waiting_too_long_for_the_goods_owner_fails_and_is_not_applied() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"latency_ms": 1000, "write_timeout_ms": 200})).await;
    let calls = (0..2).map(|n| {
        let client = t.client.clone();
        let url = t.api("articles");
        async move {
            if n == 1 {
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            client
                .put(url)
                .basic_auth("sandbox", Some("sandbox"))
                .json(&article_body(&format!("SLOW-{n}")))
                .send()
                .await
                .expect("answer")
                .status()
        }
    });
    let statuses = futures_join_all(calls).await;
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::INTERNAL_SERVER_ERROR]
    );
    let state = t.state().await;
    let numbers: Vec<&str> = state["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| a["articleNumber"].as_str())
        .collect();
    assert_eq!(numbers, ["SLOW-0"]);
    assert!(t.requests(0).await.iter().any(|e| e["fault"] == "timeout"));
}

#[tokio::test]
async fn the_request_log_shows_whether_a_client_kept_one_request_in_flight() {
    let t = spawn_sim().await;
    for n in 0..4 {
        assert_eq!(
            t.put("articles", &article_body(&format!("SEQ-{n}")))
                .await
                .status,
            StatusCode::OK
        );
        t.get("articles?goodsOwnerId=1").await;
    }
    let log = t.requests(0).await;
    assert_eq!(log.len(), 8);
    assert!(client_kept_one_in_flight(&log));
    let seqs: Vec<u64> = log
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    assert_eq!(t.requests(6).await.len(), 2, "since is exclusive");
    assert!(
        log.iter()
            .all(|e| e["arrivedAt"].is_string() && e["completedAt"].is_string())
    );
}

/// True when every call arrived after the previous one was answered.
fn client_kept_one_in_flight(log: &[Value]) -> bool {
    let mut sorted: Vec<&Value> = log.iter().collect();
    sorted.sort_by_key(|e| tick(e, "arrivedTick"));
    sorted
        .windows(2)
        .all(|pair| tick(pair[0], "completedTick") < tick(pair[1], "arrivedTick"))
}

async fn futures_join_all<
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
>(
    futures: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn path_contains_limits_the_faults_to_matching_calls() {
    let t = spawn_sim().await;
    set_faults(&t, json!({"error_rate": 1.0, "path_contains": "articles"})).await;
    let failed = t.put("articles", &article_body("P1")).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let other = t.get("orders?goodsOwnerId=1").await;
    assert_eq!(other.status, StatusCode::OK, "{:?}", other.body);
    assert_eq!(
        t.control_get("faults").await["path_contains"],
        "articles",
        "read back as set"
    );
    set_faults(&t, json!({})).await;
    assert_eq!(
        t.put("articles", &article_body("P1")).await.status,
        StatusCode::OK
    );
}
