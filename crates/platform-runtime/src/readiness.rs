//! What a service still needs before it takes traffic, beyond its store and the bus: a
//! gateway's upstream accepting its credentials. Services write it, `/readyz` reads it.
//!
//! ```text
//! Readiness::block(what, reason)   not ready: "<what>: <reason>" on /readyz
//! Readiness::clear(what)           that reason is gone
//! watch_credentials(..)            a gateway's loop: block until the upstream accepts
//! ```
//!
//! Why only refused credentials block, not an unreachable upstream: a pod taken out of its
//! Service cannot make Centra answer, and the webhooks it would still take are only wake-ups;
//! refused credentials are a fix a person must make, and an unready pod shows it at once.
//!
//! A check without a verdict (the upstream did not answer, or the check could not even be
//! sent: the goods owner's lane in a PostgreSQL that refused a connection) changes nothing: a
//! ready process stays ready, a refused one stays refused, and one never checked stays
//! unready ("credentials not checked yet: <why>") and asks again soon. Readiness never reports
//! credentials as fine that nobody has seen accepted.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// The reasons a process is not ready yet, shared by its services and its probes.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    blockers: Arc<Mutex<BTreeMap<String, String>>>,
}

impl Readiness {
    /// `what` keeps the process unready for `reason` until [`Readiness::clear`].
    pub fn block(&self, what: &str, reason: impl Into<String>) {
        self.blockers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(what.to_owned(), reason.into());
    }

    pub fn clear(&self, what: &str) {
        self.blockers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(what);
    }

    /// One `what: reason` line per blocker; empty when nothing blocks.
    pub fn reasons(&self) -> Vec<String> {
        self.blockers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(what, reason)| format!("{what}: {reason}"))
            .collect()
    }
}

/// What a credentials check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    Accepted,
    /// The upstream answered that they are wrong (HTTP 401/403): a person must fix them.
    Refused(String),
    /// No verdict: the upstream did not answer (down, timed out, throttled).
    Unknown(String),
}

/// How often credentials are checked again once accepted, while refused, and after a check
/// without a verdict.
#[derive(Debug, Clone, Copy)]
pub struct CredentialChecks {
    pub accepted: Duration,
    pub refused: Duration,
    pub unknown: Duration,
}

impl Default for CredentialChecks {
    fn default() -> Self {
        Self {
            accepted: Duration::from_secs(600),
            refused: Duration::from_secs(30),
            unknown: Duration::from_secs(5),
        }
    }
}

/// Checks `what`'s credentials with `check` until `shutdown`: unready until the first verdict
/// (a check the upstream did not answer is none), and while the upstream refuses them.
///
/// Blocks readiness when called, not when the returned future first runs: a caller spawns the
/// watch and then starts serving, and a `/readyz` asked in between would otherwise see a
/// process whose credentials nobody has checked as ready.
pub fn watch_credentials<F, Fut>(
    readiness: Readiness,
    what: String,
    every: CredentialChecks,
    check: F,
    shutdown: CancellationToken,
) -> impl Future<Output = ()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Credentials>,
{
    readiness.block(&what, "credentials not checked yet");
    watch(readiness, what, every, check, shutdown)
}

async fn watch<F, Fut>(
    readiness: Readiness,
    what: String,
    every: CredentialChecks,
    check: F,
    shutdown: CancellationToken,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Credentials>,
{
    let mut verdict_seen = false;
    loop {
        let verdict = tokio::select! {
            () = shutdown.cancelled() => return,
            verdict = check() => verdict,
        };
        let next = match verdict {
            Credentials::Accepted => {
                verdict_seen = true;
                readiness.clear(&what);
                every.accepted
            }
            Credentials::Refused(reason) => {
                verdict_seen = true;
                tracing::error!(%what, %reason, "credentials refused: not ready until they are fixed");
                readiness.block(&what, format!("credentials refused: {reason}"));
                every.refused
            }
            Credentials::Unknown(reason) => {
                tracing::warn!(%what, %reason, "credentials not verified: the upstream did not answer");
                if !verdict_seen {
                    readiness.block(&what, format!("credentials not checked yet: {reason}"));
                }
                every.unknown
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(next) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn unready_from_the_call_before_the_watch_first_runs() {
        let readiness = Readiness::default();
        let watch = watch_credentials(
            readiness.clone(),
            "wms 1".to_owned(),
            CredentialChecks::default(),
            || async { Credentials::Accepted },
            CancellationToken::new(),
        );
        assert_eq!(
            readiness.reasons(),
            ["wms 1: credentials not checked yet"],
            "a spawned watch may first run after the process serves: /readyz must not say \
             ready in between"
        );
        drop(watch);
    }

    #[tokio::test(start_paused = true)]
    async fn unready_until_accepted_and_again_while_refused() {
        let readiness = Readiness::default();
        // Popped from the end: no answer, refused, no answer, accepted, no answer.
        let answers = Arc::new(Mutex::new(vec![
            Credentials::Unknown("timed out".into()),
            Credentials::Accepted,
            Credentials::Unknown("timed out".into()),
            Credentials::Refused("http 401: wrong api key".into()),
            Credentials::Unknown("lane: too many clients".into()),
        ]));
        let calls = Arc::new(AtomicUsize::new(0));
        let (gate_tx, gate_rx) = tokio::sync::watch::channel(0usize);
        let stop = CancellationToken::new();
        let watcher = tokio::spawn(watch_credentials(
            readiness.clone(),
            "centra shop".to_owned(),
            CredentialChecks {
                accepted: Duration::from_secs(10),
                refused: Duration::from_secs(10),
                unknown: Duration::from_secs(10),
            },
            {
                let (answers, calls) = (answers.clone(), calls.clone());
                move || {
                    let (answers, calls) = (answers.clone(), calls.clone());
                    let mut gate = gate_rx.clone();
                    async move {
                        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                        // Each check answers once the test lets it.
                        let _ = gate.wait_for(|allowed| *allowed >= n).await;
                        answers
                            .lock()
                            .expect("answers")
                            .pop()
                            .unwrap_or(Credentials::Accepted)
                    }
                }
            },
            stop.clone(),
        ));
        let settle = || async {
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
        };
        settle().await;
        assert_eq!(
            readiness.reasons(),
            ["centra shop: credentials not checked yet"]
        );
        let mut answer = 0;
        let mut next = async || {
            if answer > 0 {
                tokio::time::advance(Duration::from_secs(11)).await;
            }
            answer += 1;
            gate_tx.send_replace(answer);
            settle().await;
            readiness.reasons()
        };
        assert_eq!(
            next().await,
            ["centra shop: credentials not checked yet: lane: too many clients"],
            "a check without a verdict never makes an unchecked process ready"
        );
        assert_eq!(
            next().await,
            ["centra shop: credentials refused: http 401: wrong api key"]
        );
        assert_eq!(
            next().await,
            ["centra shop: credentials refused: http 401: wrong api key"],
            "a check without a verdict keeps them refused"
        );
        assert!(next().await.is_empty(), "accepted");
        assert!(
            next().await.is_empty(),
            "no verdict keeps an accepted process ready"
        );
        stop.cancel();
        watcher.await.expect("watcher stops");
    }
}
