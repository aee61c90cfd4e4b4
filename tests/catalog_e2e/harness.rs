//! The harness of the article scenarios: the Centra simulator and the WMS simulator of either
//! kind, the three services of the flow (with that WMS's gateway) in one runtime of either
//! shape, and what the scenarios read from the simulators, in WMS-neutral terms.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
pub use centra_wms_tests::e2e::CentraAdapter;
use centra_wms_tests::e2e::{WmsSims, free_port, size_row, wait_for};
use centra_wms_tests::suite::SetupShape;
use centra_wms_tests::wms::WmsArticle;
use ogoship_gateway::OgoshipGateway;
use ongoing_gateway::OngoingGateway;
use platform_config::{AppConfig, ServiceAddress, WmsKind};
use platform_runtime::{
    Adapters, CancellationToken, GrpcChannel, Runtime, RuntimeError, Service, ServiceDirectory,
};
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// A catalogue row at `price`.
pub fn priced_row(product: usize, size: usize, price: &str) -> Value {
    let mut row = size_row(product, size);
    row["prices"][0]["price"] = json!(price);
    row
}

/// The article numbers of `writes`, in the order they were written.
pub fn numbers(writes: &[WmsArticle]) -> Vec<String> {
    writes.iter().map(|w| w.number.clone()).collect()
}

/// The shared simulators plus the article scenarios' reads.
pub struct CatalogSims {
    sims: WmsSims,
    /// The API `shop1` is read through.
    api: CentraAdapter,
}

impl std::ops::Deref for CatalogSims {
    type Target = WmsSims;

    fn deref(&self) -> &WmsSims {
        &self.sims
    }
}

impl CatalogSims {
    /// The simulators of `setup`'s WMS, `shop1` read through `setup`'s Centra adapter.
    pub async fn start(setup: &Setup) -> Self {
        Self {
            sims: WmsSims::start(setup.wms).await,
            api: setup.centra,
        }
    }

    /// The configuration with `shop1` (the catalog end-point unless `extra` names another) on
    /// the setup's Centra adapter.
    pub fn config(&self, sync_interval: &str, extra: &str) -> AppConfig {
        self.sims.config_for(self.api, sync_interval, extra)
    }

    /// Every article in the WMS.
    pub async fn wms_articles(&self) -> Vec<WmsArticle> {
        self.wms.articles(&self.http).await
    }

    /// The article numbers in the WMS, sorted.
    pub async fn wms_article_numbers(&self) -> Vec<String> {
        let mut numbers = numbers(&self.wms_articles().await);
        numbers.sort();
        numbers
    }

    /// Article `number` as the WMS's own API shows it; fails the test when it has none.
    pub async fn wms_article(&self, number: &str) -> WmsArticle {
        self.wms
            .article(&self.http, number)
            .await
            .unwrap_or_else(|| panic!("article {number} in the wms"))
    }

    /// `value` where the WMS keeps an active flag, else `None` (what [`WmsArticle::active`]
    /// then holds).
    pub fn active(&self, value: bool) -> Option<bool> {
        self.wms.keeps_active_flag().then_some(value)
    }

    /// `code` where the WMS keeps the customer price's currency, else `None`.
    pub fn currency(&self, code: &str) -> Option<String> {
        self.wms.keeps_price_currency().then(|| code.to_owned())
    }

    /// The last seq of centra-sim's request log.
    pub async fn centra_seq(&self, since: u64) -> u64 {
        let log = self
            .get(format!(
                "{}/_sim/requests?since={since}",
                self.sims.centra.url()
            ))
            .await;
        log.as_array()
            .and_then(|entries| entries.iter().filter_map(|e| e["seq"].as_u64()).max())
            .unwrap_or(since)
    }

