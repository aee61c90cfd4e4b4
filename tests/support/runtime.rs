//! A runtime of either shape for the end-to-end suites: which services run is the suite's
//! choice, where they keep state and meet is the shape's.
//!
//! - [`Shape::Embedded`]: SQLite bus and stores in a temporary folder, gRPC in process.
//! - [`Shape::Distributed`]: NATS JetStream under a unique stream prefix, a fresh PostgreSQL
//!   database, gRPC over TCP on free ports. [`RunningApp::stop`] deletes the stream and drops
//!   the database, so runs never see each other's data.
//!
//! Calls to `platform_runtime::WMS_GATEWAY` reach the gateway of the configuration's
//! `[wms] kind`, which the suite must name among its services.

use std::sync::Arc;

use platform_config::{AppConfig, ServiceAddress};
use platform_runtime::{
    Adapters, CancellationToken, GrpcChannel, Runtime, RuntimeError, Service, ServiceDirectory,
};
use tokio::task::JoinHandle;

use crate::e2e::free_port;

/// Where the services keep their state and meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Embedded,
    Distributed,
}

/// A gRPC address on a free loopback port.
pub fn local_address() -> ServiceAddress {
    let listen = free_port();
    ServiceAddress {
        listen,
        connect: format!("http://{listen}"),
    }
}

/// Services running in one runtime of some shape.
pub struct RunningApp {
    directory: ServiceDirectory,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), RuntimeError>>,
    /// Why the runtime stopped, once it has (for [`RunningApp::assert_running`]).
    stopped: Arc<std::sync::Mutex<Option<String>>>,
    database: Option<test_support::PostgresDatabase>,
    /// NATS URL and stream prefix of the distributed shape, for the clean-up.
    stream: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for RunningApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningApp")
            .field("distributed", &self.stream.is_some())
            .finish_non_exhaustive()
    }
}

impl RunningApp {
    /// Starts `services` in `shape`; `None` when the distributed shape's servers are not
    /// configured outside CI (under CI their absence fails the test in `test_support`).
    pub async fn start(
        shape: Shape,
        mut config: AppConfig,
        services: Vec<Arc<dyn Service>>,
        test: &str,
    ) -> Option<Self> {
        crate::log_tail::install();
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
                    *address = local_address();
                }
                let prefix = test_support::unique("e2e");
                let adapters =
                    Adapters::distributed(&nats, &database.url, &prefix, &config.runtime.grpc)
                        .await
                        .expect("adapters");
                stream = Some((nats, prefix));
                (adapters, Some(database))
            }
        };
        // The sync services reach the gateway of `[wms] kind` (the suite runs that one).
        let adapters = adapters.with_wms_gateway(config.wms.kind().gateway());
        let directory = adapters.directory.clone();
        let shutdown = CancellationToken::new();
        let runtime = services
            .into_iter()
            .fold(Runtime::new(Arc::new(config), adapters), |r, s| {
                r.with_shared_service(s)
            });
        let stopped = Arc::new(std::sync::Mutex::new(None));
        let task = tokio::spawn({
            let (stopped, shutdown) = (stopped.clone(), shutdown.clone());
            async move {
                let result = runtime.run(shutdown).await;
                *stopped.lock().expect("stopped lock") = Some(format!("{result:?}"));
                result
            }
        });
        Some(Self {
            directory,
            shutdown,
            task,
            stopped,
            database,
            stream,
            _dir: dir,
        })
    }

    /// A channel to `service`'s gRPC server.
    pub fn channel(&self, service: &str) -> GrpcChannel {
        self.directory.channel(service).expect("channel")
    }

    /// Fails the test when the runtime stopped on its own, with what it stopped with.
    pub fn assert_running(&self) {
        assert!(
            !self.task.is_finished(),
            "the runtime stopped early: {}",
            self.stopped
                .lock()
                .expect("stopped lock")
                .as_deref()
                .unwrap_or("(no result)")
        );
    }

    /// The distributed shape's database sessions stuck in one state (see
    /// `test_support::PostgresDatabase::lingering_sessions`); empty in the embedded shape.
    pub async fn lingering_sessions(&self) -> Vec<String> {
        match &self.database {
            Some(database) => database.lingering_sessions().await,
            None => Vec::new(),
        }
    }

    /// Stops the services, then removes the distributed shape's stream and database.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let stopped = self.task.await.expect("runtime task");
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
        if let Err(error) = stopped {
            // What the services were at when the shutdown ran out (a call retried, a wait).
            panic!(
                "runtime stops cleanly: {error:?}; the last warnings and errors:\n{}",
                crate::log_tail::recent(40)
            );
        }
    }
}
