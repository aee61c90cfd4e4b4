//! stock-sync as its own process (distributed shape): `stock-sync [--config FILE]`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform_runtime::exit_code(platform_runtime::serve_from_args(stock_sync::StockSync).await)
}
