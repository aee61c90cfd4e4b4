//! `UpsertOrder` (`PUT /orders`, upsert by order number: a retry after a lost answer updates
//! the order it created instead of making a second one) and `CancelOrder` (only before the
//! warehouse started; an order already cancelled, or never created, is success).

use std::collections::HashSet;

use chrono::NaiveDate;
use domain::settings::{WmsOrderState, WmsStatusMapping};
use proto::wms::v1::{CancelOrderResponse, Consignee, UpsertOrderRequest, UpsertOrderResponse};

use super::{CommandError, decimal, optional, quantity, required};
use crate::client::models::{
    Notification, PostConsignee, PostOrder, PostOrderLine, PostTransporter,
};
use crate::client::{OngoingClient, OngoingError};
use crate::detect::order_status_number;

fn consignee(consignee: Option<&Consignee>) -> Result<PostConsignee, CommandError> {
    let c = consignee.ok_or_else(|| CommandError::InvalidArgument("consignee: required".into()))?;
    required("consignee.name", &c.name)?;
    required("consignee.country_code", &c.country_code)?;
    Ok(PostConsignee {
        customer_number: optional(&c.customer_number),
        name: optional(&c.name),
        address1: optional(&c.address1),
        address2: optional(&c.address2),
        address3: optional(&c.address3),
        post_code: optional(&c.post_code),
        city: optional(&c.city),
        country_code: optional(&c.country_code),
        country_state_code: optional(&c.country_state_code),
        door_code: optional(&c.door_code),
        remark: optional(&c.remark),
    })
}

/// The Ongoing body for `request`, or the first bad field.
pub fn post_order(
    goods_owner_id: i64,
    request: &UpsertOrderRequest,
) -> Result<PostOrder, CommandError> {
    let order_number = required("order_number", &request.order_number)?;
    let delivery_date = required("delivery_date", &request.delivery_date)?;
    NaiveDate::parse_from_str(delivery_date, "%Y-%m-%d").map_err(|_| {
        CommandError::InvalidArgument(format!(
            "delivery_date: {delivery_date:?} is not a YYYY-MM-DD date"
        ))
    })?;
    if request.lines.is_empty() {
        return Err(CommandError::InvalidArgument(
            "lines: at least one line is required".into(),
        ));
    }
    let mut rows = HashSet::new();
    let mut lines = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let row_number = required(&field("row_number"), &line.row_number)?;
        if !rows.insert(row_number.to_owned()) {
            return Err(CommandError::InvalidArgument(format!(
                "{}: row number {row_number:?} is used twice",
                field("row_number")
            )));
        }
        lines.push(PostOrderLine {
            row_number: row_number.to_owned(),
            article_number: required(&field("article_number"), &line.article_number)?.to_owned(),
            number_of_items: quantity(&field("number_of_items"), line.number_of_items)?,
            external_id: optional(&line.external_id),
            comment: optional(&line.comment),
            line_total_customs_value: decimal(
                &field("line_total_customs_value"),
                &line.line_total_customs_value,
            )?,
        });
    }
    let consignee_in = request.consignee.as_ref();
    let notification = |value: &str| {
        optional(value).map(|value| Notification {
            to_be_notified: true,
            value,
        })
    };
    Ok(PostOrder {
        goods_owner_id,
        order_number: order_number.to_owned(),
        delivery_date: delivery_date.to_owned(),
        consignee: consignee(consignee_in)?,
        transporter: request.transporter.as_ref().and_then(|t| {
            optional(&t.transporter_code).map(|transporter_code| PostTransporter {
                transporter_code,
                transporter_service_code: optional(&t.transporter_service_code),
            })
        }),
        reference_number: optional(&request.reference_number),
        goods_owner_order_id: optional(&request.goods_owner_order_id),
        order_remark: optional(&request.order_remark),
        delivery_instruction: optional(&request.delivery_instruction),
        service_point_code: optional(&request.service_point_code),
        email_notification: consignee_in.and_then(|c| notification(&c.email)),
        sms_notification: consignee_in.and_then(|c| notification(&c.mobile_phone)),
        order_lines: lines,
    })
}

pub async fn upsert_order(
    client: &OngoingClient,
    request: &UpsertOrderRequest,
) -> Result<UpsertOrderResponse, CommandError> {
    let body = post_order(client.goods_owner_id(), request)?;
    // One call: `PUT /orders` upserts by order number, and Ongoing takes one request at a time
    // per goods owner, so a read first would halve how fast a backlog reaches the warehouse.
    // `created` is Ongoing's 201 for this write (informational, see the contract).
    let articles = body.order_lines.iter().map(|l| l.article_number.as_str());
    let written =
        super::refusal::write_naming_articles(client, articles, || client.upsert_order(&body))
            .await?;
    tracing::info!(
        order_number = %body.order_number,
        order_id = written.id,
        created = written.created,
        "order upserted"
    );
    Ok(UpsertOrderResponse {
        order_id: written.id,
        created: written.created,
    })
}

pub async fn cancel_order(
    client: &OngoingClient,
    statuses: &WmsStatusMapping,
    order_number: &str,
) -> Result<CancelOrderResponse, CommandError> {
    let order_number = required("order_number", order_number)?;
    let Some(order) = client.find_order(order_number).await? else {
        tracing::info!(order_number, "order to cancel never reached the warehouse");
        return Ok(CancelOrderResponse { already_done: true });
    };
    let order_id = order.order_info.order_id;
    let status = order_status_number(&order).map_err(CommandError::Ongoing)?;
    match statuses.order_state(status) {
        WmsOrderState::Cancelled => return Ok(CancelOrderResponse { already_done: true }),
        WmsOrderState::Editable => {}
        _ => {
            return Err(CommandError::FailedPrecondition(format!(
                "order {order_number}: the warehouse has started work on it (status {status})"
            )));
        }
    }
    match client.cancel_order(order_id).await {
        Ok(()) => {}
        Err(
            error @ OngoingError::Status {
                status: 400 | 409, ..
            },
        ) => {
            // A retry after a lost answer finds the order cancelled by our first attempt.
            let again = client.get_order(order_id).await?;
            let now = order_status_number(&again).map_err(CommandError::Ongoing)?;
            if statuses.order_state(now) != WmsOrderState::Cancelled {
                return Err(error.into());
            }
        }
        Err(error) => return Err(error.into()),
    }
    tracing::info!(order_number, order_id, "order cancelled");
    Ok(CancelOrderResponse {
        already_done: false,
    })
}
