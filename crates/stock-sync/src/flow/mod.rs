//! The stock flow: WMS stock becomes Centra physical stock on the catalog end-point, by the rule
//! of [`domain::stock`], never oversold.
//!
//! ```text
//! stock.changed / article.synced /
//! shipment.completed / .good-to-go /
//! order.ready                     ──mark──► stock_articles (due) ──check──► read WMS, read Centra,
//!                                                                          decide, write changed
//! reconcile (timer, `resync stock`) ─map products, mark every article──┘
//! ```
//!
//! Events only *mark* an article due (the event's numbers are never trusted: they may be old or
//! out of order), at the end of the batching window (`stock_batch_window`): once the first
//! marked article is due, a check takes it with every article falling due within one window
//! after it, so the changes a WMS poll finds, or shipments completed together, go to Centra in
//! one stock write instead of one write each (the writer loop, [`writer`], sleeps until the
//! next article is due). A check takes up to [`BATCH`] due articles, reads both sides fresh (Centra
//! first, one read per product, then one WMS read: the order matters, see "Read order" in
//! [`domain::stock`]), decides each article by [`rules`] (the stock rule, [`domain::stock_decision`], inside), and writes
//! only the articles whose value changes, in one `SetStock` call. Centra's answer is read per
//! article: `productsNotFound` and `productsAreBundles` become visible states, the rest of the
//! batch is written. An article whose Centra stock does not yet sell exactly the WMS's sellable
//! stock (units in flight) is checked again after `stock_recheck_interval`, doubling up to
//! `sync_interval`.
//!
//! Safe twice: writes are absolute and decided on fresh numbers, so a repeated check or
//! reconcile writes nothing new; gathering changes only delays a check, it never carries an old
//! number to Centra (the numbers are read when the batch is checked). A gateway that is down gives the articles back, due again a
//! few seconds later; nothing is lost.
//!
//! Numbers age while a check reads: the WMS read of a batch is one call per article on some
//! WMS, each retried with backoff, and took up to 29 s under `stock_returns_e2e`'s faults. An
//! article with news while its check ran is checked again right after it, and the write
//! decided on the old numbers is held back ([`rules::held_back`]): any write after a shipment
//! of it was completed in Centra (the allocation read is gone), only a raise after a new WMS
//! level (on old WMS numbers only a raise can oversell; a lower write goes).
//!
//! What is left: a shipment completed in Centra between our read of its allocation and our
//! write, whose event reaches stock-sync only after the write. The completion lowers Centra's
//! physical stock once more after we decided, and Centra may sell those units until the
//! article's recheck, which that event makes due at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use domain::{PortError, PortErrorKind, Settings, StockDecision};
use platform_runtime::{CancellationToken, IN_FLIGHT_DRAIN, with_renewals, within_drain};
use platform_store::{MessageId, StoreError, unix_millis};
use proto::events::v1 as events;
use tokio::sync::Notify;

use crate::articles::{CLAIM_LEASE_MS, CLAIM_RENEW_EVERY, CheckEnd, StockArticle, StockArticles};
use crate::ports::{CentraStockTarget, WmsStockSource};
use crate::rules::{self, Blocked, Conclusion, Found, Meanwhile, WriteAnswer};

mod reconcile;
pub mod writer;

/// Consumer (and inbox) name of `wms.<warehouse>.stock.changed`.
pub const STOCK_CHANGED: &str = "stock-sync-stock-changed";
/// Consumer (and inbox) name of `wms.<warehouse>.article.synced`.
pub const ARTICLE_SYNCED: &str = "stock-sync-article-synced";
/// Consumer (and inbox) name of `centra.<catalog end-point>.shipment.completed`.
pub const SHIPMENT_COMPLETED: &str = "stock-sync-shipment-completed";
/// Consumer (and inbox) name of `centra.<catalog end-point>.shipment.good-to-go`.
pub const SHIPMENT_GOOD_TO_GO: &str = "stock-sync-shipment-good-to-go";
/// Consumer (and inbox) name of `centra.<catalog end-point>.order.ready`.
pub const ORDER_READY: &str = "stock-sync-order-ready";
/// Articles per check: one WMS read and one `SetStock` call (the gateways' batch size).
pub const BATCH: u32 = 100;
/// Delay before articles whose check failed on a call are tried again.
const RETRY_AFTER_MS: i64 = 5_000;

