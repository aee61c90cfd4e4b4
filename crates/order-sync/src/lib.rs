//! order-sync: The money flow: shipments or orders into the WMS, completion and capture back to Centra, purchase orders and receipts.
//!
//! The service runs as a task of the embedded runtime or as its own process (`src/main.rs`).
//! It owns its store (schema `order_sync`) and meets the other services only through the bus,
//! the gRPC contracts in `proto/` and the `domain` crate.
//!
//! Today it opens its store and relays its outbox; the flow lands with its own issue.

use async_trait::async_trait;
use platform_runtime::{Migrations, Service, ServiceBase, ServiceContext, ServiceError};

/// The service's name: its schema, its log lines and its bus consumers carry it.
pub const NAME: &str = "order-sync";

/// The order-sync service.
#[derive(Debug, Default, Clone)]
pub struct OrderSync;

#[async_trait]
impl Service for OrderSync {
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
