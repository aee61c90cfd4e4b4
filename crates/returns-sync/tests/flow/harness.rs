//! `spawn_flow()`: the flow over a fresh SQLite store and the fakes, plus event builders.

use std::sync::Arc;

use domain::{CentraEndpoint, Settings};
use platform_store::{MessageId, Store, StoreOptions};
use proto::events::v1 as events;
use returns_sync::flow::{FlowError, ReturnFlow};
use returns_sync::records::{ReturnRecord, ReturnRecords};

use returns_sync::fakes::{FakeCentra, FakeWms};

pub struct TestFlow {
    pub flow: ReturnFlow,
    pub centra: Arc<FakeCentra>,
    pub wms: Arc<FakeWms>,
    pub store: Store,
    _dir: tempfile::TempDir,
}

/// Built from its serialized form, so new optional fields do not break the tests.
fn endpoint(json: &str) -> CentraEndpoint {
    serde_json::from_str(json).expect("end-point")
}

/// One end-point `shop1` with prefix `S`, returns on.
pub fn settings() -> Settings {
    let mut settings = Settings::new(
        vec![endpoint(
            r#"{"name": "shop1", "base_url": "https://shop1.centra.com/api/order-api", "secret": "s", "order_number_prefix": "S"}"#,
        )],
        chrono_tz::UTC,
    );
    settings.returns_to_centra = true;
    settings
}

pub async fn spawn_flow(settings: Settings) -> TestFlow {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/returns-sync.db?mode=rwc", dir.path().display());
    spawn_flow_on(settings, url, dir).await
}

/// The flow over the store at `url` (SQLite or PostgreSQL).
pub async fn spawn_flow_on(settings: Settings, url: String, dir: tempfile::TempDir) -> TestFlow {
    let store = Store::open(
        StoreOptions::new("returns-sync", url),
        &returns_sync::MIGRATIONS,
    )
    .await
    .expect("store");
    let centra = Arc::new(FakeCentra::default());
    let wms = Arc::new(FakeWms::default());
    // Shipment 1-1 of shop1 (WMS order S1-1): line L1 with 3 units, L2 with 1.
    centra.with(|c| {
        c.shipments.insert(
            "shop1/1-1".into(),
            [("L1".to_owned(), 3), ("L2".to_owned(), 1)].into(),
        );
    });
    let flow = ReturnFlow::new(
        Arc::new(settings),
        "main",
        ReturnRecords::new(store.clone()),
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
    pub async fn received(
        &self,
        message: &str,
        event: &events::WmsReturnReceived,
    ) -> Result<(), FlowError> {
        self.flow
            .on_return_received(&MessageId::new(message), event)
            .await
    }

    pub async fn record(&self, return_id: &str) -> ReturnRecord {
        self.flow
            .records()
            .find(return_id)
            .await
            .expect("find")
            .unwrap_or_else(|| panic!("no return {return_id}"))
    }

    pub fn centra_returns(&self) -> Vec<returns_sync::ports::NewCentraReturn> {
        self.centra.with(|c| c.returns.values().cloned().collect())
    }

    pub fn reported(&self, order_id: i64, line_id: i64) -> i64 {
        self.wms
            .with(|w| w.reported.get(&(order_id, line_id)).copied().unwrap_or(0))
    }
}

/// A returned item.
pub fn item(units: i64, code: &str, name: &str, at_seconds: i64) -> events::ReturnedItem {
    events::ReturnedItem {
        number_of_items: units,
        cause_code: code.into(),
        cause_name: name.into(),
        comment: String::new(),
        returned_at: Some(prost_types::Timestamp {
            seconds: at_seconds,
            nanos: 0,
        }),
    }
}

/// A returned line: (wms line id, centra line id, returned, reported, items).
pub fn line(
    wms_line: i64,
    external_id: &str,
    returned: i64,
    reported: i64,
    items: Vec<events::ReturnedItem>,
) -> events::ReturnedOrderLine {
    events::ReturnedOrderLine {
        line_id: wms_line,
        row_number: wms_line.to_string(),
        article_number: format!("ART-{wms_line}"),
        external_id: external_id.into(),
        returned_number_of_items: returned,
        reported_returned_number_of_items: reported,
        items,
    }
}

/// A return of WMS order `number` (id 100) with `lines`.
pub fn returned(
    return_id: &str,
    number: &str,
    lines: Vec<events::ReturnedOrderLine>,
) -> events::WmsReturnReceived {
    events::WmsReturnReceived {
        meta: None,
        warehouse: "main".into(),
        return_id: return_id.into(),
        order_id: 100,
        order_number: number.into(),
        return_order_id: 0,
        returned_at: Some(prost_types::Timestamp {
            seconds: 1_700_000_000,
            nanos: 0,
        }),
        lines,
    }
}
