//! Starting and stopping a simulator: [`OgoshipSim`] (settings, built with
//! [`OgoshipSimBuilder`]), [`OgoshipSim::serve`] on a listener until a shutdown signal, and
//! [`OgoshipSim::spawn`] for tests, which returns a [`RunningSim`].
//!
//! The connection loop is hyper's, not `axum::serve`, because the lost-response fault must drop
//! a connection without answering after the request was applied; each connection carries a
//! [`ConnectionKill`] token the pipeline can cancel. It also folds the path's fixed segments
//! to lower case before routing (paths are case-insensitive at OGOship, §1).

use std::fmt::Display;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::config::SimConfig;
use crate::error::SimError;
use crate::pipeline::{ConnectionKill, OriginalPath};
use crate::routes::canonical_path;
use crate::state::Sim;

/// How long open connections get to finish when the simulator stops.
const DRAIN: Duration = Duration::from_secs(5);

/// A configured (not yet running) OGOship simulator.
#[derive(Debug, Clone, Default)]
pub struct OgoshipSim {
    config: SimConfig,
}

/// Builds an [`OgoshipSim`]; every setting defaults to [`SimConfig::default`].
#[derive(Debug, Clone, Default)]
pub struct OgoshipSimBuilder {
    config: SimConfig,
}

impl OgoshipSimBuilder {
    /// OAuth client credentials (default `123456` / `abcdef`, the documented demo client).
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.config.client_id = id.into();
        self.config.client_secret = secret.into();
        self
    }

    /// Merchant ID and secret token, the password grant's `username` and `password`
    /// (default `sandbox-merchant` / `sandbox-secret`).
    pub fn merchant(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.config.merchant_id = id.into();
        self.config.merchant_secret = secret.into();
        self
    }

    /// The shipping methods the merchant has enabled; empty accepts every code.
    pub fn shipping_codes(mut self, codes: Vec<String>) -> Self {
        self.config.shipping_codes = codes;
        self
    }

    /// Delays between webhook delivery attempts.
    pub fn webhook_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.config.webhook_retry_delays = delays;
        self
    }

    /// Any other setting.
    pub fn configure(mut self, change: impl FnOnce(&mut SimConfig)) -> Self {
        change(&mut self.config);
        self
    }

    pub fn build(self) -> OgoshipSim {
        OgoshipSim {
            config: self.config,
        }
    }
}

impl OgoshipSim {
    pub fn builder() -> OgoshipSimBuilder {
        OgoshipSimBuilder::default()
    }

    pub fn new(config: SimConfig) -> Self {
        Self { config }
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Binds `addr` (use port 0 in tests) and serves in a background task.
    pub async fn spawn(self, addr: impl ToSocketAddrs + Display) -> Result<RunningSim, SimError> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(SimError::LocalAddr)?;
        let token = CancellationToken::new();
        let stop = token.clone();
        let task = tokio::spawn(async move {
            if let Err(err) = self.serve(listener, stop.cancelled_owned()).await {
                tracing::error!(error = %err, "ogoship simulator stopped with an error");
            }
        });
        Ok(RunningSim {
            addr: local,
            token,
            task: Some(task),
        })
    }

    /// Serves on `listener` until `shutdown` completes, then lets open connections finish
    /// (up to a few seconds).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), SimError> {
        let sim = Sim::new(self.config);
        let app = crate::routes::app(sim);
        let stop = CancellationToken::new();
        let trigger = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            trigger.cancel();
        });
        let connections = TaskTracker::new();
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve_connection(stream, app.clone(), stop.clone()));
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                },
            }
        }
        connections.close();
        if tokio::time::timeout(DRAIN, connections.wait())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the drain period; stopping anyway");
        }
        Ok(())
    }
}

/// Routes case-insensitively: rewrites the URI to its canonical path and keeps the path as
/// sent for the request log.
fn fold_path<B>(request: &mut hyper::Request<B>) {
    let original = request.uri().path().to_owned();
    if let Some(folded) = canonical_path(&original) {
        let path_and_query = match request.uri().query() {
            Some(query) => format!("{folded}?{query}"),
            None => folded,
        };
        let mut parts = request.uri().clone().into_parts();
        if let Ok(pq) = PathAndQuery::try_from(path_and_query) {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
    }
    request.extensions_mut().insert(OriginalPath(original));
}

enum Ending {
    Done(Result<(), hyper::Error>),
    Killed,
    Shutdown,
}

/// Serves one HTTP/1.1 connection (keep-alive) until the peer closes it, a lost-response fault
/// kills it, or the simulator stops.
async fn serve_connection(stream: TcpStream, app: Router, stop: CancellationToken) {
    let _ = stream.set_nodelay(true);
    let kill = CancellationToken::new();
    let kill_handle = kill.clone();
    let service =
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectionKill(kill_handle.clone()));
            fold_path(&mut request);
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let ending = tokio::select! {
        result = connection.as_mut() => Ending::Done(result),
        () = kill.cancelled() => Ending::Killed,
        () = stop.cancelled() => Ending::Shutdown,
    };
    match ending {
        Ending::Done(Err(err)) => tracing::debug!(error = %err, "connection ended with an error"),
        Ending::Done(Ok(())) => {}
        Ending::Killed => tracing::debug!("connection dropped without an answer"),
        Ending::Shutdown => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, connection.as_mut()).await;
        }
    }
}

/// A simulator serving in the background (from [`OgoshipSim::spawn`]). Dropping it stops the
/// server too; [`RunningSim::shutdown`] also waits for it.
#[derive(Debug)]
pub struct RunningSim {
    pub addr: SocketAddr,
    token: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://ADDR`: the host root; the control API is at `{base_url}/_sim/...`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://ADDR/api/v1`: the REST API base (`https://api.ogoship.com/api/v1` for real).
    pub fn api_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// `http://ADDR/OAuth/Token`: the token endpoint (`https://my.ogoship.com/OAuth/Token`
    /// for real; one listener serves both hosts here).
    pub fn token_url(&self) -> String {
        format!("http://{}/OAuth/Token", self.addr)
    }

    /// Stops accepting, lets open connections finish, and waits for the server task.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        self.token.cancel();
        match self.task.take() {
            Some(task) => task.await.map_err(|err| SimError::Task(err.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// Shared so the binary and any embedding command stop the same way.
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
                tracing::warn!(error = %err, "cannot listen for ctrl-c");
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
                    tracing::warn!(error = %err, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
    }
}
