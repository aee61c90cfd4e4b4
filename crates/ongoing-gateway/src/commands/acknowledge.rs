//! `AcknowledgeReported`: sets reported (picked, received or returned) quantities of WMS lines,
//! reading the record first so an acknowledgement repeated after a lost answer changes nothing
//! and says so.

use proto::wms::v1::acknowledge_reported_request::Report;
use proto::wms::v1::{AcknowledgeReportedResponse, ReportedLine};

use super::{CommandError, quantity};
use crate::client::OngoingClient;

/// The reported quantity now on each requested line, by line id; a missing line is NOT_FOUND.
fn current(
    record: &str,
    wanted: &[ReportedLine],
    lines: &[(i64, Option<f64>)],
) -> Result<Vec<(i64, i64, bool)>, CommandError> {
    let mut plan = Vec::with_capacity(wanted.len());
    for (index, line) in wanted.iter().enumerate() {
        let target = quantity(
            &format!("lines[{index}].reported_number_of_items"),
            line.reported_number_of_items,
        )?;
        let now = lines
            .iter()
            .find(|(id, _)| *id == line.line_id)
            .map(|(_, reported)| reported.unwrap_or(0.0))
            .ok_or_else(|| {
                CommandError::NotFound(format!("{record}: line {} does not exist", line.line_id))
            })?;
        #[allow(clippy::cast_precision_loss)]
        let done = (now - target as f64).abs() < f64::EPSILON;
        plan.push((line.line_id, target, done));
    }
    Ok(plan)
}

pub async fn acknowledge(
    client: &OngoingClient,
    report: Option<&Report>,
) -> Result<AcknowledgeReportedResponse, CommandError> {
    let report = report.ok_or_else(|| CommandError::InvalidArgument("report: required".into()))?;
    let mut changed = 0usize;
    match report {
        Report::OrderLines(r) => {
            let order = client.get_order(r.order_id).await?;
            let lines: Vec<_> = order
                .order_lines
                .iter()
                .map(|l| (l.id, l.reported_number_of_items))
                .collect();
            for (line_id, target, done) in
                current(&format!("order id {}", r.order_id), &r.lines, &lines)?
            {
                if !done {
                    client
                        .report_order_line(r.order_id, line_id, target)
                        .await?;
                    changed += 1;
                }
            }
        }
        Report::Returned(r) => {
            let order = client.get_order(r.order_id).await?;
            let lines: Vec<_> = order
                .order_lines
                .iter()
                .map(|l| (l.id, l.reported_returned_number_of_items))
                .collect();
            for (line_id, target, done) in
                current(&format!("order id {}", r.order_id), &r.lines, &lines)?
            {
                // Reported returned units only grow: a late acknowledgement of an earlier
                // return (a flow resumed after a crash) must not take back a later one's.
                #[allow(clippy::cast_precision_loss)]
                let below = lines
                    .iter()
                    .any(|(id, now)| *id == line_id && now.unwrap_or(0.0) < target as f64);
                if !done && below {
                    client
                        .report_order_line_returned(r.order_id, line_id, target)
                        .await?;
                    changed += 1;
                }
            }
        }
        Report::PurchaseOrderLines(r) => {
            let po = client.get_purchase_order(r.purchase_order_id).await?;
            let lines: Vec<_> = po
                .purchase_order_lines
                .iter()
                .map(|l| (l.id, l.reported_number_of_items))
                .collect();
            let record = format!("purchase order id {}", r.purchase_order_id);
            for (line_id, target, done) in current(&record, &r.lines, &lines)? {
                if !done {
                    client
                        .report_purchase_order_line(r.purchase_order_id, line_id, target)
                        .await?;
                    changed += 1;
                }
            }
        }
    }
    Ok(AcknowledgeReportedResponse {
        already_done: changed == 0,
    })
}
