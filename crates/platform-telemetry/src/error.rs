//! Why telemetry could not be set up or shut down.

/// Errors of [`crate::init`] and [`crate::TelemetryGuard::shutdown`].
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `init` already succeeded in this process; a process has one global subscriber.
    #[error("telemetry is already initialised in this process")]
    AlreadyInitialised,
    #[error("invalid log filter {filter:?}: {source}")]
    InvalidLogFilter {
        filter: String,
        #[source]
        source: tracing_subscriber::filter::ParseError,
    },
    /// The OTLP exporter and its batch processor run on tokio.
    #[error("otlp export needs a tokio runtime: call init from inside one")]
    NoRuntime,
    #[error("could not build the otlp exporter for {endpoint}: {source}")]
    Exporter {
        endpoint: String,
        #[source]
        source: opentelemetry_otlp::ExporterBuildError,
    },
    /// Another global subscriber was installed by someone else.
    #[error("could not install the global subscriber: {0}")]
    Subscriber(#[from] tracing_subscriber::util::TryInitError),
    #[error("telemetry shutdown failed: {0}")]
    Shutdown(String),
}
