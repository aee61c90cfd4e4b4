//! Conformance with Centra's published examples (`shared/fixtures/centra/order-api`, read at
//! test time, never copied: they are CC BY-NC-SA). Our answers must have the same shape, field
//! by field: every key an example always has, with the same JSON kind (string vs number
//! matters: Centra mixes them), recursively; keys the examples do not show are refused unless
//! listed as documented. Published requests must be accepted as they are.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::harness::{TestSim, published_examples, spawn_sim};
use crate::published::{Shape, load};

struct Conformance<'a> {
    dir: &'a Path,
    errors: Vec<String>,
    compared: usize,
}

impl Conformance<'_> {
    fn compare(&mut self, example: &str, ours: &Value, extra: &[&str]) {
        let published_value = load(self.dir, example);
        // A published refusal must be the same refusal, word for word.
        if published_value["status"] == "no" && ours["msg"] != published_value["msg"] {
            self.errors.push(format!(
                "{example}: msg {} where Centra says {}",
                ours["msg"], published_value["msg"]
            ));
        }
        let published = Shape::of(&published_value);
        let extra: BTreeSet<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        self.compare_shape(example, &published, ours, &extra);
    }

    fn compare_shape(
        &mut self,
        example: &str,
        published: &Shape,
        ours: &Value,
        extra: &BTreeSet<String>,
    ) {
        let mut errors = Vec::new();
        published.check(ours, "$", extra, &mut errors);
        self.errors
            .extend(errors.into_iter().map(|e| format!("{example}: {e}")));
        self.compared += 1;
    }
}

async fn seed(t: &TestSim) -> (String, String) {
    t.seed_catalog().await;
    let paid = t
        .seed_order_with(8101, |o| o["order"]["paid"] = json!(true))
        .await;
    (paid.order_id, paid.shipment_id)
}

