//! Products (ogoship-api.md §3, §4): paging with bare arrays, `modifiedAfter`, create, update
//! by old code, rename, base64url path codes, EAN never overwritten, case-insensitive paths.

mod common;

use common::spawn_sim;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn codes(page: &Value) -> Vec<String> {
    page.as_array()
        .expect("a bare array")
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_are_bare_arrays_paged_by_limit_and_page_until_a_short_page() {
    let t = spawn_sim().await;
    for i in 1..=7 {
        t.product(&format!("P{i}"), 0).await;
    }
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let answer = t.get(&format!("products?limit=3&page={page}")).await;
        assert_eq!(answer.status, StatusCode::OK);
        let got = codes(&answer.body);
        let short = got.len() < 3;
        seen.extend(got);
        if short {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 3);
    assert_eq!(seen, (1..=7).map(|i| format!("P{i}")).collect::<Vec<_>>());
    assert_eq!(t.get("products?limit=3&page=9").await.body, json!([]));
    assert_eq!(
        codes(&t.get("products").await.body).len(),
        7,
        "default limit 50"
    );
}

#[tokio::test]
async fn limit_is_capped_at_250_and_page_starts_at_1() {
    let t = spawn_sim().await;
    assert_eq!(t.get("products?limit=250").await.status, StatusCode::OK);
    for query in ["limit=251", "limit=0", "page=0", "limit=abc"] {
        let refused = t.get(&format!("products?{query}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(refused.body["statusCode"], 400, "{query}: ApiError");
        assert!(refused.body["message"].is_string());
    }
}

#[tokio::test]
async fn modified_after_returns_only_later_edits() {
    let t = spawn_sim().await;
    let first = t.product("A", 0).await;
    t.control_post("clock", &json!({ "advance_s": 10 })).await;
    t.product("B", 0).await;
    let cursor = first["editTime"].as_str().unwrap();
    let url = format!("products?modifiedAfter={}", urlencode(cursor));
    assert_eq!(codes(&t.get(&url).await.body), ["B"]);
    t.control_post("clock", &json!({ "advance_s": 10 })).await;
    let updated = t.put("products/A", &json!({ "name": "Renamed A" })).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(codes(&t.get(&url).await.body), ["A", "B"]);
    let bad = t.get("products?modifiedAfter=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn create_answers_a_product_response_and_refuses_duplicates_and_missing_fields() {
    let t = spawn_sim().await;
    let created = t
        .post(
            "products",
            &json!({ "code": "SKU-1", "name": "Shirt", "languageCode": "en", "eanCode": "123", "salesPrice": 19.9 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let body = &created.body;
    assert_eq!(body["code"], "SKU-1");
    assert_eq!(body["salesPrice"], 19.9);
    assert_eq!(body["id"].as_str().unwrap().len(), 36, "GUID");
    for field in ["stock", "stockAvailable", "reserved", "stockUpdate"] {
        assert_eq!(body[field], 0, "{field}");
    }
    assert!(body["editTime"].as_str().unwrap().contains("+00:00"));

    let duplicate = t
        .post(
            "products",
            &json!({ "code": "SKU-1", "languageCode": "en" }),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["statusCode"], 409);
    let no_language = t.post("products", &json!({ "code": "SKU-2" })).await;
    assert_eq!(no_language.status, StatusCode::BAD_REQUEST);
    let no_code = t.post("products", &json!({ "languageCode": "en" })).await;
    assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
    let by_ean = t.get("products?eanCode=123").await;
    assert_eq!(codes(&by_ean.body), ["SKU-1"]);
}

#[tokio::test]
async fn update_by_old_code_renames_and_keeps_an_existing_ean() {
    let t = spawn_sim().await;
    t.post(
        "products",
        &json!({ "code": "OLD", "name": "Old", "languageCode": "fi", "eanCode": "111" }),
    )
    .await;
    let renamed = t
        .put(
            "products/OLD",
            &json!({ "code": "NEW", "name": "New", "eanCode": "222" }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["code"], "NEW");
    assert_eq!(renamed.body["name"], "New");
    assert_eq!(
        renamed.body["eanCode"], "111",
        "an existing EAN is not overwritten"
    );
    assert_eq!(
        renamed.body["languageCode"], "fi",
        "fields not sent are kept"
    );
    assert_eq!(t.get("products?code=OLD").await.body, json!([]));
    assert_eq!(codes(&t.get("products?code=NEW").await.body), ["NEW"]);
    let gone = t.put("products/OLD", &json!({ "name": "x" })).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // An EAN is set when the product has none.
    t.post(
        "products",
        &json!({ "code": "NOEAN", "languageCode": "en" }),
    )
    .await;
    let filled = t.put("products/NOEAN", &json!({ "eanCode": "333" })).await;
    assert_eq!(filled.body["eanCode"], "333");
    let clash = t.put("products/NOEAN", &json!({ "code": "NEW" })).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_base64url_path_code_is_decoded() {
    let t = spawn_sim().await;
    t.post(
        "products",
        &json!({ "code": "A/B+C", "languageCode": "en" }),
    )
    .await;
    // base64url of "A/B+C" is "QS9CK0M" (no padding).
    let updated = t
        .put(
            "products/QS9CK0M?base64url=true",
            &json!({ "name": "Slashy" }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.body["code"], "A/B+C");
    assert_eq!(updated.body["name"], "Slashy");
    let plain = t.put("products/QS9CK0M", &json!({ "name": "x" })).await;
    assert_eq!(
        plain.status,
        StatusCode::NOT_FOUND,
        "without the flag the code is literal"
    );
}

#[tokio::test]
async fn api_paths_are_case_insensitive_but_codes_are_not() {
    let t = spawn_sim().await;
    t.product("MiXeD", 0).await;
    let url = format!("{}/Api/V1/Products?Code=MiXeD", t.sim.base_url());
    let listed = common::answer(
        t.client
            .get(url)
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(codes(&listed.body), ["MiXeD"]);
    assert_eq!(
        t.put("products/mixed", &json!({ "name": "x" }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get("nothing-here").await.status, StatusCode::NOT_FOUND);
}
