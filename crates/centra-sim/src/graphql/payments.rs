//! Which payment methods capture by *request* (GQL DTC examples: "Some providers (Adyen and
//! Klarna) use capture requests … The provider will process the request on its side and then
//! send a webhook to Centra. This process can take time, even up to a few days.").
//!
//! `POST /_sim/graphql/payments` `{"captureRequestMethods": ["adyen-drop-in"],
//! "settleAfterSeconds": 60}` makes captures of orders paid with those methods answer `PENDING`
//! (`entryType: CAPTURE_REQUEST`); each request settles once it is `settleAfterSeconds` old
//! (checked at every `/graphql` call, on the simulator's clock), or when
//! `POST /_sim/graphql/capture-requests/settle` says so. A request settles as the order was
//! seeded (`captureFails` fails it) unless the settle call names an outcome. A fresh simulator
//! has no such methods: every capture is immediate (`CAPTURE`, `SUCCESS`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::app::Sim;

/// The settings of `POST /_sim/graphql/payments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentSettings {
    /// Payment methods (`paymentMethod` of the seeded order) whose captures are requests.
    #[serde(default)]
    pub capture_request_methods: BTreeSet<String>,
    /// Requests settle on their own once this old; `None`: only through the control API.
    #[serde(default)]
    pub settle_after_seconds: Option<u64>,
}

/// Payment settings and the capture requests waiting for the provider.
#[derive(Debug, Default)]
pub struct Payments {
    settings: Mutex<PaymentSettings>,
    /// Pending requests by shipment id: when they were made.
    pending: Mutex<BTreeMap<u64, DateTime<Utc>>>,
}

impl Payments {
    pub fn settings(&self) -> PaymentSettings {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set(&self, settings: PaymentSettings) {
        *self.settings.lock().unwrap_or_else(PoisonError::into_inner) = settings;
    }

    pub fn reset(&self) {
        self.set(PaymentSettings::default());
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Whether captures of orders paid with `method` are requests.
    pub fn captures_by_request(&self, method: &str) -> bool {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .capture_request_methods
            .contains(method)
    }

    /// Remembers a request made at `at`.
    pub fn requested(&self, shipment_id: u64, at: DateTime<Utc>) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(shipment_id, at);
    }

    /// Settles the requests that are due at the simulator's now.
    pub fn settle_due(&self, sim: &Sim) {
        let Some(after) = self.settings().settle_after_seconds else {
            return;
        };
        let now = sim.now();
        let due: Vec<u64> = {
            let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending
                .iter()
                .filter(|(_, at)| {
                    now - **at >= Duration::seconds(i64::try_from(after).unwrap_or(i64::MAX))
                })
                .map(|(id, _)| *id)
                .collect()
        };
        for id in due {
            self.settle(sim, id, None);
        }
    }

    /// Settles one request (`outcome` `None`: as the order was seeded); answers whether one was
    /// pending.
    pub fn settle(&self, sim: &Sim, shipment_id: u64, outcome: Option<bool>) -> bool {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&shipment_id);
        sim.mutate(|store, _| store.settle_capture(shipment_id, outcome))
    }

    /// Settles every pending request; answers how many there were.
    pub fn settle_all(&self, sim: &Sim, outcome: Option<bool>) -> usize {
        let ids: Vec<u64> = self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .copied()
            .collect();
        ids.into_iter()
            .filter(|id| self.settle(sim, *id, outcome))
            .count()
    }
}
