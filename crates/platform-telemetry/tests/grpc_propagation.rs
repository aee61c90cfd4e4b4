//! Trace context crosses a real tonic hop: the client interceptor sends it, `server_span`
//! adopts it, and the handler reports the trace id it ran under.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use platform_telemetry::{TelemetryConfig, TraceContextInterceptor, build_subscriber, server_span};
use proto::admin::v1::diagnostics_client::DiagnosticsClient;
use proto::admin::v1::diagnostics_server::{Diagnostics, DiagnosticsServer};
use proto::admin::v1::{PingRequest, PingResponse};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Answers with the trace id of the span the handler runs in.
#[derive(Debug)]
struct TraceEcho;

#[tonic::async_trait]
impl Diagnostics for TraceEcho {
    async fn ping(&self, _request: Request<PingRequest>) -> Result<Response<PingResponse>, Status> {
        Ok(Response::new(PingResponse {
            service: "trace-echo".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            trace_id: platform_telemetry::current_trace_id()
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }))
    }
}

async fn spawn_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .trace_fn(server_span)
            .add_service(DiagnosticsServer::new(TraceEcho))
            .serve_with_incoming(TcpListenerStream::new(listener))
            .await
            .expect("server runs");
    });
    addr
}

/// Spans end a moment after the response is sent; wait for the exporter generously.
async fn wait_for_span(
    exporter: &InMemorySpanExporter,
    matches: impl Fn(&SpanData) -> bool,
) -> SpanData {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let spans = exporter.get_finished_spans().expect("exporter readable");
        if let Some(span) = spans.into_iter().find(|span| matches(span)) {
            return span;
        }
        assert!(Instant::now() < deadline, "span never exported");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// Current-thread runtime: the thread-local subscriber sees client, server and handler alike.
#[tokio::test]
async fn server_handler_runs_in_the_callers_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = build_subscriber(&TelemetryConfig::new("test"), Some(provider.clone()))
        .expect("subscriber builds");
    let _default = tracing::subscriber::set_default(subscriber);

    let addr = spawn_server().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .connect()
        .await
        .expect("connects");

    // With the interceptor: the server joins the caller's trace.
    let mut traced_client =
        DiagnosticsClient::with_interceptor(channel.clone(), TraceContextInterceptor);
    let call = tracing::info_span!("call diagnostics");
    let caller = call.context().span().span_context().clone();
    let response = traced_client
        .ping(PingRequest {})
        .instrument(call.clone())
        .await
        .expect("ping answers")
        .into_inner();
    assert_eq!(response.trace_id, caller.trace_id().to_string());

    let server = wait_for_span(&exporter, |span| {
        span.name == "centrawms.admin.v1.Diagnostics/Ping"
    })
    .await;
    assert_eq!(server.span_context.trace_id(), caller.trace_id());
    assert_eq!(server.parent_span_id, caller.span_id());
    assert!(server.parent_span_is_remote);

    // Without it: the server starts a trace of its own (proves the interceptor did the work).
    let mut plain_client = DiagnosticsClient::new(channel);
    let other_call = tracing::info_span!("call without propagation");
    let other_caller = other_call.context().span().span_context().trace_id();
    let response = plain_client
        .ping(PingRequest {})
        .instrument(other_call)
        .await
        .expect("ping answers")
        .into_inner();
    assert!(!response.trace_id.is_empty(), "the server still traces");
    assert_ne!(response.trace_id, other_caller.to_string());
}
