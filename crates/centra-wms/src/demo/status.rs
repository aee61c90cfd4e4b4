//! The sandbox's live view: every second both simulators' `GET /_sim/state`, counted per flow
//! and state. On a terminal an `indicatif` progress bar (the catalogue import) and one line per
//! flow; otherwise a plain status line every few seconds. Stopping prints the final summary.
//!
//! Counts come only from the simulators (what really happened on each side), plus the demo's
//! own count of stock moves, which the WMS simulator does not list. Stock counts the articles
//! whose available stock in Centra equals what the WMS can sell (stock-sync's aim at rest).

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use platform_runtime::CancellationToken;
use serde_json::Value;

use super::control::{ControlApi, rows};
use super::warehouse::WarehouseView;

/// How often a plain (non-terminal) status line is printed.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// What both simulators show, per flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowCounts {
    pub sizes_in_centra: u64,
    pub articles_in_wms: u64,
    pub orders_in_centra: u64,
    pub orders_in_wms: u64,
    pub shipped_by_wms: u64,
    pub completed_in_centra: u64,
    pub captured_in_centra: u64,
    pub deliveries_in_centra: u64,
    pub purchase_orders_in_wms: u64,
    pub received_in_wms: u64,
    pub accepted_in_centra: u64,
    pub returns_in_wms: u64,
    pub returns_in_centra: u64,
    pub stock_moves_in_wms: u64,
    pub stock_equal_in_centra: u64,
}

fn count(items: &[Value], keep: impl Fn(&Value) -> bool) -> u64 {
    items.iter().filter(|item| keep(item)).count() as u64
}

/// Articles whose available stock in Centra is what the WMS can sell (never below 0).
fn stock_equal(centra: &Value, wms: &WarehouseView) -> u64 {
    let number = |v: f64| v.round() as i64;
    let available: std::collections::HashMap<&str, i64> = rows(centra, "stock")
        .iter()
        .filter_map(|s| Some((s["key"].as_str()?, number(s["available"].as_f64()?))))
        .collect();
    wms.stock
        .iter()
        .filter(|row| {
            available
                .get(row.article.as_str())
                .is_some_and(|centra| *centra == number(row.sellable).max(0))
        })
        .count() as u64
}

impl FlowCounts {
    /// Counts from the Centra simulator's `/_sim/state`, the warehouse, and the demo's stock
    /// moves.
    pub fn read(centra: &Value, wms: &WarehouseView, stock_moves: u64) -> Self {
        let shipments = rows(centra, "shipments");
        let deliveries = rows(centra, "supplierDeliveries");
        Self {
            sizes_in_centra: rows(centra, "stock").len() as u64,
            articles_in_wms: wms.articles.len() as u64,
            orders_in_centra: rows(centra, "orders").len() as u64,
            orders_in_wms: wms.orders.len() as u64,
            shipped_by_wms: wms.orders.iter().filter(|o| o.shipped).count() as u64,
            completed_in_centra: count(shipments, |s| s["completed"] == true),
            captured_in_centra: count(shipments, |s| s["captureCount"].as_u64() > Some(0)),
            deliveries_in_centra: deliveries.len() as u64,
            purchase_orders_in_wms: wms.purchase_orders.len() as u64,
            received_in_wms: wms.purchase_orders.iter().filter(|p| p.received).count() as u64,
            accepted_in_centra: count(deliveries, |d| d["accepted"] == true),
            returns_in_wms: wms.returned_items.round() as u64,
            returns_in_centra: rows(centra, "returns").len() as u64,
            stock_moves_in_wms: stock_moves,
            stock_equal_in_centra: stock_equal(centra, wms),
        }
    }

    // The lines of the view and the summary: each fits an 80-column terminal.

    pub fn catalogue(&self) -> String {
        format!(
            "catalogue  {} sizes in Centra, {} articles in WMS",
            self.sizes_in_centra, self.articles_in_wms
        )
    }

