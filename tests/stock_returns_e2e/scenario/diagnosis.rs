//! What a failure message adds when a wait runs out: every service's flows that report an
//! error or a backlog, and their dead letters, the database sessions stuck in one state (the
//! distributed shape) and the last warnings and errors logged, so a run that failed in CI says
//! where the work stopped without its logs.

use std::future::Future;
use std::time::{Duration, Instant};

use proto::admin::v1 as admin;
use proto::admin::v1::dead_letters_client::DeadLettersClient;
use proto::admin::v1::flow_status_client::FlowStatusClient;

use super::Run;

/// The warnings and errors a failure message ends with.
const RECENT_LOG_LINES: usize = 40;

/// A flow whose last success is older than this is reported even without an error.
const STALE: Duration = Duration::from_secs(10);

/// How long ago the Unix time `seconds` was, if it is set.
fn age(seconds: Option<i64>) -> Option<Duration> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let then = u64::try_from(seconds?).ok()?;
    Some(Duration::from_secs(now.as_secs().saturating_sub(then)))
}

impl Run<'_> {
    /// Polls `check` every 250 ms until it passes; fails the test after `limit` with its last
    /// complaint and the services' [`Run::diagnosis`].
    pub(super) async fn settle_within<F, Fut>(&self, what: &str, limit: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let started = Instant::now();
        loop {
            // A runtime that stopped (a service failed to start) is why nothing happens.
            self.app.assert_running();
            let complaint = match check().await {
                Ok(()) => return,
                Err(complaint) => complaint,
            };
            if started.elapsed() >= limit {
                panic!(
                    "{what} within {limit:?}: {complaint}\nservices: {}",
                    self.diagnosis().await
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The flows with an error, a backlog or parked records, and the dead letters, of every
    /// service that has them.
    pub(super) async fn diagnosis(&self) -> String {
        let gateway = self.sims.kind().gateway();
        let mut out = Vec::new();
        for service in [
            "centra-gateway",
            gateway,
            "catalog-sync",
            "order-sync",
            "stock-sync",
            "returns-sync",
        ] {
            let channel = self.app.channel(service);
            let flows = FlowStatusClient::new(channel.clone())
                .list(admin::ListFlowsRequest::default())
                .await
                .map(|r| r.into_inner().flows);
            let flows: Vec<String> = match flows {
                Ok(flows) => flows
                    .into_iter()
                    .filter(|f| f.enabled)
                    .filter_map(|f| {
                        let run = age(f.last_run_at.as_ref().map(|t| t.seconds));
                        let success = age(f.last_success_at.as_ref().map(|t| t.seconds));
                        // A poller that has not succeeded for a while is stuck or slow.
                        let behind = success.is_some_and(|s| s > STALE);
                        let troubled = !f.last_error.is_empty()
                            || f.backlog > 0
                            || f.parked > 0
                            || f.failed > 0;
                        (troubled || behind).then(|| {
                            format!(
                                "{} (backlog {}, parked {}, failed {}, last run {run:?} ago, \
                                 last success {success:?} ago, last error {:?})",
                                f.flow, f.backlog, f.parked, f.failed, f.last_error
                            )
                        })
                    })
                    .collect(),
                Err(error) => vec![format!("flow status: {error}")],
            };
            let dead = DeadLettersClient::new(channel)
                .list(admin::ListDeadLettersRequest::default())
                .await
                .map(|r| r.into_inner().dead_letters);
            let dead: Vec<String> = match dead {
                Ok(dead) => dead
                    .into_iter()
                    .map(|d| format!("{} {}: {}", d.flow, d.record_key, d.last_error))
                    .collect(),
                Err(error) => vec![format!("dead letters: {error}")],
            };
            if !flows.is_empty() || !dead.is_empty() {
                out.push(format!("{service}: flows {flows:?}; dead letters {dead:?}"));
            }
        }
        if out.is_empty() {
            out.push("no flow errors, no dead letters".to_owned());
        }
        let sessions = self.app.lingering_sessions().await;
        if !sessions.is_empty() {
            out.push(format!("database sessions: {sessions:#?}"));
        }
        out.push(format!(
            "last warnings and errors:\n{}",
            centra_wms_tests::log_tail::recent(RECENT_LOG_LINES)
        ));
        out.join("\n")
    }
}
