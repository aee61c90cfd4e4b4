//! `shipments list|retry|discard|complete` over order-sync's `OrderAdmin`:
//!
//! ```text
//! list [--state S] [--endpoint E]   ListByState, every page
//! retry ID [--endpoint E]           Retry: the next step of a parked, failed or discarded
//!                                   shipment again
//! discard ID --reason R [--by WHO]  Discard: a parked or failed shipment set aside for good
//! complete ID --capture true|false  CompleteManually; capture is always explicit: taking
//!                                   money (or not) must never be a default
//! ```

use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use serde_json::json;

use super::remote::{Remote, RemoteArgs, print_json};
use super::{Failure, OperatorAction};
use crate::cli::{ShipmentStateArg, ShipmentsCommand};

const SERVICE: &str = "order-sync";
const RPC: &str = "OrderAdmin";

pub async fn run(remote: &RemoteArgs, command: ShipmentsCommand) -> Result<(), Failure> {
    match command {
        ShipmentsCommand::List { state, endpoint } => list(remote, state, endpoint).await,
        ShipmentsCommand::Retry {
            shipment_id,
            endpoint,
        } => act(remote, shipment_id, endpoint, OperatorAction::Retry).await,
        ShipmentsCommand::Discard {
            shipment_id,
            reason,
            by,
            endpoint,
        } => {
            let action = OperatorAction::Discard { reason, by };
            act(remote, shipment_id, endpoint, action).await
        }
        ShipmentsCommand::Complete {
            shipment_id,
            capture,
            endpoint,
            note,
        } => complete(remote, shipment_id, capture, endpoint, note).await,
    }
}

/// The `OrderKey` of Centra shipment `shipment_id` on `endpoint`.
pub(super) fn shipment_key(endpoint: &str, shipment_id: &str) -> Option<pb::OrderKey> {
    Some(pb::OrderKey {
        endpoint: endpoint.to_owned(),
        id: Some(pb::order_key::Id::ShipmentId(shipment_id.to_owned())),
    })
}

/// An `OrderState` as the CLI prints it (`parked`, `sent_to_warehouse`, ...).
pub(super) fn state_name(state: i32) -> String {
    pb::OrderState::try_from(state)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("ORDER_STATE_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn wanted_state(state: Option<ShipmentStateArg>) -> pb::OrderState {
    match state {
        None => pb::OrderState::Unspecified,
        Some(ShipmentStateArg::AwaitingCapture) => pb::OrderState::AwaitingCapture,
        Some(ShipmentStateArg::SentToWarehouse) => pb::OrderState::SentToWarehouse,
        Some(ShipmentStateArg::Shipped) => pb::OrderState::Shipped,
        Some(ShipmentStateArg::Completed) => pb::OrderState::Completed,
        Some(ShipmentStateArg::Cancelled) => pb::OrderState::Cancelled,
        Some(ShipmentStateArg::Parked) => pb::OrderState::Parked,
        Some(ShipmentStateArg::Discarded) => pb::OrderState::Discarded,
    }
}

async fn list(
    remote: &RemoteArgs,
    state: Option<ShipmentStateArg>,
    endpoint: Option<String>,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = OrderAdminClient::new(target.channel(SERVICE)?);
    let mut orders = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = target
            .answer(
                SERVICE,
                RPC,
                client.list_by_state(pb::ListOrdersByStateRequest {
                    state: wanted_state(state) as i32,
                    endpoint: endpoint.clone().unwrap_or_default(),
                    page_size: 500,
                    page_token: page_token.clone(),
                }),
            )
            .await?;
        orders.extend(page.orders);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    if remote.json {
        let rows: Vec<_> = orders
            .iter()
            .map(|o| {
                json!({
                    "endpoint": o.endpoint,
                    "shipment_id": o.shipment_id,
                    "order_id": o.order_id,
                    "wms_order_number": o.wms_order_number,
                    "state": state_name(o.state),
                    "last_error": o.last_error,
                })
            })
            .collect();
        print_json(&json!(rows));
        return Ok(());
    }
    if orders.is_empty() {
        println!("no shipments");
        return Ok(());
    }
    for o in &orders {
        let id = if o.shipment_id.is_empty() {
            format!("order {}", o.order_id)
        } else {
            o.shipment_id.clone()
        };
        let reason = if o.last_error.is_empty() {
            String::new()
        } else {
            format!("  {}", o.last_error)
        };
        println!(
            "{:<8} {:<14} {:<18} wms {}{reason}",
            o.endpoint,
            id,
            state_name(o.state),
            o.wms_order_number
        );
    }
    Ok(())
}

/// `retry` or `discard` of one shipment: the service's answer printed the same way for both
/// (`retried shipment S on E: now parked`, `discarded shipment S on E (reason): now
/// discarded`).
async fn act(
    remote: &RemoteArgs,
    shipment_id: String,
    endpoint: Option<String>,
    action: OperatorAction,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let endpoint = target.endpoint_or_only(endpoint)?;
    let mut client = OrderAdminClient::new(target.channel(SERVICE)?);
    let key = shipment_key(&endpoint, &shipment_id);
    let done = action.done();
    let (state, why) = match action {
        OperatorAction::Retry => {
            let answer = target
                .answer(SERVICE, RPC, client.retry(pb::RetryOrderRequest { key }))
                .await?;
            (answer.state, String::new())
        }
        OperatorAction::Discard { reason, by } => {
            let why = format!(" ({reason})");
            let answer = target
                .answer(
                    SERVICE,
                    RPC,
                    client.discard(pb::DiscardOrderRequest { key, reason, by }),
                )
                .await?;
            (answer.state, why)
        }
    };
    let state = state_name(state);
    if remote.json {
        print_json(&json!({
            "endpoint": endpoint,
            "shipment_id": shipment_id,
            "state": state,
        }));
    } else {
        println!("{done} shipment {shipment_id} on {endpoint}{why}: now {state}");
    }
    Ok(())
}

async fn complete(
    remote: &RemoteArgs,
    shipment_id: String,
    capture: bool,
    endpoint: Option<String>,
    note: Option<String>,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let endpoint = target.endpoint_or_only(endpoint)?;
    let mut client = OrderAdminClient::new(target.channel(SERVICE)?);
    let answer = target
        .answer(
            SERVICE,
            RPC,
            client.complete_manually(pb::CompleteManuallyRequest {
                key: shipment_key(&endpoint, &shipment_id),
                capture: Some(capture),
                note: note.unwrap_or_default(),
                ..Default::default()
            }),
        )
        .await?;
    let state = state_name(answer.state);
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
