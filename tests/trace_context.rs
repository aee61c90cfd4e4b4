//! A trace crosses the bus: the publisher injects W3C trace context into the message headers,
//! the bus (NATS JetStream headers, or the embedded bus's stored headers) carries it, and the
//! consumer's span joins the publisher's trace.

use std::time::Duration;

use bytes::Bytes;
use centra_wms_tests::buses::TestBus;
use centra_wms_tests::tracing_capture::capture;
use opentelemetry::trace::TraceContextExt as _;
use platform_bus::{ConsumerConfig, Headers, MessageId, OutgoingMessage};
use platform_telemetry::{inject_into_headers, set_parent_from_headers, trace_id};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

async fn trace_survives(bus: TestBus) {
    let spans = capture("trace-test");
    let publish = tracing::info_span!("publish shipment good to go");
    let publisher = publish.context().span().span_context().clone();
    assert!(publisher.is_valid());

    let mut headers = Headers::new();
    publish.in_scope(|| inject_into_headers(&mut headers));
    let mut message = OutgoingMessage::new(
        "centra.shop1.shipment.good-to-go",
        MessageId::new("centra:shop1:shipment:83651-1:gtg"),
        Bytes::from_static(b"{}"),
    );
    message.headers = headers;
    bus.bus.publish(message).await.expect("published");

    let mut consumer = bus
        .bus
        .consumer(ConsumerConfig::new("order-sync").with_filter("centra.*.shipment.>"))
        .await
        .expect("consumer");
    let delivery = consumer
        .next(Duration::from_secs(15))
        .await
        .expect("bus answers")
        .expect("message arrives");
    assert!(
        delivery.headers.contains_key("traceparent"),
        "{}: headers lost on the way: {:?}",
        bus.name,
        delivery.headers
    );

    let handle = tracing::info_span!("import shipment");
    set_parent_from_headers(&handle, &delivery.headers).expect("parent attaches");
    assert_eq!(
        trace_id(&handle),
        Some(publisher.trace_id()),
        "{}: consumer left the trace",
        bus.name
    );
    drop(handle);
    drop(publish);
    delivery.ack().await.expect("acked");

    let finished = spans.exporter.get_finished_spans().expect("spans readable");
    let consumer_span = finished
        .iter()
        .find(|s| s.name == "import shipment")
        .expect("consumer span exported");
    assert_eq!(consumer_span.span_context.trace_id(), publisher.trace_id());
    assert_eq!(consumer_span.parent_span_id, publisher.span_id());
    bus.finish().await;
}

#[tokio::test]
async fn trace_context_survives_the_embedded_bus() {
    trace_survives(TestBus::embedded().await).await;
}

#[tokio::test]
async fn trace_context_survives_nats_jetstream() {
    let Some(bus) = TestBus::nats("trace_context_survives_nats_jetstream").await else {
        return;
    };
    trace_survives(bus).await;
}
