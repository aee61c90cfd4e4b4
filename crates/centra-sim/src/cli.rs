//! Command-line flags and the run loop shared by the `centra-sim` binary and the product's
//! `centra-wms sim centra` command (flatten [`SimArgs`] into any clap command and call [`run`]).

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::{CentraSim, DEFAULT_BASE_PATH, DEFAULT_SECRET};
use crate::error::SimError;

/// Flags of `centra-sim` / `centra-wms sim centra`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port (the "listening on" line tells which).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Value expected in the API-Authorization header.
    #[arg(long, default_value = DEFAULT_SECRET)]
    pub secret: String,
    /// Path of the Order API plugin.
    #[arg(long, default_value = DEFAULT_BASE_PATH)]
    pub base_path: String,
    /// The store's time zone (IANA name); Order API timestamps are local to it.
    #[arg(long, default_value = "Europe/Stockholm")]
    pub time_zone: String,
}

/// Binds, prints exactly `listening on http://ADDR` once ready, serves until SIGTERM or Ctrl-C.
pub async fn run(args: SimArgs) -> Result<(), SimError> {
    let sim = CentraSim::builder()
        .secret(args.secret)
        .base_path(args.base_path)
        .time_zone_name(args.time_zone)
        .build()?;
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|source| SimError::Bind {
            addr: args.addr,
            source,
        })?;
    let shutdown = shutdown_signal();
    println!("listening on http://{}", listener.local_addr()?);
    sim.serve(listener, shutdown).await
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
///
/// SIGTERM is listened for from the call on, not from the first poll: `run` calls this before it
/// prints its ready line, so a SIGTERM sent right after that line stops the simulator cleanly
/// instead of killing it by the default action.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let registered = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = async {
            if let Err(err) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %err, "could not listen for ctrl-c");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match registered {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "could not listen for sigterm");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {}
            () = terminate => {}
        }
        tracing::info!("stopping");
    }
}
