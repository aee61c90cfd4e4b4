//! Runs services: all of them as tasks of one process (embedded), or one per process
//! (distributed), with the adapters each shape uses and a graceful shutdown.
//!
//! Layout:
//! - `service`: the [`Service`] trait every service crate implements and its [`ServiceContext`].
//! - `base`: [`ServiceBase`], what every service opens first (its store, its outbox relay).
//! - `adapters`: [`Adapters`], the bus and database each shape uses: embedded (SQLite bus and
//!   one SQLite file per service) or distributed (NATS JetStream and PostgreSQL).
//! - `directory`: [`ServiceDirectory`], how services reach each other's gRPC command services
//!   (in-process in the embedded shape, over TCP in the distributed one).
//! - `runtime`: [`Runtime`], runs services as supervised tasks and stops them gracefully; every
//!   service in the embedded shape, one per process in the distributed shape.
//! - `serve`: [`serve`], one service as its own process (the service binaries' `main`).
//! - `pruning`: [`prune_store`], deleting by age what `[runtime.retention]` no longer keeps;
//!   every [`ServiceBase`] prunes its store on a timer, the embedded [`Runtime`] its bus.
//! - `subscription`: [`consume`], the loop that feeds a durable consumer's deliveries to a
//!   service's handler and acks, naks or terminates each by the [`Handled`] answer, giving up
//!   a message that keeps failing into a dead letter by the [`Redelivery`] limit; [`Settling`]
//!   and [`all_in_progress_while`] for a service that reads with a loop of its own.
//! - `renewal`: [`with_renewals`], work with a lease renewed beside it, never in its place
//!   (the progress acks above, stock-sync's claim).
//! - `drain`: [`within_drain`], work under way at shutdown given [`IN_FLIGHT_DRAIN`] more, then
//!   dropped (the handlers above, the commands a gRPC server is answering), so a service stops
//!   within the runtime's grace period.
//! - `dead_letter_service`: [`DeadLetterService`], the `DeadLetters` gRPC service over a
//!   service's store, with the service's own [`DeadLetterRetry`].
//! - `call_log`: [`CallLog`], a gateway's calls to its outside system kept per record (the
//!   `external_calls` table), and [`ExternalCallsService`], the `ExternalCalls` gRPC service
//!   over it for the admin page's Find.
//! - `kept_message`: [`keep_message`], [`keep_and_reject`] and [`kept_message`], a bus message a
//!   consumer could not handle kept as a dead letter and handed back on a retry
//!   ([`settle_replay`] keeps it open when the retry fails again).
//! - `detector_status`: [`DetectorStatus`], the `FlowStatus` report of a gateway's change
//!   detectors (the same for every gateway).
//! - `flow_runs`: [`FlowRuns`], what each flow did since start, and its `FlowStatus` row.
//! - `health`: [`Health`], `/healthz`, `/readyz` and `/metrics` of a service process.
//! - `grpc_token`: [`GrpcToken`], the bearer token TCP gRPC calls send and servers require.
//! - `signal`: Ctrl-C / SIGTERM as a cancellation token.
//! - `port_error`: [`port_error`], a gRPC answer as a `domain::PortError` (the one place the
//!   kind is made from a status code), for every sync service's gRPC adapters.

mod adapters;
mod base;
mod call_log;
mod dead_letter_service;
mod detector_status;
mod directory;
mod drain;
mod flow_runs;
mod grpc_token;
mod health;
mod kept_message;
mod port_error;
mod pruning;
mod readiness;
mod renewal;
mod runtime;
mod serve;
mod service;
mod signal;
mod subscription;

pub use adapters::{Adapters, AdaptersError, stream_name};
pub use base::ServiceBase;
pub use call_log::{CALLS_KEPT, CallLog, ExternalCallsService, KEPT_FOR, StoredCall};
pub use dead_letter_service::{DeadLetterRetry, DeadLetterService};
pub use detector_status::{Detector, DetectorStatus};
pub use directory::{ChannelError, DirectoryError, GrpcChannel, ServiceDirectory, WMS_GATEWAY};
pub use drain::{IN_FLIGHT_DRAIN, within_drain};
pub use flow_runs::{FlowFacts, FlowRun, FlowRuns, flows_answer, open_dead_letters, timestamp};
pub use grpc_token::GrpcToken;
pub use health::{DatabaseCheck, Health, install_metrics};
pub use kept_message::{KeptMessage, keep_and_reject, keep_message, kept_message, settle_replay};
pub use port_error::port_error;
pub use pruning::{Pruned, prune_store};
pub use readiness::{CredentialChecks, Credentials, Readiness, watch_credentials};
pub use renewal::with_renewals;
pub use runtime::{Runtime, RuntimeError};
pub use serve::{ServeError, exit_code, serve, serve_from_args};
pub use service::{PartError, Service, ServiceContext, ServiceError, supervise};
pub use signal::shutdown_on_signal;
pub use subscription::{
    Handled, Settling, Subscription, all_in_progress_while, consume, consume_concurrently,
    in_progress_while,
};

// What services need, so they do not depend on every platform crate.
pub use platform_bus::Bus;
pub use platform_config::{AppConfig, Redelivery, Retention};
pub use platform_store::{Migrations, Store};
pub use tokio_util::sync::CancellationToken;
