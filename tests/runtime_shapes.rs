//! The runtime in both shapes: services start over the shape's adapters, their outbox reaches
//! the bus through the relay, and shutdown is graceful. Embedded: SQLite bus + SQLite files,
//! and the state survives a restart. Distributed: NATS JetStream + PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform_bus::{Bus, ConsumerConfig, NatsBus, NatsBusConfig};
use platform_config::AppConfig;
use platform_runtime::{
    Adapters, CancellationToken, Migrations, Runtime, RuntimeError, Service, ServiceBase,
    ServiceContext, ServiceError,
};
use platform_store::OutboxMessage;

const CONFIG: &str = r#"
[settings]
centra_time_zone = "Europe/Stockholm"
[[settings.endpoints]]
name = "shop1"
base_url = "http://127.0.0.1:1/api/order-api"
secret = "s"
[wms]
base_url = "http://127.0.0.1:1"
warehouse = "sandbox"
user = "u"
password = "p"
goods_owner_id = 1
"#;

fn config() -> Arc<AppConfig> {
    Arc::new(AppConfig::from_toml_str(CONFIG).expect("test config is valid"))
}

/// Writes one event to its outbox at start (the shape of every real service), then waits.
#[derive(Debug)]
struct Probe {
    name: &'static str,
    event_id: String,
}

#[async_trait]
impl Service for Probe {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, self.name, &Migrations::none()).await?;
        let store_error = |source| ServiceError::Store {
            service: "probe",
            source,
        };
        let mut tx = base.store.begin().await.map_err(store_error)?;
        base.store
            .outbox()
            .enqueue(
                &mut tx,
                OutboxMessage::new(
                    self.event_id.as_str(),
                    format!("probe.{}.started", self.name),
                    b"started".to_vec(),
                ),
            )
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        ctx.shutdown.cancelled().await;
        base.close().await;
        Ok(())
    }
}

/// Fails at once, as a service whose storage is gone would.
#[derive(Debug)]
struct Broken;

#[async_trait]
impl Service for Broken {
    fn name(&self) -> &'static str {
        "broken"
    }

    async fn run(&self, _ctx: ServiceContext) -> Result<(), ServiceError> {
        Err(ServiceError::part(
            "broken",
            "storage",
            std::io::Error::other("storage unreachable"),
        ))
    }
}

/// Runs `runtime` until `probe.started` arrives on the bus, then stops it; returns how many
/// distinct ids arrived and the run's result.
async fn run_until_started(
    runtime: Runtime,
    bus: Arc<dyn Bus>,
    expected: &[&str],
) -> Result<(), RuntimeError> {
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    let mut consumer = bus
        .consumer(ConsumerConfig::new(test_support::unique("watch")).with_filter("probe.>"))
        .await
        .expect("consumer");
    let mut seen = Vec::new();
    while seen.len() < expected.len() {
        let delivery = consumer
            .next(Duration::from_secs(20))
            .await
            .expect("bus answers")
            .unwrap_or_else(|| panic!("only {seen:?} of {expected:?} arrived"));
        seen.push(delivery.id.as_str().to_owned());
        delivery.ack().await.expect("ack");
    }
    seen.sort();
    let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(seen, want);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(20), running)
        .await
        .expect("runtime stops within the grace period")
        .expect("runtime task joins")
}

fn probes(runtime: Runtime, run: &str) -> Runtime {
    runtime
        .with_service(Probe {
            name: "probe-a",
            event_id: format!("probe-a:{run}"),
        })
        .with_service(Probe {
            name: "probe-b",
            event_id: format!("probe-b:{run}"),
        })
}

#[tokio::test]
async fn embedded_shape_runs_services_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");

    let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
    let bus = adapters.bus.clone();
    let runtime = probes(Runtime::new(config(), adapters), "first");
    run_until_started(runtime, bus, &["probe-a:first", "probe-b:first"])
        .await
        .expect("clean stop");
    assert!(dir.path().join("probe-a.db").exists());
    assert!(dir.path().join("probe-b.db").exists());

    // Second run on the same files: stores reopen (migrations are idempotent), and the first
    // run's events are still in the durable bus beside the second run's.
    let adapters = Adapters::embedded(dir.path())
        .await
        .expect("adapters reopen");
    let bus = adapters.bus.clone();
    let runtime = probes(Runtime::new(config(), adapters), "second");
    run_until_started(
        runtime,
        bus,
        &[
            "probe-a:first",
            "probe-b:first",
            "probe-a:second",
            "probe-b:second",
        ],
    )
    .await
    .expect("clean stop after restart");
}

#[tokio::test]
async fn a_failing_service_stops_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
    let runtime = Runtime::new(config(), adapters)
        .with_service(Probe {
            name: "probe-a",
            event_id: "probe-a:x".to_owned(),
        })
        .with_service(Broken);
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        runtime.run(CancellationToken::new()),
    )
    .await
    .expect("runtime stops by itself");
    let error = result.expect_err("the failure is reported");
    assert!(error.to_string().contains("storage unreachable"), "{error}");
}

#[tokio::test]
async fn distributed_shape_runs_services_over_nats_and_postgres() {
    let test = "distributed_shape_runs_services_over_nats_and_postgres";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let prefix = test_support::unique("rt");
    let adapters = Adapters::distributed(&nats_url, &database.url, &prefix, &config().runtime.grpc)
        .await
        .expect("adapters");
    let bus = adapters.bus.clone();
    let runtime = probes(Runtime::new(config(), adapters), "dist");
    let result = run_until_started(runtime, bus, &["probe-a:dist", "probe-b:dist"]).await;
    let stream = platform_runtime::stream_name(&prefix);
    let cleanup = NatsBus::connect(NatsBusConfig::new(nats_url, stream, prefix.as_str()))
        .await
        .expect("reconnect for cleanup");
    cleanup.delete_stream().await.expect("stream deleted");
    database.drop_database().await;
    result.expect("clean stop");
}

/// Ignores shutdown, as a service stuck in a retry loop would.
#[derive(Debug)]
struct Stubborn;

#[async_trait]
impl Service for Stubborn {
    fn name(&self) -> &'static str {
        "stubborn"
    }

    async fn run(&self, _ctx: ServiceContext) -> Result<(), ServiceError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

#[tokio::test]
async fn shutdown_aborts_a_service_that_overruns_the_grace_period() {
    let dir = tempfile::tempdir().expect("temp dir");
    let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
    let runtime = Runtime::new(config(), adapters)
        .with_service(Stubborn)
        .with_grace(Duration::from_millis(300));
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    shutdown.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("runtime returns soon after the grace period")
        .expect("runtime task joins");
    assert!(
        matches!(result, Err(RuntimeError::ShutdownTimedOut { .. })),
        "{result:?}"
    );
}
