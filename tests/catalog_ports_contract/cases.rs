//! The contract: what `CatalogSource` and `ArticleSink` promise (see `catalog_sync::ports`),
//! one plain async fn per case, run by `main.rs` against every implementation.

use std::collections::BTreeSet;

use catalog_sync::ports::{ArticleWrite, PortError, PortErrorKind};
use catalog_sync::rules::WmsArticle;

use crate::world::{ArticleWorld, CatalogWorld, ENDPOINT, product_id, size_ean, stock_item_id};

/// The error of `result`, failing the case on success.
fn failure<T: std::fmt::Debug>(what: &str, result: Result<T, PortError>) -> PortError {
    match result {
        Ok(answer) => panic!("{what}: expected a failure, got Ok({answer:?})"),
        Err(error) => error,
    }
}

fn article(number: &str) -> WmsArticle {
    WmsArticle {
        article_number: number.into(),
        name: format!("Shirt {number}"),
        product_code: "CT".into(),
        bar_code: None,
        active: true,
        color: "Blue".into(),
        size: "S".into(),
        weight_kg: Some("0.3".into()),
        country_of_origin: None,
        customs_number: None,
        price: None,
        currency: None,
    }
}

/// The id of `number` among `results`, failing the case when it was refused.
fn written_id(results: &[ArticleWrite], number: &str) -> i64 {
    let write = results
        .iter()
        .find(|r| r.article_number == number)
        .unwrap_or_else(|| panic!("no result for {number} in {results:?}"));
    match &write.result {
        Ok(id) => *id,
        Err(reason) => panic!("{number} refused: {reason}"),
    }
}

/// Every product once, with every size, however the gateway pages them: 600 size items are
/// more than one `ListProducts` page (500), so a page ends inside the catalogue.
pub async fn catalog_lists_every_product_once_with_all_its_sizes(world: &impl CatalogWorld) {
    let sold: Vec<(usize, usize)> = (0..60).map(|p| (p, 10)).collect();
    world.sell(&sold).await;
    let products = world.port().all_products(ENDPOINT).await.expect("listed");
    let ids: BTreeSet<String> = products.iter().map(|p| p.product_id.clone()).collect();
    assert_eq!(products.len(), 60, "each product once");
    assert_eq!(ids, (0..60).map(product_id).collect());
    for product in &products {
        assert_eq!(
            product.sizes.len(),
            10,
            "every size of {}",
            product.product_id
        );
    }
    let items: BTreeSet<&str> = products
        .iter()
        .flat_map(|p| p.sizes.iter().map(|s| s.stock_item_id.as_str()))
        .collect();
    assert_eq!(items.len(), 600, "every size item once");
}

/// A size item carries what the mapping rules read: the stock item id, the SKU parts, the
/// EAN, the active flag, the weight with its unit and the prices.
pub async fn catalog_sizes_read_as_centra_sells_them(world: &impl CatalogWorld) {
    world.sell(&[(3, 2)]).await;
    let products = world.port().all_products(ENDPOINT).await.expect("listed");
    assert_eq!(products.len(), 1, "{products:?}");
    let product = &products[0];
    assert_eq!(product.product_id, product_id(3));
    let mut sizes = product.sizes.clone();
    sizes.sort_by(|a, b| a.stock_item_id.cmp(&b.stock_item_id));
    for (size, read) in sizes.iter().enumerate() {
        assert_eq!(read.stock_item_id, stock_item_id(3, size));
        assert_eq!(
            (
                read.sku.as_str(),
                read.variant_sku.as_str(),
                read.size_sku.clone()
            ),
            ("P3", "-BL", format!("-{size}"))
        );
        assert_eq!(read.ean, size_ean(3, size));
        assert!(read.active);
        assert_eq!(
            (read.weight.as_str(), read.weight_unit.as_str()),
            ("0.25", "kg")
        );
        let prices: Vec<(&str, &str, &str)> = read
            .prices
            .iter()
            .map(|p| (p.pricelist.as_str(), p.currency.as_str(), p.amount.as_str()))
            .collect();
        assert_eq!(prices, [("EUR Europe", "EUR", "45.00")]);
    }
}

