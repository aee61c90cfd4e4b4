//! Trace context in bus message headers.
//!
//! The bus carries headers as `BTreeMap<String, String>` (`platform_bus::Headers`); this module
//! uses the same type without depending on the bus. Publisher side: [`inject_into_headers`]
//! inside the span that publishes. Consumer side: create the handling span, then
//! [`set_parent_from_headers`] before entering it.
//!
//! ```
//! use platform_telemetry::{Headers, inject_into_headers, set_parent_from_headers};
//!
//! let mut headers = Headers::new();
//! inject_into_headers(&mut headers); // adds `traceparent` when the current span is traced
//!
//! let span = tracing::info_span!("handle shipment event");
//! // No trace context (or no tracing layer) is normal: the span just starts its own trace.
//! let _ = set_parent_from_headers(&span, &headers);
//! let _entered = span.enter();
//! ```

use std::collections::BTreeMap;

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};

use crate::context::{ParentError, current_context, propagator, set_remote_parent};

/// Message headers, the same type as the bus port's `Headers`.
pub type Headers = BTreeMap<String, String>;

struct HeaderInjector<'a>(&'a mut Headers);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
}

struct HeaderExtractor<'a>(&'a Headers);

impl Extractor for HeaderExtractor<'_> {
    /// Exact key first; then any casing, since some transports capitalise header names.
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(key))
                    .map(|(_, value)| value)
            })
            .map(String::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// Writes the current trace context (`traceparent`, `tracestate`) into `headers`. Writes nothing
/// when there is no traced span.
pub fn inject_into_headers(headers: &mut Headers) {
    inject_context_into_headers(&current_context(), headers);
}

/// Writes the trace context of `cx` into `headers`.
pub fn inject_context_into_headers(cx: &Context, headers: &mut Headers) {
    propagator().inject_context(cx, &mut HeaderInjector(headers));
}

/// Reads the trace context from `headers`. The result holds a remote span context, or none when
/// the headers carry no valid `traceparent`.
pub fn context_from_headers(headers: &Headers) -> Context {
    propagator().extract(&HeaderExtractor(headers))
}

/// Makes the span that published the message the parent of `span`.
pub fn set_parent_from_headers(span: &tracing::Span, headers: &Headers) -> Result<(), ParentError> {
    set_remote_parent(span, context_from_headers(headers))
}
