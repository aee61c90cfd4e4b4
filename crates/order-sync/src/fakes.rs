//! In-memory Centra and WMS that behave like the gateways: idempotent, "already done" as
//! success, and able to refuse, fail, or lose an answer after doing the work.
//!
//! Behind the `fakes` feature so other test crates can use them; the contract suite in
//! `tests/order_ports_contract` (package `centra-wms-tests`) runs the same cases against these
//! fakes and against the gRPC adapters over the real gateways and simulators.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use crate::ports::{
    CentraShipment, CentraShipments, Completion, DeliveryAcceptance, PickedReported,
    QuantityUpdate, WmsCancellation, WmsOrder, WmsOrders, WmsPurchaseOrder,
};
use async_trait::async_trait;
use domain::{EndpointName, PortError, Shipment, ShipmentId};

/// What can go wrong with the next call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// Fails before doing anything.
    Down,
    /// Does the work, then the answer is lost.
    LoseAnswer,
}

#[derive(Debug, Default)]
pub struct CentraState {
    /// Shipments as Centra shows them (resync); an unknown one is an empty good-to-go shipment.
    pub shipments: BTreeMap<String, Shipment>,
    pub unpaid: HashSet<String>,
    pub refuse_capture: HashSet<String>,
    /// Captures that took money (one per shipment: a capture again takes none).
    pub captures: Vec<String>,
    /// Capture calls that reached the fake, whatever their outcome.
    pub capture_calls: u32,
    pub quantity_updates: Vec<QuantityUpdate>,
    /// Completions that changed Centra (an already completed shipment is not counted).
    pub completions: Vec<Completion>,
    pub completed: HashSet<String>,
    /// Acceptances that changed Centra, per delivery id.
    pub acceptances: Vec<DeliveryAcceptance>,
    /// While set, every acceptance is refused with this reason (as the gateway refuses a
    /// receipt the Integration API cannot accept as it stands); refusals are counted.
    pub refuse_acceptance: Option<String>,
    pub refused_acceptances: u32,
    pub next_fault: Fault,
    /// What goes wrong with the next capture, when `next_fault` is not taken before it (the
    /// calls before the capture go through).
    pub next_capture_fault: Fault,
}

#[derive(Debug, Default)]
pub struct FakeCentra {
    pub state: Mutex<CentraState>,
}

impl FakeCentra {
    pub fn with<T>(&self, f: impl FnOnce(&mut CentraState) -> T) -> T {
        f(&mut self.state.lock().expect("centra state"))
    }

    fn fault(state: &mut CentraState) -> Fault {
        std::mem::take(&mut state.next_fault)
    }
}

const CENTRA: &str = "centra-gateway";
const WMS: &str = "wms-gateway";

fn lost(service: &'static str) -> PortError {
    PortError::unavailable(service, "answer lost")
}

