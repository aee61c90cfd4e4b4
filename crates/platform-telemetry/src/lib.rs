//! Telemetry for every centra-wms service: logs, OpenTelemetry traces, W3C trace context
//! carried across the bus and gRPC so one shipment's journey is one trace, and the metrics of
//! calls to the outside systems.
//!
//! Layout:
//! - [`config`]: [`TelemetryConfig`] (service name, OTLP end-point, log filter, JSON logs);
//! - [`install`]: [`init`] (once per process) and [`build_subscriber`] (tests, no global state),
//!   the [`TelemetryGuard`] that flushes spans on shutdown;
//! - [`context`]: the current trace id, attaching a remote parent to a span, [`ParentError`];
//! - [`headers`]: propagation through bus message headers (`BTreeMap<String, String>`);
//! - [`external`]: calls to Centra and the WMS as client spans and metrics ([`ExternalCall`]);
//! - [`journey`]: a trace context kept with a record, so its later steps join its trace;
//! - [`grpc`]: propagation through tonic metadata: a client [`TraceContextInterceptor`] and the
//!   server-side [`grpc::server_span`] for `Server::builder().trace_fn(..)`.
//!
//! The wire format is W3C Trace Context (`traceparent`, `tracestate`). The propagation helpers
//! use it directly rather than the global propagator, so they work the same in tests and tools
//! that never call [`init`].
//!
//! ```no_run
//! # async fn run() -> Result<(), platform_telemetry::TelemetryError> {
//! use platform_telemetry::{TelemetryConfig, init};
//!
//! let mut config = TelemetryConfig::new("order-sync");
//! config.otlp_endpoint = Some("http://otel-collector:4317".to_owned());
//! let guard = init(config)?;
//! // ... run the service ...
//! guard.shutdown().await?; // or just drop it
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod context;
pub mod error;
pub mod external;
pub mod grpc;
pub mod headers;
pub mod install;
pub mod journey;

pub use config::TelemetryConfig;
pub use context::{ParentError, current_trace_id, set_remote_parent, trace_id};
pub use error::TelemetryError;
pub use external::{ExternalCall, record_rate_limit_wait};
pub use grpc::{
    TraceContextInterceptor, context_from_metadata, inject_into_http_headers, inject_into_metadata,
    server_span, set_parent_from_metadata,
};
pub use headers::{
    Headers, context_from_headers, inject_context_into_headers, inject_into_headers,
    set_parent_from_headers,
};
pub use install::{TelemetryGuard, build_subscriber, init};
pub use journey::{continue_journey, current_traceparent};
