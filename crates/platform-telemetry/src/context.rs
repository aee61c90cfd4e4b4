//! The trace a piece of work belongs to, and attaching a remote parent to a span.

use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt, TraceId};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::{OpenTelemetrySpanExt, SetParentError};

/// Why a span did not get the remote parent.
#[derive(Debug, thiserror::Error)]
pub enum ParentError {
    /// The carrier had no valid `traceparent` (an old message, a tool that does not trace).
    /// Normal: the span simply starts its own trace.
    #[error("no valid trace context in the carrier")]
    NoTraceContext,
    /// The span exists but its OpenTelemetry data could not take a parent: it was already
    /// entered or its context read, or no `tracing-opentelemetry` layer is installed.
    #[error("could not attach the remote parent: {0}")]
    NotAttached(#[from] SetParentError),
}

/// The propagator behind every helper of this crate: W3C Trace Context on the wire.
pub(crate) fn propagator() -> TraceContextPropagator {
    TraceContextPropagator::new()
}

/// The context of the current work: the current `tracing` span when the OpenTelemetry layer is
/// installed, else whatever OpenTelemetry context is attached to this thread.
pub(crate) fn current_context() -> Context {
    let from_span = tracing::Span::current().context();
    if from_span.span().span_context().is_valid() {
        from_span
    } else {
        Context::current()
    }
}

/// True when `cx` carries a valid span context worth propagating or adopting.
pub(crate) fn has_valid_span(cx: &Context) -> bool {
    cx.span().span_context().is_valid()
}

/// The trace id of `span`, `None` when it is not traced (no OpenTelemetry layer, or disabled).
///
/// Reading it starts the span's OpenTelemetry side: set a remote parent *before* calling this.
pub fn trace_id(span: &tracing::Span) -> Option<TraceId> {
    let cx = span.context();
    has_valid_span(&cx).then(|| cx.span().span_context().trace_id())
}

/// The trace id of the current work (see [`trace_id`]), e.g. to store with a dead letter so a
/// person can find its spans.
pub fn current_trace_id() -> Option<TraceId> {
    let cx = current_context();
    has_valid_span(&cx).then(|| cx.span().span_context().trace_id())
}

/// Makes the remote span in `parent` the parent of `span`, so the work joins the caller's trace.
///
/// Call it right after creating the span, before entering it. An empty `parent` is refused
/// rather than applied, because applying it would cut the span off its local parent.
pub fn set_remote_parent(span: &tracing::Span, parent: Context) -> Result<(), ParentError> {
    if !has_valid_span(&parent) {
        return Err(ParentError::NoTraceContext);
    }
    span.set_parent(parent)?;
    Ok(())
}
