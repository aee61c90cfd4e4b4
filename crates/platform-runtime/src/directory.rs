//! How services reach each other's gRPC command services, in either shape.
//!
//! - Embedded: a service registers its tonic routes here and callers get an in-process
//!   channel: requests still go through the gRPC codec (the same contract as over TCP), with no
//!   port to pick and nothing to collide when tests run side by side. When the runtime is
//!   exposed (`centra-wms run` and `sandbox`), each service's routes are also served on its
//!   configured listen address, so the operator's CLI reaches them as in the distributed shape.
//! - Distributed: a service serves its routes on its configured `listen` address and callers
//!   get a lazily connecting tonic channel to the configured `connect` URL.
//!
//! Callers write the same code in both shapes:
//! `CentraGatewayClient::new(ctx.directory.channel("centra-gateway")?)`.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use tonic::body::Body;
use tonic::service::Routes;
use tonic::transport::Endpoint;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt as _};
use tracing::Instrument as _;

use crate::grpc_token::{GrpcToken, RequireToken};

type StdError = Box<dyn std::error::Error + Send + Sync>;

/// The directory name of the merchant's WMS gateway, whichever warehouse it speaks to: the
/// gateway serves its `WmsGateway` routes under it and the sync services ask for it, so no
/// sync service names a warehouse (configured as `runtime.services.wms_gateway`).
pub const WMS_GATEWAY: &str = "wms-gateway";

/// A gRPC channel: in-process or over TCP, one type for generated clients.
pub type GrpcChannel = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, ChannelError>;

/// A transport failure on a [`GrpcChannel`].
///
/// A concrete error type rather than a boxed one: with `Box<dyn Error>` as the service error,
/// generated clients called inside `Send` futures (e.g. `async_trait` methods) fail to compile
/// ("implementation of `From` is not general enough").
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ChannelError(StdError);

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no grpc address is configured for service {0:?}")]
    Unknown(String),
    #[error("invalid grpc address {url:?} for {service}: {reason}")]
    InvalidAddress {
        service: String,
        url: String,
        reason: String,
    },
    #[error("{service}: grpc server failed: {reason}")]
    Serve { service: String, reason: String },
}

/// Where each service's command service is, and which of this process's services serve now.
#[derive(Clone)]
pub struct ServiceDirectory {
    shape: Arc<Shape>,
    /// Services of this process whose command service is up. A service serves only after it
    /// opened (and migrated) its store, so this is what readiness reads.
    serving: Arc<RwLock<HashSet<String>>>,
    /// Sent by TCP channels, required by TCP servers (`runtime.grpc_token`).
    token: Option<GrpcToken>,
    /// The service a channel to [`WMS_GATEWAY`] reaches: the gateway of the configured WMS.
    wms_gateway: &'static str,
    /// How long a TCP server answering calls at shutdown waits for them before it drops them
    /// ([`crate::IN_FLIGHT_DRAIN`]; see `drain`). In-process calls run in their caller's task,
    /// which its own drain bounds.
    drain: Duration,
}

/// The WMS gateway when nothing else is configured (`[wms] kind` defaults to Ongoing).
const DEFAULT_WMS_GATEWAY: &str = "ongoing-gateway";

enum Shape {
    InProcess {
        registered: RwLock<HashMap<String, Routes>>,
        /// service name -> where its routes are also served over TCP (for operators).
        exposed: HashMap<String, SocketAddr>,
    },
    Network {
        /// service name -> (listen, connect URL)
        addresses: HashMap<String, (SocketAddr, String)>,
    },
}

impl std::fmt::Debug for ServiceDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.shape {
            Shape::InProcess {
                registered,
                exposed,
            } => {
                let names: Vec<String> = registered
                    .read()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default();
                f.debug_struct("ServiceDirectory::InProcess")
                    .field("registered", &names)
                    .field("exposed", exposed)
                    .finish()
            }
            Shape::Network { addresses } => f
                .debug_struct("ServiceDirectory::Network")
                .field("addresses", addresses)
                .finish(),
        }
    }
}

impl ServiceDirectory {
    /// Embedded shape: services register their routes, callers get in-process channels.
    pub fn in_process() -> Self {
        Self::in_process_exposed(std::iter::empty())
    }

