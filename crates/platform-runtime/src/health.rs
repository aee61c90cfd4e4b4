//! What a service process serves on `runtime.health_listen` for its platform (Kubernetes
//! probes, Prometheus):
//!
//! ```text
//! GET /healthz   200 while the process runs (liveness: a restart would not help otherwise)
//! GET /readyz    200 when every service of the process serves its command service (so its
//!                store is open and migrated), the bus is connected, the database answers and
//!                no service blocks (a gateway whose upstream refuses its credentials, or has
//!                not checked them yet: see `readiness`); 503 with one line per reason otherwise
//! GET /metrics   Prometheus text from the `metrics` recorder of the process; before each
//!                scrape the flows' own numbers (what `centra-wms status` prints) are read
//!                from each service's `FlowStatus` into gauges
//! ```
//!
//! The metrics a process exports (besides the flow gauges below): deliveries handled per
//! consumer and outcome (`centra_wms_deliveries_total`), calls to Centra and the WMS with
//! their latency and rate-limit waits (`platform_telemetry::external`), and the outbox relay's
//! lag (`centra_wms_relay_lag_seconds`).
//!
//! ```text
//! centra_wms_flow_backlog{service, flow}       records seen, not yet processed
//! centra_wms_flow_parked{service, flow}        open dead letters, waiting for a person
//! centra_wms_flow_failed{service, flow}        failed their last attempt, will be retried
//! centra_wms_flow_lag_seconds{service, flow}   since the flow's last successful round
//! ```
//!
//! Readiness is what a Service in front of the pods and a rolling update wait for; it never
//! restarts anything, so a dependency that is down makes a pod unready, not dead.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use platform_bus::Bus;
use proto::admin::v1 as pb;
use proto::admin::v1::flow_status_client::FlowStatusClient;
use tokio_util::sync::CancellationToken;

use crate::ServiceDirectory;

/// How long one readiness check of a dependency may take before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A readiness check of the database, implemented by the process's store adapter.
#[async_trait::async_trait]
pub trait DatabaseCheck: Send + Sync + std::fmt::Debug {
    /// # Errors
    /// A line saying why the database does not answer.
    async fn check(&self) -> Result<(), String>;
}

/// What the probes look at.
#[derive(Debug, Clone)]
pub struct Health {
    services: Vec<&'static str>,
    directory: ServiceDirectory,
    bus: Arc<dyn Bus>,
    database: Option<Arc<dyn DatabaseCheck>>,
    metrics: Option<PrometheusHandle>,
    readiness: crate::Readiness,
}

impl Health {
    /// Probes for `services` running over `directory` and `bus`.
    pub fn new(
        services: Vec<&'static str>,
        directory: ServiceDirectory,
        bus: Arc<dyn Bus>,
    ) -> Self {
        Self {
            services,
            directory,
            bus,
            database: None,
            metrics: None,
            readiness: crate::Readiness::default(),
        }
    }

    /// Also checks the database on `/readyz`.
    #[must_use]
    pub fn with_database(mut self, database: Arc<dyn DatabaseCheck>) -> Self {
        self.database = Some(database);
        self
    }

    /// Also reports what the services block readiness on (a gateway's refused credentials).
    #[must_use]
    pub fn with_readiness(mut self, readiness: crate::Readiness) -> Self {
        self.readiness = readiness;
        self
    }

    /// Serves this recorder's metrics on `/metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: PrometheusHandle) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Why the process is not ready; empty when it is.
    pub async fn not_ready(&self) -> Vec<String> {
        let mut reasons: Vec<String> = self
            .services
            .iter()
            .filter(|s| !self.directory.is_serving(s))
            .map(|s| format!("{s}: not serving yet (store, migrations or start-up pending)"))
            .collect();
        reasons.extend(self.readiness.reasons());
        match tokio::time::timeout(CHECK_TIMEOUT, self.bus.health()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => reasons.push(format!("bus: {error}")),
            Err(_) => reasons.push(format!("bus: no answer within {CHECK_TIMEOUT:?}")),
        }
        if let Some(database) = &self.database {
            match tokio::time::timeout(CHECK_TIMEOUT, database.check()).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => reasons.push(format!("database: {error}")),
                Err(_) => reasons.push(format!("database: no answer within {CHECK_TIMEOUT:?}")),
            }
        }
        reasons
    }

    /// Sets the flow gauges from each service's `FlowStatus` (a service that does not answer
    /// in time keeps its last values and counts a `centra_wms_flow_status_failures_total`).
    async fn record_flows(&self) {
        let now = platform_store::unix_millis() / 1000;
        for &service in &self.services {
            let Ok(channel) = self.directory.channel(service) else {
                continue;
            };
            let mut client = FlowStatusClient::new(channel);
            let asked =
                tokio::time::timeout(CHECK_TIMEOUT, client.list(pb::ListFlowsRequest::default()))
                    .await;
            let Ok(Ok(answer)) = asked else {
                metrics::counter!("centra_wms_flow_status_failures_total", "service" => service)
                    .increment(1);
                continue;
            };
            for flow in answer.into_inner().flows {
                let labels = [("service", service.to_owned()), ("flow", flow.flow)];
                metrics::gauge!("centra_wms_flow_backlog", &labels).set(flow.backlog as f64);
                metrics::gauge!("centra_wms_flow_parked", &labels).set(flow.parked as f64);
                metrics::gauge!("centra_wms_flow_failed", &labels).set(flow.failed as f64);
                if let Some(at) = flow.last_success_at {
                    metrics::gauge!("centra_wms_flow_lag_seconds", &labels)
                        .set(now.saturating_sub(at.seconds).max(0) as f64);
                }
            }
        }
    }

    /// The three routes.
    pub fn router(self) -> Router {
        Router::new()
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/readyz", get(ready))
            .route("/metrics", get(metrics))
            .with_state(Arc::new(self))
    }

    /// Serves [`Self::router`] on `listen` until `shutdown`.
    ///
    /// # Errors
    /// The listen address cannot be bound, or the server fails.
    pub async fn serve(
        self,
        listen: SocketAddr,
        shutdown: CancellationToken,
    ) -> Result<(), std::io::Error> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        tracing::info!(%listen, "health and metrics listening");
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
    }
}

