//! A record's journey as one trace: the trace context kept with a record (W3C `traceparent`
//! text in its row) so that later work on it, set off by something else (the warehouse's
//! report hours after the import), continues the trace the record started in, with a link to
//! the work that set it off.
//!
//! ```text
//! import:      let kept = current_traceparent();      // stored with the record
//! completion:  let span = info_span!("complete shipment");
//!              continue_journey(&span, &kept)?;       // parent: the import; link: the report
//!              work.instrument(span).await
//! ```
//!
//! Why not simply the trigger's trace: the trigger (a poll of the warehouse) is shared by many
//! records, and a person looking for "what happened to shipment 83651" wants its import, its
//! completion and what followed on one page.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TraceContextExt as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::context::{ParentError, current_context, has_valid_span, propagator, set_remote_parent};

const TRACEPARENT: &str = "traceparent";

/// The current work's trace context as a W3C `traceparent` value, to keep with a record;
/// `None` when the work is not traced.
pub fn current_traceparent() -> Option<String> {
    let cx = current_context();
    if !has_valid_span(&cx) {
        return None;
    }
    let mut carrier = HashMap::new();
    propagator().inject_context(&cx, &mut carrier);
    carrier.remove(TRACEPARENT)
}

/// Makes `span` continue the journey `traceparent` (kept by [`current_traceparent`]) names,
/// and links it to the current work, which set it off.
///
/// Call it right after creating the span, before entering it.
///
/// # Errors
/// [`ParentError::NoTraceContext`] when `traceparent` is not a valid W3C value (the span then
/// stays in the current trace), [`ParentError::NotAttached`] as for [`set_remote_parent`].
pub fn continue_journey(span: &tracing::Span, traceparent: &str) -> Result<(), ParentError> {
    let trigger = current_context().span().span_context().clone();
    let carrier = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    set_remote_parent(span, propagator().extract(&carrier))?;
    if trigger.is_valid() {
        span.add_link(trigger);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    fn traced() -> (
        InMemorySpanExporter,
        SdkTracerProvider,
        impl tracing::Subscriber,
    ) {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        (exporter, provider, subscriber)
    }

    #[test]
    fn a_kept_context_parents_the_later_work_which_links_its_trigger() {
        let (exporter, provider, subscriber) = traced();
        tracing::subscriber::with_default(subscriber, || {
            let kept = tracing::info_span!("import shipment")
                .in_scope(current_traceparent)
                .expect("traced work has a context");
            tracing::info_span!("wms report").in_scope(|| {
                let span = tracing::info_span!("complete shipment");
                continue_journey(&span, &kept).expect("a valid traceparent");
                span.in_scope(|| {});
            });
        });
        provider.force_flush().expect("flush");
        let spans = exporter.get_finished_spans().expect("spans");
        let by_name = |name: &str| {
            spans
                .iter()
                .find(|s| s.name == name)
                .unwrap_or_else(|| panic!("{name} in {spans:?}"))
        };
        let (import, report, completion) = (
            by_name("import shipment"),
            by_name("wms report"),
            by_name("complete shipment"),
        );
        assert_eq!(
            completion.span_context.trace_id(),
            import.span_context.trace_id()
        );
        assert_eq!(completion.parent_span_id, import.span_context.span_id());
        assert_ne!(
            report.span_context.trace_id(),
            import.span_context.trace_id()
        );
        let links: Vec<_> = completion
            .links
            .iter()
            .map(|l| l.span_context.span_id())
            .collect();
        assert_eq!(links, [report.span_context.span_id()]);
    }

    #[test]
    fn untraced_work_keeps_nothing_and_a_bad_value_is_refused() {
        assert_eq!(current_traceparent(), None);
        let (_exporter, _provider, subscriber) = traced();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("complete shipment");
            assert!(matches!(
                continue_journey(&span, "not-a-traceparent"),
                Err(ParentError::NoTraceContext)
            ));
        });
    }
}