    /// Embedded shape whose services are also served over TCP at `(service name, listen)`, so
    /// an operator's CLI reaches a running process.
    pub fn in_process_exposed(exposed: impl IntoIterator<Item = (String, SocketAddr)>) -> Self {
        Self {
            shape: Arc::new(Shape::InProcess {
                registered: RwLock::new(HashMap::new()),
                exposed: exposed.into_iter().collect(),
            }),
            serving: Arc::default(),
            token: None,
            wms_gateway: DEFAULT_WMS_GATEWAY,
            drain: crate::IN_FLIGHT_DRAIN,
        }
    }

    /// Distributed shape: `(service name, listen address, connect URL)` for every service.
    pub fn network(addresses: impl IntoIterator<Item = (String, SocketAddr, String)>) -> Self {
        Self {
            shape: Arc::new(Shape::Network {
                addresses: addresses
                    .into_iter()
                    .map(|(name, listen, connect)| (name, (listen, connect)))
                    .collect(),
            }),
            serving: Arc::default(),
            token: None,
            wms_gateway: DEFAULT_WMS_GATEWAY,
            drain: crate::IN_FLIGHT_DRAIN,
        }
    }

    /// Every TCP call sends `token`, every TCP server requires it (see `grpc_token`).
    #[must_use]
    pub fn with_token(mut self, token: Option<GrpcToken>) -> Self {
        self.token = token;
        self
    }

    /// TCP servers drop the calls they are still answering `drain` after shutdown instead of
    /// after [`crate::IN_FLIGHT_DRAIN`] (a test that cannot wait that long).
    #[must_use]
    pub fn with_drain(mut self, drain: Duration) -> Self {
        self.drain = drain;
        self
    }

    /// Channels to [`WMS_GATEWAY`] reach `service` (`[wms] kind`'s gateway).
    #[must_use]
    pub fn with_wms_gateway(mut self, service: &'static str) -> Self {
        self.wms_gateway = service;
        self
    }

