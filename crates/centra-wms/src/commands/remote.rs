//! How the operator commands reach a running process: the settings name every service's gRPC
//! address (`runtime.grpc.<service>.connect`), and a failed call becomes one line naming the
//! cause and the fix, with the exit code a script can act on.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use platform_config::{AppConfig, ConfigLoader};
use platform_runtime::{GrpcChannel, ServiceDirectory};
use tonic::{Code, Status};

use super::{Failure, SandboxWms};

/// `--config FILE` (or `--wms`) and `--json`, shared by every operator command.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteArgs {
    /// Settings of the running process; default: the built-in sandbox settings (what
    /// `centra-wms sandbox` and `make run` use).
    #[arg(long, global = true, conflicts_with = "wms")]
    pub config: Option<PathBuf>,
    /// Without --config: reach the sandbox of this WMS (`centra-wms sandbox --wms ogoship`);
    /// default ongoing.
    #[arg(long, global = true, value_enum)]
    pub wms: Option<SandboxWms>,
    /// Print JSON instead of text, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The settings plus a channel per service: what one operator command needs.
#[derive(Debug)]
pub struct Remote {
    pub config: AppConfig,
    directory: ServiceDirectory,
}

impl Remote {
    /// `named`, or the end-point when only one is configured; several need `--endpoint`.
    pub fn endpoint_or_only(&self, named: Option<String>) -> Result<String, Failure> {
        if let Some(name) = named {
            return Ok(name);
        }
        match self.config.settings.endpoints.as_slice() {
            [only] => Ok(only.name.to_string()),
            endpoints => Err(Failure::usage(anyhow!(
                "several centra end-points are configured ({}); name one with --endpoint",
                endpoints
                    .iter()
                    .map(|e| e.name.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Loads the settings (bad settings exit 2) and prepares lazy channels to every service.
    pub fn connect(args: &RemoteArgs) -> Result<Self, Failure> {
        let loader = match &args.config {
            Some(path) => ConfigLoader::new().file(path),
            None => ConfigLoader::new().toml(args.wms.unwrap_or_default().settings()),
        };
        let config = loader.load().map_err(Failure::usage)?;
        let directory = ServiceDirectory::network(config.runtime.grpc.all().into_iter().map(
            |(key, address)| {
                (
                    key.replace('_', "-"),
                    address.listen,
                    address.connect.clone(),
                )
            },
        ))
        .with_token(
            config
                .runtime
                .grpc_token
                .as_ref()
                .map(|t| platform_runtime::GrpcToken::new(t.expose())),
        )
        .with_wms_gateway(config.wms.kind().gateway());
        Ok(Self { config, directory })
    }

    /// The settings and directory of a running process (the admin web page's connection
    /// test runs inside one, over its own directory).
    pub fn over(config: AppConfig, directory: ServiceDirectory) -> Self {
        Self { config, directory }
    }

    /// A channel to `service` (`catalog-sync`, `order-sync`, ...); an unknown name exits 2.
    pub fn channel(&self, service: &str) -> Result<GrpcChannel, Failure> {
        self.directory.channel(service).map_err(Failure::usage)
    }

    /// Where `service` is expected to answer, for messages.
    pub fn address(&self, service: &str) -> String {
        self.config
            .runtime
            .grpc
            .all()
            .into_iter()
            .find(|(key, _)| key.replace('_', "-") == service)
            .map_or_else(|| "?".to_owned(), |(_, a)| a.connect.clone())
    }

    /// The answer of one call, or its failure as one clear line.
    pub async fn answer<T>(
        &self,
        service: &str,
        rpc: &str,
        call: impl Future<Output = Result<tonic::Response<T>, Status>>,
    ) -> Result<T, Failure> {
        match call.await {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => Err(self.failure(service, rpc, status).await),
        }
    }

    /// Turns a failed call of `rpc` (e.g. `DeadLetters`) on `service` into one clear line.
    pub async fn failure(&self, service: &str, rpc: &str, status: Status) -> Failure {
        let text = self.explain(service, rpc, &status).await;
        match status.code() {
            Code::InvalidArgument => Failure::usage(anyhow!(text)),
            _ => Failure::runtime(anyhow!(text)),
        }
    }

    /// [`describe`], except that a refused connection while other services of the process
    /// answer means `service` serves no gRPC at all (in the embedded shape a service without
    /// command services opens no port), not that the process is down.
    pub async fn explain(&self, service: &str, rpc: &str, status: &Status) -> String {
        let address = self.address(service);
        if not_running(status) && self.another_answers(service).await {
            return format!(
                "nothing answers for {service} at {address} while other services do: \
                 {service} serves no {rpc} (or is not running); pick a service that does"
            );
        }
        describe(service, rpc, &address, status)
    }

    /// True when some other service's gRPC port accepts a connection.
    pub(super) async fn another_answers(&self, service: &str) -> bool {
        for (key, address) in self.config.runtime.grpc.all() {
            if key.replace('_', "-") == service {
                continue;
            }
            let host = address.connect.trim_start_matches("http://");
            let host = host.trim_start_matches("https://").trim_end_matches('/');
            let attempt = tokio::net::TcpStream::connect(host.to_owned());
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(500), attempt).await {
                return true;
            }
        }
        false
    }
}

/// True when the call never reached a server (nothing listens, or the host is unreachable).
/// Such a status is made on this side from a transport error, so it carries that error as its
/// source; a status a server sent (e.g. `UNAVAILABLE` because Centra is down) has none.
pub fn not_running(status: &Status) -> bool {
    matches!(status.code(), Code::Unavailable | Code::Unknown)
        && std::error::Error::source(status).is_some()
}

/// One line for a failed call: cause first, then what to do about it.
pub fn describe(service: &str, rpc: &str, address: &str, status: &Status) -> String {
    if not_running(status) {
        return format!(
            "cannot reach {service} at {address} (is it running?): start `centra-wms run` \
             (or `centra-wms serve {service}`), or point --config at the settings of the \
             running process"
        );
    }
    match status.code() {
        Code::Unimplemented => {
            format!("{service} does not serve {rpc}; pick a service that does (see --help)")
        }
        Code::NotFound => format!("{service}: not found: {}", status.message()),
        Code::InvalidArgument => format!("{service}: invalid request: {}", status.message()),
        Code::FailedPrecondition => format!("{service}: refused: {}", status.message()),
        code => format!("{service} {rpc} failed ({code:?}): {}", status.message()),
    }
}

/// A protobuf timestamp as RFC 3339, or empty.
pub fn time(timestamp: Option<&prost_types::Timestamp>) -> String {
    timestamp.map(ToString::to_string).unwrap_or_default()
}

/// Prints `value` as pretty JSON (for `--json`).
pub fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: cannot render json: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_sent_by_a_server_is_not_a_missing_process() {
        let sent = Status::unavailable("cannot connect to centra: connection refused");
        assert!(!not_running(&sent));
        let line = describe("catalog-sync", "CatalogAdmin", "http://x:1", &sent);
        assert!(line.contains("cannot connect to centra"), "{line}");
        assert!(!line.contains("centra-wms run"), "{line}");
    }

    #[test]
    fn unimplemented_names_the_service_and_the_rpc() {
        let line = describe(
            "order-sync",
            "DeadLetters",
            "http://x:1",
            &Status::unimplemented(""),
        );
        assert_eq!(
            line,
            "order-sync does not serve DeadLetters; pick a service that does (see --help)"
        );
    }
}
