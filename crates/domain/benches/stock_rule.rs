//! The stock rule ([`domain::stock::stock_decision`]) per article: stock-sync runs it for every
//! article of every check and reconcile, so a full reconcile of 100,000 articles is 100,000
//! decisions. `cargo bench -p domain --bench stock_rule`; `make bench` runs it with a short
//! measurement and prints the median per decision.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use domain::stock::{CentraStock, WmsStock, stock_decision};

/// The cases of the rule's worked example: settled, units in flight on either side, a negative
/// sellable stock, a target below the allocation.
fn cases() -> Vec<(WmsStock, CentraStock)> {
    vec![
        (
            WmsStock {
                physical: 10,
                sellable: 10,
            },
            CentraStock {
                physical: 10,
                allocated: 0,
            },
        ),
        (
            WmsStock {
                physical: 10,
                sellable: 7,
            },
            CentraStock {
                physical: 10,
                allocated: 2,
            },
        ),
        (
            WmsStock {
                physical: 3,
                sellable: -2,
            },
            CentraStock {
                physical: 8,
                allocated: 5,
            },
        ),
        (
            WmsStock {
                physical: 0,
                sellable: 0,
            },
            CentraStock {
                physical: 4,
                allocated: 4,
            },
        ),
    ]
}

fn stock_rule(c: &mut Criterion) {
    let cases = cases();
    c.bench_function("domain/stock_decision, one article", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % cases.len();
            let (wms, centra) = cases[i];
            stock_decision(black_box(wms), black_box(centra))
        });
    });
}

criterion_group!(benches, stock_rule);
criterion_main!(benches);
