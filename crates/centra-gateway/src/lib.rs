//! centra-gateway: Everything the product knows about Centra: the Order API client, the webhook receiver, the pollers, and the gRPC command service the sync services call. It holds no business rules.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `centra_gateway`) and meets the other services only through the bus,
//! the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Today it opens its store and relays its outbox; the flow lands with its own issue.

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceBase, ServiceContext, ServiceError};

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "centra-gateway";

/// The centra-gateway service.
#[derive(Debug, Default, Clone)]
pub struct CentraGateway;

#[async_trait]
impl Service for CentraGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, NAME, &Migrations::none()).await?;
        ctx.shutdown.cancelled().await;
        base.close().await;
        Ok(())
    }
}
