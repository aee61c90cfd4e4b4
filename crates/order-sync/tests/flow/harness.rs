//! `spawn_flow()`: the flow over a fresh SQLite store and the fakes, plus event builders.

use std::sync::Arc;

use domain::{CentraEndpoint, Settings};
use order_sync::fakes::{FakeCentra, FakeWms};
use order_sync::flow::{FlowError, OrderFlow};
use order_sync::records::{ShipmentRecord, ShipmentRecords};
use platform_store::{MessageId, Store, StoreOptions};
use proto::events::v1 as events;

pub struct TestFlow {
    pub flow: OrderFlow,
    pub centra: Arc<FakeCentra>,
    pub wms: Arc<FakeWms>,
    pub store: Store,
    _dir: tempfile::TempDir,
}

/// Built from its serialized form, so new optional fields do not break the tests.
fn endpoint(json: &str) -> CentraEndpoint {
    serde_json::from_str(json).expect("end-point")
}

pub fn settings() -> Settings {
    Settings::new(
        vec![endpoint(
            r#"{"name": "shop1", "base_url": "https://shop1.centra.com/api/order-api", "secret": "s", "order_number_prefix": "S"}"#,
        )],
        chrono_tz::UTC,
    )
}

pub async fn spawn_flow(settings: Settings) -> TestFlow {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/order-sync.db?mode=rwc", dir.path().display());
    spawn_flow_on(settings, url, dir).await
}

/// The flow over the store at `url` (SQLite or PostgreSQL).
pub async fn spawn_flow_on(settings: Settings, url: String, dir: tempfile::TempDir) -> TestFlow {
    let store = Store::open(
        StoreOptions::new("order-sync", url),
        &order_sync::MIGRATIONS,
    )
    .await
    .expect("store");
    let centra = Arc::new(FakeCentra::default());
    let wms = Arc::new(FakeWms::default());
    let flow = OrderFlow::new(
        Arc::new(settings),
        "main",
        ShipmentRecords::new(store.clone()),
        centra.clone(),
        wms.clone(),
    );
    TestFlow {
        flow,
        centra,
        wms,
        store,
        _dir: dir,
    }
}

impl TestFlow {
    pub async fn good_to_go(
        &self,
        id: &str,
        event: &events::ShipmentGoodToGo,
    ) -> Result<(), FlowError> {
        // Centra knows the shipment it announced: the fake answers only shipments it holds.
        if let Ok(shipment) = order_sync::convert::shipment_from_event(event) {
            self.centra.with(|c| {
                c.shipments
                    .entry(shipment.id.to_string())
                    .or_insert(shipment);
            });
        }
        self.flow.on_good_to_go(&MessageId::new(id), event).await
    }

    pub async fn shipped(
        &self,
        id: &str,
        event: &events::WmsOrderShipped,
    ) -> Result<(), FlowError> {
        self.flow.on_shipped(&MessageId::new(id), event).await
    }

    pub async fn record(&self, shipment_id: &str) -> ShipmentRecord {
        self.flow
            .records()
            .find("shop1", shipment_id)
            .await
            .expect("query")
            .expect("record")
    }

    pub fn completions(&self) -> usize {
        self.centra.with(|s| s.completions.len())
    }
}

pub fn line(id: &str, size: &str, quantity: i64) -> events::ProductLine {
    events::ProductLine {
        line_id: id.into(),
        sku: "A".into(),
        variant_sku: "B".into(),
        size_sku: size.into(),
        quantity,
        ..events::ProductLine::default()
    }
}

pub fn good_to_go(shipment_id: &str) -> events::ShipmentGoodToGo {
    events::ShipmentGoodToGo {
        endpoint: "shop1".into(),
        shipment_id: shipment_id.into(),
        order_id: shipment_id.split('-').next().unwrap_or_default().into(),
        paid: true,
        delivery_address: Some(events::Address {
            name: "Ada Lovelace".into(),
            address_line1: "Storgatan 1".into(),
            zip_code: "11122".into(),
            city: "Stockholm".into(),
            country_code: "SE".into(),
            email: "ada@example.com".into(),
            ..events::Address::default()
        }),
        shipping_method: Some(events::ShippingMethod {
            carrier: "DHL".into(),
            ..events::ShippingMethod::default()
        }),
        lines: vec![line("11", "C", 2), line("12", "D", 1)],
        ..events::ShipmentGoodToGo::default()
    }
}

/// Picked quantities per line, `(external id, ordered, picked)`, with a waybill.
pub fn shipped(order_number: &str, lines: &[(&str, i64, i64)]) -> events::WmsOrderShipped {
    events::WmsOrderShipped {
        warehouse: "main".into(),
        order_id: 1001,
        order_number: order_number.into(),
        status_code: 450,
        transporter: Some(events::Transporter {
            transporter_code: "DHL".into(),
            service_code: "EXP".into(),
        }),
        tracking: vec![events::Tracking {
            number: "WB123".into(),
            url: "https://track/WB123".into(),
            is_return: false,
        }],
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (external, ordered, picked))| events::ShippedLine {
                line_id: 500 + i64::try_from(i).unwrap_or(0),
                row_number: (i + 1).to_string(),
                external_id: (*external).into(),
                ordered_number_of_items: *ordered,
                picked_number_of_items: *picked,
                ..events::ShippedLine::default()
            })
            .collect(),
        ..events::WmsOrderShipped::default()
    }
}
