//! The gRPC adapters over the real gateways: centra-sim and ongoing-sim, `CentraGateway` and
//! `OngoingGateway` in one embedded runtime, and `GrpcCentra` / `GrpcWms` on the runtime's
//! directory channels, as order-sync builds them. The controls go through the simulators'
//! control API (`/_sim/...`), articles through the WMS gateway's own `UpsertArticles`.

use std::sync::Arc;

use centra_wms_tests::e2e::{Sims, ean, size_row};
use centra_wms_tests::gateways::Gateways;
use centra_wms_tests::runtime::RunningApp;
use domain::ShipmentId;
use order_sync::ports::{CentraShipments, GrpcCentra, GrpcWms, WmsOrders};
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use serde_json::{Value, json};

use crate::world::{CentraWorld, WAREHOUSE, WmsWorld};

/// Both simulators and both gateways; one per case.
pub struct GrpcWorld {
    sims: Sims,
    app: RunningApp,
    centra: GrpcCentra,
    wms: GrpcWms,
}

impl GrpcWorld {
    /// Starts everything and returns once both gateways answer.
    pub async fn start() -> Self {
        // The product the shipments' line sells (`P0-BL-0`).
        let Gateways { sims, app } =
            Gateways::start("order_ports_contract", vec![size_row(0, 0)]).await;
        let (centra_channel, wms_channel) = (
            app.channel("centra-gateway"),
            app.channel("ongoing-gateway"),
        );
        Self {
            sims,
            centra: GrpcCentra::new(centra_channel),
            wms: GrpcWms::new(wms_channel),
            app,
        }
    }

    fn wms_client(&self) -> WmsGatewayClient<platform_runtime::GrpcChannel> {
        WmsGatewayClient::new(self.app.channel("ongoing-gateway"))
    }

    async fn state(&self, base: String) -> Value {
        self.sims.get(format!("{base}/_sim/state")).await
    }

    async fn centra_shipment(&self, id: &ShipmentId) -> Value {
        let state = self.state(self.sims.centra.url()).await;
        state["shipments"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|s| s["shipmentId"] == id.to_string())
                    .cloned()
            })
            .unwrap_or_else(|| panic!("centra-sim has shipment {id}"))
    }

    /// A good-to-go shipment made in centra-sim; `capture_fails`: Centra declines its capture.
    async fn centra_shipment_made(&self, paid: bool, capture_fails: bool) -> ShipmentId {
        let created = self
            .sims
            .post(
                format!("{}/_sim/orders", self.sims.centra.url()),
                &json!({
                    "order": {
                        "paid": paid, "shouldCapture": !paid, "captureFails": capture_fails,
                        "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                     "zipcode": "11122", "city": "Stockholm", "country": "SE"},
                        "carrier": "DHL", "service": "Express",
                        "lines": [{"sku": "P0", "variantSku": "-BL", "sizeSku": "-0",
                                   "ean": ean(0), "qty": 1, "price": "45.00"}]
                    },
                    "goodToGo": true
                }),
            )
            .await;
        let id = created["shipmentId"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| created["shipmentId"].as_u64().map(|n| n.to_string()))
            .expect("shipment id");
        ShipmentId::parse(&id).expect("a shipment id")
    }

    async fn shutdown(self) {
        self.app.stop().await;
    }
}

/// A control-state counter; absent counts as 0.
fn count(value: &Value) -> u64 {
    value.as_u64().unwrap_or(0)
}

impl CentraWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn CentraShipments> {
        Arc::new(self.centra.clone())
    }

    async fn shipment(&self, paid: bool) -> ShipmentId {
        self.centra_shipment_made(paid, false).await
    }

    async fn declined_shipment(&self) -> ShipmentId {
        self.centra_shipment_made(false, true).await
    }

    async fn completions(&self, id: &ShipmentId) -> u64 {
        count(&self.centra_shipment(id).await["completeCount"])
    }

    async fn captures(&self, id: &ShipmentId) -> u64 {
        count(&self.centra_shipment(id).await["captureCount"])
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

impl WmsWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn WmsOrders> {
        Arc::new(self.wms.clone())
    }

    async fn know_articles(&self, articles: &[&str]) {
        let answer = self
            .wms_client()
            .upsert_articles(wms::UpsertArticlesRequest {
                idempotency_key: format!("articles {}", articles.join(",")),
                warehouse: WAREHOUSE.to_owned(),
                articles: articles
                    .iter()
                    .map(|number| wms::Article {
                        article_number: (*number).to_owned(),
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

    async fn start_work(&self, order_number: &str) {
        // 300: picking, past the default "editable below" threshold.
        self.sims
            .post(
                format!(
                    "{}/_sim/orders/{order_number}/status",
                    self.sims.ongoing.base_url()
                ),
                &json!({"status": 300}),
            )
            .await;
    }

    async fn created(&self, order_number: &str) -> u64 {
        let state = self.state(self.sims.ongoing.base_url()).await;
        state["orders"].as_array().map_or(0, |orders| {
            orders
                .iter()
                .filter(|o| o["orderNumber"] == order_number)
                .map(|o| count(&o["createdCount"]).max(1))
                .sum()
        })
    }

    async fn lines(&self, order_number: &str) -> Vec<(String, u64)> {
        let state = self.state(self.sims.ongoing.base_url()).await;
        let order = state["orders"].as_array().and_then(|orders| {
            orders
                .iter()
                .find(|o| o["orderNumber"] == order_number)
                .cloned()
        });
        order.map_or_else(Vec::new, |order| {
            order["lines"]
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .map(|l| {
                            let article = l["articleNumber"].as_str().unwrap_or_default();
                            (
                                article.to_owned(),
                                l["ordered"].as_f64().unwrap_or(0.0) as u64,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
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