#[async_trait]
impl CentraShipments for FakeCentra {
    async fn capture(
        &self,
        _idempotency_key: &str,
        _endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<(), PortError> {
        let shipment_id = shipment_id.to_string();
        self.with(|s| {
            s.capture_calls += 1;
            let fault = match Self::fault(s) {
                Fault::None => std::mem::take(&mut s.next_capture_fault),
                fault => fault,
            };
            if fault == Fault::Down {
                return Err(PortError::unavailable(CENTRA, "down"));
            }
            if s.refuse_capture.contains(&shipment_id) {
                return Err(PortError::refused(CENTRA, "payment declined"));
            }
            if s.unpaid.remove(&shipment_id) {
                s.captures.push(shipment_id.clone());
            }
            if fault == Fault::LoseAnswer {
                return Err(lost(CENTRA));
            }
            Ok(())
        })
    }

    async fn shipment(
        &self,
        endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<CentraShipment, PortError> {
        let id = shipment_id.to_string();
        self.with(|s| {
            // As the gateway answers (`NOT_FOUND`, read as `Refused`): a shipment Centra does
            // not know is not an empty good-to-go one.
            let mut shipment = s.shipments.get(&id).cloned().ok_or_else(|| {
                PortError::refused(
                    CENTRA,
                    format!("centra has no shipment {shipment_id} on {endpoint}"),
                )
            })?;
            shipment.paid = !s.unpaid.contains(&id);
            Ok(CentraShipment {
                shipment,
                completed: s.completed.contains(&id),
            })
        })
    }

    async fn update_quantities(&self, request: &QuantityUpdate) -> Result<(), PortError> {
        let request = request.clone();
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::unavailable(CENTRA, "down"));
            }
            let same = s.quantity_updates.last().is_some_and(|last| {
                last.shipment_id == request.shipment_id && last.lines == request.lines
            });
            if !same {
                s.quantity_updates.push(request);
            }
            if fault == Fault::LoseAnswer {
                return Err(lost(CENTRA));
            }
            Ok(())
        })
    }

    async fn complete(&self, request: &Completion) -> Result<bool, PortError> {
        let request = request.clone();
        let shipment_id = request.shipment_id.to_string();
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::unavailable(CENTRA, "down"));
            }
            if s.completed.contains(&shipment_id) {
                return Ok(true);
            }
            let capture = request.capture;
            if s.unpaid.contains(&shipment_id) && !capture {
                return Err(PortError::refused(
                    CENTRA,
                    "only paid shipments can be completed",
                ));
            }
            if capture && s.unpaid.remove(&shipment_id) {
                s.captures.push(shipment_id.clone());
            }
            s.completed.insert(shipment_id.clone());
            s.completions.push(request);
            if fault == Fault::LoseAnswer {
                return Err(lost(CENTRA));
            }
            Ok(false)
        })
    }

    async fn accept_delivery(&self, request: &DeliveryAcceptance) -> Result<bool, PortError> {
        let request = request.clone();
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::unavailable(CENTRA, "down"));
            }
            if s.acceptances
                .iter()
                .any(|a| a.delivery_id == request.delivery_id)
            {
                return Ok(true);
            }
            if let Some(reason) = s.refuse_acceptance.clone() {
                s.refused_acceptances += 1;
                return Err(PortError::refused(CENTRA, reason));
            }
            s.acceptances.push(request);
            if fault == Fault::LoseAnswer {
                return Err(lost(CENTRA));
            }
            Ok(false)
        })
    }
}

#[derive(Debug, Default)]
pub struct WmsState {
    pub orders: BTreeMap<String, WmsOrder>,
    /// The WMS order id of each order number, given at creation and kept (1001 first).
    pub order_ids: BTreeMap<String, i64>,
    pub creations: u32,
    pub upserts: u32,
    /// `None`: every article exists.
    pub known_articles: Option<HashSet<String>>,
    pub acknowledged: Vec<PickedReported>,
    pub purchase_orders: BTreeMap<String, WmsPurchaseOrder>,
    /// `UpsertPurchaseOrder` calls that reached the fake, refused or not.
    pub purchase_order_calls: u32,
    /// Orders cancelled (by number); cancelling one again is "already done".
    pub cancelled: HashSet<String>,
    /// Cancellation calls that reached the fake, refused or not.
    pub cancel_calls: u32,
    /// Orders the warehouse started work on: their update and their cancellation are refused.
    pub work_started: HashSet<String>,
    pub next_fault: Fault,
}

#[derive(Debug, Default)]
pub struct FakeWms {
    pub state: Mutex<WmsState>,
}

impl FakeWms {
    pub fn with<T>(&self, f: impl FnOnce(&mut WmsState) -> T) -> T {
        f(&mut self.state.lock().expect("wms state"))
    }
}