/// Why a handler or command did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The input can never be processed as it is (terminal: kept as a dead letter).
    #[error(transparent)]
    Invalid(#[from] crate::convert::ConvertError),
    /// A gateway is down or the outcome of a call is unknown (retryable: the same step again
    /// later). The port error is kept whole (service, kind, the status it came from).
    #[error("{0}")]
    Unavailable(#[source] PortError),
    /// A gateway refused a call the reconcile cannot go on without, or broke its contract
    /// (terminal: an unknown end-point or warehouse is a setting for a person to fix).
    #[error("{0}")]
    Refused(#[source] PortError),
    /// The store failed (retryable).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The flow cannot run as configured (terminal: a setting for a person to fix).
    #[error(transparent)]
    Precondition(#[from] MissingSetting),
    /// The service is stopping and the check was still running a drain after shutdown began:
    /// it was dropped and its articles are due again (retryable, by this replica once it runs
    /// again or by another).
    #[error("stock check dropped: the service is stopping")]
    Stopped,
}

/// A setting the flow cannot run without, missing from the configuration: the
/// [`FlowError::Precondition`] a caller matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MissingSetting {
    /// Stock is written to the catalog end-point only, and none is set or implied.
    #[error("no catalog end-point: set settings.catalog_endpoint")]
    CatalogEndpoint,
}

/// The Centra keys of the shelf lines of a shipment or order (`sku + variantSku + sizeSku`,
/// each part trimmed as the article number rule trims it, and the EAN): one of them is the
/// article number. A bundle header line is not a shelf item and marks nothing.
fn line_keys(lines: &[events::ProductLine]) -> impl Iterator<Item = String> + '_ {
    lines
        .iter()
        .filter(|line| !line.is_bundle)
        .flat_map(|line| {
            let joined = [&line.sku, &line.variant_sku, &line.size_sku]
                .map(|part| part.trim())
                .concat();
            [joined, line.ean.trim().to_owned()]
        })
}

/// What one check or reconcile did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub checked: u64,
    /// Articles written to Centra.
    pub written: u64,
    /// Articles Centra already had right.
    pub unchanged: u64,
    /// Articles left in a state a person must look at, or not checkable now.
    pub failed: u64,
}

impl CheckReport {
    fn add(&mut self, other: CheckReport) {
        self.checked += other.checked;
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
    }
}

/// Where a running check is: the warning a long check logs names it, so a check that waits on
/// one side for long says which.
#[derive(Debug)]
struct Progress(std::sync::Mutex<&'static str>);

impl Progress {
    fn new() -> Self {
        Self(std::sync::Mutex::new("claimed"))
    }

    fn at(&self, phase: &'static str) {
        if let Ok(mut now) = self.0.lock() {
            *now = phase;
        }
    }

    fn phase(&self) -> &'static str {
        self.0.lock().map_or("unknown", |now| *now)
    }
}

/// The flow, shared by the consumers, the writer loop and the admin service.
#[derive(Debug, Clone)]
pub struct StockFlow {
    settings: Arc<Settings>,
    warehouse: String,
    articles: StockArticles,
    wms: Arc<dyn WmsStockSource>,
    centra: Arc<dyn CentraStockTarget>,
    wake: Arc<Notify>,
    /// How often a running check renews its claim ([`CLAIM_RENEW_EVERY`]).
    claim_renewal: Duration,
    /// Cancelled when the service stops: a check still running `drain` later is dropped
    /// (never cancelled unless set with [`StockFlow::stopping_on`]).
    stop: CancellationToken,
    drain: Duration,
}

