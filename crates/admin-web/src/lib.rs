//! The admin web page: what a merchant's operations person opens to see how the flows are
//! doing, pick the webshop's products to create in the WMS, retry or discard dead letters, test
//! the connection, read the effective settings and find a shipment or a return with its
//! journey (the calls made to Centra and the WMS for it among the steps) or an article with
//! its record.
//!
//! It is one more adapter on the services' admin gRPC APIs (`FlowStatus`, `DeadLetters`,
//! catalog-sync's `CatalogAdmin`, order-sync's `OrderAdmin`, returns-sync's `ReturnsAdmin`, the
//! gateways' `TestConnection` and `ExternalCalls`), like the CLI: it never reaches into a service's store and keeps
//! no store of its own. Server-rendered HTML (maud, checked at compile time) with htmx, served
//! from the binary ([`assets`]); nothing is fetched from outside at run time.
//!
//! Security: read-only unless signed in ([`session`]: the configured user and argon2 password
//! hash, an encrypted `HttpOnly`, `SameSite=Strict` session cookie, `Secure` behind TLS; a
//! client address gets [`sign_in_limit::ATTEMPTS`] sign-ins in a row); every
//! form action carries the session's CSRF token and is refused without it; every answer carries
//! the security headers ([`security`]: a CSP with no inline script, no framing); every action is
//! written to the audit log ([`audit`]: structured log lines with target `audit`, and the recent
//! ones in memory, shown on the overview; the page has no store, so they end with the process).
//!
//! Layout:
//! - `lib.rs`: [`AdminWeb`], the [`Service`] the runtime runs (embedded: beside the others;
//!   distributed: `centra-wms serve admin-web`), and the router.
//! - `session.rs`: the session cookie, sign-in state and CSRF token.
//! - `security.rs`: security headers, and the check every action passes (signed in, token).
//! - `audit.rs`: [`audit::AuditLog`].
//! - `password.rs`: argon2 hashing (`centra-wms admin-web hash-password`) and verification.
//! - `sign_in_limit.rs`: the sign-in attempts per client address (`governor`).
//! - `settings_doc.rs`: each key's default and meaning, read from the example config.
//! - `assets.rs`: htmx (with its license), the style sheet.
//! - `pages/`: one module per page (overview, find, products, dead letters, parked records,
//!   connection, settings, sign-in) and the shared layout.

mod assets;
pub mod audit;
mod pages;
pub mod password;
mod security;
mod session;
mod settings_doc;
pub mod sign_in_limit;

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum_extra::extract::cookie::Key;
use platform_config::AppConfig;
use platform_runtime::{Service, ServiceContext, ServiceDirectory, ServiceError};

pub use pages::connection::{CheckLine, ConnectionTest};

/// The service's name: its log lines, `centra-wms serve admin-web`.
pub const NAME: &str = "admin-web";

/// The admin web page as a service of the runtime.
pub struct AdminWeb {
    connection: Arc<dyn ConnectionTest>,
    /// A listener bound before the runtime started (the embedded shape binds early so that it
    /// can print the address, or say the port is taken); otherwise `run` binds
    /// `[admin_web] listen`.
    listener: Mutex<Option<std::net::TcpListener>>,
}

impl fmt::Debug for AdminWeb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminWeb").finish_non_exhaustive()
    }
}

impl AdminWeb {
    /// The page, running `connection` for its Test button (what `test-connection` runs).
    pub fn new(connection: Arc<dyn ConnectionTest>) -> Self {
        Self {
            connection,
            listener: Mutex::new(None),
        }
    }

    /// Serves on `listener` (already bound, non-blocking is set here) instead of binding
    /// `[admin_web] listen` when the service starts.
    pub fn on(self, listener: std::net::TcpListener) -> Self {
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(listener);
        self
    }