#[async_trait]
impl WmsOrders for FakeWms {
    async fn upsert_order(&self, request: &WmsOrder) -> Result<i64, PortError> {
        let request = request.clone();
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            if fault == Fault::Down {
                return Err(PortError::unavailable(WMS, "down"));
            }
            // Like ongoing-gateway: Ongoing names the first unknown article in its words, the
            // gateway checks every line's article and names all it lacks, typed.
            if let Some(known) = &s.known_articles
                && let Some(line) = request
                    .lines
                    .iter()
                    .find(|l| !known.contains(l.article_number.as_str()))
            {
                return Err(PortError::articles_missing(
                    WMS,
                    format!(
                        "Order {}, row {}: article {} does not exist.",
                        request.order_number, line.row_number, line.article_number
                    ),
                    missing(
                        known,
                        request.lines.iter().map(|l| l.article_number.as_str()),
                    ),
                ));
            }
            // Like both gateways: an order the warehouse started on no longer changes.
            if s.orders.contains_key(&request.order_number)
                && s.work_started.contains(&request.order_number)
            {
                return Err(PortError::refused(
                    WMS,
                    format!(
                        "order {} cannot be updated: picking has started",
                        request.order_number
                    ),
                ));
            }
            s.upserts += 1;
            if !s.orders.contains_key(&request.order_number) {
                s.creations += 1;
            }
            let next = 1001 + i64::try_from(s.order_ids.len()).unwrap_or(0);
            let id = *s
                .order_ids
                .entry(request.order_number.clone())
                .or_insert(next);
            s.orders.insert(request.order_number.clone(), request);
            if fault == Fault::LoseAnswer {
                return Err(lost(WMS));
            }
            Ok(id)
        })
    }

    async fn cancel_order(&self, request: &WmsCancellation) -> Result<bool, PortError> {
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            if fault == Fault::Down {
                return Err(PortError::unavailable(WMS, "down"));
            }
            s.cancel_calls += 1;
            if s.work_started.contains(&request.order_number) {
                return Err(PortError::refused(
                    WMS,
                    format!(
                        "order {} cannot be cancelled: picking has started",
                        request.order_number
                    ),
                ));
            }
            let already = !s.orders.contains_key(&request.order_number)
                || !s.cancelled.insert(request.order_number.clone());
            if fault == Fault::LoseAnswer {
                return Err(lost(WMS));
            }
            Ok(already)
        })
    }

    async fn upsert_purchase_order(&self, request: &WmsPurchaseOrder) -> Result<i64, PortError> {
        let request = request.clone();
        self.with(|s| {
            if std::mem::take(&mut s.next_fault) == Fault::Down {
                return Err(PortError::unavailable(WMS, "down"));
            }
            s.purchase_order_calls += 1;
            // As for orders: every article the WMS lacks, typed.
            if let Some(known) = &s.known_articles
                && let Some(line) = request
                    .lines
                    .iter()
                    .find(|l| !known.contains(l.article_number.as_str()))
            {
                return Err(PortError::articles_missing(
                    WMS,
                    format!(
                        "Purchase order {}, row {}: article {} does not exist.",
                        request.purchase_order_number, line.row_number, line.article_number
                    ),
                    missing(
                        known,
                        request.lines.iter().map(|l| l.article_number.as_str()),
                    ),
                ));
            }
            s.purchase_orders
                .insert(request.purchase_order_number.clone(), request);
            Ok(i64::try_from(s.purchase_orders.len()).unwrap_or(0) + 7000)
        })
    }

    async fn acknowledge_picked(&self, report: &PickedReported) -> Result<(), PortError> {
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            if fault == Fault::Down {
                return Err(PortError::unavailable(WMS, "down"));
            }
            // As the port's `# Errors` say: an order the WMS does not know is refused.
            if !s.order_ids.values().any(|id| *id == report.wms_order_id) {
                return Err(PortError::refused(
                    WMS,
                    format!("no order with WMS id {}", report.wms_order_id),
                ));
            }
            s.acknowledged.push(report.clone());
            if fault == Fault::LoseAnswer {
                return Err(lost(WMS));
            }
            Ok(())
        })
    }
}

/// The articles of `lines` not in `known`, each once, in line order.
fn missing<'a>(
    known: &std::collections::HashSet<String>,
    lines: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for article in lines {
        if !known.contains(article) && !missing.iter().any(|m| m == article) {
            missing.push(article.to_owned());
        }
    }
    missing
}
