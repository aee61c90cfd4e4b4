//! `stock list` over stock-sync's `StockAdmin`:
//!
//! ```text
//! list [--state S] [--id ARTICLE]   ListArticles, every page: state, both sides, reason
//! ```
//!
//! `resync stock [--id ARTICLE]` (in `resync.rs`) is the command that acts.

use proto::admin::v1 as pb;
use proto::admin::v1::stock_admin_client::StockAdminClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json};
use crate::cli::{StockCommand, StockStateArg};

const SERVICE: &str = "stock-sync";
const RPC: &str = "StockAdmin";

pub async fn run(remote: &RemoteArgs, command: StockCommand) -> Result<(), Failure> {
    match command {
        StockCommand::List { state, id } => list(remote, state, id).await,
    }
}

fn article_json(a: &pb::StockArticleState) -> serde_json::Value {
    json!({
        "article_number": a.article_number,
        "state": a.state,
        "wms_physical": a.wms_physical,
        "wms_sellable": a.wms_sellable,
        "centra_physical": a.centra_physical,
        "centra_allocated": a.centra_allocated,
        "product_id": a.product_id,
        "reason": a.reason,
    })
}

async fn list(
    remote: &RemoteArgs,
    state: Option<StockStateArg>,
    id: Option<String>,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = StockAdminClient::new(target.channel(SERVICE)?);
    let mut articles: Vec<pb::StockArticleState> = Vec::new();
    loop {
        let after = articles
            .last()
            .map(|a| a.article_number.clone())
            .unwrap_or_default();
        let page = target
            .answer(
                SERVICE,
                RPC,
                client.list_articles(pb::ListStockArticlesRequest {
                    state: state
                        .map(StockStateArg::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    article_number: id.clone().unwrap_or_default(),
                    after,
                    limit: 500,
                }),
            )
            .await?;
        let full = page.articles.len() == 500;
        articles.extend(page.articles);
        if !full {
            break;
        }
    }
    if remote.json {
        print_json(&json!(
            articles.iter().map(article_json).collect::<Vec<_>>()
        ));
        return Ok(());
    }
    if articles.is_empty() {
        println!("no articles");
        return Ok(());
    }
    println!(
        "{:<28} {:<10} {:>12} {:>12}  REASON",
        "ARTICLE", "STATE", "WMS P/S", "CENTRA P/A"
    );
    for a in &articles {
        println!(
            "{:<28} {:<10} {:>12} {:>12}  {}",
            a.article_number,
            a.state,
            format!("{}/{}", a.wms_physical, a.wms_sellable),
            format!("{}/{}", a.centra_physical, a.centra_allocated),
            if a.reason.is_empty() { "-" } else { &a.reason }
        );
    }
    Ok(())
}
