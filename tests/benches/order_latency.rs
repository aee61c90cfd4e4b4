//! Event latency in the embedded shape: a good-to-go shipment in Centra until its order is in
//! the WMS (`PUT /orders` answered by ongoing-sim), and a WMS order shipped with a waybill
//! until the shipment is completed in Centra (`PUT /shipment` answered by centra-sim).
//!
//! `cargo bench -p centra-wms-tests --bench order_latency [-- --n 50 --poll-n 10
//! --poll-interval-s 2]`. One shipment at a time (a latency, not a throughput), timed from the
//! control call that makes the shipment good to go (or ships the WMS order) to the answered API
//! call, read from the simulators' request logs every 5 ms. Modes: webhooks on both
//! simulators with the polls at 15 minutes (the seed's default, so only webhooks wake them), at
//! 0 ms and 50 ms simulated latency on every API call; then polls only, at a short interval.
//! Every figure is the median of 3 runs (fresh simulators and runtime) with min and max. The
//! same modes in the distributed shape: `distributed`.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::time::Duration;

use common::latency::{HEADERS, Latencies, Trigger, note, rows, run_alone};
use common::shape::Shape;
use common::{RUNS, arg, table};

fn main() {
    let shipments: usize = arg("n", 50);
    let poll_shipments: usize = arg("poll-n", 10);
    let poll = Duration::from_secs(arg("poll-interval-s", 2));
    let webhooks = |latency_ms| Trigger {
        webhooks: true,
        interval: Duration::from_secs(15 * 60),
        latency_ms,
        shipments,
    };
    let triggers = [
        webhooks(0),
        webhooks(50),
        Trigger {
            webhooks: false,
            interval: poll,
            latency_ms: 0,
            shipments: poll_shipments,
        },
    ];
    let tokio = common::tokio();
    let mut table_rows = Vec::new();
    for trigger in &triggers {
        let runs: Vec<Latencies> = (0..RUNS)
            .map(|_| tokio.block_on(run_alone(Shape::Embedded, trigger)))
            .collect();
        table_rows.extend(rows(trigger, &runs.iter().collect::<Vec<_>>()));
    }
    table(
        "Event latency (embedded shape)",
        &note(RUNS, poll),
        &HEADERS,
        &table_rows,
    );
}
