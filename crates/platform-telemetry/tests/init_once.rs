//! `init` installs global state, so it gets a process (test binary) of its own.

use opentelemetry::global;
use platform_telemetry::{TelemetryConfig, TelemetryError, init};

#[test]
fn init_validates_first_then_succeeds_once_per_process() {
    let mut bad_filter = TelemetryConfig::new("svc");
    bad_filter.log_filter = "svc=loud".to_owned();
    let error = init(bad_filter).expect_err("bad filter is refused");
    assert!(
        matches!(error, TelemetryError::InvalidLogFilter { .. }),
        "{error}"
    );

    let mut exporting = TelemetryConfig::new("svc");
    exporting.otlp_endpoint = Some("http://127.0.0.1:4317".to_owned());
    let error = init(exporting.clone()).expect_err("export needs a runtime");
    assert!(matches!(error, TelemetryError::NoRuntime), "{error}");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime builds");
    runtime.block_on(async {
        // The exporter connects lazily: no collector is needed to initialise.
        let guard = init(exporting.clone()).expect("first init succeeds after failed ones");
        assert!(guard.exports_traces());

        let error = init(TelemetryConfig::new("svc")).expect_err("second init is refused");
        assert!(
            matches!(error, TelemetryError::AlreadyInitialised),
            "{error}"
        );

        let fields: Vec<String> = global::get_text_map_propagator(|propagator| {
            propagator.fields().map(str::to_owned).collect()
        });
        assert!(
            fields.iter().any(|field| field == "traceparent"),
            "{fields:?}"
        );

        guard
            .shutdown()
            .await
            .expect("shutdown with nothing queued succeeds");
    });
}
