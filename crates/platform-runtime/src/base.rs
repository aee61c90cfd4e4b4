//! What every service opens before its flows: its store (with the service's migrations after
//! the inbox/outbox/dead-letter ones), the relay that publishes its outbox, and the pruning of
//! what `[runtime.retention]` no longer keeps.

use platform_store::{Migrations, OutboxRelay, RelayConfig, Store, StoreOptions};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{ServiceContext, ServiceError};

/// A service's own store, its running outbox relay and its pruning timer.
#[derive(Debug)]
pub struct ServiceBase {
    pub store: Store,
    relay: JoinHandle<()>,
    relay_stop: CancellationToken,
    pruning: JoinHandle<()>,
}

impl ServiceBase {
    pub async fn open(
        ctx: &ServiceContext,
        service: &'static str,
        migrations: &Migrations,
    ) -> Result<Self, ServiceError> {
        let store = Store::open(
            StoreOptions::new(service, ctx.store_url.clone()),
            migrations,
        )
        .await
        .map_err(|source| ServiceError::Store { service, source })?;
        // The relay stops after the service, so events committed during shutdown still leave.
        let relay_stop = CancellationToken::new();
        let relay = OutboxRelay::new(&store, ctx.bus.clone(), RelayConfig::default())
            .spawn(relay_stop.clone());
        let pruning = crate::pruning::spawn_store_pruning(
            store.clone(),
            ctx.config.runtime.retention,
            relay_stop.clone(),
        );
        tracing::info!(service, backend = store.backend().name(), "store open");
        Ok(Self {
            store,
            relay,
            relay_stop,
            pruning,
        })
    }

    /// Stops the relay after one last round and the pruning, and closes the store.
    pub async fn close(self) {
        self.relay_stop.cancel();
        if let Err(error) = self.relay.await {
            tracing::warn!(%error, "outbox relay ended abnormally");
        }
        if let Err(error) = self.pruning.await {
            tracing::warn!(%error, "store pruning ended abnormally");
        }
        self.store.close().await;
    }
}
