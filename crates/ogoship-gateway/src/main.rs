//! ogoship-gateway as its own process (distributed shape): `ogoship-gateway [--config FILE]`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform_runtime::exit_code(
        platform_runtime::serve_from_args(ogoship_gateway::OgoshipGateway).await,
    )
}
