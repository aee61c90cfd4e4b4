//! The harness of the order scenarios: the Centra simulator and the WMS simulator of either
//! kind, the services (with that WMS's gateway) in one runtime of either shape, and the
//! simulators' controls the scenarios use, in WMS-neutral terms.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
pub use centra_wms_tests::e2e::CentraAdapter;
use centra_wms_tests::e2e::{WmsSims, ean, free_port, size_row, wait_for};
use centra_wms_tests::suite::SetupShape;
use centra_wms_tests::wms::{Shipping, WmsOrder, WmsPurchaseOrder};
use ogoship_gateway::OgoshipGateway;
use ongoing_gateway::OngoingGateway;
use order_sync::OrderSync;
use platform_config::{AppConfig, WmsKind};
use platform_runtime::{Adapters, CancellationToken, Runtime, Service};
use proto::admin::v1 as admin;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use serde_json::{Value, json};

/// The shared simulators plus the order scenarios' own controls.
pub struct OrderSims(pub WmsSims);

impl std::ops::Deref for OrderSims {
    type Target = WmsSims;

    fn deref(&self) -> &WmsSims {
        &self.0
    }
}

/// An active catalogue row, or an inactive one.
pub fn row(product: usize, size: usize, active: bool) -> Value {
    let mut row = size_row(product, size);
    row["active"] = json!(active);
    row
}

