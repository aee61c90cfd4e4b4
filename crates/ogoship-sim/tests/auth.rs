//! `POST /OAuth/Token` and bearer auth (ogoship-api.md §2): form-only, single-use rotating
//! refresh tokens, expiry on the simulator clock, revocation.

mod common;

use common::{
    CLIENT_ID, CLIENT_SECRET, MERCHANT_ID, MERCHANT_SECRET, answer, password_grant, spawn_sim,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_password_grant_answers_a_bearer_pair_and_the_token_opens_the_api() {
    let t = spawn_sim().await;
    let granted = password_grant(&t.client, &t.sim.token_url()).await;
    assert_eq!(granted.status, StatusCode::OK);
    assert_eq!(granted.body["token_type"], "Bearer");
    assert_eq!(granted.body["expires_in"], 5400);
    assert!(
        granted.body["refresh_token"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let token = granted.body["access_token"].as_str().unwrap();
    let products = t.call_with(token, Method::GET, "products", None).await;
    assert_eq!(products.status, StatusCode::OK);
    assert_eq!(products.body, json!([]));
}

#[tokio::test]
async fn the_token_endpoint_refuses_json_and_wrong_credentials() {
    let t = spawn_sim().await;
    let as_json = answer(
        t.client
            .post(t.sim.token_url())
            .json(&json!({
                "grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "username": MERCHANT_ID, "password": MERCHANT_SECRET
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(as_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(as_json.body["error"], "unsupported_grant_type");

    let wrong_secret = answer(
        t.client
            .post(t.sim.token_url())
            .form(&[
                ("grant_type", "password"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("username", MERCHANT_ID),
                ("password", "wrong"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong_secret.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_secret.body["error"], "invalid_grant");

    let wrong_client = answer(
        t.client
            .post(t.sim.token_url())
            .form(&[
                ("grant_type", "password"),
                ("client_id", "999"),
                ("client_secret", CLIENT_SECRET),
                ("username", MERCHANT_ID),
                ("password", MERCHANT_SECRET),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong_client.body["error"], "invalid_client");
}

#[tokio::test]
async fn the_token_path_is_case_insensitive() {
    let t = spawn_sim().await;
    let url = format!("{}/oauth/TOKEN", t.sim.base_url());
    let granted = password_grant(&t.client, &url).await;
    assert_eq!(granted.status, StatusCode::OK, "{:?}", granted.body);
}

async fn refresh(t: &common::TestSim, refresh_token: &str) -> common::Answer {
    answer(
        t.client
            .post(t.sim.token_url())
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_refresh_rotates_the_pair_and_the_old_refresh_token_is_refused() {
    let t = spawn_sim().await;
    let first = password_grant(&t.client, &t.sim.token_url()).await;
    let old_refresh = first.body["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(&t, &old_refresh).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    let new_refresh = second.body["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, old_refresh);
    assert_ne!(second.body["access_token"], first.body["access_token"]);
    let new_access = second.body["access_token"].as_str().unwrap();
    assert_eq!(
        t.call_with(new_access, Method::GET, "orders", None)
            .await
            .status,
        StatusCode::OK
    );

    let reused = refresh(&t, &old_refresh).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.body["error"], "invalid_grant");
    assert_eq!(refresh(&t, new_refresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_access_token_expires_after_5400_seconds_of_simulator_clock() {
    let t = spawn_sim().await;
    let granted = password_grant(&t.client, &t.sim.token_url()).await;
    let refresh_token = granted.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(t.get("products").await.status, StatusCode::OK);
    let advanced = t.control_post("clock", &json!({ "advance_s": 5399 })).await;
    assert_eq!(advanced.status, StatusCode::OK);
    assert_eq!(t.get("products").await.status, StatusCode::OK);
    t.control_post("clock", &json!({ "advance_s": 2 })).await;
    let expired = t.get("products").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body["statusCode"], 401);
    assert!(expired.body["message"].is_string());
    // The refresh token (2 weeks) still works, and not after 2 weeks.
    assert_eq!(refresh(&t, &refresh_token).await.status, StatusCode::OK);
    let later = password_grant(&t.client, &t.sim.token_url()).await;
    t.control_post("clock", &json!({ "advance_s": 14 * 24 * 3600 }))
        .await;
    let stale = refresh(&t, later.body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(stale.body["error"], "invalid_grant");
}

#[tokio::test]
async fn missing_unknown_and_revoked_tokens_are_401() {
    let t = spawn_sim().await;
    let none = answer(t.client.get(t.api("products")).send().await.unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["statusCode"], 401);
    let unknown = t.call_with("nope", Method::GET, "products", None).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.get("products").await.status, StatusCode::OK);
    let revoked = t.control_post("tokens/revoke", &json!({})).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(t.get("products").await.status, StatusCode::UNAUTHORIZED);
}
