//! In-memory Centra and WMS that behave like the gateways: idempotent by key, and able to be
//! down, refuse, or lose an answer after doing the work.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use domain::PortError;
use returns_sync::ports::{CentraReturns, CreatedReturn, NewCentraReturn, WmsReturns};

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
            let already_done = s.returns.contains_key(&new.idempotency_key);
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
    async fn acknowledge_returned(
        &self,
        _idempotency_key: &str,
        _warehouse: &str,
        wms_order_id: i64,
        lines: &BTreeMap<i64, i64>,
    ) -> Result<(), PortError> {
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
