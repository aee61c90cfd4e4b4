//! Stock levels: `GET /stock?modifiedAfter=` (every product on the first run) and a
//! `WmsStockChanged` for each product whose physical, available or reserved quantity differs
//! from the last one published ([`crate::stock_levels`], the rule `ReadStock` follows too).

use serde_json::json;

use super::{DetectError, Detector, PollReport};
use crate::client::models::StockResponse;
use crate::client::resources::STOCK;
use crate::commands::stock::{article_stock, level};
use crate::stock_levels;

const CURSOR: &str = "stock.modified";

impl Detector {
    pub(super) async fn stock_levels(&self) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        // First run: every product, the initial reconcile.
        let (_, filters) = self.since(CURSOR, None).await?;
        let rows = self.client.all::<StockResponse>(STOCK, &filters).await?;
        report.dead_lettered += self.reject(&rows.rejected).await?;
        let mut read = Vec::with_capacity(rows.records.len());
        for row in &rows.records {
            match level(row) {
                Ok((code, level)) => read.push(article_stock(&self.store, code, level).await?),
                Err(error) => {
                    self.dead_letter(
                        "article",
                        &format!("stock of {}", row.product_code.as_deref().unwrap_or("?")),
                        &error,
                        json!({"productCode": row.product_code}),
                    )
                    .await?;
                    report.dead_lettered += 1;
                }
            }
        }
        report.published +=
            stock_levels::publish_changed(&self.store, &self.settings.warehouse, &read).await?;
        self.advance(CURSOR, rows.records.iter().map(|r| r.modified.as_deref()))
            .await?;
        Ok(report)
    }
}
