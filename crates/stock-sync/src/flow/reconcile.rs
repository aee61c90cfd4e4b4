//! The full reconcile: every article of the WMS (or the named ones) checked against Centra now,
//! by the same check as the events, one batch at a time on fresh numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::{PortError, stock_decision};
use platform_store::unix_millis;

use super::{BATCH, CheckReport, FlowError, StockFlow};
use crate::ports::CentraStockRow;

impl StockFlow {
    /// Every article of the WMS (or the named ones) checked against Centra now, by the same
    /// rule as the events (so it cannot re-add units sold during the run). Articles without a
    /// known Centra product are mapped from a full Centra read first. With `dry_run` nothing is
    /// written or saved: the report says what would be. Safe twice.
    ///
    /// # Errors
    /// [`FlowError::Unavailable`] when a gateway is down (run it again); [`FlowError::Refused`]
    /// when a gateway refuses a listing or read (a setting to fix); [`FlowError::Store`].
    pub async fn reconcile(
        &self,
        named: &[String],
        dry_run: bool,
    ) -> Result<CheckReport, FlowError> {
        let endpoint = self.endpoint()?;
        let mut numbers: Vec<String> = if named.is_empty() {
            self.all_wms_articles().await?
        } else {
            named.to_vec()
        };
        numbers.sort();
        numbers.dedup();
        // What the flow already knows, in one read; Centra is listed only for the rest.
        let mut products = self.articles.known_products().await?;
        if numbers.iter().any(|n| !products.contains_key(n)) {
            for (key, id) in self.centra_products(&endpoint).await? {
                products.entry(key).or_insert(id);
            }
        }
        if dry_run {
            return self.dry_run(&endpoint, &numbers, &products).await;
        }
        let now = unix_millis();
        for chunk in numbers.chunks(500) {
            let store = self.articles.store();
            let mut tx = store.begin().await?;
            for number in chunk {
                let product = products.get(number.as_str()).map(String::as_str);
                self.articles
                    .mark(&mut tx, &self.warehouse, number, product, now)
                    .await?;
            }
            tx.commit().await?;
        }
        let mut report = CheckReport::default();
        loop {
            let round = self.check_due().await?;
            if round.checked == 0 {
                break;
            }
            report.add(round);
        }
        tracing::info!(
            checked = report.checked,
            written = report.written,
            unchanged = report.unchanged,
            failed = report.failed,
            "stock reconciled"
        );
        Ok(report)
    }

    async fn all_wms_articles(&self) -> Result<Vec<String>, FlowError> {
        let mut numbers = Vec::new();
        let mut from = 0;
        loop {
            let page = self
                .wms
                .page(&self.warehouse, from)
                .await
                .map_err(cannot_go_on)?;
            numbers.extend(page.levels.into_keys());
            match page.next {
                Some(next) if next > from => from = next,
                _ => break,
            }
        }
        Ok(numbers)
    }

    /// Article key (joined SKU and EAN) -> Centra product id, from every size item.
    async fn centra_products(&self, endpoint: &str) -> Result<HashMap<String, String>, FlowError> {
        let mut products = HashMap::new();
        let mut token = None;
        loop {
            let (rows, next) = self
                .centra
                .page(endpoint, token)
                .await
                .map_err(cannot_go_on)?;
            for row in rows {
                for key in row.keys() {
                    products.insert(key.to_owned(), row.product_id.clone());
                }
            }
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(products)
    }

    async fn dry_run(
        &self,
        endpoint: &str,
        numbers: &[String],
        products: &HashMap<String, String>,
    ) -> Result<CheckReport, FlowError> {
        let mut report = CheckReport::default();
        for chunk in numbers.chunks(BATCH as usize) {
            let ids: BTreeMap<&String, &String> = chunk
                .iter()
                .filter_map(|number| products.get(number).map(|id| (number, id)))
                .collect();
            let wanted: BTreeSet<String> = ids.values().map(|id| (*id).clone()).collect();
            let rows: Vec<CentraStockRow> = if wanted.is_empty() {
                Vec::new()
            } else {
                let wanted: Vec<String> = wanted.into_iter().collect();
                self.centra
                    .read(endpoint, &wanted)
                    .await
                    .map_err(cannot_go_on)?
            };
            let wms = self
                .wms
                .read(&self.warehouse, chunk)
                .await
                .map_err(cannot_go_on)?
                .levels;
            for number in chunk {
                report.checked += 1;
                let row = ids
                    .get(number)
                    .and_then(|id| rows.iter().find(|r| &r.product_id == *id && r.is(number)));
                match (wms.get(number), row) {
                    (Some(level), Some(row)) => {
                        if stock_decision(*level, row.stock).write {
                            report.written += 1;
                        } else {
                            report.unchanged += 1;
                        }
                    }
                    _ => report.failed += 1,
                }
            }
        }
        Ok(report)
    }
}

/// A port error where the reconcile cannot go on, kept whole: down is retryable, anything else
/// needs a person (a setting, or a gateway out of contract).
fn cannot_go_on(error: PortError) -> FlowError {
    if error.kind().is_retryable() {
        FlowError::Unavailable(error)
    } else {
        FlowError::Refused(error)
    }
}
