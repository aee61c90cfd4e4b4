//! What is imported: shipments (default), orders, or both (an order never twice); the
//! `only_paid` filter; shipping methods mapped to transporters or parked.

use std::time::Duration;

use centra_wms_tests::e2e::wait_for;
use proto::admin::v1 as admin;

use centra_wms_tests::wms::{Shipping, WmsOrder};

use crate::harness::{OrderSims, Setup, spawn_app_in, telemetry, wait_imported};

/// The Centra order of shipment `83651-1`: `83651`.
fn order_of(shipment: &str) -> &str {
    shipment
        .split_once('-')
        .map_or(shipment, |(order, _)| order)
}

/// Every WMS order made from Centra order `order` (as itself or as one of its shipments).
async fn wms_orders_of(sims: &OrderSims, order: &str) -> Vec<WmsOrder> {
    sims.wms_orders()
        .await
        .into_iter()
        .filter(|o| o.number == order || o.number.starts_with(&format!("{order}-")))
        .collect()
}

/// `import = "orders"`: the Centra order is the WMS order (its number is the order id); the
/// warehouse shipping it completes nothing in Centra (no shipment to report to).
pub async fn orders_are_imported_as_themselves(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in(r#"import = "orders""#, setup).await;
    let sims = &app.sims;
    let shipment = sims.seed_order(true, &[(0, 0, 1), (0, 1, 2)]).await;
    let order = order_of(&shipment).to_owned();
    wait_imported(sims, &order).await;
    let imported = sims.wms_order(&order).await.expect("order");
    assert_eq!(imported.created_count, 1, "{imported}");
    assert!(
        sims.wms_order(&shipment).await.is_none(),
        "no shipment import"
    );

    sims.ship(&order, Shipping::all("WB-ORDER")).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let centra = sims.centra_shipment(&shipment).await;
    assert_eq!(centra["completeCount"], 0, "{centra}");
    assert_eq!(centra["captureCount"], 0, "{centra}");
    assert_eq!(wms_orders_of(sims, &order).await.len(), 1);
    app.stop().await;
}

/// `import = "both"`: whichever arrives first wins and the Centra order reaches the warehouse
/// exactly once, whatever the polls and webhooks redeliver.
pub async fn both_never_imports_an_order_twice(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in(r#"import = "both""#, setup).await;
    let sims = &app.sims;
    let shipments = [
        sims.seed_order(true, &[(0, 0, 1)]).await,
        sims.seed_order(true, &[(0, 1, 1)]).await,
        sims.seed_order(false, &[(0, 2, 1)]).await,
    ];
    for shipment in &shipments {
        let order = order_of(shipment).to_owned();
        wait_for(
            &format!("order {order} in the wms"),
            Duration::from_secs(120),
            || async { !wms_orders_of(sims, &order).await.is_empty() },
        )
        .await;
    }
    // Several more polls of both lists.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for shipment in &shipments {
        let order = order_of(shipment);
        let all = wms_orders_of(sims, order).await;
        assert_eq!(all.len(), 1, "order {order} once: {all:?}");
        assert_eq!(all[0].created_count, 1, "{all:?}");
    }
    app.stop().await;
}

/// `import_filter = "only_paid"`: the unpaid shipment waits for a person; the paid one goes.
pub async fn only_paid_shipments_are_imported(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in(r#"import_filter = "only_paid""#, setup).await;
    let sims = &app.sims;
    let paid = sims.seed_order(true, &[(0, 0, 1)]).await;
    let unpaid = sims.seed_order(false, &[(0, 1, 1)]).await;
    wait_imported(sims, &paid).await;
    app.wait_for_state(&unpaid, admin::OrderState::Parked, "not paid")
        .await;
    assert!(sims.wms_order(&unpaid).await.is_none(), "never sent");
    app.stop().await;
}

pub async fn unmapped_shipping_methods_are_parked(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in(
        r#"
[[settings.shipping_methods]]
carrier = "DHL"
transporter_code = "DHL"
transporter_service_code = "EXP""#,
        setup,
    )
    .await;
    let sims = &app.sims;
    let mapped = sims.seed_order_by(true, false, "DHL", &[(0, 0, 1)]).await;
    let unmapped = sims.seed_order_by(true, false, "UPS", &[(0, 1, 1)]).await;
    wait_imported(sims, &mapped).await;
    app.wait_for_state(&unmapped, admin::OrderState::Parked, "is not mapped")
        .await;
    assert!(sims.wms_order(&unmapped).await.is_none());
    app.stop().await;
}

/// An order the warehouse accepts but holds as invalid (OGOship: `reserved`, here for want of a
/// phone number) is in the warehouse, so order-sync knows it is there (it can cancel it and
/// never sends it twice), but it will not ship: the gateway keeps it as a dead letter with the
/// warehouse's own reason, for a person to fix and resync.
pub async fn an_order_the_warehouse_holds_as_invalid_is_kept_for_a_person(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in("", setup).await;
    let sims = &app.sims;
    let created = sims
        .post(
            format!("{}/_sim/orders", sims.centra.url()),
            &serde_json::json!({
                "order": {
                    "paid": true,
                    "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                 "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                 "email": "ada@example.com"},
                    "carrier": "DHL", "service": "Express",
                    "lines": [{"sku": "P0", "variantSku": "-BL", "sizeSku": "-1",
                               "ean": centra_wms_tests::e2e::ean(1), "qty": 1,
                               "price": "45.00"}]
                },
                "goodToGo": true
            }),
        )
        .await;
    let no_phone = created["shipmentId"]
        .as_str()
        .map(str::to_owned)
        .expect("shipment id");
    wait_imported(sims, &no_phone).await;
    let held = sims.wms_order(&no_phone).await.expect("held in the wms");
    assert_eq!(held.status, "reserved", "{held}");
    assert_eq!(held.created_count, 1, "{held}");
    let mut dead_letters = app.dead_letters("ogoship-gateway");
    wait_for(
        "the held order kept for a person",
        Duration::from_secs(60),
        || {
            let mut dead_letters = dead_letters.clone();
            let no_phone = no_phone.clone();
            async move {
                dead_letters
                    .list(proto::admin::v1::ListDeadLettersRequest::default())
                    .await
                    .map(|r| {
                        r.into_inner().dead_letters.iter().any(|d| {
                            d.record_key == no_phone
                                && d.last_error.contains("Customer phone number is missing")
                        })
                    })
                    .unwrap_or(false)
            }
        },
    )
    .await;
    let listed = dead_letters
        .list(proto::admin::v1::ListDeadLettersRequest::default())
        .await
        .expect("listed")
        .into_inner()
        .dead_letters;
    assert_eq!(listed.len(), 1, "kept once: {listed:?}");
    let centra = sims.centra_shipment(&no_phone).await;
    assert_eq!(centra["completeCount"], 0, "{centra}");
    app.stop().await;
}
