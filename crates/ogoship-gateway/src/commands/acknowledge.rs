//! `AcknowledgeReported`: OGOship has no report-back, so the reported (picked, received,
//! returned) quantities are kept in the gateway's own table; detection puts them in the
//! events' `reported_*` fields. Repeating an acknowledgement changes nothing and says so.

use platform_store::Store;
use proto::wms::v1::acknowledge_reported_request::Report;
use proto::wms::v1::{AcknowledgeReportedResponse, ReportedLine};

use super::{CommandError, quantity};
use crate::handles::{
    self, ORDER, REPORTED_PICKED, REPORTED_RECEIVED, REPORTED_RETURNED, STOCK_UPDATE,
};

/// Records `wanted` on `(kind, record_id)`; `grow_only` keeps the larger of old and new (a
/// late acknowledgement of an earlier return must not take back a later one's). Returns how
/// many lines changed.
async fn record(
    store: &Store,
    handle_kind: &str,
    kind: &str,
    record_id: i64,
    wanted: &[ReportedLine],
    grow_only: bool,
) -> Result<usize, CommandError> {
    let name = format!("{handle_kind} id {record_id}");
    let reference = handles::reference_of(store, handle_kind, record_id)
        .await?
        .ok_or_else(|| CommandError::NotFound(format!("{name}: not known to this gateway")))?;
    let lines = handles::lines(store, handle_kind, &reference).await?;
    let now = handles::reported(store, kind, record_id).await?;
    let mut plan = Vec::with_capacity(wanted.len());
    for (index, line) in wanted.iter().enumerate() {
        let target = quantity(
            &format!("lines[{index}].reported_number_of_items"),
            line.reported_number_of_items,
            0,
        )?;
        if !lines.iter().any(|l| l.line_id == line.line_id) {
            return Err(CommandError::NotFound(format!(
                "{name} ({reference}): line {} does not exist",
                line.line_id
            )));
        }
        let current = now
            .iter()
            .find(|(id, _)| *id == line.line_id)
            .map_or(0, |(_, q)| *q);
        let changes = if grow_only {
            target > current
        } else {
            target != current
        };
        if changes {
            plan.push((line.line_id, target));
        }
    }
    for (line_id, target) in &plan {
        handles::set_reported(store, kind, record_id, *line_id, *target).await?;
    }
    Ok(plan.len())
}

pub async fn acknowledge(
    store: &Store,
    report: Option<&Report>,
) -> Result<AcknowledgeReportedResponse, CommandError> {
    let report = report.ok_or_else(|| CommandError::InvalidArgument("report: required".into()))?;
    let changed = match report {
        Report::OrderLines(r) => {
            record(store, ORDER, REPORTED_PICKED, r.order_id, &r.lines, false).await?
        }
        Report::Returned(r) => {
            record(store, ORDER, REPORTED_RETURNED, r.order_id, &r.lines, true).await?
        }
        Report::PurchaseOrderLines(r) => {
            record(
                store,
                STOCK_UPDATE,
                REPORTED_RECEIVED,
                r.purchase_order_id,
                &r.lines,
                false,
            )
            .await?
        }
    };
    Ok(AcknowledgeReportedResponse {
        already_done: changed == 0,
    })
}
