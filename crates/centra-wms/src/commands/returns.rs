//! `returns list|retry|discard` over returns-sync's `ReturnsAdmin`:
//!
//! ```text
//! list [--state S] [--order NUMBER]   ListReturns, every page: state, Centra return, reason
//! retry RETURN_ID                     RetryReturn: a parked return again, once its cause is fixed
//! discard RETURN_ID --reason R        DiscardReturn: a parked return set aside for good
//! ```

use proto::admin::v1 as pb;
use proto::admin::v1::returns_admin_client::ReturnsAdminClient;
use serde_json::json;

use super::remote::{Remote, RemoteArgs, print_json};
use super::{Failure, OperatorAction};
use crate::cli::{ReturnStateArg, ReturnsCommand};

const SERVICE: &str = "returns-sync";
const RPC: &str = "ReturnsAdmin";

pub async fn run(remote: &RemoteArgs, command: ReturnsCommand) -> Result<(), Failure> {
    match command {
        ReturnsCommand::List { state, order } => list(remote, state, order).await,
        ReturnsCommand::Retry { return_id } => act(remote, return_id, OperatorAction::Retry).await,
        ReturnsCommand::Discard {
            return_id,
            reason,
            by,
        } => act(remote, return_id, OperatorAction::Discard { reason, by }).await,
    }
}

/// A `ReturnState` as the CLI prints it (`parked`, `reported`, ...).
fn state_name(state: i32) -> String {
    pb::ReturnState::try_from(state)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("RETURN_STATE_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn wanted_state(state: Option<ReturnStateArg>) -> pb::ReturnState {
    match state {
        None => pb::ReturnState::Unspecified,
        Some(ReturnStateArg::Received) => pb::ReturnState::Received,
        Some(ReturnStateArg::Created) => pb::ReturnState::Created,
        Some(ReturnStateArg::Reported) => pb::ReturnState::Reported,
        Some(ReturnStateArg::Parked) => pb::ReturnState::Parked,
        Some(ReturnStateArg::Discarded) => pb::ReturnState::Discarded,
    }
}

fn summary_json(r: &pb::ReturnSummary) -> serde_json::Value {
    json!({
        "return_id": r.return_id,
        "order_number": r.order_number,
        "endpoint": r.endpoint,
        "shipment_id": r.shipment_id,
        "state": state_name(r.state),
        "centra_return_id": r.centra_return_id,
        "reason": r.reason,
    })
}

async fn list(
    remote: &RemoteArgs,
    state: Option<ReturnStateArg>,
    order: Option<String>,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = ReturnsAdminClient::new(target.channel(SERVICE)?);
    let mut returns = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = target
            .answer(
                SERVICE,
                RPC,
                client.list_returns(pb::ListReturnsRequest {
                    state: wanted_state(state) as i32,
                    order_number: order.clone().unwrap_or_default(),
                    limit: 500,
                    page_token: page_token.clone(),
                }),
            )
            .await?;
        returns.extend(page.returns);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    if remote.json {
        print_json(&json!(returns.iter().map(summary_json).collect::<Vec<_>>()));
        return Ok(());
    }
    if returns.is_empty() {
        println!("no returns");
        return Ok(());
    }
    for r in &returns {
        let centra = if r.centra_return_id.is_empty() {
            "-".to_owned()
        } else {
            format!("centra return {}", r.centra_return_id)
        };
        let reason = if r.reason.is_empty() {
            String::new()
        } else {
            format!("  {}", r.reason)
        };
        println!(
            "{:<24} order {:<14} {:<9} {centra}{reason}",
            r.return_id,
            r.order_number,
            state_name(r.state)
        );
    }
    Ok(())
}

/// `retry` or `discard` of one return: the service's answer printed the same way for both
/// (`retried return R: now parked (reason)`, `discarded return R: now discarded (reason)`).
async fn act(
    remote: &RemoteArgs,
    return_id: String,
    action: OperatorAction,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = ReturnsAdminClient::new(target.channel(SERVICE)?);
    let done = action.done();
    let summary = match action {
        OperatorAction::Retry => {
            target
                .answer(
                    SERVICE,
                    RPC,
                    client.retry_return(pb::RetryReturnRequest {
                        return_id: return_id.clone(),
                    }),
                )
                .await?
                .summary
        }
        OperatorAction::Discard { reason, by } => {
            target
                .answer(
                    SERVICE,
                    RPC,
                    client.discard_return(pb::DiscardReturnRequest {
                        return_id: return_id.clone(),
                        reason,
                        by,
                    }),
                )
                .await?
                .summary
        }
    }
    .unwrap_or_default();
    if remote.json {
        print_json(&summary_json(&summary));
    } else {
        let reason = if summary.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", summary.reason)
        };
        println!(
            "{done} return {return_id}: now {}{reason}",
            state_name(summary.state)
        );
    }
    Ok(())
}
