//! The REST client's tokens against the simulator: renewal after expiry, the single-use
//! refresh token surviving a restart, revoked tokens, refused credentials.

mod common;

use common::spawn_app;
use ogoship_gateway::client::OgoshipError;
use ogoship_gateway::credentials::verdict;
use platform_runtime::Credentials;
use serde_json::json;

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_call_sent_again() {
    let app = spawn_app().await;
    let client = app.gateway.client().clone();
    client.probe().await.expect("first call");
    assert_eq!(app.grants().await, ["password"]);

    // 1.5 h later on OGOship's clock the cached token is refused: one refresh, one resend.
    app.control("clock", json!({"advance_s": 5401})).await;
    client.probe().await.expect("call after expiry");
    assert_eq!(app.grants().await, ["password", "refresh_token"]);
    let statuses: Vec<u64> = app
        .requests()
        .await
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("products")))
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(statuses, [200, 401, 200]);
}

#[tokio::test]
async fn the_rotated_refresh_token_survives_a_restart() {
    let app = spawn_app().await;
    app.gateway.client().probe().await.expect("first call");
    app.control("clock", json!({"advance_s": 5401})).await;
    app.gateway.client().probe().await.expect("refreshed");

    // A new process over the same store: it continues with the NEWEST refresh token (the
    // first one is used up, so a stale one would be refused and fall back to a password grant).
    let restarted = app.client_with(|_| {});
    restarted.probe().await.expect("after restart");
    assert_eq!(
        app.grants().await,
        ["password", "refresh_token", "refresh_token"]
    );
}

#[tokio::test]
async fn revoked_tokens_fall_back_to_one_password_grant() {
    let app = spawn_app().await;
    app.gateway.client().probe().await.expect("first call");
    app.control("tokens/revoke", json!({})).await;
    app.gateway
        .client()
        .probe()
        .await
        .expect("after revocation");
    assert_eq!(
        app.grants().await,
        ["password", "refresh_token", "password"]
    );
}

#[tokio::test]
async fn a_wrong_secret_is_terminal_and_says_what_to_fix() {
    let app = spawn_app().await;
    let wrong = app.client_with(|s| s.merchant_secret = "wrong".into());
    let error = wrong.probe().await.expect_err("refused");
    assert!(
        matches!(error, OgoshipError::CredentialsRefused { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .contains("check merchant id and secret in [wms]")
    );
    assert!(
        !error.to_string().contains("wrong"),
        "no secret in messages"
    );
    // Terminal: one grant, no retries.
    assert_eq!(app.grants().await, ["password"]);
    match verdict(Err(error)) {
        Credentials::Refused(message) => assert!(message.contains("[wms]")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn throttling_is_retried_with_the_shared_policy() {
    let app = spawn_app().await;
    app.gateway.client().probe().await.expect("token");
    app.control(
        "faults",
        json!({"throttle_rate": 0.5, "retry_after_s": 0, "seed": 7, "path_contains": "products"}),
    )
    .await;
    for _ in 0..5 {
        app.gateway.client().probe().await.expect("retried through");
    }
    let throttled = app
        .requests()
        .await
        .iter()
        .filter(|r| r["status"] == 429)
        .count();
    assert!(throttled > 0, "the fault was injected");
}