#[tokio::test]
async fn responses_have_the_published_shapes() {
    let Some(dir) = published_examples("responses_have_the_published_shapes") else {
        return;
    };
    let t = spawn_sim().await;
    let (_, paid_shipment) = seed(&t).await;
    let mut c = Conformance {
        dir: &dir,
        errors: Vec::new(),
        compared: 0,
    };

    // Orders: `orderStatus` is documented on REF/104 but not in its example.
    c.compare(
        "get-orders.response.txt",
        &t.get("/orders").await,
        &["orderStatus"],
    );
    c.compare(
        "get-shipments.response.txt",
        &t.get("/shipments").await,
        &[],
    );
    // The 2020 single-shipment page predates `upc`; the 2024 list page has it.
    let list_shape = Shape::of(&load(&dir, "get-shipments.response.txt"));
    let mut list_keys = BTreeSet::new();
    list_shape.all_keys(&mut list_keys);
    let one = t.get(&format!("/shipment/{paid_shipment}")).await;
    let single = Shape::of(&load(&dir, "get-shipment.response.txt"));
    c.compare_shape("get-shipment.response.txt", &single, &one, &list_keys);
    // REF/108 answers the full shipment (its example shows a shortened one).
    let updated = t
        .put(&format!("/shipments/{paid_shipment}"), &json!({"gtg": 1}))
        .await;
    let update_shape = Shape::of(&load(&dir, "update-shipment.response.json"));
    c.compare_shape(
        "update-shipment.response.json",
        &update_shape,
        &updated,
        &list_keys,
    );

    let capturing = t.seed_order(8102).await;
    c.compare(
        "capture.response.json",
        &t.put("/capture", &json!({"shipment": capturing.shipment_id}))
            .await,
        &[],
    );
    let failing = t
        .seed_order_with(8103, |o| o["order"]["captureFails"] = json!(true))
        .await;
    c.compare(
        "capture.error-capture-failed.json",
        &t.put("/capture", &json!({"shipment": failing.shipment_id}))
            .await,
        &[],
    );
    c.compare(
        "complete-shipment.error-capture-failed.json",
        &t.put(
            "/shipment",
            &json!({"order": failing.order_id, "shipment": failing.shipment_id}),
        )
        .await,
        &[],
    );
    c.compare(
        "complete-shipment.response.json",
        &t.put(
            "/shipment",
            &json!({"order": "8101", "shipment": paid_shipment}),
        )
        .await,
        &[],
    );

    let lines =
        t.get(&format!("/shipment/{paid_shipment}")).await["shipments"][0]["products"].clone();
    let line = |i: usize| lines[i]["lineId"].as_str().unwrap().to_owned();
    c.compare(
        "create-return.response.json",
        &t.post(
            "/return",
            &json!({"shipment": paid_shipment, "products": {line(0): 1}}),
        )
        .await,
        &[],
    );
    c.compare(
        "create-return-with-refund.response.json",
        &t.post("/return", &json!({"shipment": paid_shipment, "products": {line(1): 1}, "refund": {"refundPayment": true}})).await,
        &[],
    );
    c.compare(
        "create-return.error.json",
        &t.post("/return", &json!({"shipment": "1-1"})).await,
        &[],
    );
    c.compare("get-returns.response.json", &t.get("/returns").await, &[]);
    let return_id = t.get("/returns").await["returns"][0]["returnId"]
        .as_u64()
        .unwrap();
    c.compare(
        "update-return.response.json",
        &t.put(
            &format!("/returns/{return_id}"),
            &json!({"completed": true}),
        )
        .await,
        &[],
    );
    c.compare(
        "update-return.error.json",
        &t.put("/returns/100500", &json!({"completed": true})).await,
        &[],
    );

    // Page 2 of 3 carries both links. `upc` is documented for products (REF/301 lists it with
    // the stock fields); our product rows leave it out like the example.
    c.compare(
        "get-products.response.txt",
        &t.get("/products?limit=1&page=2").await,
        &[],
    );
    c.compare(
        "get-stock.response.json",
        &t.get("/stock?limit=1&page=2").await,
        &[],
    );
    c.compare(
        "update-stock.response.json",
        &t.post(
            "/stock",
            &json!({"products": [{"product": "7350000000035", "quantity": 4}]}),
        )
        .await,
        &[],
    );
    c.compare(
        "update-stock.error.json",
        &t.post(
            "/stock",
            &json!({"products": [{"product": "0000000000000", "quantity": 4}]}),
        )
        .await,
        &[],
    );

    let delivery = t
        .control(
            "/supplier-deliveries",
            &crate::harness::fixture("sim-supplier-delivery.json", &[]),
        )
        .await;
    let delivery_id = delivery["id"].as_str().unwrap().to_owned();
    c.compare(
        "get-supplier-deliveries.response.json",
        &t.get("/supplier-deliveries").await,
        &[],
    );
    c.compare(
        "get-supplier-delivery.response.txt",
        &t.get(&format!("/supplier-deliveries/{delivery_id}")).await,
        &[],
    );
    c.compare(
        "accept-supplier-delivery.response.json",
        &t.post(
            &format!("/supplier-deliveries/{delivery_id}"),
            &json!({"products": {"7350000000011": 1}}),
        )
        .await,
        &[],
    );

    let splitting = t.seed_order(8105).await;
    t.put(
        &format!("/shipments/{}", splitting.shipment_id),
        &json!({"products": {splitting.order_lines[0].clone(): 1}}),
    )
    .await;
    c.compare(
        "create-shipment.response.json",
        &t.post(
            "/shipments",
            &json!({"order": 8105, "products": {splitting.order_lines[0].clone(): 1}}),
        )
        .await,
        &[],
    );
    c.compare(
        "create-shipment.error-order-does-not-exist.json",
        &t.post("/shipments", &json!({"order": 1337, "products": {"1": 1}}))
            .await,
        &[],
    );
    let declined = t
        .seed_order_with(8106, |o| o["order"]["captureFails"] = json!(true))
        .await;
    t.put(
        &format!("/shipments/{}", declined.shipment_id),
        &json!({"products": {declined.order_lines[0].clone(): 1}}),
    )
    .await;
    c.compare(
        "create-shipment.error-can-not-capture.json",
        &t.post(
            "/shipments",
            &json!({"order": 8106, "products": {declined.order_lines[0].clone(): 1}}),
        )
        .await,
        &[],
    );
    c.compare(
        "delete-shipment.response.json",
        &t.call(
            reqwest::Method::DELETE,
            &format!("/shipments/{}", splitting.shipment_id),
            None,
        )
        .await,
        &[],
    );
    c.compare(
        "delete-shipment.error.json",
        &t.call(
            reqwest::Method::DELETE,
            &format!("/shipments/{paid_shipment}"),
            None,
        )
        .await,
        &[],
    );

    // Webhook payloads: the Integration API example.
    t.control("/webhooks", &json!({"url": "http://127.0.0.1:9/unreachable", "secret": "s", "max_retries": 0, "timeout_ms": 500})).await;
    t.seed_order(8104).await;
    let payload = t.control_get("/webhooks").await["deliveries"][0]["payload"].clone();
    c.compare("webhook-integration-api.payload.json", &payload, &[]);

    assert_eq!(c.compared, 27, "every comparison ran");
    assert!(
        c.errors.is_empty(),
        "shape differences:\n{}",
        c.errors.join("\n")
    );
}