    pub fn orders(&self) -> String {
        format!(
            "orders     {} created, {} in WMS, {} shipped, {} completed, {} captured",
            self.orders_in_centra,
            self.orders_in_wms,
            self.shipped_by_wms,
            self.completed_in_centra,
            self.captured_in_centra
        )
    }

    pub fn purchases(&self) -> String {
        format!(
            "purchases  {} created, {} in WMS, {} received, {} accepted in Centra",
            self.deliveries_in_centra,
            self.purchase_orders_in_wms,
            self.received_in_wms,
            self.accepted_in_centra
        )
    }

    pub fn returns(&self) -> String {
        format!(
            "returns    {} items returned in WMS, {} returns in Centra",
            self.returns_in_wms, self.returns_in_centra
        )
    }

    pub fn stock(&self) -> String {
        format!(
            "stock      {} moves in WMS, {}/{} articles equal in Centra",
            self.stock_moves_in_wms, self.stock_equal_in_centra, self.articles_in_wms
        )
    }

    /// One line for logs and pipes.
    pub fn plain_line(&self) -> String {
        format!(
            "status: catalogue {}/{} articles in wms | orders {} created, {} imported, {} \
             shipped, {} completed, {} captured | purchase orders {} created, {} in wms, {} \
             received, {} accepted | returns {} in wms, {} in centra | stock moves {} in wms, \
             {} articles equal in centra",
            self.articles_in_wms,
            self.sizes_in_centra,
            self.orders_in_centra,
            self.orders_in_wms,
            self.shipped_by_wms,
            self.completed_in_centra,
            self.captured_in_centra,
            self.deliveries_in_centra,
            self.purchase_orders_in_wms,
            self.received_in_wms,
            self.accepted_in_centra,
            self.returns_in_wms,
            self.returns_in_centra,
            self.stock_moves_in_wms,
            self.stock_equal_in_centra
        )
    }

    /// The final summary, a line per flow.
    pub fn summary(&self) -> String {
        [
            "summary:".to_owned(),
            self.catalogue(),
            self.orders(),
            self.purchases(),
            self.returns(),
            self.stock(),
        ]
        .join("\n")
    }
}

/// Reads both simulators' state into counts.
pub async fn read_counts(
    control: &ControlApi,
    stock_moves: &AtomicU64,
) -> anyhow::Result<FlowCounts> {
    let (centra, wms) = tokio::try_join!(control.centra_state(), control.warehouse_view())?;
    Ok(FlowCounts::read(
        &centra,
        &wms,
        stock_moves.load(Ordering::Relaxed),
    ))
}

/// Where the view draws.
enum Display {
    Terminal(TerminalView),
    Plain { since_print: Duration },
}

/// The progress bar and the per-flow lines on a terminal.
struct TerminalView {
    multi: MultiProgress,
    catalogue: ProgressBar,
    lines: [ProgressBar; 4],
}

impl TerminalView {
    fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
        let catalogue = multi.add(ProgressBar::new(0));
        if let Ok(style) = ProgressStyle::with_template(
            "catalogue  [{bar:24.cyan/blue}] {pos}/{len} articles in WMS {msg}",
        ) {
            catalogue.set_style(style.progress_chars("=> "));
        }
        let line = || {
            let bar = multi.add(ProgressBar::new_spinner());
            if let Ok(style) = ProgressStyle::with_template("{msg}") {
                bar.set_style(style);
            }
            bar
        };
        let lines = [line(), line(), line(), line()];
        Self {
            multi,
            catalogue,
            lines,
        }
    }

    fn show(&self, counts: &FlowCounts) {
        self.catalogue.set_length(counts.sizes_in_centra);
        self.catalogue.set_position(counts.articles_in_wms);
        let done = counts.sizes_in_centra > 0 && counts.articles_in_wms >= counts.sizes_in_centra;
        self.catalogue
            .set_message(if done { "(imported)" } else { "" });
        let texts = [
            counts.orders(),
            counts.purchases(),
            counts.returns(),
            counts.stock(),
        ];
        for (bar, text) in self.lines.iter().zip(texts) {
            bar.set_message(text);
        }
    }

    fn clear(&self) {
        let _ = self.multi.clear();
    }
}