/// An end-point the gateway does not serve is `Refused`: a setting to fix, not an outage.
pub async fn catalog_of_an_unknown_endpoint_is_refused(world: &impl CatalogWorld) {
    world.sell(&[(1, 1)]).await;
    let error = failure(
        "an unknown end-point",
        world.port().all_products("elsewhere").await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert_eq!(error.service(), "centra-gateway");
}

/// Centra down is `Unavailable`, and nothing is returned (never a part of the catalogue).
pub async fn catalog_down_is_unavailable(world: &impl CatalogWorld) {
    world.sell(&[(1, 2)]).await;
    world.go_down().await;
    let error = failure("centra down", world.port().all_products(ENDPOINT).await);
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert_eq!(error.service(), "centra-gateway");
}

/// One result per article, in request order; an article the WMS gateway refuses (a weight that
/// is no decimal) is its own result's error and never fails the call or the others.
pub async fn articles_answer_one_result_per_article_in_order(world: &impl ArticleWorld) {
    let mut bad = article("CT-BAD");
    bad.weight_kg = Some("heavy".into());
    let written = [article("CT-A"), bad, article("CT-B")];
    let results = world
        .port()
        .upsert("contract-1", &written)
        .await
        .expect("answered");
    let numbers: Vec<&str> = results.iter().map(|r| r.article_number.as_str()).collect();
    assert_eq!(numbers, ["CT-A", "CT-BAD", "CT-B"]);
    assert!(written_id(&results, "CT-A") > 0);
    assert!(written_id(&results, "CT-B") > 0);
    assert!(results[1].result.is_err(), "{results:?}");
}

/// What was written is held as written (the currency excepted: the WMS keeps none for the
/// customer price), under the id the write answered; a refused article is not held.
pub async fn articles_are_held_as_written(world: &impl ArticleWorld) {
    let mut priced = article("CT-C");
    priced.bar_code = Some(size_ean(9, 1));
    priced.price = Some("45".into());
    priced.currency = Some("EUR".into());
    priced.country_of_origin = Some("PT".into());
    priced.customs_number = Some("6109100010".into());
    let mut bad = article("CT-BAD");
    bad.weight_kg = Some("heavy".into());
    let written = [article("CT-A"), bad, article("CT-B"), priced.clone()];
    let port = world.port();
    let results = port.upsert("contract-1", &written).await.expect("answered");
    let held = port.held().await.expect("read");
    let ours: Vec<_> = held
        .iter()
        .filter(|h| h.article.article_number.starts_with("CT-"))
        .collect();
    let numbers: BTreeSet<&str> = ours
        .iter()
        .map(|h| h.article.article_number.as_str())
        .collect();
    assert_eq!(
        numbers,
        BTreeSet::from(["CT-A", "CT-B", "CT-C"]),
        "the refused one is not held"
    );
    for held in ours {
        let number = held.article.article_number.as_str();
        assert_eq!(
            held.article_system_id,
            written_id(&results, number),
            "{number}"
        );
        let mut expected = written
            .iter()
            .find(|a| a.article_number == number)
            .cloned()
            .expect("written");
        expected.currency = None;
        assert_eq!(held.article, expected, "{number}");
    }
}

/// Writing an article again updates it in place: the same id, held once, with the new data.
pub async fn an_article_written_again_keeps_its_id(world: &impl ArticleWorld) {
    let port = world.port();
    let first = port
        .upsert("contract-1", &[article("CT-A"), article("CT-B")])
        .await
        .expect("answered");
    let mut renamed = article("CT-A");
    renamed.name = "Shirt renamed".into();
    let second = port
        .upsert("contract-2", &[renamed.clone()])
        .await
        .expect("answered");
    assert_eq!(written_id(&second, "CT-A"), written_id(&first, "CT-A"));
    let held = port.held().await.expect("read");
    let again: Vec<_> = held
        .iter()
        .filter(|h| h.article.article_number == "CT-A")
        .collect();
    assert_eq!(again.len(), 1, "held once: {held:?}");
    assert_eq!(again[0].article.name, "Shirt renamed");
}

/// The WMS down: the articles cannot be read, `Unavailable`, and nothing is returned (a resync
/// never takes a half-read WMS for one missing articles).
pub async fn articles_unreadable_while_the_wms_is_down(world: &impl ArticleWorld) {
    let port = world.port();
    port.upsert("contract-1", &[article("CT-A")])
        .await
        .expect("answered");
    world.go_down().await;
    let error = failure("the wms down", port.held().await);
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert_eq!(error.service(), "wms-gateway");
}
