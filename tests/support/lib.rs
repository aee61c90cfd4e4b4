//! Harness for the cross-crate tests in this folder.
//!
//! Layout:
//! - `buses`: every bus adapter under test, each on its own stream / file.
//! - `tracing_capture`: an OpenTelemetry pipeline that keeps spans in memory.

pub mod buses;
pub mod tracing_capture;
