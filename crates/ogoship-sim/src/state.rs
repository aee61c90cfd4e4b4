//! The shared state of one simulator instance.
//!
//! - [`Sim`]: what every handler reaches through axum's `State`: settings, clock, tokens, the
//!   [`Store`] behind a short-lived `std` mutex, the request log, faults and the webhook sender.
//! - [`Store`]: the merchant's records at OGOship (products with their physical stock, orders,
//!   stock updates, returns, webhooks). Reserved stock is not stored but derived from the
//!   orders, so it can never drift from them.
//! - [`Sim::mutate`]: the one way to change records. It diffs every product's stock level
//!   before and after, stamps the stock `modified` time, turns pending orders whose stock
//!   arrived into `new` (ogoship-api.md §5), and sends the webhooks the change caused (§9).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::orders::Order;
use crate::products::Product;
use crate::request_log::RequestLog;
use crate::returns::ReturnRecord;
use crate::stock_updates::StockUpdate;
use crate::tokens::Tokens;
use crate::webhooks::sender::Sender;
use crate::webhooks::{ControlHook, WebHook};

/// Something that happened which webhooks report (§9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    OrderShipped {
        reference: String,
        tracking_number: Option<String>,
    },
    StockLevelChanged {
        product_code: String,
    },
}

/// Shared by every handler of one running simulator.
#[derive(Debug)]
pub(crate) struct Sim {
    pub config: SimConfig,
    pub clock: Clock,
    pub tokens: Tokens,
    store: Mutex<Store>,
    pub log: RequestLog,
    pub faults: Faults,
    pub sender: Sender,
}

impl Sim {
    /// Needs a Tokio runtime: it starts the webhook sender.
    pub(crate) fn new(config: SimConfig) -> Arc<Self> {
        let sender = Sender::start(config.webhook_retry_delays.clone());
        Arc::new(Self {
            config,
            clock: Clock::default(),
            tokens: Tokens::default(),
            store: Mutex::new(Store::default()),
            log: RequestLog::default(),
            faults: Faults::default(),
            sender,
        })
    }

    /// The records, for reading. Poisoning is ignored: a panicked handler loses at most its
    /// own half-applied change, which matters less than the simulator staying up.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Changes the records through `change` (see the module docs). `change` must validate
    /// before it writes, so an `Err` leaves the records as they were.
    pub(crate) fn mutate<T, E>(
        &self,
        change: impl FnOnce(&mut Store, DateTime<Utc>, &mut Vec<Event>) -> Result<T, E>,
    ) -> Result<T, E> {
        let now = self.clock.now();
        let mut store = self.store();
        let before = store.levels();
        let mut events = Vec::new();
        let result = change(&mut store, now, &mut events);
        crate::orders::lifecycle::promote_pending(&mut store, now);
        let after = store.levels();
        for (index, level) in after.iter().enumerate() {
            let old = before.get(index).copied().unwrap_or_default();
            if *level != old {
                let product = &mut store.products[index];
                product.stock_modified = now;
                events.push(Event::StockLevelChanged {
                    product_code: product.code.clone(),
                });
            }
        }
        self.sender.publish(&store, &events);
        result
    }

    /// Empties the records, the request log, the faults and the webhook deliveries. Issued
    /// tokens and the clock survive, so a connected client keeps working after a test resets.
    pub(crate) fn reset(&self) {
        *self.store() = Store::default();
        self.log.clear();
        self.faults.clear();
        self.sender.clear();
    }
}

/// Stock numbers of one product (§6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Level {
    /// Physical stock, not yet deducted for orders before `collecting`.
    pub stock: i64,
    /// Held for orders in `new`, `pending`, `reserved`, `locked`.
    pub reserved: i64,
}

impl Level {
    /// Doc gap: §6 marks `stockAvailable = stock − reserved` as [I]; it may go negative when
    /// pending orders reserve more than is on the shelf, and the simulator shows that as is.
    pub(crate) fn available(self) -> i64 {
        self.stock - self.reserved
    }
}

/// The merchant's records at OGOship.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// In creation order; never removed (the API has no product delete, §4).
    pub products: Vec<Product>,
    product_index: HashMap<String, usize>,
    /// In creation order, which is also the order stock is promised in.
    pub orders: Vec<Order>,
    order_index: HashMap<String, usize>,
    pub stock_updates: Vec<StockUpdate>,
    pub returns: Vec<ReturnRecord>,
    pub webhooks: Vec<WebHook>,
    pub control_hook: Option<ControlHook>,
}

impl Store {
    pub(crate) fn product_index(&self, code: &str) -> Option<usize> {
        self.product_index.get(code).copied()
    }

    pub(crate) fn product(&self, code: &str) -> Option<&Product> {
        self.product_index(code).map(|i| &self.products[i])
    }

    pub(crate) fn add_product(&mut self, product: Product) -> usize {
        let index = self.products.len();
        self.product_index.insert(product.code.clone(), index);
        self.products.push(product);
        index
    }

    /// Renames product `index` to `new_code`; order and stock update lines follow it.
    /// Doc gap: what a rename does to open orders is undocumented (§4); lines keep pointing
    /// at the same product, so its reservations follow it.
    pub(crate) fn rename_product(&mut self, index: usize, new_code: &str) {
        let old = std::mem::replace(&mut self.products[index].code, new_code.to_owned());
        self.product_index.remove(&old);
        self.product_index.insert(new_code.to_owned(), index);
        for order in &mut self.orders {
            for line in &mut order.lines {
                if line.body.code == old {
                    new_code.clone_into(&mut line.body.code);
                }
            }
        }
        for update in &mut self.stock_updates {
            for line in &mut update.lines {
                if line.code == old {
                    new_code.clone_into(&mut line.code);
                }
            }
        }
    }

    pub(crate) fn order_index(&self, reference: &str) -> Option<usize> {
        self.order_index.get(reference).copied()
    }

    pub(crate) fn add_order(&mut self, order: Order) -> usize {
        let index = self.orders.len();
        self.order_index.insert(order.reference.clone(), index);
        self.orders.push(order);
        index
    }

    /// Quantities held per product code by orders in a reserving status.
    pub(crate) fn reserved_by_code(&self) -> HashMap<&str, i64> {
        let mut reserved: HashMap<&str, i64> = HashMap::new();
        for order in self.orders.iter().filter(|o| o.status.reserves()) {
            for line in &order.lines {
                *reserved.entry(line.body.code.as_str()).or_default() += line.body.quantity;
            }
        }
        reserved
    }

    /// Every product's [`Level`], by product position.
    pub(crate) fn levels(&self) -> Vec<Level> {
        let reserved = self.reserved_by_code();
        self.products
            .iter()
            .map(|p| Level {
                stock: p.stock,
                reserved: reserved.get(p.code.as_str()).copied().unwrap_or_default(),
            })
            .collect()
    }

    pub(crate) fn level(&self, code: &str) -> Level {
        let stock = self.product(code).map(|p| p.stock).unwrap_or_default();
        let reserved = self
            .orders
            .iter()
            .filter(|o| o.status.reserves())
            .flat_map(|o| &o.lines)
            .filter(|l| l.body.code == code)
            .map(|l| l.body.quantity)
            .sum();
        Level { stock, reserved }
    }
}
