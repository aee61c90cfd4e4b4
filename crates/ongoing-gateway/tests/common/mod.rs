//! `spawn_app()`: an Ongoing simulator on 127.0.0.1:0, a gateway wired to it and a temporary
//! SQLite store, plus helpers to drive the simulator's control API and read the outbox.
#![allow(dead_code)]

use std::time::Duration;

use domain::Secret;
use domain::settings::WmsStatusMapping;
use ongoing_gateway::client::{ClientSettings, OngoingClient, RetryPolicy};
use ongoing_gateway::settings::Flows;
use ongoing_gateway::{Gateway, GatewaySettings, MIGRATIONS, NAME};
use ongoing_sim::{OngoingSim, RunningSim};
use platform_store::{DeadLetter, DeadLetterFilter, Store, StoreOptions};
use prost::Message;
use proto::wms::v1::{Consignee, OrderLine, UpsertOrderRequest};
use serde_json::{Value, json};
use sqlx::Row;

pub const WEBHOOK_TOKEN: &str = "hook-secret";

pub struct TestApp {
    pub sim: RunningSim,
    pub store: Store,
    pub gateway: Gateway,
    pub settings: GatewaySettings,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub fn settings_for(sim: &RunningSim) -> GatewaySettings {
    GatewaySettings {
        warehouse: "sandbox".to_owned(),
        client: ClientSettings {
            base_url: sim.base_url(),
            warehouse: "sandbox".to_owned(),
            user: "sandbox".to_owned(),
            password: Secret::new("sandbox"),
            goods_owner_id: 1,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::quick(),
            page_size: 1000,
        },
        statuses: WmsStatusMapping::default(),
        poll_interval: Duration::from_secs(3600),
        cursor_overlap: Duration::from_secs(600),
        webhook_token: Some(Secret::new(WEBHOOK_TOKEN)),
        webhook_header: "X-Auth-Token".to_owned(),
        flows: Flows::all(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut GatewaySettings)) -> TestApp {
    let sim = OngoingSim::builder()
        .build()
        .spawn("127.0.0.1:0")
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}/ongoing-gateway.db?mode=rwc",
        dir.path().display()
    );
    let store = Store::open(StoreOptions::new(NAME, url), &MIGRATIONS)
        .await
        .expect("store opens");
    let mut settings = settings_for(&sim);
    change(&mut settings);
    let gateway = Gateway::new(settings.clone(), store.clone()).expect("gateway");
    TestApp {
        sim,
        store,
        gateway,
        settings,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl TestApp {
    /// A separate client of the same goods owner (shares the process-wide lane).
    pub fn client_with(&self, change: impl FnOnce(&mut ClientSettings)) -> OngoingClient {
        let mut settings = self.settings.client.clone();
        change(&mut settings);
        OngoingClient::new(settings).expect("client")
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/_sim/{path}", self.sim.base_url()))
            .json(&body)
            .send()
            .await
            .expect("control call");
        let status = response.status();
        let value: Value = response.json().await.expect("control json");
        assert!(
            status.is_success(),
            "control {path} failed: {status} {value}"
        );
        value
    }

    pub async fn faults(&self, faults: Value) {
        self.control("faults", faults).await;
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(format!("{}/_sim/state", self.sim.base_url()))
            .send()
            .await
            .expect("state")
            .json()
            .await
            .expect("state json")
    }

    pub async fn requests(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/_sim/requests?since=0", self.sim.base_url()))
            .send()
            .await
            .expect("requests")
            .json()
            .await
            .expect("requests json")
    }

    /// The simulator's record of `order_number`.
    /// The calls the gateway kept under `record`, oldest first (`ExternalCalls`).
    pub async fn kept_calls(&self, record: &str) -> Vec<proto::admin::v1::ExternalCall> {
        use proto::admin::v1::CallsOfRecordsRequest;
        use proto::admin::v1::external_calls_server::ExternalCalls as _;
        platform_runtime::ExternalCallsService::new(self.gateway.calls())
            .calls_of_records(tonic::Request::new(CallsOfRecordsRequest {
                records: vec![record.to_owned()],
            }))
            .await
            .expect("answered")
            .into_inner()
            .calls
    }

    pub async fn sim_order(&self, order_number: &str) -> Value {
        let state = self.state().await;
        state["orders"]
            .as_array()
            .and_then(|orders| {
                orders
                    .iter()
                    .find(|o| o["orderNumber"] == order_number)
                    .cloned()
            })
            .unwrap_or_else(|| panic!("order {order_number} not in {state}"))
    }

    /// Upserts articles straight through the REST API (test setup).
    pub async fn seed_articles(&self, numbers: &[&str]) {
        for number in numbers {
            let response = self
                .http
                .put(format!("{}/articles", self.sim.api_url()))
                .basic_auth("sandbox", Some("sandbox"))
                .json(&json!({"goodsOwnerId": 1, "articleNumber": number, "articleName": number}))
                .send()
                .await
                .expect("seed article");
            assert!(response.status().is_success(), "seeding {number}");
        }
    }

    pub async fn set_stock(&self, article: &str, physical: i64) {
        self.control(
            "stock",
            json!({"articleNumber": article, "physical": physical}),
        )
        .await;
    }

    /// Every outbox row as (id, subject, payload), in publish order.
    pub async fn outbox(&self) -> Vec<(String, String, Vec<u8>)> {
        sqlx::query("SELECT message_id, subject, payload FROM outbox ORDER BY seq")
            .fetch_all(self.store.pool())
            .await
            .expect("outbox")
            .iter()
            .map(|row| {
                (
                    row.try_get("message_id").expect("id"),
                    row.try_get("subject").expect("subject"),
                    row.try_get("payload").expect("payload"),
                )
            })
            .collect()
    }

    /// The decoded events on `subject`.
    pub async fn events<M: Message + Default>(&self, subject: &str) -> Vec<(String, M)> {
        self.outbox()
            .await
            .into_iter()
            .filter(|(_, s, _)| s == subject)
            .map(|(id, _, payload)| (id, M::decode(payload.as_slice()).expect("decodes")))
            .collect()
    }

    pub async fn dead_letters(&self) -> Vec<DeadLetter> {
        self.store
            .dead_letters()
            .list(&DeadLetterFilter::default())
            .await
            .expect("dead letters")
    }
}

pub fn consignee() -> Consignee {
    Consignee {
        customer_number: "C1".into(),
        name: "Ada Lovelace".into(),
        address1: "Main street 1".into(),
        post_code: "11122".into(),
        city: "Stockholm".into(),
        country_code: "SE".into(),
        email: "ada@example.com".into(),
        ..Consignee::default()
    }
}

/// An order request with one line per `(article, quantity)`.
pub fn order_request(order_number: &str, lines: &[(&str, i64)]) -> UpsertOrderRequest {
    UpsertOrderRequest {
        idempotency_key: format!("key-{order_number}"),
        warehouse: "sandbox".into(),
        order_number: order_number.into(),
        delivery_date: "2026-12-01".into(),
        consignee: Some(consignee()),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (article, quantity))| OrderLine {
                row_number: (i + 1).to_string(),
                article_number: (*article).to_owned(),
                number_of_items: *quantity,
                external_id: format!("centra-line-{}", i + 1),
                ..OrderLine::default()
            })
            .collect(),
        ..UpsertOrderRequest::default()
    }
}
