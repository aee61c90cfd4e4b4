//! Find's article hits: the size items an article number or EAN names, from catalog-sync's
//! `CatalogAdmin.FindArticles` (catalog-sync owns the article records). Each shows the Centra
//! size it came from, its state with the rejected reason, the article number last written to
//! the WMS, the WMS's id of the article and when it was last written (catalog-sync keeps only
//! the last write, not a history of writes, and the page says so), and the shipments holding
//! it, from order-sync's `OrderAdmin.ShipmentsHoldingArticle` (its index of shipment lines by
//! WMS article number and EAN), each linked to its own Find, and the calls the WMS gateway
//! made for the article (method, path, HTTP status, duration; [`super::calls`]).

use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use proto::admin::v1::order_admin_client::OrderAdminClient;

use super::calls::{self, Gathered};
use super::products::size_state;
use super::{grpc_failure, path_segment, time};
use crate::Page;

/// The service that keeps the article records.
const SERVICE: &str = "catalog-sync";
/// The service that indexes shipments by article.
const ORDERS: &str = "order-sync";

/// The shipments holding one article, or why they are not known.
pub type Holding = Result<pb::ShipmentsHoldingArticleResponse, String>;

/// What the article search found: each size item with the shipments holding it.
pub enum ArticleHits {
    Found(Vec<(pb::FoundArticle, Holding)>),
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
        Ok(answer) => {
            let mut found = Vec::new();
            for article in answer.into_inner().articles {
                let holding = holding(page, &article).await;
                found.push((article, holding));
            }
            ArticleHits::Found(found)
        }
        Err(status) if status.code() == tonic::Code::NotFound => ArticleHits::NotFound,
        Err(status) => ArticleHits::Failed(grpc_failure(SERVICE, "article search", &status)),
    }
}

/// The shipments holding `article`: by its article number, or by its EAN when the size makes
/// no article number.
async fn holding(page: &Page, article: &pb::FoundArticle) -> Holding {
    let item = article.item.clone().unwrap_or_default();
    let key = if item.article_number.is_empty() {
        item.ean
    } else {
        item.article_number
    };
    if key.is_empty() {
        return Ok(pb::ShipmentsHoldingArticleResponse::default());
    }
    let channel = page
        .directory
        .channel(ORDERS)
        .map_err(|error| format!("{ORDERS}: {error}"))?;
    OrderAdminClient::new(channel)
        .shipments_holding_article(pb::ShipmentsHoldingArticleRequest { article: key })
        .await
        .map(tonic::Response::into_inner)
        .map_err(|status| grpc_failure(ORDERS, "shipments holding the article", &status))
}

fn order_state(value: i32) -> String {
    pb::OrderState::try_from(value).map_or_else(
        |_| "unknown".to_owned(),
        |state| {
            state
                .as_str_name()
                .trim_start_matches("ORDER_STATE_")
                .to_lowercase()
                .replace('_', " ")
        },
    )
}

/// The shipments table under an article.
fn holding_table(heading_id: &str, holding: &Holding) -> Markup {
    html! {
        h3 id=(format!("{heading_id}-shipments")) { "Shipments holding this article" }
        @match holding {
            Err(line) => p.notice.bad { (line) },
            Ok(listed) if listed.shipments.is_empty() => p.muted { "None (order-sync indexes a shipment's lines when it saves the shipment)." },
            Ok(listed) => {
                table.holding aria-labelledby=(format!("{heading_id}-shipments")) {
                    thead { tr {
                        th scope="col" { "Shipment" } th scope="col" { "End-point" } th scope="col" { "Centra order" }
                        th scope="col" { "WMS order number" } th scope="col" { "State" } th scope="col" { "Last change" }
                    } }
                    tbody {
                        @for shipment in &listed.shipments {
                            tr {
                                td { a href=(format!("/find?q={}", path_segment(&shipment.shipment_id))) { (shipment.shipment_id) } }
                                td { (shipment.endpoint) }
                                td.mono { (shipment.order_id) }
                                td.mono { (shipment.wms_order_number) }
                                td { (order_state(shipment.state)) }
                                td.mono { (time(shipment.updated_at.as_ref())) }
                            }
                        }
                    }
                }
                @if listed.more {
                    p.muted { "The newest " (listed.shipments.len()) " are listed." }
                }
            }
        }
    }
}

/// The calls the WMS gateway made for the article, newest last.
fn calls_table(heading_id: &str, article: &pb::FoundArticle, gathered: &Gathered) -> Markup {
    let records: Vec<String> = calls::article_record(article).into_iter().collect();
    let rows = calls::merge(&[], gathered.of(&records));
    html! {
        h3 id=(format!("{heading_id}-calls")) { "Calls to the WMS for this article" }
        @if rows.is_empty() {
            p.muted { "None kept (the WMS gateway keeps the last 50 calls of an article written alone or in a batch of up to 20, for 30 days)." }
        } @else {
            table.journey aria-labelledby=(format!("{heading_id}-calls")) {
                thead { tr { th scope="col" { "Time" } th scope="col" { "Call" } } }
                tbody {
                    @for row in &rows {
                        tr.call { td.mono { (time(row.at.as_ref())) } td { (row.detail) } }
                    }
                }
            }
        }
    }
}

/// One size item with its record, the shipments holding it and the calls made for it.
pub fn found(article: &pb::FoundArticle, holding: &Holding, gathered: &Gathered) -> Markup {
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
            p.muted { "catalog-sync keeps the last write only, not a history of writes." }
            (holding_table(&heading_id, holding))
            (calls_table(&heading_id, article, gathered))
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
        let holding = Ok(pb::ShipmentsHoldingArticleResponse {
            shipments: vec![pb::OrderSummary {
                endpoint: "shop1".into(),
                shipment_id: "7 1".into(),
                order_id: "7".into(),
                wms_order_number: "S7-1".into(),
                state: pb::OrderState::SentToWarehouse.into(),
                ..pb::OrderSummary::default()
            }],
            more: false,
        });
        let gathered = Gathered {
            calls: vec![pb::ExternalCall {
                record: "article TROUSERSBLUES".into(),
                system: "ongoing".into(),
                method: "PUT".into(),
                path: "/api/v1/articles".into(),
                status: 200,
                duration_ms: 9,
                ..pb::ExternalCall::default()
            }],
            failures: Vec::new(),
        };
        let html = found(&article(), &holding, &gathered).into_string();
        for text in [
            "Article TROUSERSBLUES",
            "stock item <span class=\"mono\">211</span> on shop1",
            "7350000000023",
            "created in the WMS",
            "4711",
            "2026-12-04T",
            "Shipments holding this article",
            r#"<a href="/find?q=7%201">7 1</a>"#,
            "S7-1",
            "sent to warehouse",
            "Calls to the WMS for this article",
            "ongoing: PUT /api/v1/articles → 200 (9 ms)",
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
        let html = found(
            &rejected,
            &Err("order-sync does not answer".into()),
            &Gathered::default(),
        )
        .into_string();
        for text in [
            "Article none (the size's data makes no article number)",
            "rejected",
            "variant sku &lt;missing&gt;",
            "never written",
            "unknown",
            "order-sync does not answer",
            "None kept",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
    }
}
