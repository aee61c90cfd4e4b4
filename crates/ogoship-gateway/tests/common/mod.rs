//! `spawn_app()`: an OGOship simulator on 127.0.0.1:0, a gateway wired to it over real HTTP and
//! a temporary SQLite store, plus helpers to drive the simulator's control API and read the
//! outbox.
#![allow(dead_code)]

use std::time::Duration;

use domain::Secret;
use ogoship_gateway::client::{ClientSettings, OgoshipClient, RetryPolicy, SCOPES};
use ogoship_gateway::{Gateway, GatewaySettings, MIGRATIONS, NAME};
use ogoship_sim::{OgoshipSim, RunningSim};
use platform_store::{Store, StoreOptions};
use prost::Message;
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use proto::wms::v1::{Article, Consignee, OrderLine, UpsertArticlesRequest, UpsertOrderRequest};
use serde_json::{Value, json};
use sqlx::Row;
use tonic::Request;

pub struct TestApp {
    pub sim: RunningSim,
    pub store: Store,
    pub gateway: Gateway,
    pub settings: GatewaySettings,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub fn client_settings(sim: &RunningSim) -> ClientSettings {
    ClientSettings {
        api_url: sim.api_url(),
        token_url: sim.token_url(),
        warehouse: "main".to_owned(),
        client_id: "123456".to_owned(),
        client_secret: Secret::new("abcdef"),
        merchant_id: "sandbox-merchant".to_owned(),
        merchant_secret: Secret::new("sandbox-secret"),
        scope: SCOPES.to_owned(),
        timeout: Duration::from_secs(10),
        retry: RetryPolicy::quick(),
        page_size: 250,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut GatewaySettings)) -> TestApp {
    let sim = OgoshipSim::builder()
        .build()
        .spawn("127.0.0.1:0")
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}/ogoship-gateway.db?mode=rwc",
        dir.path().display()
    );
    let store = Store::open(StoreOptions::new(NAME, url), &MIGRATIONS)
        .await
        .expect("store opens");
    let mut settings = GatewaySettings::new("main", client_settings(&sim));
    settings.poll_interval = Duration::from_secs(3600);
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
    /// Another client over the same store (a restarted process).
    pub fn client_with(&self, change: impl FnOnce(&mut ClientSettings)) -> OgoshipClient {
        let mut settings = self.settings.client.clone();
        change(&mut settings);
        OgoshipClient::new(settings, self.store.clone()).expect("client")
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

    /// Every API call the simulator saw, oldest first.
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

    /// The grant types of the token calls so far, in order.
    pub async fn grants(&self) -> Vec<String> {
        self.requests()
            .await
            .iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case("/OAuth/Token"))
            })
            .map(|r| {
                r["body"]["grant_type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// Creates products through the gateway (with a country, as stock updates need).
    pub async fn seed_products(&self, codes: &[&str]) {
        let articles = codes
            .iter()
            .map(|c| Article {
                article_number: (*c).to_owned(),
                article_name: format!("name of {c}"),
                country_of_origin: "FI".into(),
                ..Article::default()
            })
            .collect();
        let answer = self
            .gateway
            .commands()
            .upsert_articles(Request::new(UpsertArticlesRequest {
                idempotency_key: "seed".into(),
                warehouse: "main".into(),
                articles,
            }))
            .await
            .expect("seeded")
            .into_inner();
        assert!(
            answer.results.iter().all(|r| r.error.is_empty()),
            "{answer:?}"
        );
    }

    pub async fn set_stock(&self, code: &str, stock: i64) {
        self.control("stock", json!({"productCode": code, "stock": stock}))
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
}

pub fn consignee() -> Consignee {
    Consignee {
        name: "Ada Lovelace".into(),
        address1: "Main street 1".into(),
        post_code: "00100".into(),
        city: "Helsinki".into(),
        country_code: "FI".into(),
        email: "ada@example.com".into(),
        mobile_phone: "+358401234567".into(),
        ..Consignee::default()
    }
}

/// An order request with one line per `(article, quantity)`, shipped with `POSTI`.
pub fn order_request(order_number: &str, lines: &[(&str, i64)]) -> UpsertOrderRequest {
    UpsertOrderRequest {
        idempotency_key: format!("key-{order_number}"),
        warehouse: "main".into(),
        order_number: order_number.into(),
        delivery_date: "2026-12-01".into(),
        consignee: Some(consignee()),
        transporter: Some(proto::wms::v1::TransporterChoice {
            transporter_code: "POSTI".into(),
            transporter_service_code: String::new(),
        }),
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
