//! An OTLP/gRPC trace receiver in the collector's place: what the processes export, kept for
//! the test to read (service, ids, parent, links). Built on `opentelemetry-proto`'s generated
//! tonic server, so it is the wire format a real collector speaks.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;

/// One exported span, reduced to what a trace's shape needs.
#[derive(Debug, Clone)]
pub struct Span {
    pub service: String,
    pub name: String,
    pub trace_id: Vec<u8>,
    pub span_id: Vec<u8>,
    pub parent_span_id: Vec<u8>,
    /// `(trace id, span id)` of each link.
    pub links: Vec<(Vec<u8>, Vec<u8>)>,
    /// The string and integer attributes, as text.
    pub attributes: BTreeMap<String, String>,
    /// The whole span as received (events, status message and all attributes included), for
    /// searches over everything it carries.
    pub raw: String,
}

/// The spans received so far.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut received = Vec::new();
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|resource| &resource.attributes)
                .find(|attribute| attribute.key == "service.name")
                .and_then(|attribute| attribute.value.as_ref())
                .and_then(|value| match &value.value {
                    Some(Value::StringValue(name)) => Some(name.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in resource_spans
                .scope_spans
                .into_iter()
                .flat_map(|scope| scope.spans)
            {
                let raw = format!("{span:?}");
                let attributes = span
                    .attributes
                    .iter()
                    .filter_map(|attribute| {
                        let value = match attribute.value.as_ref()?.value.as_ref()? {
                            Value::StringValue(text) => text.clone(),
                            Value::IntValue(number) => number.to_string(),
                            _ => return None,
                        };
                        Some((attribute.key.clone(), value))
                    })
                    .collect();
                received.push(Span {
                    raw,
                    attributes,
                    service: service.clone(),
                    name: span.name,
                    trace_id: span.trace_id,
                    span_id: span.span_id,
                    parent_span_id: span.parent_span_id,
                    links: span
                        .links
                        .into_iter()
                        .map(|link| (link.trace_id, link.span_id))
                        .collect(),
                });
            }
        }
        self.spans.lock().expect("spans").extend(received);
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

impl Receiver {
    /// Serves on `addr` until the test ends.
    pub async fn start(addr: SocketAddr) -> Self {
        let receiver = Self::default();
        let server = tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(receiver.clone()))
            .serve(addr);
        tokio::spawn(async move {
            if let Err(error) = server.await {
                panic!("otlp receiver on {addr} stopped: {error}");
            }
        });
        receiver
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Span> {
        self.spans.lock().expect("spans").clone()
    }

    /// The spans received so far, grouped by trace id.
    pub fn traces(&self) -> BTreeMap<Vec<u8>, Vec<Span>> {
        let mut traces: BTreeMap<Vec<u8>, Vec<Span>> = BTreeMap::new();
        for span in self.spans.lock().expect("spans").iter() {
            traces
                .entry(span.trace_id.clone())
                .or_default()
                .push(span.clone());
        }
        traces
    }
}

/// The services a trace's spans came from.
pub fn services(trace: &[Span]) -> BTreeSet<&str> {
    trace.iter().map(|span| span.service.as_str()).collect()
}

/// Spans of `trace` whose parent is not in it (the root has none): a connected trace has
/// exactly one root and no such orphan.
pub fn unconnected(trace: &[Span]) -> Vec<&Span> {
    let ids: BTreeSet<&[u8]> = trace.iter().map(|span| span.span_id.as_slice()).collect();
    trace
        .iter()
        .filter(|span| {
            !span.parent_span_id.is_empty() && !ids.contains(span.parent_span_id.as_slice())
        })
        .collect()
}

/// Spans without a parent.
pub fn roots(trace: &[Span]) -> Vec<&Span> {
    trace
        .iter()
        .filter(|span| span.parent_span_id.is_empty())
        .collect()
}
