//! Trace context survives a trip through bus headers: the consumer's span joins the
//! publisher's trace with the publisher's span as its remote parent.

use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use platform_telemetry::{
    Headers, ParentError, TelemetryConfig, build_subscriber, context_from_headers,
    inject_into_headers, set_parent_from_headers, trace_id,
};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

fn traced() -> (InMemorySpanExporter, SdkTracerProvider, tracing::Dispatch) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = build_subscriber(&TelemetryConfig::new("test"), Some(provider.clone()))
        .expect("subscriber builds");
    (exporter, provider, tracing::Dispatch::new(subscriber))
}

#[test]
fn consumer_span_joins_the_publisher_trace() {
    let (exporter, _provider, dispatch) = traced();
    tracing::dispatcher::with_default(&dispatch, || {
        let publish = tracing::info_span!("publish shipment event");
        let publish_cx = publish.context();
        let publish_span_cx = publish_cx.span().span_context().clone();
        assert!(publish_span_cx.is_valid());

        let mut headers = Headers::new();
        headers.insert(
            "Nats-Msg-Id".to_owned(),
            "centra:shop1:shipment:1-1:gtg".to_owned(),
        );
        publish.in_scope(|| inject_into_headers(&mut headers));
        assert!(headers.contains_key("traceparent"), "{headers:?}");
        assert_eq!(headers["Nats-Msg-Id"], "centra:shop1:shipment:1-1:gtg");

        let extracted = context_from_headers(&headers);
        let remote = extracted.span().span_context().clone();
        assert!(remote.is_remote());
        assert_eq!(remote.trace_id(), publish_span_cx.trace_id());
        assert_eq!(remote.span_id(), publish_span_cx.span_id());

        let consume = tracing::info_span!("handle shipment event");
        set_parent_from_headers(&consume, &headers).expect("parent attaches");
        assert_eq!(trace_id(&consume), Some(publish_span_cx.trace_id()));
        consume.in_scope(|| {});
        drop(consume);
        drop(publish);

        let spans = exporter.get_finished_spans().expect("exporter readable");
        let consumer = spans
            .iter()
            .find(|span| span.name == "handle shipment event")
            .expect("consumer span exported");
        assert_eq!(consumer.span_context.trace_id(), publish_span_cx.trace_id());
        assert_eq!(consumer.parent_span_id, publish_span_cx.span_id());
        assert!(consumer.parent_span_is_remote);
    });
}

#[test]
fn untraced_publisher_leaves_headers_alone_and_consumer_starts_its_own_trace() {
    let (_exporter, _provider, dispatch) = traced();
    tracing::dispatcher::with_default(&dispatch, || {
        let mut headers = Headers::new();
        inject_into_headers(&mut headers);
        assert!(headers.is_empty(), "{headers:?}");

        let consume = tracing::info_span!("handle event");
        let error = set_parent_from_headers(&consume, &headers).expect_err("nothing to adopt");
        assert!(matches!(error, ParentError::NoTraceContext), "{error}");
        assert!(
            trace_id(&consume).is_some(),
            "the span still traces on its own"
        );
    });
}

#[test]
fn malformed_traceparent_is_not_adopted() {
    let mut headers = Headers::new();
    headers.insert("traceparent".to_owned(), "00-not-a-trace-01".to_owned());
    assert!(
        !context_from_headers(&headers)
            .span()
            .span_context()
            .is_valid()
    );
}

#[test]
fn header_names_match_in_any_case() {
    let mut headers = Headers::new();
    headers.insert(
        "Traceparent".to_owned(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
    );
    let cx = context_from_headers(&headers);
    let span_cx = cx.span().span_context().clone();
    assert_eq!(
        span_cx.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(span_cx.span_id().to_string(), "00f067aa0ba902b7");
    assert!(span_cx.is_sampled());
}

/// Without any `tracing` layer, a span from an OpenTelemetry tracer attached to the thread is
/// what gets propagated.
#[test]
fn plain_opentelemetry_context_is_propagated_too() {
    let provider = SdkTracerProvider::builder().build();
    let tracer = provider.tracer("test");
    let span = tracer.start("publish");
    let cx = Context::current_with_span(span);
    let expected = cx.span().span_context().clone();

    let mut headers = Headers::new();
    {
        let _attached = cx.attach();
        inject_into_headers(&mut headers);
    }

    let remote = context_from_headers(&headers).span().span_context().clone();
    assert_eq!(remote.trace_id(), expected.trace_id());
    assert_eq!(remote.span_id(), expected.span_id());
    assert!(remote.is_remote());
}
