//! In-memory Centra and WMS that behave like the gateways: idempotent, "already done" as
//! success, and able to refuse, fail, or lose an answer after doing the work.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use order_sync::ports::{CentraShipments, PortError, WmsOrders};
use proto::centra::v1 as centra;
use proto::wms::v1 as wms;

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
    pub shipments: BTreeMap<String, centra::Shipment>,
    pub unpaid: HashSet<String>,
    pub refuse_capture: HashSet<String>,
    pub captures: Vec<String>,
    pub quantity_updates: Vec<centra::UpdateShipmentQuantitiesRequest>,
    /// Completions that changed Centra (an already completed shipment is not counted).
    pub completions: Vec<centra::CompleteShipmentRequest>,
    pub completed: HashSet<String>,
    /// Acceptances that changed Centra, per delivery id.
    pub acceptances: Vec<centra::AcceptSupplierDeliveryRequest>,
    pub next_fault: Fault,
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

fn lost() -> PortError {
    PortError::Unavailable("answer lost".into())
}

#[async_trait]
impl CentraShipments for FakeCentra {
    async fn capture(&self, request: centra::CaptureShipmentRequest) -> Result<(), PortError> {
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            if s.refuse_capture.contains(&request.shipment_id) {
                return Err(PortError::Refused("payment declined".into()));
            }
            if s.unpaid.remove(&request.shipment_id) {
                s.captures.push(request.shipment_id.clone());
            }
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(())
        })
    }

    async fn shipment(
        &self,
        _endpoint: &str,
        shipment_id: &str,
    ) -> Result<centra::Shipment, PortError> {
        self.with(|s| {
            let status = if s.completed.contains(shipment_id) {
                centra::ShipmentStatus::Completed
            } else {
                centra::ShipmentStatus::GoodToGo
            };
            let known = s.shipments.get(shipment_id).cloned().unwrap_or_default();
            Ok(centra::Shipment {
                shipment_id: shipment_id.to_owned(),
                status: status as i32,
                paid: !s.unpaid.contains(shipment_id),
                ..known
            })
        })
    }

    async fn update_quantities(
        &self,
        request: centra::UpdateShipmentQuantitiesRequest,
    ) -> Result<(), PortError> {
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            let same = s.quantity_updates.last().is_some_and(|last| {
                last.shipment_id == request.shipment_id && last.lines == request.lines
            });
            if !same {
                s.quantity_updates.push(request);
            }
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(())
        })
    }

    async fn complete(&self, request: centra::CompleteShipmentRequest) -> Result<bool, PortError> {
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            if s.completed.contains(&request.shipment_id) {
                return Ok(true);
            }
            let capture = request.capture.ok_or_else(|| {
                PortError::Refused("capture flag missing: centra would capture".into())
            })?;
            if s.unpaid.contains(&request.shipment_id) && !capture {
                return Err(PortError::Refused(
                    "only paid shipments can be completed".into(),
                ));
            }
            if capture && s.unpaid.remove(&request.shipment_id) {
                s.captures.push(request.shipment_id.clone());
            }
            s.completed.insert(request.shipment_id.clone());
            s.completions.push(request);
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(false)
        })
    }

    async fn accept_delivery(
        &self,
        request: centra::AcceptSupplierDeliveryRequest,
    ) -> Result<bool, PortError> {
        self.with(|s| {
            let fault = Self::fault(s);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            if s.acceptances
                .iter()
                .any(|a| a.delivery_id == request.delivery_id)
            {
                return Ok(true);
            }
            s.acceptances.push(request);
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(false)
        })
    }
}

#[derive(Debug, Default)]
pub struct WmsState {
    pub orders: BTreeMap<String, wms::UpsertOrderRequest>,
    pub creations: u32,
    pub upserts: u32,
    /// `None`: every article exists.
    pub known_articles: Option<HashSet<String>>,
    pub acknowledged: Vec<wms::AcknowledgeReportedRequest>,
    pub purchase_orders: BTreeMap<String, wms::UpsertPurchaseOrderRequest>,
    /// `UpsertPurchaseOrder` calls that reached the fake, refused or not.
    pub purchase_order_calls: u32,
    /// Orders cancelled (by number); cancelling one again is "already done".
    pub cancelled: HashSet<String>,
    /// Cancellation calls that reached the fake, refused or not.
    pub cancel_calls: u32,
    /// Orders the warehouse started work on: their cancellation is refused.
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
    async fn upsert_order(&self, request: wms::UpsertOrderRequest) -> Result<i64, PortError> {
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            // Like ongoing-gateway: Ongoing names the first unknown article in its words, the
            // gateway checks every line's article and names all it lacks, typed.
            if let Some(known) = &s.known_articles
                && let Some(line) = request
                    .lines
                    .iter()
                    .find(|l| !known.contains(&l.article_number))
            {
                return Err(PortError::ArticlesMissing {
                    message: format!(
                        "Order {}, row {}: article {} does not exist.",
                        request.order_number, line.row_number, line.article_number
                    ),
                    articles: missing(known, request.lines.iter().map(|l| &l.article_number)),
                });
            }
            s.upserts += 1;
            if !s.orders.contains_key(&request.order_number) {
                s.creations += 1;
            }
            s.orders.insert(request.order_number.clone(), request);
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(i64::try_from(s.orders.len()).unwrap_or(0) + 1000)
        })
    }

    async fn cancel_order(&self, request: wms::CancelOrderRequest) -> Result<bool, PortError> {
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            if fault == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            s.cancel_calls += 1;
            if s.work_started.contains(&request.order_number) {
                return Err(PortError::Refused(format!(
                    "order {} cannot be cancelled: picking has started",
                    request.order_number
                )));
            }
            let already = !s.orders.contains_key(&request.order_number)
                || !s.cancelled.insert(request.order_number.clone());
            if fault == Fault::LoseAnswer {
                return Err(lost());
            }
            Ok(already)
        })
    }

    async fn upsert_purchase_order(
        &self,
        request: wms::UpsertPurchaseOrderRequest,
    ) -> Result<i64, PortError> {
        self.with(|s| {
            if std::mem::take(&mut s.next_fault) == Fault::Down {
                return Err(PortError::Unavailable("down".into()));
            }
            s.purchase_order_calls += 1;
            // As for orders: every article the WMS lacks, typed.
            if let Some(known) = &s.known_articles
                && let Some(line) = request
                    .lines
                    .iter()
                    .find(|l| !known.contains(&l.article_number))
            {
                return Err(PortError::ArticlesMissing {
                    message: format!(
                        "Purchase order {}, row {}: article {} does not exist.",
                        request.purchase_order_number, line.row_number, line.article_number
                    ),
                    articles: missing(known, request.lines.iter().map(|l| &l.article_number)),
                });
            }
            s.purchase_orders
                .insert(request.purchase_order_number.clone(), request);
            Ok(i64::try_from(s.purchase_orders.len()).unwrap_or(0) + 7000)
        })
    }

    async fn acknowledge(&self, request: wms::AcknowledgeReportedRequest) -> Result<(), PortError> {
        self.with(|s| s.acknowledged.push(request));
        Ok(())
    }
}

/// The articles of `lines` not in `known`, each once, in line order.
fn missing<'a>(
    known: &std::collections::HashSet<String>,
    lines: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for article in lines {
        if !known.contains(article) && !missing.contains(article) {
            missing.push(article.clone());
        }
    }
    missing
}
