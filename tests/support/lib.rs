//! Harness for the cross-crate tests in this folder.
//!
//! Layout:
//! - `buses`: every bus adapter under test, each on its own stream / file.
//! - `e2e`: both simulators, catalogue rows and settings for the end-to-end suites.
//! - `gateways`: both gateways over both simulators, ready to call (the ports contracts).
//! - `log_tail`: the newest warnings and errors of the process, for failure messages.
//! - `runtime`: a runtime of either shape with the services a suite names.
//! - `suite`: `in_every_setup!`, one test per shape and WMS for each end-to-end scenario.
//! - `tracing_capture`: an OpenTelemetry pipeline that keeps spans in memory.
//! - `wms`: the WMS simulator of either kind behind WMS-neutral controls.

pub mod buses;
pub mod e2e;
pub mod gateways;
pub mod log_tail;
pub mod runtime;
pub mod suite;
pub mod tracing_capture;
pub mod wms;
