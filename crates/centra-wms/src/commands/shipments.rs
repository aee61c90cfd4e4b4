//! `shipments complete ID --capture true|false`: completes a Centra shipment by hand over
//! order-sync's `OrderAdmin.CompleteManually`. Capture is always explicit: taking money (or
//! not) must never be a default.

use anyhow::anyhow;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json};
use crate::cli::ShipmentsCommand;

const SERVICE: &str = "order-sync";
const RPC: &str = "OrderAdmin";

pub async fn run(remote: &RemoteArgs, command: ShipmentsCommand) -> Result<(), Failure> {
    let ShipmentsCommand::Complete {
        shipment_id,
        capture,
        endpoint,
        note,
    } = command;
    let target = Remote::connect(remote.config.as_deref())?;
    let endpoint = match endpoint {
        Some(name) => name,
        None => only_endpoint(&target)?,
    };
    let mut client = OrderAdminClient::new(target.channel(SERVICE)?);
    let answer = target
        .answer(
            SERVICE,
            RPC,
            client.complete_manually(pb::CompleteManuallyRequest {
                key: Some(pb::OrderKey {
                    endpoint: endpoint.clone(),
                    id: Some(pb::order_key::Id::ShipmentId(shipment_id.clone())),
                }),
                capture: Some(capture),
                note: note.unwrap_or_default(),
                ..Default::default()
            }),
        )
        .await?;
    let state = pb::OrderState::try_from(answer.state)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("ORDER_STATE_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| "unknown".to_owned());
    if remote.json {
        print_json(&json!({
            "endpoint": endpoint,
            "shipment_id": shipment_id,
            "capture": capture,
            "already_done": answer.already_done,
            "state": state,
        }));
    } else if answer.already_done {
        println!("shipment {shipment_id} on {endpoint} was already completed (state {state})");
    } else {
        let captured = if capture { "with" } else { "without" };
        println!(
            "completed shipment {shipment_id} on {endpoint} {captured} capture (state {state})"
        );
    }
    Ok(())
}

/// The end-point when only one is configured; several need `--endpoint`.
fn only_endpoint(target: &Remote) -> Result<String, Failure> {
    match target.config.settings.endpoints.as_slice() {
        [only] => Ok(only.name.to_string()),
        endpoints => Err(Failure::usage(anyhow!(
            "several centra end-points are configured ({}); name one with --endpoint",
            endpoints
                .iter()
                .map(|e| e.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
