//! The shared bearer token of the gRPC services (`runtime.grpc_token`): TCP clients send
//! `authorization: Bearer <token>`; TCP servers refuse a call without the right one with
//! UNAUTHENTICATED, compared in constant time. `grpc.health.v1` stays open, so probes need no
//! secret. In-process calls (embedded shape) never leave the process and carry none.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use subtle::ConstantTimeEq as _;
use tonic::body::Body;

/// The token, shared by the directory's channels and servers.
#[derive(Clone)]
pub struct GrpcToken(Arc<String>);

impl std::fmt::Debug for GrpcToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcToken(***)")
    }
}

impl GrpcToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(Arc::new(token.into()))
    }

    /// Adds the header to an outgoing call.
    pub(crate) fn authorize(&self, headers: &mut http::HeaderMap) {
        if let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {}", self.0)) {
            headers.insert(http::header::AUTHORIZATION, value);
        }
    }

    fn admits(&self, headers: &http::HeaderMap) -> bool {
        let Some(sent) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        else {
            return false;
        };
        bool::from(sent.ct_eq(self.0.as_bytes()))
    }
}

/// Server layer: checks the token on every call but the health service's.
#[derive(Debug, Clone)]
pub(crate) struct RequireToken(pub Option<GrpcToken>);

impl<S> tower::Layer<S> for RequireToken {
    type Service = TokenCheck<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TokenCheck {
            token: self.0.clone(),
            inner,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TokenCheck<S> {
    token: Option<GrpcToken>,
    inner: S,
}

impl<S> tower::Service<http::Request<Body>> for TokenCheck<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let open = request.uri().path().starts_with("/grpc.health.v1.Health/");
        let refused = match &self.token {
            Some(token) if !open => !token.admits(request.headers()),
            _ => false,
        };
        if refused {
            tracing::warn!(path = %request.uri().path(), "grpc call refused: missing or wrong token");
            let status = tonic::Status::unauthenticated(
                "missing or wrong bearer token (runtime.grpc_token)",
            );
            return Box::pin(async move { Ok(status.into_http()) });
        }
        Box::pin(self.inner.call(request))
    }
}
