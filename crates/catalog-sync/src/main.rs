//! catalog-sync as its own process (distributed shape): `catalog-sync [--config FILE]`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    platform_runtime::exit_code(platform_runtime::serve_from_args(catalog_sync::CatalogSync).await)
}
