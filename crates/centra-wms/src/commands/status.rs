//! `status`: how every flow is doing. Asks each service that serves `FlowStatus` for its flows
//! and prints one table (service, flow, enabled, last run, cursor, backlog, parked, failed,
//! last error), then one line per rate-limit bucket of each Centra end-point on the GraphQL
//! Integration API (the budget the gateway's governor estimates). A service that does not
//! answer is named on one line and the command exits 1; the flows of the others are still
//! printed (also with `--json`).
//!
//! Layout: [`run`] asks and prints; [`Row`] is one flow of one service; [`table`] lays the
//! rows out as text; [`budget_lines`] the budgets.

use anyhow::anyhow;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_client::FlowStatusClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, not_running, print_json, time};

/// The services that serve `FlowStatus`: all six of the configured WMS's deployment.
fn services(target: &Remote) -> Vec<&'static str> {
    crate::services::names_for(target.config.wms.kind())
}

const RPC: &str = "FlowStatus";

/// One flow of one service.
#[derive(Debug, Clone)]
pub struct Row {
    pub service: &'static str,
    pub report: pb::FlowReport,
}

impl Row {
    fn to_json(&self) -> serde_json::Value {
        let r = &self.report;
        json!({
            "service": self.service,
            "flow": r.flow,
            "enabled": r.enabled,
            "last_run_at": time(r.last_run_at.as_ref()),
            "last_success_at": time(r.last_success_at.as_ref()),
            "cursor": r.cursor,
            "backlog": r.backlog,
            "parked": r.parked,
            "failed": r.failed,
            "last_error": r.last_error,
            "last_error_at": time(r.last_error_at.as_ref()),
            "warnings": r.warnings,
            "last_warning": r.last_warning,
        })
    }

    fn cells(&self) -> [String; 9] {
        let r = &self.report;
        let error = if r.last_error.is_empty() {
            "-".to_owned()
        } else {
            format!("{} {}", short_time(r.last_error_at.as_ref()), r.last_error)
        };
        [
            self.service.to_owned(),
            r.flow.clone(),
            if r.enabled { "yes" } else { "no" }.to_owned(),
            short_time(r.last_run_at.as_ref()),
            dash(&r.cursor),
            r.backlog.to_string(),
            r.parked.to_string(),
            r.failed.to_string(),
            error,
        ]
    }
}

/// A time to the second, or `-`.
fn short_time(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp.map_or_else(
        || "-".to_owned(),
        |t| {
            prost_types::Timestamp {
                seconds: t.seconds,
                nanos: 0,
            }
            .to_string()
        },
    )
}

fn dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.to_owned()
    }
}

const HEADER: [&str; 9] = [
    "SERVICE",
    "FLOW",
    "ENABLED",
    "LAST RUN",
    "CURSOR",
    "BACKLOG",
    "PARKED",
    "FAILED",
    "LAST ERROR",
];

/// The rows as an aligned text table with a header (the last column is not padded).
pub fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 9]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADER.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: &[String]| -> String {
        let mut out = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.trim_end().to_owned()
    };
    let mut text = line(&HEADER.map(str::to_owned));
    for row in &cells {
        text.push('\n');
        text.push_str(&line(row));
    }
    text
}

/// One line per flow with warnings (records that went through but need a person's eye, e.g.
/// an article sent without its bar code), below the table.
pub fn warning_lines(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|row| row.report.warnings > 0)
        .map(|row| {
            format!(
                "warning: {} {}: {} record(s) need a look, e.g. {}",
                row.service, row.report.flow, row.report.warnings, row.report.last_warning
            )
        })
        .collect()
}

/// One line per bucket of each GraphQL end-point: what is left of the quota, when Centra's
/// `rateLimits` was last read, and a 429's hold.
pub fn budget_lines(budgets: &[pb::RateBudget]) -> Vec<String> {
    budgets
        .iter()
        .map(|b| {
            let mut line = format!(
                "budget: {} {}/{} {} of {} left (rateLimits read {})",
                b.endpoint,
                b.bucket,
                b.window,
                b.remaining,
                b.quota,
                short_time(b.last_reading_at.as_ref())
            );
            if let Some(until) = b.held_until.as_ref() {
                line.push_str(&format!(
                    "; held by a 429 until {}",
                    short_time(Some(until))
                ));
            }
            line
        })
        .collect()
}

fn budget_json(b: &pb::RateBudget) -> serde_json::Value {
    json!({
        "endpoint": b.endpoint,
        "bucket": b.bucket,
        "window": b.window,
        "remaining": b.remaining,
        "quota": b.quota,
        "last_reading_at": time(b.last_reading_at.as_ref()),
        "held_until": time(b.held_until.as_ref()),
    })
}

/// Why one service gave no flows.
struct Silent {
    service: &'static str,
    line: String,
    not_running: bool,
}