    /// Waits until `polls` more product polls of the centra-gateway started (through the Order
    /// API each poll's first page asks for `modified`; through GraphQL each poll lists the
    /// catalogue from page 1; polls run one after the other, so when the second starts, one
    /// whole poll ran in between): the incremental runs that could write something have run.
    pub async fn wait_for_product_polls(&self, polls: usize) {
        let since = self.centra_seq(0).await;
        let graphql = self.api == CentraAdapter::Graphql;
        wait_for("product polls", Duration::from_secs(120), || async {
            let log = self
                .get(format!(
                    "{}/_sim/requests?since={since}",
                    self.sims.centra.url()
                ))
                .await;
            let started = log.as_array().map_or(0, |entries| {
                entries
                    .iter()
                    .filter(|e| {
                        if graphql {
                            return e["graphql"]["operationName"] == "CatalogPage"
                                && e["body"]["variables"]["page"] == 1
                                && e["body"]["variables"]["where"].is_null();
                        }
                        let query = e["query"].as_str().unwrap_or_default();
                        e["method"] == "GET"
                            && e["path"].as_str().is_some_and(|p| p.ends_with("/products"))
                            && query.contains("modified=")
                            && !query.contains("page=")
                    })
                    .count()
            });
            started >= polls
        })
        .await;
    }

    /// The article writes after request-log seq `since` and the last seq seen.
    pub async fn article_writes(&self, since: u64) -> (Vec<WmsArticle>, u64) {
        self.wms.article_writes(&self.http, since).await
    }

    /// Collects article writes after `cursor` until `count` arrived (polled every 250 ms,
    /// failing after `within`); returns them and the new cursor.
    pub async fn collect_writes(
        &self,
        mut cursor: u64,
        count: usize,
        within: Duration,
    ) -> (Vec<WmsArticle>, u64) {
        let limit = Instant::now() + within;
        let mut written = Vec::new();
        loop {
            let (writes, last) = self.article_writes(cursor).await;
            written.extend(writes);
            cursor = last;
            if written.len() >= count {
                return (written, cursor);
            }
            assert!(
                Instant::now() < limit,
                "{count} article writes within {within:?}, saw {}",
                written.len()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// One run of a scenario: the shape, the WMS (its simulator and its gateway) and the Centra
/// adapter.
pub struct Setup {
    pub shape: Shape,
    pub wms: WmsKind,
    /// The API `shop1` (the catalog end-point) is read through.
    pub centra: CentraAdapter,
}

impl Setup {
    /// `embedded ongoing`, `distributed ogoship`, ... for the phases printed.
    pub fn label(&self) -> String {
        let shape = match self.shape {
            Shape::Embedded => "embedded",
            Shape::Distributed { .. } => "distributed",
        };
        let api = match self.centra {
            CentraAdapter::OrderApi => "",
            CentraAdapter::Graphql => " graphql",
        };
        format!("{shape} {}{api}", self.wms.name())
    }
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

    pub fn is_distributed(&self) -> bool {
        matches!(self, Self::Distributed { .. })
    }
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

fn local_address() -> ServiceAddress {
    let listen = free_port();
    ServiceAddress {
        listen,
        connect: format!("http://{listen}"),
    }
}

/// The three services of the article flow, running in one shape.
pub struct Running {
    directory: ServiceDirectory,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    /// The distributed shape's NATS URL, stream prefix and database, for the clean-up.
    cleanup: Option<(String, String, test_support::PostgresDatabase)>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Starts CentraGateway, the gateway of `config`'s `[wms] kind` and CatalogSync in
    /// `shape`.
    pub async fn start(shape: Shape, mut config: AppConfig) -> Self {
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
                ] {
                    *address = local_address();
                }
                let prefix = test_support::unique("catalog");
                let adapters =
                    Adapters::distributed(&nats_url, &database.url, &prefix, &config.runtime.grpc)
                        .await
                        .expect("adapters");
                (adapters, Some((nats_url, prefix, database)))
            }
        };
        // catalog-sync reaches the gateway of `[wms] kind`, which is the only one running.
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
            .with_service(CatalogSync);
        let task = tokio::spawn(runtime.run(shutdown.clone()));
        Self {
            directory,
            shutdown,
            task,
            cleanup,
            _dir: dir,
        }
    }

    pub fn admin(&self) -> CatalogAdminClient<GrpcChannel> {
        CatalogAdminClient::new(self.directory.channel("catalog-sync").expect("channel"))
    }

    /// Stops the services, then removes the distributed shape's stream and database.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let stopped = self.task.await.expect("runtime task");
        if let Some((nats_url, prefix, database)) = self.cleanup {
            let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
                nats_url,
                platform_runtime::stream_name(&prefix),
                prefix.as_str(),
            ))
            .await
            .expect("reconnect for clean-up");
            bus.delete_stream().await.expect("stream deleted");
            database.drop_database().await;
        }
        stopped.expect("runtime stops cleanly");
    }
}
