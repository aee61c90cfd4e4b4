//! Both simulators' request logs read together: where each stood before a measured phase, and
//! the calls of both after it, by route.

use std::collections::BTreeMap;

use centra_wms_tests::e2e::Sims;

use super::{Sim, calls_since, last_seq};

/// The last seq of each simulator's request log. Named, not a pair: the two swapped made a
/// bench wait for Centra calls after Ongoing's (much higher) seq, 30 minutes per run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seqs {
    pub centra: u64,
    pub ongoing: u64,
}

impl Seqs {
    /// Where both logs stand now.
    pub async fn now(sims: &Sims) -> Self {
        Self {
            centra: last_seq(sims, Sim::Centra).await,
            ongoing: last_seq(sims, Sim::Ongoing).await,
        }
    }

    /// Calls of both simulators after these seqs, by route prefixed `Centra ` or `Ongoing `.
    pub async fn calls_since(self, sims: &Sims) -> BTreeMap<String, u64> {
        let mut calls: BTreeMap<String, u64> = calls_since(sims, Sim::Centra, self.centra)
            .await
            .into_iter()
            .map(|(route, n)| (format!("Centra {route}"), n))
            .collect();
        for (route, n) in calls_since(sims, Sim::Ongoing, self.ongoing).await {
            calls.insert(format!("Ongoing {route}"), n);
        }
        calls
    }
}
