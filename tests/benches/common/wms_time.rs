//! Where the WMS's time goes in an import drain: how much of it Ongoing spent answering calls,
//! how long a call took, and how long Ongoing waited between one answer and the next call.
//!
//! Ongoing takes one call at a time per goods owner (and ours keeps that rule, as the minimal
//! client does), so the calls follow each other, and a drain's rate is the WMS's busy share
//! over the time of one call. The gap between an answer and the next call is the client's own
//! time per call: its work on the answer and whatever it waits for before it sends again (in
//! ours: the next order reaching ongoing-gateway, the hand-over of the goods owner's lane).
//! Read from ongoing-sim's request log (`arrivedAt`, `completedAt`, microseconds), over the
//! span from the first `PUT /orders` to the answer of the last, with every Ongoing call in
//! that span (other polls' calls included: they take the WMS's time too).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Spread, order_written, spread};

/// One drain's WMS time (zeros for a drain without `PUT /orders`).
#[derive(Debug, Default, Clone, Copy)]
pub struct WmsTime {
    /// Share of the span Ongoing was answering a call.
    pub busy: f64,
    /// Median time of one `PUT /orders`, from its arrival to its answer.
    pub call_ms: f64,
    /// Median time from one call's answer to the next call's arrival: the usual hand-over.
    pub gap_ms: f64,
    /// Mean of the same: the usual hand-over and the long waits (a listing page's turn).
    pub gap_mean_ms: f64,
}

fn at(entry: &Value, field: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(entry[field].as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn ms(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().unwrap_or(0) as f64 / 1000.0
}

/// The WMS time of the answered calls among `entries` of ongoing-sim's log.
pub fn wms_time(entries: &[Value]) -> WmsTime {
    // (arrived, answered, a `PUT /orders`), in the order they arrived; a call still in flight
    // has no answer time and is left out.
    let mut calls: Vec<(DateTime<Utc>, DateTime<Utc>, bool)> = entries
        .iter()
        .filter_map(|e| Some((at(e, "arrivedAt")?, at(e, "completedAt")?, order_written(e))))
        .collect();
    calls.sort_by_key(|c| c.0);
    let (Some(first), Some(last)) = (
        calls.iter().position(|c| c.2),
        calls.iter().rposition(|c| c.2),
    ) else {
        return WmsTime::default();
    };
    let span = &calls[first..=last];
    let whole = ms(span[0].0, span[span.len() - 1].1);
    let busy: f64 = span.iter().map(|c| ms(c.0, c.1)).sum();
    let puts: Vec<f64> = span.iter().filter(|c| c.2).map(|c| ms(c.0, c.1)).collect();
    let gaps: Vec<f64> = span
        .windows(2)
        .map(|w| ms(w[0].1, w[1].0).max(0.0))
        .collect();
    WmsTime {
        busy: if whole > 0.0 { busy / whole } else { 0.0 },
        call_ms: spread(&puts).median,
        gap_ms: spread(&gaps).median,
        gap_mean_ms: gaps.iter().sum::<f64>() / gaps.len().max(1) as f64,
    }
}

/// The WMS time table's columns.
pub const WMS_TIME_HEADERS: [&str; 9] = [
    "sim latency",
    "ours: WMS busy",
    "ours: one call ms",
    "ours: gap ms, median",
    "ours: gap ms, mean",
    "minimal: WMS busy",
    "minimal: one call ms",
    "minimal: gap ms, median",
    "minimal: gap ms, mean",
];

/// The WMS time table's note.
pub const WMS_TIME_NOTE: &str = "Of the import drain in the table above, read from \
    ongoing-sim's request log over the span from the first `PUT /orders` to the answer of the \
    last: the share of the span Ongoing was answering a call (every Ongoing call in the span), \
    the median time of one `PUT /orders`, and the gap from one answer to the next call, its \
    median (the usual hand-over) and mean (with the long waits, a listing page's turn). One \
    call in flight on both sides, so the calls follow each other and the gaps are the \
    client's own time per call. Median of the runs (min–max).";

/// One row of the WMS time table: ours and the minimal client's, over the runs.
pub fn wms_time_row(latency_ms: u64, ours: &[WmsTime], minimal: &[WmsTime]) -> Vec<String> {
    let of = |times: &[WmsTime], f: fn(&WmsTime) -> f64| -> Spread {
        spread(&times.iter().map(f).collect::<Vec<_>>())
    };
    vec![
        format!("{latency_ms} ms"),
        of(ours, |t| t.busy * 100.0).show(0) + " %",
        of(ours, |t| t.call_ms).show(2),
        of(ours, |t| t.gap_ms).show(2),
        of(ours, |t| t.gap_mean_ms).show(2),
        of(minimal, |t| t.busy * 100.0).show(0) + " %",
        of(minimal, |t| t.call_ms).show(2),
        of(minimal, |t| t.gap_ms).show(2),
        of(minimal, |t| t.gap_mean_ms).show(2),
    ]
}