impl StockFlow {
    pub fn new(
        settings: Arc<Settings>,
        warehouse: impl Into<String>,
        articles: StockArticles,
        wms: Arc<dyn WmsStockSource>,
        centra: Arc<dyn CentraStockTarget>,
    ) -> Self {
        Self {
            settings,
            warehouse: warehouse.into(),
            articles,
            wms,
            centra,
            wake: Arc::new(Notify::new()),
            claim_renewal: CLAIM_RENEW_EVERY,
            stop: CancellationToken::new(),
            drain: IN_FLIGHT_DRAIN,
        }
    }

    /// The same flow dropping a check still running `drain` after `stop` is cancelled (the
    /// service's shutdown; `platform_runtime::IN_FLIGHT_DRAIN` in a service).
    #[must_use]
    pub fn stopping_on(mut self, stop: CancellationToken, drain: Duration) -> Self {
        self.stop = stop;
        self.drain = drain;
        self
    }

    /// The same flow renewing a running check's claim every `every` instead of
    /// [`CLAIM_RENEW_EVERY`] (a test that needs a renewal within a short check).
    #[must_use]
    pub fn with_claim_renewal(mut self, every: Duration) -> Self {
        self.claim_renewal = every;
        self
    }

    pub fn articles(&self) -> &StockArticles {
        &self.articles
    }

