//! `POST /_sim/supplier-deliveries`: announces a delivery on a supplier order.
//! `{"orderId"?, "supplierName", "lines": [{"ean","sku","variantSku","sizeSku","quantity"}]}`
//! answers `{"id", "deliveryId"}` (strings, like the Order API prints them).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{read, refuse};
use crate::api::lenient::{Count, Decimal, Text};
use crate::app::SharedSim;
use crate::state::rules::seeding::{DeliveryDraft, DeliveryLineDraft};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    order_id: Option<Count>,
    supplier_name: Option<String>,
    supplier_country: Option<String>,
    message: Option<String>,
    created: Option<String>,
    #[serde(rename = "ETD")]
    etd: Option<String>,
    #[serde(rename = "ETA")]
    eta: Option<String>,
    lines: Vec<SimDeliveryLine>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SimDeliveryLine {
    ean: Option<Text>,
    sku: Option<Text>,
    variant_sku: Option<Text>,
    size_sku: Option<Text>,
    quantity: Count,
    cost: Option<Decimal>,
    cost_currency: Option<String>,
}

pub async fn announce(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: Body = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let draft = match draft(&sim, body) {
        Ok(d) => d,
        Err(message) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    match sim.mutate(|store, now| store.add_delivery(draft, now)) {
        Ok((id, number)) => {
            Json(json!({ "id": id.to_string(), "deliveryId": number })).into_response()
        }
        Err(err) => refuse(StatusCode::UNPROCESSABLE_ENTITY, err.0),
    }
}

fn draft(sim: &SharedSim, body: Body) -> Result<DeliveryDraft, String> {
    let date = |raw: Option<String>, field: &str| {
        raw.map(|r| sim.clock.parse(&r).map_err(|err| format!("{field}: {err}")))
            .transpose()
    };
    let supplier_order_id = body
        .order_id
        .map(|Count(n)| {
            u64::try_from(n)
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("orderId: must be a positive number, got {n}"))
        })
        .transpose()?;
    let text = |t: Option<Text>| t.map(|t| t.0).unwrap_or_default();
    Ok(DeliveryDraft {
        supplier_order_id,
        supplier_name: body.supplier_name.unwrap_or_else(|| "Supplier".into()),
        supplier_country: body.supplier_country.unwrap_or_else(|| "SE".into()),
        message: body.message.unwrap_or_default(),
        created: date(body.created, "created")?,
        etd: date(body.etd, "ETD")?,
        eta: date(body.eta, "ETA")?,
        lines: body
            .lines
            .into_iter()
            .map(|l| DeliveryLineDraft {
                ean: text(l.ean),
                sku: text(l.sku),
                variant_sku: text(l.variant_sku),
                size_sku: text(l.size_sku),
                quantity: l.quantity.0,
                cost: l.cost.map_or(0.0, |d| d.0),
                cost_currency: l.cost_currency.unwrap_or_else(|| "EUR".into()),
            })
            .collect(),
    })
}
