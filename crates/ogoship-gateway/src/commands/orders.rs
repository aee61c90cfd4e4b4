//! `UpsertOrder`: `GET /orders?reference=`, then `POST /orders` when absent (created) or
//! `PUT /orders/{reference}` while OGOship still lets it change (before `collecting`).
//! `CancelOrder`: `PUT` status `cancelled` before `collecting`; an order never created or
//! already cancelled is success (`already_done`).
//!
//! OGOship order lines carry no id: the contract's line ids are the 1-based positions we sent,
//! kept with the caller's row numbers and external ids (`handles::save_lines`).

use std::collections::HashSet;

use platform_store::Store;
use proto::wms::v1::{CancelOrderResponse, Consignee, UpsertOrderRequest, UpsertOrderResponse};

use super::refusal::write_naming_articles;
use super::{CommandError, check_row, optional, quantity, required};
use crate::client::models::{Customer, OrderBody, OrderLineBody, OrderResponse, StatusBody};
use crate::client::{OgoshipClient, OgoshipError};
use crate::handles::{self, ORDER, SentLine};

/// Statuses after which OGOship no longer takes changes or a cancellation (§5).
pub(crate) fn started(status: &str) -> bool {
    ["collecting", "shipped", "returned"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(status.trim()))
}

/// The status OGOship gives an order that failed its validation (a missing phone, a shipping
/// method the merchant has not enabled, P6): it holds the order until it is saved valid.
const HELD_INVALID: &str = "reserved";

pub(crate) fn is_cancelled(status: &str) -> bool {
    let status = status.trim();
    status.eq_ignore_ascii_case("cancelled") || status.eq_ignore_ascii_case("canceled")
}

/// OGOship's `customer`: name, address1, city and country code are required there.
fn customer(consignee: Option<&Consignee>) -> Result<Customer, CommandError> {
    let c = consignee.ok_or_else(|| CommandError::InvalidArgument("consignee: required".into()))?;
    Ok(Customer {
        name: required("consignee.name", &c.name)?.to_owned(),
        address1: required("consignee.address1", &c.address1)?.to_owned(),
        city: required("consignee.city", &c.city)?.to_owned(),
        country_code: required("consignee.country_code", &c.country_code)?.to_owned(),
        address2: optional(&c.address2),
        zip: optional(&c.post_code),
        email: optional(&c.email),
        // OGOship validates the phone for the carrier's notices: the mobile number first.
        phone: optional(&c.mobile_phone).or_else(|| optional(&c.phone)),
    })
}

/// The OGOship body and the lines as sent, or the first bad field.
pub fn order_body(
    request: &UpsertOrderRequest,
) -> Result<(OrderBody, Vec<SentLine>), CommandError> {
    let reference = required("order_number", &request.order_number)?;
    if request.lines.is_empty() {
        return Err(CommandError::InvalidArgument(
            "lines: at least one line is required".into(),
        ));
    }
    let mut rows = HashSet::new();
    let mut lines = Vec::with_capacity(request.lines.len());
    let mut sent = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let row_number = check_row(&mut rows, &field("row_number"), &line.row_number)?;
        let code = required(&field("article_number"), &line.article_number)?.to_owned();
        lines.push(OrderLineBody {
            code: code.clone(),
            quantity: quantity(&field("number_of_items"), line.number_of_items, 1)?,
        });
        sent.push(SentLine {
            line_id: i64::try_from(index).unwrap_or(i64::MAX - 1) + 1,
            row_number,
            external_id: line.external_id.trim().to_owned(),
            article_number: code,
        });
    }
    let comments: Vec<String> = [&request.order_remark, &request.delivery_instruction]
        .into_iter()
        .filter_map(|t| optional(t))
        .collect();
    let body = OrderBody {
        reference: reference.to_owned(),
        shipping_code: request
            .transporter
            .as_ref()
            .and_then(|t| optional(&t.transporter_code)),
        pick_up_point_code: optional(&request.service_point_code),
        comments: (!comments.is_empty()).then(|| comments.join("\n")),
        price_currency: optional(&request.currency),
        customer: customer(request.consignee.as_ref())?,
        order_lines: lines,
    };
    Ok((body, sent))
}

/// The handle of an order OGOship answered with (its GUID; the reference when it has none).
pub(crate) async fn order_handle(
    store: &Store,
    order: &OrderResponse,
    reference: &str,
) -> Result<i64, CommandError> {
    let guid = order
        .id
        .as_deref()
        .filter(|g| !g.trim().is_empty())
        .unwrap_or(reference);
    Ok(handles::handle(store, ORDER, guid, reference).await?)
}

