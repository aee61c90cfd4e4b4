//! The adapters behind the ports, per runtime shape.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use platform_bus::{Bus, BusError, EmbeddedBus, EmbeddedBusConfig, NatsBus, NatsBusConfig};
use platform_config::{GrpcServices, Retention};

use crate::ServiceDirectory;

/// The bus every service shares, how services reach each other's command services, and where
/// each service keeps its state.
#[derive(Debug, Clone)]
pub struct Adapters {
    pub bus: Arc<dyn Bus>,
    pub directory: ServiceDirectory,
    /// Shared by the services (writers) and the process's probes (reader).
    pub readiness: crate::Readiness,
    stores: StoreLocation,
    /// The embedded bus, which the runtime prunes on a timer (NATS prunes itself).
    embedded_bus: Option<EmbeddedBus>,
}

#[derive(Debug, Clone)]
enum StoreLocation {
    /// One SQLite file per service in this folder.
    SqliteFolder(PathBuf),
    /// One PostgreSQL database; each service owns the schema named after it.
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AdaptersError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the bus: {0}")]
    Bus(#[from] BusError),
}

impl Adapters {
    /// Embedded shape with the default retention; see [`Adapters::embedded_with_retention`].
    pub async fn embedded(data_dir: &Path) -> Result<Self, AdaptersError> {
        Self::embedded_with_retention(data_dir, &Retention::default()).await
    }

    /// Embedded shape: the durable SQLite bus in `data_dir/bus.db`, keeping messages for
    /// `retention.bus`, and `data_dir/<service>.db`.
    pub async fn embedded_with_retention(
        data_dir: &Path,
        retention: &Retention,
    ) -> Result<Self, AdaptersError> {
        std::fs::create_dir_all(data_dir).map_err(|source| AdaptersError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let location = sqlite_url(&data_dir.join("bus.db"));
        let config = EmbeddedBusConfig {
            max_age: Some(retention.bus),
            ..EmbeddedBusConfig::default()
        };
        let bus = EmbeddedBus::open(&location, config).await?;
        tracing::info!(data_dir = %data_dir.display(), "embedded bus open");
        Ok(Self {
            bus: Arc::new(bus.clone()),
            directory: ServiceDirectory::in_process(),
            readiness: crate::Readiness::default(),
            stores: StoreLocation::SqliteFolder(data_dir.to_owned()),
            embedded_bus: Some(bus),
        })
    }

    /// The files [`Adapters::embedded`] keeps for `services` in `data_dir` (with SQLite's
    /// `-wal` and `-shm` companions), e.g. for a sandbox that starts from nothing.
    pub fn embedded_files<'a>(
        data_dir: &Path,
        services: impl IntoIterator<Item = &'a str>,
    ) -> Vec<std::path::PathBuf> {
        std::iter::once("bus")
            .chain(services)
            .flat_map(|name| {
                ["db", "db-wal", "db-shm"].map(|ext| data_dir.join(format!("{name}.{ext}")))
            })
            .collect()
    }

    /// Distributed shape with the default retention; see
    /// [`Adapters::distributed_with_retention`].
    pub async fn distributed(
        nats_url: &str,
        database_url: &str,
        stream_prefix: &str,
        grpc: &GrpcServices,
    ) -> Result<Self, AdaptersError> {
        Self::distributed_with_retention(
            nats_url,
            database_url,
            stream_prefix,
            grpc,
            &Retention::default(),
        )
        .await
    }

    /// Distributed shape: NATS JetStream (stream named after `stream_prefix`, subjects under
    /// it, messages kept for `retention.bus`), PostgreSQL, and gRPC over TCP at the configured
    /// addresses.
    pub async fn distributed_with_retention(
        nats_url: &str,
        database_url: &str,
        stream_prefix: &str,
        grpc: &GrpcServices,
        retention: &Retention,
    ) -> Result<Self, AdaptersError> {
        let mut config = NatsBusConfig::new(nats_url, stream_name(stream_prefix), stream_prefix);
        config.max_age = Some(retention.bus);
        let bus = NatsBus::connect(config).await?;
        tracing::info!(stream_prefix, "nats jetstream bus connected");
        let directory = ServiceDirectory::network(grpc.all().into_iter().map(|(key, address)| {
            (
                key.replace('_', "-"),
                address.listen,
                address.connect.clone(),
            )
        }));
        Ok(Self {
            bus: Arc::new(bus),
            directory,
            readiness: crate::Readiness::default(),
            stores: StoreLocation::Postgres(database_url.to_owned()),
            embedded_bus: None,
        })
    }

    /// Also serves every service's gRPC routes on its configured listen address (embedded
    /// shape), so the operator's CLI reaches a running process; services keep calling each
    /// other in-process. The distributed shape serves on those addresses anyway.
    pub fn exposing_grpc(mut self, grpc: &GrpcServices) -> Self {
        if matches!(self.stores, StoreLocation::SqliteFolder(_)) {
            self.directory = ServiceDirectory::in_process_exposed(
                grpc.all()
                    .into_iter()
                    .map(|(key, address)| (key.replace('_', "-"), address.listen)),
            );
        }
        self
    }

    /// Every TCP gRPC call of this process sends `token` and every TCP server requires it
    /// (`runtime.grpc_token`).
    #[must_use]
    pub fn with_grpc_token(mut self, token: Option<&str>) -> Self {
        self.directory = self.directory.with_token(token.map(crate::GrpcToken::new));
        self
    }

    /// Calls to `platform_runtime::WMS_GATEWAY` reach `service`, the gateway of `[wms] kind`.
    #[must_use]
    pub fn with_wms_gateway(mut self, service: &'static str) -> Self {
        self.directory = self.directory.with_wms_gateway(service);
        self
    }

    /// The embedded bus to prune on a timer; `None` in the distributed shape.
    pub(crate) fn embedded_bus(&self) -> Option<&EmbeddedBus> {
        self.embedded_bus.as_ref()
    }

    /// The database URL `service` opens its store with.
    pub fn store_url(&self, service: &str) -> String {
        match &self.stores {
            StoreLocation::SqliteFolder(dir) => sqlite_url(&dir.join(format!("{service}.db"))),
            StoreLocation::Postgres(url) => url.clone(),
        }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The JetStream stream for `prefix`: stream names allow no `.`, `*`, `>` or whitespace, and
/// `-` reads badly in tools.
pub fn stream_name(prefix: &str) -> String {
    prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_are_valid_for_jetstream() {
        assert_eq!(stream_name("centra-wms"), "CENTRA_WMS");
        assert_eq!(stream_name("a.b c>d"), "A_B_C_D");
    }

    #[tokio::test]
    async fn embedded_gives_each_service_its_own_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
        let order = adapters.store_url("order-sync");
        let stock = adapters.store_url("stock-sync");
        assert_ne!(order, stock);
        assert!(order.ends_with("order-sync.db?mode=rwc"), "{order}");
        assert!(dir.path().join("bus.db").exists());
    }
}
