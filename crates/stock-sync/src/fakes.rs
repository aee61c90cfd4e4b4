//! In-memory WMS and Centra that keep the ports' rules (fresh reads, partial answers, absolute
//! writes clamped to the allocation as Centra does) and can fail on demand.
//!
//! Behind the `fakes` feature so other test crates can use them; the contract suite in
//! `tests/stock_ports_contract` (package `centra-wms-tests`) runs the same cases against these
//! fakes and against the gRPC adapters over the real gateways and simulators.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::ports::{
    CentraStockRow, CentraStockTarget, StockWriteOutcome, WmsStockPage, WmsStockRead,
    WmsStockSource,
};
use async_trait::async_trait;
use domain::{CentraStock, PortError, WmsStock};

/// The services the fakes stand for, as the gRPC adapters name them.
const WMS: &str = "wms-gateway";
const CENTRA: &str = "centra-gateway";

/// What the next call does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// Fails before doing anything.
    Down,
    /// Does the work, then loses the answer.
    LoseAnswer,
}

/// What the world does once, right after the next read of either side (a shipment shipped and
/// completed while a check is between its reads, say).
#[derive(Default)]
pub struct Moves(Mutex<Option<Box<dyn FnOnce() + Send>>>);

impl Moves {
    pub fn set(&self, moves: impl FnOnce() + Send + 'static) {
        *self.0.lock().expect("moves lock") = Some(Box::new(moves));
    }

    /// Runs the moves, if any, once (never under a fake's lock).
    fn after_read(&self) {
        let moves = self.0.lock().expect("moves lock").take();
        if let Some(moves) = moves {
            moves();
        }
    }
}

impl std::fmt::Debug for Moves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Moves")
    }
}

#[derive(Debug, Default)]
pub struct WmsState {
    pub levels: BTreeMap<String, WmsStock>,
    pub next_fault: Fault,
    pub reads: u32,
    /// How long each read takes (a gateway retrying, a slow WMS).
    pub read_delay: std::time::Duration,
}

#[derive(Debug, Default)]
pub struct FakeWms(Mutex<WmsState>, Arc<Moves>);

impl FakeWms {
    pub fn new(moves: Arc<Moves>) -> Self {
        Self(Mutex::default(), moves)
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut WmsState) -> T) -> T {
        f(&mut self.0.lock().expect("wms lock"))
    }
}

#[async_trait]
impl WmsStockSource for FakeWms {
    async fn read(&self, _warehouse: &str, articles: &[String]) -> Result<WmsStockRead, PortError> {
        let delay = self.with(|w| w.read_delay);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let read = self.with(|w| {
            if std::mem::take(&mut w.next_fault) != Fault::None {
                return Err(PortError::unavailable(WMS, "wms down"));
            }
            // As the gateway: at most 100 names, none empty, else the request is refused.
            if articles.len() > 100 {
                return Err(PortError::refused(
                    WMS,
                    format!(
                        "article_numbers: at most 100 per call, got {}",
                        articles.len()
                    ),
                ));
            }
            if let Some(i) = articles.iter().position(|a| a.trim().is_empty()) {
                return Err(PortError::refused(
                    WMS,
                    format!("article_numbers[{i}]: is empty"),
                ));
            }
            w.reads += 1;
            let mut read = WmsStockRead::default();
            for a in articles {
                match w.levels.get(a) {
                    Some(level) => {
                        read.levels.insert(a.clone(), *level);
                    }
                    None => read.not_found.push(a.clone()),
                }
            }
            Ok(read)
        });
        self.1.after_read();
        read
    }

    async fn page(&self, _warehouse: &str, from: i64) -> Result<WmsStockPage, PortError> {
        self.with(|w| {
            // As the gateway: a page is a read, and fails like one.
            if std::mem::take(&mut w.next_fault) != Fault::None {
                return Err(PortError::unavailable(WMS, "wms down"));
            }
            let from = usize::try_from(from).unwrap_or(0);
            let levels: BTreeMap<String, WmsStock> = w
                .levels
                .iter()
                .skip(from)
                .take(50)
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            let next = (from + 50 < w.levels.len()).then(|| i64::try_from(from + 50).unwrap());
            Ok(WmsStockPage { levels, next })
        })
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub product_id: String,
    pub joined_sku: String,
    pub ean: String,
    pub physical: i64,
    pub allocated: i64,
    pub bundle: bool,
}

#[derive(Debug, Default)]
pub struct CentraState {
    pub items: Vec<Item>,
    pub next_fault: Fault,
    /// Every write: product -> quantity.
    pub writes: Vec<BTreeMap<String, i64>>,
    pub reads: u32,
}

impl CentraState {
    pub fn item(&mut self, key: &str) -> &mut Item {
        self.items
            .iter_mut()
            .find(|i| i.joined_sku == key || i.ean == key)
            .unwrap_or_else(|| panic!("no centra item {key}"))
    }

