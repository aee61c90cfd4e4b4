//! Money and shipping: `PUT /capture` (REF/110) and `PUT /shipment` (REF/109, singular).
//! Both answer `{"status", "order": <int>, "shipment": "<order>-<n>"}`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::envelope::{no, ok, parse_body};
use super::lenient::{Count, Flag, Text};
use crate::app::SharedSim;
use crate::state::rules::shipping::{Completion, ShipmentRefusal};

#[derive(Debug, Deserialize)]
struct CaptureBody {
    shipment: Option<Text>,
}

/// `PUT /capture {"shipment": "83651-1"}`.
pub async fn capture(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: CaptureBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(Text(shipment)) = body.shipment else {
        // [I] wording not documented.
        return no("shipment is required", Value::Null);
    };
    let outcome = sim.mutate(|store, _now| store.capture(&shipment));
    answer(outcome, &shipment)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompleteBody {
    order: Option<Text>,
    shipment: Option<Text>,
    capture: Option<Flag>,
    gtg: Option<Flag>,
    shipped: Option<Flag>,
    carrier: Option<Text>,
    service: Option<Text>,
    packages: Option<Count>,
    tracking: Option<Text>,
    return_slip_tracking: Option<Text>,
    #[allow(dead_code)]
    send_email: Option<Flag>,
    internal_comment: Option<Text>,
}

/// `PUT /shipment` ([I] REF/109's heading says `POST`, its example `PUT`; both are served).
pub async fn complete(State(sim): State<SharedSim>, body: Bytes) -> Response {
    let body: CompleteBody = match parse_body(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let (Some(Text(order)), Some(Text(shipment))) = (body.order, body.shipment) else {
        // [I] Both are required (REF/109); wording not documented.
        return no("order and shipment are required", Value::Null);
    };
    let request = Completion {
        order,
        shipment: shipment.clone(),
        // REF/109: "capture ... Default: true".
        capture: body.capture.is_none_or(|f| f.0),
        gtg: body.gtg.map(|f| f.0),
        shipped: body.shipped.map(|f| f.0),
        carrier: body.carrier.map(|t| t.0),
        service: body.service.map(|t| t.0),
        packages: body.packages.map(|c| c.0),
        tracking: body.tracking.map(|t| t.0),
        return_slip_tracking: body.return_slip_tracking.map(|t| t.0),
        internal_comment: body.internal_comment.map(|t| t.0),
        shipped_at: None,
    };
    let outcome = sim.mutate(|store, now| store.complete(&request, now));
    answer(outcome, &shipment)
}

fn answer(outcome: Result<(u64, String), ShipmentRefusal>, shipment: &str) -> Response {
    match outcome {
        Ok((order, number)) => ok(json!({ "order": order, "shipment": number })),
        Err(ShipmentRefusal { refusal, order_id }) => {
            let mut ids = json!({ "shipment": shipment });
            if let Some(order) = order_id {
                ids["order"] = json!(order);
            }
            no(refusal.msg, ids)
        }
    }
}
