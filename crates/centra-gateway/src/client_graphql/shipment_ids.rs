//! Shipment numbers to Centra's ids, as answers showed them. The commands name a shipment by
//! its number (`<order>-<n>`); `completeShipment` takes its id. Order-sync reads the shipment
//! (GetShipment: is it paid, already completed?) just before it completes it, so the id is
//! known then: a completion need not read the shipment again to learn it (one request of the
//! four a completion cost, `graphql_budget` benchmark).
//!
//! Only the id is remembered, never a state: money and stock are read fresh. A number names
//! one shipment, but a shipment deleted in Centra and a new one numbered the same would leave
//! a stale id, so a refused call made with a remembered id forgets it and is asked again with
//! the id read fresh ([`crate::connection`]). Bounded: past [`MOST`] numbers, the memory starts
//! over (a read costs one request, nothing else).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Numbers kept at most.
pub const MOST: usize = 10_000;

/// The memory of one end-point's client (shared by its clones).
#[derive(Debug, Default)]
pub struct ShipmentIds {
    ids: Mutex<HashMap<String, i64>>,
    /// Ids of the shipments this client completed itself (`completeShipment` answered), so
    /// that the events queue's news of those completions wakes no poll (`detect::feed`).
    completed: Mutex<HashSet<i64>>,
}

impl ShipmentIds {
    fn ids(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The id an answer showed for shipment `number`, if one did.
    pub fn get(&self, number: &str) -> Option<i64> {
        self.ids().get(number).copied()
    }

    /// An answer showed shipment `number` with `id`.
    pub fn remember(&self, number: &str, id: i64) {
        let mut ids = self.ids();
        if ids.len() >= MOST && !ids.contains_key(number) {
            ids.clear();
        }
        ids.insert(number.to_owned(), id);
    }

    /// Centra refused a call made with the remembered id: read it again next time.
    pub fn forget(&self, number: &str) {
        self.ids().remove(number);
    }

    /// This client completed shipment `id` (Centra answered `completeShipment`).
    pub fn remember_completed(&self, id: i64) {
        let mut completed = self
            .completed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if completed.len() >= MOST {
            completed.clear();
        }
        completed.insert(id);
    }

    /// Whether this client completed shipment `id` itself (false once the bounded memory
    /// started over: a forgotten one wakes a poll, which costs a read, nothing else).
    pub fn completed_itself(&self, id: i64) -> bool {
        self.completed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_completions_are_remembered_within_the_bound() {
        let ids = ShipmentIds::default();
        assert!(!ids.completed_itself(7));
        ids.remember_completed(7);
        assert!(ids.completed_itself(7));
        for n in 0..MOST {
            ids.remember_completed(1_000 + i64::try_from(n).unwrap_or(0));
        }
        assert!(
            !ids.completed_itself(7),
            "past the bound the memory starts over"
        );
    }

    #[test]
    fn an_id_is_remembered_forgotten_and_the_memory_is_bounded() {
        let ids = ShipmentIds::default();
        assert_eq!(ids.get("100-1"), None);
        ids.remember("100-1", 7);
        assert_eq!(ids.get("100-1"), Some(7));
        ids.remember("100-1", 9);
        assert_eq!(ids.get("100-1"), Some(9), "the latest answer wins");
        ids.forget("100-1");
        assert_eq!(ids.get("100-1"), None);
        for n in 0..MOST {
            ids.remember(&format!("{n}-1"), i64::try_from(n).unwrap_or(0));
        }
        ids.remember("0-1", 1);
        assert_eq!(
            ids.get("9999-1"),
            Some(9999),
            "a known number does not start over"
        );
        ids.remember("new-1", 1);
        assert_eq!(
            ids.get("9999-1"),
            None,
            "past the bound the memory starts over"
        );
        assert_eq!(ids.get("new-1"), Some(1));
    }
}
