//! The calls the gateways made to Centra and the WMS for a record (`ExternalCalls`), merged
//! into the record's journey in time order as "call" steps: `ongoing: PUT /orders/ → 200 (34
//! ms)`. Each gateway keeps its own calls (the record named in its own terms: `shipment
//! shop1/7-1` at centra-gateway, `order S7-1` at the WMS gateway), so Find asks both at once;
//! a gateway that does not answer costs the journey its calls, said in one line under it.
//!
//! Layout: [`Gathered`] and [`gather`] (asking the gateways), [`Row`] and [`merge`] (the
//! journey's steps and the calls as one list, pure and tested below).

use platform_http::calls::record;
use proto::admin::v1 as pb;
use proto::admin::v1::external_calls_client::ExternalCallsClient;

use super::grpc_failure;
use crate::Page;

/// The gateway that calls Centra.
const CENTRA: &str = "centra-gateway";

/// The calls of the records asked, and the gateways that did not answer.
#[derive(Debug, Default)]
pub struct Gathered {
    pub calls: Vec<pb::ExternalCall>,
    /// One line per gateway that failed.
    pub failures: Vec<String>,
}

impl Gathered {
    /// The calls kept under any of `records`.
    pub fn of<'a>(&'a self, records: &'a [String]) -> impl Iterator<Item = &'a pb::ExternalCall> {
        self.calls
            .iter()
            .filter(|call| records.contains(&call.record))
    }
}

/// The records a shipment's calls are kept under: the Centra shipment at centra-gateway, its
/// WMS order at the WMS gateway.
pub fn shipment_records(summary: &pb::OrderSummary) -> (String, String) {
    (
        record::shipment(&summary.endpoint, &summary.shipment_id),
        record::order(&summary.wms_order_number),
    )
}

/// The record a return's calls are kept under at both gateways: centra-gateway's creating the
/// Centra return, the WMS gateway's acknowledging its returned units.
pub fn return_record(summary: &pb::ReturnSummary) -> String {
    record::wms_return(&summary.return_id)
}

/// The record an article's calls are kept under at the WMS gateway: the article number last
/// written to the WMS, else the one the size makes; `None` when neither is known.
pub fn article_record(article: &pb::FoundArticle) -> Option<String> {
    let item = article.item.clone().unwrap_or_default();
    [
        article.written_article_number.as_str(),
        item.article_number.as_str(),
    ]
    .into_iter()
    .find(|number| !number.is_empty())
    .map(record::article)
}

/// Asks centra-gateway for the `centra` records and the WMS gateway for the `wms` ones, at
/// once.
pub async fn gather(page: &Page, centra: Vec<String>, wms: Vec<String>) -> Gathered {
    let (from_centra, from_wms) = tokio::join!(
        ask(page, CENTRA, centra),
        ask(page, platform_runtime::WMS_GATEWAY, wms)
    );
    let mut gathered = Gathered::default();
    for answer in [from_centra, from_wms] {
        match answer {
            Ok(calls) => gathered.calls.extend(calls),
            Err(line) => gathered.failures.push(line),
        }
    }
    gathered
}

/// Most records one `CallsOfRecords` request may name (the gateways' limit).
const RECORDS_PER_REQUEST: usize = 20;

async fn ask(
    page: &Page,
    service: &str,
    records: Vec<String>,
) -> Result<Vec<pb::ExternalCall>, String> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let channel = page
        .directory
        .channel(service)
        .map_err(|error| format!("{service}: {error}"))?;
    let mut client = ExternalCallsClient::new(channel);
    let mut calls = Vec::new();
    for chunk in records.chunks(RECORDS_PER_REQUEST) {
        let answer = client
            .calls_of_records(pb::CallsOfRecordsRequest {
                records: chunk.to_vec(),
            })
            .await
            .map_err(|status| grpc_failure(service, "calls to the outside systems", &status))?;
        calls.extend(answer.into_inner().calls);
    }
    Ok(calls)
}