    /// `service`, or the configured WMS gateway for [`WMS_GATEWAY`].
    fn resolve<'a>(&self, service: &'a str) -> &'a str {
        if service == WMS_GATEWAY {
            self.wms_gateway
        } else {
            service
        }
    }

    /// A channel to `service`'s command service. In-process, a call made before the service
    /// has registered fails with `UNAVAILABLE` (callers retry such calls anyway).
    pub fn channel(&self, service: &str) -> Result<GrpcChannel, DirectoryError> {
        let service = self.resolve(service);
        match &*self.shape {
            Shape::InProcess { .. } => Ok(GrpcChannel::new(InProcessChannel {
                directory: self.clone(),
                service: service.to_owned(),
            })),
            Shape::Network { addresses } => {
                let (_, url) = addresses
                    .get(service)
                    .ok_or_else(|| DirectoryError::Unknown(service.to_owned()))?;
                let endpoint = Endpoint::from_shared(url.clone()).map_err(|e| {
                    DirectoryError::InvalidAddress {
                        service: service.to_owned(),
                        url: url.clone(),
                        reason: e.to_string(),
                    }
                })?;
                let channel = endpoint.connect_lazy();
                let token = self.token.clone();
                // Every call carries the caller's trace context (W3C `traceparent`), which the
                // server side's `server_span` continues, and the token when one is set.
                Ok(GrpcChannel::new(
                    channel
                        .map_request(move |mut request: http::Request<Body>| {
                            platform_telemetry::inject_into_http_headers(request.headers_mut());
                            if let Some(token) = &token {
                                token.authorize(request.headers_mut());
                            }
                            request
                        })
                        .map_err(|e| ChannelError(StdError::from(e))),
                ))
            }
        }
    }

    /// Whether `service` (of this process) serves its command service now.
    pub fn is_serving(&self, service: &str) -> bool {
        self.serving
            .read()
            .is_ok_and(|serving| serving.contains(service))
    }

    /// Says whether `service`, which serves no gRPC command service of its own (the admin web
    /// page, on its own HTTP listener), is serving: `/readyz` waits for every service of the
    /// process, and would otherwise never see it ready.
    pub fn mark_serving(&self, service: &str, on: bool) {
        self.set_serving(service, on);
    }

    fn set_serving(&self, service: &str, on: bool) {
        if let Ok(mut serving) = self.serving.write() {
            if on {
                serving.insert(service.to_owned());
            } else {
                serving.remove(service);
            }
        }
    }

    /// Serves `routes` as `service`'s command service until `shutdown`: registers them
    /// in-process, or serves them on the configured listen address (with `grpc.health.v1`
    /// answering SERVING for it). [`Self::is_serving`] says yes meanwhile.
    pub async fn serve(
        &self,
        service: &str,
        routes: Routes,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> Result<(), DirectoryError> {
        self.set_serving(service, true);
        let result = self.serve_routes(service, routes, shutdown).await;
        self.set_serving(service, false);
        result
    }

    async fn serve_routes(
        &self,
        service: &str,
        routes: Routes,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> Result<(), DirectoryError> {
        match &*self.shape {
            Shape::InProcess {
                registered,
                exposed,
            } => {
                let routes = routes.prepare();
                registered
                    .write()
                    .map_err(|_| DirectoryError::Serve {
                        service: service.to_owned(),
                        reason: "directory lock poisoned".to_owned(),
                    })?
                    .insert(service.to_owned(), routes.clone());
                let result = match exposed.get(service) {
                    Some(listen) => self.serve_tcp(service, routes, *listen, shutdown).await,
                    None => {
                        shutdown.cancelled().await;
                        Ok(())
                    }
                };
                if let Ok(mut registered) = registered.write() {
                    registered.remove(service);
                }
                result
            }
            Shape::Network { addresses } => {
                let (listen, _) = addresses
                    .get(service)
                    .ok_or_else(|| DirectoryError::Unknown(service.to_owned()))?;
                self.serve_tcp(service, routes, *listen, shutdown).await
            }
        }
    }

    /// Serves `routes` over TCP on `listen` until `shutdown`, the calls under way then given
    /// the directory's drain.
    async fn serve_tcp(
        &self,
        service: &str,
        routes: Routes,
        listen: SocketAddr,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> Result<(), DirectoryError> {
        let (token, drain) = (self.token.clone(), self.drain);
        tracing::info!(service, %listen, "grpc server listening");
        // `grpc.health.v1`: the whole server ("") and the service by name answer SERVING while the
        // routes are served (a Kubernetes gRPC probe or grpc-health-probe asks).
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", tonic_health::ServingStatus::Serving)
            .await;
        reporter
            .set_service_status(service, tonic_health::ServingStatus::Serving)
            .await;
        // On shutdown tonic stops taking connections and waits for the calls under way; one that
        // waits out a far system's retries is dropped a drain later (its caller sees UNAVAILABLE
        // and calls again), so the service stops within the runtime's grace.
        let served = tonic::transport::Server::builder()
            .trace_fn(platform_telemetry::server_span)
            .layer(RequireToken(token))
            .layer(crate::drain::cut_after(shutdown.clone(), drain))
            .add_routes(routes)
            .add_service(health)
            .serve_with_shutdown(listen, shutdown.cancelled_owned())
            .await;
        served.map_err(|e| DirectoryError::Serve {
            service: service.to_owned(),
            reason: format!("{listen}: {e}"),
        })
    }

    fn registered(&self, service: &str) -> Option<Routes> {
        match &*self.shape {
            Shape::InProcess { registered, .. } => registered.read().ok()?.get(service).cloned(),
            Shape::Network { .. } => None,
        }
    }
}

/// Resolves the registered routes at call time, so callers may be built before the service
/// they call has started.
#[derive(Clone)]
struct InProcessChannel {
    directory: ServiceDirectory,
    service: String,
}

impl Service<http::Request<Body>> for InProcessChannel {
    type Response = http::Response<Body>;
    type Error = ChannelError;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let routes = self.directory.registered(&self.service);
        let service = self.service.clone();
        // The same trace context a TCP call carries, and the same server span around the
        // handler, so one trace looks the same in either shape.
        platform_telemetry::inject_into_http_headers(request.headers_mut());
        let span = {
            let mut head = http::Request::new(());
            *head.uri_mut() = request.uri().clone();
            *head.headers_mut() = request.headers().clone();
            platform_telemetry::server_span(&head)
        };
        Box::pin(async move {
            match routes {
                Some(routes) => match routes.oneshot(request).instrument(span).await {
                    Ok(response) => Ok(response),
                    Err(never) => match never {},
                },
                None => Ok(tonic::Status::unavailable(format!(
                    "{service} is not running in this process yet"
                ))
                .into_http()),
            }
        })
    }
}
