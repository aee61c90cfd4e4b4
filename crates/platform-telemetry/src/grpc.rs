//! Trace context in gRPC (tonic) metadata.
//!
//! Client: wrap the channel with [`TraceContextInterceptor`]
//! (`CentraGatewayClient::with_interceptor(channel, TraceContextInterceptor)`); each call then
//! carries the context of the span it runs in.
//!
//! Server: `tonic::transport::Server::builder().trace_fn(server_span)` gives every request a
//! `grpc.server` span whose parent is the caller's span, and the handler runs inside it.
//! Handlers that build their own span can use [`set_parent_from_metadata`] instead.

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use tonic::metadata::{KeyRef, MetadataKey, MetadataMap, MetadataValue};
use tonic::service::Interceptor;

use crate::context::{ParentError, current_context, propagator, set_remote_parent};

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // W3C keys and values are plain ASCII; anything else cannot travel as metadata.
        if let (Ok(key), Ok(value)) = (
            MetadataKey::from_bytes(key.as_bytes()),
            MetadataValue::try_from(value.as_str()),
        ) {
            self.0.insert(key, value);
        }
    }
}

struct MetadataExtractor<'a>(&'a MetadataMap);

impl Extractor for MetadataExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .filter_map(|key| match key {
                KeyRef::Ascii(key) => Some(key.as_str()),
                KeyRef::Binary(_) => None,
            })
            .collect()
    }
}

struct HttpHeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HttpHeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Writes the current trace context into request metadata.
pub fn inject_into_metadata(metadata: &mut MetadataMap) {
    inject_context_into_metadata(&current_context(), metadata);
}

/// Writes the trace context of `cx` into request metadata.
pub fn inject_context_into_metadata(cx: &Context, metadata: &mut MetadataMap) {
    propagator().inject_context(cx, &mut MetadataInjector(metadata));
}

/// Reads the caller's trace context from request metadata.
pub fn context_from_metadata(metadata: &MetadataMap) -> Context {
    propagator().extract(&MetadataExtractor(metadata))
}

struct HttpHeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HttpHeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Writes the current trace context into raw HTTP/2 request headers (what a channel layer
/// sees), unless the request carries one already.
pub fn inject_into_http_headers(headers: &mut http::HeaderMap) {
    if !headers.contains_key("traceparent") {
        propagator().inject_context(&current_context(), &mut HttpHeaderInjector(headers));
    }
}

/// Reads the caller's trace context from raw HTTP/2 headers (what `trace_fn` sees).
pub fn context_from_http_headers(headers: &http::HeaderMap) -> Context {
    propagator().extract(&HttpHeaderExtractor(headers))
}

/// Makes the calling span the parent of `span`.
pub fn set_parent_from_metadata(
    span: &tracing::Span,
    metadata: &MetadataMap,
) -> Result<(), ParentError> {
    set_remote_parent(span, context_from_metadata(metadata))
}

/// Client interceptor that sends the current trace context with every call.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContextInterceptor;

impl Interceptor for TraceContextInterceptor {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        inject_into_metadata(request.metadata_mut());
        Ok(request)
    }
}

/// The span of one incoming gRPC request, child of the caller's span when the request carries
/// trace context. Made for `tonic::transport::Server::builder().trace_fn(server_span)`.
pub fn server_span(request: &http::Request<()>) -> tracing::Span {
    let path = request.uri().path().trim_start_matches('/');
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let span = tracing::info_span!(
        "grpc.server",
        otel.name = %path,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
    );
    // A request without trace context (grpcurl, a health probe) just starts a new trace.
    let _ = set_remote_parent(&span, context_from_http_headers(request.headers()));
    span
}
