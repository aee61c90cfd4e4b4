//! The minimal clients a backlog drain is measured against (the "ratio to the limit"):
//! a loop of the fewest calls the APIs allow, one request in flight, at the Centra end-point's
//! configured request rate, in the same simulators with the same latency as the drain. Both
//! shapes' drains (`backlog_drain`, `distributed_drain`) use them, so their ratios share one
//! denominator.

use std::time::{Duration, Instant};

use centra_wms_tests::e2e::Sims;
use serde_json::{Value, json};

use super::cpu::{CpuMark, shared_label};
use super::drain::MinimalImport;
use super::wms_time::wms_time;
use super::{Sim, last_seq, log_since, order_written, seed_order, shipment_completed};

/// The first answered body of a call matching `wanted` in `sim`'s log.
async fn template(sims: &Sims, sim: Sim, wanted: fn(&Value) -> bool) -> Value {
    let (entries, _) = super::answered(sims, sim, 0).await;
    entries
        .into_iter()
        .find(wanted)
        .map(|mut e| e["body"].take())
        .expect("a call to copy")
}

/// The minimal import client: the fewest calls both APIs allow, one in flight, a loop of one
/// listing page of 100 shipments (`GET /shipments`, at the Centra end-point's configured
/// request rate, as ours keeps it) and 100 `PUT /orders`: 1/100 listing calls per imported
/// shipment, the minimum; orders per second. The pages are real full pages where the store has
/// them: of the good-to-go list while a page of it is still waiting (`waiting` shipments),
/// else of the completed list (at `bench-large` sizes every shipment is completed before this
/// runs), reading from the start again past the end. The bodies are the first order ours
/// wrote, renumbered. With the WMS's time and the CPU of each process during it.
pub async fn minimal_import(sims: &Sims, count: usize, waiting: usize, rate: u32) -> MinimalImport {
    const PAGE: usize = 100;
    let since = last_seq(sims, Sim::Ongoing).await;
    let mut body = template(sims, Sim::Ongoing, order_written).await;
    let orders = format!("{}/orders", sims.ongoing.api_url());
    let shipments = format!("{}/shipments", sims.centra.base_url());
    let (status, listed) = if waiting >= PAGE {
        ("goodtogo", waiting)
    } else {
        ("completed", count.saturating_sub(waiting))
    };
    let pages_in_list = (listed / PAGE).max(1);
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    let cpu = CpuMark::now();
    let started = Instant::now();
    let mut n = 0;
    for page in 0.. {
        if n == count {
            break;
        }
        pace.tick().await;
        let offset = (page % pages_in_list) * PAGE;
        let answer = sims
            .http
            .get(&shipments)
            .query(&[
                ("status", status.to_owned()),
                ("limit", PAGE.to_string()),
                ("offset", offset.to_string()),
            ])
            .header("API-Authorization", "sandbox-secret")
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
        let _page: Value = answer.json().await.expect("a page");
        for _ in 0..PAGE.min(count - n) {
            body["orderNumber"] = json!(format!("MIN-{n}"));
            let answer = sims
                .http
                .put(&orders)
                .basic_auth("sandbox", Some("sandbox"))
                .json(&body)
                .send()
                .await
                .expect("answered");
            assert!(answer.status().is_success(), "{}", answer.status());
            n += 1;
        }
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let cpu = cpu.since(|pid, comm| shared_label(pid, comm, BENCH_PROCESS));
    MinimalImport {
        rate,
        wms: wms_time(&log_since(sims, Sim::Ongoing, since).await),
        cpu,
    }
}

/// The bench's own process in the CPU table: both simulators and the bench's client (and in
/// the embedded shape, the runtime under test).
pub const BENCH_PROCESS: &str = "bench process";

/// The minimal Centra client over `count` new good-to-go shipments, one call in flight at the
/// gateway's configured request rate: per shipment one read of its current state
/// (`GET /shipment/{id}?status=goodtogo`, which answers `paid` and "not completed") and one
/// `PUT /shipment`; shipments per second.
pub async fn minimal_complete(sims: &Sims, count: usize, sizes: usize, rate: u32) -> f64 {
    let mut body = template(sims, Sim::Centra, shipment_completed).await;
    let mut shipments = Vec::new();
    for n in 0..count {
        shipments.push(seed_order(sims, n, sizes, true).await);
    }
    let url = format!("{}/shipment", sims.centra.base_url());
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    let started = Instant::now();
    for id in shipments {
        pace.tick().await;
        let read = sims
            .http
            .get(format!("{}/shipment/{id}", sims.centra.base_url()))
            .query(&[("status", "goodtogo")])
            .header("API-Authorization", "sandbox-secret")
            .send()
            .await
            .expect("answered");
        assert!(read.status().is_success(), "{}", read.status());
        pace.tick().await;
        let order = id.split_once('-').map_or(id.as_str(), |(o, _)| o);
        body["order"] = match body["order"] {
            Value::Number(_) => json!(order.parse::<u64>().expect("numeric order")),
            _ => json!(order),
        };
        body["shipment"] = json!(id);
        let answer = sims
            .http
            .put(&url)
            .header("API-Authorization", "sandbox-secret")
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    count as f64 / started.elapsed().as_secs_f64()
}
