//! An OpenTelemetry pipeline whose spans stay in memory, installed for the current thread only.

use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use platform_telemetry::{TelemetryConfig, build_subscriber};

/// Spans exported by the code under test; keep it alive while reading them.
#[derive(Debug)]
pub struct CapturedSpans {
    pub exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _guard: tracing::subscriber::DefaultGuard,
}

/// Installs the pipeline as this thread's default subscriber (tokio tests run on one thread).
pub fn capture(service: &str) -> CapturedSpans {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = build_subscriber(&TelemetryConfig::new(service), Some(provider.clone()))
        .expect("subscriber builds");
    CapturedSpans {
        exporter,
        _provider: provider,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}
