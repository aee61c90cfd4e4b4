//! Cancellations: a shipment taken back in Centra before the warehouse started cancels the WMS
//! order; one taken back after the warehouse started is flagged for a person. Neither is
//! completed in Centra.

use proto::admin::v1 as admin;
use serde_json::json;

use crate::harness::{Setup, spawn_app_in, telemetry, wait_imported};

pub async fn cancelled_shipments_cancel_the_wms_order_or_wait_for_a_person(setup: Setup) {
    let _telemetry = telemetry();
    let app = spawn_app_in("", setup).await;
    let sims = &app.sims;
    let early = sims.seed_order(true, &[(0, 0, 1)]).await;
    let late = sims.seed_order(true, &[(0, 1, 1)]).await;
    wait_imported(sims, &early).await;
    wait_imported(sims, &late).await;
    // The warehouse starts picking `late` (Ongoing 300: the simulator's first status past
    // editable; OGOship `collecting`).
    sims.start_work(&late).await;
    // A person in Centra takes both back from good to go.
    for id in [&early, &late] {
        sims.post(
            format!("{}/_sim/shipments/{id}/good-to-go", sims.centra.url()),
            &json!({"goodToGo": false}),
        )
        .await;
    }
    app.wait_for_state(&early, admin::OrderState::Cancelled, "")
        .await;
    let cancelled = sims.wms_order(&early).await.expect("order");
    assert!(cancelled.cancelled, "cancelled in the wms: {cancelled}");
    app.wait_for_state(
        &late,
        admin::OrderState::Parked,
        "the warehouse refused to cancel the order",
    )
    .await;
    let started = sims.wms_order(&late).await.expect("order");
    assert_eq!(
        started.status,
        sims.wms.work_started_status(),
        "left as the warehouse has it: {started}"
    );
    for id in [&early, &late] {
        let shipment = sims.centra_shipment(id).await;
        assert_eq!(shipment["completeCount"], 0, "{shipment}");
    }
    app.stop().await;
}
