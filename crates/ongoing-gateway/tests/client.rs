//! The REST client against the simulator: pagination, one request in flight per goods owner,
//! retries of every fault type, terminal errors.

mod common;

use std::time::{Duration, Instant};

use common::{order_request, spawn_app};
use ongoing_gateway::client::{OngoingError, RetryPolicy};
use ongoing_gateway::commands::orders::post_order;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn query_of(entry: &Value) -> String {
    entry["query"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn lists_walk_every_page_with_the_id_cursor() {
    let app = spawn_app().await;
    let numbers: Vec<String> = (1..=7).map(|i| format!("ART-{i}")).collect();
    let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
    app.seed_articles(&refs).await;

    let client = app.client_with(|s| s.page_size = 3);
    let articles = client.list_articles(&[]).await.expect("listed").records;
    let mut seen: Vec<String> = articles
        .iter()
        .filter_map(|a| a.article_number.clone())
        .collect();
    seen.sort();
    let mut expected = numbers.clone();
    expected.sort();
    assert_eq!(seen, expected, "every article exactly once");

    let gets: Vec<String> = app
        .requests()
        .await
        .iter()
        .filter(|e| e["method"] == "GET" && e["path"] == "/sandbox/api/v1/articles")
        .map(query_of)
        .collect();
    assert_eq!(gets.len(), 4, "3 + 3 + 1 + the empty page: {gets:?}");
    assert!(
        gets.iter().all(|q| q.contains("maxArticlesToGet=3")),
        "{gets:?}"
    );
    assert!(!gets[0].contains("articleSystemIdFrom"), "{gets:?}");
    let ids: Vec<i64> = articles.iter().map(|a| a.article_system_id).collect();
    let third = ids.iter().take(3).max().copied().expect("ids");
    assert!(
        gets[1].contains(&format!("articleSystemIdFrom={}", third + 1)),
        "next page starts after the largest id: {gets:?}"
    );
}

#[tokio::test]
async fn one_request_in_flight_per_goods_owner_across_clients() {
    let app = spawn_app().await;
    app.seed_articles(&["A", "B"]).await;
    app.faults(json!({"latency_ms": 25})).await;
    let before = app.requests().await.len();

    let mut tasks = Vec::new();
    for i in 0..8 {
        // A fresh client per task: the lane is process-wide, not per instance.
        let client = app.client_with(|_| {});
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                client.list_articles(&[]).await.map(drop)
            } else {
                let order = post_order(1, &order_request(&format!("PAR-{i}"), &[("A", 1)]))
                    .expect("valid order");
                client.upsert_order(&order).await.map(drop)
            }
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("call succeeds");
    }

    let log: Vec<Value> = app.requests().await.into_iter().skip(before).collect();
    assert!(log.len() >= 8, "{}", log.len());
    let mut spans: Vec<(u64, u64)> = log
        .iter()
        .map(|e| {
            (
                e["arrivedTick"].as_u64().expect("arrived"),
                e["completedTick"].as_u64().expect("completed"),
            )
        })
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 > pair[0].1,
            "a request arrived (tick {}) before the previous one completed (tick {}): {log:#?}",
            pair[1].0,
            pair[0].1
        );
    }
}

/// Two replicas of the gateway (two stores on one PostgreSQL database, each with the shared
/// lane and nothing shared in-process) still keep one request in flight per goods owner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_in_flight_per_goods_owner_across_replicas() {
    let test = "ongoing lane across replicas";
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    app.faults(json!({"latency_ms": 25})).await;
    let before = app.requests().await.len();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let store = platform_store::Store::open(
            platform_store::StoreOptions::new("ongoing-gateway", &database.url),
            &ongoing_gateway::MIGRATIONS,
        )
        .await
        .expect("store opens");
        replicas.push(
            app.client_with(|_| {})
                .with_shared_lane(store.locks().clone()),
        );
    }
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = replicas[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            client.list_articles(&[]).await.map(drop)
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("call succeeds");
    }
    let log: Vec<Value> = app.requests().await.into_iter().skip(before).collect();
    assert!(log.len() >= 8, "{}", log.len());
    let mut spans: Vec<(u64, u64)> = log
        .iter()
        .map(|e| {
            (
                e["arrivedTick"].as_u64().expect("arrived"),
                e["completedTick"].as_u64().expect("completed"),
            )
        })
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 > pair[0].1,
            "a request arrived (tick {}) before the previous one completed (tick {})",
            pair[1].0,
            pair[0].1
        );
    }
    database.drop_database().await;
}

#[tokio::test]
async fn server_errors_are_retried_and_finally_reported_as_retryable() {
    let app = spawn_app().await;
    app.faults(json!({"error_rate": 1.0})).await;
    let client = app.client_with(|s| s.retry.max_retries = 2);
    let error = client.list_articles(&[]).await.expect_err("always 500");
    assert!(error.is_retryable(), "{error}");
    assert_eq!(error.status(), Some(500));
    assert!(
        error.to_string().contains("An error has occurred."),
        "{error}"
    );
    assert_eq!(app.requests().await.len(), 3, "first attempt + 2 retries");

    app.faults(json!({"error_rate": 0.5, "seed": 7})).await;
    let client = app.client_with(|_| {});
    for _ in 0..5 {
        client
            .list_articles(&[])
            .await
            .expect("retries get through");
    }
    let faulted = app
        .requests()
        .await
        .iter()
        .filter(|e| e["fault"] == "error")
        .count();
    assert!(
        faulted > 3,
        "some calls were faulted and retried: {faulted}"
    );
}

