//! The gRPC adapters over the real gateways: centra-sim and ongoing-sim, `CentraGateway` and
//! `OngoingGateway` in one embedded runtime, and `GrpcCentra` / `GrpcWms` on the runtime's
//! directory channels, as returns-sync builds them. Shipments are made through centra-sim's
//! control API (`/_sim/orders`) and completed through the gateway (order-sync's `GrpcCentra`),
//! as the warehouse's shipping would; WMS orders through the WMS gateway (order-sync's
//! `GrpcWms`), their lines read back from ongoing-sim's `/_sim/state`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use centra_wms_tests::e2e::{Sims, ean, size_row};
use centra_wms_tests::gateways::Gateways;
use centra_wms_tests::runtime::RunningApp;
use chrono::NaiveDate;
use domain::{Address, ArticleLine, ArticleNumber, EndpointName, LineId, ShipmentId};
use order_sync::ports::{CentraShipments, Completion, WmsOrder, WmsOrders};
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use returns_sync::ports::{CentraReturns, GrpcCentra, GrpcWms, WmsReturns};
use serde_json::{Value, json};

use crate::world::{CentraWorld, ENDPOINT, WAREHOUSE, WmsWorld};

/// Both simulators and both gateways; one per case.
pub struct GrpcWorld {
    sims: Sims,
    app: RunningApp,
    centra: GrpcCentra,
    shipments: order_sync::ports::GrpcCentra,
    wms: GrpcWms,
    orders: order_sync::ports::GrpcWms,
    /// Numbers the WMS orders.
    next_order: AtomicU64,
}

impl GrpcWorld {
    /// Starts everything and returns once both gateways answer.
    pub async fn start() -> Self {
        // The product the shipments' line sells (`P0-BL-0`).
        let Gateways { sims, app } =
            Gateways::start("returns_ports_contract", vec![size_row(0, 0)]).await;
        let channel = app.channel("centra-gateway");
        let wms_channel = app.channel("ongoing-gateway");
        Self {
            sims,
            centra: GrpcCentra::new(channel.clone()),
            shipments: order_sync::ports::GrpcCentra::new(channel),
            wms: GrpcWms::new(wms_channel.clone()),
            orders: order_sync::ports::GrpcWms::new(wms_channel),
            next_order: AtomicU64::new(0),
            app,
        }
    }

    /// The WMS order `order_id` in ongoing-sim's state.
    async fn wms_order(&self, order_id: i64) -> Value {
        let state = self
            .sims
            .get(format!("{}/_sim/state", self.sims.ongoing.base_url()))
            .await;
        state["orders"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["orderId"] == order_id).cloned())
            .unwrap_or_else(|| panic!("ongoing-sim has order {order_id}"))
    }
}

impl CentraWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn CentraReturns> {
        Arc::new(self.centra.clone())
    }

    async fn shipment(&self, units: i64) -> String {
        let created = self
            .sims
            .post(
                format!("{}/_sim/orders", self.sims.centra.url()),
                &json!({
                    "order": {
                        "paid": true, "shouldCapture": false, "captureFails": false,
                        "delivery": {"name": "Ada Lovelace", "address": "Storgatan 1",
                                     "zipcode": "11122", "city": "Stockholm", "country": "SE"},
                        "carrier": "DHL", "service": "Express",
                        "lines": [{"sku": "P0", "variantSku": "-BL", "sizeSku": "-0",
                                   "ean": ean(0), "qty": units, "price": "45.00"}]
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
        let shipment_id = ShipmentId::parse(&id).expect("a shipment id");
        let completed = self
            .shipments
            .complete(&Completion {
                idempotency_key: format!("complete {id}"),
                endpoint: EndpointName::parse(ENDPOINT).expect("endpoint"),
                order_id: shipment_id.order_id().to_string(),
                shipment_id,
                capture: false,
                carrier: "DHL".into(),
                service: "Express".into(),
                tracking_numbers: vec!["WB1".into()],
                packages: 1,
                internal_comment: "contract case".into(),
            })
            .await;
        assert_eq!(completed, Ok(false), "shipment {id} completed");
        id
    }

    async fn returns(&self, shipment_id: &str) -> usize {
        let state = self
            .sims
            .get(format!("{}/_sim/state", self.sims.centra.url()))
            .await;
        state["returns"].as_array().map_or(0, |returns| {
            returns
                .iter()
                .filter(|r| r["shipmentId"] == shipment_id)
                .count()
        })
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
        self.app.stop().await;
    }
}

impl WmsWorld for GrpcWorld {
    fn port(&self) -> Arc<dyn WmsReturns> {
        Arc::new(self.wms.clone())
    }

    async fn order(&self) -> (i64, i64) {
        let article = "CT-RET";
        let answer = WmsGatewayClient::new(self.app.channel("ongoing-gateway"))
            .upsert_articles(wms::UpsertArticlesRequest {
                idempotency_key: format!("articles {article}"),
                warehouse: WAREHOUSE.to_owned(),
                articles: vec![wms::Article {
                    article_number: article.to_owned(),
                    article_name: format!("Article {article}"),
                    is_active: true,
                    ..Default::default()
                }],
            })
            .await
            .expect("article upserted")
            .into_inner();
        for result in answer.results {
            assert!(result.error.is_empty(), "article {result:?}");
        }
        let number = format!("CT-RET-{}", self.next_order.fetch_add(1, Ordering::Relaxed));
        let order_id = self
            .orders
            .upsert_order(&WmsOrder {
                idempotency_key: format!("upsert {number}"),
                warehouse: WAREHOUSE.to_owned(),
                order_number: number.clone(),
                delivery_date: NaiveDate::from_ymd_opt(2030, 1, 15).expect("date"),
                consignee: Address {
                    name: "Ada Lovelace".into(),
                    address1: "Storgatan 1".into(),
                    zip_code: "11122".into(),
                    city: "Stockholm".into(),
                    country_code: "SE".into(),
                    ..Address::default()
                },
                transporter: None,
                lines: vec![ArticleLine {
                    row_number: 1,
                    line_id: LineId::new("1"),
                    article_number: ArticleNumber::from_wms(article).expect("article number"),
                    quantity: 2,
                }],
                centra_order_id: "1".into(),
                shop_order_id: "1-1".into(),
            })
            .await
            .expect("order sent");
        let line = self.wms_order(order_id).await["lines"][0]["id"]
            .as_i64()
            .expect("a line id");
        (order_id, line)
    }

    async fn reported_returned(&self, order_id: i64, line_id: i64) -> i64 {
        let order = self.wms_order(order_id).await;
        let line = order["lines"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["id"] == line_id).cloned())
            .unwrap_or_else(|| panic!("order {order_id} has line {line_id}"));
        line["reportedReturned"]
            .as_f64()
            .map_or(0, |units| units as i64)
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
        self.app.stop().await;
    }
}
