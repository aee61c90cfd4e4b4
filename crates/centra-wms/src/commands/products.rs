//! `products list|refresh|create`: the Centra products catalog-sync knows (each with a state and
//! its size items) and the manual selection of which become WMS articles, per product as on
//! myOGO's product page or per article number, over catalog-sync's `CatalogAdmin` service.

use anyhow::anyhow;
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json, time};
use crate::cli::ProductsCommand;

const SERVICE: &str = "catalog-sync";
const RPC: &str = "CatalogAdmin";

pub async fn run(remote: &RemoteArgs, command: ProductsCommand) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = CatalogAdminClient::new(target.channel(SERVICE)?);
    match command {
        ProductsCommand::List { search, product_id } => {
            let mut products = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = target
                    .answer(
                        SERVICE,
                        RPC,
                        client.list_product_groups(pb::ListCatalogProductGroupsRequest {
                            state: pb::CatalogProductState::Unspecified.into(),
                            search: search.clone().unwrap_or_default(),
                            page_size: 500,
                            page_token,
                            product_id: product_id.clone().unwrap_or_default(),
                        }),
                    )
                    .await?;
                products.extend(page.products);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            if remote.json {
                print_json(&json!(
                    products.iter().map(product_json).collect::<Vec<_>>()
                ));
            } else if products.is_empty() {
                println!("no products known yet; `centra-wms products refresh` reads them");
            } else {
                for product in &products {
                    println!(
                        "product {}  {}  {}  ({} sizes)",
                        product.product_id,
                        product_state(product.state),
                        product.product_name,
                        product.sizes.len()
                    );
                    for item in &product.sizes {
                        println!(
                            "    {}  {}  {} / {}  ean {}{}{}",
                            dash(&item.article_number),
                            state(item.state),
                            item.variant_name,
                            item.size_name,
                            dash(&item.ean),
                            error_suffix(&item.last_error),
                            warning_suffix(&item.warning)
                        );
                    }
                }
            }
            Ok(())
        }
        ProductsCommand::Refresh => {
            let report = target
                .answer(
                    SERVICE,
                    RPC,
                    client.refresh(pb::RefreshCatalogRequest::default()),
                )
                .await?;
            if remote.json {
                print_json(&json!({
                    "size_items_seen": report.size_items_seen,
                    "new_items": report.new_items,
                    "changed_items": report.changed_items,
                    "products": report.products,
                    "products_not_in_wms": report.products_not_in_wms,
                    "products_in_wms": report.products_in_wms,
                    "products_changed_since": report.products_changed,
                    "products_rejected": report.products_rejected,
                    "products_filtered_out": report.products_filtered_out,
                    "rejected_size_items": report.rejected_items,
                    "warnings": report.warnings,
                }));
            } else {
                println!(
                    "refreshed: {} size items seen, {} new, {} changed",
                    report.size_items_seen, report.new_items, report.changed_items
                );
                println!(
                    "{} products: {} not in wms, {} in wms, {} changed since, {} rejected, {} \
                     filtered out; {} size items rejected, {} with a warning",
                    report.products,
                    report.products_not_in_wms,
                    report.products_in_wms,
                    report.products_changed,
                    report.products_rejected,
                    report.products_filtered_out,
                    report.rejected_items,
                    report.warnings
                );
            }
            Ok(())
        }
        ProductsCommand::Create {
            article_numbers,
            product_ids,
            all,
        } => {
            let outcomes = target
                .answer(
                    SERVICE,
                    RPC,
                    client.create_selected(pb::CreateSelectedRequest {
                        article_numbers,
                        product_ids,
                        all_products: all,
                    }),
                )
                .await?
                .outcomes;
            let failed: Vec<&str> = outcomes
                .iter()
                .filter(|o| !o.error.is_empty())
                .map(|o| {
                    if o.article_number.is_empty() {
                        o.error.as_str()
                    } else {
                        o.article_number.as_str()
                    }
                })
                .collect();
            if remote.json {
                print_json(&json!(
                    outcomes
                        .iter()
                        .map(|o| json!({
                            "article_number": o.article_number,
                            "state": state(o.state),
                            "error": o.error,
                        }))
                        .collect::<Vec<_>>()
                ));
            } else {
                for outcome in &outcomes {
                    let verdict = if outcome.error.is_empty() {
                        "ok  "
                    } else {
                        "FAIL"
                    };
                    println!(
                        "{verdict} {}  {}{}",
                        outcome.article_number,
                        state(outcome.state),
                        error_suffix(&outcome.error)
                    );
                }
            }
            if failed.is_empty() {
                Ok(())
            } else {
                Err(Failure::runtime(anyhow!(
                    "{} of {} articles were not created in the wms: {}",
                    failed.len(),
                    outcomes.len(),
                    failed.join(", ")
                )))
            }
        }
    }
}

fn warning_suffix(warning: &str) -> String {
    if warning.is_empty() {
        String::new()
    } else {
        format!("  warning: {warning}")
    }
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

fn product_state(value: i32) -> &'static str {
    match pb::CatalogProductState::try_from(value) {
        Ok(pb::CatalogProductState::NotInWms) => "not-in-wms",
        Ok(pb::CatalogProductState::InWms) => "in-wms",
        Ok(pb::CatalogProductState::Changed) => "changed-since",
        Ok(pb::CatalogProductState::Rejected) => "rejected",
        Ok(pb::CatalogProductState::FilteredOut) => "filtered-out",
        _ => "unknown",
    }
}

fn product_json(product: &pb::CatalogProduct) -> serde_json::Value {
    json!({
        "product_id": product.product_id,
        "product_name": product.product_name,
        "state": product_state(product.state),
        "sizes": product.sizes.iter().map(item_json).collect::<Vec<_>>(),
    })
}

fn error_suffix(error: &str) -> String {
    if error.is_empty() {
        String::new()
    } else {
        format!("  error: {error}")
    }
}

fn state(value: i32) -> &'static str {
    match pb::CatalogItemState::try_from(value) {
        Ok(pb::CatalogItemState::NotSelected) => "not-selected",
        Ok(pb::CatalogItemState::Selected) => "selected",
        Ok(pb::CatalogItemState::Synced) => "synced",
        Ok(pb::CatalogItemState::Outdated) => "outdated",
        Ok(pb::CatalogItemState::FilteredOut) => "filtered-out",
        Ok(pb::CatalogItemState::Failed) => "failed",
        _ => "unknown",
    }
}

fn item_json(item: &pb::CatalogItem) -> serde_json::Value {
    json!({
        "article_number": item.article_number,
        "endpoint": item.endpoint,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "variant_name": item.variant_name,
        "size_name": item.size_name,
        "sku": item.sku,
        "variant_sku": item.variant_sku,
        "size_sku": item.size_sku,
        "ean": item.ean,
        "active": item.active,
        "state": state(item.state),
        "last_synced_at": time(item.last_synced_at.as_ref()),
        "last_error": item.last_error,
        "warning": item.warning,
    })
}
