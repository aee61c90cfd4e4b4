//! `[runtime]`: how the process runs (embedded or distributed) and where it listens.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

use domain::settings::{FieldReport, Lenient};
use serde::{Deserialize, Serialize};

use crate::checks::{token_problem, url_problem, url_problem_shown_as};
use crate::connection_url::ConnectionUrl;
use crate::redelivery::{Redelivery, RedeliveryDraft};
use crate::retention::{Retention, RetentionDraft};

/// Default data folder for embedded mode (SQLite files).
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default prefix of NATS stream names.
pub const DEFAULT_STREAM_PREFIX: &str = "centra-wms";
/// Default tracing filter.
pub const DEFAULT_LOG_FILTER: &str = "info";
/// Default address of the Centra webhook receiver.
pub const DEFAULT_CENTRA_WEBHOOK_LISTEN: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8081);
/// Default address of the Ongoing webhook receiver.
pub const DEFAULT_ONGOING_WEBHOOK_LISTEN: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8082);

/// How the services run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RuntimeMode {
    /// Every service as tasks of one process; embedded bus and SQLite in `data_dir`.
    #[default]
    Embedded,
    /// One process per service; NATS JetStream and PostgreSQL; gRPC between services.
    Distributed,
}

domain::setting_enum!(RuntimeMode {
    Embedded = "embedded",
    Distributed = "distributed"
});

/// Where one service serves gRPC and where the others reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceAddress {
    /// Bind address of the service's gRPC server.
    pub listen: SocketAddr,
    /// URL clients use, e.g. `http://order-sync:50054`. Defaults to `http://<listen>` (with
    /// `127.0.0.1` for an unspecified listen address).
    pub connect: String,
}

impl ServiceAddress {
    fn from_listen(listen: SocketAddr) -> Self {
        let host = match listen.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Self {
            listen,
            connect: format!("http://{}", SocketAddr::new(host, listen.port())),
        }
    }

    fn local(port: u16) -> Self {
        Self::from_listen(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    }
}

/// gRPC addresses of every service (used in distributed mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrpcServices {
    /// Default `127.0.0.1:50051`.
    pub centra_gateway: ServiceAddress,
    /// Default `127.0.0.1:50052`.
    pub ongoing_gateway: ServiceAddress,
    /// Default `127.0.0.1:50053`.
    pub catalog_sync: ServiceAddress,
    /// Default `127.0.0.1:50054`.
    pub order_sync: ServiceAddress,
    /// Default `127.0.0.1:50055`.
    pub stock_sync: ServiceAddress,
    /// Default `127.0.0.1:50056`.
    pub returns_sync: ServiceAddress,
    /// Default `127.0.0.1:50057` (runs instead of ongoing-gateway when `[wms] kind = "ogoship"`).
    pub ogoship_gateway: ServiceAddress,
}

impl Default for GrpcServices {
    fn default() -> Self {
        Self {
            centra_gateway: ServiceAddress::local(50051),
            ongoing_gateway: ServiceAddress::local(50052),
            catalog_sync: ServiceAddress::local(50053),
            order_sync: ServiceAddress::local(50054),
            stock_sync: ServiceAddress::local(50055),
            returns_sync: ServiceAddress::local(50056),
            ogoship_gateway: ServiceAddress::local(50057),
        }
    }
}

