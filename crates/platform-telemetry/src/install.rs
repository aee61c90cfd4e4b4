//! Installing logs and trace export for a process, and taking them down again.
//!
//! [`init`] is for `main`: it installs the global subscriber once per process. Tests (and
//! anything that must not touch global state) use [`build_subscriber`] with their own tracer
//! provider and `tracing::subscriber::set_default`.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::runtime;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor;
use tokio::runtime::{Handle, RuntimeFlavor};
use tracing::Subscriber;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::{TelemetryConfig, TelemetryError};

/// Set once `init` succeeded: a process has one global subscriber and one global provider.
static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Installs logging (always) and OTLP trace export (when an end-point is configured) for the
/// whole process, and sets W3C Trace Context as the global propagator.
///
/// Call once, early in `main`, inside the tokio runtime when exporting. A second call returns
/// [`TelemetryError::AlreadyInitialised`]; a failed call can be retried.
pub fn init(config: TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    // Bad input is reported before the once-per-process slot is taken.
    config.env_filter()?;
    if config.otlp_endpoint().is_some() && Handle::try_current().is_err() {
        return Err(TelemetryError::NoRuntime);
    }
    if INITIALISED.swap(true, Ordering::SeqCst) {
        return Err(TelemetryError::AlreadyInitialised);
    }
    install(config).inspect_err(|_| INITIALISED.store(false, Ordering::SeqCst))
}

fn install(config: TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    let provider = match config.otlp_endpoint() {
        Some(endpoint) => Some(otlp_tracer_provider(&config.service_name, endpoint)?),
        None => None,
    };
    let installed = build_subscriber(&config, provider.clone())
        .and_then(|subscriber| Ok(subscriber.try_init()?));
    if let Err(error) = installed {
        if let Some(provider) = provider {
            let _ = shutdown_blocking(provider);
        }
        return Err(error);
    }

    global::set_text_map_propagator(TraceContextPropagator::new());
    if let Some(provider) = &provider {
        global::set_tracer_provider(provider.clone());
    }
    tracing::info!(
        service = %config.service_name,
        otlp_endpoint = config.otlp_endpoint().unwrap_or("none"),
        "telemetry initialised"
    );
    Ok(TelemetryGuard {
        service_name: config.service_name,
        provider,
    })
}

/// The subscriber `init` installs, without installing it: fmt (text or JSON, on stderr so a
/// command's stdout stays its output) under the log filter and, when `tracer_provider` is
/// given, the OpenTelemetry layer feeding it.
///
/// The log filter is the fmt layer's alone: `log_filter = "warn"` quiets the logs, never the
/// traces, whose spans are `info`. The OpenTelemetry layer takes `info` and above.
///
/// Tests pass a provider with an in-memory exporter and use `tracing::subscriber::set_default`.
pub fn build_subscriber(
    config: &TelemetryConfig,
    tracer_provider: Option<SdkTracerProvider>,
) -> Result<impl Subscriber + for<'span> LookupSpan<'span> + Send + Sync + 'static, TelemetryError>
{
    let filter = config.env_filter()?;
    let fmt_layer = if config.json_logs {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(filter)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(filter)
            .boxed()
    };
    let otel_layer = tracer_provider.map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer(config.service_name.clone()))
            .with_filter(traced())
    });
    Ok(tracing_subscriber::registry()
        .with(otel_layer)
        .with(fmt_layer))
}

/// What becomes spans: `info` and above, except the transport stack the OTLP exporter itself
/// uses, whose spans, once exported, would cause more export (a feedback loop). Those still
/// reach the logs when the log filter asks for them.
fn traced() -> Targets {
    Targets::new().with_default(LevelFilter::INFO).with_targets(
        ["h2", "hyper", "tonic", "tower", "opentelemetry"].map(|target| (target, LevelFilter::OFF)),
    )
}

/// OTLP over gRPC, batched on tokio.
fn otlp_tracer_provider(
    service_name: &str,
    endpoint: &str,
) -> Result<SdkTracerProvider, TelemetryError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()
        .map_err(|source| TelemetryError::Exporter {
            endpoint: endpoint.to_owned(),
            source,
        })?;
    let processor = BatchSpanProcessor::builder(exporter, runtime::Tokio).build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(
            Resource::builder()
                .with_service_name(service_name.to_owned())
                .build(),
        )
        .build())
}

/// Keeps trace export alive; flushes and shuts it down when dropped or on [`Self::shutdown`].
#[derive(Debug)]
#[must_use = "dropping the guard stops trace export"]
pub struct TelemetryGuard {
    service_name: String,
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// True when spans are exported (an OTLP end-point was configured).
    pub fn exports_traces(&self) -> bool {
        self.provider.is_some()
    }

    /// Flushes pending spans and stops export, reporting failures. Preferred over dropping in
    /// async code: the blocking wait runs off the runtime's worker threads.
    pub async fn shutdown(mut self) -> Result<(), TelemetryError> {
        let Some(provider) = self.provider.take() else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || provider.shutdown())
            .await
            .map_err(|error| TelemetryError::Shutdown(error.to_string()))?
            .map_err(|error| TelemetryError::Shutdown(error.to_string()))
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = shutdown_blocking(provider)
        {
            tracing::warn!(service = %self.service_name, %error, "telemetry shutdown failed");
        }
    }
}

