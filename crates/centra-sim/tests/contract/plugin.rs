//! The plugin's endpoint allow-list (`POST /_sim/plugin`): a denied group answers every call
//! to its paths with the documented envelope (`status: "no"`, HTTP 403: [I], Centra documents
//! neither); other groups and a wrong secret behave as before; `{}` and reset allow all again.

use reqwest::Method;
use serde_json::json;

use crate::harness::spawn_sim;

#[tokio::test]
async fn a_denied_group_is_refused_and_the_others_answer() {
    let t = spawn_sim().await;
    t.seed_catalog().await;
    let answer = t
        .control(
            "/plugin",
            &json!({"deniedGroups": ["PRODUCT & STOCK", "returns"]}),
        )
        .await;
    assert_eq!(
        answer["deniedGroups"],
        json!(["PRODUCT & STOCK", "RETURNS"])
    );

    for path in ["/stock?limit=1", "/products", "/returns?limit=1"] {
        let response = t.send(Method::GET, path, None).await;
        assert_eq!(response.status(), 403, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["status"], "no", "{path}: {body}");
        assert!(
            body["msg"]
                .as_str()
                .is_some_and(|m| m.contains("not allowed")),
            "{path}: {body}"
        );
    }
    let stock = t
        .send(Method::POST, "/stock", Some(&json!({"products": {}})))
        .await;
    assert_eq!(stock.status(), 403, "writes are refused too");
    for path in [
        "/shipments?limit=1",
        "/orders?limit=1",
        "/supplier-deliveries",
    ] {
        assert_eq!(t.get(path).await["status"], "ok", "{path}");
    }
    // The secret is checked first: a wrong one is 401 whatever the group.
    let wrong = t
        .http
        .get(t.api_url("/stock"))
        .header("API-Authorization", "nope")
        .send()
        .await
        .expect("answered");
    assert_eq!(wrong.status(), 401);

    let refused = t
        .http
        .post(t.control_url("/plugin"))
        .json(&json!({"deniedGroups": ["SHOES"]}))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("deniedGroups[0]")
    );

    t.control("/plugin", &json!({})).await;
    assert_eq!(t.get("/stock?limit=1").await["status"], "ok");
    t.control("/plugin", &json!({"deniedGroups": ["ORDER & SHIPMENT"]}))
        .await;
    t.control("/reset", &json!({})).await;
    assert_eq!(
        t.get("/shipments").await["status"],
        "ok",
        "reset allows all"
    );
}