pub async fn upsert_order(
    client: &OgoshipClient,
    store: &Store,
    request: &UpsertOrderRequest,
) -> Result<UpsertOrderResponse, CommandError> {
    let (body, sent) = order_body(request)?;
    let reference = body.reference.as_str();
    let existing = client.find_order(reference).await?;
    if let Some(order) = &existing {
        let status = order.status.as_deref().unwrap_or_default();
        if started(status) {
            return Err(CommandError::FailedPrecondition(format!(
                "order {reference} is {status} at OGOship and can no longer be changed"
            )));
        }
    }
    // Our lines (row numbers, external ids) are kept before the write: when its answer is lost
    // and the warehouse starts on the order before the retry, the retry is refused, and the
    // returns and shipments of the order would otherwise never find our lines.
    handles::save_lines(store, ORDER, reference, &sent).await?;
    let codes = body.order_lines.iter().map(|l| l.code.as_str());
    let written = if existing.is_some() {
        write_naming_articles(client, codes, || client.update_order(reference, &body)).await?
    } else {
        write_naming_articles(client, codes, || async {
            match client.create_order(&body).await {
                // Our earlier create whose answer was lost: the order is there, update it.
                Err(OgoshipError::Status { status: 409, .. }) => {
                    client.update_order(reference, &body).await
                }
                other => other,
            }
        })
        .await?
    };
    let order_id = order_handle(store, &written, reference).await?;
    // We create orders as `new`: `reserved` in the answer is OGOship holding an order that
    // failed its validation. The order is in OGOship (so the answer stays a success: order-sync
    // must know it is there, to cancel it and never send it twice), but it will not ship until
    // fixed, so it is kept as a dead letter with OGOship's reasons for a person (`centra-wms
    // dead-letters list --service ogoship-gateway`).
    if written
        .status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case(HELD_INVALID))
    {
        keep_held(store, reference, &written, &body).await?;
    }
    tracing::info!(
        order_number = reference,
        order_id,
        created = existing.is_none(),
        status = written.status.as_deref().unwrap_or_default(),
        "order upserted"
    );
    Ok(UpsertOrderResponse {
        order_id,
        created: existing.is_none(),
    })
}

/// The dead-letter kind of an order OGOship holds as invalid.
pub const HELD_ORDER: &str = "order held by OGOship";

/// Keeps order `reference`, answered `reserved`, for a person with OGOship's reasons; an open
/// one with the same reasons is not written again on every retry.
async fn keep_held(
    store: &Store,
    reference: &str,
    written: &OrderResponse,
    body: &OrderBody,
) -> Result<(), CommandError> {
    let reasons = written
        .warehouse_comments
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("no reason given");
    let reason = format!(
        "order {reference} failed OGOship's validation and is held (status reserved): {reasons} \
         Fix it in Centra and resync it, or in myOGO."
    );
    tracing::warn!(order_number = reference, %reason, "order held by OGOship");
    let dead_letters = store.dead_letters();
    if let Some(open) = dead_letters.find(HELD_ORDER, reference).await?
        && open.status == platform_store::DeadLetterStatus::Open
        && open.reason == reason
    {
        return Ok(());
    }
    let payload = serde_json::to_value(body).unwrap_or_default();
    let mut tx = store.begin().await?;
    dead_letters
        .record(
            &mut tx,
            platform_store::NewDeadLetter {
                kind: HELD_ORDER.to_owned(),
                record_key: reference.to_owned(),
                reason,
                payload,
                attempts: 1,
            },
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn cancel_order(
    client: &OgoshipClient,
    order_number: &str,
) -> Result<CancelOrderResponse, CommandError> {
    let reference = required("order_number", order_number)?;
    let Some(order) = client.find_order(reference).await? else {
        tracing::info!(
            order_number = reference,
            "order to cancel never reached OGOship"
        );
        return Ok(CancelOrderResponse { already_done: true });
    };
    let status = order.status.clone().unwrap_or_default();
    if is_cancelled(&status) {
        return Ok(CancelOrderResponse { already_done: true });
    }
    if started(&status) {
        return Err(CommandError::FailedPrecondition(format!(
            "order {reference}: the warehouse has started work on it (status {status})"
        )));
    }
    let body = StatusBody {
        reference: reference.to_owned(),
        status: "cancelled".to_owned(),
    };
    if let Err(error) = client.update_order(reference, &body).await {
        // A retry after a lost answer finds the order cancelled by our first attempt.
        let now = client.find_order(reference).await?;
        let cancelled = now
            .as_ref()
            .and_then(|o| o.status.as_deref())
            .is_some_and(is_cancelled);
        if !cancelled {
            return Err(error.into());
        }
    }
    tracing::info!(order_number = reference, "order cancelled");
    Ok(CancelOrderResponse {
        already_done: false,
    })
}