impl GrpcServices {
    /// Every service with its key name, in a fixed order.
    pub fn all(&self) -> [(&'static str, &ServiceAddress); 7] {
        [
            ("centra_gateway", &self.centra_gateway),
            ("ongoing_gateway", &self.ongoing_gateway),
            ("catalog_sync", &self.catalog_sync),
            ("order_sync", &self.order_sync),
            ("stock_sync", &self.stock_sync),
            ("returns_sync", &self.returns_sync),
            ("ogoship_gateway", &self.ogoship_gateway),
        ]
    }
}

/// The `[runtime]` section, defaults applied and validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeConfig {
    /// Embedded (default) or distributed.
    pub mode: RuntimeMode,
    /// Folder for SQLite files and simulator state in embedded mode. Default `./data`.
    pub data_dir: PathBuf,
    /// PostgreSQL URL; required in distributed mode. In embedded mode, unset means SQLite files
    /// in `data_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<ConnectionUrl>,
    /// NATS URL; required in distributed mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nats_url: Option<ConnectionUrl>,
    /// Prefix of JetStream stream names. Default `centra-wms`.
    pub stream_prefix: String,
    /// gRPC addresses per service.
    pub grpc: GrpcServices,
    /// Where the Centra webhook receiver (centra-gateway) listens. Default `127.0.0.1:8081`
    /// (use `0.0.0.0:8081` in a container).
    pub centra_webhook_listen: SocketAddr,
    /// Where the WMS gateway's webhook receiver listens (ongoing-gateway, or ogoship-gateway
    /// when `[wms] kind = "ogoship"`: one WMS gateway runs at a time). Default `127.0.0.1:8082`.
    pub ongoing_webhook_listen: SocketAddr,
    /// OTLP collector (e.g. `http://otel-collector:4317`); telemetry export is off unless set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp_endpoint: Option<String>,
    /// `tracing` filter, e.g. `info,order_sync=debug`. Default `info`.
    pub log_filter: String,
    /// Where a service process serves `/healthz`, `/readyz` and `/metrics` (distributed shape,
    /// e.g. `0.0.0.0:9090` in a container). Unset: not served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_listen: Option<SocketAddr>,
    /// Shared bearer token of the gRPC services: every TCP call sends it, every TCP server
    /// refuses a call without it (UNAUTHENTICATED). Unset: calls are not authenticated (only
    /// for a single host or a private network). The commands can capture money.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_token: Option<domain::secret::Secret>,
    /// How a bus message whose handling keeps failing is tried again before it is kept as a
    /// dead letter (`[runtime.redelivery]`).
    pub redelivery: Redelivery,
    /// How long the bus, the inboxes, the outboxes and resolved dead letters keep what they
    /// hold, and how often they are pruned (`[runtime.retention]`).
    pub retention: Retention,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            mode: RuntimeMode::default(),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            nats_url: None,
            stream_prefix: DEFAULT_STREAM_PREFIX.to_owned(),
            grpc: GrpcServices::default(),
            centra_webhook_listen: DEFAULT_CENTRA_WEBHOOK_LISTEN,
            ongoing_webhook_listen: DEFAULT_ONGOING_WEBHOOK_LISTEN,
            otlp_endpoint: None,
            log_filter: DEFAULT_LOG_FILTER.to_owned(),
            health_listen: None,
            grpc_token: None,
            redelivery: Redelivery::default(),
            retention: Retention::default(),
        }
    }
}

/// One `[runtime.grpc.<service>]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAddressDraft {
    listen: Option<SocketAddr>,
    connect: Option<String>,
}

domain::lenient_section! {
    /// `[runtime.grpc]` as written.
    pub struct GrpcDraft {
        centra_gateway: ServiceAddressDraft,
        ongoing_gateway: ServiceAddressDraft,
        catalog_sync: ServiceAddressDraft,
        order_sync: ServiceAddressDraft,
        stock_sync: ServiceAddressDraft,
        returns_sync: ServiceAddressDraft,
        ogoship_gateway: ServiceAddressDraft,
    }
}

domain::lenient_section! {
    /// `[runtime]` as written.
    pub struct RuntimeDraft {
        mode: RuntimeMode,
        data_dir: PathBuf,
        database_url: ConnectionUrl,
        nats_url: ConnectionUrl,
        stream_prefix: String,
        grpc: GrpcDraft,
        centra_webhook_listen: SocketAddr,
        ongoing_webhook_listen: SocketAddr,
        otlp_endpoint: String,
        log_filter: String,
        health_listen: SocketAddr,
        grpc_token: domain::secret::Secret,
        redelivery: RedeliveryDraft,
        retention: RetentionDraft,
    }
}

impl GrpcDraft {
    fn resolve(self, report: &mut FieldReport) -> GrpcServices {
        let defaults = GrpcServices::default();
        let mut take =
            |name: &str, value: Option<Lenient<ServiceAddressDraft>>, default: ServiceAddress| {
                let Some(draft) = report.optional(name, value) else {
                    return default;
                };
                let mut address = draft.listen.map_or(default, ServiceAddress::from_listen);
                if let Some(connect) = draft.connect {
                    if let Some(problem) = url_problem(&connect, &["http", "https"]) {
                        report.problem(&format!("{name}.connect"), problem);
                    }
                    address.connect = connect;
                }
                address
            };
        GrpcServices {
            centra_gateway: take(
                "centra_gateway",
                self.centra_gateway,
                defaults.centra_gateway,
            ),
            ongoing_gateway: take(
                "ongoing_gateway",
                self.ongoing_gateway,
                defaults.ongoing_gateway,
            ),
            catalog_sync: take("catalog_sync", self.catalog_sync, defaults.catalog_sync),
            order_sync: take("order_sync", self.order_sync, defaults.order_sync),
            stock_sync: take("stock_sync", self.stock_sync, defaults.stock_sync),
            returns_sync: take("returns_sync", self.returns_sync, defaults.returns_sync),
            ogoship_gateway: take(
                "ogoship_gateway",
                self.ogoship_gateway,
                defaults.ogoship_gateway,
            ),
        }
    }
}

