//! The exactly-once run: many shipments while both simulators fail 10% of the calls and lose
//! 5% of the answers after doing the work.

use std::time::Duration;

use centra_wms_tests::e2e::wait_for;
use serde_json::{Value, json};

use centra_wms_tests::wms::Shipping;
use platform_config::WmsKind;

use crate::harness::{CentraAdapter, Setup, Shape, row, spawn_app_tuned, telemetry};

/// 1,000 shipments with 10% errors and 5% lost responses in both simulators, embedded shape:
/// every shipment imported exactly once and completed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipment_is_imported_once_and_completed_once_despite_faults() {
    fault_run(Shape::Embedded, WmsKind::Ongoing, 1_000).await;
}

/// [`every_shipment_is_imported_once_and_completed_once_despite_faults`] against OGOship.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipment_is_imported_once_and_completed_once_despite_faults_ogoship() {
    fault_run(Shape::Embedded, WmsKind::Ogoship, 1_000).await;
}

/// The same over NATS JetStream and PostgreSQL with gRPC over TCP (fewer shipments: the
/// rules are the same, the adapters are what this run adds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_shape_imports_once_and_completes_once_despite_faults() {
    let Some(shape) = Shape::distributed("order_e2e distributed fault run").await else {
        return;
    };
    fault_run(shape, WmsKind::Ongoing, 200).await;
}

/// [`distributed_shape_imports_once_and_completes_once_despite_faults`] against OGOship.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_shape_imports_once_and_completes_once_despite_faults_ogoship() {
    let Some(shape) = Shape::distributed("order_e2e distributed fault run ogoship").await else {
        return;
    };
    fault_run(shape, WmsKind::Ogoship, 200).await;
}

async fn fault_run(shape: Shape, wms: WmsKind, shipments: usize) {
    let _telemetry = telemetry();
    // The default 10 requests a second would make this a test of the throttle; the
    // exactly-once rules do not depend on the rate.
    let app = spawn_app_tuned(
        "",
        Setup {
            shape,
            wms,
            centra: CentraAdapter::OrderApi,
        },
        |config| {
            config.settings.endpoints[0].requests_per_second = std::num::NonZeroU32::new(100);
        },
    )
    .await;
    let sims = &app.sims;
    // Stock for every order in both systems.
    let rows: Vec<Value> = (0..4)
        .map(|s| {
            let mut row = row(0, s, true);
            row["physicalStock"] = json!(shipments);
            row
        })
        .collect();
    sims.seed_products(rows).await;
    sims.faults(&json!({"error_rate": 0.1, "lost_response_rate": 0.05, "seed": 7}))
        .await;
    let mut ids = Vec::with_capacity(shipments);
    for n in 0..shipments {
        ids.push(sims.seed_order(true, &[(0, n % 4, 1)]).await);
    }
    wait_for("every wms order", Duration::from_secs(600), || async {
        sims.wms_orders().await.len() >= shipments
    })
    .await;
    for id in &ids {
        sims.ship(id, Shipping::all(&format!("WB-{id}"))).await;
    }
    wait_for(
        "every shipment completed",
        Duration::from_secs(600),
        || async {
            let state = sims.state(sims.centra.url().to_string()).await;
            state["shipments"].as_array().is_some_and(|all| {
                all.iter()
                    .filter(|s| s["completeCount"].as_u64() >= Some(1))
                    .count()
                    >= shipments
            })
        },
    )
    .await;
    // More polls and redeliveries: still exactly once.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let centra = sims.state(sims.centra.url().to_string()).await;
    let wms = sims.wms_orders().await;
    for id in &ids {
        let shipment = centra["shipments"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["shipmentId"] == id.as_str()))
            .expect("shipment");
        assert_eq!(shipment["completeCount"], 1, "{shipment}");
        assert_eq!(shipment["captureCount"], 0, "{shipment}");
        let order = wms.iter().find(|o| o.number == *id).expect("order");
        assert_eq!(order.created_count, 1, "{order}");
    }
    app.stop().await;
}
