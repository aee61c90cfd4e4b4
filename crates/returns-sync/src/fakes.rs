//! In-memory Centra and WMS that behave like the gateways: idempotent by key, and able to be
//! down, refuse, or lose an answer after doing the work.
//!
//! Behind the `fakes` feature so other test crates can use them; the contract suite in
//! `tests/returns_ports_contract` (package `centra-wms-tests`) runs the same cases against these
//! fakes and against the gRPC adapters over the real gateways and simulators.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use crate::ports::{CentraReturns, CreatedReturn, NewCentraReturn, ReturnedReported, WmsReturns};
use async_trait::async_trait;
use domain::PortError;

/// The services the fakes stand for, as the gRPC adapters name them.
const CENTRA: &str = "centra-gateway";
const WMS: &str = "wms-gateway";

/// What can go wrong with the next call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// Fails before doing anything.
    Down,
    /// Does the work, then the answer is lost.
    LoseAnswer,
    /// Refuses the record.
    Refuse,
}

#[derive(Debug, Default)]
pub struct CentraState {
    /// `endpoint/shipment` -> shipment line id -> units.
    pub shipments: BTreeMap<String, BTreeMap<String, i64>>,
    /// Returns Centra has, by idempotency key.
    pub returns: BTreeMap<String, NewCentraReturn>,
    /// Centra return ids (`R1`, `R2`, ... in creation order), by idempotency key.
    pub ids: BTreeMap<String, String>,
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
}

#[async_trait]
impl CentraReturns for FakeCentra {
    async fn shipment_lines(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<BTreeMap<String, i64>, PortError> {
        self.with(|s| {
            s.shipments
                .get(&format!("{endpoint}/{shipment_id}"))
                .cloned()
                .ok_or_else(|| PortError::refused(CENTRA, format!("no shipment {shipment_id}")))
        })
    }

    async fn create_return(&self, new: &NewCentraReturn) -> Result<CreatedReturn, PortError> {
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            match fault {
                Fault::Down => return Err(PortError::unavailable(CENTRA, "centra down")),
                Fault::Refuse => {
                    return Err(PortError::refused(CENTRA, "line 9 cannot be returned"));
                }
                _ => {}
            }
            // As the gateway: no line, or a line of no units, refuses the return.
            if new.lines.is_empty() {
                return Err(PortError::refused(CENTRA, "lines: is empty"));
            }
            if let Some((line, units)) = new.lines.iter().find(|(_, units)| **units <= 0) {
                return Err(PortError::refused(
                    CENTRA,
                    format!("line {line}: quantity must be positive, is {units}"),
                ));
            }
            let already_done = s.returns.contains_key(&new.idempotency_key);
            // As Centra: a return of a shipment it does not know is not created.
            if !already_done
                && !s
                    .shipments
                    .contains_key(&format!("{}/{}", new.endpoint, new.shipment_id))
            {
                return Err(PortError::refused(
                    CENTRA,
                    format!("no shipment {}: return not created", new.shipment_id),
                ));
            }
            if !already_done {
                let id = format!("R{}", s.returns.len() + 1);
                s.returns.insert(new.idempotency_key.clone(), new.clone());
                s.ids.insert(new.idempotency_key.clone(), id);
            }
            let return_id = s.ids[&new.idempotency_key].clone();
            if fault == Fault::LoseAnswer {
                return Err(PortError::unavailable(CENTRA, "answer lost"));
            }
            Ok(CreatedReturn {
                return_id,
                already_done,
            })
        })
    }
}

#[derive(Debug, Default)]
pub struct WmsState {
    /// (order id, line id) -> reported returned units.
    pub reported: BTreeMap<(i64, i64), i64>,
    pub acknowledgements: usize,
    pub next_fault: Fault,
    /// The orders the WMS holds (order id -> line ids); `None`: every order and line.
    pub orders: Option<BTreeMap<i64, BTreeSet<i64>>>,
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
impl WmsReturns for FakeWms {
    async fn acknowledge_returned(&self, report: &ReturnedReported) -> Result<(), PortError> {
        let (wms_order_id, lines) = (report.wms_order_id, &report.lines);
        self.with(|s| {
            let fault = std::mem::take(&mut s.next_fault);
            match fault {
                Fault::Down => return Err(PortError::unavailable(WMS, "wms down")),
                Fault::Refuse => {
                    return Err(PortError::refused(
                        WMS,
                        format!("order id {wms_order_id}: line does not exist"),
                    ));
                }
                _ => {}
            }
            // As the gateway: a line of an order the WMS does not hold refuses the whole call.
            if let Some(orders) = &s.orders {
                let order = orders.get(&wms_order_id);
                if let Some(line) = lines
                    .keys()
                    .find(|line| order.is_none_or(|o| !o.contains(line)))
                {
                    return Err(PortError::refused(
                        WMS,
                        format!("order id {wms_order_id}: line {line} does not exist"),
                    ));
                }
            }
            s.acknowledgements += 1;
            for (line, units) in lines {
                let entry = s.reported.entry((wms_order_id, *line)).or_default();
                *entry = (*entry).max(*units);
            }
            if fault == Fault::LoseAnswer {
                return Err(PortError::unavailable(WMS, "answer lost"));
            }
            Ok(())
        })
    }
}