    /// Units written in total, per product.
    pub fn written_products(&self) -> usize {
        self.writes.iter().map(BTreeMap::len).sum()
    }
}

#[derive(Debug, Default)]
pub struct FakeCentra(Mutex<CentraState>, Arc<Moves>);

impl FakeCentra {
    pub fn new(moves: Arc<Moves>) -> Self {
        Self(Mutex::default(), moves)
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut CentraState) -> T) -> T {
        f(&mut self.0.lock().expect("centra lock"))
    }
}

fn row(item: &Item) -> CentraStockRow {
    CentraStockRow {
        product_id: item.product_id.clone(),
        joined_sku: item.joined_sku.clone(),
        ean: item.ean.clone(),
        stock: CentraStock {
            physical: item.physical,
            allocated: item.allocated,
        },
    }
}

#[async_trait]
impl CentraStockTarget for FakeCentra {
    async fn read(
        &self,
        _endpoint: &str,
        product_ids: &[String],
    ) -> Result<Vec<CentraStockRow>, PortError> {
        let read = self.with(|c| {
            // A lost answer is a write fault: reads leave it for the write.
            if c.next_fault == Fault::Down {
                c.next_fault = Fault::None;
                return Err(PortError::unavailable(CENTRA, "centra down"));
            }
            // As the gateway: a product id is a number, else the request is refused.
            if let Some((i, id)) = product_ids.iter().enumerate().find(|(_, id)| {
                id.trim().is_empty() || !id.trim().bytes().all(|b| b.is_ascii_digit())
            }) {
                return Err(PortError::refused(
                    CENTRA,
                    format!("product_ids[{i}]: {id:?} is not a Centra product id"),
                ));
            }
            c.reads += 1;
            Ok(c.items
                .iter()
                .filter(|i| product_ids.contains(&i.product_id))
                .map(row)
                .collect())
        });
        self.1.after_read();
        read
    }

    async fn page(
        &self,
        _endpoint: &str,
        token: Option<String>,
    ) -> Result<(Vec<CentraStockRow>, Option<String>), PortError> {
        self.with(|c| {
            // As `read`: a lost answer is a write fault.
            if c.next_fault == Fault::Down {
                c.next_fault = Fault::None;
                return Err(PortError::unavailable(CENTRA, "centra down"));
            }
            let from: usize = token.map_or(0, |t| t.parse().expect("token"));
            let rows = c.items.iter().skip(from).take(40).map(row).collect();
            let next = (from + 40 < c.items.len()).then(|| (from + 40).to_string());
            Ok((rows, next))
        })
    }

    async fn write(
        &self,
        _endpoint: &str,
        levels: &BTreeMap<String, i64>,
    ) -> Result<StockWriteOutcome, PortError> {
        self.with(|c| {
            let fault = std::mem::take(&mut c.next_fault);
            if fault == Fault::Down {
                return Err(PortError::unavailable(CENTRA, "centra down"));
            }
            // As the gateway: an empty product or a negative quantity refuses the whole write.
            for (i, (product, quantity)) in levels.iter().enumerate() {
                if product.trim().is_empty() {
                    return Err(PortError::refused(
                        CENTRA,
                        format!("levels[{i}].product: is empty"),
                    ));
                }
                if *quantity < 0 {
                    return Err(PortError::refused(
                        CENTRA,
                        format!("levels[{i}].quantity: is negative ({quantity})"),
                    ));
                }
            }
            let mut outcome = StockWriteOutcome::default();
            for (product, quantity) in levels {
                match c
                    .items
                    .iter_mut()
                    .find(|i| &i.joined_sku == product || &i.ean == product)
                {
                    None => outcome.not_found.push(product.clone()),
                    Some(item) if item.bundle => outcome.bundles.push(product.clone()),
                    // Centra raises a value below the allocation to it, silently.
                    Some(item) => item.physical = (*quantity).max(item.allocated),
                }
            }
            c.writes.push(levels.clone());
            if fault == Fault::LoseAnswer {
                return Err(PortError::unavailable(CENTRA, "answer lost"));
            }
            Ok(outcome)
        })
    }
}
