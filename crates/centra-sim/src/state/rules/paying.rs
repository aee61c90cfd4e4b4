//! Payment steps only the Integration API has: marking a shipment paid without a capture
//! (`updateShipment(isPaid: true)`, for captures made outside Centra) and capture *requests*:
//! Adyen and Klarna answer a capture with `PENDING` and settle it later, by webhook to Centra
//! (GQL DTC examples, "General notes on payment captures in GQL"). Until it settles the shipment
//! is neither captured nor paid, so it cannot be completed.

use super::Refusal;
use super::shipping::{CAPTURE_FAILED, CAPTURE_PENDING, NO_SHIPMENT};
use crate::state::{Change, Store};

/// What a capture did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureOutcome {
    /// The money is taken: the shipment is captured and paid.
    Captured,
    /// The provider took the request and decides later.
    Pending,
}

impl Store {
    /// Marks a shipment paid without capturing. Already paid is not an error (nothing changes).
    pub fn mark_paid(&mut self, shipment_id: u64) -> Result<bool, Refusal> {
        let shipment = self
            .shipments
            .get_mut(&shipment_id)
            .ok_or_else(|| Refusal::new(NO_SHIPMENT))?;
        if shipment.paid {
            return Ok(false);
        }
        if shipment.capture_pending {
            return Err(Refusal::new(CAPTURE_PENDING));
        }
        shipment.paid = true;
        shipment.should_capture = false;
        self.record(Change::ShipmentUpdated { shipment_id });
        Ok(true)
    }

    /// Captures a shipment, or files a capture request when `as_request` (the order's payment
    /// method settles later). Refused: already captured or paid, a request already pending, or
    /// no capturable authorisation (`capture failed`).
    pub fn request_capture(
        &mut self,
        shipment_id: u64,
        as_request: bool,
    ) -> Result<CaptureOutcome, Refusal> {
        let shipment = self
            .shipments
            .get(&shipment_id)
            .ok_or_else(|| Refusal::new(NO_SHIPMENT))?;
        if shipment.captured {
            return Err(Refusal::new("shipment is already captured"));
        }
        if shipment.paid {
            return Err(Refusal::new("shipment is already paid"));
        }
        if shipment.capture_pending {
            return Err(Refusal::new(CAPTURE_PENDING));
        }
        if !as_request {
            self.try_capture(shipment_id)?;
            return Ok(CaptureOutcome::Captured);
        }
        if !shipment.should_capture {
            // Nothing authorised to capture: refused at once, before the provider is asked.
            return Err(Refusal::new(CAPTURE_FAILED));
        }
        if let Some(shipment) = self.shipments.get_mut(&shipment_id) {
            shipment.capture_pending = true;
        }
        self.record(Change::ShipmentUpdated { shipment_id });
        Ok(CaptureOutcome::Pending)
    }

    /// The provider's answer to a pending request: success captures, failure leaves the shipment
    /// unpaid (and capturable again). `outcome` `None` answers as the order was seeded (a
    /// `captureFails` order fails). Answers whether a request was pending.
    pub fn settle_capture(&mut self, shipment_id: u64, outcome: Option<bool>) -> bool {
        let seeded_success = self
            .shipments
            .get(&shipment_id)
            .and_then(|s| self.orders.get(&s.order_id))
            .is_some_and(|o| !o.capture_fails);
        let success = outcome.unwrap_or(seeded_success);
        let Some(shipment) = self.shipments.get_mut(&shipment_id) else {
            return false;
        };
        if !shipment.capture_pending {
            return false;
        }
        shipment.capture_pending = false;
        if success {
            shipment.captured = true;
            shipment.paid = true;
            shipment.should_capture = false;
            shipment.capture_count += 1;
        }
        self.record(Change::ShipmentUpdated { shipment_id });
        true
    }
}
