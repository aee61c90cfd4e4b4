//! The harness of the article scenarios: the three services of the flow in either runtime
//! shape, and what the scenarios read from the simulators.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_sync::CatalogSync;
use centra_gateway::CentraGateway;
use centra_wms_tests::e2e::{Sims, free_port, size_row, wait_for};
use ongoing_gateway::OngoingGateway;
use platform_config::{AppConfig, ServiceAddress};
use platform_runtime::{
    Adapters, CancellationToken, GrpcChannel, Runtime, RuntimeError, ServiceDirectory,
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

pub async fn wms_articles(sims: &Sims) -> Vec<Value> {
    let state = sims
        .get(format!("{}/_sim/state", sims.ongoing.base_url()))
        .await;
    state["articles"].as_array().cloned().unwrap_or_default()
}

/// One article as Ongoing's `GET /articles` shows it (every field of the model).
pub async fn wms_article(sims: &Sims, number: &str) -> Value {
    let answer: Value = sims
        .http
        .get(format!(
            "{}/sandbox/api/v1/articles",
            sims.ongoing.base_url()
        ))
        .basic_auth("sandbox", Some("sandbox"))
        .query(&[("goodsOwnerId", "1"), ("articleNumber", number)])
        .send()
        .await
        .expect("articles answered")
        .json()
        .await
        .expect("json");
    answer
        .as_array()
        .and_then(|list| list.first())
        .cloned()
        .unwrap_or_else(|| panic!("article {number} in the wms"))
}

pub fn numbers(puts: &[Value]) -> Vec<String> {
    puts.iter()
        .map(|b| b["articleNumber"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The last seq of centra-sim's request log.
pub async fn centra_seq(sims: &Sims, since: u64) -> u64 {
    let log = sims
        .get(format!("{}/_sim/requests?since={since}", sims.centra.url()))
        .await;
    log.as_array()
        .and_then(|entries| entries.iter().filter_map(|e| e["seq"].as_u64()).max())
        .unwrap_or(since)
}

/// Waits until `polls` more product polls of the centra-gateway started (each poll's first
/// page asks for `modified`; polls run one after the other, so when the second starts, one
/// whole poll ran in between): the incremental runs that could write something have run.
pub async fn wait_for_product_polls(sims: &Sims, polls: usize) {
    let since = centra_seq(sims, 0).await;
    wait_for("product polls", Duration::from_secs(120), || async {
        let log = sims
            .get(format!("{}/_sim/requests?since={since}", sims.centra.url()))
            .await;
        let started = log.as_array().map_or(0, |entries| {
            entries
                .iter()
                .filter(|e| {
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

/// Collects article PUTs after `cursor` until `count` arrived (polled every 250 ms, failing
/// after `within`); returns them and the new cursor.
pub async fn collect_puts(
    sims: &Sims,
    mut cursor: u64,
    count: usize,
    within: Duration,
) -> (Vec<Value>, u64) {
    let limit = Instant::now() + within;
    let mut written = Vec::new();
    loop {
        let (puts, last) = sims.article_puts(cursor).await;
        written.extend(puts);
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

/// Which runtime shape a scenario runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Embedded,
    Distributed,
}

pub fn local_address() -> ServiceAddress {
    let listen = free_port();
    ServiceAddress {
        listen,
        connect: format!("http://{listen}"),
    }
}

/// The three services of the article flow, running in `shape`.
pub struct Running {
    directory: ServiceDirectory,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    database: Option<test_support::PostgresDatabase>,
    /// NATS URL and stream prefix of the distributed shape, for the clean-up.
    stream: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Starts the runtime; None when the distributed shape's servers are not configured.
    pub async fn start(shape: Shape, mut config: AppConfig, test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut stream = None;
        let (adapters, database) = match shape {
            Shape::Embedded => (
                Adapters::embedded(dir.path()).await.expect("adapters"),
                None,
            ),
            Shape::Distributed => {
                let database = test_support::postgres_database(test).await?;
                let nats = test_support::nats_url(test).await?;
                config.runtime.grpc.centra_gateway = local_address();
                config.runtime.grpc.ongoing_gateway = local_address();
                config.runtime.grpc.catalog_sync = local_address();
                let prefix = test_support::unique("catalog");
                let adapters =
                    Adapters::distributed(&nats, &database.url, &prefix, &config.runtime.grpc)
                        .await
                        .expect("adapters");
                stream = Some((nats, prefix));
                (adapters, Some(database))
            }
        };
        let directory = adapters.directory.clone();
        let shutdown = CancellationToken::new();
        let runtime = Runtime::new(Arc::new(config), adapters)
            .with_service(CentraGateway)
            .with_service(OngoingGateway)
            .with_service(CatalogSync);
        let task = tokio::spawn(runtime.run(shutdown.clone()));
        Some(Self {
            directory,
            shutdown,
            task,
            database,
            stream,
            _dir: dir,
        })
    }

    pub fn admin(&self) -> CatalogAdminClient<GrpcChannel> {
        CatalogAdminClient::new(self.directory.channel("catalog-sync").expect("channel"))
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("runtime task")
            .expect("runtime stops cleanly");
        if let Some((nats_url, prefix)) = self.stream {
            let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
                nats_url,
                platform_runtime::stream_name(&prefix),
                prefix.as_str(),
            ))
            .await
            .expect("reconnect for clean-up");
            bus.delete_stream().await.expect("stream deleted");
        }
        if let Some(database) = self.database {
            database.drop_database().await;
        }
    }
}
