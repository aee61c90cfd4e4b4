//! The gRPC adapters over the real gateways: centra-sim and the WMS simulator, `CentraGateway`
//! and the WMS gateway in one embedded runtime, and `GrpcCatalogSource` / `GrpcArticleSink` on
//! the runtime's directory channels, as catalog-sync builds them. Products go through
//! centra-sim's control API (`/_sim/products`), faults through both simulators'
//! (`/_sim/faults`).

use std::sync::Arc;

use catalog_sync::ports::{ArticleSink, CatalogSource, GrpcArticleSink, GrpcCatalogSource};
use centra_wms_tests::e2e::{Sims, size_row};
use centra_wms_tests::gateways::Gateways;
use centra_wms_tests::runtime::RunningApp;
use serde_json::json;

use crate::world::{ArticleWorld, CatalogWorld, WAREHOUSE};

/// Both simulators and both gateways; one per case.
pub struct GrpcWorld {
    sims: Sims,
    app: RunningApp,
    source: GrpcCatalogSource,
    sink: GrpcArticleSink,
}

impl GrpcWorld {
    /// Starts everything and returns once both gateways answer.
    pub async fn start() -> Self {
        let gateways = Gateways::start("catalog_ports_contract", Vec::new()).await;
        let (source, sink) = (
            GrpcCatalogSource::new(gateways.centra()),
            GrpcArticleSink::new(gateways.wms(), WAREHOUSE),
        );
        let Gateways { sims, app } = gateways;
        Self {
            sims,
            app,
            source,
            sink,
        }
    }

    async fn shutdown(self) {
        self.app.stop().await;
    }
}

impl CatalogWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn CatalogSource> {
        Arc::new(self.source.clone())
    }

    async fn sell(&self, products: &[(usize, usize)]) {
        let rows = products
            .iter()
            .flat_map(|&(product, sizes)| (0..sizes).map(move |size| size_row(product, size)))
            .collect();
        self.sims.seed_products(rows).await;
    }

    async fn go_down(&self) {
        // Every Centra call answers 5xx: the gateway retries (its default policy, about 15 s),
        // then answers UNAVAILABLE.
        self.sims
            .post(
                format!("{}/_sim/faults", self.sims.centra.url()),
                &json!({"error_rate": 1.0}),
            )
            .await;
    }

    async fn stop(self) {
        self.shutdown().await;
    }
}

impl ArticleWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn ArticleSink> {
        Arc::new(self.sink.clone())
    }

    async fn go_down(&self) {
        // Every WMS call answers 5xx: the gateway retries (its default policy, about 15 s),
        // then answers UNAVAILABLE.
        self.sims
            .post(
                format!("{}/_sim/faults", self.sims.ongoing.base_url()),
                &json!({"error_rate": 1.0}),
            )
            .await;
    }

    async fn stop(self) {
        self.shutdown().await;
    }
}
