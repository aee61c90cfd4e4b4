//! The money flow end to end: centra-sim and ongoing-sim, with CentraGateway, OngoingGateway,
//! CatalogSync and OrderSync in one embedded runtime. Effects are checked through the
//! simulators' control API (`/_sim/state`), never through the services' own tables.
//!
//! Default settings (capture never, completion automatic, filter none) and four shipments:
//! a full pick (completed once, `capture:false`, never captured), a partial pick of a paid
//! shipment (parked: Centra cannot change a paid shipment's quantities), an unpaid one (parked
//! once shipped, never completed nor captured), and one whose article is missing until
//! catalog-sync creates it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{Sims, article_number, ean, free_port, size_row, wait_for};
use ongoing_gateway::OngoingGateway;
use order_sync::OrderSync;
use platform_runtime::{Adapters, CancellationToken, Runtime};
use proto::admin::v1 as admin;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use serde_json::{Value, json};

/// The shared simulators plus the order scenarios' own controls.
struct OrderSims(Sims);

impl std::ops::Deref for OrderSims {
    type Target = Sims;

    fn deref(&self) -> &Sims {
        &self.0
    }
}

/// An active catalogue row, or an inactive one.
fn row(product: usize, size: usize, active: bool) -> Value {
    let mut row = size_row(product, size);
    row["active"] = json!(active);
    row
}

impl OrderSims {
    async fn state(&self, base: String) -> Value {
        self.http
            .get(format!("{base}/_sim/state"))
            .send()
            .await
            .expect("state")
            .json()
            .await
            .expect("json")
    }

    /// Seeds a good-to-go order; returns its shipment id.
    async fn seed_order(&self, paid: bool, lines: &[(usize, usize, u32)]) -> String {
        self.seed_order_with(paid, false, lines).await
    }

    /// Seeds a good-to-go order whose capture may fail; returns its shipment id.
    async fn seed_order_with(
        &self,
        paid: bool,
        capture_fails: bool,
        lines: &[(usize, usize, u32)],
    ) -> String {
        self.seed_order_by(paid, capture_fails, "DHL", lines).await
    }

    /// Seeds a good-to-go order sent with `carrier`; returns its shipment id.
    async fn seed_order_by(
        &self,
        paid: bool,
        capture_fails: bool,
        carrier: &str,
        lines: &[(usize, usize, u32)],
    ) -> String {
        let lines: Vec<Value> = lines
            .iter()
            .map(|&(p, s, qty)| {
                json!({"sku": format!("P{p}"), "variantSku": "-BL", "sizeSku": format!("-{s}"),
                       "ean": ean(p * 10 + s), "qty": qty, "price": "45.00"})
            })
            .collect();
        let created = self
            .post(
                format!("{}/_sim/orders", self.centra.url()),
                &json!({
                    "order": {
                        "paid": paid, "shouldCapture": !paid, "captureFails": capture_fails,
                        "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                     "zipcode": "11122", "city": "Stockholm", "country": "SE",
                                     "email": "ada@example.com", "cell": "+46700000000"},
                        "carrier": carrier, "service": "Express",
                        "lines": lines
                    },
                    "goodToGo": true
                }),
            )
            .await;
        created["shipmentId"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| created["shipmentId"].as_u64().map(|n| n.to_string()))
            .expect("shipment id")
    }

    async fn wms_order(&self, number: &str) -> Option<Value> {
        let state = self.state(self.ongoing.base_url().to_string()).await;
        state["orders"]
            .as_array()
            .and_then(|orders| orders.iter().find(|o| o["orderNumber"] == number).cloned())
    }

    async fn faults(&self, body: &Value) {
        self.post(format!("{}/_sim/faults", self.centra.url()), body)
            .await;
        self.post(format!("{}/_sim/faults", self.ongoing.base_url()), body)
            .await;
    }

    async fn wms_articles(&self) -> usize {
        let state = self.state(self.ongoing.base_url().to_string()).await;
        state["articles"].as_array().map_or(0, Vec::len)
    }

    async fn centra_shipment(&self, id: &str) -> Value {
        let state = self.state(self.centra.url().to_string()).await;
        state["shipments"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["shipmentId"] == id).cloned())
            .unwrap_or(Value::Null)
    }

    async fn ship(&self, number: &str, body: Value) {
        self.post(
            format!("{}/_sim/orders/{number}/ship", self.ongoing.base_url()),
            &body,
        )
        .await;
    }
}

