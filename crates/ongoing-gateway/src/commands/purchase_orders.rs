//! `UpsertPurchaseOrder`: `PUT /purchaseOrders`, upsert by purchase order number.

use std::collections::HashSet;

use chrono::DateTime;
use proto::wms::v1::{UpsertPurchaseOrderRequest, UpsertPurchaseOrderResponse};

use super::{CommandError, optional, quantity, required};
use crate::client::OngoingClient;
use crate::client::models::{PostPurchaseOrder, PostPurchaseOrderLine, SupplierInfo};
use crate::detect::format_utc;

/// The Ongoing body for `request`, or the first bad field.
pub fn post_purchase_order(
    goods_owner_id: i64,
    request: &UpsertPurchaseOrderRequest,
) -> Result<PostPurchaseOrder, CommandError> {
    let number = required("purchase_order_number", &request.purchase_order_number)?;
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
        lines.push(PostPurchaseOrderLine {
            row_number: row_number.to_owned(),
            article_number: required(&field("article_number"), &line.article_number)?.to_owned(),
            number_of_items: quantity(&field("number_of_items"), line.number_of_items)?,
            external_order_line_id: optional(&line.external_line_id),
            comment: optional(&line.comment),
        });
    }
    let in_date = match &request.in_date {
        Some(ts) => {
            let nanos = u32::try_from(ts.nanos)
                .map_err(|_| CommandError::InvalidArgument("in_date: negative nanos".into()))?;
            let time = DateTime::from_timestamp(ts.seconds, nanos)
                .ok_or_else(|| CommandError::InvalidArgument("in_date: out of range".into()))?;
            Some(format_utc(time))
        }
        None => None,
    };
    Ok(PostPurchaseOrder {
        goods_owner_id,
        purchase_order_number: number.to_owned(),
        supplier_order_number: optional(&request.supplier_order_number),
        reference_number: optional(&request.reference_number),
        in_date,
        purchase_order_remark: optional(&request.remark),
        supplier_info: optional(&request.supplier_name)
            .map(|supplier_name| SupplierInfo { supplier_name }),
        purchase_order_lines: lines,
    })
}

pub async fn upsert_purchase_order(
    client: &OngoingClient,
    request: &UpsertPurchaseOrderRequest,
) -> Result<UpsertPurchaseOrderResponse, CommandError> {
    let body = post_purchase_order(client.goods_owner_id(), request)?;
    // Read first: Ongoing answers 200 whether it created or updated.
    let existed = client
        .find_purchase_order(&body.purchase_order_number)
        .await?
        .is_some();
    let articles = body
        .purchase_order_lines
        .iter()
        .map(|l| l.article_number.as_str());
    let written = super::refusal::write_naming_articles(client, articles, || {
        client.upsert_purchase_order(&body)
    })
    .await?;
    tracing::info!(
        purchase_order_number = %body.purchase_order_number,
        purchase_order_id = written.id,
        created = !existed,
        "purchase order upserted"
    );
    Ok(UpsertPurchaseOrderResponse {
        purchase_order_id: written.id,
        created: !existed,
    })
}
