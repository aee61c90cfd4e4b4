//! Starting and stopping a simulator: [`OngoingSim`] (settings, built with
//! [`OngoingSimBuilder`]), [`OngoingSim::serve`] on a listener until a shutdown signal, and
//! [`OngoingSim::spawn`] for tests, which returns a [`RunningSim`].
//!
//! The connection loop is hyper's, not `axum::serve`, because the lost-response fault must drop
//! a connection without answering after the request was applied; each connection carries a
//! [`ConnectionKill`] token the pipeline can cancel.

use std::fmt::Display;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::config::SimConfig;
use crate::error::SimError;
use crate::models::StatusModel;
use crate::pipeline::ConnectionKill;
use crate::state::Sim;

/// How long open connections get to finish when the simulator stops.
const DRAIN: Duration = Duration::from_secs(5);

/// A configured (not yet running) Ongoing simulator.
#[derive(Debug, Clone, Default)]
pub struct OngoingSim {
    config: SimConfig,
}

/// Builds an [`OngoingSim`]; every setting defaults to simulators.md's values.
#[derive(Debug, Clone, Default)]
pub struct OngoingSimBuilder {
    config: SimConfig,
}

impl OngoingSimBuilder {
    /// `{warehouse}` in `/{warehouse}/api/v1` (default `sandbox`).
    pub fn warehouse(mut self, warehouse: impl Into<String>) -> Self {
        self.config.warehouse = warehouse.into();
        self
    }

    /// HTTP Basic credentials of the API user (default `sandbox` / `sandbox`).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.config.user = user.into();
        self.config.password = password.into();
        self
    }

    /// The API user's goods owner (default 1).
    pub fn goods_owner_id(mut self, goods_owner_id: i64) -> Self {
        self.config.goods_owner_id = goods_owner_id;
        self
    }

    pub fn goods_owner_name(mut self, name: impl Into<String>) -> Self {
        self.config.goods_owner_name = name.into();
        self
    }

    /// 401 (default) or 403 for a `goodsOwnerId` that is not the API user's.
    pub fn foreign_goods_owner_status(mut self, status: StatusCode) -> Self {
        self.config.foreign_goods_owner_status = status;
        self
    }

    /// This instance's order statuses (numbers and texts).
    pub fn order_statuses(mut self, statuses: Vec<StatusModel>) -> Self {
        self.config.order_statuses = statuses;
        self
    }

    pub fn purchase_order_statuses(mut self, statuses: Vec<StatusModel>) -> Self {
        self.config.purchase_order_statuses = statuses;
        self
    }

    /// Orders at or above this status may no longer be updated or cancelled (default 300).
    pub fn order_editable_below(mut self, status: i32) -> Self {
        self.config.order_editable_below = status;
        self
    }

    /// How long a write waits for the goods owner's write gate (default 60 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.config.write_timeout = timeout;
        self
    }

    /// Header that carries the webhook secret (default `X-Auth-Token`).
    pub fn webhook_auth_header(mut self, header: impl Into<String>) -> Self {
        self.config.webhook_auth_header = header.into();
        self
    }

    /// Delays between retries under the `oneDay` policy.
    pub fn webhook_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.config.webhook_retry_delays = delays;
        self
    }

    /// Any other setting.
    pub fn configure(mut self, change: impl FnOnce(&mut SimConfig)) -> Self {
        change(&mut self.config);
        self
    }

    pub fn build(self) -> OngoingSim {
        OngoingSim {
            config: self.config,
        }
    }
}

impl OngoingSim {
    pub fn builder() -> OngoingSimBuilder {
        OngoingSimBuilder::default()
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
        let warehouse = self.config.warehouse.clone();
        let stop = token.clone();
        let task = tokio::spawn(async move {
            if let Err(err) = self.serve(listener, stop.cancelled_owned()).await {
                tracing::error!(error = %err, "ongoing simulator stopped with an error");
            }
        });
        Ok(RunningSim {
            addr: local,
            warehouse,
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

/// A simulator serving in the background (from [`OngoingSim::spawn`]). Dropping it stops the
/// server too; [`RunningSim::shutdown`] also waits for it.
#[derive(Debug)]
pub struct RunningSim {
    pub addr: SocketAddr,
    warehouse: String,
    token: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://ADDR`: the host root; the control API is at `{base_url}/_sim/...`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://ADDR/{warehouse}/api/v1`: the REST API base.
    pub fn api_url(&self) -> String {
        format!("http://{}/{}/api/v1", self.addr, self.warehouse)
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

/// Shared so the binary and `centra-wms sim ongoing` stop the same way.
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
