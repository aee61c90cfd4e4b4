//! The shared state of one simulator instance.
//!
//! - [`Sim`]: everything a request handler reaches through axum's `State`: the settings, the
//!   [`Store`] behind a short-lived `std` mutex, the goods owner's write gate, the request log,
//!   the fault injector and the webhook sender.
//! - [`Store`]: the warehouse's records (articles with their stock ledger, orders, purchase
//!   orders, return orders, return causes). Its operations live next to each resource
//!   (`orders::store`, `purchase_orders::store`, ...) and return [`DomainEvent`]s.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::articles::Article;
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::events::DomainEvent;
use crate::faults::Faults;
use crate::models::GoodsOwnerModel;
use crate::orders::Order;
use crate::purchase_orders::PurchaseOrder;
use crate::request_log::RequestLog;
use crate::returns::{ReturnCauseRecord, ReturnOrder, ReturnRecord};
use crate::webhooks::Webhooks;

/// Shared by every handler of one running simulator.
#[derive(Debug)]
pub(crate) struct Sim {
    pub config: SimConfig,
    store: Mutex<Store>,
    /// Ongoing processes the writes of one goods owner one at a time (DEV /parallel-requests).
    /// Each instance serves exactly one goods owner (each API user belongs to one), so one gate
    /// is the per-goods-owner lock.
    pub write_gate: tokio::sync::Mutex<()>,
    pub log: RequestLog,
    pub faults: Faults,
    pub webhooks: Webhooks,
}

impl Sim {
    /// Needs a Tokio runtime: it starts the webhook sender.
    pub(crate) fn new(config: SimConfig) -> Arc<Self> {
        let webhooks = Webhooks::start(&config);
        Arc::new(Self {
            store: Mutex::new(Store::new()),
            write_gate: tokio::sync::Mutex::new(()),
            log: RequestLog::default(),
            faults: Faults::default(),
            webhooks,
            config,
        })
    }

    /// The records; a handler that panicked while holding them cannot leave them half-written
    /// in a way that matters more than losing the simulator, so poisoning is ignored.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses a `goodsOwnerId` that is not the API user's.
    pub(crate) fn check_goods_owner(&self, goods_owner_id: i64) -> Result<(), ApiError> {
        if goods_owner_id == self.config.goods_owner_id {
            Ok(())
        } else {
            Err(ApiError::new(
                self.config.foreign_goods_owner_status,
                format!("The API user has no access to goods owner {goods_owner_id}."),
            ))
        }
    }

    pub(crate) fn goods_owner(&self) -> GoodsOwnerModel {
        GoodsOwnerModel {
            id: self.config.goods_owner_id,
            name: self.config.goods_owner_name.clone(),
        }
    }

    /// `/{warehouse}/api/v1/{rest}`: the REST path of a resource (webhook `path`).
    pub(crate) fn api_path(&self, rest: &str) -> String {
        format!("/{}/api/v1/{rest}", self.config.warehouse)
    }

    /// Sends the webhooks for `events`; call while still holding `store` so payloads show the
    /// state the events produced.
    pub(crate) fn publish(&self, store: &Store, events: &[DomainEvent]) {
        for event in events {
            if let Some(payload) = crate::webhooks::payloads::build(self, store, event) {
                self.webhooks.emit(payload);
            }
        }
    }

    /// Empties every record, the request log, the faults and the webhook settings.
    pub(crate) fn reset(&self) {
        *self.store() = Store::new();
        self.log.clear();
        self.faults.clear();
        self.webhooks.clear();
    }
}

/// Id sequences. Each kind starts in its own range so a client that mixes up ids (an order id
/// where a line id belongs) hits nothing instead of the wrong record.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    pub article: i64,
    pub order: i64,
    pub order_line: i64,
    pub article_item: i64,
    pub parcel: i64,
    pub purchase_order: i64,
    pub purchase_order_line: i64,
    pub return_order: i64,
    pub return_order_line: i64,
    pub return_cause: i64,
    pub transaction: i64,
}

impl Default for Ids {
    fn default() -> Self {
        Self {
            article: 18_001,
            order: 50_001,
            order_line: 48_001,
            article_item: 59_001,
            parcel: 201,
            purchase_order: 241,
            purchase_order_line: 551,
            return_order: 301,
            return_order_line: 701,
            return_cause: 11,
            transaction: 101,
        }
    }
}

/// Hands out the next id of a sequence.
pub(crate) fn next(sequence: &mut i64) -> i64 {
    let id = *sequence;
    *sequence += 1;
    id
}

/// The warehouse's records.
#[derive(Debug)]
pub(crate) struct Store {
    pub ids: Ids,
    pub articles: BTreeMap<i64, Article>,
    pub orders: BTreeMap<i64, Order>,
    pub purchase_orders: BTreeMap<i64, PurchaseOrder>,
    pub return_orders: BTreeMap<i64, ReturnOrder>,
    pub return_causes: Vec<ReturnCauseRecord>,
    /// Every return registered on an original order line (through `/_sim/returns`).
    pub returns: Vec<ReturnRecord>,
}

impl Store {
    pub(crate) fn new() -> Self {
        let mut store = Self {
            ids: Ids::default(),
            articles: BTreeMap::new(),
            orders: BTreeMap::new(),
            purchase_orders: BTreeMap::new(),
            return_orders: BTreeMap::new(),
            return_causes: Vec::new(),
            returns: Vec::new(),
        };
        crate::returns::seed_return_causes(&mut store);
        store
    }

    pub(crate) fn article_id_by_number(&self, article_number: &str) -> Option<i64> {
        self.articles
            .values()
            .find(|article| article.data.article_number.as_deref() == Some(article_number))
            .map(|article| article.article_system_id)
    }

    pub(crate) fn order_id_by_number(&self, order_number: &str) -> Option<i64> {
        self.orders
            .values()
            .find(|order| order.order_number == order_number)
            .map(|order| order.order_id)
    }

    pub(crate) fn purchase_order_id_by_number(&self, number: &str) -> Option<i64> {
        self.purchase_orders
            .values()
            .find(|po| po.purchase_order_number == number)
            .map(|po| po.purchase_order_id)
    }
}
