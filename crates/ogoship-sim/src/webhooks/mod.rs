//! Webhooks (ogoship-api.md §9, G1 `WebHook`/`WebHookResponse`):
//! `GET /api/v1/webhooks` (literal `null` with 200 when there are none), `POST` (create),
//! `GET`/`PUT`/`DELETE /api/v1/webhooks/{id}` (delete answers 204).
//!
//! A hook is `{url, key, type, customHeaders}`; `type` is `OrderShipped` (1) or
//! `ProductStockLevelChanged` (2), read as the name (case-insensitive) or the number, written
//! as the name. Besides the API-registered hooks, `POST /_sim/webhooks {"url","secret"}`
//! registers one catch-all hook for both types signed with `secret` (simulators.md).
//! Doc gap: the shape of `customHeaders` is undocumented; an object `{"Name": "value"}` or an
//! array of `{"key"|"name", "value"}` is accepted, echoed as sent and added to every delivery.
//! Doc gap: S3 hints at more callback models (501–505); only the two named types exist here.
//!
//! Layout: this file the model and the API calls; `sender.rs` signing and delivery.

pub(crate) mod sender;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::json_body;
use crate::state::{Event, Sim, Store};

/// The event a hook listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HookType {
    OrderShipped,
    ProductStockLevelChanged,
}

impl HookType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::OrderShipped => "OrderShipped",
            Self::ProductStockLevelChanged => "ProductStockLevelChanged",
        }
    }

    fn parse(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => match n.as_i64()? {
                1 => Some(Self::OrderShipped),
                2 => Some(Self::ProductStockLevelChanged),
                _ => None,
            },
            Value::String(s) => match s.trim() {
                "1" => Some(Self::OrderShipped),
                "2" => Some(Self::ProductStockLevelChanged),
                s if s.eq_ignore_ascii_case("OrderShipped") => Some(Self::OrderShipped),
                s if s.eq_ignore_ascii_case("ProductStockLevelChanged") => {
                    Some(Self::ProductStockLevelChanged)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The type an event is delivered to.
    pub(crate) fn of(event: &Event) -> Self {
        match event {
            Event::OrderShipped { .. } => Self::OrderShipped,
            Event::StockLevelChanged { .. } => Self::ProductStockLevelChanged,
        }
    }
}

/// A hook registered through the API.
#[derive(Debug, Clone)]
pub(crate) struct WebHook {
    pub id: Uuid,
    pub url: String,
    pub key: String,
    pub hook_type: HookType,
    pub custom_headers: Value,
}

impl WebHook {
    /// Header name/value pairs from `customHeaders` (see the module docs).
    pub(crate) fn headers(&self) -> Vec<(String, String)> {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match &self.custom_headers {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(|item| {
                    let name = item.get("key").or_else(|| item.get("name"))?.as_str()?;
                    Some((name.to_owned(), text(item.get("value")?)))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The catch-all hook of `POST /_sim/webhooks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ControlHook {
    pub url: String,
    pub secret: String,
}

/// `WebHookResponse`.
fn response(hook: &WebHook) -> Value {
    json!({
        "id": hook.id.to_string(),
        "url": hook.url,
        "key": hook.key,
        "type": hook.hook_type.as_str(),
        "customHeaders": hook.custom_headers,
    })
}

/// Reads a `WebHook` body: `url` (absolute http(s)), `key` and `type` required.
fn read_hook(body: &[u8], id: Uuid) -> Result<WebHook, ApiError> {
    let value: Value = json_body(body)?;
    let text = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| ApiError::bad_request(format!("The {name} field is required.")))
    };
    let url = text("url")?;
    if !reqwest::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        return Err(ApiError::bad_request(format!(
            "'{url}' is not an http(s) URL."
        )));
    }
    let key = text("key")?;
    let raw_type = value.get("type").cloned().unwrap_or(Value::Null);
    let hook_type = HookType::parse(&raw_type).ok_or_else(|| {
        ApiError::bad_request(format!(
            "type must be OrderShipped (1) or ProductStockLevelChanged (2), got {raw_type}."
        ))
    })?;
    Ok(WebHook {
        id,
        url,
        key,
        hook_type,
        custom_headers: value.get("customHeaders").cloned().unwrap_or(Value::Null),
    })
}

fn find(store: &Store, id: &str) -> Result<usize, ApiError> {
    Uuid::parse_str(id)
        .ok()
        .and_then(|id| store.webhooks.iter().position(|h| h.id == id))
        .ok_or_else(|| ApiError::not_found(format!("Webhook '{id}' was not found.")))
}

/// `GET /api/v1/webhooks`: `null` when there are none (§9 quirk), else an array.
pub(crate) async fn list(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    if store.webhooks.is_empty() {
        return Json(Value::Null);
    }
    Json(Value::Array(store.webhooks.iter().map(response).collect()))
}

/// `POST /api/v1/webhooks`.
pub(crate) async fn create(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let hook = read_hook(&body, Uuid::new_v4())?;
    sim.mutate(|store, _, _| {
        let answer = response(&hook);
        store.webhooks.push(hook);
        Ok(Json(answer))
    })
}

/// `GET /api/v1/webhooks/{id}`.
pub(crate) async fn get_one(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = sim.store();
    let index = find(&store, &id)?;
    Ok(Json(response(&store.webhooks[index])))
}

/// `PUT /api/v1/webhooks/{id}`: replaces the hook.
pub(crate) async fn update(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    sim.mutate(|store, _, _| {
        let index = find(store, &id)?;
        let hook = read_hook(&body, store.webhooks[index].id)?;
        let answer = response(&hook);
        store.webhooks[index] = hook;
        Ok(Json(answer))
    })
}

/// `DELETE /api/v1/webhooks/{id}`: 204.
pub(crate) async fn delete(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    sim.mutate(|store, _, _| {
        let index = find(store, &id)?;
        store.webhooks.remove(index);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}