/// Shows the counts every second until `shutdown`; returns the last counts it read.
pub async fn watch(
    control: ControlApi,
    stock_moves: Arc<AtomicU64>,
    shutdown: CancellationToken,
) -> FlowCounts {
    let mut display = if std::io::stdout().is_terminal() {
        Display::Terminal(TerminalView::new())
    } else {
        Display::Plain {
            since_print: Duration::ZERO,
        }
    };
    let mut last = FlowCounts::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = tick.tick() => {}
        }
        match read_counts(&control, &stock_moves).await {
            Ok(counts) => last = counts,
            Err(error) => {
                tracing::debug!(%error, "simulator state not read");
                continue;
            }
        }
        match &mut display {
            Display::Terminal(view) => view.show(&last),
            Display::Plain { since_print } => {
                *since_print += Duration::from_secs(1);
                if *since_print >= PLAIN_EVERY {
                    *since_print = Duration::ZERO;
                    println!("{}", last.plain_line());
                }
            }
        }
    }
    if let Display::Terminal(view) = &display {
        view.clear();
    }
    last
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::demo::warehouse::Warehouse;

    fn ongoing(state: &Value) -> WarehouseView {
        WarehouseView::read(&Warehouse::Ongoing(String::new()), state)
    }

    #[test]
    fn counts_each_flow_from_both_states() {
        let centra = json!({
            "orders": [{"orderId": "1"}, {"orderId": "2"}],
            "shipments": [
                {"shipmentId": "1-1", "completed": true, "captureCount": 1},
                {"shipmentId": "2-1", "completed": false, "captureCount": 0}
            ],
            "stock": [{"key": "a", "available": 5}, {"key": "b", "available": 3},
                      {"key": "c", "available": 0}],
            "returns": [],
            "supplierDeliveries": [{"id": "1", "accepted": true}, {"id": "2", "accepted": false}]
        });
        let wms = json!({
            "articles": [{"articleNumber": "a"}, {"articleNumber": "b"}],
            "orders": [
                {"orderNumber": "1-1", "shippedTime": "2026-01-01T00:00:00Z"},
                {"orderNumber": "2-1", "shippedTime": null}
            ],
            "purchaseOrders": [
                {"purchaseOrderNumber": "1", "lines": [{"received": 4.0}]},
                {"purchaseOrderNumber": "2", "lines": [{"received": 0.0}]}
            ],
            "returns": [{"orderNumber": "1-1", "returned": 1}],
            "inventory": [{"articleNumber": "a", "sellableNumberOfItems": 5.0},
                          {"articleNumber": "b", "sellableNumberOfItems": 2.0},
                          {"articleNumber": "c", "sellableNumberOfItems": -1.0}]
        });
        let counts = FlowCounts::read(&centra, &ongoing(&wms), 3);
        assert_eq!(
            counts,
            FlowCounts {
                sizes_in_centra: 3,
                articles_in_wms: 2,
                orders_in_centra: 2,
                orders_in_wms: 2,
                shipped_by_wms: 1,
                completed_in_centra: 1,
                captured_in_centra: 1,
                deliveries_in_centra: 2,
                purchase_orders_in_wms: 2,
                received_in_wms: 1,
                accepted_in_centra: 1,
                returns_in_wms: 1,
                returns_in_centra: 0,
                stock_moves_in_wms: 3,
                // a is equal, b is not, c sells nothing on either side.
                stock_equal_in_centra: 2,
            }
        );
        let summary = counts.summary();
        assert!(summary.starts_with("summary:"), "{summary}");
        assert!(summary.contains("1 completed, 1 captured"), "{summary}");
        assert!(
            summary.contains("2/2 articles equal in Centra"),
            "{summary}"
        );
    }

    #[test]
    fn empty_states_count_nothing() {
        assert_eq!(
            FlowCounts::read(&json!({}), &ongoing(&json!({})), 0),
            FlowCounts::default()
        );
    }
}
