//! What a service tells the telemetry setup.

use tracing_subscriber::EnvFilter;

use crate::TelemetryError;

/// Filter used when none is configured.
pub const DEFAULT_LOG_FILTER: &str = "info";

/// Telemetry settings of one service process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    /// `service.name` of exported spans, e.g. `order-sync`.
    pub service_name: String,
    /// OTLP/gRPC collector, e.g. `http://otel-collector:4317`. `None` (or blank) keeps traces
    /// local: logs still carry span fields, nothing is exported.
    pub otlp_endpoint: Option<String>,
    /// `EnvFilter` directives, e.g. `info,order_sync=debug`. Blank means [`DEFAULT_LOG_FILTER`].
    pub log_filter: String,
    /// One JSON object per line (for log shippers) instead of human-readable lines.
    pub json_logs: bool,
}

impl TelemetryConfig {
    /// Human-readable `info` logs, no export.
    pub fn new(service_name: impl Into<String>) -> Self {
        Self {
            service_name: service_name.into(),
            otlp_endpoint: None,
            log_filter: DEFAULT_LOG_FILTER.to_owned(),
            json_logs: false,
        }
    }

    /// The configured collector, treating a blank value as "not configured" (an unset variable
    /// in a layered config often arrives as an empty string).
    pub fn otlp_endpoint(&self) -> Option<&str> {
        self.otlp_endpoint
            .as_deref()
            .map(str::trim)
            .filter(|endpoint| !endpoint.is_empty())
    }

    /// Parses the log filter, naming the bad directive string on error.
    pub fn env_filter(&self) -> Result<EnvFilter, TelemetryError> {
        let filter = match self.log_filter.trim() {
            "" => DEFAULT_LOG_FILTER,
            filter => filter,
        };
        EnvFilter::try_new(filter).map_err(|source| TelemetryError::InvalidLogFilter {
            filter: filter.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_endpoint_means_no_export() {
        let mut config = TelemetryConfig::new("svc");
        assert_eq!(config.otlp_endpoint(), None);
        config.otlp_endpoint = Some("  ".to_owned());
        assert_eq!(config.otlp_endpoint(), None);
        config.otlp_endpoint = Some(" http://collector:4317 ".to_owned());
        assert_eq!(config.otlp_endpoint(), Some("http://collector:4317"));
    }

    #[test]
    fn blank_filter_falls_back_to_info_and_bad_filter_is_named() {
        let mut config = TelemetryConfig::new("svc");
        config.log_filter = String::new();
        assert_eq!(
            config.env_filter().expect("default parses").to_string(),
            "info"
        );

        config.log_filter = "order_sync=notalevel".to_owned();
        let error = config.env_filter().expect_err("bad level is refused");
        assert!(
            error.to_string().contains("order_sync=notalevel"),
            "{error}"
        );
    }
}
