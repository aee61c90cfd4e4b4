//! The simulators' control API (`/_sim/…`, see shared/docs/simulators.md) as any outside
//! client reaches it: JSON over HTTP, no Rust types of the simulators.

use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::Value;

use super::warehouse::{ControlCall, Warehouse, WarehouseView};

/// How long one control call may take before the demo gives up on it (and tries next tick).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where both simulators' control APIs answer.
#[derive(Debug, Clone)]
pub struct ControlApi {
    http: reqwest::Client,
    /// `http://host:port` of the Centra simulator (control routes under `/_sim/`).
    centra: String,
    /// The WMS simulator (control routes under `/_sim/`).
    warehouse: Warehouse,
}

impl ControlApi {
    pub fn new(centra: String, warehouse: Warehouse) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .context("building the control api client")?;
        Ok(Self {
            http,
            centra,
            warehouse,
        })
    }

    /// `GET /_sim/state` of the Centra simulator.
    pub async fn centra_state(&self) -> anyhow::Result<Value> {
        self.get(format!("{}/_sim/state", self.centra)).await
    }

    /// The WMS simulator.
    pub fn warehouse(&self) -> &Warehouse {
        &self.warehouse
    }

    /// The WMS simulator's `GET /_sim/state`, read as a [`WarehouseView`].
    pub async fn warehouse_view(&self) -> anyhow::Result<WarehouseView> {
        let state = self
            .get(format!("{}/_sim/state", self.warehouse.url()))
            .await?;
        Ok(WarehouseView::read(&self.warehouse, &state))
    }

    /// `POST /_sim/<path>` on the Centra simulator.
    pub async fn centra(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.post(format!("{}/_sim/{path}", self.centra), body)
            .await
    }

    /// `POST /_sim/<path>` on the WMS simulator.
    pub async fn warehouse_control(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.post(format!("{}/_sim/{path}", self.warehouse.url()), body)
            .await
    }

    /// A call the [`Warehouse`] spelled for its simulator.
    pub async fn warehouse_does(&self, (path, body): ControlCall) -> anyhow::Result<Value> {
        self.warehouse_control(&path, &body).await
    }

    /// `POST url` with a JSON body; an answer other than 2xx is an error naming the call.
    pub async fn post(&self, url: String, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(&url)
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("POST {url}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, url: String) -> anyhow::Result<Value> {
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("GET {url}: {status}");
        }
        response
            .json()
            .await
            .with_context(|| format!("GET {url}: not json"))
    }
}

/// The items of the array `key` of a state document (empty when absent).
pub fn rows<'a>(state: &'a Value, key: &str) -> &'a [Value] {
    state[key].as_array().map_or(&[], Vec::as_slice)
}