/// Where the services keep their state and meet.
enum Shape {
    /// SQLite bus and stores in a temporary folder, gRPC in process.
    Embedded,
    /// NATS JetStream (under a unique prefix), PostgreSQL (a fresh database), gRPC over TCP.
    Distributed {
        nats_url: String,
        database: test_support::PostgresDatabase,
    },
}

/// The four services over both simulators in one runtime.
struct App {
    sims: OrderSims,
    directory: platform_runtime::ServiceDirectory,
    shutdown: CancellationToken,
    running: tokio::task::JoinHandle<Result<(), platform_runtime::RuntimeError>>,
    cleanup: Option<(String, String, test_support::PostgresDatabase)>,
    _dir: tempfile::TempDir,
}

/// Starts the simulators (products `P0-BL-0..3` active, `P1-BL-0` inactive) and the runtime
/// with `settings` added to `[settings]`; returns once the active articles are in the WMS.
async fn spawn_app(settings: &str) -> App {
    spawn_app_in(settings, Shape::Embedded).await
}

async fn spawn_app_in(settings: &str, shape: Shape) -> App {
    let sims = OrderSims(Sims::start().await);
    let mut rows: Vec<Value> = (0..4).map(|s| row(0, s, true)).collect();
    rows.push(row(1, 0, false));
    sims.seed_products(rows).await;

    let mut config = sims.config("1s", settings);
    let dir = tempfile::tempdir().expect("tempdir");
    let (adapters, cleanup) = match shape {
        Shape::Embedded => (
            Adapters::embedded(dir.path()).await.expect("adapters"),
            None,
        ),
        Shape::Distributed { nats_url, database } => {
            let grpc = &mut config.runtime.grpc;
            for address in [
                &mut grpc.centra_gateway,
                &mut grpc.ongoing_gateway,
                &mut grpc.catalog_sync,
                &mut grpc.order_sync,
                &mut grpc.stock_sync,
                &mut grpc.returns_sync,
            ] {
                let listen = free_port();
                *address = platform_config::ServiceAddress {
                    listen,
                    connect: format!("http://{listen}"),
                };
            }
            let prefix = test_support::unique("order-e2e");
            let adapters =
                Adapters::distributed(&nats_url, &database.url, &prefix, &config.runtime.grpc)
                    .await
                    .expect("adapters");
            (adapters, Some((nats_url, prefix, database)))
        }
    };
    let directory = adapters.directory.clone();
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(Arc::new(config), adapters)
        .with_service(CentraGateway)
        .with_service(OngoingGateway)
        .with_service(CatalogSync)
        .with_service(OrderSync);
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    let started = Instant::now();
    while sims.wms_articles().await < 4 {
        if running.is_finished() {
            let ended = running.await;
            panic!("runtime stopped early: {ended:?}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "articles created within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    App {
        sims,
        directory,
        shutdown,
        running,
        cleanup,
        _dir: dir,
    }
}

impl App {
    fn admin(&self) -> OrderAdminClient<platform_runtime::GrpcChannel> {
        OrderAdminClient::new(self.directory.channel("order-sync").expect("channel"))
    }

    /// Waits until the admin service lists `id` in `state` (with `reason` in its last error).
    async fn wait_for_state(&self, id: &str, state: admin::OrderState, reason: &str) {
        let client = self.admin();
        wait_for(
            &format!("shipment {id} {state:?}"),
            Duration::from_secs(120),
            || {
                let mut client = client.clone();
                async move {
                    client
                        .list_by_state(admin::ListOrdersByStateRequest {
                            state: state as i32,
                            ..Default::default()
                        })
                        .await
                        .map(|r| {
                            r.into_inner()
                                .orders
                                .iter()
                                .any(|o| o.shipment_id == id && o.last_error.contains(reason))
                        })
                        .unwrap_or(false)
                }
            },
        )
        .await;
    }

    async fn stop(self) {
        self.shutdown.cancel();
        let stopped = self.running.await.expect("runtime task");
        if let Some((nats_url, prefix, database)) = self.cleanup {
            let stream = platform_runtime::stream_name(&prefix);
            let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
                nats_url,
                stream,
                prefix.as_str(),
            ))
            .await
            .expect("reconnect for cleanup");
            bus.delete_stream().await.expect("stream deleted");
            database.drop_database().await;
        }
        stopped.expect("runtime stops cleanly");
    }
}

fn telemetry() -> Option<platform_telemetry::TelemetryGuard> {
    // One subscriber per process: the first test installs it, the others share it.
    std::env::var("ORDER_E2E_LOG").ok().and_then(|filter| {
        let mut config = platform_telemetry::TelemetryConfig::new("order-e2e");
        config.log_filter = filter;
        platform_telemetry::init(config).ok()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_settings_import_once_complete_once_and_park_what_centra_refuses() {
    let _telemetry = telemetry();
    let app = spawn_app("").await;
    let sims = &app.sims;
    let full = sims.seed_order(true, &[(0, 0, 2), (0, 1, 1)]).await;
    let partial = sims.seed_order(true, &[(0, 2, 2), (0, 3, 1)]).await;
    let unpaid = sims.seed_order(false, &[(0, 0, 1)]).await;
    let missing = sims.seed_order(true, &[(1, 0, 1)]).await;

    for number in [&full, &partial, &unpaid] {
        wait_for(
            &format!("wms order {number}"),
            Duration::from_secs(120),
            || async { sims.wms_order(number).await.is_some() },
        )
        .await;
    }
    let order = sims.wms_order(&full).await.expect("order");
    assert_eq!(order["createdCount"], 1, "{order}");

    // Full pick with a waybill: completed once, capture never.
    sims.ship(&full, json!({"waybill": "WB-FULL", "status": 450}))
        .await;
    // Partial pick: 1 of 2 of the first line.
    sims.ship(
        &partial,
        json!({"lines": [{"articleNumber": article_number(0, 2), "picked": 1},
                         {"articleNumber": article_number(0, 3), "picked": 1}],
               "waybill": "WB-PART", "status": 450}),
    )
    .await;
    sims.ship(&unpaid, json!({"waybill": "WB-UNPAID", "status": 450}))
        .await;

    wait_for(
        &format!("shipment {full} completed"),
        Duration::from_secs(120),
        || async { sims.centra_shipment(&full).await["completeCount"] == 1 },
    )
    .await;
    let done = sims.centra_shipment(&full).await;
    assert_eq!(done["captureCount"], 0, "{done}");

    // The partly picked paid one and the unpaid one are parked: not completed, not captured.
    let mut admin_client = app.admin();
    for (id, reason) in [
        (&partial, "cannot change the quantities of a paid shipment"),
        (&unpaid, "shipped but not paid"),
    ] {
        wait_for(
            &format!("shipment {id} parked"),
            Duration::from_secs(60),
            || {
                let mut client = admin_client.clone();
                let id = id.clone();
                async move {
                    client
                        .list_by_state(admin::ListOrdersByStateRequest {
                            state: admin::OrderState::Parked as i32,
                            ..Default::default()
                        })
                        .await
                        .map(|r| {
                            r.into_inner()
                                .orders
                                .iter()
                                .any(|o| o.shipment_id == id && o.last_error.contains(reason))
                        })
                        .unwrap_or(false)
                }
            },
        )
        .await;
        let held = sims.centra_shipment(id).await;
        assert_eq!(held["completeCount"], 0, "{held}");
        assert_eq!(held["captureCount"], 0, "{held}");
    }

    // The missing article arrives: the parked shipment is imported on ArticleSynced.
    assert!(sims.wms_order(&missing).await.is_none());
    sims.seed_products(vec![row(1, 0, true)]).await;
    wait_for(
        "shipment with the late article imported",
        Duration::from_secs(120),
        || async { sims.wms_order(&missing).await.is_some() },
    )
    .await;

    // Several more polls: nothing imported or completed twice.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(sims.centra_shipment(&full).await["completeCount"], 1);
    for id in [&full, &partial, &unpaid, &missing] {
        assert_eq!(
            sims.wms_order(id).await.expect("order")["createdCount"],
            1,
            "{id}"
        );
    }
    let listed = admin_client
        .list_by_state(admin::ListOrdersByStateRequest {
            state: admin::OrderState::Completed as i32,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.orders.len(), 1);

    app.stop().await;
}

async fn wait_completed(sims: &OrderSims, id: &str) {
    wait_for(
        &format!("shipment {id} completed"),
        Duration::from_secs(120),
        || async { sims.centra_shipment(id).await["completeCount"] == 1 },
    )
    .await;
}

async fn wait_imported(sims: &OrderSims, id: &str) {
    wait_for(
        &format!("wms order {id}"),
        Duration::from_secs(120),
        || async { sims.wms_order(id).await.is_some() },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_on_completion_updates_partial_quantities_then_captures_once() {
    let _telemetry = telemetry();
    let app = spawn_app(r#"capture = "on_completion""#).await;
    let sims = &app.sims;
    let id = sims.seed_order(false, &[(0, 0, 2), (0, 1, 1)]).await;
    wait_imported(sims, &id).await;
    sims.ship(
        &id,
        json!({"lines": [{"articleNumber": article_number(0, 0), "picked": 1},
                         {"articleNumber": article_number(0, 1), "picked": 1}],
               "waybill": "WB-PART", "status": 450}),
    )
    .await;
    wait_completed(sims, &id).await;
    let done = sims.centra_shipment(&id).await;
    assert_eq!(done["captured"], true, "{done}");
    let quantities: Vec<u64> = done["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["qty"].as_u64())
        .collect();
    assert_eq!(quantities, vec![1, 1], "{done}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_on_import_ships_only_what_was_captured() {
    let _telemetry = telemetry();
    let app = spawn_app(
        r#"capture = "on_import"
import_filter = "capture_on_import""#,
    )
    .await;
    let sims = &app.sims;
    let good = sims.seed_order_with(false, false, &[(0, 0, 1)]).await;
    let declined = sims.seed_order_with(false, true, &[(0, 1, 1)]).await;
    wait_imported(sims, &good).await;
    assert_eq!(sims.centra_shipment(&good).await["captureCount"], 1);
    app.wait_for_state(&declined, admin::OrderState::Parked, "capture failed")
        .await;
    assert!(
        sims.wms_order(&declined).await.is_none(),
        "never sent to the warehouse"
    );

    sims.ship(&good, json!({"waybill": "WB-1", "status": 450}))
        .await;
    wait_completed(sims, &good).await;
    assert_eq!(sims.centra_shipment(&good).await["captureCount"], 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_completion_waits_for_a_person() {
    let _telemetry = telemetry();
    let app = spawn_app(r#"completion = "manual""#).await;
    let sims = &app.sims;
    let id = sims.seed_order(true, &[(0, 2, 1)]).await;
    wait_imported(sims, &id).await;
    sims.ship(&id, json!({"waybill": "WB-M", "status": 450}))
        .await;
    app.wait_for_state(&id, admin::OrderState::Shipped, "")
        .await;
    assert_eq!(sims.centra_shipment(&id).await["completeCount"], 0);
    let done = app
        .admin()
        .complete_manually(admin::CompleteManuallyRequest {
            key: Some(admin::OrderKey {
                endpoint: "shop1".into(),
                id: Some(admin::order_key::Id::ShipmentId(id.clone())),
            }),
            capture: Some(false),
            ..Default::default()
        })
        .await
        .expect("completed by hand")
        .into_inner();
    assert_eq!(done.state, admin::OrderState::Completed as i32);
    let shipment = sims.centra_shipment(&id).await;
    assert_eq!(shipment["completeCount"], 1, "{shipment}");
    assert_eq!(shipment["captureCount"], 0, "{shipment}");
    app.stop().await;
}

/// Shipments in the fault run (1,000 in the issue; 100 keeps CI on 2 cores in budget).
const FAULT_RUN: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipment_is_imported_once_and_completed_once_despite_faults() {
    let _telemetry = telemetry();
    let app = spawn_app("").await;
    let sims = &app.sims;
    sims.faults(&json!({"error_rate": 0.1, "lost_response_rate": 0.05, "seed": 7}))
        .await;
    let mut ids = Vec::with_capacity(FAULT_RUN);
    for n in 0..FAULT_RUN {
        ids.push(sims.seed_order(true, &[(0, n % 4, 1)]).await);
    }
    wait_for("every wms order", Duration::from_secs(600), || async {
        let state = sims.state(sims.ongoing.base_url().to_string()).await;
        state["orders"].as_array().map_or(0, Vec::len) >= FAULT_RUN
    })
    .await;
    for id in &ids {
        sims.ship(id, json!({"waybill": format!("WB-{id}"), "status": 450}))
            .await;
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
                    >= FAULT_RUN
            })
        },
    )
    .await;
    // More polls and redeliveries: still exactly once.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let centra = sims.state(sims.centra.url().to_string()).await;
    let wms = sims.state(sims.ongoing.base_url().to_string()).await;
    for id in &ids {
        let shipment = centra["shipments"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["shipmentId"] == id.as_str()))
            .expect("shipment");
        assert_eq!(shipment["completeCount"], 1, "{shipment}");
        assert_eq!(shipment["captureCount"], 0, "{shipment}");
        let order = wms["orders"]
            .as_array()
            .and_then(|all| all.iter().find(|o| o["orderNumber"] == id.as_str()))
            .expect("order");
        assert_eq!(order["createdCount"], 1, "{order}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_shape_imports_once_and_completes_once() {
    let test = "order_e2e distributed shape";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let _telemetry = telemetry();
    let app = spawn_app_in("", Shape::Distributed { nats_url, database }).await;
    let sims = &app.sims;
    let full = sims.seed_order(true, &[(0, 0, 2), (0, 1, 1)]).await;
    let unpaid = sims.seed_order(false, &[(0, 2, 1)]).await;
    wait_imported(sims, &full).await;
    wait_imported(sims, &unpaid).await;
    sims.ship(&full, json!({"waybill": "WB-D", "status": 450}))
        .await;
    sims.ship(&unpaid, json!({"waybill": "WB-U", "status": 450}))
        .await;
    wait_completed(sims, &full).await;
    app.wait_for_state(&unpaid, admin::OrderState::Parked, "not paid")
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let done = sims.centra_shipment(&full).await;
    assert_eq!(done["completeCount"], 1, "{done}");
    assert_eq!(done["captureCount"], 0, "{done}");
    assert_eq!(sims.centra_shipment(&unpaid).await["completeCount"], 0);
    for id in [&full, &unpaid] {
        assert_eq!(sims.wms_order(id).await.expect("order")["createdCount"], 1);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplier_deliveries_are_received_and_accepted_exactly_once() {
    let _telemetry = telemetry();
    let app = spawn_app("purchase_orders = true").await;
    let sims = &app.sims;
    let line = |size: usize, quantity: u32| {
        json!({"ean": ean(size), "sku": "P0", "variantSku": "-BL",
               "sizeSku": format!("-{size}"), "quantity": quantity})
    };
    let created = sims
        .post(
            format!("{}/_sim/supplier-deliveries", sims.centra.url()),
            &json!({"supplierName": "Weaver AB", "lines": [line(0, 10), line(1, 5)]}),
        )
        .await;
    let number = created["deliveryId"]
        .as_str()
        .map(str::to_owned)
        .expect("delivery number");
    wait_for(
        "purchase order in the wms",
        Duration::from_secs(120),
        || async {
            let state = sims.state(sims.ongoing.base_url().to_string()).await;
            state["purchaseOrders"].as_array().is_some_and(|all| {
                all.iter()
                    .any(|p| p["purchaseOrderNumber"] == number.as_str())
            })
        },
    )
    .await;
    // Under-delivered size 0, over-delivered size 1.
    sims.post(
        format!(
            "{}/_sim/purchase-orders/{number}/receive",
            sims.ongoing.base_url()
        ),
        &json!({"lines": [{"articleNumber": article_number(0, 0), "received": 8},
                          {"articleNumber": article_number(0, 1), "received": 6}],
                "status": 500}),
    )
    .await;
    let accepted = |state: Value| -> Option<Value> {
        state["supplierDeliveries"]
            .as_array()
            .and_then(|all| all.iter().find(|d| d["accepted"] == true).cloned())
    };
    wait_for("delivery accepted", Duration::from_secs(120), || async {
        accepted(sims.state(sims.centra.url().to_string()).await).is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivery = accepted(sims.state(sims.centra.url().to_string()).await).expect("accepted");
    assert_eq!(delivery["acceptCount"], 1, "{delivery}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmapped_shipping_methods_are_parked() {
    let _telemetry = telemetry();
    let app = spawn_app(
        r#"
[[settings.shipping_methods]]
carrier = "DHL"
transporter_code = "DHL"
transporter_service_code = "EXP""#,
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