    fn bound(&self) -> Option<std::net::TcpListener> {
        self.listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// What every handler reads: the settings, how to reach the services, the cookie key, the
/// audit log, the last connection test and the sign-in attempts left.
#[derive(Clone)]
pub(crate) struct Page {
    pub config: Arc<AppConfig>,
    pub directory: ServiceDirectory,
    pub key: Key,
    pub audit: Arc<audit::AuditLog>,
    pub connection: Arc<dyn ConnectionTest>,
    pub last_test: Arc<Mutex<Option<pages::connection::TestRun>>>,
    pub sign_in_limit: Arc<sign_in_limit::SignInLimit>,
}

impl FromRef<Page> for Key {
    fn from_ref(page: &Page) -> Self {
        page.key.clone()
    }
}

impl Page {
    /// The services whose `FlowStatus` and `DeadLetters` the page shows: the six of the
    /// configured WMS's deployment.
    pub fn services(&self) -> [&'static str; 6] {
        [
            "centra-gateway",
            self.config.wms.kind().gateway(),
            "catalog-sync",
            "order-sync",
            "stock-sync",
            "returns-sync",
        ]
    }
}

/// Why the page could not be served.
#[derive(Debug, thiserror::Error)]
pub enum AdminWebError {
    /// The address is taken or not ours: terminal until the setting or the other process
    /// changes.
    #[error("admin_web.listen {address}: cannot listen: {source}")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },
    /// The HTTP server stopped with an I/O error (retryable: a restart may serve again).
    #[error("admin web server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// The router of the page over `page` (without the listener): every route, the session layer
/// and the security headers.
fn router(page: Page) -> Router {
    Router::new()
        .route("/", get(pages::overview::page))
        .route("/flows", get(pages::overview::flows))
        .route("/find", get(pages::find::page))
        .route("/products", get(pages::products::list))
        .route("/products/refresh", post(pages::products::refresh))
        .route("/products/create", post(pages::products::create))
        .route("/dead-letters", get(pages::dead_letters::list))
        .route(
            "/dead-letters/{service}/{id}",
            get(pages::dead_letters::show),
        )
        .route(
            "/dead-letters/{service}/{id}/retry",
            post(pages::dead_letters::retry),
        )
        .route(
            "/dead-letters/{service}/{id}/discard",
            post(pages::dead_letters::discard),
        )
        .route("/parked", get(pages::parked::list))
        .route(
            "/parked/shipments/{endpoint}/{shipment_id}/{action}",
            post(pages::parked::act_on_shipment),
        )
        .route(
            "/parked/returns/{return_id}/{action}",
            post(pages::parked::act_on_return),
        )
        .route("/connection", get(pages::connection::page))
        .route("/connection/test", post(pages::connection::test))
        .route("/settings", get(pages::settings::page))
        .route(
            "/sign-in",
            get(pages::sign_in::form).post(pages::sign_in::sign_in),
        )
        .route("/sign-out", post(pages::sign_in::sign_out))
        .route("/assets/{file}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            page.clone(),
            session::layer,
        ))
        .layer(axum::middleware::map_response_with_state(
            page.config.admin_web.behind_tls,
            security::headers,
        ))
        .with_state(page)
}

/// The cookie key from `[admin_web] session_key`, or a random one for this process.
fn cookie_key(config: &AppConfig) -> Key {
    match &config.admin_web.session_key {
        Some(secret) => Key::derive_from(secret.expose().trim().as_bytes()),
        None => Key::generate(),
    }
}

#[async_trait]
impl Service for AdminWeb {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let address = ctx.config.admin_web.listen;
        let listen_error = |source| {
            stopped(AdminWebError::Listen {
                address: address.to_string(),
                source,
            })
        };
        let listener = match self.bound() {
            Some(listener) => listener,
            None => std::net::TcpListener::bind(address).map_err(listen_error)?,
        };
        listener.set_nonblocking(true).map_err(listen_error)?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(listen_error)?;
        if let Ok(local) = listener.local_addr() {
            tracing::info!(address = %local, "admin web page serving");
        }
        // The page serves no gRPC of its own: it tells the process's `/readyz` itself.
        let directory = ctx.directory.clone();
        directory.mark_serving(NAME, true);
        let served = serve(listener, ctx, self.connection.clone()).await;
        directory.mark_serving(NAME, false);
        served
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    ctx: ServiceContext,
    connection: Arc<dyn ConnectionTest>,
) -> Result<(), ServiceError> {
    let page = Page {
        key: cookie_key(&ctx.config),
        config: ctx.config.clone(),
        directory: ctx.directory.clone(),
        audit: Arc::new(audit::AuditLog::default()),
        connection,
        last_test: Arc::new(Mutex::new(None)),
        sign_in_limit: Arc::new(sign_in_limit::SignInLimit::default()),
    };
    let shutdown = ctx.shutdown.clone();
    // The client's address is the sign-in limit's key.
    let app = router(page).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(|e| stopped(AdminWebError::Serve(e)))
}

fn stopped(error: AdminWebError) -> ServiceError {
    ServiceError::part(NAME, "web server", error)
}