/// Shuts `provider` down from synchronous code without deadlocking the runtime the batch
/// processor runs on.
///
/// - multi-thread runtime: wait in `block_in_place`, other workers drive the export;
/// - current-thread runtime: the export needs this very thread, so hand the wait to another
///   thread and return (spans still queued may be lost; use [`TelemetryGuard::shutdown`]);
/// - outside any runtime: wait here (if the runtime is gone, this fails fast).
fn shutdown_blocking(provider: SdkTracerProvider) -> OTelSdkResult {
    match Handle::try_current().map(|handle| handle.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| provider.shutdown()),
        Ok(_) => {
            std::thread::spawn(move || provider.shutdown());
            Ok(())
        }
        Err(_) => provider.shutdown(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};

    use super::*;

    /// Keeps the names of exported spans, also after shutdown (the SDK's in-memory exporter
    /// forgets them on shutdown, which is exactly the moment under test).
    #[derive(Debug, Clone, Default)]
    struct RecordingExporter(Arc<Mutex<Vec<String>>>);

    impl RecordingExporter {
        fn names(&self) -> Vec<String> {
            self.0.lock().map(|names| names.clone()).unwrap_or_default()
        }
    }

    impl SpanExporter for RecordingExporter {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            if let Ok(mut names) = self.0.lock() {
                names.extend(batch.into_iter().map(|span| span.name.into_owned()));
            }
            Ok(())
        }
    }

    fn batched_provider(exporter: &RecordingExporter) -> SdkTracerProvider {
        let processor = BatchSpanProcessor::builder(exporter.clone(), runtime::Tokio).build();
        SdkTracerProvider::builder()
            .with_span_processor(processor)
            .build()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_inside_multi_thread_runtime_flushes_queued_spans() {
        let exporter = RecordingExporter::default();
        let provider = batched_provider(&exporter);
        provider.tracer("test").in_span("queued work", |_| {});
        assert!(exporter.names().is_empty(), "batched, not yet exported");

        shutdown_blocking(provider).expect("shutdown succeeds");

        assert_eq!(exporter.names(), ["queued work"]);
    }

    #[test]
    fn shutdown_inside_current_thread_runtime_does_not_hang() {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime builds");
            runtime.block_on(async {
                let provider = batched_provider(&RecordingExporter::default());
                provider.tracer("test").in_span("work", |_| {});
                let _ = shutdown_blocking(provider);
            });
            let _ = done_tx.send(());
        });
        done_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("shutdown returned instead of deadlocking the current-thread runtime");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn guard_shutdown_flushes_and_reports() {
        let exporter = RecordingExporter::default();
        let provider = batched_provider(&exporter);
        provider.tracer("test").in_span("guarded work", |_| {});
        let guard = TelemetryGuard {
            service_name: "test".to_owned(),
            provider: Some(provider),
        };
        assert!(guard.exports_traces());

        guard.shutdown().await.expect("shutdown succeeds");

        assert_eq!(exporter.names(), ["guarded work"]);
    }

    /// Works in a current-thread runtime too: the wait runs on the blocking pool.
    #[tokio::test]
    async fn guard_shutdown_flushes_on_a_current_thread_runtime() {
        let exporter = RecordingExporter::default();
        let provider = batched_provider(&exporter);
        provider
            .tracer("test")
            .in_span("single thread work", |_| {});

        TelemetryGuard {
            service_name: "test".to_owned(),
            provider: Some(provider),
        }
        .shutdown()
        .await
        .expect("shutdown succeeds");

        assert_eq!(exporter.names(), ["single thread work"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_guard_flushes() {
        let exporter = RecordingExporter::default();
        let provider = batched_provider(&exporter);
        provider.tracer("test").in_span("dropped work", |_| {});
        drop(TelemetryGuard {
            service_name: "test".to_owned(),
            provider: Some(provider),
        });

        assert_eq!(exporter.names(), ["dropped work"]);
    }

    /// The names of the spans `work` exports through the subscriber built with `log_filter`.
    fn exported(log_filter: &str, work: impl FnOnce()) -> Vec<String> {
        let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let mut config = TelemetryConfig::new("test");
        config.log_filter = log_filter.to_owned();
        // The test keeps a provider clone: dropping the last one shuts down the exporter,
        // and the in-memory exporter forgets its spans on shutdown.
        let subscriber =
            build_subscriber(&config, Some(provider.clone())).expect("subscriber builds");
        tracing::subscriber::with_default(subscriber, work);
        provider.force_flush().expect("flush succeeds");
        exporter
            .get_finished_spans()
            .expect("exporter readable")
            .into_iter()
            .map(|span| span.name.into_owned())
            .collect()
    }

    #[test]
    fn exporter_transport_spans_are_not_traced() {
        let names = exported("trace", || {
            tracing::info_span!(target: "h2::proto::connection", "poll").in_scope(|| {});
            tracing::info_span!(target: "tonic::transport", "send").in_scope(|| {});
            tracing::info_span!("import shipment").in_scope(|| {});
        });
        assert_eq!(names, ["import shipment"]);
    }

    /// `log_filter = "warn"` quiets the logs of a production process; its `info` spans are
    /// still exported (they are the traces), its `debug` ones not.
    #[test]
    fn a_quiet_log_filter_keeps_the_traces() {
        let names = exported("warn", || {
            tracing::info_span!("import shipment").in_scope(|| {});
            tracing::debug_span!("read a page").in_scope(|| {});
        });
        assert_eq!(names, ["import shipment"]);
    }

    #[test]
    fn guard_without_export_shuts_down_quietly() {
        let guard = TelemetryGuard {
            service_name: "test".to_owned(),
            provider: None,
        };
        assert!(!guard.exports_traces());
        drop(guard);
    }
}
