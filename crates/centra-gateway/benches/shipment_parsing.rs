//! Parsing a Centra shipment (`GET /shipments` element, three lines) into the gateway's
//! [`CentraShipment`], from the answer's text and from parsed JSON: every import poll and
//! webhook reads shipments this way. The fixture `shipment.json` is centra-sim's answer for a
//! paid good-to-go shipment. `cargo bench -p centra-gateway --bench shipment_parsing`;
//! `make bench` runs it with a short measurement and prints the median per shipment.

use std::hint::black_box;

use centra_gateway::client::CentraShipment;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;

const SHIPMENT: &str = include_str!("shipment.json");

fn parsing(c: &mut Criterion) {
    let zone = chrono_tz::Europe::Stockholm;
    let value: Value = serde_json::from_str(SHIPMENT).expect("fixture is JSON");
    CentraShipment::parse(&value, "shipments[0]", zone).expect("fixture is a shipment");
    c.bench_function("centra-gateway/CentraShipment::parse, 3 lines", |b| {
        b.iter(|| CentraShipment::parse(black_box(&value), "shipments[0]", zone));
    });
    c.bench_function("centra-gateway/shipment from JSON text, 3 lines", |b| {
        b.iter(|| {
            let value: Value = serde_json::from_str(black_box(SHIPMENT)).expect("JSON");
            CentraShipment::parse(&value, "shipments[0]", zone)
        });
    });
}

criterion_group!(benches, parsing);
criterion_main!(benches);
