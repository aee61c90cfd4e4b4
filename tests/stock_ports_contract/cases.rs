//! The contract: what `WmsStockSource` and `CentraStockTarget` promise (see
//! `stock_sync::ports`), one plain async fn per case, run by `main.rs` against every
//! implementation.

use std::collections::{BTreeMap, BTreeSet};

use domain::{PortError, PortErrorKind, WmsStock};
use stock_sync::ports::CentraStockRow;

use crate::world::{CentraWorld, ENDPOINT, WAREHOUSE, WmsWorld, joined_sku, product_id, size_ean};

/// Pages walked at most before a case calls the paging endless.
const MAX_PAGES: usize = 100;

/// The error of `result`, failing the case on success.
fn failure<T: std::fmt::Debug>(what: &str, result: Result<T, PortError>) -> PortError {
    match result {
        Ok(answer) => panic!("{what}: expected a failure, got Ok({answer:?})"),
        Err(error) => error,
    }
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn level(units: i64) -> WmsStock {
    WmsStock {
        physical: units,
        sellable: units,
    }
}

/// The row of `key` (joined SKU) among `rows`, failing the case when it is not there once.
fn row_of<'a>(rows: &'a [CentraStockRow], key: &str) -> &'a CentraStockRow {
    let found: Vec<&CentraStockRow> = rows.iter().filter(|r| r.joined_sku == key).collect();
    assert_eq!(found.len(), 1, "one row of {key} in {rows:?}");
    found[0]
}

/// Reading named articles returns the levels of those the WMS holds (none it was not asked
/// for), and names every other one in `not_found`.
pub async fn wms_read_names_levels_and_the_unknown(world: &impl WmsWorld) {
    world
        .hold(&[
            ("CT-A".into(), 7),
            ("CT-B".into(), 0),
            ("CT-OTHER".into(), 3),
        ])
        .await;
    let read = world
        .port()
        .read(WAREHOUSE, &names(&["CT-A", "CT-GONE", "CT-B"]))
        .await
        .expect("read");
    assert_eq!(
        read.levels,
        BTreeMap::from([("CT-A".to_owned(), level(7)), ("CT-B".to_owned(), level(0))]),
        "{read:?}"
    );
    assert_eq!(read.not_found, ["CT-GONE"], "{read:?}");
}

/// Reads are fresh: a change in the WMS shows in the next read.
pub async fn wms_reads_are_fresh(world: &impl WmsWorld) {
    world.hold(&[("CT-FRESH".into(), 4)]).await;
    let port = world.port();
    let first = port.read(WAREHOUSE, &names(&["CT-FRESH"])).await;
    assert_eq!(first.expect("first read").levels["CT-FRESH"], level(4));
    world.hold(&[("CT-FRESH".into(), 9)]).await;
    let second = port.read(WAREHOUSE, &names(&["CT-FRESH"])).await;
    assert_eq!(second.expect("second read").levels["CT-FRESH"], level(9));
}

/// More than 100 named articles is a request to change: `Refused`, not retryable.
pub async fn wms_read_of_more_than_100_is_refused(world: &impl WmsWorld) {
    world.hold(&[("CT-A".into(), 1)]).await;
    let many: Vec<String> = (0..101).map(|i| format!("CT-{i}")).collect();
    let error = failure(
        "read of 101 articles",
        world.port().read(WAREHOUSE, &many).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable(), "{error}");
}

/// Paging from 0 to the end reaches every article exactly once, with its level.
pub async fn wms_paging_reaches_every_article_once(world: &impl WmsWorld) {
    let held: BTreeMap<String, i64> = (0..120)
        .map(|i| (format!("CT-PAGE-{i:03}"), i64::from(i % 7 == 0) * (i + 1)))
        .collect();
    world
        .hold(
            &held
                .iter()
                .map(|(n, u)| (n.clone(), *u))
                .collect::<Vec<_>>(),
        )
        .await;
    let port = world.port();
    let mut seen: BTreeMap<String, WmsStock> = BTreeMap::new();
    let mut from = 0;
    for page_number in 0.. {
        assert!(page_number < MAX_PAGES, "paging ends");
        let page = port.page(WAREHOUSE, from).await.expect("page");
        for (number, stock) in page.levels {
            assert!(
                seen.insert(number.clone(), stock).is_none(),
                "{number} on two pages"
            );
        }
        match page.next {
            Some(next) => {
                assert!(next > from, "the next page starts after this one");
                from = next;
            }
            None => break,
        }
    }
    let expected: BTreeMap<String, WmsStock> =
        held.iter().map(|(n, u)| (n.clone(), level(*u))).collect();
    assert_eq!(seen, expected);
}