pub async fn run(remote: &RemoteArgs) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut rows = Vec::new();
    let mut budgets = Vec::new();
    let mut silent = Vec::new();
    let services = services(&target);
    for &service in &services {
        let mut client = FlowStatusClient::new(target.channel(service)?);
        match client.list(pb::ListFlowsRequest::default()).await {
            Ok(answer) => {
                let answer = answer.into_inner();
                rows.extend(
                    answer
                        .flows
                        .into_iter()
                        .map(|report| Row { service, report }),
                );
                budgets.extend(answer.budgets);
            }
            Err(status) => silent.push(Silent {
                service,
                line: target.explain(service, RPC, &status).await,
                not_running: not_running(&status),
            }),
        }
    }
    if remote.json {
        print_json(&json!({
            "flows": rows.iter().map(Row::to_json).collect::<Vec<_>>(),
            "budgets": budgets.iter().map(budget_json).collect::<Vec<_>>(),
            "unavailable": silent
                .iter()
                .map(|s| json!({"service": s.service, "error": s.line}))
                .collect::<Vec<_>>(),
        }));
    } else if !rows.is_empty() {
        println!("{}", table(&rows));
        for line in warning_lines(&rows) {
            println!("{line}");
        }
    }
    if !remote.json {
        for line in budget_lines(&budgets) {
            println!("{line}");
        }
    }
    if silent.is_empty() {
        return Ok(());
    }
    if silent.len() == services.len() && silent.iter().all(|s| s.not_running) {
        let addresses: Vec<String> = services.iter().map(|s| target.address(s)).collect();
        return Err(Failure::runtime(anyhow!(
            "no service answers (tried {}); is centra-wms running? start `centra-wms run` (or \
             the services with `centra-wms serve`), or point --config at the settings of the \
             running process",
            addresses.join(", ")
        )));
    }
    let lines: Vec<&str> = silent.iter().map(|s| s.line.as_str()).collect();
    Err(Failure::runtime(anyhow!("{}", lines.join("; "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(service: &'static str, flow: &str, error: &str) -> Row {
        Row {
            service,
            report: pb::FlowReport {
                flow: flow.to_owned(),
                enabled: true,
                last_run_at: Some(prost_types::Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 5,
                }),
                backlog: 12,
                parked: 1,
                last_error: error.to_owned(),
                last_error_at: (!error.is_empty()).then_some(prost_types::Timestamp {
                    seconds: 1_700_000_100,
                    nanos: 0,
                }),
                ..pb::FlowReport::default()
            },
        }
    }

    #[test]
    fn each_budget_is_a_line_with_its_reading_and_hold() {
        let at = |seconds| Some(prost_types::Timestamp { seconds, nanos: 7 });
        let lines = budget_lines(&[
            pb::RateBudget {
                endpoint: "shop1".into(),
                bucket: "mutations".into(),
                window: "1h".into(),
                remaining: 940,
                quota: 1000,
                last_reading_at: at(1_700_000_000),
                held_until: None,
            },
            pb::RateBudget {
                endpoint: "shop1".into(),
                bucket: "requests".into(),
                window: "10s".into(),
                remaining: 0,
                quota: 20,
                last_reading_at: None,
                held_until: at(1_700_000_005),
            },
        ]);
        assert_eq!(
            lines,
            [
                "budget: shop1 mutations/1h 940 of 1000 left (rateLimits read \
                 2023-11-14T22:13:20Z)",
                "budget: shop1 requests/10s 0 of 20 left (rateLimits read -); held by a 429 \
                 until 2023-11-14T22:13:25Z"
            ]
        );
    }

    #[test]
    fn flows_with_warnings_get_a_line_below_the_table() {
        let mut catalog = row("catalog-sync", "articles", "");
        catalog.report.warnings = 2;
        catalog.report.last_warning =
            "SHIRTREDM (shop1:111): ean 7350000000017 is not a valid gtin".to_owned();
        let lines = warning_lines(&[row("order-sync", "shipments", ""), catalog]);
        assert_eq!(
            lines,
            [
                "warning: catalog-sync articles: 2 record(s) need a look, e.g. SHIRTREDM \
              (shop1:111): ean 7350000000017 is not a valid gtin"
            ]
        );
    }

    #[test]
    fn the_table_aligns_columns_and_shows_missing_values_as_dashes() {
        let text = table(&[
            row("order-sync", "shipments", "shipment has no lines"),
            row("catalog-sync", "articles", ""),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with("SERVICE       FLOW       ENABLED"),
            "{text}"
        );
        assert_eq!(
            lines[1],
            "order-sync    shipments  yes      2023-11-14T22:13:20Z  -       12       1       0       \
             2023-11-14T22:15:00Z shipment has no lines"
        );
        assert!(lines[2].ends_with("0       -"), "{text}");
        let flow_column = lines[0].find("FLOW").expect("flow column");
        assert_eq!(lines[2].find("articles"), Some(flow_column));
    }
}