async fn ready(State(health): State<Arc<Health>>) -> impl IntoResponse {
    let reasons = health.not_ready().await;
    if reasons.is_empty() {
        (StatusCode::OK, "ready\n".to_owned())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready:\n{}\n", reasons.join("\n")),
        )
    }
}

async fn metrics(State(health): State<Arc<Health>>) -> impl IntoResponse {
    match &health.metrics {
        Some(handle) => {
            health.record_flows().await;
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                handle.render(),
            )
                .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            "no metrics recorder in this process\n",
        )
            .into_response(),
    }
}

/// Histogram buckets (seconds) of every `_seconds` histogram: an external call, a rate-limit
/// wait, the relay's lag. From a local simulator's milliseconds to a slow upstream's 30 s
/// timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Installs the process-wide Prometheus recorder (once per process; later calls get `None`).
pub fn install_metrics() -> Option<PrometheusHandle> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)
        .map_err(|error| tracing::warn!(%error, "metrics buckets not set"))
        .ok()?
        .install_recorder()
        .map_err(|error| tracing::warn!(%error, "metrics recorder not installed"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    #[derive(Debug)]
    struct Database(Result<(), String>);

    #[async_trait::async_trait]
    impl DatabaseCheck for Database {
        async fn check(&self) -> Result<(), String> {
            self.0.clone()
        }
    }

    async fn get(router: Router, path: &str) -> (StatusCode, String) {
        let response = router
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("answer");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    fn bus() -> Arc<dyn Bus> {
        #[derive(Debug)]
        struct Up;
        #[async_trait::async_trait]
        impl Bus for Up {
            async fn publish(
                &self,
                _: platform_bus::OutgoingMessage,
            ) -> Result<platform_bus::PublishReceipt, platform_bus::BusError> {
                unreachable!("probes never publish")
            }
            async fn consumer(
                &self,
                _: platform_bus::ConsumerConfig,
            ) -> Result<Box<dyn platform_bus::Consumer>, platform_bus::BusError> {
                unreachable!("probes never consume")
            }
        }
        Arc::new(Up)
    }

    #[tokio::test]
    async fn ready_only_once_the_service_serves_and_the_database_answers() {
        let directory = ServiceDirectory::in_process();
        let health = Health::new(vec!["order-sync"], directory.clone(), bus());
        assert_eq!(
            get(health.clone().router(), "/healthz").await.0,
            StatusCode::OK
        );
        let (status, body) = get(health.clone().router(), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("order-sync: not serving yet"), "{body}");

        let stop = CancellationToken::new();
        let serving = tokio::spawn({
            let (directory, stop) = (directory.clone(), stop.clone());
            async move {
                directory
                    .serve("order-sync", tonic::service::Routes::default(), stop)
                    .await
            }
        });
        while !directory.is_serving("order-sync") {
            tokio::task::yield_now().await;
        }
        let (status, body) = get(health.clone().router(), "/readyz").await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let down = health.with_database(Arc::new(Database(Err("connection refused".into()))));
        let (status, body) = get(down.router(), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("database: connection refused"), "{body}");
        stop.cancel();
        serving.await.expect("task").expect("served");
        assert!(!directory.is_serving("order-sync"));
    }

    #[tokio::test]
    async fn metrics_are_prometheus_text() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!("centra_wms_deliveries_total", "consumer" => "c", "outcome" => "done")
                .increment(2);
        });
        let health = Health::new(Vec::new(), ServiceDirectory::in_process(), bus());
        let (status, body) = get(health.clone().with_metrics(handle).router(), "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(r#"centra_wms_deliveries_total{consumer="c",outcome="done"} 2"#),
            "{body}"
        );
        assert_eq!(
            get(health.router(), "/metrics").await.0,
            StatusCode::NOT_FOUND
        );
    }
}
