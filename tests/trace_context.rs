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
use tracing::Instrument as _;
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

/// What the probe's gRPC handler saw: the trace it ran in.
#[derive(Debug, Default, Clone)]
struct SeenTrace(std::sync::Arc<std::sync::Mutex<Option<opentelemetry::trace::TraceId>>>);

#[tonic::async_trait]
impl proto::admin::v1::diagnostics_server::Diagnostics for SeenTrace {
    async fn ping(
        &self,
        _request: tonic::Request<proto::admin::v1::PingRequest>,
    ) -> Result<tonic::Response<proto::admin::v1::PingResponse>, tonic::Status> {
        *self.0.lock().expect("lock") = platform_telemetry::current_trace_id();
        Ok(tonic::Response::new(
            proto::admin::v1::PingResponse::default(),
        ))
    }
}

/// One trace from the work that wrote an outbox row, through the relay and the bus, to the
/// consumer's handler, and on over TCP into the gRPC command it sends: what the runtime does for
/// every service, with no code of the service's own.
async fn one_trace_from_outbox_to_grpc(bus: TestBus) {
    let spans = capture("trace-test");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("trace.db").display()
    );
    let store = platform_store::Store::open(
        platform_store::StoreOptions::new("trace-test", url),
        &platform_store::Migrations::none(),
    )
    .await
    .expect("store");
    let cause = tracing::info_span!("capture shipment");
    let origin = cause.context().span().span_context().trace_id();
    async {
        let mut tx = store.begin().await.expect("tx");
        store
            .outbox()
            .enqueue(
                &mut tx,
                platform_store::OutboxMessage::new(
                    "centra:shop1:shipment:83651-1:captured",
                    "centra.shop1.shipment.captured",
                    Bytes::from_static(b"{}"),
                ),
            )
            .await
            .expect("enqueued");
        tx.commit().await.expect("committed");
    }
    .instrument(cause)
    .await;

    let stop = platform_runtime::CancellationToken::new();
    let relay = platform_store::OutboxRelay::new(
        &store,
        bus.bus.clone(),
        platform_store::RelayConfig::default(),
    )
    .spawn(stop.clone());
    // Over TCP, as between processes: the context must travel in the request headers.
    let listen = centra_wms_tests::e2e::free_port();
    let directory = platform_runtime::ServiceDirectory::network([(
        "probe".to_owned(),
        listen,
        format!("http://{listen}"),
    )]);
    let seen_by_server = SeenTrace::default();
    let serving = tokio::spawn({
        let (directory, stop) = (directory.clone(), stop.clone());
        let routes = tonic::service::Routes::new(
            proto::admin::v1::diagnostics_server::DiagnosticsServer::new(seen_by_server.clone()),
        );
        async move { directory.serve("probe", routes, stop).await }
    });
    let seen_by_handler = SeenTrace::default();
    let consumed = platform_runtime::consume(
        bus.bus.as_ref(),
        platform_runtime::Subscription {
            consumer: ConsumerConfig::new("trace-test").with_filter("centra.*.shipment.>"),
            redelivery: platform_runtime::Redelivery::default(),
            dead_letters: store.clone(),
            drain: platform_runtime::IN_FLIGHT_DRAIN,
        },
        stop.clone(),
        |_delivery| {
            let (seen, directory, stop) =
                (seen_by_handler.clone(), directory.clone(), stop.clone());
            async move {
                *seen.0.lock().expect("lock") = platform_telemetry::current_trace_id();
                let mut client = proto::admin::v1::diagnostics_client::DiagnosticsClient::new(
                    directory.channel("probe").expect("channel"),
                );
                client
                    .ping(proto::admin::v1::PingRequest {})
                    .await
                    .expect("ping answered");
                stop.cancel();
                platform_runtime::Handled::Done
            }
        },
    );
    tokio::time::timeout(Duration::from_secs(30), consumed)
        .await
        .expect("the message arrives within 30 s")
        .expect("consumed");
    relay.await.expect("relay stops");
    serving.await.expect("served").expect("served cleanly");
    assert_eq!(
        *seen_by_handler.0.lock().expect("lock"),
        Some(origin),
        "{}: handler",
        bus.name
    );
    assert_eq!(
        *seen_by_server.0.lock().expect("lock"),
        Some(origin),
        "{}: grpc server",
        bus.name
    );
    drop(spans);
    bus.finish().await;
}

#[tokio::test]
async fn one_trace_from_outbox_to_grpc_on_the_embedded_bus() {
    one_trace_from_outbox_to_grpc(TestBus::embedded().await).await;
}

#[tokio::test]
async fn one_trace_from_outbox_to_grpc_on_nats_jetstream() {
    let Some(bus) = TestBus::nats("one_trace_from_outbox_to_grpc_on_nats_jetstream").await else {
        return;
    };
    one_trace_from_outbox_to_grpc(bus).await;
}
