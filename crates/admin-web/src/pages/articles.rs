//! Find's article hits: the size items an article number or EAN names, from catalog-sync's
//! `CatalogAdmin.FindArticles` (catalog-sync owns the article records). Each shows the Centra
//! size it came from, its state with the rejected reason, the article number last written to
//! the WMS, the WMS's id of the article and when it was last written. catalog-sync keeps only
//! the last write, not a history of writes, and order-sync keeps each shipment's lines inside
//! its record without an index by article, so the shipments holding an article are not listed:
//! the page says both.

use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;

use super::products::size_state;
use super::{grpc_failure, time};
use crate::Page;

/// The service that keeps the article records.
const SERVICE: &str = "catalog-sync";

/// What the article search found.
pub enum ArticleHits {
    Found(Vec<pb::FoundArticle>),
    NotFound,
    Failed(String),
}

/// The size items `q` names.
pub async fn find(page: &Page, q: &str) -> ArticleHits {
    let channel = match page.directory.channel(SERVICE) {
        Ok(channel) => channel,
        Err(error) => return ArticleHits::Failed(format!("{SERVICE}: {error}")),
    };
    let answer = CatalogAdminClient::new(channel)
        .find_articles(pb::FindArticlesRequest {
            query: q.to_owned(),
        })
        .await;
    match answer {
        Ok(answer) => ArticleHits::Found(answer.into_inner().articles),
        Err(status) if status.code() == tonic::Code::NotFound => ArticleHits::NotFound,
        Err(status) => ArticleHits::Failed(grpc_failure(SERVICE, "article search", &status)),
    }
}

/// One size item with its record.
pub fn found(article: &pb::FoundArticle) -> Markup {
    let item = article.item.clone().unwrap_or_default();
    let heading_id = format!("article-{}-{}", item.endpoint, article.stock_item_id);
    let number = if item.article_number.is_empty() {
        "none (the size's data makes no article number)"
    } else {
        item.article_number.as_str()
    };
    html! {
        section.article aria-labelledby=(heading_id) {
            h2 id=(heading_id) { "Article " (number) }
            table.facts {
                tbody {
                    tr { th scope="row" { "Product" } td { (item.product_name) " (Centra product " (item.product_id) ")" } }
                    tr { th scope="row" { "Centra size" } td { (item.variant_name) " / " (item.size_name) ", stock item " span.mono { (article.stock_item_id) } " on " (item.endpoint) } }
                    tr { th scope="row" { "SKU" } td.mono { (item.sku) (item.variant_sku) (item.size_sku) } }
                    tr { th scope="row" { "EAN" } td.mono { @if item.ean.is_empty() { span.muted { "none" } } @else { (item.ean) } } }
                    tr { th scope="row" { "State" } td.state { (size_state(&item)) } }
                    @if !article.problem_kind.is_empty() {
                        tr { th scope="row" { "Problem" } td { (article.problem_kind) } }
                    }
                    @if !item.warning.is_empty() {
                        tr { th scope="row" { "Warning" } td { (item.warning) } }
                    }
                    tr {
                        th scope="row" { "Written to the WMS as" }
                        td.mono { @if article.written_article_number.is_empty() { span.muted { "never written" } } @else { (article.written_article_number) } }
                    }
                    tr {
                        th scope="row" { "WMS article id" }
                        td.mono { @if article.wms_article_id == 0 { span.muted { "unknown" } } @else { (article.wms_article_id) } }
                    }
                    tr { th scope="row" { "Last written" } td.mono { (time(item.last_synced_at.as_ref())) } }
                }
            }
            p.muted {
                "catalog-sync keeps the last write only, not a history of writes. Shipments holding this article are not listed: order-sync keeps a shipment's lines in its record without an index by article; find a shipment by its order id, shipment id or WMS order number."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> pb::FoundArticle {
        pb::FoundArticle {
            item: Some(pb::CatalogItem {
                article_number: "TROUSERSBLUES".into(),
                endpoint: "shop1".into(),
                product_id: "2".into(),
                product_name: "Trousers".into(),
                variant_name: "Blue".into(),
                size_name: "S".into(),
                sku: "TROUSERS".into(),
                variant_sku: "BLUE".into(),
                size_sku: "S".into(),
                ean: "7350000000023".into(),
                state: pb::CatalogItemState::Synced.into(),
                last_synced_at: Some(prost_types::Timestamp {
                    seconds: 1_796_400_000,
                    nanos: 0,
                }),
                ..pb::CatalogItem::default()
            }),
            stock_item_id: "211".into(),
            problem_kind: String::new(),
            written_article_number: "TROUSERSBLUES".into(),
            wms_article_id: 4711,
        }
    }

    #[test]
    fn an_article_shows_its_centra_size_state_and_last_write() {
        let html = found(&article()).into_string();
        for text in [
            "Article TROUSERSBLUES",
            "stock item <span class=\"mono\">211</span> on shop1",
            "7350000000023",
            "created in the WMS",
            "4711",
            "2026-12-04T",
            "Shipments holding this article are not listed",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
        assert!(!html.contains("never written"), "{html}");
    }

    #[test]
    fn a_rejected_size_shows_its_reason_and_no_write() {
        let mut rejected = article();
        let item = rejected.item.as_mut().expect("item");
        item.article_number = String::new();
        item.state = pb::CatalogItemState::Failed.into();
        item.last_error = "variant sku <missing>".into();
        item.last_synced_at = None;
        rejected.problem_kind = "rejected".into();
        rejected.written_article_number = String::new();
        rejected.wms_article_id = 0;
        let html = found(&rejected).into_string();
        for text in [
            "Article none (the size's data makes no article number)",
            "rejected",
            "variant sku &lt;missing&gt;",
            "never written",
            "unknown",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
    }
}
