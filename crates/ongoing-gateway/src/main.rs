//! ongoing-gateway as its own process (distributed shape): `ongoing-gateway [--config FILE]`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform_runtime::exit_code(
        platform_runtime::serve_from_args(ongoing_gateway::OngoingGateway).await,
    )
}
