//! `POST /_sim/shipments/{shipmentId}/good-to-go`: what a person does in Centra's admin when
//! they release a shipment to the warehouse or take it back (`{"goodToGo": false}`), e.g.
//! because the customer cancelled. Answers the shipment's state row.
//!
//! A completed shipment cannot change (409); an unknown one is 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{read, refuse};
use crate::api::lenient::Flag;
use crate::app::SharedSim;
use crate::state::Change;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    good_to_go: Flag,
}

pub async fn set_good_to_go(
    State(sim): State<SharedSim>,
    Path(number): Path<String>,
    body: Bytes,
) -> Response {
    let body: Body = match read(&body) {
        Ok(b) => b,
        Err(refusal) => return refusal.into_response(),
    };
    let good_to_go = body.good_to_go.0;
    let changed = sim.mutate(|store, _now| {
        let Some(id) = store.shipment_by_number(&number).map(|s| s.id) else {
            return Err((StatusCode::NOT_FOUND, format!("no shipment {number}")));
        };
        let shipment = store.shipments.get_mut(&id).expect("found above");
        if shipment.is_completed() {
            return Err((
                StatusCode::CONFLICT,
                format!("shipment {number} is completed and cannot change"),
            ));
        }
        let was = std::mem::replace(&mut shipment.good_to_go, good_to_go);
        if was != good_to_go {
            store.record(Change::ShipmentUpdated { shipment_id: id });
            if good_to_go {
                store.record(Change::ShipmentGoodToGo { shipment_id: id });
            }
        }
        Ok(())
    });
    match changed {
        Ok(()) => Json(json!({ "shipmentId": number, "goodToGo": good_to_go })).into_response(),
        Err((status, message)) => refuse(status, message),
    }
}
