//! Bundles: Centra shows a bundle as a line with `isBundle` (the product sold, with its parts
//! under `bundle[]`) and each part as a line of its own with `isPartOfBundle` (REF/104,
//! REF/107 examples). The warehouse picks the parts; the bundle is never a WMS order line.

use centra_wms_tests::e2e::{article_number, ean};
use serde_json::json;

use centra_wms_tests::wms::Shipping;

use crate::harness::{Setup, spawn_app_in, telemetry, wait_completed, wait_imported};

/// A shipment with a plain line and a bundle of two parts: the WMS order has the plain line
/// and both parts, nothing for the bundle; shipped, the shipment is completed once.
pub async fn bundle_parts_are_picked_and_the_bundle_is_not(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in("", setup).await;
    let sims = &app.sims;
    let part = |size: usize, qty: u32| {
        json!({"sku": "P0", "variantSku": "-BL", "sizeSku": format!("-{size}"),
               "ean": ean(size), "qty": qty, "price": "0.00"})
    };
    let created = sims
        .post(
            format!("{}/_sim/orders", sims.centra.url()),
            &json!({
                "order": {
                    "paid": true,
                    "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                 "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                 "email": "ada@example.com", "cell": "+46700000000"},
                    "carrier": "DHL", "service": "Express",
                    "lines": [
                        part(0, 1),
                        {"sku": "GIFT-P0", "name": "Shirt gift set", "qty": 1, "price": "80.00",
                         "bundle": [part(1, 1), part(2, 2)]}
                    ]
                },
                "goodToGo": true
            }),
        )
        .await;
    let shipment = created["shipmentId"]
        .as_str()
        .expect("shipment id")
        .to_owned();
    // The simulator shows the bundle the published way (the test of the input, not the flow).
    let listed: serde_json::Value = sims
        .http
        .get(format!("{}/shipments", sims.centra.base_url()))
        .header("API-Authorization", "sandbox-secret")
        .send()
        .await
        .expect("GET /shipments")
        .json()
        .await
        .expect("json");
    let products = listed["shipments"][0]["products"].clone();
    assert!(
        products
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["isBundle"] == true)
                && l.iter()
                    .filter(|l| l.get("isPartOfBundle").is_some())
                    .count()
                    == 2),
        "{products}"
    );

    wait_imported(sims, &shipment).await;
    let order = sims.wms_order(&shipment).await.expect("wms order");
    let mut lines = order.lines.clone();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        lines,
        [
            (article_number(0, 0), 1.0),
            (article_number(0, 1), 1.0),
            (article_number(0, 2), 2.0)
        ],
        "the parts and the plain line, never the bundle: {order}"
    );

    sims.ship(&shipment, Shipping::all("WB-BUNDLE")).await;
    wait_completed(sims, &shipment).await;
    app.stop().await;
}
