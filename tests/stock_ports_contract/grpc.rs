//! The gRPC adapters over the real gateways: centra-sim and ongoing-sim, `CentraGateway` and
//! `OngoingGateway` in one embedded runtime, and `GrpcCentra` / `GrpcWms` on the runtime's
//! directory channels, as stock-sync builds them. Size items and stock go through the
//! simulators' control API (`/_sim/...`), WMS articles through the WMS gateway's own
//! `UpsertArticles`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use centra_wms_tests::e2e::{Sims, size_row};
use centra_wms_tests::gateways::Gateways;
use centra_wms_tests::runtime::RunningApp;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use serde_json::json;
use stock_sync::ports::{CentraStockTarget, GrpcCentra, GrpcWms, WmsStockSource};

use crate::world::{CentraWorld, WAREHOUSE, WmsWorld};

/// Both simulators and both gateways; one per case.
pub struct GrpcWorld {
    sims: Sims,
    app: RunningApp,
    centra: GrpcCentra,
    wms: GrpcWms,
    /// Numbers the article upserts' idempotency keys.
    upserts: AtomicU64,
}

impl GrpcWorld {
    /// Starts everything and returns once both gateways answer.
    pub async fn start() -> Self {
        let Gateways { sims, app } = Gateways::start("stock_ports_contract", Vec::new()).await;
        let (centra_channel, wms_channel) = (
            app.channel("centra-gateway"),
            app.channel("ongoing-gateway"),
        );
        Self {
            sims,
            centra: GrpcCentra::new(centra_channel),
            wms: GrpcWms::new(wms_channel),
            app,
            upserts: AtomicU64::new(0),
        }
    }

    fn wms_client(&self) -> WmsGatewayClient<platform_runtime::GrpcChannel> {
        WmsGatewayClient::new(self.app.channel("ongoing-gateway"))
    }

    async fn shutdown(self) {
        self.app.stop().await;
    }
}

impl WmsWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn WmsStockSource> {
        Arc::new(self.wms.clone())
    }

    async fn hold(&self, articles: &[(String, i64)]) {
        for chunk in articles.chunks(100) {
            let upsert = self.upserts.fetch_add(1, Ordering::Relaxed);
            let answer = self
                .wms_client()
                .upsert_articles(wms::UpsertArticlesRequest {
                    idempotency_key: format!("articles {upsert}"),
                    warehouse: WAREHOUSE.to_owned(),
                    articles: chunk
                        .iter()
                        .map(|(number, _)| wms::Article {
                            article_number: number.clone(),
                            article_name: format!("Article {number}"),
                            is_active: true,
                            ..Default::default()
                        })
                        .collect(),
                })
                .await
                .expect("articles upserted")
                .into_inner();
            for result in answer.results {
                assert!(result.error.is_empty(), "article {result:?}");
            }
        }
        for (number, physical) in articles {
            self.sims
                .post(
                    format!("{}/_sim/stock", self.sims.ongoing.base_url()),
                    &json!({"articleNumber": number, "physical": physical}),
                )
                .await;
        }
    }

    async fn go_down(&self) {
        // Every Ongoing call answers 5xx: the gateway retries (its default policy, about
        // 15 s), then answers UNAVAILABLE.
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

impl CentraWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn CentraStockTarget> {
        Arc::new(self.centra.clone())
    }

    async fn sell(&self, items: &[(usize, usize)], physical: i64) {
        let rows = items
            .iter()
            .map(|(product, size)| {
                let mut row = size_row(*product, *size);
                row["physicalStock"] = json!(physical);
                row
            })
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