impl OrderSims {
    pub async fn state(&self, base: String) -> Value {
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
    pub async fn seed_order(&self, paid: bool, lines: &[(usize, usize, u32)]) -> String {
        self.seed_order_with(paid, false, lines).await
    }

    /// Seeds a good-to-go order whose capture may fail; returns its shipment id.
    pub async fn seed_order_with(
        &self,
        paid: bool,
        capture_fails: bool,
        lines: &[(usize, usize, u32)],
    ) -> String {
        self.seed_order_by(paid, capture_fails, "DHL", lines).await
    }

    /// Seeds a good-to-go order sent with `carrier`; returns its shipment id.
    pub async fn seed_order_by(
        &self,
        paid: bool,
        capture_fails: bool,
        carrier: &str,
        lines: &[(usize, usize, u32)],
    ) -> String {
        self.seed_order_on(&self.centra.url(), paid, capture_fails, carrier, lines)
            .await
    }

    /// [`OrderSims::seed_order_by`] on the Centra simulator at `centra` (its control url).
    pub async fn seed_order_on(
        &self,
        centra: &str,
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
                format!("{centra}/_sim/orders"),
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

    /// WMS order `number`, if the WMS has it.
    pub async fn wms_order(&self, number: &str) -> Option<WmsOrder> {
        self.wms.order(&self.http, number).await
    }

    /// Every order in the WMS.
    pub async fn wms_orders(&self) -> Vec<WmsOrder> {
        self.wms.orders(&self.http).await
    }

    pub async fn wms_articles(&self) -> usize {
        self.wms_article_numbers().await.len()
    }

    pub async fn wms_article_numbers(&self) -> Vec<String> {
        self.wms.article_numbers(&self.http).await
    }

    /// Purchase order `number` in the WMS (an OGOship stock update).
    pub async fn purchase_order(&self, number: &str) -> Option<WmsPurchaseOrder> {
        self.wms.purchase_order(&self.http, number).await
    }

    /// The warehouse receives `(article number, quantity)` of purchase order `number`.
    pub async fn receive_purchase_order(&self, number: &str, received: &[(String, u32)]) {
        self.wms
            .receive_purchase_order(&self.http, number, received)
            .await;
    }

    /// The warehouse starts work on order `number`.
    pub async fn start_work(&self, number: &str) {
        self.wms.start_work(&self.http, number).await;
    }

    pub async fn centra_shipment(&self, id: &str) -> Value {
        self.centra_shipment_on(&self.centra.url(), id).await
    }

    /// The `/_sim/state` entry of shipment `id` on the Centra simulator at `centra`.
    pub async fn centra_shipment_on(&self, centra: &str, id: &str) -> Value {
        let state = self.state(centra.to_owned()).await;
        state["shipments"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["shipmentId"] == id).cloned())
            .unwrap_or(Value::Null)
    }

    /// The warehouse ships order `number`.
    pub async fn ship(&self, number: &str, shipping: Shipping) {
        self.wms.ship(&self.http, number, &shipping).await;
    }
}

/// One run of a scenario: the shape, and the WMS (its simulator and its gateway).
pub struct Setup {
    pub shape: Shape,
    pub wms: WmsKind,
    /// The API `shop1` is read and written through.
    pub centra: CentraAdapter,
}

/// Where the services keep their state and meet.
pub enum Shape {
    /// SQLite bus and stores in a temporary folder, gRPC in process.
    Embedded,
    /// NATS JetStream (under a unique prefix), PostgreSQL (a fresh database), gRPC over TCP.
    Distributed {
        nats_url: String,
        database: test_support::PostgresDatabase,
    },
}

impl Shape {
    /// The distributed shape on this machine's NATS and PostgreSQL; `None` outside CI when
    /// they are not running (under CI their absence fails the test).
    pub async fn distributed(test: &str) -> Option<Self> {
        let nats_url = test_support::nats_url(test).await?;
        let database = test_support::postgres_database(test).await?;
        Some(Self::Distributed { nats_url, database })
    }
}

/// The four services over both simulators in one runtime.
pub struct App {
    pub sims: OrderSims,
    directory: platform_runtime::ServiceDirectory,
    shutdown: CancellationToken,
    running: tokio::task::JoinHandle<Result<(), platform_runtime::RuntimeError>>,
    cleanup: Option<(String, String, test_support::PostgresDatabase)>,
    _dir: tempfile::TempDir,
}

/// Starts the simulators (products `P0-BL-0..3` active, `P1-BL-0` inactive) and the runtime
/// of `shape` with `settings` added to `[settings]`; returns once the active articles are in
/// the WMS.
pub async fn spawn_app_in(settings: &str, setup: Setup) -> App {
    spawn_app_tuned(settings, setup, |_| {}).await
}

/// [`spawn_app_in`] with a last word on the configuration.
pub async fn spawn_app_tuned(
    settings: &str,
    setup: Setup,
    tune: impl FnOnce(&mut AppConfig),
) -> App {
    let Setup { shape, wms, centra } = setup;
    let sims = OrderSims(WmsSims::start(wms).await);
    let mut rows: Vec<Value> = (0..4).map(|s| row(0, s, true)).collect();
    rows.push(row(1, 0, false));
    sims.seed_products(rows).await;

    let mut config = sims.config_for(centra, "1s", settings);
    tune(&mut config);
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
                &mut grpc.ogoship_gateway,
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
    // The sync services reach the gateway of `[wms] kind`, which is the only one running.
    let adapters = adapters.with_wms_gateway(config.wms.kind().gateway());
    let gateway: Arc<dyn Service> = match config.wms.kind() {
        WmsKind::Ongoing => Arc::new(OngoingGateway),
        WmsKind::Ogoship => Arc::new(OgoshipGateway),
    };
    let directory = adapters.directory.clone();
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(Arc::new(config), adapters)
        .with_service(CentraGateway)
        .with_shared_service(gateway)
        .with_service(CatalogSync)
        .with_service(OrderSync)
        // Inert unless a scenario sets `stock_to_centra`.
        .with_service(stock_sync::StockSync);
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
    /// The dead letters of `service` (e.g. a gateway's records kept for a person).
    pub fn dead_letters(
        &self,
        service: &str,
    ) -> proto::admin::v1::dead_letters_client::DeadLettersClient<platform_runtime::GrpcChannel>
    {
        proto::admin::v1::dead_letters_client::DeadLettersClient::new(
            self.directory.channel(service).expect("channel"),
        )
    }

    pub fn admin(&self) -> OrderAdminClient<platform_runtime::GrpcChannel> {
        OrderAdminClient::new(self.directory.channel("order-sync").expect("channel"))
    }

    /// Waits until the admin service lists `id` in `state` (with `reason` in its last error).
    pub async fn wait_for_state(&self, id: &str, state: admin::OrderState, reason: &str) {
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

    pub async fn stop(self) {
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

pub fn telemetry() -> Option<platform_telemetry::TelemetryGuard> {
    // One subscriber per process: the first test installs it, the others share it.
    std::env::var("ORDER_E2E_LOG").ok().and_then(|filter| {
        let mut config = platform_telemetry::TelemetryConfig::new("order-e2e");
        config.log_filter = filter;
        platform_telemetry::init(config).ok()
    })
}

pub async fn wait_completed(sims: &OrderSims, id: &str) {
    wait_for(
        &format!("shipment {id} completed"),
        Duration::from_secs(120),
        || async { sims.centra_shipment(id).await["completeCount"] == 1 },
    )
    .await;
}

pub async fn wait_imported(sims: &OrderSims, id: &str) {
    wait_for(
        &format!("wms order {id}"),
        Duration::from_secs(120),
        || async { sims.wms_order(id).await.is_some() },
    )
    .await;
}

/// The setup of one generated test (`centra_wms_tests::suite`): `None` when the distributed
/// shape's NATS and PostgreSQL are not configured (outside CI).
pub async fn setup(
    shape: SetupShape,
    wms: WmsKind,
    centra: CentraAdapter,
    test: &str,
) -> Option<Setup> {
    let shape = match shape {
        SetupShape::Embedded => Shape::Embedded,
        SetupShape::Distributed => Shape::distributed(test).await?,
    };
    Some(Setup { shape, wms, centra })
}