/// A read or a page while the WMS is down fails `Unavailable`, retryable.
pub async fn wms_down_is_unavailable(world: &impl WmsWorld) {
    world.hold(&[("CT-A".into(), 2)]).await;
    world.go_down().await;
    let error = failure(
        "read while the WMS is down",
        world.port().read(WAREHOUSE, &names(&["CT-A"])).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
    world.go_down().await;
    let error = failure(
        "page while the WMS is down",
        world.port().page(WAREHOUSE, 0).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}

/// Reading named products returns every size item of those, with both keys and the stock,
/// and nothing of other products; a product Centra does not have has no rows, no failure.
pub async fn centra_read_returns_every_size_of_named_products(world: &impl CentraWorld) {
    world.sell(&[(1, 0), (1, 1), (2, 0)], 12).await;
    let rows = world
        .port()
        .read(ENDPOINT, &[product_id(1), product_id(9)])
        .await
        .expect("read");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for size in 0..2 {
        let row = row_of(&rows, &joined_sku(1, size));
        assert_eq!(row.product_id, product_id(1));
        assert_eq!(row.ean, size_ean(1, size));
        assert_eq!(
            (row.stock.physical, row.stock.allocated),
            (12, 0),
            "{row:?}"
        );
        assert!(row.is(&size_ean(1, size)) && row.is(&joined_sku(1, size)));
    }
}

/// A product id that is not a Centra product id is a request to change: `Refused`.
pub async fn centra_read_of_a_bad_id_is_refused(world: &impl CentraWorld) {
    world.sell(&[(1, 0)], 1).await;
    let error = failure(
        "read of a bad product id",
        world
            .port()
            .read(ENDPOINT, &[product_id(1), "P1-BL-0".to_owned()])
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable(), "{error}");
}

/// Paging from the first page to the end reaches every size item exactly once.
pub async fn centra_paging_reaches_every_item_once(world: &impl CentraWorld) {
    let items: Vec<(usize, usize)> = (0..9).flat_map(|p| (0..10).map(move |s| (p, s))).collect();
    world.sell(&items, 5).await;
    let port = world.port();
    let mut seen = BTreeSet::new();
    let mut token = None;
    for page_number in 0.. {
        assert!(page_number < MAX_PAGES, "paging ends");
        let (rows, next) = port.page(ENDPOINT, token).await.expect("page");
        for row in rows {
            assert_eq!(row.stock.physical, 5, "{row:?}");
            assert!(seen.insert(row.joined_sku.clone()), "{row:?} on two pages");
        }
        match next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    let expected: BTreeSet<String> = items.iter().map(|(p, s)| joined_sku(*p, *s)).collect();
    assert_eq!(seen, expected);
}

/// A write is absolute, by either key (joined SKU or EAN): it sets the physical stock, and the
/// same write again changes nothing.
pub async fn centra_write_is_absolute(world: &impl CentraWorld) {
    world.sell(&[(3, 0), (3, 1), (3, 2)], 50).await;
    let port = world.port();
    let levels = BTreeMap::from([(joined_sku(3, 0), 7), (size_ean(3, 1), 0)]);
    for attempt in ["first", "second"] {
        let outcome = port.write(ENDPOINT, &levels).await;
        assert_eq!(outcome, Ok(Default::default()), "{attempt} write");
        let rows = port.read(ENDPOINT, &[product_id(3)]).await.expect("read");
        let physical = |size| row_of(&rows, &joined_sku(3, size)).stock.physical;
        assert_eq!(
            [physical(0), physical(1), physical(2)],
            [7, 0, 50],
            "after the {attempt} write"
        );
    }
}

/// A write never fails for one unknown product: it is named, every other product is set.
pub async fn centra_write_names_unknown_products(world: &impl CentraWorld) {
    world.sell(&[(4, 0)], 50).await;
    let port = world.port();
    let levels = BTreeMap::from([(joined_sku(4, 0), 3), ("CT-NOWHERE".to_owned(), 4)]);
    let outcome = port.write(ENDPOINT, &levels).await.expect("write");
    assert_eq!(outcome.not_found, ["CT-NOWHERE"], "{outcome:?}");
    assert!(outcome.bundles.is_empty(), "{outcome:?}");
    let rows = port.read(ENDPOINT, &[product_id(4)]).await.expect("read");
    assert_eq!(row_of(&rows, &joined_sku(4, 0)).stock.physical, 3);
}

/// A negative level refuses the write as a whole: `Refused`, and nothing is set.
pub async fn centra_negative_write_is_refused(world: &impl CentraWorld) {
    world.sell(&[(5, 0), (5, 1)], 50).await;
    let port = world.port();
    let levels = BTreeMap::from([(joined_sku(5, 0), 3), (joined_sku(5, 1), -1)]);
    let error = failure(
        "write of a negative level",
        port.write(ENDPOINT, &levels).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable(), "{error}");
    let rows = port.read(ENDPOINT, &[product_id(5)]).await.expect("read");
    assert_eq!(row_of(&rows, &joined_sku(5, 0)).stock.physical, 50, "unset");
}

/// A write, a read or a page while Centra is down fails `Unavailable`, retryable.
pub async fn centra_down_is_unavailable(world: &impl CentraWorld) {
    world.sell(&[(6, 0)], 50).await;
    world.go_down().await;
    let levels = BTreeMap::from([(joined_sku(6, 0), 1)]);
    let error = failure(
        "write while Centra is down",
        world.port().write(ENDPOINT, &levels).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
    world.go_down().await;
    let error = failure(
        "read while Centra is down",
        world.port().read(ENDPOINT, &[product_id(6)]).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
    world.go_down().await;
    let error = failure(
        "page while Centra is down",
        world.port().page(ENDPOINT, None).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}
