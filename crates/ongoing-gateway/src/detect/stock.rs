//! Stock levels: `GET /articles?stockInfoChangedFrom=` (everything on the first run) and a
//! `WmsStockChanged` for each article whose physical, sellable or booked quantity differs from
//! the last one published, a page at a time ([`crate::stock_levels`], the rule `ReadStock`
//! follows too).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{DetectError, Detector, PollReport, cursor};
use crate::commands::stock::article_stock;
use crate::stock_levels;

const CURSOR: &str = "articles.stock_changed";

impl Detector {
    pub(super) async fn stock_levels(
        &self,
        started: DateTime<Utc>,
    ) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        let filters = match cursor::load(&self.store, CURSOR).await? {
            Some(since) => vec![("stockInfoChangedFrom", self.since(since))],
            // First run: every article, the initial reconcile.
            None => Vec::new(),
        };
        // A page at a time: the first run (or a stock-take) lists every article.
        let mut articles = self.client.article_pages(&filters);
        while let Some(page) = articles.next().await? {
            report.dead_lettered += self.reject(&page.rejected).await?;
            let mut read = Vec::with_capacity(page.records.len());
            for article in &page.records {
                match article_stock(article) {
                    Ok(stock) => read.push(stock),
                    Err(error) => {
                        self.dead_letter(
                            "article",
                            &format!("article id {}", article.article_system_id),
                            &error,
                            json!({"articleSystemId": article.article_system_id,
                                   "articleNumber": article.article_number}),
                        )
                        .await?;
                        report.dead_lettered += 1;
                    }
                }
            }
            report.published +=
                stock_levels::publish_changed(&self.store, &self.settings.warehouse, &read).await?;
        }
        cursor::save(&self.store, CURSOR, started).await?;
        Ok(report)
    }
}
