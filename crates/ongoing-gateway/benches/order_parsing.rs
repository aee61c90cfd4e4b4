//! Parsing an Ongoing order (`GET /orders/{id}`, `GetOrderModel`, three lines, shipped with a
//! waybill and one returned unit) into the gateway's [`OrderModel`], and the events the
//! detectors make of it: every shipped and returns poll reads orders this way. The fixture
//! `order.json` is ongoing-sim's answer. `cargo bench -p ongoing-gateway --bench
//! order_parsing`; `make bench` runs it with a short measurement and prints the median per
//! order.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::settings::WmsStatusMapping;
use ongoing_gateway::client::models::OrderModel;
use ongoing_gateway::detect::{return_event, shipped_event};

const ORDER: &str = include_str!("order.json");

fn parsing(c: &mut Criterion) {
    let statuses = WmsStatusMapping::default();
    let now = Utc::now();
    let order: OrderModel = serde_json::from_str(ORDER).expect("fixture is an order");
    assert!(
        shipped_event("sandbox", &order, &statuses, now)
            .expect("fixture reads")
            .is_some(),
        "the fixture is shipped"
    );
    assert!(
        return_event("sandbox", &order, now)
            .expect("fixture reads")
            .is_some(),
        "the fixture has a return"
    );
    c.bench_function("ongoing-gateway/OrderModel from JSON text, 3 lines", |b| {
        b.iter(|| serde_json::from_str::<OrderModel>(black_box(ORDER)));
    });
    c.bench_function("ongoing-gateway/shipped_event, 3 lines", |b| {
        b.iter(|| shipped_event("sandbox", black_box(&order), &statuses, now));
    });
    c.bench_function("ongoing-gateway/return_event, 3 lines", |b| {
        b.iter(|| return_event("sandbox", black_box(&order), now));
    });
}

criterion_group!(benches, parsing);
criterion_main!(benches);
