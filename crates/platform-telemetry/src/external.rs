//! Calls to the outside systems (Centra, the WMS): one client span per HTTP call by the
//! OpenTelemetry HTTP conventions, and the metrics an on-call engineer reads first when a flow
//! is slow or failing.
//!
//! ```text
//! centra_wms_external_calls_total{system, endpoint, method, status}          counter
//! centra_wms_external_call_duration_seconds{system, endpoint, method, status} histogram
//! centra_wms_rate_limit_wait_seconds{system, endpoint}                        histogram
//! ```
//!
//! `status` is the HTTP status code, or `transport` when no answer came (refused, reset,
//! timed out). `endpoint` is the configured name (a Centra end-point, the WMS warehouse),
//! never a URL: ids in paths would make a label per record.
//!
//! ```text
//! let call = ExternalCall::start("centra", "shop", "GET", &url);
//! let answer = request.send().instrument(call.span()).await;
//! call.finish(answer.as_ref().ok().map(|a| a.status().as_u16()));
//! ```

use std::time::{Duration, Instant};

/// One call in flight; [`ExternalCall::finish`] ends its span and counts it.
#[derive(Debug)]
pub struct ExternalCall {
    system: &'static str,
    endpoint: String,
    method: String,
    started: Instant,
    span: tracing::Span,
}

impl ExternalCall {
    /// Starts the client span of a `method` call to `url` of `system`'s `endpoint`. `url` must
    /// not carry a secret (Centra's and Ongoing's travel in headers); its query is left out.
    pub fn start(system: &'static str, endpoint: &str, method: &str, url: &str) -> Self {
        let without_query = url.split('?').next().unwrap_or(url);
        let server = without_query
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        let span = tracing::info_span!(
            "http.client",
            otel.name = %method,
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            http.request.method = %method,
            url.full = %without_query,
            server.address = %server,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            centra_wms.system = system,
            centra_wms.endpoint = %endpoint,
        );
        Self {
            system,
            endpoint: endpoint.to_owned(),
            method: method.to_owned(),
            started: Instant::now(),
            span,
        }
    }

    /// The call's span, to instrument the request with.
    pub fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// Ends the call: `status` is the answer's HTTP status, `None` when none came.
    pub fn finish(self, status: Option<u16>) {
        let label = match status {
            Some(code) => {
                self.span.record("http.response.status_code", code);
                if code >= 400 {
                    self.span.record("error.type", code);
                }
                if code >= 500 {
                    self.span.record("otel.status_code", "ERROR");
                }
                code.to_string()
            }
            None => {
                self.span.record("error.type", "transport");
                self.span.record("otel.status_code", "ERROR");
                "transport".to_owned()
            }
        };
        let labels = [
            ("system", self.system.to_owned()),
            ("endpoint", self.endpoint),
            ("method", self.method),
            ("status", label),
        ];
        metrics::counter!("centra_wms_external_calls_total", &labels).increment(1);
        metrics::histogram!("centra_wms_external_call_duration_seconds", &labels)
            .record(self.started.elapsed().as_secs_f64());
    }
}

/// Counts a wait for `system`'s rate limit (Centra's request rate, the WMS's one call in
/// flight per goods owner) before a call to `endpoint`. Under a millisecond is no wait and is
/// not counted, so callers pass every wait.
pub fn record_rate_limit_wait(system: &'static str, endpoint: &str, waited: Duration) {
    if waited < Duration::from_millis(1) {
        return;
    }
    metrics::histogram!(
        "centra_wms_rate_limit_wait_seconds",
        "system" => system,
        "endpoint" => endpoint.to_owned(),
    )
    .record(waited.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    use super::*;

    #[test]
    fn a_call_is_counted_and_timed_by_system_endpoint_method_and_status() {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        metrics::with_local_recorder(&recorder, || {
            ExternalCall::start("centra", "shop", "GET", "http://centra/api/shipments?x=1")
                .finish(Some(200));
            ExternalCall::start("centra", "shop", "GET", "http://centra/api/shipments")
                .finish(Some(200));
            ExternalCall::start("ongoing", "sandbox", "PUT", "http://wms/orders").finish(None);
            record_rate_limit_wait("ongoing", "sandbox", Duration::from_millis(20));
        });
        let seen: Vec<(String, Vec<String>, String)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let labels = key
                    .labels()
                    .map(|l| format!("{}={}", l.key(), l.value()))
                    .collect();
                let value = match value {
                    DebugValue::Counter(n) => format!("count {n}"),
                    DebugValue::Histogram(v) => format!("{} samples", v.len()),
                    DebugValue::Gauge(g) => format!("gauge {}", g.into_inner()),
                };
                (key.name().to_owned(), labels, value)
            })
            .collect();
        let find = |name: &str, system: &str| {
            seen.iter()
                .find(|(n, labels, _)| n == name && labels.contains(&format!("system={system}")))
                .unwrap_or_else(|| panic!("{name} for {system} in {seen:?}"))
        };
        let (_, labels, value) = find("centra_wms_external_calls_total", "centra");
        assert_eq!(
            labels,
            &["system=centra", "endpoint=shop", "method=GET", "status=200"]
        );
        assert_eq!(value, "count 2");
        let (_, labels, _) = find("centra_wms_external_calls_total", "ongoing");
        assert!(
            labels.contains(&"status=transport".to_owned()),
            "{labels:?}"
        );
        assert_eq!(
            find("centra_wms_external_call_duration_seconds", "centra").2,
            "2 samples"
        );
        assert_eq!(
            find("centra_wms_rate_limit_wait_seconds", "ongoing").2,
            "1 samples"
        );
    }
}
