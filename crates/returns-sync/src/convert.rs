//! `WmsReturnReceived` into the flow's terms, each problem naming the record and the field.

use proto::events::v1 as events;

use crate::rules::{CauseItem, IncomingLine};

/// An event that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {field}: {problem}")]
pub struct ConvertError {
    pub record: String,
    pub field: String,
    pub problem: String,
}

/// The event's facts, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingReturn {
    pub return_id: String,
    pub warehouse: String,
    pub order_number: String,
    pub wms_order_id: i64,
    pub return_order_id: i64,
    pub returned_at: i64,
    pub lines: Vec<IncomingLine>,
}

fn millis(t: &prost_types::Timestamp) -> i64 {
    t.seconds
        .saturating_mul(1000)
        .saturating_add(i64::from(t.nanos / 1_000_000))
}

/// Reads `event`.
///
/// # Errors
/// The first missing or impossible field.
pub fn incoming(event: &events::WmsReturnReceived) -> Result<IncomingReturn, ConvertError> {
    let record = if event.return_id.trim().is_empty() {
        format!("return of order {:?}", event.order_number)
    } else {
        format!("return {}", event.return_id)
    };
    let bad = |field: String, problem: &str| ConvertError {
        record: record.clone(),
        field,
        problem: problem.to_owned(),
    };
    if event.return_id.trim().is_empty() {
        return Err(bad("return_id".into(), "is empty"));
    }
    if event.order_number.trim().is_empty() {
        return Err(bad("order_number".into(), "is empty"));
    }
    if event.order_id <= 0 {
        return Err(bad("order_id".into(), "is not a WMS order id"));
    }
    if event.lines.is_empty() {
        return Err(bad("lines".into(), "is empty"));
    }
    let mut lines = Vec::with_capacity(event.lines.len());
    for (i, line) in event.lines.iter().enumerate() {
        if line.returned_number_of_items < 0 {
            return Err(bad(
                format!("lines[{i}].returned_number_of_items"),
                "is negative",
            ));
        }
        if line.reported_returned_number_of_items < 0 {
            return Err(bad(
                format!("lines[{i}].reported_returned_number_of_items"),
                "is negative",
            ));
        }
        let mut items: Vec<(Option<i64>, CauseItem)> = Vec::new();
        for (j, item) in line.items.iter().enumerate() {
            if item.number_of_items < 0 {
                return Err(bad(
                    format!("lines[{i}].items[{j}].number_of_items"),
                    "is negative",
                ));
            }
            items.push((
                item.returned_at.as_ref().map(millis),
                CauseItem {
                    quantity: item.number_of_items,
                    cause_code: item.cause_code.trim().to_owned(),
                    cause_name: item.cause_name.trim().to_owned(),
                },
            ));
        }
        // Oldest first, as the WMS counts reported units (items without a date first).
        items.sort_by_key(|(at, _)| *at);
        lines.push(IncomingLine {
            wms_line_id: line.line_id,
            external_id: line.external_id.trim().to_owned(),
            article_number: line.article_number.clone(),
            returned: line.returned_number_of_items,
            reported: line.reported_returned_number_of_items,
            items: items.into_iter().map(|(_, item)| item).collect(),
        });
    }
    Ok(IncomingReturn {
        return_id: event.return_id.trim().to_owned(),
        warehouse: event.warehouse.clone(),
        order_number: event.order_number.trim().to_owned(),
        wms_order_id: event.order_id,
        return_order_id: event.return_order_id,
        returned_at: event.returned_at.as_ref().map_or(0, millis),
        lines,
    })
}
