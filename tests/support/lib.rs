//! Harness for the cross-crate tests in this folder.
//!
//! Layout:
//! - `buses`: every bus adapter under test, each on its own stream / file.
//! - `e2e`: both simulators, catalogue rows and settings for the end-to-end suites.
//! - `tracing_capture`: an OpenTelemetry pipeline that keeps spans in memory.

pub mod buses;
pub mod e2e;
pub mod tracing_capture;