impl RuntimeDraft {
    /// Applies defaults and checks every key; problems go to `report` (prefix `runtime`).
    pub fn resolve(self, report: &mut FieldReport) -> RuntimeConfig {
        let defaults = RuntimeConfig::default();
        let mode = report.or_default("mode", self.mode).unwrap_or_default();
        let data_dir = report
            .optional("data_dir", self.data_dir)
            .unwrap_or(defaults.data_dir);
        let database_url = report.optional("database_url", self.database_url);
        let nats_url = report.optional("nats_url", self.nats_url);
        let stream_prefix = report
            .optional("stream_prefix", self.stream_prefix)
            .unwrap_or(defaults.stream_prefix);
        let grpc = match report.optional("grpc", self.grpc) {
            Some(draft) => {
                let mut nested = FieldReport::new(report.key("grpc"));
                nested.unknown_keys(&draft.unknown);
                let grpc = draft.resolve(&mut nested);
                for problem in nested.into_problems() {
                    report.push(problem);
                }
                grpc
            }
            None => defaults.grpc,
        };
        let redelivery = match report.optional("redelivery", self.redelivery) {
            Some(draft) => {
                let mut nested = FieldReport::new(report.key("redelivery"));
                let redelivery = draft.resolve(&mut nested);
                for problem in nested.into_problems() {
                    report.push(problem);
                }
                redelivery
            }
            None => defaults.redelivery,
        };
        let retention = match report.optional("retention", self.retention) {
            Some(draft) => {
                let mut nested = FieldReport::new(report.key("retention"));
                let retention = draft.resolve(&mut nested, &redelivery);
                for problem in nested.into_problems() {
                    report.push(problem);
                }
                retention
            }
            None => {
                // The defaults still have to fit a redelivery window set on its own.
                let mut nested = FieldReport::new(report.key("retention"));
                defaults.retention.check(&mut nested, &redelivery);
                for problem in nested.into_problems() {
                    report.push(problem);
                }
                defaults.retention
            }
        };
        let centra_webhook_listen = report
            .optional("centra_webhook_listen", self.centra_webhook_listen)
            .unwrap_or(defaults.centra_webhook_listen);
        let ongoing_webhook_listen = report
            .optional("ongoing_webhook_listen", self.ongoing_webhook_listen)
            .unwrap_or(defaults.ongoing_webhook_listen);
        let otlp_endpoint = report.optional("otlp_endpoint", self.otlp_endpoint);
        let log_filter = report
            .optional("log_filter", self.log_filter)
            .unwrap_or(defaults.log_filter);
        let health_listen = report.optional("health_listen", self.health_listen);
        let grpc_token = report.optional("grpc_token", self.grpc_token);
        if grpc_token
            .as_ref()
            .is_some_and(|t| t.expose().trim().len() < 16)
        {
            report.problem(
                "grpc_token",
                "is shorter than 16 characters (use e.g. `openssl rand -hex 32`)",
            );
        }
        report.unknown_keys(&self.unknown);

        let distributed = mode == RuntimeMode::Distributed;
        match &database_url {
            None if distributed => report.problem(
                "database_url",
                "required in distributed mode (postgres://user:password@host:5432/database)",
            ),
            Some(url) => {
                let schemes: &[&str] = if distributed {
                    &["postgres", "postgresql"]
                } else {
                    &["postgres", "postgresql", "sqlite"]
                };
                // The URL may hold a password: quote it in its redacted form.
                if let Some(problem) = url_problem_shown_as(url.expose(), &url.redacted(), schemes)
                {
                    report.problem("database_url", problem);
                }
            }
            None => {}
        }
        match &nats_url {
            None if distributed => {
                report.problem(
                    "nats_url",
                    "required in distributed mode (nats://host:4222)",
                );
            }
            Some(url) => {
                let schemes = ["nats", "tls", "ws", "wss"];
                if let Some(problem) = url_problem_shown_as(url.expose(), &url.redacted(), &schemes)
                {
                    report.problem("nats_url", problem);
                }
            }
            None => {}
        }
        if let Some(problem) = token_problem("stream prefix", &stream_prefix) {
            report.problem("stream_prefix", problem);
        }
        if let Some(problem) = otlp_endpoint
            .as_deref()
            .and_then(|url| url_problem(url, &["http", "https"]))
        {
            report.problem("otlp_endpoint", problem);
        }
        if log_filter.trim().is_empty() {
            report.problem("log_filter", "is empty (e.g. \"info\")");
        }
        if data_dir.as_os_str().is_empty() {
            report.problem("data_dir", "is empty");
        }

        RuntimeConfig {
            mode,
            data_dir,
            database_url,
            nats_url,
            stream_prefix,
            grpc,
            centra_webhook_listen,
            ongoing_webhook_listen,
            otlp_endpoint,
            log_filter,
            health_listen,
            grpc_token,
            redelivery,
            retention,
        }
    }
}
