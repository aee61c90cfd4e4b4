//! Real Centra and Ongoing are HTTPS-only: the HTTP client the gateways share must speak TLS.
//! A request to a closed local port fails at connect, not as "scheme not supported".

#[tokio::test]
async fn the_shared_http_client_speaks_https() {
    let client = reqwest::Client::builder().build().expect("client builds");
    let error = client
        .get("https://127.0.0.1:1/api/order-api/shipments")
        .send()
        .await
        .expect_err("nothing listens on port 1");
    assert!(
        error.is_connect(),
        "expected a connect error, got {error:?}"
    );
    assert!(!error.is_builder(), "https is not supported: {error:?}");
}
