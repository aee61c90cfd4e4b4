//! The audit log of the page: who did what to which record, and how it ended.
//!
//! The page keeps no store, so each entry is a structured log line with target `audit`
//! (fields `user`, `action`, `target`, `outcome`; kept wherever the process's logs go) plus an
//! entry in a short in-memory list the overview shows, newest first, which ends with the
//! process.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

/// How many entries the overview shows.
pub const KEPT: usize = 50;

/// One action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: SystemTime,
    pub user: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
}

/// The recent actions, and the log line of each.
#[derive(Debug, Default)]
pub struct AuditLog {
    recent: Mutex<VecDeque<AuditEntry>>,
}

impl AuditLog {
    /// Writes the log line and keeps the entry.
    pub fn record(&self, user: &str, action: &str, target: &str, outcome: &str) {
        tracing::info!(target: "audit", user, action, target, outcome, "admin web action");
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_front(AuditEntry {
            at: SystemTime::now(),
            user: user.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: outcome.to_owned(),
        });
        recent.truncate(KEPT);
    }

    /// The kept entries, newest first.
    pub fn recent(&self) -> Vec<AuditEntry> {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_entries_first_and_at_most_kept() {
        let log = AuditLog::default();
        for n in 0..(KEPT + 5) {
            log.record("admin", "retry", &format!("dl-{n}"), "retried");
        }
        let recent = log.recent();
        assert_eq!(recent.len(), KEPT);
        assert_eq!(recent[0].target, format!("dl-{}", KEPT + 4));
    }
}