    pub fn warehouse(&self) -> &str {
        &self.warehouse
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Wakes the writer loop when an article was marked.
    pub fn woken(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The batching window in milliseconds (`stock_batch_window`).
    fn batch_window_ms(&self) -> i64 {
        i64::try_from(self.settings.stock_batch_window.as_millis()).unwrap_or(i64::MAX / 4)
    }

    /// When an article an event marks now is due: at the end of the batching window, so the
    /// changes arriving meanwhile are checked with it.
    fn due_after_window(&self) -> i64 {
        unix_millis() + self.batch_window_ms()
    }

    fn endpoint(&self) -> Result<String, FlowError> {
        self.settings
            .catalog_endpoint
            .as_ref()
            .map(ToString::to_string)
            .ok_or(FlowError::Precondition(MissingSetting::CatalogEndpoint))
    }

    /// `WmsStockChanged`: the article is due for a check.
    ///
    /// # Errors
    /// [`FlowError::Invalid`] for an event without an article number; [`FlowError::Store`].
    pub async fn on_stock_changed(
        &self,
        message: &MessageId,
        event: &events::WmsStockChanged,
    ) -> Result<(), FlowError> {
        self.mark_from_event(STOCK_CHANGED, message, &event.article_number, None)
            .await
    }

    /// `ArticleSynced`: the article's Centra product is known now; due for a check. Articles of
    /// other end-points are not this flow's (stock goes to the catalog end-point only).
    ///
    /// # Errors
    /// As [`StockFlow::on_stock_changed`].
    pub async fn on_article_synced(
        &self,
        message: &MessageId,
        event: &events::ArticleSynced,
    ) -> Result<(), FlowError> {
        let ours = self.settings.catalog_endpoint.as_ref().map(|e| e.as_str())
            == Some(event.endpoint.as_str());
        let product = (!event.product_id.is_empty()).then_some(event.product_id.as_str());
        if !ours {
            let store = self.articles.store();
            let mut tx = store.begin().await?;
            store
                .inbox()
                .record(&mut tx, ARTICLE_SYNCED, message)
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        self.mark_from_event(ARTICLE_SYNCED, message, &event.article_number, product)
            .await
    }

    /// `ShipmentCompleted`: Centra took the shipment's units out of its allocated and physical
    /// stock (and released units the warehouse did not pick), with no change in the WMS; the
    /// followed articles of the shipment are due for a check now.
    ///
    /// # Errors
    /// [`FlowError::Store`].
    pub async fn on_shipment_completed(
        &self,
        message: &MessageId,
        event: &events::ShipmentCompleted,
    ) -> Result<(), FlowError> {
        let keys = event
            .items
            .iter()
            .flat_map(|item| [item.joined_sku.clone(), item.ean.clone()]);
        self.mark_centra_news(
            SHIPMENT_COMPLETED,
            message,
            &event.endpoint,
            keys,
            Meanwhile::Completed,
        )
        .await
    }

    /// `ShipmentGoodToGo`: a shipment whose units Centra allocates, which the WMS books once
    /// order-sync imports it; its followed articles are due for a check.
    ///
    /// Why a new allocation marks: a check that read Centra before the order was placed and the
    /// WMS after it booked the units finds numbers that look settled (the WMS's sellable stock
    /// lowered by units Centra's allocation read does not hold yet) and writes a target one
    /// allocation too low, so Centra sells fewer units than the WMS has. Nothing else would
    /// look at the article again: the WMS's level may be back at the one published before (a
    /// shipment and a move netting out). The event is published after Centra allocated, so a
    /// check it did not overtake read the new allocation.
    ///
    /// # Errors
    /// [`FlowError::Store`].
    pub async fn on_shipment_good_to_go(
        &self,
        message: &MessageId,
        event: &events::ShipmentGoodToGo,
    ) -> Result<(), FlowError> {
        self.mark_centra_news(
            SHIPMENT_GOOD_TO_GO,
            message,
            &event.endpoint,
            line_keys(&event.lines),
            Meanwhile::Marked,
        )
        .await
    }

    /// `OrderReady` (the import setting `orders` or `both`): as
    /// [`StockFlow::on_shipment_good_to_go`], for an order whose units Centra allocates.
    ///
    /// # Errors
    /// [`FlowError::Store`].
    pub async fn on_order_ready(
        &self,
        message: &MessageId,
        event: &events::OrderReady,
    ) -> Result<(), FlowError> {
        self.mark_centra_news(
            ORDER_READY,
            message,
            &event.endpoint,
            line_keys(&event.lines),
            Meanwhile::Marked,
        )
        .await
    }

    /// Marks the followed articles among `keys` (Centra keys of an event of `endpoint`; empty
    /// ones and those of other end-points mark nothing) with `news`, once per message.
    async fn mark_centra_news(
        &self,
        consumer: &str,
        message: &MessageId,
        endpoint: &str,
        keys: impl Iterator<Item = String>,
        news: Meanwhile,
    ) -> Result<(), FlowError> {
        let store = self.articles.store();
        if store.inbox().contains(consumer, message).await? {
            return Ok(());
        }
        let ours = self.settings.catalog_endpoint.as_ref().map(|e| e.as_str()) == Some(endpoint);
        let due = self.due_after_window();
        let mut tx = store.begin().await?;
        let mut marked = 0;
        if ours {
            for key in keys.filter(|key| !key.is_empty()) {
                if self
                    .articles
                    .mark_if_followed(&mut tx, &key, due, news)
                    .await?
                {
                    marked += 1;
                }
            }
        }
        store.inbox().record(&mut tx, consumer, message).await?;
        tx.commit().await?;
        if marked > 0 {
            self.wake.notify_one();
        }
        Ok(())
    }

    async fn mark_from_event(
        &self,
        consumer: &str,
        message: &MessageId,
        article_number: &str,
        product_id: Option<&str>,
    ) -> Result<(), FlowError> {
        let store = self.articles.store();
        if store.inbox().contains(consumer, message).await? {
            return Ok(());
        }
        let article_number = crate::convert::article_number(message, article_number)?;
        let mut tx = store.begin().await?;
        self.articles
            .mark(
                &mut tx,
                &self.warehouse,
                article_number,
                product_id,
                self.due_after_window(),
            )
            .await?;
        store.inbox().record(&mut tx, consumer, message).await?;
        tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Checks up to [`BATCH`] articles once one is due: it and those falling due within the
    /// batching window after now. `checked == 0` when nothing was due.
    ///
    /// # Errors
    /// [`FlowError::Unavailable`] when a gateway is down (the articles are due again shortly);
    /// [`FlowError::Stopped`] when the service stopped and the check ran past the drain (the
    /// articles are due again now); [`FlowError::Store`].
    pub async fn check_due(&self) -> Result<CheckReport, FlowError> {
        let now = unix_millis();
        let claimed = self
            .articles
            .claim(now, now + self.batch_window_ms(), BATCH)
            .await?;
        let Some(held) = claimed.first().and_then(|a| a.due_at) else {
            return Ok(CheckReport::default());
        };
        // The lease is renewed while the check runs: a check slowed by retries keeps its rows,
        // and a replica killed mid-check leaves them due again within one lease. The renewals
        // run beside the check, never in its place (`with_renewals`): a renewal is a
        // transaction on the claimed rows, and the check's own save holds those rows' locks
        // until it commits, so a check paused while a renewal ran could hang with it for good
        // (found by `stock_returns_e2e` in CI). Each renewal says how long the check has run
        // and where it is: a check is normally over well within one renewal, so a person sees
        // a slow or stuck side at once.
        let progress = Progress::new();
        let held = AtomicI64::new(held);
        let started = std::time::Instant::now();
        let renew = || {
            let (claimed, progress, held) = (&claimed, &progress, &held);
            async move {
                tracing::warn!(
                    articles = claimed.len(),
                    running_s = started.elapsed().as_secs(),
                    phase = progress.phase(),
                    "stock check still running; its claim is renewed"
                );
                let until = unix_millis() + CLAIM_LEASE_MS;
                match self
                    .articles
                    .renew(claimed, held.load(Ordering::SeqCst), until)
                    .await
                {
                    Ok(_) => held.store(until, Ordering::SeqCst),
                    Err(error) => tracing::warn!(
                        %error,
                        "stock check: the claim could not be renewed; another replica may take \
                         the rows when the lease ends"
                    ),
                }
            }
        };
        // A check waiting out a gateway's retries when the service stops is dropped a drain
        // later (`platform_runtime`'s `drain`), inside the renewals, so a renewal under way
        // then is finished first (`with_renewals`' rule), and its articles are given back.
        let check = within_drain(self.check(&claimed, now, &progress), &self.stop, self.drain);
        let result = with_renewals(check, self.claim_renewal, renew).await;
        let held = held.into_inner();
        match result {
            None => {
                tracing::warn!(
                    articles = claimed.len(),
                    phase = progress.phase(),
                    "stock check still running after the shutdown's drain; dropped, its articles are due again"
                );
                self.articles.release(&claimed, held, unix_millis()).await?;
                Err(FlowError::Stopped)
            }
            Some(Err(FlowError::Unavailable(error))) => {
                self.articles
                    .release(&claimed, held, unix_millis() + RETRY_AFTER_MS)
                    .await?;
                Err(FlowError::Unavailable(error))
            }
            Some(other) => other,
        }
    }

    /// The recheck delay after `rechecks` unsettled checks in a row.
    fn recheck_after(&self, rechecks: i64) -> Duration {
        rules::recheck_after(
            self.settings.stock_recheck_interval,
            self.settings.sync_interval,
            rechecks,
        )
    }

    /// The reason a person reads for an article [`rules::found`] blocked before the write.
    fn blocked_before_write(&self, why: Blocked, article: &StockArticle, endpoint: &str) -> String {
        let number = &article.article_number;
        match why {
            Blocked::NotInWms => format!(
                "the WMS warehouse {} holds no article {number}",
                self.warehouse
            ),
            Blocked::Unmapped => "no Centra product is known for this article yet: it comes with the article's next catalog sync or a `resync stock`".to_owned(),
            _ => format!(
                "centra end-point {endpoint} has no size item {number} in product {} (by joined SKU or EAN)",
                article.product_id.as_deref().unwrap_or_default()
            ),
        }
    }

    /// Reads both sides of `claimed` (claimed at `claimed_at`), decides, writes what changed,
    /// saves every outcome.
    async fn check(
        &self,
        claimed: &[StockArticle],
        claimed_at: i64,
        progress: &Progress,
    ) -> Result<CheckReport, FlowError> {
        let endpoint = self.endpoint()?;
        let now = unix_millis();
        let numbers: Vec<String> = claimed.iter().map(|a| a.article_number.clone()).collect();
        let mut outcome: Vec<StockArticle> = claimed.to_vec();
        let mut report = CheckReport {
            checked: claimed.len() as u64,
            ..Default::default()
        };
        // Centra first, the WMS last: see "Read order" in `domain::stock`.
        let products: BTreeSet<String> = outcome
            .iter()
            .filter_map(|a| a.product_id.clone())
            .collect();
        let rows = if products.is_empty() {
            Vec::new()
        } else {
            let ids: Vec<String> = products.into_iter().collect();
            progress.at("reading centra's stock");
            match terminal(self.centra.read(&endpoint, &ids).await)? {
                Ok(rows) => rows,
                Err(error) => {
                    let call = format!("the stock read on {endpoint}");
                    return self
                        .refuse_all(claimed, refusal("centra", &call, &error))
                        .await;
                }
            }
        };
        progress.at("reading the WMS's stock");
        let wms = match terminal(self.wms.read(&self.warehouse, &numbers).await)? {
            Ok(read) => read.levels,
            Err(error) => {
                return self
                    .refuse_all(claimed, refusal("the WMS", "the stock read", &error))
                    .await;
            }
        };
        let mut writes: BTreeMap<String, i64> = BTreeMap::new();
        let mut compared: HashMap<String, StockDecision> = HashMap::new();
        for article in &mut outcome {
            article.checked_at = Some(now);
            let level = wms.get(&article.article_number).copied();
            let row = article.product_id.as_ref().and_then(|product_id| {
                rows.iter()
                    .find(|r| &r.product_id == product_id && r.is(&article.article_number))
            });
            if let Some(level) = level {
                article.wms_physical = Some(level.physical);
                article.wms_sellable = Some(level.sellable);
                // Centra's numbers are kept only beside the WMS's: a person compares the two.
                if let Some(row) = row {
                    article.centra_physical = Some(row.stock.physical);
                    article.centra_allocated = Some(row.stock.allocated);
                }
            }
            match rules::found(level, article.product_id.is_some(), row.map(|r| r.stock)) {
                Found::Blocked(why) => {
                    let reason = self.blocked_before_write(why, article, &endpoint);
                    article.end_check(CheckEnd::Blocked { why, reason });
                }
                Found::Compared(decision) => {
                    if decision.write {
                        writes.insert(article.article_number.clone(), decision.target);
                    }
                    compared.insert(article.article_number.clone(), decision);
                }
            }
        }
        // A write decided on numbers that news overtook waits for the check the news made due
        // (`rules::held_back`): reading many articles can take seconds.
        let news = if writes.is_empty() {
            HashMap::new()
        } else {
            self.articles.news_since_claim(claimed, claimed_at).await?
        };
        let held: BTreeSet<String> = writes
            .keys()
            .filter(|number| {
                compared.get(*number).is_some_and(|decision| {
                    rules::held_back(*decision, news.get(number.as_str()).copied())
                })
            })
            .cloned()
            .collect();
        writes.retain(|number, _| !held.contains(number));
        if !held.is_empty() {
            tracing::info!(
                held = held.len(),
                articles = ?held,
                "stock writes held back: news of these articles came in while the check read; \
                 they are checked again at once"
            );
        }
        let mut refused: Option<String> = None;
        let answer = if writes.is_empty() {
            Default::default()
        } else {
            progress.at("writing centra's stock");
            match terminal(self.centra.write(&endpoint, &writes).await)? {
                Ok(answer) => answer,
                Err(error) => {
                    let call = format!("the stock write on {endpoint}");
                    refused = Some(refusal("centra", &call, &error));
                    Default::default()
                }
            }
        };
        let not_found: BTreeSet<&String> = answer.not_found.iter().collect();
        let bundles: BTreeSet<&String> = answer.bundles.iter().collect();
        for article in &mut outcome {
            let Some(&decision) = compared.get(&article.article_number) else {
                // Blocked before the write: not in the WMS, no Centra product, or not in Centra.
                report.failed += 1;
                continue;
            };
            let number = &article.article_number;
            let sent = writes.contains_key(number);
            let answered = match (sent, &refused) {
                (false, _) if held.contains(number) => WriteAnswer::HeldBack,
                (false, _) => WriteAnswer::Unsent,
                (true, Some(_)) => WriteAnswer::Refused,
                (true, None) if not_found.contains(number) => WriteAnswer::NotFound,
                (true, None) if bundles.contains(number) => WriteAnswer::Bundle,
                (true, None) => WriteAnswer::Written,
            };
            match rules::concluded(decision, answered) {
                Conclusion::Blocked(why) => {
                    let reason = match why {
                        Blocked::NotFound => {
                            format!("centra answered productsNotFound for {number} on {endpoint}")
                        }
                        Blocked::Bundle => format!(
                            "centra answered productsAreBundles for {number} on {endpoint}: a bundle's stock is its parts'"
                        ),
                        _ => refused.clone().unwrap_or_default(),
                    };
                    article.end_check(CheckEnd::Blocked { why, reason });
                    report.failed += 1;
                    continue;
                }
                Conclusion::InSync => article.end_check(CheckEnd::InSync),
                Conclusion::Settling => {
                    let delay = self.recheck_after(article.rechecks);
                    let due_at = now + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                    article.end_check(CheckEnd::Settling { due_at });
                }
            }
            if answered == WriteAnswer::Written {
                let allocated = article.centra_allocated.unwrap_or(0);
                article.written = Some(decision.target);
                article.centra_physical = Some(decision.target.max(allocated));
                report.written += 1;
            } else {
                report.unchanged += 1;
            }
        }
        progress.at("saving the outcome");
        self.save(&outcome, claimed).await?;
        if report.written > 0 {
            tracing::info!(written = report.written, unchanged = report.unchanged, failed = report.failed, %endpoint, "stock written to centra");
        }
        Ok(report)
    }

    /// Every claimed article refused for `reason` (a read refused as a whole): saved, nothing
    /// due until the next mark.
    async fn refuse_all(
        &self,
        claimed: &[StockArticle],
        reason: String,
    ) -> Result<CheckReport, FlowError> {
        let mut outcome = claimed.to_vec();
        for article in &mut outcome {
            article.end_check(CheckEnd::Blocked {
                why: Blocked::Refused,
                reason: reason.clone(),
            });
        }
        self.save(&outcome, claimed).await?;
        let checked = claimed.len() as u64;
        Ok(CheckReport {
            checked,
            failed: checked,
            ..Default::default()
        })
    }

    async fn save(
        &self,
        outcome: &[StockArticle],
        claimed: &[StockArticle],
    ) -> Result<(), FlowError> {
        let store = self.articles.store();
        let mut tx = store.begin().await?;
        for (article, before) in outcome.iter().zip(claimed) {
            self.articles
                .finish(&mut tx, article, before.generation)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Splits a port result by the error's kind: a retryable failure is the flow's error (the
/// articles are given back, due again shortly), a terminal one is handed back for the check to
/// record on the articles, since calling again would fail the same way.
fn terminal<T>(result: Result<T, PortError>) -> Result<Result<T, PortError>, FlowError> {
    PortError::retryable_apart(result).map_err(FlowError::Unavailable)
}

/// The reason an article shows after `who` failed `call` for good: the far side's own words,
/// and whether it refused the call or answered against the gateway contract (a bug to report,
/// not a record to fix).
fn refusal(who: &str, call: &str, error: &PortError) -> String {
    let reason = error.reason();
    match error.kind() {
        PortErrorKind::BrokenAnswer => format!("{who} answered {call} off contract: {reason}"),
        PortErrorKind::Unavailable | PortErrorKind::Refused | PortErrorKind::ArticlesMissing => {
            format!("{who} refused {call}: {reason}")
        }
    }
}
