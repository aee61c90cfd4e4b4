//! Supervised service tasks with a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use platform_config::AppConfig;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::{Adapters, Service, ServiceContext, ServiceError};

/// How long services get to finish after shutdown before they are aborted.
const GRACE: Duration = Duration::from_secs(15);
// Work under way at shutdown is dropped before the grace runs out (`drain`), so a service
// stops by itself and the runtime does not abort it.
const _: () = assert!(crate::drain::IN_FLIGHT_DRAIN.as_millis() < GRACE.as_millis());

/// Runs a set of services over one set of adapters.
#[derive(Debug)]
pub struct Runtime {
    config: Arc<AppConfig>,
    adapters: Adapters,
    services: Vec<Arc<dyn Service>>,
    grace: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{service} stopped unexpectedly: {reason}")]
    Crashed {
        service: &'static str,
        reason: String,
    },
    #[error("services still running {seconds} s after shutdown were aborted: {services:?}")]
    ShutdownTimedOut {
        seconds: u64,
        services: Vec<&'static str>,
    },
}

impl Runtime {
    pub fn new(config: Arc<AppConfig>, adapters: Adapters) -> Self {
        Self {
            config,
            adapters,
            services: Vec::new(),
            grace: GRACE,
        }
    }

    pub fn with_service(mut self, service: impl Service) -> Self {
        self.services.push(Arc::new(service));
        self
    }

    pub fn with_shared_service(mut self, service: Arc<dyn Service>) -> Self {
        self.services.push(service);
        self
    }

    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    pub fn service_names(&self) -> Vec<&'static str> {
        self.services.iter().map(|s| s.name()).collect()
    }

    /// Runs every service until `shutdown` is cancelled or one of them fails; then stops the
    /// others and waits for them (at most the grace period).
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        let stop = shutdown.child_token();
        let bus_pruning = self.adapters.embedded_bus().map(|bus| {
            crate::pruning::spawn_bus_pruning(
                bus.clone(),
                self.config.runtime.retention.prune_every,
                stop.clone(),
            )
        });
        let mut tasks = JoinSet::new();
        for service in &self.services {
            let ctx = ServiceContext {
                config: self.config.clone(),
                bus: self.adapters.bus.clone(),
                directory: self.adapters.directory.clone(),
                store_url: self.adapters.store_url(service.name()),
                shutdown: stop.clone(),
                readiness: self.adapters.readiness.clone(),
            };
            let service = service.clone();
            tasks.spawn(async move {
                let name = service.name();
                tracing::info!(service = name, "service starting");
                (name, service.run(ctx).await)
            });
        }

        // Until shutdown: the first service that ends (with or without an error) stops the
        // others.
        let ended = tokio::select! {
            joined = tasks.join_next() => joined,
            () = stop.cancelled() => None,
        };
        // The services still running, for the error that names those a shutdown had to abort.
        let mut running = self.service_names();
        if let Some(Ok((name, _))) = &ended {
            running.retain(|n| n != name);
        }
        let mut first_error = match ended {
            None => None,
            Some(Ok((_, Ok(())))) if stop.is_cancelled() => None,
            Some(Ok((name, Ok(())))) => Some(RuntimeError::Crashed {
                service: name,
                reason: "returned before shutdown".to_owned(),
            }),
            Some(Ok((_, Err(error)))) => Some(RuntimeError::Service(error)),
            Some(Err(join)) => Some(RuntimeError::Crashed {
                service: "unknown",
                reason: join.to_string(),
            }),
        };
        if let Some(failure) = &first_error {
            tracing::error!(error = %failure, "service failed; stopping the others");
        }

        // Shutdown: every service gets the grace period, then what is left is aborted.
        stop.cancel();
        let drained = tokio::time::timeout(self.grace, async {
            while let Some(joined) = tasks.join_next().await {
                if let Ok((name, _)) = &joined {
                    running.retain(|n| n != name);
                }
                match joined {
                    Ok((name, Ok(()))) => tracing::info!(service = name, "service stopped"),
                    Ok((_, Err(error))) => tracing::warn!(%error, "service failed while stopping"),
                    Err(join) => {
                        tracing::warn!(error = %join, "service task failed while stopping")
                    }
                }
            }
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
            tracing::error!(
                seconds = self.grace.as_secs(),
                services = ?running,
                "services did not stop in time; aborted"
            );
            first_error.get_or_insert(RuntimeError::ShutdownTimedOut {
                seconds: self.grace.as_secs(),
                services: running,
            });
        }
        if let Some(pruning) = bus_pruning {
            // Cancelled with the services; a round in progress is one short delete.
            let _ = pruning.await;
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}
