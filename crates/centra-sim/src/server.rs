//! The HTTP server: an accept loop over hyper's HTTP/1 connections instead of `axum::serve`,
//! because a lost response needs to drop one connection from inside a handler
//! ([`ConnectionKill`]), which `axum::serve` cannot do.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::app::{self, Sim};
use crate::config::SimConfig;
use crate::error::SimError;

/// How long open connections may take to finish after shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Lets a handler drop the connection its request came on, unanswered.
#[derive(Debug, Clone)]
pub struct ConnectionKill(CancellationToken);

impl ConnectionKill {
    pub fn drop_connection(&self) {
        self.0.cancel();
    }
}

/// A simulator serving in a background task. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningSim {
    /// The bound address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    base_path: String,
    stop: CancellationToken,
    task: Option<JoinHandle<Result<(), SimError>>>,
}

impl RunningSim {
    /// `http://ADDR`, where the control API lives (`/_sim/...`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://ADDR/api/order-api`: the Order API base URL a client is configured with.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.base_path)
    }

    /// Stops accepting, lets open connections finish, and waits for the server task.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        self.stop.cancel();
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub(crate) async fn spawn(config: SimConfig, addr: SocketAddr) -> Result<RunningSim, SimError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    let base_path = config.base_path.clone();
    let stop = CancellationToken::new();
    let signal = stop.clone();
    let task = tokio::spawn(serve(config, listener, async move {
        signal.cancelled().await;
    }));
    Ok(RunningSim {
        addr,
        base_path,
        stop,
        task: Some(task),
    })
}

pub(crate) async fn serve<F>(
    config: SimConfig,
    listener: TcpListener,
    shutdown: F,
) -> Result<(), SimError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let router = app::router(Arc::new(Sim::new(config)));
    let connections = TaskTracker::new();
    let draining = CancellationToken::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, router.clone(), draining.clone()));
                }
                Err(err) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    draining.cancel();
    connections.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain timeout; closing them");
    }
    Ok(())
}

async fn serve_connection(stream: TcpStream, router: Router, draining: CancellationToken) {
    let kill = CancellationToken::new();
    let handle = ConnectionKill(kill.clone());
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().oneshot(request)
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        }
        // Returning drops the connection: the socket closes without an answer.
        () = kill.cancelled() => {}
        () = draining.cancelled() => {
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => {}
                () = kill.cancelled() => {}
            }
        }
    }
}