#[tokio::test]
async fn published_requests_are_accepted_as_they_are() {
    let Some(dir) = published_examples("published_requests_are_accepted_as_they_are") else {
        return;
    };
    let t = spawn_sim().await;
    t.seed_catalog().await;

    // Complete and capture: seed the order the published request names.
    for (request, endpoint) in [
        ("capture.request.json", "/capture"),
        ("complete-shipment.request.json", "/shipment"),
    ] {
        t.control("/reset", &json!({})).await;
        t.seed_catalog().await;
        let body = load(&dir, request);
        let shipment = body["shipment"].as_str().unwrap();
        let (order, _) = shipment.split_once('-').unwrap();
        t.seed_order_with(order.parse().unwrap(), |_| {}).await;
        let answer = t.put(endpoint, &body).await;
        assert_eq!(answer["status"], "ok", "{request}: {answer}");
        assert_eq!(answer["shipment"], shipment);
    }

    // Stock updates: seed one item per published product key (as its EAN).
    for request in [
        "update-stock.request.txt",
        "update-stock-with-cost-price.request.json",
    ] {
        t.control("/reset", &json!({})).await;
        let body = load(&dir, request);
        let keys: Vec<String> = body["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["product"].as_str().unwrap().to_owned())
            .collect();
        let products: Vec<Value> = keys
            .iter()
            .map(|k| json!({"sku": format!("S{k}"), "ean": k}))
            .collect();
        t.control("/products", &json!({"products": products})).await;
        let answer = t.post("/stock", &body).await;
        assert_eq!(answer, json!({"status": "ok"}), "{request}");
        let first_qty = &body["products"][0]["quantity"];
        assert_eq!(
            t.get(&format!("/stock?ean={}", keys[0])).await["products"][0]["physicalStock"],
            *first_qty
        );
    }

    // Accepting deliveries: announce one holding the published keys, then post the request.
    for (request, by_sku) in [
        ("accept-supplier-delivery.request.txt", false),
        ("accept-supplier-delivery-by-sku.request.txt", true),
    ] {
        t.control("/reset", &json!({})).await;
        let body = load(&dir, request);
        let keys: Vec<String> = body["products"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let products: Vec<Value> = keys
            .iter()
            .map(|k| {
                if by_sku {
                    json!({"sku": k})
                } else {
                    json!({"sku": format!("S{k}"), "ean": k})
                }
            })
            .collect();
        t.control("/products", &json!({"products": products})).await;
        let lines: Vec<Value> = keys
            .iter()
            .map(|k| {
                if by_sku {
                    json!({"sku": k, "quantity": 5})
                } else {
                    json!({"ean": k, "quantity": 5})
                }
            })
            .collect();
        let delivery = t
            .control(
                "/supplier-deliveries",
                &json!({"supplierName": "S", "lines": lines}),
            )
            .await;
        let path = format!(
            "/supplier-deliveries/{}{}",
            delivery["id"].as_str().unwrap(),
            if by_sku { "/sku" } else { "" }
        );
        let answer = t.post(&path, &body).await;
        assert_eq!(answer["status"], "ok", "{request}: {answer}");
    }
}