#[tokio::test]
async fn throttling_honours_retry_after() {
    let app = spawn_app().await;
    app.faults(json!({"throttle_rate": 1.0, "retry_after_s": 1}))
        .await;
    let client = app.client_with(|s| {
        s.retry = RetryPolicy {
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_retries: 1,
            max_retry_after: Duration::from_secs(5),
        };
    });
    let started = Instant::now();
    let error = client.list_articles(&[]).await.expect_err("always 429");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited the Retry-After second, not the 2 ms backoff: {:?}",
        started.elapsed()
    );
    assert_eq!(app.requests().await.len(), 2);
}

#[tokio::test]
async fn time_outs_are_retryable_transport_errors() {
    let app = spawn_app().await;
    app.faults(json!({"latency_ms": 400})).await;
    let client = app.client_with(|s| {
        s.timeout = Duration::from_millis(100);
        s.retry.max_retries = 1;
    });
    let error = client.list_articles(&[]).await.expect_err("times out");
    assert!(matches!(error, OngoingError::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_lost_response_on_an_upsert_never_makes_a_second_order() {
    let app = spawn_app().await;
    app.seed_articles(&["A"]).await;
    app.faults(json!({"lost_response_rate": 1.0})).await;
    // Slow retries so the test can lift the fault between the lost answer and the retry.
    let client = app.client_with(|s| {
        s.retry = RetryPolicy {
            min_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(400),
            max_retries: 3,
            max_retry_after: Duration::from_secs(1),
        };
    });
    let order = post_order(1, &order_request("LOST-1", &[("A", 2)])).expect("valid");
    let call = tokio::spawn(async move { client.upsert_order(&order).await });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if app.requests().await.iter().any(|e| e["lost"] == true) {
            break;
        }
        assert!(Instant::now() < deadline, "no lost answer seen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.faults(json!({})).await;
    let written = call.await.expect("task").expect("the retry succeeds");
    assert!(
        !written.created,
        "the retry found the order our lost call created"
    );

    let order = app.sim_order("LOST-1").await;
    assert_eq!(order["createdCount"], 1, "{order}");
    assert_eq!(order["orderId"], written.id);
    let puts = app
        .requests()
        .await
        .iter()
        .filter(|e| e["method"] == "PUT" && e["path"] == "/sandbox/api/v1/orders")
        .count();
    assert!(puts >= 2, "the lost PUT was sent again: {puts}");
}

#[tokio::test]
async fn validation_errors_are_terminal_and_not_retried() {
    let app = spawn_app().await;
    let client = app.client_with(|_| {});
    // The article does not exist in the warehouse: Ongoing refuses with a 400.
    let order = post_order(1, &order_request("BAD-1", &[("NOPE", 1)])).expect("valid shape");
    let error = client.upsert_order(&order).await.expect_err("refused");
    assert_eq!(error.status(), Some(400), "{error}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("NOPE"), "{error}");
    assert_eq!(
        app.requests().await.len(),
        1,
        "no retry of a terminal error"
    );
}

#[tokio::test]
async fn wrong_credentials_are_terminal() {
    let app = spawn_app().await;
    let wrong = app.client_with(|s| s.password = domain::Secret::new("wrong"));
    let error = wrong.list_articles(&[]).await.expect_err("refused");
    assert_eq!(error.status(), Some(401));
    assert!(!error.is_retryable());
    assert_eq!(app.requests().await.len(), 1);
}

/// Reads one HTTP/1.1 request off a raw socket and answers `answer` (201), returning the
/// request head as text.
async fn capture_one_request(listener: TcpListener, answer: &'static str) -> String {
    let (mut socket, _) = listener.accept().await.expect("accept");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed early");
        received.extend_from_slice(&buf[..n]);
        if let Some(pos) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        let n = socket.read(&mut buf).await.expect("read body");
        assert!(n > 0, "body cut short");
        received.extend_from_slice(&buf[..n]);
    }
    let response = format!(
        "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
    socket.write_all(response.as_bytes()).await.expect("answer");
    head
}

#[tokio::test]
async fn writes_send_basic_auth_and_an_explicit_content_length() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(capture_one_request(
        listener,
        r#"{"orderId":42,"message":"ok"}"#,
    ));
    let app = spawn_app().await;
    let client = app.client_with(|s| s.base_url = format!("http://{addr}"));
    let order = post_order(1, &order_request("LEN-1", &[("A", 1)])).expect("valid");
    let written = client.upsert_order(&order).await.expect("answered");
    assert_eq!(written.id, 42);
    assert!(written.created);
    let head = server.await.expect("server");
    assert!(head.starts_with("put /sandbox/api/v1/orders "), "{head}");
    assert!(head.contains("\r\ncontent-length: "), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    assert!(head.contains("\r\nauthorization: basic "), "{head}");
}