/// One line of a journey as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub at: Option<prost_types::Timestamp>,
    pub step: String,
    pub detail: String,
}

/// A call as a journey line: `ongoing: PUT /orders/ → 200 (34 ms)`, or the failure's kind
/// when no answer came.
fn call_row(call: &pb::ExternalCall) -> Row {
    let outcome = if call.status == 0 {
        format!("no answer ({})", call.failure)
    } else {
        call.status.to_string()
    };
    Row {
        at: call.at,
        step: "call".to_owned(),
        detail: format!(
            "{}: {} {} → {outcome} ({} ms)",
            call.system, call.method, call.path, call.duration_ms
        ),
    }
}

fn instant(at: Option<&prost_types::Timestamp>) -> (i64, i32) {
    at.map_or((i64::MIN, 0), |t| (t.seconds, t.nanos))
}

/// The journey's `steps` and the `calls` as one list in time order (a step before a call of
/// the same instant: the step was saved when the call's answer came back).
pub fn merge<'a>(
    steps: &[pb::JourneyStep],
    calls: impl IntoIterator<Item = &'a pb::ExternalCall>,
) -> Vec<Row> {
    let mut rows: Vec<(bool, Row)> = steps
        .iter()
        .map(|step| {
            (
                false,
                Row {
                    at: step.at,
                    step: step.step.clone(),
                    detail: step.detail.clone(),
                },
            )
        })
        .chain(calls.into_iter().map(|call| (true, call_row(call))))
        .collect();
    // Stable: steps keep their order among themselves, calls theirs.
    rows.sort_by_key(|(is_call, row)| (instant(row.at.as_ref()), *is_call));
    rows.into_iter().map(|(_, row)| row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    fn step(seconds: i64, name: &str) -> pb::JourneyStep {
        pb::JourneyStep {
            at: at(seconds),
            step: name.into(),
            detail: name.into(),
            trace_id: String::new(),
        }
    }

    fn call(seconds: i64, status: u32, failure: &str) -> pb::ExternalCall {
        pb::ExternalCall {
            record: "order S7-1".into(),
            at: at(seconds),
            system: "ongoing".into(),
            method: "PUT".into(),
            path: "/api/v1/orders/".into(),
            status,
            failure: failure.into(),
            duration_ms: 34,
            trace_id: String::new(),
        }
    }

    #[test]
    fn calls_fall_between_the_steps_in_time_order() {
        let rows = merge(
            &[
                step(10, "received"),
                step(20, "wms order accepted"),
                step(20, "state"),
            ],
            &[call(15, 200, ""), call(20, 0, "timeout"), call(5, 503, "")],
        );
        let seen: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.step.as_str(), r.detail.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("call", "ongoing: PUT /api/v1/orders/ → 503 (34 ms)"),
                ("received", "received"),
                ("call", "ongoing: PUT /api/v1/orders/ → 200 (34 ms)"),
                ("wms order accepted", "wms order accepted"),
                ("state", "state"),
                (
                    "call",
                    "ongoing: PUT /api/v1/orders/ → no answer (timeout) (34 ms)"
                ),
            ]
        );
    }

    #[test]
    fn a_shipment_is_asked_for_as_each_gateway_keeps_it() {
        let summary = pb::OrderSummary {
            endpoint: "shop1".into(),
            shipment_id: "7-1".into(),
            wms_order_number: "S7-1".into(),
            ..pb::OrderSummary::default()
        };
        assert_eq!(
            shipment_records(&summary),
            ("shipment shop1/7-1".to_owned(), "order S7-1".to_owned())
        );
        let gathered = Gathered {
            calls: vec![call(1, 200, ""), {
                let mut other = call(2, 200, "");
                other.record = "order S8-1".into();
                other
            }],
            failures: Vec::new(),
        };
        let records = ["order S7-1".to_owned()];
        assert_eq!(gathered.of(&records).count(), 1);
    }
}
